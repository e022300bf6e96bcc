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
    render::bundle(&kit::plan(&spec), &inputs).expect("renders")
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

/// Says that a check was skipped and why. Written to the stderr handle
/// itself, which the test harness does not capture, so a passing run shows it.
pub fn skip(what: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {what}");
}

/// In CI a real-client check may not skip; elsewhere it says why and skips.
pub fn require_tool(name: &str, why: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        missing(name, why);
    }
    found
}

/// A missing client fails CI and is a skip, said, elsewhere.
fn missing(name: &str, why: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{name} is required in CI ({why}); .ci/run installs it");
    }
    skip(&format!("{why}: `{name}` is not installed"));
}

/// An npm package the tests load as a library (`npm ci` installs it in
/// `node_modules`); `None` (a skip, or a failure in CI) when it is absent.
pub fn node_package(name: &str, why: &str) -> Option<PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("node_modules")
        .join(name);
    if dir.exists() {
        return Some(dir);
    }
    missing(name, &format!("{why} (npm ci installs it)"));
    None
}

/// An npm client the tests drive (`npm ci` installs it in `node_modules`),
/// or the one on PATH; `None` (a skip, or a failure in CI) when neither is.
pub fn node_tool(name: &str, why: &str) -> Option<PathBuf> {
    let local = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("node_modules/.bin")
        .join(name);
    if local.exists() {
        return Some(local);
    }
    require_tool(name, &format!("{why} (npm ci installs it)")).then(|| PathBuf::from(name))
}

/// Errors of a collection against the official Postman v2.1.0 schema from
/// `../shared/schemas`; `None` when the schema is absent (a user's clone has
/// no `../shared`: it says so and skips; CI makes it mandatory).
pub fn collection_schema_errors(text: &str) -> Option<Vec<String>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/schemas/postman-collection-v2.1.0.schema.json");
    let Ok(schema_text) = std::fs::read_to_string(&path) else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "the Postman schema is required in CI: {} is missing",
                path.display()
            );
        }
        skip(&format!(
            "Postman schema validation: {} is absent",
            path.display()
        ));
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
