//! Property tests: arbitrary strings in every free-text input the validation
//! accepts reach every artifact intact. JSON parses and reads back; shell
//! words read back exactly when bash parses them; Markdown table rows keep
//! their columns and their text. The validators never panic, and accept only
//! what the artifacts can carry.

use std::process::Command;

use coupagen::input::Inputs;
use coupagen::kit::{self, At, Binder, Conn, Kit, Slot, Text};
use coupagen::render;
use coupagen::spec::{self, ConnectorName, Domain, Filter, RedirectUri, Scope, Spec, VarName};
use proptest::prelude::*;

/// Fragments that break naive quoting somewhere.
const NASTY: &[&str] = &[
    "'", "\"", "\\", "$(id)", "`id`", "${HOME}", "{{x}}", "}}", "{{", "|", "&", "=", "+", "%",
    "%20", "#", "!", "*", "?", "[a]", "~", "<b>", "&amp;", "\\|", "```", " ", "é", "日本", "🙂",
    "--", ";", "\\n",
];

/// Text built from nasty fragments and arbitrary printable characters.
pub fn hostile_text(max_parts: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(NASTY).prop_map(String::from),
            "\\PC{0,8}"
        ],
        1..max_parts,
    )
    .prop_map(|parts| parts.concat())
}

/// `fixed`, then `generated` hostile texts: the cases of a property test
/// that runs one client once over all of them (a client run per case would
/// take minutes). A failure names the texts it lost.
pub fn fixed_then_generated(fixed: &[&str], generated: usize) -> Vec<String> {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::default();
    let strategy = hostile_text(6);
    let mut texts: Vec<String> = fixed.iter().map(|t| t.to_string()).collect();
    texts.extend((0..generated).map(|_| strategy.new_tree(&mut runner).unwrap().current()));
    texts
}

/// What a scope may not hold (besides space and controls).
const SCOPE_FORBIDDEN: &str = "\"\\{},";

fn connector_name() -> impl Strategy<Value = String> {
    hostile_text(12).prop_filter("accepted by validation", |s| {
        ConnectorName::parse(s).is_ok()
    })
}

fn var_name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_.-]{1,20}"
}

/// A scope: printable ASCII but space, quotes, backslash, braces and comma.
fn scope() -> impl Strategy<Value = String> {
    "[!#-+\\--\\[\\]-z|~]{1,24}"
}

fn filter_value() -> impl Strategy<Value = String> {
    hostile_text(10).prop_filter("accepted by validation", |v| {
        Filter::parse(&format!("updated_at[gt]={v}")).is_ok()
    })
}

#[derive(Debug, Clone)]
struct Case {
    connector: String,
    id_var: String,
    secret_var: String,
    scopes: Vec<String>,
    filter: String,
}

fn case() -> impl Strategy<Value = Case> {
    (
        connector_name(),
        var_name(),
        var_name(),
        prop::collection::vec(scope(), 1..4),
        filter_value(),
    )
        .prop_filter("distinct placeholders", |(_, a, b, _, _)| a != b)
        .prop_map(|(connector, id_var, secret_var, mut scopes, filter)| {
            scopes.push("core.expense.read".into());
            Case {
                connector,
                id_var,
                secret_var,
                scopes,
                filter,
            }
        })
}

impl Case {
    fn spec(&self) -> Option<Spec> {
        Inputs {
            domain: Some(crate::support::GUIDE_DOMAIN.into()),
            scopes: self.scopes.clone(),
            filters: vec![format!("updated_at[gt]={}", self.filter)],
            client_id_var: Some(self.id_var.clone()),
            client_secret_var: Some(self.secret_var.clone()),
            connector_name: Some(self.connector.clone()),
            allow_unknown_scopes: true,
            ..Inputs::default()
        }
        .resolve()
        .ok() // reserved placeholder names are rejected; nothing to render then
    }

    /// The scopes as the kit sends them: deduplicated, in order.
    fn scope_list(&self) -> String {
        let mut seen: Vec<&str> = Vec::new();
        for s in &self.scopes {
            if !seen.contains(&s.as_str()) {
                seen.push(s);
            }
        }
        seen.join(" ")
    }
}

/// At least 1,000 cases a property; PROPTEST_CASES may ask for more.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
        .max(1000);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

pub(crate) fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("every JSON artifact parses")
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn json_artifacts_parse_and_read_back(c in case()) {
        let Some(spec) = c.spec() else { return Ok(()) };
        let kit = kit::plan(&spec);
        let coll = json(&render::file(&kit, "coupa.postman_collection.json").unwrap().text);
        let vars = coll["variable"].as_array().unwrap();
        prop_assert_eq!(&vars[1]["value"], &serde_json::json!(c.scope_list()));
        let form = &coll["item"][0]["request"]["body"]["urlencoded"];
        prop_assert_eq!(&form[1]["value"], &serde_json::json!(format!("{{{{{}}}}}", c.id_var)));
        prop_assert_eq!(&form[2]["value"], &serde_json::json!(format!("{{{{{}}}}}", c.secret_var)));

        let env = json(&render::file(&kit, "coupa.postman_environment.json").unwrap().text);
        prop_assert_eq!(&env["values"][0]["key"], &serde_json::json!(c.id_var));
        prop_assert_eq!(&env["values"][1]["key"], &serde_json::json!(c.secret_var));

        let sheet = json(&render::file(&kit, crate::support::SHEET_JSON).unwrap().text);
        prop_assert_eq!(&sheet["connector"]["connection_name"], &serde_json::json!(c.connector));
        prop_assert_eq!(&sheet["connector"]["client_credentials_grant_scope"], &serde_json::json!(c.scope_list()));
        prop_assert_eq!(&sheet["actions"][0]["query_parameters"][1]["value"], &serde_json::json!(c.filter));

        // The description's Markdown: each scope reads back as its own code span.
        let spans = code_spans(coll["info"]["description"].as_str().unwrap());
        for scope in &c.scopes {
            prop_assert!(spans.contains(scope), "{:?} not in {:?}", scope, spans);
        }
    }

    #[test]
    fn shell_words_read_back_exactly(c in case()) {
        let Some(spec) = c.spec() else { return Ok(()) };
        let kit = kit::plan(&spec);
        check_curl_words(&kit, &c)?;
        check_script_words(&kit, &c)?;
    }

    #[test]
    fn markdown_rows_keep_their_columns_and_text(c in case()) {
        let Some(spec) = c.spec() else { return Ok(()) };
        let md = render::file(&kit::plan(&spec), crate::support::SHEET_MD).unwrap().text;
        let tables = tables(&md);
        prop_assert_eq!(tables.len(), 5, "connector, action, headers, query, MCP Workspace:\n{}", md);
        for table in &tables {
            for row in table {
                prop_assert_eq!(row.len(), 2, "row {:?} in\n{}", row, md);
            }
        }
        let value = |table: &Vec<Vec<String>>, key: &str| {
            table.iter().find(|r| r[0] == key).map(|r| r[1].clone())
        };
        prop_assert_eq!(value(&tables[0], "Connection Name"), Some(c.connector.clone()));
        prop_assert_eq!(value(&tables[0], "Client ID"), Some(format!("{{{{{}}}}}", c.id_var)));
        prop_assert_eq!(value(&tables[0], "Client Credentials Grant Scope"), Some(c.scope_list()));
        prop_assert_eq!(value(&tables[3], "updated_at[gt]"), Some(c.filter.clone()));
        prop_assert_eq!(value(&tables[4], "Transport"), Some("Streamable HTTP".to_string()));
    }

    #[test]
    fn validators_never_panic_and_accept_only_what_artifacts_carry(s in "\\PC*|.*|[\\x00-\\x7f]{0,40}") {
        if let Ok(d) = Domain::parse(&s) {
            prop_assert!(d.as_str().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-:".contains(c)), "{:?}", d);
        }
        if let Ok(v) = VarName::parse("client_id_var", &s) {
            prop_assert!(v.as_str().chars().all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)));
        }
        if let Ok(scopes) = Scope::parse_list(&[&s]) {
            for sc in scopes {
                let allowed = |c: char| c.is_ascii_graphic() && !SCOPE_FORBIDDEN.contains(c);
                prop_assert!(sc.as_str().chars().all(allowed), "{:?}", sc);
            }
        }
        if let Ok(n) = ConnectorName::parse(&s) {
            prop_assert!(!n.as_str().chars().any(char::is_control) && n.as_str().trim() == n.as_str());
        }
        if Filter::parse(&s).is_ok() {
            prop_assert!(!s.chars().any(char::is_control));
        }
        if let Ok(u) = RedirectUri::parse(&s) {
            // Coupa's field is comma-separated; a fragment never reaches a server.
            let bad = |c: char| c.is_whitespace() || c.is_control() || ",#".contains(c);
            prop_assert!(!u.as_str().chars().any(bad), "{:?}", u);
            prop_assert!(u.as_str().starts_with("https://") || u.loopback().is_some(), "{:?}", u);
        }
        let _ = spec::parse_fields(&s);
        let _ = spec::parse_resources(&[&s]);
    }
}

/// A redirect URI with a hostile path and query, as validation accepts it.
fn redirect_uri() -> impl Strategy<Value = String> {
    ("[a-z]{1,10}", hostile_text(8))
        .prop_map(|(host, rest)| format!("https://{host}.example/{rest}"))
        .prop_filter("accepted by validation", |u| RedirectUri::parse(u).is_ok())
}

/// Percent-decodes a query value.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

proptest! {
    #![proptest_config(config())]

    /// A hostile redirect URI (and connector name) reaches every user-consent
    /// artifact intact: JSON, Markdown, curl's words, the script's words, the
    /// HTTP file's environment, and the authorization URL (curl's, the HTTP
    /// file's, the script's), where it is one encoded query value.
    #[test]
    fn a_redirect_uri_reads_back_in_every_consent_artifact(uri in redirect_uri(), connector in connector_name()) {
        let spec = Inputs {
            domain: Some(crate::support::GUIDE_DOMAIN.into()),
            grant: Some(coupagen::coupa::Grant::AuthorizationCode),
            redirect_uris: vec![uri.clone()],
            connector_name: Some(connector.clone()),
            ..Inputs::default()
        }
        .resolve()
        .expect("valid");
        let uri = uri.trim().to_string();
        let kit = kit::plan(&spec);
        let coll = json(&render::file(&kit, "coupa.postman_collection.json").unwrap().text);
        let var = coll["variable"].as_array().unwrap().iter().find(|v| v["key"] == "redirect_uri").unwrap();
        prop_assert_eq!(&var["value"], &serde_json::json!(uri));
        let sheet = json(&render::file(&kit, crate::support::SHEET_JSON).unwrap().text);
        prop_assert_eq!(&sheet["coupa_client"]["redirect_uris_line"], &serde_json::json!(uri));
        prop_assert_eq!(&sheet["connector"]["connection_name"], &serde_json::json!(connector));

        let md = render::file(&kit, crate::support::SHEET_MD).unwrap().text;
        let tables = tables(&md);
        let row = tables[0].iter().find(|r| r[0] == "Redirect URIs").cloned();
        prop_assert_eq!(row.map(|r| r[1].clone()), Some(uri.clone()), "{}", md);

        let curl = render::file(&kit, "coupa-requests.curl").unwrap().text;
        let exchange = bash_words(&command_after(&curl, "# Exchange the authorization code\ncurl "), &[]);
        prop_assert!(exchange.contains(&format!("redirect_uri={uri}")), "{:?}", exchange);
        let url = curl.lines().find_map(|l| l.strip_prefix("#    https://")).unwrap();
        let value = url.split('&').find_map(|p| p.strip_prefix("redirect_uri=")).unwrap();
        prop_assert_eq!(decode(value), uri.clone());

        // The HTTP file: the environment's value, and the URL its comment shows.
        let env = json(&render::file(&kit, "http-client.env.json").unwrap().text);
        prop_assert_eq!(&env["coupa"]["redirect_uri"], &serde_json::json!(uri));
        let http = render::file(&kit, "coupa.http").unwrap().text;
        let url = http.lines().find_map(|l| l.strip_prefix("#   https://")).unwrap();
        let value = url.split('&').find_map(|p| p.strip_prefix("redirect_uri=")).unwrap();
        prop_assert_eq!(decode(value), uri.clone());

        // The script: the variable, then the URL its own urlencode builds.
        let script = render::file(&kit, "coupa-check.sh").unwrap().text;
        let assign = script.lines().find_map(|l| l.strip_prefix("redirect_uri=")).unwrap();
        prop_assert_eq!(bash_words(assign, &[]), vec![uri.clone()]);
        let function = &script[script.find("urlencode() {").unwrap()..];
        let function = &function[..function.find("\n}\n").unwrap() + 3];
        let built = script.lines().find_map(|l| l.trim().strip_prefix("authorize_url=")).unwrap();
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!("{function}\nredirect_uri={assign}\nprintf '%s' {built}"))
            .env("domain", "d.example")
            .env("COUPA_CLIENT_ID", "id")
            .env("scope", "s")
            .env("state", "st")
            .output()
            .unwrap();
        let built = String::from_utf8(out.stdout).unwrap();
        let value = built.split('&').find_map(|p| p.strip_prefix("redirect_uri=")).unwrap();
        prop_assert_eq!(decode(value), uri);
    }
}

/// Bash's reading of `words` (shell source), with `vars` in its environment.
fn bash_words(words: &str, vars: &[(&str, &str)]) -> Vec<String> {
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("printf '%s\\0' {words}"))
        .envs(vars.iter().copied())
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "bash rejected: {words}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut words: Vec<String> = String::from_utf8(out.stdout)
        .expect("utf-8")
        .split('\0')
        .map(String::from)
        .collect();
    words.pop(); // after the last NUL
    words
}

/// A curl command's source after `curl`, continuation lines joined.
fn command_after(text: &str, start: &str) -> String {
    let from = text.find(start).expect("command present") + start.len();
    let mut out = String::new();
    for line in text[from..].lines() {
        match line.strip_suffix('\\') {
            Some(l) => out.push_str(l),
            None => {
                out.push_str(line);
                break;
            }
        }
    }
    out
}

/// Binds the domain to a given host; the calls hold no other slot in their URL.
struct HostOnly<'a>(&'a str);

impl Binder for HostOnly<'_> {
    type Out = Text;
    fn slot(&self, slot: Slot, _: At) -> Text {
        assert_eq!(
            slot,
            Slot::Conn(Conn::Domain),
            "only the host is a slot in a call's URL"
        );
        Text::Value(self.0.into())
    }
}

fn check_curl_words(kit: &Kit<'_>, c: &Case) -> Result<(), TestCaseError> {
    let text = render::file(kit, "coupa-requests.curl").unwrap().text;
    let domain = crate::support::GUIDE_DOMAIN;
    let token = command_after(&text, "# Get access token\ncurl ");
    let expected: Vec<String> = [
        format!("https://{domain}/oauth2/token"),
        "--header".into(),
        "Content-Type: application/x-www-form-urlencoded".into(),
        "--data-urlencode".into(),
        "grant_type=client_credentials".into(),
        "--data-urlencode".into(),
        format!("client_id={{{{{}}}}}", c.id_var),
        "--data-urlencode".into(),
        format!("client_secret={{{{{}}}}}", c.secret_var),
        "--data-urlencode".into(),
        format!("scope={}", c.scope_list()),
    ]
    .into();
    prop_assert_eq!(bash_words(&token, &[]), expected);
    let call = command_after(&text, "# List expense reports\ncurl ");
    let words = bash_words(&call, &[]);
    prop_assert_eq!(
        &words[2],
        &kit.calls[0].url(&kit.host, &HostOnly(domain)),
        "the URL reads back"
    );
    Ok(())
}

fn check_script_words(kit: &Kit<'_>, c: &Case) -> Result<(), TestCaseError> {
    let text = render::file(kit, "coupa-check.sh").unwrap().text;
    let line = |prefix: &str| {
        let l = text
            .lines()
            .find(|l| l.starts_with(prefix))
            .expect("line present");
        l[prefix.len()..].strip_suffix(')').unwrap().to_string()
    };
    prop_assert_eq!(
        bash_words(&line("scope=$(env_or "), &[]),
        vec!["COUPA_SCOPE".to_string(), c.scope_list()]
    );
    // The domain's default, inside the normalising of a pasted https://.
    let domain = line("domain=$(bare_host \"$(env_or ");
    let domain = domain
        .strip_suffix(")\"")
        .expect("bare_host's quotes close");
    prop_assert_eq!(
        bash_words(domain, &[]),
        vec![
            "COUPA_INSTANCE_DOMAIN".to_string(),
            crate::support::GUIDE_DOMAIN.to_string()
        ]
    );
    let vars = [
        ("domain", "d.example"),
        ("scope", "s1 s2"),
        ("token", "T0K"),
        ("tmp", "/t"),
        ("COUPA_CLIENT_ID", "id'x"),
        ("COUPA_CLIENT_SECRET", "se\"c"),
    ];
    let call = command_after(&text, "call 'List expense reports");
    let words = bash_words(&format!("'List expense reports{call}"), &vars);
    prop_assert_eq!(&words[1], "/t/call-1.json");
    // `call` gives curl the token on its standard input: that word reads back.
    let bearer = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("while send \"$label\" \"$out\" "))
        .and_then(|l| l.split(" \"$@\"").next())
        .expect("call sends the token");
    prop_assert_eq!(bash_words(bearer, &vars), ["Authorization: Bearer T0K"]);
    prop_assert_eq!(
        words.last().unwrap(),
        &kit.calls[0].url(&kit.host, &HostOnly("d.example")),
        "the URL reads back"
    );
    let token = command_after(&text, "request 'Get access token");
    let words = bash_words(&format!("'Get access token{token}"), &vars);
    prop_assert_eq!(&words[2], "se\"c", "the secret goes to stdin whole");
    prop_assert!(words.contains(&"client_id=id'x".to_string()));
    prop_assert!(words.contains(&"scope=s1 s2".to_string()));
    Ok(())
}

/// Every table in `md` as rows (header included) of cell texts, read by a
/// GFM parser.
fn tables(md: &str) -> Vec<Vec<Vec<String>>> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut tables = Vec::new();
    let (mut table, mut row, mut cell): (Vec<Vec<String>>, Vec<String>, Option<String>) =
        Default::default();
    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => row.push(cell.take().unwrap()),
            Event::End(TagEnd::TableRow) | Event::End(TagEnd::TableHead) => {
                table.push(std::mem::take(&mut row))
            }
            Event::End(TagEnd::Table) => tables.push(std::mem::take(&mut table)),
            Event::Text(t) | Event::Code(t) => {
                if let Some(c) = cell.as_mut() {
                    c.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(c) = cell.as_mut() {
                    c.push('\n');
                }
            }
            _ => {}
        }
    }
    tables
}

#[test]
fn the_markdown_reader_sees_a_broken_row() {
    // The property above must be able to fail: an unescaped pipe splits the
    // cell (GFM then drops the excess cell, so the text is what tells).
    let broken = tables("| a | b |\n| --- | --- |\n| x | `y|z` |\n");
    assert_ne!(broken[0][1][1], "y|z");
    let escaped = tables("| a | b |\n| --- | --- |\n| x | `y\\|z` |\n");
    assert_eq!(escaped[0][1][1], "y|z");
}

/// Every code span in `md`, as a Markdown reader sees it.
pub(crate) fn code_spans(md: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Options, Parser};
    Parser::new_ext(md, Options::ENABLE_TABLES)
        .filter_map(|e| match e {
            Event::Code(c) => Some(c.to_string()),
            _ => None,
        })
        .collect()
}

/// A use-case file's free text: name, description, a request's name, an
/// input's description and example, and the message when nothing is found.
#[derive(Debug, Clone)]
struct OwnUseCase {
    name: String,
    description: String,
    request: String,
    input_description: String,
    example: String,
    if_none: String,
}

impl OwnUseCase {
    fn file(&self) -> String {
        serde_json::json!({"use_cases": [{
            "id": "own",
            "name": self.name,
            "description": self.description,
            "inputs": [{"name": "words", "type": "string", "description": self.input_description, "example": self.example, "from": "said"}],
            "requests": [{
                "name": self.request,
                "description": self.description,
                "path": "/api/suppliers",
                "query": {"name[contains]": "{{words}}"},
                "scope": "core.supplier.read",
                "captures": [{"name": "found_id", "path": "0.id", "type": "integer", "description": self.input_description, "example": "1", "if_none": self.if_none}],
                "says": "{{count}} found"
            }]
        }]})
        .to_string()
    }
}

/// The guide's kit with the use-case file `text`.
fn own_spec(text: &str) -> Spec {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("own.json");
    std::fs::write(&path, text).unwrap();
    Inputs {
        domain: Some(crate::support::GUIDE_DOMAIN.into()),
        use_case_file: Some(path.to_str().unwrap().into()),
        ..Inputs::default()
    }
    .resolve()
    .expect("valid")
}

fn own_use_case() -> impl Strategy<Value = OwnUseCase> {
    (
        hostile_text(6),
        hostile_text(6),
        hostile_text(6),
        hostile_text(6),
        hostile_text(4),
        hostile_text(6),
    )
        .prop_map(
            |(name, description, request, input_description, example, if_none)| OwnUseCase {
                name,
                description,
                request: format!("Find {request}"),
                input_description,
                example,
                if_none,
            },
        )
        .prop_filter("accepted by validation", |u| {
            coupagen::usecase::parse(
                &u.file(),
                coupagen::error::Origin::Flag("--use-case-file"),
                "f",
            )
            .is_ok()
        })
}

proptest! {
    #![proptest_config(config())]

    /// Hostile text in a person's own use case survives every format: JSON
    /// reads back, Markdown rows keep their columns, the YAML parses back,
    /// the script's and curl's words read back.
    #[test]
    fn a_use_case_files_text_reads_back_in_every_format(u in own_use_case()) {
        let spec = own_spec(&u.file());
        let kit = kit::plan(&spec);

        let coll = json(&render::file(&kit, "coupa.postman_collection.json").unwrap().text);
        prop_assert_eq!(&coll["item"][1]["name"], &serde_json::json!(u.name));
        prop_assert_eq!(&coll["item"][1]["item"][0]["name"], &serde_json::json!(u.request));
        let var = coll["variable"].as_array().unwrap().iter().find(|v| v["key"] == "words").unwrap();
        prop_assert!(var["description"].as_str().unwrap().starts_with(&u.input_description));

        let sheet = json(&render::file(&kit, crate::support::SHEET_JSON).unwrap().text);
        let uc = &sheet["use_cases"][0];
        prop_assert_eq!(&uc["name"], &serde_json::json!(u.name));
        prop_assert_eq!(&uc["actions"][0]["input_args"][0]["description"], &serde_json::json!(u.input_description));
        prop_assert_eq!(&uc["actions"][0]["input_args"][0]["example"], &serde_json::json!(u.example));

        let md = render::file(&kit, crate::support::SHEET_MD).unwrap().text;
        for table in tables(&md) {
            let width = table[0].len();
            for row in &table {
                prop_assert_eq!(row.len(), width, "row {:?} in\n{}", row, md);
            }
        }
        let args = tables(&md).into_iter().find(|t| t[0][0] == "Name").unwrap();
        prop_assert_eq!(&args[1][2], &u.input_description);
        prop_assert_eq!(&args[1][3], &u.example);

        let yaml = uc["compound_action"]["yaml"].as_str().unwrap();
        let docs = yaml_rust2::YamlLoader::load_from_str(yaml).expect("the YAML parses");
        let step = &docs[0]["steps"][0]["action"];
        let pending = format!("{}…", u.request);
        prop_assert_eq!(step["progress_updates"]["on_pending"].as_str(), Some(pending.as_str()));

        let openapi = render::file(&kit, "coupa.openapi.yaml").unwrap().text;
        let docs = yaml_rust2::YamlLoader::load_from_str(&openapi).expect("the OpenAPI YAML parses");
        let op = &docs[0]["paths"]["/api/suppliers"]["get"];
        prop_assert_eq!(op["summary"].as_str(), Some(u.request.as_str()));
        prop_assert_eq!(op["description"].as_str(), Some(u.description.as_str()));
        prop_assert_eq!(op["tags"][0].as_str(), Some(u.name.as_str()));
        prop_assert_eq!(op["parameters"][0]["description"].as_str(), Some(u.input_description.as_str()));

        let script = render::file(&kit, "coupa-check.sh").unwrap().text;
        let line = script.lines().find_map(|l| l.trim().strip_prefix("echo \"--- use case: \"")).unwrap();
        let words = bash_words(line.trim_end_matches(" >&2"), &[]);
        prop_assert_eq!(words, vec![u.name.clone()]);
        let message = script.lines().find_map(|l| l.trim().strip_prefix("echo \"    \"")).unwrap();
        let message = message.trim_end_matches(" >&2").trim_end_matches("\"; the rest of this use case is skipped\"");
        // An empty if_none is the kit's own words (it is optional).
        let said = match u.if_none.is_empty() {
            true => "the answer holds no found_id (nothing at 0.id)".to_string(),
            false => u.if_none.clone(),
        };
        prop_assert_eq!(bash_words(message, &[]), vec![said]);

        let curl = render::file(&kit, "coupa-requests.curl").unwrap().text;
        let command = command_after(&curl, &format!("# {}\ncurl ", u.request.replace(|c: char| c.is_control(), " ")));
        let words = bash_words(&command, &[]);
        prop_assert!(words.iter().any(|w| w.ends_with("name[contains]={{{words}}}")), "{:?}", words);
    }
}

/// A use-case file whose write sends `literal` as written, beside an input.
fn body_file(literal: &str) -> String {
    serde_json::json!({"use_cases": [{
        "id": "own", "name": "Own", "description": "d",
        "inputs": [{"name": "words", "type": "string", "description": "w", "example": "x", "from": "said"}],
        "requests": [{
            "name": "Post it", "description": "d", "method": "POST", "path": "/api/suppliers",
            "body": {"lit": literal, "n": {"w": "{{words}}"}},
            "scope": "core.supplier.write", "answer": "object", "says": "done"
        }]
    }]})
    .to_string()
}

/// The text between `start` and the next `end` after it.
fn between<'t>(text: &'t str, start: &str, end: &str) -> &'t str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} in\n{text}"))
        + start.len();
    let len = text[from..]
        .find(end)
        .unwrap_or_else(|| panic!("{end:?} in\n{text}"));
    &text[from..from + len]
}

/// The body's literal, as JSON reads it back once the input's placeholder
/// (`placeholder`, each format's own) holds a string.
fn literal_of(json_text: &str, placeholder: &str) -> Result<serde_json::Value, String> {
    let filled = json_text.replacen(placeholder, "\"W\"", 1);
    let body: serde_json::Value =
        serde_json::from_str(&filled).map_err(|e| format!("{e}: {filled}"))?;
    Ok(body["lit"].clone())
}

proptest! {
    #![proptest_config(config())]

    /// A hostile literal in a JSON body reads back exactly with each
    /// consumer's parser: Postman's raw body and Bruno's `body:json` and the
    /// HTTP file's as JSON, the curl file's and the check script's jq
    /// program as bash words, then JSON; OpenAPI's example as YAML; the
    /// sheet's Body field as JSON.
    #[test]
    fn a_body_literal_reads_back_in_every_format(literal in hostile_text(6).prop_filter(
        "accepted by validation",
        |l| coupagen::usecase::parse(&body_file(l), coupagen::error::Origin::Flag("--use-case-file"), "f").is_ok(),
    )) {
        let spec = own_spec(&body_file(&literal));
        let kit = kit::plan(&spec);
        let want = serde_json::json!(literal);
        let file = |name: &str| render::file(&kit, name).unwrap().text;

        let coll = json(&file("coupa.postman_collection.json"));
        let raw = coll["item"][1]["item"][0]["request"]["body"]["raw"].as_str().unwrap();
        prop_assert_eq!(literal_of(raw, "{{json_words}}").unwrap(), want.clone(), "postman");

        let bruno = render::FORMATS.iter().find(|f| f.command == "bruno").unwrap();
        let bru = render::all(&kit, bruno).unwrap();
        let post = bru.iter().find(|f| f.path.ends_with("Post it.bru")).expect("the request's file");
        let body = between(&post.text, "body:json {\n", "\n}\n");
        prop_assert_eq!(literal_of(body, "{{json_words}}").unwrap(), want.clone(), "bruno");

        let http = file("coupa.http");
        let section = between(&http, "POST https://{{host}}/api/suppliers\n", "\n> {%");
        let body = section.split_once("\n\n").expect("a blank line before the body").1;
        prop_assert_eq!(literal_of(body, "{{json_words}}").unwrap(), want.clone(), "http file");

        let curl = file("coupa-requests.curl");
        let source = format!("{}}}'", between(&curl, "--data-raw ", "}'\n"));
        let words = bash_words(&source, &[]);
        prop_assert_eq!(words.len(), 1, "{:?}", words);
        prop_assert_eq!(literal_of(&words[0], "\"{{{words}}}\"").unwrap(), want.clone(), "curl");

        let script = file("coupa-check.sh");
        let program = format!("{}}}'", between(&script, "--arg v0 \"${COUPA_WORDS}\" ", "}')\n"));
        let words = bash_words(&program, &[]);
        prop_assert_eq!(words.len(), 1, "{:?}", words);
        prop_assert_eq!(literal_of(&words[0], "$v0").unwrap(), want.clone(), "check script");

        let openapi = file("coupa.openapi.yaml");
        let docs = yaml_rust2::YamlLoader::load_from_str(&openapi).expect("the OpenAPI YAML parses");
        let example = &docs[0]["paths"]["/api/suppliers"]["post"]["requestBody"]["content"]["application/json"]["example"];
        prop_assert_eq!(example["lit"].as_str(), Some(literal.as_str()), "openapi");

        let sheet = json(&file(crate::support::SHEET_JSON));
        let body = sheet["use_cases"][0]["actions"][0]["body"].as_str().unwrap();
        prop_assert_eq!(literal_of(body, "\"{{{words}}}\"").unwrap(), want, "sheet");
    }
}
