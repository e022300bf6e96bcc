//! `Inputs` -> `Spec`: the defaults applied and every option validated, each
//! part by its module here. Errors leave named as the person gave the
//! option (its flag, or the `--config` key), by `input::Given::place`.

use crate::contract::postman;
use crate::coupa::Grant;
use crate::error::{Error, Origin};
use crate::input::{Given, Inputs, KitArgs};

use super::scopes::{add_use_case_scopes, parse_resources, settle_scopes};
use super::{consent, query, usecases, ConnectorName, Scope, Spec, VarName};

const DEFAULT_RESOURCE: &str = "expense_reports";
const DEFAULT_CONNECTOR_NAME: &str = "Coupa Connector";
/// Moveworks' name for the user-consent connector, and the resource its
/// guide tests it with (only the consenting person's approvals).
const DEFAULT_CONSENT_CONNECTOR_NAME: &str = "Coupa Consent Auth Connector";
const DEFAULT_CONSENT_RESOURCE: &str = "approvals";

impl KitArgs {
    /// The validated spec: the flags, over `--config` when given.
    pub fn spec(&self) -> Result<Spec, Error> {
        self.resolved().map(|(_, spec)| spec)
    }

    /// The inputs as given (flags over `--config`), and the spec they make.
    pub fn resolved(&self) -> Result<(Inputs, Spec), Error> {
        self.given()?.resolve()
    }
}

impl Given {
    /// The inputs, and the spec they make.
    pub fn resolve(self) -> Result<(Inputs, Spec), Error> {
        match spec_of(&self.inputs) {
            Ok(spec) => Ok((self.inputs, spec)),
            Err(e) => Err(self.place(e)),
        }
    }
}

impl Inputs {
    /// Validates everything, applies the defaults; errors name the flags.
    pub fn resolve(self) -> Result<Spec, Error> {
        Given::from(self).resolve().map(|(_, spec)| spec)
    }
}

/// The spec of `inputs`; an error names its option by config key.
fn spec_of(inputs: &Inputs) -> Result<Spec, Error> {
    let instances = super::instances::instances(inputs)?;
    let grant = inputs.grant.unwrap_or_default();
    consent::refuse_for(grant, inputs)?;
    let (use_cases, use_case_file) = usecases::use_cases(inputs)?;
    let resources_given = !inputs.resources.is_empty();
    let resources = match (resources_given, grant) {
        (true, _) => parse_resources(&inputs.resources)?,
        // Use cases alone: the kit is their requests.
        (false, _) if !use_cases.is_empty() => Vec::new(),
        (false, Grant::ClientCredentials) => parse_resources(&[DEFAULT_RESOURCE])?,
        (false, Grant::AuthorizationCode) => parse_resources(&[DEFAULT_CONSENT_RESOURCE])?,
    };
    let given_scopes = Scope::parse_list(&inputs.scopes)?;
    // A refresh token comes only with a person's consent: with client
    // credentials, offline_access asks for nothing a kit can use.
    if grant == Grant::ClientCredentials
        && given_scopes
            .iter()
            .any(|s| s.as_str() == crate::coupa::OFFLINE_ACCESS)
    {
        return Err(Error::bad(
            Origin::Option("scopes"),
            crate::coupa::OFFLINE_ACCESS,
            "asks for a refresh token, which only user consent gets (--grant authorization-code, where it is added by default); client credentials get a new token without one: drop it",
        ));
    }
    let scopes_given = !given_scopes.is_empty();
    let mut scopes = settle_scopes(
        given_scopes,
        &resources,
        resources_given,
        inputs.allow_unknown_scopes,
    )?;
    add_use_case_scopes(
        &mut scopes,
        scopes_given,
        &use_cases,
        Origin::Option("use_cases"),
        inputs.allow_unknown_scopes,
    )?;
    let consent = match grant {
        Grant::ClientCredentials => None,
        Grant::AuthorizationCode => Some(consent::consent(inputs, &mut scopes)?),
    };
    let (client_id_var, client_secret_var) = placeholders(inputs)?;
    let connector_name =
        ConnectorName::parse(inputs.connector_name.as_deref().unwrap_or(match grant {
            Grant::ClientCredentials => DEFAULT_CONNECTOR_NAME,
            Grant::AuthorizationCode => DEFAULT_CONSENT_CONNECTOR_NAME,
        }))?;
    let query = query::query(inputs, &resources)?;
    Ok(Spec {
        grant,
        consent,
        instances,
        scopes,
        resources,
        use_cases,
        use_case_file,
        query,
        client_id_var,
        client_secret_var,
        connector_name,
    })
}

/// The credentials' Postman placeholders: two names, neither the
/// collection's own.
fn placeholders(inputs: &Inputs) -> Result<(VarName, VarName), Error> {
    let client_id_var = VarName::parse(
        "client_id_var",
        inputs
            .client_id_var
            .as_deref()
            .unwrap_or(postman::DEFAULT_CLIENT_ID),
    )?;
    let client_secret_var = VarName::parse(
        "client_secret_var",
        inputs
            .client_secret_var
            .as_deref()
            .unwrap_or(postman::DEFAULT_CLIENT_SECRET),
    )?;
    if client_id_var == client_secret_var {
        // Blame the one the person gave: the other may be a default.
        return Err(match inputs.client_secret_var {
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
    Ok((client_id_var, client_secret_var))
}
