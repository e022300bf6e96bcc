//! A loopback Coupa stand-in for the real-client tests: HTTPS on 127.0.0.1
//! with a certificate from a CA made at start-up, behaving as Coupa is
//! documented to (see the project README's test section):
//!
//! - `POST /oauth2/token`: form-encoded client credentials (in the body, or
//!   HTTP Basic), a non-empty scope within what the client was granted;
//!   answers like Coupa, and RFC 6749 errors like Coupa.
//! - `GET /api/<resource>`: a bearer token it issued, holding the resource's
//!   read scope; JSON when `Accept` asks for it, XML otherwise; `limit` and
//!   `offset` honoured.
//!
//! - User consent (authorization code), as Coupa documents it and RFC 6749 /
//!   RFC 7636 specify what Coupa leaves out: `GET /oauth2/authorizations/new`
//!   shows a consent page only for a known client and a registered redirect
//!   URI (otherwise an error page, never a redirect); `POST
//!   /oauth2/authorizations` is the person logging in and clicking Allow or
//!   Deny, answered by a redirect with a code or `error=access_denied`.
//!   Codes are single-use and bound to their client, redirect URI and PKCE
//!   challenge (S256); refresh tokens come only with `offline_access`; a
//!   consent token sees only its person's approvals.
//!
//! It records every request so tests assert on what a client really sent.
//! It knows its own resources and scopes (not coupagen's catalog), so a
//! catalog mistake shows up as a failing call.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The raw query string, as sent.
    pub raw_query: String,
    /// Decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// When it arrived: how long after a token a call came.
    pub at: Instant,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == &name.to_ascii_lowercase())
            .map(|(_, v)| v.as_str())
    }

    /// The decoded `application/x-www-form-urlencoded` body.
    pub fn form(&self) -> Vec<(String, String)> {
        parse_pairs(&self.body, true)
    }
}

/// How the stand-in answers; the default is a healthy Coupa.
#[derive(Debug, Clone)]
pub struct Behaviour {
    pub client_id: String,
    pub client_secret: String,
    /// The scopes the OAuth client was given in Coupa's setup.
    pub granted: Vec<String>,
    /// Answer XML to every API call, whatever `Accept` says.
    pub always_xml: bool,
    /// Answer every API call with this status (429 carries Retry-After: 1).
    pub api_status: Option<u16>,
    /// Records each resource holds.
    pub records: usize,
    /// Issue a token for the granted part of the requested scopes instead of
    /// refusing with invalid_scope (RFC 6749 §3.3 allows either).
    pub narrow_scopes: bool,
    /// The names the server certificate is valid for.
    pub cert_names: Vec<String>,
    /// The client's grant type in Coupa's setup: client credentials, or
    /// authorization code (user consent).
    pub consent: bool,
    /// A user-consent client created with PKCE: no secret.
    pub pkce: bool,
    /// The client's registered Redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Hostile: answer every token request with a `307` to this URL, which
    /// a client that follows it re-sends the form to, secret and all.
    pub token_redirect: Option<String>,
    /// Hostile: a token error whose `error_description` echoes the form as
    /// sent (percent-encoded) and each field's decoded value.
    pub echo_form: bool,
    /// Hostile: refuse every token request (`invalid_client`) with this
    /// `error_description`.
    pub token_error: Option<String>,
    /// Hostile: answer every token request 200 with this body.
    pub token_body: Option<String>,
    /// Slow: send each answer's body a byte every 200 ms.
    pub trickle: bool,
    /// Slow: wait this long before answering a token request.
    pub token_delay: Option<Duration>,
    /// Coupa's buffer note: a freshly issued access token is refused (401)
    /// until it is this old.
    pub token_lag: Option<Duration>,
    /// The access tokens issued so far are refused (401) once this many API
    /// calls were answered, as if revoked; a token issued later works.
    pub revoke_after: Option<usize>,
}

use super::records::PEOPLE;

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            client_id: "moveworks-client".into(),
            client_secret: "s3cret-Value".into(),
            granted: RESOURCES
                .iter()
                .map(|(_, s)| s.to_string())
                .chain([
                    "core.approval.write".to_string(),
                    "core.requisition.write".to_string(),
                    "core.expense.write".to_string(),
                    "core.purchase_order.write".to_string(),
                    "core.comment.write".to_string(),
                ])
                .collect(),
            always_xml: false,
            api_status: None,
            records: 3,
            narrow_scopes: false,
            cert_names: vec!["localhost".into(), "127.0.0.1".into()],
            consent: false,
            pkce: false,
            redirect_uris: vec![CALLBACK.into()],
            token_redirect: None,
            echo_form: false,
            token_error: None,
            token_delay: None,
            token_body: None,
            trickle: false,
            token_lag: None,
            revoke_after: None,
        }
    }
}

/// The redirect URI a consent client lists unless a test says otherwise.
pub const CALLBACK: &str = "https://acme.moveworks.com/auth/oauthCallback";

impl Behaviour {
    /// A user-consent client (authorization code) listing these redirect URIs.
    pub fn consent(redirect_uris: &[&str]) -> Behaviour {
        Behaviour {
            consent: true,
            redirect_uris: redirect_uris.iter().map(|u| u.to_string()).collect(),
            granted: RESOURCES
                .iter()
                .map(|(_, s)| s.to_string())
                .chain(["offline_access".to_string()])
                .collect(),
            ..Behaviour::default()
        }
    }
}

/// The resources this Coupa serves and the read scope each needs.
const RESOURCES: &[(&str, &str)] = &[
    ("expense_reports", "core.expense.read"),
    ("invoices", "core.invoice.read"),
    ("purchase_orders", "core.purchase_order.read"),
    ("suppliers", "core.supplier.read"),
    ("users", "core.user.read"),
    ("requisitions", "core.requisition.read"),
    ("approvals", "core.approval.read"),
    ("contracts", "core.contract.read"),
    ("items", "core.item.read"),
    ("inventory", "core.inventory.balance.read"),
    ("comments", "core.comment.read"),
];

/// An access token: its scopes, and its person when a consent issued it.
#[derive(Debug, Clone)]
struct Issued {
    scopes: Vec<String>,
    person: Option<String>,
    at: Instant,
}

/// An authorization request waiting on the consent page, or a code it made.
#[derive(Debug, Clone)]
struct Authorization {
    redirect_uri: String,
    scopes: Vec<String>,
    state: Option<String>,
    challenge: Option<String>,
    person: Option<String>,
    used: bool,
}

struct State {
    behaviour: Behaviour,
    log: Mutex<Vec<Recorded>>,
    tokens: Mutex<HashMap<String, Issued>>,
    /// Consent pages shown, by their request id.
    pages: Mutex<HashMap<String, Authorization>>,
    codes: Mutex<HashMap<String, Authorization>>,
    refresh_tokens: Mutex<HashMap<String, Issued>>,
    issued: AtomicUsize,
    /// API calls answered with a valid token, for `revoke_after`.
    answered: AtomicUsize,
    /// Access tokens revoked by `revoke_after` (kept in `tokens`, which the
    /// secret scans read).
    revoked: Mutex<Vec<String>>,
    /// TCP connections accepted, before any TLS: a client that does not
    /// trust this server's CA still counts.
    connections: AtomicUsize,
    /// The use cases' records, changed by approve and reject.
    records: Mutex<Vec<(&'static str, Vec<serde_json::Value>)>>,
}

/// A running stand-in; stops when dropped.
pub struct Coupa {
    pub port: u16,
    /// PEM of the CA that signed the server certificate.
    pub ca_file: PathBuf,
    _dir: tempfile::TempDir,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
}

impl Coupa {
    pub fn start() -> Coupa {
        Coupa::with(Behaviour::default())
    }

    pub fn with(behaviour: Behaviour) -> Coupa {
        let (server_config, ca_pem) = tls_config(&behaviour.cert_names);
        let dir = tempfile::tempdir().unwrap();
        let ca_file = dir.path().join("test-ca.pem");
        std::fs::write(&ca_file, ca_pem).unwrap();

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(State {
            behaviour,
            log: Mutex::default(),
            tokens: Mutex::default(),
            pages: Mutex::default(),
            codes: Mutex::default(),
            refresh_tokens: Mutex::default(),
            issued: AtomicUsize::new(0),
            answered: AtomicUsize::new(0),
            revoked: Mutex::default(),
            connections: AtomicUsize::new(0),
            records: Mutex::new(super::records::all()),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                st.connections.fetch_add(1, Ordering::SeqCst);
                let (st, cfg) = (st.clone(), server_config.clone());
                thread::spawn(move || serve(stream, cfg, &st));
            }
        });
        Coupa {
            port,
            ca_file,
            _dir: dir,
            state,
            stop,
        }
    }

    /// `localhost:PORT`: the domain a kit for this server uses.
    pub fn domain(&self) -> String {
        format!("localhost:{}", self.port)
    }

    pub fn behaviour(&self) -> &Behaviour {
        &self.state.behaviour
    }

    /// How many TCP connections it accepted, TLS or not.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.log.lock().unwrap().clone()
    }

    /// The API calls heard, as `METHOD path`.
    pub fn api_calls(&self) -> Vec<String> {
        self.requests()
            .iter()
            .filter(|r| r.path.starts_with("/api/"))
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }

    /// The grant type of each token request heard.
    pub fn token_grants(&self) -> Vec<String> {
        self.requests()
            .iter()
            .filter(|r| r.path == "/oauth2/token")
            .map(|r| r.form()[0].1.clone())
            .collect()
    }

    pub fn clear(&self) {
        self.state.log.lock().unwrap().clear();
    }

    /// Every token issued so far: access tokens, refresh tokens and codes.
    pub fn tokens(&self) -> Vec<String> {
        let st = &self.state;
        let mut all: Vec<String> = st.tokens.lock().unwrap().keys().cloned().collect();
        all.extend(st.refresh_tokens.lock().unwrap().keys().cloned());
        all.extend(st.codes.lock().unwrap().keys().cloned());
        all
    }

    /// The refresh tokens issued so far.
    pub fn refresh_tokens(&self) -> Vec<String> {
        self.state
            .refresh_tokens
            .lock()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    /// A record as the stand-in now holds it (approve and reject change them).
    pub fn record(&self, resource: &str, id: u64) -> Option<serde_json::Value> {
        let records = self.state.records.lock().unwrap();
        let (_, list) = records.iter().find(|(r, _)| *r == resource)?;
        list.iter().find(|r| r["id"] == id).cloned()
    }

    /// Hostile: sets `key` of one record to `value`, as a server that
    /// answers with it would.
    pub fn put(&self, resource: &str, id: u64, key: &str, value: serde_json::Value) {
        let mut records = self.state.records.lock().unwrap();
        let (_, list) = records.iter_mut().find(|(r, _)| *r == resource).unwrap();
        let record = list.iter_mut().find(|r| r["id"] == id).unwrap();
        record[key] = value;
    }

    /// A base URL for this server, for a browser.
    pub fn base(&self) -> String {
        format!("https://{}", self.domain())
    }
}

impl Drop for Coupa {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port)); // wake the accept loop
    }
}

fn tls_config(names: &[String]) -> (Arc<rustls::ServerConfig>, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, SanType};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "coupagen test CA");
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);

    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.subject_alt_names = names
        .iter()
        .map(|n| match n.parse() {
            Ok(ip) => SanType::IpAddress(ip),
            Err(_) => SanType::DnsName(n.as_str().try_into().unwrap()),
        })
        .collect();
    let cert = params.signed_by(&key, &issuer).unwrap();

    let chain = vec![cert.der().clone(), ca_cert.der().clone()];
    let key_der = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key_der)
    .unwrap();
    (Arc::new(config), ca_cert.pem())
}

struct Response {
    status: u16,
    content_type: &'static str,
    body: String,
    extra: Vec<(&'static str, String)>,
}

fn serve(tcp: TcpStream, config: Arc<rustls::ServerConfig>, state: &State) {
    tcp.set_read_timeout(Some(Duration::from_secs(10))).ok();
    let Ok(conn) = rustls::ServerConnection::new(config) else {
        return;
    };
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    let Some(req) = read_request(&mut tls) else {
        return;
    };
    state.log.lock().unwrap().push(req.clone());
    let resp = respond(&req, state);
    let reason = match resp.status {
        200 => "OK",
        302 => "Found",
        307 => "Temporary Redirect",
        301 => "Moved Permanently",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        _ => "Error",
    };
    let mut head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        resp.status,
        resp.content_type,
        resp.body.len()
    );
    for (k, v) in &resp.extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = tls.write_all(head.as_bytes());
    if state.behaviour.trickle {
        for byte in resp.body.as_bytes() {
            let sent = tls.write_all(&[*byte]).and_then(|_| tls.flush());
            if sent.is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(200));
        }
    }
    let _ = tls.write_all(resp.body.as_bytes());
    let _ = tls.flush();
    tls.conn.send_close_notify();
    let _ = tls.flush();
    let _ = tls.sock.shutdown(Shutdown::Write);
}

fn read_request(stream: &mut impl Read) -> Option<Recorded> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    let (path, raw_query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target, String::new()),
    };
    Some(Recorded {
        method,
        query: parse_pairs(&raw_query, false),
        path,
        raw_query,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        at: Instant::now(),
    })
}

/// Decodes `a=1&b=2`; in form bodies `+` is a space, as in Rails.
fn parse_pairs(s: &str, plus_is_space: bool) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k, plus_is_space), decode(v, plus_is_space))
        })
        .collect()
}

fn decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
                continue;
            }
            (b'+', _) if plus_is_space => out.push(b' '),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn oauth_error(status: u16, error: &str, description: &str) -> Response {
    Response {
        status,
        content_type: "application/json",
        body: serde_json::json!({"error": error, "error_description": description}).to_string(),
        extra: Vec::new(),
    }
}

fn respond(req: &Recorded, state: &State) -> Response {
    if req.path == "/oauth2/token" {
        if let Some(delay) = state.behaviour.token_delay {
            thread::sleep(delay);
        }
        if let Some(to) = &state.behaviour.token_redirect {
            return Response {
                status: 307,
                content_type: "text/plain",
                body: "moved".into(),
                extra: vec![("Location", to.clone())],
            };
        }
        if let Some(body) = &state.behaviour.token_body {
            return Response {
                status: 200,
                content_type: "application/json",
                body: body.clone(),
                extra: Vec::new(),
            };
        }
        if let Some(description) = &state.behaviour.token_error {
            return oauth_error(401, "invalid_client", description);
        }
        if state.behaviour.echo_form {
            let decoded: Vec<String> = req.form().into_iter().map(|(_, v)| v).collect();
            let echo = format!("you sent {} ({})", req.body, decoded.join(", "));
            return oauth_error(400, "invalid_request", &echo);
        }
        return token(req, state);
    }
    if req.path == "/oauth2/authorizations/new" {
        return consent_page(req, state);
    }
    if req.path == "/oauth2/authorizations" {
        return decision(req, state);
    }
    if let Some(resource) = req.path.strip_prefix("/api/") {
        return api(req, resource, state);
    }
    Response {
        status: 404,
        content_type: "text/html",
        body: "<html><body>Not found</body></html>".into(),
        extra: Vec::new(),
    }
}

fn token(req: &Recorded, state: &State) -> Response {
    let b = &state.behaviour;
    if req.method != "POST" {
        return oauth_error(405, "invalid_request", "use POST");
    }
    let form_type = req.header("content-type").unwrap_or("");
    if !form_type.starts_with("application/x-www-form-urlencoded") {
        return oauth_error(
            400,
            "invalid_request",
            "the body must be application/x-www-form-urlencoded",
        );
    }
    let form: HashMap<String, String> = req.form().into_iter().collect();
    match (form.get("grant_type").map(String::as_str), b.consent) {
        (Some("client_credentials"), false) => {}
        (Some("authorization_code" | "refresh_token"), true) => {
            return consent_token(req, &form, state)
        }
        (Some("client_credentials"), true) => {
            return oauth_error(
                400,
                "unauthorized_client",
                "the client's grant type is Authorization Code",
            )
        }
        _ => {
            return oauth_error(
                400,
                "unsupported_grant_type",
                "grant_type must be client_credentials",
            )
        }
    }
    if let Err(e) = client_auth(req, &form, b) {
        return e;
    }
    let requested: Vec<String> = form
        .get("scope")
        .map(|s| {
            s.split(' ')
                .filter(|w| !w.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    if requested.is_empty() {
        return oauth_error(400, "invalid_request", "scope is required");
    }
    let requested: Vec<String> = match b.narrow_scopes {
        true => requested
            .into_iter()
            .filter(|s| b.granted.contains(s))
            .collect(),
        false => requested,
    };
    if let Some(bad) = requested.iter().find(|s| !b.granted.contains(s)) {
        return oauth_error(
            400,
            "invalid_scope",
            &format!("The requested scope is invalid, unknown, or malformed: {bad}"),
        );
    }
    token_answer(state, requested, None, None)
}

/// The client authenticates: its Identifier and Secret in the form (or HTTP
/// Basic); a PKCE client by its Identifier alone.
fn client_auth(
    req: &Recorded,
    form: &HashMap<String, String>,
    b: &Behaviour,
) -> Result<(), Response> {
    if b.pkce {
        return match form.get("client_id") {
            Some(id) if *id == b.client_id => Ok(()),
            _ => Err(oauth_error(
                401,
                "invalid_client",
                "Client authentication failed",
            )),
        };
    }
    let (id, secret) = match (form.get("client_id"), form.get("client_secret")) {
        (Some(id), Some(secret)) => (id.clone(), secret.clone()),
        _ => match basic_credentials(req) {
            Some(pair) => pair,
            None => {
                return Err(oauth_error(
                    400,
                    "invalid_request",
                    "client credentials are missing",
                ))
            }
        },
    };
    if id != b.client_id || secret != b.client_secret {
        return Err(oauth_error(
            401,
            "invalid_client",
            "Client authentication failed",
        ));
    }
    Ok(())
}

/// Mints an access token (and a refresh token when asked) and answers as
/// Coupa does.
fn token_answer(
    state: &State,
    scopes: Vec<String>,
    person: Option<String>,
    refresh: Option<String>,
) -> Response {
    let n = state.issued.fetch_add(1, Ordering::SeqCst) + 1;
    // JWT-like and growing with the scopes, as Coupa's tokens do.
    let token = format!("eyJ0eXAiOiJKV1Qi.{n}{}.sig", "x".repeat(scopes.len() * 8));
    state.tokens.lock().unwrap().insert(
        token.clone(),
        Issued {
            scopes: scopes.clone(),
            person,
            at: Instant::now(),
        },
    );
    let mut body = serde_json::json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": 86399,
        "scope": scopes.join(" "),
    });
    if let Some(refresh) = refresh {
        body["refresh_token"] = refresh.into();
    }
    Response {
        status: 200,
        content_type: "application/json; charset=utf-8",
        body: body.to_string(),
        extra: Vec::new(),
    }
}

/// `authorization_code` and `refresh_token` at the token endpoint.
fn consent_token(req: &Recorded, form: &HashMap<String, String>, state: &State) -> Response {
    let b = &state.behaviour;
    if let Err(e) = client_auth(req, form, b) {
        return e;
    }
    let invalid_grant = |why: &str| oauth_error(400, "invalid_grant", why);
    if form.get("grant_type").map(String::as_str) == Some("refresh_token") {
        let given = form.get("refresh_token").cloned().unwrap_or_default();
        let Some(issued) = state.refresh_tokens.lock().unwrap().get(&given).cloned() else {
            return invalid_grant("The refresh token is invalid, expired or revoked");
        };
        return token_answer(state, issued.scopes, issued.person, None);
    }
    let code = form.get("code").cloned().unwrap_or_default();
    let mut codes = state.codes.lock().unwrap();
    let Some(grant) = codes.get_mut(&code) else {
        return invalid_grant("The authorization code is invalid or expired");
    };
    if grant.used {
        return invalid_grant("The authorization code was already used");
    }
    grant.used = true;
    if form.get("redirect_uri") != Some(&grant.redirect_uri) {
        return invalid_grant("The redirect URI does not match the one the code was issued for");
    }
    if let Some(challenge) = &grant.challenge {
        let verifier = form.get("code_verifier").cloned().unwrap_or_default();
        if s256(&verifier) != *challenge {
            return invalid_grant("The code verifier does not match the code challenge");
        }
    }
    let grant = grant.clone();
    drop(codes);
    let refresh = grant.scopes.iter().any(|s| s == "offline_access").then(|| {
        let n = state.issued.fetch_add(1, Ordering::SeqCst);
        let refresh = format!("rt-{n}-{}", grant.person.clone().unwrap_or_default());
        state.refresh_tokens.lock().unwrap().insert(
            refresh.clone(),
            Issued {
                scopes: grant.scopes.clone(),
                person: grant.person.clone(),
                at: Instant::now(),
            },
        );
        refresh
    });
    token_answer(state, grant.scopes, grant.person, refresh)
}

/// RFC 7636's S256: base64url(SHA-256(verifier)), unpadded.
fn s256(verifier: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let (mut out, mut bits, mut n) = (String::new(), 0u32, 0);
    for byte in digest.as_ref() {
        bits = bits << 8 | u32::from(*byte);
        n += 8;
        while n >= 6 {
            n -= 6;
            out.push(alphabet[(bits >> n & 63) as usize] as char);
        }
    }
    if n > 0 {
        out.push(alphabet[(bits << (6 - n) & 63) as usize] as char);
    }
    out
}

fn html(status: u16, body: &str) -> Response {
    Response {
        status,
        content_type: "text/html; charset=utf-8",
        body: format!("<!DOCTYPE html><html><body>{body}</body></html>"),
        extra: Vec::new(),
    }
}

/// A redirect to `uri` with these query pairs.
fn redirect_to(uri: &str, pairs: &[(&str, &str)]) -> Response {
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    let sep = if uri.contains('?') { '&' } else { '?' };
    Response {
        status: 302,
        content_type: "text/html",
        body: String::new(),
        extra: vec![("Location", format!("{uri}{sep}{}", query.join("&")))],
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `GET /oauth2/authorizations/new`: Coupa's consent page, or its error page
/// when it cannot trust the redirect URI (it never redirects then).
fn consent_page(req: &Recorded, state: &State) -> Response {
    let b = &state.behaviour;
    let q: HashMap<&str, &str> = req
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if !b.consent || q.get("client_id") != Some(&b.client_id.as_str()) {
        return html(400, "<h1>Client authentication failed</h1>");
    }
    let Some(redirect_uri) = q
        .get("redirect_uri")
        .filter(|u| b.redirect_uris.iter().any(|r| r == *u))
    else {
        return html(400, "<h1>The redirect uri included is not valid.</h1>");
    };
    let st = q.get("state").copied();
    let fail = |error: &str| {
        let mut pairs = vec![("error", error)];
        pairs.extend(st.map(|s| ("state", s)));
        redirect_to(redirect_uri, &pairs)
    };
    if q.get("response_type") != Some(&"code") {
        return fail("unsupported_response_type");
    }
    let scopes: Vec<String> = q
        .get("scope")
        .map(|s| {
            s.split(' ')
                .filter(|w| !w.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let scopes: Vec<String> = match b.narrow_scopes {
        true => scopes
            .into_iter()
            .filter(|s| b.granted.contains(s))
            .collect(),
        false => scopes,
    };
    if scopes.is_empty() || scopes.iter().any(|s| !b.granted.contains(s)) {
        return fail("invalid_scope");
    }
    let challenge = match (q.get("code_challenge"), q.get("code_challenge_method")) {
        (Some(c), Some(&"S256")) => Some(c.to_string()),
        (None, None) if !b.pkce => None,
        _ => return fail("invalid_request"),
    };
    let id = format!("req-{}", state.issued.fetch_add(1, Ordering::SeqCst));
    state.pages.lock().unwrap().insert(
        id.clone(),
        Authorization {
            redirect_uri: redirect_uri.to_string(),
            scopes,
            state: st.map(String::from),
            challenge,
            person: None,
            used: false,
        },
    );
    html(
        200,
        &format!(
            "<form method=\"post\" action=\"/oauth2/authorizations\"><input type=\"hidden\" name=\"request_id\" value=\"{id}\"><input name=\"login\"><button name=\"decision\" value=\"allow\">Allow</button><button name=\"decision\" value=\"deny\">Deny</button></form>"
        ),
    )
}

/// `POST /oauth2/authorizations`: the person logged in and decided.
fn decision(req: &Recorded, state: &State) -> Response {
    let form: HashMap<String, String> = req.form().into_iter().collect();
    let id = form.get("request_id").cloned().unwrap_or_default();
    let Some(page) = state.pages.lock().unwrap().remove(&id) else {
        return html(400, "<h1>This consent page has expired.</h1>");
    };
    let login = form.get("login").cloned().unwrap_or_default();
    if !PEOPLE.iter().any(|p| p.login == login) {
        return html(401, "<h1>Invalid login</h1>");
    }
    let st = page.state.clone();
    let with_state = |mut pairs: Vec<(&'static str, String)>| {
        pairs.extend(st.clone().map(|s| ("state", s)));
        pairs
    };
    let pairs = if form.get("decision").map(String::as_str) == Some("allow") {
        let code = format!("code-{}", state.issued.fetch_add(1, Ordering::SeqCst));
        state.codes.lock().unwrap().insert(
            code.clone(),
            Authorization {
                person: Some(login),
                ..page.clone()
            },
        );
        with_state(vec![("code", code)])
    } else {
        with_state(vec![("error", "access_denied".into())])
    };
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    redirect_to(&page.redirect_uri, &borrowed)
}

/// A person's Coupa user id, as a JSON value.
fn person_id(login: &str) -> serde_json::Value {
    PEOPLE
        .iter()
        .find(|p| p.login == login)
        .map_or(serde_json::Value::Null, |p| p.id.into())
}

fn text_of(v: &serde_json::Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), String::from)
}

fn basic_credentials(req: &Recorded) -> Option<(String, String)> {
    let encoded = req.header("authorization")?.strip_prefix("Basic ")?;
    let decoded = base64_decode(encoded)?;
    let (id, secret) = decoded.split_once(':')?;
    Some((decode(id, true), decode(secret, true)))
}

fn base64_decode(s: &str) -> Option<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes().filter(|c| *c != b'=') {
        bits = bits << 6 | ALPHABET.iter().position(|a| *a == c)? as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    String::from_utf8(out).ok()
}

fn api(req: &Recorded, resource: &str, state: &State) -> Response {
    let b = &state.behaviour;
    let wants_json = !b.always_xml
        && req
            .header("accept")
            .is_some_and(|a| a.contains("application/json"));
    let error = |status: u16, message: &str| Response {
        status,
        content_type: if wants_json {
            "application/json"
        } else {
            "application/xml"
        },
        body: if wants_json {
            serde_json::json!({"errors": {"error": [message]}}).to_string()
        } else {
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<errors><error>{message}</error></errors>\n")
        },
        extra: Vec::new(),
    };
    let bearer = req
        .header("authorization")
        .and_then(|a| a.strip_prefix("Bearer "))
        .unwrap_or_default();
    let issued = state.tokens.lock().unwrap().get(bearer).cloned();
    let Some(Issued { scopes, person, at }) = issued else {
        return error(401, "Invalid or missing access token");
    };
    if b.token_lag.is_some_and(|lag| at.elapsed() < lag) {
        return error(401, "Invalid or missing access token");
    }
    if let Some(n) = b.revoke_after {
        let mut revoked = state.revoked.lock().unwrap();
        // After the n-th answered call, every token issued so far is revoked.
        if revoked.is_empty() && state.answered.load(Ordering::SeqCst) >= n {
            revoked.extend(state.tokens.lock().unwrap().keys().cloned());
        }
        if revoked.iter().any(|t| t == bearer) {
            return error(401, "Invalid or missing access token");
        }
    }
    state.answered.fetch_add(1, Ordering::SeqCst);
    // The writes that create, and the expense report's submit.
    let submit_id = resource
        .strip_prefix("expense_reports/")
        .and_then(|r| r.strip_suffix("/submit"))
        .and_then(|id| id.parse::<u64>().ok());
    // `purchase_orders/4001`, or with `/comments`.
    let order = resource.strip_prefix("purchase_orders/").and_then(|rest| {
        let (id, comments) = match rest.strip_suffix("/comments") {
            Some(id) => (id, true),
            None => (rest, false),
        };
        id.parse::<u64>().ok().map(|id| (id, comments))
    });
    let write = match (req.method.as_str(), resource, submit_id, order) {
        ("POST", "requisitions/submit_for_approval", _, _) => Some("core.requisition.write"),
        ("POST", "expense_reports", _, _) | ("PUT", _, Some(_), _) => Some("core.expense.write"),
        ("PUT", _, _, Some((_, false))) => Some("core.purchase_order.write"),
        ("POST", _, _, Some((_, true))) => Some("core.comment.write"),
        _ => None,
    };
    if let Some(needed) = write {
        if !scopes.iter().any(|s| s == needed) {
            return error(403, &format!("The access token lacks the scope {needed}"));
        }
        // Coupa wants Content-Type and Accept alike (C: Get Started with the API).
        let json_sent = req
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/json"));
        if !wants_json || (req.method == "POST" && !json_sent) {
            return error(415, "Content-Type and Accept must both be application/json");
        }
        let mut records = state.records.lock().unwrap();
        let (status, body) = match (resource, submit_id, order) {
            ("requisitions/submit_for_approval", _, _) => {
                super::records::submit_requisition(&mut records, &req.body)
            }
            (_, Some(id), _) => super::records::submit_expense_report(&mut records, id),
            (_, _, Some((id, comment))) => {
                super::records::change_purchase_order(&mut records, id, comment, &req.body)
            }
            _ => super::records::create_expense_report(&mut records, &req.body),
        };
        return Response {
            status,
            content_type: "application/json; charset=utf-8",
            body: body.to_string(),
            extra: Vec::new(),
        };
    }
    // `requisitions/3002/comments`: that requisition's comments (C: Comments API).
    let commented = resource
        .strip_prefix("requisitions/")
        .and_then(|r| r.strip_suffix("/comments"))
        .and_then(|id| id.parse::<u64>().ok());
    let resource = if commented.is_some() {
        "comments"
    } else {
        resource
    };
    // `expense_reports`, `expense_reports/1001`, `approvals/5001/approve`.
    let mut parts = resource.splitn(3, '/');
    let resource = parts.next().unwrap_or_default();
    let id: Option<u64> = match parts.next() {
        None => None,
        Some(id) => match id.parse() {
            Ok(id) => Some(id),
            Err(_) => return error(404, "No such record"),
        },
    };
    let action = parts.next();
    let Some((_, read)) = RESOURCES.iter().find(|(r, _)| *r == resource) else {
        return error(404, "No such resource");
    };
    let needed = match (req.method.as_str(), resource, action) {
        ("GET", _, None) => *read,
        ("PUT", "approvals", Some("approve" | "reject")) => "core.approval.write",
        _ => return error(405, "No such method here"),
    };
    if !scopes.iter().any(|s| s == needed) {
        return error(403, &format!("The access token lacks the scope {needed}"));
    }
    if let Some(status) = b.api_status {
        let mut resp = error(status, "Simulated failure");
        if status == 429 {
            resp.extra.push(("Retry-After", "1".into()));
        }
        if (300..400).contains(&status) {
            resp.extra
                .push(("Location", "https://login.example/sso".into()));
        }
        return resp;
    }
    let q: HashMap<&str, &str> = req
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if wants_json {
        let mut records = state.records.lock().unwrap();
        if let Some((_, list)) = records.iter_mut().find(|(r, _)| *r == resource) {
            let answer = |status: u16, body: serde_json::Value| Response {
                status,
                content_type: "application/json; charset=utf-8",
                body: body.to_string(),
                extra: Vec::new(),
            };
            let fields = q
                .get("fields")
                .and_then(|f| serde_json::from_str::<serde_json::Value>(f).ok())
                .unwrap_or(serde_json::Value::Null);
            // A consent token sees only its person's approvals.
            let mine = |r: &serde_json::Value| match (&person, resource) {
                (Some(login), "approvals") => r["approver-id"] == person_id(login),
                _ => true,
            };
            if let Some(id) = id {
                let Some(record) = list.iter_mut().find(|r| r["id"] == id && mine(r)) else {
                    return error(404, "Record not found");
                };
                if let Some(decision) = action {
                    if record["status"] != "pending_approval" {
                        return answer(
                            400,
                            serde_json::json!({"errors": {"approval": [format!("Approval {id} is not pending: it is {}", text_of(&record["status"]))]}}),
                        );
                    }
                    record["status"] = if decision == "approve" {
                        "approved"
                    } else {
                        "rejected"
                    }
                    .into();
                    record["reason"] = q.get("reason").copied().unwrap_or_default().into();
                }
                return answer(200, super::records::only(record, &fields));
            }
            let mut sorted: Vec<&serde_json::Value> = list
                .iter()
                .filter(|r| mine(r))
                .filter(|r| commented.is_none_or(|id| r["commentable-id"] == id))
                .collect();
            // `order_by` and `dir` (SW): by the field's text, stable, so
            // records without it keep their order.
            if let Some(key) = q.get("order_by") {
                let text = |r: &serde_json::Value| text_of(&r[*key]);
                match q.get("dir") {
                    Some(&"desc") => sorted.sort_by_key(|r| std::cmp::Reverse(text(r))),
                    _ => sorted.sort_by_key(|r| text(r)),
                }
            }
            let page: Vec<serde_json::Value> = sorted
                .into_iter()
                .filter(|r| {
                    req.query.iter().all(|(k, v)| {
                        [
                            "limit",
                            "offset",
                            "fields",
                            "return_object",
                            "order_by",
                            "dir",
                        ]
                        .contains(&k.as_str())
                            || super::records::passes(r, k, v)
                    })
                })
                .skip(q.get("offset").and_then(|o| o.parse().ok()).unwrap_or(0))
                .take(
                    q.get("limit")
                        .and_then(|l| l.parse::<usize>().ok())
                        .unwrap_or(50)
                        .min(50),
                )
                .map(|r| super::records::only(r, &fields))
                .collect();
            return answer(200, serde_json::Value::Array(page));
        }
    }
    let limit = q
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(50)
        .min(50);
    let offset = q
        .get("offset")
        .and_then(|o| o.parse::<usize>().ok())
        .unwrap_or(0);
    let ids: Vec<usize> = (1..=b.records).skip(offset).take(limit).collect();
    if wants_json {
        let records: Vec<_> = ids
            .iter()
            .map(|id| serde_json::json!({"id": id, "status": "approved", "updated-at": "2024-01-02T03:04:05Z"}))
            .collect();
        return Response {
            status: 200,
            content_type: "application/json; charset=utf-8",
            body: serde_json::Value::Array(records).to_string(),
            extra: Vec::new(),
        };
    }
    if ids.is_empty() {
        return error(404, "No results match your search criteria");
    }
    let tag = resource.trim_end_matches('s').replace('_', "-");
    let items: String = ids
        .iter()
        .map(|id| format!("<{tag}><id type=\"integer\">{id}</id><status>approved</status></{tag}>"))
        .collect();
    Response {
        status: 200,
        content_type: "application/xml; charset=utf-8",
        body: format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{0} type=\"array\">{items}</{0}>\n",
            resource.replace('_', "-")
        ),
        extra: Vec::new(),
    }
}
