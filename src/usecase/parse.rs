//! Reading a use-case file and checking it: first the JSON against the format,
//! then each use case, its inputs, its requests and what they capture. Every
//! problem is named with the line and column of the value at fault.

use std::collections::HashSet;

use crate::error::{Error, Origin};

use super::{
    is_name, references, Answer, Capture, File, Kind, Source, Step, UseCase, COUNT, COUNT_KEY,
};

/// At most this many use cases a file: each becomes requests in every
/// format, and a kit of thousands is no kit a person reads.
pub const MAX_USE_CASES: usize = 1000;

/// Names a use case may not take: they are the kit's own.
const RESERVED: &[&str] = &[COUNT, "allow_writes"];

/// Reads and validates a use-case file's text; `origin` and `shown` name it
/// in errors, each with a line and column.
pub fn parse(text: &str, origin: Origin, shown: &str) -> Result<Vec<UseCase>, Error> {
    let file = Text {
        text,
        origin,
        shown,
    };
    if text.trim_start().starts_with('[') {
        return Err(file.fail(
            (1, 1),
            r#"the file is a list; a use-case file is an object holding the list: {"use_cases": [...]}"#.into(),
        ));
    }
    let parsed = file.read()?;
    if parsed.use_cases.is_empty() {
        return Err(file.fail(
            (1, 1),
            "\"use_cases\" is empty; give at least one use case".into(),
        ));
    }
    if parsed.use_cases.len() > MAX_USE_CASES {
        return Err(file.fail(
            (1, 1),
            format!(
                "{} use cases, more than the {MAX_USE_CASES} a file may hold; split them into kits",
                parsed.use_cases.len()
            ),
        ));
    }
    // A set: checking each id against a list of the ones before was quadratic.
    let mut ids: HashSet<&str> = HashSet::with_capacity(parsed.use_cases.len());
    for uc in &parsed.use_cases {
        check(&file, uc, &ids)?;
        ids.insert(&uc.id);
    }
    Ok(parsed.use_cases)
}

/// The file's text, and how errors name it.
struct Text<'a> {
    text: &'a str,
    origin: Origin,
    shown: &'a str,
}

impl Text<'_> {
    /// `origin 'shown': line L, column C: what`.
    fn fail(&self, at: (usize, usize), what: String) -> Error {
        Error::bad(
            self.origin.clone(),
            self.shown,
            format!("line {}, column {}: {what}", at.0, at.1),
        )
    }

    /// A problem placed at the first place its value appears in the text.
    fn near(&self, needle: &str, what: String) -> Error {
        let quoted = serde_json::to_string(needle).unwrap_or_default();
        let text = self.text;
        // The file may write the value with escapes (`\u00e9`): then its
        // longest plain run, so the place is the value's, not line 1.
        let mut runs: Vec<&str> = needle
            .split(|c: char| !c.is_ascii() || c.is_ascii_control() || c == '"' || c == '\\')
            .filter(|r| r.len() >= 3)
            .collect();
        runs.sort_by_key(|r| std::cmp::Reverse(r.len()));
        let i = text
            .find(&quoted)
            .or_else(|| text.find(needle))
            .or_else(|| runs.iter().find_map(|r| text.find(r)))
            .unwrap_or(0);
        let line = text[..i].matches('\n').count() + 1;
        let column = i - text[..i].rfind('\n').map_or(0, |n| n + 1) + 1;
        self.fail((line, column), what)
    }

    /// The JSON, read against the format: a syntax error or a key the format
    /// does not have, at serde's line and column.
    fn read(&self) -> Result<File, Error> {
        let de = &mut serde_json::Deserializer::from_str(self.text);
        serde_path_to_error::deserialize(de).map_err(|e| {
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
                    self.fail(at, format!("not valid JSON: {message}"))
                }
                _ => self.fail(at, format!("{path}: {message}")),
            }
        })
    }
}

/// What a `{{name}}` that names no value is: the one wording of it.
const UNKNOWN: &str = "neither an input nor a capture of an earlier request";

/// One use case, its id not among the `ids` before it: its id and words,
/// its inputs, then its requests in order, each seeing the inputs and what
/// the requests before it captured.
fn check(file: &Text<'_>, uc: &UseCase, ids: &HashSet<&str>) -> Result<(), Error> {
    let bad =
        |needle: &str, what: String| file.near(needle, format!("use case \"{}\": {what}", uc.id));
    if !is_id(&uc.id) {
        return Err(file.near(&uc.id, format!("\"{}\" is not a use-case id: lower case letters, digits and hyphens, e.g. \"my-approvals\"", uc.id)));
    }
    if ids.contains(&uc.id.as_str()) {
        return Err(bad(&uc.id, "the id is used twice".into()));
    }
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
            return Err(bad(
                &input.name,
                format!(
                    "input \"{}\": from \"user\" is the person's email, so its type is \"email\"",
                    input.name
                ),
            ));
        }
        known.push(&input.name);
    }
    let mut actions: Vec<String> = Vec::new();
    for (i, step) in uc.requests.iter().enumerate() {
        let bad = |needle: &str, what: String| {
            file.near(
                needle,
                format!(
                    "use case \"{}\", request {} (\"{}\"): {what}",
                    uc.id,
                    i + 1,
                    step.name
                ),
            )
        };
        let action = super::action_name(&step.name);
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
        check_step(step, &mut known).map_err(|(needle, what)| bad(needle, what))?;
    }
    for capture in uc.requests.iter().flat_map(|s| &s.captures) {
        let messages = [
            ("if_none", Some(&capture.if_none)),
            ("otherwise", capture.otherwise.as_ref()),
        ];
        for (field, message) in messages {
            let Some(message) = message else { continue };
            for name in references(message) {
                if !known.contains(&name) {
                    return Err(bad(
                        message,
                        format!(
                            "\"{field}\" names {{{{{name}}}}}, which the use case does not know"
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// One request: its path, query and scope, then its captures, which join
/// `known`. A problem is the value at fault and what is wrong with it.
fn check_step<'a>(step: &'a Step, known: &mut Vec<&'a str>) -> Result<(), (&'a str, String)> {
    if !step.path.starts_with(crate::coupa::API_PREFIX) {
        return Err((
            &step.path,
            format!("the path starts with {}", crate::coupa::API_PREFIX),
        ));
    }
    if step.path.contains(['?', '#', ' ']) {
        return Err((
            &step.path,
            "the path holds no query, fragment or space; put query parameters in \"query\"".into(),
        ));
    }
    let templates =
        std::iter::once(step.path.as_str()).chain(step.query.iter().map(|(_, v)| v.as_str()));
    for template in templates {
        for name in references(template) {
            if !known.contains(&name) {
                return Err((template, format!("{{{{{name}}}}} is {UNKNOWN}")));
            }
        }
    }
    if let Some(body) = &step.body {
        if !step.writes() {
            return Err((
                &step.path,
                "a GET sends no body; give the request a \"method\" that writes, or drop \"body\""
                    .into(),
            ));
        }
        if !body.is_object() {
            return Err((&step.path, "\"body\" is a JSON object".into()));
        }
        check_body(body, known)?;
    }
    for (key, _) in &step.query {
        if key.is_empty() || key.contains(['&', '=', '#', ' ']) {
            return Err((key, format!("\"{key}\" is not a query parameter name")));
        }
    }
    if step.scope.is_empty() || step.scope.contains(char::is_whitespace) {
        return Err((
            &step.scope,
            "\"scope\" is one scope, e.g. \"core.expense.read\"".into(),
        ));
    }
    // A pick compares with what is known before this answer comes.
    let earlier = known.len();
    for capture in &step.captures {
        check_pick(capture, step.answer, &known[..earlier])?;
        check_name(&capture.name, known).map_err(|why| {
            (
                capture.name.as_str(),
                format!("capture \"{}\": {why}", capture.name),
            )
        })?;
        if capture.path.is_empty() || capture.path.split('.').any(str::is_empty) {
            return Err((
                &capture.path,
                format!(
                    "capture \"{}\": the path is keys and indexes joined by '.', e.g. \"0.id\"",
                    capture.name
                ),
            ));
        }
        check_count(capture, step.answer)?;
        if !capture.kind.accepts(&capture.example) {
            return Err((
                &capture.example,
                format!(
                    "capture \"{}\": the example is not a {:?}",
                    capture.name, capture.kind
                )
                .to_lowercase(),
            ));
        }
        check_guard(capture)?;
        known.push(&capture.name);
    }
    if let Some(found) = &step.found {
        if step.answer != Answer::List {
            return Err((
                &step.says,
                "\"found\" names a list's records; this request answers one object".into(),
            ));
        }
        for key in std::iter::once(&found.id).chain(&found.title) {
            if key.is_empty() || key.contains('.') {
                return Err((
                    key,
                    "\"found\" names keys of a record, e.g. \"id\" or \"title\"".into(),
                ));
            }
        }
    }
    for name in references(&step.says) {
        if !known.contains(&name) && name != COUNT {
            return Err((&step.says, format!("\"says\" names {{{{{name}}}}}, which is neither an input, a capture nor {{{{count}}}}")));
        }
    }
    Ok(())
}

/// Every string of a body that names a value is exactly one `{{name}}`, of
/// an input or an earlier capture: a value is sent whole, as JSON, never
/// pasted into text.
fn check_body<'a>(body: &'a serde_json::Value, known: &[&str]) -> Result<(), (&'a str, String)> {
    match body {
        serde_json::Value::Object(map) => map.values().try_for_each(|v| check_body(v, known)),
        serde_json::Value::Array(items) => items.iter().try_for_each(|v| check_body(v, known)),
        serde_json::Value::String(s) if s.contains("{{") => match body_reference(s) {
            Some(name) if known.contains(&name) => Ok(()),
            Some(name) => Err((s, format!("{{{{{name}}}}} is {UNKNOWN}"))),
            None => Err((
                s,
                "a body value is a literal or exactly one {{name}}, not text around one".into(),
            )),
        },
        _ => Ok(()),
    }
}

/// The name a body string stands for, when it is exactly `{{name}}`.
pub fn body_reference(s: &str) -> Option<&str> {
    s.strip_prefix("{{")
        .and_then(|s| s.strip_suffix("}}"))
        .filter(|n| is_name(n))
}

/// A path's `#`, a list's length: its last key, of type integer, on a list
/// (the answer itself needs a list answer).
fn check_count(capture: &Capture, answer: Answer) -> Result<(), (&str, String)> {
    let keys: Vec<&str> = capture.path.split('.').collect();
    let Some(at) = keys.iter().position(|k| *k == COUNT_KEY) else {
        return Ok(());
    };
    let name = &capture.name;
    if at + 1 != keys.len() {
        return Err((
            &capture.path,
            format!("capture \"{name}\": \"{COUNT_KEY}\", how many records a list holds, ends the path, e.g. \"{COUNT_KEY}\" or \"0.order-lines.{COUNT_KEY}\""),
        ));
    }
    if capture.kind != Kind::Integer {
        return Err((
            &capture.path,
            format!("capture \"{name}\": a count (\"{COUNT_KEY}\") is of type integer"),
        ));
    }
    if let Some(v) = capture.must_be.iter().find(|v| v.starts_with('-')) {
        return Err((
            &capture.path,
            format!("capture \"{name}\": a count is 0 or more; the guard value {v} can never be met, e.g. \"1\""),
        ));
    }
    if at == 0 && answer != Answer::List {
        return Err((
            &capture.path,
            format!("capture \"{name}\": \"{COUNT_KEY}\" counts a list's records; this request answers one object"),
        ));
    }
    Ok(())
}

/// A capture's pick: it narrows a list, so the answer is a list and the path
/// starts at an index; each key is one key of a record, and each value a
/// literal or exactly one `{{name}}` already known.
fn check_pick<'a>(
    capture: &'a Capture,
    answer: Answer,
    known: &[&str],
) -> Result<(), (&'a str, String)> {
    let name = &capture.name;
    let Some((first, _)) = capture.pick.first() else {
        return Ok(());
    };
    if answer != Answer::List {
        return Err((
            first,
            format!("capture \"{name}\": \"pick\" chooses among a list's records; this request answers one object"),
        ));
    }
    if capture
        .path
        .split('.')
        .next()
        .is_none_or(|k| k != COUNT_KEY && k.parse::<usize>().is_err())
    {
        return Err((
            &capture.path,
            format!("capture \"{name}\": with \"pick\", the path starts at a record of the picked ones, e.g. \"0.id\", or is \"{COUNT_KEY}\", how many"),
        ));
    }
    for (key, value) in &capture.pick {
        if key.is_empty() || key.contains('.') {
            return Err((
                key,
                format!(
                    "capture \"{name}\": \"pick\" names keys of a record, e.g. \"approvable-id\""
                ),
            ));
        }
        match body_reference(value) {
            Some(n) if !known.contains(&n) => {
                return Err((
                    value,
                    format!("capture \"{name}\": \"pick\" names {{{{{n}}}}}, which is {UNKNOWN}"),
                ))
            }
            Some(_) => {}
            None if value.contains("{{") => {
                return Err((
                    value,
                    format!("capture \"{name}\": a \"pick\" value is a literal or exactly one {{{{name}}}}, not text around one"),
                ))
            }
            None => {}
        }
    }
    Ok(())
}

/// A capture's guard: `must_be` and `otherwise` come together, and each
/// value is one the capture can hold.
fn check_guard(capture: &Capture) -> Result<(), (&str, String)> {
    let name = &capture.name;
    match (capture.must_be.is_empty(), &capture.otherwise) {
        (true, None) => return Ok(()),
        (true, Some(otherwise)) => {
            return Err((
                otherwise,
                format!("capture \"{name}\": \"otherwise\" says why a guard stopped the use case; add \"must_be\", the values it goes on with"),
            ))
        }
        (false, None) => {
            return Err((
                name,
                format!("capture \"{name}\": \"must_be\" needs \"otherwise\", what to say when the answer holds another value"),
            ))
        }
        (false, Some(_)) => {}
    }
    match capture.must_be.iter().find(|v| !capture.kind.accepts(v)) {
        Some(value) => Err((
            value,
            format!(
                "capture \"{name}\": \"must_be\" holds a value that is not of type {}",
                capture.kind.as_str()
            ),
        )),
        None => Ok(()),
    }
}

fn is_id(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && !s.ends_with('-')
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
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

#[cfg(test)]
mod tests {
    use super::*;

    /// (what, the file, what the message says)
    #[test]
    fn a_bad_file_is_named_with_its_line_column_and_fault() {
        let ok_step = r#"{"name": "Get x", "description": "d", "path": "/api/x", "scope": "core.x.read", "says": "ok"}"#;
        // A file of one use case whose request captures `s` with these fields too.
        let with_capture = |fields: &str| {
            let step = ok_step.replace(
                r#""says""#,
                &format!(r#""captures": [{{"name": "s", "path": "status", "description": "d", "if_none": "none", {fields}}}], "says""#),
            );
            format!(
                r#"{{"use_cases": [{{"id": "a", "name": "n", "description": "d", "requests": [{step}]}}]}}"#
            )
        };
        let cases: Vec<(&str, String, &str)> = vec![
            ("syntax", "{\"use_cases\": [}".into(), "line 1, column 16: not valid JSON"),
            ("unknown key", format!("{{\"use_cases\": [{{\"id\": \"a\", \"nme\": \"x\", \"description\": \"d\", \"requests\": [{ok_step}]}}]}}"), "unknown field `nme`"),
            ("bad id", format!("{{\"use_cases\": [{{\"id\": \"A b\", \"name\": \"n\", \"description\": \"d\", \"requests\": [{ok_step}]}}]}}"), "is not a use-case id"),
            (
                "unknown reference",
                "{\"use_cases\": [{\"id\": \"a\", \"name\": \"n\", \"description\": \"d\",\n \"requests\": [{\"name\": \"Get x\", \"description\": \"d\", \"path\": \"/api/x/{{nope}}\", \"scope\": \"s\", \"says\": \"ok\"}]}]}".into(),
                "line 2, column 61: use case \"a\", request 1 (\"Get x\"): {{nope}} is neither an input nor a capture",
            ),
            ("a guard without its words", with_capture(r#""type": "string", "example": "x", "must_be": ["pending_approval"]"#), "\"must_be\" needs \"otherwise\""),
            ("words without a guard", with_capture(r#""type": "string", "example": "x", "otherwise": "no""#), "add \"must_be\""),
            ("a guard value of the wrong type", with_capture(r#""type": "integer", "example": "1", "must_be": ["one"], "otherwise": "no""#), "holds a value that is not of type integer"),
            ("a pick on a path that starts at no record", with_capture(r#""type": "string", "example": "x", "pick": {"id": "1"}"#), "with \"pick\", the path starts at a record"),
            ("a pick of an unknown value", with_capture(r#""type": "string", "example": "x", "pick": {"id": "{{nope}}"}"#).replace(r#""path": "status""#, r#""path": "0.status""#), "\"pick\" names {{nope}}, which is neither"),
            ("a pick pasting a value into text", with_capture(r#""type": "string", "example": "x", "pick": {"id": "a{{s}}"}"#).replace(r#""path": "status""#, r#""path": "0.status""#), "a \"pick\" value is a literal or exactly one {{name}}"),
            ("a pick of its own capture", with_capture(r#""type": "string", "example": "x", "pick": {"id": "{{s}}"}"#).replace(r#""path": "status""#, r#""path": "0.status""#), "\"pick\" names {{s}}, which is neither"),
            ("a count inside a path", with_capture(r#""type": "integer", "example": "1""#).replace(r#""path": "status""#, r##""path": "#.id""##), "ends the path"),
            ("a count of another type", with_capture(r#""type": "string", "example": "1""#).replace(r#""path": "status""#, r##""path": "#""##), "a count (\"#\") is of type integer"),
            ("a count of one object", with_capture(r#""type": "integer", "example": "1""#).replace(r#""path": "status""#, r##""path": "#""##).replace(r#""scope""#, r#""answer": "object", "scope""#), "counts a list's records; this request answers one object"),
            ("a count that can never be met", with_capture(r#""type": "integer", "example": "1", "must_be": ["-1"], "otherwise": "no""#).replace(r#""path": "status""#, r##""path": "#""##), "a count is 0 or more"),
            ("a guard value written unlike JSON", with_capture(r#""type": "integer", "example": "1", "must_be": ["007"], "otherwise": "no""#).replace(r#""path": "status""#, r##""path": "#""##), "holds a value that is not of type integer"),
            ("a pick of one object", with_capture(r#""type": "string", "example": "x", "pick": {"id": "1"}"#).replace(r#""path": "status""#, r#""path": "0.status""#).replace(r#""scope""#, r#""answer": "object", "scope""#), "\"pick\" chooses among a list's records; this request answers one object"),
            ("a pick of a deep key", with_capture(r#""type": "string", "example": "x", "pick": {"a.b": "1"}"#).replace(r#""path": "status""#, r#""path": "0.status""#), "\"pick\" names keys of a record"),
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
