//! The report: one typed step per check, for people (text) or programs
//! (`--json`, with stable keys).

use std::fmt::Write as _;

use serde::Serialize;

/// What a good answer held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Token {
        token: String,
        expires_in: Option<u64>,
        scopes_granted: Option<Vec<String>>,
        /// With user consent and offline_access: never shown.
        refresh_token: Option<String>,
    },
    /// How many records a list held, and what names the first few (a use
    /// case's list step says which).
    Records(usize, Vec<Named>),
    Object,
}

/// A record as a list step shows it: its id and, when it has one, its title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// What went wrong and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub cause: String,
    pub fix: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// DNS, TCP and TLS, before any credential is sent.
    Connect,
    /// The person consents in a browser (user consent).
    Consent,
    /// A request of the auth flow.
    Token,
    /// An API request.
    Call,
}

/// What a step learned on the way, whether it passed or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Facts {
    Connect {
        addresses: Vec<String>,
        /// The TLS version the handshake settled on.
        tls: Option<String>,
    },
    Http {
        /// The status and content type, when an answer came.
        answer: Option<(u16, Option<String>)>,
        found: Option<Found>,
    },
}

#[derive(Debug, Clone)]
pub struct Step {
    pub kind: StepKind,
    /// What was tried, e.g. `GET /api/expense_reports?limit=1`.
    pub name: String,
    pub elapsed_ms: u64,
    pub facts: Facts,
    pub problem: Option<Problem>,
    /// What a use case's step carried forward, in words.
    pub said: Option<String>,
    /// Not sent (a write without --allow-writes, or a chain that ended).
    pub skipped: bool,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub domain: String,
    pub ok: bool,
    pub steps: Vec<Step>,
    /// What the run held that no output may show: the code and tokens.
    #[serde(skip)]
    pub secrets: Vec<String>,
    /// A refresh token Coupa issued in this run: never shown, handed over
    /// only through `--refresh-token-fd`.
    #[serde(skip)]
    pub refresh_token: Option<String>,
}

/// How many characters of the token a report may show.
const TOKEN_PREFIX: usize = 6;

/// A step as `--json` shows it: these keys are a contract; absent facts are
/// left out.
#[derive(Serialize)]
struct StepJson<'a> {
    step: StepKind,
    name: &'a str,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_type: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    records: Option<usize>,
    /// The first records a use case's list found, by id and title.
    #[serde(skip_serializing_if = "<[Named]>::is_empty")]
    found: &'a [Named],
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scopes_granted: Option<&'a [String]>,
    /// The token's first characters, never more.
    #[serde(skip_serializing_if = "Option::is_none")]
    token_prefix: Option<String>,
    /// With user consent: Coupa issued a refresh token (never shown).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    refresh_token_issued: bool,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    addresses: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    tls: Option<&'a str>,
    elapsed_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    said: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    skipped: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    problem: Option<&'a Problem>,
}

impl Step {
    /// Adds to what the step says, after what it already said (a retry).
    pub fn say(&mut self, text: String) {
        self.said = Some(match self.said.take() {
            Some(first) => format!("{first}; {text}"),
            None => text,
        });
    }

    pub fn ok(&self) -> bool {
        self.problem.is_none()
    }

    fn json(&self) -> StepJson<'_> {
        let mut j = StepJson {
            step: self.kind,
            name: &self.name,
            ok: self.ok(),
            status: None,
            content_type: None,
            records: None,
            found: &[],
            expires_in: None,
            scopes_granted: None,
            token_prefix: None,
            refresh_token_issued: false,
            addresses: &[],
            tls: None,
            elapsed_ms: self.elapsed_ms,
            said: self.said.as_deref(),
            skipped: self.skipped,
            problem: self.problem.as_ref(),
        };
        match &self.facts {
            Facts::Connect { addresses, tls } => {
                j.addresses = addresses;
                j.tls = tls.as_deref();
            }
            Facts::Http { answer, found } => {
                if let Some((status, content_type)) = answer {
                    j.status = Some(*status);
                    j.content_type = content_type.as_deref();
                }
                match found {
                    Some(Found::Token {
                        token,
                        expires_in,
                        scopes_granted,
                        refresh_token,
                    }) => {
                        j.refresh_token_issued = refresh_token.is_some();
                        j.expires_in = *expires_in;
                        j.scopes_granted = scopes_granted.as_deref();
                        j.token_prefix = Some(token.chars().take(TOKEN_PREFIX).collect());
                    }
                    Some(Found::Records(n, first)) => {
                        j.records = Some(*n);
                        j.found = first;
                    }
                    Some(Found::Object) | None => {}
                }
            }
        }
        j
    }
}

impl Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.json().serialize(s)
    }
}

impl Report {
    pub fn new(domain: String, steps: Vec<Step>) -> Report {
        Report {
            domain,
            ok: steps.iter().all(Step::ok),
            steps,
            secrets: Vec::new(),
            refresh_token: None,
        }
    }

    /// The report for people: one line a step, then cause and fix.
    pub fn text(&self) -> String {
        let mut out = format!("coupagen verify: {}\n", visible(&self.domain));
        for step in &self.steps {
            let s = step.json();
            let mut facts: Vec<String> = Vec::new();
            if !s.addresses.is_empty() {
                facts.push(format!("resolved to {}", s.addresses.join(", ")));
            }
            if let Some(tls) = s.tls {
                facts.push(tls.into());
            }
            if let Some(status) = s.status {
                facts.push(format!("HTTP {status}"));
            }
            if let Some(ct) = s.content_type {
                facts.push(ct.into());
            }
            if let Some(e) = s.expires_in {
                facts.push(format!("expires in {e} s"));
            }
            if let Some(g) = s.scopes_granted {
                facts.push(format!("scopes granted: {}", g.join(" ")));
            }
            if let Some(t) = &s.token_prefix {
                facts.push(format!("token {t}…"));
            }
            if s.refresh_token_issued {
                facts.push(
                    "refresh token issued (not shown; --refresh-token-fd hands it over)".into(),
                );
            }
            if let Some(r) = s.records {
                facts.push(format!("{r} record{}", if r == 1 { "" } else { "s" }));
            }
            let facts = match facts.is_empty() {
                true => String::new(),
                false => format!(": {}", facts.join(", ")),
            };
            let mark = match (s.ok, s.skipped) {
                (_, true) => "skip",
                (true, false) => "ok  ",
                (false, false) => "FAIL",
            };
            // Names, facts, causes and fixes carry what a server sent (a
            // captured id, a content type, an error_description): shown
            // visibly, so no CR, LF or ESC in it forges a line or the screen.
            let (name, facts) = (visible(s.name), visible(&facts));
            let _ = writeln!(out, "{mark} {name}{facts} ({} ms)", s.elapsed_ms);
            if let Some(said) = s.said {
                let _ = writeln!(out, "     {}", visible(said));
            }
            if let Some(p) = s.problem {
                let (cause, fix) = (visible(&p.cause), visible(&p.fix));
                let _ = writeln!(out, "     cause: {cause}\n     fix:   {fix}");
            }
        }
        let failed = self.steps.iter().filter(|s| !s.ok()).count();
        let _ = match failed {
            0 => writeln!(out, "All {} steps passed.", self.steps.len()),
            n => writeln!(out, "{n} of {} steps failed.", self.steps.len()),
        };
        out
    }

    pub fn json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// Text for a terminal, every control character made visible: `\r`, `\n`,
/// `\t`, `\e` for ESC, `\u{..}` for the rest (C0, DEL, C1) and for the
/// bidirectional overrides that reorder what a terminal shows. The one
/// sanitiser of the text report; `--json` keeps every value exact.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(hidden) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\u{1b}' => out.push_str("\\e"),
            c if hidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.into()
}

/// Removes every occurrence of the secrets from `text`: belt and braces, in
/// case a server echoes one back. Each secret is looked for as it is, and as
/// an echo would carry it: JSON-escaped (once, for a server's JSON; twice,
/// for that JSON inside `--json`), percent-encoded (upper- or lower-case
/// hex, all but the unreserved characters, or as a form encodes it, `+` for
/// a space) and those encodings JSON-escaped. Longest first, so no shorter
/// form leaves a piece of a longer one.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    scrub_counted(text, secrets).0
}

/// [`scrub`], and how many echoes it replaced.
pub fn scrub_counted(text: &str, secrets: &[&str]) -> (String, usize) {
    let mut forms: Vec<String> = secrets
        .iter()
        .filter(|s| s.len() >= 4)
        .flat_map(|s| echoes(s))
        .collect();
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    let mut hits = 0;
    let text = forms.iter().fold(text.to_string(), |t, f| {
        let n = t.matches(f.as_str()).count();
        match n {
            0 => t,
            n => {
                hits += n;
                t.replace(f.as_str(), "[redacted]")
            }
        }
    });
    (text, hits)
}

/// The forms an echo of `secret` may take in a report.
fn echoes(secret: &str) -> Vec<String> {
    let json = |s: &str| {
        let quoted = serde_json::to_string(s).unwrap_or_default();
        quoted[1..quoted.len() - 1].to_string()
    };
    let mut encoded = Vec::new();
    for lower in [false, true] {
        for form in [false, true] {
            encoded.push(percent(secret, lower, form));
        }
    }
    let mut all = vec![
        secret.to_string(),
        visible(secret).into_owned(),
        json(secret),
        json(&json(secret)),
    ];
    for e in encoded {
        all.push(json(&e));
        all.push(e);
    }
    all
}

/// `secret` percent-encoded: all but RFC 3986's unreserved characters, or
/// as a form does (WHATWG: `*` kept too, a space as `+`).
fn percent(secret: &str, lower: bool, form: bool) -> String {
    let mut out = String::with_capacity(secret.len() * 3);
    for b in secret.bytes() {
        let kept = b.is_ascii_alphanumeric() || b"-._~".contains(&b) || (form && b == b'*');
        match (kept, b) {
            (true, _) => out.push(b as char),
            (false, b' ') if form => out.push('+'),
            (false, _) if lower => out.push_str(&format!("%{b:02x}")),
            (false, _) => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod scrub_tests {
    use super::{scrub, visible};

    #[test]
    fn visible_shows_every_control_character() {
        assert_eq!(visible("plain Ünï"), "plain Ünï");
        assert_eq!(
            visible("a\r\nok   POST\x1b[2J\t\u{7f}\u{85}\u{202e}z"),
            r"a\r\nok   POST\e[2J\t\u{7f}\u{85}\u{202e}z"
        );
    }

    /// Every way a server's echo can carry a secret into a report.
    #[test]
    fn scrub_finds_every_form_of_an_echo() {
        let secret = r#"s3 "c\r/e+t&%~*"#;
        let echoes = [
            secret.to_string(),
            serde_json::to_string(secret).unwrap(),
            serde_json::to_string(&serde_json::to_string(secret).unwrap()).unwrap(),
            "s3%20%22c%5Cr%2Fe%2Bt%26%25~%2A".into(),
            "s3%20%22c%5cr%2fe%2bt%26%25~%2a".into(),
            "s3+%22c%5Cr%2Fe%2Bt%26%25~*".into(),
        ];
        for echo in echoes {
            let out = scrub(&format!("said: {echo}."), &[secret]);
            assert!(!out.contains("s3"), "{echo} came through: {out}");
            assert!(out.contains("[redacted]"), "{out}");
        }
        assert_eq!(
            scrub("abc", &["abc"]),
            "abc",
            "short values are not secrets"
        );
    }
}
