//! The connect step: DNS, TCP, then the TLS handshake, each diagnosed on its
//! own, before any credential is sent; and the roots TLS trusts.

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use rustls::pki_types::CertificateDer;

use super::report::{Facts, Problem, Step, StepKind};
use super::{ms, problem};
use crate::coupa::DOMAIN_FORMS;
use crate::error::{Error, Origin};

/// When the name is right, the network may be why it does not resolve.
pub(super) const NETWORK_HINT: &str = "if the name is right, this machine may not reach a DNS server (offline, a VPN that is down, or a network that needs HTTPS_PROXY)";

pub(super) const TLS_FIX: &str = "check that the domain is the Coupa instance; behind a corporate proxy that inspects TLS, set SSL_CERT_FILE to a PEM file with its CA certificate";

/// The trust roots: Mozilla's (bundled), plus any in `SSL_CERT_FILE`.
pub fn trust_roots() -> Result<Vec<CertificateDer<'static>>, Error> {
    let mut roots: Vec<CertificateDer<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS.to_vec();
    if let Some(path) = std::env::var_os("SSL_CERT_FILE") {
        let shown = path.to_string_lossy().into_owned();
        let pem = crate::bounded::file(
            std::path::Path::new(&path),
            crate::bounded::CERT_FILE,
            Origin::Env("SSL_CERT_FILE".into()),
        )?
        .into_bytes();
        let before = roots.len();
        for item in ureq::tls::parse_pem(&pem) {
            if let Ok(ureq::tls::PemItem::Certificate(cert)) = item {
                roots.push(CertificateDer::from(cert.der().to_vec()));
            }
        }
        if roots.len() == before {
            return Err(Error::bad(
                Origin::Env("SSL_CERT_FILE".into()),
                &shown,
                "holds no PEM certificate",
            ));
        }
    }
    Ok(roots)
}

/// DNS, TCP, then the TLS handshake, each diagnosed on its own.
pub fn connect(domain: &str, roots: &[CertificateDer<'static>], timeout: Duration) -> Step {
    let start = Instant::now();
    let (host, port) = match domain.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().unwrap_or(443)),
        None => (domain, 443),
    };
    let mut step = Step {
        kind: StepKind::Connect,
        name: format!("connect to {host}:{port}"),
        elapsed_ms: 0,
        facts: Facts::Connect {
            addresses: Vec::new(),
            tls: None,
        },
        problem: None,
        said: None,
        skipped: false,
    };
    let addrs: Vec<SocketAddr> = match (host, port).to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(e) => {
            step.elapsed_ms = ms(start);
            step.problem = Some(problem(
                format!("the name {host} does not resolve ({e})"),
                format!("check --domain: {DOMAIN_FORMS}; the instance's address is in your browser's address bar when you use Coupa; {NETWORK_HINT}"),
            ));
            return step;
        }
    };
    let addresses: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
    step.facts = Facts::Connect {
        addresses: addresses.clone(),
        tls: None,
    };
    let mut last = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, timeout.min(Duration::from_secs(10))) {
            Ok(tcp) => {
                match handshake(tcp, host, roots, timeout) {
                    Ok(version) => {
                        step.facts = Facts::Connect {
                            addresses,
                            tls: Some(version),
                        }
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
    step.problem = Some(match e {
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
    });
    step
}

/// A connection that refuses to read or write past `end`.
struct Deadline {
    tcp: TcpStream,
    end: Instant,
}

impl Deadline {
    /// The time left, as a socket timeout; an error once none is.
    fn left(&self) -> std::io::Result<Option<Duration>> {
        match self.end.checked_duration_since(Instant::now()) {
            Some(d) if !d.is_zero() => Ok(Some(d)),
            _ => Err(std::io::ErrorKind::TimedOut.into()),
        }
    }
}

impl std::io::Read for Deadline {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.tcp.set_read_timeout(self.left()?)?;
        self.tcp.read(buf)
    }
}

impl std::io::Write for Deadline {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tcp.set_write_timeout(self.left()?)?;
        self.tcp.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.tcp.flush()
    }
}

/// The TLS handshake alone; the negotiated version, or what is wrong with
/// the certificate.
fn handshake(
    tcp: TcpStream,
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
    // The whole handshake within the timeout: a server sending a byte a
    // second would hold a per-read timeout for as long as it liked.
    let mut tcp = Deadline {
        tcp,
        end: Instant::now() + timeout,
    };
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut tcp) {
            if matches!(
                e.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) {
                return Err(problem(
                    format!("the TLS handshake with {host} did not finish within the timeout ({} s)", timeout.as_secs()),
                    format!("check --domain ({DOMAIN_FORMS}); behind a firewall or proxy, set HTTPS_PROXY; or raise --timeout"),
                ));
            }
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
