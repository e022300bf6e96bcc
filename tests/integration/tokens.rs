//! Coupa's token rules in every runner (issue 27): a fresh token may be
//! refused for its first five seconds ("include at least a five-second buffer
//! ... between when you generate a token and when you submit an API call"),
//! so a 401 on a young token is retried once it is five seconds old; a 401 on
//! an older one (revoked mid-run) gets one new token. The stand-in's
//! `token_lag` and `revoke_after` play both; its log shows what each client
//! really sent and when. A wrong secret still fails, with one token request.

use std::time::Duration;

use crate::bruno::bru_run;
use crate::consent;
use crate::http::{send, Report};
use crate::real_clients::{bundle, newman, run_script};
use crate::support::browser;
use crate::support::coupa::{Behaviour, Coupa, Recorded, CALLBACK};
use crate::support::runners;
use crate::support::tools::{BRU, CURL, HTTPYAC, NEWMAN, POSTMAN};
use crate::support::{stderr, stdout};

/// Coupa's buffer, as the kit holds it (`coupa::TOKEN_BUFFER_SECS`).
const BUFFER: Duration = Duration::from_secs(coupagen::coupa::TOKEN_BUFFER_SECS as u64);

/// Shorter than the buffer, so a retry the buffer times passes.
const LAG: Duration = Duration::from_millis(1500);

fn lagging() -> Coupa {
    Coupa::with(Behaviour {
        token_lag: Some(LAG),
        ..Behaviour::default()
    })
}

/// Revokes the first token after one answered call.
fn revoking() -> Coupa {
    Coupa::with(Behaviour {
        revoke_after: Some(1),
        ..Behaviour::default()
    })
}

/// Answers every API call 429 with `Retry-After: 1`.
fn limiting() -> Coupa {
    Coupa::with(Behaviour {
        api_status: Some(429),
        ..Behaviour::default()
    })
}

/// Under `limiting`: the call, and once more a second later.
fn assert_sent_again_after_retry_after(coupa: &Coupa) {
    let log = heard(
        coupa,
        &[
            "/oauth2/token",
            "/api/expense_reports",
            "/api/expense_reports",
        ],
    );
    assert!(log[2].at - log[1].at >= Duration::from_secs(1));
}

/// Two resources: the second call meets the revoked token.
const TWO: &[&str] = &["--resource", "expense_reports,invoices"];

fn is_token(r: &Recorded) -> bool {
    r.path == "/oauth2/token"
}

/// The stand-in's log, once its paths are `expected`, in order.
fn heard(coupa: &Coupa, expected: &[&str]) -> Vec<Recorded> {
    let log = coupa.requests();
    let paths: Vec<&str> = log.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(paths, expected, "{log:#?}");
    log
}

/// Under `token_lag`: one token, the call refused while the token was young,
/// then sent again once the token was the buffer's age (so past the lag).
fn assert_waited_out_the_lag(coupa: &Coupa) {
    // One token, the call, the call again.
    let log = heard(
        coupa,
        &[
            "/oauth2/token",
            "/api/expense_reports",
            "/api/expense_reports",
        ],
    );
    let (first, retried) = (log[1].at - log[0].at, log[2].at - log[0].at);
    assert!(first < LAG, "the first call came at once: {first:?}");
    assert!(
        retried >= BUFFER,
        "the retry came when the token was {BUFFER:?} old: {retried:?}"
    );
}

/// Under `revoke_after: 1` with two resources: the second call refused on a
/// young token, retried at the buffer's age, refused again, then a second
/// token grant and the call once more, answered.
fn assert_renewed_once(coupa: &Coupa, grant: &str) {
    let log = heard(
        coupa,
        &[
            "/oauth2/token",
            "/api/expense_reports",
            "/api/invoices",
            "/api/invoices",
            "/oauth2/token",
            "/api/invoices",
        ],
    );
    assert_eq!(coupa.token_grants(), [grant, grant]);
    let token = |r: &Recorded| r.header("authorization").unwrap().to_string();
    assert_eq!(token(&log[1]), token(&log[3]), "the old token, retried");
    assert_ne!(token(&log[3]), token(&log[5]), "the new token");
    assert!(log[3].at - log[0].at >= BUFFER);
}

/// A wrong secret: one token request refused, then `calls` API calls
/// (a runner that goes on without a token), none sent again.
fn assert_one_refused_token_request_then(coupa: &Coupa, calls: usize) {
    let log = coupa.requests();
    assert_eq!(log.iter().filter(|r| is_token(r)).count(), 1, "{log:#?}");
    assert_eq!(coupa.api_calls().len(), calls, "{log:#?}");
}

#[test]
fn check_script_waits_out_coupas_token_buffer_on_a_401() {
    let Some(_) = CURL.find() else { return };
    let coupa = lagging();
    let kit = bundle(&coupa, &[]);
    let out = runners::check_script(&coupa, kit.path(), &[], false);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("HTTP 401 on a token") && err.contains("retrying once it is 5 s old"),
        "{err}"
    );
    assert_waited_out_the_lag(&coupa);
}

#[test]
fn check_script_fetches_one_new_token_when_its_token_is_revoked() {
    let Some(_) = CURL.find() else { return };
    let coupa = revoking();
    let kit = bundle(&coupa, TWO);
    let out = runners::check_script(&coupa, kit.path(), &[], false);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("fetching a new token, then retrying"), "{err}");
    assert_renewed_once(&coupa, "client_credentials");
}

#[test]
fn check_script_fails_on_a_wrong_secret_under_the_lag() {
    let Some(_) = CURL.find() else { return };
    let coupa = lagging();
    let kit = bundle(&coupa, &[]);
    let id = coupa.behaviour().client_id.clone();
    let (out, _) = run_script(&coupa, kit.path(), Some(&id), Some("wrong"));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_one_refused_token_request_then(&coupa, 0);
}

#[test]
fn check_script_waits_out_a_429_once_then_fails() {
    let Some(_) = CURL.find() else { return };
    let coupa = limiting();
    let kit = bundle(&coupa, &[]);
    let out = runners::check_script(&coupa, kit.path(), &[], false);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("retrying once, after 1 s (Retry-After)"),
        "{err}"
    );
    assert_sent_again_after_retry_after(&coupa);
}

/// A wrong secret: the run fails, and no API call is sent twice (no token
/// came, so there is none to wait for or renew).
fn assert_no_call_sent_twice(coupa: &Coupa) {
    let calls = coupa.api_calls();
    let mut unique = calls.clone();
    unique.dedup();
    assert_eq!(calls, unique, "{:#?}", coupa.requests());
}

#[test]
fn newman_waits_out_coupas_token_buffer_on_a_401() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = lagging();
    let kit = bundle(&coupa, &[]);
    let (passed, report) = runners::newman(&coupa, kit.path(), None, &[]);
    assert!(passed, "{report}");
    assert!(
        report.contains("HTTP 401 on a token") && report.contains("sent again once it is 5 s old"),
        "{report}"
    );
    assert_waited_out_the_lag(&coupa);
}

/// Postman's own CLI runs the same collection scripts: it waits out the lag too.
#[test]
fn postmans_cli_waits_out_coupas_token_buffer_on_a_401() {
    let Some(_) = POSTMAN.find() else { return };
    let coupa = lagging();
    let kit = bundle(&coupa, &[]);
    let secret = coupa.behaviour().client_secret.clone();
    let (ok, report, said) = crate::real_clients::postman_run_in(
        &coupa,
        kit.path(),
        "coupa.postman_environment.json",
        &secret,
    );
    assert!(ok, "{said}");
    crate::real_clients::assert_no_postman_failures(&report, &said);
    assert!(said.contains("sent again once it is 5 s old"), "{said}");
    assert_waited_out_the_lag(&coupa);
}

#[test]
fn newman_fetches_one_new_token_when_its_token_is_revoked() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = revoking();
    let kit = bundle(&coupa, TWO);
    let (passed, report) = runners::newman(&coupa, kit.path(), None, &[]);
    assert!(passed, "{report}");
    assert!(report.contains("sent again with a new token"), "{report}");
    assert_renewed_once(&coupa, "client_credentials");
}

#[test]
fn newman_fails_on_a_wrong_secret_under_the_lag() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = lagging();
    let kit = bundle(&coupa, &[]);
    let id = coupa.behaviour().client_id.clone();
    let out = newman(&coupa, kit.path(), &id, "wrong", &[]);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert_no_call_sent_twice(&coupa);
}

#[test]
fn newman_waits_out_a_429_once() {
    let Some(_) = NEWMAN.find() else { return };
    let coupa = limiting();
    let kit = bundle(&coupa, &[]);
    let (passed, report) = runners::newman(&coupa, kit.path(), None, &[]);
    assert!(!passed, "every answer is a 429: {report}");
    assert!(
        report.contains("sent again after 1 s (Retry-After)"),
        "{report}"
    );
    assert_sent_again_after_retry_after(&coupa);
}

/// What `bru run` printed, both streams.
fn said(out: &std::process::Output) -> String {
    format!("{}\n{}", stdout(out), stderr(out))
}

#[test]
fn bru_waits_out_coupas_token_buffer_on_a_401() {
    let Some(_) = BRU.find() else { return };
    let coupa = lagging();
    let kit = bundle(&coupa, &[]);
    let out = runners::bru(&coupa, kit.path(), &[]);
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        said(&out).contains("sent again once it is 5 s old"),
        "{}",
        said(&out)
    );
    assert_waited_out_the_lag(&coupa);
}

#[test]
fn bru_fetches_one_new_token_when_its_token_is_revoked() {
    let Some(_) = BRU.find() else { return };
    let coupa = revoking();
    let kit = bundle(&coupa, TWO);
    let secret = coupa.behaviour().client_secret.clone();
    let (out, report) = bru_run(&coupa, &kit.path().join("bruno"), &secret);
    assert!(out.status.success(), "{}", said(&out));
    // The console shows neither; Bruno's own JSON report records every
    // request as sent (the token request's form, each bearer header), as it
    // did before a renewal.
    let shown = said(&out);
    for hidden in coupa.tokens().iter().chain([&secret]) {
        assert!(!shown.contains(hidden.as_str()), "{hidden} shown");
    }
    assert!(!report.is_null(), "the report was written");
    assert!(
        said(&out).contains("sent again with a new token"),
        "{}",
        said(&out)
    );
    assert_renewed_once(&coupa, "client_credentials");
}

#[test]
fn bru_fails_on_a_wrong_secret_under_the_lag() {
    let Some(_) = BRU.find() else { return };
    let coupa = lagging();
    let kit = bundle(&coupa, &[]);
    let (out, _) = bru_run(&coupa, &kit.path().join("bruno"), "wrong");
    assert!(!out.status.success(), "{}", said(&out));
    assert_one_refused_token_request_then(&coupa, 1);
}

#[test]
fn bru_waits_out_a_429_once() {
    let Some(_) = BRU.find() else { return };
    let coupa = limiting();
    let kit = bundle(&coupa, &[]);
    let out = runners::bru(&coupa, kit.path(), &[]);
    assert!(
        !out.status.success(),
        "every answer is a 429: {}",
        said(&out)
    );
    assert!(
        said(&out).contains("sent again after 1 s (Retry-After)"),
        "{}",
        said(&out)
    );
    assert_sent_again_after_retry_after(&coupa);
}

/// httpyac's report holds a passing test that says `what`.
fn assert_a_test_says(report: &Report, what: &str) {
    let passed = report.passed();
    assert!(passed.iter().any(|t| t.contains(what)), "{passed:?}");
}

/// The HTTP file of `bundle`'s kit for `coupa`, in httpyac as the client.
fn httpyac(coupa: &Coupa, extra: &[&str], secret: &str) -> Report {
    let kit = bundle(coupa, extra);
    let id = coupa.behaviour().client_id.clone();
    send(
        coupa,
        kit.path(),
        &[("COUPA_CLIENT_ID", &id), ("COUPA_CLIENT_SECRET", secret)],
        &[],
    )
}

#[test]
fn httpyac_waits_out_coupas_token_buffer_on_a_401() {
    let Some(_) = HTTPYAC.find() else { return };
    let coupa = lagging();
    let secret = coupa.behaviour().client_secret.clone();
    let report = httpyac(&coupa, &[], &secret);
    report.assert_all_passed();
    assert_a_test_says(&report, "sent again once it is 5 s old");
    assert_waited_out_the_lag(&coupa);
}

#[test]
fn httpyac_fetches_one_new_token_when_its_token_is_revoked() {
    let Some(_) = HTTPYAC.find() else { return };
    let coupa = revoking();
    let secret = coupa.behaviour().client_secret.clone();
    let report = httpyac(&coupa, TWO, &secret);
    report.assert_all_passed();
    assert_a_test_says(&report, "sent again with a new token");
    assert_renewed_once(&coupa, "client_credentials");
    let shown = report.shown();
    for hidden in coupa.tokens().iter().chain([&secret]) {
        assert!(!shown.contains(hidden.as_str()), "{hidden} shown");
    }
}

#[test]
fn httpyac_fails_on_a_wrong_secret_under_the_lag() {
    let Some(_) = HTTPYAC.find() else { return };
    let coupa = lagging();
    let report = httpyac(&coupa, &[], "wrong");
    assert!(report.summary("failedTests") >= 1);
    // No token: httpyac sends no request that needs one.
    assert_one_refused_token_request_then(&coupa, 0);
}

#[test]
fn httpyac_waits_out_a_429_once() {
    let Some(_) = HTTPYAC.find() else { return };
    let coupa = limiting();
    let secret = coupa.behaviour().client_secret.clone();
    let report = httpyac(&coupa, &[], &secret);
    assert!(report.summary("failedTests") >= 1, "every answer is a 429");
    assert_a_test_says(&report, "sent again after 1 s (Retry-After)");
    assert_sent_again_after_retry_after(&coupa);
}

/// A user-consent Coupa that revokes every token at the first call, and a
/// refresh token the person's consent gave (the log cleared after it).
fn revoking_consent() -> (Coupa, String) {
    let coupa = Coupa::with(Behaviour {
        revoke_after: Some(0),
        ..Behaviour::consent(&[CALLBACK])
    });
    let refresh = browser::refresh_token(&coupa, &browser::allowed_code(&coupa, "s1"), CALLBACK);
    coupa.clear();
    (coupa, refresh)
}

/// Under `revoking_consent`: the call refused, refused again at the
/// buffer's age, then a second refresh and the call answered.
fn assert_refreshed_once(coupa: &Coupa) {
    let log = heard(
        coupa,
        &[
            "/oauth2/token",
            "/api/approvals",
            "/api/approvals",
            "/oauth2/token",
            "/api/approvals",
        ],
    );
    assert_eq!(coupa.token_grants(), ["refresh_token", "refresh_token"]);
    assert!(log[2].at - log[0].at >= BUFFER);
}

#[test]
fn check_script_renews_a_revoked_consent_token_with_the_refresh_token() {
    let Some(_) = CURL.find() else { return };
    let (coupa, refresh) = revoking_consent();
    let kit = consent::kit(&coupa, CALLBACK, &[]);
    let out = consent::script(&coupa, kit.path(), &[("COUPA_REFRESH_TOKEN", &refresh)])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("fetching a new token, then retrying"), "{err}");
    assert_refreshed_once(&coupa);
    assert!(!err.contains(&refresh), "the refresh token shown");
}

#[test]
fn newman_renews_a_revoked_consent_token_with_the_refresh_token() {
    let Some(_) = NEWMAN.find() else { return };
    let (coupa, refresh) = revoking_consent();
    let kit = consent::kit(&coupa, CALLBACK, &[]);
    let (passed, report) = runners::newman(
        &coupa,
        kit.path(),
        None,
        &[("refresh_token", refresh.as_str())],
    );
    assert!(passed, "{report}");
    assert!(report.contains("sent again with a new token"), "{report}");
    assert_refreshed_once(&coupa);
}

/// The check script's `send`, called 25 times in a row as a loop over many
/// resources would: no 20 calls after the first 20 start within a second of
/// the 20th call before them (Coupa's burst), and the first 20 go at once.
#[test]
fn check_script_starts_at_most_20_calls_in_any_second() {
    let Some(_) = CURL.find() else { return };
    let coupa = Coupa::start();
    let kit = bundle(&coupa, &[]);
    let script = std::fs::read_to_string(kit.path().join("coupa-check.sh")).unwrap();
    // The script's functions and setup, up to its first request.
    let head = &script[..script.find("\n# renew_token:").expect("renew_token")];
    let harness = format!(
        "{head}\nfor i in $(seq 25); do send \"call $i\" \"$tmp/out\" '' 'https://{}/api/expense_reports'; done\n",
        coupa.domain()
    );
    let path = kit.path().join("harness.sh");
    std::fs::write(&path, harness).unwrap();
    let out = std::process::Command::new("bash")
        .arg(&path)
        .env("CURL_CA_BUNDLE", &coupa.ca_file)
        .env("COUPA_CLIENT_ID", "id")
        .env("COUPA_CLIENT_SECRET", "secret")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let log = coupa.requests();
    assert_eq!(log.len(), 25);
    let burst = coupagen::coupa::BURST as usize;
    assert!(
        log[burst - 1].at - log[0].at < Duration::from_secs(1),
        "the first 20 at once"
    );
    // The script times each start; the stand-in each arrival, a TLS
    // handshake later: allow that much.
    for i in burst..log.len() {
        let gap = log[i].at - log[i - burst].at;
        assert!(
            gap >= Duration::from_millis(950),
            "call {i}: {gap:?} after call {}",
            i - burst
        );
    }
}
