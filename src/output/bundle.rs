//! `bundle --out DIR`: a kit's files put into its folder all or none, under
//! the folder's lock. Each format's files are staged (written beside their
//! targets) as they are rendered, then renamed into place in the kit's
//! order; a failure leaves the folder as it was.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex, PoisonError};

use super::guard;
use super::{sibling, stage, write_error};
use crate::error::{Error, Origin};
use crate::render::Artifact;

/// `bundle --out DIR`: all files or none. Each is written to a temporary file
/// beside its target, then renamed into place; if anything fails, the new
/// files and the folders made for them are removed, and replaced ones restored.
pub fn write_bundle(dir: &Path, files: Vec<Artifact>, force: bool) -> Result<Vec<PathBuf>, Error> {
    let order: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let bundle = Bundle::open(dir, force)?;
    bundle.stage(files);
    bundle.commit(&order.iter().map(String::as_str).collect::<Vec<_>>())
}

/// A bundle being written into its folder, locked for this run from
/// [`Bundle::open`] to [`Bundle::commit`]. Each format's files are given to
/// [`Bundle::stage`] as they are rendered, from any thread: checked there
/// (a symbolic link on their way, a file `--force` would replace), and in
/// memory staged at once, their text then dropped, while the other formats
/// render; on a disk they wait for the commit, which stages them on many
/// threads so that their syncs overlap ([`commit_with`]). Dropped without a
/// commit (a render failed), it removes what it staged and the folders it
/// made.
pub struct Bundle<'a> {
    dir: &'a Path,
    force: bool,
    in_memory: bool,
    _locked: guard::Locked,
    state: Mutex<Staging>,
}

/// What [`Bundle::stage`] has seen and done so far.
#[derive(Default)]
struct Staging {
    /// The folders made for the kit, outermost first.
    made: Vec<PathBuf>,
    /// The folders already cleared of an interrupted run's files.
    swept: HashSet<PathBuf>,
    /// What an interrupted run left, removed.
    removed: Vec<PathBuf>,
    /// Each file given, by its path.
    files: HashMap<String, Given>,
    /// A symbolic link on the way to a file: the file's path, the link.
    links: Vec<(String, PathBuf)>,
    /// The files already in the folder.
    existing: Vec<String>,
    /// A folder that could not be read, cleared or made.
    failure: Option<Error>,
}

/// A file given to [`Bundle::stage`]: staged (in memory), or waiting for
/// the commit (on a disk, or once the bundle cannot be written).
enum Given {
    Staged(io::Result<PathBuf>),
    Waiting(Artifact),
}

impl<'a> Bundle<'a> {
    /// Checks `dir`, makes it if missing, locks it, and completes what an
    /// interrupted run was putting into place: before any render, so that
    /// a folder another run writes into is refused first.
    pub fn open(dir: &'a Path, force: bool) -> Result<Bundle<'a>, Error> {
        let out = |why: &str| Error::bad(Origin::Flag("--out"), &dir.display().to_string(), why);
        if dir == Path::new("-") {
            return Err(out(
                "bundle writes a folder of files, not standard output; give a folder, e.g. --out coupa-kit",
            ));
        }
        if dir.exists() && !dir.is_dir() {
            return Err(out("not a folder; give a folder to write the kit into"));
        }
        // The folder first, then its lock: the checks and the write are one
        // decision, which no other run can come between.
        let mut made = Vec::new();
        make_folders(dir, &[], &mut made)?;
        let opened = guard::lock(dir).and_then(|locked| {
            let completed =
                guard::recover(dir).map_err(|e| write_error(&dir.join(guard::JOURNAL), &e))?;
            if completed > 0 {
                eprintln!(
                    "note: an interrupted coupagen run was putting its kit into place; its last {completed} file(s) are now in place too, so the folder holds its whole kit"
                );
            }
            Ok(locked)
        });
        let locked = opened.inspect_err(|_| remove_folders(&made))?;
        Ok(Bundle {
            dir,
            force,
            in_memory: !syncs_wait(dir),
            _locked: locked,
            state: Mutex::new(Staging {
                made,
                ..Staging::default()
            }),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, Staging> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes some of the kit's files (a format's): checks them, and in
    /// memory stages them, unless the bundle can no longer be written.
    pub fn stage(&self, files: Vec<Artifact>) {
        let targets: Vec<PathBuf> = files.iter().map(|f| self.dir.join(&f.path)).collect();
        let go = self.state().check(self.dir, &files, &targets, self.force) && self.in_memory;
        // Staged outside the lock: other formats stage theirs meanwhile.
        let given: Vec<(String, Given)> = files
            .into_iter()
            .zip(&targets)
            .map(|(file, target)| match go {
                true => (file.path.clone(), Given::Staged(stage(target, &file))),
                false => (file.path.clone(), Given::Waiting(file)),
            })
            .collect();
        self.state().files.extend(given);
    }

    /// Puts every file into place, in `order` (every path given to
    /// [`Bundle::stage`]), or none, saying why; returns where each went.
    pub fn commit(self, order: &[&str]) -> Result<Vec<PathBuf>, Error> {
        let dir = self.dir;
        let mut state = std::mem::take(&mut *self.state());
        let result = state.commit(dir, order, self.force, self.in_memory);
        if result.is_err() {
            state.remove_staged();
            remove_folders(&state.made);
        }
        result
    }
}

impl Drop for Bundle<'_> {
    fn drop(&mut self) {
        // Not committed (a render failed): none of it stays. After a
        // commit the state is empty.
        let state = self.state();
        state.remove_staged();
        remove_folders(&state.made);
    }
}

impl Staging {
    /// Clears the files' folders of what an interrupted run left, looks for
    /// a link on their way and for files they would replace; then, while
    /// nothing refuses the kit, makes their folders. Whether they may be
    /// staged now.
    fn check(&mut self, dir: &Path, files: &[Artifact], targets: &[PathBuf], force: bool) -> bool {
        let folders: Vec<&Path> = std::iter::once(dir)
            .chain(targets.iter().filter_map(|t| t.parent()))
            .filter(|f| self.swept.insert(f.to_path_buf()))
            .collect();
        match guard::leftovers(&folders) {
            Ok(removed) => self.removed.extend(removed),
            Err(e) => {
                self.failure.get_or_insert(write_error(dir, &e));
            }
        }
        match guard::look(dir, targets) {
            Err((n, link)) => self.links.push((files[n].path.clone(), link)),
            Ok(exist) => self.existing.extend(
                files
                    .iter()
                    .zip(exist)
                    .filter(|(_, e)| *e)
                    .map(|(f, _)| f.path.clone()),
            ),
        }
        let refused = self.failure.is_some()
            || !self.links.is_empty()
            || (!self.existing.is_empty() && !force);
        if refused {
            return false;
        }
        match make_folders(dir, targets, &mut self.made) {
            Ok(()) => true,
            Err(e) => {
                self.failure = Some(e);
                false
            }
        }
    }

    fn commit(
        &mut self,
        dir: &Path,
        order: &[&str],
        force: bool,
        in_memory: bool,
    ) -> Result<Vec<PathBuf>, Error> {
        let out = |why: String| Error::bad(Origin::Flag("--out"), &dir.display().to_string(), why);
        let position: HashMap<&str, usize> =
            order.iter().enumerate().map(|(i, p)| (*p, i)).collect();
        let at = |path: &str| position.get(path).copied().unwrap_or(usize::MAX);
        if !self.removed.is_empty() {
            let names: Vec<String> = self
                .removed
                .iter()
                .map(|p| p.display().to_string())
                .collect();
            eprintln!(
                "note: removed {} file(s) an interrupted coupagen run left: {}",
                names.len(),
                names.join(", ")
            );
        }
        if let Some(failure) = self.failure.take() {
            return Err(failure);
        }
        if let Some((_, link)) = self.links.iter().min_by_key(|(path, _)| at(path)) {
            return Err(Error::bad(
                Origin::Flag("--out"),
                &link.display().to_string(),
                "is a symbolic link where the kit writes; coupagen writes neither through nor over one: remove it, or give another --out",
            ));
        }
        if !self.existing.is_empty() && !force {
            self.existing.sort_by_key(|path| at(path));
            return Err(out(format!(
                "already holds {}; add --force to replace {}",
                self.existing.join(", "),
                if self.existing.len() == 1 {
                    "it"
                } else {
                    "them"
                }
            )));
        }
        if let Some(path) = order.iter().find(|p| !self.files.contains_key(**p)) {
            return Err(Error::Failed(format!(
                "{path} was never rendered for the bundle; this is a bug"
            )));
        }
        let given: Vec<Given> = order.iter().filter_map(|p| self.files.remove(*p)).collect();
        let targets: Vec<PathBuf> = order.iter().map(|p| dir.join(p)).collect();
        match in_memory {
            true => {
                let staged = given
                    .into_iter()
                    .map(|g| match g {
                        Given::Staged(result) => Some(result),
                        Given::Waiting(_) => None,
                    })
                    .collect();
                let replaced = rename_all(dir, staged, &targets)?;
                remove_all(replaced.iter().flatten());
            }
            false => {
                let files: Vec<Artifact> = given
                    .into_iter()
                    .filter_map(|g| match g {
                        Given::Waiting(file) => Some(file),
                        Given::Staged(_) => None,
                    })
                    .collect();
                commit_all(dir, &files, &targets)?;
            }
        }
        Ok(targets)
    }

    /// Removes every file staged and not yet put into place.
    fn remove_staged(&self) {
        for given in self.files.values() {
            if let Given::Staged(Ok(tmp)) = given {
                let _ = fs::remove_file(tmp);
            }
        }
    }
}

/// Deepest first; only folders this run made, and only if they are empty.
fn remove_folders(made: &[PathBuf]) {
    for folder in made.iter().rev() {
        let _ = fs::remove_dir(folder);
    }
}

/// Creates `dir` and every target's folder that is missing, noting each it
/// made, outermost first.
fn make_folders(dir: &Path, targets: &[PathBuf], made: &mut Vec<PathBuf>) -> Result<(), Error> {
    let mut seen = HashSet::new();
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

/// On a disk, a thread for every share of the files (see [`commit_with`]).
fn commit_all(dir: &Path, files: &[Artifact], targets: &[PathBuf]) -> Result<(), Error> {
    commit_with(
        dir,
        files,
        targets,
        files.len().clamp(1, FILE_THREADS),
        stage,
    )
}

/// Whether a sync of a file in `dir` waits for a device: not on Linux's
/// memory filesystems (tmpfs, as /dev/shm and often /tmp, and ramfs),
/// where the threads that overlap the waits would be all the cost, and a
/// bundle stages each file on the thread that rendered it. Where it cannot
/// tell, it waits.
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
/// of the guide's bundle, 1 ms of the big kit's. On one thread nothing is
/// handed over. (In memory a bundle stages each file as it is rendered:
/// [`Bundle::stage`].)
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
        write_bundle(&dir, files.to_vec(), false).unwrap();
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
        write_bundle(dir, old, false).unwrap();
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
                None => drop(write_bundle(&dir, new.clone(), true).unwrap()),
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

    /// A bundle opened on `dir`, staging at once (as in memory) or not (as
    /// on a disk), whatever filesystem the test's folder is on.
    fn opened(dir: &Path, force: bool, in_memory: bool) -> Bundle<'_> {
        let mut bundle = Bundle::open(dir, force).unwrap();
        bundle.in_memory = in_memory;
        bundle
    }

    #[test]
    fn a_bundle_dropped_before_its_commit_leaves_the_folder_as_it_was() {
        // A render failed after some formats were staged.
        for in_memory in [true, false] {
            let tmp = tempfile::tempdir().unwrap();
            let fresh = tmp.path().join("fresh");
            let bundle = opened(&fresh, false, in_memory);
            bundle.stage(vec![artifact("a/b/one.txt"), artifact("two.txt")]);
            drop(bundle);
            assert!(!fresh.exists(), "{in_memory}: the folder it made is gone");

            let kept = tmp.path().join("kept");
            fs::create_dir(&kept).unwrap();
            fs::write(kept.join("mine.txt"), "mine").unwrap();
            let bundle = opened(&kept, false, in_memory);
            bundle.stage(vec![artifact("a/one.txt"), artifact("two.txt")]);
            drop(bundle);
            assert_eq!(listing(&kept), ["mine.txt"], "{in_memory}");
            assert!(!kept.join("a").exists(), "{in_memory}");
        }
    }

    #[test]
    fn formats_staged_from_two_threads_go_into_place_in_the_order_given() {
        for in_memory in [true, false] {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join("kit");
            let bundle = opened(&dir, false, in_memory);
            std::thread::scope(|s| {
                s.spawn(|| bundle.stage(vec![artifact("b/two.txt"), artifact("three.txt")]));
                s.spawn(|| bundle.stage(vec![artifact("one.txt")]));
            });
            let written = bundle
                .commit(&["one.txt", "b/two.txt", "three.txt"])
                .unwrap();
            let want: Vec<PathBuf> = ["one.txt", "b/two.txt", "three.txt"]
                .iter()
                .map(|p| dir.join(p))
                .collect();
            assert_eq!(written, want, "{in_memory}");
            assert_eq!(
                listing(&dir),
                ["b/two.txt", "one.txt", "three.txt"],
                "{in_memory}: nothing of its own left"
            );
            assert_eq!(
                fs::read_to_string(dir.join("b/two.txt")).unwrap(),
                "b/two.txt\n"
            );
        }
    }

    #[test]
    fn a_file_there_already_refuses_the_kit_after_others_were_staged() {
        for in_memory in [true, false] {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join("kit");
            fs::create_dir(&dir).unwrap();
            fs::write(dir.join("late.txt"), "mine").unwrap();
            let bundle = opened(&dir, false, in_memory);
            bundle.stage(vec![artifact("early/one.txt"), artifact("two.txt")]);
            bundle.stage(vec![artifact("late.txt")]);
            let err = bundle
                .commit(&["early/one.txt", "two.txt", "late.txt"])
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("already holds late.txt; add --force"),
                "{in_memory}: {err}"
            );
            assert_eq!(
                listing(&dir),
                ["late.txt"],
                "{in_memory}: what it staged is gone"
            );
            assert!(!dir.join("early").exists(), "{in_memory}");
            assert_eq!(fs::read_to_string(dir.join("late.txt")).unwrap(), "mine");
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
        assert!(write_bundle(&dir, files.to_vec(), true).is_err());
        assert!(!dir.join("made").exists(), "the folders it made are gone");
        assert!(!dir.join("mine/new.txt").exists());
        assert_eq!(
            fs::read_to_string(dir.join("mine/keep.txt")).unwrap(),
            "keep"
        );
        assert!(dir.join("blocked/x").is_dir());
    }
}
