//! Escapers, one per output syntax: every value reaches an artifact through
//! one of these (templates call them as helpers; the YAML emitter and the
//! HTTP file's script configs call them from Rust).

use std::borrow::Cow;

/// Single-quotes a shell word, as Postman's curl generator does: quoting is
/// always visible, and `'` becomes `'\''`.
pub fn quote(s: &str) -> String {
    let escaped = shell_escape::unix::escape(s.into());
    if escaped.starts_with('\'') {
        escaped.into_owned()
    } else {
        // shell_escape left it bare: it holds only safe characters.
        format!("'{escaped}'")
    }
}

/// Free text on one line (a comment, a heading): control characters become
/// spaces so the text cannot break out of its line. Text with none, nearly
/// every value, is given back as it is: templates write thousands.
pub fn one_line(text: &str) -> Cow<'_, str> {
    if !has_control(text) {
        return Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Whether `text` holds a control character (`char::is_control`: C0, DEL,
/// C1). First a scan of its UTF-8 bytes with no branch (the compiler makes
/// it vector code) for C0, DEL and the lead byte of C1 (U+0080..=U+009F is
/// `C2 80..=9F`); only text with one of those is read char by char.
fn has_control(text: &str) -> bool {
    let suspect = text.bytes().fold(false, |seen, b| {
        seen | (b < 0x20) | (b == 0x7f) | (b == 0xc2)
    });
    suspect && text.chars().any(char::is_control)
}

/// serde's JSON text of `value`, with DEL and the C1 controls as `\u`
/// escapes too: JSON allows them raw and serde writes them so, but a line
/// format's [`one_line`] or a YAML scalar would turn them into spaces, and
/// a value (a pick's, a guard's) would no longer read back as itself.
pub fn json_text(value: &serde_json::Value) -> String {
    controls_escaped(compact(value))
}

/// JSON text (serde's) as [`json_text`] gives it: DEL and C1 escaped.
pub fn controls_escaped(text: String) -> String {
    if !has_control(&text) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 8);
    push_controls_escaped(&mut out, &text);
    out
}

/// Appends JSON text with every control character that is still raw as a
/// `\u` escape: serde escapes C0, so only DEL and C1 are left, and only
/// inside strings (outside them serde writes none).
fn push_controls_escaped(out: &mut String, json: &str) {
    for c in json.chars() {
        match c.is_control() {
            true => push_u_escape(out, c),
            false => out.push(c),
        }
    }
}

fn push_u_escape(out: &mut String, c: char) {
    use std::fmt::Write;
    let _ = write!(out, "\\u{:04x}", c as u32);
}

/// A JavaScript literal (string, number, array) that stays inside an HTTP
/// file's `{% %}` script block: JSON, with `%`, `{` and `}` as `\u` escapes,
/// so that no `%}` ends the block and no `{{` reads as a variable, and DEL
/// and C1 escaped as [`json_text`] escapes them. Outside a string those
/// characters cannot occur: JSON puts braces only around objects, which this
/// is never given.
pub fn js_literal(value: &serde_json::Value) -> String {
    let mut out = String::new();
    push_js_literal(&mut out, &compact(value));
    out
}

/// A value's compact JSON text, as its `Display` writes it, from serde's
/// own writer: `Display` goes through `fmt` a piece at a time, 4% of a big
/// kit's instructions.
fn compact(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("a JSON value serializes")
}

/// Appends `json` (a value's JSON text) as [`js_literal`] writes it.
fn push_js_literal(out: &mut String, json: &str) {
    // U+2028 and U+2029 are E2 80 A8 and E2 80 A9, and C1 is C2 80..=9F:
    // text with none of these bytes (nor DEL), most of it, is copied whole.
    let suspect = json.bytes().fold(false, |seen, b| {
        seen | matches!(b, b'%' | b'{' | b'}' | 0x7f | 0xc2 | 0xe2)
    });
    if !suspect {
        out.push_str(json);
        return;
    }
    for c in json.chars() {
        match c {
            '%' | '{' | '}' | '\u{2028}' | '\u{2029}' => push_u_escape(out, c),
            c if c.is_control() => push_u_escape(out, c),
            c => out.push(c),
        }
    }
}

/// A JSON value's text (serde's) as a JavaScript literal that stays inside
/// an HTTP file's `{% %}` script block: objects and lists as JSON, every
/// string (keys too) as [`js_literal`] writes it.
pub fn js_text(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    push_strings_as_js(&mut out, json);
    out
}

/// Appends JSON text with what [`push_js_literal`] escapes escaped inside
/// its strings only: outside them serde writes braces (objects) and
/// nothing else that it escapes. One pass over one serde text, not a
/// text a key and a leaf (a big kit's HTTP scripts made 7,000 of them).
fn push_strings_as_js(out: &mut String, json: &str) {
    let (mut in_string, mut after_backslash, mut from) = (false, false, 0);
    for (i, b) in json.bytes().enumerate() {
        if !in_string {
            in_string = b == b'"';
            continue;
        }
        if after_backslash {
            after_backslash = false;
            continue;
        }
        match b {
            b'\\' => after_backslash = true,
            b'"' => in_string = false,
            // `%`, braces, DEL, and the lead bytes of C1 (C2) and of
            // U+2028 / U+2029 (E2): the char there decides.
            b'%' | b'{' | b'}' | 0x7f | 0xc2 | 0xe2 => {
                let c = json[i..].chars().next().expect("a char starts here");
                if matches!(c, '%' | '{' | '}' | '\u{2028}' | '\u{2029}') || c.is_control() {
                    out.push_str(&json[from..i]);
                    push_u_escape(out, c);
                    from = i + c.len_utf8();
                }
            }
            _ => {}
        }
    }
    out.push_str(&json[from..]);
}

/// A Markdown code span: a backtick fence longer than any run inside.
pub fn code_span(text: &str) -> String {
    let longest_run = match text.contains('`') {
        true => text.split(|c| c != '`').map(str::len).max().unwrap_or(0),
        false => 0,
    };
    let fence = &"`".repeat(longest_run + 1);
    // A code span strips one space from each end when both are there (unless
    // it is all spaces), and a leading or trailing backtick would merge with
    // the fence: pad then.
    let all_spaces = text.chars().all(|c| c == ' ');
    let pad = if !all_spaces && (text.starts_with(['`', ' ']) || text.ends_with(['`', ' '])) {
        " "
    } else {
        ""
    };
    // Joined by hand: `format!` was 1% of a big kit's instructions here.
    let mut out = String::with_capacity(text.len() + 2 * (fence.len() + pad.len()));
    for piece in [fence, pad, text, pad, fence] {
        out.push_str(piece);
    }
    out
}

/// A Markdown code span that survives a table cell: `|` escaped too (GFM
/// splits cells before it reads code spans). Outside a table, use
/// [`code_span`]: there the backslash would show.
pub fn md_cell_code(text: &str) -> String {
    // An empty code span would show its backticks: an empty cell says "nothing".
    if text.is_empty() {
        return String::new();
    }
    code_span(&text.replace('|', "\\|"))
}

/// Writes a YAML scalar that reads back as `text` onto `out`: plain when it
/// is a name or a dotted reference (`data.user`), single-quoted otherwise
/// (`'` doubled), so no value is read as a number, a boolean, null or YAML
/// syntax. Written in place: the emitter writes every key and scalar of a
/// document this way.
fn push_yaml_scalar(out: &mut String, text: &str) {
    const WORDS: [&str; 9] = ["true", "false", "yes", "no", "on", "off", "y", "n", "null"];
    let plain = text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        && !WORDS.iter().any(|w| text.eq_ignore_ascii_case(w));
    if plain {
        out.push_str(text);
        return;
    }
    out.push('\'');
    // Most scalars hold no quote and no control character: copied whole.
    match text.contains('\'') || has_control(text) {
        false => out.push_str(text),
        true => {
            for c in text.chars() {
                match c {
                    '\'' => out.push_str("''"),
                    c if c.is_control() => out.push(' '),
                    c => out.push(c),
                }
            }
        }
    }
    out.push('\'');
}

/// A JSON tree as a YAML document: block mappings and sequences, every key
/// and scalar through [`push_yaml_scalar`], so the document reads back as the tree.
pub fn yaml_document(value: &serde_json::Value) -> String {
    let mut out = String::new();
    yaml_node(value, 0, None, &mut out);
    out
}

/// Writes `value` onto `out` when it is a leaf (a scalar, or an empty list
/// or mapping); a block (see [`is_block`]) writes nothing.
fn push_yaml_leaf(out: &mut String, value: &serde_json::Value) {
    use serde_json::Value as J;
    match value {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Number(n) => out.push_str(&n.to_string()),
        J::String(s) => push_yaml_scalar(out, s),
        J::Array(a) if a.is_empty() => out.push_str("[]"),
        J::Object(o) if o.is_empty() => out.push_str("{}"),
        J::Array(_) | J::Object(_) => {}
    }
}

fn is_block(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Array(a) => !a.is_empty(),
        serde_json::Value::Object(o) => !o.is_empty(),
        _ => false,
    }
}

/// Writes `value` at `indent` spaces into `out`. `lead`, when given, stands
/// in for the first line's indent: a list item's `- ` shares the line of the
/// item's first key. Written in one pass, straight into `out`: a copy of each
/// subtree per level of nesting made a large document quadratic.
fn yaml_node(value: &serde_json::Value, indent: usize, lead: Option<&str>, out: &mut String) {
    use serde_json::Value as J;
    let mut lead = lead;
    let mut start_line = |out: &mut String| match lead.take() {
        Some(lead) => out.push_str(lead),
        None => out.extend(std::iter::repeat_n(' ', indent)),
    };
    match value {
        J::Object(map) => {
            for (key, v) in map {
                start_line(out);
                push_yaml_scalar(out, key);
                if is_block(v) {
                    out.push_str(":\n");
                    yaml_node(v, indent + 2, None, out);
                } else {
                    out.push_str(": ");
                    push_yaml_leaf(out, v);
                    out.push('\n');
                }
            }
        }
        J::Array(items) => {
            for item in items {
                if is_block(item) {
                    // The item's first line shares the dash's line.
                    let mut dash = String::new();
                    start_line(&mut dash);
                    dash.push_str("- ");
                    yaml_node(item, indent + 2, Some(&dash), out);
                } else {
                    start_line(out);
                    out.push_str("- ");
                    push_yaml_leaf(out, item);
                    out.push('\n');
                }
            }
        }
        leaf => {
            start_line(out);
            push_yaml_leaf(out, leaf);
            out.push('\n');
        }
    }
}

/// A fenced code block's fence: longer than any backtick run in `text`.
pub fn fence_for(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_finds_every_control_character_by_its_bytes() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let text = format!("a{c}b");
            assert_eq!(has_control(&text), c.is_control(), "U+{:04X}", c as u32);
            let want: String = text
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect();
            assert_eq!(one_line(&text), want, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn del_and_c1_are_escaped_so_a_value_reads_back_through_its_line() {
        let value = serde_json::Value::from("a\u{1}b\u{7f}c\u{85}d\u{9f}e\u{2028}f");
        for (how, text) in [
            ("json_text", json_text(&value)),
            ("js_literal", js_literal(&value)),
        ] {
            assert_eq!(one_line(&text), text, "{how}: nothing left for one_line");
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(back, value, "{how}: {text}");
        }
        // U+2028 is no control: JSON and JavaScript take it raw (js_literal
        // escapes it for httpyac's blocks).
        assert_eq!(
            json_text(&value),
            "\"a\\u0001b\\u007fc\\u0085d\\u009fe\u{2028}f\""
        );
        assert_eq!(json_text(&"plain".into()), r#""plain""#);
    }

    #[test]
    fn yaml_scalars_are_plain_only_when_safe() {
        let yaml_scalar = |text: &str| {
            let mut out = String::new();
            push_yaml_scalar(&mut out, text);
            out
        };
        assert_eq!(yaml_scalar("data.coupa_user"), "data.coupa_user");
        assert_eq!(yaml_scalar(r#"data.x[0]["a-b"]"#), r#"'data.x[0]["a-b"]'"#);
        assert_eq!(yaml_scalar("it's"), "'it''s'");
        assert_eq!(yaml_scalar("true"), "'true'");
        assert_eq!(yaml_scalar("12"), "'12'");
        assert_eq!(yaml_scalar(""), "''");
    }

    #[test]
    fn a_yaml_document_nests_maps_and_lists() {
        let tree =
            serde_json::json!({"a": {"b": [1, {"c": "x y", "d": []}], "e": {}}, "200": true});
        assert_eq!(
            yaml_document(&tree),
            "a:\n  b:\n    - 1\n    - c: 'x y'\n      d: []\n  e: {}\n'200': true\n"
        );
    }

    #[test]
    fn an_empty_cell_stays_empty() {
        assert_eq!(md_cell_code(""), "");
    }

    #[test]
    fn md_cell_code_fences_backticks_and_escapes_pipes() {
        assert_eq!(md_cell_code("a|b"), r"`a\|b`");
        assert_eq!(md_cell_code("x `y` z"), "``x `y` z``");
        assert_eq!(md_cell_code("`y`"), "`` `y` ``");
    }

    // Found by the Markdown property test: a filter value of one space read
    // back as three, since all-space code spans are not stripped.
    #[test]
    fn code_span_keeps_an_all_space_value() {
        assert_eq!(code_span(" "), "` `");
        assert_eq!(code_span(" a "), "`  a  `");
    }

    #[test]
    fn code_span_outside_a_table_leaves_pipes_alone() {
        assert_eq!(code_span("x`y|z"), "``x`y|z``");
    }

    #[test]
    fn a_js_string_hides_what_would_end_a_script_block() {
        assert_eq!(
            js_literal(&"a%}b{{c}}\"\n".into()),
            r#""a\u0025\u007db\u007b\u007bc\u007d\u007d\"\n""#
        );
        assert_eq!(js_literal(&serde_json::json!(["0", "id"])), r#"["0","id"]"#);
    }

    #[test]
    fn a_js_value_escapes_keys_and_every_leaf_in_one_text() {
        let value = serde_json::json!({"a{": ["%", "\u{2028}", 1, {"}": null}], "b": "plain"});
        assert_eq!(
            js_value(&value),
            r#"{"a\u007b":["\u0025","\u2028",1,{"\u007d":null}],"b":"plain"}"#
        );
    }

    fn js_value(value: &serde_json::Value) -> String {
        js_text(&compact(value))
    }

    /// [`js_text`] as defined: the tree written a string at a time.
    fn js_value_by_parts(value: &serde_json::Value) -> String {
        use serde_json::Value as J;
        match value {
            J::Object(map) => {
                let entries: Vec<String> = map
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{}:{}",
                            js_literal(&J::from(k.as_str())),
                            js_value_by_parts(v)
                        )
                    })
                    .collect();
                format!("{{{}}}", entries.join(","))
            }
            J::Array(items) => {
                let items: Vec<String> = items.iter().map(js_value_by_parts).collect();
                format!("[{}]", items.join(","))
            }
            leaf => js_literal(leaf),
        }
    }

    fn arbitrary_json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        // Characters every escape path decides on, among any others.
        let text = prop_oneof![
            proptest::string::string_regex(
                "[%{}\"\\\\\u{7f}\u{85}\u{9f}\u{a0}\u{2028}\u{2029}\u{2030}\n a]{0,8}"
            )
            .unwrap(),
            any::<String>(),
        ];
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            text.clone().prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 32, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
                proptest::collection::vec((text.clone(), inner), 0..6)
                    .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn js_text_is_each_string_escaped_on_its_own(value in arbitrary_json()) {
            let text = js_value(&value);
            proptest::prop_assert_eq!(&text, &js_value_by_parts(&value));
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            proptest::prop_assert_eq!(back, value);
        }
    }

    #[test]
    fn quote_always_shows_quotes() {
        assert_eq!(quote("plain"), "'plain'");
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
