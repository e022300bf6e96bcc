//! Validated input: the types that cannot hold a bad value, and `Spec`, the
//! whole validated request. Raw input and `--config` live in `input.rs`.
//!
//! Everything downstream (kit, render, verify) trusts these types; validation
//! happens here and nowhere else.

use serde::Serialize;

use crate::catalog::{self, Resource};
use crate::coupa::MAX_LIMIT;
// Coupa's own vocabulary, re-exported where the validated input names them.
pub use crate::coupa::{Grant, ReturnObject};
use crate::error::{Error, Origin};

/// The Coupa instance host, `host` or `host:port`, lower-cased, no scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Domain(String);

/// One OAuth scope token, e.g. `core.expense.read`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Scope(String);

/// A Postman variable name chosen by the user for a credential placeholder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct VarName(String);

/// The Agent Studio connection name: free text, one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ConnectorName(String);

/// One `attribute[operator]=value` filter, kept decoded; the URL encoding is
/// the kit's job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Filter {
    /// Only this resource's requests take it (`invoices:status=paid`);
    /// otherwise every resource's.
    pub resource: Option<String>,
    pub key: String,
    pub value: String,
}

/// Operator names other APIs use, and what Coupa calls them (`=` is equality).
const NOT_OPERATORS: &[(&[&str], &str)] = &[
    (&["eq", "equals", "equal", "is"], "="),
    (
        &["ne", "neq", "not", "not_equal", "not_equals", "notequal"],
        "not_eq",
    ),
    (&["ge", "gte", "min", "greater_or_equal"], "gt_or_eq"),
    (&["le", "lte", "max", "less_or_equal"], "lt_or_eq"),
    (&["greater_than", "after"], "gt"),
    (&["less_than", "before"], "lt"),
    (&["like", "contain", "includes", "has", "match"], "contains"),
    (
        &["startswith", "start_with", "begins_with", "prefix"],
        "starts_with",
    ),
    (&["endswith", "end_with", "suffix"], "ends_with"),
    (&["null", "is_null", "empty", "missing"], "blank"),
];

/// Query options applied to every API request of the kit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Query {
    pub limit: u8,
    pub offset: Option<u32>,
    pub filters: Vec<Filter>,
    pub fields: Option<String>,
    pub return_object: Option<ReturnObject>,
}

/// A redirect URI registered on the Coupa client: https, or http on a
/// loopback host; no fragment, no comma (Coupa's field is a comma-separated
/// list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct RedirectUri(String);

/// What the authorization-code grant adds to a kit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consent {
    /// Never empty; the first is the one the authorization request sends.
    pub redirect_uris: Vec<RedirectUri>,
    /// The client was created with Coupa's PKCE option (RFC 7636, S256):
    /// it has no secret and proves itself with a code verifier.
    pub pkce: bool,
    /// `offline_access` is among the scopes, so Coupa issues a refresh token.
    pub offline_access: bool,
}

impl Consent {
    /// The redirect URI the authorization request and the code exchange send.
    pub fn redirect_uri(&self) -> &RedirectUri {
        &self.redirect_uris[0]
    }
}

/// The validated input of every generator and of `verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub grant: Grant,
    /// The authorization-code grant's settings: `Some` exactly when that is
    /// the grant.
    pub consent: Option<Consent>,
    pub domain: Domain,
    pub scopes: Vec<Scope>,
    pub resources: Vec<&'static Resource>,
    /// The use cases, validated, in the order given.
    pub use_cases: Vec<crate::usecase::UseCase>,
    pub query: Query,
    pub client_id_var: VarName,
    pub client_secret_var: VarName,
    pub connector_name: ConnectorName,
}

pub const DEFAULT_RESOURCE: &str = "expense_reports";
pub const DEFAULT_CONNECTOR_NAME: &str = "Coupa Connector";
/// Moveworks' name for the user-consent connector, and the resource its
/// guide tests it with (only the consenting person's approvals).
pub const DEFAULT_CONSENT_CONNECTOR_NAME: &str = "Coupa Consent Auth Connector";
pub const DEFAULT_CONSENT_RESOURCE: &str = "approvals";
/// Coupa's filter operators (`attribute[operator]=value`).
pub const OPERATORS: &[&str] = &[
    "contains",
    "starts_with",
    "ends_with",
    "gt",
    "lt",
    "gt_or_eq",
    "lt_or_eq",
    "not_eq",
    "in",
    "not_in",
    "blank",
];

/// The host suffixes of Coupa's instances, customer first.
const COUPA_HOSTS: &[&str] = &[".coupahost.com", ".coupacloud.com"];
const MAX_HOST_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;
const MAX_VAR_LEN: usize = 64;
const MAX_CONNECTOR_NAME_LEN: usize = 200;

impl Domain {
    pub fn parse(raw: &str) -> Result<Self, Error> {
        // A pasted value often brings a space or a newline along.
        let raw = raw.trim();
        let err = |why: String| Error::bad(Origin::Option("domain"), raw, why);
        if raw.is_empty() {
            return Err(Error::input(
                Origin::Option("domain"),
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
            "--domain '{}' is not of a form Coupa uses{hint}; {}. Going on, in case it is a vanity or private host.",
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

impl Filter {
    /// `attribute[operator]=value`, `attribute=value`, or through an
    /// association, `supplier[name][contains]=value`.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        const FORM: &str =
            "use 'attribute=value' or 'attribute[operator]=value', e.g. 'status=approved' or 'updated_at[gt]=2024-01-01T00:00:00Z'";
        let err =
            |why: String| Error::bad(Origin::Option("filters"), raw, format!("{why}; {FORM}"));
        let Some((key, value)) = raw.split_once('=') else {
            return Err(err("no '='".into()));
        };
        // `invoices:status=paid`: for one resource's requests only.
        let (resource, key) = match key.split_once(':') {
            Some((resource, key)) => (Some(resource.trim_start_matches("/api/").to_string()), key),
            None => (None, key),
        };
        if let Some(r) = &resource {
            let name_char = |c: char| c.is_ascii_alphanumeric() || "_-/".contains(c);
            if r.is_empty() || !r.chars().all(name_char) {
                return Err(err(format!(
                    "'{r}' before ':' is not a resource name (letters, digits, '_', '-', '/'), as in 'invoices:status=paid'"
                )));
            }
        }
        if value.is_empty() {
            return Err(err("the value is empty".into()));
        }
        if let Some(rest) = value.strip_prefix('=') {
            return Err(err(format!(
                "one '=' too many: equality is a single '=', as in '{key}={rest}'"
            )));
        }
        if value.chars().any(char::is_control) {
            return Err(err("the value has a control character".into()));
        }
        let (name, mut brackets) = match key.split_once('[') {
            Some((name, rest)) => (name, Some(rest)),
            None => (key, None),
        };
        let ident = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if !ident(name) {
            return Err(err(format!(
                "'{name}' is not an attribute name (letters, digits, '_', '-')"
            )));
        }
        // The kit writes these from options of the same name.
        if let Some(reserved) = crate::coupa::query::ALL.iter().find(|k| **k == key) {
            let flag = crate::input::flag_of(reserved);
            return Err(Error::bad(
                Origin::Option("filters"),
                raw,
                format!("'{key}' is not a filter: the kit sets it from {flag}; use {flag}"),
            ));
        }
        let mut segments = Vec::new();
        while let Some(rest) = brackets {
            let Some((segment, after)) = rest.split_once(']') else {
                return Err(err("a '[' is not closed".into()));
            };
            if !ident(segment) {
                return Err(err(format!(
                    "'[{segment}]' is not an attribute or operator"
                )));
            }
            segments.push(segment);
            brackets = match after {
                "" => None,
                a => match a.strip_prefix('[') {
                    Some(r) => Some(r),
                    None => return Err(err(format!("unexpected '{a}' after ']'"))),
                },
            };
        }
        // The last bracket is an operator or an association's attribute
        // (`supplier[name]=x`); a near miss of an operator is almost surely a typo.
        if let Some(last) = segments.last() {
            let lower = last.to_ascii_lowercase();
            if let Some((_, coupa)) = NOT_OPERATORS
                .iter()
                .find(|(names, _)| names.contains(&lower.as_str()))
            {
                let attribute = &key[..key.len() - last.len() - 2];
                return Err(err(match *coupa {
                    "=" => format!("'{last}' is not a Coupa operator: equality is a plain '=', as in '{attribute}={value}'"),
                    op => format!("'{last}' is not a Coupa operator: Coupa calls it '{op}', as in '{attribute}[{op}]={value}'"),
                }));
            }
            if !OPERATORS.contains(last) && last.len() >= 3 {
                if let Some(near) = catalog::closest(last, OPERATORS.iter().copied(), 1) {
                    return Err(err(format!(
                        "'{last}' is not a Coupa operator (did you mean '{near}'?); operators: {}",
                        OPERATORS.join(", ")
                    )));
                }
            }
        }
        Ok(Filter {
            resource,
            key: key.to_string(),
            value: value.to_string(),
        })
    }
}

/// `--fields` must be a JSON list of names and `{"association": [...]}` objects;
/// kept compact so the URL stays short.
pub fn parse_fields(raw: &str) -> Result<String, Error> {
    const FORM: &str = r#"e.g. '["id","status",{"expense_lines":["id"]}]'"#;
    let value: serde_json::Value = serde_json::from_str(raw).map_err(|e| {
        Error::bad(
            Origin::Option("fields"),
            raw,
            format!("not JSON ({e}); {FORM}"),
        )
    })?;
    fn valid(list: &serde_json::Value) -> bool {
        match list {
            serde_json::Value::Array(items) => items.iter().all(|item| match item {
                serde_json::Value::String(s) => !s.is_empty(),
                serde_json::Value::Object(map) => !map.is_empty() && map.values().all(valid),
                _ => false,
            }),
            _ => false,
        }
    }
    if !valid(&value) {
        return Err(Error::bad(
            Origin::Option("fields"),
            raw,
            format!("a JSON list of field names and {{\"association\": [...]}} objects; {FORM}"),
        ));
    }
    Ok(value.to_string())
}

pub fn parse_limit(limit: u64) -> Result<u8, Error> {
    match u8::try_from(limit) {
        Ok(l) if (1..=MAX_LIMIT).contains(&l) => Ok(l),
        _ => Err(Error::bad(
            Origin::Option("limit"),
            &limit.to_string(),
            format!("Coupa returns 1 to {MAX_LIMIT} records a page; use a number in that range"),
        )),
    }
}

/// Resources by name, comma-separated lists allowed, duplicates dropped.
/// Resources by name, comma-separated lists allowed (a trailing comma too),
/// duplicates dropped. The path as the setup guide shows it,
/// `/api/expense_reports`, names the resource too.
pub fn parse_resources<S: AsRef<str>>(values: &[S]) -> Result<Vec<&'static Resource>, Error> {
    let mut out: Vec<&'static Resource> = Vec::new();
    for value in values {
        let names: Vec<&str> = value
            .as_ref()
            .split(',')
            .map(|n| n.trim().trim_start_matches("/api/").trim_matches('/'))
            .filter(|n| !n.is_empty())
            .collect();
        if names.is_empty() {
            return Err(Error::bad(
                Origin::Option("resources"),
                value.as_ref(),
                "names no resource; give e.g. 'expense_reports' (`coupagen scopes --resources` lists them)",
            ));
        }
        for name in names {
            let resource = catalog::resource(name).ok_or_else(|| {
                Error::bad(
                    Origin::Option("resources"),
                    name,
                    format!(
                        "not a Coupa API resource{}; `coupagen scopes --resources` lists them",
                        resource_hint(name)
                    ),
                )
            })?;
            if !out.contains(&resource) {
                out.push(resource);
            }
        }
    }
    Ok(out)
}

/// The resources a mistaken name probably meant: a near spelling, else those
/// of an area by that name (`expenses`), else those containing its stem.
fn resource_hint(name: &str) -> String {
    let all = catalog::resources();
    if let Some(near) = catalog::closest(name, all.iter().map(|r| r.name), 3) {
        return format!(" (did you mean '{near}'?)");
    }
    let lower = name.to_ascii_lowercase();
    let stem = lower.trim_end_matches('s');
    let mut matches: Vec<&str> = all
        .iter()
        .filter(|r| r.area.eq_ignore_ascii_case(&lower))
        .map(|r| r.name)
        .collect();
    if matches.is_empty() && stem.len() >= 3 {
        matches = all
            .iter()
            .filter(|r| r.name.contains(stem))
            .map(|r| r.name)
            .collect();
    }
    match matches.len() {
        0 => String::new(),
        n => format!(
            " (perhaps {}{})",
            matches
                .iter()
                .take(12)
                .map(|m| format!("'{m}'"))
                .collect::<Vec<_>>()
                .join(", "),
            if n > 12 {
                format!(" or {} more", n - 12)
            } else {
                String::new()
            }
        ),
    }
}

/// Without `--scope`: the resources' read scopes, sorted. With it: the given
/// scopes, which must be known (unless allowed) and cover every resource.
pub fn settle_scopes(
    given: Vec<Scope>,
    resources: &[&'static Resource],
    resources_given: bool,
    allow_unknown: bool,
) -> Result<Vec<Scope>, Error> {
    if given.is_empty() {
        let mut scopes: Vec<Scope> = resources
            .iter()
            .map(|r| Scope(r.read_scope.to_string()))
            .collect();
        scopes.sort();
        scopes.dedup();
        return Ok(scopes);
    }
    if !allow_unknown {
        for scope in &given {
            if catalog::scope(scope.as_str()).is_none() {
                let near =
                    catalog::closest(scope.as_str(), catalog::scopes().iter().map(|s| s.name), 3);
                return Err(Error::bad(
                    Origin::Option("scopes"),
                    scope.as_str(),
                    format!(
                        "not a known Coupa scope{}; `coupagen scopes` lists them, and --allow-unknown-scopes accepts your instance's own",
                        near.map(|n| format!(" (did you mean {n}?)")).unwrap_or_default()
                    ),
                ));
            }
        }
    }
    for resource in resources {
        if !given.iter().any(|s| s.as_str() == resource.read_scope) && !resources_given {
            // The person named scopes but no resource: the default is the surprise.
            let granted: Vec<&str> = catalog::resources()
                .iter()
                .filter(|r| given.iter().any(|s| s.as_str() == r.read_scope))
                .map(|r| r.name)
                .take(3)
                .collect();
            let instead = match granted.as_slice() {
                [] => String::new(),
                names => format!(
                    "name the resources you want, e.g. --resource {} (which your scopes grant), or ",
                    names.join(",")
                ),
            };
            return Err(Error::input(
                Origin::Option("scopes"),
                format!(
                    "does not list '{}', which the default resource '{}' needs; {instead}add --scope {}",
                    resource.read_scope, resource.name, resource.read_scope
                ),
            ));
        }
        if !given.iter().any(|s| s.as_str() == resource.read_scope) {
            return Err(Error::input(
                Origin::Option("resources"),
                format!(
                    "'{}' needs the scope '{}', which --scope does not list; add --scope {}",
                    resource.name, resource.read_scope, resource.read_scope
                ),
            ));
        }
    }
    Ok(given)
}

/// Adds the scopes the use cases' requests need: to the defaults, or, when
/// `--scope` was given, checks it lists each one.
pub fn add_use_case_scopes(
    scopes: &mut Vec<Scope>,
    scopes_given: bool,
    use_cases: &[crate::usecase::UseCase],
    origin: Origin,
    allow_unknown: bool,
) -> Result<(), Error> {
    for uc in use_cases {
        for step in &uc.requests {
            if !allow_unknown && catalog::scope(&step.scope).is_none() {
                return Err(Error::bad(
                    origin.clone(),
                    &uc.id,
                    format!(
                        "request \"{}\" needs the scope '{}', which is not a known Coupa scope; `coupagen scopes` lists them, and --allow-unknown-scopes accepts your instance's own",
                        step.name, step.scope
                    ),
                ));
            }
            if scopes.iter().any(|s| s.as_str() == step.scope) {
                continue;
            }
            if scopes_given {
                return Err(Error::bad(
                    origin.clone(),
                    &uc.id,
                    format!(
                        "needs the scope '{0}' (for \"{1}\"), which --scope does not list; add --scope {0}",
                        step.scope, step.name
                    ),
                ));
            }
            scopes.push(Scope(step.scope.clone()));
        }
    }
    if !scopes_given {
        scopes.sort();
        scopes.dedup();
    }
    Ok(())
}

impl Spec {
    /// The scopes as Coupa wants them in the token request: space-separated.
    pub fn scope_list(&self) -> String {
        self.scopes
            .iter()
            .map(Scope::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Found by the validator property test: the resource before ':' went
    // unchecked, so a control character passed.
    #[test]
    fn a_filters_resource_part_is_a_name() {
        assert!(Filter::parse("\0:-= ").is_err());
        assert!(Filter::parse("in voices:status=paid").is_err());
        assert!(Filter::parse(":status=paid").is_err());
        let f = Filter::parse("coupa_pay/payments:status=paid").unwrap();
        assert_eq!(f.resource.as_deref(), Some("coupa_pay/payments"));
    }
}
