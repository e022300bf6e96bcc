//! newman, Postman's collection runner, on a kit whose environment is filled
//! in as a person fills it in Postman.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::coupa::Coupa;
use super::tools::NEWMAN;
use super::{stderr, stdout};

/// Fills the environment's Identifier and Secret (by name, as the README
/// tells a person to), then runs the collection against `coupa` with `args`
/// (`--folder`, `--env-var`, …).
pub fn run(coupa: &Coupa, kit: &Path, id: &str, secret: &str, args: &[String]) -> Output {
    let filled = filled_environment(kit, id, secret);
    Command::new(NEWMAN.path())
        .arg("run")
        .arg(kit.join("coupa.postman_collection.json"))
        .arg("-e")
        .arg(&filled)
        .args(["--reporters", "cli", "--color", "off"])
        .args(["--timeout-request", "10000"])
        .args(args)
        .env("NODE_EXTRA_CA_CERTS", &coupa.ca_file)
        .output()
        .expect("newman runs")
}

/// The kit's environment with Identifier and Secret filled in as current
/// values, written beside it; Postman's own CLI reads it too.
pub fn filled_environment(kit: &Path, id: &str, secret: &str) -> PathBuf {
    filled(kit, "coupa.postman_environment.json", id, secret)
}

/// The kit's environment `file` filled in, as [`filled_environment`].
pub fn filled(kit: &Path, file: &str, id: &str, secret: &str) -> PathBuf {
    let mut env: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(kit.join(file)).unwrap()).unwrap();
    for (key, value) in [("Identifier", id), ("Secret", secret)] {
        let slot = env["values"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|v| v["key"] == key)
            .unwrap_or_else(|| panic!("the environment has no {key}"));
        slot["value"] = value.into();
    }
    let filled = kit.join("filled.postman_environment.json");
    fs::write(&filled, env.to_string()).unwrap();
    filled
}

/// `--folder NAME` and one `--env-var k=v` for each pair.
pub fn args(folder: Option<&str>, vars: &[(&str, &str)]) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(folder) = folder {
        args.extend(["--folder".to_string(), folder.to_string()]);
    }
    for (k, v) in vars {
        args.extend(["--env-var".to_string(), format!("{k}={v}")]);
    }
    args
}

/// What newman printed, its 60-column console wrap joined again.
pub fn report(out: &Output) -> String {
    format!("{}\n{}", stdout(out), stderr(out)).replace("\n  │ ", "")
}
