//! User consent (authorization code) in every real client against the
//! loopback Coupa, the test playing the person's browser: newman with a code
//! and with a refresh token, the check script interactive and unattended,
//! and `verify` in its three modes with each diagnosis.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

use crate::support::browser::{self, Decision};
use crate::support::coupa::{Behaviour, Coupa, Recorded, CALLBACK};
use crate::support::newman;
use crate::support::tools::{CURL, NEWMAN, OPENSSL, SHELLCHECK};
use crate::support::{bin, run, stderr, stdout};

const CONSENT: &[&str] = &["--grant", "authorization-code"];

/// A user-consent bundle for `coupa`, its first redirect URI `redirect`.
pub(crate) fn kit(coupa: &Coupa, redirect: &str, extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let domain = coupa.domain();
    let mut args = vec!["bundle", "--domain", &domain, "--redirect-uri", redirect];
    args.extend_from_slice(CONSENT);
    args.extend_from_slice(extra);
    args.extend(["--out", dir.path().to_str().unwrap()]);
    let out = run(&args);
    assert!(out.status.success(), "bundle failed: {}", stderr(&out));
    dir
}

/// The authorization URL the curl file tells a person to open, with the
/// client's Identifier and a state of their own filled in.
fn authorization_url(kit: &Path, client_id: &str, state: &str) -> String {
    let curl = fs::read_to_string(kit.join("coupa-requests.curl")).unwrap();
    let line = curl
        .lines()
        .find_map(|l| l.strip_prefix("#    https://"))
        .expect("the curl file shows the authorization URL");
    format!("https://{line}")
        .replace("{{Identifier}}", client_id)
        .replace("{{state}}", state)
}

/// The value of `name` in a URL's query, decoded.
fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.replace("%2F", "/").replace("%3A", ":"))
    })
}

fn token_posts(log: &[Recorded]) -> Vec<&Recorded> {
    log.iter().filter(|r| r.path == "/oauth2/token").collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// What a program did while the test played the browser.
pub(crate) struct Interaction {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd`; when it prints the authorization URL (a line `  https://...`
/// on standard error), `browser` acts on it and returns what to type on its
/// standard input (nothing, for a loopback redirect the program catches).
pub(crate) fn interact(mut cmd: Command, browser: impl FnOnce(&str) -> String) -> Interaction {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut stdin = child.stdin.take();
    let mut stdout_pipe = child.stdout.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout_pipe, &mut s).unwrap();
        s
    });
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let mut browser = Some(browser);
    let mut line = String::new();
    while err.read_line(&mut line).unwrap_or(0) > 0 {
        seen.push_str(&line);
        if let Some(url) = line
            .trim()
            .strip_prefix("https://")
            .filter(|_| line.starts_with("  "))
        {
            if let Some(act) = browser.take() {
                let typed = act(&format!("https://{url}"));
                // Typed, then closed, so a reader sees its end.
                if let Some(mut pipe) = stdin.take() {
                    let _ = pipe.write_all(typed.as_bytes());
                }
            }
        }
        line.clear();
    }
    let status = child.wait().unwrap();
    Interaction {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: seen,
    }
}

/// The browser: consents as `person` and reports the redirect's address.
fn allow<'a>(coupa: &'a Coupa, person: &'a str) -> impl FnOnce(&str) -> String + 'a {
    move |url| {
        let location =
            browser::consent(coupa, url, person, Decision::Allow).expect("Coupa redirects");
        format!("{location}\n")
    }
}

// ---------------------------------------------------------------- newman

/// What an unattended client is given to run a user-consent kit.
pub enum Given<'a> {
    /// A refresh token, in COUPA_REFRESH_TOKEN: the refresh runs.
    RefreshToken(&'a str),
    /// A fresh authorization code: the exchange runs.
    Code(&'a str),
}

/// A client running a user-consent kit without a person, as Bruno and
/// httpyac do: given a refresh token, the exchange skips itself, the refresh
/// runs and the calls follow with the person's token; given a fresh code,
/// the exchange sends the exact form. `run` runs the client with what it is
/// given and asserts that the run passed.
pub fn assert_runs_on_a_refresh_token_or_a_fresh_code(coupa: &Coupa, run: impl Fn(Given<'_>)) {
    let b = coupa.behaviour();
    let refresh = browser::refresh_token(coupa, &browser::allowed_code(coupa, "s1"), CALLBACK);
    coupa.clear();
    run(Given::RefreshToken(&refresh));
    assert_eq!(
        coupa.token_grants(),
        ["refresh_token"],
        "the exchange skipped itself"
    );
    assert!(coupa
        .requests()
        .iter()
        .any(|r| r.path == "/api/approvals" && r.header("authorization").is_some()));

    let code = browser::allowed_code(coupa, "s2");
    coupa.clear();
    run(Given::Code(&code));
    let exchange = coupa
        .requests()
        .into_iter()
        .find(|r| r.path == "/oauth2/token")
        .expect("the exchange");
    assert_eq!(
        exchange.form(),
        pairs(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("client_id", b.client_id.as_str()),
            ("client_secret", b.client_secret.as_str()),
        ])
    );
}

/// newman with the environment filled as a person would (Identifier and
/// Secret), and `vars` given with `--env-var`.
fn newman(coupa: &Coupa, kit: &Path, secret: &str, vars: &[(&str, &str)]) -> (bool, String) {
    let args = newman::args(None, vars);
    let out = newman::run(coupa, kit, &coupa.behaviour().client_id, secret, &args);
    (out.status.success(), newman::report(&out))
}

#[test]
fn newman_exchanges_a_fresh_code_then_refreshes_and_calls_as_the_person() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = Coupa::with(Behaviour::consent(&[CALLBACK]));
    let kit = kit(&coupa, CALLBACK, &[]);
    let b = coupa.behaviour().clone();
    let url = authorization_url(kit.path(), &b.client_id, "st-1");
    let location = browser::consent(&coupa, &url, "alice", Decision::Allow).unwrap();
    assert_eq!(query_value(&location, "state").as_deref(), Some("st-1"));
    let code = query_value(&location, "code").unwrap();
    coupa.clear();

    let (ok, report) = newman(
        &coupa,
        kit.path(),
        &b.client_secret,
        &[("authorization_code", &code)],
    );
    assert!(ok, "newman failed:\n{report}");
    let log = coupa.requests();
    let tokens = token_posts(&log);
    assert_eq!(tokens.len(), 2, "the exchange, then the refresh: {log:#?}");
    assert_eq!(
        tokens[0].form(),
        pairs(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("client_id", &b.client_id),
            ("client_secret", &b.client_secret),
        ])
    );
    let refresh = coupa
        .refresh_tokens()
        .pop()
        .expect("offline_access brought a refresh token");
    assert_eq!(
        tokens[1].form(),
        pairs(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", &b.client_id),
            ("client_secret", &b.client_secret),
        ])
    );
    let call = log
        .iter()
        .find(|r| r.path == "/api/approvals")
        .expect("the API call");
    assert!(call
        .header("authorization")
        .unwrap()
        .starts_with("Bearer eyJ"));
    assert!(
        !report.contains(&refresh),
        "the refresh token is never printed"
    );

    // Again, unattended: the refresh token alone. The exchange skips itself.
    coupa.clear();
    let (ok, report) = newman(
        &coupa,
        kit.path(),
        &b.client_secret,
        &[("refresh_token", &refresh)],
    );
    assert!(ok, "newman failed:\n{report}");
    assert!(
        report.contains("Skipped \"Exchange the authorization code\""),
        "{report}"
    );
    let log = coupa.requests();
    let tokens = token_posts(&log);
    assert_eq!(tokens.len(), 1, "{log:#?}");
    assert_eq!(
        tokens[0].form(),
        pairs(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", &b.client_id),
            ("client_secret", &b.client_secret),
        ])
    );
    assert!(log.iter().any(|r| r.path == "/api/approvals"));
}

#[test]
fn newman_fails_on_a_wrong_secret_and_on_a_used_code() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = Coupa::with(Behaviour::consent(&[CALLBACK]));
    let kit = kit(&coupa, CALLBACK, &[]);
    let b = coupa.behaviour().clone();
    let url = authorization_url(kit.path(), &b.client_id, "s");
    let code = query_value(
        &browser::consent(&coupa, &url, "bob", Decision::Allow).unwrap(),
        "code",
    )
    .unwrap();
    let (ok, report) = newman(
        &coupa,
        kit.path(),
        "wrong",
        &[("authorization_code", &code)],
    );
    assert!(!ok, "{report}");
    assert!(
        report.contains("token request answers 200") && report.contains("invalid_client"),
        "{report}"
    );
    // The code was spent on nothing? No: Coupa refused the client first.
    let (ok, report) = newman(
        &coupa,
        kit.path(),
        &b.client_secret,
        &[("authorization_code", &code)],
    );
    assert!(ok, "{report}");
    let (ok, report) = newman(
        &coupa,
        kit.path(),
        &b.client_secret,
        &[("authorization_code", &code)],
    );
    assert!(
        !ok && report.contains("invalid_grant"),
        "a code works once:\n{report}"
    );
}

#[test]
fn the_consent_collection_is_valid_v2_1_and_holds_no_secret() {
    for extra in [&[][..], &["--pkce"][..]] {
        let mut args = vec![
            "postman",
            "--domain",
            "acme.coupahost.com",
            "--redirect-uri",
            CALLBACK,
        ];
        args.extend_from_slice(CONSENT);
        args.extend_from_slice(extra);
        let out = run(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        crate::support::assert_valid_collection(&text);
        let c: serde_json::Value = serde_json::from_str(&text).unwrap();
        let auth = &c["auth"];
        assert_eq!(auth["type"], "oauth2");
        let get = |key: &str| {
            auth["oauth2"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["key"] == key)
                .map(|s| s["value"].clone())
        };
        assert_eq!(get("headerPrefix"), Some("Bearer".into()));
        assert_eq!(get("client_authentication"), Some("body".into()));
        assert_eq!(
            get("authUrl"),
            Some("https://{{INSTANCE_DOMAIN}}/oauth2/authorizations/new".into())
        );
        assert_eq!(
            get("redirect_uri"),
            Some("https://oauth.pstmn.io/v1/callback".into())
        );
        match extra.is_empty() {
            true => {
                assert_eq!(get("grant_type"), Some("authorization_code".into()));
                assert_eq!(get("clientSecret"), Some("{{Secret}}".into()));
            }
            false => {
                assert_eq!(
                    get("grant_type"),
                    Some("authorization_code_with_pkce".into())
                );
                assert_eq!(get("challengeAlgorithm"), Some("S256".into()));
                assert_eq!(get("clientSecret"), None, "a PKCE client has no secret");
            }
        }
        assert!(c["info"]["description"]
            .as_str()
            .unwrap()
            .contains("https://oauth.pstmn.io/v1/callback"));
    }
    let out = run(&[
        "environment",
        "--domain",
        "acme.coupahost.com",
        "--grant",
        "authorization-code",
        "--redirect-uri",
        CALLBACK,
    ]);
    let env: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let vars: Vec<(&str, &str, &str)> = env["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["key"].as_str().unwrap(),
                v["type"].as_str().unwrap(),
                v["value"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        vars,
        [
            ("Identifier", "default", ""),
            ("Secret", "secret", ""),
            ("authorization_code", "secret", ""),
            ("refresh_token", "secret", ""),
        ]
    );
}

// ---------------------------------------------------------- check script

/// bash running the kit's check script, with the stand-in's client.
pub(crate) fn script(coupa: &Coupa, kit: &Path, vars: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new("bash");
    cmd.arg(kit.join("coupa-check.sh"));
    script_env(&mut cmd, coupa, vars);
    cmd
}

fn script_env(cmd: &mut Command, coupa: &Coupa, vars: &[(&str, &str)]) {
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("CURL_CA_BUNDLE", &coupa.ca_file)
        .env("COUPA_CLIENT_ID", &coupa.behaviour().client_id)
        .envs(vars.iter().copied());
    if !coupa.behaviour().pkce {
        cmd.env("COUPA_CLIENT_SECRET", &coupa.behaviour().client_secret);
    }
}

/// The first of `person`'s approvals, as the API answers their token.
fn first_approval(login: &str) -> String {
    let me = crate::support::records::person(login).id;
    let (_, approvals) = crate::support::records::all()
        .into_iter()
        .find(|(r, _)| *r == "approvals")
        .unwrap();
    let first = approvals.iter().find(|a| a["approver-id"] == me).unwrap();
    format!("\"id\":{}", first["id"])
}

#[test]
fn check_script_consents_interactively_then_runs_unattended_on_the_refresh_token() {
    let Some(_) = CURL.find() else { return };
    let coupa = Coupa::with(Behaviour::consent(&[CALLBACK]));
    let kit = kit(&coupa, CALLBACK, &[]);
    // File descriptor 3 catches the refresh token, as the script's header shows.
    let kept = kit.path().join("kept-refresh-token");
    let mut cmd = Command::new("bash");
    cmd.args(["-c", r#"bash "$1" 3>"$2""#, "sh"])
        .arg(kit.path().join("coupa-check.sh"))
        .arg(&kept);
    script_env(&mut cmd, &coupa, &[]);
    let run = interact(cmd, allow(&coupa, "alice"));
    assert!(run.status.success(), "{}", run.stderr);
    assert!(
        run.stdout.contains(&first_approval("alice")),
        "alice's approvals: {}",
        run.stdout
    );
    assert!(
        !run.stdout.contains(&first_approval("bob")),
        "only alice's: {}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("The refresh token went to file descriptor 3"),
        "{}",
        run.stderr
    );
    let refresh = fs::read_to_string(&kept).unwrap();
    assert!(
        coupa.refresh_tokens().contains(&refresh),
        "fd 3 got the refresh token"
    );
    let exchange = token_posts(&coupa.requests())[0].clone();
    assert_eq!(
        exchange.form()[0],
        ("grant_type".into(), "authorization_code".into())
    );
    for secret in [&refresh, &coupa.behaviour().client_secret] {
        assert!(!run.stdout.contains(secret.as_str()) && !run.stderr.contains(secret.as_str()));
    }

    coupa.clear();
    let out = script(&coupa, kit.path(), &[("COUPA_REFRESH_TOKEN", &refresh)])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no consent needed"),
        "{}",
        stderr(&out)
    );
    let log = coupa.requests();
    assert_eq!(
        token_posts(&log)[0].form()[1],
        ("refresh_token".into(), refresh.clone())
    );

    // An expired (or unknown) refresh token fails with Coupa's answer.
    let out = script(&coupa, kit.path(), &[("COUPA_REFRESH_TOKEN", "rt-expired")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("invalid_grant"), "{}", stderr(&out));
}

#[test]
fn check_script_refuses_a_redirect_whose_state_is_not_its_own() {
    let Some(_) = CURL.find() else { return };
    let coupa = Coupa::with(Behaviour::consent(&[CALLBACK]));
    let kit = kit(&coupa, CALLBACK, &[]);
    let run = interact(script(&coupa, kit.path(), &[]), |url| {
        let location = browser::consent(&coupa, url, "alice", Decision::Allow).unwrap();
        let state = query_value(&location, "state").unwrap();
        format!(
            "{}\n",
            location.replace(&format!("state={state}"), "state=forged")
        )
    });
    assert_eq!(run.status.code(), Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("state is not this run's"),
        "{}",
        run.stderr
    );
    assert!(
        token_posts(&coupa.requests()).is_empty(),
        "no code was exchanged"
    );

    let run = interact(script(&coupa, kit.path(), &[]), |url| {
        format!(
            "{}\n",
            browser::consent(&coupa, url, "alice", Decision::Deny).unwrap()
        )
    });
    assert_eq!(run.status.code(), Some(1));
    assert!(
        run.stderr
            .contains("consent was denied (error=access_denied)"),
        "{}",
        run.stderr
    );

    // A forged Deny, with another state: not this run's answer (issue 26).
    let run = interact(script(&coupa, kit.path(), &[]), |_| {
        format!("{CALLBACK}?error=access_denied&state=WRONG\n")
    });
    assert_eq!(run.status.code(), Some(1));
    assert!(
        run.stderr.contains("state is not this run's") && !run.stderr.contains("denied"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_script_with_pkce_sends_the_challenge_and_proves_the_verifier() {
    let (Some(_), Some(_)) = (CURL.find(), OPENSSL.find()) else {
        return;
    };
    let coupa = Coupa::with(Behaviour {
        pkce: true,
        ..Behaviour::consent(&[CALLBACK])
    });
    let kit = kit(&coupa, CALLBACK, &["--pkce"]);
    let mut challenge = String::new();
    let run = interact(script(&coupa, kit.path(), &[]), |url| {
        challenge = query_value(url, "code_challenge").expect("a challenge");
        assert_eq!(
            query_value(url, "code_challenge_method").as_deref(),
            Some("S256")
        );
        allow(&coupa, "bob")(url)
    });
    assert!(run.status.success(), "{}", run.stderr);
    let exchange = token_posts(&coupa.requests())[0].clone();
    let form = exchange.form();
    let verifier = &form
        .iter()
        .find(|(k, _)| k == "code_verifier")
        .expect("the verifier")
        .1;
    assert_eq!(coupagen::verify::challenge_of(verifier), challenge);
    assert!(
        form.iter().all(|(k, _)| k != "client_secret"),
        "a PKCE client sends no secret"
    );
}

#[test]
fn consent_scripts_are_shellcheck_clean() {
    let Some(_) = SHELLCHECK.find() else { return };
    for extra in [&[][..], &["--pkce", "--no-offline-access"][..]] {
        let mut args = vec![
            "script",
            "--domain",
            "acme.coupahost.com",
            "--redirect-uri",
            CALLBACK,
        ];
        args.extend_from_slice(CONSENT);
        args.extend_from_slice(extra);
        let out = run(&args);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("coupa-check.sh");
        fs::write(&path, stdout(&out)).unwrap();
        let sc = Command::new("shellcheck").arg(&path).output().unwrap();
        assert!(sc.status.success(), "{extra:?}:\n{}", stdout(&sc));
    }
}

// ----------------------------------------------------------------- verify

pub(crate) fn verify(
    coupa: &Coupa,
    redirect: &str,
    extra: &[&str],
    vars: &[(&str, &str)],
) -> Command {
    let mut cmd = Command::new(bin());
    cmd.args([
        "verify",
        "--domain",
        &coupa.domain(),
        "--timeout",
        "5",
        "--redirect-uri",
        redirect,
    ])
    .args(CONSENT)
    .args(extra)
    .env_clear()
    .env("COUPA_CLIENT_ID", &coupa.behaviour().client_id)
    .env("SSL_CERT_FILE", &coupa.ca_file)
    .envs(vars.iter().copied());
    if !coupa.behaviour().pkce {
        cmd.env("COUPA_CLIENT_SECRET", &coupa.behaviour().client_secret);
    }
    cmd
}

fn assert_no_secret(run: &Interaction, coupa: &Coupa) {
    let mut secrets = coupa.tokens();
    secrets.push(coupa.behaviour().client_secret.clone());
    for s in secrets {
        assert!(!run.stdout.contains(&s), "{s} leaked:\n{}", run.stdout);
    }
}

#[test]
fn verify_consents_through_standard_input_and_sees_only_the_persons_approvals() {
    let coupa = Coupa::with(Behaviour::consent(&[CALLBACK]));
    let run = interact(
        verify(&coupa, CALLBACK, &["--json"], &[]),
        allow(&coupa, "alice"),
    );
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let steps = report["steps"].as_array().unwrap();
    let kinds: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["connect", "consent", "token", "call"]);
    assert_eq!(steps[2]["refresh_token_issued"], true);
    assert_eq!(steps[3]["records"], 1, "limit 1 of alice's two approvals");
    assert_no_secret(&run, &coupa);
    let call = coupa
        .requests()
        .into_iter()
        .find(|r| r.path == "/api/approvals")
        .unwrap();
    assert!(call.header("authorization").is_some());
}

/// A loopback redirect URI on a free port, its port, and a consent Coupa
/// listing it.
pub(crate) fn loopback_consent() -> (String, u16, Coupa) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let coupa = Coupa::with(Behaviour::consent(&[&redirect]));
    (redirect, port, coupa)
}

#[test]
fn verify_catches_a_loopback_redirect_itself() {
    let (redirect, _, coupa) = loopback_consent();
    let mut landed_page = String::new();
    let run = interact(verify(&coupa, &redirect, &[], &[]), |url| {
        let location = browser::consent(&coupa, url, "bob", Decision::Allow).unwrap();
        assert!(location.starts_with(&redirect), "{location}");
        landed_page = browser::arrive(&location).unwrap();
        String::new()
    });
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    assert!(
        landed_page.contains("You can close this tab"),
        "{landed_page}"
    );
    assert!(
        run.stderr.contains(&format!(
            "Waiting up to 300 s for the browser to come back to {redirect}"
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("ok   consent in a browser"),
        "{}",
        run.stdout
    );
}

#[test]
fn verify_runs_unattended_on_a_refresh_token_and_says_when_it_expired() {
    let coupa = Coupa::with(Behaviour::consent(&[CALLBACK]));
    // One consent, to get a refresh token.
    let run = interact(verify(&coupa, CALLBACK, &[], &[]), allow(&coupa, "alice"));
    assert!(run.status.success(), "{}", run.stdout);
    let refresh = coupa.refresh_tokens().pop().unwrap();
    coupa.clear();
    let out = verify(&coupa, CALLBACK, &[], &[("COUPA_REFRESH_TOKEN", &refresh)])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(!stdout(&out).contains(&refresh));
    assert!(coupa
        .requests()
        .iter()
        .all(|r| !r.path.starts_with("/oauth2/authorizations")));

    let out = verify(
        &coupa,
        CALLBACK,
        &[],
        &[("COUPA_REFRESH_TOKEN", "rt-from-last-year")],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = stdout(&out);
    assert!(
        report.contains("did not accept the refresh token")
            && report.contains("refresh tokens last 90 days"),
        "{report}"
    );
    assert!(
        report.contains(
            "run verify without COUPA_REFRESH_TOKEN and with `--refresh-token-fd 3 3> FILE`"
        ),
        "{report}"
    );
}

/// With a bad COUPA_REFRESH_TOKEN the fix said "keep the new refresh token"
/// while verify only printed "refresh token issued (not shown)": it had no
/// way to hand one over. `--refresh-token-fd 3` does, off the screen.
#[test]
fn verify_said_keep_the_refresh_token_and_gave_no_way_to() {
    let coupa = Coupa::with(Behaviour::consent(&[CALLBACK]));
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("refresh-token");
    let inner = verify(&coupa, CALLBACK, &["--refresh-token-fd", "3"], &[]);
    let mut cmd = Command::new("/bin/sh");
    cmd.args(["-c", r#"exec "$@" 3>"$KEPT""#, "sh"])
        .arg(inner.get_program())
        .args(inner.get_args())
        .env_clear()
        .env("KEPT", &kept);
    for (k, v) in inner.get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    let run = interact(cmd, allow(&coupa, "alice"));
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    let issued = coupa.refresh_tokens().pop().unwrap();
    assert_eq!(fs::read_to_string(&kept).unwrap(), format!("{issued}\n"));
    assert!(!run.stdout.contains(&issued) && !run.stderr.contains(&issued));
    assert!(
        run.stderr
            .contains("the new refresh token went to file descriptor 3 (not shown)"),
        "{}",
        run.stderr
    );
    // The handed-over token runs verify without a person.
    let refresh = fs::read_to_string(&kept).unwrap();
    let out = verify(
        &coupa,
        CALLBACK,
        &[],
        &[("COUPA_REFRESH_TOKEN", refresh.trim())],
    )
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", stdout(&out));
    // A descriptor nobody opened, or the screen's, is refused before anything is sent.
    coupa.clear();
    for (fd, says) in [
        ("7", "file descriptor 7 is not open for writing"),
        ("1", "give 3 or above"),
    ] {
        let out = verify(&coupa, CALLBACK, &["--refresh-token-fd", fd], &[])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }
    assert!(coupa.requests().is_empty());
}

/// Each way consent fails, as the person would meet it, and what verify says.
#[test]
fn verify_diagnoses_each_way_consent_fails() {
    type Act<'a> = Box<dyn FnOnce(&str) -> String + 'a>;
    let registered = Coupa::with(Behaviour::consent(&[CALLBACK]));
    let unregistered = Coupa::with(Behaviour::consent(&["https://elsewhere.example/cb"]));
    let no_offline = Coupa::with(Behaviour {
        granted: vec!["core.approval.read".into()],
        narrow_scopes: true,
        ..Behaviour::consent(&[CALLBACK])
    });
    let lacking = Coupa::with(Behaviour {
        granted: vec!["offline_access".into()],
        ..Behaviour::consent(&[CALLBACK])
    });
    let cases: Vec<(&str, &Coupa, Act<'_>, &str)> = vec![
        (
            "the person clicks Deny",
            &registered,
            Box::new(|url: &str| {
                format!(
                    "{}\n",
                    browser::consent(&registered, url, "alice", Decision::Deny).unwrap()
                )
            }),
            "consent was denied (access_denied)",
        ),
        (
            "a redirect from another authorization",
            &registered,
            Box::new(|url: &str| {
                let loc = browser::consent(&registered, url, "alice", Decision::Allow).unwrap();
                let state = query_value(&loc, "state").unwrap();
                format!("{}\n", loc.replace(&state, "someone-elses"))
            }),
            "the redirect's state is not this run's",
        ),
        (
            "a code that was used or expired",
            &registered,
            Box::new(|_: &str| "code-long-gone\n".into()),
            "a code works once, within minutes, and only with the redirect URI it was issued for",
        ),
        (
            "a redirect URI Coupa does not know: the page stays on Coupa",
            &unregistered,
            Box::new(|url: &str| {
                let page =
                    browser::consent(&unregistered, url, "alice", Decision::Allow).unwrap_err();
                assert!(
                    page.contains("redirect uri included is not valid"),
                    "{page}"
                );
                format!("{url}\n")
            }),
            "add https://acme.moveworks.com/auth/oauthCallback to the client's Redirect URIs",
        ),
        (
            "scopes the client lacks",
            &lacking,
            Box::new(|url: &str| {
                format!(
                    "{}\n",
                    browser::consent(&lacking, url, "alice", Decision::Allow).unwrap()
                )
            }),
            "Coupa refused the requested scopes (invalid_scope)",
        ),
        (
            "no refresh token without offline_access",
            &no_offline,
            Box::new(allow(&no_offline, "alice")),
            "no refresh token, though offline_access was asked for",
        ),
        (
            "nothing pasted",
            &registered,
            Box::new(|_: &str| "\n".into()),
            "no redirect came back from the consent page",
        ),
    ];
    for (what, coupa, act, expected) in cases {
        let run = interact(verify(coupa, CALLBACK, &[], &[]), act);
        assert_eq!(
            run.status.code(),
            Some(1),
            "{what}:\n{}\n{}",
            run.stdout,
            run.stderr
        );
        assert!(
            run.stdout.contains(expected),
            "{what}: expected {expected:?} in\n{}",
            run.stdout
        );
        assert_no_secret(&run, coupa);
    }
}

#[test]
fn verify_waits_for_a_loopback_redirect_only_so_long() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let redirect = format!("http://localhost:{port}/cb");
    let coupa = Coupa::with(Behaviour::consent(&["https://registered.example/cb"]));
    let run = interact(
        verify(&coupa, &redirect, &["--consent-timeout", "1"], &[]),
        |url| {
            // Coupa shows its error page; the browser never comes back.
            assert!(browser::consent(&coupa, url, "alice", Decision::Allow).is_err());
            String::new()
        },
    );
    assert_eq!(run.status.code(), Some(1));
    assert!(
        run.stdout.contains(&format!(
            "no redirect reached http://127.0.0.1:{port}/cb within 1 s"
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("does not list this redirect URI"),
        "{}",
        run.stdout
    );
}

#[test]
fn verify_with_pkce_needs_no_secret() {
    let coupa = Coupa::with(Behaviour {
        pkce: true,
        ..Behaviour::consent(&[CALLBACK])
    });
    let run = interact(
        verify(&coupa, CALLBACK, &["--pkce"], &[]),
        allow(&coupa, "bob"),
    );
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    let exchange = token_posts(&coupa.requests())[0].clone();
    assert!(exchange.form().iter().any(|(k, _)| k == "code_verifier"));
}
