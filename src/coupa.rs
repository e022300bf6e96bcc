//! What Coupa is, as far as the kit needs to know: its endpoints, headers,
//! grants and their fields, the shapes of an answer, and the pages where a
//! person sets a client up. Every other module takes these from here.

use serde::Serialize;

/// Coupa is HTTPS only.
pub const SCHEME: &str = "https";
pub const TOKEN_PATH: &str = "/oauth2/token";
/// Where a browser goes to consent (the authorization-code grant).
pub const AUTHORIZE_PATH: &str = "/oauth2/authorizations/new";
/// Every API resource lives below this prefix.
pub const API_PREFIX: &str = "/api/";
/// Where the OAuth client is created in Coupa, as a person and as a path.
pub const CLIENT_SETUP: &str = "Setup > OAuth2/OpenID Connect Clients";
pub const CLIENT_SETUP_PATH: &str = "/oauth2/clients";
/// Each instance lists its scopes, and what each grants, here.
pub const SCOPES_PAGE_PATH: &str = "/oauth2/scopes";
pub const CONTENT_TYPE: &str = "Content-Type";
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";
pub const ACCEPT: &str = "Accept";
/// Coupa answers XML unless asked for JSON.
pub const JSON: &str = "application/json";
pub const AUTHORIZATION: &str = "Authorization";
pub const BEARER: &str = "Bearer";
/// The token answer's fields: the token, its lifetime, the scopes granted.
pub const ACCESS_TOKEN_FIELD: &str = "access_token";
pub const EXPIRES_IN_FIELD: &str = "expires_in";
pub const SCOPE_FIELD: &str = "scope";
/// In an authorization-code token answer, when `offline_access` was granted.
pub const REFRESH_TOKEN_FIELD: &str = "refresh_token";
/// The scope that makes Coupa issue a refresh token.
pub const OFFLINE_ACCESS: &str = "offline_access";
/// How long a refresh token lasts; then the person consents again.
pub const REFRESH_TOKEN_DAYS: u32 = 90;
/// The `grant_type` that renews an access token with a refresh token.
pub const REFRESH_GRANT_TYPE: &str = "refresh_token";
/// The token request's form fields (RFC 6749).
pub mod form {
    pub const GRANT_TYPE: &str = "grant_type";
    pub const CLIENT_ID: &str = "client_id";
    pub const CLIENT_SECRET: &str = "client_secret";
    pub const SCOPE: &str = "scope";
    pub const CODE: &str = "code";
    pub const REDIRECT_URI: &str = "redirect_uri";
    pub const REFRESH_TOKEN: &str = "refresh_token";
    pub const CODE_VERIFIER: &str = "code_verifier";
}
/// The authorization request's query parameters (RFC 6749 4.1.1, RFC 7636),
/// and what the redirect back carries.
pub mod authorize {
    pub const RESPONSE_TYPE: &str = "response_type";
    pub const CODE: &str = "code";
    pub const STATE: &str = "state";
    pub const CODE_CHALLENGE: &str = "code_challenge";
    pub const CODE_CHALLENGE_METHOD: &str = "code_challenge_method";
    pub const S256: &str = "S256";
    /// The redirect's error, e.g. `access_denied` when the person clicks Deny.
    pub const ERROR: &str = "error";
    pub const ERROR_DESCRIPTION: &str = "error_description";
}
/// Coupa's query parameters for paging and shaping an answer (each also a
/// kit option of the same name).
pub mod query {
    pub const LIMIT: &str = "limit";
    pub const OFFSET: &str = "offset";
    pub const FIELDS: &str = "fields";
    pub const RETURN_OBJECT: &str = "return_object";
    pub const ALL: &[&str] = &[LIMIT, OFFSET, FIELDS, RETURN_OBJECT];
}
/// The forms a Coupa host takes, for messages about a domain.
pub const DOMAIN_FORMS: &str = "Coupa domains look like <org>.coupahost.com (customer instances, often <org>-test.coupahost.com for test) or <org>.coupacloud.com (partner and demo instances)";
/// Coupa's rate limit, as its error says it.
pub const RATE_LIMIT: &str = "25 requests a second, bursts of 20";
/// Coupa's token buffer, in seconds: "include at least a five-second buffer
/// ... between when you generate a token and when you submit an API call
/// using the token". Runners call at once and wait only after a 401.
pub const TOKEN_BUFFER_SECS: u32 = 5;
/// The most calls a runner starts in any one second: Coupa's burst (its rate
/// is 25 a second).
pub const BURST: u32 = 20;
/// The longest `Retry-After` a runner waits out, once, after a 429 (Coupa
/// documents neither the 429 nor the header).
pub const RETRY_AFTER_MAX_SECS: u32 = 5;
/// Coupa caps a page at 50 records.
pub const MAX_LIMIT: u8 = 50;

/// Coupa's `return_object` response shaping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ReturnObject {
    Limited,
    Shallow,
}

impl ReturnObject {
    pub fn as_str(self) -> &'static str {
        match self {
            ReturnObject::Limited => "limited",
            ReturnObject::Shallow => "shallow",
        }
    }
}

/// The OAuth grant the kit connects with.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, clap::ValueEnum, Default,
)]
#[serde(rename_all = "kebab-case")]
pub enum Grant {
    /// The client's own Identifier and Secret: one connection for everyone.
    #[default]
    ClientCredentials,
    /// Each person consents in Coupa and sees only their own data (Agent
    /// Studio's "User Consent Auth").
    AuthorizationCode,
}

impl Grant {
    /// `client-credentials`: how a person names it, as a flag value would.
    pub fn id(self) -> &'static str {
        match self {
            Grant::ClientCredentials => "client-credentials",
            Grant::AuthorizationCode => "authorization-code",
        }
    }
}

/// The grant's `grant_type` in the token request.
pub fn grant_type(grant: Grant) -> &'static str {
    match grant {
        Grant::ClientCredentials => "client_credentials",
        Grant::AuthorizationCode => "authorization_code",
    }
}

/// The grant type as Coupa's client setup page names it.
pub fn grant_label(grant: Grant) -> &'static str {
    match grant {
        Grant::ClientCredentials => "Client Credentials",
        Grant::AuthorizationCode => "Authorization Code",
    }
}
