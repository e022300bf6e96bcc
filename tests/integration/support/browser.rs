//! The test as the person's browser: opens an authorization URL on the
//! loopback Coupa, logs in, clicks Allow or Deny, and reports where Coupa
//! sent it (the redirect's `Location`), without following it.

use super::coupa::Coupa;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    Deny,
}

/// A client that trusts the stand-in's CA and follows no redirect.
fn agent(coupa: &Coupa) -> ureq::Agent {
    use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};
    let pem = std::fs::read(&coupa.ca_file).unwrap();
    let roots: Vec<Certificate<'static>> = ureq::tls::parse_pem(&pem)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .collect();
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .tls_config(
            TlsConfig::builder()
                .root_certs(RootCerts::new_with_certs(&roots))
                .build(),
        )
        .build()
        .into()
}

/// Consents at `url` as `login`: the address Coupa redirects to, or the
/// page it showed instead (an error page never redirects).
pub fn consent(
    coupa: &Coupa,
    url: &str,
    login: &str,
    decision: Decision,
) -> Result<String, String> {
    let agent = agent(coupa);
    let mut page = agent.get(url).call().map_err(|e| e.to_string())?;
    // Coupa may send the browser straight back, with an error.
    if let Some(location) = page.headers().get("location").and_then(|l| l.to_str().ok()) {
        return Ok(location.to_string());
    }
    let body = page.body_mut().read_to_string().unwrap_or_default();
    let marker = "name=\"request_id\" value=\"";
    let Some(start) = body.find(marker).map(|i| i + marker.len()) else {
        return Err(format!("HTTP {}: {body}", page.status()));
    };
    let id = &body[start..start + body[start..].find('"').unwrap()];
    let decided = match decision {
        Decision::Allow => "allow",
        Decision::Deny => "deny",
    };
    let resp = agent
        .post(format!("{}/oauth2/authorizations", coupa.base()))
        .send_form([("request_id", id), ("login", login), ("decision", decided)])
        .map_err(|e| e.to_string())?;
    resp.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(String::from)
        .ok_or_else(|| format!("no redirect: HTTP {}", resp.status()))
}

/// The code Coupa's redirect carries after alice allows the default consent
/// client (approvals, offline access, the default redirect URI) at `state`.
pub fn allowed_code(coupa: &Coupa, state: &str) -> String {
    let url = format!(
        "{}/oauth2/authorizations/new?client_id={}&response_type=code&scope=core.approval.read%20offline_access&redirect_uri={}&state={state}",
        coupa.base(),
        coupa.behaviour().client_id,
        super::coupa::CALLBACK
    );
    let location = consent(coupa, &url, "alice", Decision::Allow).unwrap();
    location
        .split("code=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .expect("a code in the redirect")
        .to_string()
}

/// The browser arriving at `location` (a loopback redirect URI).
pub fn arrive(location: &str) -> Result<String, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into();
    let mut resp = agent.get(location).call().map_err(|e| e.to_string())?;
    Ok(resp.body_mut().read_to_string().unwrap_or_default())
}

/// A client-credentials token from the stand-in, as a person gets one with
/// Postman's "Get New Access Token" before running an imported collection.
pub fn token(coupa: &Coupa, scope: &str) -> String {
    let b = coupa.behaviour();
    let mut resp = agent(coupa)
        .post(format!("{}/oauth2/token", coupa.base()))
        .send_form([
            ("grant_type", "client_credentials"),
            ("client_id", b.client_id.as_str()),
            ("client_secret", b.client_secret.as_str()),
            ("scope", scope),
        ])
        .expect("the token request");
    let body: serde_json::Value =
        serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
    body["access_token"].as_str().expect("a token").to_string()
}

/// A consent token's refresh token: the code exchanged as a client would.
pub fn refresh_token(coupa: &Coupa, code: &str, redirect_uri: &str) -> String {
    let b = coupa.behaviour();
    let mut resp = agent(coupa)
        .post(format!("{}/oauth2/token", coupa.base()))
        .send_form([
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("client_id", b.client_id.as_str()),
            ("client_secret", b.client_secret.as_str()),
        ])
        .expect("the code exchange");
    let body: serde_json::Value =
        serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
    body["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_string()
}
