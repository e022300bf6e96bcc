//! Kit -> artifacts. [`FORMATS`] is the one list of formats: the CLI's
//! generator subcommands, `bundle`, the bundle's README and the benchmarks
//! read it. One submodule per format, each with its own binder.

mod binders;
mod bruno;
mod compound;
mod curl;
mod escape;
mod http;
mod js;
mod json_body;
mod mcp;
mod openapi;
mod postman;
mod pretty_json;
/// Where Postman publishes the collection format's schema (tests name it).
pub use postman::SCHEMA_URL as POSTMAN_SCHEMA_URL;
mod readme;
mod script;
mod sections;
mod sheet;
mod templates;

pub use templates::{build_registry, HELPERS, TEMPLATES};

use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Serialize;

use crate::kit::{At, Binder, Encoding, Kit, Text, Value};
use crate::Error;

/// A rendered file: its path relative to the bundle's folder, its text, and
/// whether it is a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub path: String,
    pub text: String,
    pub executable: bool,
}

/// A file (or folder) a format writes, as the bundle's README lists it.
#[derive(Debug, PartialEq, Eq)]
pub struct File {
    pub path: &'static str,
    /// What `--format` calls it, when the format writes several files.
    pub variant: &'static str,
    /// One line for the bundle's README.
    pub purpose: &'static str,
}

/// One output format.
pub struct Format {
    /// Its generator subcommand.
    pub command: &'static str,
    /// `--help`'s first line, and the rest.
    pub about: &'static str,
    pub long_about: Option<&'static str>,
    pub files: &'static [File],
    /// The kit options (by config key) this format does not use: hidden from
    /// its `--help`, and refused as flags.
    pub ignores: &'static [&'static str],
    /// Renders `only` that file, or every file of the format.
    pub render: fn(&Kit<'_>, Option<&'static File>) -> Result<Vec<Artifact>, Error>,
}

impl std::fmt::Debug for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.command)
    }
}

/// Every format, in bundle order.
pub const FORMATS: &[&Format] = &[
    &postman::COLLECTION,
    &postman::ENVIRONMENT,
    &curl::FORMAT,
    &script::FORMAT,
    &sheet::FORMAT,
    &openapi::FORMAT,
    &bruno::FORMAT,
    &http::FORMAT,
    &mcp::FORMAT,
];

/// The format whose subcommand is `command`.
pub fn format(command: &str) -> Option<&'static Format> {
    FORMATS.iter().copied().find(|f| f.command == command)
}

/// The bundle's compound actions, one a use case, as its README lists them.
pub const COMPOUND_FILES: File = File {
    path: "agent-studio/<use-case-id>.yaml",
    variant: "compound",
    purpose:
        "Each use case's Agent Studio compound action, the YAML to paste (the sheet shows it too).",
};

/// The bundle's record of its own inputs, for `verify --config` and a later
/// `bundle --config`.
pub const CONFIG_FILE: File = File {
    path: crate::contract::kit::CONFIG,
    variant: "config",
    purpose: "The inputs this kit was made from, no secret: `coupagen verify --config coupagen.json` checks exactly these requests.",
};

/// The kit's copy of `--use-case-file`, which its record points at.
pub const USE_CASE_FILE: File = File {
    path: crate::contract::kit::USE_CASES,
    variant: "use-cases",
    purpose: "A copy of the use-case file given with --use-case-file: coupagen.json reads it from here, so the kit works from its own folder.",
};

/// The order `bundle` starts its jobs in (a format's command; `readme`:
/// the README and the compound actions): the longest first, as measured on
/// the guide's kit and on every resource with every use case, so that no
/// long one starts while the other threads have nothing left to take. The
/// files come out in [`FORMATS`] order whatever this is.
const START_ORDER: [&str; FORMATS.len() + 1] = [
    "postman",
    "sheet",
    "http",
    "script",
    "readme",
    "bruno",
    "curl",
    "openapi",
    "environment",
    "mcp-clients",
];

/// [`START_ORDER`] as jobs: an index into [`FORMATS`], or its length for
/// the README's.
fn start_order() -> Vec<usize> {
    START_ORDER
        .iter()
        .map(|command| {
            FORMATS
                .iter()
                .position(|f| f.command == *command)
                .unwrap_or(FORMATS.len())
        })
        .collect()
}

/// Every file of `bundle`, in a stable order, the README last. `record` is
/// the kit's record of what it was made from, as `coupagen.json` holds it
/// (`input::Inputs::to_config`).
pub fn bundle(kit: &Kit<'_>, record: String) -> Result<Vec<Artifact>, Error> {
    let given = std::sync::Mutex::new(Vec::new());
    let order = bundle_to(kit, record, &|files| {
        given
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(files)
    })?;
    let mut files = given
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let position: std::collections::HashMap<&str, usize> = order
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i))
        .collect();
    files.sort_by_key(|f| position.get(f.path.as_str()).copied());
    Ok(files)
}

/// [`bundle`], each job's files handed to `sink` as the job finishes, on
/// the thread that rendered them (the writer stages them while the other
/// jobs render); returns every file's path in the bundle's order.
pub fn bundle_to(
    kit: &Kit<'_>,
    record: String,
    sink: &(dyn Fn(Vec<Artifact>) + Sync),
) -> Result<Vec<String>, Error> {
    // Formats render on one thread a core, each thread taking the next
    // format as it finishes one: formats share no work, while a thread a
    // format only adds memory (each thread's allocator arena) on a machine
    // with fewer cores than formats.
    let jobs = FORMATS.len() + 1;
    let order = start_order();
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs);
    let render = |job: usize| match FORMATS.get(job) {
        Some(format) => (format.render)(kit, None),
        // The compound actions, and the README.
        None => readme::file(kit).map(|readme| {
            let mut files = compound::files(kit);
            files.push(readme);
            files
        }),
    };
    // Each job's paths, or what failed; its files go to the sink.
    let done = |job: usize| {
        render(job).map(|files| {
            let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
            sink(files);
            paths
        })
    };
    let mut rendered: Vec<(usize, Result<Vec<String>, Error>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut finished = Vec::new();
                    loop {
                        let Some(&job) = order.get(next.fetch_add(1, Ordering::Relaxed)) else {
                            break finished;
                        };
                        finished.push((job, done(job)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join().unwrap_or_else(|_| {
                    vec![(
                        0,
                        Err(Error::Failed(
                            "a format's render panicked; this is a bug".into(),
                        )),
                    )]
                })
            })
            .collect()
    });
    rendered.sort_by_key(|(job, _)| *job);
    let mut paths = Vec::new();
    for (_, job) in rendered {
        paths.extend(job?);
    }
    // The README last, after the record of the inputs.
    let readme = paths.pop();
    let mut last = vec![Artifact {
        path: CONFIG_FILE.path.into(),
        text: record,
        executable: false,
    }];
    if let Some(text) = &kit.use_case_file {
        last.push(Artifact {
            path: USE_CASE_FILE.path.into(),
            text: text.to_string(),
            executable: false,
        });
    }
    paths.extend(last.iter().map(|f| f.path.clone()));
    paths.extend(readme);
    sink(last);
    Ok(paths)
}

/// One file of one format, e.g. the sheet as JSON.
pub fn one(kit: &Kit<'_>, format: &Format, file: &'static File) -> Result<Artifact, Error> {
    (format.render)(kit, Some(file))?
        .pop()
        .ok_or_else(|| Error::Failed(format!("{} rendered nothing; this is a bug", file.path)))
}

/// Every file of one format, as the bundle writes them.
pub fn all(kit: &Kit<'_>, format: &Format) -> Result<Vec<Artifact>, Error> {
    (format.render)(kit, None)
}

/// The file a bundle writes at `path`, rendered alone.
pub fn file(kit: &Kit<'_>, path: &str) -> Result<Artifact, Error> {
    FORMATS
        .iter()
        .find_map(|format| Some((format, format.files.iter().find(|f| f.path == path)?)))
        .ok_or_else(|| Error::Failed(format!("no format writes {path}")))
        .and_then(|(format, file)| one(kit, format, file))
}

/// A key and its value, as a template writes them (headers, query, form).
#[derive(Debug, Serialize)]
struct Pair {
    key: String,
    value: String,
}

fn pairs(items: impl IntoIterator<Item = (String, String)>) -> Vec<Pair> {
    items
        .into_iter()
        .map(|(key, value)| Pair { key, value })
        .collect()
}

/// Each key with its value bound at `at`.
fn bound<B: Binder<Out = Text>>(
    items: &[(String, Value)],
    at: At,
    binder: &B,
    encoding: Encoding,
) -> Vec<Pair> {
    pairs(
        items
            .iter()
            .map(|(key, v)| (key.clone(), v.text(at, binder, encoding))),
    )
}

/// The artifact for `file`, when `only` asks for it or for every file.
fn wanted(only: Option<&File>, file: &File) -> bool {
    only.is_none_or(|o| o == file)
}

/// The instances as a kit's name shows them: the host of a one-instance
/// kit, the names of a several-instance one (`test, production`).
fn instances_shown(kit: &Kit<'_>) -> String {
    match kit.multi() {
        true => kit.instance_names(),
        false => kit.first().domain.as_str().into(),
    }
}

/// The variables a run without a person takes its credentials from (verify
/// in CI, `coupagen mcp`): the client's, and with user consent and
/// offline_access the person's refresh token.
fn credential_vars(kit: &Kit<'_>) -> Vec<&'static str> {
    use crate::contract::env;
    let mut vars = vec![env::CLIENT_ID];
    if !kit.consent.as_ref().is_some_and(|c| c.pkce) {
        vars.push(env::CLIENT_SECRET);
    }
    if kit.flow.refresh.is_some() {
        vars.push(env::REFRESH_TOKEN);
    }
    vars
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_order_starts_every_job_once() {
        // A misspelled or missing command would start the README twice, or
        // a format never.
        let mut order = start_order();
        order.sort_unstable();
        assert_eq!(order, (0..=FORMATS.len()).collect::<Vec<_>>());
    }
}
