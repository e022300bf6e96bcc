//! `coupagen scopes` and `coupagen use-cases`: the catalog and the use cases,
//! as text for people or JSON for programs.

use serde::Serialize;

use crate::catalog;
use crate::Error;

/// Scopes (or, with `resources`, resources) whose text contains `word`. A
/// table that would be empty is an error that says so; JSON is `[]` then.
pub fn listing(word: Option<&str>, resources: bool, json: bool) -> Result<String, Error> {
    let shown = word.unwrap_or_default();
    let nothing = |n: usize| match (n, json) {
        (0, false) => Err(Error::Failed(format!(
            "nothing matches '{shown}'; `coupagen scopes{}` lists them all",
            if resources { " --resources" } else { "" }
        ))),
        _ => Ok(()),
    };
    let word = word.map(str::to_lowercase).unwrap_or_default();
    let hit = |texts: &[&str]| texts.iter().any(|t| t.to_lowercase().contains(&word));
    if resources {
        let rows: Vec<&catalog::Resource> = catalog::resources()
            .iter()
            .filter(|r| hit(&[r.name, r.area, r.read_scope]))
            .collect();
        nothing(rows.len())?;
        if json {
            return Ok(to_json(&rows));
        }
        Ok(table(
            ["RESOURCE", "AREA", "READ SCOPE"],
            rows.iter().map(|r| {
                [
                    r.name.to_string(),
                    r.area.to_string(),
                    r.read_scope.to_string(),
                ]
            }),
        ))
    } else {
        let rows: Vec<&catalog::ScopeInfo> = catalog::scopes()
            .iter()
            .filter(|s| hit(&[s.name, s.access]) || hit(&s.resources))
            .collect();
        nothing(rows.len())?;
        if json {
            return Ok(to_json(&rows));
        }
        Ok(table(
            ["SCOPE", "ACCESS", "GRANTS"],
            rows.iter().map(|s| {
                let grants = if s.resources.is_empty() {
                    "-".to_string()
                } else {
                    s.resources.join(", ")
                };
                [s.name.to_string(), s.access.to_string(), grants]
            }),
        ))
    }
}

fn to_json(rows: &impl Serialize) -> String {
    let mut text = serde_json::to_string_pretty(rows).unwrap_or_else(|_| "[]".into());
    text.push('\n');
    text
}

/// Left-aligned columns; the last column runs free.
fn table(header: [&str; 3], rows: impl Iterator<Item = [String; 3]>) -> String {
    let rows: Vec<[String; 3]> = std::iter::once(header.map(String::from))
        .chain(rows)
        .collect();
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let (w0, w1) = (width(0), width(1));
    rows.iter()
        .map(|r| format!("{:w0$}  {:w1$}  {}\n", r[0], r[1], r[2]))
        .collect()
}

/// The use cases: for people, each with its requests, inputs, scopes and
/// whether it writes; for programs, the use-case file format itself.
pub fn use_cases(all: &[crate::usecase::UseCase], json: bool) -> String {
    use crate::usecase::Source;
    if json {
        #[derive(Serialize)]
        struct File<'a> {
            use_cases: &'a [crate::usecase::UseCase],
        }
        return to_json(&File { use_cases: all });
    }
    let mut out = String::new();
    for uc in all {
        let mut scopes: Vec<&str> = uc.requests.iter().map(|r| r.scope.as_str()).collect();
        scopes.dedup();
        out.push_str(&format!("{}\n  {}\n  {}\n", uc.id, uc.name, uc.description));
        for input in &uc.inputs {
            let from = match input.from {
                Source::User => "the person's own email",
                Source::Said => "what the person says",
            };
            out.push_str(&format!(
                "  input {} ({}, {from}): {}, e.g. {}\n",
                input.name,
                input.kind.as_str(),
                input.description,
                input.example
            ));
        }
        for (i, r) in uc.requests.iter().enumerate() {
            let query: Vec<String> = r.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let captures: Vec<&str> = r.captures.iter().map(|c| c.name.as_str()).collect();
            out.push_str(&format!(
                "  {}. {} {}{}{}  [{}]{}\n",
                i + 1,
                r.method.as_str(),
                r.path,
                if query.is_empty() { "" } else { "?" },
                query.join("&"),
                r.scope,
                match captures.as_slice() {
                    [] => String::new(),
                    c => format!(" -> {}", c.join(", ")),
                }
            ));
        }
        let writes = uc.requests.iter().any(|r| r.writes());
        out.push_str(&format!(
            "  scopes: {}\n  changes Coupa data: {}\n\n",
            scopes.join(" "),
            if writes {
                "yes (runs only when writes are allowed)"
            } else {
                "no"
            }
        ));
    }
    out
}
