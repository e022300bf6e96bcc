//! Coupa's scopes and API resources: the project's own data files
//! (`data/scopes.tsv`, `data/resources.tsv`), embedded at compile time and
//! parsed once.

use std::sync::OnceLock;

use serde::Serialize;

const SCOPES_TSV: &str = include_str!("../data/scopes.tsv");
const RESOURCES_TSV: &str = include_str!("../data/resources.tsv");

/// A scope and what it grants.
#[derive(Debug, Serialize)]
pub struct ScopeInfo {
    pub name: &'static str,
    /// `read`, `write`, `read_write` or `other` (OpenID and other realms).
    pub access: &'static str,
    /// The `/api/` resources it grants; nested paths keep their `:id` parts.
    pub resources: Vec<&'static str>,
}

/// A listable `/api/` resource: what `--resource` accepts.
#[derive(Debug, PartialEq, Eq)]
pub struct Resource {
    /// The path below `/api/`, e.g. `expense_reports` or `coupa_pay/payments`.
    pub name: &'static str,
    /// The group it belongs to: a Postman folder, a section of the sheet.
    pub area: &'static str,
    /// The scope a GET on it needs.
    pub read_scope: &'static str,
}

impl Resource {
    /// "Expense reports": for request and action names. Made when asked
    /// for: a command looks up a few resources of the catalog's hundreds.
    pub fn title(&self) -> String {
        title(self.name)
    }
}

/// As `scopes --resources --json` lists it, the title beside the fields.
impl Serialize for Resource {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut row = serializer.serialize_struct("Resource", 4)?;
        row.serialize_field("name", self.name)?;
        row.serialize_field("area", self.area)?;
        row.serialize_field("read_scope", self.read_scope)?;
        row.serialize_field("title", &self.title())?;
        row.end()
    }
}

/// Each row's first three fields (an absent one empty): every table here
/// has three columns.
fn rows(tsv: &'static str) -> impl Iterator<Item = [&'static str; 3]> {
    tsv.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut f = l.split('\t');
            [(); 3].map(|()| f.next().unwrap_or_default())
        })
}

pub fn scopes() -> &'static [ScopeInfo] {
    static SCOPES: OnceLock<Vec<ScopeInfo>> = OnceLock::new();
    SCOPES.get_or_init(|| {
        rows(SCOPES_TSV)
            .map(|f| ScopeInfo {
                name: f[0],
                access: f[1],
                resources: f[2].split(',').filter(|s| !s.is_empty()).collect(),
            })
            .collect()
    })
}

pub fn resources() -> &'static [Resource] {
    static RESOURCES: OnceLock<Vec<Resource>> = OnceLock::new();
    RESOURCES.get_or_init(|| {
        rows(RESOURCES_TSV)
            .map(|f| Resource {
                name: f[0],
                area: f[1],
                read_scope: f[2],
            })
            .collect()
    })
}

pub fn resource(name: &str) -> Option<&'static Resource> {
    resources().iter().find(|r| r.name == name)
}

pub fn scope(name: &str) -> Option<&'static ScopeInfo> {
    scopes().iter().find(|s| s.name == name)
}

/// `coupa_pay/virtual_cards` -> `Coupa pay virtual cards`.
fn title(name: &str) -> String {
    let mut title = String::with_capacity(name.len());
    for (i, c) in name.chars().enumerate() {
        match c {
            '/' | '_' => title.push(' '),
            c if i == 0 => title.extend(c.to_uppercase()),
            c => title.push(c),
        }
    }
    title
}

/// The candidate nearest to `word` by edit distance, if within `max`.
/// What a scope that is not in the catalog is likely to be, as the end of
/// a message: " (did you mean ...?)", the lower-case one, or two scopes
/// joined by a separator Coupa does not use.
pub fn scope_hint(word: &str) -> String {
    let names = || scopes().iter().map(|s| s.name);
    let lower = word.to_ascii_lowercase();
    if lower != word && scope(&lower).is_some() {
        return format!(" (scopes are lower case: {lower})");
    }
    let parts: Vec<&str> = word
        .split([';', '|', '+', '&'])
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() > 1 {
        return format!(
            " (two scopes joined by a separator Coupa does not use: separate them with spaces or commas, e.g. --scope '{}')",
            parts.join(" ")
        );
    }
    closest(word, names(), 3)
        .map(|n| format!(" (did you mean {n}?)"))
        .unwrap_or_default()
}

pub fn closest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
    max: usize,
) -> Option<&'a str> {
    candidates
        .map(|c| (distance(word, c), c))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_resource_read_scope_is_a_catalog_read_scope_that_grants_it() {
        for r in resources() {
            let s = scope(r.read_scope).unwrap_or_else(|| panic!("{} has no scope", r.name));
            assert_eq!(s.access, "read", "{}", r.name);
            assert!(
                s.resources.contains(&r.name),
                "{} not granted by {}",
                r.name,
                s.name
            );
        }
    }

    #[test]
    fn every_row_of_the_data_files_has_its_three_fields() {
        // rows() reads three fields and takes a missing one for empty.
        for (file, tsv) in [("scopes.tsv", SCOPES_TSV), ("resources.tsv", RESOURCES_TSV)] {
            for line in tsv.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
                let fields: Vec<&str> = line.split('\t').collect();
                assert_eq!(fields.len(), 3, "{file}: {line:?}");
                assert!(
                    fields[..2].iter().all(|f| !f.is_empty()),
                    "{file}: {line:?}"
                );
            }
        }
    }

    #[test]
    fn a_title_is_the_name_in_words_and_the_listing_shows_it() {
        let cards = resource("coupa_pay/virtual_cards").unwrap();
        assert_eq!(cards.title(), "Coupa pay virtual cards");
        assert_eq!(title("_x/y"), " x y");
        assert_eq!(
            serde_json::to_value(cards).unwrap(),
            serde_json::json!({
                "name": "coupa_pay/virtual_cards",
                "area": "Coupa Pay",
                "read_scope": cards.read_scope,
                "title": "Coupa pay virtual cards",
            })
        );
    }

    #[test]
    fn the_guides_resource_needs_the_guides_scope() {
        assert_eq!(
            resource("expense_reports").unwrap().read_scope,
            "core.expense.read"
        );
        assert_eq!(resource("expense_reports").unwrap().area, "Expenses");
    }

    #[test]
    fn closest_suggests_only_near_misses() {
        let names = ["core.expense.read", "core.invoice.read"];
        assert_eq!(
            closest("core.expenses.read", names.into_iter(), 3),
            Some("core.expense.read")
        );
        assert_eq!(closest("openid", names.into_iter(), 3), None);
    }
}
