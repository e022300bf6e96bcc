//! Use cases in every real client against the loopback Coupa's records:
//! newman runs each use case's folder and the chain shows in what the
//! stand-in heard; writes happen only when allowed; the check script runs
//! them with bash, curl and jq; every compound action's YAML parses and names
//! the sheet's own actions and inputs; verify says what each step carried
//! forward and diagnoses each way a use case ends.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::support::coupa::{Behaviour, Coupa, Recorded};
use crate::support::newman;
use crate::support::records::person;
use crate::support::tools::{CURL, JQ, NEWMAN};
use crate::support::{bin, run, stderr, stdout};

const READ_ONLY: &[&str] = &[
    "pending-expense-approvals",
    "my-expense-reports",
    "my-requisitions",
    "pending-requisition-approvals",
    "my-purchase-orders",
    "supplier-status",
    "expense-policy-violations",
];

/// A hostile reason: every quoting layer meets something it must escape.
const REASON: &str = "alice@example.com: OK & \"fine\" 'here' 100% {{x}} é";

fn bundle(coupa: &Coupa, use_cases: &[&str], extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let domain = coupa.domain();
    let joined = use_cases.join(",");
    let mut args = vec!["bundle", "--domain", &domain, "--use-case", &joined];
    args.extend_from_slice(extra);
    args.extend(["--out", dir.path().to_str().unwrap()]);
    let out = run(&args);
    assert!(out.status.success(), "bundle failed: {}", stderr(&out));
    dir
}

/// newman on one folder, the environment filled, `vars` as --env-var.
fn newman(coupa: &Coupa, kit: &Path, folder: &str, vars: &[(&str, &str)]) -> (bool, String) {
    let b = coupa.behaviour();
    let args = newman::args(Some(folder), vars);
    let out = newman::run(coupa, kit, &b.client_id, &b.client_secret, &args);
    (out.status.success(), newman::report(&out))
}

/// The API calls the stand-in heard, as `METHOD path?decoded query`.
fn calls(log: &[Recorded]) -> Vec<String> {
    log.iter()
        .filter(|r| r.path.starts_with("/api/"))
        .map(|r| {
            let q: Vec<String> = r
                .query
                .iter()
                .filter(|(k, _)| k != "fields")
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            format!("{} {}?{}", r.method, r.path, q.join("&"))
        })
        .collect()
}

const ALICE: &str = "alice@example.com";

#[test]
fn newman_runs_each_read_only_use_case_and_the_chain_shows_in_what_coupa_heard() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = Coupa::start();
    let kit = bundle(&coupa, READ_ONLY, &[]);
    let alice = person("alice").id;
    let vars = [
        ("user_email", ALICE),
        ("supplier_name", "acme"),
        ("start_date", "2024-01-01"),
        ("end_date", "2024-01-31"),
    ];
    let expected: &[(&str, Vec<String>)] = &[
        (
            "Look Up Expense Reports Pending My Approval",
            vec![
                format!("GET /api/users?email={ALICE}"),
                format!("GET /api/approvals?status=pending_approval&approvable-type=ExpenseReport&approver-id={alice}"),
                "GET /api/expense_reports/1001?".into(),
            ],
        ),
        (
            "Look Up Purchase Requisitions Pending My Approval",
            vec![
                format!("GET /api/users?email={ALICE}"),
                format!("GET /api/approvals?status=pending_approval&approvable-type=RequisitionHeader&approver-id={alice}"),
                "GET /api/requisitions/3001?".into(),
            ],
        ),
        (
            "Look Up My Expense Report Details",
            vec![format!("GET /api/expense_reports?expensed-by[email]={ALICE}")],
        ),
        (
            "Look Up My Purchase Requisitions Details",
            vec![format!("GET /api/requisitions?requested-by[email]={ALICE}")],
        ),
        (
            "Look Up My Purchase Orders",
            vec![format!("GET /api/purchase_orders?ship-to-user[email]={ALICE}")],
        ),
        (
            "Identify Vendor Onboarding Status",
            vec!["GET /api/suppliers?name[contains]=acme".into()],
        ),
        (
            "Look Up Expense Policy Violations",
            vec!["GET /api/expense_reports?created-at[gt_or_eq]=2024-01-01T00:00:00Z&created-at[lt_or_eq]=2024-01-31T23:59:59Z&limit=50".into()],
        ),
    ];
    for (folder, chain) in expected {
        coupa.clear();
        let (ok, report) = newman(&coupa, kit.path(), folder, &vars);
        assert!(ok, "{folder}:\n{report}");
        assert_eq!(&calls(&coupa.requests()), chain, "{folder}:\n{report}");
    }
}

#[test]
fn a_chain_that_finds_nothing_skips_the_rest_and_says_so() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = Coupa::start();
    let kit = bundle(&coupa, &["pending-expense-approvals"], &[]);
    let (ok, report) = newman(
        &coupa,
        kit.path(),
        "Look Up Expense Reports Pending My Approval",
        &[("user_email", "carol@example.com")],
    );
    assert!(ok, "{report}");
    assert!(
        report.contains("nothing is pending for carol@example.com"),
        "{report}"
    );
    assert!(
        report.contains("Skipped \"Get expense report\""),
        "{report}"
    );
    assert_eq!(calls(&coupa.requests()).len(), 2, "no report fetched");

    // Nobody with that email: not an error to Coupa, a failure of the use case.
    let (ok, report) = newman(
        &coupa,
        kit.path(),
        "Look Up Expense Reports Pending My Approval",
        &[("user_email", "nobody@example.com")],
    );
    assert!(!ok, "{report}");
    assert!(
        report.contains("no Coupa user has the email nobody@example.com"),
        "{report}"
    );
}

#[test]
fn newman_approves_only_when_writes_are_allowed_and_the_reason_arrives_exactly() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = Coupa::start();
    let kit = bundle(&coupa, &["approve-expense-report"], &[]);
    let folder = "Approve or Reject an Expense Report";
    let vars = [
        ("approval_id", "5001"),
        ("decision", "approve"),
        ("reason", REASON),
    ];
    let (ok, report) = newman(&coupa, kit.path(), folder, &vars);
    assert!(ok, "{report}");
    assert!(report.contains("it changes Coupa data; set"), "{report}");
    assert!(
        coupa.requests().iter().all(|r| r.method != "PUT"),
        "nothing changed"
    );
    assert_eq!(
        coupa.record("approvals", 5001).unwrap()["status"],
        "pending_approval"
    );

    let allowed = [&vars[..], &[("allow_writes", "true")]].concat();
    let (ok, report) = newman(&coupa, kit.path(), folder, &allowed);
    assert!(ok, "{report}");
    let put = coupa
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT")
        .expect("the approval");
    assert_eq!(put.path, "/api/approvals/5001/approve");
    assert_eq!(put.query, [("reason".to_string(), REASON.to_string())]);
    let approval = coupa.record("approvals", 5001).unwrap();
    assert_eq!(
        (approval["status"].as_str(), approval["reason"].as_str()),
        (Some("approved"), Some(REASON))
    );

    // Again: no longer pending, so the guard stops the chain before the PUT,
    // and the test results say why.
    coupa.clear();
    let (ok, report) = newman(&coupa, kit.path(), folder, &allowed);
    assert!(ok, "{report}");
    assert!(
        report.contains("stopped: approval 5001 is no longer pending: it is not decided again (approval_status is \"approved\", not pending_approval)"),
        "{report}"
    );
    assert!(
        coupa.requests().iter().all(|r| r.method != "PUT"),
        "the guard held"
    );
}

// ---------------------------------------------------------------- script

fn script(coupa: &Coupa, kit: &Path, vars: &[(&str, &str)]) -> Output {
    Command::new("bash")
        .arg(kit.join("coupa-check.sh"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("CURL_CA_BUNDLE", &coupa.ca_file)
        .env("COUPA_CLIENT_ID", &coupa.behaviour().client_id)
        .env("COUPA_CLIENT_SECRET", &coupa.behaviour().client_secret)
        .envs(vars.iter().copied())
        .output()
        .unwrap()
}

#[test]
fn check_script_runs_the_read_only_use_cases_end_to_end() {
    let (Some(_), Some(_)) = (CURL.find(), JQ.find()) else {
        return;
    };
    let coupa = Coupa::start();
    let kit = bundle(
        &coupa,
        &[
            "pending-expense-approvals",
            "supplier-status",
            "approve-expense-report",
        ],
        &[],
    );
    let out = script(
        &coupa,
        kit.path(),
        &[("COUPA_USER_EMAIL", ALICE), ("COUPA_SUPPLIER_NAME", "acme")],
    );
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(stdout(&out).contains("Berlin offsite"), "{}", stdout(&out));
    assert!(
        err.contains("skipped: it changes Coupa data; set COUPA_ALLOW_WRITES=1"),
        "{err}"
    );
    let heard = calls(&coupa.requests());
    assert!(
        heard.contains(&"GET /api/expense_reports/1001?".to_string()),
        "{heard:?}"
    );
    assert!(heard.iter().all(|c| !c.starts_with("PUT")), "{heard:?}");
    assert!(err.trim_end().ends_with("All 5 requests passed."), "{err}");

    // A missing input is named, before any request.
    coupa.clear();
    let out = script(&coupa, kit.path(), &[("COUPA_USER_EMAIL", ALICE)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("COUPA_SUPPLIER_NAME is not set"),
        "{}",
        stderr(&out)
    );
    assert!(coupa.requests().is_empty());

    // Writes, allowed: the approval is decided with the reason intact.
    let decide = |decision: &str| {
        script(
            &coupa,
            kit.path(),
            &[
                ("COUPA_USER_EMAIL", ALICE),
                ("COUPA_SUPPLIER_NAME", "acme"),
                ("COUPA_ALLOW_WRITES", "1"),
                ("COUPA_APPROVAL_ID", "5002"),
                ("COUPA_DECISION", decision),
                ("COUPA_REASON", REASON),
            ],
        )
    };
    let out = decide("reject");
    assert!(out.status.success(), "{}", stderr(&out));
    let approval = coupa.record("approvals", 5002).unwrap();
    assert_eq!(
        (approval["status"].as_str(), approval["reason"].as_str()),
        (Some("rejected"), Some(REASON))
    );

    // Again: no longer pending, so the guard stops the use case before the PUT.
    coupa.clear();
    let out = decide("approve");
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("stopped: approval 5002 is no longer pending: it is not decided again (approval_status is rejected, not pending_approval)"),
        "{err}"
    );
    assert!(
        calls(&coupa.requests())
            .iter()
            .all(|c| !c.starts_with("PUT")),
        "the guard held"
    );
}

// ------------------------------------------------------ compound actions

/// The compound action's YAML, parsed as YAML.
fn parse_yaml(text: &str) -> yaml_rust2::Yaml {
    let mut docs = yaml_rust2::YamlLoader::load_from_str(text).expect("the YAML parses");
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

/// Every compound action of every built-in use case parses, and each
/// action_name and input it names is an HTTP action and input arg of the
/// same sheet; each reference is the person, an input, or an earlier output.
#[test]
fn every_compound_action_parses_and_names_the_sheets_own_actions_and_inputs() {
    let all: Vec<String> = coupagen::usecase::built_in()
        .into_iter()
        .map(|u| u.id)
        .collect();
    let spec = crate::support::spec(&[
        "--domain",
        "acme.coupahost.com",
        "--use-case",
        &all.join(","),
    ]);
    let sheet: serde_json::Value =
        serde_json::from_str(&crate::support::artifact(&spec, crate::support::SHEET_JSON)).unwrap();
    let kit = coupagen::kit::plan(&spec);
    let files =
        coupagen::render::bundle(&kit, coupagen::input::Inputs::default().to_config()).unwrap();
    for uc in sheet["use_cases"].as_array().unwrap() {
        let compound = &uc["compound_action"];
        let text = compound["yaml"].as_str().unwrap();
        let file = files
            .iter()
            .find(|f| f.path == compound["file"].as_str().unwrap())
            .expect("the bundle writes it");
        assert_eq!(file.text, text);
        let yaml = parse_yaml(text);
        let inputs: Vec<&str> = compound["input_args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        let mut outputs: Vec<String> = Vec::new();
        let steps = yaml["steps"].as_vec().expect("steps");
        for step in steps {
            if let Some(ret) = step["return"].as_hash() {
                let mapper = ret[&yaml_rust2::Yaml::from_str("output_mapper")]
                    .as_hash()
                    .unwrap();
                for (_, v) in mapper {
                    let v = v.as_str().unwrap();
                    assert!(outputs.iter().any(|o| v == format!("data.{o}")), "{v}");
                }
                continue;
            }
            if let Some(switch) = step["switch"].as_hash() {
                // A guard: one case, on an earlier output, that raises.
                let cases = switch[&yaml_rust2::Yaml::from_str("cases")]
                    .as_vec()
                    .unwrap();
                assert_eq!(cases.len(), 1, "{switch:?}");
                let condition = cases[0]["condition"].as_str().unwrap();
                assert!(
                    outputs
                        .iter()
                        .any(|o| condition.starts_with(&format!("data.{o}."))),
                    "{condition} tests an earlier output"
                );
                assert!(condition.contains(" != \""), "{condition}");
                let raise = &cases[0]["steps"][0]["raise"];
                assert!(
                    raise["message"].as_str().unwrap().starts_with("stopped: "),
                    "{raise:?}"
                );
                assert!(raise["output_key"].as_str().is_some(), "{raise:?}");
                continue;
            }
            let action = &step["action"];
            let name = action["action_name"].as_str().unwrap();
            let http = uc["actions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["action_name"] == name);
            let http = http.unwrap_or_else(|| panic!("{name} is not an action of the sheet"));
            let args: Vec<&str> = http["input_args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["name"].as_str().unwrap())
                .collect();
            let given = action["input_args"].as_hash().cloned().unwrap_or_default();
            assert_eq!(given.len(), args.len(), "{name}: every input arg given");
            for (k, v) in given {
                let (k, v) = (
                    k.as_str().unwrap().to_string(),
                    v.as_str().unwrap().to_string(),
                );
                assert!(args.contains(&k.as_str()), "{name}: {k} is an input arg");
                let ok = v == "meta_info.user.email_addr"
                    || inputs.iter().any(|i| v == format!("data.{i}"))
                    || outputs.iter().any(|o| {
                        v.starts_with(&format!("data.{o}[")) || v.starts_with(&format!("data.{o}."))
                    });
                assert!(ok, "{name}: {k}: {v} refers to nothing before it");
            }
            outputs.push(action["output_key"].as_str().unwrap().to_string());
        }
    }
}

// ----------------------------------------------------------------- verify

pub(crate) fn verify(coupa: &Coupa, use_cases: &str, extra: &[&str]) -> Output {
    Command::new(bin())
        .args([
            "verify",
            "--domain",
            &coupa.domain(),
            "--timeout",
            "5",
            "--use-case",
            use_cases,
        ])
        .args(extra)
        .env_clear()
        .env("COUPA_CLIENT_ID", &coupa.behaviour().client_id)
        .env("COUPA_CLIENT_SECRET", &coupa.behaviour().client_secret)
        .env("SSL_CERT_FILE", &coupa.ca_file)
        .output()
        .unwrap()
}

#[test]
fn verify_says_what_each_step_carried_forward() {
    let coupa = Coupa::start();
    let out = verify(
        &coupa,
        "pending-expense-approvals",
        &["--input", "user_email=alice@example.com"],
    );
    let report = stdout(&out);
    assert!(out.status.success(), "{report}\n{}", stderr(&out));
    for said in [
        "alice@example.com is Coupa user 101",
        // Which ones, so the person can pick one to approve.
        "2 expense-report approvals pending: 5001, 5002\n",
        "expense report 1001: Berlin offsite",
    ] {
        assert!(report.contains(said), "{said:?} in\n{report}");
    }
    let out = verify(
        &coupa,
        "pending-expense-approvals",
        &["--input", "user_email=alice@example.com", "--json"],
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let said: Vec<&str> = json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["said"].as_str())
        .collect();
    assert_eq!(said.len(), 3, "{json}");
    assert_eq!(
        json["steps"][3]["found"],
        serde_json::json!([{"id": "5001"}, {"id": "5002"}]),
        "{json}"
    );

    // With a title, and both in --json.
    let out = verify(
        &coupa,
        "supplier-status",
        &["--input", "supplier_name=acme", "--json"],
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let step = &json["steps"][2];
    assert_eq!(
        step["found"],
        serde_json::json!([
            {"id": "6001", "title": "Acme Corp"},
            {"id": "6002", "title": "Acme Labs"}
        ]),
        "{json}"
    );
    assert_eq!(step["records"], 2, "{json}");
    assert!(
        step["said"]
            .as_str()
            .unwrap()
            .ends_with(r#": 6001 "Acme Corp", 6002 "Acme Labs""#),
        "{json}"
    );
}

/// (what, which Coupa, use case, arguments, exit status, what the report says)
type Ending<'a> = (&'a str, &'a Coupa, &'a str, Vec<&'a str>, i32, &'a str);

/// Each way a use case ends, and what verify says of it.
#[test]
fn verify_diagnoses_each_way_a_use_case_ends() {
    let healthy = Coupa::start();
    let no_write = Coupa::with(Behaviour {
        granted: vec!["core.approval.read".into(), "core.expense.read".into()],
        narrow_scopes: true,
        ..Behaviour::default()
    });
    let approve = |id: &'static str| -> Vec<&'static str> {
        vec![
            "--input",
            Box::leak(format!("approval_id={id}").into_boxed_str()),
            "--input",
            "decision=approve",
            "--input",
            "reason=ok",
            "--allow-writes",
        ]
    };
    let cases: Vec<Ending<'_>> = vec![
        (
            "no Coupa user with that email",
            &healthy,
            "pending-expense-approvals",
            vec!["--input", "user_email=nobody@example.com"],
            1,
            "no Coupa user has the email nobody@example.com",
        ),
        (
            "nothing pending: fine, and said",
            &healthy,
            "pending-expense-approvals",
            vec!["--input", "user_email=carol@example.com"],
            0,
            "nothing is pending for carol@example.com",
        ),
        (
            "an unknown id",
            &healthy,
            "approve-expense-report",
            approve("9999"),
            1,
            "Coupa has no record at /api/approvals/9999 (404)",
        ),
        (
            "no longer pending: the guard stops the write, and says what it saw",
            &healthy,
            "approve-expense-report",
            approve("5003"),
            0,
            "stopped: approval 5003 is no longer pending: it is not decided again (approval_status is \"approved\", not pending_approval)",
        ),
        (
            "a write without its scope",
            &no_write,
            "approve-expense-report",
            approve("5001"),
            1,
            "core.approval.write",
        ),
        (
            "a write without --allow-writes",
            &healthy,
            "approve-expense-report",
            vec!["--input", "approval_id=5001"],
            0,
            "it changes Coupa data; --allow-writes runs it",
        ),
    ];
    for (what, coupa, uc, args, code, expected) in cases {
        let out = verify(coupa, uc, &args);
        let report = stdout(&out);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{what}:\n{report}\n{}",
            stderr(&out)
        );
        assert!(
            report.contains(expected),
            "{what}: {expected:?} in\n{report}"
        );
    }
    assert_eq!(
        healthy.record("approvals", 5001).unwrap()["status"],
        "pending_approval"
    );
    let puts: Vec<String> = calls(&healthy.requests())
        .into_iter()
        .filter(|c| c.starts_with("PUT"))
        .collect();
    assert!(puts.is_empty(), "nothing is decided: {puts:?}");
}

#[test]
fn verify_refuses_bad_inputs_before_sending_anything() {
    let coupa = Coupa::start();
    let cases: &[(&[&str], &str)] = &[
        (
            &[],
            "--input user_email is missing: the use case pending-expense-approvals needs it",
        ),
        (
            &["--input", "user_email=not-an-email"],
            "user_email is email",
        ),
        (
            &["--input", "user_email=a@b.co", "--input", "colour=red"],
            "--input 'colour': no use case of this kit takes it",
        ),
        (&["--input", "user_email"], "give NAME=VALUE"),
        // Was sent as " alice@..." and failed as "no Coupa user has the email".
        (
            &["--input", "user_email= alice@example.com"],
            "user_email has surrounding whitespace (a pasted space or newline); give it without, e.g. --input user_email=alice@example.com",
        ),
    ];
    for (args, expected) in cases {
        let out = verify(&coupa, "pending-expense-approvals", args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = verify(
        &coupa,
        "approve-expense-report",
        &[
            "--input",
            "approval_id=1",
            "--input",
            "decision=maybe",
            "--input",
            "reason=x",
            "--allow-writes",
        ],
    );
    assert!(
        stderr(&out).contains("give one of: approve, reject"),
        "{}",
        stderr(&out)
    );
    assert!(coupa.requests().is_empty(), "nothing sent");
}

// ----------------------------------------------------- your own use cases

/// A use-case file of one use case: a supplier found by its number.
pub(crate) const SUPPLIER_BY_NUMBER: &str = r#"{"use_cases": [{
            "id": "supplier-by-number",
            "name": "Find a supplier by number",
            "description": "Looks a supplier up by its number.",
            "inputs": [{"name": "supplier_number", "type": "string", "description": "The supplier number", "example": "S-1", "from": "said"}],
            "requests": [{
                "name": "Get supplier by number",
                "description": "Lists the suppliers with that number.",
                "path": "/api/suppliers",
                "query": {"number": "{{supplier_number}}"},
                "scope": "core.supplier.read",
                "captures": [{"name": "supplier_id", "path": "0.id", "type": "integer", "description": "The supplier's id", "example": "6001", "if_none": "no supplier has the number {{supplier_number}}", "none_fails": true}],
                "says": "supplier {{supplier_number}} is {{supplier_id}}"
            }]
        }]}"#;

/// A person's own use case file drives the same artifacts and verify.
#[test]
fn a_use_case_file_drives_every_artifact_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.json");
    fs::write(&file, SUPPLIER_BY_NUMBER).unwrap();
    let coupa = Coupa::start();
    let domain = coupa.domain();
    let path = file.to_str().unwrap();
    let out = run(&["sheet", "--domain", &domain, "--use-case-file", path]);
    assert!(
        stdout(&out).contains("coupa_get_supplier_by_number"),
        "{}",
        stderr(&out)
    );
    let out = run(&["postman", "--domain", &domain, "--use-case-file", path]);
    let c: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(c["item"][1]["name"], "Find a supplier by number");
    let out = Command::new(bin())
        .args([
            "verify",
            "--domain",
            &domain,
            "--use-case-file",
            path,
            "--input",
            "supplier_number=S-1",
        ])
        .env_clear()
        .env("COUPA_CLIENT_ID", &coupa.behaviour().client_id)
        .env("COUPA_CLIENT_SECRET", &coupa.behaviour().client_secret)
        .env("SSL_CERT_FILE", &coupa.ca_file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("supplier S-1 is 6001"),
        "{}",
        stdout(&out)
    );

    // A bad file: exit 2, its line and column, nothing written.
    fs::write(&file, "{\"use_cases\": [\n  {\"id\": \"x\", \"nam\": 1}]}").unwrap();
    let out = run(&["sheet", "--domain", &domain, "--use-case-file", path]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!("--use-case-file '{path}': line 2, column")),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("unknown field `nam`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn use_cases_lists_them_and_unknown_ids_are_named() {
    let out = run(&["use-cases"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains("approve-expense-report") && text.contains("changes Coupa data: yes"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["use-cases", "--json"]))).unwrap();
    assert_eq!(json["use_cases"].as_array().unwrap().len(), 21);
    // The listing is itself in the use-case file format (as a file of one's
    // own, its ids would be refused: they are the built-in ones).
    let origin = coupagen::error::Origin::Flag("--use-case-file");
    assert!(coupagen::usecase::parse(&json.to_string(), origin, "all.json").is_ok());

    let out = run(&[
        "sheet",
        "--domain",
        "acme.coupahost.com",
        "--use-case",
        "pending-expense-approval",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean 'pending-expense-approvals'?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn scopes_come_from_every_request_write_scopes_included() {
    let spec = crate::support::spec(&[
        "--domain",
        "acme.coupahost.com",
        "--use-case",
        "pending-expense-approvals,approve-expense-report",
    ]);
    assert_eq!(
        spec.scope_list(),
        "core.approval.read core.approval.write core.expense.read core.user.read"
    );
    assert!(
        spec.resources.is_empty(),
        "use cases alone: no default resource"
    );
    let out = run(&[
        "sheet",
        "--domain",
        "acme.coupahost.com",
        "--use-case",
        "approve-expense-report",
        "--scope",
        "core.approval.read",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("needs the scope 'core.approval.write'"),
        "{}",
        stderr(&out)
    );
}

/// README's use-case table has a row for each built-in use case, in the
/// listing's order, each saying whether it changes data as the listing does.
#[test]
fn the_readme_table_lists_every_built_in_use_case_and_what_it_changes() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split_once("\n## Use cases\n")
        .and_then(|(_, rest)| rest.split_once("\n### "))
        .expect("README's Use cases section")
        .0;
    let rows: Vec<(&str, &str)> = section
        .lines()
        .filter_map(|l| {
            let id = l.strip_prefix("| `")?.split('`').next()?;
            let changes = l.trim_end_matches(" |").rsplit(" | ").next()?;
            Some((id, changes))
        })
        .filter(|(id, _)| coupagen::usecase::is_name(&id.replace('-', "_")))
        .collect();
    let built_in = coupagen::usecase::built_in();
    let ids: Vec<&str> = rows.iter().map(|(id, _)| *id).collect();
    let want: Vec<&str> = built_in.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, want);
    for (uc, (id, changes)) in built_in.iter().zip(&rows) {
        let writes = uc.requests.iter().any(|r| r.writes());
        assert_eq!(changes.starts_with("yes"), writes, "{id}: {changes}");
    }
}
