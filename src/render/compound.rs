//! Agent Studio's compound action for a use case: the YAML that chains its
//! HTTP actions, each input argument a reference in Moveworks' DSL (the
//! person's email, the compound action's own input, an earlier step's
//! answer). Every scalar goes through the `yaml` helper.

use serde::Serialize;

use super::templates::{context, render};
use super::Artifact;
use crate::kit::{ArgSource, Capture, Key, Kit, UseCasePlan};
use crate::usecase::action_name;
use crate::Error;

/// Where the bundle writes a use case's compound action.
pub fn path(uc: &UseCasePlan) -> String {
    format!("{FOLDER}/{}.yaml", uc.id)
}

/// The bundle's folder of compound actions.
pub const FOLDER: &str = "agent-studio";

/// The DSL reference to the person's email in Agent Studio.
const USER_EMAIL: &str = "meta_info.user.email_addr";

#[derive(Serialize)]
struct Pair {
    key: String,
    value: String,
}

#[derive(Serialize)]
struct StepView {
    action_name: String,
    output_key: String,
    input_args: Vec<Pair>,
    on_pending: String,
    on_complete: String,
}

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
pub fn yaml(uc: &UseCasePlan) -> Result<String, Error> {
    let steps: Vec<StepView> = uc
        .requests
        .iter()
        .map(|req| StepView {
            action_name: action_name(&req.name),
            output_key: output_key(&req.name),
            input_args: uc
                .args_of(req)
                .into_iter()
                .map(|arg| Pair {
                    key: arg.name.to_string(),
                    value: match &arg.source {
                        ArgSource::User => USER_EMAIL.to_string(),
                        ArgSource::Said => format!("data.{}", arg.name),
                        ArgSource::Captured { request } => format!(
                            "data.{}{}",
                            output_key(&uc.requests[*request].name),
                            uc.capture(arg.name).map(access).unwrap_or_default()
                        ),
                    },
                })
                .collect(),
            on_pending: format!("{}…", req.name),
            on_complete: format!("{}: done", req.name),
        })
        .collect();
    #[derive(Serialize)]
    struct View {
        steps: Vec<StepView>,
        outputs: Vec<Pair>,
    }
    let outputs = steps
        .iter()
        .map(|s| Pair {
            key: s.output_key.clone(),
            value: format!("data.{}", s.output_key),
        })
        .collect();
    render("compound_action", &context(View { steps, outputs })?)
}

/// Every use case's compound action, as files of the bundle.
pub fn files(kit: &Kit<'_>) -> Result<Vec<Artifact>, Error> {
    kit.use_cases
        .iter()
        .map(|uc| {
            Ok(Artifact {
                path: path(uc),
                text: yaml(uc)?,
                executable: false,
            })
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
            })
        };
        assert_eq!(at("0.id"), "[0].id");
        assert_eq!(at("0.approvable-id"), r#"[0]["approvable-id"]"#);
        assert_eq!(at("title"), ".title");
    }
}
