//! The OpenAPI 3.1 document of the kit's requests: the instance as the
//! server, the grant's OAuth2 flow (and a bearer scheme, for tools that take
//! a token), each request an operation. OpenAPI binds no slot: a use case's
//! inputs become parameters, and the `Accept` header Coupa needs is a
//! parameter with its default, which importers keep. The document is built as
//! a tree and written by the one YAML emitter (`escape::yaml_document`).

use serde_json::{json, Map, Value as Json};

use super::escape::yaml_document;
use super::{Artifact, File, Format};
use crate::catalog;
use crate::contract::openapi::{BEARER, OAUTH2};
use crate::coupa::{self, Grant};
use crate::kit::{self, Answer, Body, Kit, Part, Request, Slot, UseCasePlan};
use crate::usecase::{action_name, Kind};
use crate::Error;

pub const FILE: File = File {
    path: "coupa.openapi.yaml",
    variant: "openapi",
    purpose: "An OpenAPI 3.1 document of the same requests, for any tool that imports OpenAPI (Postman, Insomnia, Bruno, Swagger UI).",
};

pub const FORMAT: Format = Format {
    command: "openapi",
    about: "An OpenAPI 3.1 document of the kit's requests, its OAuth2 flow and parameters.",
    long_about: None,
    files: std::slice::from_ref(&FILE),
    // It names no placeholder and no connector: a document, not a setup.
    ignores: &["client_id_var", "client_secret_var", "connector_name"],
    render: |kit, _| Ok(vec![file(kit)?]),
};

fn slot_name(slot: Slot<'_>) -> &str {
    slot.name()
}

/// A path as OpenAPI templates it: `/api/expense_reports/{expense_report_id}`.
fn path_template(req: &Request) -> String {
    req.path
        .parts()
        .iter()
        .map(|p| match p {
            Part::Lit(text) => text.clone(),
            Part::Slot(slot) => format!("{{{}}}", slot_name(*slot)),
        })
        .collect()
}

/// A use case's argument as a JSON schema.
fn schema(kind: Kind, values: &[String]) -> Json {
    let mut schema = match kind {
        Kind::String => json!({"type": "string"}),
        Kind::Integer => json!({"type": "integer"}),
        Kind::Number => json!({"type": "number"}),
        Kind::Boolean => json!({"type": "boolean"}),
        Kind::Date => json!({"type": "string", "format": "date"}),
        Kind::Email => json!({"type": "string", "format": "email"}),
    };
    if !values.is_empty() {
        schema["enum"] = json!(values);
    }
    schema
}

/// An example as its type has it: `5001`, not `"5001"`.
fn example(kind: Kind, text: &str) -> Json {
    let typed = match kind {
        Kind::Integer => text.parse::<i64>().ok().map(Json::from),
        Kind::Number => text.parse::<f64>().ok().map(Json::from),
        Kind::Boolean => text.parse::<bool>().ok().map(Json::from),
        Kind::String | Kind::Date | Kind::Email => None,
    };
    typed.unwrap_or_else(|| Json::from(text))
}

/// The parameters of one request: its path's inputs, its query, and Accept.
fn parameters(req: &Request, uc: Option<&UseCasePlan>) -> Vec<Json> {
    let arg = |name: &str| uc.and_then(|u| u.arg(name));
    let mut out = Vec::new();
    for slot in req.path.slots() {
        let name = slot_name(slot);
        let mut p = json!({"name": name, "in": "path", "required": true});
        match arg(name) {
            Some(a) => {
                p["description"] = json!(a.description);
                p["schema"] = schema(a.kind, &a.values);
                p["example"] = example(a.kind, &a.example);
            }
            None => p["schema"] = json!({"type": "string"}),
        }
        out.push(p);
    }
    for (key, value) in &req.query {
        let slots: Vec<Slot> = value.slots().collect();
        let mut p = json!({"name": key, "in": "query"});
        match (slots.as_slice(), value.parts()) {
            // A literal: Coupa's paging and shaping, a filter, a fixed value.
            ([], parts) => {
                let text: String = parts
                    .iter()
                    .map(|part| match part {
                        Part::Lit(t) => t.as_str(),
                        Part::Slot(_) => "",
                    })
                    .collect();
                let schema = match (key.as_str(), text.parse::<u64>()) {
                    (coupa::query::LIMIT, Ok(n)) => {
                        json!({"type": "integer", "minimum": 1, "maximum": coupa::MAX_LIMIT, "default": n})
                    }
                    (coupa::query::OFFSET, Ok(n)) => {
                        json!({"type": "integer", "minimum": 0, "default": n})
                    }
                    _ => json!({"type": "string", "default": text}),
                };
                p["schema"] = schema;
                if key == coupa::query::FIELDS {
                    p["description"] =
                        json!("The fields to return, a JSON list (Coupa's response shaping).");
                }
            }
            // One input or capture, alone: the parameter is that value.
            ([slot], [Part::Slot(_)]) => {
                let name = slot_name(*slot);
                match arg(name) {
                    Some(a) => {
                        p["required"] = json!(a.required);
                        p["description"] = json!(a.description);
                        p["schema"] = schema(a.kind, &a.values);
                        p["example"] = example(a.kind, &a.example);
                    }
                    None => p["schema"] = json!({"type": "string"}),
                }
            }
            // A value around an input (`{start_date}T00:00:00Z`).
            _ => {
                let template: String = value
                    .parts()
                    .iter()
                    .map(|part| match part {
                        Part::Lit(t) => t.clone(),
                        Part::Slot(s) => format!("{{{}}}", slot_name(*s)),
                    })
                    .collect();
                let example: String = value
                    .parts()
                    .iter()
                    .map(|part| match part {
                        Part::Lit(t) => t.clone(),
                        Part::Slot(s) => arg(slot_name(*s))
                            .map(|a| a.example.clone())
                            .unwrap_or_default(),
                    })
                    .collect();
                p["required"] = json!(true);
                p["description"] = json!(format!("{template}, each {{name}} the use case's input"));
                p["schema"] = json!({"type": "string"});
                p["example"] = json!(example);
            }
        }
        out.push(p);
    }
    for (key, value) in &req.headers {
        let text: String = value
            .parts()
            .iter()
            .map(|part| match part {
                Part::Lit(t) => t.as_str(),
                Part::Slot(_) => "",
            })
            .collect();
        out.push(json!({
            "name": key,
            "in": "header",
            "required": true,
            "description": "Coupa answers XML unless asked for JSON.",
            "schema": {"type": "string", "enum": [text], "default": text},
        }));
    }
    out
}

fn operation(req: &Request, uc: Option<&UseCasePlan>) -> Json {
    let record = json!({"type": "object"});
    let body = match req.expect.answer {
        Answer::List => json!({"type": "array", "items": record}),
        Answer::Object | Answer::Token | Answer::Redirect => record,
    };
    let mut responses = Map::new();
    responses.insert(
        req.expect.status.to_string(),
        json!({"description": "Coupa's answer, as JSON.", "content": {"application/json": {"schema": body}}}),
    );
    responses.insert(
        "401".into(),
        json!({"description": "The token is missing, expired or revoked."}),
    );
    responses.insert(
        "403".into(),
        json!({"description": "The token lacks the scope this request needs."}),
    );
    if req.path.slots().next().is_some() {
        responses.insert(
            "404".into(),
            json!({"description": "No record with that id."}),
        );
    }
    if req.method.writes() {
        responses.insert("400".into(), json!({"description": "Coupa refused the change (an approval that is no longer pending)."}));
    }
    let scopes: Vec<&str> = req.scope.into_iter().collect();
    let mut op = json!({
        "operationId": action_name(&req.name),
        "summary": req.name,
        "description": req.description,
        "parameters": parameters(req, uc),
        "responses": responses,
        "security": [{OAUTH2: scopes}, {BEARER: []}],
    });
    if let Some(group) = &req.group {
        op["tags"] = json!([group]);
    }
    if let (Body::Json(body), Some(uc)) = (&req.body, uc) {
        let example = body.fill(&mut |slot, typed| {
            let text = uc
                .arg(slot.name())
                .map(|a| a.example.clone())
                .unwrap_or_default();
            match typed {
                true => serde_json::from_str(&text).unwrap_or(Json::String(text)),
                false => Json::String(text),
            }
        });
        op["requestBody"] = json!({
            "required": true,
            "content": {"application/json": {"schema": body_schema(body, uc), "example": example}},
        });
    }
    op
}

/// A JSON body's schema: each object's keys required, a value's type its
/// input's or capture's, a fixed leaf's its own.
fn body_schema(body: &kit::Json, uc: &UseCasePlan) -> Json {
    match body {
        kit::Json::Object(pairs) => json!({
            "type": "object",
            "required": pairs.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            "properties": pairs.iter().map(|(k, v)| (k.clone(), body_schema(v, uc))).collect::<Map<_, _>>(),
        }),
        kit::Json::Array(items) => match items.first() {
            Some(first) => json!({"type": "array", "items": body_schema(first, uc)}),
            None => json!({"type": "array"}),
        },
        kit::Json::Fixed(v) => schema_of(v),
        kit::Json::Slot { slot, .. } => match uc.arg(slot.name()).map(|a| a.kind) {
            Some(Kind::Integer) => json!({"type": "integer"}),
            Some(Kind::Number) => json!({"type": "number"}),
            Some(Kind::Boolean) => json!({"type": "boolean"}),
            _ => json!({"type": "string"}),
        },
    }
}

/// A fixed JSON value's schema: its own type.
fn schema_of(example: &Json) -> Json {
    match example {
        Json::Object(map) => json!({
            "type": "object",
            "required": map.keys().collect::<Vec<_>>(),
            "properties": map.iter().map(|(k, v)| (k.clone(), schema_of(v))).collect::<Map<_, _>>(),
        }),
        Json::Array(items) => match items.first() {
            Some(first) => json!({"type": "array", "items": schema_of(first)}),
            None => json!({"type": "array"}),
        },
        Json::String(_) => json!({"type": "string"}),
        Json::Number(n) if n.is_i64() || n.is_u64() => json!({"type": "integer"}),
        Json::Number(_) => json!({"type": "number"}),
        Json::Bool(_) => json!({"type": "boolean"}),
        Json::Null => json!({"type": "null"}),
    }
}

/// One server: the instance, its host a variable; or one an instance.
fn servers(kit: &Kit<'_>) -> Json {
    match kit.multi() {
        true => kit
            .instances
            .iter()
            .map(|i| {
                json!({
                    "url": format!("{}://{}", coupa::SCHEME, i.domain.as_str()),
                    "description": format!("The {} instance", i.name.as_str()),
                })
            })
            .collect(),
        false => json!([{
            "url": format!("{}://{{instance}}", coupa::SCHEME),
            "description": "The Coupa instance",
            "variables": {"instance": {"default": kit.first().domain.as_str(), "description": "The instance host"}},
        }]),
    }
}

/// The document as a tree.
pub fn document(kit: &Kit<'_>) -> Json {
    // Several instances, each with its own OAuth client: the OAuth URLs are
    // the chosen server's, relative to it, so no tool sends one instance's
    // secret to another's token URL.
    let base = match kit.multi() {
        true => String::new(),
        false => format!("{}://{}", coupa::SCHEME, kit.first().domain.as_str()),
    };
    let scopes: Map<String, Json> = kit
        .scopes
        .iter()
        .map(|s| {
            let what = match catalog::scope(s.as_str()) {
                Some(c) if !c.resources.is_empty() => {
                    format!("{} access to {}", c.access, c.resources.join(", "))
                }
                Some(c) => format!("{} ({})", c.name, c.access),
                None => "An instance's own scope.".to_string(),
            };
            (s.as_str().to_string(), json!(what))
        })
        .collect();
    let token_url = format!("{base}{}", coupa::TOKEN_PATH);
    let flows = match kit.grant {
        Grant::ClientCredentials => {
            json!({"clientCredentials": {"tokenUrl": token_url, "scopes": scopes}})
        }
        Grant::AuthorizationCode => json!({"authorizationCode": {
            "authorizationUrl": format!("{base}{}", coupa::AUTHORIZE_PATH),
            "tokenUrl": token_url,
            "refreshUrl": token_url,
            "scopes": scopes,
        }}),
    };
    let mut paths: Map<String, Json> = Map::new();
    let requests = kit.calls.iter().map(|r| (r, None)).chain(
        kit.use_cases
            .iter()
            .flat_map(|u| u.requests.iter().map(move |r| (r, Some(u)))),
    );
    for (req, uc) in requests {
        let item = paths.entry(path_template(req)).or_insert_with(|| json!({}));
        let method = req.method.as_str().to_ascii_lowercase();
        // Two requests on one path and method (a resource and a use case's
        // lookup): one operation, with the first one's parameters and the
        // other's added.
        match item.get_mut(&method) {
            None => {
                item[method.as_str()] = operation(req, uc);
            }
            Some(existing) => {
                let more = parameters(req, uc);
                let params = existing["parameters"].as_array_mut().expect("parameters");
                for p in more {
                    if !params
                        .iter()
                        .any(|q| q["name"] == p["name"] && q["in"] == p["in"])
                    {
                        let mut p = p;
                        p.as_object_mut().map(|o| o.remove("required"));
                        params.push(p);
                    }
                }
            }
        }
    }
    let mut description = match kit.multi() {
        true => format!(
            "The requests of a coupagen kit for the Coupa instances {} (one server each, each with its own OAuth client: the OAuth URLs are the chosen server's), OAuth2 {} grant.",
            kit.instances
                .iter()
                .map(|i| format!("{} ({})", i.name.as_str(), i.domain.as_str()))
                .collect::<Vec<_>>()
                .join(" and "),
            kit.grant.id()
        ),
        false => format!(
            "The requests of a coupagen kit for the Coupa instance {}, OAuth2 {} grant.",
            kit.first().domain.as_str(),
            kit.grant.id()
        ),
    };
    if kit.consent.is_some() {
        description
            .push_str(" Each person consents in Coupa; the token answers with their own data.");
    }
    let mut document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": format!("Coupa ({})", super::instances_shown(kit)),
            "version": "1",
            "description": description,
        },
        "servers": servers(kit),
        "security": [{OAUTH2: kit.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>()}, {BEARER: []}],
        "paths": null,
        "components": {"securitySchemes": {
            OAUTH2: {"type": "oauth2", "description": format!("Coupa's OAuth2 ({}).", coupa::grant_label(kit.grant)), "flows": flows},
            BEARER: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "A Coupa access token, fetched by any means."},
        }},
    });
    // Moved in, not through json!, which would copy the largest part.
    document["paths"] = Json::Object(paths);
    document
}

pub fn file(kit: &Kit<'_>) -> Result<Artifact, Error> {
    Ok(Artifact {
        path: FILE.path.into(),
        text: yaml_document(&document(kit)),
        executable: false,
    })
}
