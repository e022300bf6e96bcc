//! The catalog at work: `coupagen scopes`, scopes derived from resources and
//! checked against them, and the query options with their errors.

use crate::support::{run, spec, stderr, stdout, GUIDE_DOMAIN};

pub(crate) fn fails_with(args: &[&str], expect: &[&str]) {
    let mut argv = vec!["curl", "--domain", GUIDE_DOMAIN];
    argv.extend_from_slice(args);
    let out = run(&argv);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(stdout(&out).is_empty());
    for part in expect {
        assert!(err.contains(part), "{args:?}: expected {part:?} in {err}");
    }
}

#[test]
fn scopes_lists_and_filters_the_catalog() {
    let out = stdout(&run(&["scopes", "invoice"]));
    assert!(out.starts_with("SCOPE"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("core.invoice.read ") && l.contains("invoices")),
        "{out}"
    );
    assert!(!out.contains("core.expense.read"), "filtered by the word");

    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["scopes", "--json", "expense.read"]))).unwrap();
    let row = json
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "core.expense.read")
        .unwrap();
    assert_eq!(row["access"], "read");
    assert!(row["resources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r == "expense_reports"));
}

#[test]
fn scopes_lists_resources_with_their_read_scope() {
    let out = stdout(&run(&["scopes", "--resources"]));
    assert!(
        out.lines().any(|l| l.split_whitespace().collect::<Vec<_>>()
            == ["expense_reports", "Expenses", "core.expense.read"]),
        "{out}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&run(&[
        "scopes",
        "--resources",
        "--json",
        "purchase_orders",
    ])))
    .unwrap();
    assert_eq!(json[0]["name"], "purchase_orders");
    assert_eq!(json[0]["read_scope"], "core.purchase_order.read");
    assert_eq!(json[0]["area"], "Procurement");
}

#[test]
fn every_catalog_resource_makes_a_kit() {
    for resource in coupagen::catalog::resources() {
        let spec = spec(&["--domain", GUIDE_DOMAIN, "--resource", resource.name]);
        assert_eq!(spec.scope_list(), resource.read_scope);
        crate::support::assert_valid_collection(&crate::support::artifact(
            &spec,
            "coupa.postman_collection.json",
        ));
    }
}

#[test]
fn scopes_are_derived_deduplicated_and_sorted() {
    let spec = spec(&[
        "--domain",
        GUIDE_DOMAIN,
        "--resource",
        "users",
        "--resource",
        "invoices,expense_reports,invoices",
    ]);
    assert_eq!(
        spec.scope_list(),
        "core.expense.read core.invoice.read core.user.read"
    );
    let names: Vec<&str> = spec.resources.iter().map(|r| r.name).collect();
    assert_eq!(
        names,
        ["users", "invoices", "expense_reports"],
        "resources keep their order"
    );
}

#[test]
fn given_scopes_keep_their_order_and_accept_lists() {
    let spec = spec(&[
        "--domain",
        GUIDE_DOMAIN,
        "--scope",
        "core.user.read, core.expense.read",
        "--scope",
        "core.expense.read openid",
    ]);
    assert_eq!(spec.scope_list(), "core.user.read core.expense.read openid");
}

#[test]
fn a_resource_whose_scope_is_missing_names_the_scope_to_add() {
    fails_with(
        &["--resource", "invoices", "--scope", "core.expense.read"],
        &[
            "--resource 'invoices' needs the scope 'core.invoice.read'",
            "add --scope core.invoice.read",
        ],
    );
}

#[test]
fn an_unknown_scope_suggests_the_closest_unless_allowed() {
    fails_with(
        &["--scope", "core.expenses.read"],
        &[
            "--scope 'core.expenses.read'",
            "did you mean core.expense.read?",
            "--allow-unknown-scopes",
        ],
    );
    let out = run(&[
        "curl",
        "--domain",
        GUIDE_DOMAIN,
        "--scope",
        "acme.custom.read core.expense.read",
        "--allow-unknown-scopes",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("scope=acme.custom.read core.expense.read"));
}

#[test]
fn an_unknown_resource_points_to_the_list() {
    fails_with(
        &["--resource", "invoice"],
        &[
            "--resource 'invoice'",
            "did you mean 'invoices'",
            "coupagen scopes --resources",
        ],
    );
}

#[test]
fn filters_are_checked_and_show_the_expected_form() {
    let form = "attribute[operator]=value";
    fails_with(
        &["--filter", "status"],
        &["--filter 'status'", "no '='", form],
    );
    fails_with(
        &["--filter", "updated_at[gtt]=2024-01-01"],
        &[
            "'gtt' is not a Coupa operator",
            "did you mean 'gt'",
            "gt_or_eq",
        ],
    );
    fails_with(&["--filter", "updated_at[gt=1"], &["not closed", form]);
    fails_with(&["--filter", "=1"], &["not an attribute name", form]);
    fails_with(&["--filter", "status="], &["the value is empty", form]);
    fails_with(&["--filter", "a[gt]x=1"], &["unexpected 'x'", form]);
}

#[test]
fn filters_accept_coupas_forms() {
    let spec = spec(&[
        "--domain",
        GUIDE_DOMAIN,
        "--filter",
        "status=approved",
        "--filter",
        "updated-at[gt_or_eq]=2024-01-01T00:00:00Z",
        "--filter",
        "supplier[name][contains]=Acme & Sons",
        "--filter",
        "supplier[name]=Acme",
        "--filter",
        "status[in]=approved,paid",
        "--offset",
        "50",
    ]);
    let kit = coupagen::kit::plan(&spec);
    assert_eq!(
        kit.calls[0].query_string(&coupagen::kit::Shown),
        "limit=1&offset=50&status=approved&updated-at[gt_or_eq]=2024-01-01T00%3A00%3A00Z\
         &supplier[name][contains]=Acme%20%26%20Sons&supplier[name]=Acme&status[in]=approved,paid"
    );
}

#[test]
fn fields_must_be_a_json_list() {
    fails_with(
        &["--fields", "id,status"],
        &["--fields 'id,status'", "not JSON", r#"["id","status""#],
    );
    fails_with(
        &["--fields", r#"{"id":1}"#],
        &["a JSON list of field names"],
    );
    fails_with(
        &["--fields", r#"["id",3]"#],
        &["a JSON list of field names"],
    );
    let spec = spec(&[
        "--domain",
        GUIDE_DOMAIN,
        "--fields",
        r#"[ "id", {"expense_lines": ["id"]} ]"#,
    ]);
    assert_eq!(
        spec.query.fields.as_deref(),
        Some(r#"["id",{"expense_lines":["id"]}]"#),
        "kept compact"
    );
}

#[test]
fn return_object_and_offset_are_checked_by_clap() {
    for args in [
        &["--return-object", "full"][..],
        &["--offset", "-1"][..],
        &["--limit", "x"][..],
    ] {
        let mut argv = vec!["curl", "--domain", GUIDE_DOMAIN];
        argv.extend_from_slice(args);
        assert_eq!(run(&argv).status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn a_filter_may_be_for_one_resource() {
    let spec = spec(&[
        "--domain",
        GUIDE_DOMAIN,
        "--resource",
        "expense_reports,invoices",
        "--filter",
        "invoices:status=paid",
        "--filter",
        "/api/expense_reports:status=approved",
        "--filter",
        "updated_at[gt]=2024-01-01",
    ]);
    let kit = coupagen::kit::plan(&spec);
    let query = |i: usize| kit.calls[i].query_string(&coupagen::kit::Shown);
    assert_eq!(
        query(0),
        "limit=1&status=approved&updated_at[gt]=2024-01-01"
    );
    assert_eq!(query(1), "limit=1&status=paid&updated_at[gt]=2024-01-01");
}

#[test]
fn a_requests_slots_are_those_of_what_it_sends() {
    // Request::slots reads the headers without building them as sent (it is
    // asked thousands of times a kit): it must still name exactly the slots
    // of the path, query, sent headers (the bearer one too), form and body.
    let use_cases: Vec<String> = coupagen::usecase::built_in()
        .iter()
        .map(|u| u.id.to_string())
        .collect();
    let use_cases = use_cases.join(",");
    let kits = [
        spec(&["--domain", GUIDE_DOMAIN, "--use-case", &use_cases]),
        spec(&[
            "--domain",
            GUIDE_DOMAIN,
            "--grant",
            "authorization-code",
            "--moveworks-org",
            "acme",
            "--use-case",
            &use_cases,
        ]),
        spec(&[
            "--domain",
            GUIDE_DOMAIN,
            "--grant",
            "authorization-code",
            "--pkce",
            "--moveworks-org",
            "acme",
        ]),
    ];
    let mut bearer = 0;
    for spec in &kits {
        let kit = coupagen::kit::plan(spec);
        let requests = kit
            .flow
            .requests()
            .chain(&kit.calls)
            .chain(kit.use_cases.iter().flat_map(|u| &u.requests));
        for req in requests {
            let headers = req.sent_headers();
            let body: Vec<_> = match &req.body {
                coupagen::kit::Body::Json(json) => {
                    json.slots().into_iter().map(|(s, _)| s).collect()
                }
                _ => Vec::new(),
            };
            let mut want = Vec::new();
            let sent = std::iter::once(&req.path)
                .chain(req.query.iter().map(|(_, v)| v))
                .chain(headers.iter().map(|(_, v)| v))
                .chain(req.form().iter().map(|(_, v)| v));
            for slot in sent.flat_map(|v| v.slots()).chain(body) {
                if !want.contains(&slot) {
                    want.push(slot);
                }
            }
            assert_eq!(req.slots(), want, "{}", req.name);
            bearer += usize::from(req.auth == coupagen::kit::Auth::Bearer);
        }
    }
    assert!(bearer > 20, "the kits hold bearer requests: {bearer}");
}
