//! The Bruno collection: `bruno.json`, `collection.bru`, an environment,
//! and one `.bru` file a request, in folders (the token request's first:
//! Bruno runs folders before root-level requests). Blocks in the order
//! Bruno's own serializer writes them, so saving in the Bruno app changes
//! nothing. The credentials come from the process environment; the token
//! lives in a runtime variable, never in a file of the collection.

use std::borrow::Cow;

use serde::Serialize;

use super::binders::{captured_var, GuardView, PickView, Placeholders, ANSWER_JS};
use super::js::{block, fixed, json, script, Fixed, Lines};
use super::json_body;
use super::templates::{context, render};
use super::{Artifact, File, Format, Pair};
use crate::contract::bruno::{
    ACCESS_TOKEN as TOKEN, CREDENTIALS as CREDENTIAL_VARS, ENVIRONMENT, HOST, ISSUED, RETRY, SCOPE,
    STARTS,
};
use crate::contract::env;
use crate::contract::postman::{self as names, ALLOW_WRITES};
use crate::coupa;
use crate::kit::{
    Answer, At, Auth, AuthValue, Binder, Body, Conn, Encoding, Kit, Request, Slot, Text,
};
use crate::Error;

static WRITES_GUARD: Fixed = fixed!("bruno/writes-guard.js");
static FLOW_GUARD: Fixed = fixed!("bruno/flow-guard.js");
static NEEDS_GUARD: Fixed = fixed!("bruno/needs-guard.js");
static KEEP_TOKEN: Fixed = fixed!("bruno/keep-token.js");
static TOKEN_RETRY: Fixed = fixed!("bruno/token-retry.js");
static PACE: Fixed = fixed!("bruno/pace.js");
static CAPTURES: Fixed = fixed!("bruno/captures.js");
static JSON_VALUES: Fixed = fixed!("bruno/json-values.js");
static CREDENTIALS: Fixed = fixed!("bruno/credentials.js");

pub const FOLDER: File = File {
    path: "bruno/",
    variant: "bruno",
    purpose: "A Bruno collection (Open Collection in Bruno): the same requests, one .bru file each; `bru run -r --env coupa` runs them, the credentials from COUPA_CLIENT_ID and COUPA_CLIENT_SECRET.",
};

pub const FORMAT: Format = Format {
    command: "bruno",
    about: "A Bruno collection folder: one .bru file a request; write it with -o DIR.",
    long_about: Some(
        "A Bruno collection folder: one .bru file a request; write it with -o DIR.\n\n\
         The folder holds bruno.json, collection.bru, environments/coupa.bru and the requests' \
         files, in folders. Run it with `bru run -r --env coupa` from DIR, COUPA_CLIENT_ID and \
         COUPA_CLIENT_SECRET in the environment.",
    ),
    files: std::slice::from_ref(&FOLDER),
    ignores: &["client_id_var", "client_secret_var", "connector_name"],
    render: |kit, _| files(kit),
};

/// Bruno's binding: the environment's and runtime's `{{variables}}`, the
/// credentials from the process environment; the flow's and use cases'
/// other values by the names Postman's collection gives them.
struct Vars<'k>(Placeholders<'k>);

/// A credential of the process environment, by its shared variable: how a
/// request names it. With several instances, the runtime variable
/// `credentials.js` sets.
fn credential(kit_multi: bool, shared: &str) -> String {
    match CREDENTIAL_VARS.iter().find(|(_, _, s)| *s == shared) {
        Some((var, _, _)) if kit_multi => (*var).into(),
        _ => format!("process.env.{shared}"),
    }
}

impl Binder for Vars<'_> {
    type Out = Text;
    fn slot(&self, slot: Slot, _: At) -> Text {
        let multi = self.0.kit.multi();
        let name: String = match slot {
            Slot::Conn(Conn::Domain) => HOST.into(),
            Slot::Conn(Conn::Scopes) => SCOPE.into(),
            Slot::Conn(Conn::ClientId) => credential(multi, env::CLIENT_ID),
            Slot::Conn(Conn::ClientSecret) => credential(multi, env::CLIENT_SECRET),
            Slot::Auth(AuthValue::AccessToken) => TOKEN.into(),
            Slot::Auth(AuthValue::RefreshToken) => credential(multi, env::REFRESH_TOKEN),
            Slot::Conn(Conn::RedirectUri)
            | Slot::Auth(
                AuthValue::Code
                | AuthValue::State
                | AuthValue::CodeVerifier
                | AuthValue::CodeChallenge,
            )
            | Slot::Input(_)
            | Slot::Captured(_) => self.0.name(slot).into(),
        };
        Text::Placeholder(format!("{{{{{name}}}}}"))
    }
}

#[derive(Serialize)]
struct RequestView {
    name: String,
    seq: usize,
    method: String,
    url: String,
    body: &'static str,
    auth: &'static str,
    query: Vec<Pair>,
    headers: Vec<Pair>,
    form: Vec<Pair>,
    /// A JSON body's lines, joined (see [`block`]).
    json: String,
    token: String,
    bearer: bool,
    status: u16,
    /// The pre-request script (see [`block`]): a request skips itself when
    /// a value it needs is missing, or when it writes and writes are not
    /// allowed.
    pre: String,
    /// The post-response script: the token request keeps the token, a use
    /// case's request what the next needs, in runtime variables.
    post: String,
    /// It sends a credential: Bruno must not follow a redirect with it.
    no_redirects: bool,
}

/// File names unique within one directory, whatever names people give their
/// use cases and requests (the `.bru` file's `meta` keeps the name itself):
/// characters a file system refuses become `_`, so do a leading dot and
/// trailing dots and spaces (Windows drops them); the length is bounded; a
/// name taken, ignoring case as macOS and Windows do, gets ` (2)`, ` (3)`, ….
struct FileNames {
    taken: Vec<String>,
}

/// A file name's bytes before its suffix: well under the 255 file systems allow.
const MAX_NAME_BYTES: usize = 200;

impl FileNames {
    /// `reserved`: names the directory holds already.
    fn new(reserved: &[&str]) -> Self {
        FileNames {
            taken: reserved.iter().map(|r| r.to_lowercase()).collect(),
        }
    }

    /// A file name for `name`, with `suffix`, not yet taken here.
    fn unique(&mut self, name: &str, suffix: &str) -> String {
        let mut base: String = name
            .chars()
            .map(|c| {
                if c.is_control() || "/\\:*?\"<>|".contains(c) {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        while base.len() > MAX_NAME_BYTES {
            base.pop();
        }
        if base.ends_with(['.', ' ']) {
            base.truncate(base.trim_end_matches(['.', ' ']).len());
            base.push('_');
        }
        if base.starts_with('.') {
            base.insert(0, '_');
        }
        let mut candidate = format!("{base}{suffix}");
        let mut n = 1;
        while self.taken.contains(&candidate.to_lowercase()) {
            n += 1;
            candidate = format!("{base} ({n}){suffix}");
        }
        self.taken.push(candidate.to_lowercase());
        candidate
    }
}

fn request_view(kit: &Kit<'_>, req: &Request, seq: usize) -> RequestView {
    let b = Vars(Placeholders { kit });
    let text = |v: &crate::kit::Value, at| v.text(at, &b, Encoding::Raw);
    RequestView {
        name: req.name.clone(),
        seq,
        method: req.method.as_str().to_ascii_lowercase(),
        url: req.url(&kit.host, &b),
        body: match req.body {
            Body::None => "none",
            Body::Form(_) => "formUrlEncoded",
            Body::Json(_) => "json",
        },
        json: match &req.body {
            // Each value a variable its pre-request writes as JSON.
            Body::Json(json) => json_body::text(json, &mut |slot, _| {
                format!("{{{{{}}}}}", json_body::variable(&b.0.name(slot)))
            })
            .lines()
            .collect::<Vec<_>>()
            .join("\n"),
            Body::None | Body::Form(_) => String::new(),
        },
        auth: match req.auth {
            Auth::None => "none",
            Auth::Bearer => "bearer",
        },
        query: req
            .query
            .iter()
            .map(|(k, v)| Pair {
                key: k.clone(),
                value: text(v, At::Query),
            })
            .collect(),
        headers: req
            .headers
            .iter()
            .map(|(k, v)| Pair {
                key: k.clone(),
                value: text(v, At::Header),
            })
            .collect(),
        form: req
            .form()
            .iter()
            .map(|(k, v)| Pair {
                key: k.clone(),
                value: text(v, At::Form),
            })
            .collect(),
        token: format!("{{{{{TOKEN}}}}}"),
        bearer: req.auth == Auth::Bearer,
        status: req.expect.status,
        pre: block(&guards(kit, req)),
        post: block(&keeps(kit, req)),
        no_redirects: req.sends_credentials(),
    }
}

/// Every file of the collection, under `bruno/`.
pub fn files(kit: &Kit<'_>) -> Result<Vec<Artifact>, Error> {
    let name = format!("Coupa ({})", super::instances_shown(kit));
    let file = |path: String, text: String| Artifact {
        path: format!("{}{path}", FOLDER.path),
        text,
        executable: false,
    };
    let mut out = vec![file(
        "bruno.json".into(),
        format!(
            "{}\n",
            serde_json::to_string_pretty(&serde_json::json!({
                "version": "1",
                "name": name,
                "type": "collection",
                "ignore": ["node_modules", ".git"],
            }))
            .map_err(|e| Error::Failed(e.to_string()))?
        ),
    )];
    #[derive(Serialize)]
    struct CollectionView<'a> {
        name: &'a str,
        client_id: &'static str,
        client_secret: &'static str,
        environment: &'static str,
        pre: String,
    }
    out.push(file(
        "collection.bru".into(),
        render(
            "bruno_collection",
            &context(CollectionView {
                name: &name,
                client_id: env::CLIENT_ID,
                client_secret: env::CLIENT_SECRET,
                environment: ENVIRONMENT,
                pre: block(&pace()),
            })?,
        )?,
    ));
    for instance in kit.instances {
        let mut vars = vec![
            Pair {
                key: HOST.into(),
                value: instance.domain.as_str().into(),
            },
            Pair {
                key: SCOPE.into(),
                value: kit.scope_list(),
            },
        ];
        if let Some(consent) = &kit.consent {
            vars.push(Pair {
                key: names::REDIRECT_URI.into(),
                value: consent.redirect_uri().as_str().into(),
            });
        }
        let environment = match kit.multi() {
            true => instance.name.as_str(),
            false => ENVIRONMENT,
        };
        if kit.multi() {
            // Which process variables hold this instance's credentials.
            let refresh = kit.flow.refresh.is_some();
            for (_, env_var, shared) in CREDENTIAL_VARS
                .iter()
                .filter(|(_, _, shared)| refresh || *shared != env::REFRESH_TOKEN)
            {
                vars.push(Pair {
                    key: (*env_var).into(),
                    value: env::of_instance(shared, instance.name.as_str()),
                });
            }
        }
        out.push(file(
            format!("environments/{environment}.bru"),
            render(
                "bruno_environment",
                &context(serde_json::json!({ "vars": vars }))?,
            )?,
        ));
    }
    // Folders run in their order, before root-level requests: the token
    // request's folder first.
    let mut folders: Vec<(String, Vec<&Request>)> =
        vec![("Auth".into(), kit.flow.requests().collect())];
    for call in &kit.calls {
        let group = call.group.clone().unwrap_or_else(|| "API".into());
        match folders.iter_mut().find(|(n, _)| *n == group) {
            Some((_, reqs)) => reqs.push(call),
            None => folders.push((group, vec![call])),
        }
    }
    for uc in &kit.use_cases {
        folders.push((uc.name.clone(), uc.requests.iter().collect()));
    }
    let mut dirs = FileNames::new(&["bruno.json", "collection.bru", "environments"]);
    for (n, (folder, requests)) in folders.into_iter().enumerate() {
        let dir = dirs.unique(&folder, "");
        let mut names = FileNames::new(&["folder.bru"]);
        out.push(file(
            format!("{dir}/folder.bru"),
            render(
                "bruno_folder",
                &context(serde_json::json!({"name": folder, "seq": n + 1}))?,
            )?,
        ));
        for (i, req) in requests.into_iter().enumerate() {
            out.push(file(
                format!("{dir}/{}", names.unique(&req.name, ".bru")),
                render("bruno_request", &context(request_view(kit, req, i + 1))?)?,
            ));
        }
    }
    Ok(out)
}

/// The pre-request script: a request that cannot or may not run skips
/// itself. None for a request that always runs.
fn guards(kit: &Kit<'_>, req: &Request) -> Lines {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Guards<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        writes_var: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        flow_needs: Option<FlowNeed>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        needs: Vec<Cow<'a, str>>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        json_values: Vec<json_body::Filled<'a>>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        credentials: Vec<Credential>,
    }
    #[derive(Serialize)]
    struct Credential {
        var: &'static str,
        env: &'static str,
        shared: &'static str,
        /// The request cannot go without it: it skips itself (a refresh
        /// with no refresh token); a missing credential is Coupa's to refuse.
        skips: bool,
    }
    let multi = kit.multi();
    let slots = req.slots();
    let credentials: Vec<Credential> = [
        Slot::Conn(Conn::ClientId),
        Slot::Conn(Conn::ClientSecret),
        Slot::Auth(AuthValue::RefreshToken),
    ]
    .into_iter()
    .zip(CREDENTIAL_VARS)
    .filter(|(slot, _)| multi && slots.contains(slot))
    .map(|(slot, (var, env, shared))| Credential {
        var,
        env,
        shared,
        skips: slot == Slot::Auth(AuthValue::RefreshToken),
    })
    .collect();
    let in_use_case = kit.use_case_of(req).is_some();
    let guarded = kit.use_case_of(req).map(|uc| uc.guarded_before(req));
    let needs: Vec<Cow<'_, str>> = req
        .slots()
        .into_iter()
        .chain(guarded.into_iter().flatten())
        .filter_map(|s| match s {
            Slot::Input(_) | Slot::Captured(_) if in_use_case => Some(Placeholders { kit }.name(s)),
            _ => None,
        })
        .collect();
    let config = Guards {
        writes_var: (in_use_case && req.method.writes()).then_some(ALLOW_WRITES),
        // With several instances the refresh token is the instance's own,
        // which the credentials' piece reads and requires.
        flow_needs: match in_use_case
            || multi && slots.contains(&Slot::Auth(AuthValue::RefreshToken))
        {
            true => None,
            false => flow_need(req),
        },
        needs,
        json_values: match &req.body {
            Body::Json(json) => json_body::filled(json, |s| Placeholders { kit }.name(s)),
            Body::None | Body::Form(_) => Vec::new(),
        },
        credentials,
    };
    let mut pieces = Vec::new();
    if !config.credentials.is_empty() {
        pieces.push(&CREDENTIALS);
    }
    if config.writes_var.is_some() {
        pieces.push(&WRITES_GUARD);
    }
    if config.flow_needs.is_some() {
        pieces.push(&FLOW_GUARD);
    }
    if !config.needs.is_empty() {
        pieces.push(&NEEDS_GUARD);
    }
    if !config.json_values.is_empty() {
        pieces.push(&JSON_VALUES);
    }
    if pieces.is_empty() {
        return Vec::new();
    }
    script(&config, &pieces, json)
}

/// What a user-consent flow request needs the person to supply: the
/// exchange a fresh `authorization_code` (`--env-var`), the refresh
/// COUPA_REFRESH_TOKEN in the process environment.
#[derive(Serialize)]
struct FlowNeed {
    from: &'static str,
    name: &'static str,
}

fn flow_need(req: &Request) -> Option<FlowNeed> {
    let slots = req.slots();
    if slots.contains(&Slot::Auth(AuthValue::Code)) {
        Some(FlowNeed {
            from: "env",
            name: names::AUTHORIZATION_CODE,
        })
    } else if slots.contains(&Slot::Auth(AuthValue::RefreshToken)) {
        Some(FlowNeed {
            from: "process",
            name: env::REFRESH_TOKEN,
        })
    } else {
        None
    }
}

/// The post-response script: what the answer holds for later requests, in
/// runtime variables. None when the request keeps nothing.
fn keeps(kit: &Kit<'_>, req: &Request) -> Lines {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Keep {
        name: String,
        keys: serde_json::Value,
        #[serde(flatten)]
        guard: GuardView,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pick: Vec<PickView>,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Keeps {
        #[serde(skip_serializing_if = "Option::is_none")]
        token_var: Option<&'static str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        issued_var: Option<&'static str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        access_token_field: Option<&'static str>,
        #[serde(flatten, skip_serializing_if = "Option::is_none")]
        retry: Option<Retry>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        captures: Vec<Keep>,
        /// The status a good answer has: judged, and captures taken from it.
        #[serde(skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
    }
    let token = req.expect.answer == Answer::Token;
    let bearer = req.auth == Auth::Bearer;
    let config = Keeps {
        token_var: (token || bearer).then_some(TOKEN),
        issued_var: (token || bearer).then_some(ISSUED),
        access_token_field: (token || bearer).then_some(coupa::ACCESS_TOKEN_FIELD),
        retry: bearer.then(|| retry(kit)),
        captures: req
            .captures
            .iter()
            .map(|c| Keep {
                name: captured_var(&c.name),
                keys: serde_json::json!(c.keys()),
                guard: GuardView::of(kit, req, c),
                pick: PickView::of(kit, c, |_| None),
            })
            .collect(),
        status: (bearer || !req.captures.is_empty()).then_some(req.expect.status),
    };
    let mut pieces = Vec::new();
    if token {
        pieces.push(&KEEP_TOKEN);
    }
    if bearer {
        pieces.push(&TOKEN_RETRY);
    }
    if !config.captures.is_empty() {
        pieces.extend([&ANSWER_JS, &CAPTURES]);
    }
    if pieces.is_empty() {
        return Vec::new();
    }
    script(&config, &pieces, json)
}

/// When an API request runs again (`token-retry.js`): a 401 within
/// Coupa's token buffer, or on a revoked token (a new one from `token`), a
/// 429. It judges the status (`Keeps::status`) instead of an assert block.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Retry {
    retry_var: &'static str,
    buffer_seconds: u32,
    retry_after_max: u32,
    /// None with user consent but no refresh token: a new token needs the person.
    token: Option<TokenRequest>,
}

/// The request a new token comes from, its values in Bruno's `{{…}}`.
#[derive(Serialize)]
struct TokenRequest {
    method: String,
    url: String,
    headers: Vec<Pair>,
    form: Vec<Pair>,
}

fn retry(kit: &Kit<'_>) -> Retry {
    let renews = kit.consent.is_none() || kit.flow.refresh.is_some();
    Retry {
        retry_var: RETRY,
        buffer_seconds: coupa::TOKEN_BUFFER_SECS,
        retry_after_max: coupa::RETRY_AFTER_MAX_SECS,
        token: renews.then(|| {
            let view = request_view(kit, kit.flow.renew(), 0);
            TokenRequest {
                method: view.method.to_ascii_uppercase(),
                url: view.url,
                headers: view.headers,
                form: view.form,
            }
        }),
    }
}

/// The collection's pre-request script: at most `coupa::BURST` requests
/// start in any second.
fn pace() -> Lines {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Pace {
        burst: u32,
        starts_var: &'static str,
    }
    script(
        &Pace {
            burst: coupa::BURST,
            starts_var: STARTS,
        },
        &[&PACE],
        json,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_stay_in_their_directory_and_apart() {
        let mut names = FileNames::new(&["folder.bru"]);
        assert_eq!(names.unique("..", ""), "_");
        assert_eq!(names.unique(".env", ""), "_.env");
        assert_eq!(names.unique("a/b:c", ".bru"), "a_b_c.bru");
        assert_eq!(names.unique("folder", ".bru"), "folder (2).bru");
        assert_eq!(names.unique("A", ".bru"), "A.bru");
        assert_eq!(names.unique("a", ".bru"), "a (2).bru");
        assert_eq!(names.unique("x. ", ".bru"), "x_.bru");
        let long = names.unique(&"é".repeat(300), ".bru");
        assert!(long.len() <= MAX_NAME_BYTES + 4, "{}", long.len());
        assert!(long.starts_with("éé"));
    }
}
