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
    for instance in &spec.instances {
        if let Some(w) = instance.domain.warning() {
            match spec.multi() {
                true => eprintln!("warning: --instance {}: {w}", instance.name.as_str()),
                false => eprintln!("warning: --domain {w}"),
            }
        }
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
                    let written = output::write_bundle(dir, files, g.args.force)?;
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
            // The folder is locked before the render, and each format's files
            // are staged as they are rendered.
            let bundle = output::Bundle::open(out, *force)?;
            let kit = kit::plan(&spec);
            let order = render::bundle_to(&kit, inputs.for_kit().to_config(), &|files| {
                bundle.stage(files)
            })?;
            let order: Vec<&str> = order.iter().map(String::as_str).collect();
            let written = bundle.commit(&order)?;
            let mut report = String::new();
            for path in written {
                report.push_str(&format!("wrote {}\n", path.display()));
            }
            eprint!("{report}");
            Ok(())
        }
        Command::Verify {
            kit: cli::LiveKitArgs(args),
            client_secret_stdin,
            timeout,
            consent_timeout,
            inputs,
            allow_writes,
            json,
            all_instances,
            junit,
            force,
            refresh_token_fd,
        } => verify_command(
            args,
            &VerifyFlags {
                client_secret_stdin: *client_secret_stdin,
                waits: verify::Waits {
                    request: std::time::Duration::from_secs(*timeout),
                    consent: std::time::Duration::from_secs(*consent_timeout),
                },
                inputs,
                allow_writes: *allow_writes,
                json: *json,
                all_instances: *all_instances,
                junit: junit.as_deref(),
                force: *force,
                refresh_token_fd: *refresh_token_fd,
            },
        ),
        Command::Mcp {
            kit: cli::LiveKitArgs(args),
            allow_writes,
            user_email,
            listen,
            tls_cert,
            tls_key,
            allow_origins,
            timeout,
        } => {
            args.refuse_unused("mcp", cli::VERIFY_IGNORES)?;
            let (picks, args) = instance_picks(args);
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
            let instance = verify::targets(&spec, &picks, false)?[0].clone();
            mcp::serve(spec, instance, options)
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

/// `--instance NAME` (no host) picks one of the kit's instances, for
/// `verify` and `mcp`; `--instance NAME=HOST` names the kit's own, as
/// everywhere: the picks, and the kit's inputs without them.
fn instance_picks(args: &input::KitArgs) -> (Vec<String>, input::KitArgs) {
    let (picks, hosts): (Vec<String>, Vec<String>) = args
        .inputs
        .instances
        .iter()
        .cloned()
        .partition(|v| !v.contains('='));
    let mut args = args.clone();
    args.inputs.instances = hosts;
    (picks, args)
}

/// `verify`'s own flags.
struct VerifyFlags<'a> {
    client_secret_stdin: bool,
    waits: verify::Waits,
    inputs: &'a [String],
    allow_writes: bool,
    json: bool,
    all_instances: bool,
    junit: Option<&'a std::path::Path>,
    force: bool,
    refresh_token_fd: Option<u32>,
}

/// `coupagen verify`: the kit's requests, live, on one instance or each.
fn verify_command(args: &input::KitArgs, flags: &VerifyFlags<'_>) -> Result<(), Error> {
    args.refuse_unused("verify", cli::VERIFY_IGNORES)?;
    let (picks, args) = instance_picks(args);
    let here = args.in_kit_folder();
    if here.is_some() {
        eprintln!(
            "verify: using ./{}, the inputs of the kit in this folder (flags win; --config names another)",
            contract::kit::CONFIG
        );
    }
    let args = here.as_ref().unwrap_or(&args);
    let spec = args.spec()?;
    warn(&spec);
    let kit = kit::plan(&spec);
    let given = verify::Given::parse(flags.inputs, flags.allow_writes)?;
    given.check(&kit)?;
    let targets = verify::targets(&spec, &picks, flags.all_instances)?;
    if targets.len() > 1 {
        for (flag, given) in [
            ("--client-secret-stdin", flags.client_secret_stdin),
            ("--refresh-token-fd", flags.refresh_token_fd.is_some()),
        ] {
            if given {
                return Err(Error::input(
                    error::Origin::Flag(flag),
                    "serves one instance, and --all-instances checks several; give each instance's credentials in its own COUPA_<NAME>_... variables, or check one with --instance NAME",
                ));
            }
        }
    }
    if let Some(path) = flags.junit {
        output::refuse_existing(path, flags.force, "--junit")?;
    }
    // Every instance's credentials before any request: a missing one is
    // the person's to fix, not a failure halfway through.
    let creds = targets
        .iter()
        .map(|i| verify::Credentials::for_kit(&kit, i, flags.client_secret_stdin))
        .collect::<Result<Vec<_>, _>>()?;
    let handover = flags
        .refresh_token_fd
        .map(|fd| verify::Handover::open(fd, &kit))
        .transpose()?;
    let mut reports = Vec::new();
    for c in &creds {
        reports.push(verify::run(&kit, c, flags.waits, &given)?);
    }
    let runs = verify::Runs::new(reports, &creds);
    let text = match flags.json {
        true => runs.json(),
        false => runs.text(),
    };
    output::to_stdout(&text)?;
    if let Some(path) = flags.junit {
        output::write_new(path, &runs.junit(), flags.force)?;
    }
    if let (Some(handover), Some(token)) = (handover, &runs.reports[0].refresh_token) {
        eprintln!("{}", handover.hand_over(token)?);
    }
    match runs.ok() {
        true => Ok(()),
        false => Err(Error::Failed(
            "the connection check failed; the report above says why".into(),
        )),
    }
}
