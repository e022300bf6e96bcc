//! A use case, run live: its requests in order, each input from `--input`,
//! each capture carried forward and said in words. Writes only with
//! `--allow-writes`, and then only on ids the person gave.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::report::{Facts, Found, Named, Problem, Step, StepKind};
use super::send::{FlowValues, Live};
use super::{exchange_renewing, problem, Credentials};
use crate::error::{Error, Origin};
use crate::kit::{ArgSource, At, Capture, Encoding, Equals, Key, Kit, Pick, Slot, UseCasePlan};
use crate::usecase::{Shown, COUNT};

const INPUT_FLAG: &str = "--input";
const WRITES_FLAG: &str = "--allow-writes";

/// What the person gave for the use cases.
#[derive(Debug, Default)]
pub struct Given {
    pub inputs: BTreeMap<String, String>,
    pub allow_writes: bool,
}

impl Given {
    /// From `--input NAME=VALUE` (repeatable) and `--allow-writes`.
    pub fn parse(inputs: &[String], allow_writes: bool) -> Result<Given, Error> {
        let mut out = BTreeMap::new();
        for raw in inputs {
            let Some((name, value)) = raw.split_once('=') else {
                return Err(Error::bad(
                    Origin::Flag(INPUT_FLAG),
                    raw,
                    "give NAME=VALUE, e.g. --input user_email=alice@example.com",
                ));
            };
            out.insert(name.trim().to_string(), value.to_string());
        }
        Ok(Given {
            inputs: out,
            allow_writes,
        })
    }

    /// Checks the inputs against the kit's use cases before anything is
    /// sent: each one known, each needed one given, each of its type.
    pub fn check(&self, kit: &Kit<'_>) -> Result<(), Error> {
        if kit.use_cases.is_empty() {
            if let Some(name) = self.inputs.keys().next() {
                return Err(Error::bad(
                    Origin::Flag(INPUT_FLAG),
                    name,
                    "is for a use case; add --use-case ID (`coupagen use-cases` lists them)",
                ));
            }
            if self.allow_writes {
                return Err(Error::input(
                    Origin::Flag(WRITES_FLAG),
                    "is for a use case that changes Coupa data; add --use-case ID, or drop it",
                ));
            }
            return Ok(());
        }
        let known: Vec<&str> = kit
            .use_cases
            .iter()
            .flat_map(|u| u.inputs())
            .map(|a| a.name)
            .collect();
        if let Some(name) = self.inputs.keys().find(|n| !known.contains(&n.as_str())) {
            return Err(Error::bad(
                Origin::Flag(INPUT_FLAG),
                name,
                format!(
                    "no use case of this kit takes it; their inputs: {}",
                    known.join(", ")
                ),
            ));
        }
        for uc in kit
            .use_cases
            .iter()
            .filter(|u| !u.writes() || self.allow_writes)
        {
            for arg in uc.inputs() {
                let Some(value) = self.inputs.get(arg.name) else {
                    if arg.required {
                        return Err(Error::input(
                            Origin::Flag(INPUT_FLAG),
                            format!("{0} is missing: the use case {1} needs it ({2}), e.g. --input {0}={3}", arg.name, uc.id, arg.description, arg.example),
                        ));
                    }
                    continue;
                };
                // As for credentials: a pasted space is not part of the value.
                if value.trim() != value {
                    return Err(Error::bad(
                        Origin::Flag(INPUT_FLAG),
                        &format!("{}={value}", arg.name),
                        format!(
                            "{} has surrounding whitespace (a pasted space or newline); give it without, e.g. --input {}={}",
                            arg.name,
                            arg.name,
                            value.trim()
                        ),
                    ));
                }
                if !arg.kind.accepts(value) {
                    return Err(Error::bad(
                        Origin::Flag(INPUT_FLAG),
                        &format!("{}={value}", arg.name),
                        format!(
                            "{} is {}: {}, e.g. {}",
                            arg.name,
                            arg.kind.as_str(),
                            arg.description,
                            arg.example
                        ),
                    ));
                }
                if !arg.values.is_empty() && !arg.values.contains(value) {
                    return Err(Error::bad(
                        Origin::Flag(INPUT_FLAG),
                        &format!("{}={value}", arg.name),
                        format!("give one of: {}", arg.values.join(", ")),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Why a use case ended before its last request.
enum End {
    /// The answer held nothing, and that is a failure (no such user).
    Fails(String),
    /// The answer held nothing to go on with (nothing pending).
    Quiet(String),
    /// A guard: the answer held a value the use case does not go on with.
    Guard(String),
}

/// A step that was not sent, and why.
fn skipped(name: String, said: String) -> Step {
    Step {
        kind: StepKind::Call,
        name,
        elapsed_ms: 0,
        facts: Facts::Http {
            answer: None,
            found: None,
        },
        problem: None,
        said: Some(said),
        skipped: true,
    }
}

/// The answer as `capture`'s path reads it: with a pick, only the list's
/// records whose keys hold the pick's values, compared as text (Coupa's
/// ids are numbers, inputs text; a list or an object holds no such value,
/// in every runner); an answer that is no list holds none.
fn picked<'j>(
    json: &'j serde_json::Value,
    capture: &Capture,
    args: &BTreeMap<String, String>,
) -> Cow<'j, serde_json::Value> {
    if capture.pick.is_empty() {
        return Cow::Borrowed(json);
    }
    let holds = |record: &serde_json::Value, pick: &Pick| {
        let want = match &pick.equals {
            Equals::Text(text) => Some(text.as_str()),
            Equals::Slot(slot) => args.get(slot.name()).map(String::as_str),
        };
        let have = record
            .get(&pick.key)
            .filter(|v| !v.is_array() && !v.is_object())
            .and_then(as_text);
        match (have, want) {
            (Some(have), Some(want)) => have == want,
            _ => false,
        }
    };
    let records = json.as_array().map_or_else(Vec::new, |list| {
        list.iter()
            .filter(|r| capture.pick.iter().all(|p| holds(r, p)))
            .cloned()
            .collect()
    });
    Cow::Owned(serde_json::Value::Array(records))
}

/// The value at `path` (`0.approvable-id`) of an answer, as text.
fn dig(json: &serde_json::Value, capture: &Capture) -> Option<String> {
    let mut found = json;
    for key in capture.keys() {
        found = match key {
            Key::Index(i) => found.get(i)?,
            Key::Name(k) => found.get(k)?,
            // Last in a path (the use-case file's rule): how many records.
            Key::Count => return found.as_array().map(|list| list.len().to_string()),
        };
    }
    match found {
        serde_json::Value::String(s) if s.is_empty() => None,
        other => as_text(other).map(Cow::into_owned),
    }
}

/// A value of an answer as the runners compare and keep it: a string as
/// it is, a number or boolean as its JSON text (an integer's digits, as
/// jq's `tostring` and JavaScript's `String` write them; serde_json's
/// `PartialEq<str>` meets no number), null as nothing.
fn as_text(value: &serde_json::Value) -> Option<Cow<'_, str>> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(Cow::Borrowed(s)),
        other => Some(Cow::Owned(other.to_string())),
    }
}

/// How many of a list's records a step names: enough to choose from.
const NAMED: usize = 5;

/// The first records of a list, each by its id and title.
fn named(records: &[serde_json::Value], shown: &Shown) -> Vec<Named> {
    let text = |record: &serde_json::Value, key: &str| {
        record.get(key).and_then(as_text).map(Cow::into_owned)
    };
    records
        .iter()
        .take(NAMED)
        .map(|r| Named {
            id: text(r, &shown.id).unwrap_or_else(|| "?".into()),
            title: shown.title.as_deref().and_then(|key| text(r, key)),
        })
        .collect()
}

/// `5001 "Berlin offsite", 5002 "Q3 travel" and 3 more`.
fn listed(first: &[Named], count: usize) -> String {
    let each: Vec<String> = first
        .iter()
        .map(|r| match &r.title {
            Some(title) => format!("{} {title:?}", r.id),
            None => r.id.clone(),
        })
        .collect();
    match count.saturating_sub(first.len()) {
        0 => each.join(", "),
        more => format!("{} and {more} more", each.join(", ")),
    }
}

/// When the answer holds a record but `capture`'s path names a key no
/// object on the way has: the path is wrong, not the inputs. The path up to
/// that object, and its keys.
fn path_misses(json: &serde_json::Value, capture: &Capture) -> Option<(String, Vec<String>)> {
    let mut at = json;
    for key in capture.keys() {
        at = match (key, at) {
            (Key::Name(k), serde_json::Value::Object(map)) => match map.get(k) {
                Some(v) => v,
                None => return Some((capture.path.clone(), map.keys().cloned().collect())),
            },
            (Key::Index(i), serde_json::Value::Array(list)) => list.get(i)?,
            // A count reads no key; a key of the wrong kind is `dig`'s miss.
            (Key::Count, _) | (Key::Name(_) | Key::Index(_), _) => return None,
        };
    }
    None
}

/// When the answer holds records but a key `capture`'s pick names is in
/// none of them: the pick is wrong, not the inputs (a pick that keeps no
/// record otherwise says only "none found"). That key, and the first
/// record's keys.
fn pick_misses(json: &serde_json::Value, capture: &Capture) -> Option<(String, Vec<String>)> {
    let records = json.as_array()?;
    let first = records.iter().find_map(serde_json::Value::as_object)?;
    capture
        .pick
        .iter()
        .find(|p| !records.iter().any(|r| r.get(&p.key).is_some()))
        .map(|p| (p.key.clone(), first.keys().cloned().collect()))
}

/// Keys, at most a screenful of them.
fn cut_list(keys: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut out = keys
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if keys.len() > SHOWN {
        out.push_str(&format!(" and {} more", keys.len() - SHOWN));
    }
    out
}

/// A use case's message with the values it names.
fn say(uc: &UseCasePlan, template: &str, live: &Live<'_>, count: Option<usize>) -> String {
    let template = match count {
        Some(n) => template.replace(&format!("{{{{{COUNT}}}}}"), &n.to_string()),
        None => template.to_string(),
    };
    uc.message(&template).text(At::Header, live, Encoding::Raw)
}

/// How a use case's run ended, for a runner that acts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// Every request answered as expected.
    Done,
    /// A write, and writes were not allowed: nothing was sent.
    NotRun,
    /// A request failed (its step holds the problem).
    Failed,
    /// An answer held nothing to go on with (nothing pending).
    Empty,
    /// A guard stopped it (an approval that is not pending).
    Guarded,
}

/// A use case's run: its steps, the last answer's JSON, and how it ended.
pub struct Ran {
    pub steps: Vec<Step>,
    pub answer: Option<serde_json::Value>,
    pub ended: Ended,
}

pub fn run(
    agent: &ureq::Agent,
    kit: &Kit<'_>,
    creds: &Credentials,
    values: &mut FlowValues,
    uc: &UseCasePlan,
    given: &Given,
) -> Ran {
    if uc.writes() && !given.allow_writes {
        return Ran {
            steps: vec![skipped(
                format!("{}: not run", uc.id),
                format!(
                    "it changes Coupa data; {WRITES_FLAG} runs it, on the ids given with {INPUT_FLAG}"
                ),
            )],
            answer: None,
            ended: Ended::NotRun,
        };
    }
    for arg in uc.inputs() {
        match given.inputs.get(arg.name) {
            Some(v) => values.args.insert(arg.name.to_owned(), v.clone()),
            None => values.args.remove(arg.name),
        };
    }
    let mut steps = Vec::new();
    let mut answer = None;
    let mut ended_as = Ended::Done;
    for req in &uc.requests {
        let label = |name: &str| format!("{}: {name}", uc.id);
        // A write acts only on what the person named, or on what this use
        // case itself just created, never on a value a read supplied.
        let read_from_coupa = |slot: &Slot| match slot {
            Slot::Captured(name) => !matches!(
                uc.arg(name).map(|a| &a.source),
                Some(ArgSource::Captured { request }) if uc.requests[*request].method.writes()
            ),
            _ => false,
        };
        if let (true, Some(Slot::Captured(name))) = (
            req.method.writes(),
            req.slots().into_iter().find(read_from_coupa),
        ) {
            steps.push(Step {
                problem: Some(problem(
                    format!("\"{}\" would change Coupa data on {name}, a value taken from an earlier answer", req.name),
                    format!("verify writes only on ids given with {INPUT_FLAG}; make {name} an input of the use case"),
                )),
                skipped: false,
                ..skipped(label(&req.name), String::new())
            });
            ended_as = Ended::Failed;
            break;
        }
        let (mut step, json) = exchange_renewing(agent, req, kit, creds, values, None);
        step.name = label(&step.name);
        let Some(json) = json.filter(|_| step.ok()) else {
            steps.push(step);
            ended_as = Ended::Failed;
            break;
        };
        let mut ended: Option<End> = None;
        let mut misses = None;
        for capture in &req.captures {
            let Some(arg) = uc.arg(&capture.name) else {
                continue;
            };
            if let Some((key, keys)) = pick_misses(&json, capture) {
                misses = Some(problem(
                    format!("Coupa answered with records, but the capture {} picks by the key {key}, which none of them has; a record's keys: {}", capture.name, cut_list(&keys)),
                    format!("fix the pick of the capture {} in the use-case file: a key of the record, e.g. {}", capture.name, keys.first().map_or("id", String::as_str)),
                ));
                break;
            }
            let json = picked(&json, capture, &values.args);
            if let Some((path, keys)) = path_misses(&json, capture) {
                misses = Some(problem(
                    format!("Coupa answered with a record, but the capture {} has the path {path}, which matches nothing in it; the record's keys: {}", capture.name, cut_list(&keys)),
                    format!("fix the path of the capture {} in the use-case file: a key of the record, e.g. 0.{}", capture.name, keys.first().map_or("id", String::as_str)),
                ));
                break;
            }
            let Some(v) = dig(&json, capture) else {
                values.args.remove(arg.name);
                let live = Live { kit, creds, values };
                let message = say(uc, &capture.if_none, &live, None);
                ended = Some(match capture.fails {
                    true => End::Fails(message),
                    false => End::Quiet(message),
                });
                break;
            };
            let stopped = !capture.must_be.is_empty() && !capture.must_be.contains(&v);
            let saw = format!(
                "{} is {v:?}, not {}",
                arg.name,
                capture.must_be.join(" or ")
            );
            values.args.insert(arg.name.to_owned(), v);
            if stopped {
                let live = Live { kit, creds, values };
                ended = Some(End::Guard(format!(
                    "{} ({saw})",
                    say(uc, &capture.otherwise, &live, None)
                )));
                break;
            }
        }
        let count = json.as_array().map(Vec::len);
        let n = uc
            .requests
            .iter()
            .position(|r| std::ptr::eq(r, req))
            .unwrap_or(0);
        if let Some(p) = misses {
            step.problem = Some(p);
            steps.push(step);
            ended_as = Ended::Failed;
            break;
        }
        match ended {
            Some(End::Fails(message)) => {
                step.problem = Some(Problem {
                    cause: format!("{message} (Coupa answered 200 with nothing: not an error to Coupa, but the end of the use case)"),
                    fix: format!("check the values given with {INPUT_FLAG}"),
                });
                steps.push(step);
                ended_as = Ended::Failed;
                break;
            }
            Some(End::Quiet(message)) => {
                step.say(format!(
                    "{message}; the rest of the use case has nothing to act on"
                ));
                steps.push(step);
                answer = Some(json);
                ended_as = Ended::Empty;
                break;
            }
            Some(End::Guard(message)) => {
                step.say(format!(
                    "stopped: {message}; the rest of the use case is not sent"
                ));
                steps.push(step);
                ended_as = Ended::Guarded;
                break;
            }
            None => {
                let live = Live { kit, creds, values };
                let mut said = say(uc, &uc.says[n], &live, count);
                let records = json.as_array().filter(|r| !r.is_empty());
                if let (Some(records), Some(shown)) = (records, &uc.found[n]) {
                    let first = named(records, shown);
                    said.push_str(&format!(": {}", listed(&first, records.len())));
                    if let Facts::Http { found, .. } = &mut step.facts {
                        *found = Some(Found::Records(records.len(), first));
                    }
                }
                step.say(said);
                steps.push(step);
                answer = Some(json);
            }
        }
    }
    Ran {
        steps,
        answer,
        ended: ended_as,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A list whose records a pick keeps by `k`, first the id, then how many.
    const FILE: &str = r##"{"use_cases": [{"id": "a", "name": "n", "description": "d",
      "inputs": [{"name": "report", "type": "integer", "description": "d", "example": "1", "from": "said"}],
      "requests": [{"name": "List x", "description": "d", "path": "/api/x", "scope": "core.x.read", "says": "ok",
        "captures": [
          {"name": "id", "path": "0.id", "type": "integer", "description": "d", "example": "1", "pick": {"k": "{{report}}"}},
          {"name": "n", "path": "#", "type": "integer", "description": "d", "example": "1", "pick": {"k": "{{report}}"}}]}]}]}"##;

    #[test]
    fn a_pick_compares_scalars_as_text_and_a_count_counts_what_it_kept() {
        let uc = &crate::usecase::parse(FILE, Origin::Flag("--use-case-file"), "x").unwrap()[0];
        let plan = UseCasePlan::plan(uc);
        let (id, n) = (plan.capture("id").unwrap(), plan.capture("n").unwrap());
        let args = BTreeMap::from([("report".to_string(), "1002".to_string())]);
        let answer = json!([
            {"k": [1002], "id": 1}, {"k": {"a": 1002}, "id": 2}, {"k": null, "id": 3},
            {"k": "1002", "id": 4}, {"k": 1002, "id": 5}, {"id": 6}, "no record",
            {"k": 10020, "id": 7}
        ]);
        let read = |c: &Capture, json: &serde_json::Value, args: &BTreeMap<String, String>| {
            dig(&picked(json, c, args), c)
        };
        assert_eq!(
            read(id, &answer, &args).as_deref(),
            Some("4"),
            "the text 1002 first"
        );
        assert_eq!(
            read(n, &answer, &args).as_deref(),
            Some("2"),
            "text and number"
        );
        let unset = BTreeMap::new();
        assert_eq!(
            read(n, &answer, &unset).as_deref(),
            Some("0"),
            "an unset value picks none"
        );
        assert_eq!(read(id, &answer, &unset), None);
        let one = json!({"k": "1002", "id": 9});
        assert_eq!(
            read(n, &one, &args).as_deref(),
            Some("0"),
            "no list, no record"
        );
    }

    #[test]
    fn a_pick_key_no_record_has_is_named_with_the_records_keys() {
        let uc = &crate::usecase::parse(FILE, Origin::Flag("--use-case-file"), "x").unwrap()[0];
        let plan = UseCasePlan::plan(uc);
        let id = plan.capture("id").unwrap();
        let misses = pick_misses(&json!([{"id": 1, "kk": 2}, {"id": 2}]), id);
        assert_eq!(misses, Some(("k".into(), vec!["id".into(), "kk".into()])));
        assert_eq!(
            pick_misses(&json!([{"k": 1}, {"id": 2}]), id),
            None,
            "one record has it"
        );
        assert_eq!(
            pick_misses(&json!([]), id),
            None,
            "no record: none found, not a typo"
        );
    }
}
