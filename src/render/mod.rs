//! Kit -> artifacts: the handlebars registry, its escaping helpers, and the
//! view of a request that every format shares. One submodule per format.

mod curl;
mod postman;
mod script;
mod sheet;

use std::sync::OnceLock;

use handlebars::{
    no_escape, Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext,
    RenderErrorReason,
};
use serde::Serialize;
use serde_json::Value as Json;

use crate::kit::{self, Kit, Param, Request, Value, Var};
use crate::Error;

pub use sheet::SheetFormat;

/// A rendered file: its bundle name, its text, and whether it is a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub file_name: &'static str,
    /// One line for the bundle's README.
    pub purpose: &'static str,
    pub text: String,
    pub executable: bool,
}

/// Templates, embedded so the binary needs no files at run time.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "postman_collection",
        include_str!("../../templates/postman_collection.json.hbs"),
    ),
    (
        "postman_description",
        include_str!("../../templates/postman_description.md.hbs"),
    ),
    (
        "postman_prerequest",
        include_str!("../../templates/postman_prerequest.js.hbs"),
    ),
    (
        "postman_token_test",
        include_str!("../../templates/postman_token_test.js.hbs"),
    ),
    (
        "postman_api_test",
        include_str!("../../templates/postman_api_test.js.hbs"),
    ),
    (
        "postman_store_token",
        include_str!("../../templates/postman_store_token.js.hbs"),
    ),
    (
        "postman_environment",
        include_str!("../../templates/postman_environment.json.hbs"),
    ),
    (
        "curl_command",
        include_str!("../../templates/curl_command.hbs"),
    ),
    ("curl", include_str!("../../templates/requests.curl.hbs")),
    ("check_script", include_str!("../../templates/check.sh.hbs")),
    ("sheet_md", include_str!("../../templates/sheet.md.hbs")),
    ("sheet_json", include_str!("../../templates/sheet.json.hbs")),
    (
        "bundle_readme",
        include_str!("../../templates/bundle_readme.md.hbs"),
    ),
];

/// The registry, built once per process: strict, never HTML-escaping, with
/// one helper per output target. A value reaches output only through one.
pub fn registry() -> &'static Handlebars<'static> {
    static REGISTRY: OnceLock<Handlebars<'static>> = OnceLock::new();
    REGISTRY.get_or_init(build_registry)
}

/// A fresh registry: what `registry()` builds once. Public for the benchmark.
pub fn build_registry() -> Handlebars<'static> {
    {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_escape_fn(no_escape);
        hb.register_helper("json", helper("json", json_value));
        hb.register_helper("sh", helper("sh", sh_word));
        hb.register_helper("md", helper("md", |v| Ok(md_code(&text(v)))));
        hb.register_helper("line", helper("line", one_line));
        for (name, text) in TEMPLATES {
            // Templates are compiled into the binary; a bad one is a build bug
            // that every test run catches.
            hb.register_template_string(name, *text)
                .unwrap_or_else(|e| panic!("template {name}: {e}"));
        }
        hb
    }
}

fn render(name: &str, view: &impl Serialize) -> Result<String, Error> {
    registry()
        .render(name, view)
        .map_err(|e| Error::Failed(format!("rendering {name}: {e}")))
}

/// JSON output is parsed back before it leaves, so a template bug is an
/// error, not a broken file; re-indenting it frees the templates' layout.
fn render_json(name: &str, view: &impl Serialize) -> Result<String, Error> {
    let text = render(name, view)?;
    let value = serde_json::from_str::<Json>(&text)
        .map_err(|e| Error::Failed(format!("{name} rendered invalid JSON ({e}); this is a bug")))?;
    let mut pretty =
        serde_json::to_string_pretty(&value).map_err(|e| Error::Failed(format!("{name}: {e}")))?;
    pretty.push('\n');
    Ok(pretty)
}

/// A helper that writes `f(first parameter)`; `f` says what is wrong, if anything.
fn helper(
    name: &'static str,
    f: fn(&Json) -> Result<String, String>,
) -> Box<dyn HelperDef + Send + Sync> {
    Box::new(
        move |h: &Helper<'_>,
              _: &Handlebars<'_>,
              _: &Context,
              _: &mut RenderContext<'_, '_>,
              out: &mut dyn Output|
              -> HelperResult {
            let value = h
                .param(0)
                .ok_or(RenderErrorReason::ParamNotFoundForIndex(name, 0))?
                .value();
            let text = f(value).map_err(|e| RenderErrorReason::Other(format!("{name}: {e}")))?;
            out.write(&text)?;
            Ok(())
        },
    )
}

/// A string as itself, anything else as its JSON text.
fn text(v: &Json) -> String {
    match v {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `{{json v}}`: any value inside JSON, quotes included.
fn json_value(v: &Json) -> Result<String, String> {
    serde_json::to_string(v).map_err(|e| e.to_string())
}

/// `{{sh w}}`: one shell word. A string is quoted whole; a list of
/// `{"lit": ..}` / `{"var": NAME}` parts joins quoted literals and
/// `"${NAME}"` expansions into one word.
fn sh_word(v: &Json) -> Result<String, String> {
    match v {
        Json::String(s) => Ok(quote(s)),
        Json::Array(parts) => parts
            .iter()
            .map(|p| match (p.get("lit"), p.get("var")) {
                (Some(Json::String(l)), _) => Ok(quote(l)),
                (_, Some(Json::String(v))) => Ok(format!("\"${{{v}}}\"")),
                _ => Err(format!("bad word part {p}")),
            })
            .collect(),
        other => Err(format!("not a word: {other}")),
    }
}

/// Single-quotes a shell word, as Postman's curl generator does: quoting is
/// always visible, and `'` becomes `'\''`.
pub fn quote(s: &str) -> String {
    let escaped = shell_escape::unix::escape(s.into());
    if escaped.starts_with('\'') {
        escaped.into_owned()
    } else {
        // shell_escape left it bare: it holds only safe characters.
        format!("'{escaped}'")
    }
}

/// `{{line v}}`: free text on one line (a comment, a heading): control
/// characters become spaces so the text cannot break out of its line.
fn one_line(v: &Json) -> Result<String, String> {
    Ok(text(v)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect())
}

/// `{{md v}}`: a value as a Markdown code span that survives a table cell:
/// a backtick fence longer than any run inside, and `|` escaped.
pub fn md_code(text: &str) -> String {
    let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    // A code span strips one space from each end when both are there (unless
    // it is all spaces), and a leading or trailing backtick would merge with
    // the fence: pad then.
    let all_spaces = text.chars().all(|c| c == ' ');
    let pad = if !all_spaces && (text.starts_with(['`', ' ']) || text.ends_with(['`', ' '])) {
        " "
    } else {
        ""
    };
    let body = text.replace('|', "\\|");
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// A request with its variables bound for one target.
#[derive(Debug, Serialize)]
struct RequestView {
    name: String,
    method: &'static str,
    url: String,
    protocol: &'static str,
    host: String,
    /// `/api/expense_reports`: the Agent Studio endpoint path.
    path: String,
    path_segments: Vec<String>,
    /// Percent-encoded values, as they stand in the URL.
    query: Vec<Param>,
    /// Decoded values, as a form's query table takes them.
    query_decoded: Vec<Param>,
    headers: Vec<Param>,
    /// `Authorization: Bearer ...` when the request sends the token.
    auth_header: Option<Param>,
    form: Vec<Param>,
    globoff: bool,
    area: Option<&'static str>,
}

impl RequestView {
    fn new(req: &Request, bind: &dyn Fn(Var) -> String) -> Self {
        let host = bind(Var::Domain);
        RequestView {
            name: req.name.clone(),
            method: req.method,
            url: req.url(&host),
            protocol: kit::SCHEME,
            host,
            path: req.path.clone(),
            path_segments: req
                .path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            query: req
                .query_string()
                .split('&')
                .filter(|s| !s.is_empty())
                .map(|pair| {
                    let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                    Param {
                        key: key.into(),
                        value: value.into(),
                    }
                })
                .collect(),
            query_decoded: req.query.clone(),
            headers: req.headers.clone(),
            auth_header: req.bearer.then(|| Param {
                key: kit::AUTHORIZATION.into(),
                value: format!("{} {}", kit::BEARER, bind(Var::Token)),
            }),
            form: req
                .form
                .iter()
                .map(|(key, value)| Param {
                    key: key.clone(),
                    value: match value {
                        Value::Lit(s) => s.clone(),
                        Value::Var(v) => bind(*v),
                    },
                })
                .collect(),
            globoff: req.needs_globoff(),
            area: req.resource.map(|r| r.area),
        }
    }
}

/// The method curl must be told: it implies POST when sending data and GET
/// otherwise.
fn explicit_method(req: &Request) -> Option<&'static str> {
    let implied = if req.form.is_empty() { "GET" } else { "POST" };
    (req.method != implied).then_some(req.method)
}

fn placeholder(name: &str) -> String {
    format!("{{{{{name}}}}}")
}

/// Postman binding: every variable is a `{{placeholder}}`.
fn postman_binding<'k>(kit: &'k Kit<'_>) -> impl Fn(Var) -> String + 'k {
    move |var| placeholder(kit.var_name(var))
}

/// The guide's binding (curl, sheet): the domain and scopes filled in,
/// credentials and token left as `{{placeholders}}`.
fn guide_binding<'k>(kit: &'k Kit<'_>) -> impl Fn(Var) -> String + 'k {
    move |var| match var {
        Var::Domain => kit.spec.domain.as_str().to_string(),
        Var::Scopes => kit.spec.scope_list(),
        _ => placeholder(kit.var_name(var)),
    }
}

pub fn postman_collection(kit: &Kit<'_>) -> Result<Artifact, Error> {
    postman::collection(kit)
}

pub fn postman_environment(kit: &Kit<'_>) -> Result<Artifact, Error> {
    postman::environment(kit)
}

pub fn curl(kit: &Kit<'_>) -> Result<Artifact, Error> {
    curl::file(kit)
}

pub fn check_script(kit: &Kit<'_>) -> Result<Artifact, Error> {
    script::file(kit)
}

pub fn sheet(kit: &Kit<'_>, format: SheetFormat) -> Result<Artifact, Error> {
    sheet::file(kit, format)
}

/// The bundle's README: what each file is for, then the next steps.
pub fn bundle_readme(kit: &Kit<'_>, files: &[Artifact]) -> Result<Artifact, Error> {
    #[derive(Serialize)]
    struct View<'a> {
        domain: &'a str,
        scopes: String,
        client_id_var: &'a str,
        client_secret_var: &'a str,
        files: Vec<FileView>,
        script_file: &'static str,
        env: EnvNames,
        setup: &'static str,
        setup_path: &'static str,
    }
    #[derive(Serialize)]
    struct FileView {
        name: &'static str,
        purpose: &'static str,
    }
    Ok(Artifact {
        file_name: "README.md",
        purpose: "What each file is for, and the next steps.",
        text: render(
            "bundle_readme",
            &View {
                domain: kit.spec.domain.as_str(),
                scopes: kit.spec.scope_list(),
                client_id_var: kit.spec.client_id_var.as_str(),
                client_secret_var: kit.spec.client_secret_var.as_str(),
                files: files
                    .iter()
                    .map(|f| FileView {
                        name: f.file_name,
                        purpose: f.purpose,
                    })
                    .collect(),
                script_file: script::FILE,
                setup: kit::CLIENT_SETUP,
                setup_path: kit::CLIENT_SETUP_PATH,
                env: EnvNames::default(),
            },
        )?,
        executable: false,
    })
}

/// Every file of `bundle`, in a stable order, the README last.
pub fn bundle(kit: &Kit<'_>) -> Result<Vec<Artifact>, Error> {
    let mut files = vec![
        postman_collection(kit)?,
        postman_environment(kit)?,
        curl(kit)?,
        check_script(kit)?,
    ];
    files.extend(sheet::files(kit)?);
    files.push(bundle_readme(kit, &files)?);
    Ok(files)
}

/// The script's environment contract, for templates that mention it.
#[derive(Debug, Serialize)]
struct EnvNames {
    client_id: &'static str,
    client_secret: &'static str,
    instance_domain: &'static str,
    scope: &'static str,
}

impl Default for EnvNames {
    fn default() -> Self {
        EnvNames {
            client_id: kit::env::CLIENT_ID,
            client_secret: kit::env::CLIENT_SECRET,
            instance_domain: kit::env::INSTANCE_DOMAIN,
            scope: kit::env::SCOPE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_str(template: &str, data: Json) -> String {
        registry().render_template(template, &data).unwrap()
    }

    #[test]
    fn nothing_is_html_escaped() {
        let data = serde_json::json!({"v": "<a href=\"x\">&'</a>"});
        assert_eq!(render_str("{{v}}", data.clone()), "<a href=\"x\">&'</a>");
        assert_eq!(render_str("{{json v}}", data), r#""<a href=\"x\">&'</a>""#);
    }

    #[test]
    fn strict_mode_rejects_a_missing_field() {
        assert!(registry()
            .render_template("{{nope}}", &serde_json::json!({}))
            .is_err());
    }

    #[test]
    fn sh_quotes_words_and_joins_expansions() {
        assert_eq!(
            render_str("{{sh v}}", serde_json::json!({"v": "it's"})),
            r"'it'\''s'"
        );
        assert_eq!(
            render_str("{{sh v}}", serde_json::json!({"v": "plain"})),
            "'plain'"
        );
        let word =
            serde_json::json!({"v": [{"lit": "https://"}, {"var": "domain"}, {"lit": "/x?a=1"}]});
        assert_eq!(
            render_str("{{sh v}}", word),
            r#"'https://'"${domain}"'/x?a=1'"#
        );
    }

    #[test]
    fn md_code_fences_backticks_and_escapes_pipes() {
        assert_eq!(md_code("a|b"), r"`a\|b`");
        assert_eq!(md_code("x `y` z"), "``x `y` z``");
        assert_eq!(md_code("`y`"), "`` `y` ``");
    }

    // Found by the Markdown property test: a filter value of one space read
    // back as three, since all-space code spans are not stripped.
    #[test]
    fn md_code_keeps_an_all_space_value() {
        assert_eq!(md_code(" "), "` `");
        assert_eq!(md_code(" a "), "`  a  `");
    }
}
