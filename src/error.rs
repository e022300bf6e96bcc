//! The error type and exit statuses: bad input (2), carrying where the input
//! came from, and every other failure (1).

use std::borrow::Cow;
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
    /// A kit option, by its `--config` key (`domain`, `scopes`, ...), as the
    /// validation knows it; [`Error::placed`] names it as the person gave it
    /// (its flag or the config file's key) before the error leaves the parse.
    Option(&'static str),
    /// That option's key in a `--config` file.
    ConfigKey { file: PathBuf, key: &'static str },
    /// Any other flag, e.g. `-o` or `--client-secret-stdin`.
    Flag(&'static str),
    /// An environment variable: the kit's own, or an instance's
    /// (`COUPA_TEST_CLIENT_ID`).
    Env(Cow<'static, str>),
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

    /// Names an option's error as the person gave the option: `place` turns
    /// its config key into the flag, or the config file's key, it came from.
    pub fn placed(self, place: impl FnOnce(&'static str) -> Origin) -> Error {
        match self {
            Error::Input(mut e) => {
                if let Origin::Option(key) = e.origin {
                    e.origin = place(key);
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
            // Not yet placed: the key, as a config file would give it.
            Origin::Option(key) => write!(f, "key \"{key}\""),
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

/// The most of a value a message echoes: a pasted file's worth would bury
/// the message.
const ECHO_CHARS: usize = 80;

/// Control characters escaped: an echoed value cannot break the message's
/// line; a long one is cut, its length said.
fn one_line(value: &str) -> String {
    let count = value.chars().count();
    let mut out: String = value
        .chars()
        .take(ECHO_CHARS)
        .map(|c| match c.is_control() {
            true => c.escape_default().to_string(),
            false => c.to_string(),
        })
        .collect();
    if count > ECHO_CHARS {
        out.push_str(&format!("… ({count} characters in all)"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_option_error_is_named_where_it_leaves() {
        let e = Error::bad(Origin::Option("domain"), "a\nb", "why");
        assert_eq!(e.to_string(), "key \"domain\" 'a\\nb': why");
        let file = std::path::PathBuf::from("k.json");
        let moved = e.placed(|key| Origin::ConfigKey { file, key });
        assert_eq!(
            moved.to_string(),
            "--config 'k.json': key \"domain\" 'a\\nb': why"
        );
        let flagged =
            Error::input(Origin::Option("limit"), "is bad").placed(|_| Origin::Flag("--limit"));
        assert_eq!(flagged.to_string(), "--limit is bad");
        let kept =
            Error::input(Origin::Env("X".into()), "is bad").placed(|_| Origin::Flag("--limit"));
        assert_eq!(kept.to_string(), "X is bad");
    }

    // A 20,000-character --connector-name was echoed whole.
    #[test]
    fn a_long_value_is_cut_in_its_message() {
        let long = "x".repeat(20_000);
        let e = Error::bad(Origin::Flag("--connector-name"), &long, "too long");
        let shown = e.to_string();
        assert!(shown.len() < 200, "{}", shown.len());
        assert_eq!(
            shown,
            format!(
                "--connector-name '{}… (20000 characters in all)': too long",
                "x".repeat(80)
            )
        );
    }
}
