//! Every artifact in the real client that consumes it, against the loopback
//! Coupa stand-in over TLS: newman runs the collection, bash and the system
//! curl run the check script and the curl commands, shellcheck reads the
//! script, and the official schema checks the collection.
//!
//! Where a client is missing, the check is a recorded skip (summed up when
//! the run ends); with CI set, it fails instead.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::coupa::{Behaviour, Coupa, Recorded};
use crate::support::newman;
use crate::support::tools::{CURL, NEWMAN, NODE, POSTMAN, POSTMAN_CODE_GENERATORS, SHELLCHECK};
use crate::support::{run, stderr, stdout};

/// Hostile to every quoting layer: shell, URL encoding, JSON, Postman.
pub const HOSTILE_SECRET: &str = "a&b=c+d%20e f\"g'h$i`j\\k!l Ünïcødé-ß";

/// The bundle for `coupa`'s domain, written by the real binary.
pub(crate) fn bundle(coupa: &Coupa, extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let domain = coupa.domain();
    let mut args = vec![
        "bundle",
        "--domain",
        &domain,
        "--out",
        dir.path().to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(out.status.success(), "bundle failed: {}", stderr(&out));
    dir
}

/// Fills the environment as a user would in Postman, then runs newman.
pub(crate) fn newman(coupa: &Coupa, kit: &Path, id: &str, secret: &str, extra: &[&str]) -> Output {
    let extra: Vec<String> = extra.iter().map(|a| a.to_string()).collect();
    newman::run(coupa, kit, id, secret, &extra)
}

pub(crate) fn token_requests(log: &[Recorded]) -> Vec<&Recorded> {
    log.iter().filter(|r| r.path == "/oauth2/token").collect()
}

/// The token request carries exactly the four documented form fields.
pub fn assert_token_request(r: &Recorded, b: &Behaviour, secret: &str, scope: &str) {
    assert_eq!(r.method, "POST");
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/x-www-form-urlencoded"));
    let form: Vec<(String, String)> = r.form();
    let expected: Vec<(String, String)> = [
        ("grant_type", "client_credentials"),
        ("client_id", b.client_id.as_str()),
        ("client_secret", secret),
        ("scope", scope),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(form, expected);
}

/// A run of the kit for expense reports and invoices, as the stand-in heard
/// it: the exact token request first, then each call with an issued token.
pub fn assert_expenses_and_invoices_run(coupa: &Coupa) {
    let b = coupa.behaviour();
    let log = coupa.requests();
    assert_token_request(
        &log[0],
        b,
        &b.client_secret,
        "core.expense.read core.invoice.read",
    );
    assert_api_call(&log[1], coupa, "/api/expense_reports", "1");
    assert_api_call(&log[2], coupa, "/api/invoices", "1");
}

/// An API call carrying an issued token, JSON Accept, and the kit's limit.
pub fn assert_api_call(r: &Recorded, coupa: &Coupa, path: &str, limit: &str) {
    assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", path));
    let token = r
        .header("authorization")
        .unwrap()
        .strip_prefix("Bearer ")
        .expect("bearer");
    assert!(
        coupa.tokens().iter().any(|t| t == token),
        "token {token} was issued"
    );
    assert_eq!(r.header("accept"), Some("application/json"));
    assert!(
        r.query.contains(&("limit".into(), limit.into())),
        "{:?}",
        r.query
    );
}

#[test]
fn newman_runs_the_collection_and_the_token_flows_into_the_call() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = Coupa::start();
    let kit = bundle(&coupa, &[]);
    let b = coupa.behaviour().clone();
    let out = newman(&coupa, kit.path(), &b.client_id, &b.client_secret, &[]);
    assert!(
        out.status.success(),
        "newman failed:\n{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let log = coupa.requests();
    assert_eq!(log.len(), 2, "token request, then the call: {log:#?}");
    assert_token_request(&log[0], &b, &b.client_secret, "core.expense.read");
    assert_api_call(&log[1], &coupa, "/api/expense_reports", "1");
    let summary = stdout(&out);
    assert!(
        summary.contains("assertions") && summary.contains("│"),
        "{summary}"
    );
    eprintln!(
        "newman summary:\n{}",
        summary
            .lines()
            .filter(|l| l.contains('│'))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn newman_fails_on_a_wrong_secret() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = Coupa::start();
    let kit = bundle(&coupa, &[]);
    let out = newman(
        &coupa,
        kit.path(),
        &coupa.behaviour().client_id,
        "wrong",
        &[],
    );
    assert!(
        !out.status.success(),
        "newman should fail:\n{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("token request answers 200"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn newman_runs_one_request_alone_and_the_pre_request_script_fetches_the_token() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = Coupa::start();
    let kit = bundle(&coupa, &[]);
    let b = coupa.behaviour().clone();
    let out = newman(
        &coupa,
        kit.path(),
        &b.client_id,
        &b.client_secret,
        &["--folder", "List expense reports"],
    );
    assert!(
        out.status.success(),
        "newman failed:\n{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let log = coupa.requests();
    assert_eq!(token_requests(&log).len(), 1, "{log:#?}");
    assert_token_request(&log[0], &b, &b.client_secret, "core.expense.read");
    assert_api_call(&log[1], &coupa, "/api/expense_reports", "1");
}

#[test]
fn newman_carries_a_hostile_secret_intact() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = Coupa::with(Behaviour {
        client_secret: HOSTILE_SECRET.into(),
        ..Behaviour::default()
    });
    let kit = bundle(&coupa, &[]);
    let b = coupa.behaviour().clone();
    let out = newman(&coupa, kit.path(), &b.client_id, HOSTILE_SECRET, &[]);
    assert!(
        out.status.success(),
        "newman failed:\n{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert_token_request(
        &coupa.requests()[0],
        &b,
        HOSTILE_SECRET,
        "core.expense.read",
    );
}

/// A PATH holding only what the script needs (so no jq), with a `curl`
/// that logs its arguments before running the real one.
fn bare_path(dir: &Path) -> (PathBuf, PathBuf) {
    let bin = dir.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let which = |tool: &str| -> PathBuf {
        let out = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .output()
            .unwrap();
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
    };
    for tool in ["bash", "sh", "sed", "cat", "mktemp", "rm", "env"] {
        std::os::unix::fs::symlink(which(tool), bin.join(tool)).unwrap();
    }
    let log = dir.join("curl-argv.log");
    let wrapper = format!(
        "#!{}\nprintf '%s\\n' \"$@\" >> {}\nexec {} \"$@\"\n",
        which("bash").display(),
        support_quote(log.to_str().unwrap()),
        which("curl").display()
    );
    fs::write(bin.join("curl"), wrapper).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(bin.join("curl"), fs::Permissions::from_mode(0o755)).unwrap();
    (bin, log)
}

fn support_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

pub(crate) fn run_script(
    coupa: &Coupa,
    kit: &Path,
    id: Option<&str>,
    secret: Option<&str>,
) -> (Output, String) {
    run_script_with(
        coupa,
        kit,
        id,
        secret,
        Command::new(kit.join("coupa-check.sh")),
    )
}

/// `run_script`, started by `cmd` (the script itself, or `sh` with it).
pub(crate) fn run_script_with(
    coupa: &Coupa,
    kit: &Path,
    id: Option<&str>,
    secret: Option<&str>,
    mut cmd: Command,
) -> (Output, String) {
    let (bin, log) = bare_path(kit);
    cmd.env_clear()
        .env("PATH", &bin)
        .env("CURL_CA_BUNDLE", &coupa.ca_file)
        .env("HOME", kit);
    if let Some(id) = id {
        cmd.env("COUPA_CLIENT_ID", id);
    }
    if let Some(secret) = secret {
        cmd.env("COUPA_CLIENT_SECRET", secret);
    }
    let out = cmd.output().expect("script runs");
    let argv = fs::read_to_string(log).unwrap_or_default();
    (out, argv)
}

#[test]
fn check_script_succeeds_without_jq_and_never_shows_secret_or_token() {
    let Some(_) = CURL.find() else { return };
    let coupa = Coupa::start();
    let kit = bundle(&coupa, &[]);
    let b = coupa.behaviour().clone();
    let (out, argv) = run_script(
        &coupa,
        kit.path(),
        Some(&b.client_id),
        Some(&b.client_secret),
    );
    assert!(out.status.success(), "script failed:\n{}", stderr(&out));
    let body: serde_json::Value =
        serde_json::from_str(stdout(&out).trim()).expect("stdout is the API's JSON");
    assert_eq!(body.as_array().unwrap().len(), 1, "limit=1 honoured");
    let log = coupa.requests();
    assert_token_request(&log[0], &b, &b.client_secret, "core.expense.read");
    assert_api_call(&log[1], &coupa, "/api/expense_reports", "1");
    let tokens = coupa.tokens();
    assert!(!argv.is_empty(), "the curl wrapper logged its arguments");
    for hidden in [b.client_secret.as_str(), tokens[0].as_str()] {
        assert!(
            !argv.contains(hidden),
            "{hidden} reached curl's command line:\n{argv}"
        );
        assert!(!stdout(&out).contains(hidden) && !stderr(&out).contains(hidden));
    }
    eprintln!("check script stderr:\n{}", stderr(&out));
}

#[test]
fn check_script_reports_coupas_error_on_a_wrong_secret() {
    let Some(_) = CURL.find() else { return };
    let coupa = Coupa::start();
    let kit = bundle(&coupa, &[]);
    let (out, _) = run_script(
        &coupa,
        kit.path(),
        Some(&coupa.behaviour().client_id),
        Some("wrong"),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("HTTP 401") && err.contains("invalid_client"),
        "{err}"
    );
}

#[test]
fn check_script_without_credentials_exits_2_and_says_what_to_set() {
    let coupa = Coupa::start();
    let kit = bundle(&coupa, &[]);
    let (out, argv) = run_script(&coupa, kit.path(), Some("id"), None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("COUPA_CLIENT_SECRET is not set"),
        "{}",
        stderr(&out)
    );
    assert!(argv.is_empty(), "no request made");
    assert!(coupa.requests().is_empty());
}

#[test]
fn check_script_carries_a_hostile_secret_intact() {
    let Some(_) = CURL.find() else { return };
    let coupa = Coupa::with(Behaviour {
        client_secret: HOSTILE_SECRET.into(),
        ..Behaviour::default()
    });
    let kit = bundle(&coupa, &[]);
    let b = coupa.behaviour().clone();
    let (out, argv) = run_script(&coupa, kit.path(), Some(&b.client_id), Some(HOSTILE_SECRET));
    assert!(out.status.success(), "script failed:\n{}", stderr(&out));
    assert_token_request(
        &coupa.requests()[0],
        &b,
        HOSTILE_SECRET,
        "core.expense.read",
    );
    assert!(!argv.contains(HOSTILE_SECRET));
}

#[test]
fn check_script_is_shellcheck_clean() {
    let Some(_) = SHELLCHECK.find() else { return };
    for extra in [
        &[][..],
        &[
            "--resource",
            "expense_reports,invoices,users",
            "--filter",
            "updated_at[gt]=2024-01-01T00:00:00+00:00",
        ][..],
    ] {
        let mut args = vec!["script", "--domain", "acme.coupahost.com"];
        args.extend_from_slice(extra);
        let script = stdout(&run(&args));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("check.sh");
        fs::write(&path, script).unwrap();
        let out = Command::new("shellcheck").arg(&path).output().unwrap();
        assert!(
            out.status.success() && out.stdout.is_empty(),
            "shellcheck:\n{}",
            stdout(&out)
        );
    }
}

/// Splits the curl file into its commands (comment lines dropped).
pub(crate) fn curl_commands(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(|block| {
            block
                .lines()
                .filter(|l| !l.starts_with('#'))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|c| c.starts_with("curl "))
        .collect()
}

#[test]
fn curl_commands_parse_and_run_once_the_placeholders_are_filled() {
    let Some(_) = CURL.find() else { return };
    let coupa = Coupa::start();
    let kit = bundle(&coupa, &[]);
    let file = kit.path().join("coupa-requests.curl");
    let syntax = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(syntax.status.success(), "bash -n: {}", stderr(&syntax));

    let text = fs::read_to_string(&file).unwrap();
    let commands = curl_commands(&text);
    assert_eq!(commands.len(), 2, "{text}");
    let b = coupa.behaviour().clone();
    let sh = |command: &str| {
        let out = Command::new("bash")
            .args(["-c", &format!("{command} --silent --show-error")])
            .env("CURL_CA_BUNDLE", &coupa.ca_file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{command}: {}", stderr(&out));
        stdout(&out)
    };
    let token_cmd = commands[0]
        .replace("{{Identifier}}", &b.client_id)
        .replace("{{Secret}}", &b.client_secret);
    let answer: serde_json::Value = serde_json::from_str(&sh(&token_cmd)).unwrap();
    let token = answer["access_token"].as_str().expect("a token");
    let api_cmd = commands[1].replace("{{generated_bearer_token}}", token);
    let body: serde_json::Value = serde_json::from_str(&sh(&api_cmd)).unwrap();
    assert!(body.is_array(), "{body}");
    let log = coupa.requests();
    assert_token_request(&log[0], &b, &b.client_secret, "core.expense.read");
    assert_api_call(&log[1], &coupa, "/api/expense_reports", "1");
}

#[test]
fn the_schema_check_can_fail() {
    let broken = r#"{"info": {"name": "x", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": [{"name": "a", "request": {"url": 5, "method": 7}}]}"#;
    if let Some(errors) = crate::support::collection_schema_errors(broken) {
        assert!(!errors.is_empty());
    }
}

/// The multi-resource kit's filters as Coupa must receive them, decoded.
fn assert_multi_calls(coupa: &Coupa, log: &[Recorded]) {
    let calls: Vec<&Recorded> = log.iter().filter(|r| r.path.starts_with("/api/")).collect();
    let paths: Vec<&str> = calls.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/api/expense_reports",
            "/api/invoices",
            "/api/purchase_orders",
            "/api/suppliers",
            "/api/users"
        ]
    );
    for call in calls {
        assert_api_call(call, coupa, &call.path, "10");
        let expected: Vec<(String, String)> = [
            ("limit", "10"),
            ("updated_at[gt]", "2024-01-01T00:00:00+00:00"),
            ("fields", r#"["id","status",{"supplier":["name"]}]"#),
            ("return_object", "limited"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(call.query, expected, "raw query: {}", call.raw_query);
    }
}

use crate::support::MULTI_ARGS as MULTI;
const MULTI_SCOPES: &str = "core.expense.read core.invoice.read core.purchase_order.read core.supplier.read core.user.read";

#[test]
fn newman_runs_the_multi_resource_kit_with_every_filter_intact() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = Coupa::start();
    let kit = bundle(&coupa, MULTI);
    let b = coupa.behaviour().clone();
    let out = newman(&coupa, kit.path(), &b.client_id, &b.client_secret, &[]);
    assert!(
        out.status.success(),
        "newman failed:\n{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let log = coupa.requests();
    assert_eq!(token_requests(&log).len(), 1);
    assert_token_request(&log[0], &b, &b.client_secret, MULTI_SCOPES);
    assert_multi_calls(&coupa, &log);
}

#[test]
fn check_script_runs_the_multi_resource_kit_with_every_filter_intact() {
    let Some(_) = CURL.find() else { return };
    let coupa = Coupa::start();
    let kit = bundle(&coupa, MULTI);
    let b = coupa.behaviour().clone();
    let (out, _) = run_script(
        &coupa,
        kit.path(),
        Some(&b.client_id),
        Some(&b.client_secret),
    );
    assert!(out.status.success(), "script failed:\n{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 5, "one answer a resource");
    let log = coupa.requests();
    assert_token_request(&log[0], &b, &b.client_secret, MULTI_SCOPES);
    assert_multi_calls(&coupa, &log);
}

#[test]
fn check_script_honours_its_domain_and_scope_overrides() {
    let Some(_) = CURL.find() else { return };
    let coupa = Coupa::start();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("coupa-check.sh");
    let out = run(&[
        "script",
        "--domain",
        "acme.coupahost.com",
        "-o",
        script.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let b = coupa.behaviour().clone();
    let (bin, _) = bare_path(dir.path());
    let out = Command::new("bash")
        .arg(&script)
        .env_clear()
        .env("PATH", &bin)
        .env("CURL_CA_BUNDLE", &coupa.ca_file)
        .env("COUPA_CLIENT_ID", &b.client_id)
        .env("COUPA_CLIENT_SECRET", &b.client_secret)
        .env("COUPA_INSTANCE_DOMAIN", coupa.domain())
        .env("COUPA_SCOPE", "core.expense.read core.user.read")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_token_request(
        &coupa.requests()[0],
        &b,
        &b.client_secret,
        "core.expense.read core.user.read",
    );
}

/// Postman's own curl generator (postman-code-generators, run by node on the
/// guide's two requests in bench/codegen-curl.js) writes exactly our commands.
#[test]
fn curl_commands_are_what_postmans_own_generator_writes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (Some(node), Some(_)) = (NODE.find(), POSTMAN_CODE_GENERATORS.find()) else {
        return;
    };
    let out = Command::new(node)
        .arg(root.join("bench/codegen-curl.js"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let postman = stdout(&out);
    let ours = stdout(&run(&[
        "curl",
        "--domain",
        crate::support::GUIDE_DOMAIN,
        "--scope",
        "core.expense.read",
    ]));
    let ours: Vec<String> = curl_commands(&ours);
    let theirs: Vec<String> = postman
        .split("\n\n")
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(ours, theirs);
}

/// Postman's own CLI, offline and logged out, runs the collection as newman
/// does: the report says how each request went.
fn postman_run(coupa: &Coupa, kit: &Path, secret: &str) -> (bool, serde_json::Value, String) {
    postman_run_in(coupa, kit, "coupa.postman_environment.json", secret)
}

/// [`postman_run`] with the kit's environment `file`.
pub(crate) fn postman_run_in(
    coupa: &Coupa,
    kit: &Path,
    file: &str,
    secret: &str,
) -> (bool, serde_json::Value, String) {
    postman_run_with(coupa, kit, file, secret, &[])
}

/// [`postman_run_in`], a use case's inputs given as `--env-var`s.
pub(crate) fn postman_run_with(
    coupa: &Coupa,
    kit: &Path,
    file: &str,
    secret: &str,
    vars: &[(&str, &str)],
) -> (bool, serde_json::Value, String) {
    let cli = POSTMAN.path();
    let filled = newman::filled(kit, file, &coupa.behaviour().client_id, secret);
    let report = kit.join("postman-cli-report.json");
    let out = Command::new(cli)
        .args(["collection", "run"])
        .arg(kit.join("coupa.postman_collection.json"))
        .arg("-e")
        .arg(&filled)
        .args(
            vars.iter()
                .flat_map(|(k, v)| ["--env-var".to_string(), format!("{k}={v}")]),
        )
        .args(["--ssl-extra-ca-certs"])
        .arg(&coupa.ca_file)
        .args([
            "--reporters",
            "cli,json",
            "--reporter-json-structure",
            "newman",
            "--reporter-json-export",
        ])
        .arg(&report)
        .args(["--working-dir"])
        .arg(kit)
        .env("HOME", kit)
        .env("POSTMAN_DISABLE_TELEMETRY", "1")
        .output()
        .expect("postman runs");
    let json = fs::read_to_string(&report)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    (
        out.status.success(),
        json,
        format!("{}\n{}", stdout(&out), stderr(&out)),
    )
}

/// A Postman CLI run's JSON report lists no failure. A report with no
/// failure list at all (none written, or another shape) fails too: the CLI
/// can exit 0 on a failure, and its report is what says.
pub(crate) fn assert_no_postman_failures(report: &serde_json::Value, said: &str) {
    let failures = report["run"]["failures"].as_array().unwrap_or_else(|| {
        panic!("the Postman CLI's report has no run.failures: {report}\n{said}")
    });
    assert!(failures.is_empty(), "{failures:?}\n{said}");
}

#[test]
fn postman_cli_runs_the_collection_beside_newman_and_fails_on_a_wrong_secret() {
    let Some(_) = POSTMAN.find() else { return };
    let coupa = Coupa::start();
    let kit = bundle(&coupa, &["--resource", "expense_reports,invoices"]);
    let b = coupa.behaviour().clone();
    let (ok, report, said) = postman_run(&coupa, kit.path(), &b.client_secret);
    assert!(ok, "postman collection run failed:\n{said}");
    assert_expenses_and_invoices_run(&coupa);
    assert_no_postman_failures(&report, &said);

    let (ok, _, said) = postman_run(&coupa, kit.path(), "wrong");
    assert!(!ok, "a wrong secret fails the run:\n{said}");
    assert!(said.contains("token request answers 200"), "{said}");
}
