//! What a bundle checks in its folder before it writes, under one lock:
//! that no other run writes there, that no symbolic link stands where a
//! file or folder of the kit goes, and what an interrupted run left.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Error, Origin};

/// The kit folder, locked for this run (an advisory lock on the folder
/// itself, released when the run ends however it ends: no file to go stale).
pub struct Locked {
    _folder: fs::File,
}

/// Locks `dir`, or says another run holds it.
pub fn lock(dir: &Path) -> Result<Locked, Error> {
    let shown = dir.display().to_string();
    let folder = fs::File::open(dir)
        .map_err(|e| Error::Failed(format!("cannot open '{shown}' to lock it: {e}")))?;
    match try_lock(&folder) {
        Ok(true) => Ok(Locked { _folder: folder }),
        Ok(false) => Err(Error::bad(
            Origin::Flag("--out"),
            &shown,
            "another coupagen run is writing a kit into this folder right now; wait for it to end, then run again",
        )),
        Err(e) => Err(Error::Failed(format!("cannot lock '{shown}': {e}"))),
    }
}

/// `flock(LOCK_EX | LOCK_NB)`: whether this run now holds the lock. std's
/// `File::try_lock` is the same call from Rust 1.89; the crate's MSRV is
/// 1.85, so it is declared here (LOCK_EX 2, LOCK_NB 4 on Linux, macOS, BSD).
#[cfg(unix)]
fn try_lock(file: &fs::File) -> io::Result<bool> {
    use std::os::fd::AsRawFd;
    extern "C" {
        fn flock(fd: std::ffi::c_int, operation: std::ffi::c_int) -> std::ffi::c_int;
    }
    // SAFETY: flock reads only its two integers; `file` keeps the
    // descriptor open for the call.
    match unsafe { flock(file.as_raw_fd(), 2 | 4) } {
        0 => Ok(true),
        _ => match io::Error::last_os_error() {
            e if e.kind() == io::ErrorKind::WouldBlock => Ok(false),
            e => Err(e),
        },
    }
}

/// Elsewhere, no lock: one writer at a time is up to the person.
#[cfg(not(unix))]
fn try_lock(_: &fs::File) -> io::Result<bool> {
    Ok(true)
}

/// The first symbolic link at or below `dir` on the way to any target: a
/// kit writes neither through one nor over one (`dir` itself is the
/// person's choice).
pub fn symlink(dir: &Path, targets: &[PathBuf]) -> Option<PathBuf> {
    targets.iter().find_map(|target| {
        let inside = target.strip_prefix(dir).ok()?;
        let mut at = dir.to_path_buf();
        inside.components().find_map(|part| {
            at.push(part);
            fs::symlink_metadata(&at)
                .ok()
                .filter(|m| m.file_type().is_symlink())
                .map(|_| at.clone())
        })
    })
}

/// Whether `name` is a staging file or a replaced file's link that a run
/// makes beside its targets (`.NAME.coupagen-tmp-PID`, `...-old-PID`).
pub fn is_ours(name: &str) -> bool {
    let Some((_, tail)) = name.rsplit_once(".coupagen-") else {
        return false;
    };
    let Some((kind, pid)) = tail.split_once('-') else {
        return false;
    };
    name.starts_with('.')
        && matches!(kind, "tmp" | "old")
        && !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
}

/// Removes what an interrupted run left in the folders the kit writes to:
/// under the lock no other run is writing, so every such file is a leftover.
pub fn leftovers(folders: &[&Path]) -> io::Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    for folder in folders {
        let Ok(entries) = fs::read_dir(folder) else {
            continue;
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            if is_ours(&name.to_string_lossy()) && entry.file_type()?.is_file() {
                fs::remove_file(entry.path())?;
                removed.push(entry.path());
            }
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_runs_own_names_are_leftovers() {
        for ours in [".README.md.coupagen-tmp-12", ".a.b.coupagen-old-9"] {
            assert!(is_ours(ours), "{ours}");
        }
        for not in [
            "README.md",
            ".README.md.coupagen-tmp-",
            ".x.coupagen-new-1",
            "x.coupagen-tmp-1",
            ".x.coupagen-tmp-1a",
        ] {
            assert!(!is_ours(not), "{not}");
        }
    }

    #[test]
    fn a_second_lock_on_a_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock(dir.path()).unwrap();
        let e = lock(dir.path()).err().unwrap().to_string();
        assert!(e.contains("another coupagen run"), "{e}");
        drop(first);
        assert!(lock(dir.path()).is_ok());
    }
}
