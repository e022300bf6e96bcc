//! Use cases as data: the documented JSON format (the built-in ones in
//! `data/use-cases.json`, a person's own through `--use-case-file`), read
//! and validated by the same code ([`parse`]). A bad file is named with its
//! line, column and what is wrong; everything downstream trusts a [`UseCase`].

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Origin};

mod parse;

pub use parse::{body_reference, parse};

/// The built-in use cases, from Moveworks' published Coupa plugins.
pub const BUILT_IN: &str = include_str!("../../data/use-cases.json");

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

    /// Whether a value of this type is written as the JSON (and DSL)
    /// literal it is, a number or boolean, rather than as a string.
    pub fn is_literal(self) -> bool {
        matches!(self, Kind::Integer | Kind::Number | Kind::Boolean)
    }

    /// Whether `value` is one of this type (an email has an `@`, a date is
    /// `YYYY-MM-DD`; a number is written as JSON writes it, `-12` or `1.5`).
    pub fn accepts(self, value: &str) -> bool {
        match self {
            Kind::String => true,
            Kind::Integer => is_decimal(value, false) && value.parse::<i64>().is_ok(),
            Kind::Number => is_decimal(value, true),
            Kind::Boolean => matches!(value, "true" | "false"),
            Kind::Email => value
                .split_once('@')
                .is_some_and(|(a, b)| !a.is_empty() && b.contains('.')),
            Kind::Date => is_date(value),
        }
    }
}

/// A number as JSON writes it and as every runner's check reads it (the
/// scripts' `-?(0|[1-9][0-9]*)(\.[0-9]+)?`): no sign but `-`, no leading
/// zero, a fraction only when `fraction`, no exponent. Each runner compares
/// a value with Coupa's as text, and writes it into a JSON body as it
/// stands: `007` or `+7` would match no `7`, and is no JSON.
fn is_decimal(value: &str, fraction: bool) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let (whole, part) = match digits.split_once('.') {
        Some((whole, part)) if fraction => (whole, Some(part)),
        Some(_) => return false,
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && (whole == "0" || !whole.starts_with('0')) && part.is_none_or(all_digits)
}

/// `YYYY-MM-DD`, and a day that month has (2024-02-29, not 2024-02-30).
fn is_date(value: &str) -> bool {
    let b = value.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return false;
    }
    let number = |range: std::ops::Range<usize>| value[range].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    (1..=days).contains(&day)
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
    /// A JSON body, for a write: each string that is exactly `{{name}}` is
    /// that input or capture (a number or boolean when it is typed so);
    /// everything else is sent as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
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
    /// For a list: what names each record it found, so a person can pick
    /// one for the next use case (`verify` shows the first few).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found: Option<Shown>,
}

/// The fields of a record that name it: its id and, if it has one, a title.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Shown {
    /// The record's id, a key of it: `id`.
    #[serde(default = "id_key")]
    pub id: String,
    /// A key of the record that reads as its title: `title`, `name`, `po-number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

fn id_key() -> String {
    "id".into()
}

/// A value taken from an answer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Capture {
    /// `user_id`: a name later requests use as `{{user_id}}`.
    pub name: String,
    /// Where in the answer: `0.id` (the first record's `id`), `title`, or
    /// `#`, how many records a list holds ([`COUNT_KEY`]).
    pub path: String,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub description: String,
    pub example: String,
    /// What `verify` says when the answer holds none; the rest of the use
    /// case is skipped then. Optional: without it, the kit says the answer
    /// holds no such value ([`Capture::none_said`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub if_none: String,
    /// Whether holding none is a failure (no such user) or just the end of
    /// the chain (nothing pending).
    #[serde(default)]
    pub none_fails: bool,
    /// A guard: the values the use case goes on with. When the answer holds
    /// another, no later request is sent, in any runner, and `otherwise`
    /// says why (an approval no longer `pending_approval` is not decided).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub must_be: Vec<String>,
    /// What is said when a guard stops the use case; may name `{{name}}`s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otherwise: Option<String>,
    /// Which records of a list the path reads: those whose keys hold these
    /// values (a literal, or one `{{name}}` of an input or an earlier
    /// capture), compared as text. `0.id` is then the first such record's.
    #[serde(default, with = "ordered", skip_serializing_if = "Vec::is_empty")]
    pub pick: Vec<(String, String)>,
}

impl Capture {
    /// `if_none`, or when the file gives none, words that say the same.
    pub fn none_said(&self) -> String {
        match self.if_none.is_empty() {
            false => self.if_none.clone(),
            true => format!(
                "the answer holds no {} (nothing at {})",
                self.name, self.path
            ),
        }
    }
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

/// A JSON object of strings as ordered pairs: the query's order is the URL's,
/// a pick's the order its keys are compared in.
mod ordered {
    use serde::de::{MapAccess, Visitor};
    use serde::ser::SerializeMap;
    use serde::{Deserializer, Serializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = Vec<(String, String)>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of keys and their string values")
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

/// The names written `{name}`, with one brace, in a template: sent
/// literally, where `{{name}}` was almost surely meant.
pub fn single_braced(template: &str) -> Vec<&str> {
    let b = template.as_bytes();
    let mut out = Vec::new();
    for (i, _) in template.match_indices('{') {
        let doubled = (i > 0 && b[i - 1] == b'{') || b.get(i + 1) == Some(&b'{');
        let Some(end) = template[i + 1..].find('}').map(|e| i + 1 + e) else {
            continue;
        };
        let name = &template[i + 1..end];
        if !doubled && b.get(end + 1) != Some(&b'}') && is_name(name) {
            out.push(name);
        }
    }
    out
}

/// Warnings on use cases that are valid but likely wrong: a `{name}` with
/// one brace in a path, a query value or `says`.
pub fn warnings(use_cases: &[UseCase]) -> Vec<String> {
    let mut out = Vec::new();
    for uc in use_cases {
        for step in &uc.requests {
            let templates = std::iter::once(step.path.as_str())
                .chain(step.query.iter().map(|(_, v)| v.as_str()))
                .chain([step.says.as_str()]);
            for name in templates.flat_map(single_braced) {
                out.push(format!(
                    "use case \"{}\", request \"{}\": {{{name}}} has one brace on each side, so it is sent as written; a value is {{{{{name}}}}}",
                    uc.id, step.name
                ));
            }
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

/// The last key of a capture's path that takes how many records a list
/// holds (`#`, or `0.order-lines.#`): a guard on the count.
pub const COUNT_KEY: &str = "#";

/// The reference `{{count}}` in `says`: the number of records.
pub const COUNT: &str = "count";

/// An Agent Studio action name: `coupa_` and the request's name in snake case.
pub fn action_name(name: &str) -> String {
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    format!("coupa_{}", words.join("_"))
}

/// Why a Moveworks plugin is not a use case, when Coupa documents no way to
/// do what it does.
pub fn unsupported(id: &str) -> Option<&'static str> {
    match id {
        "request-purchase-card" => Some(
            "Coupa has no API that requests a purchase card: Coupa Pay's card API only reads \
             (GET /api/charges, /api/coupa_pay/statements), expense preapprovals' card fields \
             are answers only, and easy-form responses cannot be created. The nearest \
             documented thing is a requisition's pcard field, which names a card that already \
             exists (create-requisition makes requisitions)",
        ),
        _ => None,
    }
}

/// The built-in use cases.
pub fn built_in() -> Vec<UseCase> {
    parse(BUILT_IN, Origin::Flag("--use-case"), "data/use-cases.json")
        .expect("the built-in use cases are valid (a test holds them to it)")
}

/// The use cases of a `--use-case-file`.
pub fn from_file(path: &Path, origin: Origin) -> Result<Vec<UseCase>, Error> {
    read(path, origin).map(|(_, use_cases)| use_cases)
}

/// A `--use-case-file`'s text and its use cases. One rule wherever a file is
/// read (`use-cases`, `bundle`, `verify`): no id of a built-in use case, so
/// an id always means one use case.
pub fn read(path: &Path, origin: Origin) -> Result<(String, Vec<UseCase>), Error> {
    let shown = path.display().to_string();
    let text = crate::bounded::file(path, crate::bounded::USE_CASE_FILE, origin.clone())?;
    // A byte-order mark, as some Windows editors write: not JSON, not meant.
    let json = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let own = parse(json, origin.clone(), &shown)?;
    let built_in = built_in();
    if let Some(clash) = own.iter().find(|o| built_in.iter().any(|b| b.id == o.id)) {
        return Err(Error::bad(
            origin,
            &shown,
            format!(
                "the use case \"{}\" has a built-in one's id; give yours another",
                clash.id
            ),
        ));
    }
    Ok((text, own))
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
                "create-requisition",
                "open-purchase-orders",
                "payment-due-dates",
                "pending-supplier-payments",
                "my-invoices",
                "contract-status",
                "inventory-levels",
                "submit-expense",
                "create-purchase-order",
                "add-po-line",
                "my-approvals-history",
                "requisition-approval-agent",
            ]
        );
    }

    #[test]
    fn references_are_names_in_double_braces_and_nothing_else() {
        assert_eq!(references("/api/x/{{id}}/{{decision}}"), ["id", "decision"]);
        assert!(references(r#"["id",{"a":{"b":["c"]}}]"#).is_empty());
        assert!(references("{{ spaced }} {{Upper}} {{").is_empty());
    }

    // `{supplier_number}` with single braces was sent literally, unwarned.
    #[test]
    fn a_single_braced_name_is_found_and_nothing_else() {
        assert_eq!(single_braced("/api/x/{id}?a={b_2}"), ["id", "b_2"]);
        assert!(single_braced("/api/{{id}} {{{raw}}} [{\"a\":1}] {Upper} {").is_empty());
    }

    #[test]
    fn types_accept_their_values() {
        assert!(Kind::Email.accepts("a@b.co") && !Kind::Email.accepts("ab.co"));
        assert!(Kind::Date.accepts("2024-01-31") && !Kind::Date.accepts("2024-1-31"));
        // A date is a real one: 2024-02-30 was accepted and sent.
        assert!(Kind::Date.accepts("2024-02-29") && Kind::Date.accepts("2000-02-29"));
        for bad in [
            "2024-02-30",
            "2023-02-29",
            "1900-02-29",
            "2024-13-01",
            "2024-04-31",
            "2024-00-10",
            "2024-01-00",
        ] {
            assert!(!Kind::Date.accepts(bad), "{bad}");
        }
        assert!(Kind::Integer.accepts("-12") && !Kind::Integer.accepts("1.5"));
        // As JSON and the runners' checks write numbers: each would match
        // no Coupa value compared as text, or be no JSON in a body.
        for bad in ["+1", "01", "-01", "007", "1e5", "", "-", "1 ", " 1", "0x10"] {
            assert!(!Kind::Integer.accepts(bad), "{bad:?}");
        }
        for bad in [
            "+1.5", "1.", ".5", "01.5", "1e5", "1.5.1", "NaN", "inf", "1,5",
        ] {
            assert!(!Kind::Number.accepts(bad), "{bad:?}");
        }
        for good in ["0", "-0", "12", "-12", "0.5", "-3.25", "10.0"] {
            assert!(Kind::Number.accepts(good), "{good:?}");
        }
        assert!(!Kind::Integer.accepts("9223372036854775808"), "past i64");
    }
}
