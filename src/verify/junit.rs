//! `verify --junit FILE`: the report as JUnit XML, the shape GitHub Actions,
//! GitLab and Jenkins read: a testsuite an instance, a testcase a step, the
//! cause and the fix in a failure. Every text is scrubbed of the secrets and
//! made visible (XML 1.0 cannot hold most control characters) before it is
//! escaped.

use std::fmt::Write as _;

use super::report::{scrub_counted, visible, Step};

/// One instance's steps.
pub struct Suite<'a> {
    pub name: String,
    pub domain: &'a str,
    pub steps: &'a [Step],
}

/// The document.
pub fn xml(suites: &[Suite<'_>], secrets: &[&str]) -> String {
    let mut hits = 0;
    let mut clean = |text: &str| {
        let (text, n) = scrub_counted(&visible(text), secrets);
        hits += n;
        escape(&text)
    };
    let count = |f: fn(&Step) -> bool| -> usize {
        suites.iter().flat_map(|s| s.steps).filter(|s| f(s)).count()
    };
    let seconds = |ms: u64| format!("{:.3}", ms as f64 / 1000.0);
    let total_ms = |steps: &[Step]| steps.iter().map(|s| s.elapsed_ms).sum::<u64>();
    let mut body = String::new();
    for suite in suites {
        let name = clean(&suite.name);
        let failures = suite.steps.iter().filter(|s| !s.ok()).count();
        let skipped = suite.steps.iter().filter(|s| s.skipped && s.ok()).count();
        let _ = writeln!(
            body,
            r#"  <testsuite name="{name}" tests="{}" failures="{failures}" errors="0" skipped="{skipped}" time="{}">"#,
            suite.steps.len(),
            seconds(total_ms(suite.steps)),
        );
        let _ = writeln!(
            body,
            r#"    <properties><property name="domain" value="{}"/></properties>"#,
            clean(suite.domain)
        );
        for step in suite.steps {
            let _ = write!(
                body,
                r#"    <testcase name="{}" classname="coupagen.verify.{name}" time="{}""#,
                clean(&step.name),
                seconds(step.elapsed_ms)
            );
            match (&step.problem, step.skipped) {
                (Some(p), _) => {
                    let cause = clean(&p.cause);
                    let _ = writeln!(
                        body,
                        ">\n      <failure message=\"{cause}\" type=\"{:?}\">cause: {cause}\nfix:   {}</failure>\n    </testcase>",
                        step.kind,
                        clean(&p.fix)
                    );
                }
                (None, true) => {
                    let said = step.said.as_deref().unwrap_or("not sent");
                    let _ = writeln!(
                        body,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        clean(said)
                    );
                }
                (None, false) => {
                    let _ = writeln!(body, "/>");
                }
            }
        }
        body.push_str("  </testsuite>\n");
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let all: Vec<&Step> = suites.iter().flat_map(|s| s.steps).collect();
    let _ = writeln!(
        out,
        r#"<testsuites name="coupagen verify" tests="{}" failures="{}" errors="0" skipped="{}" time="{}">"#,
        all.len(),
        count(|s| !s.ok()),
        count(|s| s.skipped && s.ok()),
        seconds(all.iter().map(|s| s.elapsed_ms).sum()),
    );
    if hits > 0 {
        // Counted where a reader sees it; the values themselves are gone.
        let _ = writeln!(
            out,
            "  <!-- redacted: {hits} echo(es) of the secret, a token, the code or the state -->"
        );
    }
    out.push_str(&body);
    out.push_str("</testsuites>\n");
    out
}

/// Text as XML holds it in an attribute or an element.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_what_xml_gives_meaning() {
        assert_eq!(escape(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
    }
}
