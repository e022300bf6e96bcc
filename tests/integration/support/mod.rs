//! Helpers shared by the integration tests: kits from arguments, the binary.
#![allow(dead_code)] // each test crate uses its own subset

use std::path::PathBuf;
use std::process::{Command, Output};

use coupagen::kit;
use coupagen::render::{self, Artifact};
use coupagen::spec::Spec;

pub mod browser;
pub mod coupa;
pub mod newman;
pub mod proxy;
pub mod records;
pub mod runners;
pub mod skips;
pub mod tools;

/// The guide's own example.
pub const GUIDE_DOMAIN: &str = "moveworks-usa-coupalink-demo.coupacloud.com";

/// The issue's multi-resource kit (domain aside): five resources across
/// areas, a date filter, `fields`, `return_object` and a limit.
pub const MULTI_ARGS: &[&str] = &[
    "--resource",
    "expense_reports,invoices,purchase_orders,suppliers,users",
    "--filter",
    "updated_at[gt]=2024-01-01T00:00:00+00:00",
    "--fields",
    r#"["id","status",{"supplier":["name"]}]"#,
    "--return-object",
    "limited",
    "--limit",
    "10",
];

/// insta settings shared by every snapshot: the top-level `snapshots/`
/// folder, files named by the snapshot alone.
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// The kit's arguments from command-line style arguments, through the real parser.
fn kit_args(args: &[&str]) -> coupagen::input::KitArgs {
    use clap::Parser;
    let mut argv = vec!["coupagen", "postman"];
    argv.extend_from_slice(args);
    let cli = coupagen::cli::Cli::try_parse_from(argv).expect("arguments parse");
    let coupagen::cli::Command::Generate(g) = cli.command else {
        unreachable!()
    };
    g.args.kit
}

/// A spec from command-line style arguments.
pub fn spec(args: &[&str]) -> Spec {
    kit_args(args).spec().expect("valid input")
}

/// Every file `bundle` writes for these arguments, in bundle order (the README last).
pub fn artifacts(args: &[&str]) -> Vec<Artifact> {
    let (inputs, spec) = kit_args(args).resolved().expect("valid input");
    render::bundle(&kit::plan(&spec), inputs.for_kit().to_config()).expect("renders")
}

/// The file a bundle writes at `path`, rendered alone.
pub fn artifact(spec: &Spec, path: &str) -> String {
    render::file(&kit::plan(spec), path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .text
}

pub const SHEET_MD: &str = "agent-studio-connector.md";
pub const SHEET_JSON: &str = "agent-studio-connector.json";

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_coupagen"))
}

pub fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .output()
        .expect("coupagen runs")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The variable that points the tests at a copy of the Postman schema.
pub const SCHEMA_VAR: &str = "COUPAGEN_POSTMAN_SCHEMA";

/// Where the schema is read: `COUPAGEN_POSTMAN_SCHEMA`, else this project's
/// shared copy beside the clone.
fn schema_path(given: Option<std::ffi::OsString>) -> PathBuf {
    given.map(PathBuf::from).unwrap_or_else(|| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/schemas/postman-collection-v2.1.0.schema.json")
    })
}

/// The skip's cause: one line that says what the schema is, where Postman
/// publishes it and how to point the tests at a copy.
fn schema_missing(path: &std::path::Path) -> String {
    format!(
        "the official Postman collection v2.1.0 schema is not at {} (download it from {} and set {SCHEMA_VAR} to the file)",
        path.display(),
        coupagen::render::POSTMAN_SCHEMA_URL
    )
}

/// Errors of a collection against the official Postman v2.1.0 schema;
/// `None` when the schema is absent (a recorded skip; CI makes it mandatory).
pub fn collection_schema_errors(text: &str) -> Option<Vec<String>> {
    let path = schema_path(std::env::var_os(SCHEMA_VAR));
    let Ok(schema_text) = std::fs::read_to_string(&path) else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "the Postman schema is required in CI: {}",
                schema_missing(&path)
            );
        }
        skips::record(schema_missing(&path));
        return None;
    };
    let schema: serde_json::Value = serde_json::from_str(&schema_text).expect("schema parses");
    let validator = jsonschema::draft7::new(&schema).expect("schema compiles");
    let collection: serde_json::Value = serde_json::from_str(text).expect("collection parses");
    Some(
        validator
            .iter_errors(&collection)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect(),
    )
}

pub fn assert_valid_collection(text: &str) {
    if let Some(errors) = collection_schema_errors(text) {
        assert!(
            errors.is_empty(),
            "collection violates the v2.1.0 schema:\n{}",
            errors.join("\n")
        );
    }
}

// A clone elsewhere skipped 138 schema checks with no word of where the
// schema is published or how to give the tests a copy.
#[test]
fn a_missing_schema_says_where_it_is_published_and_how_to_point_at_a_copy() {
    let copy = schema_path(Some("/tmp/collection.json".into()));
    assert_eq!(copy, PathBuf::from("/tmp/collection.json"));
    assert!(schema_path(None).ends_with("shared/schemas/postman-collection-v2.1.0.schema.json"));
    assert_eq!(
        schema_missing(&copy),
        "the official Postman collection v2.1.0 schema is not at /tmp/collection.json (download it from https://schema.getpostman.com/json/collection/v2.1.0/collection.json and set COUPAGEN_POSTMAN_SCHEMA to the file)"
    );
}
