//! What Moveworks is, as far as the kit needs to know: where Agent Studio's
//! user-consent connector sends a person back after they consent, per data
//! centre. Agent Studio's field labels live with the sheet that writes them.

use serde::{Deserialize, Serialize};

/// The path of Moveworks' OAuth callback on every data centre.
pub const CALLBACK_PATH: &str = "/auth/oauthCallback";

/// A Moveworks data centre: where an organisation's Agent Studio lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    /// United States: `<org>.moveworks.com`.
    Us,
    /// Canada: `<org>.am-ca-central.moveworks.com`.
    Ca,
    /// Europe: `<org>.am-eu-central.moveworks.com`.
    Eu,
    /// Asia Pacific: `<org>.am-ap-southeast.moveworks.com`.
    Ap,
    /// US government: `<org>.moveworksgov.com`.
    Gov,
}

impl Region {
    /// The host suffix after `<org>`.
    fn suffix(self) -> &'static str {
        match self {
            Region::Us => ".moveworks.com",
            Region::Ca => ".am-ca-central.moveworks.com",
            Region::Eu => ".am-eu-central.moveworks.com",
            Region::Ap => ".am-ap-southeast.moveworks.com",
            Region::Gov => ".moveworksgov.com",
        }
    }

    pub const ALL: [Region; 5] = [Region::Us, Region::Ca, Region::Eu, Region::Ap, Region::Gov];

    /// The region whose Agent Studio host `host` is, and the org in it.
    pub fn of_host(host: &str) -> Option<(&str, Region)> {
        // Longest suffix first: `.moveworks.com` also ends the regional hosts.
        let mut all = Region::ALL;
        all.sort_by_key(|r| std::cmp::Reverse(r.suffix().len()));
        all.into_iter().find_map(|r| {
            let org = host.strip_suffix(r.suffix())?;
            (!org.is_empty() && !org.contains('.')).then_some((org, r))
        })
    }
}

/// Moveworks' callback for `org` in `region`, the redirect URI the Coupa
/// client must list for Agent Studio's user-consent connector.
pub fn callback(org: &str, region: Region) -> String {
    format!("https://{org}{}{CALLBACK_PATH}", region.suffix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_per_data_centre() {
        assert_eq!(
            callback("acme", Region::Us),
            "https://acme.moveworks.com/auth/oauthCallback"
        );
        assert_eq!(
            callback("acme", Region::Eu),
            "https://acme.am-eu-central.moveworks.com/auth/oauthCallback"
        );
        assert_eq!(
            callback("acme", Region::Gov),
            "https://acme.moveworksgov.com/auth/oauthCallback"
        );
        for r in Region::ALL {
            let url = callback("acme", r);
            let host = url
                .trim_start_matches("https://")
                .split('/')
                .next()
                .unwrap();
            assert_eq!(Region::of_host(host), Some(("acme", r)), "{host}");
        }
        assert_eq!(Region::of_host("acme.example.com"), None);
    }
}
