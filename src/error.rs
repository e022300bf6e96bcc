//! The error type and exit statuses: bad input (2), carrying where the input
//! came from, and every other failure (1).

use std::fmt;
use std::path::PathBuf;

/// What went wrong, and so which exit status.
#[derive(Debug)]
pub enum Error {
    /// Bad input: names the input and what would be right. Exit 2.
    Input(InputError),
    /// Anything else: I/O, a template, a failed check. Exit 1.
    Failed(String),
}

/// Where a bad input came from: what the message leads with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A kit option, by its `--config` key (`domain`, `scopes`, ...); shown as
    /// its flag until [`Error::from_config`] says the file gave it.
    Option(&'static str),
    /// That option's key in a `--config` file.
    ConfigKey { file: PathBuf, key: &'static str },
    /// Any other flag, e.g. `-o` or `--client-secret-stdin`.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
}

/// A bad input: where it came from, the value when there is one, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub origin: Origin,
    pub value: Option<String>,
    /// Follows `origin 'value': `, or `origin ` when there is no value
    /// ("is missing; give ...").
    pub why: String,
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) => 2,
            Error::Failed(_) => 1,
        }
    }

    /// `origin 'value': why`. Control characters in the value are shown
    /// escaped so the message stays on one line.
    pub fn bad(origin: Origin, value: &str, why: impl fmt::Display) -> Error {
        Error::Input(InputError {
            origin,
            value: Some(value.to_string()),
            why: why.to_string(),
        })
    }

    /// `origin why`, for an input without a value: "--domain is missing; ...".
    pub fn input(origin: Origin, why: impl fmt::Display) -> Error {
        Error::Input(InputError {
            origin,
            value: None,
            why: why.to_string(),
        })
    }

    /// Re-homes an option's error onto the config file's key when the file
    /// gave that option.
    pub fn from_config(self, file: &std::path::Path, keys: &[&'static str]) -> Error {
        match self {
            Error::Input(mut e) => {
                if let Origin::Option(key) = e.origin {
                    if keys.contains(&key) {
                        e.origin = Origin::ConfigKey {
                            file: file.to_path_buf(),
                            key,
                        };
                    }
                }
                Error::Input(e)
            }
            other => other,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Option(key) => f.write_str(crate::input::flag_of(key)),
            Origin::ConfigKey { file, key } => {
                write!(f, "--config '{}': key \"{key}\"", file.display())
            }
            Origin::Flag(flag) => f.write_str(flag),
            Origin::Env(name) => f.write_str(name),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(value) => write!(f, "{} '{}': {}", self.origin, one_line(value), self.why),
            None => write!(f, "{} {}", self.origin, self.why),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input(e) => e.fmt(f),
            Error::Failed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

/// Control characters escaped: an echoed value cannot break the message's line.
fn one_line(value: &str) -> String {
    value
        .chars()
        .map(|c| match c.is_control() {
            true => c.escape_default().to_string(),
            false => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_option_error_moves_to_the_config_key_that_gave_it() {
        let e = Error::bad(Origin::Option("domain"), "a\nb", "why");
        assert_eq!(e.to_string(), "--domain 'a\\nb': why");
        let moved = e.from_config(std::path::Path::new("k.json"), &["domain"]);
        assert_eq!(
            moved.to_string(),
            "--config 'k.json': key \"domain\" 'a\\nb': why"
        );
        let kept = Error::input(Origin::Option("limit"), "is bad")
            .from_config(std::path::Path::new("k.json"), &["domain"]);
        assert_eq!(kept.to_string(), "--limit is bad");
    }
}
