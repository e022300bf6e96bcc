//! Sending: the HTTP client, the live binder (real values in every slot),
//! and one request of the model sent as it says: method, headers, body.

use std::time::{Duration, Instant};

use rustls::pki_types::CertificateDer;

use super::connect::{NETWORK_HINT, TLS_FIX};
use super::diagnose::Heard;
use super::report::Problem;
use super::{problem, Credentials};
use crate::coupa::DOMAIN_FORMS;
use crate::kit::{
    encode, At, AuthValue, Binder, Body, Conn, Encoding, Kit, Request, Slot, Text, Value,
};

/// How long a 429's Retry-After may be for one more try.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(crate::coupa::RETRY_AFTER_MAX_SECS as u64);

/// Coupa's token buffer: a 401 on a token younger than this is tried once
/// more when the token is this old.
pub const TOKEN_BUFFER: Duration = Duration::from_secs(crate::coupa::TOKEN_BUFFER_SECS as u64);

/// Coupa's rate limit is 25 requests a second: one request every 40 ms at
/// most keeps this process under it (the script-driven runners pace to
/// `coupa::BURST` in any second instead: they cannot space requests evenly).
const PACE: Duration = Duration::from_millis(40);

/// Waits until [`PACE`] has passed since the last request this process sent.
fn pace() {
    static LAST: std::sync::Mutex<Option<Instant>> = std::sync::Mutex::new(None);
    let mut last = LAST
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(wait) = last.and_then(|at| PACE.checked_sub(at.elapsed())) {
        std::thread::sleep(wait);
    }
    *last = Some(Instant::now());
}

/// The values the auth flow produces as it runs, once it has them.
#[derive(Default)]
pub struct FlowValues {
    pub access_token: Option<String>,
    /// When the access token was issued (the token buffer counts from here).
    pub token_at: Option<Instant>,
    pub refresh_token: Option<String>,
    pub code: Option<String>,
    pub state: Option<String>,
    pub code_verifier: Option<String>,
    pub code_challenge: Option<String>,
    /// A use case's inputs (from `--input`) and what its requests captured.
    pub args: std::collections::BTreeMap<String, String>,
}

/// `verify`'s binding: the real value of every slot.
pub struct Live<'a> {
    pub kit: &'a Kit<'a>,
    pub creds: &'a Credentials,
    pub values: &'a FlowValues,
}

impl Binder for Live<'_> {
    type Out = Text;
    fn slot(&self, slot: Slot, _: At) -> Text {
        let v = self.values;
        let held = |value: &Option<String>| value.clone().unwrap_or_default();
        Text::Value(match slot {
            Slot::Conn(Conn::Domain) => self.creds.domain.as_str().into(),
            Slot::Conn(Conn::Scopes) => self.kit.spec.scope_list(),
            Slot::Conn(Conn::ClientId) => self.creds.client_id.clone(),
            Slot::Conn(Conn::ClientSecret) => self.creds.client_secret.clone(),
            Slot::Conn(Conn::RedirectUri) => self
                .kit
                .spec
                .consent
                .as_ref()
                .map(|c| c.redirect_uri().as_str().to_string())
                .unwrap_or_default(),
            Slot::Auth(AuthValue::AccessToken) => held(&v.access_token),
            Slot::Auth(AuthValue::RefreshToken) => held(&v.refresh_token),
            Slot::Auth(AuthValue::Code) => held(&v.code),
            Slot::Auth(AuthValue::State) => held(&v.state),
            Slot::Auth(AuthValue::CodeVerifier) => held(&v.code_verifier),
            Slot::Auth(AuthValue::CodeChallenge) => held(&v.code_challenge),
            Slot::Input(name) | Slot::Captured(name) => {
                v.args.get(name).cloned().unwrap_or_default()
            }
        })
    }
}

/// The HTTP client: `roots` trusted; proxies from the environment
/// (`HTTPS_PROXY`, `NO_PROXY`); no redirects, so every answer is the one
/// Coupa gave.
pub fn agent(roots: &[CertificateDer<'static>], timeout: Duration) -> ureq::Agent {
    use ureq::tls::{Certificate, RootCerts, TlsConfig};
    let roots: Vec<Certificate<'static>> = roots
        .iter()
        .map(|c| Certificate::from_der(c.as_ref()).to_owned())
        .collect();
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(timeout))
        .timeout_connect(Some(timeout.min(Duration::from_secs(10))))
        .proxy(ureq::Proxy::try_from_env())
        .tls_config(
            TlsConfig::builder()
                .root_certs(RootCerts::new_with_certs(&roots))
                .build(),
        )
        .build()
        .into()
}

/// Sends `req` as the model says, bound by `live`; the answer, read once, or
/// what went wrong on the way.
pub fn send(agent: &ureq::Agent, req: &Request, live: &Live<'_>) -> Result<Heard, Problem> {
    let url = req.url(&live.kit.host, live);
    let headers: Vec<(String, String)> = req
        .sent_headers()
        .iter()
        .map(|(k, v)| (k.clone(), v.text(At::Header, live, Encoding::Raw)))
        .collect();
    // A form is percent-encoded field by field, as the Content-Type the
    // request declares says.
    let form = match &req.body {
        Body::None => None,
        // Real JSON: a typed value as the number or boolean it is (inputs
        // are checked against their types before anything is sent).
        Body::Json(json) => Some(
            json.fill(&mut |slot, typed| {
                let text = Value::slot(slot).text(At::Form, live, Encoding::Raw);
                match typed {
                    true => serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
                    false => serde_json::Value::String(text),
                }
            })
            .to_string(),
        ),
        Body::Form(fields) => Some(
            fields
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}={}",
                        encode(k, b""),
                        encode(&v.text(At::Form, live, Encoding::Raw), b"")
                    )
                })
                .collect::<Vec<_>>()
                .join("&"),
        ),
    };
    let build = || {
        let mut b = ureq::http::Request::builder()
            .method(req.method.as_str())
            .uri(&url);
        for (k, v) in &headers {
            b = b.header(k, v);
        }
        match &form {
            None => b.body(()).map(|r| agent.run(r)),
            Some(form) => b.body(form.as_bytes()).map(|r| agent.run(r)),
        }
        .unwrap_or_else(|e| Err(ureq::Error::Http(e)))
    };
    let domain = live.creds.domain.as_str();
    let mut resp = retry_once(&build).map_err(|e| transport_problem(&e, domain))?;
    // The token buffer: a token Coupa refused while still fresh is tried
    // once more, once it is as old as Coupa asks.
    let young = live
        .values
        .token_at
        .and_then(|at| TOKEN_BUFFER.checked_sub(at.elapsed()))
        .filter(|_| req.auth == crate::kit::Auth::Bearer && resp.status().as_u16() == 401);
    if let Some(wait) = young {
        std::thread::sleep(wait);
        resp = retry_once(&build).map_err(|e| transport_problem(&e, domain))?;
    }
    Ok(Heard {
        buffered: young,
        status: resp.status().as_u16(),
        content_type: header(&resp, "content-type").unwrap_or_default(),
        retry_after: retry_after(&resp),
        location: header(&resp, "location"),
        body: read_answer(&mut resp, domain)?,
    })
}

/// The most of an answer verify reads: far more than a page of Coupa records.
pub const MAX_ANSWER: u64 = 32 << 20;

/// An answer's body, whole, or why not: a body that trickles or never ends
/// runs into the timeout, a huge one into `MAX_ANSWER`; either is said as
/// it is, not as an answer that holds nothing.
fn read_answer(
    resp: &mut ureq::http::Response<ureq::Body>,
    domain: &str,
) -> Result<String, Problem> {
    match resp
        .body_mut()
        .with_config()
        .limit(MAX_ANSWER)
        .lossy_utf8(true)
        .read_to_string()
    {
        Ok(body) => Ok(body),
        Err(ureq::Error::Timeout(_)) => Err(problem(
            format!("the answer from {domain} did not arrive whole within --timeout: it started, then trickled or never ended"),
            "retry, or raise --timeout; check --domain points at the Coupa instance",
        )),
        Err(ureq::Error::BodyExceedsLimit(_)) => Err(problem(
            format!("the answer from {domain} is over {}, more than verify reads of any Coupa answer", crate::bounded::size(MAX_ANSWER)),
            format!("check --domain points at the Coupa instance ({DOMAIN_FORMS}); ask for fewer records with --limit"),
        )),
        Err(e) => Err(problem(
            format!("the answer from {domain} could not be read whole: {e}"),
            "retry; check --domain and your network",
        )),
    }
}

/// A transport failure, diagnosed: TLS, name, connection, timeout.
fn transport_problem(e: &ureq::Error, domain: &str) -> Problem {
    let text = e.to_string();
    let unreachable = matches!(
        e,
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed | ureq::Error::Io(_)
    );
    if let (true, Some(proxy)) = (unreachable, proxy_for(domain)) {
        // The request never left for Coupa: the proxy is what failed.
        return problem(
            format!("the proxy {proxy} (from HTTPS_PROXY) could not be reached: {text}; the request never got to Coupa"),
            "check HTTPS_PROXY (is the proxy running, its host and port right?), or list the Coupa host in NO_PROXY to reach it directly",
        );
    }
    let tls = matches!(e, ureq::Error::Tls(_) | ureq::Error::Rustls(_))
        || ["certificate", "tls", "handshake", "UnknownIssuer"]
            .iter()
            .any(|w| text.to_lowercase().contains(&w.to_lowercase()));
    if tls {
        return problem(
            format!("the TLS connection to {domain} failed, a certificate problem: {text}"),
            TLS_FIX,
        );
    }
    match e {
        ureq::Error::HostNotFound => problem(
            format!("the name {domain} does not resolve"),
            format!("check --domain: {DOMAIN_FORMS}; {NETWORK_HINT}"),
        ),
        ureq::Error::ConnectionFailed => problem(
            format!("cannot connect to {domain}"),
            format!("check --domain ({DOMAIN_FORMS}) and your network or HTTPS_PROXY"),
        ),
        ureq::Error::Timeout(t) => problem(
            format!("no answer from {domain} within the timeout ({t})"),
            "retry, or raise --timeout; check HTTPS_PROXY if you are behind a proxy",
        ),
        _ => problem(
            format!("the request to {domain} failed: {text}"),
            format!("check --domain ({DOMAIN_FORMS}) and your network"),
        ),
    }
}

/// The proxy a request to `domain` goes through, shown without its
/// credentials: HTTPS_PROXY (or ALL_PROXY), unless NO_PROXY lists the host.
fn proxy_for(domain: &str) -> Option<String> {
    let var = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| std::env::var(n).ok().filter(|v| !v.is_empty()))
    };
    let proxy = var(&["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])?;
    let host = domain.rsplit_once(':').map_or(domain, |(h, _)| h);
    let bypassed = var(&["NO_PROXY", "no_proxy"]).is_some_and(|list| {
        list.split(',').map(str::trim).any(|entry| {
            let entry = entry.trim_start_matches('.');
            entry == "*" || host == entry || host.ends_with(&format!(".{entry}"))
        })
    });
    if bypassed {
        return None;
    }
    Some(match proxy.split_once("://") {
        Some((scheme, rest)) => format!(
            "{scheme}://{}",
            rest.rsplit_once('@').map_or(rest, |(_, h)| h)
        ),
        None => proxy
            .rsplit_once('@')
            .map_or(proxy.as_str(), |(_, h)| h)
            .to_string(),
    })
}

/// Sends once; after a 429 with a short Retry-After, once more.
fn retry_once(
    build: &impl Fn() -> Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
    pace();
    let resp = build()?;
    if resp.status().as_u16() == 429 {
        if let Some(wait) = retry_after(&resp).filter(|w| *w <= MAX_RETRY_AFTER) {
            std::thread::sleep(wait);
            pace();
            return build();
        }
    }
    Ok(resp)
}

fn retry_after(resp: &ureq::http::Response<ureq::Body>) -> Option<Duration> {
    let secs: u64 = resp
        .headers()
        .get("retry-after")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(secs))
}

fn header(resp: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(String::from)
}
