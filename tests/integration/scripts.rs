//! Every script a kit hands a JavaScript client parses: `node --check` on
//! each Postman event's script, each Bruno script block and each HTTP-file
//! script block, whole (its config and its fixed pieces), in kits of both
//! grants, with and without PKCE, use cases and writes; and a use case of
//! hostile text stays inside every script.

use std::process::Command;

use crate::support::tools::NODE;
use crate::support::{artifacts, GUIDE_DOMAIN};

/// Kits that between them reach every branch the scripts' configs take.
const KITS: &[&[&str]] = &[
    &["--domain", GUIDE_DOMAIN],
    &[
        "--domain",
        "acme.coupahost.com",
        "--use-case",
        "pending-expense-approvals,approve-expense-report",
        "--resource",
        "users,invoices",
    ],
    &[
        "--grant",
        "authorization-code",
        "--domain",
        "acme.coupahost.com",
        "--redirect-uri",
        "https://acme.moveworks.com/auth/oauthCallback",
        "--use-case",
        "pending-expense-approvals",
    ],
    &[
        "--grant",
        "authorization-code",
        "--domain",
        "acme-test.coupahost.com",
        "--pkce",
        "--no-offline-access",
        "--redirect-uri",
        "http://127.0.0.1:8765/callback",
    ],
    &[
        "--domain",
        "acme.coupahost.com",
        "--use-case-file",
        crate::picks::FILE,
    ],
];

/// Each event's script of a collection, with where it stands.
fn postman_scripts(at: &str, node: &serde_json::Value, out: &mut Vec<(String, String)>) {
    for (i, event) in node["event"].as_array().into_iter().flatten().enumerate() {
        let lines: Vec<&str> = event["script"]["exec"]
            .as_array()
            .expect("an event's script has exec lines")
            .iter()
            .map(|l| l.as_str().expect("an exec line is a string"))
            .collect();
        out.push((format!("{at} event {i}"), lines.join("\n")));
    }
    for item in node["item"].as_array().into_iter().flatten() {
        let name = item["name"].as_str().unwrap_or("?");
        postman_scripts(&format!("{at} / {name}"), item, out);
    }
}

/// The script blocks of a `.bru` file: `script:pre-request {` to a `}` at
/// the line's start, two spaces of indent off each line.
fn bruno_scripts(path: &str, text: &str, out: &mut Vec<(String, String)>) {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(kind) = line
            .strip_prefix("script:")
            .and_then(|l| l.strip_suffix(" {"))
        {
            let body: Vec<&str> = lines
                .by_ref()
                .take_while(|l| *l != "}")
                .map(|l| l.strip_prefix("  ").unwrap_or(l))
                .collect();
            out.push((format!("{path} {kind}"), body.join("\n")));
        }
    }
}

/// The script blocks of an HTTP file: `< {%` or `> {%` to `%}`.
fn http_scripts(text: &str, out: &mut Vec<(String, String)>) {
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        if line == "< {%" || line == "> {%" {
            let body: Vec<&str> = lines
                .by_ref()
                .map(|(_, l)| l)
                .take_while(|l| *l != "%}")
                .collect();
            out.push((format!("coupa.http line {}", n + 1), body.join("\n")));
        }
    }
}

/// The top-level keys of a script's `const config = {…};`, and every
/// `config.NAME` its fixed pieces read: a piece joined without the key it
/// reads would pass `node --check` and fail only when a client runs it.
fn config_keys_and_reads(text: &str) -> (Vec<String>, Vec<String>) {
    let mut lines = text.lines().map(str::trim_start);
    let keys: Vec<String> = lines
        .by_ref()
        .skip_while(|l| *l != "const config = {")
        .skip(1)
        .take_while(|l| *l != "};")
        .filter_map(|l| l.strip_prefix('"')?.split('"').next().map(String::from))
        .collect();
    let read: Vec<String> = text
        .split("config.")
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        })
        .collect();
    (keys, read)
}

#[test]
fn a_piece_reading_a_key_its_config_lacks_is_caught() {
    let (keys, read) = config_keys_and_reads(
        "const config = {\n  \"needs\": [],\n  \"writesVar\": \"w\"\n};\nif (config.writes) {}\nconfig.needs.map(f);",
    );
    assert_eq!(keys, ["needs", "writesVar"]);
    assert_eq!(read, ["writes", "needs"]);
}

/// Every script of the kit these arguments make: Postman's, Bruno's and the
/// HTTP file's, each with where it stands.
fn kit_scripts(args: &[&str]) -> [Vec<(String, String)>; 3] {
    let mut scripts = [Vec::new(), Vec::new(), Vec::new()];
    for file in artifacts(args) {
        if file.path == "coupa.postman_collection.json" {
            let collection: serde_json::Value = serde_json::from_str(&file.text).unwrap();
            postman_scripts("collection", &collection, &mut scripts[0]);
        } else if file.path.ends_with(".bru") {
            bruno_scripts(&file.path, &file.text, &mut scripts[1]);
        } else if file.path == "coupa.http" {
            http_scripts(&file.text, &mut scripts[2]);
        }
    }
    scripts
}

/// `node --check` on one script, written to `dir` as `name`.
fn assert_parses(dir: &std::path::Path, name: &str, at: &str, text: &str) {
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    let out = Command::new("node")
        .arg("--check")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{at} does not parse:\n{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_script_of_several_kits_passes_node_check() {
    let Some(_) = NODE.find() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut checked = [0; 3];
    for args in KITS {
        for (client, scripts) in kit_scripts(args).iter().enumerate() {
            // Every kit's token request has a script in each client.
            assert!(
                !scripts.is_empty(),
                "{args:?}: client {client} has no script"
            );
            for (at, text) in scripts {
                let at = format!("{args:?}: {at}");
                let name = format!("script-{client}-{}.js", checked[client]);
                assert_parses(dir.path(), &name, &at, text);
                assert!(
                    text.trim_start().starts_with("const config = {"),
                    "{at}:\n{text}"
                );
                let (keys, read) = config_keys_and_reads(text);
                let unknown: Vec<&String> = read.iter().filter(|k| !keys.contains(k)).collect();
                assert!(
                    unknown.is_empty(),
                    "{at} reads config keys it does not have: {unknown:?}\n{text}"
                );
                checked[client] += 1;
            }
        }
    }
    // Postman, Bruno, the HTTP file: each checked many times over.
    assert!(checked.iter().all(|&n| n > 10), "checked {checked:?}");
}

#[test]
fn node_check_fails_on_a_broken_script() {
    // The checks here can fail: assert_parses rejects what does not parse.
    let Some(_) = NODE.find() else { return };
    let dir = tempfile::tempdir().unwrap();
    let broken = "const config = {\n};\nif (config.x {\n";
    let failed = std::panic::catch_unwind(|| assert_parses(dir.path(), "broken.js", "t", broken));
    assert!(failed.is_err(), "node --check took a broken script");
    assert_parses(
        dir.path(),
        "fine.js",
        "t",
        "const config = {\n};\nif (config.x) {}\n",
    );
}

/// What a person may write in a use case's free text, and what would break
/// out of a script or a client's syntax if it reached one unescaped.
const HOSTILE: &str = "%} {{a}} }} {% </script> \u{2028} */ ${b} 'q\" \\ `c`";
/// The same in text a use case fills in, whose `{{name}}`s must be its own.
const HOSTILE_SAID: &str = "%} }} {% </script> \u{2028} */ ${b} 'q\" \\ `c` {{words}}";

#[test]
fn hostile_use_case_text_stays_inside_every_script() {
    let Some(_) = NODE.find() else { return };
    let file = tempfile::NamedTempFile::new().unwrap();
    let use_cases = serde_json::json!({"use_cases": [{
        "id": "hostile",
        "name": format!("Hostile {HOSTILE}"),
        "description": HOSTILE,
        "inputs": [{
            "name": "words",
            "type": "string",
            "description": HOSTILE,
            "example": HOSTILE,
            "from": "said"
        }],
        "requests": [{
            "name": format!("Find {HOSTILE}"),
            "description": HOSTILE,
            "path": "/api/suppliers",
            "query": {"name[contains]": "{{words}}"},
            "scope": "core.supplier.read",
            "captures": [{
                "name": "supplier_id",
                "path": "0.id",
                "type": "integer",
                "description": HOSTILE,
                "example": "1",
                "if_none": format!("none for {HOSTILE_SAID}")
            }],
            "says": HOSTILE_SAID
        }, {
            "name": format!("Write {HOSTILE}"),
            "description": HOSTILE,
            "method": "PUT",
            "path": "/api/suppliers/{{supplier_id}}",
            "scope": "core.supplier.write",
            "answer": "object",
            "says": HOSTILE_SAID
        }]
    }]});
    std::fs::write(file.path(), use_cases.to_string()).unwrap();
    let path = file.path().to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for args in [
        vec!["--domain", "acme.coupahost.com", "--use-case-file", path],
        vec![
            "--grant",
            "authorization-code",
            "--domain",
            "acme.coupahost.com",
            "--redirect-uri",
            "https://acme.moveworks.com/auth/oauthCallback",
            "--use-case-file",
            path,
        ],
    ] {
        let [postman, bruno, http] = kit_scripts(&args);
        for (at, text) in &http {
            // A `%}` ends the block; `{{` is a variable the client fills in.
            assert!(!text.contains("%}"), "{at} holds %}}:\n{text}");
            assert!(!text.contains("{{"), "{at} holds {{{{:\n{text}");
        }
        for (at, text) in postman.iter().chain(&bruno).chain(&http) {
            assert_parses(dir.path(), &format!("hostile-{checked}.js"), at, text);
            checked += 1;
        }
    }
    assert!(checked > 10, "only {checked} scripts checked");
}

/// Every script that writes a typed value into a JSON body checks it as the
/// use-case file checks a number (`Kind::Number`) or a boolean: node runs
/// each piece's own check on values both sides must agree on.
#[test]
fn the_scripts_check_a_typed_value_as_the_use_case_file_does() {
    let Some(node) = NODE.find() else { return };
    let values = [
        "0", "-0", "12", "-12", "0.5", "-3.25", "10.0", "true", "false", "+1", "01", "-01", "007",
        "1e5", "1.", ".5", "True", "", "-", "1 ", "NaN", "0x10",
    ];
    let want: Vec<bool> = values
        .iter()
        .map(|v| coupagen::usecase::Kind::Number.accepts(v) || matches!(*v, "true" | "false"))
        .collect();
    for piece in [
        "templates/postman/json-values.js",
        "templates/bruno/json-values.js",
        "templates/http/encode-values.js",
    ] {
        let text = std::fs::read_to_string(piece).unwrap();
        // The check, as the piece writes it: `/^(...)$/.test(`.
        let from = text
            .find("/^(")
            .unwrap_or_else(|| panic!("{piece}: no number check"));
        let len = text[from..].find(")$/.test(").expect("the check's end") + ")$/".len();
        let check = &text[from..from + len];
        let program = format!(
            "const values = {}; console.log(JSON.stringify(values.map((v) => {check}.test(v))));",
            serde_json::to_string(&values).unwrap()
        );
        let out = Command::new(&node)
            .arg("-e")
            .arg(&program)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{piece}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got: Vec<bool> = serde_json::from_slice(&out.stdout).unwrap();
        for ((value, got), want) in values.iter().zip(&got).zip(&want) {
            assert_eq!(got, want, "{piece}: {value:?}");
        }
    }
}
