//! The handlebars registry: every template, embedded; strict mode; no HTML
//! escaping; one helper per output syntax, so a value reaches output only
//! through its escaper (a test holds every template to that).

use std::cell::RefCell;

use handlebars::{
    no_escape, Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext,
    RenderErrorReason, Template,
};
use serde::Serialize;
use serde_json::Value as Json;

use super::escape;
use crate::Error;

/// Templates, embedded so the binary needs no files at run time.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "postman_collection",
        include_str!("../../templates/postman_collection.json.hbs"),
    ),
    (
        "postman_item",
        include_str!("../../templates/postman_item.json.hbs"),
    ),
    (
        "postman_url",
        include_str!("../../templates/postman_url.json.hbs"),
    ),
    (
        "postman_script",
        include_str!("../../templates/postman_script.json.hbs"),
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
        "postman_environment_check",
        include_str!("../../templates/postman_environment_check.js.hbs"),
    ),
    (
        "postman_store_token",
        include_str!("../../templates/postman_store_token.js.hbs"),
    ),
    (
        "postman_flow_prerequest",
        include_str!("../../templates/postman_flow_prerequest.js.hbs"),
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
    (
        "check_consent",
        include_str!("../../templates/check_consent.sh.hbs"),
    ),
    (
        "check_urlencode",
        include_str!("../../templates/check_urlencode.sh.hbs"),
    ),
    (
        "check_inputs",
        include_str!("../../templates/check_inputs.sh.hbs"),
    ),
    (
        "check_use_cases",
        include_str!("../../templates/check_use_cases.sh.hbs"),
    ),
    (
        "check_step",
        include_str!("../../templates/check_step.sh.hbs"),
    ),
    ("sheet_md", include_str!("../../templates/sheet.md.hbs")),
    (
        "sheet_action",
        include_str!("../../templates/sheet_action.md.hbs"),
    ),
    (
        "sheet_compound",
        include_str!("../../templates/sheet_compound.md.hbs"),
    ),
    ("sheet_json", include_str!("../../templates/sheet.json.hbs")),
    (
        "compound_action",
        include_str!("../../templates/compound_action.yaml.hbs"),
    ),
    (
        "check_consent_head",
        include_str!("../../templates/check_consent_head.sh.hbs"),
    ),
    (
        "check_capture",
        include_str!("../../templates/check_capture.sh.hbs"),
    ),
    (
        "postman_description_consent",
        include_str!("../../templates/postman_description_consent.md.hbs"),
    ),
    (
        "postman_capture",
        include_str!("../../templates/postman_capture.js.hbs"),
    ),
    (
        "sheet_client",
        include_str!("../../templates/sheet_client.md.hbs"),
    ),
    (
        "sheet_consent_test",
        include_str!("../../templates/sheet_consent_test.md.hbs"),
    ),
    (
        "readme_consent_client",
        include_str!("../../templates/readme_consent_client.md.hbs"),
    ),
    (
        "readme_consent_verify",
        include_str!("../../templates/readme_consent_verify.md.hbs"),
    ),
    (
        "readme_consent_postman",
        include_str!("../../templates/readme_consent_postman.md.hbs"),
    ),
    (
        "readme_use_cases",
        include_str!("../../templates/readme_use_cases.md.hbs"),
    ),
    (
        "sheet_json_use_cases",
        include_str!("../../templates/sheet_json_use_cases.json.hbs"),
    ),
    (
        "sheet_action_args",
        include_str!("../../templates/sheet_action_args.md.hbs"),
    ),
    (
        "curl_consent_head",
        include_str!("../../templates/curl_consent_head.hbs"),
    ),
    (
        "check_pkce_credentials",
        include_str!("../../templates/check_pkce_credentials.sh.hbs"),
    ),
    (
        "sheet_consent_save",
        include_str!("../../templates/sheet_consent_save.md.hbs"),
    ),
    (
        "postman_refresh_comment",
        include_str!("../../templates/postman_refresh_comment.js.hbs"),
    ),
    (
        "postman_store_refresh",
        include_str!("../../templates/postman_store_refresh.js.hbs"),
    ),
    (
        "postman_refresh_test",
        include_str!("../../templates/postman_refresh_test.js.hbs"),
    ),
    (
        "check_store_refresh",
        include_str!("../../templates/check_store_refresh.sh.hbs"),
    ),
    (
        "check_env_or",
        include_str!("../../templates/check_env_or.sh.hbs"),
    ),
    (
        "check_request",
        include_str!("../../templates/check_request.sh.hbs"),
    ),
    (
        "postman_refresh_guard",
        include_str!("../../templates/postman_refresh_guard.js.hbs"),
    ),
    (
        "sheet_consent_connector",
        include_str!("../../templates/sheet_consent_connector.md.hbs"),
    ),
    (
        "sheet_use_cases",
        include_str!("../../templates/sheet_use_cases.md.hbs"),
    ),
    (
        "bruno_request",
        include_str!("../../templates/bruno_request.bru.hbs"),
    ),
    (
        "bruno_folder",
        include_str!("../../templates/bruno_folder.bru.hbs"),
    ),
    (
        "bruno_environment",
        include_str!("../../templates/bruno_environment.bru.hbs"),
    ),
    (
        "bruno_collection",
        include_str!("../../templates/bruno_collection.bru.hbs"),
    ),
    ("http_file", include_str!("../../templates/coupa.http.hbs")),
    (
        "http_request",
        include_str!("../../templates/http_request.http.hbs"),
    ),
    (
        "bundle_readme",
        include_str!("../../templates/bundle_readme.md.hbs"),
    ),
];

/// An escaper: the text of a value in one output syntax, or what is wrong.
type Escaper = fn(&Json) -> Result<String, String>;

/// The escaping helpers, by the name templates call them. The registry
/// registers exactly these, and the escaping test accepts exactly these.
pub const HELPERS: &[(&str, Escaper)] = &[
    ("json", json_value),
    ("sh", sh_word),
    ("md", |v| Ok(escape::md_cell_code(&text(v)))),
    ("code", |v| Ok(escape::code_span(&text(v)))),
    ("line", |v| Ok(escape::one_line(&text(v)))),
    ("yaml", |v| Ok(escape::yaml_scalar(&text(v)))),
    ("bru", |v| Ok(escape::one_line(&text(v)))),
    ("http", |v| Ok(escape::one_line(&text(v)))),
    ("js", |v| match v {
        Json::Object(_) => Err("a JavaScript literal is a string, number or list".into()),
        v => Ok(escape::js_literal(v)),
    }),
];

thread_local! {
    /// The thread's registry. It starts with the helpers and no template:
    /// compiling is most of a run's time, so each template is compiled the
    /// first time a render needs it, and a command pays only for the ones it
    /// uses. One a thread, so that formats render on threads of their own.
    static REGISTRY: RefCell<Handlebars<'static>> = RefCell::new(empty_registry());
}

/// Strict, never HTML-escaping, with every escaping helper.
fn empty_registry() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(no_escape);
    for (name, escaper) in HELPERS {
        hb.register_helper(name, helper(name, *escaper));
    }
    hb
}

/// Every template compiled at once: what the tests use to prove each one
/// compiles, and what the benchmark compares the on-demand cost with.
pub fn build_registry() -> Handlebars<'static> {
    let mut hb = empty_registry();
    for (name, _) in TEMPLATES {
        compile_one(&mut hb, name);
    }
    hb
}

pub fn render(name: &str, view: &impl Serialize) -> Result<String, Error> {
    REGISTRY.with(|hb| render_in(&mut hb.borrow_mut(), name, view))
}

/// Compiles `names`, and the partials every render of them reaches, before
/// any render needs them, on every core: compiling is most of a run's time,
/// and templates compile independently of each other.
pub fn prepare(names: &[&str]) {
    let mut wanted: Vec<(&'static str, &'static str)> = Vec::new();
    let mut todo: Vec<&str> = names.to_vec();
    while let Some(next) = todo.pop() {
        let Some(&(name, text)) = TEMPLATES.iter().find(|(n, _)| *n == next) else {
            continue;
        };
        if !wanted.iter().any(|(n, _)| *n == name) {
            wanted.push((name, text));
            todo.extend(sure_partials(text));
        }
    }
    REGISTRY.with(|hb| {
        let hb = hb.borrow();
        wanted.retain(|(n, _)| !hb.has_template(n));
    });
    if wanted.is_empty() {
        return;
    }
    // Longest first, each to the least loaded thread.
    wanted.sort_by_key(|(_, text)| std::cmp::Reverse(text.len()));
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(wanted.len());
    let mut shares: Vec<(usize, Vec<(&str, &str)>)> = vec![(0, Vec::new()); threads];
    for (name, text) in wanted {
        let least = shares
            .iter_mut()
            .min_by_key(|(load, _)| *load)
            .expect("a thread");
        least.0 += text.len();
        least.1.push((name, text));
    }
    let compiled: Vec<(&str, Template)> = std::thread::scope(|scope| {
        let mut shares = shares.into_iter();
        let own = shares.next().map(|(_, share)| share).unwrap_or_default();
        let others: Vec<_> = shares
            .map(|(_, share)| scope.spawn(move || compile_all(&share)))
            .collect();
        let mut all = compile_all(&own);
        for handle in others {
            all.extend(handle.join().expect("a template compiles"));
        }
        all
    });
    REGISTRY.with(|hb| {
        let mut hb = hb.borrow_mut();
        for (name, template) in compiled {
            hb.register_template(name, template);
        }
    });
}

fn compile_all<'t>(share: &[(&'t str, &str)]) -> Vec<(&'t str, Template)> {
    share
        .iter()
        .map(|(name, text)| {
            let template = Template::compile_with_name(text, (*name).to_string())
                .unwrap_or_else(|e| panic!("template {name}: {e}"));
            (*name, template)
        })
        .collect()
}

/// Renders `name` with `hb`, compiling it and then each partial the render
/// reaches, the first time.
fn render_in(
    hb: &mut Handlebars<'static>,
    name: &str,
    view: &impl Serialize,
) -> Result<String, Error> {
    compile_one(hb, name);
    // The partials behind an `if` are compiled when a render first reaches
    // one: a kit without user consent or use cases never pays for theirs.
    // Then every partial the template names comes along, so a render
    // starts again at most once.
    loop {
        match hb.render(name, view) {
            Err(e) => match e.reason() {
                RenderErrorReason::PartialNotFound(partial) if is_template(partial) => {
                    let partial = partial.clone();
                    compile_one(hb, &partial);
                    compile_all_named(hb, name);
                }
                _ => return Err(Error::Failed(format!("rendering {name}: {e}"))),
            },
            Ok(text) => return Ok(text),
        }
    }
}

/// Compiles every partial `name` names, behind an `if` or not, and theirs.
fn compile_all_named(hb: &mut Handlebars<'static>, name: &str) {
    let mut todo = vec![name];
    let mut seen: Vec<&str> = Vec::new();
    while let Some(next) = todo.pop() {
        let Some((_, text)) = TEMPLATES.iter().find(|(n, _)| *n == next) else {
            continue;
        };
        for partial in named_partials(text) {
            if is_template(partial) && !seen.contains(&partial) {
                seen.push(partial);
                compile_one(hb, partial);
                todo.push(partial);
            }
        }
    }
}

/// Every partial `text` includes by name, `{{> name ...}}`.
fn named_partials(text: &str) -> impl Iterator<Item = &str> {
    partials(text).into_iter().map(|(name, _)| name)
}

fn is_template(name: &str) -> bool {
    TEMPLATES.iter().any(|(n, _)| *n == name)
}

/// Compiles `name` alone, once.
fn compile_one(hb: &mut Handlebars<'static>, name: &str) {
    if hb.has_template(name) {
        return;
    }
    let text = TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .unwrap_or_else(|| panic!("no template {name}"));
    // Templates are compiled into the binary; a bad one is a build bug that
    // every test run catches (`build_registry` compiles them all).
    hb.register_template_string(name, text)
        .unwrap_or_else(|e| panic!("template {name}: {e}"));
    // The partials every render of it reaches come along now; those behind
    // an `if` wait until a render reaches them.
    for partial in sure_partials(text) {
        if is_template(partial) {
            compile_one(hb, partial);
        }
    }
}

/// The partials `text` includes outside any `{{#if}}` or `{{#unless}}`
/// (a loop's body counts as reached).
fn sure_partials(text: &str) -> Vec<&str> {
    partials(text)
        .into_iter()
        .filter(|(_, behind_if)| !behind_if)
        .map(|(name, _)| name)
        .collect()
}

/// Each partial `text` includes, once, and whether every include of it
/// stands behind an `{{#if}}` or `{{#unless}}`.
fn partials(text: &str) -> Vec<(&str, bool)> {
    let mut out: Vec<(&str, bool)> = Vec::new();
    let mut open: Vec<bool> = Vec::new(); // each open block: is it conditional?
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = rest[start + 2..].trim_start_matches('~');
        let end = after.find("}}").unwrap_or(after.len());
        let tag = &after[..end];
        if let Some(block) = tag.strip_prefix('#') {
            let helper = block.split_whitespace().next().unwrap_or_default();
            open.push(matches!(helper, "if" | "unless"));
        } else if tag.starts_with('/') {
            open.pop();
        } else if let Some(call) = tag.strip_prefix('>') {
            let name = call.split_whitespace().next().unwrap_or_default();
            let behind_if = open.contains(&true);
            match out.iter_mut().find(|(n, _)| *n == name) {
                Some(seen) => seen.1 &= behind_if,
                None => out.push((name, behind_if)),
            }
        }
        rest = &after[end.min(after.len())..];
    }
    out
}

/// JSON output is parsed back before it leaves, so a template bug is an
/// error, not a broken file; re-indenting it frees the templates' layout.
pub fn render_json(name: &str, view: &impl Serialize) -> Result<String, Error> {
    let text = render(name, view)?;
    // Streamed, token by token: no tree of the whole document in memory.
    let mut pretty = Vec::with_capacity(text.len() * 2);
    let mut from = serde_json::Deserializer::from_str(&text);
    serde_transcode::transcode(&mut from, &mut serde_json::Serializer::pretty(&mut pretty))
        .and_then(|()| from.end())
        .map_err(|e| Error::Failed(format!("{name} rendered invalid JSON ({e}); this is a bug")))?;
    pretty.push(b'\n');
    String::from_utf8(pretty).map_err(|e| Error::Failed(format!("{name}: {e}")))
}

/// A helper that writes `f(first parameter)`; `f` says what is wrong, if anything.
fn helper(name: &'static str, f: Escaper) -> Box<dyn HelperDef + Send + Sync> {
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
        Json::String(s) => Ok(escape::quote(s)),
        Json::Array(parts) => parts
            .iter()
            .map(|p| match p.as_object().and_then(|o| o.iter().next()) {
                Some((kind, Json::String(l))) if kind == "lit" => Ok(escape::quote(l)),
                Some((kind, Json::String(v))) if kind == "var" => Ok(format!("\"${{{v}}}\"")),
                // The script defines `urlencode`.
                Some((kind, Json::String(v))) if kind == "encoded" => {
                    Ok(format!("\"$(urlencode \"${{{v}}}\")\""))
                }
                // bash's process substitution: a path whose content is the
                // value, through a pipe; printf is a builtin, so no process
                // listing shows the value.
                Some((kind, Json::String(v))) if kind == "pipe" => {
                    Ok(format!("<(printf '%s' \"${{{v}}}\")"))
                }
                _ => Err(format!("bad word part {p}")),
            })
            .collect(),
        other => Err(format!("not a word: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_str(template: &str, data: Json) -> String {
        empty_registry().render_template(template, &data).unwrap()
    }

    #[test]
    fn a_partial_is_compiled_only_when_a_render_reaches_it() {
        let mut hb = empty_registry();
        hb.register_template_string("outer", "[{{#if yes}}{{> postman_store_token}}{{/if}}]")
            .unwrap();
        let no = serde_json::json!({"yes": false});
        assert_eq!(render_in(&mut hb, "outer", &no).unwrap(), "[]");
        assert!(
            !hb.has_template("postman_store_token"),
            "not reached, not compiled"
        );
        let yes = serde_json::json!({
            "yes": true, "token_var": "t", "access_token_field": "a",
            "expiry_var": "e", "expires_in_field": "x", "refresh_var": null,
        });
        let text = render_in(&mut hb, "outer", &yes).unwrap();
        assert!(text.contains("function storeToken(body)"), "{text}");
        assert!(hb.has_template("postman_store_token"));
    }

    #[test]
    fn only_the_partials_outside_an_if_are_sure() {
        let text = "{{> a}}{{#each x}}{{> b}}{{/each}}{{#if y}}{{> c}}{{else}}{{> d}}{{/if}}{{#unless z}}{{#each w}}{{> e}}{{/each}}{{/unless}}{{> f x=1}}";
        assert_eq!(sure_partials(text), ["a", "b", "f"]);
        assert_eq!(
            named_partials(text).collect::<Vec<_>>(),
            ["a", "b", "c", "d", "e", "f"]
        );
    }

    #[test]
    fn nothing_is_html_escaped() {
        let data = serde_json::json!({"v": "<a href=\"x\">&'</a>"});
        assert_eq!(render_str("{{v}}", data.clone()), "<a href=\"x\">&'</a>");
        assert_eq!(render_str("{{json v}}", data), r#""<a href=\"x\">&'</a>""#);
    }

    #[test]
    fn strict_mode_rejects_a_missing_field() {
        assert!(empty_registry()
            .render_template("{{nope}}", &serde_json::json!({}))
            .is_err());
    }

    #[test]
    fn sh_quotes_words_and_joins_expansions() {
        assert_eq!(
            render_str("{{sh v}}", serde_json::json!({"v": "it's"})),
            r"'it'\''s'"
        );
        let word =
            serde_json::json!({"v": [{"lit": "https://"}, {"var": "domain"}, {"lit": "/x?a=1"}]});
        assert_eq!(
            render_str("{{sh v}}", word),
            r#"'https://'"${domain}"'/x?a=1'"#
        );
    }
}
