//! The handlebars registry: every template, compiled at build time; strict
//! mode; no HTML escaping; one helper per output syntax, so a value reaches
//! output only through its escaper (a test holds every template to that).

use std::borrow::Cow;
use std::cell::RefCell;

use handlebars::{
    no_escape, Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext,
    RenderErrorReason,
};
use serde::Serialize;
use serde_json::Value as Json;

use super::compiled::{compiled, partial_calls, TEMPLATES};
use super::escape;
use crate::Error;

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
    /// each template is built (from what build.rs compiled) the first time a
    /// render needs it, so a command pays only for the ones it uses. One a
    /// thread, so that formats render on threads of their own.
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

/// Every template at once: what the tests use to prove each one is there,
/// and what the benchmark compares the on-demand cost with.
pub fn build_registry() -> Handlebars<'static> {
    let mut hb = empty_registry();
    for (name, _) in TEMPLATES {
        add_template(&mut hb, name);
    }
    hb
}

/// The view as templates read it: made once, from the view itself (given
/// by value, it is gone before the render starts). handlebars would copy a
/// borrowed view into a tree of its own on every render; a kit's largest
/// views are hundreds of KiB.
pub fn context(view: impl Serialize) -> Result<Context, Error> {
    serde_json::to_value(view)
        .map(Context::from)
        .map_err(|e| Error::Failed(format!("a view did not serialize ({e}); this is a bug")))
}

pub fn render(name: &str, context: &Context) -> Result<String, Error> {
    let mut text = REGISTRY.with(|hb| render_in(&mut hb.borrow_mut(), name, context))?;
    // handlebars writes into an 8 KiB buffer at least; a kit keeps every
    // file's text until it is written, and Bruno's are a few hundred bytes.
    text.shrink_to_fit();
    Ok(text)
}

/// Renders `name` with `hb`, adding it and then each partial the render
/// reaches, the first time.
fn render_in(hb: &mut Handlebars<'static>, name: &str, context: &Context) -> Result<String, Error> {
    add_template(hb, name);
    // The partials behind an `if` are added when a render first reaches
    // one: a kit without user consent or use cases never pays for theirs.
    // Then every partial the template names comes along, so a render
    // starts again at most once.
    loop {
        match hb.render_with_context(name, context) {
            Err(e) => match e.reason() {
                RenderErrorReason::PartialNotFound(partial) if is_template(partial) => {
                    let partial = partial.clone();
                    add_template(hb, &partial);
                    add_all_named(hb, name);
                }
                _ => return Err(Error::Failed(format!("rendering {name}: {e}"))),
            },
            Ok(text) => return Ok(text),
        }
    }
}

/// Adds every partial `name` calls, behind an `if` or not, and theirs.
fn add_all_named(hb: &mut Handlebars<'static>, name: &str) {
    let mut todo = vec![name];
    let mut seen: Vec<&str> = Vec::new();
    while let Some(next) = todo.pop() {
        for (partial, _) in partial_calls(next) {
            if is_template(partial) && !seen.contains(&partial) {
                seen.push(partial);
                add_template(hb, partial);
                todo.push(partial);
            }
        }
    }
}

fn is_template(name: &str) -> bool {
    TEMPLATES.iter().any(|(n, _)| *n == name)
}

/// Adds `name` and the partials it surely reaches, once.
fn add_template(hb: &mut Handlebars<'static>, name: &str) {
    if hb.has_template(name) {
        return;
    }
    // build.rs compiled it; a bad template fails the build.
    let template = compiled(name).unwrap_or_else(|| panic!("no template {name}"));
    hb.register_template(name, template);
    // The partials every render of it reaches come along now; those behind
    // an `if` wait until a render reaches them.
    for (partial, behind_if) in partial_calls(name) {
        if !behind_if && is_template(partial) {
            add_template(hb, partial);
        }
    }
}

/// JSON output is parsed back before it leaves, so a template bug is an
/// error, not a broken file; re-indenting it frees the templates' layout.
/// The context is the last render's: it is gone before the re-indent.
pub fn render_json(name: &str, context: Context) -> Result<String, Error> {
    let text = render(name, &context)?;
    drop(context);
    // Streamed, token by token: no tree of the whole document in memory.
    let mut pretty = Vec::with_capacity(text.len() * 2);
    let mut from = serde_json::Deserializer::from_str(&text);
    serde_transcode::transcode(&mut from, &mut serde_json::Serializer::pretty(&mut pretty))
        .and_then(|()| from.end())
        .map_err(|e| Error::Failed(format!("{name} rendered invalid JSON ({e}); this is a bug")))?;
    pretty.push(b'\n');
    pretty.shrink_to_fit();
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

/// A string as itself (borrowed: helpers run for every value written),
/// anything else as its JSON text.
fn text(v: &Json) -> Cow<'_, str> {
    match v {
        Json::String(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.to_string()),
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
    fn a_partial_is_added_only_when_a_render_reaches_it() {
        let mut hb = empty_registry();
        hb.register_template_string("outer", "[{{#if yes}}{{> postman_store_token}}{{/if}}]")
            .unwrap();
        let no = context(serde_json::json!({"yes": false})).unwrap();
        assert_eq!(render_in(&mut hb, "outer", &no).unwrap(), "[]");
        assert!(
            !hb.has_template("postman_store_token"),
            "not reached, not added"
        );
        let yes = context(serde_json::json!({
            "yes": true, "token_var": "t", "access_token_field": "a",
            "expiry_var": "e", "expires_in_field": "x", "refresh_var": null,
        }))
        .unwrap();
        let text = render_in(&mut hb, "outer", &yes).unwrap();
        assert!(text.contains("function storeToken(body)"), "{text}");
        assert!(hb.has_template("postman_store_token"));
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
