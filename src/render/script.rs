//! The runnable bash check script. Its binder puts each slot in a shell
//! variable; the secret and the token reach curl on its standard input
//! (`--data-urlencode name@-`, `--header @-`), never on a command line, so no
//! process listing shows them.

use serde::Serialize;

use super::binders::captured_var;
use super::curl::{Curl, CurlAuth, Shell, Word};
use super::json_body;
use super::templates::{context, render};
use super::{Artifact, File, Format};
use crate::contract::env;
use crate::coupa;
use crate::kit::{
    Answer, At, Auth, AuthValue, Binder, Body, Capture, Conn, Encoding, Equals, Json, Key, Kit,
    Request, Shown, Slot, Value,
};
use crate::Error;

pub const FILE: File = File {
    path: "coupa-check.sh",
    variant: "script",
    purpose: "Runs the token request and every API request with curl and prints the answers.",
};

pub const FORMAT: Format = Format {
    command: "script",
    about: "A bash check script: reads the credentials from the environment, fetches a token and calls each resource.",
    long_about: None,
    files: std::slice::from_ref(&FILE),
    // It reads the credentials from its environment, not placeholders.
    ignores: &["client_id_var", "client_secret_var", "connector_name"],
    render: |kit, _| Ok(vec![file(kit)?]),
};

/// The script's own shell variables.
const DOMAIN: &str = "domain";
const SCOPE: &str = "scope";
const TOKEN: &str = "token";
const REDIRECT_URI: &str = "redirect_uri";
const REFRESH_TOKEN: &str = "refresh_token";
const CODE: &str = "code";
const STATE: &str = "state";
const CODE_VERIFIER: &str = "code_verifier";
const CODE_CHALLENGE: &str = "code_challenge";

/// The environment variable a use case's input comes from: `COUPA_USER_EMAIL`.
fn input_var(name: &str) -> String {
    env::input(name)
}

/// The script's binding: each slot a shell variable; secrets on standard input.
struct ShellVars;

impl Binder for ShellVars {
    type Out = Shell;
    fn slot(&self, slot: Slot, _: At) -> Shell {
        match slot {
            Slot::Conn(Conn::Domain) => Shell::Var(DOMAIN.into()),
            Slot::Conn(Conn::Scopes) => Shell::Var(SCOPE.into()),
            Slot::Conn(Conn::ClientId) => Shell::Var(env::CLIENT_ID.into()),
            Slot::Conn(Conn::ClientSecret) => Shell::Stdin(env::CLIENT_SECRET),
            Slot::Conn(Conn::RedirectUri) => Shell::Var(REDIRECT_URI.into()),
            Slot::Auth(AuthValue::AccessToken) => Shell::Stdin(TOKEN),
            Slot::Auth(AuthValue::RefreshToken) => Shell::Stdin(REFRESH_TOKEN),
            Slot::Auth(AuthValue::Code) => Shell::Stdin(CODE),
            Slot::Auth(AuthValue::CodeVerifier) => Shell::Stdin(CODE_VERIFIER),
            // Random, public: sent in the browser's URL.
            Slot::Auth(AuthValue::State) => Shell::Var(STATE.into()),
            Slot::Auth(AuthValue::CodeChallenge) => Shell::Var(CODE_CHALLENGE.into()),
            Slot::Input(name) => Shell::Var(input_var(name).into()),
            Slot::Captured(name) => Shell::Var(captured_var(name).into()),
        }
    }
}

#[derive(Debug, Serialize)]
struct Step {
    /// What the progress line says: name, method, path.
    label: String,
    /// Where the answer lands in the script's temporary folder.
    file: String,
    curl: Curl,
    /// An API request with the token (the script's `call`, which retries a
    /// 401): its standard input is the bearer header.
    bearer: bool,
    /// A token request's answer carries a refresh token too: keep it,
    /// never shown. (Which steps keep the access token is the template's
    /// call: `check_token_step` is the flow's requests, `check_step` the rest.)
    stores_refresh: bool,
    /// A use case's request: what it keeps from its answer.
    captures: Vec<ScriptCapture>,
    /// A JSON body, built by jq from the values (never pasted into text).
    #[serde(skip_serializing_if = "Option::is_none")]
    jq: Option<JqBody>,
}

/// `jq -cn --arg v0 "$COUPA_REASON" --argjson v1 "$COUPA_QUANTITY" '{...}'`:
/// a string value goes in as a string, a typed one as the JSON it is (jq
/// refuses one that is not a number or boolean).
#[derive(Debug, Serialize)]
struct JqBody {
    /// The shell variable it lands in.
    var: &'static str,
    args: Vec<JqArg>,
    program: String,
}

#[derive(Debug, Serialize)]
struct JqArg {
    flag: &'static str,
    name: String,
    value: Word,
}

/// The shell variable that holds a JSON body jq built.
const JSON_BODY: &str = "json_body";

fn jq_body(json: &Json) -> JqBody {
    let mut args = Vec::new();
    let text = json_body::text(json, &mut |slot, typed| {
        let name = format!("v{}", args.len());
        args.push(JqArg {
            flag: if typed { "--argjson" } else { "--arg" },
            name: name.clone(),
            value: Curl::word(&Value::slot(slot), &ShellVars),
        });
        format!("${name}")
    });
    JqBody {
        var: JSON_BODY,
        args,
        program: text,
    }
}

/// A value a use case's request keeps, read with jq.
#[derive(Debug, Serialize)]
struct ScriptCapture {
    var: String,
    /// The jq filter, `.[0]["approvable-id"] // empty`, and the values it
    /// compares a pick with, each given to jq as an `--arg`.
    jq: String,
    args: Vec<JqArg>,
    /// What to say when the answer holds none.
    if_none: Word,
    /// Whether that ends the script (no such user) or just the use case.
    fails: bool,
    /// A guard: the values the use case goes on with (empty: any), and
    /// what to say when the answer holds another.
    must_be: Vec<String>,
    otherwise: Word,
    /// `approval_status is '...', not pending_approval`: the guard's words
    /// around the value seen.
    saw: (String, String),
}

/// A use case, run as a shell function so that an empty answer ends it.
#[derive(Debug, Serialize)]
struct ScriptUseCase {
    name: String,
    function: String,
    writes: bool,
    /// The variable that allows a writing use case to run.
    allow_writes: &'static str,
    steps: Vec<Step>,
}

/// An input the script reads from the environment.
#[derive(Debug, Serialize)]
struct ScriptInput {
    var: String,
    example: String,
    /// The values it may take, when only some are valid.
    values: Vec<String>,
}

/// A path into an answer as a jq filter: `0.approvable-id` is
/// `.[0]["approvable-id"] // empty`. A pick first keeps the list's records
/// whose keys hold its values (`$p0`, …, given as `--arg`s), as text.
fn jq_filter(capture: &Capture) -> (String, Vec<JqArg>) {
    let key = |k: &str| format!("[{}]", serde_json::Value::from(k));
    let access: String = capture
        .keys()
        .into_iter()
        .map(|k| match k {
            Key::Index(i) => format!("[{i}]"),
            Key::Name(k) => key(k),
            // Last in a path: how many records.
            Key::Count => r#" | if type == "array" then length else null end"#.into(),
        })
        .collect();
    if capture.pick.is_empty() {
        return (format!(".{access} // empty"), Vec::new());
    }
    let mut args = Vec::new();
    let mut holds = vec![r#"type == "object""#.to_string()];
    for (i, pick) in capture.pick.iter().enumerate() {
        let value = match &pick.equals {
            Equals::Text(text) => Value::lit(text.as_str()),
            Equals::Slot(slot) => Value::slot(*slot),
        };
        args.push(JqArg {
            flag: "--arg",
            name: format!("p{i}"),
            value: Curl::word(&value, &ShellVars),
        });
        // A string, number or boolean, as every runner compares: a list or
        // an object holds no value to compare with text.
        holds.push(format!(
            r#"(.{} | (type == "string" or type == "number" or type == "boolean") and tostring == $p{i})"#,
            key(&pick.key)
        ));
    }
    let filter = format!(
        r#"(if type == "array" then map(select({})) else [] end) | .{access} // empty"#,
        holds.join(" and ")
    );
    (filter, args)
}

fn step(req: &Request, kit: &Kit<'_>, file: String) -> Result<Step, Error> {
    let path = req.path.text(At::Path, &Shown, Encoding::Raw);
    Ok(Step {
        label: format!("{}: {} {path}", req.name, req.method.as_str()),
        file,
        curl: match &req.body {
            Body::Json(_) => {
                let plain = Request {
                    body: Body::None,
                    ..req.clone()
                };
                let mut curl = Curl::build(&plain, &kit.host, &ShellVars, CurlAuth::Sent)?;
                curl.json = Some(Word::var(JSON_BODY));
                curl
            }
            Body::None | Body::Form(_) => Curl::build(req, &kit.host, &ShellVars, CurlAuth::Sent)?,
        },
        jq: match &req.body {
            Body::Json(json) => Some(jq_body(json)),
            Body::None | Body::Form(_) => None,
        },
        bearer: req.auth == Auth::Bearer,
        stores_refresh: req.expect.answer == Answer::Token && kit.flow.refresh.is_some(),
        captures: match kit.use_case_of(req) {
            None => Vec::new(),
            Some(uc) => req
                .captures
                .iter()
                .map(|c| (c, jq_filter(c)))
                .map(|(c, (jq, args))| ScriptCapture {
                    var: captured_var(&c.name),
                    jq,
                    args,
                    if_none: Curl::word(&uc.message(&c.if_none), &ShellVars),
                    fails: c.fails,
                    must_be: c.must_be.clone(),
                    otherwise: Curl::word(&uc.message(&c.otherwise), &ShellVars),
                    saw: (
                        format!(" ({} is ", c.name),
                        format!(
                            ", not {}); the rest of this use case is not sent",
                            c.must_be.join(" or ")
                        ),
                    ),
                })
                .collect(),
        },
    })
}

/// The user-consent part of the script: the consent in a browser, or a
/// refresh token standing in for the person.
#[derive(Debug, Serialize)]
struct Consent {
    redirect_uri: String,
    authorize_url: Word,
    exchange: Step,
    /// Absent without offline_access: no refresh token comes.
    refresh: Option<Step>,
    pkce: bool,
    offline_access: bool,
    refresh_days: u32,
    setup: &'static str,
    state_var: &'static str,
    code_var: &'static str,
    verifier_var: &'static str,
    challenge_var: &'static str,
    refresh_var: &'static str,
    redirect_var: &'static str,
}

/// The script's environment contract, for templates that mention it.
#[derive(Debug, Serialize)]
pub(super) struct EnvNames {
    client_id: &'static str,
    client_secret: &'static str,
    instance_domain: &'static str,
    scope: &'static str,
    refresh_token: &'static str,
    instance: &'static str,
}

pub(super) const ENV_NAMES: EnvNames = EnvNames {
    client_id: env::CLIENT_ID,
    client_secret: env::CLIENT_SECRET,
    instance_domain: env::INSTANCE_DOMAIN,
    scope: env::SCOPE,
    refresh_token: env::REFRESH_TOKEN,
    instance: env::INSTANCE,
};

/// Several instances: each one's host, and its own credential variables
/// over the shared ones.
#[derive(Debug, Serialize)]
struct InstanceView {
    name: String,
    domain: String,
    /// Its own variables, as an error names them.
    credentials: String,
    own: Vec<OwnVar>,
}

#[derive(Debug, Serialize)]
struct OwnVar {
    shared: &'static str,
    own: String,
}

fn instances(kit: &Kit<'_>) -> Vec<InstanceView> {
    if !kit.multi() {
        return Vec::new();
    }
    let shared = super::credential_vars(kit);
    kit.instances
        .iter()
        .map(|i| {
            let own: Vec<OwnVar> = shared
                .iter()
                .map(|s| OwnVar {
                    shared: s,
                    own: env::of_instance(s, i.name.as_str()),
                })
                .collect();
            InstanceView {
                name: i.name.as_str().into(),
                domain: i.domain.as_str().into(),
                credentials: own
                    .iter()
                    .filter(|o| o.shared != env::REFRESH_TOKEN)
                    .map(|o| o.own.as_str())
                    .collect::<Vec<_>>()
                    .join(" and "),
                own,
            }
        })
        .collect()
}

pub fn file(kit: &Kit<'_>) -> Result<Artifact, Error> {
    /// What the use cases need of the script.
    #[derive(Serialize)]
    struct Uses {
        /// The script has no urlencode yet (user consent brings one).
        urlencode: bool,
        jq: bool,
        reads: Vec<ScriptInput>,
        writes: Vec<ScriptInput>,
        allow_writes: &'static str,
    }
    // Every part but the requests: each request, and each use case,
    // renders from a view of its own (below), so that no context holds
    // them all (a big kit's steps were a tree of 1.2 MB).
    #[derive(Serialize)]
    struct View {
        uses: Option<Uses>,
        consent: Option<Consent>,
        /// The credentials the script needs from its environment.
        required: Vec<&'static str>,
        grant: &'static str,
        domain: String,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        instances: Vec<InstanceView>,
        instance_names: String,
        scopes: String,
        env: EnvNames,
        domain_var: &'static str,
        scope_var: &'static str,
        token_var: &'static str,
        access_token_field: &'static str,
        refresh_token_field: &'static str,
        setup: &'static str,
        file: &'static str,
        /// How many requests the summary line counts.
        count: usize,
        /// Client credentials: the token request, which `renew_token` runs.
        token_step: Option<Step>,
        rate_limit: &'static str,
        pace: Pace,
        /// What `call` sends before the token on curl's standard input.
        bearer: String,
    }
    /// Coupa's rate limit and token buffer, in the script's units.
    #[derive(Serialize)]
    struct Pace {
        burst: u32,
        buffer_secs: u32,
        buffer_ms: u32,
        retry_after_max: u32,
    }
    let mut calls = 0;
    let mut file_for = |req: &Request| match req.expect.answer {
        Answer::Token | Answer::Redirect => "token.json".to_string(),
        Answer::List | Answer::Object => {
            calls += 1;
            format!("call-{calls}.json")
        }
    };
    let consent = match (&kit.consent, &kit.flow.authorize) {
        (Some(c), Some(authorize)) => Some(Consent {
            redirect_uri: c.redirect_uri().as_str().into(),
            authorize_url: Curl::build(authorize, &kit.host, &ShellVars, CurlAuth::Sent)?.url,
            exchange: step(&kit.flow.obtain, kit, file_for(&kit.flow.obtain))?,
            refresh: kit
                .flow
                .refresh
                .as_ref()
                .map(|r| step(r, kit, file_for(r)))
                .transpose()?,
            pkce: c.pkce,
            offline_access: c.offline_access,
            refresh_days: coupa::REFRESH_TOKEN_DAYS,
            setup: coupa::CLIENT_SETUP,
            state_var: STATE,
            code_var: CODE,
            verifier_var: CODE_VERIFIER,
            challenge_var: CODE_CHALLENGE,
            refresh_var: REFRESH_TOKEN,
            redirect_var: REDIRECT_URI,
        }),
        _ => None,
    };
    // With user consent, one of the flow's two requests runs (check_consent);
    // else the flow's one request is renew_token.
    let token_step = match consent {
        Some(_) => None,
        None => Some(step(&kit.flow.obtain, kit, file_for(&kit.flow.obtain))?),
    };
    let steps: Vec<Step> = kit
        .calls
        .iter()
        .map(|req| step(req, kit, file_for(req)))
        .collect::<Result<_, _>>()?;
    let mut use_cases = Vec::new();
    for (n, uc) in kit.use_cases.iter().enumerate() {
        use_cases.push(ScriptUseCase {
            name: uc.name.clone(),
            function: format!("use_case_{}", n + 1),
            writes: uc.writes(),
            allow_writes: env::ALLOW_WRITES,
            steps: uc
                .requests
                .iter()
                .map(|r| step(r, kit, file_for(r)))
                .collect::<Result<_, _>>()?,
        });
    }
    // Each input once: a read-only use case's are required up front, a
    // writing one's only when writes are allowed.
    let mut reads: Vec<ScriptInput> = Vec::new();
    let mut writes: Vec<ScriptInput> = Vec::new();
    for uc in &kit.use_cases {
        for arg in uc.inputs() {
            let var = input_var(arg.name);
            if reads.iter().chain(&writes).any(|i| i.var == var) {
                continue;
            }
            let input = ScriptInput {
                var,
                example: arg.example.clone(),
                values: arg.values.clone(),
            };
            match uc.writes() {
                false => reads.push(input),
                true => writes.push(input),
            }
        }
    }
    let required =
        kit.flow
            .requests()
            .flat_map(|r| r.slots())
            .fold(Vec::new(), |mut names, slot| {
                let name = match slot {
                    Slot::Conn(Conn::ClientId) => env::CLIENT_ID,
                    Slot::Conn(Conn::ClientSecret) => env::CLIENT_SECRET,
                    _ => return names,
                };
                if !names.contains(&name) {
                    names.push(name);
                }
                names
            });
    let count = steps.len() + 1;
    let needs_jq = kit
        .use_cases
        .iter()
        .any(|u| u.requests.iter().any(|r| !r.captures.is_empty()));
    let view = View {
        uses: (!use_cases.is_empty()).then_some(Uses {
            urlencode: kit.consent.is_none(),
            jq: needs_jq,
            reads,
            writes,
            allow_writes: env::ALLOW_WRITES,
        }),
        consent,
        required,
        grant: kit.grant.id(),
        domain: match kit.multi() {
            true => kit
                .instances
                .iter()
                .map(|i| format!("{} ({})", i.name.as_str(), i.domain.as_str()))
                .collect::<Vec<_>>()
                .join(" or "),
            false => kit.first().domain.as_str().into(),
        },
        instances: instances(kit),
        instance_names: kit.instance_names().replace(", ", " or "),
        scopes: kit.scope_list(),
        env: ENV_NAMES,
        domain_var: DOMAIN,
        scope_var: SCOPE,
        token_var: TOKEN,
        access_token_field: coupa::ACCESS_TOKEN_FIELD,
        refresh_token_field: coupa::REFRESH_TOKEN_FIELD,
        setup: coupa::CLIENT_SETUP,
        file: FILE.path,
        count,
        token_step,
        rate_limit: coupa::RATE_LIMIT,
        pace: Pace {
            burst: coupa::BURST,
            buffer_secs: coupa::TOKEN_BUFFER_SECS,
            buffer_ms: coupa::TOKEN_BUFFER_SECS * 1000,
            retry_after_max: coupa::RETRY_AFTER_MAX_SECS,
        },
        bearer: format!("{}: {} ", coupa::AUTHORIZATION, coupa::BEARER),
    };
    // The script is its sections in order, the grant, PKCE, instances and
    // use cases choosing which: each a small template, compiled only by a
    // kit that has it, and rendered from the one context (a partial called
    // at the root would copy the whole view); then each request, and each
    // use case, from its own.
    let credentials = match &view.consent {
        Some(c) if c.pkce => "check_pkce_credentials",
        _ => "check_credentials",
    };
    let head = match &view.consent {
        None => "check_head",
        Some(_) => "check_consent_head",
    };
    let consent = view.consent.as_ref().map(|_| "check_consent");
    let instance = (!view.instances.is_empty()).then_some("check_instance");
    let inputs = view.uses.as_ref().map(|_| "check_inputs");
    let (uses, done) = match &view.uses {
        Some(_) => (Some("check_use_cases"), "check_use_cases_end"),
        None => (None, "check_done"),
    };
    let sections = [Some(head), Some("check_setup"), instance, Some(credentials)]
        .into_iter()
        .chain([Some("check_target"), inputs, Some("check_requests")])
        .chain([consent, Some("check_tail")])
        .flatten();
    let root = context(view)?;
    let mut text = String::new();
    for section in sections {
        text.push_str(&render(section, &root)?);
    }
    for (i, step) in steps.iter().enumerate() {
        // A blank line between two requests: each step's template is one
        // request, so the line between them is the loop's.
        if i > 0 {
            text.push('\n');
        }
        text.push_str(&render("check_step", &context(step)?)?);
    }
    if let Some(uses) = uses {
        text.push_str(&render(uses, &root)?);
        for use_case in &use_cases {
            text.push_str(&render("check_use_case", &context(use_case)?)?);
        }
    }
    text.push_str(&render(done, &root)?);
    Ok(Artifact {
        path: FILE.path.into(),
        text,
        executable: true,
    })
}
