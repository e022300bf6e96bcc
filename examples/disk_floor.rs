//! The floor of `bundle`'s write on a filesystem: copies a kit's folder into
//! another the way `coupagen bundle --force` writes one, with no rendering.
//! Each file is staged beside its target and synced, on at most 16 threads
//! each taking an equal share; then renamed into place over a link to the
//! file it replaces; then the same threads remove those links. The first run
//! makes the kit, every later one replaces it; prints the median milliseconds
//! of the later runs. `scripts/bench.sh` runs it beside the bundles.
//!
//! Usage: cargo run --release --example disk_floor -- KIT DIR RUNS

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Barrier;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [kit, dir, runs] = args.as_slice() else {
        eprintln!("usage: disk_floor KIT DIR RUNS");
        std::process::exit(2);
    };
    let runs: usize = runs.parse().expect("RUNS is a number");
    let mut files = Vec::new();
    read_kit(Path::new(kit), Path::new(""), &mut files);
    let files: Vec<(PathBuf, Vec<u8>)> = files
        .into_iter()
        .map(|(rel, text)| (Path::new(dir).join(rel), text))
        .collect();
    let mut times: Vec<f64> = (0..=runs)
        .map(|_| {
            let start = Instant::now();
            write(&files);
            start.elapsed().as_secs_f64() * 1e3
        })
        .skip(1)
        .collect();
    times.sort_by(f64::total_cmp);
    println!("{:.2}", times[times.len() / 2]);
}

/// Every file under `dir`, by its path relative to the kit, and its bytes.
fn read_kit(dir: &Path, rel: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    for entry in fs::read_dir(dir).expect("KIT is a readable folder") {
        let entry = entry.expect("a folder entry");
        let rel = rel.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            read_kit(&entry.path(), &rel, out);
        } else {
            out.push((rel, fs::read(entry.path()).expect("a readable file")));
        }
    }
}

fn write(files: &[(PathBuf, Vec<u8>)]) {
    for (target, _) in files {
        fs::create_dir_all(target.parent().expect("a folder")).expect("DIR is writable");
    }
    let sibling = |target: &Path, kind: &str| {
        let mut name = target.as_os_str().to_owned();
        name.push(format!(".{kind}"));
        PathBuf::from(name)
    };
    let workers = files.len().clamp(1, 16);
    let share = files.len().div_ceil(workers);
    let renamed = Barrier::new(files.len().div_ceil(share) + 1);
    std::thread::scope(|s| {
        for part in files.chunks(share) {
            let renamed = &renamed;
            s.spawn(move || {
                for (target, text) in part {
                    let mut f = fs::File::create_new(sibling(target, "tmp")).expect("staged");
                    f.write_all(text).expect("written");
                    #[cfg(unix)]
                    {
                        use std::os::unix::fs::PermissionsExt;
                        f.set_permissions(fs::Permissions::from_mode(0o644))
                            .expect("mode set");
                    }
                    f.sync_all().expect("synced");
                }
                renamed.wait(); // staged
                renamed.wait(); // renamed
                for (target, _) in part {
                    let _ = fs::remove_file(sibling(target, "old"));
                }
            });
        }
        renamed.wait();
        for (target, _) in files {
            if target.exists() {
                fs::hard_link(target, sibling(target, "old")).expect("linked");
            }
            fs::rename(sibling(target, "tmp"), target).expect("renamed");
        }
        renamed.wait();
    });
}
