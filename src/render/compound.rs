//! Agent Studio's compound action for a use case: the YAML that chains its
//! HTTP actions, each input argument a reference in Moveworks' DSL (the
//! person's email, the compound action's own input, an earlier step's
//! answer). Built as data and written by the same YAML emitter as OpenAPI.

use serde_json::{json, Map, Value as Json};

use super::escape::{json_text, yaml_document};
use super::Artifact;
use crate::kit::{ArgSource, Capture, Equals, Key, Kit, UseCasePlan};
use crate::usecase::action_name;

/// Where the bundle writes a use case's compound action.
pub fn path(uc: &UseCasePlan) -> String {
    format!("{FOLDER}/{}.yaml", uc.id)
}

/// The bundle's folder of compound actions.
pub const FOLDER: &str = "agent-studio";

/// The DSL reference to the person's email in Agent Studio.
const USER_EMAIL: &str = "meta_info.user.email_addr";

/// An action's output key: its name without `coupa_`.
fn output_key(name: &str) -> String {
    let action = action_name(name);
    action.trim_start_matches("coupa_").to_string()
}

/// A list's length in the DSL, for a path's `#`. The DSL pages we read
/// document no length function; the sheet says so beside the YAML.
const LENGTH: &str = ".$LENGTH()";

/// A key as a DSL member access: `.title`, or `["approvable-id"]`.
fn member(key: &str) -> String {
    match crate::usecase::is_name(key) {
        true => format!(".{key}"),
        false => format!("[{}]", json_text(&Json::from(key))),
    }
}

/// A capture's path as a DSL member access: `0.approvable-id` is
/// `[0]["approvable-id"]`, `title` is `.title`. A pick first keeps the
/// records that hold its values, with the DSL's `$FILTER` and a lambda
/// (Moveworks' Data Mapper examples).
fn access(uc: &UseCasePlan, capture: &Capture) -> String {
    let filter = match capture.pick.as_slice() {
        [] => String::new(),
        picks => {
            let each: Vec<String> = picks
                .iter()
                .map(|p| {
                    let want = match &p.equals {
                        Equals::Text(text) => json_text(&Json::from(text.as_str())),
                        Equals::Slot(slot) => reference(uc, slot.name()),
                    };
                    format!("x{} == {want}", member(&p.key))
                })
                .collect();
            format!(".$FILTER(x => {})", each.join(" AND "))
        }
    };
    let path: String = capture
        .keys()
        .into_iter()
        .map(|k| match k {
            Key::Index(i) => format!("[{i}]"),
            Key::Name(k) => member(k),
            Key::Count => LENGTH.into(),
        })
        .collect();
    filter + &path
}

/// The DSL reference to a use case's value: the person's email, the
/// compound action's own input, or an earlier action's answer.
fn reference(uc: &UseCasePlan, name: &str) -> String {
    match uc.arg(name).map(|a| &a.source) {
        Some(ArgSource::User) => USER_EMAIL.to_string(),
        Some(ArgSource::Captured { request }) => format!(
            "data.{}{}",
            output_key_of(uc, *request),
            uc.capture(name).map(|c| access(uc, c)).unwrap_or_default()
        ),
        Some(ArgSource::Said) | None => format!("data.{name}"),
    }
}

/// The compound action's YAML.
pub fn yaml(uc: &UseCasePlan) -> String {
    let mut steps: Vec<Json> = Vec::new();
    let mut outputs = Map::new();
    for req in &uc.requests {
        let output_key = output_key(&req.name);
        let input_args: Map<String, Json> = uc
            .args_of(req)
            .into_iter()
            .map(|arg| (arg.name.to_string(), Json::String(reference(uc, arg.name))))
            .collect();
        let mut action = Map::new();
        action.insert("action_name".into(), json!(action_name(&req.name)));
        action.insert("output_key".into(), json!(output_key));
        if !input_args.is_empty() {
            action.insert("input_args".into(), Json::Object(input_args));
        }
        action.insert(
            "progress_updates".into(),
            json!({
                "on_pending": format!("{}…", req.name),
                "on_complete": format!("{}: done", req.name),
            }),
        );
        steps.push(json!({ "action": action }));
        steps.extend(
            req.captures
                .iter()
                .filter_map(|c| guard(uc, &output_key, c)),
        );
        outputs.insert(output_key.clone(), json!(format!("data.{output_key}")));
    }
    steps.push(json!({ "return": { "output_mapper": outputs } }));
    yaml_document(&json!({ "steps": steps }))
}

/// A capture's guard as a `switch` whose one case raises: when the answer
/// holds a value the use case does not go on with, Agent Studio stops
/// before the next action, as every other runner does.
fn guard(uc: &UseCasePlan, output_key: &str, capture: &Capture) -> Option<Json> {
    if capture.must_be.is_empty() {
        return None;
    }
    let value = format!("data.{output_key}{}", access(uc, capture));
    // A number or boolean is the DSL's own literal (a count is `1`, not "1");
    // the use-case file's check keeps each guard value of its capture's type.
    let typed = uc.arg(&capture.name).is_some_and(|a| a.kind.is_literal());
    let literal = |v: &str| match typed {
        true => v.to_string(),
        false => json_text(&Json::from(v)),
    };
    let condition = capture
        .must_be
        .iter()
        .map(|v| format!("{value} != {}", literal(v)))
        .collect::<Vec<_>>()
        .join(" AND ");
    let message = format!(
        "stopped: {} is not {}; the rest of the use case is not sent",
        capture.name,
        capture.must_be.join(" or ")
    );
    Some(json!({ "switch": { "cases": [{
        "condition": condition,
        "steps": [{ "raise": { "output_key": format!("{}_stopped", capture.name), "message": message } }],
    }] } }))
}

fn output_key_of(uc: &UseCasePlan, request: usize) -> String {
    output_key(&uc.requests[request].name)
}

/// Every use case's compound action, as files of the bundle.
pub fn files(kit: &Kit<'_>) -> Vec<Artifact> {
    kit.use_cases
        .iter()
        .map(|uc| Artifact {
            path: path(uc),
            text: yaml(uc),
            executable: false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Origin;

    /// A use case whose second request picks by an input.
    const PICKS: &str = r#"{"use_cases": [{"id": "a", "name": "n", "description": "d",
      "inputs": [{"name": "report", "type": "integer", "description": "d", "example": "1", "from": "said"}],
      "requests": [
        {"name": "List x", "description": "d", "path": "/api/x", "scope": "core.x.read", "says": "ok",
         "captures": [
           {"name": "a", "path": "0.id", "type": "integer", "description": "d", "example": "1"},
           {"name": "b", "path": "0.approvable-id", "type": "integer", "description": "d", "example": "1"},
           {"name": "c", "path": "1.title", "type": "string", "description": "d", "example": "1",
            "pick": {"approvable-id": "{{report}}", "status": "pending_approval"}}]}]}]}"#;

    #[test]
    fn answer_paths_become_dsl_member_access() {
        let uc = &crate::usecase::parse(PICKS, Origin::Flag("--use-case-file"), "x").unwrap()[0];
        let plan = UseCasePlan::plan(uc);
        let at = |name: &str| access(&plan, plan.capture(name).unwrap());
        assert_eq!(at("a"), "[0].id");
        assert_eq!(at("b"), r#"[0]["approvable-id"]"#);
        assert_eq!(
            at("c"),
            r#".$FILTER(x => x["approvable-id"] == data.report AND x.status == "pending_approval")[1].title"#
        );
    }

    /// A DSL string holds its value whole through the YAML: DEL and C1 are
    /// `\u` escapes, not characters a YAML scalar turns into spaces.
    #[test]
    fn a_picked_value_keeps_del_and_c1_through_the_yaml() {
        let text = PICKS.replace("pending_approval", "a\\u007fb\\u0085c");
        let uc = &crate::usecase::parse(&text, Origin::Flag("--use-case-file"), "x").unwrap()[0];
        let plan = UseCasePlan::plan(uc);
        assert!(
            access(&plan, plan.capture("c").unwrap()).contains(r#"x.status == "a\u007fb\u0085c""#),
            "{}",
            access(&plan, plan.capture("c").unwrap())
        );
    }
}
