//! Bounded reads of what a person gives: a regular file, or standard input,
//! each up to a size, so `/dev/zero`, a FIFO or `yes |` ends in a clear error
//! (exit 2) instead of growing memory or blocking.

use std::io::Read;
use std::path::Path;

use crate::error::{Error, Origin};

/// A `--config` file: a few options.
pub const CONFIG: u64 = 1 << 20;
/// A `--use-case-file`: far more than any person's use cases.
pub const USE_CASE_FILE: u64 = 8 << 20;
/// `SSL_CERT_FILE`: a system's whole CA bundle is about 200 KiB.
pub const CERT_FILE: u64 = 8 << 20;
/// A secret on standard input.
pub const SECRET: u64 = 64 << 10;

/// `bytes` as a person reads a size: `1 MiB`, `64 KiB`.
pub fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// The text of a regular file of at most `max` bytes. A FIFO, a device or a
/// folder is refused before it is opened: opening a FIFO waits for a writer.
pub fn file(path: &Path, max: u64, origin: Origin) -> Result<String, Error> {
    let shown = path.display().to_string();
    let fail = |why: String| Error::bad(origin.clone(), &shown, why);
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read it ({e})")))?;
    if !meta.is_file() {
        return Err(fail(
            "is not a regular file (a folder, a FIFO or a device); give a file".into(),
        ));
    }
    let over = || fail(format!("is over {}, more than coupagen reads", size(max)));
    if meta.len() > max {
        return Err(over());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
        .map_err(|e| fail(format!("cannot read it ({e})")))?;
    // It may have grown since it was measured.
    if bytes.len() as u64 > max {
        return Err(over());
    }
    String::from_utf8(bytes).map_err(|_| fail("is not UTF-8 text".into()))
}

/// Standard input, whole, up to `max` bytes.
pub fn stdin(max: u64, origin: Origin) -> Result<String, Error> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::input(origin.clone(), format!("cannot read standard input ({e})")))?;
    if bytes.len() as u64 > max {
        return Err(Error::input(
            origin,
            format!("standard input is over {}, more than a secret", size(max)),
        ));
    }
    String::from_utf8(bytes).map_err(|_| Error::input(origin, "standard input is not UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_read_within_its_bound_and_nothing_else_is() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small.json");
        std::fs::write(&small, "{}").unwrap();
        let origin = Origin::Flag("--config");
        assert_eq!(file(&small, 2, origin.clone()).unwrap(), "{}");
        let e = file(&small, 1, origin.clone()).unwrap_err().to_string();
        assert!(e.contains("is over 1 bytes"), "{e}");
        for odd in [dir.path(), Path::new("/dev/zero")] {
            let e = file(odd, CONFIG, origin.clone()).unwrap_err().to_string();
            assert!(e.contains("is not a regular file"), "{e}");
        }
        assert_eq!(size(CONFIG), "1 MiB");
        assert_eq!(size(SECRET), "64 KiB");
    }
}
