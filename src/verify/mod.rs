//! `coupagen verify`: the kit's own requests, sent live, each answer turned
//! into a diagnosis that names the cause and the fix. One module a job:
//! [`connect`], [`send`], [`diagnose`], [`report`]; [`consent`] catches the
//! browser's redirect and [`redirect`] reads it. [`session`] is the same
//! sending for a runner that lives on (`coupagen mcp`).

mod connect;
mod consent;
mod diagnose;
mod handover;
mod junit;
mod redirect;
mod report;
mod runs;
mod send;
mod session;
mod usecase;

use std::borrow::Cow;
use std::time::{Duration, Instant};

pub use consent::{base64url, challenge_of};
pub use diagnose::{diagnose, Heard, Purpose, TokenFrom};
pub use handover::Handover;
pub use redirect::redirect;
pub use report::{scrub, scrub_counted, visible, Facts, Found, Problem, Report, Step, StepKind};
pub use runs::{targets, Runs};
pub use session::{Listed, Session};
pub use usecase::{Ended, Given, Ran};

use crate::contract::env;
use crate::error::{Error, Origin};
use crate::kit::{Answer, At, Auth, AuthValue, Encoding, Kit, Request, Slot};

/// The flag that reads the secret from standard input.
const STDIN_FLAG: &str = "--client-secret-stdin";

/// An instance's OAuth client: where it is, and its credentials (never
/// printed).
pub struct Credentials {
    /// The instance's host.
    pub domain: crate::spec::Domain,
    /// The instance's name, when the kit has several.
    pub instance: Option<crate::spec::InstanceName>,
    pub client_id: String,
    /// Empty for a PKCE client, which has none.
    pub client_secret: String,
    /// Where the secret came from: its variable, or the stdin flag.
    pub secret_from: Cow<'static, str>,
    /// Where the client id came from: its variable.
    pub id_from: Cow<'static, str>,
    /// User consent: a refresh token stands in for the person.
    pub refresh_token: Option<String>,
}

impl Credentials {
    /// The first credential with surrounding whitespace (a pasted newline or
    /// space), by where it came from: a likely cause of `invalid_client`.
    pub fn padded(&self) -> Option<&str> {
        let padded = |v: &str| v.trim() != v;
        match (padded(&self.client_id), padded(&self.client_secret)) {
            (true, _) => Some(&self.id_from),
            (_, true) => Some(&self.secret_from),
            _ => None,
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials { .. }")
    }
}

/// An instance's value of the shared variable `shared`: with several
/// instances its own (`COUPA_TEST_CLIENT_ID`) when set, else the shared one;
/// and the variable a message names for it.
struct Own<'k> {
    instance: Option<&'k crate::spec::InstanceName>,
}

impl Own<'_> {
    fn name(&self, shared: &'static str) -> Cow<'static, str> {
        match self.instance {
            Some(i) => Cow::Owned(env::of_instance(shared, i.as_str())),
            None => Cow::Borrowed(shared),
        }
    }

    /// The value, trimmed of nothing, when set and not empty, and where from.
    fn get(&self, shared: &'static str) -> (Option<String>, Cow<'static, str>) {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let own = self.name(shared);
        match var(&own) {
            Some(v) => (Some(v), own),
            None => (var(shared), Cow::Borrowed(shared)),
        }
    }

    /// How a message names the variable: `COUPA_TEST_CLIENT_ID (or
    /// COUPA_CLIENT_ID)` with several instances.
    fn said(&self, shared: &'static str) -> String {
        match self.instance {
            Some(_) => format!("{} (or {shared})", self.name(shared)),
            None => shared.into(),
        }
    }
}

impl Credentials {
    /// `instance`'s: from `COUPA_CLIENT_ID`, and `COUPA_CLIENT_SECRET` or
    /// standard input (unless the kit's client has no secret: PKCE); with
    /// user consent, `COUPA_REFRESH_TOKEN` when set. With several instances
    /// the instance's own variables (`COUPA_TEST_CLIENT_ID`) win.
    pub fn for_kit(
        kit: &Kit<'_>,
        instance: &crate::spec::Instance,
        secret_from_stdin: bool,
    ) -> Result<Self, Error> {
        let own = Own {
            instance: kit.spec.multi().then_some(&instance.name),
        };
        let needs_secret = kit.flow.requests().any(|r| {
            r.slots()
                .contains(&Slot::Conn(crate::kit::Conn::ClientSecret))
        });
        let (refresh_token, refresh_from) = match kit.spec.consent {
            Some(_) => own.get(env::REFRESH_TOKEN),
            None => (None, env::REFRESH_TOKEN.into()),
        };
        let refresh_token = refresh_token
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        // Without a refresh token or a loopback redirect URI, the person
        // pastes the redirect on standard input: the secret cannot come there.
        let pasting = kit
            .spec
            .consent
            .as_ref()
            .is_some_and(|c| refresh_token.is_none() && c.redirect_uri().loopback().is_none());
        if secret_from_stdin && !needs_secret {
            return Err(Error::input(
                Origin::Flag(STDIN_FLAG),
                "does nothing here: the client uses PKCE and has no secret; drop it",
            ));
        }
        if secret_from_stdin && pasting {
            return Err(Error::input(
                Origin::Flag(STDIN_FLAG),
                format!(
                    "cannot share standard input with the consent: verify reads the redirected address there. Give the Secret in {} instead, or set {}",
                    own.said(env::CLIENT_SECRET),
                    own.said(env::REFRESH_TOKEN)
                ),
            ));
        }
        let whose = match own.instance {
            Some(name) => format!("the {} instance's client", name.as_str()),
            None => "the client".into(),
        };
        let how = format!(
            "set {} to {whose}'s Identifier and {} to its Secret (or pipe the Secret to {STDIN_FLAG}); coupagen takes no secret as a flag",
            own.said(env::CLIENT_ID),
            own.said(env::CLIENT_SECRET),
        );
        let (client_id, id_from) = own.get(env::CLIENT_ID);
        let client_id = client_id.ok_or_else(|| {
            let how = match needs_secret {
                true => how.clone(),
                false => format!("set {} to {whose}'s Identifier", own.said(env::CLIENT_ID)),
            };
            Error::input(
                Origin::Env(own.name(env::CLIENT_ID)),
                format!("is not set; {how}"),
            )
        })?;
        let (client_secret, secret_from) = match (needs_secret, secret_from_stdin) {
            (false, _) => (String::new(), env::CLIENT_SECRET.into()),
            (true, true) => {
                let s = crate::bounded::stdin(crate::bounded::SECRET, Origin::Flag(STDIN_FLAG))?;
                let s = s
                    .strip_suffix('\n')
                    .map(|s| s.strip_suffix('\r').unwrap_or(s))
                    .unwrap_or(&s);
                if s.is_empty() {
                    return Err(Error::input(
                        Origin::Flag(STDIN_FLAG),
                        format!("standard input is empty; {how}"),
                    ));
                }
                (s.to_string(), STDIN_FLAG.into())
            }
            (true, false) => match own.get(env::CLIENT_SECRET) {
                (Some(secret), from) => (secret, from),
                (None, _) => {
                    return Err(Error::input(
                        Origin::Env(own.name(env::CLIENT_SECRET)),
                        format!("is not set; {how}"),
                    ))
                }
            },
        };
        if refresh_token.is_some() && kit.flow.refresh.is_none() {
            return Err(Error::input(
                Origin::Env(refresh_from),
                "is set, but this kit asks for no offline_access, so it has no refresh; unset it, or drop --no-offline-access",
            ));
        }
        Ok(Credentials {
            domain: instance.domain.clone(),
            instance: own.instance.cloned(),
            client_id,
            client_secret,
            secret_from,
            id_from,
            refresh_token,
        })
    }
}

/// How long `verify` waits on each request, and on a person to consent.
#[derive(Debug, Clone, Copy)]
pub struct Waits {
    pub request: Duration,
    pub consent: Duration,
}

pub fn run(
    kit: &Kit<'_>,
    creds: &Credentials,
    waits: Waits,
    given: &Given,
) -> Result<Report, Error> {
    let roots = connect::trust_roots()?;
    let agent = send::agent(&roots, waits.request);
    let domain = creds.domain.as_str().to_string();
    let mut steps = Vec::new();
    let mut values = send::FlowValues::default();
    let done = |steps: Vec<Step>, values: &send::FlowValues| {
        let mut report = Report::new(domain.clone(), steps);
        report.secrets = [
            &values.access_token,
            &values.refresh_token,
            &values.code,
            &values.state,
            &values.code_verifier,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .chain(creds.refresh_token.clone())
        .collect();
        // A refresh token Coupa issued in this run, for --refresh-token-fd.
        report.refresh_token = values
            .refresh_token
            .clone()
            .filter(|t| Some(t) != creds.refresh_token.as_ref());
        Ok(report)
    };

    if ureq::Proxy::try_from_env().is_none() {
        let step = connect::connect(&domain, &roots, waits.request);
        let ok = step.ok();
        steps.push(step);
        if !ok {
            return done(steps, &values);
        }
    }

    // The flow's request: the token request; with user consent, the
    // refresh when a refresh token stands in, else the person consents and
    // the code is exchanged.
    let first = match (&kit.spec.consent, &creds.refresh_token) {
        (None, _) => &kit.flow.obtain,
        (Some(_), Some(refresh)) => {
            values.refresh_token = Some(refresh.clone());
            kit.flow.renew()
        }
        (Some(_), None) => {
            let step = consent_step(kit, creds, &mut values, waits)?;
            let ok = step.ok();
            steps.push(step);
            if !ok {
                return done(steps, &values);
            }
            &kit.flow.obtain
        }
    };

    let mut granted: Option<Vec<String>> = None;
    for req in std::iter::once(first).chain(&kit.calls) {
        if req.auth == Auth::Bearer && values.access_token.is_none() {
            // Without a token every bearer request would fail the same way.
            break;
        }
        let step = match req.auth {
            Auth::Bearer => {
                exchange_renewing(&agent, req, kit, creds, &mut values, granted.as_deref()).0
            }
            _ => exchange(
                &agent,
                req,
                &send::Live {
                    kit,
                    creds,
                    values: &values,
                },
                granted.as_deref(),
            ),
        };
        if let Facts::Http {
            found:
                Some(Found::Token {
                    token,
                    scopes_granted,
                    refresh_token,
                    ..
                }),
            ..
        } = &step.facts
        {
            values.access_token = Some(token.clone());
            values.token_at = Some(Instant::now());
            if refresh_token.is_some() {
                values.refresh_token.clone_from(refresh_token);
            }
            granted.clone_from(scopes_granted);
        }
        steps.push(step);
    }
    if values.access_token.is_some() {
        for uc in &kit.use_cases {
            let ran = usecase::run(&agent, kit, creds, &mut values, uc, given);
            steps.extend(ran.steps);
        }
    }
    done(steps, &values)
}

/// The person consents: the authorization URL on standard error, then the
/// redirect caught or pasted, its code kept for the exchange.
fn consent_step(
    kit: &Kit<'_>,
    creds: &Credentials,
    values: &mut send::FlowValues,
    waits: Waits,
) -> Result<Step, Error> {
    let (Some(consent), Some(authorize)) = (&kit.spec.consent, &kit.flow.authorize) else {
        return Err(Error::Failed(
            "a consent without an authorization request; this is a bug".into(),
        ));
    };
    let redirect_uri = consent.redirect_uri();
    let pending = consent::Pending::new(consent.pkce)?;
    values.state = Some(pending.state.clone());
    values.code_verifier = pending.verifier;
    values.code_challenge = pending.challenge;
    let name = format!("consent in a browser, back to {}", redirect_uri.as_str());
    let start = Instant::now();
    let step = |problem: Option<Problem>| Step {
        kind: StepKind::Consent,
        name: name.clone(),
        elapsed_ms: ms(start),
        facts: Facts::Http {
            answer: None,
            found: None,
        },
        problem,
        said: None,
        skipped: false,
    };
    let catch = match consent::Catch::prepare(redirect_uri) {
        Ok(catch) => catch,
        Err(p) => return Ok(step(Some(p))),
    };
    let url = authorize.url(&kit.host, &send::Live { kit, creds, values });
    eprintln!(
        "Open this address in a browser, log in to Coupa and click Allow:\n\n  {url}\n\nIf Coupa shows an error page instead of asking, the client does not list the redirect URI {}: add it in {}.\n{}",
        redirect_uri.as_str(),
        crate::coupa::CLIENT_SETUP,
        catch.prompt(waits.consent)
    );
    let landed = match catch.wait(waits.consent, &pending.state) {
        Ok(landed) => landed,
        Err(p) => return Ok(step(Some(p))),
    };
    let said = (landed.ignored > 0).then(|| {
        format!(
            "ignored {} redirect(s) whose state was not this run's (forged, or from another tab)",
            landed.ignored
        )
    });
    let step = |problem| Step {
        said: said.clone(),
        ..step(problem)
    };
    match redirect(
        &landed.address,
        &pending.state,
        redirect_uri.as_str(),
        creds.domain.as_str(),
    ) {
        Ok(code) => {
            values.code = Some(code);
            Ok(step(None))
        }
        Err(p) => Ok(step(Some(p))),
    }
}

/// [`exchange_read`] for an API call, with Coupa's revoked token handled
/// once: a 401 on a token older than Coupa's buffer (the buffer's own retry
/// is the sender's) fetches a new token (by the refresh token with user
/// consent) and sends the call again; the step says so.
fn exchange_renewing(
    agent: &ureq::Agent,
    req: &Request,
    kit: &Kit<'_>,
    creds: &Credentials,
    values: &mut send::FlowValues,
    granted: Option<&[String]>,
) -> (Step, Option<serde_json::Value>) {
    let sent = exchange_read(agent, req, &send::Live { kit, creds, values }, granted);
    let refused = matches!(
        sent.0.facts,
        Facts::Http {
            answer: Some((401, _)),
            ..
        }
    );
    let age = values.token_at.map(|at| at.elapsed());
    let renew = match kit.spec.consent {
        Some(_) if values.refresh_token.is_none() => None,
        Some(_) => kit.flow.refresh.as_ref(),
        None => Some(&kit.flow.obtain),
    };
    let (Some(age), Some(renew), true, true) = (age, renew, refused, req.auth == Auth::Bearer)
    else {
        return sent;
    };
    if age < send::TOKEN_BUFFER {
        return sent;
    }
    let (token_step, _) = exchange_read(agent, renew, &send::Live { kit, creds, values }, None);
    let Facts::Http {
        found:
            Some(Found::Token {
                token,
                refresh_token,
                ..
            }),
        ..
    } = token_step.facts
    else {
        return sent;
    };
    values.access_token = Some(token);
    values.token_at = Some(Instant::now());
    if refresh_token.is_some() {
        values.refresh_token = refresh_token;
    }
    let (mut step, json) = exchange_read(agent, req, &send::Live { kit, creds, values }, granted);
    // What happened, in order: the first answer's buffer retry, the new
    // token, then the new token's own.
    let after = step.said.take();
    for said in sent.0.said.into_iter().chain([format!(
        "HTTP 401 on a token {} s old (revoked?): a new token was fetched and the call sent again",
        age.as_secs()
    )]) {
        step.say(said);
    }
    if let Some(after) = after {
        step.say(after);
    }
    (step, json)
}

/// One request sent and its answer judged by what the request expects.
fn exchange(
    agent: &ureq::Agent,
    req: &Request,
    live: &send::Live<'_>,
    granted: Option<&[String]>,
) -> Step {
    exchange_read(agent, req, live, granted).0
}

/// [`exchange`], and the answer's JSON when it was the one expected.
fn exchange_read(
    agent: &ureq::Agent,
    req: &Request,
    live: &send::Live<'_>,
    granted: Option<&[String]>,
) -> (Step, Option<serde_json::Value>) {
    let start = Instant::now();
    let sent = send::send(agent, req, live);
    let elapsed_ms = ms(start);
    let spec = live.kit.spec;
    let requested = spec.scope_list();
    // The path with its values, as a message names it.
    let path = req.path.text(At::Path, live, Encoding::Raw);
    let slots = req.slots();
    let token_from = if slots.contains(&Slot::Auth(AuthValue::Code)) {
        TokenFrom::Code
    } else if slots.contains(&Slot::Auth(AuthValue::RefreshToken)) {
        TokenFrom::RefreshToken
    } else {
        TokenFrom::Credentials
    };
    let purpose = Purpose {
        expect: req.expect,
        grant: spec.grant,
        token_from,
        expects_refresh: token_from == TokenFrom::Code
            && spec.consent.as_ref().is_some_and(|c| c.offline_access),
        redirect_uri: spec.consent.as_ref().map(|c| c.redirect_uri().as_str()),
        domain: live.creds.domain.as_str(),
        path: &path,
        scope: req.scope,
        requested: &requested,
        granted,
        padded: live.creds.padded(),
        secret_from: &live.creds.secret_from,
        by_id: req.path.slots().next().is_some(),
        writes: req.method.writes(),
    };
    let mut json = None;
    let buffered = sent.as_ref().ok().and_then(|h| h.buffered);
    let (answer, judged) = match sent {
        Err(p) => (None, Err(p)),
        Ok(heard) => {
            let judged = diagnose(&purpose, &heard);
            if judged.is_ok() {
                json = serde_json::from_str(&heard.body).ok();
            }
            (
                Some((
                    heard.status,
                    Some(heard.content_type.clone()).filter(|c| !c.is_empty()),
                )),
                judged,
            )
        }
    };
    let (found, problem) = match judged {
        Ok(found) => (Some(found), None),
        Err(p) => (None, Some(p)),
    };
    let step = Step {
        kind: match req.expect.answer {
            Answer::Token => StepKind::Token,
            Answer::Redirect => StepKind::Consent,
            Answer::List | Answer::Object => StepKind::Call,
        },
        name: format!("{} {}", req.method.as_str(), req.path_and_query(live)),
        elapsed_ms,
        facts: Facts::Http { answer, found },
        problem,
        said: buffered.map(|wait| {
            format!(
                "HTTP 401 on a token younger than Coupa's {} s buffer: sent again {} ms later, once it was that old",
                crate::coupa::TOKEN_BUFFER_SECS,
                wait.as_millis()
            )
        }),
        skipped: false,
    };
    (step, json)
}

fn ms(since: Instant) -> u64 {
    since.elapsed().as_millis().try_into().unwrap_or(u64::MAX)
}

fn problem(cause: impl Into<String>, fix: impl Into<String>) -> Problem {
    Problem {
        cause: cause.into(),
        fix: fix.into(),
    }
}
