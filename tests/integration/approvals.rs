//! The approval use cases issue 24 ends with, in every runner against the
//! loopback Coupa: `my-approvals-history` under user consent (the person's
//! own decided approvals, filtered, sorted and 50 a page), and the ambient
//! `requisition-approval-agent` (poll since a watermark, the approval still
//! pending, the requisition and its last comment, then approve or send
//! back, only when writes are allowed).

use std::process::Command;

use crate::support::browser;
use crate::support::coupa::{Behaviour, Coupa, Recorded, CALLBACK};
use crate::support::tools::{BRU, CURL, HTTPYAC, JQ, NEWMAN};
use crate::support::{newman, runners, stderr, stdout};

// ------------------------------------------------- my-approvals-history

const HISTORY: &str = "my-approvals-history";

const HISTORY_INPUTS: &[(&str, &str)] = &[
    ("approvable_type", "ExpenseReport"),
    ("start_date", "2024-01-01"),
    ("end_date", "2024-12-31"),
];

/// The query Coupa must hear: the history filters, newest first, 50 a page.
const HISTORY_QUERY: &[(&str, &str)] = &[
    ("status[in]", "approved,rejected"),
    ("approvable-type", "ExpenseReport"),
    ("created-at[gt_or_eq]", "2024-01-01T00:00:00Z"),
    ("created-at[lt_or_eq]", "2024-12-31T23:59:59Z"),
    ("order_by", "created-at"),
    ("dir", "desc"),
    ("limit", "50"),
];

/// A consent Coupa, a kit of the history for it, and alice's refresh token.
fn consented() -> (Coupa, tempfile::TempDir, String) {
    let coupa = Coupa::with(Behaviour::consent(&[CALLBACK]));
    let kit = crate::consent::kit(&coupa, CALLBACK, &["--use-case", HISTORY]);
    let refresh = browser::refresh_token(&coupa, &browser::allowed_code(&coupa, "h1"), CALLBACK);
    coupa.clear();
    (coupa, kit, refresh)
}

/// The one history call the runner sent: the person's token, every filter.
fn heard_history(coupa: &Coupa, runner: &str) {
    let calls: Vec<Recorded> = coupa
        .requests()
        .into_iter()
        .filter(|r| r.path == "/api/approvals")
        .collect();
    assert_eq!(calls.len(), 1, "{runner}: {:?}", coupa.api_calls());
    let call = &calls[0];
    assert!(call.header("authorization").is_some(), "{runner}");
    for (k, v) in HISTORY_QUERY {
        assert!(
            call.query.iter().any(|(qk, qv)| qk == k && qv == v),
            "{runner}: {k}={v} in {:?}",
            call.query
        );
    }
    let tokens: Vec<_> = coupa
        .requests()
        .into_iter()
        .filter(|r| r.path == "/oauth2/token")
        .collect();
    assert!(
        tokens
            .iter()
            .all(|t| t.form()[0] == ("grant_type".into(), "refresh_token".into())),
        "{runner}: the refresh token, no consent"
    );
}

#[test]
fn verify_lists_only_the_persons_decided_approvals() {
    let (coupa, _kit, refresh) = consented();
    let mut extra = vec!["--use-case".to_string(), HISTORY.to_string()];
    for (k, v) in HISTORY_INPUTS {
        extra.extend(["--input".to_string(), format!("{k}={v}")]);
    }
    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
    let out = crate::consent::verify(
        &coupa,
        CALLBACK,
        &extra,
        &[("COUPA_REFRESH_TOKEN", &refresh)],
    )
    .output()
    .unwrap();
    let report = stdout(&out);
    assert!(out.status.success(), "{report}\n{}", stderr(&out));
    // alice decided 5003; bob's rejected 5106 is not hers to see.
    assert!(
        report.contains(
            r#"1 ExpenseReport approvals decided from 2024-01-01 to 2024-12-31: 5003 "approved""#
        ),
        "{report}"
    );
    assert!(!report.contains("5106"), "{report}");
    heard_history(&coupa, "verify");
}

#[test]
fn newman_reads_the_history_as_the_person() {
    let Some(_) = NEWMAN.find() else { return };
    let (coupa, kit, refresh) = consented();
    let b = coupa.behaviour().clone();
    let vars = [HISTORY_INPUTS, &[("refresh_token", refresh.as_str())]].concat();
    let out = newman::run(
        &coupa,
        kit.path(),
        &b.client_id,
        &b.client_secret,
        &newman::args(None, &vars),
    );
    assert!(out.status.success(), "{}", newman::report(&out));
    heard_history(&coupa, "newman");
}

#[test]
fn check_script_reads_the_history_as_the_person() {
    let (Some(_), Some(_)) = (CURL.find(), JQ.find()) else {
        return;
    };
    let (coupa, kit, refresh) = consented();
    let env: Vec<(String, String)> = HISTORY_INPUTS
        .iter()
        .map(|(k, v)| (format!("COUPA_{}", k.to_uppercase()), v.to_string()))
        .chain([("COUPA_REFRESH_TOKEN".into(), refresh.clone())])
        .collect();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let out = crate::consent::script(&coupa, kit.path(), &env)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"id\":5003"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("5106"), "{}", stdout(&out));
    heard_history(&coupa, "check script");
}

#[test]
fn bru_reads_the_history_as_the_person() {
    let Some(_) = BRU.find() else { return };
    let (coupa, kit, refresh) = consented();
    let b = coupa.behaviour().clone();
    let mut cmd = Command::new(BRU.path());
    cmd.args(["run", "-r", "--env", "coupa", "--cacert"])
        .arg(&coupa.ca_file)
        .current_dir(kit.path().join("bruno"))
        .env("COUPA_CLIENT_ID", &b.client_id)
        .env("COUPA_CLIENT_SECRET", &b.client_secret)
        .env("COUPA_REFRESH_TOKEN", &refresh);
    for (k, v) in HISTORY_INPUTS {
        cmd.args(["--env-var", &format!("{k}={v}")]);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    heard_history(&coupa, "bru");
}

#[test]
fn httpyac_reads_the_history_as_the_person() {
    let Some(_) = HTTPYAC.find() else { return };
    let (coupa, kit, refresh) = consented();
    let b = coupa.behaviour().clone();
    let env = [
        ("COUPA_CLIENT_ID", b.client_id.as_str()),
        ("COUPA_CLIENT_SECRET", b.client_secret.as_str()),
        ("COUPA_REFRESH_TOKEN", refresh.as_str()),
    ];
    let vars: Vec<String> = HISTORY_INPUTS
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let vars: Vec<&str> = vars.iter().map(String::as_str).collect();
    crate::http::send(&coupa, kit.path(), &env, &vars).assert_all_passed();
    heard_history(&coupa, "httpyac");
}

// -------------------------------------------- requisition-approval-agent

const AGENT: &str = "requisition-approval-agent";
/// A reason with what a query value must carry exactly (no `{{`: Bruno and
/// httpyac expand it in a given value).
const REASON: &str = "bob@example.com: budget & \"Q3\" 100% ok";

const AGENT_INPUTS: &[(&str, &str)] = &[
    ("last_poll", "2024-01-31T00:00:00Z"),
    ("requisition_approval_id", "5101"),
    ("decision", "approve"),
    ("reason", REASON),
];

fn agent_kit(coupa: &Coupa) -> tempfile::TempDir {
    runners::bundle(coupa, AGENT)
}

/// What the agent reads before it decides: the poll from the watermark,
/// the approval, the requisition, its newest comment.
fn heard_the_reads(coupa: &Coupa, runner: &str) {
    let log = coupa.requests();
    let find = |path: &str| {
        log.iter()
            .find(|r| r.method == "GET" && r.path == path)
            .unwrap_or_else(|| panic!("{runner}: GET {path} in {:?}", coupa.api_calls()))
    };
    let has = |r: &Recorded, k: &str, v: &str| r.query.iter().any(|(a, b)| a == k && b == v);
    let poll = find("/api/approvals");
    for (k, v) in [
        ("status", "pending_approval"),
        ("approvable-type", "RequisitionHeader"),
        ("updated-at[gt]", "2024-01-31T00:00:00Z"),
        ("limit", "50"),
    ] {
        assert!(has(poll, k, v), "{runner}: {k}={v} in {:?}", poll.query);
    }
    find("/api/approvals/5101");
    find("/api/requisitions/3002");
    let comments = find("/api/requisitions/3002/comments");
    for (k, v) in [("order_by", "created-at"), ("dir", "desc"), ("limit", "1")] {
        assert!(
            has(comments, k, v),
            "{runner}: {k}={v} in {:?}",
            comments.query
        );
    }
}

fn not_decided(coupa: &Coupa, runner: &str) {
    assert!(
        coupa.requests().iter().all(|r| r.method != "PUT"),
        "{runner}: nothing is decided without writes allowed: {:?}",
        coupa.api_calls()
    );
    assert_eq!(
        coupa.record("approvals", 5101).unwrap()["status"],
        "pending_approval"
    );
}

fn decided(coupa: &Coupa, runner: &str) {
    heard_the_reads(coupa, runner);
    let approval = coupa.record("approvals", 5101).unwrap();
    assert_eq!(approval["status"], "approved", "{runner}");
    assert_eq!(approval["reason"], REASON, "{runner}: the reason exact");
}

#[test]
fn verify_polls_reads_the_card_and_approves_only_when_allowed_then_the_guard_holds() {
    let coupa = Coupa::start();
    let out = runners::verify(&coupa, AGENT, AGENT_INPUTS, &[]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    not_decided(&coupa, "verify");

    let out = runners::verify(&coupa, AGENT, AGENT_INPUTS, &["--allow-writes"]);
    let report = stdout(&out);
    assert!(out.status.success(), "{report}\n{}", stderr(&out));
    for said in [
        r#"2 requisition approvals pending and changed since 2024-01-31T00:00:00Z: 5101 "2024-02-01T09:00:00Z", 5004 "2024-02-04T09:00:00Z""#,
        "approval 5101 is pending_approval, for requisition 3002",
        "requisition 3002: Standing desks",
        r#"1 last comments on requisition 3002: 9502 "Budget code 42, please""#,
        "approval 5101: approve sent",
    ] {
        assert!(report.contains(said), "{said:?} in\n{report}");
    }
    decided(&coupa, "verify");

    // Decided once: the guard stops the second decision before the PUT.
    coupa.clear();
    let out = runners::verify(&coupa, AGENT, AGENT_INPUTS, &["--allow-writes"]);
    let report = stdout(&out);
    assert!(
        report.contains("stopped: approval 5101 is no longer pending"),
        "{report}"
    );
    assert!(coupa.requests().iter().all(|r| r.method != "PUT"));
}

#[test]
fn newman_approves_the_polled_requisition_only_when_writes_are_allowed() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = Coupa::start();
    let kit = agent_kit(&coupa);
    let (ok, report) = runners::newman(&coupa, kit.path(), None, AGENT_INPUTS);
    assert!(ok, "{report}");
    not_decided(&coupa, "newman");
    let allowed = [AGENT_INPUTS, &[("allow_writes", "true")]].concat();
    let (ok, report) = runners::newman(&coupa, kit.path(), None, &allowed);
    assert!(ok, "{report}");
    decided(&coupa, "newman");
}

#[test]
fn check_script_approves_the_polled_requisition_only_when_writes_are_allowed() {
    let (Some(_), Some(_)) = (CURL.find(), JQ.find()) else {
        return;
    };
    let coupa = Coupa::start();
    let kit = agent_kit(&coupa);
    let out = runners::check_script(&coupa, kit.path(), AGENT_INPUTS, false);
    assert!(out.status.success(), "{}", stderr(&out));
    not_decided(&coupa, "check script");
    let out = runners::check_script(&coupa, kit.path(), AGENT_INPUTS, true);
    assert!(out.status.success(), "{}", stderr(&out));
    decided(&coupa, "check script");
}

#[test]
fn bru_approves_the_polled_requisition_only_when_writes_are_allowed() {
    let Some(_) = BRU.find() else { return };
    let coupa = Coupa::start();
    let kit = agent_kit(&coupa);
    let out = runners::bru(&coupa, kit.path(), AGENT_INPUTS);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    not_decided(&coupa, "bru");
    let allowed = [AGENT_INPUTS, &[("allow_writes", "true")]].concat();
    let out = runners::bru(&coupa, kit.path(), &allowed);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    decided(&coupa, "bru");
}

#[test]
fn httpyac_approves_the_polled_requisition_only_when_writes_are_allowed() {
    let Some(_) = HTTPYAC.find() else { return };
    let coupa = Coupa::start();
    let kit = agent_kit(&coupa);
    crate::http::send_as_client(&coupa, kit.path(), AGENT_INPUTS).assert_all_passed();
    not_decided(&coupa, "httpyac");
    let allowed = [AGENT_INPUTS, &[("allow_writes", "true")]].concat();
    crate::http::send_as_client(&coupa, kit.path(), &allowed).assert_all_passed();
    decided(&coupa, "httpyac");
}

/// The sheet tells a builder how the agent runs unattended: scheduled from
/// a system plugin, and what the watermark is.
#[test]
fn the_agents_sheet_says_how_to_schedule_it_and_what_the_watermark_is() {
    let coupa = Coupa::start();
    let kit = agent_kit(&coupa);
    let sheet = std::fs::read_to_string(kit.path().join("agent-studio-connector.md")).unwrap();
    for said in [
        "system plugin with a scheduled (polling) trigger",
        "The polling watermark is last_poll",
        "updated-at[gt]",
    ] {
        assert!(sheet.contains(said), "{said:?} in the sheet");
    }
}
