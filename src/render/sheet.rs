//! The Agent Studio field sheet: every connector and HTTP-action field with
//! the value to enter, as Markdown for people or JSON for programs. Agent
//! Studio's field labels live here; the values come through the guide's
//! binding, as the setup guide shows them.

use serde::Serialize;
use serde_json::{json, Value as Json};

use super::binders::Guide;
use super::compound;
use super::curl;
use super::escape::fence_for;
use super::json_body;
use super::templates::{context, json_file, render};
use super::{bound, wanted, Artifact, File, Format, Pair};
use crate::coupa::{self, Grant};
use crate::kit::{Arg, ArgSource, At, Binder, Body, Conn, Encoding, Key, Kit, Request, Slot, Text};
use crate::usecase::action_name;
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
        if wanted(only, &JSON_FILE) {
            out.push(Artifact {
                path: JSON_FILE.path.into(),
                text: json_file(&Document(&view)),
                executable: false,
            });
        }
        if wanted(only, &MARKDOWN_FILE) {
            out.insert(
                0,
                Artifact {
                    path: MARKDOWN_FILE.path.into(),
                    text: markdown(view)?,
                    executable: false,
                },
            );
        }
        Ok(out)
    },
};

/// The sheet for people: its parts in order, the grant, the instances and
/// the use cases choosing which, each a small template compiled only by a
/// kit that has it. An action, a use case's compound action and the MCP
/// part each render from a view of their own: so nothing wraps them whole
/// and handlebars compiles each in sections, once, however many there are.
fn markdown(mut view: View) -> Result<String, Error> {
    let consent = view.client.is_some();
    let head = [
        match consent {
            false => "sheet_head",
            true => "sheet_consent_head",
        },
        match view.connectors.is_empty() {
            true => "sheet_connector",
            false => "sheet_instances",
        },
        match consent {
            false => "sheet_save",
            true => "sheet_consent_save",
        },
    ];
    let test = match consent {
        false => "sheet_test",
        true => "sheet_consent_test",
    };
    let actions = std::mem::take(&mut view.actions);
    let use_cases = std::mem::take(&mut view.use_cases);
    // The write tools' paragraph only where a use case writes.
    let mcp_writes = (!view.mcp.writes.is_empty()).then_some("sheet_mcp_writes");
    let mcp = context(&view.mcp)?;
    let connector_name = view.connector_name.clone();
    let root = context(view)?;
    // An action is its fields, a use case's inputs and body (only a use
    // case's action has them), then its Import cURL command.
    let action = |action: &Action| {
        let part = context(ActionPart {
            action,
            connector_name: &connector_name,
        })?;
        let inputs = action.use_case.is_some().then_some("sheet_action_inputs");
        [Some("sheet_action"), inputs, Some("sheet_action_import")]
            .into_iter()
            .flatten()
            .map(|name| render(name, &part))
            .collect::<Result<String, Error>>()
    };
    let mut text = String::new();
    for part in head {
        text.push_str(&render(part, &root)?);
    }
    for a in &actions {
        text.push_str(&action(a)?);
    }
    for uc in &use_cases {
        for a in &uc.actions {
            text.push_str(&action(a)?);
        }
        text.push_str(&render("sheet_use_case", &context(uc)?)?);
    }
    text.push_str(&render(test, &root)?);
    for part in std::iter::once("sheet_mcp").chain(mcp_writes) {
        text.push_str(&render(part, &mcp)?);
    }
    Ok(text)
}

/// An action as its template reads it: with the connector it inherits.
#[derive(Serialize)]
struct ActionPart<'a> {
    #[serde(flatten)]
    action: &'a Action,
    connector_name: &'a str,
}

/// The sheet for programs: the view's fields under stable keys. It
/// serializes itself an action at a time: a big kit's whole document as a
/// JSON tree was 0.6 MB, beside the view it is made from.
struct Document<'a>(&'a View);

impl Serialize for Document<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let view = self.0;
        let mut doc = serializer.serialize_map(None)?;
        if let Some(client) = &view.client {
            doc.serialize_entry("coupa_client", client)?;
        }
        let fields = |fields: &[Field]| -> serde_json::Map<String, Json> {
            fields
                .iter()
                .map(|f| (f.key.to_string(), json!(f.value)))
                .collect()
        };
        match view.connectors.is_empty() {
            true => doc.serialize_entry("connector", &fields(&view.connector))?,
            // Several instances: a connector each, the instance named first.
            false => doc.serialize_entry(
                "connectors",
                &Each(view.connectors.iter(), |c: &ConnectorView| {
                    let mut one = serde_json::Map::new();
                    one.insert("instance".into(), json!(c.instance));
                    one.extend(fields(&c.fields));
                    Json::Object(one)
                }),
            )?,
        }
        let action = |a: &Action| action_json(a, &view.connector_name);
        doc.serialize_entry("actions", &Each(view.actions.iter(), action))?;
        if !view.use_cases.is_empty() {
            let use_case = |u: &UseCaseView| {
                json!({
                    "id": u.id,
                    "name": u.name,
                    "description": u.description,
                    "changes_data": u.writes,
                    "actions": Each(u.actions.iter(), action),
                    "compound_action": {
                        "name": u.id,
                        "input_args": u.inputs,
                        "yaml": u.script,
                        "file": u.file,
                    },
                })
            };
            doc.serialize_entry("use_cases", &Each(view.use_cases.iter(), use_case))?;
        }
        // Last, as in the sheet: the same requests served as MCP tools.
        let mcp = &view.mcp;
        doc.serialize_entry(
            "mcp_workspace",
            &json!({
                "server_url": mcp.url,
                "transport": mcp.transport,
                "authentication": format!("Application credentials: the header Authorization: Bearer <the key in {} on the server>", mcp.key_var),
                "read_only_tools": mcp.read_only,
                "write_tools": mcp.writes,
            }),
        )?;
        doc.end()
    }
}

/// A list serialized an element at a time, each made by `f` as it is
/// written and dropped after.
struct Each<I, F>(I, F);

impl<'a, T: 'a, I, F> Serialize for Each<I, F>
where
    I: Iterator<Item = &'a T> + Clone,
    F: Fn(&'a T) -> Json,
{
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.clone().map(&self.1))
    }
}

/// An HTTP action's fields for programs: a resource call's with its area, a
/// use case's with its body, input args and whether it changes data.
fn action_json(a: &Action, connector: &str) -> Json {
    let mut action = serde_json::Map::new();
    let mut put = |key: &str, value: Json| {
        action.insert(key.into(), value);
    };
    put("name", json!(a.name));
    put("action_name", json!(a.action_name));
    put("description", json!(a.description));
    put("connector", json!(connector));
    if a.use_case.is_none() {
        put("area", json!(a.area));
    }
    put("method", json!(a.method));
    put("endpoint_path", json!(a.endpoint_path));
    put("headers", json!(a.headers));
    put("query_parameters", json!(a.query));
    if a.use_case.is_some() {
        put("body", json!(a.body));
        put("input_args", json!(a.args));
        put("changes_data", json!(a.writes));
    }
    put("curl", json!(a.curl));
    Json::Object(action)
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
    /// Agent Studio's Action Name: `coupa_list_expense_reports`.
    action_name: String,
    description: String,
    area: Option<String>,
    method: &'static str,
    endpoint_path: String,
    headers: Vec<Pair>,
    /// Decoded, as Agent Studio's query table takes them.
    query: Vec<Pair>,
    curl: String,
    /// A code fence longer than any backtick run in the curl text and the
    /// body (the action's two fenced blocks share it).
    fence: String,
    /// A JSON body, Agent Studio's placeholders where its values go.
    body: Option<String>,
    /// A use case's action: its Input Args, and whether it changes data.
    use_case: Option<String>,
    args: Vec<ArgView>,
    writes: bool,
}

/// An HTTP action's fields, for a resource call or a use case's request.
fn action(kit: &Kit<'_>, guide: &Guide<'_>, req: &Request, step: usize) -> Result<Action, Error> {
    let curl = curl::import_text(kit, req)?;
    let uc = kit.use_case_of(req);
    let body = match &req.body {
        // Mustache HTML-escapes `{{x}}`: a string takes the raw `{{{x}}}`,
        // in quotes; a number or boolean stands bare.
        Body::Json(json) => Some(json_body::text(json, &mut |slot, typed| match typed {
            true => format!("{{{{{}}}}}", slot.name()),
            false => format!("\"{{{{{{{}}}}}}}\"", slot.name()),
        })),
        Body::None | Body::Form(_) => None,
    };
    Ok(Action {
        step,
        fence: fence_for(&format!("{curl}{}", body.as_deref().unwrap_or_default())),
        body,
        name: req.name.clone(),
        action_name: action_name(&req.name),
        description: req.description.clone(),
        area: req.group.clone(),
        method: req.method.as_str(),
        endpoint_path: req.path.text(At::Path, guide, Encoding::Url),
        // The connector sends the token: the action lists only its own headers.
        headers: bound(&req.headers, At::Header, guide, Encoding::Raw),
        query: bound(&req.query, At::Query, guide, Encoding::Raw),
        curl,
        use_case: uc.map(|u| u.id.clone()),
        args: uc
            .map(|u| u.args_of(req).into_iter().map(ArgView::of).collect())
            .unwrap_or_default(),
        writes: req.method.writes(),
    })
}

/// One of an action's Input Args.
#[derive(Serialize)]
struct ArgView {
    name: String,
    #[serde(rename = "type")]
    kind: &'static str,
    description: String,
    example: String,
    required: bool,
}

impl ArgView {
    fn of(arg: &Arg<'_>) -> ArgView {
        let description = match arg.values.as_slice() {
            [] => arg.description.clone(),
            values => format!("{} (one of: {})", arg.description, values.join(", ")),
        };
        ArgView {
            name: arg.name.to_owned(),
            kind: arg.kind.agent_studio(),
            description,
            example: arg.example.clone(),
            required: arg.required,
        }
    }
}

/// A use case: its actions, then the compound action that chains them.
#[derive(Serialize)]
struct UseCaseView {
    /// The compound action's section number.
    step: usize,
    id: String,
    name: String,
    description: String,
    /// Rendered apart, each from its own view.
    #[serde(skip)]
    actions: Vec<Action>,
    /// The compound action's YAML.
    script: String,
    fence: String,
    /// Where the bundle writes the YAML too.
    file: String,
    /// The compound action's own input arguments: what the person says.
    inputs: Vec<ArgView>,
    writes: bool,
    /// A capture picks its record by a field (`$FILTER` in the YAML).
    picks: bool,
    /// A capture counts a list's records (`$LENGTH()` in the YAML).
    counts: bool,
}

#[derive(Serialize)]
struct View {
    /// The actions and use cases render apart, each from its own view.
    #[serde(skip)]
    use_cases: Vec<UseCaseView>,
    /// User consent: the Coupa client to create first.
    client: Option<CoupaClient>,
    setup_path: &'static str,
    connector_step: usize,
    /// The section after the actions: consent and test.
    test_step: usize,
    connector_name: String,
    domain: String,
    /// The same requests served as MCP tools, for Moveworks' MCP Workspace
    /// (the Markdown renders it from a view of its own).
    #[serde(skip)]
    mcp: McpView,
    connector: Vec<Field>,
    /// Several instances: a connector each (the actions inherit the first's).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    connectors: Vec<ConnectorView>,
    #[serde(skip)]
    actions: Vec<Action>,
    client_id: String,
    client_secret: String,
    setup: &'static str,
}

/// The port the sheet's `coupagen mcp --listen` takes: HTTPS's other usual
/// one, free on most hosts.
const MCP_PORT: u16 = 8443;

/// The MCP transport `coupagen mcp --listen` serves, as MCP Workspace names it.
const MCP_TRANSPORT: &str = "Streamable HTTP";

/// Moveworks' MCP Workspace: where the server answers, how it
/// authenticates, and which tools change Coupa data.
#[derive(Serialize)]
struct McpView {
    step: usize,
    /// The kit's file the server reads (`--config`).
    config: &'static str,
    /// Several instances: the server serves one, named by this flag.
    instance: Option<String>,
    /// Where the server listens, and the URL Moveworks connects to there.
    listen: String,
    url: String,
    transport: &'static str,
    key_var: &'static str,
    read_only: Vec<String>,
    writes: Vec<String>,
}

/// One instance's connector.
#[derive(Serialize)]
struct ConnectorView {
    instance: String,
    domain: String,
    fields: Vec<Field>,
}

/// The connection name of `instance`'s connector: the kit's, and with
/// several instances the instance's name after it, so a list shows which.
fn connection_name(kit: &Kit<'_>, instance: &crate::spec::Instance) -> String {
    match kit.multi() {
        true => format!("{} ({})", kit.names.connector, instance.name.as_str()),
        false => kit.names.connector.into(),
    }
}

fn field(key: &'static str, label: &'static str, value: impl Into<String>) -> Field {
    Field {
        key,
        label,
        value: value.into(),
    }
}

/// Moveworks' values for the user-consent connector's own fields.
const CONSENT_DISPLAY_NAME: &str = "Coupa Consent Auth";
const CONSENT_DESCRIPTION: &str = "This connector facilitates secure, user-authorized access to the Coupa API using User Consent Authentication.";
const REQUEST_BODY_AUTH: &str = "OAuth 2.0 with Request Body";
/// Agent Studio's own labels, as its connector form shows them (Moveworks'
/// user-consent guide); the client-credentials guide's "Oauth2 Token Url"
/// is the same field. One spelling in both grants' sheets.
const TOKEN_URL_LABEL: &str = "OAuth2 Token URL";
const GRANT_TYPE_LABEL: &str = "OAuth2 Grant Type";

/// The Coupa client a user-consent kit needs, as Coupa's form asks for it.
#[derive(Serialize)]
struct CoupaClient {
    grant_type: &'static str,
    client_authentication: &'static str,
    /// Each URI, and the line to paste into Coupa's comma-separated field.
    redirect_uris: Vec<String>,
    redirect_uris_line: String,
    scopes: Vec<String>,
    /// Space-separated, as Coupa's form and Agent Studio take them.
    scopes_line: String,
    /// Why `offline_access` is among them, when it is.
    offline_access: Option<String>,
    /// What the Postman app's own flow needs added.
    postman_callback: &'static str,
    pkce: bool,
}

/// The connector's fields, as Agent Studio labels them for the grant.
fn connector_fields(kit: &Kit<'_>, guide: &Guide<'_>, connection: &str) -> Vec<Field> {
    let bind = |slot: Slot| match guide.slot(slot, At::Form) {
        Text::Value(s) | Text::Placeholder(s) => s,
    };
    let base_url = format!(
        "{}://{}",
        coupa::SCHEME,
        kit.host.text(At::Host, guide, Encoding::Url)
    );
    let token_url = kit.flow.obtain.url(&kit.host, guide);
    let name = field("connection_name", "Connection Name", connection);
    match &kit.consent {
        None => vec![
            name,
            field("base_url", "Base URL", base_url),
            field("auth_config", "Auth Config", "Oauth2"),
            field("oauth2_grant_type", GRANT_TYPE_LABEL, grant_name(kit.grant)),
            field("client_id", "Client ID", bind(Slot::Conn(Conn::ClientId))),
            field(
                "client_secret",
                "Client Secret",
                bind(Slot::Conn(Conn::ClientSecret)),
            ),
            field(
                "client_credentials_grant_scope",
                "Client Credentials Grant Scope",
                bind(Slot::Conn(Conn::Scopes)),
            ),
            field("oauth2_token_url", TOKEN_URL_LABEL, token_url),
        ],
        Some(consent) => {
            let authorization_url = kit
                .flow
                .authorize
                .as_ref()
                .map(|a| format!("{base_url}{}", a.path.text(At::Path, guide, Encoding::Url)))
                .unwrap_or_default();
            vec![
                name,
                field("display_name", "Display Name", CONSENT_DISPLAY_NAME),
                field("description", "Description", CONSENT_DESCRIPTION),
                field("base_url", "Base URL", base_url),
                field("auth_config", "Auth Config", "OAuth2"),
                field("oauth2_grant_type", GRANT_TYPE_LABEL, grant_name(kit.grant)),
                field("authorization_url", "Authorization URL", authorization_url),
                field("client_id", "Client ID", bind(Slot::Conn(Conn::ClientId))),
                // A PKCE client has no secret to enter.
                field(
                    "client_secret",
                    "Client Secret",
                    match consent.pkce {
                        false => bind(Slot::Conn(Conn::ClientSecret)),
                        true => String::new(),
                    },
                ),
                field(
                    "authorization_code_grant_scope",
                    "Authorization Code Grant Scope",
                    bind(Slot::Conn(Conn::Scopes)),
                ),
                field("oauth2_token_url", TOKEN_URL_LABEL, token_url),
                field(
                    "oauth2_client_authentication",
                    "OAuth2 Client Authentication",
                    REQUEST_BODY_AUTH,
                ),
                field(
                    "oauth2_custom_oauth_response_type",
                    "OAuth2 Custom OAuth Response Type",
                    "JSON",
                ),
            ]
        }
    }
}

/// Agent Studio's name for the grant.
fn grant_name(grant: Grant) -> &'static str {
    match grant {
        Grant::ClientCredentials => "Client Credentials Grant",
        Grant::AuthorizationCode => "Authorization Code Grant",
    }
}

fn view(kit: &Kit<'_>) -> Result<View, Error> {
    let guide = Guide::of(kit);
    let bind = |slot: Slot| match guide.slot(slot, At::Form) {
        Text::Value(s) | Text::Placeholder(s) => s,
    };
    let connector_name = connection_name(kit, kit.first());
    let connector = connector_fields(kit, &guide, &connector_name);
    let connectors = match kit.multi() {
        true => kit
            .instances
            .iter()
            .map(|i| ConnectorView {
                instance: i.name.as_str().into(),
                domain: i.domain.as_str().into(),
                fields: connector_fields(kit, &Guide::at(kit, i), &connection_name(kit, i)),
            })
            .collect(),
        false => Vec::new(),
    };
    let client = kit.consent.as_ref().map(|c| {
        let uris: Vec<String> = c
            .redirect_uris
            .iter()
            .map(|u| u.as_str().to_string())
            .collect();
        CoupaClient {
            grant_type: coupa::grant_label(kit.grant),
            client_authentication: match c.pkce {
                false => "Shared secret",
                true => "PKCE",
            },
            redirect_uris_line: uris.join(","),
            redirect_uris: uris,
            scopes: kit.scopes.iter().map(|s| s.as_str().to_string()).collect(),
            scopes_line: kit.scope_list(),
            offline_access: c.offline_access.then(|| {
                format!(
                    "{} makes Coupa issue a refresh token with each consent: Agent Studio renews the person's access token (24 hours) with it for {} days, without asking them again",
                    coupa::OFFLINE_ACCESS,
                    coupa::REFRESH_TOKEN_DAYS
                )
            }),
            postman_callback: super::postman::POSTMAN_CALLBACK,
            pkce: c.pkce,
        }
    });
    // The connector is step 1, after the Coupa client when the sheet has one.
    let first_action = if client.is_some() { 3 } else { 2 };
    let mut step = first_action;
    let mut next = || {
        step += 1;
        step - 1
    };
    let actions = kit
        .calls
        .iter()
        .map(|call| action(kit, &guide, call, next()))
        .collect::<Result<_, Error>>()?;
    let use_cases = kit
        .use_cases
        .iter()
        .map(|uc| {
            let actions = uc
                .requests
                .iter()
                .map(|r| action(kit, &guide, r, next()))
                .collect::<Result<Vec<_>, Error>>()?;
            let yaml = compound::yaml(uc);
            Ok(UseCaseView {
                step: next(),
                id: uc.id.clone(),
                name: uc.name.clone(),
                description: uc.description.clone(),
                file: compound::path(uc),
                fence: fence_for(&yaml),
                script: yaml,
                inputs: uc
                    .inputs()
                    .filter(|a| a.source == ArgSource::Said)
                    .map(ArgView::of)
                    .collect(),
                writes: uc.writes(),
                picks: uc
                    .requests
                    .iter()
                    .flat_map(|r| &r.captures)
                    .any(|c| !c.pick.is_empty()),
                counts: uc
                    .requests
                    .iter()
                    .flat_map(|r| &r.captures)
                    .any(|c| c.keys().contains(&Key::Count)),
                actions,
            })
        })
        .collect::<Result<_, Error>>()?;
    let test_step = next();
    let (writes, reads): (Vec<_>, Vec<_>) =
        crate::mcp::tool_names(kit).partition(|(_, _, writes)| *writes);
    let mcp = McpView {
        step: next(),
        instance: kit
            .multi()
            .then(|| format!(" --instance {}", kit.first().name.as_str())),
        config: crate::contract::kit::CONFIG,
        listen: format!("0.0.0.0:{MCP_PORT}"),
        url: format!("https://<host>:{MCP_PORT}{}", crate::mcp::HTTP_PATH),
        transport: MCP_TRANSPORT,
        key_var: crate::contract::env::MCP_KEY,
        read_only: reads.into_iter().map(|(name, ..)| name).collect(),
        writes: writes.into_iter().map(|(name, ..)| name).collect(),
    };
    Ok(View {
        connector_step: first_action - 1,
        test_step,
        mcp,
        use_cases,
        client,
        setup_path: coupa::CLIENT_SETUP_PATH,
        connector_name,
        domain: super::instances_shown(kit),
        connector,
        connectors,
        actions,
        client_id: bind(Slot::Conn(Conn::ClientId)),
        client_secret: bind(Slot::Conn(Conn::ClientSecret)),
        setup: coupa::CLIENT_SETUP,
    })
}
