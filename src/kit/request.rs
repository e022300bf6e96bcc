//! One HTTP request of the kit, format-neutral: its method, its values as
//! templates, how it authenticates, what answer it expects, and what it
//! captures from that answer.

use serde::Serialize;

use super::value::{encode_key, At, AuthValue, Binder, Conn, Encoding, Slot, Text, Value};
use crate::coupa;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
        }
    }

    /// Whether the request may change data on Coupa.
    pub fn writes(self) -> bool {
        !matches!(self, Method::Get)
    }
}

/// What the request sends: a form (the token request), nothing (approvals
/// take `reason` in the query), or JSON (what creates a record).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Body<'a> {
    None,
    /// `application/x-www-form-urlencoded` fields, in order.
    Form(Vec<(String, Value<'a>)>),
    /// `application/json`: objects in their keys' order.
    Json(Json<'a>),
}

/// A JSON body as a tree whose leaves are fixed JSON or a slot. Each format
/// writes a slot its own way and escapes it as its consumer reads JSON; a
/// slot lands as a JSON string, or, when `typed`, as the number or boolean
/// its text is (a quantity is `10`, not `"10"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Json<'a> {
    Object(Vec<(String, Json<'a>)>),
    Array(Vec<Json<'a>>),
    Fixed(serde_json::Value),
    Slot { slot: Slot<'a>, typed: bool },
}

impl<'a> Json<'a> {
    /// Every slot's leaf, in the order the document writes them.
    pub fn slots(&self) -> Vec<(Slot<'a>, bool)> {
        let mut out = Vec::new();
        self.walk(&mut |slot, typed| {
            if !out.contains(&(slot, typed)) {
                out.push((slot, typed));
            }
        });
        out
    }

    fn walk(&self, f: &mut impl FnMut(Slot<'a>, bool)) {
        match self {
            Json::Object(pairs) => pairs.iter().for_each(|(_, v)| v.walk(f)),
            Json::Array(items) => items.iter().for_each(|v| v.walk(f)),
            Json::Fixed(_) => {}
            Json::Slot { slot, typed } => f(*slot, *typed),
        }
    }

    /// The document with each slot's leaf made by `leaf`: what a format
    /// serializes, or the real body once the values are known.
    pub fn fill(
        &self,
        leaf: &mut impl FnMut(Slot<'a>, bool) -> serde_json::Value,
    ) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Json::Object(pairs) => J::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), v.fill(leaf)))
                    .collect(),
            ),
            Json::Array(items) => J::Array(items.iter().map(|v| v.fill(leaf)).collect()),
            Json::Fixed(v) => v.clone(),
            Json::Slot { slot, typed } => leaf(*slot, *typed),
        }
    }
}

/// How the request proves who sends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Auth {
    /// Nothing: the request carries its credentials itself (the token request).
    None,
    /// `Authorization: Bearer <the flow's access token>`.
    Bearer,
}

/// What a successful answer's body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// An OAuth token answer: the flow's access token and its lifetime.
    Token,
    /// A JSON list of records.
    List,
    /// One JSON record.
    Object,
    /// A browser is sent on to the redirect URI, with a code or an error:
    /// the consent page's answer, which no client sends for.
    Redirect,
}

/// The answer the request expects; the Postman tests and `verify` both judge by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Expect {
    pub status: u16,
    pub answer: Answer,
}

/// A value taken from the answer for a later request: its name, where in
/// the answer it is (`0.id`: the first record's `id`), and what to say when
/// the answer holds none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Capture<'a> {
    pub name: String,
    pub path: String,
    pub if_none: String,
    /// Whether holding none is a failure (no such user) or just the end of
    /// the chain (nothing pending).
    pub fails: bool,
    /// A guard: the values the use case goes on with (empty: any). With
    /// another, no later request of the use case is sent.
    pub must_be: Vec<String>,
    /// What to say when the guard stops the use case.
    pub otherwise: String,
    /// The records of a list the path reads (empty: all of them): those
    /// whose keys hold these values, compared as text.
    pub pick: Vec<Pick<'a>>,
}

/// One key a picked record holds, and the value it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pick<'a> {
    pub key: String,
    pub equals: Equals<'a>,
}

/// What a picked record's key holds: fixed text, or an input's or an
/// earlier capture's value, which each runner reads where it keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Equals<'a> {
    Text(String),
    Slot(Slot<'a>),
}

/// One step of a capture's path: a list's index, an object's key, or `#`,
/// a list's length (a guard on how many records were found). As JSON, a
/// number, a string, or `{"count": true}`: the scripts' paths are arrays
/// of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key<'a> {
    Index(usize),
    Name(&'a str),
    Count,
}

impl Serialize for Key<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Key::Index(i) => s.serialize_u64(*i as u64),
            Key::Name(k) => s.serialize_str(k),
            Key::Count => {
                use serde::ser::SerializeMap;
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("count", &true)?;
                map.end()
            }
        }
    }
}

impl Capture<'_> {
    /// The path's steps, as each format writes its own access.
    pub fn keys(&self) -> Vec<Key<'_>> {
        self.path
            .split('.')
            .map(|k| match k {
                crate::usecase::COUNT_KEY => Key::Count,
                k => k.parse().map_or(Key::Name(k), Key::Index),
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Request<'a> {
    /// "Get access token", "List expense reports".
    pub name: String,
    /// One sentence on what it does, for a person choosing it.
    pub description: String,
    pub method: Method,
    /// Starts with `/`.
    pub path: Value<'a>,
    /// Decoded; a URL encodes them.
    pub query: Vec<(String, Value<'a>)>,
    pub headers: Vec<(String, Value<'a>)>,
    pub body: Body<'a>,
    pub auth: Auth,
    pub expect: Expect,
    pub captures: Vec<Capture<'a>>,
    /// Where it is filed: a Postman folder, a sheet section.
    pub group: Option<String>,
    /// The scope Coupa checks for it, when one is known.
    pub scope: Option<&'a str>,
}

impl<'a> Request<'a> {
    /// `/api/x?limit=1&updated_at[gt]=2024-01-01T00%3A00%3A00Z`, slots bound.
    pub fn path_and_query<B: Binder<Out = Text>>(&self, binder: &B) -> String {
        let path = self.path.text(At::Path, binder, Encoding::Url);
        match self.query_string(binder) {
            q if q.is_empty() => path,
            q => format!("{path}?{q}"),
        }
    }

    /// The query as it stands in a URL.
    pub fn query_string<B: Binder<Out = Text>>(&self, binder: &B) -> String {
        self.encoded_query(binder)
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Each query pair as it stands in a URL.
    pub fn encoded_query<B: Binder<Out = Text>>(&self, binder: &B) -> Vec<(String, String)> {
        self.query
            .iter()
            .map(|(k, v)| (encode_key(k), v.text(At::Query, binder, Encoding::Url)))
            .collect()
    }

    /// The full URL, the host bound like any other slot.
    pub fn url<B: Binder<Out = Text>>(&self, host: &Value<'_>, binder: &B) -> String {
        let host = host.text(At::Host, binder, Encoding::Url);
        [coupa::SCHEME, "://", &host, &self.path_and_query(binder)].concat()
    }

    /// The headers as a client sends them: a bearer request's
    /// `Authorization: Bearer <access token>` last.
    pub fn sent_headers(&self) -> Vec<(String, Value<'a>)> {
        let mut headers = self.headers.clone();
        headers.extend(
            self.auth_value()
                .map(|value| (coupa::AUTHORIZATION.to_owned(), value)),
        );
        headers
    }

    /// The value of the header its auth adds (`Authorization`), if any:
    /// the one place that spells it. Asked thousands of times a kit (for
    /// its slots), so made without `format!`.
    fn auth_value(&self) -> Option<Value<'a>> {
        match self.auth {
            Auth::None => None,
            Auth::Bearer => Some(
                Value::lit([coupa::BEARER, " "].concat())
                    .then(Value::slot(Slot::Auth(AuthValue::AccessToken))),
            ),
        }
    }

    /// Every slot the request fills, headers as sent.
    pub fn slots(&self) -> Vec<Slot<'a>> {
        // The sent headers without a copy of them all (formats ask thousands
        // of times a kit): its own, then the one its auth adds.
        let auth = self.auth_value();
        let values = std::iter::once(&self.path)
            .chain(self.query.iter().map(|(_, v)| v))
            .chain(self.headers.iter().map(|(_, v)| v))
            .chain(&auth)
            .chain(self.form().iter().map(|(_, v)| v));
        let mut slots = Vec::new();
        let body = match &self.body {
            Body::Json(json) => json.slots().into_iter().map(|(s, _)| s).collect(),
            Body::None | Body::Form(_) => Vec::new(),
        };
        for slot in values.flat_map(Value::slots).chain(body) {
            if !slots.contains(&slot) {
                slots.push(slot);
            }
        }
        slots
    }

    /// Whether it sends a credential that must reach Coupa and nowhere else
    /// (the client's secret, a code, a refresh token, a PKCE verifier): no
    /// client may follow a redirect from it, which would send it on.
    pub fn sends_credentials(&self) -> bool {
        self.slots().iter().any(|slot| {
            matches!(
                slot,
                Slot::Conn(Conn::ClientSecret)
                    | Slot::Auth(
                        AuthValue::Code | AuthValue::RefreshToken | AuthValue::CodeVerifier
                    )
            )
        }) || self.expect.answer == Answer::Token
    }

    /// The form fields, when the body is a form.
    pub fn form(&self) -> &[(String, Value<'a>)] {
        match &self.body {
            Body::Form(fields) => fields,
            Body::None | Body::Json(_) => &[],
        }
    }
}
