//! The Postman collection (v2.1.0) and environment. Postman's binder leaves
//! every slot a `{{placeholder}}` named by the contract; the collection's
//! scripts run the auth flow, so any request works alone.

use serde::Serialize;

use super::templates::{render, render_json};
use super::{bound, pairs, Artifact, File, Format, Pair};
use crate::contract::postman as names;
use crate::coupa;
use crate::kit::{Answer, At, Auth, AuthValue, Binder, Conn, Encoding, Kit, Request, Slot, Text};
use crate::spec::Spec;
use crate::Error;

pub const COLLECTION_FILE: File = File {
    path: "coupa.postman_collection.json",
    variant: "collection",
    purpose: "Postman (Import): the token request and the API requests; each fetches a token by itself. Runs in newman too.",
};
pub const ENVIRONMENT_FILE: File = File {
    path: "coupa.postman_environment.json",
    variant: "environment",
    purpose: "Postman (Import): the two credential variables, empty; the secret one typed secret.",
};

pub const COLLECTION: Format = Format {
    command: "postman",
    about: "Postman collection (v2.1): the token request and one request per resource.",
    long_about: Some(
        "Postman collection (v2.1): the token request and one request per resource.\n\n\
         Every request fetches a token by itself when none is stored, so any one \
         of them runs alone in Postman or newman.",
    ),
    files: std::slice::from_ref(&COLLECTION_FILE),
    ignores: &["connector_name"],
    render: |kit, _| Ok(vec![collection(kit)?]),
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
    ],
    render: |kit, _| Ok(vec![environment(kit)?]),
};

pub const SCHEMA_URL: &str = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json";
/// Coupa tokens last about 24 h and Coupa advises renewing around 20 h: fetch
/// a new one when less than this is left.
const RENEW_HOURS: u32 = 4;

/// Postman's binding: every slot is the `{{placeholder}}` of its variable.
pub(super) struct Placeholders<'k> {
    pub spec: &'k Spec,
}

impl Placeholders<'_> {
    /// The Postman variable that holds `slot`.
    pub fn name(&self, slot: Slot) -> &str {
        match slot {
            Slot::Conn(Conn::Domain) => names::DOMAIN,
            Slot::Conn(Conn::Scopes) => names::SCOPES,
            Slot::Conn(Conn::ClientId) => self.spec.client_id_var.as_str(),
            Slot::Conn(Conn::ClientSecret) => self.spec.client_secret_var.as_str(),
            Slot::Auth(AuthValue::AccessToken) => names::ACCESS_TOKEN,
        }
    }

    pub fn placeholder(&self, slot: Slot) -> String {
        format!("{{{{{}}}}}", self.name(slot))
    }
}

impl Binder for Placeholders<'_> {
    type Out = Text;
    fn slot(&self, slot: Slot, _: At) -> Text {
        Text::Placeholder(self.placeholder(slot))
    }
}

/// A request as the collection holds it.
#[derive(Debug, Serialize)]
struct RequestView {
    name: String,
    method: &'static str,
    url: String,
    protocol: &'static str,
    host: String,
    path_segments: Vec<String>,
    /// Percent-encoded values, as they stand in the URL.
    query: Vec<Pair>,
    headers: Vec<Pair>,
    /// Whether the request takes the collection's bearer auth.
    bearer: bool,
    form: Vec<Pair>,
}

impl RequestView {
    fn new(kit: &Kit<'_>, req: &Request) -> Self {
        let b = Placeholders { spec: kit.spec };
        let path = req.path.text(At::Path, &b, Encoding::Url);
        RequestView {
            name: req.name.clone(),
            method: req.method.as_str(),
            url: req.url(&kit.host, &b),
            protocol: coupa::SCHEME,
            host: kit.host.text(At::Host, &b, Encoding::Url),
            path_segments: path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            query: pairs(req.encoded_query(&b)),
            headers: bound(&req.headers, At::Header, &b, Encoding::Raw),
            bearer: match req.auth {
                Auth::None => false,
                Auth::Bearer => true,
            },
            form: bound(req.form(), At::Form, &b, Encoding::Raw),
        }
    }
}

#[derive(Serialize)]
struct Scripts<'a> {
    token_var: &'static str,
    expiry_var: &'static str,
    access_token_field: &'static str,
    expires_in_field: &'static str,
    renew_hours: u32,
    token_item: &'a str,
    token: &'a RequestView,
    /// For an API request's tests: whether the answer is a list.
    list: bool,
    /// What the scripts say when the environment is not selected.
    client_id_var: &'a str,
    client_secret_var: &'a str,
    environment_name: &'a str,
    environment_file: &'static str,
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
    /// The auth flow's requests, at the collection's root.
    flow: Vec<Item>,
    folders: Vec<Folder>,
    prerequest: Vec<String>,
    bearer_token: String,
    variables: Vec<Pair>,
}

/// The name both the collection and the environment carry.
fn kit_name(kit: &Kit<'_>) -> String {
    format!("Coupa ({})", kit.spec.domain.as_str())
}

/// A script as Postman stores it: one string a line.
fn exec(name: &str, scripts: &Scripts<'_>) -> Result<Vec<String>, Error> {
    Ok(render(name, scripts)?.lines().map(String::from).collect())
}

/// The tests that judge an answer, by what the request expects.
fn tests(scripts: &Scripts<'_>, answer: Answer) -> Result<Vec<String>, Error> {
    match answer {
        Answer::Token => exec("postman_token_test", scripts),
        Answer::List => exec(
            "postman_api_test",
            &Scripts {
                list: true,
                ..*scripts
            },
        ),
        Answer::Object => exec(
            "postman_api_test",
            &Scripts {
                list: false,
                ..*scripts
            },
        ),
    }
}

pub fn collection(kit: &Kit<'_>) -> Result<Artifact, Error> {
    let b = Placeholders { spec: kit.spec };
    let obtain = &kit.flow.obtain;
    let token = RequestView::new(kit, obtain);
    let environment_name = kit_name(kit);
    let scripts = Scripts {
        token_var: names::ACCESS_TOKEN,
        expiry_var: names::EXPIRY,
        access_token_field: coupa::ACCESS_TOKEN_FIELD,
        expires_in_field: coupa::EXPIRES_IN_FIELD,
        renew_hours: RENEW_HOURS,
        token_item: &obtain.name,
        token: &token,
        list: true,
        client_id_var: kit.spec.client_id_var.as_str(),
        client_secret_var: kit.spec.client_secret_var.as_str(),
        environment_name: &environment_name,
        environment_file: ENVIRONMENT_FILE.path,
    };
    let item = |req: &Request| -> Result<Item, Error> {
        Ok(Item {
            request: RequestView::new(kit, req),
            tests: tests(&scripts, req.expect.answer)?,
        })
    };
    let flow = kit.flow.requests().map(item).collect::<Result<_, _>>()?;

    // Folders by group, in the order the groups first appear.
    let mut folders: Vec<Folder> = Vec::new();
    for call in &kit.calls {
        let name = call.group.unwrap_or("API");
        let item = item(call)?;
        match folders.iter_mut().find(|f| f.name == name) {
            Some(folder) => folder.items.push(item),
            None => folders.push(Folder {
                name,
                items: vec![item],
            }),
        }
    }

    #[derive(Serialize)]
    struct DescriptionView<'a> {
        grant: &'static str,
        grant_label: &'static str,
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
            grant: kit.spec.grant.id(),
            grant_label: coupa::grant_label(kit.spec.grant),
            domain: kit.spec.domain.as_str(),
            scopes: kit.spec.scopes.iter().map(|s| s.as_str()).collect(),
            client_id_var: kit.spec.client_id_var.as_str(),
            client_secret_var: kit.spec.client_secret_var.as_str(),
            environment_file: ENVIRONMENT_FILE.path,
            environment_name: kit_name(kit),
            token_item: &obtain.name,
            renew_hours: RENEW_HOURS,
            setup: coupa::CLIENT_SETUP,
        },
    )?;

    // The connection's values the collection holds, filled in; the token
    // and its expiry start empty.
    let variables = pairs([
        (names::DOMAIN.into(), kit.spec.domain.as_str().to_string()),
        (names::SCOPES.into(), kit.spec.scope_list()),
        (names::ACCESS_TOKEN.into(), String::new()),
        (names::EXPIRY.into(), String::new()),
    ]);

    let view = CollectionView {
        name: kit_name(kit),
        description,
        schema: SCHEMA_URL,
        flow,
        folders,
        prerequest: exec("postman_prerequest", &scripts)?,
        bearer_token: b.placeholder(Slot::Auth(AuthValue::AccessToken)),
        variables,
    };
    Ok(Artifact {
        path: COLLECTION_FILE.path.into(),
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
        path: ENVIRONMENT_FILE.path.into(),
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
