//! The Postman collection (v2.1.0) and environment.

use serde::Serialize;

use super::{postman_binding, render, render_json, Artifact, RequestView};
use crate::kit::{self, Kit, Param};
use crate::Error;

pub const COLLECTION_FILE: &str = "coupa.postman_collection.json";
pub const ENVIRONMENT_FILE: &str = "coupa.postman_environment.json";
pub const SCHEMA_URL: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";
/// Coupa tokens last about 24 h and Coupa advises renewing around 20 h: fetch
/// a new one when less than this is left.
const RENEW_HOURS: u32 = 4;

#[derive(Serialize)]
struct Scripts<'a> {
    token_var: &'static str,
    expiry_var: &'static str,
    access_token_field: &'static str,
    expires_in_field: &'static str,
    renew_hours: u32,
    token_item: &'a str,
    token: &'a RequestView,
}

#[derive(Serialize)]
struct Item {
    request: RequestView,
    tests: Vec<String>,
}

#[derive(Serialize)]
struct Folder {
    name: &'static str,
    items: Vec<Item>,
}

#[derive(Serialize)]
struct CollectionView {
    name: String,
    description: String,
    schema: &'static str,
    token: Item,
    folders: Vec<Folder>,
    prerequest: Vec<String>,
    bearer_token: String,
    variables: Vec<Param>,
}

/// The name both the collection and the environment carry.
fn kit_name(kit: &Kit<'_>) -> String {
    format!("Coupa ({})", kit.spec.domain.as_str())
}

/// A script as Postman stores it: one string a line.
fn exec(name: &str, scripts: &Scripts<'_>) -> Result<Vec<String>, Error> {
    Ok(render(name, scripts)?.lines().map(String::from).collect())
}

pub fn collection(kit: &Kit<'_>) -> Result<Artifact, Error> {
    let bind = postman_binding(kit);
    let token = RequestView::new(&kit.token, &bind);
    let scripts = Scripts {
        token_var: kit::TOKEN_VAR,
        expiry_var: kit::EXPIRY_VAR,
        access_token_field: kit::ACCESS_TOKEN_FIELD,
        expires_in_field: kit::EXPIRES_IN_FIELD,
        renew_hours: RENEW_HOURS,
        token_item: &kit.token.name,
        token: &token,
    };
    let prerequest = exec("postman_prerequest", &scripts)?;
    let token_tests = exec("postman_token_test", &scripts)?;
    let api_tests = exec("postman_api_test", &scripts)?;

    // Folders by area, in the order the areas first appear.
    let mut folders: Vec<Folder> = Vec::new();
    for call in &kit.calls {
        let area = call.resource.map_or("API", |r| r.area);
        let item = Item {
            request: RequestView::new(call, &bind),
            tests: api_tests.clone(),
        };
        match folders.iter_mut().find(|f| f.name == area) {
            Some(folder) => folder.items.push(item),
            None => folders.push(Folder {
                name: area,
                items: vec![item],
            }),
        }
    }

    #[derive(Serialize)]
    struct DescriptionView<'a> {
        domain: &'a str,
        scopes: Vec<&'a str>,
        client_id_var: &'a str,
        client_secret_var: &'a str,
        environment_file: &'static str,
        environment_name: String,
        token_item: &'a str,
        renew_hours: u32,
        setup: &'static str,
    }
    let description = render(
        "postman_description",
        &DescriptionView {
            domain: kit.spec.domain.as_str(),
            scopes: kit.spec.scopes.iter().map(|s| s.as_str()).collect(),
            client_id_var: kit.spec.client_id_var.as_str(),
            client_secret_var: kit.spec.client_secret_var.as_str(),
            environment_file: ENVIRONMENT_FILE,
            environment_name: kit_name(kit),
            token_item: &kit.token.name,
            renew_hours: RENEW_HOURS,
            setup: kit::CLIENT_SETUP,
        },
    )?;

    let variables = [
        (kit::DOMAIN_VAR, kit.spec.domain.as_str().to_string()),
        (kit::SCOPES_VAR, kit.spec.scope_list()),
        (kit::TOKEN_VAR, String::new()),
        (kit::EXPIRY_VAR, String::new()),
    ]
    .into_iter()
    .map(|(key, value)| Param {
        key: key.into(),
        value,
    })
    .collect();

    let view = CollectionView {
        name: kit_name(kit),
        description,
        schema: SCHEMA_URL,
        token: Item {
            request: token,
            tests: token_tests,
        },
        folders,
        prerequest,
        bearer_token: bind(kit::Var::Token),
        variables,
    };
    Ok(Artifact {
        file_name: COLLECTION_FILE,
            purpose: "Postman (Import): the token request and the API requests; each fetches a token by itself. Runs in newman too.",
        text: render_json("postman_collection", &view)?,
        executable: false,
    })
}

pub fn environment(kit: &Kit<'_>) -> Result<Artifact, Error> {
    #[derive(Serialize)]
    struct View {
        id: String,
        name: String,
        client_id_var: String,
        client_secret_var: String,
    }
    let name = kit_name(kit);
    let view = View {
        id: stable_uuid(&name),
        name,
        client_id_var: kit.spec.client_id_var.as_str().into(),
        client_secret_var: kit.spec.client_secret_var.as_str().into(),
    };
    Ok(Artifact {
        file_name: ENVIRONMENT_FILE,
        purpose:
            "Postman (Import): the two credential variables, empty; the secret one typed secret.",
        text: render_json("postman_environment", &view)?,
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
