//! A request's values as templates: literal text and slots. Each format binds
//! a slot its own way (a `{{placeholder}}`, a shell variable, a real value)
//! through a [`Binder`]; the lowering here is the only walk over a value.

use std::borrow::Cow;

use serde::Serialize;

/// A value the kit's connection supplies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Conn {
    Domain,
    Scopes,
    ClientId,
    ClientSecret,
    /// The redirect URI the authorization request and code exchange send.
    RedirectUri,
}

/// A value the auth flow produces as it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthValue {
    AccessToken,
    /// Renews the access token without the person (authorization code).
    RefreshToken,
    /// The authorization code the redirect carries: single-use, short-lived.
    Code,
    /// The authorization request's `state`, checked on the redirect.
    State,
    /// PKCE: the secret the code exchange proves, and its S256 challenge.
    CodeVerifier,
    CodeChallenge,
}

/// A hole in a value. Binders match on it exhaustively: a new slot is a
/// compile error in every format until each says what it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Slot<'a> {
    Conn(Conn),
    Auth(AuthValue),
    /// A use case's input, by name: from the person or what they say.
    Input(&'a str),
    /// A value an earlier request of the use case took from its answer.
    Captured(&'a str),
}

impl<'a> Slot<'a> {
    /// The slot's own name, `{access_token}` in a path template.
    pub fn name(self) -> &'a str {
        match self {
            Slot::Conn(Conn::Domain) => "domain",
            Slot::Conn(Conn::Scopes) => "scopes",
            Slot::Conn(Conn::ClientId) => "client_id",
            Slot::Conn(Conn::ClientSecret) => "client_secret",
            Slot::Conn(Conn::RedirectUri) => "redirect_uri",
            Slot::Auth(AuthValue::AccessToken) => "access_token",
            Slot::Auth(AuthValue::RefreshToken) => "refresh_token",
            Slot::Auth(AuthValue::Code) => "code",
            Slot::Auth(AuthValue::State) => "state",
            Slot::Auth(AuthValue::CodeVerifier) => "code_verifier",
            Slot::Auth(AuthValue::CodeChallenge) => "code_challenge",
            Slot::Input(name) | Slot::Captured(name) => name,
        }
    }
}

/// Shows each slot by its name, `{access_token}`: a request as a template,
/// for progress lines and reports.
pub struct Shown;

impl Binder for Shown {
    type Out = Text;
    fn slot(&self, slot: Slot<'_>, _: At) -> Text {
        Text::Placeholder(format!("{{{}}}", slot.name()))
    }
}

/// Where a value stands in a request: a binder may write a slot differently
/// in each place (the script sends a secret form field on standard input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// The URL's host.
    Host,
    /// The URL's path.
    Path,
    /// A query parameter's value.
    Query,
    Header,
    /// A field of a form-encoded body.
    Form,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part<'a> {
    Lit(String),
    Slot(Slot<'a>),
}

/// Literal text and slots, in order. Nothing in it is pre-rendered.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Value<'a>(Vec<Part<'a>>);

/// As its template text, `Bearer {access_token}`, literal braces doubled:
/// how the planned model reads in a snapshot.
impl Serialize for Value<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text: String = self
            .0
            .iter()
            .map(|part| match part {
                Part::Lit(t) => t.replace('{', "{{").replace('}', "}}"),
                Part::Slot(slot) => format!("{{{}}}", slot.name()),
            })
            .collect();
        s.serialize_str(&text)
    }
}

/// What a binder writes for a slot at a place.
pub trait Binder {
    type Out;
    fn slot(&self, slot: Slot<'_>, at: At) -> Self::Out;
}

/// One piece of a lowered value: literal text, or what the binder wrote.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'v, T> {
    Lit(&'v str),
    Bound(T),
}

/// A slot bound as text: a real value, which a URL encodes like a literal, or
/// a placeholder (`{{name}}`), which stays as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    Value(String),
    Placeholder(String),
}

/// Whether lowered text goes into a URL (percent-encoded where the place
/// needs it) or stands as itself (a form field, a header, a table cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Raw,
    Url,
}

impl<'a> Value<'a> {
    pub fn lit(text: impl Into<String>) -> Value<'a> {
        Value(vec![Part::Lit(text.into())])
    }

    pub fn slot(slot: Slot<'a>) -> Value<'a> {
        Value(vec![Part::Slot(slot)])
    }

    pub fn parts(&self) -> &[Part<'a>] {
        &self.0
    }

    /// Its text, when it is one literal and holds no slot.
    pub fn literal(&self) -> Option<&str> {
        match self.0.as_slice() {
            [Part::Lit(text)] => Some(text),
            _ => None,
        }
    }

    /// A template's value: `{{name}}` becomes the slot `resolve` names,
    /// everything else literal text.
    pub fn template<'t: 'a>(text: &'t str, resolve: impl Fn(&'t str) -> Slot<'a>) -> Value<'a> {
        let mut value = Value::default();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            let after = &rest[start + 2..];
            match after
                .find("}}")
                .filter(|end| crate::usecase::is_name(&after[..*end]))
            {
                Some(end) => {
                    value = value
                        .then(Value::lit(&rest[..start]))
                        .then(Value::slot(resolve(&after[..end])));
                    rest = &after[end + 2..];
                }
                None => {
                    value = value.then(Value::lit(&rest[..start + 2]));
                    rest = after;
                }
            }
        }
        value.then(Value::lit(rest)).without_empty()
    }

    /// Drops empty literal parts (a template that starts with a slot).
    fn without_empty(mut self) -> Value<'a> {
        self.0
            .retain(|p| !matches!(p, Part::Lit(t) if t.is_empty()));
        self
    }

    /// The slots the value holds, in order.
    pub fn slots(&self) -> impl Iterator<Item = Slot<'a>> + '_ {
        self.0.iter().filter_map(|p| match p {
            Part::Slot(s) => Some(*s),
            Part::Lit(_) => None,
        })
    }

    /// `self` then `other`, adjacent literals merged.
    pub fn then(mut self, other: Value<'a>) -> Value<'a> {
        for part in other.0 {
            match (self.0.last_mut(), part) {
                (Some(Part::Lit(a)), Part::Lit(b)) => a.push_str(&b),
                (_, part) => self.0.push(part),
            }
        }
        self
    }

    /// The one lowering: each part as literal text or what `binder` wrote.
    pub fn lower<'v, B: Binder>(&'v self, at: At, binder: &B) -> Vec<Piece<'v, B::Out>> {
        self.0
            .iter()
            .map(|part| match part {
                Part::Lit(text) => Piece::Lit(text),
                Part::Slot(slot) => Piece::Bound(binder.slot(*slot, at)),
            })
            .collect()
    }

    /// The value as text, for binders that write text.
    pub fn text<B: Binder<Out = Text>>(&self, at: At, binder: &B, encoding: Encoding) -> String {
        self.lower(at, binder)
            .into_iter()
            .map(|piece| match piece {
                Piece::Lit(text) => encode_at(text, at, encoding),
                Piece::Bound(Text::Value(text)) => {
                    encode_slot(&text, at, encoding).into_owned().into()
                }
                Piece::Bound(Text::Placeholder(text)) => Cow::Owned(text),
            })
            .collect()
    }
}

/// A slot's value as it stands at `at`: as `encode_at` writes text, but in
/// a path it is one segment, whatever it holds: its `/` encoded too, and a
/// `.` or `..` as `%2E`s, so a captured `../../x` names no other record.
pub fn encode_slot(text: &str, at: At, encoding: Encoding) -> Cow<'_, str> {
    match (encoding, at) {
        (Encoding::Url, At::Path) => match encode(text, b"") {
            dots if dots == "." || dots == ".." => Cow::Owned(dots.replace('.', "%2E")),
            segment => Cow::Owned(segment),
        },
        _ => encode_at(text, at, encoding),
    }
}

/// Text as it stands at `at` in a URL. A query value is percent-encoded but
/// for unreserved characters and the `[ ] ,` of `fields` and `in` lists,
/// which stay readable; a path keeps its `/`; a host is already valid.
pub fn encode_at(text: &str, at: At, encoding: Encoding) -> Cow<'_, str> {
    match (encoding, at) {
        (Encoding::Url, At::Query) => Cow::Owned(encode(text, b"[],")),
        (Encoding::Url, At::Path) => Cow::Owned(encode(text, b"/")),
        _ => Cow::Borrowed(text),
    }
}

/// A query key as it stands in a URL: Coupa's brackets kept.
pub fn encode_key(key: &str) -> String {
    encode(key, b"[]")
}

/// Percent-encodes all but RFC 3986 unreserved characters and `keep`.
pub fn encode(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(b as char);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.extend([
                '%',
                HEX[usize::from(b >> 4)].into(),
                HEX[usize::from(b & 15)].into(),
            ]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes every slot as `<name@place>`, so a test sees what was asked.
    struct Names;
    impl Binder for Names {
        type Out = Text;
        fn slot(&self, slot: Slot, at: At) -> Text {
            Text::Placeholder(format!("<{slot:?}@{at:?}>"))
        }
    }

    /// Writes every slot as a real value with characters a URL must encode.
    struct Real;
    impl Binder for Real {
        type Out = Text;
        fn slot(&self, _: Slot, _: At) -> Text {
            Text::Value("a b/c".into())
        }
    }

    #[test]
    fn lowering_keeps_order_and_asks_the_binder_for_each_slot_at_its_place() {
        let v = Value::lit("Bearer ").then(Value::slot(Slot::Auth(AuthValue::AccessToken)));
        assert_eq!(
            v.text(At::Header, &Names, Encoding::Url),
            "Bearer <Auth(AccessToken)@Header>"
        );
    }

    #[test]
    fn a_template_makes_slots_of_names_and_keeps_the_rest() {
        let v = Value::template(r#"/api/x/{{id}}?[{"a":{"b":1}}]{{"#, |n| {
            Slot::Input(if n == "id" { "id" } else { "?" })
        });
        assert_eq!(
            v.parts(),
            [
                Part::Lit("/api/x/".into()),
                Part::Slot(Slot::Input("id")),
                Part::Lit(r#"?[{"a":{"b":1}}]{{"#.into()),
            ]
        );
        let only = Value::template("{{id}}", |_| Slot::Captured("id"));
        assert_eq!(only.parts(), [Part::Slot(Slot::Captured("id"))]);
    }

    #[test]
    fn then_merges_adjacent_literals() {
        let v = Value::lit("a").then(Value::lit("b"));
        assert_eq!(v.parts(), [Part::Lit("ab".into())]);
    }

    #[test]
    fn url_text_encodes_literals_and_real_values_but_never_placeholders() {
        let v = Value::lit("x:y ").then(Value::slot(Slot::Conn(Conn::Domain)));
        let cases = [
            (
                "query, real",
                v.text(At::Query, &Real, Encoding::Url),
                "x%3Ay%20a%20b%2Fc",
            ),
            (
                "query, placeholder",
                v.text(At::Query, &Names, Encoding::Url),
                "x%3Ay%20<Conn(Domain)@Query>",
            ),
            (
                "query, raw",
                v.text(At::Query, &Real, Encoding::Raw),
                "x:y a b/c",
            ),
            (
                // A slot's value is one segment: its `/` encoded too.
                "path, real",
                v.text(At::Path, &Real, Encoding::Url),
                "x%3Ay%20a%20b%2Fc",
            ),
            (
                "form, real",
                v.text(At::Form, &Real, Encoding::Url),
                "x:y a b/c",
            ),
        ];
        for (what, got, expected) in cases {
            assert_eq!(got, expected, "{what}");
        }
    }

    #[test]
    fn a_path_slot_is_one_segment() {
        let seg = |t| encode_slot(t, At::Path, Encoding::Url).into_owned();
        assert_eq!(seg("../../../evil/path"), "..%2F..%2F..%2Fevil%2Fpath");
        assert_eq!(seg(".."), "%2E%2E");
        assert_eq!(seg("."), "%2E");
        assert_eq!(seg("a b?c#d"), "a%20b%3Fc%23d");
        assert_eq!(encode_slot("a/b", At::Query, Encoding::Url), "a%2Fb");
    }

    #[test]
    fn encode_keeps_unreserved_and_encodes_the_rest() {
        assert_eq!(
            encode("2024-01-01T00:00:00+00:00", b""),
            "2024-01-01T00%3A00%3A00%2B00%3A00"
        );
        assert_eq!(encode("a b&c=d", b""), "a%20b%26c%3Dd");
        assert_eq!(encode("é", b""), "%C3%A9");
        assert_eq!(encode_key("updated_at[gt]"), "updated_at[gt]");
    }
}
