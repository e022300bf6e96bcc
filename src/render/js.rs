//! How every kit's JavaScript is written: a fixed text (the files under
//! `templates/postman/`, `templates/bruno/` and `templates/http/`), the same
//! in every kit, led by the one `config` object the kit serializes for it.
//! Which pieces a script joins, and its config, are the view's decisions;
//! nothing in the JavaScript is templated.

use serde::Serialize;

/// The script's lines: `const config = {`, a line a key, `};`, then the
/// fixed pieces. `literal` writes each value: serde's JSON (a JavaScript
/// literal), or a form of it that a client's script block needs.
pub fn script(
    config: &impl Serialize,
    pieces: &[&str],
    literal: fn(&serde_json::Value) -> String,
) -> Vec<String> {
    let serde_json::Value::Object(keys) =
        serde_json::to_value(config).expect("a script's config serializes")
    else {
        unreachable!("every config is a struct");
    };
    let last = keys.len().saturating_sub(1);
    let mut lines = vec!["const config = {".to_string()];
    lines.extend(keys.iter().enumerate().map(|(i, (key, value))| {
        let comma = if i == last { "" } else { "," };
        let key = literal(&serde_json::Value::from(key.as_str()));
        format!("  {key}: {}{comma}", literal(value))
    }));
    lines.push("};".into());
    lines.extend(pieces.concat().lines().map(String::from));
    lines
}

/// serde's JSON: a JavaScript literal as it stands.
pub fn json(value: &serde_json::Value) -> String {
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_leads_with_a_line_a_key_then_the_pieces() {
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
            &["one();\n", "two();\n"],
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
