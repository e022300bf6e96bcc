//! Checks skipped for want of a tool or a file: each is recorded, none is said
//! on its own, and one line per cause goes to stderr when the test binary exits.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::os::raw::c_int;
use std::sync::{Mutex, Once};

/// What one cause skipped: checks, and the tests they were in.
#[derive(Default)]
struct Skipped {
    checks: usize,
    tests: BTreeSet<String>,
}

/// Skips by cause, e.g. "newman is not installed (npm ci installs it)".
static SKIPS: Mutex<BTreeMap<String, Skipped>> = Mutex::new(BTreeMap::new());

extern "C" {
    fn atexit(f: extern "C" fn()) -> c_int;
}

/// Records one skipped check. `cause` says what is missing and how to get it.
pub fn record(cause: String) {
    // libtest has no end-of-run hook, but its main returns or calls
    // process::exit, and both run atexit handlers after the `test result:` line.
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        // SAFETY: `summary` is a plain function that neither panics nor unwinds.
        unsafe { atexit(summary) };
    });
    // libtest runs each test on a thread named after it.
    let test = std::thread::current().name().unwrap_or("?").to_owned();
    let mut skips = SKIPS.lock().unwrap_or_else(|e| e.into_inner());
    let skipped = skips.entry(cause).or_default();
    skipped.checks += 1;
    skipped.tests.insert(test);
}

/// The exit hook: the summary on stderr. It must not unwind into C.
extern "C" fn summary() {
    let skips = SKIPS.lock().unwrap_or_else(|e| e.into_inner());
    let text: String = lines(&skips).iter().map(|l| format!("{l}\n")).collect();
    let _ = std::io::stderr().write_all(text.as_bytes());
}

/// One line per cause, the cause that skipped most first.
fn lines(skips: &BTreeMap<String, Skipped>) -> Vec<String> {
    let mut by_count: Vec<(&String, &Skipped)> = skips.iter().collect();
    by_count.sort_by_key(|(_, s)| std::cmp::Reverse(s.checks));
    by_count
        .into_iter()
        .map(|(cause, s)| {
            let checks = plural(s.checks, "check");
            if s.tests.len() == s.checks {
                format!("skipped {checks}: {cause}")
            } else {
                format!(
                    "skipped {checks} in {}: {cause}",
                    plural(s.tests.len(), "test")
                )
            }
        })
        .collect()
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[test]
fn the_summary_is_a_line_a_cause_with_its_counts() {
    let skipped = |checks, tests: &[&str]| Skipped {
        checks,
        tests: tests.iter().map(|t| t.to_string()).collect(),
    };
    let skips = BTreeMap::from([
        (
            "jq is not installed (apt-get install jq installs it)".to_string(),
            skipped(1, &["a"]),
        ),
        (
            "newman is not installed (npm ci installs it)".to_string(),
            skipped(2, &["a", "b"]),
        ),
        ("the schema is absent".to_string(), skipped(3, &["c"])),
    ]);
    assert_eq!(
        lines(&skips),
        [
            "skipped 3 checks in 1 test: the schema is absent",
            "skipped 2 checks: newman is not installed (npm ci installs it)",
            "skipped 1 check: jq is not installed (apt-get install jq installs it)",
        ]
    );
}
