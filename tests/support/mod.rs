//! Helpers shared by the integration tests: kits from arguments, the binary.
#![allow(dead_code)] // each test crate uses its own subset

use std::path::PathBuf;
use std::process::{Command, Output};

use coupagen::kit;
use coupagen::render::{self, Artifact, SheetFormat};
use coupagen::spec::{Inputs, Spec};

/// The guide's own example.
pub const GUIDE_DOMAIN: &str = "moveworks-usa-coupalink-demo.coupacloud.com";

/// A spec from command-line style arguments, through the real parser.
pub fn spec(args: &[&str]) -> Spec {
    use clap::Parser;
    let mut argv = vec!["coupagen", "postman"];
    argv.extend_from_slice(args);
    let cli = coupagen::cli::Cli::try_parse_from(argv).expect("arguments parse");
    let coupagen::cli::Command::Postman(g) = cli.command else {
        unreachable!()
    };
    g.kit
        .inputs()
        .and_then(Inputs::resolve)
        .expect("valid input")
}

/// Every artifact of the kit, in bundle order (the README last).
pub fn artifacts(spec: &Spec) -> Vec<Artifact> {
    render::bundle(&kit::plan(spec)).expect("renders")
}

pub fn artifact(spec: &Spec, file_name: &str) -> String {
    artifacts(spec)
        .into_iter()
        .find(|a| a.file_name == file_name)
        .unwrap_or_else(|| panic!("no artifact {file_name}"))
        .text
}

pub fn sheet(spec: &Spec, format: SheetFormat) -> String {
    render::sheet(&kit::plan(spec), format)
        .expect("renders")
        .text
}

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

/// In CI a real-client check may not skip; elsewhere it says why and skips.
pub fn require_tool(name: &str, why: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!("{name} is required in CI ({why}); .ci/run installs it");
        }
        eprintln!("SKIPPED: {why}: `{name}` is not installed");
    }
    found
}
