//! The HTTP file (JetBrains HTTP Client syntax, run by httpyac):
//! `coupa.http` and `http-client.env.json`, which holds public values only.
//! The credentials come from the process environment or from
//! `http-client.private.env.json`, which the kit never writes; the token lives
//! in a global variable, in the client's memory. Neither client encodes a
//! variable's value for a URL or a form, so each request's script does it
//! first: every value a request puts there goes through `encodeURIComponent`
//! into a variable `encoded-<name>`.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::{json, Value as Json};

use super::binders::{captured_var, PickView, Placeholders, ANSWER_JS};
use super::escape::js_text;
use super::js::{block, fixed, script, Fixed};
use super::json_body;
use super::templates::{context, render};
use super::{wanted, Artifact, File, Format, Pair};
use crate::contract::http::{
    ACCESS_TOKEN, CLIENT_ID, CLIENT_ID_ENV, CLIENT_SECRET, CLIENT_SECRET_ENV, ENCODED_PREFIX,
    ENVIRONMENT, HOST, ISSUED, PRIVATE_ENV_FILE, RATE_SLOT, REFRESH_TOKEN_ENV, SCOPE,
};
use crate::contract::{env, postman as names};
use crate::coupa;
use crate::kit::{
    encode, Answer, At, Auth, AuthValue, Binder, Body, Conn, Encoding, Kit, Piece, Request, Slot,
    Text,
};
use crate::Error;

static WRITES_GUARD: Fixed = fixed!("http/writes-guard.js");
static ENCODE_VALUES: Fixed = fixed!("http/encode-values.js");
static STATUS_TEST: Fixed = fixed!("http/status-test.js");
static KEEP_TOKEN: Fixed = fixed!("http/keep-token.js");
static CAPTURES: Fixed = fixed!("http/captures.js");
static TOKEN_RETRY: Fixed = fixed!("http/token-retry.js");

pub const HTTP_FILE: File = File {
    path: "coupa.http",
    variant: "http",
    purpose: "The same requests as an HTTP file, for a JetBrains IDE's HTTP Client or httpyac: `httpyac send coupa.http --all --env coupa --json -o none --output-failed none` (`-o none` keeps the secret and the token off the screen), the credentials from COUPA_CLIENT_ID and COUPA_CLIENT_SECRET or from http-client.private.env.json.",
};
pub const ENV_FILE: File = File {
    path: "http-client.env.json",
    variant: "env",
    purpose: "The HTTP file's public environment, `coupa`: the instance and scopes, no secret.",
};

pub const FORMAT: Format = Format {
    command: "http",
    about: "An HTTP file (JetBrains HTTP Client, httpyac) of the kit's requests, or its environment.",
    long_about: Some(
        "An HTTP file (JetBrains HTTP Client, httpyac) of the kit's requests, or its environment.\n\n\
         Write both, side by side: `coupagen http -o coupa.http` and `coupagen http --format env \
         -o http-client.env.json`. Run them with `httpyac send coupa.http --all --env coupa --json \
         -o none --output-failed none`, COUPA_CLIENT_ID and COUPA_CLIENT_SECRET in the environment, \
         or open coupa.http in a JetBrains IDE with client_id and client_secret in \
         http-client.private.env.json (which coupagen never writes).",
    ),
    files: &[HTTP_FILE, ENV_FILE],
    ignores: &["client_id_var", "client_secret_var", "connector_name"],
    render: |kit, only| {
        let mut out = Vec::new();
        if wanted(only, &HTTP_FILE) {
            out.push(Artifact {
                path: HTTP_FILE.path.into(),
                text: file(kit)?,
                executable: false,
            });
        }
        if wanted(only, &ENV_FILE) {
            out.push(Artifact {
                path: ENV_FILE.path.into(),
                text: environment(kit)?,
                executable: false,
            });
        }
        Ok(out)
    },
};

/// The variable that holds `slot`'s value, in an environment file, a
/// `--var`, or a global a response handler set.
fn name<'s>(kit: &'s Kit<'s>, slot: Slot<'s>) -> Cow<'s, str> {
    Cow::Borrowed(match slot {
        Slot::Conn(Conn::Domain) => HOST,
        Slot::Conn(Conn::Scopes) => SCOPE,
        Slot::Conn(Conn::ClientId) => CLIENT_ID,
        Slot::Conn(Conn::ClientSecret) => CLIENT_SECRET,
        Slot::Auth(AuthValue::AccessToken) => ACCESS_TOKEN,
        // The flow's others and a use case's values by Postman's names.
        Slot::Conn(Conn::RedirectUri)
        | Slot::Auth(
            AuthValue::RefreshToken
            | AuthValue::Code
            | AuthValue::State
            | AuthValue::CodeVerifier
            | AuthValue::CodeChallenge,
        )
        | Slot::Input(_)
        | Slot::Captured(_) => return Placeholders { kit }.name(slot),
    })
}

/// The process environment variable that supplies `slot`, where one does.
fn process_env(slot: Slot) -> Option<String> {
    match slot {
        Slot::Conn(Conn::ClientId) => Some(env::CLIENT_ID.into()),
        Slot::Conn(Conn::ClientSecret) => Some(env::CLIENT_SECRET.into()),
        Slot::Auth(AuthValue::RefreshToken) => Some(env::REFRESH_TOKEN.into()),
        Slot::Input(name) => Some(env::input(name)),
        _ => None,
    }
}

/// With several instances: the environment's variable that names the
/// process variable holding this instance's own value of `slot`.
fn instance_env(kit: &Kit<'_>, slot: Slot) -> Option<&'static str> {
    let own = match slot {
        Slot::Conn(Conn::ClientId) => CLIENT_ID_ENV,
        Slot::Conn(Conn::ClientSecret) => CLIENT_SECRET_ENV,
        Slot::Auth(AuthValue::RefreshToken) => REFRESH_TOKEN_ENV,
        _ => return None,
    };
    kit.multi().then_some(own)
}

/// The instance's own process variables, as a hint says them.
fn own_env(kit: &Kit<'_>, shared: &str) -> String {
    match kit.multi() {
        true => format!(
            "{} (or {shared})",
            shared.replacen("COUPA_", "COUPA_<INSTANCE>_", 1)
        ),
        false => shared.into(),
    }
}

/// What to do when `slot` has no value: the script's error says it.
fn hint(kit: &Kit<'_>, slot: Slot) -> String {
    let var = name(kit, slot);
    match (slot, process_env(slot)) {
        (Slot::Captured(_), _) => {
            "an earlier request of this use case keeps it: run its requests in order".into()
        }
        (Slot::Conn(Conn::Scopes | Conn::RedirectUri), _) => match kit.multi() {
            true => format!(
                "{} holds it: choose an instance's environment ({})",
                ENV_FILE.path,
                kit.instance_names()
            ),
            false => format!(
                "{} holds it: choose the {ENVIRONMENT} environment",
                ENV_FILE.path
            ),
        },
        (Slot::Input(_) | Slot::Auth(AuthValue::Code | AuthValue::CodeVerifier), env) => {
            let env = env
                .map(|e| format!(", {e} in the environment"))
                .unwrap_or_default();
            format!("give it with --var {var}=VALUE (httpyac){env}, or in {PRIVATE_ENV_FILE}")
        }
        (_, Some(env)) => format!(
            "set {} in the environment, or {var} in {PRIVATE_ENV_FILE}",
            own_env(kit, &env)
        ),
        (_, None) => format!("set {var} in {PRIVATE_ENV_FILE}"),
    }
}

/// The HTTP file's binding: the host and the token as variables; a value a
/// URL or form holds as the `encoded-<name>` variable its script sets.
struct Vars<'s> {
    kit: &'s Kit<'s>,
}

impl Binder for Vars<'_> {
    type Out = Text;
    fn slot(&self, slot: Slot, at: At) -> Text {
        let name = name(self.kit, slot);
        Text::Placeholder(match at {
            At::Host | At::Header => format!("{{{{{name}}}}}"),
            At::Path | At::Query | At::Form => format!("{{{{{ENCODED_PREFIX}{name}}}}}"),
        })
    }
}

/// The authorization URL as a comment shows it: the kit's own values
/// filled in, the rest as `{{name}}` for the person to replace.
struct Shown<'s> {
    kit: &'s Kit<'s>,
}

impl Binder for Shown<'_> {
    type Out = Text;
    fn slot(&self, slot: Slot, _: At) -> Text {
        match slot {
            Slot::Conn(Conn::Domain) => Text::Value(self.kit.first().domain.as_str().into()),
            Slot::Conn(Conn::Scopes) => Text::Value(self.kit.scope_list()),
            Slot::Conn(Conn::RedirectUri) => match &self.kit.consent {
                Some(c) => Text::Value(c.redirect_uri().as_str().into()),
                None => Text::Placeholder(format!("{{{{{}}}}}", name(self.kit, slot))),
            },
            Slot::Conn(Conn::ClientId | Conn::ClientSecret)
            | Slot::Auth(_)
            | Slot::Input(_)
            | Slot::Captured(_) => Text::Placeholder(format!("{{{{{}}}}}", name(self.kit, slot))),
        }
    }
}

#[derive(Serialize)]
struct FileView<'k> {
    domain: String,
    file: &'static str,
    environment: &'k str,
    /// Several instances: each one's name and host.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    instances: Vec<String>,
    client_id_env: String,
    client_secret_env: String,
    client_id: &'static str,
    client_secret: &'static str,
    private_env_file: &'static str,
    access_token: &'static str,
    allow_writes: &'static str,
    consent: Option<ConsentView>,
    use_cases: bool,
}

#[derive(Serialize)]
struct ConsentView {
    authorize_url: String,
    code: &'static str,
    pkce: bool,
    verifier: &'static str,
    /// Whether the flow has a refresh (Coupa issues refresh tokens only
    /// with offline_access).
    refresh: bool,
    refresh_env: String,
}

#[derive(Serialize)]
struct RequestView {
    title: String,
    /// httpyac's `# @disabled` expression: the request skips itself when a
    /// value it needs is missing, or when it writes and writes are not allowed.
    disabled: Option<String>,
    /// An API request's httpyac `# @ratelimit`: Coupa's burst.
    ratelimit: Option<String>,
    /// The pre-request script's lines: the values it encodes, each into
    /// `encoded-<name>`; a request that changes Coupa data refuses unless
    /// allowed (the JetBrains client has no `@disabled`).
    pre: String,
    method: &'static str,
    url: String,
    headers: Vec<Pair>,
    body: Option<String>,
    /// The response handler's: the status test, the token, the captures.
    post: String,
    /// It sends a credential: `# @no-redirect` (httpyac and JetBrains), so
    /// no redirect carries it on.
    no_redirects: bool,
}

/// The pre-request script's config.
#[derive(Serialize)]
struct PreRequest {
    #[serde(skip_serializing_if = "Option::is_none")]
    writes: Option<WritesView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    values: Vec<ValueView>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ValueView {
    variable: String,
    name: String,
    process_env: Option<String>,
    /// Several instances: the environment's variable naming the instance's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    instance_env: Option<&'static str>,
    hint: String,
    /// A JSON body's value: written as a JSON `string`, or `typed` (a
    /// number or boolean as itself); else percent-encoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    json: Option<&'static str>,
}

#[derive(Serialize)]
struct WritesView {
    variable: &'static str,
    refused: String,
}

/// The response handler's config.
#[derive(Serialize)]
struct PostResponse {
    test: String,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<TokenView>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    retry: Option<RetryView>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    captures: Vec<CaptureView>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenView {
    variable: &'static str,
    field: &'static str,
    issued_var: &'static str,
}

/// When an API request is sent again (`token-retry.js`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RetryView {
    token_var: &'static str,
    /// The header a request sent again carries the token in, and its prefix.
    authorization: &'static str,
    bearer: String,
    issued_var: &'static str,
    access_token_field: &'static str,
    buffer_seconds: u32,
    retry_after_max: u32,
    /// None with user consent but no refresh token: a new token needs the person.
    token: Option<RenewView>,
}

/// The request a new token comes from: each text as parts, literal or a
/// value found as the encode-values script finds it.
#[derive(Serialize)]
struct RenewView {
    url: Vec<Part>,
    headers: Json,
    form: Vec<FieldView>,
}

#[derive(Serialize)]
struct FieldView {
    key: String,
    value: Vec<Part>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Part {
    Text {
        text: String,
    },
    #[serde(rename_all = "camelCase")]
    Value {
        name: String,
        process_env: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        instance_env: Option<&'static str>,
    },
}

/// The value's parts for `token-retry.js`: the slots by name, the rest literal.
struct Parts<'s> {
    kit: &'s Kit<'s>,
}

impl Binder for Parts<'_> {
    type Out = Part;
    fn slot(&self, slot: Slot, _: At) -> Part {
        Part::Value {
            name: name(self.kit, slot).into(),
            process_env: process_env(slot),
            instance_env: instance_env(self.kit, slot),
        }
    }
}

fn parts(value: &crate::kit::Value, at: At, kit: &Kit<'_>) -> Vec<Part> {
    value
        .lower(at, &Parts { kit })
        .into_iter()
        .map(|piece| match piece {
            Piece::Lit(text) => Part::Text { text: text.into() },
            Piece::Bound(part) => part,
        })
        .collect()
}

fn renew_view(kit: &Kit<'_>) -> RenewView {
    let req = kit.flow.renew();
    let mut url = vec![Part::Text {
        text: format!("{}://", coupa::SCHEME),
    }];
    url.extend(parts(&kit.host, At::Host, kit));
    url.extend(parts(&req.path, At::Path, kit));
    RenewView {
        url,
        headers: req
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    Json::from(v.text(At::Header, &Shown { kit }, Encoding::Raw)),
                )
            })
            .collect::<serde_json::Map<_, _>>()
            .into(),
        form: req
            .form()
            .iter()
            .map(|(k, v)| FieldView {
                key: k.clone(),
                value: parts(v, At::Form, kit),
            })
            .collect(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CaptureView {
    name: String,
    keys: Json,
    /// A guard: the values the use case goes on with.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    must_be: Vec<String>,
    /// The value's name in the use case, for the guard's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pick: Vec<PickView>,
}

/// The HTTP file: its parts in order, the grant and the use cases choosing
/// which, each a small template compiled only by a kit that has it, then
/// each request from a view of its own (`http_request`): a big kit's file
/// is hundreds of them, and one view of them all was its largest tree.
fn file(kit: &Kit<'_>) -> Result<String, Error> {
    let view = view(kit);
    let parts = [
        Some("http_head"),
        view.consent.as_ref().map(|_| "http_consent"),
        view.use_cases.then_some("http_use_cases"),
    ];
    let root = context(view)?;
    let mut text = parts
        .into_iter()
        .flatten()
        .map(|part| render(part, &root))
        .collect::<Result<String, Error>>()?;
    let flow = kit
        .flow
        .requests()
        .chain(&kit.calls)
        .map(|r| (r, r.name.clone()));
    let use_cases = kit.use_cases.iter().flat_map(|uc| {
        uc.requests
            .iter()
            .map(move |r| (r, format!("{}: {}", uc.name, r.name)))
    });
    for (req, title) in flow.chain(use_cases) {
        text.push_str(&render(
            "http_request",
            &context(request_view(kit, req, title))?,
        )?);
    }
    Ok(text)
}

fn view<'k>(kit: &'k Kit<'k>) -> FileView<'k> {
    FileView {
        domain: super::instances_shown(kit),
        file: HTTP_FILE.path,
        environment: match kit.multi() {
            true => kit.first().name.as_str(),
            false => ENVIRONMENT,
        },
        instances: match kit.multi() {
            true => kit
                .instances
                .iter()
                .map(|i| format!("{} ({})", i.name.as_str(), i.domain.as_str()))
                .collect(),
            false => Vec::new(),
        },
        client_id_env: own_env(kit, env::CLIENT_ID),
        client_secret_env: own_env(kit, env::CLIENT_SECRET),
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        private_env_file: PRIVATE_ENV_FILE,
        access_token: ACCESS_TOKEN,
        allow_writes: names::ALLOW_WRITES,
        consent: kit.consent.as_ref().and_then(|consent| {
            let authorize = kit.flow.authorize.as_ref()?;
            Some(ConsentView {
                authorize_url: authorize.url(&kit.host, &Shown { kit }),
                code: names::AUTHORIZATION_CODE,
                pkce: consent.pkce,
                verifier: names::CODE_VERIFIER,
                refresh: kit.flow.refresh.is_some(),
                refresh_env: own_env(kit, env::REFRESH_TOKEN),
            })
        }),
        use_cases: !kit.use_cases.is_empty(),
    }
}

fn request_view(kit: &Kit<'_>, req: &Request, title: String) -> RequestView {
    let b = Vars { kit };
    let mut slots: Vec<Slot> = Vec::new();
    let in_url_or_form = std::iter::once(&req.path)
        .chain(req.query.iter().map(|(_, v)| v))
        .chain(req.form().iter().map(|(_, v)| v));
    for slot in in_url_or_form.flat_map(|v| v.slots()) {
        if !slots.contains(&slot) {
            slots.push(slot);
        }
    }
    let json_values = match &req.body {
        Body::Json(json) => json.slots(),
        Body::None | Body::Form(_) => Vec::new(),
    };
    let body = match &req.body {
        // Each value a variable its pre-request writes as JSON.
        Body::Json(json) => Some(json_body::text(json, &mut |slot, _| {
            format!("{{{{{}}}}}", json_body::variable(&name(kit, slot)))
        })),
        Body::None | Body::Form(_) => None,
    };
    let body = body.or_else(|| {
        (!req.form().is_empty()).then(|| {
            req.form()
                .iter()
                .map(|(k, v)| {
                    let value: String = v
                        .lower(At::Form, &b)
                        .into_iter()
                        .map(|piece| match piece {
                            Piece::Lit(text) => encode(text, b""),
                            Piece::Bound(Text::Value(text)) => encode(&text, b""),
                            Piece::Bound(Text::Placeholder(p)) => p,
                        })
                        .collect();
                    format!("{}={value}", encode(k, b""))
                })
                .collect::<Vec<_>>()
                .join("&")
        })
    });
    let pre = PreRequest {
        values: slots
            .iter()
            .map(|&slot| ValueView {
                variable: format!("{ENCODED_PREFIX}{}", name(kit, slot)),
                name: name(kit, slot).into(),
                process_env: process_env(slot),
                instance_env: instance_env(kit, slot),
                hint: hint(kit, slot),
                json: None,
            })
            .chain(json_values.iter().map(|&(slot, typed)| ValueView {
                variable: json_body::variable(&name(kit, slot)),
                name: name(kit, slot).into(),
                process_env: process_env(slot),
                instance_env: instance_env(kit, slot),
                hint: hint(kit, slot),
                json: Some(if typed { "typed" } else { "string" }),
            }))
            .collect(),
        writes: (kit.use_case_of(req).is_some() && req.method.writes()).then(|| WritesView {
            variable: names::ALLOW_WRITES,
            refused: format!(
                "Not sent: it changes Coupa data; set {} to true (--var {}=true) to run it.",
                names::ALLOW_WRITES,
                names::ALLOW_WRITES
            ),
        }),
    };
    let bearer = req.auth == Auth::Bearer;
    let post = PostResponse {
        test: format!("{title} answers {}", req.expect.status),
        status: req.expect.status,
        token: (req.expect.answer == Answer::Token).then_some(TokenView {
            variable: ACCESS_TOKEN,
            field: coupa::ACCESS_TOKEN_FIELD,
            issued_var: ISSUED,
        }),
        retry: bearer.then(|| RetryView {
            token_var: ACCESS_TOKEN,
            authorization: coupa::AUTHORIZATION,
            bearer: format!("{} ", coupa::BEARER),
            issued_var: ISSUED,
            access_token_field: coupa::ACCESS_TOKEN_FIELD,
            buffer_seconds: coupa::TOKEN_BUFFER_SECS,
            retry_after_max: coupa::RETRY_AFTER_MAX_SECS,
            token: (kit.consent.is_none() || kit.flow.refresh.is_some()).then(|| renew_view(kit)),
        }),
        captures: req
            .captures
            .iter()
            .map(|c| CaptureView {
                name: captured_var(&c.name),
                keys: json!(c.keys()),
                must_be: c.must_be.clone(),
                label: (!c.must_be.is_empty()).then(|| c.name.clone()),
                pick: PickView::of(kit, c, process_env),
            })
            .collect(),
    };
    let mut pre_pieces = Vec::new();
    if pre.writes.is_some() {
        pre_pieces.push(&WRITES_GUARD);
    }
    if !pre.values.is_empty() {
        pre_pieces.push(&ENCODE_VALUES);
    }
    // An API request's status test is in token-retry.js: of the last answer.
    let mut post_pieces = vec![if bearer { &TOKEN_RETRY } else { &STATUS_TEST }];
    if post.token.is_some() {
        post_pieces.push(&KEEP_TOKEN);
    }
    if !post.captures.is_empty() {
        post_pieces.extend([&ANSWER_JS, &CAPTURES]);
    }
    RequestView {
        disabled: disabled(kit, req),
        ratelimit: bearer.then(|| format!("slot {RATE_SLOT} max {} expire 1000", coupa::BURST)),
        pre: if pre_pieces.is_empty() {
            String::new()
        } else {
            block(&script(&pre, &pre_pieces, js_text))
        },
        method: req.method.as_str(),
        url: req.url(&kit.host, &b),
        headers: req
            .sent_headers()
            .iter()
            .map(|(k, v)| Pair {
                key: k.clone(),
                value: v.text(At::Header, &b, Encoding::Raw),
            })
            .collect(),
        body,
        title,
        post: block(&script(&post, &post_pieces, js_text)),
        no_redirects: req.sends_credentials(),
    }
}

/// httpyac's `# @disabled` expression for a request that cannot or may not
/// run: a use case's write without `allow_writes`, a value it needs missing,
/// a consent exchange without a code, a refresh without a refresh token.
fn disabled(kit: &Kit<'_>, req: &Request) -> Option<String> {
    use super::escape::js_literal;
    let in_use_case = kit.use_case_of(req).is_some();
    let guarded = kit.use_case_of(req).map(|uc| uc.guarded_before(req));
    let needs: Vec<String> = req
        .slots()
        .into_iter()
        .chain(guarded.into_iter().flatten())
        .filter(|slot| match slot {
            Slot::Input(_) | Slot::Captured(_) => in_use_case,
            Slot::Auth(AuthValue::Code | AuthValue::RefreshToken) => !in_use_case,
            _ => false,
        })
        .map(|slot| {
            let var = format!("this[{}]", js_literal(&json!(name(kit, slot))));
            let own = instance_env(kit, slot)
                .map(|own| format!(" || process.env[this[{}]]", js_literal(&json!(own))));
            match process_env(slot) {
                Some(e) => format!(
                    "({var}{} || process.env[{}])",
                    own.unwrap_or_default(),
                    js_literal(&json!(e))
                ),
                None => var,
            }
        })
        .collect();
    let mut reasons = Vec::new();
    if in_use_case && req.method.writes() {
        reasons.push(format!(
            "String(this[{}]) !== \"true\"",
            js_literal(&json!(names::ALLOW_WRITES))
        ));
    }
    match needs.as_slice() {
        [] => {}
        [one] => reasons.push(format!("!{one}")),
        all => reasons.push(format!("!({})", all.join(" && "))),
    }
    (!reasons.is_empty()).then(|| reasons.join(" || "))
}

/// `http-client.env.json`: each environment's public values; one
/// environment an instance, named after it, when there are several.
fn environment(kit: &Kit<'_>) -> Result<String, Error> {
    let mut environments = serde_json::Map::new();
    for instance in kit.instances {
        let mut vars = serde_json::Map::new();
        vars.insert(HOST.into(), json!(instance.domain.as_str()));
        vars.insert(SCOPE.into(), json!(kit.scope_list()));
        if let Some(consent) = &kit.consent {
            vars.insert(
                names::REDIRECT_URI.into(),
                json!(consent.redirect_uri().as_str()),
            );
        }
        let name = match kit.multi() {
            true => instance.name.as_str(),
            false => ENVIRONMENT,
        };
        if kit.multi() {
            for (own, shared) in [
                (CLIENT_ID_ENV, env::CLIENT_ID),
                (CLIENT_SECRET_ENV, env::CLIENT_SECRET),
                (REFRESH_TOKEN_ENV, env::REFRESH_TOKEN),
            ]
            .into_iter()
            .filter(|(own, _)| *own != REFRESH_TOKEN_ENV || kit.flow.refresh.is_some())
            {
                vars.insert(
                    own.into(),
                    json!(env::of_instance(shared, instance.name.as_str())),
                );
            }
        }
        environments.insert(name.into(), json!(vars));
    }
    let text =
        serde_json::to_string_pretty(&environments).map_err(|e| Error::Failed(e.to_string()))?;
    Ok(format!("{text}\n"))
}
