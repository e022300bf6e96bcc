//! The read-only use cases of Moveworks' other Coupa plugins (open purchase
//! orders, payments due, pending supplier payments, invoices, contracts,
//! inventory), run live: verify says what each found, and every runner reads
//! the whole set end to end against the loopback Coupa.

use crate::support::coupa::Coupa;
use crate::support::tools::{BRU, CURL, HTTPYAC, JQ, NEWMAN};
use crate::support::{run, runners, stderr, stdout};

const USE_CASES: &[&str] = &[
    "open-purchase-orders",
    "payment-due-dates",
    "pending-supplier-payments",
    "my-invoices",
    "contract-status",
    "inventory-levels",
];

/// Every input the set takes.
const INPUTS: &[(&str, &str)] = &[
    ("supplier_name", "acme"),
    ("start_date", "2024-03-01"),
    ("end_date", "2024-03-31"),
    ("contract_name", "master"),
    ("item_name", "toner"),
];

/// What the stand-in must hear: one call of each use case's last request.
const HEARD: &[&str] = &[
    "GET /api/purchase_orders",
    "GET /api/invoices",
    "GET /api/suppliers",
    "GET /api/contracts",
    "GET /api/items",
    "GET /api/inventory",
];

fn kit(coupa: &Coupa) -> tempfile::TempDir {
    runners::bundle(coupa, &USE_CASES.join(","))
}

fn heard_all(coupa: &Coupa, runner: &str) {
    let calls = coupa.api_calls();
    for call in HEARD {
        assert!(
            calls.iter().any(|c| c == call),
            "{runner}: {call} in {calls:?}"
        );
    }
}

#[test]
fn verify_says_what_each_read_found() {
    let coupa = Coupa::start();
    let cases: &[(&str, &str)] = &[
        (
            "open-purchase-orders",
            r#"2 open purchase orders: 4001 "PO-4001", 4002 "PO-4002""#,
        ),
        (
            "payment-due-dates",
            r#"1 invoices due from 2024-03-01 to 2024-03-31: 8001 "INV-8001""#,
        ),
        (
            "pending-supplier-payments",
            r#"2 unpaid invoices of supplier 6001: 8001 "INV-8001", 8002 "INV-8002""#,
        ),
        (
            "my-invoices",
            r#"3 invoices from suppliers matching acme: 8002 "INV-8002", 8003 "INV-8003", 8001 "INV-8001""#,
        ),
        (
            "contract-status",
            r#"2 contracts match master: 9001 "Master services agreement", 9002 "Master data processing""#,
        ),
        (
            "inventory-levels",
            r#"1 inventory balances of item 7001: 7101 "12.0""#,
        ),
    ];
    for (uc, said) in cases {
        let takes = coupagen::usecase::built_in()
            .into_iter()
            .find(|u| u.id == *uc)
            .unwrap()
            .inputs;
        let inputs: Vec<(&str, &str)> = INPUTS
            .iter()
            .copied()
            .filter(|(k, _)| takes.iter().any(|i| i.name == *k))
            .collect();
        let out = runners::verify(&coupa, uc, &inputs, &[]);
        let report = stdout(&out);
        assert!(out.status.success(), "{uc}: {report}\n{}", stderr(&out));
        assert!(report.contains(said), "{uc}: {said:?} in\n{report}");
    }
}

#[test]
fn newman_reads_every_one() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = Coupa::start();
    let kit = kit(&coupa);
    let (ok, report) = runners::newman(&coupa, kit.path(), None, INPUTS);
    assert!(ok, "{report}");
    heard_all(&coupa, "newman");
}

#[test]
fn check_script_reads_every_one() {
    let (Some(_), Some(_)) = (CURL.find(), JQ.find()) else {
        return;
    };
    let coupa = Coupa::start();
    let kit = kit(&coupa);
    let out = runners::check_script(&coupa, kit.path(), INPUTS, false);
    assert!(out.status.success(), "{}", stderr(&out));
    heard_all(&coupa, "check script");
}

#[test]
fn bru_reads_every_one() {
    let Some(_) = BRU.find() else { return };
    let coupa = Coupa::start();
    let kit = kit(&coupa);
    let out = runners::bru(&coupa, kit.path(), INPUTS);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    heard_all(&coupa, "bru");
}

#[test]
fn httpyac_reads_every_one() {
    let Some(_) = HTTPYAC.find() else { return };
    let coupa = Coupa::start();
    let kit = kit(&coupa);
    crate::http::send_as_client(&coupa, kit.path(), INPUTS).assert_all_passed();
    heard_all(&coupa, "httpyac");
}

/// Moveworks' request-purchase-card has no Coupa API: refused, saying why
/// and what comes nearest, with nothing written.
#[test]
fn request_purchase_card_is_refused_with_the_nearest_documented_thing() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("kit");
    let out = run(&[
        "bundle",
        "--domain",
        "acme.coupahost.com",
        "--use-case",
        "request-purchase-card",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("Coupa has no API that requests a purchase card"),
        "{err}"
    );
    assert!(err.contains("pcard"), "{err}");
    assert!(!out_dir.exists(), "nothing written");
}
