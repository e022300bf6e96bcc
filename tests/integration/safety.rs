//! Safe behaviour around the edges: config-file errors with positions,
//! writes that never lose a file, quiet broken pipes, and determinism.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{bin, run, stderr, stdout, GUIDE_DOMAIN};

fn config_error(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kit.json");
    fs::write(&path, text).unwrap();
    let out = run(&["curl", "--config", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("error: --config '{}': ", path.display())),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    err
}

#[test]
fn malformed_config_names_line_and_column() {
    let err = config_error("{\n  \"domain\": \"a.coupahost.com\",\n  \"limit\": 5,\n");
    assert!(err.contains("line 4, column 0: not valid JSON"), "{err}");
    let err = config_error("{\n  \"domain\": 'a'\n}");
    assert!(err.contains("line 2, column 13: not valid JSON"), "{err}");
}

#[test]
fn unknown_config_key_is_named_with_the_known_keys() {
    let err = config_error("{\n  \"domain\": \"a.coupahost.com\",\n  \"domian\": \"x\"\n}");
    assert!(
        err.contains("line 3, column 10: unknown key \"domian\" (did you mean \"domain\"?)"),
        "{err}"
    );
    assert!(
        err.contains(
            "known keys: domain, instances, grant, scopes, resources, use_cases, use_case_file, limit"
        ),
        "{err}"
    );
}

#[test]
fn wrong_config_type_names_the_key_and_the_expected_type() {
    let cases = [
        (
            r#"{"domain": "a.coupahost.com", "limit": "five"}"#,
            r#"key "limit": string "five", expected a whole number"#,
        ),
        (
            r#"{"domain": 7}"#,
            r#"key "domain": integer `7`, expected a string"#,
        ),
        (
            r#"{"domain": "a.coupahost.com", "resources": [1]}"#,
            r#"key "resources": expected a string or a list of strings"#,
        ),
        (
            r#"{"domain": "a.coupahost.com", "allow_unknown_scopes": "yes"}"#,
            r#"key "allow_unknown_scopes": string "yes", expected a boolean"#,
        ),
        (
            r#"{"domain": "a.coupahost.com", "return_object": "full"}"#,
            r#"key "return_object": unknown variant `full`, expected `limited` or `shallow`"#,
        ),
        ("[1, 2]", "the file holds a JSON object of options"),
    ];
    for (text, expected) in cases {
        let err = config_error(text);
        assert!(err.contains(expected), "{text}: {err}");
    }
}

#[test]
fn config_values_are_validated_like_flags() {
    let err = config_error(r#"{"domain": "a.coupahost.com/api"}"#);
    assert!(
        err.contains(r#"kit.json': key "domain" 'a.coupahost.com/api': a domain has no path"#),
        "{err}"
    );
    let err = config_error(r#"{"domain": "a.coupahost.com", "limit": 99}"#);
    assert!(
        err.contains(r#"key "limit" '99': Coupa returns 1 to 50 records a page"#),
        "{err}"
    );
}

#[test]
fn a_missing_config_file_is_bad_input() {
    let out = run(&["curl", "--config", "no-such-file.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--config 'no-such-file.json': cannot read it"));
}

/// Every file in `dir`, with its contents, sorted.
fn snapshot_dir(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let content = fs::read_to_string(e.path()).unwrap_or_else(|_| "<dir>".into());
            (e.file_name().into_string().unwrap(), content)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_bundle_that_cannot_be_written_leaves_nothing_new_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path();
    // Files a user already has, one of them ours to replace...
    fs::write(out_dir.join("README.md"), "my notes").unwrap();
    fs::write(out_dir.join("coupa-requests.curl"), "my curl").unwrap();
    fs::write(out_dir.join("unrelated.txt"), "keep").unwrap();
    // ...and a folder where one of our files must go: its rename fails, late
    // in the bundle, after earlier files were already in place.
    fs::create_dir(out_dir.join("agent-studio-connector.json")).unwrap();
    fs::write(out_dir.join("agent-studio-connector.json/inside"), "x").unwrap();
    let before = snapshot_dir(out_dir);

    let out = run(&[
        "bundle",
        "--domain",
        GUIDE_DOMAIN,
        "--out",
        out_dir.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot write")
            && stderr(&out).contains("agent-studio-connector.json"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        snapshot_dir(out_dir),
        before,
        "no new file, no changed file, no temporary file"
    );
}

#[test]
fn a_bundle_into_an_unwritable_place_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    fs::write(&file, "x").unwrap();
    // A folder below a file cannot be created, even by root.
    let target = file.join("kit");
    let out = run(&[
        "bundle",
        "--domain",
        GUIDE_DOMAIN,
        "--out",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("error: cannot write"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        snapshot_dir(dir.path()),
        vec![("a-file".to_string(), "x".to_string())]
    );

    let out = run(&[
        "bundle",
        "--domain",
        GUIDE_DOMAIN,
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a folder"), "{}", stderr(&out));
}

#[test]
fn an_output_file_that_cannot_be_written_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    // A folder where the file should go is refused before anything is written.
    let target = dir.path().join("collection.json");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("inside"), "x").unwrap();
    let args = |t: &Path| {
        run(&[
            "postman",
            "--domain",
            GUIDE_DOMAIN,
            "-o",
            t.to_str().unwrap(),
            "--force",
        ])
    };
    let out = args(&target);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("is a folder"));
    // A write that fails late (its folder is missing) exits 1 and leaves nothing.
    let out = args(&dir.path().join("missing/collection.json"));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        ["collection.json"],
        "no temporary file, no new folder"
    );
    assert_eq!(
        fs::read_dir(&target).unwrap().count(),
        1,
        "the folder is untouched"
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // Every catalog resource: far more output than a pipe buffer holds.
    let resources: Vec<&str> = coupagen::catalog::resources()
        .iter()
        .map(|r| r.name)
        .collect();
    let mut child = Command::new(bin())
        .args([
            "postman",
            "--domain",
            GUIDE_DOMAIN,
            "--resource",
            &resources.join(","),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 10];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then dropped: closed
    let out = child.wait_with_output().unwrap();
    assert_eq!(&first, b"{\n  \"info\"");
    assert!(out.status.success(), "exit {:?}", out.status);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn same_meaning_same_bytes_across_flag_orders_and_config() {
    let base = stdout(&run(&[
        "sheet",
        "--domain",
        GUIDE_DOMAIN,
        "--resource",
        "invoices",
        "--resource",
        "users",
        "--scope",
        "core.invoice.read",
        "--scope",
        "core.user.read",
        "--limit",
        "5",
        "--format",
        "json",
    ]));
    let reordered = stdout(&run(&[
        "sheet",
        "--format",
        "json",
        "--limit",
        "5",
        "--scope",
        "core.invoice.read core.user.read",
        "--resource",
        "invoices,users",
        "--domain",
        &format!("https://{}/", GUIDE_DOMAIN.to_uppercase()),
    ]));
    assert_eq!(base, reordered);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kit.json");
    fs::write(
        &config,
        format!(r#"{{"domain": "{GUIDE_DOMAIN}", "resources": ["invoices", "users"], "scopes": "core.invoice.read,core.user.read", "limit": 5}}"#),
    )
    .unwrap();
    let from_config = stdout(&run(&[
        "sheet",
        "--format",
        "json",
        "--config",
        config.to_str().unwrap(),
    ]));
    assert_eq!(base, from_config);
    // Flags win over the config file.
    let overridden = stdout(&run(&[
        "sheet",
        "--format",
        "json",
        "--config",
        config.to_str().unwrap(),
        "--limit",
        "7",
    ]));
    assert!(overridden.contains(r#""value": "7""#), "{overridden}");
}
