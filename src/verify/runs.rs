//! A verify run over one instance or several: which instances, the reports
//! as text, JSON and JUnit, each scrubbed of every secret before it leaves,
//! and where the instances' granted scopes differ.

use std::fmt::Write as _;

use serde_json::json;

use super::report::{scrub_counted, Found, Report};
use super::{junit, Credentials};
use crate::error::{Error, Origin};
use crate::spec::{Instance, Spec};

/// The instances to check: `--instance NAME`'s, every one with
/// `--all-instances`, or the kit's only one.
pub fn targets<'s>(
    spec: &'s Spec,
    picks: &[String],
    all: bool,
) -> Result<Vec<&'s Instance>, Error> {
    let names = spec.instance_names();
    match (picks, all) {
        ([_, _, ..], _) => Err(Error::input(
            Origin::Flag("--instance"),
            format!("names one instance to check; give one of {names}, or --all-instances for each"),
        )),
        ([_], true) => Err(Error::input(
            Origin::Flag("--all-instances"),
            "checks every instance, and --instance one: give one or the other",
        )),
        ([pick], false) => spec.instance(pick.trim()).map(|i| vec![i]).ok_or_else(|| {
            Error::bad(
                Origin::Flag("--instance"),
                pick,
                match spec.multi() {
                    true => format!("is not one of this kit's instances; give one of {names}"),
                    false => format!(
                        "this kit has one instance, {}; drop --instance (a kit of several has --instance NAME=HOST for each)",
                        spec.first().domain.as_str()
                    ),
                },
            )
        }),
        ([], true) => Ok(spec.instances.iter().collect()),
        ([], false) if spec.multi() => Err(Error::input(
            Origin::Flag("--instance"),
            format!("is missing: this kit has several instances ({names}); give --instance NAME to check one, or --all-instances for each"),
        )),
        ([], false) => Ok(vec![spec.first()]),
    }
}

/// Every instance's report, and what none of them may show.
pub struct Runs {
    pub reports: Vec<Report>,
    /// Each report's instance name, with several.
    names: Vec<Option<String>>,
    secrets: Vec<String>,
}

impl Runs {
    pub fn new(reports: Vec<Report>, creds: &[Credentials]) -> Runs {
        let secrets = creds
            .iter()
            .flat_map(|c| [Some(c.client_secret.clone()), c.refresh_token.clone()])
            .flatten()
            .chain(reports.iter().flat_map(|r| r.secrets.iter().cloned()))
            .collect();
        Runs {
            names: creds
                .iter()
                .map(|c| c.instance.as_ref().map(|n| n.as_str().to_string()))
                .collect(),
            reports,
            secrets,
        }
    }

    pub fn ok(&self) -> bool {
        self.reports.iter().all(|r| r.ok)
    }

    fn scrub(&self, text: &str) -> (String, usize) {
        let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        scrub_counted(text, &secrets)
    }

    /// The text report: each instance's, then where the scopes differ.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (i, (report, name)) in self.reports.iter().zip(&self.names).enumerate() {
            if i > 0 {
                out.push('\n');
            }
            if let Some(name) = name {
                let _ = writeln!(out, "instance {name}:");
            }
            out.push_str(&report.text());
        }
        if let Some(differ) = self.scopes_differ() {
            let _ = writeln!(out, "\n{differ}");
        }
        let (mut out, hits) = self.scrub(&out);
        if hits > 0 {
            let _ = writeln!(out, "{}", redacted(hits));
        }
        out
    }

    /// One instance: its report as before; several: each under its name.
    pub fn json(&self) -> String {
        let doc = match self.names.as_slice() {
            [None] => json!(self.reports[0]),
            _ => json!({
                "ok": self.ok(),
                "instances": self.reports.iter().zip(&self.names).map(|(r, n)| {
                    let mut one = json!(r);
                    one["instance"] = json!(n);
                    one
                }).collect::<Vec<_>>(),
                "scopes_differ": self.scopes_differ(),
            }),
        };
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        let (text, hits) = self.scrub(&text);
        let mut text = match hits {
            0 => text,
            // Counted where a program reads it; the values are already gone.
            n => match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(mut doc) => {
                    doc["redacted"] = json!(n);
                    serde_json::to_string_pretty(&doc).unwrap_or(text)
                }
                Err(_) => text,
            },
        };
        text.push('\n');
        text
    }

    /// JUnit XML: a testsuite an instance, a testcase a step.
    pub fn junit(&self) -> String {
        let suites: Vec<junit::Suite<'_>> = self
            .reports
            .iter()
            .zip(&self.names)
            .map(|(report, name)| junit::Suite {
                name: name.clone().unwrap_or_else(|| report.domain.clone()),
                domain: &report.domain,
                steps: &report.steps,
            })
            .collect();
        let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        junit::xml(&suites, &secrets)
    }

    /// With several instances, where the scopes each was granted differ.
    fn scopes_differ(&self) -> Option<String> {
        let granted: Vec<(&str, Vec<String>)> = self
            .reports
            .iter()
            .zip(&self.names)
            .filter_map(|(r, n)| Some((n.as_deref()?, granted(r)?)))
            .collect();
        let [(first, scopes), rest @ ..] = granted.as_slice() else {
            return None;
        };
        let mut lines = Vec::new();
        for (name, other) in rest {
            let only = |a: &[String], b: &[String]| -> Vec<String> {
                a.iter().filter(|s| !b.contains(s)).cloned().collect()
            };
            let (mine, theirs) = (only(scopes, other), only(other, scopes));
            if !mine.is_empty() || !theirs.is_empty() {
                let list = |v: &[String]| match v.is_empty() {
                    true => "nothing".to_string(),
                    false => v.join(" "),
                };
                lines.push(format!(
                    "scopes differ: {first} was granted {} that {name} was not; {name} was granted {} that {first} was not. Give both OAuth clients the same scopes (Setup > OAuth2/OpenID Connect Clients on each instance).",
                    list(&mine),
                    list(&theirs)
                ));
            }
        }
        (!lines.is_empty()).then(|| lines.join("\n"))
    }
}

/// The scopes a report's token came with, when it said.
fn granted(report: &Report) -> Option<Vec<String>> {
    report.steps.iter().find_map(|s| match &s.facts {
        super::Facts::Http {
            found:
                Some(Found::Token {
                    scopes_granted: Some(g),
                    ..
                }),
            ..
        } => Some(g.clone()),
        _ => None,
    })
}

/// What a report says of the secrets it held back.
fn redacted(hits: usize) -> String {
    format!(
        "redacted: {hits} echo{} of the secret, a token, the code or the state in what the server sent",
        if hits == 1 { "" } else { "es" }
    )
}
