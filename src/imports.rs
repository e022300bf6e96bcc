//! Test only: no module of `src/` depends on itself through others. Reads every
//! file as text and takes its `use` trees (grouped ones too) and its inline
//! paths (`crate::a::b`, `super::x`, a child's `child::y`); a cycle fails the
//! test, named module by module.
//!
//! A module's use of its own ancestors (a child taking its folder's shared
//! types through `super::`) is not counted: the folder is the child's home,
//! not a layer beside it. A path through a re-export (`crate::Error`) counts
//! as a use of the module that defines the item.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module by its path from the crate root: `["verify", "send"]`.
type Module = Vec<String>;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    /// `::`
    Path,
    Punct(char),
}

/// The file's code as tokens: comments, strings and char literals dropped,
/// so neither a doc comment nor a message can name a module.
fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                match (chars[i], at(i + 1)) {
                    ('/', '*') => (depth, i) = (depth + 1, i + 2),
                    ('*', '/') => (depth, i) = (depth - 1, i + 2),
                    _ => i += 1,
                }
                if depth == 0 {
                    break;
                }
            }
        } else if c == '"' || ((c == 'r' || c == 'b') && matches!(at(i + 1), '"' | '#' | 'r')) {
            // "…", b"…", r#"…"#, br"…": skip to the close, escapes counted
            // only where the string is not raw.
            let start = i;
            while matches!(at(i), 'r' | 'b') {
                i += 1;
            }
            let raw = chars[start..i].contains(&'r');
            let mut hashes = 0;
            while at(i) == '#' {
                hashes += 1;
                i += 1;
            }
            if at(i) != '"' {
                // An identifier starting with r or b, e.g. `raw` or `b#`.
                i = start;
                let end = ident_end(&chars, i);
                out.push(Token::Ident(chars[i..end].iter().collect()));
                i = end;
                continue;
            }
            i += 1;
            loop {
                match at(i) {
                    '\0' => break,
                    '\\' if !raw => i += 2,
                    '"' if (1..=hashes).all(|h| at(i + h) == '#') => {
                        i += 1 + hashes;
                        break;
                    }
                    _ => i += 1,
                }
            }
        } else if c == '\'' {
            // A char literal ('x', '\n', '"') or a lifetime ('a).
            if at(i + 1) == '\\' {
                i += 2;
                while at(i) != '\'' && at(i) != '\0' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if c == ':' && at(i + 1) == ':' {
            out.push(Token::Path);
            i += 2;
        } else if c.is_alphanumeric() || c == '_' {
            let end = ident_end(&chars, i);
            out.push(Token::Ident(chars[i..end].iter().collect()));
            i = end;
        } else {
            if !c.is_whitespace() {
                out.push(Token::Punct(c));
            }
            i += 1;
        }
    }
    out
}

fn ident_end(chars: &[char], mut i: usize) -> usize {
    while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
        i += 1;
    }
    i
}

/// A path as written: its segments, `crate`/`super`/`self` among them.
type Written = Vec<String>;

/// What one file says: the paths it uses, from which inline module depth
/// (`mod tests { use super::*; }` is one deeper), what it re-exports, and
/// the child modules it declares.
#[derive(Default)]
struct Source {
    paths: Vec<(usize, Written)>,
    reexports: Vec<(usize, Written)>,
    children: BTreeSet<String>,
}

fn read(tokens: &[Token]) -> Source {
    let mut source = Source::default();
    let ident = |i: usize| match tokens.get(i) {
        Some(Token::Ident(s)) => Some(s.as_str()),
        _ => None,
    };
    // The brace depth each open inline `mod name {` started at.
    let mut inline: Vec<usize> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth -= 1;
                if inline.last() == Some(&depth) {
                    inline.pop();
                }
            }
            Token::Ident(word) if word == "mod" => {
                if let Some(name) = ident(i + 1) {
                    match tokens.get(i + 2) {
                        Some(Token::Punct(';')) if inline.is_empty() => {
                            source.children.insert(name.to_string());
                        }
                        Some(Token::Punct('{')) => inline.push(depth),
                        _ => {}
                    }
                }
            }
            Token::Ident(word) if word == "use" => {
                let public = i > 0 && ident(i - 1) == Some("pub")
                    || matches!(tokens.get(i.wrapping_sub(1)), Some(Token::Punct(')')));
                let mut found = Vec::new();
                i = use_tree(tokens, i + 1, Vec::new(), &mut found);
                for path in found {
                    if public {
                        source.reexports.push((inline.len(), path.clone()));
                    }
                    source.paths.push((inline.len(), path));
                }
                continue;
            }
            // An inline path; one that follows `::` was read with its head.
            Token::Ident(word)
                if tokens.get(i + 1) == Some(&Token::Path)
                    && (i == 0 || tokens[i - 1] != Token::Path) =>
            {
                let mut path = vec![word.clone()];
                let mut j = i + 1;
                while tokens.get(j) == Some(&Token::Path) {
                    match ident(j + 1) {
                        Some(s) => path.push(s.to_string()),
                        None => break,
                    }
                    j += 2;
                }
                source.paths.push((inline.len(), path));
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    source
}

/// Reads one use tree from `i` (`a::b::{c, d::e as f, self}`), pushing each
/// leaf path onto `out`; returns the index past it.
fn use_tree(tokens: &[Token], mut i: usize, prefix: Written, out: &mut Vec<Written>) -> usize {
    let mut path = prefix;
    loop {
        match tokens.get(i) {
            Some(Token::Ident(s)) if s == "as" => i += 2,
            Some(Token::Ident(s)) => {
                if s != "self" || path.is_empty() {
                    path.push(s.clone());
                }
                i += 1;
            }
            Some(Token::Path) => i += 1,
            Some(Token::Punct('{')) => {
                i += 1;
                loop {
                    i = use_tree(tokens, i, path.clone(), out);
                    match tokens.get(i) {
                        Some(Token::Punct(',')) => i += 1,
                        _ => break,
                    }
                    if tokens.get(i) == Some(&Token::Punct('}')) {
                        break;
                    }
                }
                // Past the `}`, and a `;` that ends the statement.
                i += 1;
                if tokens.get(i) == Some(&Token::Punct(';')) {
                    i += 1;
                }
                return i;
            }
            Some(Token::Punct('*')) => i += 1,
            Some(Token::Punct(';')) => {
                out.push(path);
                return i + 1;
            }
            _ => {
                out.push(path);
                return i;
            }
        }
    }
}

/// The module a written path starts from, and the segments after it; `None`
/// for another crate's path or a local name.
fn anchor(
    from: &Module,
    inline: usize,
    children: &BTreeSet<String>,
    path: &Written,
) -> Option<(Module, Vec<String>)> {
    let mut base = from.clone();
    let mut rest = path.as_slice();
    match rest.first()?.as_str() {
        "crate" => {
            base.clear();
            rest = &rest[1..];
        }
        "self" => rest = &rest[1..],
        "super" => {
            let mut ups: usize = 0;
            while rest.first().map(String::as_str) == Some("super") {
                ups += 1;
                rest = &rest[1..];
            }
            // The first ones leave the inline modules, the rest the file's.
            let ups = ups.saturating_sub(inline);
            base.truncate(base.len().checked_sub(ups)?);
        }
        child if inline == 0 && children.contains(child) => {}
        _ => return None,
    }
    Some((base, rest.to_vec()))
}

/// The deepest module `segments` reach from `base`, following a re-export
/// of the item the path then names.
fn resolve(
    modules: &BTreeMap<Module, Source>,
    reexports: &BTreeMap<(Module, String), Module>,
    mut module: Module,
    segments: &[String],
) -> Module {
    for (n, segment) in segments.iter().enumerate() {
        let mut deeper = module.clone();
        deeper.push(segment.clone());
        if modules.contains_key(&deeper) {
            module = deeper;
            continue;
        }
        if let Some(target) = reexports.get(&(module.clone(), segment.clone())) {
            if *target != module {
                return resolve(modules, reexports, target.clone(), &segments[n + 1..]);
            }
        }
        break;
    }
    module
}

fn module_of(file: &Path, src: &Path) -> Module {
    let relative = file.strip_prefix(src).expect("below src/");
    let mut parts: Module = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().expect("a file name");
    match last.as_str() {
        "lib.rs" | "mod.rs" => {}
        name => parts.push(name.trim_end_matches(".rs").to_string()),
    }
    parts
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every module's uses of other modules, its ancestors left out.
fn graph(src: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut paths = Vec::new();
    files(src, &mut paths);
    let modules: BTreeMap<Module, Source> = paths
        .iter()
        // main.rs is the binary: another crate, which uses this one.
        .filter(|p| !p.ends_with("main.rs"))
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("a source file");
            (module_of(p, src), read(&tokens(&text)))
        })
        .collect();
    let anchored = |module: &Module, source: &Source, (inline, path): &(usize, Written)| {
        anchor(module, *inline, &source.children, path)
    };
    // A re-exported item, by the module that re-exports it, names its home.
    let mut reexports: BTreeMap<(Module, String), Module> = BTreeMap::new();
    for (module, source) in &modules {
        for written in &source.reexports {
            if let Some((base, segments)) = anchored(module, source, written) {
                if let Some(item) = segments.last() {
                    let home = resolve(&modules, &BTreeMap::new(), base, &segments);
                    reexports.insert((module.clone(), item.clone()), home);
                }
            }
        }
    }
    let mut uses = BTreeMap::new();
    for (module, source) in &modules {
        let used: BTreeSet<Module> = source
            .paths
            .iter()
            .filter_map(|written| anchored(module, source, written))
            .map(|(base, segments)| resolve(&modules, &reexports, base, &segments))
            .filter(|used| !module.starts_with(used))
            .collect();
        uses.insert(module.clone(), used);
    }
    uses
}

/// One cycle through each group of modules that reach each other, as
/// `a -> b -> a`.
fn cycles(uses: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<String> {
    let name = |m: &Module| match m.is_empty() {
        true => "crate".to_string(),
        false => m.join("/"),
    };
    let reach = |from: &Module| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(m) = todo.pop() {
            for next in uses.get(&m).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let mut reported: BTreeSet<Module> = BTreeSet::new();
    let mut out = Vec::new();
    for start in uses.keys() {
        if reported.contains(start) || !reach(start).contains(start) {
            continue;
        }
        // The shortest way back to `start`, breadth first.
        let mut back: BTreeMap<Module, Module> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start.clone()]);
        'search: while let Some(m) = queue.pop_front() {
            for next in uses.get(&m).into_iter().flatten() {
                if next == start {
                    back.insert(start.clone(), m.clone());
                    break 'search;
                }
                if !back.contains_key(next) {
                    back.insert(next.clone(), m.clone());
                    queue.push_back(next.clone());
                }
            }
        }
        let mut cycle = vec![start.clone()];
        let mut at = back[start].clone();
        while at != *start {
            cycle.push(at.clone());
            at = back[&at].clone();
        }
        cycle.push(start.clone());
        cycle.reverse();
        reported.extend(cycle.iter().cloned());
        out.push(cycle.iter().map(name).collect::<Vec<_>>().join(" -> "));
    }
    out
}

#[test]
fn no_module_depends_on_itself() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = cycles(&graph(&src));
    assert!(found.is_empty(), "import cycles:\n{}", found.join("\n"));
}

/// The formats are functions of the kit (issue 23): no file of
/// `src/render/` reads the spec the kit was planned from (`.spec`), and
/// none names the `Spec` type. What a format needs is on the `Kit`.
#[test]
fn the_formats_read_the_kit_not_the_spec() {
    let render = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/render");
    let mut paths = Vec::new();
    files(&render, &mut paths);
    assert!(paths.len() > 10, "the render files: {paths:?}");
    let mut found = Vec::new();
    for path in paths {
        let tokens = tokens(&std::fs::read_to_string(&path).unwrap());
        for pair in tokens.windows(2) {
            let reads = matches!(pair, [Token::Punct('.'), Token::Ident(i)] if i == "spec");
            let names = matches!(&pair[1], Token::Ident(i) if i == "Spec");
            if reads || names {
                found.push(path.display().to_string());
            }
        }
    }
    assert!(found.is_empty(), "reads or names the spec: {found:?}");
}

#[test]
fn the_reader_sees_grouped_inline_and_reexported_uses() {
    let source = read(&tokens(
        r#"
        //! use crate::comment::ignored;
        mod child;
        pub use child::Thing;
        use crate::{a, b::{c::D, self as bee}, e::*};
        use super::sibling::F as G;
        fn f() { let _ = "crate::string::ignored"; let _ = '"'; crate::inline::path(); }
        #[cfg(test)]
        mod tests { use super::*; }
        "#,
    ));
    let written: Vec<(usize, String)> = source
        .paths
        .iter()
        .map(|(depth, p)| (*depth, p.join("::")))
        .collect();
    let expected = [
        (0, "child::Thing"),
        (0, "crate::a"),
        (0, "crate::b::c::D"),
        (0, "crate::b"),
        (0, "crate::e"),
        (0, "super::sibling::F"),
        (0, "crate::inline::path"),
        (1, "super"),
    ];
    assert_eq!(
        written,
        expected.map(|(d, p)| (d, p.to_string())),
        "{written:?}"
    );
    assert_eq!(source.reexports.len(), 1);
    assert!(source.children.contains("child"));
}

#[test]
fn a_cycle_is_named_module_by_module() {
    let m = |s: &str| s.split('/').map(String::from).collect::<Module>();
    let uses = BTreeMap::from([
        (m("a"), BTreeSet::from([m("b")])),
        (m("b"), BTreeSet::from([m("c/d")])),
        (m("c/d"), BTreeSet::from([m("a")])),
        (m("e"), BTreeSet::from([m("a")])),
    ]);
    assert_eq!(cycles(&uses), ["a -> b -> c/d -> a"]);
}
