//! `coupagen verify`: the kit's own requests, sent live, each answer turned
//! into a diagnosis that names the cause and the fix. One module a job:
//! [`connect`], [`send`], [`diagnose`], [`report`].

mod connect;
mod diagnose;
mod report;
mod send;

use std::io::Read;
use std::time::{Duration, Instant};

pub use diagnose::{diagnose, Found, Heard, Purpose};
pub use report::{scrub, Facts, Problem, Report, Step, StepKind};

use crate::contract::env;
use crate::error::{Error, Origin};
use crate::kit::{Answer, At, Auth, Encoding, Kit, Request, Shown};

/// The flag that reads the secret from standard input.
const STDIN_FLAG: &str = "--client-secret-stdin";

/// The OAuth client's credentials; never printed.
pub struct Credentials {
    pub client_id: String,
    pub client_secret: String,
    /// Where the secret came from: its variable, or the stdin flag.
    pub secret_from: &'static str,
}

impl Credentials {
    /// The first credential with surrounding whitespace (a pasted newline or
    /// space), by where it came from: a likely cause of `invalid_client`.
    pub fn padded(&self) -> Option<&'static str> {
        let padded = |v: &str| v.trim() != v;
        match (padded(&self.client_id), padded(&self.client_secret)) {
            (true, _) => Some(env::CLIENT_ID),
            (_, true) => Some(self.secret_from),
            _ => None,
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials { .. }")
    }
}

impl Credentials {
    /// From `COUPA_CLIENT_ID`, and `COUPA_CLIENT_SECRET` or standard input.
    pub fn from_env(secret_from_stdin: bool) -> Result<Self, Error> {
        let how = format!(
            "set {} to the client's Identifier and {} to its Secret (or pipe the Secret to --client-secret-stdin); coupagen takes no secret as a flag",
            env::CLIENT_ID,
            env::CLIENT_SECRET
        );
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let client_id = var(env::CLIENT_ID).ok_or_else(|| {
            Error::input(Origin::Env(env::CLIENT_ID), format!("is not set; {how}"))
        })?;
        let client_secret = if secret_from_stdin {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| {
                Error::input(
                    Origin::Flag(STDIN_FLAG),
                    format!("cannot read standard input ({e})"),
                )
            })?;
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
            s.to_string()
        } else {
            var(env::CLIENT_SECRET).ok_or_else(|| {
                Error::input(
                    Origin::Env(env::CLIENT_SECRET),
                    format!("is not set; {how}"),
                )
            })?
        };
        Ok(Credentials {
            client_id,
            client_secret,
            secret_from: match secret_from_stdin {
                true => STDIN_FLAG,
                false => env::CLIENT_SECRET,
            },
        })
    }
}

pub fn run(kit: &Kit<'_>, creds: &Credentials, timeout: Duration) -> Result<Report, Error> {
    let roots = connect::trust_roots()?;
    let agent = send::agent(&roots, timeout);
    let domain = kit.spec.domain.as_str().to_string();
    let mut steps = Vec::new();

    if ureq::Proxy::try_from_env().is_none() {
        let step = connect::connect(&domain, &roots, timeout);
        let ok = step.ok();
        steps.push(step);
        if !ok {
            return Ok(Report::new(domain, steps));
        }
    }

    let mut token: Option<String> = None;
    let mut granted: Option<Vec<String>> = None;
    for req in kit.requests() {
        if req.auth == Auth::Bearer && token.is_none() {
            // Without a token every bearer request would fail the same way.
            break;
        }
        let live = send::Live {
            kit,
            creds,
            token: token.as_deref(),
        };
        let step = exchange(&agent, req, &live, granted.as_deref());
        if let Facts::Http {
            found:
                Some(Found::Token {
                    token: t,
                    scopes_granted,
                    ..
                }),
            ..
        } = &step.facts
        {
            token = Some(t.clone());
            granted.clone_from(scopes_granted);
        }
        steps.push(step);
    }
    Ok(Report::new(domain, steps))
}

/// One request sent and its answer judged by what the request expects.
fn exchange(
    agent: &ureq::Agent,
    req: &Request,
    live: &send::Live<'_>,
    granted: Option<&[String]>,
) -> Step {
    let start = Instant::now();
    let sent = send::send(agent, req, live);
    let elapsed_ms = ms(start);
    let spec = live.kit.spec;
    let requested = spec.scope_list();
    let path = req.path.text(At::Path, &Shown, Encoding::Raw);
    let purpose = Purpose {
        expect: req.expect,
        grant: spec.grant,
        domain: spec.domain.as_str(),
        path: &path,
        scope: req.scope,
        requested: &requested,
        granted,
        padded: live.creds.padded(),
    };
    let (answer, judged) = match sent {
        Err(p) => (None, Err(p)),
        Ok(heard) => (
            Some((
                heard.status,
                Some(heard.content_type.clone()).filter(|c| !c.is_empty()),
            )),
            diagnose(&purpose, &heard),
        ),
    };
    let (found, problem) = match judged {
        Ok(found) => (Some(found), None),
        Err(p) => (None, Some(p)),
    };
    Step {
        kind: match req.expect.answer {
            Answer::Token => StepKind::Token,
            Answer::List | Answer::Object => StepKind::Call,
        },
        name: format!("{} {}", req.method.as_str(), req.path_and_query(live)),
        elapsed_ms,
        facts: Facts::Http { answer, found },
        problem,
    }
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
