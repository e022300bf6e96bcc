//! coupagen: from a Coupa instance's few facts to a proven connection kit.
//!
//! The pipeline, one module a stage: [`cli`] and [`input`] (flags and
//! `--config`) -> [`spec`] (validated once) -> [`kit`] (the requests,
//! described once) -> [`render`] (one function per artifact, from
//! templates) -> [`output`] (stdout or files).
//! [`verify`] runs the same requests live; [`catalog`] knows Coupa's scopes.

pub mod catalog;
pub mod cli;
pub mod input;
pub mod kit;
pub mod listing;
pub mod output;
pub mod render;
pub mod spec;
pub mod verify;

use std::fmt;

/// What went wrong, and so which exit status.
#[derive(Debug)]
pub enum Error {
    /// Bad input: the message names the input and what would be right. Exit 2.
    Input(String),
    /// Anything else: I/O, a template, a failed check. Exit 1.
    Failed(String),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) => 2,
            Error::Failed(_) => 1,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(m) | Error::Failed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

use cli::{Cli, Command, Generate};
use render::Artifact;

/// Runs one command line: the whole program but for printing the error.
pub fn run(cli: Cli) -> Result<(), Error> {
    let generate = |g: &Generate, make: &dyn Fn(&kit::Kit<'_>) -> Result<Artifact, Error>| {
        // Input is validated before anything is written: bad input writes nothing.
        let spec = g.kit.inputs()?.resolve()?;
        let artifact = make(&kit::plan(&spec))?;
        output::emit(&artifact, g.output.as_deref(), g.force)
    };
    match &cli.command {
        Command::Postman(g) => generate(g, &render::postman_collection),
        Command::Environment(g) => generate(g, &render::postman_environment),
        Command::Curl(g) => generate(g, &render::curl),
        Command::Script(g) => generate(g, &render::check_script),
        Command::Sheet {
            generate: g,
            format,
        } => generate(g, &|k| render::sheet(k, *format)),
        Command::Bundle {
            kit: args,
            out,
            force,
        } => {
            let spec = args.inputs()?.resolve()?;
            let files = render::bundle(&kit::plan(&spec))?;
            let written = output::write_bundle(out, &files, *force)?;
            let mut report = String::new();
            for path in written {
                report.push_str(&format!("wrote {}\n", path.display()));
            }
            eprint!("{report}");
            Ok(())
        }
        Command::Verify {
            kit: args,
            client_secret_stdin,
            timeout,
            json,
        } => {
            let spec = args.inputs()?.resolve()?;
            let creds = verify::Credentials::from_env(*client_secret_stdin)?;
            let kit = kit::plan(&spec);
            let report = verify::run(&kit, &creds, std::time::Duration::from_secs(*timeout))?;
            let text = if *json { report.json() } else { report.text() };
            output::to_stdout(&verify::scrub(&text, &[&creds.client_secret]))?;
            match report.ok {
                true => Ok(()),
                false => Err(Error::Failed(
                    "the connection check failed; the report above says why".into(),
                )),
            }
        }
        Command::Scopes {
            word,
            resources,
            json,
        } => output::to_stdout(&listing::listing(word.as_deref(), *resources, *json)),
    }
}
