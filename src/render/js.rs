//! How every kit's JavaScript is written: a fixed text (the files under
//! `templates/postman/`, `templates/bruno/` and `templates/http/`), the same
//! in every kit, led by the one `config` object the kit serializes for it.
//! Which pieces a script joins, and its config, are the view's decisions;
//! nothing in the JavaScript is templated.

use std::borrow::Cow;
use std::sync::OnceLock;

use serde::Serialize;

/// A script's lines: the config's made for the kit, the fixed pieces'
/// borrowed from the binary (a big kit writes them hundreds of times).
pub type Lines = Vec<Cow<'static, str>>;

/// A script as a view gives it to a block helper (`bru_block`,
/// `http_block`): its lines joined by newlines. One string in the view's
/// tree, not one a line: a big kit's Bruno and HTTP views held tens of
/// thousands of lines, each copied into the tree and freed after.
pub fn block(lines: &[Cow<'static, str>]) -> String {
    lines.join("\n")
}

/// The fixed piece in `file` under `templates/`, e.g.
/// `fixed!("bruno/pace.js")`: the one place that says where pieces live.
macro_rules! fixed {
    ($file:literal) => {
        $crate::render::js::Fixed::new(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/",
            $file
        )))
    };
}
pub(crate) use fixed;

/// A fixed piece of a script (a file under `templates/`), split into its
/// lines the first time a script joins it: a big kit joins the same piece
/// to hundreds of scripts (splitting each time was 2.5% of its work).
pub struct Fixed {
    text: &'static str,
    lines: OnceLock<Box<[&'static str]>>,
}

impl Fixed {
    pub const fn new(text: &'static str) -> Self {
        Fixed {
            text,
            lines: OnceLock::new(),
        }
    }

    // Each piece is whole lines (a test holds them to it), so its lines
    // are the joined text's.
    fn lines(&self) -> &[&'static str] {
        self.lines.get_or_init(|| self.text.lines().collect())
    }
}

/// The script's lines: `const config = {`, a line a key, `};`, then the
/// fixed pieces. `literal` writes each value from serde's JSON text of it:
/// as it stands (a JavaScript literal), or in a form a client's script
/// block needs.
pub fn script(
    config: &impl Serialize,
    pieces: &[&'static Fixed],
    literal: fn(&str) -> String,
) -> Lines {
    // One serde text of the config, read back a field at a time as the
    // text it holds: a tree of the config, made and freed for each of a
    // big kit's 800 scripts, was 3% of its work.
    let text = serde_json::to_string(config).expect("a script's config serializes");
    let Fields(keys) = serde_json::from_str(&text)
        .expect("a script's config is a struct, its keys field names with no JSON escape");
    let last = keys.len().saturating_sub(1);
    let fixed: usize = pieces.iter().map(|p| p.lines().len()).sum();
    let mut lines: Lines = Vec::with_capacity(keys.len() + 2 + fixed);
    lines.push("const config = {".into());
    lines.extend(keys.iter().enumerate().map(|(i, (key, value))| {
        let comma = if i == last { "" } else { "," };
        let key = serde_json::to_string(key).expect("a str serializes");
        let (key, value) = (literal(&key), literal(value.get()));
        // Joined by hand: `format!` here was 2% of a big kit's instructions.
        let mut line = String::with_capacity(key.len() + value.len() + 5);
        for piece in ["  ", &key, ": ", &value, comma] {
            line.push_str(piece);
        }
        Cow::Owned(line)
    }));
    lines.push("};".into());
    for piece in pieces {
        lines.extend(piece.lines().iter().map(|l| Cow::Borrowed(*l)));
    }
    lines
}

/// A JSON object's fields in order, each value its text as written.
struct Fields<'a>(Vec<(&'a str, &'a serde_json::value::RawValue)>);

impl<'de> serde::Deserialize<'de> for Fields<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(8));
                // A key is borrowed: a config's keys are its field names,
                // which need no JSON escape.
                while let Some(field) = map.next_entry()? {
                    fields.push(field);
                }
                Ok(Fields(fields))
            }
        }
        d.deserialize_map(Visit)
    }
}

/// serde's JSON, a JavaScript literal as it stands, with DEL and C1
/// escaped too ([`super::escape::json_text`]): Bruno's scripts sit in a
/// line format.
pub fn json(text: &str) -> String {
    super::escape::controls_escaped(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_piece_is_whole_lines() {
        fn walk(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, found);
                } else if path.extension().is_some_and(|e| e == "js") {
                    found.push(path);
                }
            }
        }
        let mut pieces = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates"),
            &mut pieces,
        );
        assert!(pieces.len() > 20, "{pieces:?}");
        for path in pieces {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                text.ends_with('\n'),
                "{} does not end its last line",
                path.display()
            );
        }
    }

    #[test]
    fn a_piece_joined_to_another_still_ends_its_last_line() {
        static A: Fixed = Fixed::new("a();\n");
        static B: Fixed = Fixed::new("b();\n");
        let lines = script(&serde_json::json!({}), &[&A, &B], json);
        assert_eq!(lines[2..], ["a();", "b();"]);
    }

    #[test]
    fn the_config_leads_with_a_line_a_key_then_the_pieces() {
        static ONE: Fixed = Fixed::new("one();\n");
        static TWO: Fixed = Fixed::new("two();\n");
        #[derive(Serialize)]
        struct Config {
            a: &'static str,
            b: Vec<u8>,
        }
        let lines = script(
            &Config {
                a: "x\"y",
                b: vec![1, 2],
            },
            &[&ONE, &TWO],
            json,
        );
        assert_eq!(
            lines,
            [
                "const config = {",
                r#"  "a": "x\"y","#,
                r#"  "b": [1,2]"#,
                "};",
                "one();",
                "two();"
            ]
        );
    }
}
