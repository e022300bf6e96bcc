//! `--refresh-token-fd N`: the refresh token Coupa issues, handed over on a
//! file descriptor the caller opened (as the check script's fd 3), so it
//! never reaches the screen, the report or a file verify would own.

use std::io::Write;

use crate::error::{Error, Origin};
use crate::kit::Kit;

const FLAG: &str = "--refresh-token-fd";

/// The descriptor, opened before anything is sent: a wrong one is bad
/// input, not a token lost after the person consented.
pub struct Handover {
    fd: u32,
    file: std::fs::File,
}

impl Handover {
    pub fn open(fd: u32, kit: &Kit<'_>) -> Result<Handover, Error> {
        let shown = fd.to_string();
        if kit.flow.refresh.is_none() {
            return Err(Error::bad(
                Origin::Flag(FLAG),
                &shown,
                "this kit gets no refresh token: only user consent (--grant authorization-code) with offline_access has one; drop it",
            ));
        }
        if fd < 3 {
            return Err(Error::bad(
                Origin::Flag(FLAG),
                &shown,
                "0, 1 and 2 are standard input, output and error, where the token would show; give 3 or above, e.g. `--refresh-token-fd 3 3> FILE`",
            ));
        }
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(format!("/dev/fd/{fd}"))
            .map_err(|e| {
                Error::bad(
                    Origin::Flag(FLAG),
                    &shown,
                    format!("file descriptor {fd} is not open for writing ({e}); open it on the command line, e.g. `--refresh-token-fd {fd} {fd}> FILE` or `{fd}> >(your secret store)`"),
                )
            })?;
        Ok(Handover { fd, file })
    }

    /// Writes the token and a newline; says where it went, never what it is.
    pub fn hand_over(mut self, token: &str) -> Result<String, Error> {
        writeln!(self.file, "{token}")
            .and_then(|()| self.file.flush())
            .map_err(|e| {
                Error::Failed(format!(
                    "cannot write the refresh token to file descriptor {} ({e})",
                    self.fd
                ))
            })?;
        Ok(format!(
            "verify: the new refresh token went to file descriptor {} (not shown); give it in {} for runs without a person",
            self.fd,
            crate::contract::env::REFRESH_TOKEN
        ))
    }
}
