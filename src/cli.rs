//! The command line: clap types whose doc comments are the `--help` text. The
//! generator subcommands are read off the format registry.

use std::path::PathBuf;

use clap::{ArgMatches, Args, FromArgMatches, Parser, Subcommand};

use crate::input::KitArgs;
use crate::render::{self, File, Format, FORMATS};

/// Generate and check everything needed to connect to Coupa's API with an
/// OAuth2 client, client credentials or user consent (authorization code): a
/// Postman collection and environment, curl commands, a check script, the
/// Agent Studio field sheet, a Bruno collection and an OpenAPI document, for
/// API resources and for use cases (approvals, expense reports, ...).
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
  coupagen bundle --domain acme.coupahost.com --grant authorization-code --moveworks-org acme --out kit
  coupagen bundle --domain acme.coupahost.com --use-case pending-expense-approvals --out kit
  coupagen sheet --domain acme.coupahost.com --format json
  COUPA_CLIENT_ID=... COUPA_CLIENT_SECRET=... coupagen verify --domain acme.coupahost.com
  coupagen scopes --resources invoice

Exit status: 0 success, 2 bad input (nothing written), 1 any other failure.")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Deferred: a command's arguments are made only when clap builds that
/// command (parsing it, or reading them all for help, completions or the
/// man page), so a run makes its own command's, not every command's.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    #[command(flatten)]
    Generate(Generate),
    /// All artifacts, and a README with the next steps, into a folder.
    Bundle {
        #[command(flatten)]
        kit: KitArgs,
        /// The folder to write; created if missing.
        #[arg(
            long,
            value_name = "DIR",
            help_heading = "Output",
            required_unless_present = "output"
        )]
        out: Option<PathBuf>,
        /// `-o` as the generators take it: refused with a pointer to --out.
        #[arg(short = 'o', long, value_name = "FILE", hide = true)]
        output: Option<PathBuf>,
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
    ///
    /// With --grant authorization-code: COUPA_REFRESH_TOKEN, when set, stands
    /// in for the person. Otherwise verify prints the address to consent at,
    /// then catches the redirect on a loopback redirect URI, or reads the
    /// address the browser landed on from standard input.
    ///
    /// In a kit's folder (one holding its coupagen.json) and without
    /// --config, checks that kit's requests, and says so; flags still win.
    Verify {
        #[command(flatten)]
        kit: LiveKitArgs,
        /// Read the client's Secret from standard input instead of COUPA_CLIENT_SECRET.
        #[arg(long, help_heading = "Verify")]
        client_secret_stdin: bool,
        /// Give up on a request after this many seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600), help_heading = "Verify")]
        timeout: u64,
        /// A use case's input, NAME=VALUE (see `coupagen use-cases`); repeatable.
        #[arg(long = "input", value_name = "NAME=VALUE", help_heading = "Verify")]
        inputs: Vec<String>,
        /// Run the use cases that change Coupa data (approve, reject), on the
        /// ids given with --input only.
        #[arg(long, help_heading = "Verify")]
        allow_writes: bool,
        /// With user consent: how long to wait for the person to consent.
        #[arg(long, value_name = "SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=3600), help_heading = "Verify")]
        consent_timeout: u64,
        /// The report as one JSON document, for CI jobs.
        #[arg(long, help_heading = "Verify")]
        json: bool,
        /// A kit of several instances: check each in turn (each with its own
        /// COUPA_<NAME>_CLIENT_ID and COUPA_<NAME>_CLIENT_SECRET), and say
        /// where their granted scopes differ. One of them: --instance NAME.
        #[arg(long, help_heading = "Verify")]
        all_instances: bool,
        /// Also write the report as JUnit XML to FILE (a testsuite an
        /// instance, a testcase a step), for GitHub Actions, GitLab, Jenkins.
        #[arg(long, value_name = "FILE", help_heading = "Verify")]
        junit: Option<std::path::PathBuf>,
        /// Replace an existing --junit FILE.
        #[arg(long, help_heading = "Verify")]
        force: bool,
        /// With user consent: write the refresh token Coupa issues to this
        /// file descriptor, never to the screen, e.g. `--refresh-token-fd 3
        /// 3> >(secret-tool store --label coupa service coupa)`.
        #[arg(long, value_name = "N", help_heading = "Verify")]
        refresh_token_fd: Option<u32>,
    },
    /// Serve the kit's use cases and resources as MCP tools to AI assistants.
    ///
    /// One tool per use case (its whole chain in one call) and one per
    /// resource (a page of its records). Reads only, unless --allow-writes.
    /// Credentials as for verify: COUPA_CLIENT_ID and COUPA_CLIENT_SECRET, or
    /// with user consent COUPA_REFRESH_TOKEN; the server renews the token and
    /// no tool result, log line or error shows a secret or token.
    ///
    /// Serves stdio (for a desktop assistant that starts it) unless --listen
    /// gives an address for Streamable HTTP (for Moveworks): then every client
    /// sends `Authorization: Bearer` and the key in COUPAGEN_MCP_KEY; an
    /// address other than loopback needs --tls-cert and --tls-key.
    Mcp {
        #[command(flatten)]
        kit: LiveKitArgs,
        /// List and run the use cases that change Coupa data (approve,
        /// reject, create); their guards still hold.
        #[arg(long, help_heading = "MCP")]
        allow_writes: bool,
        /// The person's email, for the use cases that take it when a call
        /// does not give one.
        #[arg(long, value_name = "EMAIL", help_heading = "MCP")]
        user_email: Option<String>,
        /// Serve Streamable HTTP at http(s)://ADDR/mcp instead of stdio, e.g.
        /// 127.0.0.1:8765.
        #[arg(long, value_name = "ADDR", help_heading = "MCP")]
        listen: Option<std::net::SocketAddr>,
        /// With --listen: the server certificate chain (PEM) for HTTPS.
        #[arg(long, value_name = "FILE", requires = "tls_key", help_heading = "MCP")]
        tls_cert: Option<PathBuf>,
        /// With --listen: the certificate's private key (PEM).
        #[arg(long, value_name = "FILE", requires = "tls_cert", help_heading = "MCP")]
        tls_key: Option<PathBuf>,
        /// With --listen: a browser origin allowed to call it (repeatable),
        /// e.g. https://acme.moveworks.com; a request from any other is refused.
        #[arg(long = "allow-origin", value_name = "ORIGIN", help_heading = "MCP")]
        allow_origins: Vec<String>,
        /// Give up on a Coupa request after this many seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=60), help_heading = "MCP")]
        timeout: u64,
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
    /// Shell completions for coupagen, written to standard output.
    ///
    /// bash: `coupagen completions bash > ~/.local/share/bash-completion/completions/coupagen`;
    /// zsh: into a folder of your $fpath as `_coupagen`; fish:
    /// `~/.config/fish/completions/coupagen.fish`; PowerShell: dot-source it from $PROFILE.
    Completions {
        /// bash, zsh, fish, powershell or elvish.
        shell: clap_complete::Shell,
    },
    /// The manual page (roff), from the same definitions as --help.
    ///
    /// `coupagen man > ~/.local/share/man/man1/coupagen.1`, then `man coupagen`;
    /// `coupagen man bundle` is the page of one command (coupagen-bundle.1).
    Man {
        /// A command's own page instead of coupagen's.
        command: Option<String>,
    },
    /// List the use cases: each one's requests, inputs, scopes, and whether it
    /// changes Coupa data.
    ///
    /// Give one to a kit with --use-case ID; describe your own in a file of the
    /// same JSON format (`coupagen use-cases --json` shows it) and give it with
    /// --use-case-file.
    UseCases {
        /// Also the use cases of this file, checked as a kit would read it.
        #[arg(long, value_name = "FILE")]
        use_case_file: Option<PathBuf>,
        /// JSON for programs, in the use-case file format.
        #[arg(long)]
        json: bool,
    },
}

/// The whole command line, as clap defines it: what --help, completions and
/// the man page are all read from.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    // Every command whole: a generator's arguments are made when built.
    let mut cmd = Cli::command();
    cmd.build();
    cmd
}

/// The man page of coupagen, or of one of its commands.
pub fn man_page(name: Option<&str>) -> Result<String, crate::Error> {
    let root = command();
    let (cmd, title) = match name {
        None => (root, "coupagen".to_string()),
        Some(name) => {
            let names: Vec<String> = root
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .collect();
            let Some(sub) = root.find_subcommand(name).cloned() else {
                return Err(crate::Error::bad(
                    crate::error::Origin::Flag("man"),
                    name,
                    format!("no such command; the commands: {}", names.join(", ")),
                ));
            };
            // A page of its own, named as man expects: coupagen-bundle.
            let title = format!("coupagen-{name}");
            let sub = sub
                .display_name(title.clone())
                .bin_name(format!("coupagen {name}"));
            (sub, title)
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd)
        .title(title)
        .render(&mut out)
        .map_err(|e| crate::Error::Failed(format!("the man page: {e}")))?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// One format's generator: which file, the kit's inputs, where to write.
#[derive(Debug)]
pub struct Generate {
    pub format: &'static Format,
    pub file: &'static File,
    pub args: GenerateArgs,
}

// What every generator takes (a plain comment: see `Inputs`).
#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    pub kit: KitArgs,
    /// Write to FILE instead of standard output (`-` is standard output); for
    /// a format that writes a folder (bruno), the folder.
    #[arg(
        short = 'o',
        long,
        visible_alias = "out",
        value_name = "FILE",
        help_heading = "Output"
    )]
    pub output: Option<PathBuf>,
    /// Replace FILE if it exists.
    #[arg(long, help_heading = "Output")]
    pub force: bool,
}

/// The kit options `verify` does not use: it sends real credentials, so
/// placeholder names and the connection name mean nothing there.
pub const VERIFY_IGNORES: &[&str] = &["client_id_var", "client_secret_var", "connector_name"];

/// The kit's options for a command that sends real credentials (verify,
/// mcp), with [`VERIFY_IGNORES`] left out of its `--help`: hidden as the
/// arguments are made, which for a deferred command is when it is built.
#[derive(Debug)]
pub struct LiveKitArgs(pub KitArgs);

impl Args for LiveKitArgs {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        hide(KitArgs::augment_args(cmd), VERIFY_IGNORES)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        hide(KitArgs::augment_args_for_update(cmd), VERIFY_IGNORES)
    }
}

impl FromArgMatches for LiveKitArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        KitArgs::from_arg_matches(matches).map(LiveKitArgs)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
}

/// `cmd` with these kit options left out of its `--help`, each where it
/// stands (completions list the options in order).
fn hide(cmd: clap::Command, keys: &[&str]) -> clap::Command {
    cmd.mut_args(|a| match keys.contains(&a.get_id().as_str()) {
        true => a.hide(true),
        false => a,
    })
}

/// The `--format` of a format that writes several files.
const FORMAT_ARG: &str = "format";

/// A generator's command: its name and words now (the top level's help
/// lists them), its arguments when clap builds it ([`clap::Command::defer`]):
/// a run parses only its own command's, so the others are never made.
fn generator(format: &'static Format) -> clap::Command {
    clap::Command::new(format.command)
        .about(format.about.trim_end_matches('.'))
        .long_about(format.long_about)
        .defer(generator_args)
}

/// A generator's arguments, when clap builds its command (parsing it, or
/// reading every command for help, completions or the man page).
fn generator_args(cmd: clap::Command) -> clap::Command {
    let format = render::format(cmd.get_name()).expect("every generator is a format's");
    let mut cmd = GenerateArgs::augment_args(cmd);
    cmd = hide(cmd, format.ignores);
    if let [first, ..] = format.files {
        if format.files.len() > 1 {
            let variants: Vec<&str> = format.files.iter().map(|f| f.variant).collect();
            cmd = cmd.arg(
                clap::Arg::new(FORMAT_ARG)
                    .long(FORMAT_ARG)
                    .value_parser(clap::builder::PossibleValuesParser::new(variants))
                    .default_value(first.variant)
                    .ignore_case(true)
                    .help(format!(
                        "Which file: {}.",
                        format
                            .files
                            .iter()
                            .map(|f| format!("{} ({})", f.variant, f.path))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                    .help_heading("Output"),
            );
        }
    }
    cmd
}

impl FromArgMatches for Generate {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let (name, sub) = matches
            .subcommand()
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::MissingSubcommand))?;
        let format = render::format(name)
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidSubcommand))?;
        let variant = sub
            .try_get_one::<String>(FORMAT_ARG)
            .ok()
            .flatten()
            .cloned();
        let file = format
            .files
            .iter()
            .find(|f| {
                variant
                    .as_deref()
                    .is_none_or(|v| v.eq_ignore_ascii_case(f.variant))
            })
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidValue))?;
        Ok(Generate {
            format,
            file,
            args: GenerateArgs::from_arg_matches(sub)?,
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl Subcommand for Generate {
    fn augment_subcommands(cmd: clap::Command) -> clap::Command {
        FORMATS
            .iter()
            .fold(cmd, |cmd, format| cmd.subcommand(generator(format)))
    }

    fn augment_subcommands_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_subcommands(cmd)
    }

    fn has_subcommand(name: &str) -> bool {
        render::format(name).is_some()
    }
}
