//! The handlebars registry: every template, embedded; strict mode; no HTML
//! escaping; one helper per output syntax, so a value reaches output only
//! through its escaper (a test holds every template to that).

use std::sync::{Mutex, OnceLock};

use handlebars::{
    no_escape, Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext,
    RenderErrorReason,
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
];

/// The process's registry. It starts with the helpers and no template:
/// compiling is most of a run's time, so each template is compiled the first
/// time a render needs it, and a command pays only for the ones it uses.
fn registry() -> &'static Mutex<Handlebars<'static>> {
    static REGISTRY: OnceLock<Mutex<Handlebars<'static>>> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(empty_registry()))
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
        compile(&mut hb, name);
    }
    hb
}

/// Compiles `name` and the partials it names (`{{> other}}`), once each.
fn compile(hb: &mut Handlebars<'static>, name: &str) {
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
    for partial in partials(text) {
        compile(hb, partial);
    }
}

/// The templates `text` includes as partials, `{{> name ...}}`, leaving out
/// inline partials it defines itself (`{{#*inline "name"}}`).
fn partials(text: &str) -> impl Iterator<Item = &str> {
    text.split("{{>").skip(1).filter_map(move |rest| {
        let name = rest.split_whitespace().next()?.trim_end_matches("}}");
        let inline = format!("{{{{#*inline \"{name}\"}}}}");
        (!text.contains(&inline)).then_some(name)
    })
}

pub fn render(name: &str, view: &impl Serialize) -> Result<String, Error> {
    // A poisoned lock only means another render panicked; the registry
    // itself is still whole.
    let mut hb = registry().lock().unwrap_or_else(|e| e.into_inner());
    compile(&mut hb, name);
    hb.render(name, view)
        .map_err(|e| Error::Failed(format!("rendering {name}: {e}")))
}

/// JSON output is parsed back before it leaves, so a template bug is an
/// error, not a broken file; re-indenting it frees the templates' layout.
pub fn render_json(name: &str, view: &impl Serialize) -> Result<String, Error> {
    let text = render(name, view)?;
    let value = serde_json::from_str::<Json>(&text)
        .map_err(|e| Error::Failed(format!("{name} rendered invalid JSON ({e}); this is a bug")))?;
    let mut pretty =
        serde_json::to_string_pretty(&value).map_err(|e| Error::Failed(format!("{name}: {e}")))?;
    pretty.push('\n');
    Ok(pretty)
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
    fn a_template_brings_the_partials_it_names_and_no_inline_ones() {
        let text =
            "{{#*inline \"url\"}}x{{/inline}}{{> url}} {{> postman_store_token}}{{> item this}}";
        assert_eq!(
            partials(text).collect::<Vec<_>>(),
            ["postman_store_token", "item"]
        );
        let mut hb = empty_registry();
        compile(&mut hb, "postman_token_test");
        assert!(
            hb.has_template("postman_store_token"),
            "its partial came along"
        );
        assert!(
            !hb.has_template("check_script"),
            "nothing else was compiled"
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
