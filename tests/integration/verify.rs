//! `coupagen verify` against the loopback Coupa over TLS (its CA trusted
//! through SSL_CERT_FILE), once for success and once for each way to fail:
//! the exit status, the diagnosis, and never the secret.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use crate::support::coupa::{Behaviour, Coupa};
use crate::support::{bin, stderr, stdout};

/// `coupagen verify --domain DOMAIN` in a clean environment (no proxy) with
/// the stand-in's client id; tests add the secret, the CA and the rest.
fn command(coupa: &Coupa, domain: &str) -> Command {
    let mut cmd = Command::new(bin());
    cmd.args(["verify", "--domain", domain, "--timeout", "5"])
        .env_clear()
        .env("COUPA_CLIENT_ID", &coupa.behaviour().client_id);
    cmd
}

/// Runs verify with the secret in the environment and the test CA trusted.
fn verify(coupa: &Coupa, domain: &str, secret: &str, extra: &[&str]) -> Output {
    command(coupa, domain)
        .args(extra)
        .env("COUPA_CLIENT_SECRET", secret)
        .env("SSL_CERT_FILE", &coupa.ca_file)
        .output()
        .unwrap()
}

/// Asserts the exit status, that every `expect` part is in the report, and
/// that the secret appears nowhere.
pub(crate) fn assert_report(out: &Output, code: i32, secret: &str, expect: &[&str]) -> String {
    let report = stdout(out);
    assert_eq!(out.status.code(), Some(code), "{report}\n{}", stderr(out));
    for part in expect {
        assert!(report.contains(part), "expected {part:?} in:\n{report}");
    }
    assert!(
        !report.contains(secret) && !stderr(out).contains(secret),
        "the secret leaked:\n{report}"
    );
    report
}

/// `verify` for the stand-in, with extra environment variables.
pub(crate) fn verify_with(coupa: &Coupa, secret: &str, vars: &[(&str, &str)]) -> Output {
    command(coupa, &coupa.domain())
        .env("COUPA_CLIENT_SECRET", secret)
        .env("SSL_CERT_FILE", &coupa.ca_file)
        .envs(vars.iter().copied())
        .output()
        .unwrap()
}

fn redact_volatile(report: &str, coupa: &Coupa) -> String {
    report.replace(&coupa.port.to_string(), "PORT")
}

#[test]
fn success_reports_every_step() {
    let coupa = Coupa::start();
    let secret = coupa.behaviour().client_secret.clone();
    let out = verify(
        &coupa,
        &coupa.domain(),
        &secret,
        &["--resource", "expense_reports,invoices", "--limit", "2"],
    );
    let report = assert_report(&out, 0, &secret, &["All 4 steps passed."]);
    let token = coupa.tokens().pop().unwrap();
    assert!(
        !report.contains(&token),
        "only the token's first characters"
    );
    assert!(report.contains(&format!("token {}…", &token[..6])));

    let mut settings = crate::support::snapshot_settings();
    settings.add_filter(r"\(\d+ ms\)", "(N ms)");
    // localhost may also resolve to ::1 on another machine.
    settings.add_filter(
        r"resolved to [0-9a-f.:]+(, [0-9a-f.:]+)*",
        "resolved to ADDRESSES",
    );
    settings.bind(|| insta::assert_snapshot!("verify__success", redact_volatile(&report, &coupa)));

    let json: serde_json::Value = serde_json::from_str(&stdout(&verify(
        &coupa,
        &coupa.domain(),
        &secret,
        &["--json"],
    )))
    .unwrap();
    assert_eq!(json["ok"], true);
    let steps: Vec<&str> = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["connect", "token", "call"]);
    assert_eq!(json["steps"][1]["expires_in"], 86399);
    assert_eq!(
        json["steps"][1]["scopes_granted"],
        serde_json::json!(["core.expense.read"])
    );
    assert_eq!(json["steps"][2]["status"], 200);
    assert_eq!(json["steps"][2]["records"], 1);
    assert!(json["steps"][2]["elapsed_ms"].is_u64());
}

#[test]
fn verify_sends_the_kits_own_requests() {
    let coupa = Coupa::start();
    let secret = coupa.behaviour().client_secret.clone();
    let out = verify(
        &coupa,
        &coupa.domain(),
        &secret,
        &["--filter", "status=approved"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let log = coupa.requests();
    let form: Vec<String> = log[0].form().into_iter().map(|(k, _)| k).collect();
    assert_eq!(form, ["grant_type", "client_id", "client_secret", "scope"]);
    assert_eq!(log[1].header("accept"), Some("application/json"));
    assert_eq!(log[1].raw_query, "limit=1&status=approved");
}

/// A loopback port nothing listens on.
pub(crate) fn closed_port() -> u16 {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    closed.local_addr().unwrap().port()
}

/// One way `verify` fails: the stand-in as it behaves, what verify is
/// given, what its report must say (it exits 1, the secret nowhere), and
/// what the stand-in must have heard.
struct Failure {
    name: &'static str,
    coupa: Behaviour,
    domain: Domain,
    secret: Secret,
    args: &'static [&'static str],
    /// false: no SSL_CERT_FILE, so the stand-in's CA is not trusted.
    trust_ca: bool,
    says: &'static [&'static str],
    heard: Heard,
}

enum Domain {
    StandIn,
    /// 127.0.0.1 at a port nothing listens on.
    ClosedPort,
    Given(&'static str),
}

enum Secret {
    /// The client's own secret.
    Right,
    /// The client's own secret with a pasted newline.
    RightAndANewline,
    Given(&'static str),
}

enum Heard {
    Unchecked,
    /// No request reached the stand-in (so no credential did).
    Nothing,
    /// This many calls to `/api/`.
    ApiCalls(usize),
}

impl Default for Failure {
    fn default() -> Self {
        Failure {
            name: "",
            coupa: Behaviour::default(),
            domain: Domain::StandIn,
            secret: Secret::Right,
            args: &[],
            trust_ca: true,
            says: &[],
            heard: Heard::Unchecked,
        }
    }
}

fn failures() -> Vec<Failure> {
    vec![
        Failure {
            name: "wrong secret",
            secret: Secret::Given("not-the-secret"),
            says: &[
                "FAIL POST /oauth2/token: HTTP 401",
                "invalid_client",
                "check COUPA_CLIENT_ID (the Identifier) and COUPA_CLIENT_SECRET (the Secret)",
                "Client Credentials",
            ],
            ..Failure::default()
        },
        Failure {
            name: "a scope the client lacks",
            coupa: Behaviour {
                granted: vec!["core.expense.read".into()],
                ..Behaviour::default()
            },
            args: &["--resource", "expense_reports,invoices"],
            says: &[
                "invalid_scope",
                "core.invoice.read",
                "Setup > OAuth2/OpenID Connect Clients",
                "give the client every scope requested (core.expense.read core.invoice.read)",
            ],
            ..Failure::default()
        },
        Failure {
            name: "a resource whose scope the token lacks",
            coupa: Behaviour {
                granted: vec!["core.expense.read".into()],
                narrow_scopes: true,
                ..Behaviour::default()
            },
            args: &["--resource", "expense_reports,invoices"],
            says: &[
                "ok   GET /api/expense_reports",
                "FAIL GET /api/invoices?limit=1: HTTP 403",
                "the token lacks the scope core.invoice.read, which /api/invoices needs",
                "1 of 4 steps failed.",
                "scopes granted: core.expense.read,",
            ],
            ..Failure::default()
        },
        Failure {
            name: "an XML answer",
            coupa: Behaviour {
                always_xml: true,
                ..Behaviour::default()
            },
            says: &[
                "application/xml",
                "the answer is XML, not JSON",
                "Accept: application/json",
            ],
            ..Failure::default()
        },
        Failure {
            name: "the rate limit, retried once after Retry-After: 1",
            coupa: Behaviour {
                api_status: Some(429),
                ..Behaviour::default()
            },
            says: &[
                "HTTP 429",
                "rate limit (25 requests a second",
                "retry after 1 s",
            ],
            heard: Heard::ApiCalls(2),
            ..Failure::default()
        },
        Failure {
            name: "a server error, Coupa's side",
            coupa: Behaviour {
                api_status: Some(503),
                ..Behaviour::default()
            },
            says: &["HTTP 503", "a failure on Coupa's side", "retry later"],
            ..Failure::default()
        },
        Failure {
            name: "a refused connection",
            domain: Domain::ClosedPort,
            secret: Secret::Given("s3cret"),
            says: &[
                "FAIL connect to 127.0.0.1",
                "refused the connection",
                "<org>.coupahost.com",
                "<org>.coupacloud.com",
            ],
            heard: Heard::Nothing,
            ..Failure::default()
        },
        Failure {
            name: "a name that does not resolve",
            domain: Domain::Given("acme.coupahost.invalid"),
            secret: Secret::Given("s3cret"),
            says: &[
                "FAIL connect to acme.coupahost.invalid:443",
                "does not resolve",
                "<org>.coupahost.com",
                "this machine may not reach a DNS server",
            ],
            heard: Heard::Nothing,
            ..Failure::default()
        },
        Failure {
            name: "an untrusted certificate",
            trust_ca: false,
            says: &[
                "FAIL connect to localhost",
                "signed by an authority this machine does not trust",
                "SSL_CERT_FILE",
            ],
            heard: Heard::Nothing,
            ..Failure::default()
        },
        Failure {
            name: "a certificate for another name",
            coupa: Behaviour {
                cert_names: vec!["acme.coupahost.com".into()],
                ..Behaviour::default()
            },
            says: &["not valid for localhost: the domain may be wrong"],
            heard: Heard::Nothing,
            ..Failure::default()
        },
        Failure {
            name: "a secret with surrounding whitespace",
            secret: Secret::RightAndANewline,
            says: &[
                "COUPA_CLIENT_SECRET starts or ends with whitespace",
                "without the surrounding whitespace",
            ],
            ..Failure::default()
        },
    ]
}

/// Runs one failure and asserts its report and what the stand-in heard.
fn assert_fails_as_said(case: &Failure) {
    let coupa = Coupa::with(case.coupa.clone());
    let own = coupa.behaviour().client_secret.clone();
    let secret = match case.secret {
        Secret::Right => own.clone(),
        Secret::RightAndANewline => format!("{own}\n"),
        Secret::Given(s) => s.to_string(),
    };
    let domain = match case.domain {
        Domain::StandIn => coupa.domain(),
        Domain::ClosedPort => format!("127.0.0.1:{}", closed_port()),
        Domain::Given(d) => d.to_string(),
    };
    let mut cmd = command(&coupa, &domain);
    cmd.args(case.args).env("COUPA_CLIENT_SECRET", &secret);
    if case.trust_ca {
        cmd.env("SSL_CERT_FILE", &coupa.ca_file);
    }
    // The secret must not leak, not even without its newline.
    assert_report(&cmd.output().unwrap(), 1, secret.trim(), case.says);
    match case.heard {
        Heard::Unchecked => {}
        Heard::Nothing => assert!(
            coupa.requests().is_empty(),
            "no request reached the stand-in: {:#?}",
            coupa.requests()
        ),
        Heard::ApiCalls(n) => assert_eq!(coupa.api_calls().len(), n, "{:?}", coupa.api_calls()),
    }
}

/// Each way to fail, each case on a thread named after it: a failure names
/// every case that failed, with its own message.
#[test]
fn each_failure_is_diagnosed_and_never_shows_the_secret() {
    let cases = failures();
    let failed: Vec<String> = std::thread::scope(|scope| {
        let runs: Vec<_> = cases
            .iter()
            .map(|case| {
                let run = std::thread::Builder::new()
                    .name(case.name.to_string())
                    .spawn_scoped(scope, || assert_fails_as_said(case))
                    .unwrap();
                (case.name, run)
            })
            .collect();
        runs.into_iter()
            .filter_map(|(name, run)| {
                let panic = run.join().err()?;
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Some(format!("case {name:?}: {message}"))
            })
            .collect()
    });
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

#[test]
fn the_secret_can_come_from_standard_input() {
    let coupa = Coupa::start();
    let secret = coupa.behaviour().client_secret.clone();
    let mut child = command(&coupa, &coupa.domain())
        .arg("--client-secret-stdin")
        .env("SSL_CERT_FILE", &coupa.ca_file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{secret}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_report(&out, 0, &secret, &["All 3 steps passed."]);
}

#[test]
fn missing_credentials_exit_2_with_how_to_give_them() {
    let out = Command::new(bin())
        .args(["verify", "--domain", "acme.coupahost.com"])
        .env_clear()
        .env("COUPA_CLIENT_ID", "id")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("COUPA_CLIENT_SECRET is not set")
            && err.contains("--client-secret-stdin")
            && err.contains("no secret as a flag"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn https_proxy_is_honoured_and_no_proxy_bypasses_it() {
    let coupa = Coupa::start();
    let proxy = crate::support::proxy::Proxy::start();
    let secret = coupa.behaviour().client_secret.clone();
    let run = |no_proxy: &str| {
        verify_with(
            &coupa,
            &secret,
            &[("HTTPS_PROXY", &proxy.url()), ("NO_PROXY", no_proxy)],
        )
    };
    assert_report(&run(""), 0, &secret, &["All 2 steps passed."]);
    assert_eq!(
        proxy.tunnels(),
        2,
        "the token request and the call went through the proxy"
    );
    assert_report(&run("localhost"), 0, &secret, &["passed."]);
    assert_eq!(proxy.tunnels(), 2, "NO_PROXY sent them direct");
}

/// `bundle` records its inputs; `verify --config` on that record sends the
/// kit's requests exactly as `verify` with the same flags does.
#[test]
fn verify_checks_a_bundles_own_inputs_from_its_config() {
    let coupa = Coupa::start();
    let secret = coupa.behaviour().client_secret.clone();
    let dir = tempfile::tempdir().unwrap();
    let kit = dir.path().join("kit");
    let domain = coupa.domain();
    let flags = [
        "--resource",
        "expense_reports,invoices",
        "--limit",
        "2",
        "--filter",
        "status=approved",
    ];
    let mut args = vec![
        "bundle",
        "--domain",
        &domain,
        "--out",
        kit.to_str().unwrap(),
    ];
    args.extend(flags);
    let out = crate::support::run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let config = std::fs::read_to_string(kit.join("coupagen.json")).unwrap();
    assert!(!config.contains(&secret));

    let by_flags = verify(&coupa, &domain, &secret, &flags);
    let sent_by_flags: Vec<String> = coupa
        .requests()
        .iter()
        .map(|r| format!("{} {}?{}", r.method, r.path, r.raw_query))
        .collect();
    coupa.clear();
    let by_config = Command::new(bin())
        .args([
            "verify",
            "--timeout",
            "5",
            "--config",
            kit.join("coupagen.json").to_str().unwrap(),
        ])
        .env_clear()
        .env("COUPA_CLIENT_ID", &coupa.behaviour().client_id)
        .env("COUPA_CLIENT_SECRET", &secret)
        .env("SSL_CERT_FILE", &coupa.ca_file)
        .output()
        .unwrap();
    let sent_by_config: Vec<String> = coupa
        .requests()
        .iter()
        .map(|r| format!("{} {}?{}", r.method, r.path, r.raw_query))
        .collect();
    assert_report(
        &by_config,
        0,
        &secret,
        &[
            "All 4 steps passed.",
            "GET /api/invoices?limit=2&status=approved",
        ],
    );
    assert_eq!(sent_by_config, sent_by_flags);
    let steps = |o: &Output| -> Vec<String> {
        stdout(o)
            .lines()
            .map(|l| l.split(" (").next().unwrap().to_string())
            .collect()
    };
    assert_eq!(steps(&by_config), steps(&by_flags));
}

/// Coupa's token buffer: a token refused while fresh is tried once more
/// when it is 5 s old, and then the call passes.
#[test]
fn a_fresh_token_refused_is_tried_again_once_it_is_five_seconds_old() {
    let coupa = Coupa::with(Behaviour {
        token_lag: Some(std::time::Duration::from_secs(2)),
        ..Behaviour::default()
    });
    let secret = coupa.behaviour().client_secret.clone();
    let started = std::time::Instant::now();
    let out = verify(
        &coupa,
        &coupa.domain(),
        &secret,
        &["--resource", "invoices"],
    );
    assert_report(&out, 0, &secret, &["All 3 steps passed."]);
    assert!(started.elapsed() >= std::time::Duration::from_secs(5));
    assert_eq!(
        coupa.api_calls(),
        ["GET /api/invoices", "GET /api/invoices"]
    );
    assert!(
        stdout(&out).contains("HTTP 401 on a token younger than Coupa's 5 s buffer: sent again"),
        "{}",
        stdout(&out)
    );
}

/// A token revoked mid-run: the call refused on it past the buffer gets one
/// new token, is sent again and passes, and the report says so.
#[test]
fn a_revoked_token_is_fetched_anew_once_and_verify_says_so() {
    let coupa = Coupa::with(Behaviour {
        revoke_after: Some(1),
        ..Behaviour::default()
    });
    let secret = coupa.behaviour().client_secret.clone();
    let out = verify(
        &coupa,
        &coupa.domain(),
        &secret,
        &["--resource", "invoices,users"],
    );
    assert_report(&out, 0, &secret, &["All 4 steps passed."]);
    assert_eq!(coupa.token_grants().len(), 2, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("(revoked?): a new token was fetched and the call sent again"),
        "{}",
        stdout(&out)
    );
    // Once: a token refused again ends in the failure, not a loop.
    let coupa = Coupa::with(Behaviour {
        api_status: Some(401),
        ..Behaviour::default()
    });
    let out = verify(
        &coupa,
        &coupa.domain(),
        &secret,
        &["--resource", "invoices"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    // The first token's buffer, one new token, and that token's buffer:
    // four sends at most, then the failure.
    assert_eq!(coupa.token_grants().len(), 2, "{}", stdout(&out));
    assert_eq!(coupa.api_calls().len(), 4, "{}", stdout(&out));
}
