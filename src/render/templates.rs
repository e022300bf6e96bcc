//! The handlebars registry: every template's text, compiled by handlebars
//! the first time a render needs it (in sections, see [`sections`]);
//! strict mode; no HTML escaping; escaping helpers named for their output
//! syntax (a line, a block of lines), so a value reaches output only
//! through its escaper (a test holds every template to that).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{LazyLock, PoisonError, RwLock, RwLockReadGuard};

use handlebars::{
    no_escape, Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext,
    RenderErrorReason, Template,
};
use serde::Serialize;
use serde_json::Value as Json;

use super::escape;
use super::sections::sections;
use crate::Error;

/// Every template: the name renders and partials call it by, and its text
/// (the file under `templates/`).
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "postman_collection",
        include_str!("../../templates/postman_collection.json.hbs"),
    ),
    (
        "postman_folder",
        include_str!("../../templates/postman_folder.json.hbs"),
    ),
    (
        "postman_folder_end",
        include_str!("../../templates/postman_folder_end.json.hbs"),
    ),
    (
        "postman_item",
        include_str!("../../templates/postman_item.json.hbs"),
    ),
    (
        "postman_collection_end",
        include_str!("../../templates/postman_collection_end.json.hbs"),
    ),
    (
        "postman_description",
        include_str!("../../templates/postman_description.md.hbs"),
    ),
    (
        "postman_description_consent",
        include_str!("../../templates/postman_description_consent.md.hbs"),
    ),
    (
        "postman_description_instance",
        include_str!("../../templates/postman_description_instance.md.hbs"),
    ),
    (
        "postman_description_instances",
        include_str!("../../templates/postman_description_instances.md.hbs"),
    ),
    (
        "postman_description_scopes",
        include_str!("../../templates/postman_description_scopes.md.hbs"),
    ),
    (
        "curl_command",
        include_str!("../../templates/curl_command.hbs"),
    ),
    ("curl", include_str!("../../templates/requests.curl.hbs")),
    (
        "curl_consent",
        include_str!("../../templates/requests_consent.curl.hbs"),
    ),
    (
        "curl_request",
        include_str!("../../templates/curl_request.hbs"),
    ),
    (
        "check_head",
        include_str!("../../templates/check_head.sh.hbs"),
    ),
    (
        "check_consent_head",
        include_str!("../../templates/check_consent_head.sh.hbs"),
    ),
    (
        "check_pkce_credentials",
        include_str!("../../templates/check_pkce_credentials.sh.hbs"),
    ),
    (
        "check_consent",
        include_str!("../../templates/check_consent.sh.hbs"),
    ),
    (
        "check_setup",
        include_str!("../../templates/check_setup.sh.hbs"),
    ),
    (
        "check_instance",
        include_str!("../../templates/check_instance.sh.hbs"),
    ),
    (
        "check_credentials",
        include_str!("../../templates/check_credentials.sh.hbs"),
    ),
    (
        "check_target",
        include_str!("../../templates/check_target.sh.hbs"),
    ),
    (
        "check_inputs",
        include_str!("../../templates/check_inputs.sh.hbs"),
    ),
    (
        "check_requests",
        include_str!("../../templates/check_requests.sh.hbs"),
    ),
    (
        "check_tail",
        include_str!("../../templates/check_tail.sh.hbs"),
    ),
    (
        "check_urlencode",
        include_str!("../../templates/check_urlencode.sh.hbs"),
    ),
    (
        "check_step",
        include_str!("../../templates/check_step.sh.hbs"),
    ),
    (
        "check_captures",
        include_str!("../../templates/check_captures.sh.hbs"),
    ),
    (
        "check_token_step",
        include_str!("../../templates/check_token_step.sh.hbs"),
    ),
    (
        "check_request",
        include_str!("../../templates/check_request.sh.hbs"),
    ),
    (
        "check_use_cases",
        include_str!("../../templates/check_use_cases.sh.hbs"),
    ),
    (
        "check_use_case",
        include_str!("../../templates/check_use_case.sh.hbs"),
    ),
    (
        "check_use_cases_end",
        include_str!("../../templates/check_use_cases_end.sh.hbs"),
    ),
    (
        "check_done",
        include_str!("../../templates/check_done.sh.hbs"),
    ),
    (
        "sheet_head",
        include_str!("../../templates/sheet_head.md.hbs"),
    ),
    (
        "sheet_consent_head",
        include_str!("../../templates/sheet_consent_head.md.hbs"),
    ),
    (
        "sheet_connector",
        include_str!("../../templates/sheet_connector.md.hbs"),
    ),
    (
        "sheet_instances",
        include_str!("../../templates/sheet_instances.md.hbs"),
    ),
    (
        "sheet_save",
        include_str!("../../templates/sheet_save.md.hbs"),
    ),
    (
        "sheet_consent_save",
        include_str!("../../templates/sheet_consent_save.md.hbs"),
    ),
    (
        "sheet_use_case",
        include_str!("../../templates/sheet_use_case.md.hbs"),
    ),
    (
        "sheet_test",
        include_str!("../../templates/sheet_test.md.hbs"),
    ),
    (
        "sheet_consent_test",
        include_str!("../../templates/sheet_consent_test.md.hbs"),
    ),
    (
        "sheet_mcp",
        include_str!("../../templates/sheet_mcp.md.hbs"),
    ),
    (
        "sheet_mcp_writes",
        include_str!("../../templates/sheet_mcp_writes.md.hbs"),
    ),
    (
        "sheet_action",
        include_str!("../../templates/sheet_action.md.hbs"),
    ),
    (
        "sheet_action_inputs",
        include_str!("../../templates/sheet_action_inputs.md.hbs"),
    ),
    (
        "sheet_action_import",
        include_str!("../../templates/sheet_action_import.md.hbs"),
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
    (
        "http_head",
        include_str!("../../templates/http_head.http.hbs"),
    ),
    (
        "http_consent",
        include_str!("../../templates/http_consent.http.hbs"),
    ),
    (
        "http_use_cases",
        include_str!("../../templates/http_use_cases.http.hbs"),
    ),
    (
        "http_request",
        include_str!("../../templates/http_request.http.hbs"),
    ),
    (
        "readme_head",
        include_str!("../../templates/readme_head.md.hbs"),
    ),
    (
        "readme_step1",
        include_str!("../../templates/readme_step1.md.hbs"),
    ),
    (
        "readme_consent_step1",
        include_str!("../../templates/readme_consent_step1.md.hbs"),
    ),
    (
        "readme_verify",
        include_str!("../../templates/readme_verify.md.hbs"),
    ),
    (
        "readme_verify_consent",
        include_str!("../../templates/readme_verify_consent.md.hbs"),
    ),
    (
        "readme_verify_config",
        include_str!("../../templates/readme_verify_config.md.hbs"),
    ),
    (
        "readme_postman",
        include_str!("../../templates/readme_postman.md.hbs"),
    ),
    (
        "readme_consent_postman",
        include_str!("../../templates/readme_consent_postman.md.hbs"),
    ),
    (
        "readme_agent_studio",
        include_str!("../../templates/readme_agent_studio.md.hbs"),
    ),
    (
        "readme_use_cases",
        include_str!("../../templates/readme_use_cases.md.hbs"),
    ),
    (
        "readme_instances",
        include_str!("../../templates/readme_instances.md.hbs"),
    ),
    (
        "readme_schedule",
        include_str!("../../templates/readme_schedule.md.hbs"),
    ),
];

/// An escaper: the text of a value in one output syntax (borrowed where it
/// is the value's own), or what is wrong.
type Escaper = fn(&Json) -> Result<Cow<'_, str>, String>;

/// The escaping helpers, by the name templates call them. The registry
/// registers exactly these, and the escaping test accepts exactly these.
pub const HELPERS: &[(&str, Escaper)] = &[
    ("json", |v| json_value(v).map(Cow::Owned)),
    ("sh", |v| sh_word(v).map(Cow::Owned)),
    ("md", |v| Ok(escape::md_cell_code(&text(v)).into())),
    ("code", |v| Ok(escape::code_span(&text(v)).into())),
    ("line", |v| Ok(line_text(v))),
    ("bru", |v| Ok(line_text(v))),
    ("http", |v| Ok(line_text(v))),
    ("bru_block", |v| block_lines(v).map(Cow::Owned)),
    ("http_block", |v| block_lines(v).map(Cow::Owned)),
];

/// The process's registry. It starts with the helpers and no template:
/// each template (with the partials it names) is compiled the first time a
/// render needs it, so a command pays only for the ones it uses. Renders
/// share it: formats render on threads of their own.
static REGISTRY: LazyLock<RwLock<Registry>> = LazyLock::new(|| {
    RwLock::new(Registry {
        handlebars: empty_registry(),
        sections: HashMap::new(),
    })
});

struct Registry {
    /// Partials whole, under their names; rendered templates in sections.
    handlebars: Handlebars<'static>,
    /// For each template a render has asked for, its sections in order.
    sections: HashMap<&'static str, Vec<Part>>,
}

/// A section of a rendered template.
enum Part {
    /// Compiled: the name it is registered under, the line it starts on.
    Compiled(String, usize),
    /// Text with no tag at all, which handlebars would write as it stands
    /// (a unit test holds every such section of every template to that):
    /// written without compiling, since handlebars' parser costs a few
    /// hundred instructions a character even where there is no tag.
    Text(&'static str),
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

/// Every template at once, or each one that does not compile, by name:
/// what the tests use to prove every template is sound, and what the
/// benchmark compares the on-demand cost with.
pub fn build_registry() -> Result<Handlebars<'static>, Vec<String>> {
    compile_all(TEMPLATES)
}

fn compile_all(templates: &[(&str, &str)]) -> Result<Handlebars<'static>, Vec<String>> {
    let mut hb = empty_registry();
    let broken: Vec<String> = templates
        .iter()
        .filter_map(|(name, text)| match compile(name, text) {
            Ok(template) => {
                hb.register_template(name, template);
                None
            }
            Err(e) => Some(format!("{name}: {e}")),
        })
        .collect();
    if broken.is_empty() {
        Ok(hb)
    } else {
        Err(broken)
    }
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
    add_sections(name)?;
    let registry = registry();
    let mut text = Vec::new();
    for part in &registry.sections[name] {
        let (key, first_line) = match part {
            Part::Text(fixed) => {
                text.extend_from_slice(fixed.as_bytes());
                continue;
            }
            Part::Compiled(key, first_line) => (key, first_line),
        };
        registry
            .handlebars
            .render_with_context_to_write(key, context, &mut text)
            .map_err(|mut e| {
                // The line in the template's file, not in its section.
                e.line_no = e.line_no.map(|line| line + first_line - 1);
                e.template_name = Some(name.to_owned());
                Error::Failed(format!("rendering {name}: {e}"))
            })?;
    }
    // A kit keeps every file's text until it is written.
    text.shrink_to_fit();
    String::from_utf8(text).map_err(|e| {
        Error::Failed(format!(
            "{name} rendered invalid UTF-8 ({e}); this is a bug"
        ))
    })
}

fn registry() -> RwLockReadGuard<'static, Registry> {
    REGISTRY.read().unwrap_or_else(PoisonError::into_inner)
}

/// Compiles the sections of the template `name` into the registry, once,
/// after every partial its text names (a section with no tag is kept as
/// its text). Each compiled section is registered under
/// `name#N`, or a template of one section under `name` itself (as a
/// partial is), so it is compiled once whichever way it is used.
fn add_sections(name: &str) -> Result<(), Error> {
    if registry().sections.contains_key(name) {
        return Ok(());
    }
    let (name, text) = TEMPLATES
        .iter()
        .find(|(n, _)| *n == name)
        .copied()
        .ok_or_else(|| Error::Failed(format!("no template {name}; this is a bug")))?;
    for partial in partials_named(text) {
        add(partial)?;
    }
    let parts = sections(text);
    let mut compiled = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        if !part.text.contains("{{") {
            compiled.push((Part::Text(part.text), None));
            continue;
        }
        let key = match parts.len() {
            1 => name.to_owned(),
            _ => format!("{name}#{i}"),
        };
        let template = compile(name, part.text).map_err(|e| {
            // Report the error as the whole text has it (its lines are
            // the file's); a section that fails alone is a cutting bug.
            let why = match compile(name, text) {
                Err(whole) => whole.to_string(),
                Ok(_) => format!(
                    "its section from line {} does not compile alone ({e})",
                    part.first_line
                ),
            };
            Error::Failed(format!("template {name}: {why}; this is a bug"))
        })?;
        compiled.push((Part::Compiled(key, part.first_line), Some(template)));
    }
    let mut registry = REGISTRY.write().unwrap_or_else(PoisonError::into_inner);
    let Registry {
        handlebars,
        sections,
    } = &mut *registry;
    sections.entry(name).or_insert_with(|| {
        compiled
            .into_iter()
            .map(|(part, template)| {
                if let (Part::Compiled(key, _), Some(template)) = (&part, template) {
                    if !handlebars.has_template(key) {
                        handlebars.register_template(key, template);
                    }
                }
                part
            })
            .collect()
    });
    Ok(())
}

/// Compiles `name` whole into the registry, once, after every partial its
/// text names: a template in the registry has its partials there too. The
/// compile runs outside the lock, so that formats rendering on other
/// threads compile theirs at the same time (two threads may compile one
/// template; the first registered stays).
fn add(name: &str) -> Result<(), Error> {
    add_called_from(name, &mut Vec::new())
}

/// [`add`], with the templates whose partials led here: a template that
/// calls itself, through others or not, is a bug to report, not a stack to
/// overflow.
fn add_called_from<'a>(name: &'a str, calling: &mut Vec<&'a str>) -> Result<(), Error> {
    if calling.contains(&name) {
        return Err(Error::Failed(format!(
            "template {name} calls itself (through {}); this is a bug",
            calling.join(", ")
        )));
    }
    if registry().handlebars.has_template(name) {
        return Ok(());
    }
    let text = template_text(name)
        .ok_or_else(|| Error::Failed(format!("no template {name}; this is a bug")))?;
    calling.push(name);
    for partial in partials_named(text) {
        add_called_from(partial, calling)?;
    }
    calling.pop();
    let template = compile(name, text)
        .map_err(|e| Error::Failed(format!("template {name}: {e}; this is a bug")))?;
    let mut registry = REGISTRY.write().unwrap_or_else(PoisonError::into_inner);
    if !registry.handlebars.has_template(name) {
        registry.handlebars.register_template(name, template);
    }
    Ok(())
}

/// handlebars' own compile of a template's text: the one way this crate
/// compiles one, on demand or all at once.
fn compile(name: &str, text: &str) -> Result<Template, handlebars::TemplateError> {
    Template::compile_with_name(text, name.to_owned())
}

fn template_text(name: &str) -> Option<&'static str> {
    TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The name of every partial `text` calls (`{{> name}}`, `{{~> name}}`,
/// `{{#> name}}`), as written. A call in a comment counts too, so a comment
/// names no partial that is not a template.
fn partials_named(text: &str) -> impl Iterator<Item = &str> {
    text.split("{{").skip(1).filter_map(|tag| {
        let tag = tag.strip_prefix('~').unwrap_or(tag);
        let tag = tag.strip_prefix('#').unwrap_or(tag);
        let tag = tag.strip_prefix('>')?.trim_start();
        let end = tag
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tag.len());
        Some(&tag[..end]).filter(|name| !name.is_empty())
    })
}

/// A JSON file as every format writes one: two-space indent, a newline
/// at the end. `value` is a JSON tree, or data that serializes itself a
/// part at a time (the sheet's actions), so no tree of the whole file is
/// needed.
pub fn json_file(value: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("a kit's JSON serializes");
    text.push('\n');
    text
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

/// `{{line v}}` (and `bru`, `http`): a value on one line, borrowed when it
/// is a string with no control character.
fn line_text(v: &Json) -> Cow<'_, str> {
    match text(v) {
        Cow::Borrowed(s) => escape::one_line(s),
        Cow::Owned(s) => Cow::Owned(escape::one_line(&s).into_owned()),
    }
}

/// `{{bru_block text}}` (and `http_block`): the body of a Bruno block or
/// an HTTP-file script, each of its lines as `line` writes it and indented
/// two spaces, so that no line can close the block; the last line's newline
/// is the template's, so a block has a line at least. One helper call, and
/// one string in the view ([`super::js::block`]), for a script of dozens of
/// lines: a big kit writes hundreds of scripts.
fn block_lines(v: &Json) -> Result<String, String> {
    let text = v.as_str().ok_or("not a block of text")?;
    if text.is_empty() {
        return Err("an empty block (the view gives a block one line at least)".into());
    }
    // A script's lines are short: room for a two-space indent every ten bytes.
    let mut out = String::with_capacity(text.len() + text.len() / 5 + 2);
    let mut from = 0;
    // memchr: `str::split`'s char search was 8% of a big kit's Bruno render.
    for end in memchr::memchr_iter(b'\n', text.as_bytes()).chain([text.len()]) {
        if from > 0 {
            out.push('\n');
        }
        out.push_str("  ");
        out.push_str(&escape::one_line(&text[from..end]));
        from = end + 1;
    }
    Ok(out)
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
    fn a_template_comes_with_the_partials_it_names() {
        add("check_use_case").unwrap();
        let hb = &registry().handlebars;
        // And theirs: check_step names check_request.
        for name in [
            "check_use_case",
            "check_step",
            "check_captures",
            "check_request",
        ] {
            assert!(hb.has_template(name), "{name}");
        }
    }

    #[test]
    fn a_section_with_no_tag_is_what_handlebars_renders_from_it() {
        // render() writes such a section as it stands, uncompiled.
        let mut tag_free = 0;
        for (name, text) in TEMPLATES {
            for part in sections(text).iter().filter(|p| !p.text.contains("{{")) {
                let rendered = empty_registry()
                    .render_template(part.text, &Json::Null)
                    .unwrap();
                assert_eq!(rendered, part.text, "{name}, line {}", part.first_line);
                tag_free += 1;
            }
        }
        // The check script's functions, the README's prose, and more.
        assert!(tag_free >= 10, "{tag_free}");
    }

    #[test]
    fn every_template_is_its_sections_and_each_compiles_alone() {
        for (name, text) in TEMPLATES {
            let parts = sections(text);
            let joined: String = parts.iter().map(|s| s.text).collect();
            assert_eq!(joined, *text, "{name}");
            for part in &parts {
                handlebars::Template::compile(part.text).unwrap_or_else(|e| {
                    panic!("{name}, section from line {}: {e}", part.first_line)
                });
            }
        }
    }

    #[test]
    fn a_template_that_does_not_compile_is_named() {
        let broken = compile_all(&[("fine", "{{a}}"), ("bad", "{{#if a}}x")]).unwrap_err();
        assert_eq!(broken.len(), 1, "{broken:?}");
        assert!(broken[0].starts_with("bad: "), "{broken:?}");
    }

    #[test]
    fn a_template_that_calls_itself_is_an_error() {
        let e = add_called_from("check_step", &mut vec!["check_tail", "check_step"]).unwrap_err();
        assert!(e.to_string().contains("check_step calls itself"), "{e}");
    }

    #[test]
    fn every_partial_a_template_names_is_a_template() {
        for (name, text) in TEMPLATES {
            for partial in partials_named(text) {
                assert!(
                    template_text(partial).is_some(),
                    "{name} calls {partial}, which is no template"
                );
            }
        }
    }

    #[test]
    fn partial_calls_are_read_off_the_text() {
        let text = "{{> a}}{{#each x}}{{~> b_2 this}}{{/each}}{{#> c}}{{/c}}{{>d}}\
                    {{x}} {{> (dynamic)}} {{#if y}}{{else}}{{/if}}";
        assert_eq!(
            partials_named(text).collect::<Vec<_>>(),
            ["a", "b_2", "c", "d"]
        );
    }

    #[test]
    fn nothing_is_html_escaped() {
        let data = serde_json::json!({"v": "<a href=\"x\">&'</a>"});
        assert_eq!(render_str("{{v}}", data.clone()), "<a href=\"x\">&'</a>");
        assert_eq!(render_str("{{json v}}", data), r#""<a href=\"x\">&'</a>""#);
    }

    #[test]
    fn a_block_writes_what_a_loop_of_its_lines_would() {
        // A block is its lines joined by newlines (js::block); a control
        // character inside a line is a space, as `line` writes it.
        let lines = ["a();", "}", "b\rc\u{85}d", "", "last"];
        let looped_view = serde_json::json!({ "v": lines });
        let block_view = serde_json::json!({ "v": lines.join("\n") });
        for syntax in ["bru", "http"] {
            let looped =
                format!("x {{\n{{{{#each v}}}}\n  {{{{{syntax} this}}}}\n{{{{/each}}}}\n}}\n");
            let block = format!("x {{\n{{{{{syntax}_block v}}}}\n}}\n");
            let want = render_str(&looped, looped_view.clone());
            assert_eq!(render_str(&block, block_view.clone()), want, "{syntax}");
            // No line closes the block, none breaks out of its own.
            assert!(want.contains("\n  }\n  b c d\n  \n  last\n}"), "{want}");
            for (v, why) in [
                (serde_json::json!(""), "an empty block"),
                (serde_json::json!(["a"]), "not a block of text"),
            ] {
                let e = empty_registry()
                    .render_template(&block, &serde_json::json!({ "v": v }))
                    .unwrap_err()
                    .to_string();
                assert!(e.contains(&format!("{syntax}_block: {why}")), "{e}");
            }
        }
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
