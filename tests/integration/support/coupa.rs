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
use std::time::Duration;

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
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            client_id: "moveworks-client".into(),
            client_secret: "s3cret-Value".into(),
            granted: RESOURCES.iter().map(|(_, s)| s.to_string()).collect(),
            always_xml: false,
            api_status: None,
            records: 3,
            narrow_scopes: false,
            cert_names: vec!["localhost".into(), "127.0.0.1".into()],
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
];

struct State {
    behaviour: Behaviour,
    log: Mutex<Vec<Recorded>>,
    tokens: Mutex<HashMap<String, Vec<String>>>,
    issued: AtomicUsize,
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
            issued: AtomicUsize::new(0),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let (st, sp) = (state.clone(), stop.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                if sp.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
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

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.log.lock().unwrap().clone()
    }

    pub fn clear(&self) {
        self.state.log.lock().unwrap().clear();
    }

    /// Every token issued so far.
    pub fn tokens(&self) -> Vec<String> {
        self.state.tokens.lock().unwrap().keys().cloned().collect()
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
        return token(req, state);
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
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return oauth_error(
            400,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        );
    }
    let (id, secret) = match (form.get("client_id"), form.get("client_secret")) {
        (Some(id), Some(secret)) => (id.clone(), secret.clone()),
        _ => match basic_credentials(req) {
            Some(pair) => pair,
            None => return oauth_error(400, "invalid_request", "client credentials are missing"),
        },
    };
    if id != b.client_id || secret != b.client_secret {
        return oauth_error(401, "invalid_client", "Client authentication failed");
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
    let n = state.issued.fetch_add(1, Ordering::SeqCst) + 1;
    // JWT-like and growing with the scopes, as Coupa's tokens do.
    let token = format!(
        "eyJ0eXAiOiJKV1Qi.{n}{}.sig",
        "x".repeat(requested.len() * 8)
    );
    state
        .tokens
        .lock()
        .unwrap()
        .insert(token.clone(), requested.clone());
    Response {
        status: 200,
        content_type: "application/json; charset=utf-8",
        body: serde_json::json!({
            "access_token": token,
            "token_type": "bearer",
            "expires_in": 86399,
            "scope": requested.join(" "),
        })
        .to_string(),
        extra: Vec::new(),
    }
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
    let scopes = req
        .header("authorization")
        .and_then(|a| a.strip_prefix("Bearer "))
        .and_then(|t| state.tokens.lock().unwrap().get(t).cloned());
    let Some(scopes) = scopes else {
        return error(401, "Invalid or missing access token");
    };
    let Some((_, needed)) = RESOURCES.iter().find(|(r, _)| *r == resource) else {
        return error(404, "No such resource");
    };
    if !scopes.iter().any(|s| s == needed) {
        return error(403, &format!("The access token lacks the scope {needed}"));
    }
    if let Some(status) = b.api_status {
        let mut resp = error(status, "Simulated failure");
        if status == 429 {
            resp.extra.push(("Retry-After", "1".into()));
        }
        return resp;
    }
    let q: HashMap<&str, &str> = req
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
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
