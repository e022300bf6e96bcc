//! A capture that picks its record by a field, not only the first, and a
//! guard on how many records were found (issue 24). A use-case file
//! (`tests/fixtures/picks.json`) lists the approvals pending for the person
//! and keeps the one for the expense report the person names: every runner
//! reads the second approval when the report is the second's, and sends
//! nothing after the list when no pending approval is for it. Its second
//! use case goes on only when exactly one expense report waits: stopped for
//! alice (two wait), run for bob (one).

use std::path::Path;
use std::process::Command;

use crate::support::coupa::Coupa;
use crate::support::tools::{BRU, CURL, HTTPYAC, JQ, NEWMAN, POSTMAN};
use crate::support::{bin, run, runners, stderr, stdout};

/// Pending for alice: 5001 for report 1001, then 5002 for report 1002 (and
/// a requisition's).
/// The pick compares an input (`report_id`) and a literal.
pub(crate) const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/picks.json");

/// The second pending approval's report.
const SECOND: &[(&str, &str)] = &[("user_email", "alice@example.com"), ("report_id", "1002")];
/// A report with no pending approval.
const NONE: &[(&str, &str)] = &[("user_email", "alice@example.com"), ("report_id", "1003")];
/// bob: one expense report waits (5005), and report 1003 is not his.
const BOB: &[(&str, &str)] = &[("user_email", "bob@example.com"), ("report_id", "1003")];

/// A bundle of the use-case file for the stand-in.
fn kit(coupa: &Coupa) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&[
        "bundle",
        "--domain",
        &coupa.domain(),
        "--use-case-file",
        FILE,
        "--out",
        dir.path().join("kit").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

fn kit_dir(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("kit")
}

/// The approvals the runner read one by one.
fn read_approvals(coupa: &Coupa) -> Vec<String> {
    coupa
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/approvals/"))
        .map(|r| r.path)
        .collect()
}

/// It read the second approval, the report's, and not the first.
fn picked_the_second(coupa: &Coupa, runner: &str) {
    assert_eq!(
        read_approvals(coupa),
        ["/api/approvals/5002"],
        "{runner}: {:?}",
        coupa.api_calls()
    );
}

/// The count guard let bob's one approval be read, and only it.
fn read_the_sole(coupa: &Coupa, runner: &str) {
    assert_eq!(
        read_approvals(coupa),
        ["/api/approvals/5005"],
        "{runner}: {:?}",
        coupa.api_calls()
    );
}

/// What a runner says when alice's two pending reports stop the count guard.
const SAID_STOP: &str = "stopped: not exactly one expense report waits for alice@example.com";

/// It listed, found none for the report, and read no approval.
fn picked_none(coupa: &Coupa, runner: &str) {
    assert!(
        coupa.requests().iter().any(|r| r.path == "/api/approvals"),
        "{runner}: listed"
    );
    assert!(
        read_approvals(coupa).is_empty(),
        "{runner}: nothing after the list: {:?}",
        coupa.api_calls()
    );
}

/// What a runner says when no pending approval is of the named report.
const SAID_NONE: &str = "no approval pending for alice@example.com is of expense report 1003";

fn verify(coupa: &Coupa, file: &Path, inputs: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(bin());
    cmd.args(["verify", "--domain", &coupa.domain(), "--use-case-file"])
        .arg(file);
    for (k, v) in inputs {
        cmd.args(["--input", &format!("{k}={v}")]);
    }
    cmd.env("SSL_CERT_FILE", &coupa.ca_file)
        .env("COUPA_CLIENT_ID", &coupa.behaviour().client_id)
        .env("COUPA_CLIENT_SECRET", &coupa.behaviour().client_secret)
        .output()
        .unwrap()
}

#[test]
fn verify_picks_the_approval_of_the_named_report() {
    let coupa = Coupa::start();
    let out = verify(&coupa, Path::new(FILE), SECOND);
    let report = stdout(&out);
    assert!(out.status.success(), "{report}\n{}", stderr(&out));
    assert!(
        report.contains("3 pending; report 1002's is 5002"),
        "{report}"
    );
    assert!(
        report.contains("approval 5002 is pending_approval"),
        "{report}"
    );
    assert!(report.contains(SAID_STOP), "{report}");
    assert!(
        report.contains("(pending_reports is \"2\", not 1)"),
        "{report}"
    );
    picked_the_second(&coupa, "verify");

    coupa.clear();
    let out = verify(&coupa, Path::new(FILE), NONE);
    let report = stdout(&out);
    assert!(out.status.success(), "{report}\n{}", stderr(&out));
    assert!(report.contains(SAID_NONE), "{report}");
    picked_none(&coupa, "verify");

    coupa.clear();
    let out = verify(&coupa, Path::new(FILE), BOB);
    let report = stdout(&out);
    assert!(out.status.success(), "{report}\n{}", stderr(&out));
    assert!(
        report.contains("1 expense-report approvals pending"),
        "{report}"
    );
    read_the_sole(&coupa, "verify");
}

#[test]
fn newman_picks_the_approval_of_the_named_report() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = Coupa::start();
    let dir = kit(&coupa);
    let (ok, report) = runners::newman(&coupa, &kit_dir(&dir), None, SECOND);
    assert!(ok, "{report}");
    assert!(report.contains(SAID_STOP), "{report}");
    picked_the_second(&coupa, "newman");

    coupa.clear();
    let (ok, report) = runners::newman(&coupa, &kit_dir(&dir), None, NONE);
    assert!(ok, "{report}");
    assert!(report.contains(SAID_NONE), "{report}");
    picked_none(&coupa, "newman");

    coupa.clear();
    let (ok, report) = runners::newman(&coupa, &kit_dir(&dir), None, BOB);
    assert!(ok, "{report}");
    read_the_sole(&coupa, "newman");
}

#[test]
fn postmans_cli_picks_the_approval_of_the_named_report() {
    let Some(_) = POSTMAN.find() else { return };
    let coupa = Coupa::start();
    let dir = kit(&coupa);
    let secret = coupa.behaviour().client_secret.clone();
    for (inputs, runs) in [(SECOND, "second"), (NONE, "none"), (BOB, "sole")] {
        coupa.clear();
        let (ok, report, said) = crate::real_clients::postman_run_with(
            &coupa,
            &kit_dir(&dir),
            "coupa.postman_environment.json",
            &secret,
            inputs,
        );
        assert!(ok, "{said}");
        crate::real_clients::assert_no_postman_failures(&report, &said);
        // The CLI folds a long console line.
        let unfolded = said.replace("\n  | ", "");
        match runs {
            "second" => {
                assert!(unfolded.contains(SAID_STOP), "{said}");
                picked_the_second(&coupa, "postman");
            }
            "none" => {
                assert!(unfolded.contains(SAID_NONE), "{said}");
                picked_none(&coupa, "postman");
            }
            _ => read_the_sole(&coupa, "postman"),
        }
    }
}

/// A pick by a key no record has is the file's mistake, and verify says
/// so (with the record's keys) rather than "none found".
#[test]
fn verify_names_a_pick_key_no_record_has() {
    let coupa = Coupa::start();
    let text = std::fs::read_to_string(FILE).unwrap();
    let typo = text.replace(
        r#""approvable-id": "{{report_id}}""#,
        r#""approvable_id": "{{report_id}}""#,
    );
    assert_ne!(typo, text, "the fixture picks by approvable-id");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("typo.json");
    std::fs::write(&file, typo).unwrap();
    let out = verify(&coupa, &file, SECOND);
    let report = stdout(&out);
    assert!(!out.status.success(), "{report}");
    assert!(
        report.contains("picks by the key approvable_id, which none of them has"),
        "{report}"
    );
    assert!(
        report.contains("approvable-id"),
        "the record's keys: {report}"
    );
    assert!(!report.contains(SAID_NONE), "{report}");
    picked_none(&coupa, "verify");
}

#[test]
fn check_script_picks_the_approval_of_the_named_report() {
    let (Some(_), Some(_)) = (CURL.find(), JQ.find()) else {
        return;
    };
    let coupa = Coupa::start();
    let dir = kit(&coupa);
    let out = runners::check_script(&coupa, &kit_dir(&dir), SECOND, false);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(SAID_STOP), "{}", stderr(&out));
    picked_the_second(&coupa, "check script");

    coupa.clear();
    let out = runners::check_script(&coupa, &kit_dir(&dir), NONE, false);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(SAID_NONE), "{}", stderr(&out));
    picked_none(&coupa, "check script");

    coupa.clear();
    let out = runners::check_script(&coupa, &kit_dir(&dir), BOB, false);
    assert!(out.status.success(), "{}", stderr(&out));
    read_the_sole(&coupa, "check script");
}

#[test]
fn bru_picks_the_approval_of_the_named_report() {
    let Some(_) = BRU.find() else { return };
    let coupa = Coupa::start();
    let dir = kit(&coupa);
    let out = runners::bru(&coupa, &kit_dir(&dir), SECOND);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains(SAID_STOP), "{}", stdout(&out));
    picked_the_second(&coupa, "bru");

    coupa.clear();
    let out = runners::bru(&coupa, &kit_dir(&dir), NONE);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    picked_none(&coupa, "bru");

    coupa.clear();
    let out = runners::bru(&coupa, &kit_dir(&dir), BOB);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    read_the_sole(&coupa, "bru");
}

#[test]
fn httpyac_picks_the_approval_of_the_named_report() {
    let Some(_) = HTTPYAC.find() else { return };
    let coupa = Coupa::start();
    let dir = kit(&coupa);
    let report = crate::http::send_as_client(&coupa, &kit_dir(&dir), SECOND);
    report.assert_all_passed();
    assert!(
        report
            .passed()
            .iter()
            .any(|t| t.contains("stopped: pending_reports is \"2\", not 1")),
        "{}",
        report.shown()
    );
    picked_the_second(&coupa, "httpyac");

    // httpyac can exit 0 on a failure: each run is read through its report.
    coupa.clear();
    let report = crate::http::send_as_client(&coupa, &kit_dir(&dir), NONE);
    report.assert_all_passed();
    picked_none(&coupa, "httpyac");

    coupa.clear();
    let report = crate::http::send_as_client(&coupa, &kit_dir(&dir), BOB);
    report.assert_all_passed();
    read_the_sole(&coupa, "httpyac");
}

/// Agent Studio keeps the record with `$FILTER`, and the sheet says what
/// Moveworks leaves undocumented.
#[test]
fn the_compound_action_filters_and_the_sheet_says_what_is_undocumented() {
    let coupa = Coupa::start();
    let dir = kit(&coupa);
    let yaml =
        std::fs::read_to_string(kit_dir(&dir).join("agent-studio/report-approval.yaml")).unwrap();
    assert!(
        yaml.contains(r#"approval_id: 'data.list_pending_expense_approvals.$FILTER(x => x["approvable-id"] == data.report_id AND x["approvable-type"] == "ExpenseReport")[0].id'"#),
        "{yaml}"
    );
    let yaml = std::fs::read_to_string(kit_dir(&dir).join("agent-studio/sole-pending-report.yaml"))
        .unwrap();
    assert!(
        yaml.contains(r#"condition: 'data.list_my_pending_approvals.$FILTER(x => x["approvable-type"] == "ExpenseReport").$LENGTH() != 1'"#),
        "{yaml}"
    );
    let sheet = std::fs::read_to_string(kit_dir(&dir).join("agent-studio-connector.md")).unwrap();
    assert!(
        sheet.contains("`$LENGTH()`, which the DSL pages we read do not document"),
        "{sheet}"
    );
    assert!(
        sheet.contains("How the DSL compares a number with text is not\ndocumented"),
        "{sheet}"
    );
}

/// The MCP server's tool runs the same pick: the named report's approval.
#[test]
fn the_mcp_tool_picks_the_approval_of_the_named_report() {
    let coupa = Coupa::start();
    let Some(run) = crate::mcp::stdio(
        &coupa,
        &["--use-case-file", FILE],
        serde_json::json!([
            {"call": "report_approval", "arguments": {"user_email": "alice@example.com", "report_id": 1002}},
        ]),
    ) else {
        return;
    };
    let result = &run.answers[0]["result"];
    assert_eq!(result["isError"], false, "{result}");
    assert_eq!(
        result["structuredContent"]["records"][0]["id"], 5002,
        "{result}"
    );
    picked_the_second(&coupa, "mcp");
}

/// Records whose picked key holds a list or an object, beside ones whose
/// key holds the value as text and as a number: every runner keeps only
/// the last two (JavaScript's `String([1002])` is "1002", so the scripts
/// test the type, as jq and verify do).
const MIXED: &str = r#"[
  {"approvable-id": [1002], "approvable-type": "ExpenseReport", "id": 1},
  {"approvable-id": {"id": 1002}, "approvable-type": "ExpenseReport", "id": 2},
  {"approvable-id": "1002", "approvable-type": "ExpenseReport", "id": 4},
  {"approvable-id": 1002, "approvable-type": "ExpenseReport", "id": 5}
]"#;

#[test]
fn every_script_picks_scalars_only() {
    let (Some(node), Some(jq)) = (crate::support::tools::NODE.find(), JQ.find()) else {
        return;
    };
    let answer = std::fs::read_to_string("templates/js/answer.js").unwrap();
    let program = format!(
        "{answer}\nconst pick = [{{key: 'approvable-id', is: '1002'}}];\n\
         console.log(JSON.stringify(picked({MIXED}, pick, () => undefined).map((r) => r.id)));"
    );
    let out = Command::new(node).arg("-e").arg(&program).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "[4,5]", "the JavaScript runners");

    // The check script's own jq line for the capture that picks.
    let coupa = Coupa::start();
    let dir = kit(&coupa);
    let script = std::fs::read_to_string(kit_dir(&dir).join("coupa-check.sh")).unwrap();
    let line = script
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("captured_approval_id=$(jq"))
        .expect("the check script picks with jq");
    let tmp = tempfile::tempdir().unwrap();
    let file = line
        .rsplit_once("\"$tmp/")
        .and_then(|(_, f)| f.split_once('"'))
        .expect("the answer's file")
        .0;
    std::fs::write(tmp.path().join(file), MIXED).unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -eu; {line}; printf %s \"$captured_approval_id\""
        ))
        .env("tmp", tmp.path())
        .env("COUPA_REPORT_ID", "1002")
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", jq.parent().unwrap().display()),
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{line}\n{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "4",
        "the check script: the first kept record's id"
    );
}
