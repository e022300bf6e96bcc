//! Raw input, before validation: the flags, or a `--config` JSON file with
//! the same names, merged (flags win) and resolved into a validated [`Spec`].

use std::path::{Path, PathBuf};

use crate::spec::{
    bad, parse_fields, parse_limit, parse_resources, settle_scopes, ConnectorName, Domain, Filter,
    Query, ReturnObject, Scope, Spec, VarName, DEFAULT_CLIENT_ID_VAR, DEFAULT_CLIENT_SECRET_VAR,
    DEFAULT_CONNECTOR_NAME, DEFAULT_RESOURCE,
};
use crate::Error;

/// Raw input, before validation: from flags, or from a `--config` JSON file
/// with the same names (snake_case). Every field is optional here; `resolve`
/// applies defaults and validates.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inputs {
    pub domain: Option<String>,
    #[serde(default, alias = "scope", deserialize_with = "one_or_many")]
    pub scopes: Vec<String>,
    #[serde(default, alias = "resource", deserialize_with = "one_or_many")]
    pub resources: Vec<String>,
    pub limit: Option<u64>,
    pub offset: Option<u32>,
    #[serde(default, alias = "filter", deserialize_with = "one_or_many")]
    pub filters: Vec<String>,
    /// A JSON list; in a config file either the list itself or its text.
    #[serde(default, deserialize_with = "json_text")]
    pub fields: Option<String>,
    pub return_object: Option<ReturnObject>,
    pub client_id_var: Option<String>,
    pub client_secret_var: Option<String>,
    pub connector_name: Option<String>,
    #[serde(default)]
    pub allow_unknown_scopes: bool,
    /// The config file, and the keys whose values came from it, so errors
    /// point at the file rather than at a flag the user never typed.
    #[serde(skip)]
    pub from_config: Option<(PathBuf, Vec<&'static str>)>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged, expecting = "expected a string or a list of strings")]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match serde::Deserialize::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

fn json_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v: serde_json::Value = serde::Deserialize::deserialize(d)?;
    Ok(match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}

impl Inputs {
    /// Reads a `--config` file; errors name the file, the line and column,
    /// and the key at fault with what it should hold.
    pub fn from_config_file(path: &Path) -> Result<Self, Error> {
        let shown = path.display();
        let fail = |what: String| Error::Input(format!("--config '{shown}': {what}"));
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
                    let near = crate::catalog::closest(&key, config_keys(), 3);
                    format!(
                        "{at}: unknown key \"{key}\"{}; known keys: {}",
                        near.map(|n| format!(" (did you mean \"{n}\"?)"))
                            .unwrap_or_default(),
                        config_keys().collect::<Vec<_>>().join(", ")
                    )
                }
                _ => format!("{at}: key \"{key}\": {}", friendly_types(message)),
            })
        })
    }

    /// Flags win over the config file; repeatable flags replace its lists.
    pub fn over(self, config: Inputs, path: &Path) -> Inputs {
        let mut taken: Vec<&'static str> = Vec::new();
        let mut pick = |key: &'static str, flag_given: bool, config_given: bool| {
            if !flag_given && config_given {
                taken.push(key);
            }
        };
        pick("domain", self.domain.is_some(), config.domain.is_some());
        pick("scopes", !self.scopes.is_empty(), !config.scopes.is_empty());
        pick(
            "resources",
            !self.resources.is_empty(),
            !config.resources.is_empty(),
        );
        pick("limit", self.limit.is_some(), config.limit.is_some());
        pick(
            "filters",
            !self.filters.is_empty(),
            !config.filters.is_empty(),
        );
        pick("fields", self.fields.is_some(), config.fields.is_some());
        pick(
            "client_id_var",
            self.client_id_var.is_some(),
            config.client_id_var.is_some(),
        );
        pick(
            "client_secret_var",
            self.client_secret_var.is_some(),
            config.client_secret_var.is_some(),
        );
        pick(
            "connector_name",
            self.connector_name.is_some(),
            config.connector_name.is_some(),
        );
        fn list(flags: Vec<String>, config: Vec<String>) -> Vec<String> {
            if flags.is_empty() {
                config
            } else {
                flags
            }
        }
        Inputs {
            domain: self.domain.or(config.domain),
            scopes: list(self.scopes, config.scopes),
            resources: list(self.resources, config.resources),
            limit: self.limit.or(config.limit),
            offset: self.offset.or(config.offset),
            filters: list(self.filters, config.filters),
            fields: self.fields.or(config.fields),
            return_object: self.return_object.or(config.return_object),
            client_id_var: self.client_id_var.or(config.client_id_var),
            client_secret_var: self.client_secret_var.or(config.client_secret_var),
            connector_name: self.connector_name.or(config.connector_name),
            allow_unknown_scopes: self.allow_unknown_scopes || config.allow_unknown_scopes,
            from_config: Some((path.to_path_buf(), taken)),
        }
    }

    /// Validates everything, applies the defaults. A bad value from the
    /// config file is reported as the file's key, not as a flag.
    pub fn resolve(self) -> Result<Spec, Error> {
        let origin = self.from_config.clone();
        self.resolve_values().map_err(|e| match (e, origin) {
            (Error::Input(m), Some((path, keys))) => Error::Input(
                OPTIONS
                    .iter()
                    .filter(|(key, _)| keys.contains(key))
                    .find_map(|(key, flag)| {
                        m.strip_prefix(&format!("{flag} ")).map(|rest| {
                            format!("--config '{}': key \"{key}\" {rest}", path.display())
                        })
                    })
                    .unwrap_or(m),
            ),
            (e, _) => e,
        })
    }

    fn resolve_values(self) -> Result<Spec, Error> {
        let domain = self.domain.as_deref().ok_or_else(|| {
            Error::Input(
                "--domain is missing; give the Coupa instance host, e.g. --domain acme.coupahost.com".into(),
            )
        })?;
        let domain = Domain::parse(domain)?;
        let resources = if self.resources.is_empty() {
            parse_resources(&[DEFAULT_RESOURCE])?
        } else {
            parse_resources(&self.resources)?
        };
        let scopes = settle_scopes(
            Scope::parse_list(&self.scopes)?,
            &resources,
            self.allow_unknown_scopes,
        )?;
        let client_id_var = VarName::parse(
            "--client-id-var",
            self.client_id_var
                .as_deref()
                .unwrap_or(DEFAULT_CLIENT_ID_VAR),
        )?;
        let client_secret_var = VarName::parse(
            "--client-secret-var",
            self.client_secret_var
                .as_deref()
                .unwrap_or(DEFAULT_CLIENT_SECRET_VAR),
        )?;
        if client_id_var == client_secret_var {
            return Err(bad(
                "--client-secret-var",
                client_secret_var.as_str(),
                "the secret's placeholder needs a name of its own, not the client id's",
            ));
        }
        for (input, var) in [
            ("--client-id-var", &client_id_var),
            ("--client-secret-var", &client_secret_var),
        ] {
            if RESERVED_VARS.contains(&var.as_str()) {
                return Err(bad(
                    input,
                    var.as_str(),
                    format!(
                        "the collection uses that name itself; pick another (reserved: {})",
                        RESERVED_VARS.join(", ")
                    ),
                ));
            }
        }
        let connector_name = ConnectorName::parse(
            self.connector_name
                .as_deref()
                .unwrap_or(DEFAULT_CONNECTOR_NAME),
        )?;
        let query = Query {
            limit: parse_limit(self.limit.unwrap_or(1))?,
            offset: self.offset,
            filters: self
                .filters
                .iter()
                .map(|f| Filter::parse(f))
                .collect::<Result<_, _>>()?,
            fields: self.fields.as_deref().map(parse_fields).transpose()?,
            return_object: self.return_object,
        };
        Ok(Spec {
            domain,
            scopes,
            resources,
            query,
            client_id_var,
            client_secret_var,
            connector_name,
        })
    }
}

/// serde's type names, as a user would say them.
fn friendly_types(message: &str) -> String {
    message
        .replace("expected u64", "expected a whole number")
        .replace("expected u32", "expected a whole number")
        .replace("invalid type: ", "")
}

/// Each `--config` key and the flag it stands for.
pub const OPTIONS: &[(&str, &str)] = &[
    ("domain", "--domain"),
    ("scopes", "--scope"),
    ("resources", "--resource"),
    ("limit", "--limit"),
    ("offset", "--offset"),
    ("filters", "--filter"),
    ("fields", "--fields"),
    ("return_object", "--return-object"),
    ("client_id_var", "--client-id-var"),
    ("client_secret_var", "--client-secret-var"),
    ("connector_name", "--connector-name"),
    ("allow_unknown_scopes", "--allow-unknown-scopes"),
];

fn config_keys() -> impl Iterator<Item = &'static str> {
    OPTIONS.iter().map(|(key, _)| *key)
}

/// Collection variables a credential placeholder must not shadow.
const RESERVED_VARS: &[&str] = &[
    crate::kit::DOMAIN_VAR,
    crate::kit::SCOPES_VAR,
    crate::kit::TOKEN_VAR,
    crate::kit::EXPIRY_VAR,
];
