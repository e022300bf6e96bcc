//! A tool call, run through verify's sending core: its arguments checked
//! (a bad one is an invalid-params error naming it), the use case or list
//! sent, and the answer shaped as the result: the records trimmed to the
//! fields asked for and bounded in size, or Coupa's failure with verify's
//! cause and fix.

use std::collections::BTreeMap;

use rmcp::model::{CallToolResult, JsonObject};
use rmcp::ErrorData;
use serde_json::{json, Value as J};

use super::schema::{arg, MAX_LIMIT};
use super::tools::{Def, Target};
use crate::coupa;
use crate::kit::{ArgSource, Kit, Request, UseCasePlan, Value};
use crate::verify::{scrub, Ended, Problem, Session};

/// The most of a result's JSON a call hands back; records past it are left
/// off (and `more` says so): assistants choke on larger answers.
pub const MAX_RESULT: usize = 64 << 10;

/// What a call asks for, checked.
pub enum Call<'a> {
    UseCase(BTreeMap<String, String>),
    Resource(Box<Request<'a>>),
}

fn invalid(name: &str, why: impl std::fmt::Display) -> ErrorData {
    ErrorData::invalid_params(
        format!("argument {name}: {why}"),
        Some(json!({"argument": name})),
    )
}

/// A JSON argument as the text a request carries.
fn text(v: &J) -> Option<String> {
    match v {
        J::String(s) => Some(s.clone()),
        J::Number(n) => Some(n.to_string()),
        J::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The call's arguments checked against the tool's inputs.
pub fn check<'k>(
    kit: &Kit<'k>,
    def: &Def,
    args: Option<JsonObject>,
    user_email: Option<&str>,
) -> Result<Call<'k>, ErrorData> {
    let args = args.unwrap_or_default();
    match def.target {
        Target::UseCase(n) => use_case(&kit.use_cases[n], args, user_email).map(Call::UseCase),
        Target::Resource(n) => resource(&kit.calls[n], args).map(|r| Call::Resource(Box::new(r))),
    }
}

fn use_case(
    uc: &UseCasePlan,
    args: JsonObject,
    user_email: Option<&str>,
) -> Result<BTreeMap<String, String>, ErrorData> {
    let inputs: Vec<_> = uc.inputs().collect();
    if let Some(name) = args.keys().find(|k| !inputs.iter().any(|a| a.name == *k)) {
        let known: Vec<&str> = inputs.iter().map(|a| a.name).collect();
        return Err(invalid(
            name,
            format!("this tool takes none such; it takes: {}", known.join(", ")),
        ));
    }
    let mut out = BTreeMap::new();
    for a in inputs {
        let given = match args.get(a.name) {
            Some(v) => Some(text(v).ok_or_else(|| {
                invalid(
                    a.name,
                    format!("is {}, e.g. {}", a.kind.as_str(), a.example),
                )
            })?),
            None if a.source == ArgSource::User => user_email.map(str::to_string),
            None => None,
        };
        let Some(value) = given else {
            if a.required {
                return Err(invalid(
                    a.name,
                    format!("is missing: {}, e.g. {}", a.description, a.example),
                ));
            }
            continue;
        };
        if value.trim() != value {
            return Err(invalid(
                a.name,
                "has surrounding whitespace; give it without",
            ));
        }
        if !a.kind.accepts(&value) {
            return Err(invalid(
                a.name,
                format!(
                    "is {}: {}, e.g. {}",
                    a.kind.as_str(),
                    a.description,
                    a.example
                ),
            ));
        }
        if !a.values.is_empty() && !a.values.contains(&value) {
            return Err(invalid(
                a.name,
                format!("give one of: {}", a.values.join(", ")),
            ));
        }
        out.insert(a.name.to_string(), value);
    }
    Ok(out)
}

/// A number argument in `range`, or the default.
fn number(
    args: &JsonObject,
    name: &str,
    range: std::ops::RangeInclusive<u64>,
) -> Result<Option<u64>, ErrorData> {
    match args.get(name) {
        None => Ok(None),
        Some(v) => v
            .as_u64()
            .filter(|n| range.contains(n))
            .map(Some)
            .ok_or_else(|| {
                invalid(
                    name,
                    format!(
                        "give a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                )
            }),
    }
}

/// A filter key as Coupa writes them: `status`, `updated-at[gt]`,
/// `supplier[name][contains]`.
fn filter_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '[' | ']' | '.'))
}

fn resource<'a>(kit_request: &Request<'a>, args: JsonObject) -> Result<Request<'a>, ErrorData> {
    let own = [arg::LIMIT, arg::OFFSET, arg::FILTERS, arg::FIELDS];
    if let Some(name) = args.keys().find(|k| !own.contains(&k.as_str())) {
        return Err(invalid(
            name,
            format!("this tool takes none such; it takes: {}", own.join(", ")),
        ));
    }
    let mut req = kit_request.clone();
    let mut set = |key: &str, value: String| {
        req.query.retain(|(k, _)| k != key);
        req.query.push((key.to_string(), Value::lit(value)));
    };
    if let Some(limit) = number(&args, arg::LIMIT, 1..=MAX_LIMIT)? {
        set(arg::LIMIT, limit.to_string());
    }
    if let Some(offset) = number(&args, arg::OFFSET, 0..=u64::from(u32::MAX))? {
        set(arg::OFFSET, offset.to_string());
    }
    match args.get(arg::FIELDS) {
        None => {}
        Some(J::String(f)) if serde_json::from_str::<Vec<J>>(f).is_ok() => {
            set(arg::FIELDS, f.clone())
        }
        Some(_) => {
            return Err(invalid(
                arg::FIELDS,
                r#"give Coupa's JSON list as a string, e.g. ["id","status"]"#,
            ))
        }
    }
    match args.get(arg::FILTERS) {
        None => {}
        Some(J::Object(filters)) => {
            for (key, value) in filters {
                let reserved = [
                    arg::LIMIT,
                    arg::OFFSET,
                    arg::FIELDS,
                    coupa::query::RETURN_OBJECT,
                ];
                if !filter_key(key) || reserved.contains(&key.as_str()) {
                    return Err(invalid(
                        arg::FILTERS,
                        format!("{key:?} is not a filter; give attribute[operator], e.g. status or updated-at[gt]"),
                    ));
                }
                let Some(value) = text(value) else {
                    return Err(invalid(
                        arg::FILTERS,
                        format!("{key}: give the value as a string"),
                    ));
                };
                set(key, value);
            }
        }
        Some(_) => {
            return Err(invalid(
                arg::FILTERS,
                "give an object of attribute[operator] to value",
            ))
        }
    }
    Ok(req)
}

/// The limit a request asks Coupa for (Coupa's page when it names none).
fn limit_of(req: &Request) -> usize {
    req.query
        .iter()
        .find(|(k, _)| k == arg::LIMIT)
        .and_then(|(_, v)| v.literal()?.parse().ok())
        .unwrap_or(MAX_LIMIT as usize)
}

/// The `fields` a request names, as Coupa's JSON list.
fn fields_of(req: &Request) -> Option<Vec<J>> {
    let (_, v) = req.query.iter().find(|(k, _)| k == arg::FIELDS)?;
    serde_json::from_str(v.literal()?).ok()
}

/// A record with only the fields named (`"id"`, `{"supplier": ["name"]}`).
pub fn trim(record: &J, fields: &[J]) -> J {
    let (J::Object(map), false) = (record, fields.is_empty()) else {
        return record.clone();
    };
    let mut out = serde_json::Map::new();
    for f in fields {
        match f {
            J::String(key) => {
                if let Some(v) = map.get(key) {
                    out.insert(key.clone(), v.clone());
                }
            }
            J::Object(nested) => {
                for (key, inner) in nested {
                    let inner: &[J] = inner.as_array().map_or(&[], Vec::as_slice);
                    let trimmed = match map.get(key) {
                        Some(J::Array(items)) => {
                            J::Array(items.iter().map(|i| trim(i, inner)).collect())
                        }
                        Some(v) => trim(v, inner),
                        None => continue,
                    };
                    out.insert(key.clone(), trimmed);
                }
            }
            _ => {}
        }
    }
    J::Object(out)
}

/// The records of an answer, trimmed and bounded, with the count and
/// whether more pages exist.
fn records(answer: Option<J>, req: &Request, said: Option<String>) -> J {
    let limit = limit_of(req);
    let fields = fields_of(req).unwrap_or_default();
    let (mut records, list) = match answer {
        Some(J::Array(items)) => (items, true),
        Some(J::Null) | None => (Vec::new(), false),
        Some(one) => (vec![one], false),
    };
    let mut more = list && records.len() >= limit;
    for r in &mut records {
        *r = trim(r, &fields);
    }
    let count = records.len();
    while !records.is_empty() && J::Array(records.clone()).to_string().len() > MAX_RESULT {
        records.pop();
        more = true;
    }
    let mut out = json!({"count": count, "more": more, "records": records});
    if records.len() < count {
        out["shown"] = records.len().into();
    }
    if let Some(said) = said {
        out["said"] = said.into();
    }
    out
}

/// A result whose text and structure hold nothing secret.
fn result(value: J, error: bool, secrets: &[String]) -> CallToolResult {
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let text = scrub(&value.to_string(), &secrets);
    let value = serde_json::from_str(&text).unwrap_or(J::String(text));
    match error {
        false => CallToolResult::structured(value),
        true => CallToolResult::structured_error(value),
    }
}

fn failure(p: &Problem, step: Option<&str>) -> J {
    let mut out = json!({"error": "Coupa did not do it", "cause": p.cause, "fix": p.fix});
    if let Some(step) = step {
        out["request"] = step.into();
    }
    out
}

/// Runs a checked call; every outcome a result, Coupa's failures too.
pub fn run(
    session: &mut Session<'_>,
    kit: &Kit<'_>,
    def: &Def,
    call: Call,
    allow_writes: bool,
) -> CallToolResult {
    let value = match (def.target, call) {
        (Target::UseCase(n), Call::UseCase(inputs)) => {
            let uc = &kit.use_cases[n];
            match session.use_case(uc, inputs, allow_writes) {
                Err(p) => Err(failure(&p, None)),
                Ok(ran) => {
                    let last = ran.steps.last();
                    let said = last.and_then(|s| s.said.clone());
                    match ran.ended {
                        Ended::Done | Ended::Empty => {
                            let req = &uc.requests[ran.steps.len().saturating_sub(1)];
                            Ok(records(ran.answer, req, said))
                        }
                        Ended::Guarded => Err(json!({
                            "error": "stopped by the use case's guard: nothing was changed",
                            "said": said,
                        })),
                        Ended::NotRun => Err(json!({"error": said})),
                        Ended::Failed => Err(
                            match last.and_then(|s| s.problem.as_ref().map(|p| (s, p))) {
                                Some((s, p)) => failure(p, Some(&s.name)),
                                None => json!({"error": "the use case failed", "said": said}),
                            },
                        ),
                    }
                }
            }
        }
        (Target::Resource(_), Call::Resource(req)) => match session.list(&req) {
            Err(p) => Err(failure(&p, None)),
            Ok(listed) => match &listed.step.problem {
                Some(p) => Err(failure(p, Some(&listed.step.name))),
                None => Ok(records(listed.answer, &req, None)),
            },
        },
        _ => Err(json!({"error": "the arguments do not fit this tool; this is a bug"})),
    };
    let secrets = session.secrets();
    match value {
        Ok(v) => result(v, false, &secrets),
        Err(v) => result(v, true, &secrets),
    }
}
