//! Every value a template writes passes through an escaping helper (`json`,
//! `sh`, `md`, `code`, `line`, `bru`, `http`, `bru_block`, `http_block`), bar
//! a short list of the kit's own constants; and every template compiles.

use coupagen::render::{HELPERS, TEMPLATES};

/// Raw `{{name}}` writes that are allowed, each with why it is safe.
const ALLOWED: &[(&str, &str, &str)] = &[
    ("check_step", "file", "the script's own answer files, [a-z0-9.-]"),
    ("check_token_step", "file", "the script's own answer files, [a-z0-9.-]"),
    ("check_request", "file", "the script's own answer files, [a-z0-9.-]"),
    ("check_token_step", "token_var", "the script's own shell variable name"),
    ("check_token_step", "access_token_field", "Coupa's field name, access_token"),
    (
        "check_target",
        "domain_var",
        "the script's own shell variable name",
    ),
    (
        "check_target",
        "scope_var",
        "the script's own shell variable name",
    ),
    ("check_use_cases_end", "count", "a number"),
    ("check_done", "count", "a number"),
    ("check_token_step", "refresh_var", "the script's own shell variable name"),
    ("check_token_step", "refresh_token_field", "Coupa's field name, refresh_token"),
    ("check_consent", "refresh_days", "a number"),
    ("check_requests", "pace.burst", "a number"),
    ("check_requests", "pace.buffer_secs", "a number"),
    ("check_requests", "pace.buffer_ms", "a number"),
    ("check_requests", "pace.retry_after_max", "a number"),
    ("check_captures", "var", "the script's own shell variable name, captured_ and a validated name"),
    ("check_captures", "../file", "the script's own answer files, [a-z0-9.-]"),
    ("check_use_case", "function", "the script's own function name, use_case_ and a number"),
    ("sheet_use_case", "step", "a number"),
    ("sheet_mcp", "step", "a number"),
    ("bruno_folder", "seq", "a number"),
    ("bruno_request", "seq", "a number"),
    ("bruno_request", "status", "a number"),
    (
        "bruno_request",
        "method",
        "the kit's own method name, get, post, put or patch",
    ),
    (
        "bruno_request",
        "body",
        "Bruno's body mode, none or formUrlEncoded",
    ),
    ("bruno_request", "auth", "Bruno's auth mode, none or bearer"),
    ("sheet_use_case", "fence", "backticks made to fence the YAML"),
    (
        "sheet_use_case",
        "script",
        "YAML written by the compound actions' emitter, inside a fence longer than any backtick run in it",
    ),
    (
        "check_consent",
        "redirect_var",
        "the script's own shell variable name",
    ),
    (
        "check_consent",
        "refresh_var",
        "the script's own shell variable name",
    ),
    (
        "check_consent",
        "state_var",
        "the script's own shell variable name",
    ),
    (
        "check_consent",
        "code_var",
        "the script's own shell variable name",
    ),
    (
        "check_consent",
        "verifier_var",
        "the script's own shell variable name",
    ),
    (
        "check_consent",
        "challenge_var",
        "the script's own shell variable name",
    ),
    ("postman_description_consent", "refresh_days", "a number"),
    ("readme_verify_consent", "consent.refresh_days", "a number"),
    ("postman_description_consent", "../renew_hours", "a number"),
    ("sheet_consent_head", "@root.connector_step", "a number"),
    ("sheet_consent_test", "@root.test_step", "a number"),
    ("postman_description", "renew_hours", "a number"),
    ("sheet_action", "step", "a number"),
    (
        "sheet_action_inputs",
        "fence",
        "backticks made longer than any backtick run in the body and the curl text",
    ),
    (
        "sheet_action_import",
        "fence",
        "backticks made longer than any backtick run in the body and the curl text",
    ),
    (
        "sheet_action_import",
        "curl",
        "inside a fence longer than any backtick run in it",
    ),
    (
        "sheet_action_inputs",
        "body",
        "JSON from serde_json, inside the same fence, made longer than any backtick run in it",
    ),
    ("check_request", "jq.var", "the script's own shell variable name"),
    ("check_captures", "flag", "--arg or --argjson, the script's own"),
    ("check_request", "flag", "--arg or --argjson, the script's own"),
    ("check_captures", "name", "a jq variable the script names, v0, v1, ..."),
    ("check_request", "name", "a jq variable the script names, v0, v1, ..."),
];

/// Each `{{ ... }}` expression that writes a value, with its template.
fn writes(name: &str, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after.find("}}").expect("a closed expression");
        let expr = after[..end]
            .trim_start_matches('{')
            .trim_start_matches('~')
            .trim();
        rest = &after[end + 2..];
        let is_block = ['!', '#', '/', '>'].iter().any(|c| expr.starts_with(*c));
        if is_block || expr == "else" {
            continue;
        }
        let first = expr.split_whitespace().next().unwrap_or("");
        if !HELPERS.iter().any(|(helper, _)| *helper == first) {
            out.push(format!("{name}: {{{{{expr}}}}}"));
        }
    }
    out
}

#[test]
fn every_written_value_goes_through_an_escaper() {
    let raw: Vec<String> = TEMPLATES
        .iter()
        .flat_map(|(name, text)| writes(name, text))
        .filter(|w| {
            !ALLOWED
                .iter()
                .any(|(t, e, _)| *w == format!("{t}: {{{{{e}}}}}"))
        })
        .collect();
    assert!(
        raw.is_empty(),
        "values written without an escaper:\n{}",
        raw.join("\n")
    );
}

/// An entry no template needs any more is taken out, so the list stays short
/// and each reason true.
#[test]
fn every_allowed_raw_value_is_still_written() {
    let all: Vec<String> = TEMPLATES
        .iter()
        .flat_map(|(name, text)| writes(name, text))
        .collect();
    for (t, e, why) in ALLOWED {
        let w = format!("{t}: {{{{{e}}}}}");
        assert!(
            all.contains(&w),
            "{w} ({why}) is allowed but no template writes it"
        );
    }
}

#[test]
fn the_scanner_sees_a_raw_value() {
    assert_eq!(
        writes(
            "t",
            "a {{x}} {{json y}} {{#if z}}{{/if}} {{> p}} {{!-- c --}}"
        ),
        ["t: {{x}}"]
    );
}

#[test]
fn every_template_compiles() {
    // Each is compiled by handlebars' own parser; a broken one is named.
    let registry = coupagen::render::build_registry()
        .unwrap_or_else(|broken| panic!("templates that do not compile:\n{}", broken.join("\n")));
    for (name, _) in TEMPLATES {
        assert!(registry.has_template(name), "{name}");
    }
}
