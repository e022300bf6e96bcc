//! The sending core for a runner that lives on (`coupagen mcp`): verify's
//! agent, credentials and diagnosis, with an access token obtained once,
//! renewed before Coupa's advised 20 hours, and fetched anew once when
//! Coupa refuses an older one (revoked mid-run).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::report::{Facts, Found, Problem, Step};
use super::send::{self, FlowValues, Live, TOKEN_BUFFER};
use super::usecase::{self, Ended, Given, Ran};
use super::{connect, exchange_read, problem, Credentials};
use crate::error::Error;
use crate::kit::{Kit, Request, UseCasePlan};

/// Coupa issues tokens for about 24 hours and advises renewing at 20.
const RENEW_AFTER: Duration = Duration::from_secs(20 * 3600);

pub struct Session<'k> {
    kit: &'k Kit<'k>,
    creds: Credentials,
    agent: ureq::Agent,
    values: FlowValues,
}

/// One list request's answer: the step as verify judged it, and its JSON.
pub struct Listed {
    pub step: Step,
    pub answer: Option<serde_json::Value>,
}

impl<'k> Session<'k> {
    /// Each request gives up after `timeout`.
    pub fn new(kit: &'k Kit<'k>, creds: Credentials, timeout: Duration) -> Result<Self, Error> {
        let roots = connect::trust_roots()?;
        let values = FlowValues {
            refresh_token: creds.refresh_token.clone(),
            ..FlowValues::default()
        };
        Ok(Session {
            agent: send::agent(&roots, timeout),
            kit,
            creds,
            values,
        })
    }

    /// Everything no output may show: the secret and every token held.
    pub fn secrets(&self) -> Vec<String> {
        let v = &self.values;
        [&v.access_token, &v.refresh_token, &self.creds.refresh_token]
            .into_iter()
            .flatten()
            .cloned()
            .chain(Some(self.creds.client_secret.clone()).filter(|s| !s.is_empty()))
            .collect()
    }

    /// An access token, fetched when there is none or it is old: with user
    /// consent by the refresh token (a new one Coupa issues replaces it).
    fn token(&mut self, fresh: bool) -> Result<(), Problem> {
        let held = self
            .values
            .token_at
            .is_some_and(|at| at.elapsed() < RENEW_AFTER);
        if held && !fresh {
            return Ok(());
        }
        let req = match self.kit.spec.consent {
            Some(_) => self.kit.flow.renew(),
            None => &self.kit.flow.obtain,
        };
        let live = Live {
            kit: self.kit,
            creds: &self.creds,
            values: &self.values,
        };
        let (step, _) = exchange_read(&self.agent, req, &live, None);
        match step.facts {
            Facts::Http {
                found:
                    Some(Found::Token {
                        token,
                        refresh_token,
                        ..
                    }),
                ..
            } => {
                self.values.access_token = Some(token);
                self.values.token_at = Some(Instant::now());
                if refresh_token.is_some() {
                    self.values.refresh_token = refresh_token;
                }
                Ok(())
            }
            _ => Err(step.problem.unwrap_or_else(|| {
                problem(
                    "the token request did not answer with a token",
                    "run `coupagen verify` with the same inputs: it names the cause",
                )
            })),
        }
    }

    /// Whether `last` is a 401 for a token past the buffer: Coupa revoked
    /// it, and (when no write was sent before it) a new token and one more
    /// run are safe.
    fn revoked(&self, last: Option<&Step>) -> bool {
        let old = self
            .values
            .token_at
            .is_some_and(|at| at.elapsed() >= TOKEN_BUFFER);
        let refused = last.is_some_and(|s| {
            matches!(
                s.facts,
                Facts::Http {
                    answer: Some((401, _)),
                    ..
                }
            )
        });
        old && refused
    }

    /// A use case, run as verify runs it, on `inputs`.
    pub fn use_case(
        &mut self,
        uc: &UseCasePlan,
        inputs: BTreeMap<String, String>,
        allow_writes: bool,
    ) -> Result<Ran, Problem> {
        let given = Given {
            inputs,
            allow_writes,
        };
        self.token(false)?;
        let mut ran = self.run_use_case(uc, &given);
        // The steps run in the use case's order: those before the last were sent.
        let sent = ran.steps.len().saturating_sub(1);
        let wrote = uc.requests.iter().take(sent).any(|r| r.method.writes());
        if ran.ended == Ended::Failed && !wrote && self.revoked(ran.steps.last()) {
            self.token(true)?;
            ran = self.run_use_case(uc, &given);
        }
        Ok(ran)
    }

    fn run_use_case(&mut self, uc: &UseCasePlan, given: &Given) -> Ran {
        usecase::run(
            &self.agent,
            self.kit,
            &self.creds,
            &mut self.values,
            uc,
            given,
        )
    }

    /// One list request (a resource's, with the call's paging and filters).
    pub fn list(&mut self, req: &Request) -> Result<Listed, Problem> {
        self.token(false)?;
        let mut listed = self.send_list(req);
        if !listed.step.ok() && self.revoked(Some(&listed.step)) {
            self.token(true)?;
            listed = self.send_list(req);
        }
        Ok(listed)
    }

    fn send_list(&self, req: &Request) -> Listed {
        let live = Live {
            kit: self.kit,
            creds: &self.creds,
            values: &self.values,
        };
        let (step, answer) = exchange_read(&self.agent, req, &live, None);
        Listed { step, answer }
    }
}
