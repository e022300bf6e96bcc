//! The real clients run on a kit as a person runs them, the credentials in
//! their environment and a use case's inputs given each runner's way:
//! `COUPA_<NAME>` for the check script, `--env-var` for newman and bru.

use std::path::Path;
use std::process::{Command, Output};

use super::coupa::Coupa;
use super::newman;
use super::tools::BRU;

/// The kit's check script; with `writes`, COUPA_ALLOW_WRITES=1.
pub fn check_script(coupa: &Coupa, kit: &Path, inputs: &[(&str, &str)], writes: bool) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg(kit.join("coupa-check.sh"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("CURL_CA_BUNDLE", &coupa.ca_file)
        .env("COUPA_CLIENT_ID", &coupa.behaviour().client_id)
        .env("COUPA_CLIENT_SECRET", &coupa.behaviour().client_secret)
        .envs(
            inputs
                .iter()
                .map(|(k, v)| (format!("COUPA_{}", k.to_uppercase()), v)),
        );
    if writes {
        cmd.env("COUPA_ALLOW_WRITES", "1");
    }
    cmd.output().unwrap()
}

/// newman on the kit (one folder, or all), the environment filled: whether
/// it passed, and its report.
pub fn newman(
    coupa: &Coupa,
    kit: &Path,
    folder: Option<&str>,
    vars: &[(&str, &str)],
) -> (bool, String) {
    let b = coupa.behaviour();
    let out = newman::run(
        coupa,
        kit,
        &b.client_id,
        &b.client_secret,
        &newman::args(folder, vars),
    );
    (out.status.success(), newman::report(&out))
}

/// `bru run -r --env coupa` in the kit's Bruno collection.
pub fn bru(coupa: &Coupa, kit: &Path, vars: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BRU.path());
    cmd.args(["run", "-r", "--env", "coupa", "--cacert"])
        .arg(&coupa.ca_file)
        .current_dir(kit.join("bruno"))
        .env("COUPA_CLIENT_ID", &coupa.behaviour().client_id)
        .env("COUPA_CLIENT_SECRET", &coupa.behaviour().client_secret);
    for (k, v) in vars {
        cmd.args(["--env-var", &format!("{k}={v}")]);
    }
    cmd.output().unwrap()
}

/// `coupagen bundle` of the use cases `ids` (comma-separated) for the stand-in.
pub fn bundle(coupa: &Coupa, ids: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let domain = coupa.domain();
    let out = super::run(&[
        "bundle",
        "--domain",
        &domain,
        "--use-case",
        ids,
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", super::stderr(&out));
    dir
}

/// `coupagen verify --use-case ID` as the OAuth client, each input as
/// `--input NAME=VALUE`, then `extra`.
pub fn verify(coupa: &Coupa, id: &str, inputs: &[(&str, &str)], extra: &[&str]) -> Output {
    let mut cmd = Command::new(super::bin());
    cmd.args(["verify", "--domain", &coupa.domain(), "--use-case", id]);
    for (k, v) in inputs {
        cmd.args(["--input", &format!("{k}={v}")]);
    }
    cmd.args(extra)
        .env("SSL_CERT_FILE", &coupa.ca_file)
        .env("COUPA_CLIENT_ID", &coupa.behaviour().client_id)
        .env("COUPA_CLIENT_SECRET", &coupa.behaviour().client_secret)
        .output()
        .unwrap()
}
