//! The Postman collection (v2.1.0); its environment in `environment.rs`, its
//! scripts' pieces and configs in `scripts.rs`. Postman's binder leaves every
//! slot a `{{placeholder}}` named by the contract; the collection's scripts
//! run the auth flow, so any request works alone.

mod environment;
mod scripts;

pub use environment::{
    files as environment_files, instance_path as environment_path, ENVIRONMENT, ENVIRONMENT_FILE,
};

use std::borrow::Cow;

use serde::Serialize;
use serde_json::json;

use super::binders::{captured_var, GuardView, PickView, Placeholders};
use super::js::Lines;
use super::json_body;
use super::pretty_json::Pretty;
use super::templates::{context, render};
use super::{bound, pairs, Artifact, File, Format, Pair};
use crate::contract::postman as names;
use crate::coupa;
use crate::kit::{
    Answer, ArgSource, At, Auth, AuthValue, Body, Conn, Encoding, Kit, Request, Slot,
};
use crate::Error;

pub const COLLECTION_FILE: File = File {
    path: "coupa.postman_collection.json",
    variant: "collection",
    purpose: "Postman (Import): the token request and the API requests; each fetches a token by itself. Runs in newman too.",
};

pub const COLLECTION: Format = Format {
    command: "postman",
    about: "Postman collection (v2.1): the token request and one request per resource.",
    long_about: Some(
        "Postman collection (v2.1): the token request and one request per resource.\n\n\
         Every request fetches a token by itself when none is stored, so any one \
         of them runs alone in Postman or newman.",
    ),
    files: std::slice::from_ref(&COLLECTION_FILE),
    ignores: &["connector_name"],
    render: |kit, _| Ok(vec![collection(kit)?]),
};

pub const SCHEMA_URL: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";
/// Where the Postman app's "Get New Access Token" catches the redirect when it
/// authorizes in the system browser; the Coupa client must list it.
pub const POSTMAN_CALLBACK: &str = "https://oauth.pstmn.io/v1/callback";
/// Coupa tokens last about 24 h and Coupa advises renewing around 20 h: fetch
/// a new one when less than this is left.
const RENEW_HOURS: u32 = 4;

/// A request as the collection holds it.
#[derive(Debug, Serialize)]
struct RequestView {
    name: String,
    /// What it does, as the sheet and the OpenAPI document say it.
    description: String,
    method: &'static str,
    url: UrlView,
    headers: Vec<Pair>,
    /// Whether the request takes the collection's bearer auth.
    bearer: bool,
    /// It sends a credential: Postman must not follow a redirect with it.
    no_redirects: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<BodyView>,
}

/// A request's URL as Postman's `url` object holds it: whole, and in parts.
#[derive(Debug, Serialize)]
struct UrlView {
    raw: String,
    protocol: &'static str,
    host: [String; 1],
    path: Vec<String>,
    /// Percent-encoded values, as they stand in the URL.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    query: Vec<Pair>,
}

/// A request's body as Postman's `body` object holds it.
#[derive(Debug, Serialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
enum BodyView {
    /// The token request's form.
    Urlencoded { urlencoded: Vec<FormField> },
    /// A JSON body's text, `{{json_NAME}}` where each value goes.
    Raw { raw: String, options: RawOptions },
}

#[derive(Debug, Serialize)]
struct FormField {
    #[serde(flatten)]
    field: Pair,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Debug, Serialize)]
struct RawOptions {
    raw: RawLanguage,
}

#[derive(Debug, Serialize)]
struct RawLanguage {
    language: &'static str,
}

impl RequestView {
    fn new(kit: &Kit<'_>, req: &Request) -> Self {
        let b = Placeholders { kit };
        let path = req.path.text(At::Path, &b, Encoding::Url);
        let form = bound(req.form(), At::Form, &b, Encoding::Raw);
        RequestView {
            name: req.name.clone(),
            description: req.description.clone(),
            method: req.method.as_str(),
            url: UrlView {
                raw: req.url(&kit.host, &b),
                protocol: coupa::SCHEME,
                host: [kit.host.text(At::Host, &b, Encoding::Url)],
                path: path
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
                query: pairs(req.encoded_query(&b)),
            },
            headers: bound(&req.headers, At::Header, &b, Encoding::Raw),
            bearer: match req.auth {
                Auth::None => false,
                Auth::Bearer => true,
            },
            no_redirects: req.sends_credentials(),
            body: match &req.body {
                Body::Form(_) if form.is_empty() => None,
                // Each value a variable its pre-request writes as JSON.
                Body::Json(json) => Some(BodyView::Raw {
                    raw: json_body::text(json, &mut |slot, _| {
                        format!("{{{{{}}}}}", json_body::variable(&b.name(slot)))
                    }),
                    options: RawOptions {
                        raw: RawLanguage { language: "json" },
                    },
                }),
                Body::Form(_) => Some(BodyView::Urlencoded {
                    urlencoded: form
                        .into_iter()
                        .map(|field| FormField {
                            field,
                            kind: "text",
                        })
                        .collect(),
                }),
                Body::None => None,
            },
        }
    }

    /// The form it sends (the token request's), as the collection's
    /// pre-request sends it too.
    fn form(&self) -> Vec<&Pair> {
        match &self.body {
            Some(BodyView::Urlencoded { urlencoded }) => {
                urlencoded.iter().map(|f| &f.field).collect()
            }
            Some(BodyView::Raw { .. }) | None => Vec::new(),
        }
    }
}

/// A request of the collection, rendered from this view alone
/// (`postman_item`): no view holds every request at once.
#[derive(Serialize)]
struct Item {
    /// The first of its list: no comma before it.
    first: bool,
    request: RequestView,
    /// Its pre-request script, if it has one, then its tests.
    events: Vec<Event>,
}

/// A script, as a Postman event holds it. Serialized here rather than by a
/// partial: handlebars copies the whole context into every partial call,
/// and an item's context is mostly its scripts.
#[derive(Serialize)]
struct Event {
    listen: &'static str,
    script: Script,
}

#[derive(Serialize)]
struct Script {
    #[serde(rename = "type")]
    kind: &'static str,
    /// One string a line.
    exec: Lines,
}

impl Event {
    fn new(listen: &'static str, exec: Lines) -> Event {
        let kind = "text/javascript";
        Event {
            listen,
            script: Script { kind, exec },
        }
    }
}

/// A folder's head (`postman_folder`): its requests follow it, then
/// `postman_folder_end`.
#[derive(Serialize)]
struct Folder<'a> {
    /// No comma before it: nothing precedes it in the collection's list.
    first: bool,
    name: &'a str,
    description: String,
}

/// The collection's head (`postman_collection`), before its requests.
#[derive(Serialize)]
struct Head {
    name: String,
    description: String,
    schema: &'static str,
}

/// The collection's end (`postman_collection_end`), after its requests.
#[derive(Serialize)]
struct End {
    auth: serde_json::Value,
    /// The collection's pre-request script and its test.
    events: Vec<Event>,
    variables: Vec<Variable>,
}

/// A collection variable; a use case's say what they hold.
#[derive(Debug, Serialize)]
struct Variable {
    key: String,
    value: String,
    description: Option<String>,
}

/// The use cases' inputs and captures, each once, empty and described; and
/// `allow_writes` when a use case changes Coupa data.
fn use_case_variables(kit: &Kit<'_>) -> Vec<Variable> {
    let mut out: Vec<Variable> = Vec::new();
    for uc in &kit.use_cases {
        for arg in &uc.args {
            if out.iter().any(|v| v.key == arg.name) {
                continue;
            }
            let description = match &arg.source {
                ArgSource::Captured { request, .. } => format!(
                    "{}. Set by \"{}\" from its answer.",
                    arg.description, uc.requests[*request].name
                ),
                ArgSource::User | ArgSource::Said => format!(
                    "{}, e.g. {}. Give it (newman: --env-var {}=...) before running \"{}\".",
                    arg.description, arg.example, arg.name, uc.name
                ),
            };
            out.push(Variable {
                key: arg.name.into(),
                value: String::new(),
                description: Some(description),
            });
        }
    }
    if kit.use_cases.iter().any(|u| u.writes()) {
        out.push(Variable {
            key: names::ALLOW_WRITES.into(),
            value: String::new(),
            description: Some(
                "Set to true to let the requests that change Coupa data (approve, reject) run; otherwise they skip themselves.".into(),
            ),
        });
    }
    out
}

/// The collection's auth: the stored token as a bearer header. With user
/// consent it is an `oauth2` block, so the Postman app's "Get New Access
/// Token" runs the consent flow, while newman (which ignores the flow)
/// still sends the stored token.
fn auth(kit: &Kit<'_>, b: &Placeholders<'_>) -> serde_json::Value {
    let token = b.placeholder(Slot::Auth(AuthValue::AccessToken));
    let Some(consent) = &kit.consent else {
        return json!({
            "type": "bearer",
            "bearer": [{ "key": "token", "value": token, "type": "string" }]
        });
    };
    let host = kit.host.text(At::Host, b, Encoding::Url);
    let authorize = kit
        .flow
        .authorize
        .as_ref()
        .map(|a| a.path.text(At::Path, b, Encoding::Url))
        .unwrap_or_default();
    let mut settings = vec![
        ("accessToken", json!(token)),
        ("tokenType", json!(coupa::BEARER)),
        ("addTokenTo", json!("header")),
        ("headerPrefix", json!(coupa::BEARER)),
        (
            "grant_type",
            json!(match consent.pkce {
                false => "authorization_code",
                true => "authorization_code_with_pkce",
            }),
        ),
        (
            "authUrl",
            json!(format!("{}://{host}{authorize}", coupa::SCHEME)),
        ),
        ("accessTokenUrl", json!(kit.flow.obtain.url(&kit.host, b))),
        ("clientId", json!(b.placeholder(Slot::Conn(Conn::ClientId)))),
    ];
    if !consent.pkce {
        settings.push((
            "clientSecret",
            json!(b.placeholder(Slot::Conn(Conn::ClientSecret))),
        ));
    }
    settings.extend([
        ("scope", json!(b.placeholder(Slot::Conn(Conn::Scopes)))),
        ("redirect_uri", json!(POSTMAN_CALLBACK)),
        ("useBrowser", json!(true)),
        ("client_authentication", json!("body")),
    ]);
    if consent.pkce {
        settings.push(("challengeAlgorithm", json!(coupa::authorize::S256)));
    }
    settings.push(("tokenName", json!(kit_name(kit))));
    let settings: Vec<serde_json::Value> = settings
        .into_iter()
        .map(|(key, value)| {
            let kind = if value.is_boolean() {
                "boolean"
            } else {
                "string"
            };
            json!({ "key": key, "value": value, "type": kind })
        })
        .collect();
    json!({ "type": "oauth2", "oauth2": settings })
}

/// The name both the collection and a one-instance kit's environment carry.
pub(super) fn kit_name(kit: &Kit<'_>) -> String {
    format!("Coupa ({})", super::instances_shown(kit))
}

/// The variables a request sends that a person (or an earlier request)
/// supplies: a code, a refresh token, a PKCE verifier, a use case's inputs
/// and captures. The request skips itself while one is empty.
fn supplied<'a>(req: &Request<'a>) -> impl Iterator<Item = Slot<'a>> {
    req.slots().into_iter().filter(|s| {
        matches!(
            s,
            Slot::Auth(AuthValue::Code | AuthValue::RefreshToken | AuthValue::CodeVerifier)
                | Slot::Input(_)
                | Slot::Captured(_)
        )
    })
}

/// A capture as a test script runs it: the answer's path as keys and
/// indexes, and what to say when the answer holds none.
#[derive(Debug, Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct CaptureView {
    name: String,
    path: serde_json::Value,
    if_none: String,
    /// An empty answer is a failure (no such user), not the chain's quiet end.
    fails: bool,
    #[serde(flatten)]
    guard: GuardView,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pick: Vec<PickView>,
}

fn capture_views(kit: &Kit<'_>, req: &Request) -> Vec<CaptureView> {
    let Some(uc) = kit.use_case_of(req) else {
        return Vec::new();
    };
    let b = Placeholders { kit };
    // A message's values as the variables that hold them, for replaceIn.
    let message = |text: &str| match text {
        "" => String::new(),
        text => uc.message(text).text(At::Header, &b, Encoding::Raw),
    };
    req.captures
        .iter()
        .map(|c| CaptureView {
            name: captured_var(&c.name),
            path: json!(c.keys()),
            if_none: message(&c.if_none),
            fails: c.fails,
            guard: GuardView::of(kit, req, c),
            pick: PickView::of(kit, c, |_| None),
        })
        .collect()
}

/// The credential variables the environment holds: the client's, then what
/// the person supplies to the flow's requests.
pub(super) fn environment_vars<'a>(kit: &Kit<'a>) -> Vec<(Slot<'a>, &'static str)> {
    let mut vars: Vec<(Slot, &'static str)> = Vec::new();
    let slots = kit.flow.requests().flat_map(|r| r.slots());
    for slot in slots {
        let kind = match slot {
            Slot::Conn(Conn::ClientId) => "default",
            Slot::Conn(Conn::ClientSecret) => "secret",
            Slot::Auth(AuthValue::Code | AuthValue::RefreshToken | AuthValue::CodeVerifier) => {
                "secret"
            }
            _ => continue,
        };
        if !vars.iter().any(|(s, _)| *s == slot) {
            vars.push((slot, kind));
        }
    }
    // The client's own first, as the setup asks for them.
    vars.sort_by_key(|(s, _)| !matches!(s, Slot::Conn(_)));
    vars
}

pub fn collection(kit: &Kit<'_>) -> Result<Artifact, Error> {
    let b = Placeholders { kit };
    let obtain = &kit.flow.obtain;
    let renew = kit.flow.renew();
    let token = RequestView::new(kit, renew);
    let env_files = environment_files(kit);
    let either = |part: fn(&environment::EnvironmentFile<'_>) -> String| {
        env_files.iter().map(part).collect::<Vec<_>>().join(" or ")
    };
    let environment_name = either(|f| f.name.clone());
    let environment_file = either(|f| f.path.clone());
    // Several instances: the environment holds the host too.
    let env_names: Vec<String> = kit
        .multi()
        .then(|| names::DOMAIN.to_string())
        .into_iter()
        .chain(
            environment_vars(kit)
                .into_iter()
                .filter(|(s, _)| matches!(s, Slot::Conn(_)))
                .map(|(s, _)| b.name(s).to_string()),
        )
        .collect();
    let token_needs: Vec<Cow<'_, str>> = supplied(renew).map(|s| b.name(s)).collect();
    let tokens = scripts::Tokens {
        token_var: names::ACCESS_TOKEN,
        issued_var: names::ISSUED,
        expiry_var: names::EXPIRY,
        redirected_var: names::TOKEN_REDIRECTED,
        access_token_field: coupa::ACCESS_TOKEN_FIELD,
        expires_in_field: coupa::EXPIRES_IN_FIELD,
        refresh_var: kit.flow.refresh.as_ref().map(|_| names::REFRESH_TOKEN),
        refresh_token_field: coupa::REFRESH_TOKEN_FIELD,
    };
    let environment = scripts::Environment {
        environment_vars: &env_names,
        environment_name: &environment_name,
        environment_file: &environment_file,
    };
    let expects_refresh = kit.consent.as_ref().is_some_and(|c| c.offline_access);
    let item = |req: &Request, first: bool| -> Result<Item, Error> {
        let guarded = kit.use_case_of(req).map(|uc| uc.guarded_before(req));
        let needs: Vec<Cow<'_, str>> = supplied(req)
            .filter(|s| *s != Slot::Auth(AuthValue::CodeVerifier))
            .chain(guarded.into_iter().flatten())
            .map(|s| b.name(s))
            .collect();
        let in_use_case = kit.use_case_of(req).is_some();
        let writes = in_use_case && req.method.writes();
        let mut events = Vec::new();
        let prerequest = scripts::request_prerequest(&scripts::RequestPrerequest {
            encodes: in_use_case && !needs.is_empty(),
            needs,
            json_values: match &req.body {
                Body::Json(json) => json_body::filled(json, |s| b.name(s)),
                Body::None | Body::Form(_) => Vec::new(),
            },
            writes_var: writes.then_some(names::ALLOW_WRITES),
        });
        if let Some(prerequest) = prerequest {
            events.push(Event::new("prerequest", prerequest));
        }
        let captures = capture_views(kit, req);
        let tests = match req.expect.answer {
            // A browser's request: never an item of the collection.
            Answer::Redirect => Vec::new(),
            Answer::Token => scripts::token_test(&scripts::TokenTest {
                tokens,
                // Only the exchange hands out the first refresh token.
                expects_refresh: expects_refresh && std::ptr::eq(req, obtain),
            }),
            Answer::List | Answer::Object => scripts::request_test(&scripts::RequestTest {
                explains: in_use_case,
                list: req.expect.answer == Answer::List,
                status: req.expect.status,
                captures: &captures,
                retry: scripts::Retry {
                    retry_var: names::RETRY,
                    token_var: names::ACCESS_TOKEN,
                    issued_var: names::ISSUED,
                    buffer_seconds: coupa::TOKEN_BUFFER_SECS,
                    retry_after_max: coupa::RETRY_AFTER_MAX_SECS,
                },
            }),
        };
        events.push(Event::new("test", tests));
        Ok(Item {
            first,
            request: RequestView::new(kit, req),
            events,
        })
    };
    // Folders by group, in the order the groups first appear, then a
    // folder a use case, its requests in order: newman runs one with --folder.
    let mut folders: Vec<(&str, String, Vec<&Request>)> = Vec::new();
    for call in &kit.calls {
        let name = call.group.as_deref().unwrap_or("API");
        match folders.iter_mut().find(|(n, ..)| *n == name) {
            Some((.., calls)) => calls.push(call),
            None => folders.push((
                name,
                format!(
                    "The kit's {} requests to Coupa's API; each fetches a token by itself when none is stored.",
                    name
                ),
                vec![call],
            )),
        }
    }
    for uc in &kit.use_cases {
        folders.push((
            &uc.name,
            format!(
                "{} Its requests run in order, each using what the one before found: run the folder (newman --folder).",
                uc.description
            ),
            uc.requests.iter().collect(),
        ));
    }

    #[derive(Serialize)]
    struct ConsentView<'a> {
        redirect_uri: &'a str,
        postman_callback: &'static str,
        code_var: &'static str,
        refresh_var: &'static str,
        verifier_var: Option<&'static str>,
        exchange_item: &'a str,
        /// Absent without offline_access: no refresh token comes.
        refresh_item: Option<&'a str>,
        refresh_days: u32,
    }
    #[derive(Serialize)]
    struct DescriptionView<'a> {
        consent: Option<ConsentView<'a>>,
        grant: &'static str,
        grant_label: &'static str,
        domain: &'a str,
        scopes: Vec<&'a str>,
        client_id_var: &'a str,
        client_secret_var: &'a str,
        environment_file: &'a str,
        environment_name: &'a str,
        /// Several instances: each one's environment, by file and name.
        instances: Vec<InstanceView<'a>>,
        token_item: &'a str,
        renew_hours: u32,
        setup: &'static str,
    }
    #[derive(Serialize)]
    struct InstanceView<'a> {
        name: &'a str,
        domain: &'a str,
        file: &'a str,
        environment: &'a str,
    }
    let consent = kit.consent.as_ref().map(|c| ConsentView {
        redirect_uri: c.redirect_uri().as_str(),
        postman_callback: POSTMAN_CALLBACK,
        code_var: names::AUTHORIZATION_CODE,
        refresh_var: names::REFRESH_TOKEN,
        verifier_var: c.pkce.then_some(names::CODE_VERIFIER),
        exchange_item: &obtain.name,
        refresh_item: kit.flow.refresh.as_ref().map(|r| r.name.as_str()),
        refresh_days: coupa::REFRESH_TOKEN_DAYS,
    });
    // The description is its parts in order, the instances and the grant
    // choosing which: a kit compiles only its own.
    let parts = [
        match kit.multi() {
            false => "postman_description_instance",
            true => "postman_description_instances",
        },
        "postman_description_scopes",
        match consent {
            Some(_) => "postman_description_consent",
            None => "postman_description",
        },
    ];
    let description = context(DescriptionView {
        consent,
        grant: kit.grant.id(),
        grant_label: coupa::grant_label(kit.grant),
        domain: kit.first().domain.as_str(),
        scopes: kit.scopes.iter().map(|s| s.as_str()).collect(),
        client_id_var: kit.names.client_id_var,
        client_secret_var: kit.names.client_secret_var,
        environment_file: &env_files[0].path,
        environment_name: &env_files[0].name,
        instances: env_files
            .iter()
            .filter_map(|f| {
                let i = f.instance?;
                Some(InstanceView {
                    name: i.name.as_str(),
                    domain: i.domain.as_str(),
                    file: &f.path,
                    environment: &f.name,
                })
            })
            .collect(),
        token_item: &obtain.name,
        renew_hours: RENEW_HOURS,
        setup: coupa::CLIENT_SETUP,
    })?;
    let description = parts
        .iter()
        .map(|part| render(part, &description))
        .collect::<Result<String, Error>>()?;

    // The connection's values the collection holds, filled in (the host
    // is an environment's when there are several instances); the token and
    // its expiry start empty.
    let mut variables = pairs(
        (!kit.multi())
            .then(|| {
                (
                    names::DOMAIN.into(),
                    kit.first().domain.as_str().to_string(),
                )
            })
            .into_iter()
            .chain([(names::SCOPES.into(), kit.scope_list())]),
    );
    if let Some(c) = &kit.consent {
        variables.extend(pairs([(
            names::REDIRECT_URI.into(),
            c.redirect_uri().as_str().to_string(),
        )]));
    }
    variables.extend(pairs([
        (names::ACCESS_TOKEN.into(), String::new()),
        (names::ISSUED.into(), String::new()),
        (names::EXPIRY.into(), String::new()),
    ]));
    if kit.multi() {
        variables.extend(pairs([(names::TOKEN_INSTANCE.into(), String::new())]));
    }
    let mut variables: Vec<Variable> = variables
        .into_iter()
        .map(|p| Variable {
            key: p.key,
            value: p.value,
            description: None,
        })
        .collect();
    variables.extend(use_case_variables(kit));

    // The head, each request from a view of its own (the flow's at the
    // root, never empty: it obtains the token), each folder, the end.
    let mut text = Pretty::new();
    text.push(&render(
        "postman_collection",
        &context(Head {
            name: kit_name(kit),
            description,
            schema: SCHEMA_URL,
        })?,
    )?);
    let mut first = true;
    for req in kit.flow.requests() {
        text.push(&render("postman_item", &context(item(req, first)?)?)?);
        first = false;
    }
    for (name, description, requests) in folders {
        let folder = Folder {
            first,
            name,
            description,
        };
        text.push(&render("postman_folder", &context(folder)?)?);
        for (i, req) in requests.into_iter().enumerate() {
            text.push(&render("postman_item", &context(item(req, i == 0)?)?)?);
        }
        text.push(&render("postman_folder_end", &context(())?)?);
        first = false;
    }
    let end = End {
        auth: auth(kit, &b),
        events: vec![
            Event::new(
                "prerequest",
                scripts::collection_prerequest(&scripts::CollectionPrerequest {
                    tokens,
                    environment,
                    renew_hours: RENEW_HOURS,
                    burst: coupa::BURST,
                    starts_var: names::STARTS,
                    flow_items: kit.flow.requests().map(|r| r.name.as_str()).collect(),
                    token: scripts::TokenRequest {
                        url: &token.url.raw,
                        method: token.method,
                        header: &token.headers,
                        form: token.form(),
                    },
                    token_needs: token_needs.first().map(|n| &**n),
                    instance: kit.multi().then_some(scripts::InstanceToken {
                        instance_var: names::DOMAIN,
                        token_instance_var: names::TOKEN_INSTANCE,
                    }),
                }),
            ),
            Event::new("test", scripts::collection_test(&environment)),
        ],
        variables,
    };
    text.push(&render("postman_collection_end", &context(end)?)?);
    Ok(Artifact {
        path: COLLECTION_FILE.path.into(),
        text: text.finish("postman_collection")?,
        executable: false,
    })
}
