//! Grant -> auth flow: the requests that get the kit its access token. Formats
//! ask the flow for them; none special-cases a "token request".

use serde::Serialize;

use super::request::{Answer, Auth, Body, Expect, Method, Request};
use super::value::{AuthValue, Conn, Slot, Value};
use crate::coupa::{self, authorize, form, Grant};
use crate::spec::Spec;

/// How the kit gets its token. With client credentials, one request obtains
/// it; a grant that sends a person to a consent page has an authorization URL
/// to open (never sent by a client) and a request that refreshes the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthFlow<'a> {
    pub grant: Grant,
    /// The request a person's browser makes to consent, when the grant has
    /// one: its URL is opened, never sent by a client.
    pub authorize: Option<Request<'a>>,
    /// The request whose answer carries the access token.
    pub obtain: Request<'a>,
    /// The request that renews the token without a person, when there is one.
    pub refresh: Option<Request<'a>>,
}

impl<'a> AuthFlow<'a> {
    pub fn plan(spec: &Spec) -> AuthFlow<'static> {
        let grant = spec.grant;
        match &spec.consent {
            None => AuthFlow {
                grant,
                authorize: None,
                obtain: token_request(
                    "Get access token",
                    format!(
                        "Exchanges the client's Identifier and Secret for an access token (the {} grant).",
                        grant.id()
                    ),
                    vec![
                        (form::GRANT_TYPE.into(), Value::lit(coupa::grant_type(grant))),
                        (form::CLIENT_ID.into(), conn(Conn::ClientId)),
                        (form::CLIENT_SECRET.into(), conn(Conn::ClientSecret)),
                        (form::SCOPE.into(), conn(Conn::Scopes)),
                    ],
                ),
                refresh: None,
            },
            Some(consent) => {
                // A PKCE client has no secret: the code verifier proves it
                // asked for the code.
                let client = |mut fields: Vec<(String, Value<'static>)>| {
                    fields.push((form::CLIENT_ID.into(), conn(Conn::ClientId)));
                    match consent.pkce {
                        false => fields.push((form::CLIENT_SECRET.into(), conn(Conn::ClientSecret))),
                        true => fields.push((form::CODE_VERIFIER.into(), auth(AuthValue::CodeVerifier))),
                    }
                    fields
                };
                let mut query = vec![
                    (form::CLIENT_ID.into(), conn(Conn::ClientId)),
                    (authorize::RESPONSE_TYPE.into(), Value::lit(authorize::CODE)),
                    (form::SCOPE.into(), conn(Conn::Scopes)),
                    (form::REDIRECT_URI.into(), conn(Conn::RedirectUri)),
                    (authorize::STATE.into(), auth(AuthValue::State)),
                ];
                if consent.pkce {
                    query.push((authorize::CODE_CHALLENGE.into(), auth(AuthValue::CodeChallenge)));
                    query.push((authorize::CODE_CHALLENGE_METHOD.into(), Value::lit(authorize::S256)));
                }
                let mut refresh = client(vec![
                    (form::GRANT_TYPE.into(), Value::lit(coupa::REFRESH_GRANT_TYPE)),
                    (form::REFRESH_TOKEN.into(), auth(AuthValue::RefreshToken)),
                ]);
                // A refresh needs no verifier: the refresh token is the proof.
                refresh.retain(|(k, _)| k != form::CODE_VERIFIER);
                AuthFlow {
                    grant,
                    authorize: Some(Request {
                        name: "Authorize in a browser".into(),
                        description: "The consent page: the person logs in to Coupa and clicks Allow; Coupa sends the browser to the redirect URI with a code.".into(),
                        method: Method::Get,
                        path: Value::lit(coupa::AUTHORIZE_PATH),
                        query,
                        headers: Vec::new(),
                        body: Body::None,
                        auth: Auth::None,
                        expect: Expect { status: 302, answer: Answer::Redirect },
                        captures: Vec::new(),
                        group: None,
                        scope: None,
                    }),
                    obtain: token_request(
                        "Exchange the authorization code",
                        "Exchanges the code the redirect carried for the person's access token (and a refresh token, with offline_access).".into(),
                        client(vec![
                            (form::GRANT_TYPE.into(), Value::lit(coupa::grant_type(grant))),
                            (form::CODE.into(), auth(AuthValue::Code)),
                            (form::REDIRECT_URI.into(), conn(Conn::RedirectUri)),
                        ]),
                    ),
                    // Coupa issues refresh tokens only with offline_access.
                    refresh: consent.offline_access.then(|| {
                        token_request(
                            "Refresh the access token",
                            format!(
                                "Renews the person's access token with their refresh token, without them (refresh tokens last {} days).",
                                coupa::REFRESH_TOKEN_DAYS
                            ),
                            refresh,
                        )
                    }),
                }
            }
        }
    }

    /// The flow's requests a client sends, in the order a runner sends them.
    pub fn requests(&self) -> impl Iterator<Item = &Request<'a>> {
        std::iter::once(&self.obtain).chain(&self.refresh)
    }

    /// The request a runner sends for a token without a person: the refresh
    /// when the grant has one, else the token request itself.
    pub fn renew(&self) -> &Request<'a> {
        self.refresh.as_ref().unwrap_or(&self.obtain)
    }
}

/// `POST /oauth2/token` with a form.
fn token_request(
    name: &str,
    description: String,
    fields: Vec<(String, Value<'static>)>,
) -> Request<'static> {
    Request {
        name: name.into(),
        description,
        method: Method::Post,
        path: Value::lit(coupa::TOKEN_PATH),
        query: Vec::new(),
        headers: vec![(
            coupa::CONTENT_TYPE.into(),
            Value::lit(coupa::FORM_CONTENT_TYPE),
        )],
        body: Body::Form(fields),
        auth: Auth::None,
        expect: Expect {
            status: 200,
            answer: Answer::Token,
        },
        captures: Vec::new(),
        group: None,
        scope: None,
    }
}

fn conn(c: Conn) -> Value<'static> {
    Value::slot(Slot::Conn(c))
}

fn auth(a: AuthValue) -> Value<'static> {
    Value::slot(Slot::Auth(a))
}
