//! The loopback Coupa's records for the use cases: people, approvals (pending
//! and done, for several approvers and document types), expense reports,
//! requisitions, purchase orders and suppliers. Answers as Coupa's JSON does
//! (bare arrays, hyphenated keys), with its filters (`attr=v`,
//! `attr[op]=v`, through associations, hyphen and underscore names alike),
//! `fields`, lookups by id, and approve or reject only while pending.

use serde_json::{json, Value};

/// Someone who can log in and consent, and their Coupa user.
pub struct Person {
    pub login: &'static str,
    pub id: u64,
    pub email: &'static str,
}

pub const PEOPLE: &[Person] = &[
    Person {
        login: "alice",
        id: 101,
        email: "alice@example.com",
    },
    Person {
        login: "bob",
        id: 102,
        email: "bob@example.com",
    },
    Person {
        login: "carol",
        id: 103,
        email: "carol@example.com",
    },
];

pub fn person(login: &str) -> &'static Person {
    PEOPLE
        .iter()
        .find(|p| p.login == login)
        .expect("a known person")
}

/// Every resource's records, as Coupa answers them.
pub fn all() -> Vec<(&'static str, Vec<Value>)> {
    let user =
        |p: &Person| json!({"id": p.id, "login": p.login, "email": p.email, "fullname": p.login});
    let approval = |id: u64, status: &str, kind: &str, doc: u64, approver: u64| {
        // Made on the id's day of February 2024, and changed then.
        let day = format!("2024-02-{:02}T09:00:00Z", id % 100);
        json!({"id": id, "status": status, "approvable-type": kind, "approvable-id": doc,
               "approver-id": approver, "approver": {"id": approver},
               "created-at": day, "updated-at": day})
    };
    let report = |id: u64, title: &str, by: &Person, created: &str, status: &str| {
        json!({"id": id, "title": title, "status": status, "total": "120.00",
               "created-at": created, "submitted-at": created, "audit-score": 0,
               "expensed-by": {"id": by.id, "email": by.email, "fullname": by.login},
               "expense-lines": [{"description": "Dinner", "amount": "120.00"}],
               "expense-violations": []})
    };
    let invoice = |id: u64,
                   number: &str,
                   status: &str,
                   paid: bool,
                   due: &str,
                   supplier: u64,
                   name: &str| {
        json!({"id": id, "invoice-number": number, "status": status, "paid": paid, "net-due-date": due,
               "invoice-date": due, "amount-due": "250.00", "total-with-taxes": "250.00",
               "supplier-id": supplier, "supplier": {"id": supplier, "name": name}})
    };
    let [alice, bob, carol] = [&PEOPLE[0], &PEOPLE[1], &PEOPLE[2]];
    vec![
        ("users", PEOPLE.iter().map(user).collect()),
        (
            "approvals",
            vec![
                approval(5001, "pending_approval", "ExpenseReport", 1001, alice.id),
                approval(5002, "pending_approval", "ExpenseReport", 1002, alice.id),
                approval(5003, "approved", "ExpenseReport", 1003, alice.id),
                approval(
                    5004,
                    "pending_approval",
                    "RequisitionHeader",
                    3001,
                    alice.id,
                ),
                approval(5005, "pending_approval", "ExpenseReport", 1004, bob.id),
                approval(5101, "pending_approval", "RequisitionHeader", 3002, bob.id),
                approval(5106, "rejected", "ExpenseReport", 1004, bob.id),
            ],
        ),
        (
            "expense_reports",
            vec![
                report(
                    1001,
                    "Berlin offsite",
                    bob,
                    "2024-01-10T09:00:00Z",
                    "pending_approval",
                ),
                report(
                    1002,
                    "Client dinner",
                    carol,
                    "2024-01-20T09:00:00Z",
                    "pending_approval",
                ),
                report(
                    1003,
                    "Train to Lyon",
                    bob,
                    "2024-02-05T09:00:00Z",
                    "approved",
                ),
                report(
                    1004,
                    "Team lunch",
                    alice,
                    "2024-02-15T09:00:00Z",
                    "pending_approval",
                ),
            ],
        ),
        (
            "requisitions",
            vec![
                json!({"id": 3001, "title": "Laptops for the new team", "status": "pending_approval",
                       "requested-by": {"id": bob.id, "email": bob.email}}),
                json!({"id": 3002, "title": "Standing desks", "status": "pending_approval",
                       "requested-by": {"id": alice.id, "email": alice.email}}),
            ],
        ),
        (
            "purchase_orders",
            vec![
                json!({"id": 4001, "po-number": "PO-4001", "status": "issued", "version": 1,
                       "ship-to-user": {"id": alice.id, "email": alice.email}, "supplier": {"id": 6001, "name": "Acme Corp"},
                       "requisition-header": {"id": 3002}}),
                json!({"id": 4002, "po-number": "PO-4002", "status": "issued", "version": 1,
                       "ship-to-user": {"id": bob.id, "email": bob.email}, "supplier": {"id": 6003, "name": "Globex"},
                       "requisition-header": {"id": 3001}}),
                json!({"id": 4003, "po-number": "PO-4003", "status": "closed", "version": 3, "requisition-header": {"id": 3000},
                       "ship-to-user": {"id": carol.id, "email": carol.email}, "supplier": {"id": 6003, "name": "Globex"}}),
            ],
        ),
        (
            "suppliers",
            vec![
                json!({"id": 6001, "name": "Acme Corp", "status": "active", "number": "S-1"}),
                json!({"id": 6002, "name": "Acme Labs", "status": "draft", "number": "S-2"}),
                json!({"id": 6003, "name": "Globex", "status": "active", "number": "S-3"}),
            ],
        ),
        (
            "invoices",
            vec![
                invoice(
                    8001,
                    "INV-8001",
                    "approved",
                    false,
                    "2024-03-10T00:00:00Z",
                    6001,
                    "Acme Corp",
                ),
                invoice(
                    8002,
                    "INV-8002",
                    "pending_approval",
                    false,
                    "2024-03-20T00:00:00Z",
                    6001,
                    "Acme Corp",
                ),
                invoice(
                    8003,
                    "INV-8003",
                    "approved",
                    true,
                    "2024-03-15T00:00:00Z",
                    6001,
                    "Acme Corp",
                ),
                invoice(
                    8004,
                    "INV-8004",
                    "approved",
                    false,
                    "2024-04-05T00:00:00Z",
                    6003,
                    "Globex",
                ),
            ],
        ),
        (
            "contracts",
            vec![
                json!({"id": 9001, "name": "Master services agreement", "version": 2, "status": "published",
                       "submitter": {"fullname": "bob"}, "current-approval": null}),
                json!({"id": 9002, "name": "Master data processing", "version": 1, "status": "draft",
                       "submitter": {"fullname": "alice"}, "current-approval": {"id": 5010, "status": "pending_approval", "approver": {"fullname": "carol"}}}),
            ],
        ),
        (
            "items",
            vec![
                json!({"id": 7001, "name": "Black toner"}),
                json!({"id": 7002, "name": "Copy paper"}),
            ],
        ),
        (
            "comments",
            vec![
                json!({"id": 9501, "commentable-type": "RequisitionHeader", "commentable-id": 3002,
                       "comments": "Desks for the second floor", "created-at": "2024-01-05T09:00:00Z"}),
                json!({"id": 9502, "commentable-type": "RequisitionHeader", "commentable-id": 3002,
                       "comments": "Budget code 42, please", "created-at": "2024-01-06T09:00:00Z"}),
            ],
        ),
        (
            "inventory",
            vec![
                json!({"id": 7101, "item": {"id": 7001}, "quantity": "12.0", "available": "10.0", "warehouse": {"name": "Main"}}),
                json!({"id": 7102, "item": {"id": 7002}, "quantity": "400.0", "available": "400.0", "warehouse": {"name": "Main"}}),
            ],
        ),
    ]
}

const OPERATORS: &[&str] = &[
    "contains",
    "starts_with",
    "ends_with",
    "gt",
    "lt",
    "gt_or_eq",
    "lt_or_eq",
    "not_eq",
    "blank",
    "in",
    "not_in",
];

/// Coupa reads `approver_id` and `approver-id` alike.
fn same_name(a: &str, b: &str) -> bool {
    a.replace('_', "-") == b.replace('_', "-")
}

fn field<'v>(record: &'v Value, name: &str) -> Option<&'v Value> {
    record
        .as_object()?
        .iter()
        .find(|(k, _)| same_name(k, name))
        .map(|(_, v)| v)
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether `record` passes the filter `key=value` (`a[b][op]=v`). A key the
/// record does not have is not a filter here (`limit`, `fields`, ...).
pub fn passes(record: &Value, key: &str, value: &str) -> bool {
    let mut segments: Vec<&str> = key.split('[').map(|s| s.trim_end_matches(']')).collect();
    let op = match segments.last() {
        Some(last) if segments.len() > 1 && OPERATORS.contains(last) => {
            let op = *last;
            segments.pop();
            op
        }
        _ => "eq",
    };
    let mut at = record;
    for s in &segments {
        match field(at, s) {
            Some(v) => at = v,
            None => return true,
        }
    }
    let have = text(at);
    match op {
        "eq" => have == value,
        "contains" => have.to_lowercase().contains(&value.to_lowercase()),
        "starts_with" => have.starts_with(value),
        "ends_with" => have.ends_with(value),
        "gt" => have.as_str() > value,
        "lt" => have.as_str() < value,
        "gt_or_eq" => have.as_str() >= value,
        "lt_or_eq" => have.as_str() <= value,
        "not_eq" => have != value,
        "in" => value.split(',').any(|v| v == have),
        "not_in" => value.split(',').all(|v| v != have),
        _ => true,
    }
}

/// The record with only `fields` (Coupa's JSON list of names and
/// `{"association": [...]}`), names matched with `-` and `_` alike.
pub fn only(record: &Value, fields: &Value) -> Value {
    let Some(list) = fields.as_array() else {
        return record.clone();
    };
    let mut out = serde_json::Map::new();
    for f in list {
        match f {
            Value::String(name) => {
                if let Some((k, v)) = record
                    .as_object()
                    .and_then(|o| o.iter().find(|(k, _)| same_name(k, name)))
                {
                    out.insert(k.clone(), v.clone());
                }
            }
            Value::Object(nested) => {
                for (name, sub) in nested {
                    if let Some((k, v)) = record
                        .as_object()
                        .and_then(|o| o.iter().find(|(k, _)| same_name(k, name)))
                    {
                        let v = match v {
                            Value::Array(items) => {
                                Value::Array(items.iter().map(|i| only(i, sub)).collect())
                            }
                            other => only(other, sub),
                        };
                        out.insert(k.clone(), v);
                    }
                }
            }
            _ => {}
        }
    }
    Value::Object(out)
}

/// `POST /api/requisitions/submit_for_approval`, as Coupa's Requisitions API
/// example calls describe it: the body is JSON with hyphenated keys; a
/// requester (by email, login or id) and a supplier (by id or name) that are
/// active; at least one line, `line-num` from 1 up by 1, each with a
/// description or an item and a currency, a quantity unless it is an amount
/// line. `201` with the new requisition, `pending_approval`; else `400` with
/// `{"errors": {"requisition": [...]}}`.
pub fn submit_requisition(records: &mut [(&'static str, Vec<Value>)], body: &str) -> (u16, Value) {
    let refuse = |why: String| (400, json!({"errors": {"requisition": [why]}}));
    let Ok(body) = serde_json::from_str::<Value>(body) else {
        return refuse("the body is not JSON".into());
    };
    let list = |name: &str| -> Vec<Value> {
        records
            .iter()
            .find(|(r, _)| *r == name)
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    };
    let by = &body["requested-by"];
    let users = list("users");
    let Some(user) = users.iter().find(|u| {
        ["email", "login", "id"]
            .iter()
            .any(|k| !by[k].is_null() && by[k] == u[k])
    }) else {
        return refuse(format!("requested-by {by}: no active user has it"));
    };
    let Some(lines) = body["requisition-lines"]
        .as_array()
        .filter(|l| !l.is_empty())
    else {
        return refuse("requisition-lines: at least one line is required".into());
    };
    let suppliers = list("suppliers");
    for (i, line) in lines.iter().enumerate() {
        let n = i + 1;
        if line["line-num"] != json!(n) {
            return refuse(format!("line {n}: line-num must be {n} (from 1, up by 1)"));
        }
        if !line["description"].is_string() && line["item"].is_null() {
            return refuse(format!("line {n}: a description or an item is required"));
        }
        if !line["currency"]["code"].is_string() {
            return refuse(format!("line {n}: currency is required"));
        }
        let amount_line = line["line-type"] == "RequisitionAmountLine";
        if !amount_line && !line["quantity"].is_number() {
            return refuse(format!(
                "line {n}: quantity must be a number (got {})",
                line["quantity"]
            ));
        }
        if !line["unit-price"].is_number() && !line["unit-price"].is_string() {
            return refuse(format!("line {n}: unit-price is required"));
        }
        let wanted = &line["supplier"];
        let found = suppliers.iter().find(|s| {
            (!wanted["id"].is_null() && wanted["id"] == s["id"])
                || (!wanted["name"].is_null() && wanted["name"] == s["name"])
        });
        match found {
            Some(s) if s["status"] == "active" => {}
            Some(s) => return refuse(format!("line {n}: supplier {} is not active", s["name"])),
            None => return refuse(format!("line {n}: supplier {wanted}: no such supplier")),
        }
    }
    let (_, requisitions) = records
        .iter_mut()
        .find(|(r, _)| *r == "requisitions")
        .expect("the stand-in holds requisitions");
    let id = requisitions
        .iter()
        .filter_map(|r| r["id"].as_u64())
        .max()
        .unwrap_or(3000)
        + 1;
    let record = json!({"id": id, "status": "pending_approval",
        "requested-by": {"id": user["id"], "email": user["email"]},
        "requisition-lines": lines});
    requisitions.push(record.clone());
    (201, record)
}

/// `POST /api/expense_reports`: a draft report for an active user
/// (`expensed-by` by email, login or id), with a title, a currency and at
/// least one line, each with a description, an amount and an expense date.
/// `201` with the report, `draft`; else `400`.
pub fn create_expense_report(
    records: &mut [(&'static str, Vec<Value>)],
    body: &str,
) -> (u16, Value) {
    let refuse = |why: String| (400, json!({"errors": {"expense_report": [why]}}));
    let Ok(body) = serde_json::from_str::<Value>(body) else {
        return refuse("the body is not JSON".into());
    };
    let by = &body["expensed-by"];
    let user = PEOPLE
        .iter()
        .find(|p| by["email"] == p.email || by["login"] == p.login || by["id"] == p.id);
    let Some(user) = user else {
        return refuse(format!("expensed-by {by}: no active user has it"));
    };
    if !body["title"].is_string() || !body["currency"]["code"].is_string() {
        return refuse("title and currency are required".into());
    }
    let Some(lines) = body["expense-lines"].as_array().filter(|l| !l.is_empty()) else {
        return refuse("expense-lines: at least one line is required".into());
    };
    for (i, line) in lines.iter().enumerate() {
        let ok = line["description"].is_string()
            && (line["amount"].is_number() || line["amount"].is_string())
            && line["expense-date"].is_string();
        if !ok {
            return refuse(format!(
                "line {}: description, amount and expense-date are required",
                i + 1
            ));
        }
    }
    let (_, reports) = records
        .iter_mut()
        .find(|(r, _)| *r == "expense_reports")
        .expect("the stand-in holds expense reports");
    let id = reports
        .iter()
        .filter_map(|r| r["id"].as_u64())
        .max()
        .unwrap_or(1000)
        + 1;
    let record = json!({"id": id, "title": body["title"], "status": "draft",
        "expensed-by": {"id": user.id, "email": user.email}, "expense-lines": lines});
    reports.push(record.clone());
    (201, record)
}

/// `PUT /api/expense_reports/{id}/submit`: a draft becomes
/// `pending_approval`; any other status is `400`.
pub fn submit_expense_report(records: &mut [(&'static str, Vec<Value>)], id: u64) -> (u16, Value) {
    let Some(report) = records
        .iter_mut()
        .find(|(r, _)| *r == "expense_reports")
        .and_then(|(_, list)| list.iter_mut().find(|r| r["id"] == id))
    else {
        return (
            404,
            json!({"errors": {"expense_report": ["Record not found"]}}),
        );
    };
    if report["status"] != "draft" {
        let why = format!(
            "Expense report {id} is not a draft: it is {}",
            report["status"]
        );
        return (400, json!({"errors": {"expense_report": [why]}}));
    }
    report["status"] = "pending_approval".into();
    (200, report.clone())
}

/// `PUT /api/purchase_orders/{id}` with new `order-lines` (no `id`: added),
/// each a quantity line with a description, a numeric quantity and price,
/// and a currency: the order's version goes up by one. `comments` on
/// `POST /api/purchase_orders/{id}/comments` are kept on the order.
pub fn change_purchase_order(
    records: &mut [(&'static str, Vec<Value>)],
    id: u64,
    comment: bool,
    body: &str,
) -> (u16, Value) {
    let refuse = |why: String| (400, json!({"errors": {"order_header": [why]}}));
    let Ok(body) = serde_json::from_str::<Value>(body) else {
        return refuse("the body is not JSON".into());
    };
    let Some(order) = records
        .iter_mut()
        .find(|(r, _)| *r == "purchase_orders")
        .and_then(|(_, list)| list.iter_mut().find(|r| r["id"] == id))
    else {
        return (
            404,
            json!({"errors": {"order_header": ["Record not found"]}}),
        );
    };
    if comment {
        let Some(text) = body["comments"].as_str() else {
            return refuse("comments is required".into());
        };
        let comments = order["comments"].as_array().cloned().unwrap_or_default();
        let made = json!({"id": 9900 + comments.len() as u64, "comments": text});
        order["comments"] = Value::Array([comments, vec![made.clone()]].concat());
        return (201, made);
    }
    let Some(lines) = body["order-lines"].as_array().filter(|l| !l.is_empty()) else {
        return refuse("order-lines: at least one line is required".into());
    };
    for line in lines {
        let ok = line["description"].is_string()
            && line["quantity"].is_number()
            && line["price"].is_number()
            && line["currency"]["code"].is_string();
        if !ok {
            return refuse(format!("order line {line}: description, a numeric quantity and price, and currency are required"));
        }
    }
    let existing = order["order-lines"].as_array().cloned().unwrap_or_default();
    order["order-lines"] = Value::Array([existing, lines.clone()].concat());
    order["version"] = json!(order["version"].as_u64().unwrap_or(1) + 1);
    (200, order.clone())
}
