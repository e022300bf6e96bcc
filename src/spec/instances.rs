//! The Coupa instances a kit serves: `--domain HOST` (one), or
//! `--instance NAME=HOST` repeated (a test and a production instance, each
//! with its own OAuth client). Names are validated here, once.

use serde::Serialize;

use super::Domain;
use crate::error::{Error, Origin};
use crate::input::Inputs;

/// An instance's short name, e.g. `test` or `production`: lower-case
/// letters, digits and `_`, starting with a letter, because it becomes part
/// of file names and of environment variable names (`COUPA_TEST_CLIENT_ID`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct InstanceName(String);

/// One Coupa instance: its name and its host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub name: InstanceName,
    pub domain: Domain,
}

/// The name a `--domain` instance goes by: the name the one-instance kit's
/// Bruno and HTTP-file environments have always had.
const SOLE: &str = crate::contract::bruno::ENVIRONMENT;
const MAX_NAME_LEN: usize = 24;
const KEY: &str = "instances";

impl InstanceName {
    pub fn parse(raw: &str) -> Result<Self, Error> {
        let raw = raw.trim();
        let name = raw.to_ascii_lowercase();
        let why = if name.is_empty() {
            Some("the name before '=' is empty; give a short word, e.g. test=acme-test.coupahost.com".to_string())
        } else if name.len() > MAX_NAME_LEN {
            Some(format!("a name has at most {MAX_NAME_LEN} characters; use a short word such as test or production"))
        } else if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            Some("a name starts with a letter, e.g. test or production".into())
        } else {
            name.chars()
                .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
                .map(|c| {
                    format!(
                        "a name holds only letters, digits and '_', not {c:?}: it becomes part of file and environment variable names (use e.g. {})",
                        name.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
                    )
                })
        };
        match why {
            Some(why) => Err(Error::bad(Origin::Option(KEY), raw, why)),
            None => Ok(InstanceName(name)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The instances of `inputs`: `--domain`'s one, or each `--instance` in the
/// order given; names and hosts each distinct.
pub fn instances(inputs: &Inputs) -> Result<Vec<Instance>, Error> {
    match (&inputs.domain, inputs.instances.is_empty()) {
        (Some(_), false) => Err(Error::input(
            Origin::Option(KEY),
            "and --domain both name instances; give --domain HOST for one instance, or --instance NAME=HOST for each of several",
        )),
        (None, true) => Err(Error::input(
            Origin::Option("domain"),
            "is missing; give the Coupa instance host, e.g. --domain acme.coupahost.com (or --instance test=acme-test.coupahost.com --instance production=acme.coupahost.com for several)",
        )),
        (Some(domain), true) => Ok(vec![Instance {
            name: InstanceName(SOLE.into()),
            domain: Domain::parse(domain)?,
        }]),
        (None, false) => {
            let mut out: Vec<Instance> = Vec::new();
            for raw in &inputs.instances {
                let Some((name, host)) = raw.split_once('=') else {
                    return Err(Error::bad(
                        Origin::Option(KEY),
                        raw,
                        "an instance is NAME=HOST, e.g. test=acme-test.coupahost.com",
                    ));
                };
                let instance = Instance {
                    name: InstanceName::parse(name)?,
                    domain: Domain::parse_as(host, KEY)?,
                };
                if let Some(twin) = out.iter().find(|i| i.name == instance.name) {
                    return Err(Error::bad(
                        Origin::Option(KEY),
                        raw,
                        format!(
                            "the name '{}' is taken by {}; give each instance a name of its own",
                            twin.name.as_str(),
                            twin.domain.as_str()
                        ),
                    ));
                }
                if let Some(twin) = out.iter().find(|i| i.domain == instance.domain) {
                    return Err(Error::bad(
                        Origin::Option(KEY),
                        raw,
                        format!(
                            "'{}' already names that host; one instance a host (a test instance has a host of its own, e.g. acme-test.coupahost.com)",
                            twin.name.as_str()
                        ),
                    ));
                }
                out.push(instance);
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(list: &[&str]) -> Result<Vec<Instance>, Error> {
        instances(&Inputs {
            instances: list.iter().map(|s| s.to_string()).collect(),
            ..Inputs::default()
        })
    }

    #[test]
    fn names_and_hosts_in_the_order_given() {
        let got = of(&[
            "Test=acme-test.coupahost.com",
            "production=https://ACME.coupahost.com/",
        ])
        .expect("valid");
        let pairs: Vec<_> = got
            .iter()
            .map(|i| (i.name.as_str(), i.domain.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("test", "acme-test.coupahost.com"),
                ("production", "acme.coupahost.com")
            ]
        );
    }

    #[test]
    fn each_mistake_is_named() {
        for (given, says) in [
            (vec!["acme.coupahost.com"], "an instance is NAME=HOST"),
            (vec!["=acme.coupahost.com"], "the name before '=' is empty"),
            (vec!["us-test=a.coupahost.com"], "use e.g. us_test"),
            (vec!["1st=a.coupahost.com"], "starts with a letter"),
            (vec!["test=a b.coupahost.com"], "a domain has no spaces"),
            (
                vec!["t=a.coupahost.com", "t=b.coupahost.com"],
                "is taken by a.coupahost.com",
            ),
            (
                vec!["t=a.coupahost.com", "p=A.coupahost.com"],
                "'t' already names that host",
            ),
        ] {
            let err = of(&given)
                .expect_err(&format!("{given:?} is refused"))
                .to_string();
            assert!(err.contains(says), "{given:?}: {err}");
        }
        let both = instances(&Inputs {
            domain: Some("a.coupahost.com".into()),
            instances: vec!["t=b.coupahost.com".into()],
            ..Inputs::default()
        });
        assert!(both.is_err_and(|e| e.to_string().contains("both name instances")));
    }
}
