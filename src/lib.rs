//! coupagen: from a Coupa instance's few facts to a proven connection kit.
//!
//! The pipeline, one module a stage: [`cli`] and [`input`] (flags and
//! `--config`, one definition) -> [`spec`] (validated once) -> [`kit`] (the
//! requests, described once) -> [`render`] (one module per format, from
//! templates) -> [`output`] (stdout or files). [`verify`] sends the same
//! requests live; [`mcp`] serves them as tools to AI assistants. [`coupa`] is what the kit knows of Coupa, [`catalog`] its
//! scopes and resources, [`contract`] the names users rely on.

pub mod bounded;
pub mod catalog;
pub mod cli;
pub mod contract;
pub mod coupa;
pub mod error;
#[cfg(test)]
mod imports;
pub mod input;
pub mod kit;
pub mod listing;
pub mod mcp;
pub mod moveworks;
pub mod output;
pub mod render;
pub mod spec;
pub mod usecase;
pub mod verify;

pub use error::Error;

use cli::{Cli, Command};

/// Says what may be wrong with input that was accepted anyway.
fn warn(spec: &spec::Spec) {
    if let Some(w) = spec.domain.warning() {
        eprintln!("warning: {w}");
    }
    for w in usecase::warnings(&spec.use_cases) {
        eprintln!("warning: {w}");
    }
}

/// Runs one command line: the whole program but for printing the error.
pub fn run(cli: Cli) -> Result<(), Error> {
    match &cli.command {
        Command::Generate(g) => {
            // Input is validated before anything is written: bad input writes nothing.
            g.args
                .kit
                .refuse_unused(g.format.command, g.format.ignores)?;
            // A format that writes a folder (Bruno) needs one to write into.
            let folder = g.file.path.strip_suffix('/');
            let target = g
                .args
                .output
                .as_deref()
                .filter(|p| *p != std::path::Path::new("-"));
            if let (Some(_), None) = (folder, target) {
                return Err(Error::input(
                    error::Origin::Flag("-o"),
                    format!(
                        "is missing: `coupagen {}` writes a folder of files; give one with -o DIR (or --out DIR)",
                        g.format.command
                    ),
                ));
            }
            let spec = g.args.kit.spec()?;
            warn(&spec);
            let kit = kit::plan(&spec);
            match (folder, target) {
                (Some(prefix), Some(dir)) => {
                    let files: Vec<render::Artifact> = render::all(&kit, g.format)?
                        .into_iter()
                        .map(|mut a| {
                            a.path = a
                                .path
                                .trim_start_matches(prefix)
                                .trim_start_matches('/')
                                .to_string();
                            a
                        })
                        .collect();
                    let written = output::write_bundle(dir, &files, g.args.force)?;
                    let report: String = written
                        .iter()
                        .map(|p| format!("wrote {}\n", p.display()))
                        .collect();
                    eprint!("{report}");
                    Ok(())
                }
                _ => {
                    let artifact = render::one(&kit, g.format, g.file)?;
                    output::emit(&artifact, g.args.output.as_deref(), g.args.force)
                }
            }
        }
        Command::Bundle {
            kit: args,
            out,
            output,
            force,
        } => {
            let Some(out) = out.as_deref().filter(|_| output.is_none()) else {
                let given = output.as_deref().unwrap_or(std::path::Path::new("-"));
                return Err(Error::bad(
                    error::Origin::Flag("-o"),
                    &given.display().to_string(),
                    "bundle writes a folder of files, not one file; use --out DIR, e.g. --out coupa-kit",
                ));
            };
            let (inputs, spec) = args.resolved()?;
            warn(&spec);
            let files = render::bundle(&kit::plan(&spec), inputs.for_kit().to_config())?;
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
            consent_timeout,
            inputs,
            allow_writes,
            json,
            refresh_token_fd,
        } => {
            args.refuse_unused("verify", cli::VERIFY_IGNORES)?;
            let here = args.in_kit_folder();
            if here.is_some() {
                eprintln!(
                    "verify: using ./{}, the inputs of the kit in this folder (flags win; --config names another)",
                    contract::kit::CONFIG
                );
            }
            let args = here.as_ref().unwrap_or(args);
            let spec = args.spec()?;
            warn(&spec);
            let kit = kit::plan(&spec);
            let given = verify::Given::parse(inputs, *allow_writes)?;
            given.check(&kit)?;
            let creds = verify::Credentials::for_kit(&kit, *client_secret_stdin)?;
            let handover = refresh_token_fd
                .map(|fd| verify::Handover::open(fd, &kit))
                .transpose()?;
            let waits = verify::Waits {
                request: std::time::Duration::from_secs(*timeout),
                consent: std::time::Duration::from_secs(*consent_timeout),
            };
            let report = verify::run(&kit, &creds, waits, &given)?;
            let text = if *json { report.json() } else { report.text() };
            let secrets: Vec<&str> = std::iter::once(creds.client_secret.as_str())
                .chain(report.secrets.iter().map(String::as_str))
                .collect();
            output::to_stdout(&verify::scrub(&text, &secrets))?;
            if let (Some(handover), Some(token)) = (handover, &report.refresh_token) {
                eprintln!("{}", handover.hand_over(token)?);
            }
            match report.ok {
                true => Ok(()),
                false => Err(Error::Failed(
                    "the connection check failed; the report above says why".into(),
                )),
            }
        }
        Command::Mcp {
            kit: args,
            allow_writes,
            user_email,
            listen,
            tls_cert,
            tls_key,
            allow_origins,
            timeout,
        } => {
            args.refuse_unused("mcp", cli::VERIFY_IGNORES)?;
            let options = mcp::Options {
                allow_writes: *allow_writes,
                user_email: user_email.clone(),
                listen: *listen,
                tls: tls_cert.clone().zip(tls_key.clone()),
                origins: allow_origins.clone(),
                timeout: std::time::Duration::from_secs(*timeout),
            };
            let spec = args.spec()?;
            warn(&spec);
            mcp::serve(spec, options)
        }
        Command::Scopes {
            word,
            resources,
            json,
        } => output::to_stdout(&listing::listing(word.as_deref(), *resources, *json)?),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut cli::command(), "coupagen", &mut out);
            output::to_stdout(&String::from_utf8_lossy(&out))
        }
        Command::Man { command } => output::to_stdout(&cli::man_page(command.as_deref())?),
        Command::UseCases {
            use_case_file,
            json,
        } => {
            let mut all = usecase::built_in();
            if let Some(file) = use_case_file {
                let own = usecase::from_file(file, error::Origin::Flag("--use-case-file"))?;
                // What bundle would refuse without --allow-unknown-scopes, said here too.
                for (uc, step) in own
                    .iter()
                    .flat_map(|u| u.requests.iter().map(move |s| (u, s)))
                {
                    if catalog::scope(&step.scope).is_none() {
                        eprintln!(
                            "warning: {}: request \"{}\" needs the scope '{}', which is not a known Coupa scope{}; a kit needs --allow-unknown-scopes for it",
                            uc.id,
                            step.name,
                            step.scope,
                            catalog::scope_hint(&step.scope)
                        );
                    }
                }
                for w in usecase::warnings(&own) {
                    eprintln!("warning: {w}");
                }
                all.extend(own);
            }
            output::to_stdout(&listing::use_cases(&all, *json))
        }
    }
}
