//! A request's JSON body as the formats write it: the document with a hole
//! for each value, and the values the Postman, Bruno and HTTP-file scripts
//! turn into JSON before the request is sent (a client pastes a variable's
//! text as it stands, so a `"` in a value would end its string).

use std::borrow::Cow;

use serde::Serialize;

use crate::kit::{Json, Slot};

/// A piece of a body's text: JSON as written, or the hole of one value.
pub enum Piece<'a> {
    Json(String),
    Hole { slot: Slot<'a>, typed: bool },
}

/// The document, two-space indented, as JSON text between the holes of its
/// values, in order.
pub fn pieces<'a>(json: &Json<'a>) -> Vec<Piece<'a>> {
    // Each leaf is a marker string first (a NUL never reaches a body's JSON
    // text unescaped); serde_json writes the document, then the text is
    // split at the markers.
    let mut holes = Vec::new();
    let tree = json.fill(&mut |slot, typed| {
        holes.push((slot, typed));
        serde_json::Value::String(marker(holes.len() - 1))
    });
    let text = serde_json::to_string_pretty(&tree).expect("a JSON tree serializes");
    let mut out = Vec::with_capacity(2 * holes.len() + 1);
    let mut rest = text.as_str();
    for (i, (slot, typed)) in holes.into_iter().enumerate() {
        let quoted = serde_json::Value::String(marker(i)).to_string();
        let (before, after) = rest
            .split_once(&quoted)
            .expect("each marker is in the text once");
        out.push(Piece::Json(before.to_owned()));
        out.push(Piece::Hole { slot, typed });
        rest = after;
    }
    out.push(Piece::Json(rest.to_owned()));
    out
}

/// The document with each value's leaf what `hole` writes for it (a
/// placeholder, a Mustache tag, a jq variable).
pub fn text(json: &Json, hole: &mut impl FnMut(Slot, bool) -> String) -> String {
    pieces(json)
        .into_iter()
        .map(|piece| match piece {
            Piece::Json(text) => text,
            Piece::Hole { slot, typed } => hole(slot, typed),
        })
        .collect()
}

fn marker(i: usize) -> String {
    format!("\u{0}{i}\u{0}")
}

/// A value a script writes as JSON into the variable its hole names.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Filled<'a> {
    /// `json_reason`: what the body's hole names.
    pub variable: String,
    /// The variable that holds the value itself.
    pub name: Cow<'a, str>,
    /// A number or boolean, written as itself; else a JSON string.
    pub typed: bool,
}

/// The variable a body's hole names, for the value in `name`.
pub fn variable(name: &str) -> String {
    format!("json_{name}")
}

/// Each value of `json` as a script fills it in, named by `name`.
pub fn filled<'a>(json: &Json<'a>, name: impl Fn(Slot<'a>) -> Cow<'a, str>) -> Vec<Filled<'a>> {
    json.slots()
        .into_iter()
        .map(|(slot, typed)| {
            let name = name(slot);
            Filled {
                variable: variable(&name),
                name,
                typed,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::Conn;

    #[test]
    fn each_value_is_its_hole_and_the_rest_is_json() {
        let json = Json::Object(vec![
            ("a-b".into(), Json::Fixed(serde_json::json!("x\"y"))),
            (
                "n".into(),
                Json::Slot {
                    slot: Slot::Conn(Conn::Domain),
                    typed: true,
                },
            ),
            (
                "list".into(),
                Json::Array(vec![Json::Slot {
                    slot: Slot::Conn(Conn::Scopes),
                    typed: false,
                }]),
            ),
        ]);
        let text = text(&json, &mut |slot, typed| {
            format!("<{}:{typed}>", slot.name())
        });
        assert_eq!(
            text,
            "{\n  \"a-b\": \"x\\\"y\",\n  \"n\": <domain:true>,\n  \"list\": [\n    <scopes:false>\n  ]\n}"
        );
    }
}
