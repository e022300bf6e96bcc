//! JSON text laid out as serde_json's pretty printer lays it out (two-space
//! indent), a piece at a time as a template renders it, then parsed back
//! whole before it leaves: a template bug is an error, not a broken file.
//!
//! Why not serde_json itself: its pretty printer needs the whole compact
//! text first (a big kit's Postman collection is 0.8 MB of it, held beside
//! the 1.1 MB it becomes). This moves only whitespace; the bytes of every
//! string, number and literal pass through as the `json` helper wrote them
//! (serde_json's own output), so the layout is the one serde_json would
//! give, and the parse back checks the rest.

use crate::Error;

/// The laid-out text so far, and where the next piece lands in it.
pub struct Pretty {
    out: Vec<u8>,
    depth: usize,
    /// Just after `{` or `[`: the first member goes on a line of its own,
    /// unless the container closes at once (`{}`, `[]`).
    opened: bool,
    in_string: bool,
    /// The last byte was a backslash inside a string.
    escaped: bool,
    /// Whitespace since the last bare token byte (a number or literal):
    /// kept as one space when another follows, so `1 2` stays invalid and
    /// is not joined into `12`.
    gap: bool,
}

impl Pretty {
    pub fn new() -> Self {
        Pretty {
            out: Vec::new(),
            depth: 0,
            opened: false,
            in_string: false,
            escaped: false,
            gap: false,
        }
    }

    /// Lays out the next piece of the text; a token may run across pieces.
    pub fn push(&mut self, piece: &str) {
        let bytes = piece.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if self.in_string {
                i = self.string(bytes, i);
                continue;
            }
            let b = bytes[i];
            i += 1;
            match b {
                b' ' | b'\n' | b'\r' | b'\t' => self.gap = true,
                b'{' | b'[' => {
                    self.member();
                    self.out.push(b);
                    self.depth += 1;
                    self.opened = true;
                }
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if !std::mem::take(&mut self.opened) {
                        self.newline();
                    }
                    self.out.push(b);
                }
                b',' => {
                    self.out.push(b',');
                    self.newline();
                }
                b':' => self.out.extend_from_slice(b": "),
                b'"' => {
                    self.member();
                    self.out.push(b);
                    self.in_string = true;
                }
                _ => {
                    let bare = self.out.last().is_some_and(|l| is_bare(*l));
                    if self.gap && bare {
                        self.out.push(b' ');
                    }
                    self.member();
                    self.out.push(b);
                }
            }
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                self.gap = false;
            }
        }
    }

    /// The laid-out text with a newline at the end, once it parses back as
    /// one JSON value; `name` is what rendered it.
    pub fn finish(mut self, name: &str) -> Result<String, Error> {
        serde_json::from_slice::<serde::de::IgnoredAny>(&self.out).map_err(|e| {
            Error::Failed(format!("{name} rendered invalid JSON ({e}); this is a bug"))
        })?;
        self.out.push(b'\n');
        self.out.shrink_to_fit();
        String::from_utf8(self.out).map_err(|e| Error::Failed(format!("{name}: {e}")))
    }

    /// Copies string bytes from `i` up to and including the closing quote,
    /// or to the piece's end; returns where it stopped.
    fn string(&mut self, bytes: &[u8], i: usize) -> usize {
        if std::mem::take(&mut self.escaped) {
            self.out.push(bytes[i]);
            return i + 1;
        }
        match memchr::memchr2(b'"', b'\\', &bytes[i..]) {
            None => {
                self.out.extend_from_slice(&bytes[i..]);
                bytes.len()
            }
            Some(n) => {
                let at = i + n;
                self.out.extend_from_slice(&bytes[i..=at]);
                match bytes[at] {
                    b'"' => self.in_string = false,
                    _ => self.escaped = true,
                }
                at + 1
            }
        }
    }

    /// Before a value or key: the line of a container's first member.
    fn member(&mut self) {
        if std::mem::take(&mut self.opened) {
            self.newline();
        }
    }

    fn newline(&mut self) {
        self.out.push(b'\n');
        for _ in 0..self.depth {
            self.out.extend_from_slice(b"  ");
        }
    }
}

/// A byte of a number or literal (`true`, `false`, `null`).
fn is_bare(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::Value as Json;

    fn laid_out(pieces: &[&str]) -> Result<String, Error> {
        let mut pretty = Pretty::new();
        for piece in pieces {
            pretty.push(piece);
        }
        pretty.finish("test")
    }

    fn json() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::Bool),
            any::<i64>().prop_map(Json::from),
            any::<f64>().prop_map(Json::from),
            "\\PC{0,6}|[\"\\\\\\x00-\\x1f]{0,3}".prop_map(Json::String),
        ];
        leaf.prop_recursive(4, 40, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Json::Array),
                prop::collection::vec(("\\PC{0,4}", inner), 0..5)
                    .prop_map(|entries| Json::Object(entries.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn it_lays_out_any_json_as_serde_json_does(value in json(), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6)) {
            let want = format!("{}\n", serde_json::to_string_pretty(&value).unwrap());
            // From compact text and from text laid out some other way, cut
            // into pieces anywhere (a piece may end inside a string or an
            // escape).
            let compact = serde_json::to_string(&value).unwrap();
            let mut spaced = Vec::new();
            let odd = serde_json::ser::PrettyFormatter::with_indent(b" \t\r\n");
            value.serialize(&mut serde_json::Serializer::with_formatter(&mut spaced, odd)).unwrap();
            let spaced = String::from_utf8(spaced).unwrap();
            for text in [compact, want.clone(), spaced] {
                let mut at: Vec<usize> = cuts.iter().map(|c| c.index(text.len() + 1)).filter(|&i| text.is_char_boundary(i)).collect();
                at.sort_unstable();
                let mut pieces = Vec::new();
                let mut from = 0;
                for i in at.into_iter().chain([text.len()]) {
                    pieces.push(&text[from..i]);
                    from = i;
                }
                prop_assert_eq!(laid_out(&pieces).unwrap(), want.clone());
            }
        }
    }

    #[test]
    fn a_template_bug_is_an_error_not_a_file() {
        for bad in [
            r#"{"a": 1 2}"#,
            r#"{"a" "b"}"#,
            r#"[1,]"#,
            r#"{"a": tru e}"#,
            r#"{"a": 1}{"#,
            r#"["unclosed]"#,
        ] {
            let e = laid_out(&[bad]).expect_err(bad).to_string();
            assert!(e.contains("test rendered invalid JSON"), "{bad}: {e}");
        }
    }

    #[test]
    fn empty_containers_stay_on_their_line() {
        assert_eq!(
            laid_out(&["{ \"a\": [ ], \"b\": {\n} }"]).unwrap(),
            "{\n  \"a\": [],\n  \"b\": {}\n}\n"
        );
    }
}
