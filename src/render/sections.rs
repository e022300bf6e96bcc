//! Where a template's text may be cut into sections that handlebars
//! compiles apart and renders one after another, with the same output.
//!
//! Why: handlebars numbers each tag's line by counting from the template's
//! start (pest's `Position::line_col`), so compiling costs a template's tags
//! times their distance from its start, and its parser a few hundred
//! instructions a character of plain text. Sections keep that distance
//! short, and a section with no tag is written without compiling; the file
//! stays whole for its reader.

/// A section's text and the line of the template it starts on.
#[derive(Debug, PartialEq, Eq)]
pub struct Section<'a> {
    pub text: &'a str,
    pub first_line: usize,
}

/// Sections shorter than this are joined to the next: each one costs a
/// render call of its own. Measured (callgrind): 32 compiles the guide's
/// bundle in 6% fewer instructions than 256 did, more of its plain lines
/// becoming text that is not compiled, and costs the big kit under 0.5%.
const MIN_LEN: usize = 32;

/// `text` in sections that, rendered in order from one context, write what
/// the whole would. A cut falls only outside every block
/// (`{{#…}}…{{/…}}`, `{{^…}}…{{/…}}`) and comment: after a newline, never in
/// text a `~` strips, or at an edge of a tag that only writes a value (see
/// [`tag_cuts`]); so every tag keeps the text around it that decides its
/// whitespace. A text this cannot read (a raw block `{{{{`, an unclosed
/// tag, unbalanced blocks) is one section: handlebars reports it.
pub fn sections(text: &str) -> Vec<Section<'_>> {
    let cuts = cuts(text).unwrap_or_default();
    let mut sections = Vec::with_capacity(cuts.len() + 1);
    let (mut from, mut line) = (0, 1);
    for cut in cuts.into_iter().chain([text.len()]) {
        let piece = &text[from..cut];
        sections.push(Section {
            text: piece,
            first_line: line,
        });
        line += piece.bytes().filter(|&b| b == b'\n').count();
        from = cut;
    }
    sections
}

/// The byte offsets to cut at, or `None` where the text is not plain
/// enough to cut safely.
fn cuts(text: &str) -> Option<Vec<usize>> {
    let bytes = text.as_bytes();
    let mut cuts = Vec::new();
    let mut last = 0;
    let mut depth = 0usize;
    // Newlines seen in the text since the last tag, and whether that tag
    // strips the whitespace after it (`~}}`).
    let mut newlines: Vec<usize> = Vec::new();
    let mut stripped = false;
    // Every tag's span, and whether it is plain and outside every block.
    let mut tags: Vec<(usize, usize, bool)> = Vec::new();
    let mut take = |newlines: &mut Vec<usize>, cuts: &mut Vec<usize>| {
        for &at in newlines.iter() {
            if at - last >= MIN_LEN && at < text.len() {
                cuts.push(at);
                last = at;
            }
        }
        newlines.clear();
    };
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i..].starts_with(b"{{") {
            if bytes[i] == b'\n' {
                newlines.push(i + 1);
            }
            i += 1;
            continue;
        }
        let strips_before = bytes.get(i + 2) == Some(&b'~');
        if depth == 0 && !stripped && !strips_before {
            take(&mut newlines, &mut cuts);
        }
        newlines.clear();
        let open = i + 2 + usize::from(strips_before);
        let close = if text[open..].starts_with("!--") {
            "--}}"
        } else {
            "}}"
        };
        let mut end = open + text[open..].find(close)? + close.len();
        // A triple-stash `{{{x}}}` ends with one brace more.
        while bytes.get(end) == Some(&b'}') {
            end += 1;
        }
        match bytes.get(open) {
            Some(b'{') => return None,
            Some(b'#') => depth += 1,
            Some(b'^') if !matches!(bytes.get(open + 1), Some(b'}' | b'~')) => depth += 1,
            Some(b'/') => depth = depth.checked_sub(1)?,
            _ => {}
        }
        stripped = text[..end].ends_with("~}}") || text[..end].ends_with("~}}}");
        tags.push((i, end, depth == 0 && plain(&text[i..end])));
        i = end;
    }
    if depth != 0 {
        return None;
    }
    if !stripped {
        take(&mut newlines, &mut cuts);
    }
    cuts.extend(tag_cuts(text, &tags));
    cuts.sort_unstable();
    cuts.dedup();
    Some(cuts)
}

/// Text at least this long beside a plain tag is cut out of its compiled
/// section, to be written as it stands. Measured (callgrind): 12 compiles
/// the guide's bundle in 6% fewer instructions, and costs the big kit
/// nothing (its renders call a few more sections, its compiles read less).
const MIN_TEXT: usize = 12;

/// A tag that only writes a value (`{{x}}`, `{{line x}}`): handlebars never
/// takes one for a standalone line, and it strips no whitespace.
fn plain(tag: &str) -> bool {
    let inner = &tag[2..];
    !inner.starts_with(['#', '^', '/', '>', '!', '~', '{', '*', '&'])
        && !inner.trim_start().starts_with("else")
        && !tag.ends_with("~}}")
}

/// Cuts at either edge of a plain tag outside every block (`tags` in
/// order, each with whether it is one), where the text on that side is
/// long. Not where that text is empty or only spaces: the tag beyond it,
/// a section's first or last, would then stand alone on its line as
/// handlebars reads a line (from a template's start, to its end), and
/// lose its whitespace as it did not whole.
fn tag_cuts<'a>(
    text: &'a str,
    tags: &'a [(usize, usize, bool)],
) -> impl Iterator<Item = usize> + 'a {
    let keeps_lines = |run: &str| {
        run.len() >= MIN_TEXT && run.contains(|c: char| c == '\n' || !c.is_whitespace())
    };
    tags.iter()
        .enumerate()
        .filter(|(_, t)| t.2)
        .flat_map(move |(k, &(start, end, _))| {
            let before = k.checked_sub(1).map_or(0, |p| tags[p].1);
            let after = tags.get(k + 1).map_or(text.len(), |n| n.0);
            let cut_before = (start > 0 && keeps_lines(&text[before..start])).then_some(start);
            let cut_after = (end < text.len() && keeps_lines(&text[end..after])).then_some(end);
            cut_before.into_iter().chain(cut_after)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        sections(text).into_iter().map(|s| s.text).collect()
    }

    fn line(n: usize) -> String {
        format!("{}\n", "x".repeat(n))
    }

    #[test]
    fn a_long_text_is_cut_after_newlines_outside_blocks() {
        let text = format!("{}{}{}", line(300), line(300), line(10));
        assert_eq!(texts(&text), [line(300), line(300), line(10)]);
    }

    #[test]
    fn no_cut_inside_a_block_or_a_comment() {
        let block = format!("{{{{#each a}}}}\n{}{}{{{{/each}}}}\n", line(300), line(300));
        assert_eq!(texts(&block), [block.as_str()]);
        let comment = format!("{{{{!-- {}{{{{#if}}}} --}}}}\n{}", line(300), line(300));
        let cut = texts(&comment);
        assert!(cut[0].ends_with("--}}\n"), "{cut:?}");
        let inverse = format!("{{{{^a}}}}\n{}{}{{{{/a}}}}\n", line(300), line(300));
        assert_eq!(texts(&inverse).len(), 1);
    }

    #[test]
    fn an_else_inside_a_block_does_not_end_it() {
        let text = format!(
            "{{{{#if a}}}}\n{}{{{{^}}}}\n{}{{{{else}}}}\n{}{{{{/if}}}}\n",
            line(300),
            line(300),
            line(300)
        );
        assert_eq!(texts(&text).len(), 1);
    }

    #[test]
    fn no_cut_in_text_a_tilde_strips() {
        let before = format!("{}{}{{{{~a}}}}", line(300), line(300));
        assert_eq!(texts(&before).len(), 1);
        let after = format!("{{{{a~}}}}\n{}{}", line(300), line(300));
        assert_eq!(texts(&after).len(), 1);
    }

    #[test]
    fn what_cannot_be_read_is_one_section() {
        for text in [
            format!("{}{{{{{{{{raw}}}}}}}}\n{}", line(300), line(300)),
            format!("{}{{{{a\n{}", line(300), line(300)),
            format!("{}{{{{/if}}}}\n{}", line(300), line(300)),
            format!("{{{{#if a}}}}\n{}{}", line(300), line(300)),
        ] {
            assert_eq!(texts(&text), [text.as_str()]);
        }
    }

    /// What `text` renders whole and in its sections, from one context.
    fn both_ways(text: &str, data: &serde_json::Value) -> (String, String) {
        let hb = handlebars::Handlebars::new();
        let whole = hb.render_template(text, data).unwrap();
        let cut: String = sections(text)
            .iter()
            .map(|s| hb.render_template(s.text, data).unwrap())
            .collect();
        (whole, cut)
    }

    #[test]
    fn standalone_tags_at_a_cut_keep_their_whitespace() {
        let data = serde_json::json!({"a": true, "b": false, "xs": [1, 2]});
        let long = line(300);
        for text in [
            format!(
                "{long}{{{{#if a}}}}\nyes\n{{{{/if}}}}\n{long}{{{{#if b}}}}\nno\n{{{{/if}}}}\n"
            ),
            format!("{long}\n{{{{#each xs}}}}\n  {{{{this}}}}\n{{{{/each}}}}\n\n{long}\n"),
            format!("  {{{{#if a}}}}\n{long}  {{{{/if}}}}\n{long}{{{{! note }}}}\n{long}"),
            format!("{long}{{{{a~}}}}\n\n{long}\n\n{{{{~b}}}}{long}"),
        ] {
            let (whole, cut) = both_ways(&text, &data);
            assert!(sections(&text).len() > 1, "{text}");
            assert_eq!(whole, cut, "{text}");
        }
    }

    #[test]
    fn long_text_beside_a_plain_tag_is_cut_out() {
        let text = "Ask the token endpoint at {{line url}} before anything else\n";
        assert_eq!(
            texts(text),
            [
                "Ask the token endpoint at ",
                "{{line url}}",
                " before anything else\n"
            ]
        );
        // Short text stays with its tag; so does a tag in a block.
        assert_eq!(texts("at {{x}}, {{y}}\n"), ["at {{x}}, {{y}}\n"]);
        let block = "{{#if a}}a long line of text {{x}} and more of it{{/if}}";
        assert_eq!(texts(block), [block]);
    }

    #[test]
    fn no_cut_leaves_a_tag_alone_on_its_line() {
        let spaces = " ".repeat(MIN_TEXT + 2);
        for text in [
            format!("{{{{#if a}}}}y{{{{/if}}}}{spaces}{{{{x}}}}\n"),
            format!("{{{{x}}}}{spaces}{{{{#if a}}}}\ny\n{{{{/if}}}}\n"),
            format!("{{{{x}}}}{spaces}{{{{! note }}}}\n"),
        ] {
            assert_eq!(texts(&text), [text.as_str()], "{text:?}");
        }
    }

    #[test]
    fn every_short_mix_of_tags_and_text_renders_the_same_cut() {
        // Each piece a tag or a text that a cut falls beside (long ones),
        // every sequence of up to four: the pieces' neighbours are what
        // decide a cut, and handlebars' whitespace rules look no further
        // than a line.
        let long = "a line of words long enough to cut";
        let pieces = [
            "{{x}}",
            "{{~x}}",
            "{{x~}}",
            "{{#if a}}",
            "{{/if}}",
            "{{else}}",
            "{{! c }}",
            "            ",
            "\n",
            long,
        ];
        let data = serde_json::json!({"a": true, "x": "v"});
        let hb = handlebars::Handlebars::new();
        let (mut compared, mut cut) = (0, 0);
        let mut text = Vec::new();
        let mut stack = vec![0usize];
        while let Some(&top) = stack.last() {
            if top == pieces.len() {
                stack.pop();
                text.pop();
                if let Some(next) = stack.last_mut() {
                    *next += 1;
                }
                continue;
            }
            text.push(pieces[top]);
            let joined = text.concat();
            if let Ok(whole) = hb.render_template(&joined, &data) {
                let parts = sections(&joined);
                let rendered: String = parts
                    .iter()
                    .map(|s| hb.render_template(s.text, &data).unwrap())
                    .collect();
                assert_eq!(rendered, whole, "{joined:?} cut as {parts:?}");
                compared += 1;
                cut += usize::from(parts.len() > 1);
            }
            if text.len() < 4 {
                stack.push(0);
            } else {
                text.pop();
                *stack.last_mut().unwrap() += 1;
            }
        }
        assert!(
            compared > 3000 && cut > 400,
            "{compared} compared, {cut} cut"
        );
    }

    #[test]
    fn each_section_knows_its_first_line() {
        let text = format!("{}{}{}", line(300), line(1), line(300));
        let lines: Vec<usize> = sections(&text).iter().map(|s| s.first_line).collect();
        assert_eq!(lines, [1, 2]);
    }
}
