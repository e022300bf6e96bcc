//! Tests named after the bug each caught: each was written for a bug that
//! happened, and its doc says what the bug was and the commit that fixed it.

use std::fs;
use std::process::Command;

use crate::cli::rejects;
use crate::coverage::fails_with;
use crate::hostile::{code_spans, json};
use crate::real_clients::{bundle, run_script_with, token_requests};
use crate::support::coupa::Coupa;
use crate::support::tools::{CURL, NEWMAN};
use crate::support::{bin, run, spec, stderr, stdout, GUIDE_DOMAIN};
use crate::verify::{assert_report, closed_port, verify_with};

/// `coupagen scopes nonsense` printed an empty table and exited 0; fixed in d4441c5.
#[test]
fn scopes_matching_nothing_printed_an_empty_table_and_exit_0() {
    let out = run(&["scopes", "nonsense"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("nothing matches 'nonsense'; `coupagen scopes` lists them all"));
    let out = run(&["scopes", "nonsense", "--resources"]);
    assert!(stderr(&out).contains("`coupagen scopes --resources` lists them all"));
    // For programs, no match is an empty list.
    let out = run(&["scopes", "nonsense", "--json"]);
    assert_eq!((out.status.code(), stdout(&out).trim()), (Some(0), "[]"));
}

/// `--format JSON` was refused for its case; fixed in d4441c5.
#[test]
fn a_format_name_in_capitals_was_refused() {
    let out = run(&["sheet", "--domain", GUIDE_DOMAIN, "--format", "JSON"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("{\n  \"connector\""));
}

/// `-o .` said the file exists, then with `--force` failed on the device; fixed in d4441c5.
#[test]
fn an_output_folder_was_called_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    for force in [false, true] {
        let mut args = vec![
            "curl",
            "--domain",
            GUIDE_DOMAIN,
            "-o",
            dir.path().to_str().unwrap(),
        ];
        if force {
            args.push("--force");
        }
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("is a folder; give a file, e.g. -o "),
            "{}",
            stderr(&out)
        );
        assert!(stderr(&out).contains("coupa-requests.curl"));
    }
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

/// `bundle --out -` wrote the kit into a folder named `-`; fixed in d4441c5.
#[test]
fn bundle_out_dash_made_a_folder_named_dash() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(bin())
        .args(["bundle", "--domain", GUIDE_DOMAIN, "--out", "-"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--out '-': bundle writes a folder of files, not standard output")
    );
    assert!(!dir.path().join("-").exists());
}

/// `--client-id-var Secret` was reported as an error of `--client-secret-var`; fixed in d4441c5.
#[test]
fn a_placeholder_clash_blamed_the_other_flag() {
    rejects(
        &["--domain", GUIDE_DOMAIN, "--client-id-var", "Secret"],
        &["--client-id-var 'Secret': that is the secret's placeholder"],
    );
    rejects(
        &[
            "--domain",
            GUIDE_DOMAIN,
            "--client-id-var",
            "X",
            "--client-secret-var",
            "X",
        ],
        &["--client-secret-var 'X': the secret's placeholder needs a name of its own"],
    );
}

/// `bundle -o kit` was refused with no hint toward `--out`; fixed in 7d3639d.
#[test]
fn bundle_o_gave_no_hint_toward_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(bin())
        .args(["bundle", "--domain", GUIDE_DOMAIN, "-o", "kit"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("-o 'kit': bundle writes a folder of files, not one file; use --out DIR"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    // Without either, clap still asks for --out.
    let out = run(&["bundle", "--domain", GUIDE_DOMAIN]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--out <DIR>"), "{}", stderr(&out));
}

/// `verify --client-secret x` suggested `--client-secret-var`, whose error echoed the secret; fixed in d2c649a.
#[test]
fn a_secret_flag_drew_a_suggestion_that_echoed_the_secret() {
    let secret = "s3cr3t-Value!";
    for args in [
        vec![
            "verify",
            "--domain",
            GUIDE_DOMAIN,
            "--client-secret",
            secret,
        ],
        vec![
            "verify",
            "--domain",
            GUIDE_DOMAIN,
            &format!("--client-secret={secret}"),
        ],
        vec!["postman", "--domain", GUIDE_DOMAIN, "--secret", secret],
    ] {
        let args: Vec<&str> = args.iter().map(|s| s.as_ref()).collect();
        let out = run(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("--client-secret is refused"), "{err}");
        assert!(
            err.contains("read -rs COUPA_CLIENT_SECRET") && err.contains("--client-secret-stdin"),
            "{err}"
        );
        assert!(
            !err.contains(secret) && !stdout(&out).contains(secret),
            "echoed: {err}"
        );
    }
    assert!(
        !stdout(&run(&["verify", "--help"])).contains("--client-secret "),
        "hidden from help"
    );
}

/// `verify --help` listed flags that do nothing there, and `environment` took `--limit`; fixed in 10ca5bb.
#[test]
fn help_listed_flags_that_do_nothing_for_the_command() {
    let cases: &[(&str, &[&str])] = &[
        (
            "environment",
            &[
                "--limit",
                "--scope",
                "--resource",
                "--filter",
                "--connector-name",
            ],
        ),
        (
            "script",
            &["--client-id-var", "--client-secret-var", "--connector-name"],
        ),
        (
            "verify",
            &["--client-id-var", "--client-secret-var", "--connector-name"],
        ),
        (
            "mcp",
            &["--client-id-var", "--client-secret-var", "--connector-name"],
        ),
        ("postman", &["--connector-name"]),
    ];
    for (command, unused) in cases {
        let help = stdout(&run(&[command, "--help"]));
        assert!(help.contains("--domain"), "{command}");
        for flag in *unused {
            assert!(
                !help.contains(&format!("{flag} ")),
                "{command} --help lists {flag}"
            );
            let out = run(&[command, "--domain", GUIDE_DOMAIN, flag, "1"]);
            assert_eq!(out.status.code(), Some(2), "{command} {flag}");
            assert!(
                stderr(&out).contains(&format!(
                    "{flag} does nothing for `coupagen {command}`; drop it"
                )),
                "{command} {flag}: {}",
                stderr(&out)
            );
        }
    }
    // One config file serves every command: its unused keys are no error.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kit.json");
    fs::write(
        &config,
        format!(r#"{{"domain": "{GUIDE_DOMAIN}", "connector_name": "X", "limit": 3}}"#),
    )
    .unwrap();
    let out = run(&["environment", "--config", config.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// `--scope core.invoice.read` alone failed on `expense_reports`, never saying it is the default; fixed in e5ef988.
#[test]
fn a_scope_alone_failed_on_a_default_resource_it_never_named() {
    fails_with(
        &["--scope", "core.invoice.read"],
        &[
            "--scope does not list 'core.expense.read', which the default resource 'expense_reports' needs",
            "e.g. --resource invoices",
            "or add --scope core.expense.read",
        ],
    );
}

/// Near misses of the filter syntax (`status[eq]=`, `status==approved`, `limit=5`) were sent; fixed in 66eafb4.
#[test]
fn filter_near_misses_passed_and_were_sent_as_is() {
    let cases: &[(&str, &[&str])] = &[
        (
            "status[equals]=approved",
            &[
                "'equals' is not a Coupa operator",
                "equality is a plain '='",
                "'status=approved'",
            ],
        ),
        (
            "status[eq]=approved",
            &["'eq' is not a Coupa operator", "'status=approved'"],
        ),
        (
            "total[gte]=10",
            &["Coupa calls it 'gt_or_eq'", "'total[gt_or_eq]=10'"],
        ),
        (
            "supplier[name][like]=Acme",
            &[
                "Coupa calls it 'contains'",
                "'supplier[name][contains]=Acme'",
            ],
        ),
        (
            "status==approved",
            &["one '=' too many", "'status=approved'"],
        ),
        ("limit=5", &["'limit' is not a filter", "use --limit"]),
        ("fields=id", &["use --fields"]),
        (
            "invoicez:status=paid",
            &[
                "'invoicez' is not a resource of this kit",
                "the kit's resources: expense_reports",
            ],
        ),
    ];
    for (filter, expect) in cases {
        fails_with(&["--filter", filter], expect);
    }
}

/// `--resource /api/expense_reports`, a trailing comma or `expenses` got no useful answer; fixed in 77f6d24.
#[test]
fn the_guides_resource_path_a_trailing_comma_or_an_area_got_no_answer() {
    for given in [
        "/api/expense_reports",
        "expense_reports,",
        "/api/expense_reports/",
    ] {
        let spec = spec(&["--domain", GUIDE_DOMAIN, "--resource", given]);
        let names: Vec<&str> = spec.resources.iter().map(|r| r.name).collect();
        assert_eq!(names, ["expense_reports"], "{given}");
    }
    fails_with(
        &["--resource", "expenses"],
        &[
            "--resource 'expenses': not a Coupa API resource (perhaps ",
            "'expense_reports'",
        ],
    );
    fails_with(&["--resource", " , "], &["names no resource"]);
}

/// The collection's description pasted each scope raw into a code span, which a backtick ended; fixed in 9801ba6.
#[test]
fn a_backtick_in_a_scope_ended_the_descriptions_code_span() {
    let hostile = "x`y|z";
    let spec = spec(&[
        "--domain",
        GUIDE_DOMAIN,
        "--scope",
        &format!("core.expense.read {hostile}"),
        "--allow-unknown-scopes",
    ]);
    let coll = json(&crate::support::artifact(
        &spec,
        "coupa.postman_collection.json",
    ));
    let description = coll["info"]["description"].as_str().unwrap();
    let spans = code_spans(description);
    assert!(
        spans.contains(&hostile.to_string()),
        "{spans:?} in\n{description}"
    );
    assert!(spans.contains(&GUIDE_DOMAIN.to_string()));
}

/// `sh coupa-check.sh` failed on `set -o pipefail`, which dash lacks; fixed in 7d3639d.
#[test]
fn sh_coupa_check_sh_failed_on_pipefail() {
    let Some(_) = CURL.find() else { return };
    let coupa = Coupa::start();
    let kit = bundle(&coupa, &["--resource", "expense_reports,invoices"]);
    let b = coupa.behaviour().clone();
    let mut sh = Command::new("sh");
    sh.arg(kit.path().join("coupa-check.sh"));
    let (out, _) = run_script_with(
        &coupa,
        kit.path(),
        Some(&b.client_id),
        Some(&b.client_secret),
        sh,
    );
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        err.trim_end().lines().last(),
        Some("All 3 requests passed."),
        "{err}"
    );
    assert_eq!(coupa.requests().len(), 3);
}

/// Without its environment the collection sent `{{Identifier}}` literally, then failed on invalid_client; fixed in 7a48289.
#[test]
fn newman_without_the_environment_sent_placeholders_as_credentials() {
    let Some(newman) = NEWMAN.find() else { return };
    let coupa = Coupa::start();
    let kit = bundle(&coupa, &[]);
    let out = Command::new(newman)
        .arg("run")
        .arg(kit.path().join("coupa.postman_collection.json"))
        .args([
            "--reporters",
            "cli",
            "--color",
            "off",
            "--folder",
            "Expenses",
        ])
        .env("NODE_EXTRA_CA_CERTS", &coupa.ca_file)
        .output()
        .expect("newman runs");
    let report = stdout(&out);
    assert!(!out.status.success(), "{report}");
    assert!(report.contains("the environment is selected"), "{report}");
    let fix = format!(
        "Select the environment Coupa ({}) (import coupa.postman_environment.json if it is not there) and fill in Identifier and Secret as current values.",
        coupa.domain()
    );
    assert!(
        report.contains(&fix),
        "the test result names the fix:\n{report}"
    );
    let log = coupa.requests();
    assert!(
        token_requests(&log).is_empty(),
        "no token request with placeholders: {log:#?}"
    );
}

/// A refused proxy connection was reported as Coupa's domain refusing it; fixed in 6971b2b.
#[test]
fn an_unreachable_proxy_was_blamed_on_coupas_domain() {
    let coupa = Coupa::start();
    let secret = coupa.behaviour().client_secret.clone();
    // With credentials the report must not show.
    let port = closed_port();
    let proxy = format!("http://user:proxy-pass@127.0.0.1:{port}");
    let out = verify_with(&coupa, &secret, &[("HTTPS_PROXY", &proxy)]);
    let report = assert_report(
        &out,
        1,
        &secret,
        &[
            &format!("the proxy http://127.0.0.1:{port} (from HTTPS_PROXY) could not be reached"),
            "the request never got to Coupa",
            "check HTTPS_PROXY",
        ],
    );
    assert!(
        !report.contains("proxy-pass"),
        "the proxy's password stays out: {report}"
    );
    assert!(coupa.requests().is_empty());
    // Listed in NO_PROXY, the host is reached directly and the check passes.
    let out = verify_with(
        &coupa,
        &secret,
        &[("HTTPS_PROXY", &proxy), ("NO_PROXY", "localhost")],
    );
    assert_report(&out, 0, &secret, &["All 2 steps passed."]);
}

/// A use case's write with no value in its URL or form got no `< {% %}` block in
/// the HTTP file, so its guard never ran: the JetBrains client, which has no
/// `@disabled`, would have sent it without `allow_writes`. Fixed when the
/// scripts became fixed pieces (354c48e, issue 23): the guard is its own piece.
#[test]
fn an_http_file_write_with_no_values_had_no_guard() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let use_cases = serde_json::json!({"use_cases": [{
        "id": "touch-user",
        "name": "Touch a user",
        "description": "Writes with a literal path.",
        "inputs": [],
        "requests": [{
            "name": "Touch user",
            "description": "Changes Coupa data.",
            "method": "PUT",
            "path": "/api/users/1",
            "scope": "core.user.write",
            "answer": "object",
            "says": "touched"
        }]
    }]});
    fs::write(file.path(), use_cases.to_string()).unwrap();
    let out = run(&[
        "http",
        "--domain",
        "acme.coupahost.com",
        "--use-case-file",
        file.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let request = text
        .split("\n### ")
        .find(|r| r.starts_with("Touch a user: Touch user"))
        .unwrap_or_else(|| panic!("no such request in:\n{text}"));
    assert!(
        request.contains("\n< {%\n"),
        "no pre-request block:\n{request}"
    );
    assert!(
        request.contains(r#""writes": {"variable":"allow_writes","#),
        "{request}"
    );
    assert!(
        request.contains("!== \"true\") throw new Error(config.writes.refused);"),
        "{request}"
    );
}
