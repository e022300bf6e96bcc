//! Spec -> Kit: the token request and every API request, described once as
//! data. Every artifact and `verify` render from these requests; no other
//! module spells a Coupa path, header or form field.

use serde::Serialize;

use crate::catalog::Resource;
use crate::spec::Spec;

/// Coupa is HTTPS only.
pub const SCHEME: &str = "https";
pub const TOKEN_PATH: &str = "/oauth2/token";
/// Where the OAuth client is created in Coupa, as a person and as a path.
pub const CLIENT_SETUP: &str = "Setup > OAuth2/OpenID Connect Clients";
pub const CLIENT_SETUP_PATH: &str = "/oauth2/clients";
/// Each instance lists its scopes, and what each grants, here.
pub const SCOPES_PAGE_PATH: &str = "/oauth2/scopes";
const API_PREFIX: &str = "/api/";
const GRANT_TYPE: &str = "client_credentials";
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";
/// Coupa answers XML unless asked for JSON.
pub const JSON: &str = "application/json";
pub const AUTHORIZATION: &str = "Authorization";
pub const BEARER: &str = "Bearer";
/// The token response field that carries the token, and its lifetime.
pub const ACCESS_TOKEN_FIELD: &str = "access_token";
pub const EXPIRES_IN_FIELD: &str = "expires_in";

/// The environment variables the check script and `verify` read.
pub mod env {
    pub const CLIENT_ID: &str = "COUPA_CLIENT_ID";
    pub const CLIENT_SECRET: &str = "COUPA_CLIENT_SECRET";
    pub const INSTANCE_DOMAIN: &str = "COUPA_INSTANCE_DOMAIN";
    pub const SCOPE: &str = "COUPA_SCOPE";
}

/// The values an artifact may leave as a placeholder or fill in itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    Domain,
    Scopes,
    ClientId,
    ClientSecret,
    Token,
}

/// A form value: fixed, or one of the kit's variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Lit(String),
    Var(Var),
}

/// A literal key/value pair: a header, or a decoded query parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Param {
    pub key: String,
    pub value: String,
}

/// One HTTP request of the kit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// "Get access token", "List expense reports".
    pub name: String,
    pub method: &'static str,
    /// Always starts with `/`.
    pub path: String,
    /// Decoded; [`Request::query_string`] encodes.
    pub query: Vec<Param>,
    pub headers: Vec<Param>,
    /// `application/x-www-form-urlencoded` fields, in order.
    pub form: Vec<(String, Value)>,
    /// Sends `Authorization: Bearer <token>`.
    pub bearer: bool,
    pub resource: Option<&'static Resource>,
}

/// Everything the artifacts render.
#[derive(Debug)]
pub struct Kit<'a> {
    pub spec: &'a Spec,
    pub token: Request,
    pub calls: Vec<Request>,
}

/// The Postman names of the kit's variables: the guide's own placeholders.
pub const DOMAIN_VAR: &str = "INSTANCE_DOMAIN";
pub const SCOPES_VAR: &str = "SPACE_SEPARATED_LIST_OF_SCOPES";
pub const TOKEN_VAR: &str = "generated_bearer_token";
/// Postman bookkeeping: when the stored token expires (ms since the epoch).
pub const EXPIRY_VAR: &str = "token_expires_at";

pub fn plan(spec: &Spec) -> Kit<'_> {
    let token = Request {
        name: "Get access token".into(),
        method: "POST",
        path: TOKEN_PATH.into(),
        query: Vec::new(),
        headers: vec![param("Content-Type", FORM_CONTENT_TYPE)],
        form: vec![
            ("grant_type".into(), Value::Lit(GRANT_TYPE.into())),
            ("client_id".into(), Value::Var(Var::ClientId)),
            ("client_secret".into(), Value::Var(Var::ClientSecret)),
            ("scope".into(), Value::Var(Var::Scopes)),
        ],
        bearer: false,
        resource: None,
    };
    let calls = spec
        .resources
        .iter()
        .map(|resource| Request {
            name: format!("List {}", resource.title.to_lowercase()),
            method: "GET",
            path: format!("{API_PREFIX}{}", resource.name),
            query: query_params(spec),
            headers: vec![param("Accept", JSON)],
            form: Vec::new(),
            bearer: true,
            resource: Some(resource),
        })
        .collect();
    Kit { spec, token, calls }
}

fn param(key: &str, value: &str) -> Param {
    Param {
        key: key.into(),
        value: value.into(),
    }
}

fn query_params(spec: &Spec) -> Vec<Param> {
    let q = &spec.query;
    let mut out = vec![param("limit", &q.limit.to_string())];
    if let Some(offset) = q.offset {
        out.push(param("offset", &offset.to_string()));
    }
    out.extend(q.filters.iter().map(|f| param(&f.key, &f.value)));
    if let Some(fields) = &q.fields {
        out.push(param("fields", fields));
    }
    if let Some(ro) = q.return_object {
        out.push(param("return_object", ro.as_str()));
    }
    out
}

impl Kit<'_> {
    /// The Postman variable name for `var`.
    pub fn var_name(&self, var: Var) -> &str {
        match var {
            Var::Domain => DOMAIN_VAR,
            Var::Scopes => SCOPES_VAR,
            Var::ClientId => self.spec.client_id_var.as_str(),
            Var::ClientSecret => self.spec.client_secret_var.as_str(),
            Var::Token => TOKEN_VAR,
        }
    }

    /// Every request, the token request first.
    pub fn requests(&self) -> impl Iterator<Item = &Request> {
        std::iter::once(&self.token).chain(&self.calls)
    }
}

impl Request {
    /// `limit=1&updated_at[gt]=2024-01-01T00%3A00%3A00Z`: keys keep Coupa's
    /// brackets; values are percent-encoded but for unreserved characters and
    /// the `[ ] ,` of `fields` lists and `in` lists, which stay readable.
    pub fn query_string(&self) -> String {
        self.query
            .iter()
            .map(|p| format!("{}={}", encode(&p.key, b"[]"), encode(&p.value, b"[],")))
            .collect::<Vec<_>>()
            .join("&")
    }

    pub fn path_and_query(&self) -> String {
        match self.query_string() {
            q if q.is_empty() => self.path.clone(),
            q => format!("{}?{q}", self.path),
        }
    }

    /// The full URL for a given host (a real one, or a placeholder).
    pub fn url(&self, host: &str) -> String {
        format!("{SCHEME}://{host}{}", self.path_and_query())
    }

    /// curl globs `[ ] { }` in a URL unless told not to.
    pub fn needs_globoff(&self) -> bool {
        self.path_and_query().contains(['[', ']', '{', '}'])
    }
}

/// Percent-encodes all but RFC 3986 unreserved characters and `keep`.
pub fn encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_keeps_unreserved_and_encodes_the_rest() {
        assert_eq!(
            encode("2024-01-01T00:00:00+00:00", b""),
            "2024-01-01T00%3A00%3A00%2B00%3A00"
        );
        assert_eq!(encode("a b&c=d", b""), "a%20b%26c%3Dd");
        assert_eq!(encode("é", b""), "%C3%A9");
        assert_eq!(encode("updated_at[gt]", b"[]"), "updated_at[gt]");
    }
}
