//! The OpenAPI document: it reads back as YAML, passes `redocly lint` with no
//! error, and is right, not just valid: openapi-to-postmanv2 turns it into a
//! collection that newman runs against the loopback Coupa, each request
//! answered 200 with JSON.

use std::fs;
use std::process::Command;

use crate::support::browser;
use crate::support::coupa::Coupa;
use crate::support::tools::{NEWMAN, OPENAPI2POSTMANV2, REDOCLY};
use crate::support::{run, stderr, stdout};

fn document(args: &[&str]) -> String {
    let mut all = vec!["openapi"];
    all.extend_from_slice(args);
    let out = run(&all);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

const KITS: &[&[&str]] = &[
    &["--domain", "acme.coupahost.com"],
    &[
        "--domain",
        "acme.coupahost.com",
        "--resource",
        "invoices,users,approvals",
        "--filter",
        "updated_at[gt]=2024-01-01T00:00:00+00:00",
        "--limit",
        "10",
    ],
    &[
        "--domain",
        "acme.coupahost.com",
        "--use-case",
        "pending-expense-approvals,approve-expense-report,expense-policy-violations",
    ],
    &[
        "--domain",
        "acme.coupahost.com",
        "--grant",
        "authorization-code",
        "--moveworks-org",
        "acme",
    ],
];

#[test]
fn the_document_reads_back_and_passes_redocly_lint() {
    let Some(redocly) = REDOCLY.find() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for args in KITS {
        let text = document(args);
        let docs = yaml_rust2::YamlLoader::load_from_str(&text).expect("the YAML parses");
        assert_eq!(docs[0]["openapi"].as_str(), Some("3.1.0"));
        let file = dir.path().join("coupa.openapi.yaml");
        fs::write(&file, &text).unwrap();
        let out = Command::new(&redocly)
            .args(["lint", "--format", "summary"])
            .arg(&file)
            .output()
            .unwrap();
        let said = format!("{}{}", stdout(&out), stderr(&out));
        assert!(out.status.success(), "{args:?}:\n{said}");
        assert!(!said.contains("error "), "{args:?}:\n{said}");
        assert!(
            said.contains("Your API description is valid"),
            "{args:?}:\n{said}"
        );
    }
    let consent = yaml_rust2::YamlLoader::load_from_str(&document(KITS[3])).unwrap();
    let flow =
        &consent[0]["components"]["securitySchemes"]["coupa_oauth2"]["flows"]["authorizationCode"];
    assert_eq!(
        flow["authorizationUrl"].as_str(),
        Some("https://acme.coupahost.com/oauth2/authorizations/new")
    );
}

/// Imported into Postman by openapi-to-postmanv2 and run in newman, with the
/// token a person gets from "Get New Access Token": every request is
/// answered 200 with JSON, and the stand-in heard what the kit says.
#[test]
fn the_document_converted_to_a_collection_runs_in_newman() {
    let (Some(convert), Some(newman)) = (OPENAPI2POSTMANV2.find(), NEWMAN.find()) else {
        return;
    };
    let coupa = Coupa::start();
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("coupa.openapi.yaml");
    fs::write(
        &spec,
        document(&[
            "--domain",
            &coupa.domain(),
            "--resource",
            "expense_reports,users",
            "--use-case",
            "pending-expense-approvals",
        ]),
    )
    .unwrap();
    let converted = dir.path().join("converted.json");
    let out = Command::new(convert)
        .arg("-s")
        .arg(&spec)
        .arg("-o")
        .arg(&converted)
        .args(["-O", "folderStrategy=Tags,parametersResolution=Example"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    // What "Get New Access Token" and "Use Token" do in the app.
    let token = browser::token(
        &coupa,
        "core.expense.read core.user.read core.approval.read",
    );
    let mut collection: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&converted).unwrap()).unwrap();
    use_token(&mut collection, &token);
    fs::write(&converted, collection.to_string()).unwrap();
    coupa.clear();
    let report = dir.path().join("report.json");
    let out = Command::new(&newman)
        .arg("run")
        .arg(&converted)
        .args(["--reporters", "json", "--reporter-json-export"])
        .arg(&report)
        .env("NODE_EXTRA_CA_CERTS", &coupa.ca_file)
        .output()
        .unwrap();
    // The converted requests assert nothing: the report says how each went.
    let report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&report).unwrap()).unwrap();
    let executions = report["run"]["executions"].as_array().unwrap();
    // /api/users is one operation: the resource and the use case lookup merge.
    assert_eq!(executions.len(), 4, "{}", stdout(&out));
    for e in executions {
        let name = e["item"]["name"].as_str().unwrap_or_default();
        assert_eq!(e["response"]["code"], 200, "{name}: {}", e["response"]);
        let content_type = e["response"]["header"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| {
                h["key"]
                    .as_str()
                    .is_some_and(|k| k.eq_ignore_ascii_case("content-type"))
            })
            .and_then(|h| h["value"].as_str())
            .unwrap_or_default()
            .to_string();
        assert!(
            content_type.starts_with("application/json"),
            "{name}: {content_type}"
        );
    }
    // And with a token Coupa did not issue, every request says 401.
    let mut wrong: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&converted).unwrap()).unwrap();
    replace_token(&mut wrong, &token, "not-a-coupa-token");
    let wrong_file = dir.path().join("wrong.json");
    fs::write(&wrong_file, wrong.to_string()).unwrap();
    let wrong_report = dir.path().join("wrong-report.json");
    Command::new(&newman)
        .arg("run")
        .arg(&wrong_file)
        .args(["--reporters", "json", "--reporter-json-export"])
        .arg(&wrong_report)
        .env("NODE_EXTRA_CA_CERTS", &coupa.ca_file)
        .output()
        .unwrap();
    let wrong_report: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&wrong_report).unwrap()).unwrap();
    for e in wrong_report["run"]["executions"].as_array().unwrap() {
        assert_eq!(e["response"]["code"], 401, "{}", e["item"]["name"]);
    }
    let heard: Vec<String> = coupa
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    for path in [
        "GET /api/expense_reports",
        "GET /api/users",
        "GET /api/approvals",
        "GET /api/expense_reports/1001",
    ] {
        assert!(heard.contains(&path.to_string()), "{path} in {heard:?}");
    }
}

/// Swaps one token for another wherever the collection holds it.
fn replace_token(node: &mut serde_json::Value, from: &str, to: &str) {
    match node {
        serde_json::Value::String(s) if s == from => *s = to.to_string(),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| replace_token(v, from, to)),
        serde_json::Value::Array(items) => {
            items.iter_mut().for_each(|v| replace_token(v, from, to))
        }
        _ => {}
    }
}

/// Sets the oauth2 access token wherever the converted collection holds an
/// oauth2 auth, as the Postman app does after "Use Token".
fn use_token(node: &mut serde_json::Value, token: &str) {
    match node {
        serde_json::Value::Object(map) => {
            if map.get("type").and_then(|t| t.as_str()) == Some("oauth2") {
                if let Some(settings) = map.get_mut("oauth2").and_then(|s| s.as_array_mut()) {
                    settings.push(serde_json::json!({"key": "accessToken", "value": token}));
                    settings.push(serde_json::json!({"key": "addTokenTo", "value": "header"}));
                }
            }
            for v in map.values_mut() {
                use_token(v, token);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| use_token(v, token)),
        _ => {}
    }
}
