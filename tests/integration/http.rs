//! The HTTP file in httpyac, `httpyac send coupa.http --all`, against the
//! loopback Coupa: the exact token form (a secret with `+&=%` included), the
//! API calls with the token, a wrong secret failing the run (read through the
//! `--json` summary: httpyac can exit 0 on a failure), no token or secret in
//! any file or in the report, use-case chains, writes only when allowed, and
//! user consent on a refresh token or a fresh code.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::real_clients::assert_expenses_and_invoices_run;
use crate::support::coupa::{Behaviour, Coupa};
use crate::support::tools::HTTPYAC;
use crate::support::{run, stderr};

/// `coupa.http` and `http-client.env.json`, side by side, as `coupagen http`
/// writes them.
pub(crate) fn http_files(coupa: &Coupa, extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let domain = coupa.domain();
    for (format, file) in [("http", "coupa.http"), ("env", "http-client.env.json")] {
        let out = dir.path().join(file);
        let mut args = vec![
            "http",
            "--domain",
            &domain,
            "--format",
            format,
            "-o",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let done = run(&args);
        assert!(done.status.success(), "{}", stderr(&done));
    }
    dir
}

/// A run's outcome, from httpyac's `--json` report.
pub(crate) struct Report {
    out: Output,
    json: serde_json::Value,
}

impl Report {
    pub(crate) fn summary(&self, key: &str) -> u64 {
        self.json["summary"][key].as_u64().unwrap_or_else(|| {
            panic!(
                "no {key} in the report ({}):\n{}",
                self.out.status,
                stderr(&self.out)
            )
        })
    }

    /// Every request passed its test: none failed, errored or was skipped.
    pub(crate) fn assert_all_passed(&self) {
        for key in ["failedTests", "erroredTests", "erroredRequests"] {
            assert_eq!(self.summary(key), 0, "{key}: {:#}", self.json);
        }
        assert!(self.summary("successTests") > 0, "{:#}", self.json);
    }

    /// What the run showed: its report and standard error.
    pub(crate) fn shown(&self) -> String {
        format!("{}{}", self.json, stderr(&self.out))
    }

    /// The tests that passed, by their message.
    pub(crate) fn passed(&self) -> Vec<String> {
        self.tests("SUCCESS")
    }

    fn tests(&self, status: &str) -> Vec<String> {
        self.json["requests"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["testResults"].as_array().into_iter().flatten())
            .filter(|t| t["status"] == status)
            .map(|t| t["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

/// httpyac on the kit as the OAuth client, `inputs` as `--var NAME=VALUE`.
pub(crate) fn send_as_client(coupa: &Coupa, dir: &Path, inputs: &[(&str, &str)]) -> Report {
    let b = coupa.behaviour().clone();
    let creds = [
        ("COUPA_CLIENT_ID", b.client_id.as_str()),
        ("COUPA_CLIENT_SECRET", b.client_secret.as_str()),
    ];
    let vars: Vec<String> = inputs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let vars: Vec<&str> = vars.iter().map(String::as_str).collect();
    send(coupa, dir, &creds, &vars)
}

/// `httpyac send coupa.http --all --env coupa --json -o none --output-failed
/// none` in the files' folder, as README says to run it, trusting the
/// stand-in's CA; `env` adds to the process environment.
pub(crate) fn send(coupa: &Coupa, dir: &Path, env: &[(&str, &str)], vars: &[&str]) -> Report {
    send_in(coupa, dir, "coupa", env, vars)
}

/// [`send`] in the file's environment `environment`.
pub(crate) fn send_in(
    coupa: &Coupa,
    dir: &Path,
    environment: &str,
    env: &[(&str, &str)],
    vars: &[&str],
) -> Report {
    let mut cmd = Command::new(HTTPYAC.path());
    cmd.args([
        "send",
        "coupa.http",
        "--all",
        "--env",
        environment,
        "--json",
    ])
    .args(["-o", "none", "--output-failed", "none"])
    .current_dir(dir)
    .env("NODE_EXTRA_CA_CERTS", &coupa.ca_file)
    .env_remove("COUPA_CLIENT_ID")
    .env_remove("COUPA_CLIENT_SECRET")
    .envs(env.iter().copied());
    if !vars.is_empty() {
        cmd.arg("--var").args(vars);
    }
    // Into a file: node exits before a long report drains through a pipe.
    let report = tempfile::NamedTempFile::new().unwrap();
    cmd.stdout(report.reopen().unwrap());
    let out = cmd.output().expect("httpyac runs");
    let json = serde_json::from_slice(&fs::read(report.path()).unwrap()).unwrap_or_default();
    Report { out, json }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn httpyac_runs_the_file_with_an_exact_form_and_fails_on_a_wrong_secret() {
    let Some(_) = HTTPYAC.find() else { return };
    let coupa = Coupa::with(Behaviour {
        client_secret: crate::real_clients::HOSTILE_SECRET.into(),
        ..Behaviour::default()
    });
    let dir = http_files(&coupa, &["--resource", "expense_reports,invoices"]);
    let b = coupa.behaviour().clone();
    let creds = [
        ("COUPA_CLIENT_ID", b.client_id.as_str()),
        ("COUPA_CLIENT_SECRET", b.client_secret.as_str()),
    ];
    let report = send(&coupa, dir.path(), &creds, &[]);
    report.assert_all_passed();
    assert_eq!(
        report.passed(),
        [
            "Get access token answers 200",
            "List expense reports answers 200",
            "List invoices answers 200"
        ]
    );
    let log = coupa.requests();
    assert_eq!(log[0].path, "/oauth2/token", "{log:#?}");
    assert_expenses_and_invoices_run(&coupa);
    let token = coupa.tokens().pop().unwrap();
    // Neither the report (as README's command asks for it) nor any file beside
    // the HTTP file holds the token or the secret.
    let report_text = report.json.to_string();
    assert!(!report_text.contains(&token), "the report holds the token");
    assert!(
        !report_text.contains("client_secret="),
        "the report holds the form, secret included"
    );
    for file in walk(dir.path()) {
        let text = fs::read_to_string(&file).unwrap_or_default();
        assert!(!text.contains(&token), "{} holds the token", file.display());
        assert!(
            !text.contains(&b.client_secret),
            "{} holds the secret",
            file.display()
        );
    }

    coupa.clear();
    let wrong_secret = "wrong-Zq7-secret";
    let wrong = send(
        &coupa,
        dir.path(),
        &[creds[0], ("COUPA_CLIENT_SECRET", wrong_secret)],
        &[],
    );
    // As README runs it, httpyac shows no part of the form, even on a failure.
    let shown = format!("{}{}", wrong.json, stderr(&wrong.out));
    assert!(
        !shown.contains(wrong_secret),
        "httpyac showed the secret:\n{shown}"
    );
    assert!(wrong.summary("failedTests") >= 1, "{:#}", wrong.json);
    assert_eq!(
        wrong.tests("FAILED").first().map(String::as_str),
        Some("Get access token answers 200"),
        "{:#}",
        wrong.json
    );

    // Without credentials the token request is not sent, and says why.
    coupa.clear();
    let none = send(&coupa, dir.path(), &[], &[]);
    assert!(none.summary("erroredRequests") >= 1, "{:#}", none.json);
    assert!(
        !coupa.requests().iter().any(|r| r.path == "/oauth2/token"),
        "no token request without credentials"
    );
}

/// A JetBrains user keeps the credentials in `http-client.private.env.json`;
/// httpyac reads the same file.
#[test]
fn the_private_environment_file_supplies_the_credentials() {
    let Some(_) = HTTPYAC.find() else { return };
    let coupa = Coupa::start();
    let dir = http_files(&coupa, &["--resource", "suppliers"]);
    let b = coupa.behaviour().clone();
    fs::write(
        dir.path().join("http-client.private.env.json"),
        serde_json::json!({"coupa": {"client_id": b.client_id, "client_secret": b.client_secret}})
            .to_string(),
    )
    .unwrap();
    let report = send(&coupa, dir.path(), &[], &[]);
    report.assert_all_passed();
    assert_eq!(coupa.requests()[0].form()[2].1, b.client_secret);
}

/// A use case runs as a chain: the user found, their pending approvals, the
/// report behind the first; the approval is written only with `allow_writes`
/// true, and a reason holding `&`, `+` and `%` arrives exact.
#[test]
fn httpyac_runs_a_use_case_chain_and_writes_only_when_allowed() {
    let Some(_) = HTTPYAC.find() else { return };
    let coupa = Coupa::start();
    let dir = http_files(
        &coupa,
        &[
            "--use-case",
            "pending-expense-approvals,approve-expense-report",
        ],
    );
    let b = coupa.behaviour().clone();
    let creds = [
        ("COUPA_CLIENT_ID", b.client_id.as_str()),
        ("COUPA_CLIENT_SECRET", b.client_secret.as_str()),
        // An input from the process environment, as the check script reads it.
        ("COUPA_USER_EMAIL", "alice@example.com"),
    ];
    let vars = [
        "approval_id=5001",
        "decision=approve",
        "reason=alice@example.com: fine & good + 100%",
    ];
    let report = send(&coupa, dir.path(), &creds, &vars);
    report.assert_all_passed();
    assert_eq!(report.summary("skippedRequests"), 1, "the write skipped");
    assert_eq!(
        coupa.api_calls(),
        [
            "GET /api/users",
            "GET /api/approvals",
            "GET /api/expense_reports/1001",
            "GET /api/approvals/5001"
        ],
        "the chain, and no PUT"
    );
    assert_eq!(
        coupa.record("approvals", 5001).unwrap()["status"],
        "pending_approval"
    );

    // Allowed as a JetBrains user allows it: in the private file, a JSON true.
    coupa.clear();
    fs::write(
        dir.path().join("http-client.private.env.json"),
        r#"{"coupa": {"allow_writes": true}}"#,
    )
    .unwrap();
    let report = send(&coupa, dir.path(), &creds, &vars);
    report.assert_all_passed();
    let put = coupa
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .expect("the approval");
    assert_eq!(put.path, "/api/approvals/5001/approve");
    assert_eq!(
        put.query,
        [(
            "reason".to_string(),
            "alice@example.com: fine & good + 100%".to_string()
        )]
    );
    assert_eq!(
        coupa.record("approvals", 5001).unwrap()["status"],
        "approved"
    );

    // Again: no longer pending, so the guard stops the chain before the PUT.
    coupa.clear();
    let report = send(&coupa, dir.path(), &creds, &vars);
    report.assert_all_passed();
    assert!(
        coupa.requests().iter().all(|r| r.method != "PUT"),
        "the guard held: {:?}",
        coupa.api_calls()
    );
    let said = report.passed();
    assert!(
        said.iter().any(
            |t| t.starts_with("stopped: approval_status is \"approved\", not pending_approval")
        ),
        "{said:?}"
    );
}

/// User consent: with COUPA_REFRESH_TOKEN the exchange skips itself and the
/// refresh runs; with a fresh `--var authorization_code` the exchange runs.
#[test]
fn httpyac_runs_the_consent_file_on_a_refresh_token_or_a_fresh_code() {
    use crate::consent::{assert_runs_on_a_refresh_token_or_a_fresh_code, Given};
    use crate::support::coupa::CALLBACK;
    let Some(_) = HTTPYAC.find() else { return };
    let coupa = Coupa::with(Behaviour::consent(&[CALLBACK]));
    let dir = http_files(
        &coupa,
        &["--grant", "authorization-code", "--redirect-uri", CALLBACK],
    );
    let b = coupa.behaviour().clone();
    let creds = [
        ("COUPA_CLIENT_ID", b.client_id.as_str()),
        ("COUPA_CLIENT_SECRET", b.client_secret.as_str()),
    ];
    assert_runs_on_a_refresh_token_or_a_fresh_code(&coupa, |given| {
        let report = match given {
            Given::RefreshToken(token) => {
                let mut env = creds.to_vec();
                env.push(("COUPA_REFRESH_TOKEN", token));
                send(&coupa, dir.path(), &env, &[])
            }
            Given::Code(code) => send(
                &coupa,
                dir.path(),
                &creds,
                &[&format!("authorization_code={code}")],
            ),
        };
        report.assert_all_passed();
    });
}

/// Hostile text in every line an HTTP file holds for a person's own use case
/// (its name and its request's in the `###` title and the test's message, a
/// filter's literal value in the URL, an input's value from the process
/// environment, `{{` included: httpyac expands `{{...}}` in a `--var`
/// value itself, as README says)
/// runs as given in httpyac: fixed cases and hundreds generated, one
/// `coupagen http` and one `httpyac send` for all. The stand-in hears each
/// value exact, and the report names each request's test as written.
#[test]
fn hostile_values_reach_coupa_exact_through_httpyac() {
    let Some(_) = HTTPYAC.find() else { return };
    const FIXED: &[&str] = &[
        "%}",
        "{{host}}",
        "{{encoded-scope}}",
        "###",
        "### x",
        "@disabled true",
        "@name x",
        "# @disabled",
        "< {%",
        "> {%",
        "a&b=c+d%20e",
        "'quote' \"double\"",
        "back\\slash",
        "é日本🙂",
        "  spaces  ",
        "$(id)",
        "`tick`",
        "100%",
        "?x=1#frag",
    ];
    const WORDS: &str = "a&b=c+d%20e {{host}} %} é";
    let texts = crate::hostile::fixed_then_generated(FIXED, 300);
    let use_case = |i: usize, t: &str| {
        serde_json::json!({
            "id": format!("c{i}"),
            "name": format!("{t} {i}"),
            "description": "d",
            "inputs": [{"name": "words", "type": "string", "description": "w", "example": "x", "from": "said"}],
            "requests": [{
                "name": t,
                "description": "d",
                "path": "/api/suppliers",
                "query": {"name[contains]": t, "words": "{{words}}"},
                "scope": "core.supplier.read",
                "says": "ok"
            }]
        })
    };
    let accepted: Vec<(usize, String)> = texts
        .into_iter()
        .enumerate()
        .filter(|(i, t)| {
            let one = serde_json::json!({"use_cases": [use_case(*i, t)]}).to_string();
            coupagen::usecase::parse(&one, coupagen::error::Origin::Flag("--use-case-file"), "f")
                .is_ok()
        })
        .collect();
    assert!(accepted.len() >= 150, "{} accepted", accepted.len());
    let cases: Vec<serde_json::Value> = accepted.iter().map(|(i, t)| use_case(*i, t)).collect();
    let coupa = Coupa::start();
    let file = tempfile::NamedTempFile::new().unwrap();
    fs::write(
        file.path(),
        serde_json::json!({"use_cases": cases}).to_string(),
    )
    .unwrap();
    let dir = http_files(&coupa, &["--use-case-file", file.path().to_str().unwrap()]);
    let b = coupa.behaviour().clone();
    let report = send(
        &coupa,
        dir.path(),
        &[
            ("COUPA_CLIENT_ID", b.client_id.as_str()),
            ("COUPA_CLIENT_SECRET", b.client_secret.as_str()),
            ("COUPA_WORDS", WORDS),
        ],
        &[],
    );
    report.assert_all_passed();
    let heard: Vec<Vec<(String, String)>> = coupa
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/suppliers")
        .map(|r| r.query)
        .collect();
    let expected: Vec<Vec<(String, String)>> = accepted
        .iter()
        .map(|(_, t)| {
            vec![
                ("name[contains]".to_string(), t.clone()),
                ("words".to_string(), WORDS.to_string()),
            ]
        })
        .collect();
    let lost: Vec<_> = expected.iter().filter(|e| !heard.contains(e)).collect();
    assert!(lost.is_empty(), "sent:\n{lost:#?}\nheard:\n{heard:#?}");
    assert_eq!(heard.len(), expected.len(), "one request each");
    let passed = report.passed();
    for (i, t) in &accepted {
        let test = format!("{t} {i}: {t} answers 200");
        assert!(passed.contains(&test), "{test:?} not in {passed:#?}");
    }
}
