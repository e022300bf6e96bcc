//! Issue 28, "the first hour, again": what misled a new user who followed the
//! READMEs end to end, each test named after what happened.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::support::coupa::Coupa;
use crate::support::tools::HTTPYAC;
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
    assert!(
        stderr(&out).contains(
            "verify: using ./coupagen.json, the inputs of the kit in this folder (flags win"
        ),
        "{}",
        stderr(&out)
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
    let file = dir.path().join("mine.json");
    own_use_case_file(&file);
    let text = fs::read_to_string(&file).unwrap();
    fs::write(
        &file,
        text.replace("our-supplier-status", "supplier-status"),
    )
    .unwrap();
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
        assert!(
            stderr(&out).contains(expected),
            "{args:?}: {}",
            stderr(&out)
        );
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
    assert!(
        stderr(&out).contains("--input 'start_date=2024-02-30': start_date is date"),
        "{}",
        stderr(&out)
    );
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
    assert!(
        stderr(&out).contains("--client-secret-stdin does nothing here: the client uses PKCE and has no secret; drop it"),
        "{}",
        stderr(&out)
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
}
