//! `coupagen mcp`: the kit's use cases and resources served as MCP tools.
//! [`tools`] lists them from the kit, [`schema`] writes their inputs,
//! [`call`] runs one through verify's sending core, [`http`] is the
//! Streamable HTTP transport and its guards; stdio is rmcp's own.

mod call;
mod http;
mod schema;
mod tools;

/// The tool list and the HTTP endpoint, which the sheet shows.
pub use http::PATH as HTTP_PATH;
pub use tools::{all as tools, names as tool_names};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};

pub use call::{trim, MAX_RESULT};
pub use tools::snake;

use crate::error::{Error, Origin};
use crate::kit::Kit;
use crate::spec::Spec;
use crate::usecase::Kind;
use crate::verify::{Credentials, Session};

/// Moveworks gives a tool call 120 s; every call answers within this.
pub const CALL_LIMIT: Duration = Duration::from_secs(100);

const WRITES_FLAG: &str = "--allow-writes";
const EMAIL_FLAG: &str = "--user-email";

/// How the server runs, from `coupagen mcp`'s flags.
#[derive(Debug, Clone)]
pub struct Options {
    pub allow_writes: bool,
    pub user_email: Option<String>,
    pub listen: Option<SocketAddr>,
    /// The certificate chain and key files, for HTTPS.
    pub tls: Option<(PathBuf, PathBuf)>,
    pub origins: Vec<String>,
    /// Each Coupa request's own limit.
    pub timeout: Duration,
}

struct Shared {
    kit: &'static Kit<'static>,
    /// The instance the tools call.
    domain: String,
    tools: Vec<tools::Def>,
    session: Mutex<Session<'static>>,
    options: Options,
}

/// The handler rmcp serves: every session of every transport shares one
/// Coupa session (one token, one pace).
#[derive(Clone)]
pub struct Server(Arc<Shared>);

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("coupagen", env!("CARGO_PKG_VERSION")))
            .with_instructions(format!(
                "Coupa {}: each tool runs one use case or lists one resource; results are the records as JSON.{}",
                self.0.domain,
                match self.0.options.allow_writes {
                    true => " Tools marked destructive change Coupa data: ask the person first.",
                    false => " Read-only: no tool changes Coupa data.",
                }
            ))
    }

    async fn list_tools(
        &self,
        _: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let shared = &self.0;
        Ok(ListToolsResult::with_all_items(
            shared
                .tools
                .iter()
                .filter(|d| !d.writes || shared.options.allow_writes)
                .map(|d| d.tool.clone())
                .collect(),
        ))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let shared = self.0.clone();
        let Some(def) = shared
            .tools
            .iter()
            .find(|d| d.name == request.name)
            .cloned()
        else {
            return Err(ErrorData::invalid_params(
                format!(
                    "no tool is named {:?}; tools/list names them",
                    crate::verify::visible(&request.name)
                ),
                None,
            ));
        };
        if def.writes && !shared.options.allow_writes {
            return Err(ErrorData::invalid_params(
                format!(
                    "{} changes Coupa data, and this server was started without {WRITES_FLAG}: nothing was sent. To allow it, restart the server as `coupagen mcp ... {WRITES_FLAG}` (its guards still hold)",
                    def.name
                ),
                Some(serde_json::json!({"tool": def.name})),
            ));
        }
        let call = call::check(
            shared.kit,
            &def,
            request.arguments,
            shared.options.user_email.as_deref(),
        )?;
        let task = tokio::task::spawn_blocking(move || {
            let mut session = shared
                .session
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            call::run(
                &mut session,
                shared.kit,
                &def,
                call,
                shared.options.allow_writes,
            )
        });
        match tokio::time::timeout(CALL_LIMIT, task).await {
            Ok(Ok(result)) => Ok(result.into()),
            Ok(Err(_)) => Err(ErrorData::internal_error(
                "the call stopped unexpectedly",
                None,
            )),
            Err(_) => Ok(CallToolResult::error(vec![ContentBlock::text(format!(
                "Coupa did not answer within {} s; try again, or ask for fewer records",
                CALL_LIMIT.as_secs()
            ))])
            .into()),
        }
    }
}

/// Checks the options against each other, before anything is served.
fn check(options: &Options, kit: &Kit<'_>) -> Result<(), Error> {
    if let Some(email) = &options.user_email {
        if !Kind::Email.accepts(email) || email.trim() != email {
            return Err(Error::bad(
                Origin::Flag(EMAIL_FLAG),
                email,
                "give the person's email, e.g. --user-email alice@example.com",
            ));
        }
    }
    if options.allow_writes && !kit.use_cases.iter().any(|u| u.writes()) {
        return Err(Error::input(
            Origin::Flag(WRITES_FLAG),
            "is for a use case that changes Coupa data; add one with --use-case ID, or drop it",
        ));
    }
    if options.listen.is_none() {
        let http_only = [
            ("--tls-cert", options.tls.is_some()),
            ("--allow-origin", !options.origins.is_empty()),
        ];
        if let Some((flag, _)) = http_only.iter().find(|(_, given)| *given) {
            return Err(Error::input(
                Origin::Flag(flag),
                "is for the HTTP transport; add --listen ADDR, e.g. --listen 127.0.0.1:8765",
            ));
        }
    }
    if kit.use_cases.is_empty() && kit.calls.is_empty() {
        return Err(Error::input(
            Origin::Flag("--use-case"),
            "the kit has no use case and no resource: there is nothing to serve; add --use-case ID or --resource NAME",
        ));
    }
    Ok(())
}

/// Serves the kit until the client leaves (stdio) or the process is stopped.
/// `instance` is the one of the kit's the tools call (`--instance NAME`
/// with several).
pub fn serve(spec: Spec, instance: crate::spec::Instance, options: Options) -> Result<(), Error> {
    // The server lives as long as the process: its kit does too.
    let spec: &'static Spec = Box::leak(Box::new(spec));
    let kit: &'static Kit<'static> = Box::leak(Box::new(crate::kit::plan(spec)));
    check(&options, kit)?;
    let creds = Credentials::for_kit(kit, &instance, false)?;
    if kit.spec.consent.is_some() && creds.refresh_token.is_none() {
        return Err(Error::input(
            Origin::Env(crate::contract::env::REFRESH_TOKEN.into()),
            "is not set: with user consent the server needs the person's refresh token (it has no browser); `coupagen verify --refresh-token-fd 3` gets one",
        ));
    }
    let listen = options
        .listen
        .map(|addr| http::Listen::check(addr, &options))
        .transpose()?;
    let session = Session::new(kit, creds, options.timeout)?;
    let tools = tools::all(kit, options.user_email.is_some());
    let hidden = tools
        .iter()
        .filter(|d| d.writes && !options.allow_writes)
        .count();
    let server = Server(Arc::new(Shared {
        kit,
        domain: instance.domain.as_str().to_string(),
        tools,
        session: Mutex::new(session),
        options,
    }));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Failed(format!("cannot start the server: {e}")))?;
    let listed = server.0.tools.len() - hidden;
    let writes = match hidden {
        0 => String::new(),
        n => format!("; {n} that change Coupa data not listed (add {WRITES_FLAG})"),
    };
    runtime.block_on(async move {
        match listen {
            Some(listen) => {
                listen
                    .serve(server, &format!("{listed} tools{writes}"))
                    .await
            }
            None => {
                eprintln!("coupagen mcp: {listed} tools{writes} over stdio");
                let running = server
                    .serve(rmcp::transport::stdio())
                    .await
                    .map_err(|e| Error::Failed(format!("the MCP session did not start: {e}")))?;
                running
                    .waiting()
                    .await
                    .map_err(|e| Error::Failed(format!("the MCP session ended: {e}")))?;
                Ok(())
            }
        }
    })
}
