//! The person's part of user consent: a fresh `state` (and PKCE pair) for
//! the authorization URL, then the redirect back, caught on a loopback
//! address (as `gh auth login` does) or read from standard input.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
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

    /// The address the browser landed on, or an empty string when nothing came.
    pub fn wait(self, wait: Duration) -> Result<String, Problem> {
        match self {
            Catch::Stdin => {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line).map_err(|e| {
                    problem(
                        format!("cannot read standard input ({e})"),
                        "paste the address the browser landed on",
                    )
                })?;
                Ok(line.trim().to_string())
            }
            Catch::Listener {
                listener,
                address,
                path,
            } => listen(&listener, &address, &path, wait),
        }
    }
}

/// Accepts connections until one asks for `path`; answers the browser with a
/// page saying it may close the tab.
fn listen(
    listener: &TcpListener,
    address: &str,
    path: &str,
    wait: Duration,
) -> Result<String, Problem> {
    let deadline = Instant::now() + wait;
    listener
        .set_nonblocking(true)
        .map_err(|e| problem(format!("cannot wait on {address}: {e}"), "retry"))?;
    while Instant::now() < deadline {
        match listener.accept() {
            Ok((stream, _)) => {
                if let Some(target) = answer(stream, path) {
                    return Ok(format!("http://{address}{target}"));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => {
                return Err(problem(
                    format!("waiting on {address} failed: {e}"),
                    "retry",
                ))
            }
        }
    }
    Err(problem(
        format!("no redirect reached http://{address}{path} within {} s", wait.as_secs()),
        format!("if Coupa showed an error page instead of asking, the client does not list this redirect URI: add it in {CLIENT_SETUP}; otherwise consent within the time (--consent-timeout)"),
    ))
}

/// Reads one request; answers it. The request target, when it is the redirect.
fn answer(stream: TcpStream, path: &str) -> Option<String> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(&stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    // Drain the headers so the browser sees a clean answer.
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
        header.clear();
    }
    let target = line.split_whitespace().nth(1)?.to_string();
    let ours = target.split('?').next() == Some(path);
    let (status, body) = match ours {
        true => (
            "200 OK",
            "Coupa answered coupagen verify. You can close this tab and return to the terminal.",
        ),
        false => (
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
    ours.then_some(target)
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
