//! curl commands in the guide's style (Postman's curl export): the domain and
//! scopes filled in, credentials and token left as `{{placeholders}}`.

use serde::Serialize;

use super::{explicit_method, guide_binding, placeholder, render, Artifact, RequestView};
use crate::kit::{Kit, Request, Var};
use crate::Error;

pub const FILE: &str = "coupa-requests.curl";

#[derive(Debug, Serialize)]
pub(super) struct Command {
    name: String,
    method: Option<&'static str>,
    globoff: bool,
    url: String,
    headers: Vec<String>,
    data: Vec<String>,
}

pub(super) fn command(kit: &Kit<'_>, req: &Request) -> Command {
    let view = RequestView::new(req, &guide_binding(kit));
    Command {
        name: view.name,
        method: explicit_method(req),
        globoff: view.globoff,
        url: view.url,
        headers: view
            .headers
            .iter()
            .chain(&view.auth_header)
            .map(|h| format!("{}: {}", h.key, h.value))
            .collect(),
        data: view
            .form
            .iter()
            .map(|f| format!("{}={}", f.key, f.value))
            .collect(),
    }
}

/// One command as text, for "Import cURL" and the sheet.
pub(super) fn command_text(kit: &Kit<'_>, req: &Request) -> Result<String, Error> {
    let text = render("curl_command", &command(kit, req))?;
    Ok(text.trim_end().to_string())
}

pub fn file(kit: &Kit<'_>) -> Result<Artifact, Error> {
    #[derive(Serialize)]
    struct View {
        domain: String,
        client_id: String,
        client_secret: String,
        token: String,
        commands: Vec<Command>,
    }
    let view = View {
        domain: kit.spec.domain.as_str().into(),
        client_id: placeholder(kit.var_name(Var::ClientId)),
        client_secret: placeholder(kit.var_name(Var::ClientSecret)),
        token: placeholder(kit.var_name(Var::Token)),
        commands: kit.requests().map(|r| command(kit, r)).collect(),
    };
    Ok(Artifact {
        file_name: FILE,
            purpose: "The same requests as curl commands, each on its own, for a terminal, Postman (Import > Raw text) or Agent Studio (Import cURL).",
        text: render("curl", &view)?,
        executable: false,
    })
}
