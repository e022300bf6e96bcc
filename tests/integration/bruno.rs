//! The Bruno collection in Bruno's own CLI, `bru run`, against the loopback
//! Coupa: the exact token form, the API calls with the token, a wrong secret
//! failing the run, and no token written into any file of the collection.
//! Bruno's own parser reads every `.bru` file, and writing it back gives the
//! same bytes: saving in the Bruno app changes nothing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::real_clients::assert_expenses_and_invoices_run;
use crate::support::coupa::Coupa;
use crate::support::tools::{BRU, BRUNO_LANG};
use crate::support::{run, stderr, stdout};

pub(crate) fn collection(coupa: &Coupa, extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let domain = coupa.domain();
    let out = dir.path().join("bruno");
    let mut args = vec!["bruno", "--domain", &domain, "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let done = run(&args);
    assert!(done.status.success(), "{}", stderr(&done));
    dir
}

/// `bru run -r --env coupa` in the collection's folder, the credentials in
/// the environment; the JSON report says how each request went.
pub(crate) fn bru_run(coupa: &Coupa, root: &Path, secret: &str) -> (Output, serde_json::Value) {
    let report = root.parent().unwrap().join("bru-report.json");
    let out = Command::new(BRU.path())
        .args(["run", "-r", "--env", "coupa", "--cacert"])
        .arg(&coupa.ca_file)
        .arg("--reporter-json")
        .arg(&report)
        .current_dir(root)
        .env("COUPA_CLIENT_ID", &coupa.behaviour().client_id)
        .env("COUPA_CLIENT_SECRET", secret)
        .output()
        .expect("bru runs");
    let json = fs::read_to_string(&report)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    (out, json)
}

#[test]
fn bru_runs_the_collection_and_no_file_keeps_the_token() {
    let Some(_) = BRU.find() else { return };
    let coupa = Coupa::start();
    let dir = collection(&coupa, &["--resource", "expense_reports,invoices"]);
    let root = dir.path().join("bruno");
    let b = coupa.behaviour().clone();
    let (out, _) = bru_run(&coupa, &root, &b.client_secret);
    assert!(
        out.status.success(),
        "bru run failed:\n{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let log = coupa.requests();
    assert_eq!(
        log[0].path, "/oauth2/token",
        "the token request runs first: {log:#?}"
    );
    assert_expenses_and_invoices_run(&coupa);
    let token = coupa.tokens().pop().unwrap();
    // After the run, no file of the collection holds the token.
    for entry in walk(&root) {
        let text = fs::read_to_string(&entry).unwrap_or_default();
        assert!(
            !text.contains(&token),
            "{} holds the token",
            entry.display()
        );
        assert!(
            !text.contains(&b.client_secret),
            "{} holds the secret",
            entry.display()
        );
    }

    let (out, _) = bru_run(&coupa, &root, "wrong");
    assert!(
        !out.status.success(),
        "a wrong secret fails the run:\n{}",
        stdout(&out)
    );
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

/// Bruno's own parser (shipped with its CLI) reads each file, and its
/// serializer writes it back byte for byte.
#[test]
fn every_bru_file_reads_back_through_brunos_own_parser_unchanged() {
    let Some(lang) = BRUNO_LANG.find() else {
        return;
    };
    let coupa = Coupa::start();
    for extra in [
        &[
            "--resource",
            "expense_reports,invoices",
            "--filter",
            "updated_at[gt]=2024-01-01T00:00:00+00:00",
            "--fields",
            r#"["id",{"supplier":["name"]}]"#,
        ][..],
        &[
            "--use-case",
            "pending-expense-approvals,approve-expense-report",
        ][..],
        &["--grant", "authorization-code", "--moveworks-org", "acme"][..],
    ] {
        let dir = collection(&coupa, extra);
        let root = dir.path().join("bruno");
        let script = r#"
const fs = require('fs');
const lang = require(process.argv[1]);
let bad = [];
for (const file of process.argv.slice(2)) {
  const text = fs.readFileSync(file, 'utf8');
  let back;
  if (file.includes('/environments/')) back = lang.envJsonToBruV2(lang.bruToEnvJsonV2(text));
  else if (file.endsWith('folder.bru')) back = lang.jsonToCollectionBru(lang.collectionBruToJson(text), true);
  else if (file.endsWith('collection.bru')) back = lang.jsonToCollectionBru(lang.collectionBruToJson(text));
  else back = lang.jsonToBruV2(lang.bruToJsonV2(text));
  if (back !== text) bad.push(file + '\n--- written\n' + text + '\n--- Bruno writes\n' + back);
}
if (bad.length) { console.error(bad.join('\n')); process.exit(1); }
"#;
        let files: Vec<PathBuf> = walk(&root)
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "bru"))
            .collect();
        assert!(files.len() >= 5);
        let out = Command::new("node")
            .arg("-e")
            .arg(script)
            .arg(&lang)
            .args(&files)
            .output()
            .unwrap();
        assert!(out.status.success(), "{extra:?}:\n{}", stderr(&out));
    }
}

/// A use case runs as a chain in `bru run`: the user found, their pending
/// approvals, the report behind the first; the approval is not touched
/// unless writes are allowed.
#[test]
fn bru_runs_a_use_case_chain_and_writes_only_when_allowed() {
    let Some(_) = BRU.find() else { return };
    let coupa = Coupa::start();
    let dir = collection(
        &coupa,
        &[
            "--use-case",
            "pending-expense-approvals,approve-expense-report",
        ],
    );
    let root = dir.path().join("bruno");
    let run = |extra: &[&str]| {
        Command::new(BRU.path())
            .args(["run", "-r", "--env", "coupa", "--cacert"])
            .arg(&coupa.ca_file)
            .args([
                "--env-var",
                "user_email=alice@example.com",
                "--env-var",
                "approval_id=5001",
            ])
            .args([
                "--env-var",
                "decision=approve",
                "--env-var",
                "reason=alice@example.com: fine & good",
            ])
            .args(extra)
            .current_dir(&root)
            .env("COUPA_CLIENT_ID", &coupa.behaviour().client_id)
            .env("COUPA_CLIENT_SECRET", &coupa.behaviour().client_secret)
            .output()
            .unwrap()
    };
    let out = run(&[]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(
        coupa.api_calls(),
        [
            "GET /api/users",
            "GET /api/approvals",
            "GET /api/expense_reports/1001",
            "GET /api/approvals/5001"
        ],
        "the chain, and no PUT: {}",
        stdout(&out)
    );
    let approvals = coupa
        .requests()
        .into_iter()
        .find(|r| r.path == "/api/approvals")
        .unwrap();
    assert!(
        approvals
            .query
            .contains(&("approver-id".into(), "101".into())),
        "{:?}",
        approvals.query
    );
    assert_eq!(
        coupa.record("approvals", 5001).unwrap()["status"],
        "pending_approval"
    );

    let out = run(&["--env-var", "allow_writes=true"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
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
            "alice@example.com: fine & good".to_string()
        )]
    );

    // Again: no longer pending, so the guard stops the chain before the PUT.
    coupa.clear();
    let out = run(&["--env-var", "allow_writes=true"]);
    let said = stdout(&out);
    assert!(out.status.success(), "{said}\n{}", stderr(&out));
    assert!(
        coupa.requests().iter().all(|r| r.method != "PUT"),
        "the guard held: {:?}",
        coupa.api_calls()
    );
    assert!(
        said.contains("stopped: approval 5001 is no longer pending: it is not decided again (approval_status is \"approved\", not pending_approval)"),
        "{said}"
    );
}

/// Hostile text in every value a `.bru` file holds (a use case's folder, a
/// request's name, a filter's value) reads back through Bruno's own parser
/// as it was given (but for the spaces around it, which the syntax cannot
/// hold but in the URL), and every folder and request gets a file of its own
/// (names that a file system would merge, `a:` and `a_`, `A` and `a`,
/// `x.` and `x`, do not): fixed cases and hundreds generated, one
/// `coupagen bruno` and one parser run for all.
#[test]
fn hostile_values_read_back_through_brunos_parser() {
    let Some(lang) = BRUNO_LANG.find() else {
        return;
    };
    const FIXED: &[&str] = &[
        "a: b",
        "{{X}}",
        "}",
        "{",
        "'quote' \"double\"",
        "back\\slash",
        "#hash",
        "|pipe|",
        "é日本🙂",
        "trailing.",
        "x=y&z",
        "$(id)",
        "`tick`",
        "~tilde",
        "100%",
        "a:",
        "a_",
        "A",
        "a",
        "x.",
        "x",
        ".hidden",
        "folder",
    ];
    let texts = crate::hostile::fixed_then_generated(FIXED, 500);
    let use_case = |i: usize, t: &str| {
        serde_json::json!({
            "id": format!("c{i}"),
            "name": format!("{t} {i}"),
            "description": "d",
            "requests": [{
                "name": t,
                "description": "d",
                "path": "/api/suppliers",
                "query": {"name[contains]": t},
                "scope": "core.supplier.read",
                "says": "ok"
            }]
        })
    };
    // Only what validation accepts reaches a file; the folder names are
    // distinct, the request names repeat across folders on purpose.
    let accepted: Vec<(usize, String)> = texts
        .into_iter()
        .enumerate()
        .filter(|(i, t)| {
            let one = serde_json::json!({"use_cases": [use_case(*i, t)]}).to_string();
            coupagen::usecase::parse(&one, coupagen::error::Origin::Flag("--use-case-file"), "f")
                .is_ok()
        })
        .collect();
    assert!(accepted.len() >= 200, "{} accepted", accepted.len());
    let cases: Vec<serde_json::Value> = accepted.iter().map(|(i, t)| use_case(*i, t)).collect();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hostile.json");
    fs::write(&file, serde_json::json!({"use_cases": cases}).to_string()).unwrap();
    let out_dir = dir.path().join("bruno");
    let done = run(&[
        "bruno",
        "--domain",
        "acme.coupahost.com",
        "--use-case-file",
        file.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(done.status.success(), "{}", stderr(&done));
    let files: Vec<PathBuf> = walk(&out_dir)
        .into_iter()
        .filter(|p| {
            p.extension().is_some_and(|e| e == "bru")
                && !p.ends_with("collection.bru")
                && !p.to_string_lossy().contains("/environments/")
                && !p.to_string_lossy().contains("/Auth/")
        })
        .collect();
    let script = r#"
const fs = require('fs');
const path = require('path');
const lang = require(process.argv[1]);
const folders = {};
for (const f of process.argv.slice(2)) {
  const text = fs.readFileSync(f, 'utf8');
  const dir = path.dirname(f);
  folders[dir] = folders[dir] || {};
  if (path.basename(f) === 'folder.bru') {
    folders[dir].folder = lang.collectionBruToJson(text).meta.name;
  } else {
    const j = lang.bruToJsonV2(text);
    const url = new URL(j.http.url.replace('{{host}}', 'h'));
    (folders[dir].requests = folders[dir].requests || []).push({
      name: j.meta.name,
      query: (j.params || []).map((p) => [p.name, p.value]),
      url_query: [...url.searchParams],
    });
  }
}
console.log(JSON.stringify(Object.values(folders)));
"#;
    let out = Command::new("node")
        .arg("-e")
        .arg(script)
        .arg(&lang)
        .args(&files)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let read: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let read: Vec<(String, String, serde_json::Value, serde_json::Value)> = read
        .iter()
        .map(|f| {
            let reqs = f["requests"].as_array().expect("one request a folder");
            assert_eq!(reqs.len(), 1, "{f}");
            let r = &reqs[0];
            (
                f["folder"].as_str().unwrap().to_string(),
                r["name"].as_str().unwrap().to_string(),
                r["query"].clone(),
                r["url_query"].clone(),
            )
        })
        .collect();
    let expected: Vec<_> = accepted
        .iter()
        .map(|(i, t)| {
            // The .bru syntax has no quoting: Bruno trims the spaces around
            // a name and a query value it shows; the URL, which is what
            // runs, keeps them.
            let shown = serde_json::json!([["name[contains]", t.trim()]]);
            let sent = serde_json::json!([["name[contains]", t]]);
            (
                format!("{t} {i}").trim().to_string(),
                t.trim().to_string(),
                shown,
                sent,
            )
        })
        .collect();
    assert_eq!(read.len(), expected.len(), "a folder for each use case");
    let lost: Vec<_> = expected.iter().filter(|e| !read.contains(e)).collect();
    let strange: Vec<_> = read.iter().filter(|r| !expected.contains(r)).collect();
    assert!(
        lost.is_empty(),
        "written:\n{lost:#?}\nBruno read:\n{strange:#?}"
    );
}

/// User consent in `bru run`: with COUPA_REFRESH_TOKEN the refresh runs and
/// the exchange skips itself; with a fresh code (`--env-var
/// authorization_code=...`) the exchange runs; either way the calls follow
/// with the person's token.
#[test]
fn bru_runs_the_consent_collection_on_a_refresh_token_or_a_fresh_code() {
    use crate::consent::{assert_runs_on_a_refresh_token_or_a_fresh_code, Given};
    use crate::support::coupa::{Behaviour, CALLBACK};
    let Some(_) = BRU.find() else { return };
    let coupa = Coupa::with(Behaviour::consent(&[CALLBACK]));
    let dir = collection(
        &coupa,
        &["--grant", "authorization-code", "--redirect-uri", CALLBACK],
    );
    let root = dir.path().join("bruno");
    let b = coupa.behaviour().clone();
    assert_runs_on_a_refresh_token_or_a_fresh_code(&coupa, |given| {
        let mut cmd = Command::new(BRU.path());
        cmd.args(["run", "-r", "--env", "coupa", "--cacert"])
            .arg(&coupa.ca_file)
            .current_dir(&root)
            .env("COUPA_CLIENT_ID", &b.client_id)
            .env("COUPA_CLIENT_SECRET", &b.client_secret);
        match given {
            Given::RefreshToken(token) => cmd.env("COUPA_REFRESH_TOKEN", token),
            Given::Code(code) => cmd.args(["--env-var", &format!("authorization_code={code}")]),
        };
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    });
}
