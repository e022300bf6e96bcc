//! Raw input, before validation: one struct that is both the kit's flags and
//! the keys of a `--config` JSON file, so the two cannot drift; the merge
//! (flags win); and the naming of a bad option as the person gave it. The
//! `spec` module validates these into a `Spec` (`Inputs::resolve`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clap::{Args, CommandFactory as _};
use serde::{Deserialize, Serialize};

use crate::coupa::{Grant, ReturnObject};
use crate::error::{Error, Origin};
use crate::moveworks::Region;

/// The `--help` heading of the authorization-code grant's options.
const CONSENT: &str = "User consent (--grant authorization-code)";
// What the kit is made from. Each field is a flag (`--client-id-var`) and a
// `--config` key (`client_id_var`); its doc comment is the `--help` text.
// Every field is optional here; `spec` applies defaults and validates.
// (Plain comments on the types clap flattens into commands: clap would make
// a doc comment there the about of every command that has them.)
#[derive(Debug, Default, Clone, Args, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[command(next_help_heading = "Kit")]
pub struct Inputs {
    /// The Coupa instance host, e.g. acme.coupahost.com (https:// is implied).
    #[arg(long, value_name = "HOST")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// A Coupa instance by name, NAME=HOST, e.g. test=acme-test.coupahost.com;
    /// repeatable, for a kit that serves test and production (each with its
    /// own OAuth client), instead of --domain. In a config file, an object
    /// {"test": "acme-test.coupahost.com", "production": "acme.coupahost.com"}.
    /// `coupagen verify --instance NAME` checks one of the kit's.
    #[arg(long = "instance", value_name = "NAME=HOST")]
    #[serde(
        default,
        alias = "instance",
        deserialize_with = "named_hosts",
        serialize_with = "as_named_hosts",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub instances: Vec<String>,
    /// The OAuth grant: client-credentials (one connection for everyone) or
    /// authorization-code (each person consents and sees only their own data:
    /// Agent Studio's User Consent Auth) [default: client-credentials]
    #[arg(long, value_enum, value_name = "GRANT", hide_possible_values = true)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant: Option<Grant>,
    /// An OAuth scope the client has; repeatable, or a space- or
    /// comma-separated list [default: the scopes the resources need]
    #[arg(long = "scope", value_name = "SCOPE")]
    #[serde(
        default,
        alias = "scope",
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub scopes: Vec<String>,
    /// An API resource to call (see `coupagen scopes --resources`);
    /// repeatable or comma-separated [default: expense_reports; approvals with
    /// authorization-code]
    #[arg(long = "resource", value_name = "NAME")]
    #[serde(
        default,
        alias = "resource",
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub resources: Vec<String>,
    /// A use case to serve (see `coupagen use-cases`): its requests, chained;
    /// repeatable or comma-separated.
    #[arg(long = "use-case", value_name = "ID")]
    #[serde(
        default,
        alias = "use_case",
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub use_cases: Vec<String>,
    /// Your own use cases, a JSON file in the format of coupagen's built-in
    /// ones (README: "Use cases"); all of its use cases join the kit.
    #[arg(long, value_name = "FILE")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub use_case_file: Option<String>,
    /// Records a page, 1 to 50 [default: 1]
    #[arg(long, value_name = "N", help_heading = "Query", allow_negative_numbers = true, value_parser = limit_arg)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// Records to skip, for paging.
    #[arg(long, value_name = "N", help_heading = "Query")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
    /// A filter, `attribute=value` or `attribute[operator]=value`
    /// (operators: contains, starts_with, ends_with, gt, lt, gt_or_eq,
    /// lt_or_eq, not_eq, in, not_in, blank); for one resource only,
    /// `invoices:status=paid`; repeatable.
    #[arg(long = "filter", value_name = "EXPR", help_heading = "Query")]
    #[serde(
        default,
        alias = "filter",
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub filters: Vec<String>,
    /// The fields to return, a JSON list, e.g. '["id",{"expense_lines":["id"]}]'.
    /// In a config file, the list itself or its text.
    #[arg(long, value_name = "JSON", help_heading = "Query")]
    #[serde(
        default,
        deserialize_with = "json_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub fields: Option<String>,
    /// Coupa's smaller answers: limited or shallow.
    #[arg(long, value_enum, value_name = "MODE", help_heading = "Query")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_object: Option<ReturnObject>,
    /// The Postman placeholder for the client's Identifier [default: Identifier]
    #[arg(long, value_name = "NAME")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_id_var: Option<String>,
    /// The Postman placeholder for the client's Secret [default: Secret]
    #[arg(long, value_name = "NAME")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret_var: Option<String>,
    /// A redirect URI to register on the Coupa client (https, or http on
    /// 127.0.0.1 or localhost); repeatable. The first is the one the
    /// authorization request sends.
    #[arg(long = "redirect-uri", value_name = "URL", help_heading = CONSENT)]
    #[serde(
        default,
        alias = "redirect_uri",
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub redirect_uris: Vec<String>,
    /// Add Moveworks' callback for this org, the first label of your Agent
    /// Studio address (acme for acme.moveworks.com), after any --redirect-uri.
    #[arg(long, value_name = "ORG", help_heading = CONSENT)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moveworks_org: Option<String>,
    /// The Moveworks data centre of --moveworks-org: us (moveworks.com), ca,
    /// eu, ap (am-<region>.moveworks.com) or gov (moveworksgov.com) [default: us]
    #[arg(
        long,
        value_enum,
        value_name = "REGION",
        hide_possible_values = true,
        help_heading = CONSENT
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moveworks_region: Option<Region>,
    /// The Coupa client was created with PKCE instead of a shared secret:
    /// no secret; each authorization carries an S256 code challenge.
    #[arg(long, help_heading = CONSENT)]
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pkce: bool,
    /// Leave offline_access out of the scopes. It is added by default: without
    /// it Coupa issues no refresh token, and people consent again every day.
    #[arg(long, help_heading = CONSENT)]
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_offline_access: bool,
    /// The Agent Studio connection name [default: Coupa Connector; Coupa
    /// Consent Auth Connector with authorization-code]
    #[arg(long, value_name = "TEXT")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connector_name: Option<String>,
    /// Accept scopes that coupagen's catalog does not list (an instance's own).
    #[arg(long)]
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_unknown_scopes: bool,
}

// The kit's inputs as flags, and the config file they may come from.
#[derive(Debug, Clone, Args)]
pub struct KitArgs {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Read any of these options from a JSON file (keys in snake_case,
    /// e.g. {"domain": "...", "resources": [...]}); flags win.
    #[arg(long, value_name = "FILE", help_heading = "Kit")]
    pub config: Option<PathBuf>,
    /// A secret given as a flag: refused, never echoed. It is here so that
    /// clap does not answer `--client-secret` with "did you mean
    /// --client-secret-var", which would then echo the secret.
    #[arg(
        long = "client-secret",
        alias = "secret",
        alias = "client_secret",
        hide = true
    )]
    pub secret_given: Option<String>,
}

/// The inputs as given: the flags over a `--config` file's, and what the file
/// gave, so that a bad option's error names where it came from.
#[derive(Debug)]
pub struct Given {
    pub inputs: Inputs,
    /// The file, and the keys it gave that no flag overrode.
    config: Option<(PathBuf, Vec<&'static str>)>,
}

impl From<Inputs> for Given {
    /// Inputs from flags alone.
    fn from(inputs: Inputs) -> Self {
        Given {
            inputs,
            config: None,
        }
    }
}

impl Given {
    /// An option's error, named as the person gave the option: the config
    /// file's key when the file gave it, else its flag.
    pub fn place(&self, e: Error) -> Error {
        e.placed(|key| match &self.config {
            Some((file, keys)) if keys.contains(&key) => Origin::ConfigKey {
                file: file.clone(),
                key,
            },
            _ => Origin::Flag(flag_of(key)),
        })
    }
}

impl KitArgs {
    /// Refuses flags that do nothing for `command`. A `--config` file may
    /// still hold those keys: one file serves every command.
    pub fn refuse_unused(&self, command: &str, ignores: &[&str]) -> Result<(), Error> {
        let flags = self.inputs.fields_given();
        match ignores.iter().find(|k| flags.contains_key(**k)) {
            None => Ok(()),
            Some(key) => Err(Error::input(
                Origin::Flag(flag_of(key)),
                format!("does nothing for `coupagen {command}`; drop it"),
            )),
        }
    }

    /// In a kit's folder (one holding its record, `coupagen.json`) and with
    /// no `--config`: these flags over that record, so that `verify` there
    /// checks the kit's own requests. `None` elsewhere.
    pub fn in_kit_folder(&self) -> Option<KitArgs> {
        let record = Path::new(crate::contract::kit::CONFIG);
        (self.config.is_none() && record.is_file()).then(|| KitArgs {
            config: Some(record.to_path_buf()),
            ..self.clone()
        })
    }

    /// The inputs as given: the flags, over `--config` when given.
    pub fn given(&self) -> Result<Given, Error> {
        if self.secret_given.is_some() {
            return Err(Error::input(
                Origin::Flag("--client-secret"),
                format!(
                    "is refused: a secret on the command line stays in your shell history and the process list, and coupagen never takes one. Give it through the environment instead: `read -rs {0} && export {0}` (paste, then Enter), or pipe it to `coupagen verify --client-secret-stdin`",
                    crate::contract::env::CLIENT_SECRET
                ),
            ));
        }
        match &self.config {
            None => Ok(Given::from(self.inputs.clone())),
            Some(path) => {
                let mut config = Inputs::from_config_file(path)?;
                // A file the config names is where the config is, as a kit
                // records its copy: the kit works from any folder.
                if let (Some(file), Some(dir)) = (&config.use_case_file, path.parent()) {
                    if Path::new(file).is_relative() {
                        config.use_case_file = Some(dir.join(file).display().to_string());
                    }
                }
                let (inputs, from_file) = self.inputs.over(&config);
                Ok(Given {
                    inputs,
                    config: Some((path.clone(), from_file)),
                })
            }
        }
    }
}

/// `--limit`'s value as clap reads it: a negative number is the range's
/// problem, not an unknown flag (the rest of the range is `spec`'s).
pub fn limit_arg(raw: &str) -> Result<u64, String> {
    let range = format!(
        "Coupa returns 1 to {} records a page; use a number in that range",
        crate::coupa::MAX_LIMIT
    );
    match raw.trim().parse::<i64>() {
        Ok(n) if n >= 0 => Ok(n as u64),
        Ok(_) => Err(range),
        Err(_) => Err(format!("not a whole number; {range}")),
    }
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged, expecting = "expected a string or a list of strings")]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Deserialize::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// `instances` in a config file: an object of names and hosts, or the
/// flag's own `NAME=HOST` strings.
fn named_hosts<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(
        untagged,
        expecting = "expected an object of names and hosts, e.g. {\"test\": \"acme-test.coupahost.com\"}"
    )]
    enum Named {
        Object(serde_json::Map<String, serde_json::Value>),
        List(Vec<String>),
        One(String),
    }
    Ok(match Deserialize::deserialize(d)? {
        Named::One(s) => vec![s],
        Named::List(v) => v,
        Named::Object(map) => {
            let mut out = Vec::with_capacity(map.len());
            for (name, host) in map {
                let serde_json::Value::String(host) = host else {
                    return Err(serde::de::Error::custom(format!(
                        "the host of \"{name}\" is a string, e.g. \"acme-test.coupahost.com\""
                    )));
                };
                out.push(format!("{name}={host}"));
            }
            out
        }
    })
}

/// `instances` as a config file holds them: an object of names and hosts.
fn as_named_hosts<S: serde::Serializer>(list: &[String], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap as _;
    let mut map = s.serialize_map(Some(list.len()))?;
    for item in list {
        let (name, host) = item.split_once('=').unwrap_or((item, ""));
        map.serialize_entry(name, host)?;
    }
    map.end()
}

fn json_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v: serde_json::Value = Deserialize::deserialize(d)?;
    Ok(match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}

impl Inputs {
    /// The struct's fields as JSON keys and values; what is not given is absent.
    pub fn fields_given(&self) -> serde_json::Map<String, serde_json::Value> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => unreachable!("Inputs serializes to an object"),
        }
    }

    /// The inputs as a `--config` file: what was given, and nothing else.
    /// Inputs hold no secret, so neither does the file.
    pub fn to_config(&self) -> String {
        let mut text =
            serde_json::to_string_pretty(&self.fields_given()).expect("inputs serialize");
        text.push('\n');
        text
    }

    /// The inputs as a kit records them in its own folder: each list as a
    /// list (`--use-case a,b` is `["a", "b"]`), and the use-case file as the
    /// kit's copy, named relative to the record.
    pub fn for_kit(&self) -> Inputs {
        let split = |values: &[String], separators: &[char]| -> Vec<String> {
            values
                .iter()
                .flat_map(|v| v.split(separators))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(String::from)
                .collect()
        };
        Inputs {
            scopes: split(&self.scopes, &[' ', ',']),
            resources: split(&self.resources, &[',']),
            use_cases: split(&self.use_cases, &[',']),
            use_case_file: self
                .use_case_file
                .as_ref()
                .map(|_| crate::contract::kit::USE_CASES.to_string()),
            ..self.clone()
        }
    }

    /// Reads a `--config` file; errors name the file, the line and column,
    /// and the key at fault with what it should hold.
    pub fn from_config_file(path: &Path) -> Result<Self, Error> {
        let shown = path.display().to_string();
        let fail = |what: String| Error::bad(Origin::Flag("--config"), &shown, what);
        let text = crate::bounded::file(path, crate::bounded::CONFIG, Origin::Flag("--config"))?;
        if !text.trim_start().starts_with('{') && !text.trim().is_empty() {
            return Err(fail(
                r#"the file holds a JSON object of options, e.g. {"domain": "acme.coupahost.com"}"#
                    .into(),
            ));
        }
        let de = &mut serde_json::Deserializer::from_str(&text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.into_inner();
            let (line, column) = (inner.line(), inner.column());
            // serde_json ends its message with the position, which we lead with.
            let full = inner.to_string();
            let message = full
                .strip_suffix(&format!(" at line {line} column {column}"))
                .unwrap_or(&full);
            let at = format!("line {line}, column {column}");
            fail(match inner.classify() {
                serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                    format!("{at}: not valid JSON: {message}")
                }
                _ if message.starts_with("unknown field") => {
                    let near = crate::catalog::closest(&key, keys(), 3);
                    format!(
                        "{at}: unknown key \"{key}\"{}; known keys: {}",
                        near.map(|n| format!(" (did you mean \"{n}\"?)"))
                            .unwrap_or_default(),
                        keys().collect::<Vec<_>>().join(", ")
                    )
                }
                _ => format!("{at}: key \"{key}\": {}", friendly_types(message)),
            })
        })
    }

    /// Flags win over the config file; a repeatable flag replaces the file's
    /// list. Also returns the keys whose values came from the file.
    pub fn over(&self, config: &Inputs) -> (Inputs, Vec<&'static str>) {
        let flags = self.fields_given();
        let mut merged = config.fields_given();
        // `--domain` and `--instance` are two forms of one option: either
        // flag replaces the file's instances, whichever form it used.
        if flags.contains_key("domain") || flags.contains_key("instances") {
            merged.remove("domain");
            merged.remove("instances");
        }
        let from_file = keys()
            .filter(|k| merged.contains_key(*k) && !flags.contains_key(*k))
            .collect();
        merged.extend(flags);
        let merged = serde_json::from_value(serde_json::Value::Object(merged))
            .expect("a merge of two valid inputs is valid");
        (merged, from_file)
    }
}

/// serde's type names, as a user would say them.
fn friendly_types(message: &str) -> String {
    message
        .replace("expected u64", "expected a whole number")
        .replace("expected u32", "expected a whole number")
        .replace("invalid type: ", "")
}

/// Each option's config key and flag, read off the one definition above.
fn options() -> &'static [(String, String)] {
    static OPTIONS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        #[derive(clap::Parser)]
        struct Probe {
            #[command(flatten)]
            inputs: Inputs,
        }
        Probe::command()
            .get_arguments()
            .filter_map(|a| Some((a.get_id().to_string(), format!("--{}", a.get_long()?))))
            .collect()
    })
}

/// Every `--config` key, in the order `--help` lists the flags.
pub fn keys() -> impl Iterator<Item = &'static str> {
    options().iter().map(|(key, _)| key.as_str())
}

/// The flag for a config key: `client_id_var` -> `--client-id-var`.
pub fn flag_of(key: &str) -> &'static str {
    options()
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, flag)| flag.as_str())
        .unwrap_or_else(|| panic!("no option has the key {key:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_is_a_config_key_and_back() {
        let pairs: Vec<(&str, &str)> = keys().map(|k| (k, flag_of(k))).collect();
        assert_eq!(
            pairs[..3],
            [
                ("domain", "--domain"),
                ("instances", "--instance"),
                ("grant", "--grant")
            ]
        );
        assert!(pairs.contains(&("client_id_var", "--client-id-var")));
        assert!(pairs.contains(&("allow_unknown_scopes", "--allow-unknown-scopes")));
        assert!(pairs.contains(&("redirect_uris", "--redirect-uri")));
        // A config file may set every key a flag sets, by the same name.
        let mut all = serde_json::Map::new();
        for key in keys() {
            all.insert(key.into(), serde_json::json!(null));
        }
        let err = serde_json::from_value::<Inputs>(serde_json::Value::Object(all.clone()));
        assert!(
            !err.as_ref()
                .is_err_and(|e| e.to_string().contains("unknown field")),
            "{err:?}"
        );
        assert_eq!(all.len(), keys().count());
    }

    // `Given::place` looks each option's key up with flag_of, which panics on
    // a key no option has: every key the validation names must be one.
    #[test]
    fn every_option_the_validation_names_is_a_config_key() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/spec");
        let mut named = 0;
        for entry in std::fs::read_dir(dir).expect("src/spec/ is readable") {
            let text = std::fs::read_to_string(entry.expect("an entry").path()).expect("a file");
            for rest in text.split("Origin::Option(\"").skip(1) {
                let key = &rest[..rest.find('"').expect("a closed string")];
                assert!(keys().any(|k| k == key), "no option has the key {key:?}");
                named += 1;
            }
        }
        assert!(named > 20, "found only {named}");
    }

    #[test]
    fn flags_win_and_the_file_is_named_for_what_it_gave() {
        let flags = Inputs {
            limit: Some(5),
            scopes: vec!["a".into()],
            ..Inputs::default()
        };
        let config = Inputs {
            domain: Some("x.coupahost.com".into()),
            limit: Some(9),
            allow_unknown_scopes: true,
            ..Inputs::default()
        };
        let (merged, from_file) = flags.over(&config);
        assert_eq!(merged.limit, Some(5));
        assert_eq!(merged.domain.as_deref(), Some("x.coupahost.com"));
        assert_eq!(merged.scopes, ["a"]);
        assert!(merged.allow_unknown_scopes);
        assert_eq!(from_file, ["domain", "allow_unknown_scopes"]);
    }
}
