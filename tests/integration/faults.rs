//! Hostile servers and faults (issue 26): no artifact follows a redirect
//! with a secret, `verify` scrubs every echo of one, and the check script
//! keeps its token where only the user reads it and removes it on every exit.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::support::coupa::{Behaviour, Coupa};
use crate::support::tools::{BRU, CURL, HTTPYAC, NEWMAN};
use crate::support::{bin, stderr, stdout};

/// A Coupa whose token endpoint answers `307` to `sink`, another server:
/// whatever `sink` hears was carried on by a redirect.
fn redirecting() -> (Coupa, Coupa) {
    let sink = Coupa::start();
    let coupa = Coupa::with(Behaviour {
        token_redirect: Some(format!("{}/oauth2/token", sink.base())),
        ..Behaviour::default()
    });
    (coupa, sink)
}

/// The token request reached the first server, and the sink was not even
/// connected to (it has a CA of its own, so a client that followed would
/// fail its handshake: a request it recorded would prove too little).
fn assert_not_followed(coupa: &Coupa, sink: &Coupa, client: &str) {
    assert_eq!(
        sink.connections(),
        0,
        "{client} followed the redirect, sending {:?} on",
        sink.requests().iter().map(|r| &r.body).collect::<Vec<_>>()
    );
    let tokens = coupa
        .requests()
        .iter()
        .filter(|r| r.path == "/oauth2/token")
        .count();
    assert!(tokens >= 1, "{client} sent no token request at all");
}

#[test]
fn check_script_follows_no_redirect_with_the_secret() {
    let Some(_) = CURL.find() else { return };
    let (coupa, sink) = redirecting();
    let kit = crate::real_clients::bundle(&coupa, &[]);
    let b = coupa.behaviour().clone();
    let (out, _) = crate::real_clients::run_script(
        &coupa,
        kit.path(),
        Some(&b.client_id),
        Some(&b.client_secret),
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("HTTP 307, a redirect to") && err.contains(&sink.base()),
        "{err}"
    );
    assert!(!err.contains("passed"), "{err}");
    assert_not_followed(&coupa, &sink, "the check script");
}

#[test]
fn curl_files_token_and_consent_commands_follow_no_redirect() {
    let Some(_) = CURL.find() else { return };
    let (coupa, sink) = redirecting();
    let kit = crate::real_clients::bundle(&coupa, &[]);
    let text = fs::read_to_string(kit.path().join("coupa-requests.curl")).unwrap();
    let commands = crate::real_clients::curl_commands(&text);
    let b = coupa.behaviour().clone();
    let token_cmd = commands[0]
        .replace("{{Identifier}}", &b.client_id)
        .replace("{{Secret}}", &b.client_secret);
    let out = Command::new("bash")
        .args(["-c", &format!("{token_cmd} --silent --show-error")])
        .env("CURL_CA_BUNDLE", &coupa.ca_file)
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "moved", "{}", stderr(&out));
    assert_not_followed(&coupa, &sink, "the curl file's token command");
    assert!(
        commands[1].starts_with("curl --location "),
        "API calls still follow, as Postman's export does: {}",
        commands[1]
    );

    // User consent: the exchange and the refresh send a code, a secret or a
    // refresh token; neither follows.
    let consent = crate::real_clients::bundle(
        &coupa,
        &["--grant", "authorization-code", "--moveworks-org", "acme"],
    );
    let text = fs::read_to_string(consent.path().join("coupa-requests.curl")).unwrap();
    let sending: Vec<String> = crate::real_clients::curl_commands(&text)
        .into_iter()
        .filter(|c| c.contains("grant_type="))
        .collect();
    assert_eq!(sending.len(), 2, "the exchange and the refresh:\n{text}");
    for command in sending {
        assert!(!command.contains("--location"), "{command}");
    }
}

#[test]
fn newman_follows_no_redirect_with_the_secret() {
    let Some(_) = NEWMAN.find() else { return };
    let (coupa, sink) = redirecting();
    let kit = crate::real_clients::bundle(&coupa, &["--resource", "expense_reports,invoices"]);
    let b = coupa.behaviour().clone();
    let out = crate::real_clients::newman(&coupa, kit.path(), &b.client_id, &b.client_secret, &[]);
    assert!(!out.status.success(), "{}", stdout(&out));
    let report = crate::support::newman::report(&out);
    assert!(report.contains("307"), "{report}");
    assert!(
        report.contains("redirected to") && report.contains(&sink.base()),
        "the API requests' pre-request says why it fetched no token:\n{report}"
    );
    assert_not_followed(&coupa, &sink, "newman");
}

#[test]
fn bru_follows_no_redirect_with_the_secret() {
    let Some(_) = BRU.find() else { return };
    let (coupa, sink) = redirecting();
    let dir = crate::bruno::collection(&coupa, &[]);
    let (out, _) = crate::bruno::bru_run(
        &coupa,
        &dir.path().join("bruno"),
        &coupa.behaviour().client_secret,
    );
    assert!(!out.status.success(), "{}", stdout(&out));
    assert_not_followed(&coupa, &sink, "bru");
}

#[test]
fn httpyac_follows_no_redirect_with_the_secret() {
    let Some(_) = HTTPYAC.find() else { return };
    let (coupa, sink) = redirecting();
    let dir = crate::http::http_files(&coupa, &[]);
    let b = coupa.behaviour().clone();
    let report = crate::http::send(
        &coupa,
        dir.path(),
        &[
            ("COUPA_CLIENT_ID", &b.client_id),
            ("COUPA_CLIENT_SECRET", &b.client_secret),
        ],
        &[],
    );
    assert!(
        report.summary("failedTests") > 0,
        "the 307 fails the status test"
    );
    assert_not_followed(&coupa, &sink, "httpyac");
}

#[test]
fn verify_follows_no_redirect_with_the_secret() {
    let (coupa, sink) = redirecting();
    let b = coupa.behaviour().clone();
    let out = crate::verify::verify_with(&coupa, &b.client_secret, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_not_followed(&coupa, &sink, "verify");
}

/// `coupagen verify` for `coupa` with `secret`, its report as text or JSON.
fn verify(coupa: &Coupa, secret: &str, json: bool) -> std::process::Output {
    verify_with(coupa, secret, json, &[])
}

fn verify_with(coupa: &Coupa, secret: &str, json: bool, extra: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(bin());
    cmd.args(["verify", "--domain", &coupa.domain(), "--timeout", "5"])
        .args(extra)
        .env_clear()
        .env("COUPA_CLIENT_ID", &coupa.behaviour().client_id)
        .env("COUPA_CLIENT_SECRET", secret)
        .env("SSL_CERT_FILE", &coupa.ca_file);
    if json {
        cmd.arg("--json");
    }
    cmd.output().unwrap()
}

/// A server that echoes the form as sent (percent-encoded) and decoded:
/// no form of the secret reaches any report, text, JSON or JUnit, and each
/// says how many echoes it held back.
#[test]
fn verify_scrubs_every_echo_of_the_secret_in_text_and_json() {
    let coupa = Coupa::with(Behaviour {
        echo_form: true,
        ..Behaviour::default()
    });
    let secret = crate::real_clients::HOSTILE_SECRET;
    let encoded: String = secret
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    for json in [false, true] {
        let junit = dir.path().join(format!("report-{json}.xml"));
        let out = verify_with(&coupa, secret, json, &["--junit", junit.to_str().unwrap()]);
        let xml = fs::read_to_string(&junit).unwrap();
        let report = format!("{}{}{xml}", stdout(&out), stderr(&out));
        assert_eq!(out.status.code(), Some(1), "{report}");
        assert!(
            report.contains("[redacted]"),
            "the echo is in the report:\n{report}"
        );
        // Counted, where a reader sees it, in each of the three.
        assert!(xml.contains("<!-- redacted: "), "{xml}");
        let counted = match json {
            true => "\"redacted\": ",
            false => "redacted: ",
        };
        assert!(stdout(&out).contains(counted), "{}", stdout(&out));
        // XML escapes what it holds: no escaped form of the secret either.
        let xml_escaped = secret
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&apos;");
        assert!(!xml.contains(&xml_escaped), "{xml}");
        let escaped = serde_json::to_string(secret).unwrap();
        for form in [secret, &encoded, &escaped[1..escaped.len() - 1], "f\\\"g"] {
            assert!(
                !report.contains(form),
                "{form} leaked (json: {json}):\n{report}"
            );
        }
    }
}

/// The check script's folder: only the user reads it, it is named so a
/// person can find it, and it is gone however the script ends.
#[test]
fn check_script_removes_its_token_folder_on_every_exit() {
    let Some(_) = CURL.find() else { return };
    // Slow enough to be stopped while it waits for the token.
    let coupa = Coupa::with(Behaviour {
        token_delay: Some(std::time::Duration::from_millis(700)),
        ..Behaviour::default()
    });
    let kit = crate::real_clients::bundle(&coupa, &[]);
    let b = coupa.behaviour().clone();
    let script = kit.path().join("coupa-check.sh");
    let text = fs::read_to_string(&script).unwrap();
    assert!(text.contains("coupa-check.XXXXXX") && text.contains("umask 077"));

    // A run that passes, one that fails, and one stopped by each signal
    // while it waits on Coupa.
    let run = |signal: Option<&str>, secret: &str| {
        let tmp = tempfile::tempdir().unwrap();
        let mut child = Command::new("bash")
            .arg(&script)
            .env("TMPDIR", tmp.path())
            .env("CURL_CA_BUNDLE", &coupa.ca_file)
            .env("COUPA_CLIENT_ID", &b.client_id)
            .env("COUPA_CLIENT_SECRET", secret)
            .env("COUPA_INSTANCE_DOMAIN", coupa.domain())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        if let Some(signal) = signal {
            // Wait until its folder exists and its token request reached
            // Coupa, then check the folder and stop the script.
            let folder = wait_for_folder(tmp.path());
            while coupa.requests().is_empty() {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            let mode = fs::metadata(&folder).unwrap();
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(mode.permissions().mode() & 0o777, 0o700);
            Command::new("kill")
                .args([&format!("-{signal}"), &child.id().to_string()])
                .status()
                .unwrap();
        }
        let status = child.wait().unwrap();
        coupa.clear();
        let left: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert!(left.is_empty(), "{signal:?}: {status}: left {left:?}");
        status
    };
    assert!(run(None, &b.client_secret).success());
    assert_eq!(run(None, "wrong").code(), Some(1));
    for signal in ["INT", "TERM", "HUP"] {
        let status = run(Some(signal), &b.client_secret);
        assert!(!status.success(), "{signal} stopped it mid-run: {status}");
    }
}

fn wait_for_folder(dir: &Path) -> std::path::PathBuf {
    for _ in 0..500 {
        if let Some(Ok(entry)) = fs::read_dir(dir).unwrap().next() {
            assert!(
                entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with("coupa-check."),
                "{:?}",
                entry.file_name()
            );
            return entry.path();
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the script made no folder in {}", dir.display());
}

// ------------------------------------------------ the consent listener

/// Forged redirects (an error and a code, each with another state) reach
/// the listener first: each is answered, counted and ignored, and the real
/// one that follows is taken.
#[test]
fn verify_ignores_and_counts_redirects_with_another_state() {
    use crate::support::browser::{self, Decision};
    let (redirect, _, coupa) = crate::consent::loopback_consent();
    let run =
        crate::consent::interact(crate::consent::verify(&coupa, &redirect, &[], &[]), |url| {
            for forged in [
                "error=access_denied&state=WRONG",
                "code=stolen&state=WRONG",
                "error=access_denied",
            ] {
                let page = browser::arrive(&format!("{redirect}?{forged}")).unwrap();
                assert!(page.contains("is ignored"), "{page}");
            }
            let location = browser::consent(&coupa, url, "bob", Decision::Allow).unwrap();
            browser::arrive(&location).unwrap();
            String::new()
        });
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("ignored 3 redirect(s) whose state was not this run's"),
        "{}",
        run.stdout
    );
}

/// 130 idle connections opened first, one trickling a byte a second, and
/// one sending a megabyte with no newline: the real redirect is still
/// served at once.
#[test]
fn verify_serves_the_redirect_while_other_connections_idle() {
    use crate::support::browser::{self, Decision};
    use std::io::Write;
    use std::net::TcpStream;
    let (redirect, port, coupa) = crate::consent::loopback_consent();
    let run = crate::consent::interact(
        crate::consent::verify(&coupa, &redirect, &["--consent-timeout", "20"], &[]),
        |url| {
            let idle: Vec<TcpStream> = (0..130)
                .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
                .collect();
            let mut trickle = TcpStream::connect(("127.0.0.1", port)).unwrap();
            trickle.write_all(b"G").unwrap();
            // A head past the bound is cut: the listener stops reading and
            // closes, so writing a megabyte more fails.
            let mut flood = TcpStream::connect(("127.0.0.1", port)).unwrap();
            let chunk = vec![b'a'; 64 * 1024];
            let cut = (0..128).any(|_| flood.write_all(&chunk).is_err());
            assert!(cut, "the listener read 8 MB of one request line");
            let start = std::time::Instant::now();
            let location = browser::consent(&coupa, url, "bob", Decision::Allow).unwrap();
            let page = browser::arrive(&location).unwrap();
            assert!(page.contains("You can close this tab"), "{page}");
            assert!(start.elapsed().as_secs() < 3, "{:?}", start.elapsed());
            drop(idle);
            String::new()
        },
    );
    assert!(run.status.success(), "{}\n{}", run.stdout, run.stderr);
}

/// A client sending one byte every 300 ms to the listener does not keep
/// verify past `--consent-timeout`.
#[test]
fn verify_ends_consent_at_its_deadline_whatever_is_open() {
    use std::io::Write;
    use std::net::TcpStream;
    let (redirect, port, coupa) = crate::consent::loopback_consent();
    let start = std::time::Instant::now();
    let run = crate::consent::interact(
        crate::consent::verify(&coupa, &redirect, &["--consent-timeout", "2"], &[]),
        |_| {
            let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
            std::thread::spawn(move || {
                for b in b"GET /callback?code=x&state=y HTTP/1.1\r\n"
                    .iter()
                    .cycle()
                    .take(100)
                {
                    if slow.write_all(&[*b]).is_err() {
                        return;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(300));
                }
            });
            String::new()
        },
    );
    assert_eq!(run.status.code(), Some(1), "{}", run.stdout);
    assert!(run.stdout.contains("within 2 s"), "{}", run.stdout);
    let took = start.elapsed().as_secs_f64();
    assert!(took < 6.0, "verify waited {took} s");
}

// ------------------------------------------------ hostile text

/// CR, LF and ESC in an `error_description` forge no report line and reach
/// no terminal raw; `--json` keeps the value exact.
#[test]
fn verify_shows_control_characters_in_what_a_server_says() {
    let forged = "bad\r\nok   POST /oauth2/token\r\nAll 3 steps passed.\x1b[2J\x1b]0;owned\x07";
    let coupa = Coupa::with(Behaviour {
        token_error: Some(forged.into()),
        ..Behaviour::default()
    });
    let secret = coupa.behaviour().client_secret.clone();
    let text = stdout(&verify(&coupa, &secret, false));
    assert!(
        text.contains(r"bad\r\nok   POST /oauth2/token\r\nAll 3 steps passed.\e[2J\e]0;owned\u{7}"),
        "{text}"
    );
    assert!(!text.contains(['\r', '\x1b', '\x07']), "{text:?}");
    assert!(
        !text
            .lines()
            .any(|l| l.starts_with("ok   POST") || l == "All 3 steps passed."),
        "{text}"
    );
    assert!(text.ends_with("1 of 2 steps failed.\n"), "{text}");

    let out = verify(&coupa, &secret, true);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let cause = report["steps"][1]["problem"]["cause"].as_str().unwrap();
    assert!(cause.contains(forged), "{cause:?}");
}

/// A captured id of `../../../evil/path` goes into the next path as one
/// encoded segment: it names no other record.
#[test]
fn verify_puts_a_captured_value_into_a_path_as_one_segment() {
    let coupa = Coupa::start();
    let hostile = "../../../evil/path?x=1#y";
    for approval in [5001, 5002] {
        coupa.put("approvals", approval, "approvable-id", hostile.into());
    }
    let out = crate::usecases::verify(
        &coupa,
        "pending-expense-approvals",
        &["--input", "user_email=alice@example.com"],
    );
    let calls = coupa.api_calls();
    assert_eq!(
        calls.last().map(String::as_str),
        Some("GET /api/expense_reports/..%2F..%2F..%2Fevil%2Fpath%3Fx%3D1%23y"),
        "{calls:?}\n{}",
        stdout(&out)
    );
}

/// An API call answered by a redirect: the report says its status and
/// where it pointed, rather than pointing at an answer it never showed.
#[test]
fn verify_says_where_a_redirected_call_pointed() {
    let coupa = Coupa::with(Behaviour {
        api_status: Some(301),
        ..Behaviour::default()
    });
    let out = verify(&coupa, &coupa.behaviour().client_secret.clone(), false);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("answered 301, a redirect to https://login.example/sso"),
        "{text}"
    );
    assert!(!text.contains("answer above"), "{text}");
}

// ------------------------------------------------ bounded inputs

/// Runs coupagen with `args`, `env` and `input` on standard input; its
/// status and standard error, or a failure when it takes over 10 s.
fn bounded_run(args: &[&str], env: &[(&str, &str)], input: &[u8]) -> (Option<i32>, String) {
    use std::io::Write;
    let mut child = Command::new(bin())
        .args(args)
        .env_remove("COUPA_CLIENT_SECRET")
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // Written from a thread: a program that stops reading must not block the test.
    std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let start = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed().as_secs() > 10 {
            let _ = child.kill();
            panic!("coupagen {args:?} still runs after 10 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (out.status.code(), stderr(&out))
}

/// (what, arguments, environment, standard input, what the error says)
type Bounded<'a> = (
    &'a str,
    Vec<&'a str>,
    Vec<(&'a str, &'a str)>,
    Vec<u8>,
    &'a str,
);

/// `/dev/zero`, a FIFO, an oversized file and an endless standard input:
/// each a clear error naming the input, exit 2, and nothing written.
#[test]
fn every_input_read_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("config.fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let big = dir.path().join("big.json");
    fs::write(&big, format!("{{\"domain\": \"{}\"}}", " ".repeat(9 << 20))).unwrap();
    let out = dir.path().join("kit");
    let out = out.to_str().unwrap();
    let (fifo, big) = (fifo.to_str().unwrap(), big.to_str().unwrap());
    let coupa = Coupa::start();
    let domain = coupa.domain();
    let ca = coupa.ca_file.to_str().unwrap();
    let secret_env = [("COUPA_CLIENT_ID", "x")];
    let cases: Vec<Bounded> = vec![
        (
            "config /dev/zero",
            vec!["bundle", "--config", "/dev/zero", "--out", out],
            vec![],
            vec![],
            "--config '/dev/zero': is not a regular file",
        ),
        (
            "config fifo",
            vec!["bundle", "--config", fifo, "--out", out],
            vec![],
            vec![],
            "is not a regular file",
        ),
        (
            "config over 1 MiB",
            vec!["bundle", "--config", big, "--out", out],
            vec![],
            vec![],
            "is over 1 MiB",
        ),
        (
            "use cases /dev/zero",
            vec!["use-cases", "--use-case-file", "/dev/zero"],
            vec![],
            vec![],
            "--use-case-file '/dev/zero': is not a regular file",
        ),
        (
            "use cases over 8 MiB",
            vec!["use-cases", "--use-case-file", big],
            vec![],
            vec![],
            "is over 8 MiB",
        ),
        (
            "SSL_CERT_FILE /dev/zero",
            vec!["verify", "--domain", &domain],
            vec![
                ("SSL_CERT_FILE", "/dev/zero"),
                ("COUPA_CLIENT_ID", "x"),
                ("COUPA_CLIENT_SECRET", "y"),
            ],
            vec![],
            "SSL_CERT_FILE '/dev/zero': is not a regular file",
        ),
        (
            "secret on stdin, endless",
            vec!["verify", "--domain", &domain, "--client-secret-stdin"],
            vec![("SSL_CERT_FILE", ca), secret_env[0]],
            vec![b'y'; 1 << 20],
            "standard input is over 64 KiB",
        ),
    ];
    for (what, args, env, input, expected) in cases {
        let (code, err) = bounded_run(&args, &env, &input);
        assert_eq!(code, Some(2), "{what}: {err}");
        assert!(err.contains(expected), "{what}: {err}");
        assert!(!Path::new(out).exists(), "{what} wrote the kit");
    }
    assert!(coupa.requests().is_empty(), "nothing was sent");
}

/// A file of many use cases: a thousand are read at once, one more is a
/// clear error (the duplicate-id check was quadratic: 70,000 took 37 s).
#[test]
fn a_use_case_file_is_bounded_and_read_in_linear_time() {
    let built_in: serde_json::Value =
        serde_json::from_str(include_str!("../../data/use-cases.json")).unwrap();
    let one = &built_in["use_cases"][0];
    let file = |n: usize| {
        let many: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                let mut uc = one.clone();
                uc["id"] = format!("case-{i}").into();
                uc
            })
            .collect();
        let f = tempfile::NamedTempFile::new().unwrap();
        fs::write(
            f.path(),
            serde_json::json!({ "use_cases": many }).to_string(),
        )
        .unwrap();
        f
    };
    let list = |n: usize| {
        let f = file(n);
        let path = f.path().to_str().unwrap().to_string();
        bounded_run(&["use-cases", "--use-case-file", &path], &[], &[])
    };
    let start = std::time::Instant::now();
    let (code, err) = list(1000);
    assert_eq!(code, Some(0), "{err}");
    assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
    let (code, err) = list(1001);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("1001 use cases, more than the 1000"), "{err}");
}

// ------------------------------------------------ deadlines and answers' bounds

/// verify against `coupa` with `--timeout 2`: its report and how long it took.
fn timed_verify(coupa: &Coupa) -> (Option<i32>, String, f64) {
    let start = std::time::Instant::now();
    let mut cmd = Command::new(bin());
    cmd.args(["verify", "--domain", &coupa.domain(), "--timeout", "2"])
        .env_clear()
        .env("COUPA_CLIENT_ID", &coupa.behaviour().client_id)
        .env("COUPA_CLIENT_SECRET", &coupa.behaviour().client_secret)
        .env("SSL_CERT_FILE", &coupa.ca_file);
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        stdout(&out),
        start.elapsed().as_secs_f64(),
    )
}

/// A TLS server that sends a record header and then a byte a second:
/// `--timeout` bounds the whole handshake, not each read.
#[test]
fn verify_bounds_a_trickling_tls_handshake_by_its_timeout() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            std::thread::spawn(move || {
                let mut hello = [0u8; 512];
                let _ = s.read(&mut hello);
                let _ = s.write_all(&[0x16, 0x03, 0x03, 0x40, 0x00]);
                for _ in 0..60 {
                    std::thread::sleep(std::time::Duration::from_millis(500));
                    if s.write_all(&[0x02]).is_err() {
                        return;
                    }
                }
            });
        }
    });
    let start = std::time::Instant::now();
    let out = Command::new(bin())
        .args([
            "verify",
            "--domain",
            &format!("localhost:{port}"),
            "--timeout",
            "2",
        ])
        .env_clear()
        .env("COUPA_CLIENT_ID", "x")
        .env("COUPA_CLIENT_SECRET", "y")
        .output()
        .unwrap();
    let took = start.elapsed().as_secs_f64();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("did not finish within the timeout (2 s)"),
        "{text}"
    );
    // localhost may resolve to two addresses; each gets one connection.
    assert!(took < 6.0, "verify took {took} s:\n{text}");
}

/// Each answer out of bounds gets its own true diagnosis.
#[test]
fn verify_says_what_is_wrong_with_an_answer_out_of_bounds() {
    let cases: Vec<(&str, Behaviour, &str)> = vec![
        (
            "a body that trickles",
            Behaviour {
                trickle: true,
                ..Behaviour::default()
            },
            "did not arrive whole within --timeout",
        ),
        (
            "an answer over 32 MiB",
            Behaviour {
                token_body: Some(format!(
                    "{{\"access_token\": \"{}\"}}",
                    "x".repeat(33 << 20)
                )),
                ..Behaviour::default()
            },
            "is over 32 MiB, more than verify reads",
        ),
        (
            "a 1 MiB token",
            Behaviour {
                token_body: Some(format!("{{\"access_token\": \"{}\"}}", "x".repeat(1 << 20))),
                ..Behaviour::default()
            },
            "access_token is 1024 KiB, over the 16 KiB",
        ),
        (
            "an expiry of 1e400",
            Behaviour {
                token_body: Some(r#"{"access_token": "abc", "expires_in": 1e400}"#.into()),
                ..Behaviour::default()
            },
            "expires_in is not a number verify can read",
        ),
    ];
    for (what, behaviour, expected) in cases {
        let coupa = Coupa::with(behaviour);
        let (code, text, took) = timed_verify(&coupa);
        assert_eq!(code, Some(1), "{what}: {text}");
        assert!(text.contains(expected), "{what}:\n{text}");
        assert!(took < 8.0, "{what}: verify took {took} s");
    }
}

// ------------------------------------------------ the kit on disk

/// The kit's files honour the umask, as any Unix tool's do.
#[test]
fn bundle_honours_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    for (umask, file, script) in [("077", 0o600, 0o700), ("002", 0o664, 0o775)] {
        let dir = tempfile::tempdir().unwrap();
        let kit = dir.path().join("kit");
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "umask {umask}; exec \"$0\" bundle --domain acme.coupahost.com --out \"$1\""
            ))
            .arg(bin())
            .arg(&kit)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let mode = |p: &str| fs::metadata(kit.join(p)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode("README.md"), file, "umask {umask}");
        assert_eq!(mode("coupa-check.sh"), script, "umask {umask}");
    }
}

/// The check script's hint for a missing input quotes the use case's
/// example as a shell word: pasted, it sets exactly that and runs nothing.
#[test]
fn check_script_hint_quotes_the_example_as_a_shell_word() {
    let example = "a'b; touch pwned; '$(touch pwned2)`x` \"q\"";
    let mut file: serde_json::Value =
        serde_json::from_str(include_str!("../../data/use-cases.json")).unwrap();
    // supplier-status: one input, a supplier's name said in words.
    let uc = &mut file["use_cases"][7];
    uc["id"] = "hostile-example".into();
    uc["inputs"][0]["example"] = example.into();
    file["use_cases"] = serde_json::json!([uc.clone()]);
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases.json");
    fs::write(&cases, file.to_string()).unwrap();
    let kit = dir.path().join("kit");
    let made = Command::new(bin())
        .args([
            "bundle",
            "--domain",
            "acme.coupahost.com",
            "--use-case-file",
        ])
        .arg(&cases)
        .args(["--use-case", "hostile-example", "--out"])
        .arg(&kit)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", stderr(&made));
    let out = Command::new("bash")
        .arg(kit.join("coupa-check.sh"))
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap())
        .env("COUPA_CLIENT_ID", "x")
        .env("COUPA_CLIENT_SECRET", "y")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let hint = err
        .lines()
        .find_map(|l| l.split_once("e.g. ").map(|(_, h)| h.to_string()))
        .unwrap_or_else(|| panic!("no hint in {err}"));
    let read = Command::new("bash")
        .arg("-c")
        .arg(format!("{hint}; printf %s \"$COUPA_SUPPLIER_NAME\""))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(stdout(&read), example, "{hint}");
    assert!(!dir.path().join("pwned").exists() && !dir.path().join("pwned2").exists());
}

/// Every file under `dir` by its path relative to `dir`, with its bytes.
fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().display().to_string();
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// `coupagen bundle --domain DOMAIN --out DIR` and `extra`, as a command.
fn bundle_cmd(domain: &str, dir: &Path, extra: &[&str]) -> Command {
    let mut cmd = Command::new(bin());
    cmd.args(["bundle", "--domain", domain, "--out"])
        .arg(dir)
        .args(extra);
    cmd
}

/// A symbolic link inside the kit folder, or at `-o`, dangling or not: the
/// run refuses and names it, and writes nothing through it.
#[test]
fn a_kit_never_writes_through_or_over_a_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let kit = dir.path().join("kit");
    fs::create_dir(&kit).unwrap();
    std::os::unix::fs::symlink(&elsewhere, kit.join("bruno")).unwrap();
    let out = bundle_cmd("acme.coupahost.com", &kit, &["--force"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("{}/bruno", kit.display())) && err.contains("symbolic link"),
        "{err}"
    );
    assert!(
        fs::read_dir(&elsewhere).unwrap().next().is_none(),
        "wrote through the link"
    );
    assert_eq!(tree(&kit).len(), 0, "wrote into the kit folder");

    let dangling = dir.path().join("dangling.json");
    std::os::unix::fs::symlink(dir.path().join("nowhere.json"), &dangling).unwrap();
    for force in [&[][..], &["--force"][..]] {
        let out = Command::new(bin())
            .args(["postman", "--domain", "acme.coupahost.com", "-o"])
            .arg(&dangling)
            .args(force)
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("is a symbolic link"), "{err}");
        assert!(!dir.path().join("nowhere.json").exists());
        assert!(fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink());
    }
}

/// The number in the environment variable `var`, else `default`.
fn count(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// Two runs into one fresh folder, no --force, each with its own domain:
/// one writes its whole kit, the other fails saying why, and the folder
/// holds one kit, never a mix. `RACES` sets how many (20 here, more in
/// scripts/faults.sh).
#[test]
fn two_bundles_into_one_folder_never_mix() {
    let races = count("RACES", 20);
    let refs = tempfile::tempdir().unwrap();
    let reference = |domain: &str| {
        let d = refs.path().join(domain);
        assert!(bundle_cmd(domain, &d, &[]).status().unwrap().success());
        tree(&d)
    };
    let (a, b) = (reference("a.coupahost.com"), reference("b.coupahost.com"));
    let (mut locked, mut exists) = (0, 0);
    for _ in 0..races {
        let dir = tempfile::tempdir().unwrap();
        let kit = dir.path().join("kit");
        let mut first = bundle_cmd("a.coupahost.com", &kit, &[]);
        let mut second = bundle_cmd("b.coupahost.com", &kit, &[]);
        let (one, two) = (
            first.stderr(std::process::Stdio::piped()).spawn().unwrap(),
            second.stderr(std::process::Stdio::piped()).spawn().unwrap(),
        );
        let (one, two) = (
            one.wait_with_output().unwrap(),
            two.wait_with_output().unwrap(),
        );
        let ok = [one.status.success(), two.status.success()];
        assert_eq!(
            ok.iter().filter(|o| **o).count(),
            1,
            "{} | {}",
            stderr(&one),
            stderr(&two)
        );
        let failed = if ok[0] { &two } else { &one };
        let err = stderr(failed);
        assert_eq!(failed.status.code(), Some(2), "{err}");
        match (
            err.contains("another coupagen run"),
            err.contains("add --force"),
        ) {
            (true, _) => locked += 1,
            (_, true) => exists += 1,
            _ => panic!("the loser says why: {err}"),
        }
        let got = tree(&kit);
        assert!(
            got == if ok[0] { a.clone() } else { b.clone() },
            "the folder holds a mix"
        );
    }
    eprintln!("{races} races: {locked} refused by the lock, {exists} by the kit already there");
}

/// A run killed with SIGKILL at random moments leaves no torn file; the
/// next run completes a kit left mid-rename (so the folder holds the whole
/// old kit or the whole new one) and removes what was staged, saying so.
/// The guide's kit and every resource with every use case, each over an
/// old kit and into a fresh folder. `KILLS` sets how many kills each (30
/// for the guide and 8 for the big kit here; hundreds in scripts/faults.sh).
#[test]
fn a_killed_bundle_leaves_no_torn_file_and_the_next_run_cleans_up() {
    let kills = count("KILLS", 30);
    let listed = Command::new(bin())
        .args(["scopes", "--resources"])
        .output()
        .unwrap();
    let every: Vec<String> = stdout(&listed)
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect();
    let every = every.join(",");
    let use_cases: Vec<String> = coupagen::usecase::built_in()
        .into_iter()
        .map(|u| u.id)
        .collect();
    let use_cases = use_cases.join(",");
    let big = ["--resource", &every, "--use-case", &use_cases];
    for (what, args, n) in [
        ("guide", &[][..], kills),
        ("everything", &big[..], kills.div_ceil(4)),
    ] {
        for fresh in [false, true] {
            kill_runs(what, args, fresh, n);
        }
    }
}

/// `kills` runs of `bundle ARGS --force` killed at random moments, over an
/// old kit or into a fresh folder, each followed by a run that must find
/// the whole old kit or the whole new one.
fn kill_runs(what: &str, args: &[&str], fresh: bool, kills: usize) {
    let dir = tempfile::tempdir().unwrap();
    let kit = dir.path().join("kit");
    let made = |domain: &str, to: &Path| {
        let out = bundle_cmd(domain, to, args)
            .arg("--force")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        tree(to)
    };
    let old = made("old.coupahost.com", &dir.path().join("old"));
    // Kill moments spread over a whole run, as long as this build takes.
    let start = std::time::Instant::now();
    let new = made("new.coupahost.com", &dir.path().join("new"));
    let span = start.elapsed().as_micros() as u64 + 1;
    let (mut killed, mut cleaned, mut mixed, mut completed) = (0, 0, 0, 0);
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..kills {
        match fresh {
            true => drop(fs::remove_dir_all(&kit)),
            false => drop(made("old.coupahost.com", &kit)),
        }
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = bundle_cmd("new.coupahost.com", &kit, args)
            .arg("--force")
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_micros(seed % span));
        let _ = child.kill();
        killed += usize::from(!child.wait().unwrap().success());
        let mut left = if kit.exists() {
            tree(&kit)
        } else {
            Default::default()
        };
        left.retain(|path, _| !path.contains(".coupagen-"));
        for (path, bytes) in &left {
            let whole = old.get(path) == Some(bytes) || new.get(path) == Some(bytes);
            assert!(whole, "{what}: {path} is torn");
        }
        // A kill among the renames leaves a mix until the next run
        // completes them (counted).
        mixed += usize::from(!left.is_empty() && left != old && left != new);
        // The next run, one that may not replace a kit: it completes or
        // cleans up, then writes the new kit only into a folder without one.
        let look = bundle_cmd("new.coupahost.com", &kit, args)
            .output()
            .unwrap();
        let said = stderr(&look);
        completed += usize::from(said.contains("its whole kit"));
        cleaned += usize::from(said.contains("an interrupted coupagen run left"));
        let whole = tree(&kit);
        assert!(
            whole == old || whole == new,
            "{what}: a mix of old and new files:\n{said}"
        );
    }
    let from = if fresh {
        "a fresh folder"
    } else {
        "an old kit"
    };
    eprintln!(
        "{what} kit over {from}: {kills} runs, {killed} killed mid-run; the next run removed leftovers after {cleaned} and completed {completed} of the {mixed} left mid-rename"
    );
}
