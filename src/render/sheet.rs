//! The Agent Studio field sheet: every connector and HTTP-action field with
//! the value to enter, as Markdown for people or JSON for programs. Agent
//! Studio's field labels live here; the values come through the guide's
//! binding, as the setup guide shows them.

use serde::Serialize;

use super::curl::{self, Guide};
use super::escape::fence_for;
use super::templates::{render, render_json};
use super::{bound, wanted, Artifact, File, Format, Pair};
use crate::coupa;
use crate::kit::{At, Binder, Conn, Encoding, Kit, Slot, Text};
use crate::spec::Grant;
use crate::Error;

pub const MARKDOWN_FILE: File = File {
    path: "agent-studio-connector.md",
    variant: "markdown",
    purpose: "Every Agent Studio connector and action field, with the value to enter.",
};
pub const JSON_FILE: File = File {
    path: "agent-studio-connector.json",
    variant: "json",
    purpose: "The same fields, for programs.",
};

pub const FORMAT: Format = Format {
    command: "sheet",
    about: "The Agent Studio field sheet: every connector and action field, with its value.",
    long_about: None,
    files: &[MARKDOWN_FILE, JSON_FILE],
    ignores: &[],
    render: |kit, only| {
        let view = view(kit)?;
        let mut out = Vec::new();
        if wanted(only, &MARKDOWN_FILE) {
            out.push(Artifact {
                path: MARKDOWN_FILE.path.into(),
                text: render("sheet_md", &view)?,
                executable: false,
            });
        }
        if wanted(only, &JSON_FILE) {
            out.push(Artifact {
                path: JSON_FILE.path.into(),
                text: render_json("sheet_json", &view)?,
                executable: false,
            });
        }
        Ok(out)
    },
};

/// One form field: its stable JSON key, its label in Agent Studio, the value.
#[derive(Serialize)]
struct Field {
    key: &'static str,
    label: &'static str,
    value: String,
}

#[derive(Serialize)]
struct Action {
    /// The section number: the connector is step 1.
    step: usize,
    name: String,
    /// Agent Studio's Action Name: `coupa_list_expense_reports`.
    action_name: String,
    description: String,
    area: Option<&'static str>,
    method: &'static str,
    endpoint_path: String,
    headers: Vec<Pair>,
    /// Decoded, as Agent Studio's query table takes them.
    query: Vec<Pair>,
    curl: String,
    /// A code fence longer than any backtick run in the curl text.
    fence: String,
}

#[derive(Serialize)]
struct View {
    connector_name: String,
    domain: String,
    connector: Vec<Field>,
    actions: Vec<Action>,
    client_id: String,
    client_secret: String,
    setup: &'static str,
}

fn field(key: &'static str, label: &'static str, value: impl Into<String>) -> Field {
    Field {
        key,
        label,
        value: value.into(),
    }
}

/// Agent Studio's name for the grant, and its scope field's key and label.
fn grant_fields(grant: Grant) -> (&'static str, &'static str, &'static str) {
    match grant {
        Grant::ClientCredentials => (
            "Client Credentials Grant",
            "client_credentials_grant_scope",
            "Client Credentials Grant Scope",
        ),
    }
}

/// An Agent Studio action name: `coupa_` and the request's name in snake case.
fn action_name(name: &str) -> String {
    let words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    format!("coupa_{}", words.join("_"))
}

fn view(kit: &Kit<'_>) -> Result<View, Error> {
    let guide = Guide { spec: kit.spec };
    let bind = |slot: Slot| match guide.slot(slot, At::Form) {
        Text::Value(s) | Text::Placeholder(s) => s,
    };
    let (grant_type, scope_key, scope_label) = grant_fields(kit.spec.grant);
    let connector = vec![
        field(
            "connection_name",
            "Connection Name",
            kit.spec.connector_name.as_str(),
        ),
        field(
            "base_url",
            "Base URL",
            format!(
                "{}://{}",
                coupa::SCHEME,
                kit.host.text(At::Host, &guide, Encoding::Url)
            ),
        ),
        field("auth_config", "Auth Config", "Oauth2"),
        field("oauth2_grant_type", "Oauth2 Grant Type", grant_type),
        field("client_id", "Client ID", bind(Slot::Conn(Conn::ClientId))),
        field(
            "client_secret",
            "Client Secret",
            bind(Slot::Conn(Conn::ClientSecret)),
        ),
        field(scope_key, scope_label, bind(Slot::Conn(Conn::Scopes))),
        field(
            "oauth2_token_url",
            "Oauth2 Token Url",
            kit.flow.obtain.url(&kit.host, &guide),
        ),
    ];
    let actions = kit
        .calls
        .iter()
        .enumerate()
        .map(|(i, call)| {
            let curl = curl::import_text(kit, call)?;
            Ok(Action {
                step: i + 2,
                fence: fence_for(&curl),
                name: call.name.clone(),
                action_name: action_name(&call.name),
                description: call.description.clone(),
                area: call.group,
                method: call.method.as_str(),
                endpoint_path: call.path.text(At::Path, &guide, Encoding::Url),
                // The connector sends the token: the action lists only its own headers.
                headers: bound(&call.headers, At::Header, &guide, Encoding::Raw),
                query: bound(&call.query, At::Query, &guide, Encoding::Raw),
                curl,
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok(View {
        connector_name: kit.spec.connector_name.as_str().into(),
        domain: kit.spec.domain.as_str().into(),
        connector,
        actions,
        client_id: bind(Slot::Conn(Conn::ClientId)),
        client_secret: bind(Slot::Conn(Conn::ClientSecret)),
        setup: coupa::CLIENT_SETUP,
    })
}
