//! The runnable bash check script. The secret and the token reach curl on
//! its standard input (`--data-urlencode name@-`, `--header @-`), never on a
//! command line, so no process listing shows them.

use serde::Serialize;

use super::{explicit_method, render, Artifact, EnvNames};
use crate::kit::{self, env, Kit, Request, Value, Var};
use crate::Error;

pub const FILE: &str = "coupa-check.sh";
/// The script's own shell variables.
const DOMAIN: &str = "domain";
const SCOPE: &str = "scope";
const TOKEN: &str = "token";

/// One part of a shell word: quoted text, or a `"${name}"` expansion.
#[derive(Debug, Serialize)]
#[serde(rename_all = "lowercase")]
enum Part {
    Lit(String),
    Var(&'static str),
}

type Word = Vec<Part>;

/// One curl option with its value, or the URL alone. Flags are ours, fixed.
#[derive(Debug, Serialize)]
struct Arg {
    flag: Option<&'static str>,
    value: Word,
}

fn opt(flag: &'static str, value: Word) -> Arg {
    Arg {
        flag: Some(flag),
        value,
    }
}

#[derive(Debug, Serialize)]
struct ScriptRequest {
    /// What the progress line says: name, method, path.
    label: String,
    /// Where the answer lands in the script's temporary folder.
    file: String,
    /// Fed to curl's standard input.
    stdin: Word,
    args: Vec<Arg>,
}

fn lit(s: impl Into<String>) -> Word {
    vec![Part::Lit(s.into())]
}

/// The shell variable each kit variable lives in.
fn shell_var(var: Var) -> &'static str {
    match var {
        Var::Domain => DOMAIN,
        Var::Scopes => SCOPE,
        Var::ClientId => env::CLIENT_ID,
        Var::ClientSecret => env::CLIENT_SECRET,
        Var::Token => TOKEN,
    }
}

fn script_request(req: &Request, file: String) -> Result<ScriptRequest, Error> {
    let mut args = Vec::new();
    let mut stdin: Option<Word> = None;
    let mut feed = |word: Word| match stdin.replace(word) {
        None => Ok(()),
        Some(_) => Err(Error::Failed(format!(
            "{}: two values need curl's standard input; this is a bug",
            req.name
        ))),
    };
    if let Some(method) = explicit_method(req) {
        args.push(opt("--request", lit(method)));
    }
    for h in &req.headers {
        args.push(opt("--header", lit(format!("{}: {}", h.key, h.value))));
    }
    if req.bearer {
        feed(vec![
            Part::Lit(format!("{}: {} ", kit::AUTHORIZATION, kit::BEARER)),
            Part::Var(shell_var(Var::Token)),
        ])?;
        args.push(opt("--header", lit("@-")));
    }
    for (key, value) in &req.form {
        let word = match value {
            Value::Lit(v) => lit(format!("{key}={v}")),
            Value::Var(Var::ClientSecret) => {
                feed(vec![Part::Var(shell_var(Var::ClientSecret))])?;
                lit(format!("{key}@-"))
            }
            Value::Var(v) => vec![Part::Lit(format!("{key}=")), Part::Var(shell_var(*v))],
        };
        args.push(opt("--data-urlencode", word));
    }
    let url = vec![
        Part::Lit(format!("{}://", kit::SCHEME)),
        Part::Var(shell_var(Var::Domain)),
        Part::Lit(req.path_and_query()),
    ];
    args.push(match req.needs_globoff() {
        true => opt("--globoff", url),
        false => Arg {
            flag: None,
            value: url,
        },
    });
    Ok(ScriptRequest {
        label: format!("{}: {} {}", req.name, req.method, req.path),
        file,
        stdin: stdin.unwrap_or_default(),
        args,
    })
}

pub fn file(kit: &Kit<'_>) -> Result<Artifact, Error> {
    #[derive(Serialize)]
    struct View {
        domain: String,
        scopes: String,
        env: EnvNames,
        domain_var: &'static str,
        scope_var: &'static str,
        token_var: &'static str,
        access_token_field: &'static str,
        setup: &'static str,
        token: ScriptRequest,
        calls: Vec<ScriptRequest>,
    }
    let view = View {
        domain: kit.spec.domain.as_str().into(),
        scopes: kit.spec.scope_list(),
        env: EnvNames::default(),
        domain_var: DOMAIN,
        scope_var: SCOPE,
        token_var: TOKEN,
        access_token_field: kit::ACCESS_TOKEN_FIELD,
        setup: kit::CLIENT_SETUP,
        token: script_request(&kit.token, "token.json".into())?,
        calls: kit
            .calls
            .iter()
            .enumerate()
            .map(|(i, c)| script_request(c, format!("call-{}.json", i + 1)))
            .collect::<Result<_, _>>()?,
    };
    Ok(Artifact {
        file_name: FILE,
        purpose: "Runs the token request and every API request with curl and prints the answers.",
        text: render("check_script", &view)?,
        executable: true,
    })
}
