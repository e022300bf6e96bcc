//! The command line: clap types whose doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::input::Inputs;
use crate::render::SheetFormat;
use crate::spec::ReturnObject;

/// Generate and check everything needed to connect to Coupa's API with an
/// OAuth2 client-credentials client: a Postman collection and environment,
/// curl commands, a check script and the Agent Studio field sheet.
///
/// Start with `coupagen bundle --domain <your instance> --out coupa-kit`, then
/// read coupa-kit/README.md. No secret is ever needed on the command line, and
/// none is written to any file.
#[derive(Debug, Parser)]
#[command(name = "coupagen", version, max_term_width = 100)]
#[command(after_help = "\
Examples:
  coupagen bundle --domain acme.coupahost.com --out coupa-kit
  coupagen bundle --domain acme.coupahost.com --resource invoices,users --limit 10 --out kit
  coupagen sheet --domain acme.coupahost.com --format json
  COUPA_CLIENT_ID=... COUPA_CLIENT_SECRET=... coupagen verify --domain acme.coupahost.com
  coupagen scopes --resources invoice

Exit status: 0 success, 2 bad input (nothing written), 1 any other failure.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Postman collection (v2.1): the token request and one request per resource.
    ///
    /// Every request fetches a token by itself when none is stored, so any one
    /// of them runs alone in Postman or newman.
    Postman(Generate),
    /// Postman environment holding the two credential variables, empty.
    Environment(Generate),
    /// curl commands in the setup guide's style, credentials as {{placeholders}}.
    Curl(Generate),
    /// A bash check script: reads COUPA_CLIENT_ID and COUPA_CLIENT_SECRET from
    /// the environment, fetches a token and calls each resource.
    Script(Generate),
    /// The Agent Studio field sheet: every connector and action field, with its value.
    Sheet {
        #[command(flatten)]
        generate: Generate,
        /// markdown for people, json for programs.
        #[arg(long, value_enum, default_value = "markdown", help_heading = "Output")]
        format: SheetFormat,
    },
    /// All artifacts, and a README with the next steps, into a folder.
    Bundle {
        #[command(flatten)]
        kit: KitArgs,
        /// The folder to write; created if missing.
        #[arg(long, value_name = "DIR", help_heading = "Output")]
        out: PathBuf,
        /// Replace files the folder already holds.
        #[arg(long, help_heading = "Output")]
        force: bool,
    },
    /// Run the token request and the API calls live, and say what is wrong.
    ///
    /// Reads the credentials from COUPA_CLIENT_ID and COUPA_CLIENT_SECRET (or
    /// the secret from standard input with --client-secret-stdin). Checks the
    /// connection (DNS, TCP, TLS), the token, then each API call, and names the
    /// cause and the fix of each failure. Exit status 0 when every step passed,
    /// 1 when any failed. Trusts Mozilla's roots plus SSL_CERT_FILE; honours
    /// HTTPS_PROXY and NO_PROXY.
    Verify {
        #[command(flatten)]
        kit: KitArgs,
        /// Read the client's Secret from standard input instead of COUPA_CLIENT_SECRET.
        #[arg(long, help_heading = "Verify")]
        client_secret_stdin: bool,
        /// Give up on a request after this many seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600), help_heading = "Verify")]
        timeout: u64,
        /// The report as one JSON document, for CI jobs.
        #[arg(long, help_heading = "Verify")]
        json: bool,
    },
    /// List Coupa's scopes and what each grants, or the resources (--resources).
    Scopes {
        /// Show only entries containing this word, e.g. `invoice`.
        word: Option<String>,
        /// List API resources with the scope a GET on each needs.
        #[arg(long)]
        resources: bool,
        /// JSON for programs.
        #[arg(long)]
        json: bool,
    },
}

/// A single artifact's generator: the kit's inputs and where to write.
#[derive(Debug, Args)]
pub struct Generate {
    #[command(flatten)]
    pub kit: KitArgs,
    /// Write to FILE instead of standard output (`-` is standard output).
    #[arg(short = 'o', long, value_name = "FILE", help_heading = "Output")]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists.
    #[arg(long, help_heading = "Output")]
    pub force: bool,
}

/// What the kit is made from.
#[derive(Debug, Args)]
#[command(next_help_heading = "Kit")]
pub struct KitArgs {
    /// The Coupa instance host, e.g. acme.coupahost.com (https:// is implied).
    #[arg(long, value_name = "HOST")]
    pub domain: Option<String>,
    /// An OAuth scope the client has; repeatable, or a space- or
    /// comma-separated list [default: the scopes the resources need]
    #[arg(long, value_name = "SCOPE")]
    pub scope: Vec<String>,
    /// An API resource to call (see `coupagen scopes --resources`);
    /// repeatable or comma-separated [default: expense_reports]
    #[arg(long, value_name = "NAME")]
    pub resource: Vec<String>,
    /// Accept scopes that coupagen's catalog does not list (an instance's own).
    #[arg(long)]
    pub allow_unknown_scopes: bool,
    /// The Postman placeholder for the client's Identifier [default: Identifier]
    #[arg(long, value_name = "NAME")]
    pub client_id_var: Option<String>,
    /// The Postman placeholder for the client's Secret [default: Secret]
    #[arg(long, value_name = "NAME")]
    pub client_secret_var: Option<String>,
    /// The Agent Studio connection name [default: Coupa Connector]
    #[arg(long, value_name = "TEXT")]
    pub connector_name: Option<String>,
    /// Read any of these options from a JSON file (keys in snake_case,
    /// e.g. {"domain": "...", "resources": [...]}); flags win.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub query: QueryArgs,
}

/// Query options, applied to every API request.
#[derive(Debug, Args)]
#[command(next_help_heading = "Query")]
pub struct QueryArgs {
    /// Records a page, 1 to 50 [default: 1]
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Records to skip, for paging.
    #[arg(long, value_name = "N")]
    pub offset: Option<u32>,
    /// A filter, `attribute=value` or `attribute[operator]=value`
    /// (operators: contains, starts_with, ends_with, gt, lt, gt_or_eq,
    /// lt_or_eq, not_eq, in, not_in, blank); repeatable.
    #[arg(long, value_name = "EXPR")]
    pub filter: Vec<String>,
    /// The fields to return, a JSON list, e.g. '["id",{"expense_lines":["id"]}]'.
    #[arg(long, value_name = "JSON")]
    pub fields: Option<String>,
    /// Coupa's smaller answers: limited or shallow.
    #[arg(long, value_enum, value_name = "MODE")]
    pub return_object: Option<ReturnObject>,
}

impl KitArgs {
    /// The flags as raw inputs, merged over `--config` when given.
    pub fn inputs(&self) -> Result<Inputs, crate::Error> {
        let q = &self.query;
        let flags = Inputs {
            domain: self.domain.clone(),
            scopes: self.scope.clone(),
            resources: self.resource.clone(),
            limit: q.limit,
            offset: q.offset,
            filters: q.filter.clone(),
            fields: q.fields.clone(),
            return_object: q.return_object,
            client_id_var: self.client_id_var.clone(),
            client_secret_var: self.client_secret_var.clone(),
            connector_name: self.connector_name.clone(),
            allow_unknown_scopes: self.allow_unknown_scopes,
            from_config: None,
        };
        Ok(match &self.config {
            Some(path) => flags.over(Inputs::from_config_file(path)?, path),
            None => flags,
        })
    }
}
