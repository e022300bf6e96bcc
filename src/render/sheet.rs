//! The Agent Studio field sheet: every connector and HTTP-action field with
//! the value to enter, as Markdown for people or JSON for programs.

use serde::Serialize;

use super::{curl, guide_binding, render, render_json, Artifact, RequestView};
use crate::kit::{self, Kit, Param, Var};
use crate::Error;

pub const MARKDOWN_FILE: &str = "agent-studio-connector.md";
pub const JSON_FILE: &str = "agent-studio-connector.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SheetFormat {
    Markdown,
    Json,
}

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
    area: Option<&'static str>,
    method: &'static str,
    endpoint_path: String,
    headers: Vec<Param>,
    query: Vec<Param>,
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

fn view(kit: &Kit<'_>) -> Result<View, Error> {
    let bind = guide_binding(kit);
    let token = RequestView::new(&kit.token, &bind);
    let connector = vec![
        field(
            "connection_name",
            "Connection Name",
            kit.spec.connector_name.as_str(),
        ),
        field(
            "base_url",
            "Base URL",
            format!("{}://{}", kit::SCHEME, bind(Var::Domain)),
        ),
        field("auth_config", "Auth Config", "Oauth2"),
        field(
            "oauth2_grant_type",
            "Oauth2 Grant Type",
            "Client Credentials Grant",
        ),
        field("client_id", "Client ID", bind(Var::ClientId)),
        field("client_secret", "Client Secret", bind(Var::ClientSecret)),
        field(
            "client_credentials_grant_scope",
            "Client Credentials Grant Scope",
            bind(Var::Scopes),
        ),
        field("oauth2_token_url", "Oauth2 Token Url", token.url),
    ];
    let actions = kit
        .calls
        .iter()
        .enumerate()
        .map(|(i, call)| {
            let v = RequestView::new(call, &bind);
            let curl = curl::command_text(kit, call)?;
            Ok(Action {
                step: i + 2,
                fence: fence_for(&curl),
                name: v.name,
                area: v.area,
                method: v.method,
                endpoint_path: v.path,
                // The connector sends the token: the action lists only its own headers.
                headers: v.headers,
                query: v.query_decoded,
                curl,
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok(View {
        connector_name: kit.spec.connector_name.as_str().into(),
        domain: kit.spec.domain.as_str().into(),
        connector,
        actions,
        client_id: bind(Var::ClientId),
        client_secret: bind(Var::ClientSecret),
        setup: kit::CLIENT_SETUP,
    })
}

fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

fn render_as(view: &View, format: SheetFormat) -> Result<Artifact, Error> {
    Ok(match format {
        SheetFormat::Markdown => Artifact {
            file_name: MARKDOWN_FILE,
            purpose: "Every Agent Studio connector and action field, with the value to enter.",
            text: render("sheet_md", view)?,
            executable: false,
        },
        SheetFormat::Json => Artifact {
            file_name: JSON_FILE,
            purpose: "The same fields, for programs.",
            text: render_json("sheet_json", view)?,
            executable: false,
        },
    })
}

pub fn file(kit: &Kit<'_>, format: SheetFormat) -> Result<Artifact, Error> {
    render_as(&view(kit)?, format)
}

/// Both formats from one view, for the bundle.
pub fn files(kit: &Kit<'_>) -> Result<[Artifact; 2], Error> {
    let view = view(kit)?;
    Ok([
        render_as(&view, SheetFormat::Markdown)?,
        render_as(&view, SheetFormat::Json)?,
    ])
}
