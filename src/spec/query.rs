//! The query options every API request of a kit carries: the page (limit,
//! offset), filters, the fields to return and the answer's shape.

use serde::Serialize;

use crate::catalog::{self, Resource};
use crate::coupa::{ReturnObject, MAX_LIMIT};
use crate::error::{Error, Origin};
use crate::input::Inputs;

/// Query options applied to every API request of the kit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Query {
    pub limit: u8,
    pub offset: Option<u32>,
    pub filters: Vec<Filter>,
    pub fields: Option<String>,
    pub return_object: Option<ReturnObject>,
}

/// One `attribute[operator]=value` filter, kept decoded; the URL encoding is
/// the kit's job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Filter {
    /// Only this resource's requests take it (`invoices:status=paid`);
    /// otherwise every resource's.
    pub resource: Option<String>,
    pub key: String,
    pub value: String,
}

/// Coupa's filter operators (`attribute[operator]=value`).
pub const OPERATORS: &[&str] = &[
    "contains",
    "starts_with",
    "ends_with",
    "gt",
    "lt",
    "gt_or_eq",
    "lt_or_eq",
    "not_eq",
    "in",
    "not_in",
    "blank",
];

/// Operator names other APIs use, and what Coupa calls them (`=` is equality).
const NOT_OPERATORS: &[(&[&str], &str)] = &[
    (&["eq", "equals", "equal", "is"], "="),
    (
        &["ne", "neq", "not", "not_equal", "not_equals", "notequal"],
        "not_eq",
    ),
    (&["ge", "gte", "min", "greater_or_equal"], "gt_or_eq"),
    (&["le", "lte", "max", "less_or_equal"], "lt_or_eq"),
    (&["greater_than", "after"], "gt"),
    (&["less_than", "before"], "lt"),
    (&["like", "contain", "includes", "has", "match"], "contains"),
    (
        &["startswith", "start_with", "begins_with", "prefix"],
        "starts_with",
    ),
    (&["endswith", "end_with", "suffix"], "ends_with"),
    (&["null", "is_null", "empty", "missing"], "blank"),
];

/// The query options of `inputs`, a filter for one resource checked against
/// the kit's `resources`.
pub(super) fn query(inputs: &Inputs, resources: &[&'static Resource]) -> Result<Query, Error> {
    Ok(Query {
        limit: parse_limit(inputs.limit.unwrap_or(1))?,
        offset: inputs.offset,
        filters: inputs
            .filters
            .iter()
            .map(|f| {
                let filter = Filter::parse(f)?;
                match &filter.resource {
                    Some(r) if !resources.iter().any(|k| k.name == r) => Err(Error::bad(
                        Origin::Option("filters"),
                        f,
                        format!(
                            "'{r}' is not a resource of this kit; the kit's resources: {}",
                            resources
                                .iter()
                                .map(|k| k.name)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )),
                    _ => Ok(filter),
                }
            })
            .collect::<Result<_, _>>()?,
        fields: inputs.fields.as_deref().map(parse_fields).transpose()?,
        return_object: inputs.return_object,
    })
}

impl Filter {
    /// `attribute[operator]=value`, `attribute=value`, or through an
    /// association, `supplier[name][contains]=value`.
    pub fn parse(raw: &str) -> Result<Self, Error> {
        const FORM: &str =
            "use 'attribute=value' or 'attribute[operator]=value', e.g. 'status=approved' or 'updated_at[gt]=2024-01-01T00:00:00Z'";
        let err =
            |why: String| Error::bad(Origin::Option("filters"), raw, format!("{why}; {FORM}"));
        let Some((key, value)) = raw.split_once('=') else {
            return Err(err("no '='".into()));
        };
        // `invoices:status=paid`: for one resource's requests only.
        let (resource, key) = match key.split_once(':') {
            Some((resource, key)) => (Some(resource.trim_start_matches("/api/").to_string()), key),
            None => (None, key),
        };
        if let Some(r) = &resource {
            let name_char = |c: char| c.is_ascii_alphanumeric() || "_-/".contains(c);
            if r.is_empty() || !r.chars().all(name_char) {
                return Err(err(format!(
                    "'{r}' before ':' is not a resource name (letters, digits, '_', '-', '/'), as in 'invoices:status=paid'"
                )));
            }
        }
        if value.is_empty() {
            return Err(err("the value is empty".into()));
        }
        // `status=approved&limit=5` is two options pasted from a URL, not a
        // value holding `&limit=5` (an `&` in a value, `AT&T`, has no `=`).
        if value.split('&').skip(1).any(|p| p.contains('=')) {
            return Err(Error::bad(
                Origin::Option("filters"),
                raw,
                format!(
                    "an '&' joins two query parameters, as in a URL; give each on its own: {}",
                    as_options(raw)
                ),
            ));
        }
        if let Some(rest) = value.strip_prefix('=') {
            return Err(err(format!(
                "one '=' too many: equality is a single '=', as in '{key}={rest}'"
            )));
        }
        if value.chars().any(char::is_control) {
            return Err(err("the value has a control character".into()));
        }
        let (name, mut brackets) = match key.split_once('[') {
            Some((name, rest)) => (name, Some(rest)),
            None => (key, None),
        };
        let ident = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if !ident(name) {
            return Err(err(format!(
                "'{name}' is not an attribute name (letters, digits, '_', '-')"
            )));
        }
        // The kit writes these from options of the same name.
        if let Some(reserved) = crate::coupa::query::ALL.iter().find(|k| **k == key) {
            let flag = flag_of_query(reserved);
            return Err(Error::bad(
                Origin::Option("filters"),
                raw,
                format!("'{key}' is not a filter: the kit sets it from {flag}; use {flag}"),
            ));
        }
        let mut segments = Vec::new();
        while let Some(rest) = brackets {
            let Some((segment, after)) = rest.split_once(']') else {
                return Err(err("a '[' is not closed".into()));
            };
            if !ident(segment) {
                return Err(err(format!(
                    "'[{segment}]' is not an attribute or operator"
                )));
            }
            segments.push(segment);
            brackets = match after {
                "" => None,
                a => match a.strip_prefix('[') {
                    Some(r) => Some(r),
                    None => return Err(err(format!("unexpected '{a}' after ']'"))),
                },
            };
        }
        // The last bracket is an operator or an association's attribute
        // (`supplier[name]=x`); a near miss of an operator is almost surely a typo.
        if let Some(last) = segments.last() {
            let lower = last.to_ascii_lowercase();
            if let Some((_, coupa)) = NOT_OPERATORS
                .iter()
                .find(|(names, _)| names.contains(&lower.as_str()))
            {
                let attribute = &key[..key.len() - last.len() - 2];
                return Err(err(match *coupa {
                    "=" => format!("'{last}' is not a Coupa operator: equality is a plain '=', as in '{attribute}={value}'"),
                    op => format!("'{last}' is not a Coupa operator: Coupa calls it '{op}', as in '{attribute}[{op}]={value}'"),
                }));
            }
            if !OPERATORS.contains(last) && last.len() >= 3 {
                if let Some(near) = catalog::closest(last, OPERATORS.iter().copied(), 1) {
                    return Err(err(format!(
                        "'{last}' is not a Coupa operator (did you mean '{near}'?); operators: {}",
                        OPERATORS.join(", ")
                    )));
                }
            }
        }
        Ok(Filter {
            resource,
            key: key.to_string(),
            value: value.to_string(),
        })
    }
}

/// The flag of a query option, by clap's rule for a field without a long name
/// of its own (`return_object` -> `--return-object`); the options are named
/// where errors leave the parse, but this one is inside a message.
fn flag_of_query(key: &str) -> String {
    format!("--{}", key.replace('_', "-"))
}

/// A URL's query (`status=approved&limit=5`) as the options that say it:
/// `--filter 'status=approved' --limit 5`.
pub fn as_options(query: &str) -> String {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) if crate::coupa::query::ALL.contains(&key) => {
                format!(
                    "{} {}",
                    flag_of_query(key),
                    shell_escape::escape(value.into())
                )
            }
            _ => format!("--filter {}", shell_escape::escape(pair.into())),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `--fields` must be a JSON list of names and `{"association": [...]}` objects;
/// kept compact so the URL stays short.
pub fn parse_fields(raw: &str) -> Result<String, Error> {
    const FORM: &str = r#"e.g. '["id","status",{"expense_lines":["id"]}]'"#;
    let value: serde_json::Value = serde_json::from_str(raw).map_err(|e| {
        Error::bad(
            Origin::Option("fields"),
            raw,
            format!("not JSON ({e}); {FORM}"),
        )
    })?;
    fn valid(list: &serde_json::Value) -> bool {
        match list {
            serde_json::Value::Array(items) => items.iter().all(|item| match item {
                serde_json::Value::String(s) => !s.is_empty(),
                serde_json::Value::Object(map) => !map.is_empty() && map.values().all(valid),
                _ => false,
            }),
            _ => false,
        }
    }
    if !valid(&value) {
        return Err(Error::bad(
            Origin::Option("fields"),
            raw,
            format!("a JSON list of field names and {{\"association\": [...]}} objects; {FORM}"),
        ));
    }
    Ok(value.to_string())
}

pub fn parse_limit(limit: u64) -> Result<u8, Error> {
    match u8::try_from(limit) {
        Ok(l) if (1..=MAX_LIMIT).contains(&l) => Ok(l),
        _ => Err(Error::bad(
            Origin::Option("limit"),
            &limit.to_string(),
            format!("Coupa returns 1 to {MAX_LIMIT} records a page; use a number in that range"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Found by the validator property test: the resource before ':' went
    // unchecked, so a control character passed.
    #[test]
    fn a_query_options_flag_is_the_one_clap_gives_it() {
        for key in crate::coupa::query::ALL {
            assert_eq!(flag_of_query(key), crate::input::flag_of(key));
        }
    }

    #[test]
    fn a_filters_resource_part_is_a_name() {
        assert!(Filter::parse("\0:-= ").is_err());
        assert!(Filter::parse("in voices:status=paid").is_err());
        assert!(Filter::parse(":status=paid").is_err());
        let f = Filter::parse("coupa_pay/payments:status=paid").unwrap();
        assert_eq!(f.resource.as_deref(), Some("coupa_pay/payments"));
    }
}
