//! What the authorization-code grant adds to a kit: its redirect URIs (a
//! Moveworks org's callback among them), PKCE and offline access; and the
//! refusal of those options under another grant.

use serde::Serialize;

use crate::coupa::{Grant, OFFLINE_ACCESS};
use crate::error::{Error, Origin};
use crate::input::Inputs;
use crate::moveworks::{self, Region};

use super::{RedirectUri, Scope};

/// The options of the authorization-code grant, by config key: each means
/// nothing to another grant.
const KEYS: &[&str] = &[
    "redirect_uris",
    "moveworks_org",
    "moveworks_region",
    "pkce",
    "no_offline_access",
];

/// What the authorization-code grant adds to a kit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consent {
    /// Never empty; the first is the one the authorization request sends.
    pub redirect_uris: Vec<RedirectUri>,
    /// The client was created with Coupa's PKCE option (RFC 7636, S256):
    /// it has no secret and proves itself with a code verifier.
    pub pkce: bool,
    /// `offline_access` is among the scopes, so Coupa issues a refresh token.
    pub offline_access: bool,
}

impl Consent {
    /// The redirect URI the authorization request and the code exchange send.
    pub fn redirect_uri(&self) -> &RedirectUri {
        &self.redirect_uris[0]
    }
}

/// Refuses a consent option given with another grant.
pub(super) fn refuse_for(grant: Grant, inputs: &Inputs) -> Result<(), Error> {
    if grant != Grant::AuthorizationCode {
        let given = inputs.fields_given();
        if let Some(key) = KEYS.iter().find(|k| given.contains_key(**k)) {
            return Err(Error::input(
                Origin::Option(key),
                "is for the authorization-code grant (user consent); add --grant authorization-code, or drop it",
            ));
        }
    }
    Ok(())
}

/// The authorization-code grant's settings; `offline_access` joins the
/// scopes unless left out.
pub(super) fn consent(inputs: &Inputs, scopes: &mut Vec<Scope>) -> Result<Consent, Error> {
    let mut redirect_uris = inputs
        .redirect_uris
        .iter()
        .map(|u| RedirectUri::parse(u))
        .collect::<Result<Vec<_>, _>>()?;
    match (&inputs.moveworks_org, inputs.moveworks_region) {
        (Some(org), region) => {
            let org = moveworks_org(org)?;
            let uri = RedirectUri::parse(&moveworks::callback(&org, region.unwrap_or(Region::Us)))?;
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
    match (inputs.no_offline_access, listed) {
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
        pkce: inputs.pkce,
        offline_access: !inputs.no_offline_access,
    })
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
