//! Where artifacts go: standard output, or files written so that a failure
//! never leaves a torn file and never replaces a user's file unasked.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::render::Artifact;
use crate::Error;

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
            if path.exists() && !force {
                return Err(Error::Input(format!(
                    "-o '{}': the file exists; add --force to replace it",
                    path.display()
                )));
            }
            let staged = stage(path, artifact).map_err(|e| write_error(path, &e))?;
            fs::rename(&staged, path).map_err(|e| {
                let _ = fs::remove_file(&staged);
                write_error(path, &e)
            })
        }
    }
}

/// `bundle --out DIR`: all files or none. Each is written to a temporary file
/// beside its target, then renamed into place; if anything fails, the new
/// files are removed and replaced ones restored.
pub fn write_bundle(dir: &Path, files: &[Artifact], force: bool) -> Result<Vec<PathBuf>, Error> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Input(format!(
            "--out '{}': not a folder; give a folder to write the kit into",
            dir.display()
        )));
    }
    let targets: Vec<PathBuf> = files.iter().map(|f| dir.join(f.file_name)).collect();
    let existing: Vec<&str> = files
        .iter()
        .zip(&targets)
        .filter(|(_, t)| t.exists())
        .map(|(f, _)| f.file_name)
        .collect();
    if !existing.is_empty() && !force {
        return Err(Error::Input(format!(
            "--out '{}': already holds {}; add --force to replace {}",
            dir.display(),
            existing.join(", "),
            if existing.len() == 1 { "it" } else { "them" }
        )));
    }
    let created_dir = !dir.exists();
    fs::create_dir_all(dir).map_err(|e| write_error(dir, &e))?;

    let result = commit_all(files, &targets);
    if result.is_err() && created_dir {
        let _ = fs::remove_dir(dir); // only succeeds if we left it empty
    }
    result.map(|()| targets)
}

fn commit_all(files: &[Artifact], targets: &[PathBuf]) -> Result<(), Error> {
    // 1. Stage every file; on a failure remove what was staged.
    let mut staged = Vec::new();
    for (file, target) in files.iter().zip(targets) {
        match stage(target, file) {
            Ok(path) => staged.push(path),
            Err(e) => {
                staged.iter().for_each(|p| drop(fs::remove_file(p)));
                return Err(write_error(target, &e));
            }
        }
    }
    // 2. Keep a link to each file we replace, then rename into place.
    let mut done: Vec<(&PathBuf, Option<PathBuf>)> = Vec::new();
    let mut failure = None;
    for (tmp, target) in staged.iter().zip(targets) {
        let backup = if target.exists() {
            let b = sibling(target, "old");
            match fs::hard_link(target, &b) {
                Ok(()) => Some(b),
                Err(e) => {
                    failure = Some(write_error(target, &e));
                    break;
                }
            }
        } else {
            None
        };
        if let Err(e) = fs::rename(tmp, target) {
            if let Some(b) = backup {
                let _ = fs::remove_file(b);
            }
            failure = Some(write_error(target, &e));
            break;
        }
        done.push((target, backup));
    }
    match failure {
        None => {
            for (_, backup) in done {
                if let Some(b) = backup {
                    let _ = fs::remove_file(b);
                }
            }
            Ok(())
        }
        Some(err) => {
            for (target, backup) in done {
                match backup {
                    Some(b) => drop(fs::rename(b, target)),
                    None => drop(fs::remove_file(target)),
                }
            }
            staged.iter().for_each(|p| drop(fs::remove_file(p)));
            Err(err)
        }
    }
}

/// Writes `artifact` to a new temporary file beside `target`.
fn stage(target: &Path, artifact: &Artifact) -> io::Result<PathBuf> {
    let tmp = sibling(target, "tmp");
    let write = || -> io::Result<()> {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(artifact.text.as_bytes())?;
        f.sync_all()?;
        set_mode(&tmp, artifact.executable)
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
    parent(target).join(format!(".{name}.coupagen-{kind}-{}", std::process::id()))
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, executable: bool) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = if executable { 0o755 } else { 0o644 };
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: bool) -> io::Result<()> {
    Ok(())
}

fn write_error(path: &Path, e: &io::Error) -> Error {
    Error::Failed(format!("cannot write '{}': {e}", path.display()))
}
