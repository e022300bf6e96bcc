//! Grant -> auth flow: the requests that get the kit its access token. Formats
//! ask the flow for them; none special-cases a "token request".

use serde::Serialize;

use super::request::{Answer, Auth, Body, Expect, Method, Request};
use super::value::{Conn, Slot, Value};
use crate::coupa::{self, form};
use crate::spec::Grant;

/// How the kit gets its token. With client credentials, one request obtains
/// it; a grant that sends a person to a consent page has an authorization URL
/// to open (never sent by a client) and a request that refreshes the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthFlow {
    pub grant: Grant,
    /// The URL a person opens to consent, when the grant has one.
    pub authorize: Option<Value>,
    /// The request whose answer carries the access token.
    pub obtain: Request,
    /// The request that renews the token without a person, when there is one.
    pub refresh: Option<Request>,
}

impl AuthFlow {
    pub fn plan(grant: Grant) -> AuthFlow {
        match grant {
            Grant::ClientCredentials => AuthFlow {
                grant,
                authorize: None,
                obtain: Request {
                    name: "Get access token".into(),
                    description: format!(
                        "Exchanges the client's Identifier and Secret for an access token (the {} grant).",
                        grant.id()
                    ),
                    method: Method::Post,
                    path: Value::lit(coupa::TOKEN_PATH),
                    query: Vec::new(),
                    headers: vec![(
                        coupa::CONTENT_TYPE.into(),
                        Value::lit(coupa::FORM_CONTENT_TYPE),
                    )],
                    body: Body::Form(vec![
                        (
                            form::GRANT_TYPE.into(),
                            Value::lit(coupa::grant_type(grant)),
                        ),
                        (form::CLIENT_ID.into(), conn(Conn::ClientId)),
                        (form::CLIENT_SECRET.into(), conn(Conn::ClientSecret)),
                        (form::SCOPE.into(), conn(Conn::Scopes)),
                    ]),
                    auth: Auth::None,
                    expect: Expect {
                        status: 200,
                        answer: Answer::Token,
                    },
                    captures: Vec::new(),
                    group: None,
                    scope: None,
                },
                refresh: None,
            },
        }
    }

    /// The flow's requests, in the order a runner sends them.
    pub fn requests(&self) -> impl Iterator<Item = &Request> {
        std::iter::once(&self.obtain).chain(&self.refresh)
    }
}

fn conn(c: Conn) -> Value {
    Value::slot(Slot::Conn(c))
}
