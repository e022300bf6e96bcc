//! JSON bodies, end to end: create-requisition in every runner against the
//! loopback Coupa, which parses each body as Coupa does. A value holding
//! quotes, a backslash, `&`, `%` and braces arrives exactly as given, a
//! number as a JSON number; without writes allowed nothing is sent.

use serde_json::{json, Value};

use crate::support::coupa::Coupa;
use crate::support::tools::{BRU, CURL, HTTPYAC, JQ, NEWMAN};
use crate::support::{runners, stderr, stdout};

const USE_CASE: &str = "create-requisition";
const FOLDER: &str = "Create a Purchase Requisition";
const DESCRIPTION: &str = r#"Gel "pens" & \ black, 100% {x} [y] {{currency}} é"#;
/// Bruno and httpyac expand a `{{name}}` inside a value given to them
/// (`--env-var`, `--var`) before any script reads it: in those runners a
/// value is exact up to that (the README says so).
const DESCRIPTION_NO_VARIABLE: &str = r#"Gel "pens" & \ black, 100% {x} [y] é"#;
const SUBMIT: &str = "/api/requisitions/submit_for_approval";

/// The use case's inputs, by name.
fn inputs() -> Vec<(&'static str, &'static str)> {
    inputs_with(DESCRIPTION)
}

fn inputs_with(description: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("user_email", "alice@example.com"),
        ("supplier_name", "Acme Corp"),
        ("description", description),
        ("quantity", "10"),
        ("unit_price", "1.5"),
        ("currency", "USD"),
    ]
}

fn kit(coupa: &Coupa) -> tempfile::TempDir {
    runners::bundle(coupa, USE_CASE)
}

/// The one POST the stand-in heard, its body as JSON, and the requisition it made.
fn assert_created(coupa: &Coupa, runner: &str) {
    assert_created_with(coupa, runner, DESCRIPTION)
}

fn assert_created_with(coupa: &Coupa, runner: &str, description: &str) {
    let posts: Vec<_> = coupa
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == SUBMIT)
        .collect();
    assert_eq!(
        posts.len(),
        1,
        "{runner}: one POST, heard {:?}",
        coupa.api_calls()
    );
    let post = &posts[0];
    assert_eq!(
        post.header("content-type").map(|c| &c[..16]),
        Some("application/json"),
        "{runner}"
    );
    let body: Value = serde_json::from_str(&post.body)
        .unwrap_or_else(|e| panic!("{runner}: the body is not JSON ({e}): {}", post.body));
    let line = &body["requisition-lines"][0];
    assert_eq!(line["description"], description, "{runner}: {body}");
    assert_eq!(
        line["quantity"],
        json!(10),
        "{runner}: a number, not a string: {body}"
    );
    assert_eq!(line["unit-price"], json!(1.5), "{runner}: {body}");
    assert_eq!(line["line-num"], json!(1), "{runner}: {body}");
    assert_eq!(
        line["supplier"],
        json!({"name": "Acme Corp"}),
        "{runner}: {body}"
    );
    assert_eq!(
        body["requested-by"],
        json!({"email": "alice@example.com"}),
        "{runner}: {body}"
    );
    let made = coupa
        .record("requisitions", 3003)
        .expect("the new requisition");
    assert_eq!(made["status"], "pending_approval", "{runner}");
}

fn nothing_posted(coupa: &Coupa, runner: &str) {
    assert!(
        coupa
            .requests()
            .iter()
            .all(|r| r.method != "POST" || r.path != SUBMIT),
        "{runner}: nothing is created without writes allowed: {:?}",
        coupa.api_calls()
    );
}

#[test]
fn verify_creates_a_requisition_with_exact_values_and_says_which() {
    let coupa = Coupa::start();
    let verify = |extra: &[&str]| runners::verify(&coupa, USE_CASE, &inputs(), extra);
    let out = verify(&[]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    nothing_posted(&coupa, "verify");
    let out = verify(&["--allow-writes"]);
    let report = stdout(&out);
    assert!(out.status.success(), "{report}\n{}", stderr(&out));
    assert!(
        report.contains("requisition 3003 created for alice@example.com: pending_approval"),
        "{report}"
    );
    assert_created(&coupa, "verify");
}

#[test]
fn newman_creates_a_requisition_only_when_writes_are_allowed() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = Coupa::start();
    let kit = kit(&coupa);
    let (ok, report) = runners::newman(&coupa, kit.path(), Some(FOLDER), &inputs());
    assert!(ok, "{report}");
    nothing_posted(&coupa, "newman");
    let allowed = [inputs(), vec![("allow_writes", "true")]].concat();
    let (ok, report) = runners::newman(&coupa, kit.path(), Some(FOLDER), &allowed);
    assert!(ok, "{report}");
    assert_created(&coupa, "newman");
}

#[test]
fn check_script_builds_the_body_with_jq_and_creates_a_requisition() {
    let (Some(_), Some(_)) = (CURL.find(), JQ.find()) else {
        return;
    };
    let coupa = Coupa::start();
    let kit = kit(&coupa);
    let out = runners::check_script(&coupa, kit.path(), &inputs(), false);
    assert!(out.status.success(), "{}", stderr(&out));
    nothing_posted(&coupa, "check script");
    let out = runners::check_script(&coupa, kit.path(), &inputs(), true);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_created(&coupa, "check script");

    // A quantity that is no number is refused by jq, and nothing is sent.
    coupa.clear();
    let ten: Vec<(&str, &str)> = inputs()
        .into_iter()
        .map(|(k, v)| (k, if k == "quantity" { "ten" } else { v }))
        .collect();
    let out = runners::check_script(&coupa, kit.path(), &ten, true);
    assert!(!out.status.success(), "{}", stderr(&out));
    nothing_posted(&coupa, "check script, quantity=ten");
}

#[test]
fn bru_creates_a_requisition_only_when_writes_are_allowed() {
    let Some(_) = BRU.find() else { return };
    let coupa = Coupa::start();
    let kit = kit(&coupa);
    let inputs = inputs_with(DESCRIPTION_NO_VARIABLE);
    let out = runners::bru(&coupa, kit.path(), &inputs);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    nothing_posted(&coupa, "bru");
    let allowed = [inputs, vec![("allow_writes", "true")]].concat();
    let out = runners::bru(&coupa, kit.path(), &allowed);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert_created_with(&coupa, "bru", DESCRIPTION_NO_VARIABLE);
}

#[test]
fn httpyac_creates_a_requisition_only_when_writes_are_allowed() {
    let Some(_) = HTTPYAC.find() else { return };
    let coupa = Coupa::start();
    let kit = kit(&coupa);
    let inputs = inputs_with(DESCRIPTION_NO_VARIABLE);
    crate::http::send_as_client(&coupa, kit.path(), &inputs).assert_all_passed();
    nothing_posted(&coupa, "httpyac");
    let allowed = [inputs, vec![("allow_writes", "true")]].concat();
    crate::http::send_as_client(&coupa, kit.path(), &allowed).assert_all_passed();
    assert_created_with(&coupa, "httpyac", DESCRIPTION_NO_VARIABLE);
}

/// The curl file and the sheet show the body as their readers take it: the
/// guide's placeholders (a string quoted, a number bare), Agent Studio's
/// raw Mustache; OpenAPI gives a schema and an example that is the schema's.
#[test]
fn the_curl_file_the_sheet_and_openapi_show_the_body() {
    let coupa = Coupa::start();
    let kit = kit(&coupa);
    let curl = std::fs::read_to_string(kit.path().join("coupa-requests.curl")).unwrap();
    assert!(curl.contains("--data-raw '{"), "{curl}");
    assert!(curl.contains(r#""quantity": {{quantity}},"#), "{curl}");
    assert!(
        curl.contains(r#""description": "{{{description}}}","#)
            && curl.contains(r#""email": "{{user_email}}""#),
        "{curl}"
    );
    let sheet: Value = serde_json::from_str(
        &std::fs::read_to_string(kit.path().join("agent-studio-connector.json")).unwrap(),
    )
    .unwrap();
    let body = sheet.to_string();
    assert!(
        body.contains(r#"\"description\": \"{{{description}}}\""#),
        "{body}"
    );
    assert!(body.contains(r#"\"quantity\": {{quantity}}"#), "{body}");
    let openapi = std::fs::read_to_string(kit.path().join("coupa.openapi.yaml")).unwrap();
    let doc = yaml_rust2::YamlLoader::load_from_str(&openapi)
        .unwrap()
        .remove(0);
    let media = &doc["paths"][SUBMIT]["post"]["requestBody"]["content"]["application/json"];
    let line = &media["schema"]["properties"]["requisition-lines"]["items"]["properties"];
    assert_eq!(
        line["quantity"]["type"].as_str(),
        Some("number"),
        "{openapi}"
    );
    assert_eq!(
        line["line-num"]["type"].as_str(),
        Some("integer"),
        "{openapi}"
    );
    assert_eq!(
        line["unit-price"]["type"].as_str(),
        Some("number"),
        "{openapi}"
    );
    assert_eq!(
        media["example"]["requisition-lines"][0]["description"].as_str(),
        Some("Gel pens, black")
    );
}

/// A write use case, its inputs, and what the stand-in holds after it ran.
struct Creates {
    id: &'static str,
    folder: &'static str,
    inputs: &'static [(&'static str, &'static str)],
    /// The calls, in order, that a run with writes allowed makes.
    calls: &'static [&'static str],
    /// The record it made, and the status it must have.
    made: (&'static str, u64, &'static str),
}

const CREATES: &[Creates] = &[
    Creates {
        id: "submit-expense",
        folder: "Submit an Expense",
        inputs: &[
            ("user_email", "alice@example.com"),
            ("title", r#"Client "visit" & co"#),
            ("description", r#"Taxi \ airport, 100%"#),
            ("amount", "42.5"),
            ("expense_date", "2024-03-05"),
            ("category", "Travel"),
            ("currency", "USD"),
        ],
        calls: &[
            "POST /api/expense_reports",
            "PUT /api/expense_reports/1005/submit",
        ],
        made: ("expense_reports", 1005, "pending_approval"),
    },
    Creates {
        id: "create-purchase-order",
        folder: "Create a Purchase Order",
        inputs: &[
            ("user_email", "alice@example.com"),
            ("supplier_name", "Acme Corp"),
            ("description", r#"Booth "A" & stand"#),
            ("total", "2500"),
            ("currency", "USD"),
        ],
        calls: &[
            "POST /api/requisitions/submit_for_approval",
            "GET /api/purchase_orders",
        ],
        made: ("requisitions", 3003, "pending_approval"),
    },
    Creates {
        id: "add-po-line",
        folder: "Add a Line to a Purchase Order",
        inputs: &[
            ("po_id", "4001"),
            ("description", r#"Toner "XL" & \ drum"#),
            ("quantity", "50"),
            ("price", "10"),
            ("currency", "USD"),
            ("justification", r#"Q3 demand "up" 20%"#),
        ],
        calls: &[
            "GET /api/purchase_orders/4001",
            "PUT /api/purchase_orders/4001",
            "POST /api/purchase_orders/4001/comments",
        ],
        made: ("purchase_orders", 4001, "issued"),
    },
];

fn assert_made(coupa: &Coupa, c: &Creates, runner: &str) {
    let calls = coupa.api_calls();
    assert_eq!(calls, c.calls, "{} in {runner}", c.id);
    let (resource, id, status) = c.made;
    let record = coupa
        .record(resource, id)
        .unwrap_or_else(|| panic!("{} in {runner}: {resource} {id}", c.id));
    assert_eq!(record["status"], status, "{} in {runner}: {record}", c.id);
    let description = c
        .inputs
        .iter()
        .find(|(k, _)| *k == "description")
        .unwrap()
        .1;
    let text = record.to_string();
    assert!(
        text.contains(&serde_json::Value::from(description).to_string()),
        "{} in {runner}: the description exact in {text}",
        c.id
    );
}

/// submit-expense (create a draft, then submit it) and create-purchase-order
/// (a requisition, then the purchase order it makes, none until approved)
/// run in every runner: the calls in order, the values exact, the record in
/// the state the use case says.
#[test]
fn writes_that_create_run_in_every_runner() {
    let allowed = |c: &Creates| [c.inputs, &[("allow_writes", "true")]].concat();
    for c in CREATES {
        let coupa = Coupa::start();
        let out = runners::verify(&coupa, c.id, c.inputs, &["--allow-writes"]);
        assert!(
            out.status.success(),
            "{}: {}\n{}",
            c.id,
            stdout(&out),
            stderr(&out)
        );
        assert_made(&coupa, c, "verify");
        if c.id == "add-po-line" {
            let order = coupa.record("purchase_orders", 4001).unwrap();
            assert_eq!(order["version"], 2, "{order}");
            assert_eq!(order["order-lines"][0]["quantity"], 50, "{order}");
            assert_eq!(
                order["comments"][0]["comments"], r#"Q3 demand "up" 20%"#,
                "{order}"
            );
        }
        if c.id == "create-purchase-order" {
            assert!(
                stdout(&out).contains(
                    "no purchase order yet: Coupa makes one once requisition 3003 is approved"
                ),
                "{}",
                stdout(&out)
            );
        }

        if NEWMAN.find().is_some() {
            let coupa = Coupa::start();
            let kit = runners::bundle(&coupa, c.id);
            let (ok, report) = runners::newman(&coupa, kit.path(), Some(c.folder), &allowed(c));
            assert!(ok, "{report}");
            assert_made(&coupa, c, "newman");
        }
        if CURL.find().is_some() && JQ.find().is_some() {
            let coupa = Coupa::start();
            let kit = runners::bundle(&coupa, c.id);
            let out = runners::check_script(&coupa, kit.path(), c.inputs, true);
            assert!(out.status.success(), "{}", stderr(&out));
            assert_made(&coupa, c, "check script");
        }
        if BRU.find().is_some() {
            let coupa = Coupa::start();
            let kit = runners::bundle(&coupa, c.id);
            let out = runners::bru(&coupa, kit.path(), &allowed(c));
            assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
            assert_made(&coupa, c, "bru");
        }
        if HTTPYAC.find().is_some() {
            let coupa = Coupa::start();
            let kit = runners::bundle(&coupa, c.id);
            crate::http::send_as_client(&coupa, kit.path(), &allowed(c)).assert_all_passed();
            assert_made(&coupa, c, "httpyac");
        }
    }
}

/// add-po-line on a closed order: the guard stops it before the PUT, in
/// verify and newman, and says what it saw.
#[test]
fn a_line_is_never_added_to_an_order_that_is_not_issued() {
    let closed = [
        ("po_id", "4003"),
        ("description", "x"),
        ("quantity", "1"),
        ("price", "1"),
        ("currency", "USD"),
        ("justification", "y"),
    ];
    let coupa = Coupa::start();
    let out = runners::verify(&coupa, "add-po-line", &closed, &["--allow-writes"]);
    let report = stdout(&out);
    assert!(out.status.success(), "{report}\n{}", stderr(&out));
    assert!(
        report.contains(r#"stopped: purchase order 4003 is not issued: no line is added (po_status is "closed", not issued)"#),
        "{report}"
    );
    assert_eq!(coupa.api_calls(), ["GET /api/purchase_orders/4003"]);
    if NEWMAN.find().is_some() {
        let coupa = Coupa::start();
        let kit = runners::bundle(&coupa, "add-po-line");
        let allowed = [&closed[..], &[("allow_writes", "true")]].concat();
        let (ok, report) = runners::newman(
            &coupa,
            kit.path(),
            Some("Add a Line to a Purchase Order"),
            &allowed,
        );
        assert!(ok, "{report}");
        assert!(
            report.contains("stopped: purchase order 4003 is not issued"),
            "{report}"
        );
        assert_eq!(coupa.api_calls(), ["GET /api/purchase_orders/4003"]);
    }
}
