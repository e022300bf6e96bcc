//! Where artifacts go: standard output, or files written so that a failure
//! never leaves a torn file and never replaces a user's file unasked.

mod guard;

use std::fs;
use std::io::{self, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

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

/// `bundle --out DIR`: all files or none. Each is written to a temporary file
/// beside its target, then renamed into place; if anything fails, the new
/// files and the folders made for them are removed, and replaced ones restored.
pub fn write_bundle(dir: &Path, files: &[Artifact], force: bool) -> Result<Vec<PathBuf>, Error> {
    let out = |why: String| Error::bad(Origin::Flag("--out"), &dir.display().to_string(), why);
    if dir == Path::new("-") {
        return Err(out(
            "bundle writes a folder of files, not standard output; give a folder, e.g. --out coupa-kit".into(),
        ));
    }
    if dir.exists() && !dir.is_dir() {
        return Err(out(
            "not a folder; give a folder to write the kit into".into()
        ));
    }
    let targets: Vec<PathBuf> = files.iter().map(|f| dir.join(&f.path)).collect();
    // The folder first, then its lock: the checks below and the write are
    // one decision, which no other run can come between.
    let mut made = Vec::new();
    make_folders(dir, &[], &mut made)?;
    let _locked = guard::lock(dir)?;
    let result = write_locked(dir, files, &targets, force, &mut made);
    if result.is_err() {
        // Deepest first; only folders we made, and only if we left them empty.
        for folder in made.iter().rev() {
            let _ = fs::remove_dir(folder);
        }
    }
    result.map(|()| targets)
}

/// The bundle, once `dir` is locked for this run.
fn write_locked(
    dir: &Path,
    files: &[Artifact],
    targets: &[PathBuf],
    force: bool,
    made: &mut Vec<PathBuf>,
) -> Result<(), Error> {
    let out = |why: String| Error::bad(Origin::Flag("--out"), &dir.display().to_string(), why);
    let mut folders: Vec<&Path> = vec![dir];
    for folder in targets.iter().filter_map(|t| t.parent()) {
        if !folders.contains(&folder) {
            folders.push(folder);
        }
    }
    let completed = guard::recover(dir).map_err(|e| write_error(&dir.join(guard::JOURNAL), &e))?;
    if completed > 0 {
        eprintln!(
            "note: an interrupted coupagen run was putting its kit into place; its last {completed} file(s) are now in place too, so the folder holds its whole kit"
        );
    }
    let removed = guard::leftovers(&folders).map_err(|e| write_error(dir, &e))?;
    if !removed.is_empty() {
        let names: Vec<String> = removed.iter().map(|p| p.display().to_string()).collect();
        eprintln!(
            "note: removed {} file(s) an interrupted coupagen run left: {}",
            names.len(),
            names.join(", ")
        );
    }
    let exist = guard::look(dir, targets).map_err(|link| {
        Error::bad(
            Origin::Flag("--out"),
            &link.display().to_string(),
            "is a symbolic link where the kit writes; coupagen writes neither through nor over one: remove it, or give another --out",
        )
    })?;
    let existing: Vec<&str> = files
        .iter()
        .zip(exist)
        .filter(|(_, e)| *e)
        .map(|(f, _)| f.path.as_str())
        .collect();
    if !existing.is_empty() && !force {
        return Err(out(format!(
            "already holds {}; add --force to replace {}",
            existing.join(", "),
            if existing.len() == 1 { "it" } else { "them" }
        )));
    }
    make_folders(dir, targets, made)?;
    commit_all(dir, files, targets)
}

/// Creates `dir` and every target's folder that is missing, noting each it
/// made, outermost first.
fn make_folders(dir: &Path, targets: &[PathBuf], made: &mut Vec<PathBuf>) -> Result<(), Error> {
    let mut seen = std::collections::HashSet::new();
    for folder in std::iter::once(dir).chain(targets.iter().filter_map(|t| t.parent())) {
        // Each folder once, however many files it holds.
        if !seen.insert(folder) {
            continue;
        }
        let mut missing: Vec<&Path> = folder
            .ancestors()
            .take_while(|a| !a.as_os_str().is_empty() && !a.exists())
            .collect();
        missing.reverse();
        for m in missing {
            match fs::create_dir(m) {
                Ok(()) => made.push(m.to_path_buf()),
                // Another run made it first: it is not ours to remove.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && m.is_dir() => {}
                Err(e) => return Err(write_error(m, &e)),
            }
        }
    }
    Ok(())
}

/// At most how many threads write a kit's files: a kit of hundreds of
/// files does not start hundreds.
const FILE_THREADS: usize = 16;

/// In memory, the files a thread writes before another is worth starting.
const MEMORY_SHARE: usize = 64;

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// On a disk, a thread for every share of the files (see [`commit_with`]);
/// in memory, where no sync waits, one for each [`MEMORY_SHARE`] files, up
/// to the cores (the guide's 21 on one, the big kit's 244 on two).
fn commit_all(dir: &Path, files: &[Artifact], targets: &[PathBuf]) -> Result<(), Error> {
    let workers = match syncs_wait(dir) {
        true => files.len().clamp(1, FILE_THREADS),
        false => files.len().div_ceil(MEMORY_SHARE).clamp(1, cores()),
    };
    commit_with(dir, files, targets, workers, stage)
}

/// Whether a sync of a file in `dir` waits for a device: not on Linux's
/// memory filesystems (tmpfs, as /dev/shm and often /tmp, and ramfs),
/// where the threads that overlap the waits would be all the cost (a
/// quarter of the guide's bundle). Where it cannot tell, it waits.
#[cfg(target_os = "linux")]
fn syncs_wait(dir: &Path) -> bool {
    use rustix::fs::FsWord;
    // statfs(2)'s f_type of each. ramfs's has the top bit set: on a
    // 32-bit target the kernel's word is signed, so the bits are wrapped
    // into it, as the kernel hands them.
    const TMPFS_MAGIC: FsWord = 0x0102_1994;
    const RAMFS_MAGIC: FsWord = 0x8584_58f6_u32 as FsWord;
    rustix::fs::statfs(dir).map_or(true, |fs| ![TMPFS_MAGIC, RAMFS_MAGIC].contains(&fs.f_type))
}

#[cfg(not(target_os = "linux"))]
fn syncs_wait(_: &Path) -> bool {
    true
}

/// Stages every file with `stage` on at most `workers` threads, each
/// taking an equal share (the guide's 21 files on 16: eleven threads of
/// two), this one among them; renames them into place here, then has the
/// same threads remove the files they replaced. Staging mostly waits for
/// the disk (a sync), and so does removing (freeing a file's blocks issues
/// a discard); the filesystem serves waits that arrive together at once.
/// Each thread is started once for both: starting them again cost 0.3 ms
/// of the guide's bundle in RAM, 1 ms of the big kit's. On one thread (in
/// memory) nothing is handed over: waking this thread for every file was a
/// fifth of the big kit's write in RAM, a third of the guide's.
fn commit_with(
    dir: &Path,
    files: &[Artifact],
    targets: &[PathBuf],
    workers: usize,
    stage: impl Fn(&Path, &Artifact) -> io::Result<PathBuf> + Sync,
) -> Result<(), Error> {
    let share = files.len().div_ceil(workers.max(1)).max(1);
    let stage = &stage;
    std::thread::scope(|s| {
        let (staged_tx, staged_rx) = mpsc::channel();
        let mut verdicts = Vec::new();
        let mut crew = Vec::new();
        let mut shares = files.chunks(share).zip(targets.chunks(share));
        let own = shares.next();
        for (n, (part, part_targets)) in shares.enumerate() {
            let first = (n + 1) * share;
            let staged_tx = staged_tx.clone();
            let (verdict_tx, verdict_rx) = mpsc::channel::<Vec<PathBuf>>();
            verdicts.push(verdict_tx);
            crew.push(s.spawn(move || {
                for (i, (file, target)) in part.iter().zip(part_targets).enumerate() {
                    let _ = staged_tx.send((first + i, stage(target, file)));
                }
                drop(staged_tx);
                // The files this thread's targets replaced, once all are in
                // place; nothing when the bundle failed.
                if let Ok(replaced) = verdict_rx.recv() {
                    remove_all(&replaced);
                }
            }));
        }
        drop(staged_tx);
        let mut staged: Vec<Option<io::Result<PathBuf>>> = files.iter().map(|_| None).collect();
        // This thread's own share, while the others stage theirs. A panic
        // ends the share as it ends a thread: the files after it stay None.
        for (i, (file, target)) in own
            .into_iter()
            .flat_map(|(f, t)| f.iter().zip(t))
            .enumerate()
        {
            match panic::catch_unwind(AssertUnwindSafe(|| stage(target, file))) {
                Ok(result) => staged[i] = Some(result),
                Err(_) => break,
            }
        }
        // Until every other thread has staged its share, or panicked.
        for (i, result) in staged_rx {
            staged[i] = Some(result);
        }
        let result = rename_all(dir, staged, targets);
        if let Ok(replaced) = &result {
            let mut parts = replaced.chunks(share);
            let mine = parts.next().unwrap_or_default();
            for (verdict, part) in verdicts.iter().zip(parts) {
                let _ = verdict.send(part.iter().flatten().cloned().collect());
            }
            remove_all(mine.iter().flatten());
        }
        drop(verdicts);
        for worker in crew {
            // A thread that panicked reported none of its remaining files,
            // which rename_all took for a failure.
            let _ = worker.join();
        }
        result.map(drop)
    })
}

fn remove_all<'a>(paths: impl IntoIterator<Item = &'a PathBuf>) {
    paths.into_iter().for_each(|p| drop(fs::remove_file(p)));
}

/// All or nothing: if any file failed to stage (`None`: its thread
/// panicked), removes what was staged; else renames each into place,
/// keeping a link to each file it replaces, and on a failure puts every
/// replaced file back. Returns, for each target, the link to the file it
/// replaced, for the caller to remove.
fn rename_all(
    dir: &Path,
    staged: Vec<Option<io::Result<PathBuf>>>,
    targets: &[PathBuf],
) -> Result<Vec<Option<PathBuf>>, Error> {
    let failed = staged
        .iter()
        .zip(targets)
        .find_map(|(result, target)| match result {
            Some(Ok(_)) => None,
            Some(Err(e)) => Some(write_error(target, e)),
            None => Some(write_error(
                target,
                &io::Error::other("a file thread panicked"),
            )),
        });
    let staged: Vec<PathBuf> = staged.into_iter().flatten().flatten().collect();
    let remove_staged = || staged.iter().for_each(|tmp| drop(fs::remove_file(tmp)));
    if let Some(err) = failed {
        remove_staged();
        return Err(err);
    }
    // Before the first rename: a run killed among them is completed by the next.
    let renames: Vec<(&Path, &Path)> = staged
        .iter()
        .zip(targets)
        .map(|(a, b)| (a.as_path(), b.as_path()))
        .collect();
    if let Err(e) = guard::journal(dir, &renames) {
        remove_staged();
        return Err(write_error(&dir.join(guard::JOURNAL), &e));
    }
    let mut done: Vec<Option<PathBuf>> = Vec::new();
    let mut failure = None;
    for (tmp, target) in staged.iter().zip(targets) {
        // A link to the file it replaces; none where there is no file
        // (the link's own lookup says so: no stat before it).
        let b = sibling(target, "old");
        let backup = match fs::hard_link(target, &b) {
            Ok(()) => Some(b),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => {
                failure = Some(write_error(target, &e));
                break;
            }
        };
        if let Err(e) = fs::rename(tmp, target) {
            if let Some(b) = backup {
                let _ = fs::remove_file(b);
            }
            failure = Some(write_error(target, &e));
            break;
        }
        done.push(backup);
    }
    let Some(err) = failure else {
        guard::journal_done(dir);
        return Ok(done);
    };
    for (backup, target) in done.into_iter().zip(targets) {
        match backup {
            Some(b) => drop(fs::rename(b, target)),
            None => drop(fs::remove_file(target)),
        }
    }
    remove_staged();
    guard::journal_done(dir);
    Err(err)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(path: &str) -> Artifact {
        Artifact {
            path: path.into(),
            text: format!("{path}\n"),
            executable: false,
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_sync_waits_on_a_disk_but_not_in_memory() {
        // Every tmpfs this machine mounts (/dev/shm, /run, ...), from the
        // mount table: a sandbox may mount none.
        let mounts = fs::read_to_string("/proc/self/mountinfo").unwrap();
        for line in mounts.lines() {
            let fields: Vec<&str> = line.split(' ').collect();
            let kind = fields.iter().skip_while(|f| **f != "-").nth(1);
            if kind == Some(&"tmpfs") && !fields[4].contains('\\') {
                assert!(!syncs_wait(Path::new(fields[4])), "{}", fields[4]);
            }
        }
        assert!(
            syncs_wait(Path::new("/proc")),
            "procfs is no memory filesystem"
        );
        assert!(
            syncs_wait(Path::new("/no/such/folder")),
            "when unsure, it waits"
        );
    }

    #[test]
    fn a_bundle_writes_files_into_the_folders_their_paths_name() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("kit");
        let files = [artifact("top.txt"), artifact("sub/deeper/one.txt")];
        write_bundle(&dir, &files, false).unwrap();
        assert_eq!(
            fs::read_to_string(dir.join("sub/deeper/one.txt")).unwrap(),
            "sub/deeper/one.txt\n"
        );
        assert_eq!(
            fs::read_to_string(dir.join("top.txt")).unwrap(),
            "top.txt\n"
        );
    }

    /// Every file under `dir`, relative, sorted: hidden ones included.
    fn listing(dir: &Path) -> Vec<String> {
        let mut all = Vec::new();
        let mut todo = vec![dir.to_path_buf()];
        while let Some(d) = todo.pop() {
            for e in fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    todo.push(p);
                } else {
                    all.push(p.strip_prefix(dir).unwrap().display().to_string());
                }
            }
        }
        all.sort();
        all
    }

    /// Writes each path's first version (its path) into `dir`, and returns
    /// its second ("new " and its path).
    fn written_once(dir: &Path, paths: &[String]) -> Vec<Artifact> {
        let old: Vec<Artifact> = paths.iter().map(|p| artifact(p)).collect();
        write_bundle(dir, &old, false).unwrap();
        paths
            .iter()
            .map(|p| Artifact {
                text: format!("new {p}\n"),
                ..artifact(p)
            })
            .collect()
    }

    #[test]
    fn a_forced_bundle_replaces_every_file_and_leaves_nothing_of_its_own_behind() {
        // As write_bundle chooses for the test's folder, then on one thread
        // (memory) and on many (a disk) whatever the folder is.
        for workers in [None, Some(1), Some(FILE_THREADS)] {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join("kit");
            // More files than one thread of many takes, in two folders.
            let paths: Vec<String> = (0..40)
                .map(|i| format!("{}/f{i:02}.txt", if i % 2 == 0 { "a" } else { "b" }))
                .collect();
            let new = written_once(&dir, &paths);
            let targets: Vec<PathBuf> = paths.iter().map(|p| dir.join(p)).collect();
            match workers {
                None => drop(write_bundle(&dir, &new, true).unwrap()),
                Some(n) => commit_with(&dir, &new, &targets, n, stage).unwrap(),
            }
            let mut expected = paths.clone();
            expected.sort();
            assert_eq!(
                listing(&dir),
                expected,
                "{workers:?}: nothing of its own left"
            );
            for p in &paths {
                assert_eq!(
                    fs::read_to_string(dir.join(p)).unwrap(),
                    format!("new {p}\n")
                );
            }
        }
    }

    #[test]
    fn a_thread_that_panics_fails_the_bundle_and_leaves_every_file_as_it_was() {
        for workers in [1, FILE_THREADS] {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join("kit");
            let paths: Vec<String> = (0..40).map(|i| format!("f{i:02}.txt")).collect();
            let new = written_once(&dir, &paths);
            let targets: Vec<PathBuf> = paths.iter().map(|p| dir.join(p)).collect();
            // On 16 threads, three files a thread: f37's panics after
            // staging f36; on one, after staging every file before it.
            let err = commit_with(&dir, &new, &targets, workers, |target, file| {
                if target.ends_with("f37.txt") {
                    panic!("a bug");
                }
                stage(target, file)
            })
            .unwrap_err();
            assert!(
                err.to_string().contains("f37.txt") && err.to_string().contains("panicked"),
                "{workers}: names the file whose thread panicked: {err}"
            );
            let mut expected = paths.clone();
            expected.sort();
            assert_eq!(listing(&dir), expected, "{workers}: nothing staged is left");
            for p in &paths {
                assert_eq!(fs::read_to_string(dir.join(p)).unwrap(), format!("{p}\n"));
            }
        }
    }

    #[test]
    fn a_failed_bundle_removes_the_folders_it_made_and_keeps_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("kit");
        fs::create_dir_all(dir.join("mine")).unwrap();
        fs::write(dir.join("mine/keep.txt"), "keep").unwrap();
        // The last target is a folder that holds a file: the rename fails late.
        fs::create_dir_all(dir.join("blocked/x")).unwrap();
        let files = [
            artifact("mine/new.txt"),
            artifact("made/deeper/new.txt"),
            artifact("blocked"),
        ];
        assert!(write_bundle(&dir, &files, true).is_err());
        assert!(!dir.join("made").exists(), "the folders it made are gone");
        assert!(!dir.join("mine/new.txt").exists());
        assert_eq!(
            fs::read_to_string(dir.join("mine/keep.txt")).unwrap(),
            "keep"
        );
        assert!(dir.join("blocked/x").is_dir());
    }
}
