//! Issue 28, "the first hour, again": what misled a new user who followed the
//! READMEs end to end, each test named after what happened.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::real_clients::{bundle, run_script_with, token_requests};
use crate::support::coupa::Coupa;
use crate::support::tools::{CURL, HTTPYAC, NEWMAN};
use crate::support::{bin, run, stderr, stdout};
use crate::usecases::SUPPLIER_BY_NUMBER;

/// `coupagen` in `dir` with a clean environment but for `vars`.
fn run_in(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env_clear()
        .envs(vars.iter().copied())
        .output()
        .expect("coupagen runs")
}

/// A use-case file of one use case: the built-in supplier-status under an
/// id of its own.
fn own_use_case_file(path: &Path) {
    let out = run(&["use-cases", "--json"]);
    let all: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let mut one = all["use_cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == "supplier-status")
        .unwrap()
        .clone();
    one["id"] = "our-supplier-status".into();
    fs::write(path, serde_json::json!({ "use_cases": [one] }).to_string()).unwrap();
}

/// Asserts that standard error holds `part`, showing it when not.
fn said(out: &Output, part: &str) {
    assert!(
        stderr(out).contains(part),
        "{part:?} not in:\n{}",
        stderr(out)
    );
}

/// `own_use_case_file` in `dir`, one text in it replaced.
fn own_use_case_file_with(dir: &Path, from: &str, to: &str) -> std::path::PathBuf {
    let file = dir.join("mine.json");
    own_use_case_file(&file);
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.contains(from), "{from}");
    fs::write(&file, text.replace(from, to)).unwrap();
    file
}

/// `coupagen.json` held `["a,b"]` for `--use-case a,b`, and the use-case
/// file's path relative to where bundle ran, the file not in the kit: the
/// kit did not work from its own folder.
#[test]
fn a_kit_recorded_lists_as_one_value_and_left_its_use_case_file_behind() {
    let dir = tempfile::tempdir().unwrap();
    own_use_case_file(&dir.path().join("mine.json"));
    let out = run_in(
        dir.path(),
        &[
            "bundle",
            "--domain",
            "acme.coupahost.com",
            "--resource",
            "invoices,users",
            "--use-case",
            "my-expense-reports,our-supplier-status",
            "--scope",
            "core.invoice.read,core.user.read core.expense.read core.supplier.read",
            "--use-case-file",
            "mine.json",
            "--out",
            "kit",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let kit = dir.path().join("kit");
    let record: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(kit.join("coupagen.json")).unwrap()).unwrap();
    assert_eq!(
        record["resources"],
        serde_json::json!(["invoices", "users"])
    );
    assert_eq!(
        record["use_cases"],
        serde_json::json!(["my-expense-reports", "our-supplier-status"])
    );
    assert_eq!(
        record["scopes"],
        serde_json::json!([
            "core.invoice.read",
            "core.user.read",
            "core.expense.read",
            "core.supplier.read"
        ])
    );
    assert_eq!(record["use_case_file"], "use-cases.json");
    assert_eq!(
        fs::read(kit.join("use-cases.json")).unwrap(),
        fs::read(dir.path().join("mine.json")).unwrap()
    );
    let readme = fs::read_to_string(kit.join("README.md")).unwrap();
    assert!(readme.contains("| `use-cases.json` |"), "{readme}");
    // The kit works from its own folder, and from anywhere else by its record.
    fs::remove_file(dir.path().join("mine.json")).unwrap();
    for (cwd, config) in [
        (&kit, "coupagen.json"),
        (&dir.path().to_path_buf(), "kit/coupagen.json"),
    ] {
        let out = run_in(cwd, &["curl", "--config", config], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("/api/suppliers"), "{}", stdout(&out));
    }
}

/// `coupagen verify` in a kit's folder said `--domain is missing`, and with
/// only `--domain` checked the default resource instead of the kit's.
#[test]
fn verify_in_a_kit_folder_ignored_the_kit() {
    let coupa = Coupa::start();
    let dir = tempfile::tempdir().unwrap();
    let domain = coupa.domain();
    let made = run_in(
        dir.path(),
        &[
            "bundle",
            "--domain",
            &domain,
            "--resource",
            "invoices",
            "--limit",
            "2",
            "--out",
            "kit",
        ],
        &[],
    );
    assert!(made.status.success(), "{}", stderr(&made));
    let kit = dir.path().join("kit");
    let b = coupa.behaviour();
    let ca = coupa.ca_file.to_str().unwrap();
    let env = [
        ("COUPA_CLIENT_ID", b.client_id.as_str()),
        ("COUPA_CLIENT_SECRET", b.client_secret.as_str()),
        ("SSL_CERT_FILE", ca),
    ];
    let out = run_in(&kit, &["verify", "--timeout", "5"], &env);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    said(
        &out,
        "verify: using ./coupagen.json, the inputs of the kit in this folder (flags win",
    );
    assert_eq!(
        coupa.api_calls().last().map(String::as_str),
        Some("GET /api/invoices")
    );
    assert!(coupa
        .requests()
        .last()
        .unwrap()
        .raw_query
        .starts_with("limit=2"));
    // Flags still win over the record.
    coupa.clear();
    let out = run_in(
        &kit,
        &["verify", "--timeout", "5", "--resource", "users"],
        &env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(
        coupa.api_calls().last().map(String::as_str),
        Some("GET /api/users")
    );
    // Elsewhere, nothing is read and nothing said.
    let out = run_in(dir.path(), &["verify", "--timeout", "5"], &env);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !stderr(&out).contains("using ./coupagen.json"),
        "{}",
        stderr(&out)
    );
}

/// The kit README's verify and check-script commands failed for a use-case
/// kit (`--input user_email is missing`): the inputs only came in step 5.
#[test]
fn the_kit_readme_gave_a_use_case_kit_commands_without_their_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        &[
            "bundle",
            "--domain",
            "acme.coupahost.com",
            "--use-case",
            "supplier-status",
            "--out",
            "kit",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let readme = fs::read_to_string(dir.path().join("kit/README.md")).unwrap();
    let step = &readme
        [readme.find("2. Check the connection").unwrap()..readme.find("3. In Postman").unwrap()];
    assert!(
        step.contains("coupagen verify --config coupagen.json --input 'supplier_name=Acme'"),
        "{step}"
    );
    assert!(
        step.contains("COUPA_SUPPLIER_NAME='Acme' ./coupa-check.sh"),
        "{step}"
    );
}

/// Every `httpyac` command a README shows, as written (the code span's
/// text), in the kit's folder against the loopback Coupa.
fn httpyac_commands(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| span.starts_with("httpyac "))
        .map(String::from)
        .collect()
}

/// The kit README gave `httpyac send coupa.http --all --env coupa`, which
/// prints the token request's form, the secret in it, and the token.
#[test]
fn a_readme_command_printed_the_secret() {
    let Some(httpyac) = HTTPYAC.find() else {
        return;
    };
    let coupa = Coupa::start();
    let dir = tempfile::tempdir().unwrap();
    let domain = coupa.domain();
    let made = run_in(
        dir.path(),
        &["bundle", "--domain", &domain, "--out", "kit"],
        &[],
    );
    assert!(made.status.success(), "{}", stderr(&made));
    let kit = dir.path().join("kit");
    let main_readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let kit_readme = fs::read_to_string(kit.join("README.md")).unwrap();
    let commands: Vec<String> = httpyac_commands(&kit_readme)
        .into_iter()
        .chain(httpyac_commands(&main_readme))
        .collect();
    assert!(commands.len() >= 2, "{commands:?}");
    let b = coupa.behaviour();
    for command in commands {
        let words: Vec<&str> = command.split_whitespace().skip(1).collect();
        let out = Command::new(&httpyac)
            .args(&words)
            .current_dir(&kit)
            .env("NODE_EXTRA_CA_CERTS", &coupa.ca_file)
            .env("COUPA_CLIENT_ID", &b.client_id)
            .env("COUPA_CLIENT_SECRET", &b.client_secret)
            .output()
            .unwrap();
        let printed = format!("{}{}", stdout(&out), stderr(&out));
        assert!(
            !coupa.tokens().is_empty(),
            "{command}: no token issued\n{printed}"
        );
        assert!(
            !printed.contains(&b.client_secret),
            "{command} printed the secret:\n{printed}"
        );
        for token in coupa.tokens() {
            assert!(
                !printed.contains(&token),
                "{command} printed the token:\n{printed}"
            );
        }
        coupa.clear();
    }
}

/// A use-case file reusing a built-in id was listed twice by `use-cases`,
/// accepted by `bundle` alone and refused with `--use-case`: one rule now.
#[test]
fn a_built_in_id_in_a_use_case_file_was_listed_twice() {
    let dir = tempfile::tempdir().unwrap();
    let file = own_use_case_file_with(dir.path(), "our-supplier-status", "supplier-status");
    let path = file.to_str().unwrap();
    let expected = "the use case \"supplier-status\" has a built-in one's id; give yours another";
    for args in [
        vec!["use-cases", "--use-case-file", path],
        vec![
            "bundle",
            "--domain",
            "acme.coupahost.com",
            "--use-case-file",
            path,
            "--out",
            "kit",
        ],
        vec![
            "curl",
            "--domain",
            "acme.coupahost.com",
            "--use-case",
            "my-requisitions",
            "--use-case-file",
            path,
        ],
    ] {
        let out = run_in(dir.path(), &args, &[]);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
        said(&out, expected);
        assert!(stdout(&out).is_empty());
    }
    assert!(!dir.path().join("kit").exists());
}

/// A capture path matching nothing in a record (`0.identifier`) was
/// reported as "no supplier has the number S-1 ... check the values given
/// with --input": the answer had a record, the path was wrong.
#[test]
fn a_wrong_capture_path_was_blamed_on_the_inputs() {
    let coupa = Coupa::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.json");
    let wrong = SUPPLIER_BY_NUMBER.replace(r#""path": "0.id""#, r#""path": "0.identifier""#);
    assert_ne!(wrong, SUPPLIER_BY_NUMBER);
    fs::write(&file, wrong).unwrap();
    let b = coupa.behaviour();
    let out = run_in(
        dir.path(),
        &[
            "verify",
            "--domain",
            &coupa.domain(),
            "--timeout",
            "5",
            "--use-case-file",
            "mine.json",
            "--input",
            "supplier_number=S-1",
        ],
        &[
            ("COUPA_CLIENT_ID", &b.client_id),
            ("COUPA_CLIENT_SECRET", &b.client_secret),
            ("SSL_CERT_FILE", coupa.ca_file.to_str().unwrap()),
        ],
    );
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(
        report.contains("Coupa answered with a record, but the capture supplier_id has the path 0.identifier, which matches nothing in it; the record's keys: id, name, status, number"),
        "{report}"
    );
    assert!(
        report.contains("fix the path of the capture supplier_id in the use-case file"),
        "{report}"
    );
    assert!(!report.contains("no supplier has the number"), "{report}");
}

/// `--input start_date=2024-02-30` was accepted and sent; `--pkce
/// --client-secret-stdin` complained about sharing standard input instead of
/// saying PKCE has no secret. Both refused before anything is sent.
#[test]
fn an_impossible_date_was_sent_and_pkce_was_told_about_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        &[
            "verify",
            "--domain",
            "127.0.0.1:9",
            "--use-case",
            "expense-policy-violations",
            "--input",
            "start_date=2024-02-30",
            "--input",
            "end_date=2024-03-01",
        ],
        &[("COUPA_CLIENT_ID", "x"), ("COUPA_CLIENT_SECRET", "y")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    said(&out, "--input 'start_date=2024-02-30': start_date is date");
    let out = run_in(
        dir.path(),
        &[
            "verify",
            "--domain",
            "acme.coupahost.com",
            "--grant",
            "authorization-code",
            "--pkce",
            "--redirect-uri",
            "https://acme.moveworks.com/auth/oauthCallback",
            "--client-secret-stdin",
        ],
        &[("COUPA_CLIENT_ID", "x")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    said(
        &out,
        "--client-secret-stdin does nothing here: the client uses PKCE and has no secret; drop it",
    );
}

/// The quick start's `cargo run --release` took five minutes on a fresh
/// clone, almost all of it fat LTO and one codegen unit; `cargo install`
/// paid it again. They are the benchmark's profile now, `dist`.
#[test]
fn the_quick_start_built_with_the_benchmarks_profile() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let section = |name: &str| -> String {
        let start = manifest
            .find(&format!("\n[{name}]\n"))
            .map_or(String::new(), |i| {
                let rest = &manifest[i + name.len() + 4..];
                rest[..rest.find("\n[").unwrap_or(rest.len())].to_string()
            });
        start
    };
    let release = section("profile.release");
    assert!(
        !release.contains("lto") && !release.contains("codegen-units"),
        "{release}"
    );
    let dist = section("profile.dist");
    assert!(
        dist.contains("inherits = \"release\"")
            && dist.contains("lto = \"fat\"")
            && dist.contains("codegen-units = 1"),
        "{dist}"
    );
    let bench = fs::read_to_string(root.join("scripts/bench.sh")).unwrap();
    assert!(
        bench.contains("cargo build --profile dist"),
        "bench.sh builds dist"
    );
    assert!(!bench.contains("--release"), "bench.sh builds dist only");
    // The binary it measures is the release one: dist, laid out by its
    // profile (a plain dist link kept twice the code pages resident).
    assert!(
        bench.contains("bin=$(scripts/dist.sh)"),
        "bench.sh measures scripts/dist.sh's binary"
    );
    let dist_sh = fs::read_to_string(root.join("scripts/dist.sh")).unwrap();
    assert!(
        dist_sh.contains("cargo build --profile dist --locked")
            && dist_sh.contains("--symbol-ordering-file=$order"),
        "dist.sh builds dist and links it in its profile's order"
    );
}

/// newman on the collection with the kit's environment as imported: the
/// credentials' current values empty.
fn newman_unfilled(coupa: &Coupa, kit: &Path, vars: &[&str]) -> Output {
    let mut cmd = Command::new(NEWMAN.path());
    cmd.arg("run")
        .arg(kit.join("coupa.postman_collection.json"))
        .arg("-e")
        .arg(kit.join("coupa.postman_environment.json"))
        .args([
            "--reporters",
            "cli",
            "--color",
            "off",
            "--folder",
            "Expenses",
        ])
        .env("NODE_EXTRA_CA_CERTS", &coupa.ca_file);
    for var in vars {
        cmd.args(["--env-var", var]);
    }
    cmd.output().expect("newman runs")
}

/// A Postman environment selected but with Identifier or Secret empty sent
/// the token request anyway and failed with invalid_client.
#[test]
fn a_selected_environment_left_empty_sent_the_token_request() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = Coupa::start();
    let kit = bundle(&coupa, &[]);
    let name = format!("Coupa ({})", coupa.domain());
    for (vars, empty) in [
        (&[][..], "Identifier and Secret are"),
        (&["Identifier=someone"][..], "Secret is"),
    ] {
        let out = newman_unfilled(&coupa, kit.path(), vars);
        let report = crate::support::newman::report(&out);
        assert!(!out.status.success(), "{report}");
        assert!(report.contains("the environment is filled in"), "{report}");
        let fix = format!("The environment {name} is selected, but {empty} empty: fill in the Coupa client's value in the Current value column (Environments > {name}), or give newman --env-var");
        assert!(report.contains(&fix), "{fix}\nnot in:\n{report}");
        assert!(
            token_requests(&coupa.requests()).is_empty(),
            "no token request"
        );
    }
}

/// Neither README showed how to give newman the credentials (`--env-var`).
/// The kit README's command, run as written from the kit's folder.
#[test]
fn no_readme_said_how_newman_gets_the_credentials() {
    let Some(newman) = NEWMAN.find() else { return };
    let coupa = Coupa::start();
    let kit = bundle(&coupa, &[]);
    let readme = fs::read_to_string(kit.path().join("README.md")).unwrap();
    let command = readme
        .split('`')
        .find(|span| span.starts_with("newman run "))
        .unwrap_or_else(|| panic!("no newman command in:\n{readme}"));
    assert!(
        command.contains("--env-var \"Identifier=$COUPA_CLIENT_ID\""),
        "{command}"
    );
    let bin = newman.parent().unwrap().display().to_string();
    let b = coupa.behaviour();
    let out = Command::new("/bin/bash")
        .args(["-c", command])
        .current_dir(kit.path())
        .env(
            "PATH",
            format!("{bin}:{}", std::env::var("PATH").unwrap_or_default()),
        )
        .env("NODE_EXTRA_CA_CERTS", &coupa.ca_file)
        .env("COUPA_CLIENT_ID", &b.client_id)
        .env("COUPA_CLIENT_SECRET", &b.client_secret)
        .output()
        .unwrap();
    let report = crate::support::newman::report(&out);
    assert!(out.status.success(), "{command}\n{report}");
    assert!(!report.contains(&b.client_secret), "{report}");
    assert_eq!(token_requests(&coupa.requests()).len(), 1);
    let main = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(
        main.contains("--env-var \"Identifier=$COUPA_CLIENT_ID\""),
        "README.md shows it too"
    );
}

/// The collection's folders and requests had no descriptions; the sheet and
/// the OpenAPI document had them.
#[test]
fn collection_folders_and_requests_had_no_description() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(
        dir.path(),
        &[
            "postman",
            "--domain",
            "acme.coupahost.com",
            "--resource",
            "invoices,users",
            "--use-case",
            "supplier-status",
        ],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let collection: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    fn walk(items: &serde_json::Value, seen: &mut usize) {
        for item in items.as_array().unwrap() {
            let text = match item.get("item") {
                Some(children) => {
                    walk(children, seen);
                    &item["description"]
                }
                None => &item["request"]["description"],
            };
            assert!(
                text.as_str().is_some_and(|t| t.len() > 10),
                "{}: {text}",
                item["name"]
            );
            *seen += 1;
        }
    }
    let mut seen = 0;
    walk(&collection["item"], &mut seen);
    assert!(seen >= 6, "{seen}");
    crate::support::assert_valid_collection(&stdout(&out));
}

/// Mistakes that came back as one value sent, or as clap's "unexpected
/// argument": each refused, naming the input and what to give instead.
#[test]
fn pasted_urls_negative_limits_and_odd_scopes_misled() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--filter", "status=approved&limit=5"],
            "--filter 'status=approved&limit=5': an '&' joins two query parameters, as in a URL; give each on its own: --filter status=approved --limit 5",
        ),
        (
            &["--resource", "/api/invoices?limit=5"],
            "a resource is a name, and its query options are flags of their own: --resource invoices --limit 5",
        ),
        (
            &["--limit", "-1"],
            "invalid value '-1' for '--limit <N>': Coupa returns 1 to 50 records a page",
        ),
        (
            &["--scope", "CORE.EXPENSE.READ"],
            "(scopes are lower case: core.expense.read)",
        ),
        (
            &["--scope", "core.expense.read;core.invoice.read"],
            "separate them with spaces or commas, e.g. --scope 'core.expense.read core.invoice.read'",
        ),
        (
            &["--scope", "core.expense.read offline_access"],
            "--scope 'offline_access': asks for a refresh token, which only user consent gets",
        ),
    ];
    for (args, says) in cases {
        let mut all = vec!["curl", "--domain", "acme.coupahost.com"];
        all.extend_from_slice(args);
        let out = run(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
        said(&out, says);
        assert!(stdout(&out).is_empty());
    }
    // An `&` in a value, with no second `=`, is a value.
    let out = run(&[
        "curl",
        "--domain",
        "acme.coupahost.com",
        "--filter",
        "supplier[name]=AT&T",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A use-case scope the catalog lacks passed `use-cases` silently and
/// failed `bundle` without a did-you-mean.
#[test]
fn an_unknown_use_case_scope_passed_the_listing() {
    let dir = tempfile::tempdir().unwrap();
    let file = own_use_case_file_with(dir.path(), "core.supplier.read", "core.suplier.read");
    let path = file.to_str().unwrap();
    let out = run(&["use-cases", "--use-case-file", path]);
    assert!(out.status.success(), "{}", stderr(&out));
    said(&out, "warning: our-supplier-status: request \"Find suppliers by name\" needs the scope 'core.suplier.read', which is not a known Coupa scope (did you mean core.supplier.read?)");
    let out = run(&[
        "curl",
        "--domain",
        "acme.coupahost.com",
        "--use-case-file",
        path,
    ]);
    assert_eq!(out.status.code(), Some(2));
    said(&out, "(did you mean core.supplier.read?)");
}

/// The check script with COUPA_INSTANCE_DOMAIN=https://... failed inside
/// curl; --domain takes the same text.
#[test]
fn the_check_script_took_a_domain_with_https_literally() {
    let Some(_) = CURL.find() else { return };
    let coupa = Coupa::start();
    let kit = bundle(&coupa, &[]);
    let b = coupa.behaviour().clone();
    let mut cmd = Command::new(kit.path().join("coupa-check.sh"));
    let pasted = format!("https://{}/", coupa.domain());
    cmd.env("COUPA_INSTANCE_DOMAIN", &pasted);
    let (out, _) = run_script_with(
        &coupa,
        kit.path(),
        Some(&b.client_id),
        Some(&b.client_secret),
        cmd,
    );
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(token_requests(&coupa.requests()).len(), 1);
}

/// The consent sheet spelled `OAuth2 Token URL`, the client-credentials one
/// `Oauth2 Token Url`; and a page of one was described "up to 1 a page".
#[test]
fn the_sheets_spelled_one_field_two_ways_and_a_page_of_one_read_oddly() {
    let mut labels = Vec::new();
    for extra in [
        &[][..],
        &["--grant", "authorization-code", "--moveworks-org", "acme"][..],
    ] {
        let mut args = vec!["sheet", "--domain", "acme.coupahost.com"];
        args.extend_from_slice(extra);
        let out = run(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(!text.contains("up to 1 a page"), "{text}");
        labels.push(
            text.contains("| OAuth2 Token URL |")
                && text.contains("| OAuth2 Grant Type |")
                && !text.contains("Oauth2 Token Url"),
        );
    }
    assert_eq!(labels, [true, true]);
    let out = run(&["sheet", "--domain", "acme.coupahost.com"]);
    assert!(
        stdout(&out).contains("Lists Coupa expense reports: the first record only."),
        "{}",
        stdout(&out)
    );
    let out = run(&["sheet", "--domain", "acme.coupahost.com", "--limit", "5"]);
    assert!(stdout(&out).contains("up to 5 a page"));
}

/// A use-case file: a capture without `if_none` said "missing field" though
/// README called it optional; an error on a later line was placed at line 1
/// column 1; a byte-order mark or a top-level list got a cryptic message;
/// `{supplier_number}` with one brace was sent literally, unwarned.
#[test]
fn a_use_case_file_misled_at_every_turn() {
    let dir = tempfile::tempdir().unwrap();
    let listed: serde_json::Value =
        serde_json::from_str(&stdout(&run(&["use-cases", "--json"]))).unwrap();
    let mut uc = listed["use_cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == "pending-expense-approvals")
        .unwrap()
        .clone();
    uc["id"] = "mine".into();
    let write = |name: &str, text: String| {
        let path = dir.path().join(name);
        fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let bundle_of = |path: &str| {
        run(&[
            "bundle",
            "--domain",
            "acme.coupahost.com",
            "--use-case-file",
            path,
            "--out",
            dir.path().join("kit").to_str().unwrap(),
            "--force",
        ])
    };
    // No if_none: accepted, and the kit says what holds none.
    let mut quiet = uc.clone();
    for request in quiet["requests"].as_array_mut().unwrap() {
        for capture in request["captures"].as_array_mut().unwrap() {
            capture.as_object_mut().unwrap().remove("if_none");
        }
    }
    let path = write(
        "quiet.json",
        serde_json::json!({ "use_cases": [quiet] }).to_string(),
    );
    let out = bundle_of(&path);
    assert!(out.status.success(), "{}", stderr(&out));
    let script = fs::read_to_string(dir.path().join("kit/coupa-check.sh")).unwrap();
    assert!(
        script.contains("the answer holds no user_id (nothing at 0.id)"),
        "{script}"
    );
    // A byte-order mark is no error.
    let text = serde_json::to_string_pretty(&serde_json::json!({ "use_cases": [uc] })).unwrap();
    let out = bundle_of(&write("bom.json", format!("\u{feff}{text}")));
    assert!(out.status.success(), "{}", stderr(&out));
    // A bare list says what the file is.
    let out = bundle_of(&write("list.json", serde_json::json!([uc]).to_string()));
    assert_eq!(out.status.code(), Some(2));
    said(
        &out,
        r#"the file is a list; a use-case file is an object holding the list: {"use_cases": [...]}"#,
    );
    // An error far down the file is placed there, an escape in it or not.
    let mut late = uc.clone();
    late["requests"][1]["says"] = "caf\u{e9}: {{nope}}".into();
    let text = serde_json::to_string_pretty(&serde_json::json!({ "use_cases": [late] }))
        .unwrap()
        .replace('\u{e9}', "\\u00e9");
    let at = text.lines().position(|l| l.contains("{{nope}}")).unwrap() + 1;
    let out = bundle_of(&write("late.json", text));
    assert_eq!(out.status.code(), Some(2));
    said(&out, &format!("late.json': line {at}, column "));
    // One brace: warned, by use-cases and by bundle.
    let mut braced = uc.clone();
    braced["requests"][2]["path"] = "/api/expense_reports/{expense_report_id}".into();
    let path = write(
        "braced.json",
        serde_json::json!({ "use_cases": [braced] }).to_string(),
    );
    let warning = "{expense_report_id} has one brace on each side, so it is sent as written; a value is {{expense_report_id}}";
    for out in [
        run(&["use-cases", "--use-case-file", &path]),
        bundle_of(&path),
    ] {
        assert!(out.status.success(), "{}", stderr(&out));
        said(&out, warning);
    }
}

/// A fresh clone's `cargo test` printed 166 skips: README named no install
/// command. Its one command covers every client a check needs.
#[test]
fn the_readme_named_no_command_that_installs_what_the_tests_need() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let install = readme
        .lines()
        .find(|l| l.starts_with("sudo apt-get install -y "))
        .expect("README gives one install command");
    let words: Vec<&str> = install.split_whitespace().collect();
    for tool in crate::support::tools::ALL {
        match tool.package() {
            Some(package) => assert!(words.contains(&package), "{package} not in: {install}"),
            None => assert!(install.contains("&& npm ci"), "{install}"),
        }
    }
    assert!(
        install.ends_with(&format!("&& {}", crate::support::tools::PY_SETUP)),
        "the Python clients' venv: {install}"
    );
    assert!(
        readme.contains("COUPAGEN_POSTMAN_SCHEMA"),
        "the schema's variable"
    );
}
