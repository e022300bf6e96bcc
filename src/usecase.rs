//! Use cases as data: the documented JSON format (the built-in ones in
//! `data/use-cases.json`, a person's own through `--use-case-file`), read
//! and validated by the same code. A bad file is named with its line, column
//! and what is wrong; everything downstream trusts a [`UseCase`].

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Origin};

/// The built-in use cases, from Moveworks' published Coupa plugins.
pub const BUILT_IN: &str = include_str!("../data/use-cases.json");

/// A use-case file: `{"use_cases": [...]}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub use_cases: Vec<UseCase>,
}

/// A named, ordered set of requests with the inputs they take.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UseCase {
    /// `pending-expense-approvals`: lower case, digits and hyphens; a contract.
    pub id: String,
    /// What Moveworks calls the plugin, one line.
    pub name: String,
    pub description: String,
    /// What the person (or their assistant) supplies.
    #[serde(default)]
    pub inputs: Vec<Input>,
    /// In order; a later request may use what an earlier one captured.
    pub requests: Vec<Step>,
}

/// Where an input's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The person's own email (Agent Studio: `meta_info.user.email_addr`).
    User,
    /// What the person says in the conversation.
    Said,
}

/// An input's type, as Agent Studio's Input Args take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    Date,
    Email,
}

impl Kind {
    /// Agent Studio's type name: dates and emails are strings there.
    pub fn agent_studio(self) -> &'static str {
        match self {
            Kind::String | Kind::Date | Kind::Email => "string",
            Kind::Integer => "integer",
            Kind::Number => "number",
            Kind::Boolean => "boolean",
        }
    }

    /// Whether `value` is one of this type (an email has an `@`, a date is
    /// `YYYY-MM-DD`).
    pub fn accepts(self, value: &str) -> bool {
        match self {
            Kind::String => true,
            Kind::Integer => !value.is_empty() && value.parse::<i64>().is_ok(),
            Kind::Number => value.parse::<f64>().is_ok_and(f64::is_finite),
            Kind::Boolean => matches!(value, "true" | "false"),
            Kind::Email => value
                .split_once('@')
                .is_some_and(|(a, b)| !a.is_empty() && b.contains('.')),
            Kind::Date => {
                let b = value.as_bytes();
                b.len() == 10
                    && b[4] == b'-'
                    && b[7] == b'-'
                    && b.iter()
                        .enumerate()
                        .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// `user_email`: lower case, digits and `_`; a contract.
    pub name: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub description: String,
    pub example: String,
    #[serde(default = "yes")]
    pub required: bool,
    pub from: Source,
    /// The values it may take, when only some are valid (`approve`, `reject`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

fn yes() -> bool {
    true
}

/// The HTTP methods a use case may use; a method other than GET writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    #[default]
    Get,
    Post,
    Put,
    Patch,
}

/// What a successful answer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    #[default]
    List,
    Object,
}

/// One request of a use case.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// "Find the user by email": the action is `coupa_find_the_user_by_email`.
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub method: Method,
    /// `/api/...`; `{{name}}` is an input or an earlier capture.
    pub path: String,
    /// Query parameters, a JSON object kept in its order; values may hold `{{name}}`.
    #[serde(default, with = "ordered")]
    pub query: Vec<(String, String)>,
    /// The scope Coupa checks for it.
    pub scope: String,
    #[serde(default)]
    pub answer: Answer,
    /// Values taken from the answer for later requests.
    #[serde(default)]
    pub captures: Vec<Capture>,
    /// What `verify` says when it answered, e.g. `{{user_email}} is Coupa user {{user_id}}`;
    /// `{{count}}` is the number of records.
    pub says: String,
}

/// A value taken from an answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Capture {
    /// `user_id`: a name later requests use as `{{user_id}}`.
    pub name: String,
    /// Where in the answer: `0.id` (the first record's `id`), `title`.
    pub path: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub description: String,
    pub example: String,
    /// What `verify` says when the answer holds none; the rest of the use
    /// case is skipped then.
    pub if_none: String,
    /// Whether holding none is a failure (no such user) or just the end of
    /// the chain (nothing pending).
    #[serde(default)]
    pub none_fails: bool,
}

impl Step {
    pub fn writes(&self) -> bool {
        self.method != Method::Get
    }
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
        }
    }
}

impl Kind {
    /// As the file format names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::Integer => "integer",
            Kind::Number => "number",
            Kind::Boolean => "boolean",
            Kind::Date => "date",
            Kind::Email => "email",
        }
    }
}

/// A JSON object of strings as ordered pairs: the query's order is the URL's.
mod ordered {
    use serde::de::{MapAccess, Visitor};
    use serde::ser::SerializeMap;
    use serde::{Deserializer, Serializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = Vec<(String, String)>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of query parameters and their string values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(pair) = map.next_entry::<String, String>()? {
                    out.push(pair);
                }
                Ok(out)
            }
        }
        d.deserialize_map(Pairs)
    }

    pub fn serialize<S: Serializer>(pairs: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(pairs.len()))?;
        for (k, v) in pairs {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// The names of `{{name}}` references in a template, in order.
pub fn references(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) if is_name(&after[..end]) => {
                out.push(&after[..end]);
                rest = &after[end + 2..];
            }
            _ => rest = after,
        }
    }
    out
}

/// `user_email`: what input, capture and use-case names look like.
pub fn is_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn is_id(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The reference `{{count}}` in `says`: the number of records.
pub const COUNT: &str = "count";

/// Names a use case may not take: they are the kit's own.
const RESERVED: &[&str] = &[COUNT, "allow_writes"];

/// Reads and validates a use-case file's text; `origin` and `shown` name it
/// in errors, each with a line and column.
pub fn parse(text: &str, origin: Origin, shown: &str) -> Result<Vec<UseCase>, Error> {
    let fail = |at: (usize, usize), what: String| {
        Error::bad(
            origin.clone(),
            shown,
            format!("line {}, column {}: {what}", at.0, at.1),
        )
    };
    let de = &mut serde_json::Deserializer::from_str(text);
    let file: File = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let at = (inner.line(), inner.column());
        let full = inner.to_string();
        let message = full
            .strip_suffix(&format!(" at line {} column {}", at.0, at.1))
            .unwrap_or(&full)
            .to_string();
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                fail(at, format!("not valid JSON: {message}"))
            }
            _ => fail(at, format!("{path}: {message}")),
        }
    })?;
    // Each problem is placed at the first place its value appears in the text.
    let locate = |needle: &str| -> (usize, usize) {
        let quoted = serde_json::to_string(needle).unwrap_or_default();
        let i = text
            .find(&quoted)
            .or_else(|| text.find(needle))
            .unwrap_or(0);
        let line = text[..i].matches('\n').count() + 1;
        let column = i - text[..i].rfind('\n').map_or(0, |n| n + 1) + 1;
        (line, column)
    };
    if file.use_cases.is_empty() {
        return Err(fail(
            (1, 1),
            "\"use_cases\" is empty; give at least one use case".into(),
        ));
    }
    let mut ids: Vec<&str> = Vec::new();
    for uc in &file.use_cases {
        let bad = |needle: &str, what: String| {
            fail(locate(needle), format!("use case \"{}\": {what}", uc.id))
        };
        if !is_id(&uc.id) {
            return Err(fail(locate(&uc.id), format!("\"{}\" is not a use-case id: lower case letters, digits and hyphens, e.g. \"my-approvals\"", uc.id)));
        }
        if ids.contains(&uc.id.as_str()) {
            return Err(bad(&uc.id, "the id is used twice".into()));
        }
        ids.push(&uc.id);
        for (what, text) in [("name", &uc.name), ("description", &uc.description)] {
            if text.trim().is_empty() || text.chars().any(char::is_control) {
                return Err(bad(text, format!("the {what} must be one non-empty line")));
            }
        }
        if uc.requests.is_empty() {
            return Err(bad(
                &uc.id,
                "\"requests\" is empty; give at least one".into(),
            ));
        }
        let mut known: Vec<&str> = Vec::new();
        for input in &uc.inputs {
            check_name(&input.name, &known)
                .map_err(|why| bad(&input.name, format!("input \"{}\": {why}", input.name)))?;
            if !input.kind.accepts(&input.example) {
                return Err(bad(
                    &input.example,
                    format!(
                        "input \"{}\": the example \"{}\" is not a {:?}",
                        input.name, input.example, input.kind
                    )
                    .to_lowercase(),
                ));
            }
            if input.from == Source::User && input.kind != Kind::Email {
                return Err(bad(&input.name, format!("input \"{}\": from \"user\" is the person's email, so its type is \"email\"", input.name)));
            }
            known.push(&input.name);
        }
        let mut actions: Vec<String> = Vec::new();
        for (i, step) in uc.requests.iter().enumerate() {
            let bad = |needle: &str, what: String| {
                fail(
                    locate(needle),
                    format!(
                        "use case \"{}\", request {} (\"{}\"): {what}",
                        uc.id,
                        i + 1,
                        step.name
                    ),
                )
            };
            let action = action_name(&step.name);
            if action == "coupa_" || step.name.chars().any(char::is_control) {
                return Err(bad(
                    &step.name,
                    "the name must be one line with letters or digits".into(),
                ));
            }
            if actions.contains(&action) {
                return Err(bad(
                    &step.name,
                    format!("another request makes the same action name, {action}"),
                ));
            }
            actions.push(action);
            if !step.path.starts_with(crate::coupa::API_PREFIX) {
                return Err(bad(
                    &step.path,
                    format!("the path starts with {}", crate::coupa::API_PREFIX),
                ));
            }
            if step.path.contains(['?', '#', ' ']) {
                return Err(bad(
                    &step.path,
                    "the path holds no query, fragment or space; put query parameters in \"query\""
                        .into(),
                ));
            }
            let templates = std::iter::once(step.path.as_str())
                .chain(step.query.iter().map(|(_, v)| v.as_str()));
            for template in templates {
                for name in references(template) {
                    if !known.contains(&name) {
                        return Err(bad(template, format!("{{{{{name}}}}} is neither an input nor a capture of an earlier request")));
                    }
                }
            }
            for (key, _) in &step.query {
                if key.is_empty() || key.contains(['&', '=', '#', ' ']) {
                    return Err(bad(key, format!("\"{key}\" is not a query parameter name")));
                }
            }
            if step.scope.is_empty() || step.scope.contains(char::is_whitespace) {
                return Err(bad(
                    &step.scope,
                    "\"scope\" is one scope, e.g. \"core.expense.read\"".into(),
                ));
            }
            for capture in &step.captures {
                check_name(&capture.name, &known).map_err(|why| {
                    bad(
                        &capture.name,
                        format!("capture \"{}\": {why}", capture.name),
                    )
                })?;
                if capture.path.is_empty() || capture.path.split('.').any(str::is_empty) {
                    return Err(bad(&capture.path, format!("capture \"{}\": the path is keys and indexes joined by '.', e.g. \"0.id\"", capture.name)));
                }
                if !capture.kind.accepts(&capture.example) {
                    return Err(bad(
                        &capture.example,
                        format!(
                            "capture \"{}\": the example is not a {:?}",
                            capture.name, capture.kind
                        )
                        .to_lowercase(),
                    ));
                }
                known.push(&capture.name);
            }
            for name in references(&step.says) {
                if !known.contains(&name) && name != COUNT {
                    return Err(bad(&step.says, format!("\"says\" names {{{{{name}}}}}, which is neither an input, a capture nor {{{{count}}}}")));
                }
            }
        }
        for capture in uc.requests.iter().flat_map(|s| &s.captures) {
            for name in references(&capture.if_none) {
                if !known.contains(&name) {
                    return Err(bad(
                        &capture.if_none,
                        format!(
                            "\"if_none\" names {{{{{name}}}}}, which the use case does not know"
                        ),
                    ));
                }
            }
        }
    }
    Ok(file.use_cases)
}

fn check_name(name: &str, known: &[&str]) -> Result<(), String> {
    if !is_name(name) {
        return Err("a name is lower case letters, digits and '_', e.g. \"user_email\"".into());
    }
    if known.contains(&name) {
        return Err("the name is used twice".into());
    }
    if RESERVED.contains(&name) || crate::contract::postman::RESERVED.contains(&name) {
        return Err("the kit uses that name itself; pick another".into());
    }
    Ok(())
}

/// An Agent Studio action name: `coupa_` and the request's name in snake case.
pub fn action_name(name: &str) -> String {
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    format!("coupa_{}", words.join("_"))
}

/// The built-in use cases.
pub fn built_in() -> Vec<UseCase> {
    parse(BUILT_IN, Origin::Flag("--use-case"), "data/use-cases.json")
        .expect("the built-in use cases are valid (a test holds them to it)")
}

/// The use cases of a `--use-case-file`.
pub fn from_file(path: &Path, origin: Origin) -> Result<Vec<UseCase>, Error> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::bad(origin.clone(), &shown, format!("cannot read it ({e})")))?;
    parse(&text, origin, &shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_use_cases_are_valid_and_their_ids_are_the_contract() {
        let ids: Vec<String> = built_in().into_iter().map(|u| u.id).collect();
        assert_eq!(
            ids,
            [
                "pending-expense-approvals",
                "approve-expense-report",
                "my-expense-reports",
                "my-requisitions",
                "pending-requisition-approvals",
                "approve-requisition",
                "my-purchase-orders",
                "supplier-status",
                "expense-policy-violations",
            ]
        );
    }

    #[test]
    fn references_are_names_in_double_braces_and_nothing_else() {
        assert_eq!(references("/api/x/{{id}}/{{decision}}"), ["id", "decision"]);
        assert!(references(r#"["id",{"a":{"b":["c"]}}]"#).is_empty());
        assert!(references("{{ spaced }} {{Upper}} {{").is_empty());
    }

    #[test]
    fn types_accept_their_values() {
        assert!(Kind::Email.accepts("a@b.co") && !Kind::Email.accepts("ab.co"));
        assert!(Kind::Date.accepts("2024-01-31") && !Kind::Date.accepts("2024-1-31"));
        assert!(Kind::Integer.accepts("-12") && !Kind::Integer.accepts("1.5"));
    }

    /// (what, the file, what the message says)
    #[test]
    fn a_bad_file_is_named_with_its_line_column_and_fault() {
        let ok_step = r#"{"name": "Get x", "description": "d", "path": "/api/x", "scope": "core.x.read", "says": "ok"}"#;
        let cases: Vec<(&str, String, &str)> = vec![
            ("syntax", "{\"use_cases\": [}".into(), "line 1, column 16: not valid JSON"),
            ("unknown key", format!("{{\"use_cases\": [{{\"id\": \"a\", \"nme\": \"x\", \"description\": \"d\", \"requests\": [{ok_step}]}}]}}"), "unknown field `nme`"),
            ("bad id", format!("{{\"use_cases\": [{{\"id\": \"A b\", \"name\": \"n\", \"description\": \"d\", \"requests\": [{ok_step}]}}]}}"), "is not a use-case id"),
            (
                "unknown reference",
                "{\"use_cases\": [{\"id\": \"a\", \"name\": \"n\", \"description\": \"d\",\n \"requests\": [{\"name\": \"Get x\", \"description\": \"d\", \"path\": \"/api/x/{{nope}}\", \"scope\": \"s\", \"says\": \"ok\"}]}]}".into(),
                "line 2, column 61: use case \"a\", request 1 (\"Get x\"): {{nope}} is neither an input nor a capture",
            ),
            (
                "a path outside the API",
                format!("{{\"use_cases\": [{{\"id\": \"a\", \"name\": \"n\", \"description\": \"d\", \"requests\": [{}]}}]}}", ok_step.replace("/api/x", "/oauth2/token")),
                "the path starts with /api/",
            ),
        ];
        for (what, text, expected) in cases {
            let err = parse(&text, Origin::Flag("--use-case-file"), "uc.json")
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{what}: {err}");
            assert!(
                err.starts_with("--use-case-file 'uc.json': line "),
                "{what}: {err}"
            );
        }
    }
}
