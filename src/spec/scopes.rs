//! Scope policy: the resources a kit calls, and the scopes it asks for,
//! derived from them and the use cases or checked against them.

use crate::catalog::{self, Resource};
use crate::error::{Error, Origin};
use crate::usecase::UseCase;

use super::Scope;

/// Resources by name, comma-separated lists allowed (a trailing comma too),
/// duplicates dropped. The path as the setup guide shows it,
/// `/api/expense_reports`, names the resource too.
pub fn parse_resources<S: AsRef<str>>(values: &[S]) -> Result<Vec<&'static Resource>, Error> {
    let mut out: Vec<&'static Resource> = Vec::new();
    for value in values {
        let names: Vec<&str> = value
            .as_ref()
            .split(',')
            .map(|n| n.trim().trim_start_matches("/api/").trim_matches('/'))
            .filter(|n| !n.is_empty())
            .collect();
        if names.is_empty() {
            return Err(Error::bad(
                Origin::Option("resources"),
                value.as_ref(),
                "names no resource; give e.g. 'expense_reports' (`coupagen scopes --resources` lists them)",
            ));
        }
        for name in names {
            // `/api/invoices?limit=5`: a URL pasted whole; its query is options.
            if let Some((path, query)) = name.split_once('?') {
                return Err(Error::bad(
                    Origin::Option("resources"),
                    name,
                    format!(
                        "a resource is a name, and its query options are flags of their own: --resource {} {}",
                        path.trim_start_matches("/api/").trim_matches('/'),
                        super::query::as_options(query)
                    ),
                ));
            }
            let resource = catalog::resource(name).ok_or_else(|| {
                Error::bad(
                    Origin::Option("resources"),
                    name,
                    format!(
                        "not a Coupa API resource{}; `coupagen scopes --resources` lists them",
                        resource_hint(name)
                    ),
                )
            })?;
            if !out.contains(&resource) {
                out.push(resource);
            }
        }
    }
    Ok(out)
}

/// The resources a mistaken name probably meant: a near spelling, else those
/// of an area by that name (`expenses`), else those containing its stem.
fn resource_hint(name: &str) -> String {
    let all = catalog::resources();
    if let Some(near) = catalog::closest(name, all.iter().map(|r| r.name), 3) {
        return format!(" (did you mean '{near}'?)");
    }
    let lower = name.to_ascii_lowercase();
    let stem = lower.trim_end_matches('s');
    let mut matches: Vec<&str> = all
        .iter()
        .filter(|r| r.area.eq_ignore_ascii_case(&lower))
        .map(|r| r.name)
        .collect();
    if matches.is_empty() && stem.len() >= 3 {
        matches = all
            .iter()
            .filter(|r| r.name.contains(stem))
            .map(|r| r.name)
            .collect();
    }
    match matches.len() {
        0 => String::new(),
        n => format!(
            " (perhaps {}{})",
            matches
                .iter()
                .take(12)
                .map(|m| format!("'{m}'"))
                .collect::<Vec<_>>()
                .join(", "),
            if n > 12 {
                format!(" or {} more", n - 12)
            } else {
                String::new()
            }
        ),
    }
}

/// Without `--scope`: the resources' read scopes, sorted. With it: the given
/// scopes, which must be known (unless allowed) and cover every resource.
pub fn settle_scopes(
    given: Vec<Scope>,
    resources: &[&'static Resource],
    resources_given: bool,
    allow_unknown: bool,
) -> Result<Vec<Scope>, Error> {
    if given.is_empty() {
        let mut scopes: Vec<Scope> = resources
            .iter()
            .map(|r| Scope(r.read_scope.to_string()))
            .collect();
        scopes.sort();
        scopes.dedup();
        return Ok(scopes);
    }
    if !allow_unknown {
        for scope in &given {
            if catalog::scope(scope.as_str()).is_none() {
                return Err(Error::bad(
                    Origin::Option("scopes"),
                    scope.as_str(),
                    format!(
                        "not a known Coupa scope{}; `coupagen scopes` lists them, and --allow-unknown-scopes accepts your instance's own",
                        catalog::scope_hint(scope.as_str())
                    ),
                ));
            }
        }
    }
    for resource in resources {
        if !given.iter().any(|s| s.as_str() == resource.read_scope) && !resources_given {
            // The person named scopes but no resource: the default is the surprise.
            let granted: Vec<&str> = catalog::resources()
                .iter()
                .filter(|r| given.iter().any(|s| s.as_str() == r.read_scope))
                .map(|r| r.name)
                .take(3)
                .collect();
            let instead = match granted.as_slice() {
                [] => String::new(),
                names => format!(
                    "name the resources you want, e.g. --resource {} (which your scopes grant), or ",
                    names.join(",")
                ),
            };
            return Err(Error::input(
                Origin::Option("scopes"),
                format!(
                    "does not list '{}', which the default resource '{}' needs; {instead}add --scope {}",
                    resource.read_scope, resource.name, resource.read_scope
                ),
            ));
        }
        if !given.iter().any(|s| s.as_str() == resource.read_scope) {
            return Err(Error::input(
                Origin::Option("resources"),
                format!(
                    "'{}' needs the scope '{}', which --scope does not list; add --scope {}",
                    resource.name, resource.read_scope, resource.read_scope
                ),
            ));
        }
    }
    Ok(given)
}

/// Adds the scopes the use cases' requests need: to the defaults, or, when
/// `--scope` was given, checks it lists each one.
pub fn add_use_case_scopes(
    scopes: &mut Vec<Scope>,
    scopes_given: bool,
    use_cases: &[UseCase],
    origin: Origin,
    allow_unknown: bool,
) -> Result<(), Error> {
    for uc in use_cases {
        for step in &uc.requests {
            if !allow_unknown && catalog::scope(&step.scope).is_none() {
                return Err(Error::bad(
                    origin.clone(),
                    &uc.id,
                    format!(
                        "request \"{}\" needs the scope '{}', which is not a known Coupa scope{}; `coupagen scopes` lists them, and --allow-unknown-scopes accepts your instance's own",
                        step.name, step.scope, catalog::scope_hint(&step.scope)
                    ),
                ));
            }
            if scopes.iter().any(|s| s.as_str() == step.scope) {
                continue;
            }
            if scopes_given {
                return Err(Error::bad(
                    origin.clone(),
                    &uc.id,
                    format!(
                        "needs the scope '{0}' (for \"{1}\"), which --scope does not list; add --scope {0}",
                        step.scope, step.name
                    ),
                ));
            }
            scopes.push(Scope(step.scope.clone()));
        }
    }
    if !scopes_given {
        scopes.sort();
        scopes.dedup();
    }
    Ok(())
}
