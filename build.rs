//! Compiles the handlebars templates at build time. Parsing them was most of
//! a run's processor time (handlebars' parser finds each token's line by
//! counting from the start of the text); the binary now rebuilds each
//! compiled template from Rust code, which is only allocation.
//!
//! Writes `$OUT_DIR/templates.rs`: `TEMPLATES` (each name and its text) and
//! `compiled(name)`, a function a template that rebuilds what
//! `handlebars::Template::compile` makes of its text. The constructors that
//! code calls are in `src/render/compiled.rs`; a test there holds every
//! rebuilt template equal to handlebars' own compile of its text.

use std::fmt::Write as _;
use std::path::Path as FsPath;

use handlebars::template::{BlockParam, DecoratorTemplate, HelperTemplate, Parameter};
use handlebars::template::{Template, TemplateElement};
use handlebars::{Path, PathSeg};

/// Every template: the name renders and partials call it by, and its file
/// under `templates/`.
const TEMPLATES: &[(&str, &str)] = &[
    ("postman_collection", "postman_collection.json.hbs"),
    ("postman_item", "postman_item.json.hbs"),
    ("postman_url", "postman_url.json.hbs"),
    ("postman_description", "postman_description.md.hbs"),
    ("postman_prerequest", "postman_prerequest.js.hbs"),
    ("postman_token_test", "postman_token_test.js.hbs"),
    ("postman_api_test", "postman_api_test.js.hbs"),
    (
        "postman_environment_check",
        "postman_environment_check.js.hbs",
    ),
    ("postman_store_token", "postman_store_token.js.hbs"),
    ("postman_flow_prerequest", "postman_flow_prerequest.js.hbs"),
    ("postman_environment", "postman_environment.json.hbs"),
    ("curl_command", "curl_command.hbs"),
    ("curl", "requests.curl.hbs"),
    ("check_script", "check.sh.hbs"),
    ("check_consent", "check_consent.sh.hbs"),
    ("check_urlencode", "check_urlencode.sh.hbs"),
    ("check_inputs", "check_inputs.sh.hbs"),
    ("check_use_cases", "check_use_cases.sh.hbs"),
    ("check_step", "check_step.sh.hbs"),
    ("sheet_md", "sheet.md.hbs"),
    ("sheet_action", "sheet_action.md.hbs"),
    ("sheet_compound", "sheet_compound.md.hbs"),
    ("sheet_json", "sheet.json.hbs"),
    ("compound_action", "compound_action.yaml.hbs"),
    ("check_consent_head", "check_consent_head.sh.hbs"),
    ("check_capture", "check_capture.sh.hbs"),
    (
        "postman_description_consent",
        "postman_description_consent.md.hbs",
    ),
    ("postman_capture", "postman_capture.js.hbs"),
    ("sheet_client", "sheet_client.md.hbs"),
    ("sheet_consent_test", "sheet_consent_test.md.hbs"),
    ("readme_consent_client", "readme_consent_client.md.hbs"),
    ("readme_consent_verify", "readme_consent_verify.md.hbs"),
    ("readme_consent_postman", "readme_consent_postman.md.hbs"),
    ("readme_use_cases", "readme_use_cases.md.hbs"),
    ("sheet_json_use_cases", "sheet_json_use_cases.json.hbs"),
    ("sheet_action_args", "sheet_action_args.md.hbs"),
    ("curl_consent_head", "curl_consent_head.hbs"),
    ("check_pkce_credentials", "check_pkce_credentials.sh.hbs"),
    ("sheet_consent_save", "sheet_consent_save.md.hbs"),
    ("postman_refresh_comment", "postman_refresh_comment.js.hbs"),
    ("postman_store_refresh", "postman_store_refresh.js.hbs"),
    ("postman_refresh_test", "postman_refresh_test.js.hbs"),
    ("check_store_refresh", "check_store_refresh.sh.hbs"),
    ("check_env_or", "check_env_or.sh.hbs"),
    ("check_request", "check_request.sh.hbs"),
    ("postman_refresh_guard", "postman_refresh_guard.js.hbs"),
    ("sheet_consent_connector", "sheet_consent_connector.md.hbs"),
    ("sheet_use_cases", "sheet_use_cases.md.hbs"),
    ("bruno_request", "bruno_request.bru.hbs"),
    ("bruno_folder", "bruno_folder.bru.hbs"),
    ("bruno_environment", "bruno_environment.bru.hbs"),
    ("bruno_collection", "bruno_collection.bru.hbs"),
    ("http_file", "coupa.http.hbs"),
    ("http_request", "http_request.http.hbs"),
    ("bundle_readme", "bundle_readme.md.hbs"),
];

/// One of every shape a template can take, for the test that holds
/// `src/render/compiled.rs` to rebuild each as handlebars compiles it,
/// including those no template uses yet.
const EVERY_SHAPE: &str = r#"{{! a comment }}{{!-- a long comment --}}
{{{triple}}} {{plain}} {{~trimmed~}} {{helper (sub a "b" k=1) s="s" n=2.5 t=true z=null}}
{{#each list as |item index|}}{{item}} {{@index}} {{../up}} {{@../index}} {{@root.top}}{{/each}}
{{#with thing as |t|}}{{t.a}}{{/with}}
{{#if a}}x{{else if b}}y{{else}}z{{/if}}{{#unless c}}w{{/unless}}
{{> partial}} {{> (whichever) context k=1}}
  {{> indented}}
{{#> layout}}fallback{{/layout}}
{{*decorator}}{{#*inline "name"}}inline body{{/inline}}
{{this.y}} {{[a key]}} {{list.[0]}} {{@key}}
"#;

fn main() {
    let root = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = FsPath::new(&root).join("templates");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=templates");

    let mut code = String::from("// Generated by build.rs from templates/: do not edit.\n\n");
    code.push_str("/// Every template: its name, and its text.\n");
    code.push_str("pub const TEMPLATES: &[(&str, &str)] = &[\n");
    for (name, file) in TEMPLATES {
        let path = dir.join(file);
        let path = path.to_str().expect("a UTF-8 path");
        writeln!(code, "    ({name:?}, include_str!({path:?})),").unwrap();
    }
    code.push_str("];\n\n");
    code.push_str("/// Every template, as handlebars compiles its text.\n");
    code.push_str("static COMPILED: &[(&str, T)] = &[\n");
    for (name, file) in TEMPLATES {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let template = Template::compile_with_name(&text, (*name).to_string())
            .unwrap_or_else(|e| panic!("template {name} ({file}): {e}"));
        write!(code, "    ({name:?}, ").unwrap();
        emit_template(&mut code, &template);
        code.push_str("),\n");
    }
    code.push_str("];\n");
    let shapes = Template::compile_with_name(EVERY_SHAPE, "every_shape".to_string())
        .expect("EVERY_SHAPE compiles");
    code.push_str(
        "\n/// One of every shape, and its text.\n#[cfg(test)]\nstatic EVERY_SHAPE: (&str, T) = (",
    );
    write!(code, "{EVERY_SHAPE:?}, ").unwrap();
    emit_template(&mut code, &shapes);
    code.push_str(");\n");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(FsPath::new(&out).join("templates.rs"), code).expect("OUT_DIR is writable");
}

/// `T { name, elements: &[...], mapping: &[(line, column), ...] }`
fn emit_template(out: &mut String, t: &Template) {
    write!(out, "T {{ name: {:?}, elements: &[", t.name.as_deref()).unwrap();
    for element in &t.elements {
        emit_element(out, element);
        out.push_str(", ");
    }
    out.push_str("], mapping: &[");
    for at in &t.mapping {
        write!(out, "({}, {}), ", at.0, at.1).unwrap();
    }
    out.push_str("] }")
}

fn emit_element(out: &mut String, e: &TemplateElement) {
    match e {
        TemplateElement::RawString(s) => write!(out, "E::Raw({s:?})"),
        TemplateElement::Comment(s) => write!(out, "E::Comment({s:?})"),
        TemplateElement::HtmlExpression(h) => emit_helper(out, "HtmlExpression", h),
        TemplateElement::Expression(h) => emit_helper(out, "Expression", h),
        TemplateElement::HelperBlock(h) => emit_helper(out, "HelperBlock", h),
        TemplateElement::DecoratorExpression(d) => emit_decorator(out, "DecoratorExpression", d),
        TemplateElement::DecoratorBlock(d) => emit_decorator(out, "DecoratorBlock", d),
        TemplateElement::PartialExpression(d) => emit_decorator(out, "PartialExpression", d),
        TemplateElement::PartialBlock(d) => emit_decorator(out, "PartialBlock", d),
        other => panic!("build.rs cannot rebuild {other:?}; teach it"),
    }
    .unwrap();
}

/// `E::Helper(HelperKind::KIND, H { ... })`
fn emit_helper(out: &mut String, kind: &str, h: &HelperTemplate) -> std::fmt::Result {
    write!(out, "E::Helper(HelperKind::{kind}, H {{ ")?;
    emit_call(out, &h.name, &h.params, &h.hash);
    out.push_str(", block_param: ");
    match &h.block_param {
        None => out.push_str("None"),
        Some(BlockParam::Single(p)) => {
            out.push_str("Some(Bp::Single(");
            emit_parameter(out, p);
            out.push_str("))");
        }
        Some(BlockParam::Pair((a, b))) => {
            out.push_str("Some(Bp::Pair(");
            emit_parameter(out, a);
            out.push_str(", ");
            emit_parameter(out, b);
            out.push_str("))");
        }
        Some(other) => panic!("build.rs cannot rebuild {other:?}; teach it"),
    }
    write!(
        out,
        ", block: {}, chain: {}, indent_before_write: {}, template: ",
        h.block,
        h.chain,
        indents_before_write(&format!("{h:?}"))
    )?;
    emit_optional_template(out, h.template.as_ref());
    out.push_str(", inverse: ");
    emit_optional_template(out, h.inverse.as_ref());
    out.push_str(" })");
    Ok(())
}

/// `E::Decorator(DecoratorKind::KIND, D { ... })`
fn emit_decorator(out: &mut String, kind: &str, d: &DecoratorTemplate) -> std::fmt::Result {
    write!(out, "E::Decorator(DecoratorKind::{kind}, D {{ ")?;
    emit_call(out, &d.name, &d.params, &d.hash);
    out.push_str(", template: ");
    emit_optional_template(out, d.template.as_ref());
    write!(
        out,
        ", indent: {:?}, indent_before_write: {} }})",
        d.indent.as_deref(),
        indents_before_write(&format!("{d:?}"))
    )
}

/// `name: ..., params: ..., hash: ...`: what a helper or decorator is called
/// with.
fn emit_call(out: &mut String, name: &Parameter, params: &[Parameter], hash: &Hash) {
    out.push_str("name: ");
    emit_parameter(out, name);
    out.push_str(", params: ");
    emit_parameters(out, params);
    out.push_str(", hash: ");
    emit_hash(out, hash);
}

type Hash = std::collections::HashMap<String, Parameter>;

/// handlebars keeps this flag to itself (`pub(crate)`); it is the last field
/// of both structs, so their Debug text ends with it. The equality test
/// catches the day that changes.
fn indents_before_write(debug: &str) -> bool {
    if debug.ends_with("indent_before_write: true }") {
        true
    } else if debug.ends_with("indent_before_write: false }") {
        false
    } else {
        panic!("build.rs cannot read indent_before_write from {debug}; teach it")
    }
}

fn emit_optional_template(out: &mut String, t: Option<&Template>) {
    match t {
        None => out.push_str("None"),
        Some(t) => {
            out.push_str("Some(&");
            emit_template(out, t);
            out.push(')');
        }
    }
}

fn emit_parameters(out: &mut String, params: &[Parameter]) {
    out.push_str("&[");
    for p in params {
        emit_parameter(out, p);
        out.push_str(", ");
    }
    out.push(']');
}

/// Sorted by key, so the generated code is the same from build to build.
fn emit_hash(out: &mut String, hash: &Hash) {
    let mut keys: Vec<&String> = hash.keys().collect();
    keys.sort();
    out.push_str("&[");
    for key in keys {
        write!(out, "({key:?}, ").unwrap();
        emit_parameter(out, &hash[key]);
        out.push_str("), ");
    }
    out.push(']');
}

fn emit_parameter(out: &mut String, p: &Parameter) {
    match p {
        Parameter::Name(n) => write!(out, "P::Name({n:?})").unwrap(),
        Parameter::Path(path) => emit_path(out, path),
        // JSON's own text: a literal is small and rare.
        Parameter::Literal(json) => write!(out, "P::Literal({:?})", json.to_string()).unwrap(),
        Parameter::Subexpression(sub) => match sub.as_element() {
            TemplateElement::Expression(h)
                if !h.block && !h.chain && h.block_param.is_none() && h.template.is_none() =>
            {
                out.push_str("P::Sub(&");
                emit_parameter(out, &h.name);
                out.push_str(", ");
                emit_parameters(out, &h.params);
                out.push_str(", ");
                emit_hash(out, &h.hash);
                out.push(')');
            }
            other => panic!("build.rs cannot rebuild the subexpression {other:?}; teach it"),
        },
        other => panic!("build.rs cannot rebuild {other:?}; teach it"),
    }
}

fn emit_path(out: &mut String, path: &Path) {
    match path {
        Path::Relative((segs, raw)) => {
            let named: Option<Vec<&String>> = segs
                .iter()
                .map(|s| match s {
                    PathSeg::Named(n) => Some(n),
                    _ => None,
                })
                .collect();
            match named {
                Some(named) => write!(out, "P::Named({raw:?}, &{named:?})").unwrap(),
                // `../x` and `@root`: segments whose kind handlebars keeps
                // private, so its own path parser makes them at run time.
                None => write!(out, "P::Parsed({raw:?})").unwrap(),
            }
        }
        Path::Local((level, name, raw)) => {
            write!(out, "P::Local({level}, {name:?}, {raw:?})").unwrap()
        }
    }
}
