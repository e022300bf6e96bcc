//! The Postman environment: the credential variables the collection's
//! requests read, empty, the secrets typed secret, under an id derived from
//! the kit so a re-import updates the same environment.

use serde_json::json;

use super::{environment_vars, kit_name};
use crate::kit::Kit;
use crate::render::binders::Placeholders;
use crate::render::templates::json_file;
use crate::render::{Artifact, File, Format};
use crate::Error;

pub const ENVIRONMENT_FILE: File = File {
    path: "coupa.postman_environment.json",
    variant: "environment",
    purpose: "Postman (Import): the two credential variables, empty; the secret one typed secret.",
};

pub const ENVIRONMENT: Format = Format {
    command: "environment",
    about: "Postman environment holding the two credential variables, empty.",
    long_about: None,
    files: std::slice::from_ref(&ENVIRONMENT_FILE),
    // It holds only the credential variables, named for the domain.
    ignores: &[
        "scopes",
        "resources",
        "limit",
        "offset",
        "filters",
        "fields",
        "return_object",
        "connector_name",
        "allow_unknown_scopes",
        "use_cases",
        "use_case_file",
    ],
    render: |kit, _| Ok(vec![environment(kit)?]),
};

pub fn environment(kit: &Kit<'_>) -> Result<Artifact, Error> {
    let b = Placeholders { spec: kit.spec };
    let name = kit_name(kit);
    // The credentials, empty; secrets typed secret.
    let values: Vec<serde_json::Value> = environment_vars(kit)
        .into_iter()
        .map(|(slot, kind)| {
            json!({ "key": b.name(slot), "value": "", "type": kind, "enabled": true })
        })
        .collect();
    let environment = json!({
        "id": stable_uuid(&name),
        "name": name,
        "values": values,
        "_postman_variable_scope": "environment",
    });
    Ok(Artifact {
        path: ENVIRONMENT_FILE.path.into(),
        text: json_file(&environment),
        executable: false,
    })
}

/// A UUID-shaped id derived from `seed` (FNV-1a), so the same input gives the
/// same file and a re-import updates the same environment.
fn stable_uuid(seed: &str) -> String {
    let fnv = |salt: u8| {
        seed.bytes()
            .chain([salt])
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
    };
    let (a, b) = (fnv(1), fnv(2));
    format!(
        "{:08x}-{:04x}-8{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        (b >> 48) & 0x3fff | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn stable_uuid_is_stable_and_uuid_shaped() {
        let a = super::stable_uuid("Coupa (acme.coupahost.com)");
        assert_eq!(a, super::stable_uuid("Coupa (acme.coupahost.com)"));
        assert_ne!(a, super::stable_uuid("Coupa (other.coupahost.com)"));
        let lens: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(lens, [8, 4, 4, 4, 12]);
    }
}
