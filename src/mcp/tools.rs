//! The tool list, from the kit: one tool per use case (its whole chain) and
//! one per resource (a page of its records), named in snake case and
//! described as the sheet describes them.

use rmcp::model::{Tool, ToolAnnotations};

use super::schema;
use crate::kit::Kit;

/// What a tool runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `kit.use_cases[n]`.
    UseCase(usize),
    /// `kit.calls[n]`, the list request of `kit.spec.resources[n]`.
    Resource(usize),
}

#[derive(Debug, Clone)]
pub struct Def {
    pub name: String,
    pub target: Target,
    /// It changes Coupa data: listed and run only with `--allow-writes`.
    pub writes: bool,
    pub tool: Tool,
}

/// `pending-expense-approvals` -> `pending_expense_approvals`.
pub fn snake(id: &str) -> String {
    id.chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '_',
        })
        .collect()
}

fn annotations(title: &str, writes: bool) -> ToolAnnotations {
    // A write is never marked read-only: clients may run those unasked.
    ToolAnnotations::with_title(title)
        .read_only(!writes)
        .destructive(writes)
        .idempotent(!writes)
        .open_world(true)
}

/// Every tool's name, what it runs and whether it writes, without its
/// schema: what the sheet lists (building every tool for that was 1.5% of
/// a big kit's work).
pub fn names<'k>(kit: &'k Kit<'_>) -> impl Iterator<Item = (String, Target, bool)> + 'k {
    let use_cases = kit
        .use_cases
        .iter()
        .enumerate()
        .map(|(n, uc)| (snake(&uc.id), Target::UseCase(n), uc.writes()));
    // A resource's tool runs its list request: as many tools as calls.
    let resources =
        (kit.spec.resources.iter().zip(&kit.calls).enumerate()).map(|(n, (resource, _))| {
            let name = format!("list_{}", snake(resource.name));
            (name, Target::Resource(n), false)
        });
    use_cases.chain(resources)
}

/// Every tool of the kit, writes too (the server lists those only when
/// allowed).
pub fn all(kit: &Kit<'_>, email_given: bool) -> Vec<Def> {
    names(kit)
        .map(|(name, target, writes)| {
            let tool = match target {
                Target::UseCase(n) => {
                    let uc = &kit.use_cases[n];
                    let description = match writes {
                        true => format!("{} It changes Coupa data.", uc.description),
                        false => uc.description.clone(),
                    };
                    Tool::new(
                        name.clone(),
                        description,
                        schema::use_case(uc.inputs(), email_given),
                    )
                    .annotate(annotations(&uc.name, writes))
                }
                Target::Resource(n) => {
                    let req = &kit.calls[n];
                    Tool::new(
                        name.clone(),
                        req.description.clone(),
                        schema::resource(kit.spec.query.limit, kit.spec.query.fields.as_deref()),
                    )
                    .annotate(annotations(&req.name, false))
                }
            };
            Def {
                name,
                target,
                writes,
                tool,
            }
        })
        .collect()
}
