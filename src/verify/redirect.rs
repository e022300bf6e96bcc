//! The address a browser landed on after the consent page, judged: the
//! authorization code, or why there is none. Pure, so each case has a table
//! test; `consent.rs` catches the address.

use super::problem;
use super::report::Problem;
use crate::coupa::{authorize as key, CLIENT_SETUP as SETUP};

/// The address a browser landed on after the consent page (or just the code
/// pasted), judged: the code, or why there is none.
pub fn redirect(
    landed: &str,
    state: &str,
    redirect_uri: &str,
    domain: &str,
) -> Result<String, Problem> {
    // Pasted as a shell or a chat quotes it: quotes and angle brackets are
    // stripped as spaces are.
    let landed = landed
        .trim()
        .trim_matches(|c| matches!(c, '"' | '\'' | '<' | '>' | '`'))
        .trim();
    let register = format!("add {redirect_uri} to the client's Redirect URIs in {SETUP}");
    if landed.is_empty() {
        return Err(problem(
            "no redirect came back from the consent page",
            format!("consent again and give the address the browser landed on; if Coupa showed an error page instead of asking, it does not know the redirect URI: {register}"),
        ));
    }
    let Some((before, query)) = landed.split_once('?') else {
        // Just the code: nothing to check it against.
        return Ok(landed.to_string());
    };
    let pairs: Vec<(String, String)> = query
        .split('#')
        .next()
        .unwrap_or_default()
        .split('&')
        .filter_map(|p| p.split_once('=').or(Some((p, ""))))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect();
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    // An error redirect answers this run only with its state, as a code does.
    let foreign = get(key::STATE) != Some(state);
    let foreign_state = || {
        problem(
            "the redirect's state is not this run's: it answers another authorization request (an old tab, or a link someone sent)",
            "consent again from the address verify prints, and give the address that one lands on",
        )
    };
    if let Some(error) = get(key::ERROR) {
        if foreign {
            return Err(foreign_state());
        }
        let said = match get(key::ERROR_DESCRIPTION) {
            Some(d) => format!("{error}: {d}"),
            None => error.to_string(),
        };
        return Err(match error {
            "access_denied" => problem(
                format!("consent was denied ({said}): the person clicked Deny in Coupa"),
                "run verify again and click Allow",
            ),
            "invalid_scope" => problem(
                format!("Coupa refused the requested scopes ({said})"),
                format!("in {SETUP}, give the client every scope the kit asks for, or ask only for the ones it has with --scope"),
            ),
            "unauthorized_client" | "unsupported_response_type" => problem(
                format!("the client may not use the authorization-code grant ({said})"),
                format!("in {SETUP}, create the client with grant type Authorization Code"),
            ),
            _ => problem(format!("the consent page answered {said}"), format!("check the client in {SETUP}")),
        });
    }
    let Some(code) = get(key::CODE).filter(|c| !c.is_empty()) else {
        let on_coupa = before.contains(&format!("://{domain}"));
        return Err(match on_coupa {
            true => problem(
                "the address is Coupa's own page, not the redirect: Coupa did not send the browser on, which it does when the client does not list the redirect URI",
                register,
            ),
            false => problem(
                "the address holds no code",
                "give the address Coupa sent the browser to after Allow (it holds code=...)",
            ),
        });
    };
    if foreign {
        return Err(foreign_state());
    }
    Ok(code.to_string())
}

/// The decoded value of `name` in `target`'s query, when it has one.
pub fn query_value(target: &str, name: &str) -> Option<String> {
    let (_, query) = target.split_once('?')?;
    query
        .split('#')
        .next()?
        .split('&')
        .map(|p| p.split_once('=').unwrap_or((p, "")))
        .find(|(k, _)| decode(k) == name)
        .map(|(_, v)| decode(v))
}

/// Percent-decodes a query's key or value (`+` is a space).
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (what, the address given, the code or what the cause says)
    #[test]
    fn every_redirect_is_read_for_its_code_or_its_problem() {
        let cb = "https://acme.moveworks.com/auth/oauthCallback";
        let cases: &[(&str, String, Result<&str, &str>)] = &[
            ("a code", format!("{cb}?code=c%2B1&state=S"), Ok("c+1")),
            ("just the code", "c-2 ".into(), Ok("c-2")),
            (
                "in quotes",
                format!(" \"{cb}?code=c3&state=S\"\n"),
                Ok("c3"),
            ),
            (
                "in single quotes",
                format!("'{cb}?code=c4&state=S'"),
                Ok("c4"),
            ),
            (
                "in angle brackets",
                format!("<{cb}?code=c5&state=S>"),
                Ok("c5"),
            ),
            (
                "Deny",
                format!("{cb}?error=access_denied&state=S"),
                Err("consent was denied"),
            ),
            (
                "a Deny with another state",
                format!("{cb}?error=access_denied&state=T"),
                Err("state is not this run's"),
            ),
            (
                "a Deny with no state",
                format!("{cb}?error=access_denied"),
                Err("state is not this run's"),
            ),
            (
                "scopes",
                format!("{cb}?error=invalid_scope&state=S"),
                Err("refused the requested scopes"),
            ),
            (
                "another state",
                format!("{cb}?code=c&state=T"),
                Err("state is not this run's"),
            ),
            (
                "no state",
                format!("{cb}?code=c"),
                Err("state is not this run's"),
            ),
            (
                "Coupa's own page",
                "https://acme.coupahost.com/oauth2/authorizations/new?client_id=x".into(),
                Err("Coupa did not send the browser on"),
            ),
            ("no code", format!("{cb}?state=S"), Err("holds no code")),
            ("nothing", String::new(), Err("no redirect came back")),
        ];
        for (what, landed, expected) in cases {
            let got = redirect(landed, "S", cb, "acme.coupahost.com");
            match (got, expected) {
                (Ok(code), Ok(want)) => assert_eq!(code, *want, "{what}"),
                (Err(p), Err(want)) => assert!(p.cause.contains(want), "{what}: {}", p.cause),
                (got, _) => panic!("{what}: {got:?}"),
            }
        }
    }
}
