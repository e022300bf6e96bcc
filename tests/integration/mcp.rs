//! `coupagen mcp` driven by the official MCP Python SDK's client
//! (tests/mcp/client.py), over stdio and Streamable HTTP, against the
//! loopback Coupa: tools listed, reads returning what the stand-in holds,
//! writes refused unless allowed and guarded when allowed, the HTTP
//! guards, and no secret or token in any message.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

use crate::support::bin;
use crate::support::coupa::Coupa;

/// The SDK's Python: the tests' venv, as `tools::MCP_SDK` finds it.
fn python() -> Option<PathBuf> {
    crate::support::tools::MCP_SDK.find()
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/client.py")
}

/// The server's flags for the stand-in.
fn flags(coupa: &Coupa, extra: &[&str]) -> Vec<String> {
    ["mcp", "--domain", &coupa.domain()]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
}

/// The environment the server reads: the stand-in's credentials, its CA.
fn env(cmd: &mut Command, coupa: &Coupa) {
    let b = coupa.behaviour();
    cmd.env("COUPA_CLIENT_ID", &b.client_id)
        .env("COUPA_CLIENT_SECRET", &b.client_secret)
        .env("SSL_CERT_FILE", &coupa.ca_file)
        .env(KEY_VAR, KEY);
    for proxy in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        cmd.env_remove(proxy);
    }
}

const KEY_VAR: &str = "COUPAGEN_MCP_KEY";
const KEY: &str = "test-key-0123456789abcdef";

/// What a client run printed (one answer a step) and everything the
/// server and client said besides.
pub(crate) struct Run {
    pub(crate) answers: Vec<Value>,
    all: String,
}

fn steps_run(mut cmd: Command, steps: &Value, server_log: Option<String>) -> Run {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(steps.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        out.status.success(),
        "the client failed:\n{stdout}\n{stderr}"
    );
    let answers = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    Run {
        answers,
        all: format!("{stdout}\n{stderr}\n{}", server_log.unwrap_or_default()),
    }
}

/// The SDK's client over stdio, the server started with `extra`.
pub(crate) fn stdio(coupa: &Coupa, extra: &[&str], steps: Value) -> Option<Run> {
    let python = python()?;
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = Command::new(python);
    cmd.arg(script()).arg("stdio").arg(log.path()).arg(bin());
    cmd.args(flags(coupa, extra));
    env(&mut cmd, coupa);
    let mut run = steps_run(cmd, &steps, None);
    let server_log = std::fs::read_to_string(log.path()).unwrap();
    run.all.push_str(&server_log);
    Some(run)
}

/// Asserts no secret, token or code of the stand-in is in `text`.
fn assert_no_secret(coupa: &Coupa, text: &str) {
    let secret = &coupa.behaviour().client_secret;
    assert!(
        !text.contains(secret.as_str()),
        "the secret leaked:\n{text}"
    );
    for token in coupa.tokens() {
        assert!(!text.contains(&token), "a token leaked:\n{text}");
    }
}

const KIT: &[&str] = &[
    "--use-case",
    "pending-expense-approvals,approve-expense-report,supplier-status",
    "--resource",
    "invoices",
];

fn names(tools: &Value) -> Vec<&str> {
    tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect()
}

#[test]
fn stdio_lists_the_reads_and_returns_what_coupa_holds() {
    let coupa = Coupa::start();
    let Some(run) = stdio(
        &coupa,
        KIT,
        json!([
            {"list": true},
            {"call": "list_invoices", "arguments": {"limit": 2}},
            {"call": "pending_expense_approvals", "arguments": {"user_email": "alice@example.com"}},
            {"call": "list_invoices", "arguments": {"limit": 99}},
            {"call": "pending_expense_approvals", "arguments": {"email": "alice@example.com"}},
        ]),
    ) else {
        return;
    };
    let [tools, invoices, pending, too_many, unknown] = &run.answers[..] else {
        panic!("five answers: {:?}", run.answers);
    };
    assert_eq!(
        names(tools),
        [
            "pending_expense_approvals",
            "supplier_status",
            "list_invoices"
        ],
        "the write is not listed"
    );
    let read = &tools["tools"][0];
    assert_eq!(read["annotations"]["readOnlyHint"], true);
    assert_eq!(
        read["inputSchema"]["properties"]["user_email"]["format"],
        "email"
    );
    assert_eq!(read["inputSchema"]["required"], json!(["user_email"]));

    let result = &invoices["result"];
    assert_eq!(result["isError"], false, "{result}");
    assert_eq!(result["structuredContent"]["count"], 2);
    assert_eq!(result["structuredContent"]["more"], true);
    let text: Value = serde_json::from_str(result["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(
        text, result["structuredContent"],
        "text and structure agree"
    );

    let report = &pending["result"]["structuredContent"];
    let held = coupa.record("expense_reports", 1001).unwrap();
    assert_eq!(report["records"][0]["id"], held["id"], "{report}");
    assert_eq!(report["records"][0]["title"], held["title"]);
    assert!(
        report["records"][0].get("status").is_none(),
        "trimmed to the use case's fields: {report}"
    );

    for (bad, name) in [(too_many, "limit"), (unknown, "email")] {
        assert_eq!(bad["error"]["code"], -32602, "{bad}");
        assert!(
            bad["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("argument {name}")),
            "{bad}"
        );
    }
    assert_no_secret(&coupa, &run.all);
}

#[test]
fn stdio_refuses_a_write_without_allow_writes_and_sends_nothing() {
    let coupa = Coupa::start();
    let Some(run) = stdio(
        &coupa,
        KIT,
        json!([{"call": "approve_expense_report", "arguments": {"approval_id": 5001, "decision": "approve", "reason": "ok"}}]),
    ) else {
        return;
    };
    let error = &run.answers[0]["error"];
    assert_eq!(error["code"], -32602, "{error}");
    assert!(error["message"]
        .as_str()
        .unwrap()
        .contains("--allow-writes"));
    assert!(coupa.requests().is_empty(), "nothing reached Coupa");
    assert_eq!(
        coupa.record("approvals", 5001).unwrap()["status"],
        "pending_approval"
    );
}

#[test]
fn stdio_with_allow_writes_approves_once_and_the_guard_stops_a_second() {
    let coupa = Coupa::start();
    let approve = json!({"call": "approve_expense_report", "arguments": {"approval_id": 5001, "decision": "approve", "reason": "Within policy & budget"}});
    let mut flags = KIT.to_vec();
    flags.extend(["--allow-writes", "--user-email", "alice@example.com"]);
    let Some(run) = stdio(
        &coupa,
        &flags,
        json!([{"list": true}, approve, approve, {"call": "pending_expense_approvals"}]),
    ) else {
        return;
    };
    let [tools, first, second, mine] = &run.answers[..] else {
        panic!("four answers: {:?}", run.answers);
    };
    let write = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "approve_expense_report")
        .expect("listed with --allow-writes");
    assert_eq!(write["annotations"]["destructiveHint"], true);
    assert_eq!(write["annotations"]["readOnlyHint"], false);
    assert_eq!(
        write["inputSchema"]["properties"]["decision"]["enum"],
        json!(["approve", "reject"])
    );
    assert_eq!(first["result"]["isError"], false, "{first}");
    assert_eq!(second["result"]["isError"], true, "{second}");
    assert!(
        second["result"]["structuredContent"]["said"]
            .as_str()
            .unwrap()
            .contains("no longer pending"),
        "{second}"
    );
    let puts: Vec<_> = coupa
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .collect();
    assert_eq!(puts.len(), 1, "one PUT: {:?}", coupa.api_calls());
    assert_eq!(puts[0].path, "/api/approvals/5001/approve");
    assert_eq!(
        puts[0].query,
        [("reason".to_string(), "Within policy & budget".to_string())]
    );
    assert_eq!(
        coupa.record("approvals", 5001).unwrap()["status"],
        "approved"
    );
    // The email came from --user-email.
    assert_eq!(mine["result"]["isError"], false, "{mine}");
    assert_no_secret(&coupa, &run.all);
}

#[test]
fn a_coupa_failure_is_a_tool_error_with_the_cause_and_the_fix() {
    let coupa = Coupa::with(crate::support::coupa::Behaviour {
        api_status: Some(403),
        ..Default::default()
    });
    let Some(run) = stdio(&coupa, KIT, json!([{"call": "list_invoices"}])) else {
        return;
    };
    let result = &run.answers[0]["result"];
    assert_eq!(result["isError"], true, "{result}");
    let s = &result["structuredContent"];
    assert!(s["cause"].as_str().unwrap().contains("403"), "{s}");
    assert!(!s["fix"].as_str().unwrap().is_empty(), "{s}");
    assert_no_secret(&coupa, &run.all);
}

/// Hostile strings in every argument reach Coupa exactly as given,
/// percent-encoded once: a use case's input and a list's filter.
#[test]
fn hostile_arguments_reach_coupa_exactly_as_given() {
    use proptest::strategy::{Strategy, ValueTree};
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strings: Vec<String> = (0..12)
        .map(|_| {
            proptest::string::string_regex(r#"[a-zA-Z0-9 %&+=?#/\\"'<>{}\[\]:;,.é€😀\t-]{1,24}"#)
                .unwrap()
                .prop_filter("no surrounding space", |s| s.trim() == s && !s.is_empty())
                .new_tree(&mut runner)
                .unwrap()
                .current()
        })
        .chain(["%2F".to_string(), "a+b".into(), "{{supplier_name}}".into()])
        .collect();
    let coupa = Coupa::start();
    let steps: Vec<Value> = strings
        .iter()
        .flat_map(|s| {
            [
                json!({"call": "supplier_status", "arguments": {"supplier_name": s}}),
                json!({"call": "list_invoices", "arguments": {"filters": {"supplier[name][contains]": s}}}),
            ]
        })
        .collect();
    let Some(run) = stdio(&coupa, KIT, Value::Array(steps)) else {
        return;
    };
    for answer in &run.answers {
        assert_eq!(answer["result"]["isError"], false, "{answer}");
    }
    let heard: Vec<(String, String)> = coupa
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/"))
        .map(|r| {
            let key = if r.path == "/api/suppliers" {
                "name[contains]"
            } else {
                "supplier[name][contains]"
            };
            let value = r
                .query
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone());
            (
                r.path.clone(),
                value.unwrap_or_else(|| panic!("{key} in {}", r.raw_query)),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = strings
        .iter()
        .flat_map(|s| {
            [
                ("/api/suppliers".to_string(), s.clone()),
                ("/api/invoices".into(), s.clone()),
            ]
        })
        .collect();
    assert_eq!(heard, expected);
}

/// A server on a free loopback port, its URL read from its first line.
struct Http {
    child: Child,
    url: String,
    port: u16,
}

impl Drop for Http {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first line the server says on standard error: where it listens.
fn first_line(child: &mut Child) -> String {
    let mut stderr = child.stderr.take().unwrap();
    let mut line = Vec::new();
    let mut byte = [0u8];
    while stderr.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    String::from_utf8(line).unwrap()
}

fn http(coupa: &Coupa, extra: &[&str]) -> Http {
    let mut cmd = Command::new(bin());
    cmd.args(flags(coupa, extra))
        .args(["--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    env(&mut cmd, coupa);
    let mut child = cmd.spawn().unwrap();
    let line = first_line(&mut child);
    let url = line
        .rsplit(' ')
        .next()
        .filter(|u| u.starts_with("http://"))
        .unwrap_or_else(|| panic!("a URL in {line:?}"))
        .to_string();
    let port = url
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/mcp")
        .parse()
        .unwrap();
    Http { child, url, port }
}

/// One raw HTTP/1.1 POST; the status line and body.
fn post(port: u16, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut req = format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    tcp.write_all(req.as_bytes()).unwrap();
    let _ = tcp.write_all(body.as_bytes());
    let mut answer = Vec::new();
    let _ = tcp.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer).to_string();
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, answer)
}

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;

#[test]
fn http_refuses_a_missing_or_wrong_key_a_foreign_origin_and_an_oversized_body() {
    let coupa = Coupa::start();
    let server = http(&coupa, KIT);
    let bearer = format!("Bearer {KEY}");
    let (ok, body) = post(server.port, &[("Authorization", &bearer)], INITIALIZE);
    assert_eq!(ok, 200, "{body}");
    assert_eq!(post(server.port, &[], INITIALIZE).0, 401, "no key");
    let wrong = format!("Bearer {KEY}x");
    assert_eq!(
        post(server.port, &[("Authorization", &wrong)], INITIALIZE).0,
        401
    );
    let (foreign, body) = post(
        server.port,
        &[
            ("Authorization", &bearer),
            ("Origin", "https://evil.example"),
        ],
        INITIALIZE,
    );
    assert_eq!(foreign, 403, "{body}");
    let huge = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"pad":"{}"}}}}"#,
        "x".repeat(1 << 20)
    );
    assert_eq!(
        post(server.port, &[("Authorization", &bearer)], &huge).0,
        413
    );
    assert!(coupa.requests().is_empty(), "nothing reached Coupa");
}

#[test]
fn http_serves_the_python_client_with_the_key() {
    let coupa = Coupa::start();
    let server = http(&coupa, KIT);
    let Some(python) = python() else {
        return;
    };
    let mut cmd = Command::new(python);
    cmd.arg(script())
        .arg("http")
        .arg(&server.url)
        .arg(format!("Authorization:Bearer {KEY}"));
    let run = steps_run(
        cmd,
        &json!([{"list": true}, {"call": "list_invoices", "arguments": {"limit": 1}}]),
        None,
    );
    assert_eq!(
        names(&run.answers[0]),
        [
            "pending_expense_approvals",
            "supplier_status",
            "list_invoices"
        ]
    );
    assert_eq!(run.answers[1]["result"]["structuredContent"]["count"], 1);
    assert_no_secret(&coupa, &run.all);
}

#[test]
fn a_non_loopback_address_needs_tls_and_http_needs_a_key() {
    let coupa = Coupa::start();
    let out = Command::new(bin())
        .args(flags(&coupa, KIT))
        .args(["--listen", "0.0.0.0:8765"])
        .env("COUPA_CLIENT_ID", "x")
        .env("COUPA_CLIENT_SECRET", "y")
        .env(KEY_VAR, KEY)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-cert"));
    let out = Command::new(bin())
        .args(flags(&coupa, KIT))
        .args(["--listen", "127.0.0.1:0"])
        .env("COUPA_CLIENT_ID", "x")
        .env("COUPA_CLIENT_SECRET", "y")
        .env_remove(KEY_VAR)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(KEY_VAR));
}

/// A token Coupa revokes mid-run (refused after one call, once past the
/// 5 s buffer) is fetched anew once, and the call passes.
#[test]
fn a_revoked_token_is_fetched_anew_once_and_the_call_passes() {
    let coupa = Coupa::with(crate::support::coupa::Behaviour {
        revoke_after: Some(1),
        ..Default::default()
    });
    let list = json!({"call": "list_invoices", "arguments": {"limit": 1}});
    let Some(run) = stdio(&coupa, KIT, json!([list, {"sleep": 5.5}, list])) else {
        return;
    };
    for answer in &run.answers {
        assert_eq!(answer["result"]["isError"], false, "{answer}");
    }
    assert_eq!(coupa.token_grants().len(), 2, "{:?}", coupa.api_calls());
    assert_no_secret(&coupa, &run.all);
}

/// The kit's `mcp/` entries, resolved as each assistant resolves them
/// (Claude Desktop: the person's path and values; Cursor: `${env:NAME}`
/// and `${workspaceFolder}`; VS Code: its `inputs` answered), start
/// `coupagen` from PATH, and the SDK's client lists the kit's tools through
/// each. The files name the variables and hold no value.
#[test]
fn the_kits_desktop_entries_start_the_server_for_the_sdk_client() {
    let coupa = Coupa::start();
    let kit = tempfile::tempdir().unwrap();
    let out = Command::new(bin())
        .args(["bundle", "--domain", &coupa.domain(), "--out"])
        .arg(kit.path())
        .args(KIT)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let Some(python) = python() else { return };
    let b = coupa.behaviour().clone();
    let values = |var: &str| match var {
        "COUPA_CLIENT_ID" => b.client_id.clone(),
        "COUPA_CLIENT_SECRET" => b.client_secret.clone(),
        other => panic!("an entry names {other}"),
    };
    let folder = kit.path().to_str().unwrap().to_string();
    for (file, servers_key) in [
        ("claude_desktop_config.json", "mcpServers"),
        ("cursor-mcp.json", "mcpServers"),
        ("vscode-mcp.json", "servers"),
    ] {
        let text = std::fs::read_to_string(kit.path().join("mcp").join(file)).unwrap();
        assert!(
            !text.contains(&b.client_secret) && !text.contains(&b.client_id),
            "{text}"
        );
        let doc: Value = serde_json::from_str(&text).unwrap();
        let entry = &doc[servers_key]["coupa"];
        assert_eq!(entry["command"], "coupagen", "{file}");
        let resolve = |s: &str| -> String {
            let s = s
                .replace("${workspaceFolder}", &folder)
                .replace("/ABSOLUTE/PATH/TO/THIS/KIT", &folder);
            // An answer to each of VS Code's inputs, by the variable it names.
            if let Some(id) = s.strip_prefix("${input:").and_then(|r| r.strip_suffix('}')) {
                let input = doc["inputs"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|i| i["id"] == id)
                    .unwrap_or_else(|| panic!("{file}: no input {id}"));
                let var = id.to_uppercase().replace('-', "_");
                assert_eq!(
                    input["password"],
                    var.ends_with("SECRET"),
                    "{file}: {input}"
                );
                return values(&var);
            }
            match s.strip_prefix("${env:").and_then(|r| r.strip_suffix('}')) {
                Some(var) => values(var),
                None => s,
            }
        };
        let args: Vec<String> = entry["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| resolve(a.as_str().unwrap()))
            .collect();
        let mut cmd = Command::new(&python);
        let log = tempfile::NamedTempFile::new().unwrap();
        cmd.arg(script())
            .arg("stdio")
            .arg(log.path())
            .arg("coupagen")
            .args(&args);
        let path = format!(
            "{}:{}",
            bin().parent().unwrap().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        cmd.env_clear()
            .env("PATH", path)
            .env("SSL_CERT_FILE", &coupa.ca_file);
        for (var, value) in entry["env"].as_object().unwrap() {
            // Claude Desktop's are empty for the person to fill in.
            let value = match value.as_str().unwrap() {
                "" => values(var),
                v => resolve(v),
            };
            cmd.env(var, value);
        }
        let run = steps_run(cmd, &json!([{"list": true}]), None);
        assert_eq!(
            names(&run.answers[0]),
            [
                "pending_expense_approvals",
                "supplier_status",
                "list_invoices"
            ],
            "{file}"
        );
        assert_no_secret(&coupa, &run.all);
    }
}

/// The MCP Inspector's CLI (npm, pinned) on `coupagen mcp` over stdio: it
/// lists the tools, a read returns what the stand-in holds, a write is
/// refused without `--allow-writes` with nothing sent, and a wrong secret is
/// a tool error carrying the cause and the fix.
#[test]
fn the_inspector_cli_lists_calls_and_is_refused_a_write() {
    use crate::support::tools::MCP_INSPECTOR;
    let Some(inspector) = MCP_INSPECTOR.find() else {
        return;
    };
    let coupa = Coupa::start();
    let inspect = |secret: &str, method: &[&str]| -> (Value, String) {
        let mut cmd = Command::new(&inspector);
        cmd.arg("--cli")
            .arg(bin())
            .args(method)
            .arg("--")
            .args(flags(&coupa, KIT));
        env(&mut cmd, &coupa);
        // Its version lookup reads `../package.json` from the working
        // folder (a bug of inspector-cli 1.0.3): start it below the repo's.
        cmd.current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests"))
            .env("COUPA_CLIENT_SECRET", secret);
        let out = cmd.output().unwrap();
        let text = format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // Its answer is the JSON on standard output (notices go to stderr).
        let stdout = String::from_utf8_lossy(&out.stdout);
        let json = stdout.find('{').map_or(Value::Null, |i| {
            serde_json::from_str(stdout[i..].trim()).unwrap_or(Value::Null)
        });
        (json, text)
    };
    let secret = coupa.behaviour().client_secret.clone();
    let (tools, text) = inspect(&secret, &["--method", "tools/list"]);
    assert!(tools["tools"].is_array(), "{text}");
    assert_eq!(
        names(&tools),
        [
            "pending_expense_approvals",
            "supplier_status",
            "list_invoices"
        ],
        "{text}"
    );
    let (listed, text) = inspect(
        &secret,
        &[
            "--tool-arg",
            "limit=2",
            "--method",
            "tools/call",
            "--tool-name",
            "list_invoices",
        ],
    );
    assert_eq!(listed["isError"], false, "{text}");
    let records = listed["structuredContent"]["records"].as_array().unwrap();
    let held = coupa
        .record("invoices", records[0]["id"].as_u64().unwrap())
        .unwrap();
    assert_eq!(records[0]["id"], held["id"], "{text}");
    assert_eq!(coupa.api_calls(), ["GET /api/invoices"], "{text}");
    coupa.clear();
    let (_, text) = inspect(
        &secret,
        &[
            "--tool-arg",
            "approval_id=5001",
            "decision=approve",
            "reason=ok",
            "--method",
            "tools/call",
            "--tool-name",
            "approve_expense_report",
        ],
    );
    assert!(text.contains("--allow-writes"), "{text}");
    assert!(coupa.api_calls().is_empty(), "{:?}", coupa.api_calls());
    let (refused, text) = inspect(
        "not-the-secret",
        &["--method", "tools/call", "--tool-name", "list_invoices"],
    );
    assert_eq!(refused["isError"], true, "{text}");
    assert!(refused["structuredContent"]["fix"].is_string(), "{text}");
    assert_no_secret(&coupa, &text);
}

/// `--listen` with `--tls-cert` and `--tls-key` serves HTTPS: curl, trusting
/// the certificate, initializes with the key and is refused without it; a
/// plain HTTP request to the port gets no MCP answer.
#[test]
fn https_with_the_given_certificate_serves_the_key_holder_only() {
    use crate::support::tools::CURL;
    let Some(_) = CURL.find() else { return };
    let coupa = Coupa::start();
    let dir = tempfile::tempdir().unwrap();
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let (cert_file, key_file) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_file, cert.cert.pem()).unwrap();
    std::fs::write(&key_file, cert.signing_key.serialize_pem()).unwrap();
    let mut cmd = Command::new(bin());
    cmd.args(flags(&coupa, KIT))
        .args(["--listen", "127.0.0.1:0", "--tls-cert"])
        .arg(&cert_file)
        .arg("--tls-key")
        .arg(&key_file)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    env(&mut cmd, &coupa);
    let mut child = cmd.spawn().unwrap();
    let line = first_line(&mut child);
    let url = line.rsplit(' ').next().unwrap_or_default().to_string();
    let server = Http {
        port: url
            .trim_start_matches("https://127.0.0.1:")
            .trim_end_matches("/mcp")
            .parse()
            .unwrap_or_else(|_| panic!("an https URL in {line:?}")),
        url,
        child,
    };
    let curl = |key: Option<&str>| {
        let mut cmd = Command::new("curl");
        cmd.args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert"])
            .arg(&cert_file)
            .args(["-X", "POST", "-H", "Content-Type: application/json"])
            .args(["-H", "Accept: application/json, text/event-stream"])
            .args(["--data", INITIALIZE]);
        if let Some(key) = key {
            cmd.args(["-H", &format!("Authorization: Bearer {key}")]);
        }
        let out = cmd.arg(&server.url).output().unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    assert_eq!(curl(Some(KEY)), "200");
    assert_eq!(curl(None), "401");
    assert_eq!(curl(Some("wrong-key-0123456789")), "401");
    let (status, answer) = post(
        server.port,
        &[("Authorization", &format!("Bearer {KEY}"))],
        INITIALIZE,
    );
    assert_ne!(status, 200, "plain HTTP was served: {answer}");
}
