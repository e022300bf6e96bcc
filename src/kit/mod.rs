//! Spec -> Kit: the auth flow's requests and every API request, described once
//! as format-neutral data. Every artifact and `verify` render or send these
//! requests; no other module spells a Coupa path, header or form field.

mod flow;
mod request;
mod usecase;
mod value;

use serde::Serialize;

pub use flow::AuthFlow;
pub use request::{Answer, Auth, Body, Capture, Equals, Expect, Json, Key, Method, Pick, Request};
pub use usecase::{Arg, ArgSource, UseCasePlan};
pub use value::{
    encode, encode_at, encode_key, encode_slot, At, AuthValue, Binder, Conn, Encoding, Part, Piece,
    Shown, Slot, Text, Value,
};

use crate::catalog::Resource;
use crate::coupa;
use crate::coupa::Grant;
use crate::spec::{Consent, Instance, Query, Scope, Spec};

/// Everything the artifacts render: the formats read this, never the spec
/// it was planned from (`verify` and `mcp`, which send, read `spec` too).
#[derive(Debug, Serialize)]
pub struct Kit<'a> {
    #[serde(skip)]
    pub spec: &'a Spec,
    #[serde(skip)]
    pub grant: Grant,
    /// User consent's settings: `Some` exactly for the authorization-code grant.
    #[serde(skip)]
    pub consent: Option<&'a Consent>,
    /// The instances, at least one; the first is the default.
    #[serde(skip)]
    pub instances: &'a [Instance],
    /// The scopes the client asks for.
    #[serde(skip)]
    pub scopes: &'a [Scope],
    /// The names the person chose: the credentials' variables, the connector.
    #[serde(skip)]
    pub names: Names<'a>,
    /// The `--use-case-file`'s text, which the bundle keeps a copy of.
    #[serde(skip)]
    pub use_case_file: Option<&'a str>,
    /// The instance's host, as every URL starts.
    pub host: Value<'a>,
    pub flow: AuthFlow<'a>,
    /// The API requests.
    pub calls: Vec<Request<'a>>,
    /// The use cases, each an ordered set of requests.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub use_cases: Vec<UseCasePlan<'a>>,
}

/// The names a person chose for the kit.
#[derive(Debug, Clone, Copy)]
pub struct Names<'a> {
    pub client_id_var: &'a str,
    pub client_secret_var: &'a str,
    pub connector: &'a str,
}

pub fn plan(spec: &Spec) -> Kit<'_> {
    Kit {
        spec,
        grant: spec.grant,
        consent: spec.consent.as_ref(),
        instances: &spec.instances,
        scopes: &spec.scopes,
        names: Names {
            client_id_var: spec.client_id_var.as_str(),
            client_secret_var: spec.client_secret_var.as_str(),
            connector: spec.connector_name.as_str(),
        },
        use_case_file: spec.use_case_file.as_deref(),
        host: Value::slot(Slot::Conn(Conn::Domain)),
        flow: AuthFlow::plan(spec),
        calls: spec
            .resources
            .iter()
            .map(|r| list(r, &spec.query))
            .collect(),
        use_cases: spec.use_cases.iter().map(UseCasePlan::plan).collect(),
    }
}

/// `GET /api/<resource>` with the kit's query, as JSON.
fn list(resource: &'static Resource, q: &Query) -> Request<'static> {
    use coupa::query as key;
    let mut query = vec![(key::LIMIT.to_string(), Value::lit(q.limit.to_string()))];
    if let Some(offset) = q.offset {
        query.push((key::OFFSET.into(), Value::lit(offset.to_string())));
    }
    query.extend(
        q.filters
            .iter()
            .filter(|f| f.resource.as_deref().is_none_or(|r| r == resource.name))
            .map(|f| (f.key.clone(), Value::lit(&f.value))),
    );
    if let Some(fields) = &q.fields {
        query.push((key::FIELDS.into(), Value::lit(fields)));
    }
    if let Some(ro) = q.return_object {
        query.push((key::RETURN_OBJECT.into(), Value::lit(ro.as_str())));
    }
    let title = resource.title().to_lowercase();
    Request {
        name: format!("List {title}"),
        description: page_description(&title, q.limit),
        method: Method::Get,
        path: Value::lit(format!("{}{}", coupa::API_PREFIX, resource.name)),
        query,
        headers: vec![(coupa::ACCEPT.into(), Value::lit(coupa::JSON))],
        body: Body::None,
        auth: Auth::Bearer,
        expect: Expect {
            status: 200,
            answer: Answer::List,
        },
        captures: Vec::new(),
        group: Some(resource.area.to_string()),
        scope: Some(resource.read_scope),
    }
}

impl<'a> Kit<'a> {
    /// More than one instance: each gets its own environment, named after it.
    pub fn multi(&self) -> bool {
        self.spec.multi()
    }

    /// The default instance: the only one, or the first given.
    pub fn first(&self) -> &'a Instance {
        self.spec.first()
    }

    /// `test, production`: the instances' names, in order.
    pub fn instance_names(&self) -> String {
        self.spec.instance_names()
    }

    /// The scopes as the token request sends them, space-separated.
    pub fn scope_list(&self) -> String {
        self.spec.scope_list()
    }

    /// Every request, the flow's first.
    pub fn requests(&self) -> impl Iterator<Item = &Request<'a>> {
        self.flow
            .requests()
            .chain(&self.calls)
            .chain(self.use_cases.iter().flat_map(|u| &u.requests))
    }

    /// The use case a request belongs to, if any.
    pub fn use_case_of(&self, req: &Request<'_>) -> Option<&UseCasePlan<'a>> {
        self.use_cases
            .iter()
            .find(|u| u.requests.iter().any(|r| std::ptr::eq(r, req)))
    }
}

/// "Lists Coupa invoices, up to 10 a page."; a page of one says "the first
/// record", not "up to 1 a page".
fn page_description(title: &str, limit: u8) -> String {
    match limit {
        1 => format!("Lists Coupa {title}: the first record only."),
        n => format!("Lists Coupa {title}, up to {n} a page."),
    }
}
