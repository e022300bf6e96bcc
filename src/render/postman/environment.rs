//! The Postman environment: the credential variables the collection's
//! requests read, empty, the secrets typed secret, under an id derived from
//! the kit so a re-import updates the same environment.

use serde_json::json;

use super::{environment_vars, kit_name};
use crate::contract::postman as names;
use crate::kit::Kit;
use crate::render::binders::Placeholders;
use crate::render::templates::json_file;
use crate::render::{Artifact, File, Format};
use crate::spec::Instance;
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
    render: |kit, _| {
        files(kit)
            .iter()
            .map(|file| environment(kit, file))
            .collect()
    },
};

/// One environment file: where it goes, the name Postman shows, and the
/// instance it is for when the kit has several.
pub struct EnvironmentFile<'k> {
    pub path: String,
    pub name: String,
    pub instance: Option<&'k Instance>,
}

/// An instance's environment file: `coupa-test.postman_environment.json`.
pub fn instance_path(name: &str) -> String {
    format!("coupa-{name}.postman_environment.json")
}

/// The kit's environment files: one, or one an instance
/// (`coupa-test.postman_environment.json`), each holding its instance's
/// host, so the collection itself is instance-free.
pub fn files<'k>(kit: &'k Kit<'k>) -> Vec<EnvironmentFile<'k>> {
    match kit.multi() {
        false => vec![EnvironmentFile {
            path: ENVIRONMENT_FILE.path.into(),
            name: kit_name(kit),
            instance: None,
        }],
        true => kit
            .instances
            .iter()
            .map(|i| EnvironmentFile {
                path: instance_path(i.name.as_str()),
                name: format!("Coupa {} ({})", i.name.as_str(), i.domain.as_str()),
                instance: Some(i),
            })
            .collect(),
    }
}

fn environment(kit: &Kit<'_>, file: &EnvironmentFile<'_>) -> Result<Artifact, Error> {
    let b = Placeholders { kit };
    // The instance's host, then the credentials, empty; secrets typed secret.
    let host = file.instance.map(|i| {
        json!({ "key": names::DOMAIN, "value": i.domain.as_str(), "type": "default", "enabled": true })
    });
    let values: Vec<serde_json::Value> = host
        .into_iter()
        .chain(environment_vars(kit).into_iter().map(|(slot, kind)| {
            json!({ "key": b.name(slot), "value": "", "type": kind, "enabled": true })
        }))
        .collect();
    let environment = json!({
        "id": stable_uuid(&file.name),
        "name": file.name,
        "values": values,
        "_postman_variable_scope": "environment",
    });
    Ok(Artifact {
        path: file.path.clone(),
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
