//! `coupagen verify`: the kit's own requests, run live, with each answer
//! turned into a diagnosis that names the cause and the fix.

use std::fmt::Write as _;
use std::io::Read;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use rustls::pki_types::CertificateDer;
use serde::Serialize;

use crate::kit::{self, env, Kit, Request, Value, Var};
use crate::Error;

/// The OAuth client's credentials; never printed.
pub struct Credentials {
    pub client_id: String,
    pub client_secret: String,
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
        let client_id = var(env::CLIENT_ID)
            .ok_or_else(|| Error::Input(format!("{} is not set; {how}", env::CLIENT_ID)))?;
        let client_secret = if secret_from_stdin {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| {
                Error::Input(format!(
                    "--client-secret-stdin: cannot read standard input ({e})"
                ))
            })?;
            let s = s
                .strip_suffix('\n')
                .map(|s| s.strip_suffix('\r').unwrap_or(s))
                .unwrap_or(&s);
            if s.is_empty() {
                return Err(Error::Input(format!(
                    "--client-secret-stdin: standard input is empty; {how}"
                )));
            }
            s.to_string()
        } else {
            var(env::CLIENT_SECRET)
                .ok_or_else(|| Error::Input(format!("{} is not set; {how}", env::CLIENT_SECRET)))?
        };
        Ok(Credentials {
            client_id,
            client_secret,
        })
    }
}

/// What went wrong and what to do about it.
#[derive(Debug, Serialize)]
pub struct Problem {
    pub cause: String,
    pub fix: String,
}

/// One step of the report. Keys are stable for `--json` consumers; absent
/// facts are left out.
#[derive(Debug, Default, Serialize)]
pub struct Step {
    /// `connect`, `token` or `call`.
    pub step: &'static str,
    /// What was tried, e.g. `GET /api/expense_reports?limit=1`.
    pub name: String,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub records: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes_granted: Option<Vec<String>>,
    /// The token's first characters, never more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_prefix: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    /// The TLS version the handshake settled on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<String>,
    pub elapsed_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub domain: String,
    pub ok: bool,
    pub steps: Vec<Step>,
}

/// How many characters of the token a report may show.
const TOKEN_PREFIX: usize = 6;
/// One retry after a 429 whose Retry-After is at most this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(5);
const DOMAIN_FORMS: &str = "Coupa domains look like <org>.coupahost.com (customer instances, often <org>-test.coupahost.com for test) or <org>.coupacloud.com (partner and demo instances)";
const SETUP: &str = kit::CLIENT_SETUP;

pub fn run(kit: &Kit<'_>, creds: &Credentials, timeout: Duration) -> Result<Report, Error> {
    let roots = trust_roots()?;
    let agent = agent(&roots, timeout);
    let domain = kit.spec.domain.as_str().to_string();
    let mut steps = Vec::new();

    if ureq::Proxy::try_from_env().is_none() {
        let step = connect(&domain, &roots, timeout);
        let ok = step.ok;
        steps.push(step);
        if !ok {
            return Ok(Report {
                domain,
                ok: false,
                steps,
            });
        }
    }

    let (token_step, token) = token(&agent, kit, creds);
    let granted = token_step.scopes_granted.clone();
    steps.push(token_step);
    if let Some(token) = token {
        for call in &kit.calls {
            steps.push(api_call(&agent, kit, call, &token, granted.as_deref()));
        }
    }
    let ok = steps.iter().all(|s| s.ok);
    Ok(Report { domain, ok, steps })
}

/// The trust roots: Mozilla's (bundled), plus any in `SSL_CERT_FILE`.
fn trust_roots() -> Result<Vec<CertificateDer<'static>>, Error> {
    let mut roots: Vec<CertificateDer<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS.to_vec();
    if let Some(path) = std::env::var_os("SSL_CERT_FILE") {
        let shown = path.to_string_lossy().into_owned();
        let pem = std::fs::read(&path)
            .map_err(|e| Error::Input(format!("SSL_CERT_FILE '{shown}': cannot read it ({e})")))?;
        let before = roots.len();
        for item in ureq::tls::parse_pem(&pem) {
            if let Ok(ureq::tls::PemItem::Certificate(cert)) = item {
                roots.push(CertificateDer::from(cert.der().to_vec()));
            }
        }
        if roots.len() == before {
            return Err(Error::Input(format!(
                "SSL_CERT_FILE '{shown}': holds no PEM certificate"
            )));
        }
    }
    Ok(roots)
}

/// The HTTP client: `roots` trusted; proxies from the environment
/// (`HTTPS_PROXY`, `NO_PROXY`); no redirects, so every answer is the one
/// Coupa gave.
fn agent(roots: &[CertificateDer<'static>], timeout: Duration) -> ureq::Agent {
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

fn ms(since: Instant) -> u64 {
    since.elapsed().as_millis().try_into().unwrap_or(u64::MAX)
}

fn problem(cause: impl Into<String>, fix: impl Into<String>) -> Option<Problem> {
    Some(Problem {
        cause: cause.into(),
        fix: fix.into(),
    })
}

/// DNS, TCP, then the TLS handshake, each diagnosed on its own.
fn connect(domain: &str, roots: &[CertificateDer<'static>], timeout: Duration) -> Step {
    let start = Instant::now();
    let (host, port) = match domain.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().unwrap_or(443)),
        None => (domain, 443),
    };
    let mut step = Step {
        step: "connect",
        name: format!("connect to {host}:{port}"),
        ..Step::default()
    };
    let addrs: Vec<SocketAddr> = match (host, port).to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(e) => {
            step.elapsed_ms = ms(start);
            step.problem = problem(
                format!("the name {host} does not resolve ({e})"),
                format!("check --domain: {DOMAIN_FORMS}; the instance's address is in your browser's address bar when you use Coupa"),
            );
            return step;
        }
    };
    step.addresses = addrs.iter().map(|a| a.ip().to_string()).collect();
    let mut last = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, timeout.min(Duration::from_secs(10))) {
            Ok(tcp) => {
                match handshake(tcp, host, roots, timeout) {
                    Ok(version) => {
                        step.ok = true;
                        step.tls = Some(version);
                    }
                    Err(p) => step.problem = Some(p),
                }
                step.elapsed_ms = ms(start);
                return step;
            }
            Err(e) => last = Some(e),
        }
    }
    step.elapsed_ms = ms(start);
    let e = last.map(|e| (e.kind(), e.to_string()));
    step.problem = match e {
        Some((std::io::ErrorKind::ConnectionRefused, msg)) => problem(
            format!("{host} refused the connection on port {port} ({msg})"),
            format!("check --domain and its port: {DOMAIN_FORMS}, served on port 443"),
        ),
        Some((std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock, _)) => problem(
            format!("no answer from {host} port {port} within the timeout"),
            format!("check --domain ({DOMAIN_FORMS}); behind a firewall or proxy, set HTTPS_PROXY; or raise --timeout"),
        ),
        other => problem(
            format!("cannot connect to {host} port {port} ({})", other.map(|o| o.1).unwrap_or_default()),
            format!("check --domain ({DOMAIN_FORMS}) and your network"),
        ),
    };
    step
}

const TLS_FIX: &str = "check that the domain is the Coupa instance; behind a corporate proxy that inspects TLS, set SSL_CERT_FILE to a PEM file with its CA certificate";

/// The TLS handshake alone; the negotiated version, or what is wrong with
/// the certificate.
fn handshake(
    mut tcp: TcpStream,
    host: &str,
    roots: &[CertificateDer<'static>],
    timeout: Duration,
) -> Result<String, Problem> {
    use rustls::{CertificateError, ClientConfig, ClientConnection, RootCertStore};
    let failed = |cause: String| Problem {
        cause,
        fix: TLS_FIX.into(),
    };
    let mut store = RootCertStore::empty();
    store.add_parsable_certificates(roots.iter().cloned());
    let config = ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| failed(format!("TLS cannot be set up: {e}")))?
    .with_root_certificates(store)
    .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from(host.to_string())
        .map_err(|e| failed(format!("'{host}' is not a name TLS can check ({e})")))?;
    let mut conn = ClientConnection::new(std::sync::Arc::new(config), name)
        .map_err(|e| failed(format!("TLS cannot start: {e}")))?;
    let _ = tcp.set_read_timeout(Some(timeout));
    let _ = tcp.set_write_timeout(Some(timeout));
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut tcp) {
            let tls_error = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
            return Err(failed(match tls_error {
                Some(rustls::Error::InvalidCertificate(c)) => match c {
                    CertificateError::UnknownIssuer => format!("the certificate of {host} is signed by an authority this machine does not trust"),
                    CertificateError::Expired | CertificateError::ExpiredContext { .. } => format!("the certificate of {host} has expired"),
                    CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                        format!("the certificate presented is not valid for {host}: the domain may be wrong")
                    }
                    other => format!("the certificate of {host} was refused ({other:?})"),
                },
                _ => format!("the TLS handshake with {host} failed: {e}"),
            }));
        }
    }
    Ok(match conn.protocol_version() {
        Some(rustls::ProtocolVersion::TLSv1_3) => "TLS 1.3".into(),
        Some(rustls::ProtocolVersion::TLSv1_2) => "TLS 1.2".into(),
        other => format!("{other:?}"),
    })
}

/// A transport failure, diagnosed: TLS, name, connection, timeout.
fn transport_problem(e: &ureq::Error, domain: &str) -> Option<Problem> {
    let text = e.to_string();
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
            format!("check --domain: {DOMAIN_FORMS}"),
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

/// Sends once; after a 429 with a short Retry-After, once more.
fn send(
    build: impl Fn() -> Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
    let resp = build()?;
    if resp.status().as_u16() == 429 {
        if let Some(wait) = retry_after(&resp).filter(|w| *w <= MAX_RETRY_AFTER) {
            std::thread::sleep(wait);
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

/// Problems any endpoint can answer with: rate limit, Coupa-side failure,
/// something that is not Coupa.
fn common_problem(
    status: u16,
    content_type: &str,
    body: &str,
    retry: Option<Duration>,
    domain: &str,
) -> Option<Option<Problem>> {
    Some(match status {
        429 => problem(
            "Coupa's rate limit (25 requests a second, bursts of 20) answered 429 Too Many Requests",
            format!("retry after {} s; space out the requests", retry.map_or(1, |d| d.as_secs())),
        ),
        500..=599 => problem(format!("Coupa answered {status}: a failure on Coupa's side"), "retry later; if it persists, ask Coupa support"),
        _ if looks_like_markup(content_type, body) && status != 200 => problem(
            format!("{domain} answered {status} with {}, not Coupa's JSON", kind_of(content_type, body)),
            format!("check --domain: {DOMAIN_FORMS}"),
        ),
        _ => return None,
    })
}

fn looks_like_markup(content_type: &str, body: &str) -> bool {
    content_type.contains("html")
        || content_type.contains("xml")
        || body.trim_start().starts_with('<')
}

fn kind_of(content_type: &str, body: &str) -> &'static str {
    if content_type.contains("html")
        || body
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("<!doctype html")
        || body.contains("<html")
    {
        "an HTML page"
    } else {
        "XML"
    }
}

/// What an HTTP answer said, read once.
struct Answer {
    status: u16,
    content_type: String,
    retry_after: Option<Duration>,
    body: String,
}

/// Records a sent request's outcome in `step`: a transport failure as its
/// problem, else the answer's status and content type, and the answer.
fn receive(
    step: &mut Step,
    start: Instant,
    sent: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    domain: &str,
) -> Option<Answer> {
    let mut resp = match sent {
        Ok(r) => r,
        Err(e) => {
            step.elapsed_ms = ms(start);
            step.problem = transport_problem(&e, domain);
            return None;
        }
    };
    let answer = Answer {
        status: resp.status().as_u16(),
        content_type: header(&resp, "content-type").unwrap_or_default(),
        retry_after: retry_after(&resp),
        body: resp.body_mut().read_to_string().unwrap_or_default(),
    };
    step.elapsed_ms = ms(start);
    step.status = Some(answer.status);
    step.content_type = Some(answer.content_type.clone()).filter(|c| !c.is_empty());
    Some(answer)
}

fn token(agent: &ureq::Agent, kit: &Kit<'_>, creds: &Credentials) -> (Step, Option<String>) {
    let req = &kit.token;
    let domain = kit.spec.domain.as_str();
    let mut step = Step {
        step: "token",
        name: format!("{} {}", req.method, req.path),
        ..Step::default()
    };
    let bind = |v: &Value| match v {
        Value::Lit(s) => s.clone(),
        Value::Var(Var::ClientId) => creds.client_id.clone(),
        Value::Var(Var::ClientSecret) => creds.client_secret.clone(),
        Value::Var(Var::Scopes) => kit.spec.scope_list(),
        Value::Var(Var::Domain) => domain.to_string(),
        Value::Var(Var::Token) => String::new(),
    };
    let form: Vec<(String, String)> = req.form.iter().map(|(k, v)| (k.clone(), bind(v))).collect();
    let url = req.url(domain);
    let start = Instant::now();
    let sent = send(|| {
        let mut r = agent.post(&url);
        for h in &req.headers {
            r = r.header(&h.key, &h.value);
        }
        r.send_form(form.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    });
    let Some(Answer {
        status,
        content_type,
        retry_after: retry,
        body,
    }) = receive(&mut step, start, sent, domain)
    else {
        return (step, None);
    };
    if let Some(p) = common_problem(status, &content_type, &body, retry, domain) {
        step.problem = p;
        return (step, None);
    }
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let access_token = json
        .get(kit::ACCESS_TOKEN_FIELD)
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty());
    if let (200, Some(token)) = (status, access_token) {
        step.ok = true;
        step.expires_in = json.get(kit::EXPIRES_IN_FIELD).and_then(|e| e.as_u64());
        step.scopes_granted = json.get("scope").and_then(|s| s.as_str()).map(|s| {
            s.split(' ')
                .filter(|w| !w.is_empty())
                .map(String::from)
                .collect()
        });
        step.token_prefix = Some(token.chars().take(TOKEN_PREFIX).collect());
        return (step, Some(token.to_string()));
    }
    let error = json.get("error").and_then(|e| e.as_str()).unwrap_or("");
    let description = json
        .get("error_description")
        .and_then(|e| e.as_str())
        .unwrap_or("");
    let said = if description.is_empty() {
        error.to_string()
    } else {
        format!("{error}: {description}")
    };
    let scopes = kit.spec.scope_list();
    step.problem = match error {
        "invalid_client" => problem(
            format!("Coupa did not accept the client credentials ({said})"),
            format!("check {} (the Identifier) and {} (the Secret) against the client in {SETUP}, and that the client's grant type is Client Credentials", env::CLIENT_ID, env::CLIENT_SECRET),
        ),
        "invalid_scope" => problem(
            format!("Coupa refused the requested scopes ({said})"),
            format!("in {SETUP}, give the client every scope requested ({scopes}), or ask only for the ones it has with --scope"),
        ),
        "unsupported_grant_type" | "unauthorized_client" => problem(
            format!("the client may not use the client-credentials grant ({said})"),
            format!("in {SETUP}, create the client with grant type Client Credentials"),
        ),
        "invalid_request" => problem(format!("Coupa found the token request malformed ({said})"), "check the scopes and the credentials for stray characters"),
        _ if status == 200 => problem(
            format!("the answer holds no {}", kit::ACCESS_TOKEN_FIELD),
            format!("check --domain points at the Coupa instance ({DOMAIN_FORMS})"),
        ),
        _ => problem(format!("the token request answered {status} {said}"), format!("check --domain ({DOMAIN_FORMS}) and the client in {SETUP}")),
    };
    (step, None)
}

/// One API call; `granted` is what the token answer said it holds.
fn api_call(
    agent: &ureq::Agent,
    kit: &Kit<'_>,
    call: &Request,
    token: &str,
    granted: Option<&[String]>,
) -> Step {
    let domain = kit.spec.domain.as_str();
    let mut step = Step {
        step: "call",
        name: format!("{} {}", call.method, call.path_and_query()),
        ..Step::default()
    };
    let url = call.url(domain);
    let bearer = format!("{} {token}", kit::BEARER);
    let start = Instant::now();
    let sent = send(|| {
        let mut r = agent.get(&url);
        for h in &call.headers {
            r = r.header(&h.key, &h.value);
        }
        if call.bearer {
            r = r.header(kit::AUTHORIZATION, &bearer);
        }
        r.call()
    });
    let Some(Answer {
        status,
        content_type,
        retry_after: retry,
        body,
    }) = receive(&mut step, start, sent, domain)
    else {
        return step;
    };
    let needed = call
        .resource
        .map(|r| r.read_scope)
        .unwrap_or("the resource's read scope");
    step.problem = match status {
        200 => match serde_json::from_str::<serde_json::Value>(&body) {
            Ok(serde_json::Value::Array(records)) => {
                step.ok = true;
                step.records = Some(records.len());
                None
            }
            _ if looks_like_markup(&content_type, &body) => problem(
                format!("the answer is {}, not JSON", kind_of(&content_type, &body)),
                format!("Coupa answers XML unless asked for JSON: send the header 'Accept: {}' (the kit's requests do); an HTML page means the host is not a Coupa API", kit::JSON),
            ),
            _ => problem("the answer is not a JSON list of records", format!("check --domain points at the Coupa instance ({DOMAIN_FORMS})")),
        },
        401 => problem(
            "Coupa rejected the token (401)",
            "the token may have expired or been revoked; Coupa also advises waiting a few seconds after issue before first use: run verify again",
        ),
        403 if granted.is_some_and(|g| g.iter().any(|s| s == needed)) => problem(
            format!("Coupa refused {} (403) though the token holds {needed}", call.path),
            format!("the client's API permissions on this instance are narrower: see {}://{domain}{} for what each scope grants, and add the one {} needs in {SETUP}", kit::SCHEME, kit::SCOPES_PAGE_PATH, call.path),
        ),
        403 => problem(
            format!("the token lacks the scope {needed}, which {} needs (403)", call.path),
            format!("in {SETUP}, give the client {needed}, and request it (--scope)"),
        ),
        // Coupa answers an empty XML search with 404 and <errors>; JSON gives [].
        404 if body.contains("<errors") => problem(
            "Coupa answered 404 with an XML error, which is how it answers when the Accept header does not ask for JSON",
            format!("send 'Accept: {}' (the kit's requests do); then an empty result is [] rather than 404", kit::JSON),
        ),
        404 => problem(
            format!("{} was not found on this instance (404)", call.path),
            "check the resource name (coupagen scopes --resources) and that the instance has that module",
        ),
        _ => common_problem(status, &content_type, &body, retry, domain)
            .unwrap_or_else(|| problem(format!("the call answered {status}"), "see Coupa's answer above")),
    };
    step
}

impl Report {
    /// The report for people: one line a step, then cause and fix.
    pub fn text(&self) -> String {
        let mut out = format!("coupagen verify: {}\n", self.domain);
        for s in &self.steps {
            let mut facts: Vec<String> = Vec::new();
            if !s.addresses.is_empty() {
                facts.push(format!("resolved to {}", s.addresses.join(", ")));
            }
            if let Some(tls) = &s.tls {
                facts.push(tls.clone());
            }
            if let Some(status) = s.status {
                facts.push(format!("HTTP {status}"));
            }
            if let Some(ct) = &s.content_type {
                facts.push(ct.clone());
            }
            if let Some(e) = s.expires_in {
                facts.push(format!("expires in {e} s"));
            }
            if let Some(g) = &s.scopes_granted {
                facts.push(format!("scopes granted: {}", g.join(" ")));
            }
            if let Some(t) = &s.token_prefix {
                facts.push(format!("token {t}…"));
            }
            if let Some(r) = s.records {
                facts.push(format!("{r} record{}", if r == 1 { "" } else { "s" }));
            }
            let facts = match facts.is_empty() {
                true => String::new(),
                false => format!(": {}", facts.join(", ")),
            };
            let mark = if s.ok { "ok  " } else { "FAIL" };
            let _ = writeln!(out, "{mark} {}{facts} ({} ms)", s.name, s.elapsed_ms);
            if let Some(p) = &s.problem {
                let _ = writeln!(out, "     cause: {}\n     fix:   {}", p.cause, p.fix);
            }
        }
        let failed = self.steps.iter().filter(|s| !s.ok).count();
        let _ = match failed {
            0 => writeln!(out, "All {} steps passed.", self.steps.len()),
            n => writeln!(out, "{n} of {} steps failed.", self.steps.len()),
        };
        out
    }

    pub fn json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// Removes every occurrence of the secrets from `text`: belt and braces, in
/// case a server echoes one back.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    secrets
        .iter()
        .filter(|s| s.len() >= 4)
        .fold(text.to_string(), |t, s| t.replace(s, "[redacted]"))
}
