//! The runnable bash check script. Its binder puts each slot in a shell
//! variable; the secret and the token reach curl on its standard input
//! (`--data-urlencode name@-`, `--header @-`), never on a command line, so no
//! process listing shows them.

use serde::Serialize;

use super::curl::{Curl, CurlAuth, Shell};
use super::templates::render;
use super::{Artifact, File, Format};
use crate::contract::env;
use crate::coupa;
use crate::kit::{Answer, At, AuthValue, Binder, Conn, Encoding, Kit, Request, Shown, Slot, Value};
use crate::Error;

pub const FILE: File = File {
    path: "coupa-check.sh",
    variant: "script",
    purpose: "Runs the token request and every API request with curl and prints the answers.",
};

pub const FORMAT: Format = Format {
    command: "script",
    about: "A bash check script: reads the credentials from the environment, fetches a token and calls each resource.",
    long_about: None,
    files: std::slice::from_ref(&FILE),
    // It reads the credentials from its environment, not placeholders.
    ignores: &["client_id_var", "client_secret_var", "connector_name"],
    render: |kit, _| Ok(vec![file(kit)?]),
};

/// The script's own shell variables.
const DOMAIN: &str = "domain";
const SCOPE: &str = "scope";
const TOKEN: &str = "token";

/// The script's binding: each slot a shell variable; secrets on standard input.
struct ShellVars;

impl Binder for ShellVars {
    type Out = Shell;
    fn slot(&self, slot: Slot, _: At) -> Shell {
        match slot {
            Slot::Conn(Conn::Domain) => Shell::Var(DOMAIN),
            Slot::Conn(Conn::Scopes) => Shell::Var(SCOPE),
            Slot::Conn(Conn::ClientId) => Shell::Var(env::CLIENT_ID),
            Slot::Conn(Conn::ClientSecret) => Shell::Stdin(env::CLIENT_SECRET),
            Slot::Auth(AuthValue::AccessToken) => Shell::Stdin(TOKEN),
        }
    }
}

#[derive(Debug, Serialize)]
struct Step {
    /// What the progress line says: name, method, path.
    label: String,
    /// Where the answer lands in the script's temporary folder.
    file: String,
    curl: Curl,
    /// The answer carries the access token: keep it for the next requests.
    stores_token: bool,
}

fn step(req: &Request, host: &Value, file: String) -> Result<Step, Error> {
    let path = req.path.text(At::Path, &Shown, Encoding::Raw);
    Ok(Step {
        label: format!("{}: {} {path}", req.name, req.method.as_str()),
        file,
        curl: Curl::build(req, host, &ShellVars, CurlAuth::Sent)?,
        stores_token: req.expect.answer == Answer::Token,
    })
}

/// The script's environment contract, for templates that mention it.
#[derive(Debug, Serialize)]
pub(super) struct EnvNames {
    client_id: &'static str,
    client_secret: &'static str,
    instance_domain: &'static str,
    scope: &'static str,
}

pub(super) const ENV_NAMES: EnvNames = EnvNames {
    client_id: env::CLIENT_ID,
    client_secret: env::CLIENT_SECRET,
    instance_domain: env::INSTANCE_DOMAIN,
    scope: env::SCOPE,
};

pub fn file(kit: &Kit<'_>) -> Result<Artifact, Error> {
    #[derive(Serialize)]
    struct View {
        grant: &'static str,
        domain: String,
        scopes: String,
        env: EnvNames,
        domain_var: &'static str,
        scope_var: &'static str,
        token_var: &'static str,
        access_token_field: &'static str,
        setup: &'static str,
        file: &'static str,
        /// How many requests the summary line counts.
        count: usize,
        steps: Vec<Step>,
    }
    let mut calls = 0;
    let steps: Vec<Step> = kit
        .requests()
        .map(|req| {
            let file = match req.expect.answer {
                Answer::Token => "token.json".to_string(),
                Answer::List | Answer::Object => {
                    calls += 1;
                    format!("call-{calls}.json")
                }
            };
            step(req, &kit.host, file)
        })
        .collect::<Result<_, _>>()?;
    let view = View {
        grant: kit.spec.grant.id(),
        domain: kit.spec.domain.as_str().into(),
        scopes: kit.spec.scope_list(),
        env: ENV_NAMES,
        domain_var: DOMAIN,
        scope_var: SCOPE,
        token_var: TOKEN,
        access_token_field: coupa::ACCESS_TOKEN_FIELD,
        setup: coupa::CLIENT_SETUP,
        file: FILE.path,
        count: steps.len(),
        steps,
    };
    Ok(Artifact {
        path: FILE.path.into(),
        text: render("check_script", &view)?,
        executable: true,
    })
}
