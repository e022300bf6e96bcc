//! The collection's scripts: which fixed pieces (`templates/postman/*.js`)
//! each event joins, and the config each reads (`render::js`).

use serde::Serialize;

use crate::render::binders::ANSWER_JS;
use crate::render::js::{fixed, json, script, Fixed, Lines};
use crate::render::json_body::Filled;

/// Stores a token answer: `storeToken(body)`.
static STORE_TOKEN: Fixed = fixed!("postman/store-token.js");
/// `environmentMissing` and `selectEnvironment`.
static ENVIRONMENT_CHECK: Fixed = fixed!("postman/environment-check.js");
static COLLECTION_PREREQUEST: Fixed = fixed!("postman/collection-prerequest.js");
static TOKEN_TEST: Fixed = fixed!("postman/token-test.js");
static ENVIRONMENT_TEST: Fixed = fixed!("postman/environment-test.js");
static WRITES_GUARD: Fixed = fixed!("postman/writes-guard.js");
static NEEDS_GUARD: Fixed = fixed!("postman/needs-guard.js");
static JSON_VALUES: Fixed = fixed!("postman/json-values.js");
static ENCODE_VALUES: Fixed = fixed!("postman/encode-values.js");
static REQUEST_TEST: Fixed = fixed!("postman/request-test.js");
static CAPTURES: Fixed = fixed!("postman/captures.js");
static INSTANCE_TOKEN: Fixed = fixed!("postman/instance-token.js");
static TOKEN_RETRY: Fixed = fixed!("postman/token-retry.js");

/// Where the token answer goes (`storeToken`).
#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub struct Tokens<'a> {
    pub token_var: &'a str,
    pub issued_var: &'a str,
    pub expiry_var: &'a str,
    /// Where a redirect of the token request went (not followed).
    pub redirected_var: &'a str,
    pub access_token_field: &'a str,
    pub expires_in_field: &'a str,
    /// User consent with a refresh request: where the person's refresh
    /// token is kept.
    pub refresh_var: Option<&'a str>,
    pub refresh_token_field: &'a str,
}

/// What the scripts say when the environment is not selected: the
/// credential variables it holds.
#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub struct Environment<'a> {
    pub environment_vars: &'a [String],
    pub environment_name: &'a str,
    pub environment_file: &'a str,
}

/// The request the collection's pre-request sends for a token.
#[derive(Serialize)]
pub struct TokenRequest<'a, P: Serialize> {
    pub url: &'a str,
    pub method: &'a str,
    pub header: &'a [P],
    pub form: Vec<&'a P>,
}

/// The collection's pre-request: a token before any request but the flow's.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectionPrerequest<'a, P: Serialize> {
    #[serde(flatten)]
    pub tokens: Tokens<'a>,
    #[serde(flatten)]
    pub environment: Environment<'a>,
    pub renew_hours: u32,
    /// At most this many requests start in any second.
    pub burst: u32,
    pub starts_var: &'a str,
    /// The flow's items: the pre-request leaves them alone.
    pub flow_items: Vec<&'a str>,
    pub token: TokenRequest<'a, P>,
    /// The variable the token request needs, when the person supplies one.
    pub token_needs: Option<&'a str>,
    /// Several instances: which instance the stored token is for.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub instance: Option<InstanceToken<'a>>,
}

/// Several instances: the environment's host, and where the host of the
/// stored token's instance is kept.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceToken<'a> {
    pub instance_var: &'a str,
    pub token_instance_var: &'a str,
}

/// The token request's tests.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenTest<'a> {
    #[serde(flatten)]
    pub tokens: Tokens<'a>,
    /// Only the exchange of a kit with offline_access hands out one.
    pub expects_refresh: bool,
}

/// A request's own pre-request: it skips itself unless what it needs is set
/// and, when it changes Coupa data, writes are allowed; a use case's encodes
/// its values into the URL.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestPrerequest<'a> {
    /// Set when the request changes Coupa data: it runs only when this
    /// variable is true.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writes_var: Option<&'a str>,
    /// The variables it sends that the person supplies.
    pub needs: Vec<std::borrow::Cow<'a, str>>,
    #[serde(skip)]
    pub encodes: bool,
    /// A JSON body's values, each written as JSON into its own variable.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub json_values: Vec<Filled<'a>>,
}

/// An API request's tests.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestTest<'a, C: Serialize> {
    /// A use case's request: a failed status test shows Coupa's answer.
    pub explains: bool,
    /// Whether the answer is a list.
    pub list: bool,
    /// The status a good answer has: 200, or 201 for a record created.
    pub status: u16,
    /// What a use case's request keeps from its answer.
    #[serde(skip_serializing_if = "<[C]>::is_empty")]
    pub captures: &'a [C],
    #[serde(flatten)]
    pub retry: Retry<'a>,
}

/// When an API request is sent again: a 401 within Coupa's token buffer or
/// on a revoked token, a 429 (`token-retry.js`).
#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
pub struct Retry<'a> {
    pub retry_var: &'a str,
    pub token_var: &'a str,
    pub issued_var: &'a str,
    pub buffer_seconds: u32,
    pub retry_after_max: u32,
}

pub fn collection_prerequest<P: Serialize>(config: &CollectionPrerequest<'_, P>) -> Lines {
    let mut pieces = vec![&STORE_TOKEN, &ENVIRONMENT_CHECK];
    if config.instance.is_some() {
        pieces.push(&INSTANCE_TOKEN);
    }
    pieces.push(&COLLECTION_PREREQUEST);
    script(config, &pieces, json)
}

pub fn token_test(config: &TokenTest<'_>) -> Lines {
    script(config, &[&STORE_TOKEN, &TOKEN_TEST], json)
}

/// The collection's test, after every request: once, not in each item.
pub fn collection_test(config: &Environment<'_>) -> Lines {
    script(config, &[&ENVIRONMENT_CHECK, &ENVIRONMENT_TEST], json)
}

/// None when the request always runs.
pub fn request_prerequest(config: &RequestPrerequest<'_>) -> Option<Lines> {
    let mut pieces = Vec::new();
    if config.writes_var.is_some() {
        pieces.push(&WRITES_GUARD);
    }
    if !config.needs.is_empty() {
        pieces.push(&NEEDS_GUARD);
    }
    if config.encodes {
        pieces.push(&ENCODE_VALUES);
    }
    if !config.json_values.is_empty() {
        pieces.push(&JSON_VALUES);
    }
    (!pieces.is_empty()).then(|| script(config, &pieces, json))
}

pub fn request_test<C: Serialize>(config: &RequestTest<'_, C>) -> Lines {
    let mut pieces = vec![&TOKEN_RETRY, &REQUEST_TEST];
    if !config.captures.is_empty() {
        pieces.extend([&ANSWER_JS, &CAPTURES]);
    }
    script(config, &pieces, json)
}
