//! Raw input, before validation: one struct that is both the kit's flags and
//! the keys of a `--config` JSON file, so the two cannot drift; the merge
//! (flags win); and `resolve`, which validates into a [`Spec`].

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clap::{Args, CommandFactory as _};
use serde::{Deserialize, Serialize};

use crate::contract::postman;
use crate::coupa::OFFLINE_ACCESS;
use crate::error::{Error, Origin};
use crate::moveworks::{self, Region};
use crate::spec::{
    add_use_case_scopes, parse_fields, parse_limit, parse_resources, settle_scopes, ConnectorName,
    Consent, Domain, Filter, Grant, Query, RedirectUri, ReturnObject, Scope, Spec, VarName,
    DEFAULT_CONNECTOR_NAME, DEFAULT_CONSENT_CONNECTOR_NAME, DEFAULT_CONSENT_RESOURCE,
    DEFAULT_RESOURCE,
};

/// The `--help` heading of the authorization-code grant's options.
const CONSENT: &str = "User consent (--grant authorization-code)";
/// Those options by config key: each means nothing to another grant.
const CONSENT_KEYS: &[&str] = &[
    "redirect_uris",
    "moveworks_org",
    "moveworks_region",
    "pkce",
    "no_offline_access",
];

/// What the kit is made from. Each field is a flag (`--client-id-var`) and a
/// `--config` key (`client_id_var`); its doc comment is the `--help` text.
/// Every field is optional here; `resolve` applies defaults and validates.
#[derive(Debug, Default, Clone, Args, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[command(next_help_heading = "Kit")]
pub struct Inputs {
    /// The Coupa instance host, e.g. acme.coupahost.com (https:// is implied).
    #[arg(long, value_name = "HOST")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
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
    #[arg(long, value_name = "N", help_heading = "Query")]
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

/// The kit's inputs as flags, and the config file they may come from.
#[derive(Debug, Args)]
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

impl KitArgs {
    /// The validated spec: the flags, over `--config` when given.
    pub fn spec(&self) -> Result<Spec, Error> {
        self.resolved().map(|(_, spec)| spec)
    }

    /// Refuses flags that do nothing for `command`. A `--config` file may
    /// still hold those keys: one file serves every command.
    pub fn refuse_unused(&self, command: &str, ignores: &[&str]) -> Result<(), Error> {
        let flags = given(&self.inputs);
        match ignores.iter().find(|k| flags.contains_key(**k)) {
            None => Ok(()),
            Some(key) => Err(Error::input(
                Origin::Flag(flag_of(key)),
                format!("does nothing for `coupagen {command}`; drop it"),
            )),
        }
    }

    /// The inputs as given (flags over `--config`), and the spec they make.
    pub fn resolved(&self) -> Result<(Inputs, Spec), Error> {
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
            None => Ok((self.inputs.clone(), self.inputs.clone().resolve()?)),
            Some(path) => {
                let config = Inputs::from_config_file(path)?;
                let (merged, from_file) = self.inputs.over(&config);
                let spec = merged
                    .clone()
                    .resolve()
                    .map_err(|e| e.from_config(path, &from_file))?;
                Ok((merged, spec))
            }
        }
    }
}

/// The struct's fields as JSON keys and values; what is not given is absent.
fn given(inputs: &Inputs) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(inputs) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => unreachable!("Inputs serializes to an object"),
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

fn json_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v: serde_json::Value = Deserialize::deserialize(d)?;
    Ok(match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}

impl Inputs {
    /// The inputs as a `--config` file: what was given, and nothing else.
    /// Inputs hold no secret, so neither does the file.
    pub fn to_config(&self) -> String {
        let mut text = serde_json::to_string_pretty(&given(self)).expect("inputs serialize");
        text.push('\n');
        text
    }

    /// Reads a `--config` file; errors name the file, the line and column,
    /// and the key at fault with what it should hold.
    pub fn from_config_file(path: &Path) -> Result<Self, Error> {
        let shown = path.display().to_string();
        let fail = |what: String| Error::bad(Origin::Flag("--config"), &shown, what);
        let text =
            std::fs::read_to_string(path).map_err(|e| fail(format!("cannot read it ({e})")))?;
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
        let flags = given(self);
        let mut merged = given(config);
        let from_file = keys()
            .filter(|k| merged.contains_key(*k) && !flags.contains_key(*k))
            .collect();
        merged.extend(flags);
        let merged = serde_json::from_value(serde_json::Value::Object(merged))
            .expect("a merge of two valid inputs is valid");
        (merged, from_file)
    }

    /// Validates everything, applies the defaults.
    pub fn resolve(self) -> Result<Spec, Error> {
        let domain = self.domain.as_deref().ok_or_else(|| {
            Error::input(
                Origin::Option("domain"),
                "is missing; give the Coupa instance host, e.g. --domain acme.coupahost.com",
            )
        })?;
        let domain = Domain::parse(domain)?;
        let grant = self.grant.unwrap_or_default();
        if grant != Grant::AuthorizationCode {
            let given = given(&self);
            if let Some(key) = CONSENT_KEYS.iter().find(|k| given.contains_key(**k)) {
                return Err(Error::input(
                    Origin::Option(key),
                    "is for the authorization-code grant (user consent); add --grant authorization-code, or drop it",
                ));
            }
        }
        let use_cases = self.use_cases()?;
        let resources_given = !self.resources.is_empty();
        let resources = match (resources_given, grant) {
            (true, _) => parse_resources(&self.resources)?,
            // Use cases alone: the kit is their requests.
            (false, _) if !use_cases.is_empty() => Vec::new(),
            (false, Grant::ClientCredentials) => parse_resources(&[DEFAULT_RESOURCE])?,
            (false, Grant::AuthorizationCode) => parse_resources(&[DEFAULT_CONSENT_RESOURCE])?,
        };
        let given_scopes = Scope::parse_list(&self.scopes)?;
        let scopes_given = !given_scopes.is_empty();
        let mut scopes = settle_scopes(
            given_scopes,
            &resources,
            resources_given,
            self.allow_unknown_scopes,
        )?;
        add_use_case_scopes(
            &mut scopes,
            scopes_given,
            &use_cases,
            Origin::Option("use_cases"),
            self.allow_unknown_scopes,
        )?;
        let consent = match grant {
            Grant::ClientCredentials => None,
            Grant::AuthorizationCode => Some(self.consent(&mut scopes)?),
        };
        let client_id_var = VarName::parse(
            "client_id_var",
            self.client_id_var
                .as_deref()
                .unwrap_or(postman::DEFAULT_CLIENT_ID),
        )?;
        let client_secret_var = VarName::parse(
            "client_secret_var",
            self.client_secret_var
                .as_deref()
                .unwrap_or(postman::DEFAULT_CLIENT_SECRET),
        )?;
        if client_id_var == client_secret_var {
            // Blame the one the person gave: the other may be a default.
            return Err(match self.client_secret_var {
                Some(_) => Error::bad(
                    Origin::Option("client_secret_var"),
                    client_secret_var.as_str(),
                    "the secret's placeholder needs a name of its own, not the client id's",
                ),
                None => Error::bad(
                    Origin::Option("client_id_var"),
                    client_id_var.as_str(),
                    "that is the secret's placeholder (--client-secret-var defaults to it); pick another name, or rename the secret's with --client-secret-var",
                ),
            });
        }
        for (key, var) in [
            ("client_id_var", &client_id_var),
            ("client_secret_var", &client_secret_var),
        ] {
            if postman::RESERVED.contains(&var.as_str()) {
                return Err(Error::bad(
                    Origin::Option(key),
                    var.as_str(),
                    format!(
                        "the collection uses that name itself; pick another (reserved: {})",
                        postman::RESERVED.join(", ")
                    ),
                ));
            }
        }
        let connector_name =
            ConnectorName::parse(self.connector_name.as_deref().unwrap_or(match grant {
                Grant::ClientCredentials => DEFAULT_CONNECTOR_NAME,
                Grant::AuthorizationCode => DEFAULT_CONSENT_CONNECTOR_NAME,
            }))?;
        let query =
            Query {
                limit: parse_limit(self.limit.unwrap_or(1))?,
                offset: self.offset,
                filters: self
                    .filters
                    .iter()
                    .map(|f| {
                        let filter = Filter::parse(f)?;
                        match &filter.resource {
                            Some(r) if !resources.iter().any(|k| k.name == r) => {
                                Err(Error::bad(
                                    Origin::Option("filters"),
                                    f,
                                    format!(
                                "'{r}' is not a resource of this kit; the kit's resources: {}",
                                resources.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
                            ),
                                ))
                            }
                            _ => Ok(filter),
                        }
                    })
                    .collect::<Result<_, _>>()?,
                fields: self.fields.as_deref().map(parse_fields).transpose()?,
                return_object: self.return_object,
            };
        Ok(Spec {
            grant,
            consent,
            domain,
            scopes,
            resources,
            use_cases,
            query,
            client_id_var,
            client_secret_var,
            connector_name,
        })
    }
}

impl Inputs {
    /// The use cases: those named with `--use-case` (built in, or in the
    /// file), then the rest of `--use-case-file`'s, each once.
    fn use_cases(&self) -> Result<Vec<crate::usecase::UseCase>, Error> {
        use crate::usecase;
        let names: Vec<&str> = self
            .use_cases
            .iter()
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        if names.is_empty() && self.use_case_file.is_none() {
            return Ok(Vec::new());
        }
        let own = match &self.use_case_file {
            Some(file) => usecase::from_file(Path::new(file), Origin::Option("use_case_file"))?,
            None => Vec::new(),
        };
        let built_in = match names.is_empty() {
            true => Vec::new(),
            false => usecase::built_in(),
        };
        if let Some(clash) = own.iter().find(|o| built_in.iter().any(|b| b.id == o.id)) {
            return Err(Error::bad(
                Origin::Option("use_case_file"),
                self.use_case_file.as_deref().unwrap_or_default(),
                format!(
                    "the use case \"{}\" has a built-in one's id; give yours another",
                    clash.id
                ),
            ));
        }
        let mut out: Vec<usecase::UseCase> = Vec::new();
        for name in names {
            let found = built_in.iter().chain(&own).find(|u| u.id == name);
            let Some(uc) = found else {
                let ids = built_in.iter().chain(&own).map(|u| u.id.as_str());
                let near = crate::catalog::closest(name, ids.clone(), 3);
                return Err(Error::bad(
                    Origin::Option("use_cases"),
                    name,
                    format!(
                        "not a use case{}; `coupagen use-cases` lists them: {}",
                        near.map(|n| format!(" (did you mean '{n}'?)"))
                            .unwrap_or_default(),
                        ids.collect::<Vec<_>>().join(", ")
                    ),
                ));
            };
            if !out.contains(uc) {
                out.push(uc.clone());
            }
        }
        for uc in own {
            if !out.contains(&uc) {
                out.push(uc);
            }
        }
        Ok(out)
    }

    /// The authorization-code grant's settings; `offline_access` joins the
    /// scopes unless left out.
    fn consent(&self, scopes: &mut Vec<Scope>) -> Result<Consent, Error> {
        let mut redirect_uris = self
            .redirect_uris
            .iter()
            .map(|u| RedirectUri::parse(u))
            .collect::<Result<Vec<_>, _>>()?;
        match (&self.moveworks_org, self.moveworks_region) {
            (Some(org), region) => {
                let org = moveworks_org(org)?;
                let uri =
                    RedirectUri::parse(&moveworks::callback(&org, region.unwrap_or(Region::Us)))?;
                if !redirect_uris.contains(&uri) {
                    redirect_uris.push(uri);
                }
            }
            (None, Some(_)) => {
                return Err(Error::input(
                    Origin::Option("moveworks_region"),
                    "needs --moveworks-org: the region says where that org's Agent Studio lives",
                ))
            }
            (None, None) => {}
        }
        if redirect_uris.is_empty() {
            return Err(Error::input(
                Origin::Option("redirect_uris"),
                "is missing: the authorization-code grant sends the person back to a redirect URI the Coupa client lists; give --redirect-uri URL, or --moveworks-org ORG for Agent Studio's callback",
            ));
        }
        let listed = scopes.iter().any(|s| s.as_str() == OFFLINE_ACCESS);
        match (self.no_offline_access, listed) {
            (true, true) => {
                return Err(Error::bad(
                    Origin::Option("scopes"),
                    OFFLINE_ACCESS,
                    "is listed, and --no-offline-access leaves it out; drop one of the two",
                ))
            }
            (false, false) => scopes.push(Scope::parse(OFFLINE_ACCESS)?),
            _ => {}
        }
        Ok(Consent {
            redirect_uris,
            pkce: self.pkce,
            offline_access: !self.no_offline_access,
        })
    }
}

/// `--moveworks-org`: one DNS label. A whole address is answered with the
/// flags that say it.
fn moveworks_org(raw: &str) -> Result<String, Error> {
    let org = raw.trim().to_ascii_lowercase();
    let err = |why: String| Error::bad(Origin::Option("moveworks_org"), raw, why);
    let host = org
        .split_once("://")
        .map_or(org.as_str(), |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or_default();
    if let Some((org, region)) = Region::of_host(host) {
        let region = clap::ValueEnum::to_possible_value(&region)
            .map(|v| v.get_name().to_string())
            .unwrap_or_default();
        return Err(err(format!(
            "the org is the first label of the Agent Studio address; use --moveworks-org {org} --moveworks-region {region}"
        )));
    }
    let label = !org.is_empty()
        && org.len() <= 63
        && org
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !org.starts_with('-')
        && !org.ends_with('-');
    match label {
        true => Ok(org),
        false => Err(err(
            "the org is the first label of your Agent Studio address (acme for acme.moveworks.com): letters, digits and hyphens".into(),
        )),
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
                ("grant", "--grant"),
                ("scopes", "--scope")
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
