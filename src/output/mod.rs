//! Where artifacts go: standard output, or files written so that a failure
//! never leaves a torn file and never replaces a user's file unasked.

mod bundle;
mod guard;

pub use bundle::{write_bundle, Bundle};

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Origin};
use crate::render::Artifact;

/// Writes to standard output; a closed pipe (`| head`) is a quiet success.
pub fn to_stdout(text: &str) -> Result<(), Error> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(Error::Failed(format!(
            "cannot write to standard output: {e}"
        ))),
        _ => Ok(()),
    }
}

/// `-o FILE`: standard output for `-` or no file, else a safe write.
pub fn emit(artifact: &Artifact, output: Option<&Path>, force: bool) -> Result<(), Error> {
    match output {
        None => to_stdout(&artifact.text),
        Some(p) if p == Path::new("-") => to_stdout(&artifact.text),
        Some(path) => {
            if path.is_dir() {
                return Err(Error::bad(
                    Origin::Flag("-o"),
                    &path.display().to_string(),
                    format!(
                        "is a folder; give a file, e.g. -o {}",
                        path.join(&artifact.path).display()
                    ),
                ));
            }
            write_file(path, artifact, force, "-o")
        }
    }
}

/// Refuses a file `flag` names when writing it would follow a symbolic
/// link, or replace a file or folder without `--force`: before any work, so
/// that bad input writes nothing.
pub fn refuse_existing(path: &Path, force: bool, flag: &'static str) -> Result<(), Error> {
    let shown = path.display().to_string();
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Error::bad(
            Origin::Flag(flag),
            &shown,
            "is a symbolic link; coupagen writes neither through nor over one: give the file it points to, or another name",
        ));
    }
    if path.is_dir() {
        return Err(Error::bad(
            Origin::Flag(flag),
            &shown,
            "is a folder; give a file",
        ));
    }
    if path.exists() && !force {
        return Err(Error::bad(
            Origin::Flag(flag),
            &shown,
            "the file exists; add --force to replace it",
        ));
    }
    Ok(())
}

/// A report file (`verify --junit`): written whole or not at all.
pub fn write_new(path: &Path, text: &str, force: bool) -> Result<(), Error> {
    let artifact = Artifact {
        path: path.display().to_string(),
        text: text.into(),
        executable: false,
    };
    write_file(path, &artifact, force, "--junit")
}

/// One file, staged beside its target and renamed into place.
fn write_file(
    path: &Path,
    artifact: &Artifact,
    force: bool,
    flag: &'static str,
) -> Result<(), Error> {
    refuse_existing(path, force, flag)?;
    let staged = stage(path, artifact).map_err(|e| write_error(path, &e))?;
    fs::rename(&staged, path).map_err(|e| {
        let _ = fs::remove_file(&staged);
        write_error(path, &e)
    })
}

/// Writes `artifact` to a new temporary file beside `target`.
fn stage(target: &Path, artifact: &Artifact) -> io::Result<PathBuf> {
    let tmp = sibling(target, "tmp");
    let write = || -> io::Result<()> {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        // Made with its mode, which the umask trims as for any Unix tool.
        set_mode(&mut options, artifact.executable);
        let mut f = options.open(&tmp)?;
        f.write_all(artifact.text.as_bytes())?;
        f.sync_all()
    };
    write().inspect_err(|_| drop(fs::remove_file(&tmp)))?;
    Ok(tmp)
}

/// `.NAME.coupagen-KIND-PID` beside `target`: hidden, and ours alone.
fn sibling(target: &Path, kind: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    // The process's id once: each call is a system call, two a file.
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    let pid = PID.get_or_init(std::process::id);
    parent(target).join(format!(".{name}.coupagen-{kind}-{pid}"))
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// A file's mode before the umask: `rw` for all, `x` too for the script.
#[cfg(unix)]
fn set_mode(options: &mut fs::OpenOptions, executable: bool) {
    use std::os::unix::fs::OpenOptionsExt;
    options.mode(if executable { 0o777 } else { 0o666 });
}

#[cfg(not(unix))]
fn set_mode(_: &mut fs::OpenOptions, _: bool) {}

fn write_error(path: &Path, e: &io::Error) -> Error {
    Error::Failed(format!("cannot write '{}': {e}", path.display()))
}
