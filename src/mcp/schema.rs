//! Input schemas: a use case's inputs and a resource's paging, filters and
//! fields as the JSON Schema of its tool.

use serde_json::{json, Map, Value};

use crate::kit::Arg;
use crate::usecase::Kind;

/// The most records one call asks for: Coupa's page.
pub const MAX_LIMIT: u64 = 50;

/// The resource tools' arguments: Coupa's own paging and shaping, and the
/// filters.
pub mod arg {
    pub use crate::coupa::query::{FIELDS, LIMIT, OFFSET};
    pub const FILTERS: &str = "filters";
}

/// One input as a property: its type, description, example, allowed values.
fn property(a: &Arg) -> Value {
    let mut p = Map::new();
    p.insert("type".into(), a.kind.agent_studio().into());
    match a.kind {
        Kind::Email => {
            p.insert("format".into(), "email".into());
        }
        Kind::Date => {
            p.insert("format".into(), "date".into());
        }
        _ => {}
    }
    p.insert("description".into(), a.description.clone().into());
    let example: Value = match a.kind.is_literal() {
        true => serde_json::from_str(&a.example).unwrap_or_else(|_| a.example.clone().into()),
        false => a.example.clone().into(),
    };
    p.insert("examples".into(), json!([example]));
    if !a.values.is_empty() {
        p.insert("enum".into(), json!(a.values));
    }
    Value::Object(p)
}

/// A use case's tool: each input a property; the person's email required
/// unless the server was given one (`--user-email`).
pub fn use_case<'a>(
    inputs: impl Iterator<Item = &'a Arg<'a>>,
    email_given: bool,
) -> Map<String, Value> {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for a in inputs {
        properties.insert(a.name.into(), property(a));
        let defaulted = email_given && a.source == crate::kit::ArgSource::User;
        if a.required && !defaulted {
            required.push(a.name);
        }
    }
    object(properties, required)
}

/// A resource's tool: a page of its records.
pub fn resource(default_limit: u8, fields: Option<&str>) -> Map<String, Value> {
    let mut properties = Map::new();
    properties.insert(
        arg::LIMIT.into(),
        json!({
            "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": default_limit,
            "description": format!("How many records, at most {MAX_LIMIT} (Coupa's page)."),
        }),
    );
    properties.insert(
        arg::OFFSET.into(),
        json!({
            "type": "integer", "minimum": 0, "default": 0,
            "description": "How many records to skip: the next page starts at offset + limit.",
        }),
    );
    properties.insert(
        arg::FILTERS.into(),
        json!({
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Coupa filters, each `attribute[operator]` to a value (operators: contains, starts_with, ends_with, gt, lt, gt_or_eq, lt_or_eq, not_eq, in, not_in, blank), or `attribute` to an exact value; dates ISO 8601.",
            "examples": [{"status": "approved", "updated-at[gt]": "2024-01-01T00:00:00Z"}],
        }),
    );
    properties.insert(
        arg::FIELDS.into(),
        json!({
            "type": "string",
            "description": "Which fields each record holds, as Coupa's JSON list, e.g. [\"id\",{\"supplier\":[\"name\"]}]; keep it short.",
            "examples": [fields.unwrap_or(r#"["id","status","updated-at"]"#)],
        }),
    );
    object(properties, Vec::new())
}

fn object(properties: Map<String, Value>, required: Vec<&str>) -> Map<String, Value> {
    let mut schema = Map::new();
    schema.insert("type".into(), "object".into());
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), json!(required));
    }
    schema.insert("additionalProperties".into(), false.into());
    schema
}
