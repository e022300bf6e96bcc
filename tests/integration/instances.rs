//! A kit of two instances, test and production, each its own stand-in with
//! its own OAuth client: every runner reaches the instance chosen, with that
//! instance's credentials, and fails on a wrong secret; verify checks one or
//! each, says where their scopes differ, and writes JUnit a JUnit parser reads.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::coupa::{Behaviour, Coupa};
use crate::support::tools::{BRU, HTTPYAC, JUNITPARSER, NEWMAN, POSTMAN};
use crate::support::{bin, newman, stderr, stdout};

/// Two stand-ins, test and production, with clients of their own.
fn two() -> (Coupa, Coupa) {
    two_with(|b| b)
}

/// [`two`], production's stand-in as `production` makes it of the default.
fn two_with(production: impl FnOnce(Behaviour) -> Behaviour) -> (Coupa, Coupa) {
    let test = Coupa::with(Behaviour {
        client_id: "test-client".into(),
        client_secret: "test-s3cret".into(),
        ..Behaviour::default()
    });
    let production = Coupa::with(production(Behaviour {
        client_id: "production-client".into(),
        client_secret: "production-s3cret".into(),
        ..Behaviour::default()
    }));
    (test, production)
}

fn kit(test: &Coupa, production: &Coupa) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(bin())
        .args(["bundle", "--resource", "users,invoices"])
        .args(["--instance", &format!("test={}", test.domain())])
        .args(["--instance", &format!("production={}", production.domain())])
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

/// Each instance's own credential variables, from its stand-in.
fn own(name: &str, coupa: &Coupa) -> Vec<(String, String)> {
    let b = coupa.behaviour();
    let upper = name.to_uppercase();
    vec![
        (format!("COUPA_{upper}_CLIENT_ID"), b.client_id.clone()),
        (
            format!("COUPA_{upper}_CLIENT_SECRET"),
            b.client_secret.clone(),
        ),
    ]
}

fn script(kit: &Path, coupa: &Coupa, env: &[(String, String)]) -> Output {
    Command::new("bash")
        .arg(kit.join("coupa-check.sh"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("CURL_CA_BUNDLE", &coupa.ca_file)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap()
}

/// What each stand-in was asked for: token grants and API calls.
fn calls(coupa: &Coupa) -> (usize, usize) {
    (coupa.token_grants().len(), coupa.api_calls().len())
}

#[test]
fn the_check_script_calls_the_instance_chosen_with_its_own_credentials() {
    let (test, production) = two();
    let dir = kit(&test, &production);
    for (name, coupa, other) in [
        ("test", &test, &production),
        ("production", &production, &test),
    ] {
        let mut env = own(name, coupa);
        env.push(("COUPA_INSTANCE".into(), name.into()));
        let out = script(dir.path(), coupa, &env);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert_eq!(
            calls(coupa),
            (1, 2),
            "{name} was called once for a token, once a resource"
        );
        assert_eq!(
            calls(other),
            (0, 0),
            "{name}'s run reached the other instance"
        );
        coupa.clear();
    }
    // The shared variables stand in when the instance's own are unset.
    let shared = vec![
        ("COUPA_INSTANCE".to_string(), "test".to_string()),
        ("COUPA_CLIENT_ID".into(), "test-client".into()),
        ("COUPA_CLIENT_SECRET".into(), "test-s3cret".into()),
    ];
    let out = script(dir.path(), &test, &shared);
    assert!(out.status.success(), "{}", stderr(&out));
    // A wrong secret fails; no instance chosen is the person's to fix.
    let mut wrong = own("production", &production);
    wrong[1].1 = "not-the-secret".into();
    wrong.push(("COUPA_INSTANCE".into(), "production".into()));
    let out = script(dir.path(), &production, &wrong);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = script(dir.path(), &test, &own("test", &test));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("COUPA_INSTANCE is not set; set it to test or production"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn newman_runs_each_instance_in_its_own_environment_and_never_sends_one_token_to_the_other() {
    let Some(_) = NEWMAN.find() else { return };
    let (test, production) = two();
    let dir = kit(&test, &production);
    let collection = serde_json::from_str::<serde_json::Value>(
        &std::fs::read_to_string(dir.path().join("coupa.postman_collection.json")).unwrap(),
    )
    .unwrap();
    let keys: Vec<&str> = collection["variable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["key"].as_str().unwrap())
        .collect();
    assert!(
        !keys.contains(&"INSTANCE_DOMAIN"),
        "the collection names no instance: {keys:?}"
    );
    let exported = dir.path().join("exported.postman_collection.json");
    let run_in = |coupa: &Coupa, file: &str, secret: &str, collection: &Path, folder: &[&str]| {
        let env = newman::filled(dir.path(), file, &coupa.behaviour().client_id, secret);
        Command::new(NEWMAN.path())
            .arg("run")
            .arg(collection)
            .arg("-e")
            .arg(env)
            .args(["--reporters", "cli", "--color", "off"])
            .arg("--export-collection")
            .arg(&exported)
            .args(folder)
            .env("NODE_EXTRA_CA_CERTS", &coupa.ca_file)
            .output()
            .unwrap()
    };
    let run = |coupa: &Coupa, file: &str, secret: &str, collection: &Path| {
        run_in(coupa, file, secret, collection, &[])
    };
    let out = run(
        &test,
        "coupa-test.postman_environment.json",
        "test-s3cret",
        &dir.path().join("coupa.postman_collection.json"),
    );
    assert!(out.status.success(), "{}", newman::report(&out));
    assert_eq!(calls(&test), (1, 2));
    assert_eq!(calls(&production), (0, 0));
    // The collection holds test's token, as the Postman app keeps it after
    // a send (newman's export leaves it out): in production's environment
    // it is dropped, and production issues its own.
    let mut held: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&exported).unwrap()).unwrap();
    let expiry = (std::time::SystemTime::now() + std::time::Duration::from_secs(86_000))
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        .to_string();
    let token = test.tokens()[0].clone();
    let mut variables: Vec<serde_json::Value> = held["variable"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| {
            ![
                "generated_bearer_token",
                "token_expires_at",
                "token_instance",
            ]
            .contains(&v["key"].as_str().unwrap())
        })
        .cloned()
        .collect();
    for (key, value) in [
        ("generated_bearer_token", token.as_str()),
        ("token_expires_at", expiry.as_str()),
        ("token_instance", test.domain().as_str()),
    ] {
        variables.push(serde_json::json!({"key": key, "value": value, "type": "string"}));
    }
    held["variable"] = variables.into();
    std::fs::write(&exported, held.to_string()).unwrap();
    // One folder, as a person sends one request: no token request of its
    // own comes first, so the stored token would go out unless dropped.
    let out = run_in(
        &production,
        "coupa-production.postman_environment.json",
        "production-s3cret",
        &exported,
        &["--folder", "Users"],
    );
    assert!(out.status.success(), "{}", newman::report(&out));
    assert_eq!(
        calls(&production),
        (1, 1),
        "production issued its own token"
    );
    let first = &production.requests()[0];
    assert_eq!(
        first.path, "/oauth2/token",
        "production heard {} {} before its own token was fetched",
        first.method, first.path
    );
    // A wrong secret fails the run, and newman says so.
    let out = run(
        &test,
        "coupa-test.postman_environment.json",
        "wrong",
        &dir.path().join("coupa.postman_collection.json"),
    );
    assert!(!out.status.success(), "{}", newman::report(&out));
}

#[test]
fn bru_runs_each_instance_by_its_environment() {
    let Some(_) = BRU.find() else { return };
    let (test, production) = two();
    let dir = kit(&test, &production);
    let bru = |name: &str, env: &[(String, String)]| {
        let ca = match name {
            "test" => &test.ca_file,
            _ => &production.ca_file,
        };
        Command::new(BRU.path())
            .args(["run", "-r", "--env", name, "--cacert"])
            .arg(ca)
            .current_dir(dir.path().join("bruno"))
            .env_remove("COUPA_CLIENT_ID")
            .env_remove("COUPA_CLIENT_SECRET")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .unwrap()
    };
    for (name, coupa, other) in [
        ("test", &test, &production),
        ("production", &production, &test),
    ] {
        let out = bru(name, &own(name, coupa));
        assert!(
            out.status.success(),
            "{name}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        assert_eq!(calls(coupa), (1, 2), "{name}: {}", stdout(&out));
        assert_eq!(calls(other), (0, 0));
        coupa.clear();
    }
    // The shared ones stand in; a wrong secret fails.
    let out = bru(
        "test",
        &[
            ("COUPA_CLIENT_ID".into(), "test-client".into()),
            ("COUPA_CLIENT_SECRET".into(), "test-s3cret".into()),
        ],
    );
    assert!(out.status.success(), "{}", stdout(&out));
    let mut wrong = own("test", &test);
    wrong[1].1 = "wrong".into();
    let out = bru("test", &wrong);
    assert!(!out.status.success(), "{}", stdout(&out));
}

#[test]
fn httpyac_runs_each_instance_by_its_environment() {
    let Some(_) = HTTPYAC.find() else { return };
    let (test, production) = two();
    let dir = kit(&test, &production);
    for (name, coupa, other) in [
        ("test", &test, &production),
        ("production", &production, &test),
    ] {
        let env = own(name, coupa);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let report = crate::http::send_in(coupa, dir.path(), name, &env, &[]);
        report.assert_all_passed();
        assert_eq!(calls(coupa), (1, 2), "{name}");
        assert_eq!(calls(other), (0, 0));
        coupa.clear();
    }
    let report = crate::http::send_in(
        &test,
        dir.path(),
        "test",
        &[
            ("COUPA_TEST_CLIENT_ID", "test-client"),
            ("COUPA_TEST_CLIENT_SECRET", "wrong"),
        ],
        &[],
    );
    assert!(
        !report
            .passed()
            .iter()
            .any(|t| t.starts_with("Get access token")),
        "{:?}",
        report.passed()
    );
}

/// One file trusting both stand-ins' CAs, for a run that reaches both.
fn both_cas(dir: &Path, a: &Coupa, b: &Coupa) -> std::path::PathBuf {
    let both = dir.join("both-cas.pem");
    let pem = [&a.ca_file, &b.ca_file].map(|f| std::fs::read_to_string(f).unwrap());
    std::fs::write(&both, pem.concat()).unwrap();
    both
}

fn verify(dir: &Path, ca: &Path, env: &[(String, String)], args: &[&str]) -> Output {
    Command::new(bin())
        .arg("verify")
        .args(args)
        .current_dir(dir)
        .env("SSL_CERT_FILE", ca)
        .env_remove("COUPA_CLIENT_ID")
        .env_remove("COUPA_CLIENT_SECRET")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap()
}

#[test]
fn verify_checks_one_instance_or_each_and_names_where_their_scopes_differ() {
    // Production's client was given fewer scopes, and Coupa narrows.
    let (test, production) = two_with(|b| Behaviour {
        granted: vec!["core.user.read".into()],
        narrow_scopes: true,
        ..b
    });
    let dir = kit(&test, &production);
    let ca = both_cas(dir.path(), &test, &production);
    let ca = ca.as_path();
    let mut env = own("test", &test);
    env.extend(own("production", &production));
    // Several instances and none chosen: the person's to say which.
    let out = verify(dir.path(), ca, &env, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--instance NAME"), "{}", stderr(&out));
    let out = verify(dir.path(), ca, &env, &["--instance", "staging"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("give one of test, production"),
        "{}",
        stderr(&out)
    );
    // One.
    let out = verify(dir.path(), ca, &env, &["--instance", "test"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(calls(&test).0, 1);
    assert_eq!(calls(&production), (0, 0));
    test.clear();
    // Each, with a JUnit report; production fails its invoices call.
    let junit = dir.path().join("report.xml");
    let out = verify(
        dir.path(),
        ca,
        &env,
        &["--all-instances", "--junit", junit.to_str().unwrap()],
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.contains("instance test:") && text.contains("instance production:"),
        "{text}"
    );
    assert!(text.contains("scopes differ: test was granted"), "{text}");
    assert!(text.contains("core.invoice.read"), "{text}");
    assert_eq!(calls(&test).0, 1);
    assert_eq!(calls(&production).0, 1);
    for secret in ["test-s3cret", "production-s3cret"] {
        assert!(!text.contains(secret));
    }
    let xml = std::fs::read_to_string(&junit).unwrap();
    for secret in ["test-s3cret", "production-s3cret"] {
        assert!(!xml.contains(secret));
    }
    read_junit(&junit);
    // The report is never replaced unasked.
    let out = verify(
        dir.path(),
        ca,
        &env,
        &["--all-instances", "--junit", junit.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("add --force"), "{}", stderr(&out));
    // The shared variables stand in; a secret on stdin serves one instance.
    let out = verify(
        dir.path(),
        ca,
        &[
            ("COUPA_CLIENT_ID".into(), "test-client".into()),
            ("COUPA_CLIENT_SECRET".into(), "test-s3cret".into()),
        ],
        &["--instance", "test"],
    );
    assert!(out.status.success(), "{}", stdout(&out));
    let out = verify(
        dir.path(),
        ca,
        &env,
        &["--all-instances", "--client-secret-stdin"],
    );
    assert_eq!(out.status.code(), Some(2));
}

/// A JUnit parser (junitparser, from PyPI) reads the report: two suites,
/// production's failure carrying the cause and the fix.
fn read_junit(path: &Path) {
    let Some(python) = JUNITPARSER.find() else {
        return;
    };
    let code = r#"
import sys
from junitparser import JUnitXml, Failure
xml = JUnitXml.fromfile(sys.argv[1])
for suite in xml:
    failures = [r for case in suite for r in case.result if isinstance(r, Failure)]
    print(suite.name, suite.tests, len(failures))
    for f in failures:
        print("failure:", f.message, "|", f.text.replace("\n", " "))
"#;
    let out = Command::new(python)
        .args(["-c", code])
        .arg(path)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("test 4 0"), "{text}");
    assert_eq!(lines.next(), Some("production 4 1"), "{text}");
    let failure = lines.next().unwrap_or_default();
    assert!(failure.starts_with("failure: "), "{text}");
    assert!(failure.contains("fix:"), "{text}");
}

/// A token revoked mid-run on one instance of two: each runner that renews
/// a token itself (the check script, bru, httpyac) asks that instance for a
/// new one with the instance's own credentials, the shared ones unset.
#[test]
fn a_revoked_token_is_renewed_with_the_instances_own_credentials() {
    let revoking = || {
        two_with(|b| Behaviour {
            revoke_after: Some(1),
            ..b
        })
    };
    let renewed = |who: &str, production: &Coupa, test: &Coupa, said: &str| {
        assert_eq!(production.token_grants().len(), 2, "{who}: {said}");
        for form in production
            .requests()
            .iter()
            .filter(|r| r.path == "/oauth2/token")
            .map(|r| r.form())
        {
            assert!(
                form.contains(&("client_id".into(), "production-client".into())),
                "{who} renewed without the instance's own client id: {form:?}"
            );
        }
        assert_eq!(calls(test), (0, 0), "{who}");
    };
    {
        let (test, production) = revoking();
        let dir = kit(&test, &production);
        let mut env = own("production", &production);
        env.push(("COUPA_INSTANCE".into(), "production".into()));
        let out = script(dir.path(), &production, &env);
        assert!(out.status.success(), "{}", stderr(&out));
        renewed("the check script", &production, &test, &stderr(&out));
    }
    if BRU.find().is_some() {
        let (test, production) = revoking();
        let dir = kit(&test, &production);
        let out = Command::new(BRU.path())
            .args(["run", "-r", "--env", "production", "--cacert"])
            .arg(&production.ca_file)
            .current_dir(dir.path().join("bruno"))
            .env_remove("COUPA_CLIENT_ID")
            .env_remove("COUPA_CLIENT_SECRET")
            .envs(own("production", &production))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stdout(&out));
        renewed("bru", &production, &test, &stdout(&out));
    }
    if HTTPYAC.find().is_some() {
        let (test, production) = revoking();
        let dir = kit(&test, &production);
        let own = own("production", &production);
        let env: Vec<(&str, &str)> = own.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let report = crate::http::send_in(&production, dir.path(), "production", &env, &[]);
        report.assert_all_passed();
        renewed(
            "httpyac",
            &production,
            &test,
            &format!("{:?}", report.passed()),
        );
    }
}

#[test]
fn postmans_cli_runs_each_instance_in_its_own_environment() {
    let Some(_) = POSTMAN.find() else { return };
    let (test, production) = two();
    let dir = kit(&test, &production);
    for (name, coupa, other) in [
        ("test", &test, &production),
        ("production", &production, &test),
    ] {
        let file = format!("coupa-{name}.postman_environment.json");
        let secret = coupa.behaviour().client_secret.clone();
        let (ok, report, said) =
            crate::real_clients::postman_run_in(coupa, dir.path(), &file, &secret);
        assert!(ok, "{name}: {said}");
        crate::real_clients::assert_no_postman_failures(&report, &said);
        assert_eq!(calls(coupa), (1, 2), "{name}: {said}");
        assert_eq!(calls(other), (0, 0), "{name}");
        coupa.clear();
        let (ok, _, said) = crate::real_clients::postman_run_in(coupa, dir.path(), &file, "wrong");
        assert!(!ok, "{name}: a wrong secret fails the run:\n{said}");
        coupa.clear();
    }
}
