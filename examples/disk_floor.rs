//! The floor of `bundle` on a filesystem: the write alone. Reads a kit's
//! files and writes them with the bundle's own `output::write_bundle` (on a
//! disk each staged and synced on the file threads, in memory on this one;
//! renamed over a link to the file it replaces, the links then removed),
//! with no parsing, planning or
//! rendering. The first run makes the kit, every later one replaces it;
//! prints the median milliseconds of the later runs. `scripts/bench.sh` runs
//! it beside the bundles.
//!
//! Usage: cargo run --profile dist --example disk_floor -- KIT DIR RUNS

use std::fs;
use std::path::Path;
use std::time::Instant;

use coupagen::output::write_bundle;
use coupagen::render::Artifact;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [kit, dir, runs] = args.as_slice() else {
        eprintln!("usage: disk_floor KIT DIR RUNS");
        std::process::exit(2);
    };
    let runs: usize = runs.parse().expect("RUNS is a number");
    let mut files = Vec::new();
    read_kit(Path::new(kit), "", &mut files);
    let mut times: Vec<f64> = (0..=runs)
        .map(|_| {
            // The copy before the clock: a bundle owns the files it renders.
            let run = files.clone();
            let start = Instant::now();
            write_bundle(Path::new(dir), run, true).expect("DIR is writable");
            start.elapsed().as_secs_f64() * 1e3
        })
        .skip(1)
        .collect();
    times.sort_by(f64::total_cmp);
    println!("{:.2}", times[times.len() / 2]);
}

/// Every file under `dir`, as the artifact a bundle wrote it from.
fn read_kit(dir: &Path, prefix: &str, out: &mut Vec<Artifact>) {
    for entry in fs::read_dir(dir).expect("KIT is a readable folder") {
        let entry = entry.expect("a folder entry");
        let path = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().expect("a file type").is_dir() {
            read_kit(&entry.path(), &format!("{path}/"), out);
        } else {
            out.push(Artifact {
                text: fs::read_to_string(entry.path()).expect("a kit's files are text"),
                executable: path.ends_with(".sh"),
                path,
            });
        }
    }
}
