//! The validated values: each parses raw text into a type that cannot hold a
//! bad one, or says what is wrong and what would be right.

use serde::Serialize;

use crate::catalog;
use crate::error::{Error, Origin};

/// The Coupa instance host, `host` or `host:port`, lower-cased, no scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Domain(String);

/// One OAuth scope token, e.g. `core.expense.read`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Scope(
    // The scope policy (scopes.rs) makes scopes of the catalog's, known good.
    pub(super) String,
);

/// A Postman variable name chosen by the user for a credential placeholder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct VarName(String);

/// The Agent Studio connection name: free text, one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ConnectorName(String);

/// A redirect URI registered on the Coupa client: https, or http on a
/// loopback host; no fragment, no comma (Coupa's field is a comma-separated
/// list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RedirectUri(String);

/// The host suffixes of Coupa's instances, customer first.
const COUPA_HOSTS: &[&str] = &[".coupahost.com", ".coupacloud.com"];
const MAX_HOST_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;
const MAX_VAR_LEN: usize = 64;
const MAX_CONNECTOR_NAME_LEN: usize = 200;

impl Domain {
    pub fn parse(raw: &str) -> Result<Self, Error> {
        Domain::parse_as(raw, "domain")
    }

    /// A host given as the option `key` (`domain`, or an instance's in
    /// `instances`), so that an error names that option.
    pub fn parse_as(raw: &str, key: &'static str) -> Result<Self, Error> {
        // A pasted value often brings a space or a newline along.
        let raw = raw.trim();
        let err = |why: String| Error::bad(Origin::Option(key), raw, why);
        if raw.is_empty() {
            return Err(Error::input(
                Origin::Option(key),
                "is empty; give the instance host, e.g. 'acme.coupahost.com'",
            ));
        }
        if raw.chars().any(char::is_whitespace) {
            // `acme coupahost.com`: a space where a dot belongs.
            let dotted = raw
                .split(|c: char| c.is_whitespace() || c == '.')
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(".");
            return Err(err(format!("a domain has no spaces; use '{dotted}'")));
        }
        let lower = raw.to_ascii_lowercase();
        let rest = match lower.split_once("://") {
            Some((scheme, rest)) if scheme == crate::coupa::SCHEME => rest,
            Some((scheme, rest)) => {
                return Err(err(format!(
                    "Coupa is served over HTTPS only, and the scheme is implied; drop '{scheme}://' and use '{}'",
                    host_part(rest)
                )))
            }
            None => lower.as_str(),
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if let Some(i) = rest.find(['/', '?', '#']) {
            let what = match rest.as_bytes()[i] {
                b'/' => "path",
                b'?' => "query",
                _ => "fragment",
            };
            return Err(err(format!(
                "a domain has no {what}; use '{}'",
                host_part(rest)
            )));
        }
        if let Some((_, host)) = rest.rsplit_once('@') {
            return Err(err(format!(
                "a domain has no user name or password (credentials go in the environment); use '{host}'"
            )));
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        };
        if let Some(port) = port {
            if !matches!(port.parse::<u16>(), Ok(p) if p > 0) || port.starts_with('0') {
                return Err(err(format!(
                    "'{port}' is not a port (1 to 65535); use 'host' or 'host:port'"
                )));
            }
        }
        if host.is_empty() {
            return Err(err(
                "the host name is missing; use e.g. 'acme.coupahost.com'".into(),
            ));
        }
        if host.len() > MAX_HOST_LEN {
            return Err(err(format!(
                "a host name has at most {MAX_HOST_LEN} characters"
            )));
        }
        for label in host.split('.') {
            if label.is_empty() {
                return Err(err(
                    "a host name has no empty parts (no leading, trailing or doubled '.'); use e.g. 'acme.coupahost.com'".into(),
                ));
            }
            if label.len() > MAX_LABEL_LEN {
                return Err(err(format!(
                    "'{label}' is longer than the {MAX_LABEL_LEN} characters a host name part can hold"
                )));
            }
            if let Some(c) = label
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
            {
                return Err(err(format!(
                    "a host name holds only letters, digits, '-' and '.', not {c:?}"
                )));
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(err(format!(
                    "a host name part cannot start or end with '-' ('{label}')"
                )));
            }
        }
        // HTTPS's own port is implied.
        Ok(Domain(match port {
            Some("443") => host.to_string(),
            _ => rest.to_string(),
        }))
    }

    /// A word when the host is not of a form Coupa uses; it may still be
    /// right (a vanity or private host), so it does not stop anything.
    pub fn warning(&self) -> Option<String> {
        let host = self.0.rsplit_once(':').map_or(self.0.as_str(), |(h, _)| h);
        let loopback = host == "localhost"
            || host.ends_with(".localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        let coupa = COUPA_HOSTS.iter().any(|suffix| host.ends_with(suffix));
        if coupa || loopback {
            return None;
        }
        let hint = match host.split_once('.') {
            None => format!(" (did you mean {host}{}?)", COUPA_HOSTS[0]),
            Some((org, rest)) => COUPA_HOSTS
                .iter()
                .find(|s| catalog::closest(rest, [&s[1..]].into_iter(), 2).is_some())
                .map(|s| format!(" (did you mean {org}{s}?)"))
                .unwrap_or_default(),
        };
        Some(format!(
            "'{}' is not of a form Coupa uses{hint}; {}. Going on, in case it is a vanity or private host.",
            self.0,
            crate::coupa::DOMAIN_FORMS
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The part of `s` before any path, query or fragment: the suggestion we offer.
fn host_part(s: &str) -> &str {
    s.split(['/', '?', '#']).next().unwrap_or(s)
}

impl Scope {
    pub fn parse(raw: &str) -> Result<Self, Error> {
        if raw.is_empty() {
            return Err(Error::input(
                Origin::Option("scopes"),
                "is empty; give a scope such as 'core.expense.read'",
            ));
        }
        if let Some(c) = raw
            .chars()
            .find(|c| !c.is_ascii_graphic() || matches!(c, '"' | '\\' | '{' | '}' | ','))
        {
            return Err(Error::bad(
                Origin::Option("scopes"),
                raw,
                format!(
                    "a scope is printable ASCII without quotes, backslashes or braces, not {c:?}; e.g. 'core.expense.read'"
                ),
            ));
        }
        Ok(Scope(raw.to_string()))
    }

    /// Splits each value on spaces and commas: `--scope 'a b,c'` is three scopes.
    pub fn parse_list<S: AsRef<str>>(values: &[S]) -> Result<Vec<Self>, Error> {
        let mut out: Vec<Scope> = Vec::new();
        for value in values {
            let value = value.as_ref();
            let mut any = false;
            for word in value.split([' ', ',']).filter(|w| !w.is_empty()) {
                any = true;
                let scope = Scope::parse(word)?;
                if !out.contains(&scope) {
                    out.push(scope);
                }
            }
            if !any {
                return Err(Error::input(
                    Origin::Option("scopes"),
                    format!("'{value}' names no scope; give e.g. 'core.expense.read'"),
                ));
            }
        }
        Ok(out)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl VarName {
    pub fn parse(input: &'static str, raw: &str) -> Result<Self, Error> {
        if raw.is_empty() || raw.len() > MAX_VAR_LEN {
            return Err(Error::bad(
                Origin::Option(input),
                raw,
                format!("a placeholder name has 1 to {MAX_VAR_LEN} characters"),
            ));
        }
        if let Some(c) = raw
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        {
            return Err(Error::bad(
                Origin::Option(input),
                raw,
                format!(
                    "a placeholder name holds only letters, digits, '_', '-' and '.', not {c:?}"
                ),
            ));
        }
        Ok(VarName(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl ConnectorName {
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let err = |why: &str| Error::bad(Origin::Option("connector_name"), raw, why);
        if raw.trim().is_empty() {
            return Err(Error::input(
                Origin::Option("connector_name"),
                "is empty; give a name such as 'Coupa Connector'",
            ));
        }
        if raw.chars().any(char::is_control) {
            return Err(err(
                "a connection name is one line, with no control characters",
            ));
        }
        if raw.trim() != raw {
            return Err(err("a connection name has no leading or trailing spaces"));
        }
        if raw.chars().count() > MAX_CONNECTOR_NAME_LEN {
            return Err(err("a connection name has at most 200 characters"));
        }
        Ok(ConnectorName(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl RedirectUri {
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let raw = raw.trim();
        let err = |why: &str| Error::bad(Origin::Option("redirect_uris"), raw, why);
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err("a redirect URI has no spaces"));
        }
        if raw.contains(',') {
            return Err(err("Coupa's Redirect URIs field is a comma-separated list, so one URI cannot hold a comma; give each URI with its own --redirect-uri"));
        }
        if raw.contains('#') {
            return Err(err(
                "a redirect URI has no fragment (RFC 6749 3.1.2); drop the '#' and what follows",
            ));
        }
        let Some((scheme, rest)) = raw.split_once("://") else {
            return Err(err(
                "give the whole URL, e.g. https://acme.moveworks.com/auth/oauthCallback",
            ));
        };
        let authority = rest.split(['/', '?']).next().unwrap_or_default();
        let host = host_of(authority);
        if host.is_empty() || authority.contains('@') {
            return Err(err("the URL needs a host (and no user name or password)"));
        }
        match scheme.to_ascii_lowercase().as_str() {
            "https" => {}
            "http" if is_loopback(host) => {}
            "http" => return Err(err("Coupa sends the code to this address: use https (http only for a loopback address, 127.0.0.1 or localhost)")),
            _ => return Err(err("a redirect URI is an https URL (or http on 127.0.0.1 or localhost)")),
        }
        Ok(RedirectUri(raw.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Where to listen for the redirect, when it comes back to this machine
    /// over http: the address (`127.0.0.1:8400`) and the path.
    pub fn loopback(&self) -> Option<(String, String)> {
        let rest = self.0.strip_prefix("http://")?;
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let host = host_of(authority);
        let port = authority
            .rsplit_once(':')
            .and_then(|(_, p)| p.parse::<u16>().ok())
            .unwrap_or(80);
        let ip = match host {
            "localhost" => "127.0.0.1",
            "[::1]" => "[::1]",
            other => other,
        };
        let path = path.split('?').next().unwrap_or("/");
        Some((
            format!("{ip}:{port}"),
            if path.is_empty() {
                "/".into()
            } else {
                path.into()
            },
        ))
    }
}

/// The host of `host[:port]`, IPv6 brackets kept.
fn host_of(authority: &str) -> &str {
    match authority.strip_prefix('[') {
        Some(v6) => v6.find(']').map_or(authority, |i| &authority[..i + 2]),
        None => authority.split(':').next().unwrap_or_default(),
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host == "[::1]"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}
