//! The binders more than one format shares: Postman's placeholders, whose
//! names the other formats reuse for the flow's and use cases' values, and
//! the guide's binding, which the curl file and the sheet both show.

use std::borrow::Cow;

use crate::contract::postman as names;
use serde::Serialize;

use super::js::{fixed, Fixed};
use crate::kit::{
    At, AuthValue, Binder, Capture, Conn, Encoding, Equals, Kit, Request, Slot, Text,
};
use crate::spec::{Domain, Instance};
use crate::usecase::Kind;

/// The runners' variable for a captured value: `captured_NAME`, apart from
/// every input. A use case's input (the approval the person names) and
/// another use case's capture of the same name (the first pending one)
/// would otherwise share a variable, and a write act on the wrong record.
pub fn captured_var(name: &str) -> String {
    format!("captured_{name}")
}

/// A capture's guard as the Postman and Bruno scripts read it, beside the
/// capture's own keys: the values the use case goes on with, what to say
/// otherwise (its values as the `{{variables}}` that hold them), and the
/// value's name in the use case.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GuardView {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    must_be: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    otherwise: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
}

impl GuardView {
    pub fn of(kit: &Kit<'_>, req: &Request, capture: &Capture) -> GuardView {
        let guarded = !capture.must_be.is_empty();
        let otherwise = match kit.use_case_of(req) {
            Some(uc) if guarded => uc.message(&capture.otherwise).text(
                At::Header,
                &Placeholders { kit },
                Encoding::Raw,
            ),
            _ => String::new(),
        };
        GuardView {
            must_be: capture.must_be.clone(),
            otherwise,
            label: guarded.then(|| capture.name.clone()),
        }
    }
}

/// The script piece every JavaScript runner (Postman, Bruno, the HTTP file)
/// shares to read a capture from an answer: `picked(answer, pick, valueOf)`
/// and `dug(answer, keys)`, before each runner's captures piece.
pub static ANSWER_JS: Fixed = fixed!("js/answer.js");

/// One key of a capture's pick as the scripts read it: the text it holds,
/// or the variable that holds it (and, for httpyac, the process variable
/// an input may come in).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PickView {
    key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    is: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    var: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    process_env: Option<String>,
}

impl PickView {
    pub fn of(
        kit: &Kit<'_>,
        capture: &Capture<'_>,
        process_env: impl Fn(Slot<'_>) -> Option<String>,
    ) -> Vec<PickView> {
        capture
            .pick
            .iter()
            .map(|p| match &p.equals {
                Equals::Text(text) => PickView {
                    key: p.key.clone(),
                    is: Some(text.clone()),
                    var: None,
                    process_env: None,
                },
                Equals::Slot(slot) => PickView {
                    key: p.key.clone(),
                    is: None,
                    var: Some(Placeholders { kit }.name(*slot).into_owned()),
                    process_env: process_env(*slot),
                },
            })
            .collect()
    }
}

/// Postman's binding: every slot is the `{{placeholder}}` of its variable.
pub struct Placeholders<'k> {
    pub kit: &'k Kit<'k>,
}

impl<'k> Placeholders<'k> {
    /// The variable that holds `slot`: the kit's own names borrowed from the
    /// spec; a use case's input by its own name and a capture as
    /// [`captured_var`], the same in every runner.
    pub fn name<'s>(&self, slot: Slot<'s>) -> Cow<'s, str>
    where
        'k: 's,
    {
        Cow::Borrowed(match slot {
            Slot::Conn(Conn::Domain) => names::DOMAIN,
            Slot::Conn(Conn::Scopes) => names::SCOPES,
            Slot::Conn(Conn::ClientId) => self.kit.names.client_id_var,
            Slot::Conn(Conn::ClientSecret) => self.kit.names.client_secret_var,
            Slot::Conn(Conn::RedirectUri) => names::REDIRECT_URI,
            Slot::Auth(AuthValue::AccessToken) => names::ACCESS_TOKEN,
            Slot::Auth(AuthValue::RefreshToken) => names::REFRESH_TOKEN,
            Slot::Auth(AuthValue::Code) => names::AUTHORIZATION_CODE,
            Slot::Auth(AuthValue::CodeVerifier) => names::CODE_VERIFIER,
            Slot::Auth(AuthValue::State) => names::STATE,
            Slot::Auth(AuthValue::CodeChallenge) => names::CODE_CHALLENGE,
            Slot::Input(name) => name,
            Slot::Captured(name) => return Cow::Owned(captured_var(name)),
        })
    }

    pub fn placeholder(&self, slot: Slot<'_>) -> String {
        format!("{{{{{}}}}}", self.name(slot))
    }
}

impl Binder for Placeholders<'_> {
    type Out = Text;
    fn slot(&self, slot: Slot<'_>, _: At) -> Text {
        Text::Placeholder(self.placeholder(slot))
    }
}

/// The guide's binding: the domain and scopes filled in, credentials and
/// token left as Postman's `{{placeholders}}`, as the setup guide shows them;
/// a use case's values as Agent Studio's Mustache placeholders.
pub struct Guide<'k> {
    pub kit: &'k Kit<'k>,
    /// The instance whose host the requests show.
    domain: &'k Domain,
}

impl<'k> Guide<'k> {
    /// The kit's first instance's requests.
    pub fn of(kit: &'k Kit<'k>) -> Guide<'k> {
        Guide::at(kit, kit.first())
    }

    /// The requests of `instance`.
    pub fn at(kit: &'k Kit<'k>, instance: &'k Instance) -> Guide<'k> {
        Guide {
            kit,
            domain: &instance.domain,
        }
    }

    /// Agent Studio's placeholder for a use case's value. Mustache
    /// HTML-escapes `{{name}}`, so a path segment or free text (a reason) takes
    /// the raw `{{{name}}}`; an id, email or date the plain `{{name}}`.
    fn mustache(&self, name: &str, at: At) -> String {
        let free_text = self
            .kit
            .use_cases
            .iter()
            .find_map(|u| u.arg(name))
            .is_some_and(|a| a.kind == Kind::String);
        match at == At::Path || free_text {
            true => format!("{{{{{{{name}}}}}}}"),
            false => format!("{{{{{name}}}}}"),
        }
    }
}

impl Binder for Guide<'_> {
    type Out = Text;
    fn slot(&self, slot: Slot<'_>, at: At) -> Text {
        match slot {
            Slot::Conn(Conn::Domain) => Text::Value(self.domain.as_str().into()),
            Slot::Conn(Conn::Scopes) => Text::Value(self.kit.scope_list()),
            Slot::Conn(Conn::RedirectUri) => match &self.kit.consent {
                Some(c) => Text::Value(c.redirect_uri().as_str().into()),
                None => Placeholders { kit: self.kit }.slot(slot, at),
            },
            Slot::Conn(Conn::ClientId | Conn::ClientSecret) | Slot::Auth(_) => {
                Placeholders { kit: self.kit }.slot(slot, at)
            }
            Slot::Input(name) | Slot::Captured(name) => Text::Placeholder(self.mustache(name, at)),
        }
    }
}
