//! The Streamable HTTP transport (`--listen`) and its guards: loopback
//! unless HTTPS, a bearer key on every request (compared in constant
//! time), `Origin` and `Host` checked (rmcp's DNS-rebinding guard), and
//! bounded request size, connection count and time.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper_util::rt::{TokioIo, TokioTimer};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::io::{AsyncRead, AsyncWrite};

use super::{Options, Server};
use crate::contract::env::MCP_KEY;
use crate::error::{Error, Origin};

/// The one endpoint.
pub const PATH: &str = "/mcp";
/// The largest request body read: a tool call is a few KB.
pub const MAX_BODY: usize = 256 << 10;
/// Connections served at once; more are closed at once.
const MAX_CONNECTIONS: usize = 16;
/// A client must send its request headers (and finish TLS) within this.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// No connection is held longer than this (a client reconnects its stream).
const CONNECTION_LIFETIME: Duration = Duration::from_secs(600);
/// The shortest bearer key accepted.
const MIN_KEY: usize = 16;

const LISTEN_FLAG: &str = "--listen";

/// The checked HTTP options.
pub struct Listen {
    addr: SocketAddr,
    tls: Option<tokio_rustls::TlsAcceptor>,
    key: String,
    origins: Vec<String>,
}

fn tls_config(cert: &Path, key: &Path) -> Result<rustls::ServerConfig, Error> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |flag: &'static str, path: &Path, e: &dyn std::fmt::Display| {
        Error::bad(
            Origin::Flag(flag),
            &path.display().to_string(),
            format!("cannot be read as PEM: {e}"),
        )
    };
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad("--tls-cert", cert, &e))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad("--tls-cert", cert, &e))?;
    let private = PrivateKeyDer::from_pem_file(key).map_err(|e| bad("--tls-key", key, &e))?;
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(chain, private))
        .map_err(|e| {
            Error::bad(
                Origin::Flag("--tls-key"),
                &key.display().to_string(),
                format!("does not go with --tls-cert: {e}"),
            )
        })
}

impl Listen {
    pub fn check(addr: SocketAddr, options: &Options) -> Result<Listen, Error> {
        if !addr.ip().is_loopback() && options.tls.is_none() {
            return Err(Error::bad(
                Origin::Flag(LISTEN_FLAG),
                &addr.to_string(),
                "is not a loopback address: beyond this machine the server speaks only HTTPS; add --tls-cert FILE --tls-key FILE, or listen on 127.0.0.1",
            ));
        }
        let key = std::env::var(MCP_KEY).unwrap_or_default();
        if key.trim().len() < MIN_KEY || key.trim() != key {
            return Err(Error::input(
                Origin::Env(MCP_KEY.into()),
                format!("must hold the key every HTTP client sends as `Authorization: Bearer KEY`, at least {MIN_KEY} characters without spaces, e.g. `export {MCP_KEY}=$(openssl rand -hex 32)`"),
            ));
        }
        for origin in &options.origins {
            let shaped = origin.split_once("://").is_some_and(|(scheme, host)| {
                matches!(scheme, "http" | "https") && !host.is_empty() && !host.contains('/')
            });
            if !shaped {
                return Err(Error::bad(
                    Origin::Flag("--allow-origin"),
                    origin,
                    "give a browser origin, scheme://host[:port], e.g. https://acme.moveworks.com",
                ));
            }
        }
        let tls = match &options.tls {
            Some((cert, key)) => Some(tokio_rustls::TlsAcceptor::from(Arc::new(tls_config(
                cert, key,
            )?))),
            None => None,
        };
        Ok(Listen {
            addr,
            tls,
            key,
            origins: options.origins.clone(),
        })
    }

    fn url(&self, addr: SocketAddr) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{addr}{PATH}")
    }

    /// Serves until the process is stopped; `listed` says what, once the
    /// address is bound (port 0 is a free port, said then).
    pub async fn serve(self, server: Server, listed: &str) -> Result<(), Error> {
        let mut config = StreamableHttpServerConfig::default()
            .with_allowed_origins(self.origins.clone())
            .enforce_origin_validation()
            .with_max_request_body_bytes(MAX_BODY)
            .with_json_response(true);
        if !self.addr.ip().is_loopback() {
            // Reached by a name this process cannot know; the key and TLS
            // guard it, and the Origin check still stops browsers.
            config = config.disable_allowed_hosts();
        }
        let service = StreamableHttpService::new(
            move || Ok(server.clone()),
            Arc::new(LocalSessionManager::default()),
            config,
        );
        let listener = tokio::net::TcpListener::bind(self.addr)
            .await
            .map_err(|e| {
                Error::bad(
                    Origin::Flag(LISTEN_FLAG),
                    &self.addr.to_string(),
                    format!("cannot listen there: {e}"),
                )
            })?;
        let bound = listener.local_addr().unwrap_or(self.addr);
        eprintln!("coupagen mcp: {listed} at {}", self.url(bound));
        let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
        let key: Arc<[u8]> = digest(self.key.as_bytes()).into();
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                continue;
            };
            let Ok(permit) = slots.clone().try_acquire_owned() else {
                drop(tcp);
                continue;
            };
            let (service, key, tls) = (service.clone(), key.clone(), self.tls.clone());
            tokio::spawn(async move {
                let _permit = permit;
                match tls {
                    None => connection(tcp, service, key).await,
                    Some(acceptor) => {
                        if let Ok(Ok(stream)) =
                            tokio::time::timeout(HEADER_TIMEOUT, acceptor.accept(tcp)).await
                        {
                            connection(stream, service, key).await;
                        }
                    }
                }
            });
        }
    }
}

fn digest(bytes: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .to_vec()
}

/// Whether the request carries the key: both hashed, then compared in full
/// whatever differs, so the time says nothing of the key.
fn authorized(headers: &hyper::HeaderMap, key: &[u8]) -> bool {
    let given = headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let given = digest(given.trim().as_bytes());
    given.len() == key.len() && given.iter().zip(key).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

type Answer = hyper::Response<http_body_util::combinators::BoxBody<Bytes, Infallible>>;

fn refuse(status: u16, text: &str) -> Answer {
    let mut resp = hyper::Response::new(Full::new(Bytes::from(text.to_string())).boxed());
    *resp.status_mut() =
        hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::BAD_REQUEST);
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if status == 401 {
        resp.headers_mut().insert(
            hyper::header::WWW_AUTHENTICATE,
            hyper::header::HeaderValue::from_static("Bearer"),
        );
    }
    resp
}

/// One connection: each request guarded, then handed to rmcp.
async fn connection<I>(
    io: I,
    service: StreamableHttpService<Server, LocalSessionManager>,
    key: Arc<[u8]>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let guarded = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let (service, key) = (service.clone(), key.clone());
        async move {
            if req.uri().path() != PATH {
                return Ok::<_, Infallible>(refuse(404, "not found: the MCP endpoint is /mcp"));
            }
            if !authorized(req.headers(), &key) {
                return Ok(refuse(
                    401,
                    "send Authorization: Bearer and the server's key",
                ));
            }
            let declared = req
                .headers()
                .get(hyper::header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
            if declared.is_some_and(|n| n > MAX_BODY) {
                return Ok(refuse(413, "the request body is too large"));
            }
            Ok(service
                .handle(req.map(|body| Limited::new(body, MAX_BODY)))
                .await)
        }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .serve_connection(TokioIo::new(io), guarded);
    let _ = tokio::time::timeout(CONNECTION_LIFETIME, conn).await;
}
