//! The clients the tests drive, each with the command that installs it. A
//! missing one fails the run in CI and is a recorded skip elsewhere (said once,
//! at the end, by `skips`).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::skips;

/// A program or package a check needs.
pub struct Tool {
    name: &'static str,
    kind: Kind,
}

enum Kind {
    /// On PATH, from a Debian package; .ci/run installs it.
    System { package: &'static str },
    /// On PATH, from a Debian package CI does not install: a skip in CI too.
    Optional { package: &'static str },
    /// A client in `node_modules/.bin` (or on PATH) from `npm ci`.
    NpmBin,
    /// A package the tests load as a library from `node_modules`, from `npm ci`.
    NpmPackage,
    /// A Python module, from PyPI, pinned in tests/requirements.txt, in the
    /// tests' venv ([`PY_SETUP`]); the tool is that venv's python.
    PyModule,
}

/// What `npm ci` is to the npm clients, for the Python ones: one venv of
/// tests/requirements.txt (pinned with hashes), made as .ci/run makes it.
pub const PY_SETUP: &str = "python3 -m venv target/py-venv && target/py-venv/bin/pip install --require-hashes -r tests/requirements.txt";

pub const CURL: Tool = Tool::system("curl", "curl");
pub const JQ: Tool = Tool::system("jq", "jq");
pub const OPENSSL: Tool = Tool::system("openssl", "openssl");
pub const SHELLCHECK: Tool = Tool::system("shellcheck", "shellcheck");
pub const NODE: Tool = Tool::system("node", "nodejs");
pub const ZSH: Tool = Tool::optional("zsh", "zsh");
pub const FISH: Tool = Tool::optional("fish", "fish");
pub const MAN: Tool = Tool::optional("man", "man-db");
pub const NEWMAN: Tool = Tool::npm("newman");
pub const POSTMAN: Tool = Tool::npm("postman");
pub const BRU: Tool = Tool::npm("bru");
pub const HTTPYAC: Tool = Tool::npm("httpyac");
pub const REDOCLY: Tool = Tool::npm("redocly");
pub const OPENAPI2POSTMANV2: Tool = Tool::npm("openapi2postmanv2");
pub const BRUNO_LANG: Tool = Tool::npm_package("@usebruno/lang");
pub const POSTMAN_CODE_GENERATORS: Tool = Tool::npm_package("postman-code-generators");
pub const JUNITPARSER: Tool = Tool::py_module("junitparser");
/// The MCP Python SDK (tests/mcp/client.py drives `coupagen mcp` with it).
pub const MCP_SDK: Tool = Tool::py_module("mcp");
pub const MCP_INSPECTOR: Tool = Tool::npm("mcp-inspector-cli");

/// Every tool a check needs: README's one install command must cover them.
pub const ALL: &[Tool] = &[
    CURL,
    JQ,
    OPENSSL,
    SHELLCHECK,
    NODE,
    ZSH,
    FISH,
    MAN,
    NEWMAN,
    POSTMAN,
    BRU,
    HTTPYAC,
    REDOCLY,
    OPENAPI2POSTMANV2,
    BRUNO_LANG,
    POSTMAN_CODE_GENERATORS,
    JUNITPARSER,
    MCP_SDK,
    MCP_INSPECTOR,
];

impl Tool {
    const fn system(name: &'static str, package: &'static str) -> Tool {
        Tool {
            name,
            kind: Kind::System { package },
        }
    }

    const fn optional(name: &'static str, package: &'static str) -> Tool {
        Tool {
            name,
            kind: Kind::Optional { package },
        }
    }

    const fn npm(name: &'static str) -> Tool {
        Tool {
            name,
            kind: Kind::NpmBin,
        }
    }

    const fn py_module(name: &'static str) -> Tool {
        Tool {
            name,
            kind: Kind::PyModule,
        }
    }

    const fn npm_package(name: &'static str) -> Tool {
        Tool {
            name,
            kind: Kind::NpmPackage,
        }
    }

    /// The Debian package it comes from, or `None` for what `npm ci` installs.
    pub fn package(&self) -> Option<&'static str> {
        match self.kind {
            Kind::System { package } | Kind::Optional { package } => Some(package),
            Kind::NpmBin | Kind::NpmPackage | Kind::PyModule => None,
        }
    }

    /// Where the tool is; `None` when it is not, recorded as a skip of the
    /// calling check (a panic instead in CI, unless CI never installs it).
    pub fn find(&self) -> Option<PathBuf> {
        let found = self.locate();
        if found.is_none() {
            self.missing();
        }
        found
    }

    /// Where the tool is, for a helper whose caller's guard found it.
    pub fn path(&self) -> PathBuf {
        self.locate()
            .unwrap_or_else(|| panic!("{} is missing; the calling test finds it first", self.name))
    }

    fn locate(&self) -> Option<PathBuf> {
        match self.kind {
            Kind::System { .. } | Kind::Optional { .. } => on_path(self.name),
            Kind::NpmBin => Some(node_modules().join(".bin").join(self.name))
                .filter(|p| p.exists())
                .or_else(|| on_path(self.name)),
            Kind::NpmPackage => Some(node_modules().join(self.name)).filter(|p| p.exists()),
            Kind::PyModule => Some(py_venv()).filter(|python| {
                Command::new(python)
                    .args(["-c", &format!("import {}", self.name)])
                    .output()
                    .is_ok_and(|o| o.status.success())
            }),
        }
    }

    fn missing(&self) {
        let install = match self.kind {
            Kind::System { package } | Kind::Optional { package } => {
                format!("apt-get install {package}")
            }
            Kind::NpmBin | Kind::NpmPackage => "npm ci".to_string(),
            Kind::PyModule => PY_SETUP.to_string(),
        };
        let in_ci = !matches!(self.kind, Kind::Optional { .. });
        if in_ci && std::env::var_os("CI").is_some() {
            panic!(
                "{} is required in CI; .ci/run installs it ({install})",
                self.name
            );
        }
        skips::record(format!(
            "{} is not installed ({install} installs it)",
            self.name
        ));
    }
}

/// The tests' Python: the venv [`PY_SETUP`] makes, or `COUPAGEN_TEST_PYTHON`.
fn py_venv() -> PathBuf {
    std::env::var_os("COUPAGEN_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/py-venv/bin/python"))
}

fn node_modules() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules")
}

/// `name` as PATH finds it, by the shell's own lookup.
fn on_path(name: &str) -> Option<PathBuf> {
    let out = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .ok()?;
    let path = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !path.trim().is_empty()).then(|| PathBuf::from(path.trim()))
}
