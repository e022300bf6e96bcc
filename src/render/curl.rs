//! curl: the one curl builder (a command as data, as xh models one) that the
//! curl file, the sheet and the check script render, and the guide's binding
//! (domain and scopes filled in, credentials and token as Postman's
//! `{{placeholders}}`). Every word is quoted by the `sh` helper, in one place.

use std::borrow::Cow;

use serde::Serialize;

use super::binders::{Guide, Placeholders};
use super::json_body;
use super::templates::{context, render};
use super::{Artifact, File, Format};
use crate::kit::{
    self, encode_at, encode_slot, At, AuthValue, Binder, Body, Conn, Encoding, Json, Kit, Method,
    Piece, Request, Slot, Text, Value,
};
use crate::spec::Instance;
use crate::Error;

pub const FILE: File = File {
    path: "coupa-requests.curl",
    variant: "curl",
    purpose: "The same requests as curl commands, each on its own, for a terminal, Postman (Import > Raw text) or Agent Studio (Import cURL).",
};

pub const FORMAT: Format = Format {
    command: "curl",
    about: "curl commands in the setup guide's style, credentials as {{placeholders}}.",
    long_about: None,
    files: std::slice::from_ref(&FILE),
    ignores: &["connector_name"],
    render: |kit, _| Ok(vec![file(kit)?]),
};

/// A part of one shell word: literal text, or a shell variable's expansion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum WordPart {
    Lit(String),
    Var(Cow<'static, str>),
    /// A variable's value percent-encoded at run time (a query value).
    Encoded(Cow<'static, str>),
    /// A file whose content is the variable's value, through a pipe
    /// (`<(printf ...)`): a second secret, when standard input is taken.
    Pipe(&'static str),
}

/// One shell word, its literal parts merged; the `sh` helper quotes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub(super) struct Word(Vec<WordPart>);

impl Word {
    /// The expansion of one shell variable.
    pub fn var(name: impl Into<Cow<'static, str>>) -> Word {
        Word(vec![WordPart::Var(name.into())])
    }

    pub fn lit(text: impl Into<String>) -> Word {
        let mut w = Word::default();
        w.push_lit(&text.into());
        w
    }

    fn push_lit(&mut self, text: &str) {
        match self.0.last_mut() {
            Some(WordPart::Lit(last)) => last.push_str(text),
            _ => self.0.push(WordPart::Lit(text.into())),
        }
    }

    fn push(&mut self, part: WordPart) {
        match part {
            WordPart::Lit(text) => self.push_lit(&text),
            var => self.0.push(var),
        }
    }

    fn extend(&mut self, other: Word) {
        other.0.into_iter().for_each(|p| self.push(p));
    }

    fn literal_text(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|p| match p {
            WordPart::Lit(t) => Some(t.as_str()),
            WordPart::Var(_) | WordPart::Encoded(_) | WordPart::Pipe(_) => None,
        })
    }
}

/// What a curl binder writes for a slot.
pub(super) enum Shell {
    /// Text, as a text binder writes it.
    Text(Text),
    /// The expansion of a shell variable: the kit's own, or one a use
    /// case's input or capture names.
    Var(Cow<'static, str>),
    /// A secret: curl reads it from this variable on its standard input (or,
    /// for a second secret, through a pipe of its own), so no process
    /// listing shows it.
    Stdin(&'static str),
}

/// A text binder, as a curl binder.
pub(super) struct AsShell<B>(pub B);

impl<B: Binder<Out = Text>> Binder for AsShell<B> {
    type Out = Shell;
    fn slot(&self, slot: Slot<'_>, at: At) -> Shell {
        Shell::Text(self.0.slot(slot, at))
    }
}

/// Whether the command sends the request's auth itself, or leaves it to an
/// Agent Studio connector (Import cURL: the connector supplies the token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CurlAuth {
    Sent,
    ByConnector,
}

/// One curl command, as data.
#[derive(Debug, Serialize)]
pub(super) struct Curl {
    pub name: String,
    /// `--location`: follow redirects, as Postman's export does, except
    /// where the request sends a credential a redirect would carry away.
    pub location: bool,
    /// The method, when curl would not imply it.
    pub method: Option<&'static str>,
    pub globoff: bool,
    pub url: Word,
    /// `Key: value`, or `@-` for a header curl reads on standard input.
    pub headers: Vec<Word>,
    /// `key=value` fields to `--data-urlencode`, or `key@-` for one on
    /// standard input (`key@<pipe>` for a second secret).
    pub data: Vec<Word>,
    /// A JSON body for `--data-raw`, each value where it goes.
    pub json: Option<Word>,
    /// What the command needs on standard input (empty for nothing).
    pub stdin: Word,
}

/// A value as a shell word; the variable of a secret it holds, if any.
fn word<B: Binder<Out = Shell>>(
    value: &Value,
    at: At,
    b: &B,
    encoding: Encoding,
) -> (Word, Option<&'static str>) {
    let mut w = Word::default();
    let mut secret = None;
    for piece in value.lower(at, b) {
        match piece {
            Piece::Lit(text) => w.push_lit(&encode_at(text, at, encoding)),
            Piece::Bound(Shell::Text(Text::Value(text))) => {
                w.push_lit(&encode_slot(&text, at, encoding))
            }
            Piece::Bound(Shell::Text(Text::Placeholder(text))) => w.push_lit(&text),
            // In a URL the value is encoded as the script runs.
            Piece::Bound(Shell::Var(var)) => w.push(match (at, encoding) {
                (At::Query | At::Path, Encoding::Url) => WordPart::Encoded(var),
                _ => WordPart::Var(var),
            }),
            Piece::Bound(Shell::Stdin(var)) => {
                secret = Some(var);
                w.push(WordPart::Var(var.into()));
            }
        }
    }
    (w, secret)
}

impl Curl {
    /// A value as one shell word, as a message says it (no secret in it).
    pub fn word<B: Binder<Out = Shell>>(value: &Value, b: &B) -> Word {
        word(value, At::Header, b, Encoding::Raw).0
    }

    pub fn build<B: Binder<Out = Shell>>(
        req: &Request,
        host: &Value,
        b: &B,
        auth: CurlAuth,
    ) -> Result<Curl, Error> {
        let mut stdin: Option<Word> = None;
        let mut feed = |w: Word| match stdin.replace(w) {
            None => Ok(()),
            Some(_) => Err(Error::Failed(format!(
                "{}: two values need curl's standard input; this is a bug",
                req.name
            ))),
        };
        let no_secret = |(w, secret): (Word, Option<&str>)| match secret {
            None => Ok(w),
            Some(_) => Err(Error::Failed(format!(
                "{}: a secret in the URL; this is a bug",
                req.name
            ))),
        };

        let mut url = Word::lit(format!("{}://", crate::coupa::SCHEME));
        url.extend(no_secret(word(host, At::Host, b, Encoding::Url))?);
        url.extend(no_secret(word(&req.path, At::Path, b, Encoding::Url))?);
        for (i, (key, value)) in req.query.iter().enumerate() {
            url.push_lit(&format!(
                "{}{}=",
                if i == 0 { "?" } else { "&" },
                kit::encode_key(key)
            ));
            url.extend(no_secret(word(value, At::Query, b, Encoding::Url))?);
        }

        let mut headers = Vec::new();
        let sent = match auth {
            CurlAuth::Sent => req.sent_headers(),
            CurlAuth::ByConnector => req.headers.clone(),
        };
        for (key, value) in &sent {
            let mut line = Word::lit(format!("{key}: "));
            let (w, secret) = word(value, At::Header, b, Encoding::Raw);
            line.extend(w);
            headers.push(match secret {
                None => line,
                Some(_) => {
                    feed(line)?;
                    Word::lit("@-")
                }
            });
        }
        let mut data = Vec::new();
        for (key, value) in req.form() {
            let (w, secret) = word(value, At::Form, b, Encoding::Raw);
            data.push(match secret {
                None => {
                    let mut field = Word::lit(format!("{key}="));
                    field.extend(w);
                    field
                }
                // Standard input is taken: this secret gets a pipe of its own.
                Some(var) if stdin_taken(&headers, &data) => {
                    let mut field = Word::lit(format!("{key}@"));
                    field.push(WordPart::Pipe(var));
                    field
                }
                Some(_) => {
                    feed(w)?;
                    Word::lit(format!("{key}@-"))
                }
            });
        }
        let json = match &req.body {
            Body::Json(json) => Some(json_word(json, b)?),
            Body::None | Body::Form(_) => None,
        };
        let implied = if req.form().is_empty() && json.is_none() {
            Method::Get
        } else {
            Method::Post
        };
        // curl globs `[ ] { }` in a URL unless told not to.
        let globoff = url.literal_text().any(|t| t.contains(['[', ']', '{', '}']));
        Ok(Curl {
            name: req.name.clone(),
            location: !req.sends_credentials(),
            method: (req.method != implied).then_some(req.method.as_str()),
            globoff,
            url,
            headers,
            data,
            json,
            stdin: stdin.unwrap_or_default(),
        })
    }
}

/// A JSON body as one shell word: each value its binding, a string's in
/// quotes. A placeholder (the guide's `{{name}}`) stands in the text; the
/// check script, whose values are shell variables, builds its body with jq
/// instead (a variable pasted into JSON text is not JSON).
fn json_word<B: Binder<Out = Shell>>(json: &Json, b: &B) -> Result<Word, Error> {
    let mut out = Word::default();
    for piece in json_body::pieces(json) {
        let (slot, typed) = match piece {
            json_body::Piece::Json(text) => {
                out.push_lit(&text);
                continue;
            }
            json_body::Piece::Hole { slot, typed } => (slot, typed),
        };
        let (w, secret) = word(&Value::slot(slot), At::Form, b, Encoding::Raw);
        if secret.is_some() || w.0.iter().any(|p| !matches!(p, WordPart::Lit(_))) {
            return Err(Error::Failed(
                "a JSON body's value as a shell variable: build it with jq; this is a bug".into(),
            ));
        }
        let quote = if typed { "" } else { "\"" };
        out.push_lit(quote);
        out.extend(w);
        out.push_lit(quote);
    }
    Ok(out)
}

/// Whether a header or field already reads curl's standard input.
fn stdin_taken(headers: &[Word], data: &[Word]) -> bool {
    let reads = |w: &Word| w.literal_text().any(|t| t == "@-" || t.ends_with("@-"));
    headers.iter().chain(data).any(reads)
}

/// One guide-style command as text, for Agent Studio's Import cURL: no
/// Authorization header, since the connector supplies the token.
pub(super) fn import_text(kit: &Kit<'_>, req: &Request) -> Result<String, Error> {
    let b = AsShell(Guide::of(kit));
    let curl = Curl::build(req, &kit.host, &b, CurlAuth::ByConnector)?;
    Ok(render("curl_command", &context(curl)?)?
        .trim_end()
        .to_string())
}

/// The curl file: the kit's requests for each instance in turn.
pub fn file(kit: &Kit<'_>) -> Result<Artifact, Error> {
    let parts = kit
        .instances
        .iter()
        .map(|instance| part(kit, instance))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Artifact {
        path: FILE.path.into(),
        text: parts.join("\n"),
        executable: false,
    })
}

/// The requests for one instance, under a header that names it.
fn part(kit: &Kit<'_>, instance: &Instance) -> Result<String, Error> {
    #[derive(Serialize)]
    struct Consent {
        url: String,
        code: String,
        /// Absent without offline_access: no refresh token comes.
        refresh_token: Option<String>,
        state: String,
        /// PKCE's placeholders, when the client uses it.
        verifier: Option<String>,
        challenge: Option<String>,
    }
    #[derive(Serialize)]
    struct View {
        consent: Option<Consent>,
        domain: String,
        /// A several-instance kit's: the instance's name.
        instance: Option<String>,
        client_id: String,
        client_secret: String,
        token: String,
    }
    let b = AsShell(Guide::at(kit, instance));
    let names = Placeholders { kit };
    let guide = Guide::at(kit, instance);
    let view = View {
        consent: kit.flow.authorize.as_ref().map(|a| Consent {
            url: a.url(&kit.host, &guide),
            code: names.placeholder(Slot::Auth(AuthValue::Code)),
            refresh_token: kit
                .flow
                .refresh
                .as_ref()
                .map(|_| names.placeholder(Slot::Auth(AuthValue::RefreshToken))),
            state: names.placeholder(Slot::Auth(AuthValue::State)),
            verifier: kit
                .consent
                .as_ref()
                .filter(|c| c.pkce)
                .map(|_| names.placeholder(Slot::Auth(AuthValue::CodeVerifier))),
            challenge: kit
                .consent
                .as_ref()
                .filter(|c| c.pkce)
                .map(|_| names.placeholder(Slot::Auth(AuthValue::CodeChallenge))),
        }),
        domain: instance.domain.as_str().into(),
        instance: kit.multi().then(|| instance.name.as_str().into()),
        client_id: names.placeholder(Slot::Conn(Conn::ClientId)),
        client_secret: names.placeholder(Slot::Conn(Conn::ClientSecret)),
        token: names.placeholder(Slot::Auth(AuthValue::AccessToken)),
    };
    // The grant picks the header's template: a kit compiles only its own.
    let template = match view.consent {
        Some(_) => "curl_consent",
        None => "curl",
    };
    let mut text = render(template, &context(view)?)?;
    // Then each command under its name, from a view of its own.
    for req in kit.requests() {
        let curl = context(Curl::build(req, &kit.host, &b, CurlAuth::Sent)?)?;
        text.push_str(&render("curl_request", &curl)?);
        text.push_str(&render("curl_command", &curl)?);
    }
    Ok(text)
}
