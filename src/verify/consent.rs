//! The person's part of user consent: a fresh `state` (and PKCE pair) for
//! the authorization URL, then the redirect back, caught on a loopback
//! address (as `gh auth login` does) or read from standard input.

use std::io::{BufRead, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use ring::rand::{SecureRandom, SystemRandom};

use super::problem;
use super::report::Problem;
use crate::coupa::CLIENT_SETUP;
use crate::spec::RedirectUri;
use crate::Error;

/// What one authorization request was sent with, to check its answer by.
pub struct Pending {
    pub state: String,
    /// PKCE (RFC 7636): the verifier the exchange proves, and its S256 challenge.
    pub verifier: Option<String>,
    pub challenge: Option<String>,
}

impl Pending {
    pub fn new(pkce: bool) -> Result<Pending, Error> {
        let rng = SystemRandom::new();
        let random = |n: usize| {
            let mut bytes = vec![0u8; n];
            rng.fill(&mut bytes)
                .map_err(|_| Error::Failed("the system's random source failed".into()))?;
            Ok::<_, Error>(base64url(&bytes))
        };
        let state = random(16)?;
        let (verifier, challenge) = match pkce {
            false => (None, None),
            true => {
                let verifier = random(32)?;
                let challenge = challenge_of(&verifier);
                (Some(verifier), Some(challenge))
            }
        };
        Ok(Pending {
            state,
            verifier,
            challenge,
        })
    }
}

/// The S256 code challenge of a verifier.
pub fn challenge_of(verifier: &str) -> String {
    base64url(ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes()).as_ref())
}

/// Base64url without padding (RFC 4648 §5), as PKCE and `state` use it.
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Where the redirect comes back.
pub enum Catch {
    /// A loopback redirect URI: listen there for the browser.
    Listener {
        listener: TcpListener,
        address: String,
        path: String,
    },
    /// Anywhere else: the person pastes the address from the browser.
    Stdin,
}

impl Catch {
    /// Listens on a loopback redirect URI before the URL is shown, so the
    /// redirect cannot arrive first.
    pub fn prepare(redirect_uri: &RedirectUri) -> Result<Catch, Problem> {
        let Some((address, path)) = redirect_uri.loopback() else {
            return Ok(Catch::Stdin);
        };
        match TcpListener::bind(&address) {
            Ok(listener) => Ok(Catch::Listener {
                listener,
                address,
                path,
            }),
            Err(e) => Err(problem(
                format!("cannot listen on {address} for the redirect to {redirect_uri}: {e}", redirect_uri = redirect_uri.as_str()),
                "stop what holds that port, or register another loopback redirect URI and give it first with --redirect-uri",
            )),
        }
    }

    /// What a person reads while verify waits.
    pub fn prompt(&self, wait: Duration) -> String {
        match self {
            Catch::Listener { address, path, .. } => format!(
                "Waiting up to {} s for the browser to come back to http://{address}{path} ...",
                wait.as_secs()
            ),
            Catch::Stdin => {
                "Then paste the address the browser landed on (or just its code) and press Enter:"
                    .into()
            }
        }
    }

    /// The address the browser landed on (an empty string when nothing
    /// came), and how many redirects with another `state` were ignored.
    pub fn wait(self, wait: Duration, state: &str) -> Result<Landed, Problem> {
        match self {
            Catch::Stdin => {
                let mut line = String::new();
                // A pasted address is far shorter; a pipe that never ends is cut here.
                let mut bounded = std::io::stdin().lock().take(MAX_HEAD as u64);
                bounded.read_line(&mut line).map_err(|e| {
                    problem(
                        format!("cannot read standard input ({e})"),
                        "paste the address the browser landed on",
                    )
                })?;
                Ok(Landed {
                    address: line.trim().to_string(),
                    ignored: 0,
                })
            }
            Catch::Listener {
                listener,
                address,
                path,
            } => listen(&listener, &address, &path, wait, state),
        }
    }
}

/// What came back to the redirect URI.
pub struct Landed {
    pub address: String,
    /// Redirects to the right path whose `state` was not this run's (a
    /// forged or stale one): each answered, counted and ignored.
    pub ignored: usize,
}

/// At most this many bytes of a request's line and headers (or of a pasted
/// address): a redirect's address is far shorter.
const MAX_HEAD: usize = 16 * 1024;
/// How long one connection may take to send its request.
const CONNECTION_TIME: Duration = Duration::from_secs(5);
/// Connections read at once, each on its own small thread so none that
/// idles holds up the redirect; past this, a new one is closed at once.
const MAX_OPEN: usize = 512;

/// What one connection asked for.
enum Heard {
    /// The redirect, with this run's `state`: its target.
    Ours(String),
    /// The redirect's path with another state, or none.
    Forged,
}

/// Accepts connections until one brings the redirect with this run's
/// `state`, or the deadline passes, whatever else is open.
fn listen(
    listener: &TcpListener,
    address: &str,
    path: &str,
    wait: Duration,
    state: &str,
) -> Result<Landed, Problem> {
    let deadline = Instant::now() + wait;
    listener
        .set_nonblocking(true)
        .map_err(|e| problem(format!("cannot wait on {address}: {e}"), "retry"))?;
    let (tx, rx) = mpsc::channel();
    let open = Arc::new(AtomicUsize::new(0));
    let mut ignored = 0;
    while Instant::now() < deadline {
        while let Ok(heard) = rx.try_recv() {
            match heard {
                Heard::Ours(target) => {
                    return Ok(Landed {
                        address: format!("http://{address}{target}"),
                        ignored,
                    })
                }
                Heard::Forged => ignored += 1,
            }
        }
        match listener.accept() {
            Ok((stream, _)) if open.load(Ordering::SeqCst) < MAX_OPEN => {
                open.fetch_add(1, Ordering::SeqCst);
                let (tx, done, path, state) = (
                    tx.clone(),
                    open.clone(),
                    path.to_string(),
                    state.to_string(),
                );
                let end = deadline.min(Instant::now() + CONNECTION_TIME);
                let spawned = std::thread::Builder::new()
                    .stack_size(64 * 1024)
                    .spawn(move || {
                        if let Some(heard) = serve(stream, &path, &state, end) {
                            let _ = tx.send(heard);
                        }
                        done.fetch_sub(1, Ordering::SeqCst);
                    });
                if spawned.is_err() {
                    open.fetch_sub(1, Ordering::SeqCst);
                }
            }
            // Too many open: this one is closed unread.
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => {
                return Err(problem(
                    format!("waiting on {address} failed: {e}"),
                    "retry",
                ))
            }
        }
    }
    let forged = match ignored {
        0 => String::new(),
        n => format!(" ({n} with another state, not this run's, were ignored)"),
    };
    Err(problem(
        format!("no redirect reached http://{address}{path} within {} s{forged}", wait.as_secs()),
        format!("if Coupa showed an error page instead of asking, the client does not list this redirect URI: add it in {CLIENT_SETUP}; otherwise consent within the time (--consent-timeout)"),
    ))
}

/// Reads one request within `end` and `MAX_HEAD` bytes and answers it; what
/// it asked for, when it asked for the redirect's path.
fn serve(stream: TcpStream, path: &str, state: &str, end: Instant) -> Option<Heard> {
    stream.set_nonblocking(false).ok()?;
    let head = read_head(&stream, end)?;
    let target = head.split_whitespace().nth(1)?.to_string();
    let heard = match target.split('?').next() == Some(path) {
        false => None,
        true if super::redirect::query_value(&target, crate::coupa::authorize::STATE)
            .as_deref()
            == Some(state) =>
        {
            Some(Heard::Ours(target))
        }
        true => Some(Heard::Forged),
    };
    let (status, body) = match heard {
        Some(Heard::Ours(_)) => (
            "200 OK",
            "Coupa answered coupagen verify. You can close this tab and return to the terminal.",
        ),
        Some(Heard::Forged) => (
            "400 Bad Request",
            "This redirect's state is not the one coupagen verify sent; it is ignored.",
        ),
        None => (
            "404 Not Found",
            "Not the redirect coupagen verify waits for.",
        ),
    };
    let page = format!("<!doctype html><meta charset=utf-8><title>coupagen</title><p>{body}</p>\n");
    let _ = (&stream).write_all(
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
            page.len()
        )
        .as_bytes(),
    );
    heard
}

/// A request's line and headers, read until their blank line, the peer's
/// end, `end` or `MAX_HEAD` bytes: none when time or size ran out first.
fn read_head(mut stream: &TcpStream, end: Instant) -> Option<String> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 2048];
    loop {
        let left = end.checked_duration_since(Instant::now())?;
        if left.is_zero() {
            return None;
        }
        stream.set_read_timeout(Some(left)).ok()?;
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        let from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..n]);
        if head[from..].windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
        if head.len() > MAX_HEAD {
            return None;
        }
    }
    String::from_utf8(head).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_and_the_s256_challenge_match_rfc_7636() {
        // RFC 7636, appendix B.
        let verifier_bytes = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let verifier = base64url(&verifier_bytes);
        assert_eq!(verifier, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            challenge_of(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
    }

    #[test]
    fn each_authorization_gets_its_own_state_and_verifier() {
        let (a, b) = (Pending::new(true).unwrap(), Pending::new(true).unwrap());
        assert_ne!(a.state, b.state);
        assert_eq!(a.state.len(), 22);
        let v = a.verifier.unwrap();
        assert_eq!(v.len(), 43, "RFC 7636 asks for 43 to 128 characters");
        assert_eq!(a.challenge.unwrap(), challenge_of(&v));
        assert!(Pending::new(false).unwrap().verifier.is_none());
    }
}
