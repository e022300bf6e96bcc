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

/// What stands where a kit writes: the first symbolic link at or below
/// `dir` on the way to any target (`Err`: the target's index and the link;
/// a kit writes neither through one nor over one; `dir` itself is the
/// person's choice), or else which targets exist already. One lookup a
/// path: a lookup is a system call.
pub fn look(dir: &Path, targets: &[PathBuf]) -> Result<Vec<bool>, (usize, PathBuf)> {
    // A folder many targets share is looked at once (Bruno's hold two
    // files each).
    let mut seen = std::collections::HashSet::new();
    targets
        .iter()
        .enumerate()
        .map(|(n, target)| {
            let Ok(inside) = target.strip_prefix(dir) else {
                return Ok(target.exists());
            };
            let mut at = dir.to_path_buf();
            let mut exists = false;
            let last = inside.components().count();
            for (i, part) in inside.components().enumerate() {
                at.push(part);
                let is_target = i + 1 == last;
                if !is_target && !seen.insert(at.clone()) {
                    continue;
                }
                match fs::symlink_metadata(&at) {
                    Ok(m) if m.file_type().is_symlink() => return Err((n, at)),
                    Ok(_) => exists = is_target,
                    Err(_) => {}
                }
            }
            Ok(exists)
        })
        .collect()
}

/// Where a run notes, before its first rename, every rename it will make:
/// a run killed among them is completed by the next (`recover`), so the
/// folder ends with the whole new kit, never a mix.
pub const JOURNAL: &str = ".coupagen-journal";

/// Notes the renames (staged file, target) in `dir`'s journal, durably:
/// written beside it, synced, then renamed into place.
pub fn journal(dir: &Path, renames: &[(&Path, &Path)]) -> io::Result<()> {
    use std::io::Write;
    let rel = |p: &Path| {
        p.strip_prefix(dir)
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned()
    };
    let pairs: Vec<[String; 2]> = renames.iter().map(|(a, b)| [rel(a), rel(b)]).collect();
    let text = serde_json::to_string(&pairs).map_err(io::Error::other)?;
    let tmp = dir.join(format!("{JOURNAL}.coupagen-tmp-{}", std::process::id()));
    let mut f = fs::File::create(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    fs::rename(&tmp, dir.join(JOURNAL))
}

/// The renames are done (or undone): the journal goes.
pub fn journal_done(dir: &Path) {
    let _ = fs::remove_file(dir.join(JOURNAL));
}

/// Completes the renames an interrupted run noted: each staged file still
/// there goes into place. How many it moved.
pub fn recover(dir: &Path) -> io::Result<usize> {
    let text = match fs::read_to_string(dir.join(JOURNAL)) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let pairs: Vec<[String; 2]> = serde_json::from_str(&text).map_err(io::Error::other)?;
    let mut moved = 0;
    for [staged, target] in pairs {
        let (staged, target) = (dir.join(staged), dir.join(target));
        if fs::symlink_metadata(&staged).is_ok() {
            fs::rename(&staged, &target)?;
            moved += 1;
        }
    }
    journal_done(dir);
    Ok(moved)
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

    /// A run killed after two of its four renames: the next completes them.
    #[test]
    fn a_kit_left_mid_rename_is_completed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir(d.join("sub")).unwrap();
        let names = ["a", "b", "sub/c", "sub/d"];
        let mut renames = Vec::new();
        for n in names {
            fs::write(d.join(n), "old").unwrap();
            let staged = d.join(format!("{n}.staged"));
            fs::write(&staged, "new").unwrap();
            renames.push((staged, d.join(n)));
        }
        let pairs: Vec<(&Path, &Path)> = renames
            .iter()
            .map(|(a, b)| (a.as_path(), b.as_path()))
            .collect();
        journal(d, &pairs).unwrap();
        for (staged, target) in &renames[..2] {
            fs::rename(staged, target).unwrap();
        }
        assert_eq!(recover(d).unwrap(), 2);
        for n in names {
            assert_eq!(fs::read_to_string(d.join(n)).unwrap(), "new", "{n}");
        }
        assert!(!d.join(JOURNAL).exists());
        assert_eq!(recover(d).unwrap(), 0, "nothing left to complete");
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
