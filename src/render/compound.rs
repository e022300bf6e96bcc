//! Agent Studio's compound action for a use case: the YAML that chains its
//! HTTP actions, each input argument a reference in Moveworks' DSL (the
//! person's email, the compound action's own input, an earlier step's
//! answer). Built as data and written by the same YAML emitter as OpenAPI.

use serde_json::{json, Map, Value as Json};

use super::escape::yaml_document;
use super::Artifact;
use crate::kit::{ArgSource, Capture, Key, Kit, UseCasePlan};
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

/// A capture's path as a DSL member access: `0.approvable-id` is
/// `[0]["approvable-id"]`, `title` is `.title`.
fn access(capture: &Capture) -> String {
    capture
        .keys()
        .into_iter()
        .map(|k| match k {
            Key::Index(i) => format!("[{i}]"),
            Key::Name(k) if crate::usecase::is_name(k) => format!(".{k}"),
            Key::Name(k) => format!("[{}]", serde_json::Value::from(k)),
        })
        .collect()
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
            .map(|arg| {
                let value = match &arg.source {
                    ArgSource::User => USER_EMAIL.to_string(),
                    ArgSource::Said => format!("data.{}", arg.name),
                    ArgSource::Captured { request } => format!(
                        "data.{}{}",
                        output_key_of(uc, *request),
                        uc.capture(arg.name).map(access).unwrap_or_default()
                    ),
                };
                (arg.name.to_string(), Json::String(value))
            })
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
        steps.extend(req.captures.iter().filter_map(|c| guard(&output_key, c)));
        outputs.insert(output_key.clone(), json!(format!("data.{output_key}")));
    }
    steps.push(json!({ "return": { "output_mapper": outputs } }));
    yaml_document(&json!({ "steps": steps }))
}

/// A capture's guard as a `switch` whose one case raises: when the answer
/// holds a value the use case does not go on with, Agent Studio stops
/// before the next action, as every other runner does.
fn guard(output_key: &str, capture: &Capture) -> Option<Json> {
    if capture.must_be.is_empty() {
        return None;
    }
    let value = format!("data.{output_key}{}", access(capture));
    let condition = capture
        .must_be
        .iter()
        .map(|v| format!("{value} != {}", Json::from(v.as_str())))
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

    #[test]
    fn answer_paths_become_dsl_member_access() {
        let at = |path: &str| {
            access(&Capture {
                name: "x".into(),
                path: path.into(),
                if_none: String::new(),
                fails: false,
                must_be: Vec::new(),
                otherwise: String::new(),
            })
        };
        assert_eq!(at("0.id"), "[0].id");
        assert_eq!(at("0.approvable-id"), r#"[0]["approvable-id"]"#);
        assert_eq!(at("title"), ".title");
    }
}
