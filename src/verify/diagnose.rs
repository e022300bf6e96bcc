//! What an answer means: a pure function of what the request was for and
//! what Coupa answered, so every diagnosis has a table test and no server.

use std::time::Duration;

use crate::coupa::Grant;
use crate::coupa::{self, CLIENT_SETUP as SETUP, DOMAIN_FORMS};
use crate::kit::{Answer, Expect};

use super::report::{Found, Problem};

/// What an HTTP answer said, read once.
#[derive(Debug, Clone, Default)]
pub struct Heard {
    pub status: u16,
    pub content_type: String,
    pub retry_after: Option<Duration>,
    /// Where a redirect pointed (never followed).
    pub location: Option<String>,
    pub body: String,
    /// A 401 on a token younger than Coupa's buffer came first: the call was
    /// sent again once the token was that old, after waiting this long.
    pub buffered: Option<Duration>,
}

/// What a token request trades for the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenFrom {
    /// The client's own credentials (client credentials).
    Credentials,
    /// An authorization code from the person's consent.
    Code,
    /// A refresh token.
    RefreshToken,
}

/// What the request was for, as far as judging its answer goes.
#[derive(Debug, Clone)]
pub struct Purpose<'a> {
    pub expect: Expect,
    pub grant: Grant,
    /// For a token request: what it trades.
    pub token_from: TokenFrom,
    /// The token answer must carry a refresh token (offline_access was asked for).
    pub expects_refresh: bool,
    /// The redirect URI the code was issued for, with user consent.
    pub redirect_uri: Option<&'a str>,
    pub domain: &'a str,
    /// The request's path, for messages.
    pub path: &'a str,
    /// The scope Coupa checks for the request, when known.
    pub scope: Option<&'a str>,
    /// The scopes the kit asks for, space-separated.
    pub requested: &'a str,
    /// What the token answer said it holds, when it said.
    pub granted: Option<&'a [String]>,
    /// A credential with surrounding whitespace, by where it came from.
    pub padded: Option<&'a str>,
    /// Where the Secret came from: its variable, or the stdin flag.
    pub secret_from: &'a str,
    /// The path names one record by an id the request was given.
    pub by_id: bool,
    /// The request changes Coupa data.
    pub writes: bool,
}

pub fn diagnose(purpose: &Purpose<'_>, heard: &Heard) -> Result<Found, Problem> {
    match purpose.expect.answer {
        Answer::Token => match common_problem(purpose, heard) {
            Some(p) => Err(p),
            None => token(purpose, heard),
        },
        Answer::List | Answer::Object => call(purpose, heard),
        // A browser's request: its answer is read by `redirect`.
        Answer::Redirect => Err(problem(
            "a consent page's answer was judged as an HTTP answer",
            "this is a bug in coupagen; please report it",
        )),
    }
}

/// Coupa's validation errors, `{"errors": {"approval": ["..."]}}`, as one
/// line; the body itself when it is not that.
fn said_errors(body: &str) -> String {
    let json: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let messages: Vec<String> = json
        .get("errors")
        .and_then(|e| e.as_object())
        .map(|o| {
            o.values()
                .flat_map(|v| v.as_array().cloned().unwrap_or_default())
                .filter_map(|m| m.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    match messages.is_empty() {
        true => body.chars().take(200).collect(),
        false => messages.join("; "),
    }
}

fn problem(cause: impl Into<String>, fix: impl Into<String>) -> Problem {
    Problem {
        cause: cause.into(),
        fix: fix.into(),
    }
}

/// Problems any endpoint can answer with: rate limit, Coupa-side failure,
/// something that is not Coupa.
fn common_problem(purpose: &Purpose<'_>, heard: &Heard) -> Option<Problem> {
    let Heard {
        status,
        content_type,
        body,
        retry_after,
        location,
        ..
    } = heard;
    Some(match status {
        300..=399 => problem(
            format!(
                "{} answered {status}, a redirect to {}: verify follows none, since it would carry the credentials or the token on",
                purpose.domain,
                location.as_deref().unwrap_or("an address it did not name")
            ),
            format!("check --domain: {DOMAIN_FORMS}; Coupa's API answers where it is asked, so a redirect means a login page, a proxy or another host"),
        ),
        429 => problem(
            format!(
                "Coupa's rate limit ({}) answered 429 Too Many Requests",
                coupa::RATE_LIMIT
            ),
            format!(
                "retry after {} s; space out the requests",
                retry_after.map_or(1, |d| d.as_secs())
            ),
        ),
        500..=599 => problem(
            format!("Coupa answered {status}: a failure on Coupa's side"),
            "retry later; if it persists, ask Coupa support",
        ),
        _ if looks_like_markup(content_type, body) && *status != purpose.expect.status => problem(
            format!(
                "{} answered {status} with {}, not Coupa's JSON",
                purpose.domain,
                kind_of(content_type, body)
            ),
            format!("check --domain: {DOMAIN_FORMS}"),
        ),
        _ => return None,
    })
}

fn looks_like_markup(content_type: &str, body: &str) -> bool {
    content_type.contains("html")
        || content_type.contains("xml")
        || body.trim_start().starts_with('<')
}

fn kind_of(content_type: &str, body: &str) -> &'static str {
    if content_type.contains("html")
        || body
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("<!doctype html")
        || body.contains("<html")
    {
        "an HTML page"
    } else {
        "XML"
    }
}

/// The longest access token verify takes: Coupa's are about a kilobyte,
/// and a bearer header far longer is refused on the way.
pub const MAX_TOKEN: usize = 16 << 10;

fn token(purpose: &Purpose<'_>, heard: &Heard) -> Result<Found, Problem> {
    let status = heard.status;
    let json: serde_json::Value = match serde_json::from_str(&heard.body) {
        Ok(json) => json,
        // 1e400 is valid JSON but no number serde_json holds.
        Err(e) if e.to_string().contains("number out of range") && heard.body.contains(coupa::EXPIRES_IN_FIELD) => {
            return Err(problem(
                format!("the token answer's {} is not a number verify can read (it is out of range)", coupa::EXPIRES_IN_FIELD),
                format!("check --domain points at the Coupa instance ({DOMAIN_FORMS}): Coupa gives the token's lifetime in seconds"),
            ))
        }
        Err(_) => serde_json::Value::default(),
    };
    if let Some(token) = json.get(coupa::ACCESS_TOKEN_FIELD).and_then(|t| t.as_str()) {
        if token.len() > MAX_TOKEN {
            return Err(problem(
                format!("the token answer's {} is {} KiB, over the {} KiB verify sends as a bearer header", coupa::ACCESS_TOKEN_FIELD, token.len() >> 10, MAX_TOKEN >> 10),
                format!("check --domain points at the Coupa instance ({DOMAIN_FORMS}): Coupa's tokens are about a kilobyte"),
            ));
        }
    }
    let expires_in = json.get(coupa::EXPIRES_IN_FIELD);
    if let Some(bad) = expires_in.filter(|e| e.as_u64().is_none()) {
        return Err(problem(
            format!("the token answer's {} is {bad}, not a whole number of seconds", coupa::EXPIRES_IN_FIELD),
            format!("check --domain points at the Coupa instance ({DOMAIN_FORMS}): Coupa gives the token's lifetime in seconds"),
        ));
    }
    let access_token = json
        .get(coupa::ACCESS_TOKEN_FIELD)
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty());
    let refresh_token = json
        .get(coupa::REFRESH_TOKEN_FIELD)
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty())
        .map(String::from);
    if let (true, Some(_), true, None) = (
        status == purpose.expect.status,
        access_token,
        purpose.expects_refresh,
        &refresh_token,
    ) {
        return Err(problem(
            format!("Coupa issued an access token but no refresh token, though {} was asked for", coupa::OFFLINE_ACCESS),
            format!("in {SETUP}, give the client the {} scope: without a refresh token, people consent again every day", coupa::OFFLINE_ACCESS),
        ));
    }
    if let (true, Some(token)) = (status == purpose.expect.status, access_token) {
        return Ok(Found::Token {
            refresh_token,
            token: token.to_string(),
            expires_in: expires_in.and_then(|e| e.as_u64()),
            scopes_granted: json
                .get(coupa::SCOPE_FIELD)
                .and_then(|s| s.as_str())
                .map(|s| {
                    s.split(' ')
                        .filter(|w| !w.is_empty())
                        .map(String::from)
                        .collect()
                }),
        });
    }
    let error = json.get("error").and_then(|e| e.as_str()).unwrap_or("");
    let description = json
        .get("error_description")
        .and_then(|e| e.as_str())
        .unwrap_or("");
    let said = if description.is_empty() {
        error.to_string()
    } else {
        format!("{error}: {description}")
    };
    let (grant, label) = (purpose.grant.id(), coupa::grant_label(purpose.grant));
    let env = crate::contract::env::CLIENT_ID;
    let secret = crate::contract::env::CLIENT_SECRET;
    Err(match error {
        "invalid_client" if purpose.padded.is_some() => {
            let from = purpose.padded.unwrap_or_default();
            problem(
                format!("Coupa did not accept the client credentials ({said}), and {from} starts or ends with whitespace, which Coupa counts: a newline or space copied along"),
                format!("give {from} again without the surrounding whitespace (`read -rs` drops the newline; a file's content may keep one)"),
            )
        }
        "invalid_client" => {
            // Name the Secret that was sent: from standard input, the
            // variable was not read, whatever it holds.
            let secret = match purpose.secret_from == secret {
                true => format!("{secret} (the Secret)"),
                false => format!("the Secret given on standard input ({}; {secret} was not read)", purpose.secret_from),
            };
            problem(
                format!("Coupa did not accept the client credentials ({said})"),
                format!("check {env} (the Identifier) and {secret} against the client in {SETUP}, and that the client's grant type is {label}"),
            )
        }
        "invalid_scope" => problem(
            format!("Coupa refused the requested scopes ({said})"),
            format!("in {SETUP}, give the client every scope requested ({}), or ask only for the ones it has with --scope", purpose.requested),
        ),
        "unsupported_grant_type" | "unauthorized_client" => problem(
            format!("the client may not use the {grant} grant ({said})"),
            format!("in {SETUP}, create the client with grant type {label}"),
        ),
        "invalid_grant" if purpose.token_from == TokenFrom::RefreshToken => problem(
            format!("Coupa did not accept the refresh token ({said}): it expired (refresh tokens last {} days) or was revoked", coupa::REFRESH_TOKEN_DAYS),
            format!("consent again: run verify without {0} and with `--refresh-token-fd 3 3> FILE` (or `3> >(your secret store)`), which hands the new refresh token over off the screen; then give it in {0}", crate::contract::env::REFRESH_TOKEN),
        ),
        "invalid_grant" => problem(
            format!("Coupa did not accept the authorization code ({said}): a code works once, within minutes, and only with the redirect URI it was issued for"),
            format!("consent again, and exchange the new code at once; the authorization request and the exchange must both send {}", purpose.redirect_uri.unwrap_or("the same redirect URI")),
        ),
        "invalid_request" => problem(format!("Coupa found the token request malformed ({said})"), "check the scopes and the credentials for stray characters"),
        _ if status == purpose.expect.status => problem(
            format!("the answer holds no {}", coupa::ACCESS_TOKEN_FIELD),
            format!("check --domain points at the Coupa instance ({DOMAIN_FORMS})"),
        ),
        _ => problem(format!("the token request answered {status} {said}"), format!("check --domain ({DOMAIN_FORMS}) and the client in {SETUP}")),
    })
}

fn call(purpose: &Purpose<'_>, heard: &Heard) -> Result<Found, Problem> {
    let Heard {
        status,
        content_type,
        body,
        ..
    } = heard;
    let (path, domain) = (purpose.path, purpose.domain);
    let needed = purpose.scope.unwrap_or("the resource's read scope");
    if *status == purpose.expect.status {
        let parsed = serde_json::from_str::<serde_json::Value>(body);
        return match (purpose.expect.answer, parsed) {
            (Answer::List, Ok(serde_json::Value::Array(records))) => Ok(Found::Records(records.len(), Vec::new())),
            (Answer::Object, Ok(serde_json::Value::Object(_))) => Ok(Found::Object),
            _ if looks_like_markup(content_type, body) => Err(problem(
                format!("the answer is {}, not JSON", kind_of(content_type, body)),
                format!("Coupa answers XML unless asked for JSON: send the header '{}: {}' (the kit's requests do); an HTML page means the host is not a Coupa API", coupa::ACCEPT, coupa::JSON),
            )),
            (Answer::Object, _) => Err(problem("the answer is not a JSON record", format!("check --domain points at the Coupa instance ({DOMAIN_FORMS})"))),
            _ => Err(problem("the answer is not a JSON list of records", format!("check --domain points at the Coupa instance ({DOMAIN_FORMS})"))),
        };
    }
    Err(match status {
        401 => problem(
            "Coupa rejected the token (401)",
            "the token may have expired or been revoked; Coupa also advises waiting a few seconds after issue before first use: run verify again",
        ),
        403 if purpose.granted.is_some_and(|g| g.iter().any(|s| s == needed)) => problem(
            format!("Coupa refused {path} (403) though the token holds {needed}"),
            format!("the client's API permissions on this instance are narrower: see {}://{domain}{} for what each scope grants, and add the one {path} needs in {SETUP}", coupa::SCHEME, coupa::SCOPES_PAGE_PATH),
        ),
        403 => problem(
            format!("the token lacks the scope {needed}, which {path} needs (403)"),
            format!("in {SETUP}, give the client {needed}, and request it (--scope)"),
        ),
        // Coupa answers an empty XML search with 404 and <errors>; JSON gives [].
        404 if purpose.by_id => problem(
            format!("Coupa has no record at {path} (404)"),
            "check the id: it may be mistyped, from another instance, or of a record since removed",
        ),
        400 if purpose.writes => problem(
            format!("Coupa refused the change at {path} (400): {}", said_errors(body)),
            "only a pending approval can be approved or rejected: it may have been decided already, or moved on; look it up again",
        ),
        404 if body.contains("<errors") => problem(
            "Coupa answered 404 with an XML error, which is how it answers when the Accept header does not ask for JSON",
            format!("send '{}: {}' (the kit's requests do); then an empty result is [] rather than 404", coupa::ACCEPT, coupa::JSON),
        ),
        404 => problem(
            format!("{path} was not found on this instance (404)"),
            "check the resource name (coupagen scopes --resources) and that the instance has that module",
        ),
        _ => common_problem(purpose, heard).unwrap_or_else(|| {
            problem(
                format!("the call answered {status}: {}", said_errors(body)),
                format!("check --domain ({DOMAIN_FORMS}) and the request"),
            )
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn purpose(answer: Answer) -> Purpose<'static> {
        Purpose {
            expect: Expect {
                status: 200,
                answer,
            },
            grant: Grant::ClientCredentials,
            token_from: TokenFrom::Credentials,
            expects_refresh: false,
            redirect_uri: None,
            domain: "acme.coupahost.com",
            path: "/api/invoices",
            scope: Some("core.invoice.read"),
            requested: "core.invoice.read",
            granted: None,
            padded: None,
            secret_from: "COUPA_CLIENT_SECRET",
            by_id: false,
            writes: false,
        }
    }

    fn heard(status: u16, content_type: &str, body: &str) -> Heard {
        Heard {
            status,
            content_type: content_type.into(),
            retry_after: None,
            location: None,
            body: body.into(),
            buffered: None,
        }
    }

    const JSON: &str = "application/json";
    const XML: &str = "application/xml";

    /// (what, answer expected, heard, cause or found contains)
    #[test]
    fn every_answer_is_judged_by_what_the_request_expects() {
        let token = r#"{"access_token":"abc123","expires_in":86399,"scope":"core.invoice.read"}"#;
        let cases: &[(&str, Answer, Heard, &str)] = &[
            ("a token", Answer::Token, heard(200, JSON, token), "Token"),
            (
                "a token answer without a token",
                Answer::Token,
                heard(200, JSON, "{}"),
                "holds no access_token",
            ),
            (
                "wrong secret",
                Answer::Token,
                heard(401, JSON, r#"{"error":"invalid_client"}"#),
                "did not accept the client credentials",
            ),
            (
                "scope the client lacks",
                Answer::Token,
                heard(400, JSON, r#"{"error":"invalid_scope"}"#),
                "refused the requested scopes",
            ),
            (
                "wrong grant",
                Answer::Token,
                heard(400, JSON, r#"{"error":"unauthorized_client"}"#),
                "may not use the client-credentials grant",
            ),
            (
                "malformed",
                Answer::Token,
                heard(400, JSON, r#"{"error":"invalid_request"}"#),
                "malformed",
            ),
            (
                "token from an HTML host",
                Answer::Token,
                heard(404, "text/html", "<html>"),
                "an HTML page, not Coupa's JSON",
            ),
            (
                "a list",
                Answer::List,
                heard(200, JSON, "[1,2]"),
                "Records(2, [])",
            ),
            (
                "an empty list",
                Answer::List,
                heard(200, JSON, "[]"),
                "Records(0, [])",
            ),
            (
                "an object",
                Answer::Object,
                heard(200, JSON, r#"{"id":1}"#),
                "Object",
            ),
            (
                "a list where a record was due",
                Answer::Object,
                heard(200, JSON, "[]"),
                "not a JSON record",
            ),
            (
                "a record where a list was due",
                Answer::List,
                heard(200, JSON, "{}"),
                "not a JSON list",
            ),
            (
                "XML",
                Answer::List,
                heard(200, XML, "<expense-reports/>"),
                "the answer is XML, not JSON",
            ),
            (
                "HTML",
                Answer::List,
                heard(200, "text/html", "<!DOCTYPE html>"),
                "an HTML page, not JSON",
            ),
            (
                "expired token",
                Answer::List,
                heard(401, JSON, "{}"),
                "rejected the token",
            ),
            (
                "missing scope",
                Answer::List,
                heard(403, JSON, "{}"),
                "lacks the scope core.invoice.read, which /api/invoices needs",
            ),
            (
                "XML empty search",
                Answer::List,
                heard(404, XML, "<errors><error>No results</error></errors>"),
                "404 with an XML error",
            ),
            (
                "unknown resource",
                Answer::List,
                heard(404, JSON, "{}"),
                "/api/invoices was not found",
            ),
            (
                "rate limit",
                Answer::List,
                heard(429, JSON, "{}"),
                "rate limit",
            ),
            (
                "Coupa down",
                Answer::Token,
                heard(503, "text/html", "<html>"),
                "a failure on Coupa's side",
            ),
            (
                "anything else",
                Answer::List,
                heard(418, JSON, "{}"),
                "the call answered 418",
            ),
        ];
        for (what, answer, heard, expected) in cases {
            let said = match diagnose(&purpose(*answer), heard) {
                Ok(found) => format!("{found:?}"),
                Err(p) => p.cause,
            };
            assert!(said.contains(expected), "{what}: {said}");
        }
    }

    #[test]
    fn a_403_with_the_scope_granted_points_at_the_instances_permissions() {
        let granted = ["core.invoice.read".to_string()];
        let p = Purpose {
            granted: Some(&granted),
            ..purpose(Answer::List)
        };
        let e = diagnose(&p, &heard(403, JSON, "{}")).unwrap_err();
        assert!(
            e.cause.contains("though the token holds core.invoice.read"),
            "{}",
            e.cause
        );
        assert!(
            e.fix.contains("https://acme.coupahost.com/oauth2/scopes"),
            "{}",
            e.fix
        );
    }

    // A Secret on standard input and another in the environment: the fix
    // named the variable, which was not read.
    #[test]
    fn invalid_client_names_the_secret_that_was_sent() {
        let body = r#"{"error":"invalid_client"}"#;
        let e = diagnose(&purpose(Answer::Token), &heard(401, JSON, body)).unwrap_err();
        assert!(
            e.fix.contains("COUPA_CLIENT_SECRET (the Secret)"),
            "{}",
            e.fix
        );
        let p = Purpose {
            secret_from: "--client-secret-stdin",
            ..purpose(Answer::Token)
        };
        let e = diagnose(&p, &heard(401, JSON, body)).unwrap_err();
        assert!(
            e.fix.contains("the Secret given on standard input (--client-secret-stdin; COUPA_CLIENT_SECRET was not read)"),
            "{}",
            e.fix
        );
    }

    #[test]
    fn invalid_client_with_a_padded_credential_says_so() {
        let p = Purpose {
            padded: Some("COUPA_CLIENT_SECRET"),
            ..purpose(Answer::Token)
        };
        let e = diagnose(&p, &heard(401, JSON, r#"{"error":"invalid_client"}"#)).unwrap_err();
        assert!(
            e.cause
                .contains("COUPA_CLIENT_SECRET starts or ends with whitespace"),
            "{}",
            e.cause
        );
        assert!(
            e.fix.contains("without the surrounding whitespace"),
            "{}",
            e.fix
        );
    }

    #[test]
    fn a_redirect_says_where_it_pointed() {
        for answer in [Answer::List, Answer::Token] {
            let h = Heard {
                location: Some("https://elsewhere.example/login".into()),
                ..heard(302, "text/html", "")
            };
            let e = diagnose(&purpose(answer), &h).unwrap_err();
            assert!(
                e.cause
                    .contains("302, a redirect to https://elsewhere.example/login"),
                "{}",
                e.cause
            );
        }
        let e = diagnose(&purpose(Answer::List), &heard(418, JSON, "teapot")).unwrap_err();
        assert!(e.cause.contains("418: teapot"), "{}", e.cause);
    }

    #[test]
    fn a_token_answer_out_of_bounds_says_so() {
        let cases = [
            (
                r#"{"access_token":"abc","expires_in":1e400}"#,
                "is not a number verify can read",
            ),
            (
                r#"{"access_token":"abc","expires_in":"soon"}"#,
                r#"is "soon", not a whole number"#,
            ),
            (
                r#"{"access_token":"abc","expires_in":-1}"#,
                "is -1, not a whole number",
            ),
        ];
        for (body, said) in cases {
            let e = diagnose(&purpose(Answer::Token), &heard(200, JSON, body)).unwrap_err();
            assert!(e.cause.contains(said), "{body}: {}", e.cause);
        }
        let big = format!(r#"{{"access_token":"{}"}}"#, "t".repeat(1 << 20));
        let e = diagnose(&purpose(Answer::Token), &heard(200, JSON, &big)).unwrap_err();
        assert!(
            e.cause.contains("is 1024 KiB, over the 16 KiB"),
            "{}",
            e.cause
        );
    }

    #[test]
    fn the_rate_limit_says_when_to_retry() {
        let h = Heard {
            retry_after: Some(Duration::from_secs(7)),
            ..heard(429, JSON, "{}")
        };
        let e = diagnose(&purpose(Answer::List), &h).unwrap_err();
        assert!(e.fix.contains("retry after 7 s"), "{}", e.fix);
    }

    #[test]
    fn a_token_answer_reports_its_lifetime_and_scopes() {
        let body = r#"{"access_token":"abc","expires_in":10,"scope":"a b"}"#;
        assert_eq!(
            diagnose(&purpose(Answer::Token), &heard(200, JSON, body)),
            Ok(Found::Token {
                token: "abc".into(),
                expires_in: Some(10),
                scopes_granted: Some(vec!["a".into(), "b".into()]),
                refresh_token: None,
            })
        );
    }

    #[test]
    fn invalid_grant_says_which_grant_failed() {
        let body = r#"{"error":"invalid_grant"}"#;
        let refresh = Purpose {
            token_from: TokenFrom::RefreshToken,
            ..purpose(Answer::Token)
        };
        let e = diagnose(&refresh, &heard(400, JSON, body)).unwrap_err();
        assert!(
            e.cause.contains("refresh tokens last 90 days"),
            "{}",
            e.cause
        );
        let code = Purpose {
            token_from: TokenFrom::Code,
            redirect_uri: Some("https://x.example/cb"),
            ..purpose(Answer::Token)
        };
        let e = diagnose(&code, &heard(400, JSON, body)).unwrap_err();
        assert!(e.cause.contains("a code works once"), "{}", e.cause);
        assert!(e.fix.contains("https://x.example/cb"), "{}", e.fix);
    }

    #[test]
    fn a_consent_token_without_a_refresh_token_fails_when_one_was_asked_for() {
        let body = r#"{"access_token":"abc","expires_in":10}"#;
        let asked = Purpose {
            token_from: TokenFrom::Code,
            expects_refresh: true,
            ..purpose(Answer::Token)
        };
        let e = diagnose(&asked, &heard(200, JSON, body)).unwrap_err();
        assert!(e.fix.contains("offline_access"), "{}", e.fix);
        let with = r#"{"access_token":"abc","refresh_token":"r"}"#;
        assert!(matches!(
            diagnose(&asked, &heard(200, JSON, with)),
            Ok(Found::Token {
                refresh_token: Some(_),
                ..
            })
        ));
    }
}
