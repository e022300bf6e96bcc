//! The command line as users meet it: help, every bad input's message and
//! exit status (with nothing written), safe writing, the bundle.

use std::fs;
use std::process::Command;

use crate::support::tools::{FISH, MAN, ZSH};
use crate::support::{bin, run, stderr, stdout, GUIDE_DOMAIN};

/// Runs `sheet` (the generator that uses every option) with `args` and `-o` into a fresh folder; asserts exit 2,
/// a one-line message containing every `expect` part, and no file written.
pub(crate) fn rejects(args: &[&str], expect: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.json");
    let out = Command::new(bin())
        .arg("sheet")
        .args(args)
        .arg("-o")
        .arg(&target)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    for part in expect {
        assert!(err.contains(part), "{args:?}: expected {part:?} in {err}");
    }
    assert!(stdout(&out).is_empty());
    assert!(!target.exists(), "nothing written");
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no stray files"
    );
}

#[test]
fn bad_domains_are_named_with_the_fix() {
    let cases: &[(&str, &[&str])] = &[
        (
            "acme.coupahost.com/api",
            &[
                "--domain 'acme.coupahost.com/api'",
                "no path",
                "use 'acme.coupahost.com'",
            ],
        ),
        (
            "http://acme.coupahost.com",
            &["HTTPS only", "use 'acme.coupahost.com'"],
        ),
        ("ftp://acme.coupahost.com", &["drop 'ftp://'"]),
        (
            "acme.coupahost.com?x=1",
            &["no query", "use 'acme.coupahost.com'"],
        ),
        (
            "user:pw@acme.coupahost.com",
            &["no user name or password", "use 'acme.coupahost.com'"],
        ),
        (
            "acme coupahost.com",
            &["no spaces", "use 'acme.coupahost.com'"],
        ),
        (
            "acme_co.coupahost.com",
            &["only letters, digits, '-' and '.'", "'_'"],
        ),
        ("acme..coupahost.com", &["no empty parts"]),
        (".acme.coupahost.com", &["no empty parts"]),
        ("acme-.coupahost.com", &["cannot start or end with '-'"]),
        ("acme.coupahost.com:0", &["not a port"]),
        ("acme.coupahost.com:99999", &["not a port"]),
        ("", &["--domain is empty"]),
    ];
    for (domain, expect) in cases {
        rejects(&["--domain", domain], expect);
    }
    let long_label = format!("{}.coupahost.com", "a".repeat(64));
    rejects(
        &["--domain", &long_label],
        &["longer than the 63 characters"],
    );
    let long_host = format!("{}coupahost.com", "abcdefghi.".repeat(25));
    rejects(&["--domain", &long_host], &["at most 253 characters"]);
}

#[test]
fn missing_domain_says_how_to_give_it() {
    rejects(&[], &["--domain is missing", "--domain acme.coupahost.com"]);
}

#[test]
fn bad_scopes_resources_and_limits() {
    let d = ["--domain", GUIDE_DOMAIN];
    let with = |extra: &[&'static str]| [&d[..], extra].concat();
    rejects(
        &with(&["--scope", "core.expense.read\"x"]),
        &["--scope", "without quotes"],
    );
    rejects(
        &with(&["--scope", "core.{expense}"]),
        &["--scope", "braces"],
    );
    rejects(
        &with(&["--scope", " , "]),
        &["--scope ' , ' names no scope"],
    );
    rejects(
        &with(&["--resource", "expense_report"]),
        &[
            "--resource 'expense_report'",
            "did you mean 'expense_reports'",
            "coupagen scopes --resources",
        ],
    );
    rejects(&with(&["--limit", "0"]), &["--limit '0'", "1 to 50"]);
    rejects(&with(&["--limit", "51"]), &["--limit '51'", "1 to 50"]);
}

#[test]
fn bad_placeholder_and_connector_names() {
    let d = ["--domain", GUIDE_DOMAIN];
    let with = |extra: &[&'static str]| [&d[..], extra].concat();
    rejects(
        &with(&["--client-id-var", "my id"]),
        &["--client-id-var 'my id'", "letters, digits"],
    );
    rejects(
        &with(&["--client-secret-var", "{{x}}"]),
        &["--client-secret-var"],
    );
    rejects(
        &with(&["--client-id-var", ""]),
        &["--client-id-var", "1 to 64 characters"],
    );
    rejects(
        &with(&["--client-id-var", "S", "--client-secret-var", "S"]),
        &["--client-secret-var 'S'", "a name of its own"],
    );
    rejects(
        &with(&["--client-id-var", "generated_bearer_token"]),
        &["uses that name itself"],
    );
    rejects(
        &with(&["--connector-name", ""]),
        &["--connector-name is empty"],
    );
    rejects(
        &with(&["--connector-name", "a\nb"]),
        &["--connector-name", "no control characters"],
    );
}

#[test]
fn clap_usage_errors_exit_2_too() {
    let out = run(&["postman", "--domain", GUIDE_DOMAIN, "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["no-such-command"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help_teaches_the_first_command() {
    let out = run(&["--help"]);
    assert!(out.status.success());
    let help = stdout(&out);
    for word in [
        "bundle --domain",
        "postman",
        "environment",
        "curl",
        "script",
        "sheet",
        "scopes",
        "Exit status",
    ] {
        assert!(help.contains(word), "{word} missing from --help:\n{help}");
    }
    let sub = stdout(&run(&["sheet", "--help"]));
    for flag in [
        "--domain",
        "--scope",
        "--resource",
        "--limit",
        "--client-id-var",
        "--client-secret-var",
        "--connector-name",
        "--config",
        "-o, --output",
        "--force",
    ] {
        assert!(sub.contains(flag), "{flag} missing from sheet --help");
    }
}

#[test]
fn output_file_is_never_replaced_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("c.json");
    fs::write(&target, "mine").unwrap();
    let t = target.to_str().unwrap();
    let out = run(&["postman", "--domain", GUIDE_DOMAIN, "-o", t]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("exists; add --force"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_to_string(&target).unwrap(), "mine");

    let out = run(&["postman", "--domain", GUIDE_DOMAIN, "-o", t, "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = fs::read_to_string(&target).unwrap();
    assert_eq!(
        written,
        stdout(&run(&["postman", "--domain", GUIDE_DOMAIN]))
    );
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary file left"
    );
}

#[test]
fn dash_output_is_stdout() {
    let out = run(&["curl", "--domain", GUIDE_DOMAIN, "-o", "-"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("curl --location"));
}

const BUNDLE_FILES: [&str; 13] = [
    "coupa.postman_collection.json",
    "coupa.postman_environment.json",
    "coupa-requests.curl",
    "coupa-check.sh",
    "agent-studio-connector.md",
    "agent-studio-connector.json",
    "coupa.openapi.yaml",
    "bruno",
    "coupa.http",
    "http-client.env.json",
    "mcp",
    "coupagen.json",
    "README.md",
];

/// README's "Names you can rely on", the section's text.
fn readme_names() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme
        .find("### Names you can rely on")
        .expect("the section");
    let end = readme[start + 4..]
        .find("\n### ")
        .map_or(readme.len(), |e| start + 4 + e);
    readme[start..end].to_string()
}

/// Every name `src/contract.rs` holds, and every bundle file, is listed in
/// README's "Names you can rely on": a name added without it fails here.
#[test]
fn every_name_others_rely_on_is_in_the_readmes_list() {
    let section = readme_names();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let contract = fs::read_to_string(root.join("src/contract.rs")).unwrap();
    let names: Vec<&str> = contract
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub const "))
        .filter_map(|l| l.split_once(": &str = \"")?.1.strip_suffix("\";"))
        .collect();
    assert!(names.len() >= 20, "the parse found the names: {names:?}");
    let listed = |name: &str| {
        [
            format!("`{name}`"),
            format!("`{name}/`"),
            format!("`{name}="),
            // A prefix: `encoded-<name>`.
            format!("`{name}<"),
            format!("{{{{{name}}}}}"),
        ]
        .iter()
        .any(|form| section.contains(form.as_str()))
    };
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .chain(BUNDLE_FILES)
        .filter(|n| !listed(n))
        .collect();
    assert!(missing.is_empty(), "README's names miss {missing:?}");
}

#[test]
fn bundle_writes_every_file_and_the_script_is_executable() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("kit/nested");
    let out = run(&[
        "bundle",
        "--domain",
        GUIDE_DOMAIN,
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut names: Vec<String> = fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut expected: Vec<String> = BUNDLE_FILES.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(names, expected);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |f: &str| fs::metadata(out_dir.join(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode("coupa-check.sh"), 0o755);
        assert_eq!(mode("README.md"), 0o644);
    }
    // The bundle's files are the single generators' outputs, byte for byte.
    let single = stdout(&run(&[
        "sheet",
        "--domain",
        GUIDE_DOMAIN,
        "--format",
        "json",
    ]));
    assert_eq!(
        fs::read_to_string(out_dir.join("agent-studio-connector.json")).unwrap(),
        single
    );
}

#[test]
fn bundle_refuses_to_replace_files_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    fs::write(dir.path().join("README.md"), "my notes").unwrap();
    let out = run(&["bundle", "--domain", GUIDE_DOMAIN, "--out", d]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("already holds README.md") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("README.md")).unwrap(),
        "my notes"
    );
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        1,
        "nothing else written"
    );

    let out = run(&["bundle", "--domain", GUIDE_DOMAIN, "--out", d, "--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(fs::read_to_string(dir.path().join("README.md"))
        .unwrap()
        .contains("Coupa connection kit"));
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        BUNDLE_FILES.len(),
        "no temporary files left"
    );
}

#[test]
fn bundle_with_bad_input_creates_no_folder() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("kit");
    let out = run(&[
        "bundle",
        "--domain",
        "bad domain",
        "--out",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!target.exists());
}

// The generators are built from the format registry; augmenting their
// arguments once gave every one the same help line.
#[test]
fn each_generator_has_its_formats_own_help() {
    let help = stdout(&run(&["--help"]));
    for format in coupagen::render::FORMATS {
        let about = format.about.trim_end_matches('.');
        let line = help
            .lines()
            .find(|l| l.trim_start().starts_with(format.command))
            .unwrap_or_else(|| panic!("{} missing from --help:\n{help}", format.command));
        let first_words: String = about
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            line.contains(&first_words),
            "{line:?} should start {about:?}"
        );
        let own = stdout(&run(&[format.command, "--help"]));
        let folded = own.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(folded.starts_with(about), "{}: {own}", format.command);
    }
}

// Every command's arguments are deferred (clap builds them when the command
// runs); an Args type flattened into a command once carried a doc comment
// that, applied at that build, replaced the command's own words.
#[test]
fn every_command_opens_its_help_with_what_the_top_level_says_of_it() {
    let help = stdout(&run(&["--help"]));
    // The Commands list: `  name  words`, words that wrap continue indented.
    let mut listed: Vec<(String, String)> = Vec::new();
    for line in help
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
    {
        match line.strip_prefix("  ").filter(|l| !l.starts_with(' ')) {
            Some(entry) => {
                let (name, words) = entry.split_once(' ').expect("a name and its words");
                listed.push((name.to_owned(), words.trim().to_owned()));
            }
            None => listed.last_mut().expect("a command before").1 += &format!(" {}", line.trim()),
        }
    }
    assert!(listed.len() > 10, "{help}");
    for (name, words) in listed.iter().filter(|(name, _)| name != "help") {
        let own = stdout(&run(&[name, "-h"]));
        let first = own.split("\n\n").next().unwrap_or_default();
        let folded = first.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(&folded, words, "{name} -h opens:\n{own}");
    }
}

// Issue 14's first-hour findings, each as it happened.

#[test]
fn a_pasted_domain_is_trimmed_and_the_https_port_dropped() {
    for domain in [
        "  acme.coupahost.com\n",
        "acme.coupahost.com:443",
        "https://acme.coupahost.com:443/",
    ] {
        let out = run(&["curl", "--domain", domain]);
        assert!(out.status.success(), "{domain:?}: {}", stderr(&out));
        assert!(
            stderr(&out).is_empty(),
            "{domain:?}: no warning: {}",
            stderr(&out)
        );
        assert!(
            stdout(&out).contains("'https://acme.coupahost.com/oauth2/token'"),
            "{domain:?}"
        );
    }
    let out = run(&["curl", "--domain", "acme.coupahost.com:8443"]);
    assert!(stdout(&out).contains("'https://acme.coupahost.com:8443/oauth2/token'"));
}

#[test]
fn a_domain_outside_coupas_forms_is_warned_about_and_still_used() {
    let cases = [
        ("acme", "did you mean acme.coupahost.com?"),
        ("acme.coupahost.co", "did you mean acme.coupahost.com?"),
        ("acme.coupacloud.cm", "did you mean acme.coupacloud.com?"),
        ("acme.coupa.com", "is not of a form Coupa uses;"),
    ];
    for (domain, hint) in cases {
        let out = run(&["curl", "--domain", domain]);
        assert!(out.status.success(), "{domain}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.starts_with(&format!(
                "warning: --domain '{domain}' is not of a form Coupa uses"
            )),
            "{err}"
        );
        assert!(err.contains(hint), "{domain}: {err}");
        assert!(
            err.contains("<org>.coupahost.com") && err.contains("vanity or private host"),
            "{err}"
        );
        assert!(stdout(&out).contains(&format!("https://{domain}/oauth2/token")));
    }
    for domain in [
        "acme.coupahost.com",
        "acme-test.coupahost.com",
        "demo.coupacloud.com",
        "localhost:8443",
        "127.0.0.1:8443",
    ] {
        assert!(
            stderr(&run(&["curl", "--domain", domain])).is_empty(),
            "{domain}"
        );
    }
}

/// User consent's options: each bad value or combination is named with the fix.
#[test]
fn bad_consent_inputs_and_combinations() {
    let d = ["--domain", GUIDE_DOMAIN];
    let cc = |extra: &[&'static str]| [&d[..], extra].concat();
    let ac = |extra: &[&'static str]| [&d[..], &["--grant", "authorization-code"], extra].concat();
    let cb = "https://acme.moveworks.com/auth/oauthCallback";
    for (flag, extra) in [
        ("--pkce", &["--pkce"][..]),
        ("--redirect-uri", &["--redirect-uri", cb][..]),
        ("--moveworks-org", &["--moveworks-org", "acme"][..]),
        ("--no-offline-access", &["--no-offline-access"][..]),
    ] {
        rejects(
            &cc(extra),
            &[
                flag,
                "is for the authorization-code grant",
                "add --grant authorization-code",
            ],
        );
    }
    rejects(
        &ac(&[]),
        &["--redirect-uri is missing", "--moveworks-org ORG"],
    );
    let bad_uris: &[(&str, &str)] = &[
        (
            "http://acme.example.com/cb",
            "use https (http only for a loopback address",
        ),
        ("https://acme.example.com/cb#top", "no fragment"),
        (
            "https://a.example.com/cb,https://b.example.com/cb",
            "give each URI with its own --redirect-uri",
        ),
        (
            "acme.moveworks.com/auth/oauthCallback",
            "give the whole URL",
        ),
        ("ftp://acme.example.com/cb", "an https URL"),
        ("https:///cb", "needs a host"),
        ("https://a b.example.com/", "no spaces"),
    ];
    for (uri, why) in bad_uris {
        rejects(&ac(&["--redirect-uri", uri]), &["--redirect-uri '", why]);
    }
    rejects(
        &ac(&[
            "--moveworks-org",
            "https://acme.am-eu-central.moveworks.com",
        ]),
        &[
            "--moveworks-org",
            "use --moveworks-org acme --moveworks-region eu",
        ],
    );
    rejects(
        &ac(&["--moveworks-org", "acme_corp"]),
        &["--moveworks-org 'acme_corp'", "letters, digits and hyphens"],
    );
    rejects(
        &ac(&["--moveworks-region", "eu", "--redirect-uri", cb]),
        &["--moveworks-region needs --moveworks-org"],
    );
    rejects(
        &ac(&[
            "--redirect-uri",
            cb,
            "--no-offline-access",
            "--scope",
            "core.approval.read offline_access",
            "--resource",
            "approvals",
        ]),
        &["--scope 'offline_access'", "drop one of the two"],
    );
    let out = crate::support::run(&[&["sheet"][..], &cc(&["--grant", "implicit"])].concat());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("[possible values: client-credentials, authorization-code]"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn consent_defaults_and_moveworks_callbacks() {
    let spec = crate::support::spec(&[
        "--domain",
        GUIDE_DOMAIN,
        "--grant",
        "authorization-code",
        "--redirect-uri",
        "http://localhost:8765/callback",
        "--moveworks-org",
        "acme",
        "--moveworks-region",
        "ca",
    ]);
    let consent = spec.consent.as_ref().expect("user consent");
    let uris: Vec<&str> = consent.redirect_uris.iter().map(|u| u.as_str()).collect();
    assert_eq!(
        uris,
        [
            "http://localhost:8765/callback",
            "https://acme.am-ca-central.moveworks.com/auth/oauthCallback"
        ],
        "the given URI first, then Moveworks' callback"
    );
    assert_eq!(spec.scope_list(), "core.approval.read offline_access");
    assert_eq!(spec.connector_name.as_str(), "Coupa Consent Auth Connector");
    assert!(consent.offline_access && !consent.pkce);
    assert_eq!(
        consent.redirect_uris[0].loopback(),
        Some(("127.0.0.1:8765".into(), "/callback".into()))
    );
    let without = crate::support::spec(&[
        "--domain",
        GUIDE_DOMAIN,
        "--grant",
        "authorization-code",
        "--moveworks-org",
        "acme",
        "--no-offline-access",
    ]);
    assert_eq!(without.scope_list(), "core.approval.read");
    // Client credentials keeps its defaults.
    let cc = crate::support::spec(&["--domain", GUIDE_DOMAIN]);
    assert!(cc.consent.is_none());
    assert_eq!(cc.scope_list(), "core.expense.read");
}

#[test]
fn verify_refuses_to_share_standard_input_with_the_consent() {
    let out = Command::new(bin())
        .args([
            "verify",
            "--domain",
            GUIDE_DOMAIN,
            "--grant",
            "authorization-code",
            "--redirect-uri",
            "https://acme.moveworks.com/auth/oauthCallback",
            "--client-secret-stdin",
        ])
        .env_clear()
        .env("COUPA_CLIENT_ID", "id")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--client-secret-stdin cannot share standard input with the consent"),
        "{}",
        stderr(&out)
    );
}

/// Completions load in bash and complete coupagen's own commands and flags;
/// zsh and fish load theirs where installed.
#[test]
fn completions_load_in_their_shells_and_know_the_commands() {
    let script = stdout(&crate::support::run(&["completions", "bash"]));
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "{script}\nCOMP_WORDS=(coupagen bu); COMP_CWORD=1; _coupagen coupagen bu coupagen; echo \"${{COMPREPLY[*]}}\"\n\
             COMP_WORDS=(coupagen bundle --use); COMP_CWORD=2; _coupagen coupagen --use bundle; echo \"${{COMPREPLY[*]}}\"\n\
             complete -p coupagen"
        ))
        .output()
        .unwrap();
    let said = stdout(&out);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(lines[0], "bundle", "{said}");
    assert!(
        lines[1].contains("--use-case") && lines[1].contains("--use-case-file"),
        "{said}"
    );
    assert!(
        lines[2].starts_with("complete ") && lines[2].contains("-F _coupagen coupagen"),
        "{said}"
    );
    for (shell, tool) in [("zsh", &ZSH), ("fish", &FISH)] {
        let Some(_) = tool.find() else { continue };
        let script = stdout(&crate::support::run(&["completions", shell]));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("coupagen-completion");
        fs::write(&file, script).unwrap();
        let load = match shell {
            "zsh" => format!(
                "autoload -Uz compinit && compinit -u && source {}",
                file.display()
            ),
            _ => format!("source {}", file.display()),
        };
        let out = Command::new(shell).args(["-c", &load]).output().unwrap();
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
    }
}

/// The man pages are read off the same definitions as --help: every flag
/// --help lists is in the page, and man renders it.
#[test]
fn man_pages_hold_every_flag_help_lists() {
    for command in ["bundle", "verify", "sheet", "use-cases"] {
        let help = stdout(&crate::support::run(&[command, "--help"]));
        let page = stdout(&crate::support::run(&["man", command]));
        assert!(page.starts_with(".ie") || page.contains(".TH"), "{page}");
        let flags: Vec<&str> = help
            .split_whitespace()
            .filter(|w| w.starts_with("--") && w.len() > 2)
            .map(|w| {
                w.trim_end_matches([',', '.', ']', ')'])
                    .split(['=', '['])
                    .next()
                    .unwrap()
            })
            .collect();
        assert!(!flags.is_empty());
        for flag in flags {
            // roff escapes each '-' as '\-'.
            let roff = flag.replace('-', "\\-");
            assert!(
                page.contains(&roff),
                "{command}: {flag} is in --help but not in the man page"
            );
        }
    }
    let out = crate::support::run(&["man", "bundel"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no such command"), "{}", stderr(&out));
    if let Some(man) = MAN.find() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("coupagen.1");
        fs::write(&file, stdout(&crate::support::run(&["man"]))).unwrap();
        let out = Command::new(man)
            .arg("-l")
            .arg(&file)
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "80")
            .output()
            .unwrap();
        assert!(
            stdout(&out).contains("coupagen-bundle(1)"),
            "{}",
            stderr(&out)
        );
    }
}
