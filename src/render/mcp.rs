//! The kit's `mcp/` folder: ready entries that start `coupagen mcp` from a
//! desktop assistant (Claude Desktop, Cursor, VS Code), each naming the
//! credential variables and never holding a value, one server an instance.

use serde_json::{json, Map, Value as Json};

use super::templates::json_file;
use super::{wanted, Artifact, File, Format};
use crate::contract::env;
use crate::kit::Kit;
use crate::Error;

pub const CLAUDE_FILE: File = File {
    path: "mcp/claude_desktop_config.json",
    variant: "claude",
    purpose: "Claude Desktop's `mcpServers` entry for `coupagen mcp`: put the kit's path in its args and the credentials in its env (Claude Desktop takes literal values only; this file holds none).",
};

pub const CURSOR_FILE: File = File {
    path: "mcp/cursor-mcp.json",
    variant: "cursor",
    purpose: "Cursor's `.cursor/mcp.json` for `coupagen mcp`, the credentials read from your environment (`${env:NAME}`), this kit the workspace.",
};

pub const VSCODE_FILE: File = File {
    path: "mcp/vscode-mcp.json",
    variant: "vscode",
    purpose: "VS Code's `.vscode/mcp.json` for `coupagen mcp`: VS Code asks for the credentials once and keeps them in its secret storage; this kit the workspace.",
};

pub const FORMAT: Format = Format {
    command: "mcp-clients",
    about: "Desktop assistants' entries (Claude Desktop, Cursor, VS Code) that start `coupagen mcp` on this kit.",
    long_about: None,
    files: &[CLAUDE_FILE, CURSOR_FILE, VSCODE_FILE],
    // The entries run the kit's record; they name no placeholder.
    ignores: &["client_id_var", "client_secret_var", "connector_name"],
    render: |kit, only| {
        let mut out = Vec::new();
        for (file, text) in [
            (&CLAUDE_FILE, claude as fn(&Kit<'_>) -> Json),
            (&CURSOR_FILE, cursor),
            (&VSCODE_FILE, vscode),
        ] {
            if wanted(only, file) {
                out.push(Artifact {
                    path: file.path.into(),
                    text: json_file(&text(kit)),
                    executable: false,
                });
            }
        }
        Ok::<_, Error>(out)
    },
};

/// The program the entries start.
const COMMAND: &str = "coupagen";

/// One server an instance: its name in the assistant, the `--instance`
/// flag of a several-instance kit, and the variables its credentials come
/// from (the instance's own, which `coupagen mcp` reads first).
struct Server {
    name: String,
    instance: Option<String>,
    vars: Vec<String>,
}

fn servers(kit: &Kit<'_>) -> Vec<Server> {
    let shared = super::credential_vars(kit);
    match kit.multi() {
        false => vec![Server {
            name: "coupa".into(),
            instance: None,
            vars: shared.iter().map(|v| v.to_string()).collect(),
        }],
        true => kit
            .instances
            .iter()
            .map(|i| Server {
                name: format!("coupa-{}", i.name.as_str()),
                instance: Some(i.name.as_str().into()),
                vars: shared
                    .iter()
                    .map(|v| env::of_instance(v, i.name.as_str()))
                    .collect(),
            })
            .collect(),
    }
}

/// `mcp --config CONFIG [--instance NAME]`: reads only, as the server's
/// default; add `--allow-writes` by hand to serve writes.
fn args(config: &str, server: &Server) -> Json {
    let mut args = vec!["mcp".to_string(), "--config".into(), config.into()];
    if let Some(name) = &server.instance {
        args.extend(["--instance".into(), name.clone()]);
    }
    json!(args)
}

fn entries(kit: &Kit<'_>, config: &str, value: impl Fn(&str) -> String) -> Map<String, Json> {
    servers(kit)
        .into_iter()
        .map(|s| {
            let env: Map<String, Json> = s
                .vars
                .iter()
                .map(|v| (v.clone(), json!(value(v))))
                .collect();
            let entry = json!({ "command": COMMAND, "args": args(config, &s), "env": env });
            (s.name, entry)
        })
        .collect()
}

/// The record's path where the kit is the workspace (Cursor, VS Code).
fn in_workspace() -> String {
    format!("${{workspaceFolder}}/{}", crate::contract::kit::CONFIG)
}

/// Claude Desktop: literal values only, so the file names the variables
/// with empty values and a path the person replaces.
fn claude(kit: &Kit<'_>) -> Json {
    let config = format!(
        "/ABSOLUTE/PATH/TO/THIS/KIT/{}",
        crate::contract::kit::CONFIG
    );
    json!({ "mcpServers": entries(kit, &config, |_| String::new()) })
}

/// Cursor: each value from the environment Cursor runs in.
fn cursor(kit: &Kit<'_>) -> Json {
    json!({ "mcpServers": entries(kit, &in_workspace(), |v| format!("${{env:{v}}}")) })
}

/// VS Code: each value asked for once (`inputs`), kept in its secret storage.
fn vscode(kit: &Kit<'_>) -> Json {
    let id = |v: &str| v.to_ascii_lowercase().replace('_', "-");
    let mut inputs = Vec::new();
    let mut servers_json = Map::new();
    for (name, mut entry) in entries(kit, &in_workspace(), |v| format!("${{input:{}}}", id(v))) {
        entry["type"] = json!("stdio");
        servers_json.insert(name, entry);
    }
    for s in servers(kit) {
        for v in &s.vars {
            let secret = !v.ends_with("CLIENT_ID");
            inputs.push(json!({
                "type": "promptString",
                "id": id(v),
                "description": format!("{v} for coupagen mcp"),
                "password": secret,
            }));
        }
    }
    json!({ "inputs": inputs, "servers": servers_json })
}
