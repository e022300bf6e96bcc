//! The bundle's README: each file the formats write, and the next steps.

use serde::Serialize;

use super::script::{self, EnvNames, ENV_NAMES};
use super::templates::{context, render};
use super::{Artifact, FORMATS};
use crate::coupa;
use crate::kit::Kit;
use crate::Error;

pub const FILE: &str = "README.md";

pub fn file(kit: &Kit<'_>) -> Result<Artifact, Error> {
    #[derive(Serialize)]
    struct UseCaseView {
        id: String,
        name: String,
        inputs: Vec<String>,
        writes: bool,
    }
    /// A use case's input as the verify and check-script commands give it.
    #[derive(Serialize)]
    struct InputView {
        name: String,
        /// `--input NAME=VALUE`'s word.
        given: String,
        env: String,
        example: String,
    }
    #[derive(Serialize)]
    struct View<'a> {
        use_cases: Vec<UseCaseView>,
        inputs: Vec<InputView>,
        allow_writes: String,
        consent: Option<ConsentView>,
        domain: &'a str,
        scopes: String,
        grant_label: &'static str,
        client_id_var: &'a str,
        client_secret_var: &'a str,
        files: Vec<FileView>,
        script_file: &'static str,
        sheet_file: &'static str,
        config_file: &'static str,
        environment_file: &'static str,
        /// newman on the collection, the credentials from the shell.
        newman: String,
        token_item: &'a str,
        env: EnvNames,
        setup: &'static str,
        setup_path: &'static str,
        /// Several instances: each one's names in every runner.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        instances: Vec<InstanceView>,
        /// A scheduled CI job that runs verify, line by line.
        ci_job: Vec<String>,
        junit_file: &'static str,
        rules: Rules,
    }
    #[derive(Serialize)]
    struct InstanceView {
        name: String,
        domain: String,
        credentials: String,
        postman_environment: String,
        newman: String,
    }
    /// Coupa's token buffer and rate limit, as the runners follow them.
    #[derive(Serialize)]
    struct Rules {
        buffer_secs: String,
        burst: String,
        rate_limit: &'static str,
        retry_after_max: String,
    }
    #[derive(Serialize)]
    struct ConsentView {
        pkce: bool,
        offline_access: bool,
        redirect_uris: String,
        refresh_days: u32,
        postman_callback: &'static str,
        code_var: &'static str,
        refresh_var: &'static str,
    }
    #[derive(Serialize)]
    struct FileView {
        name: String,
        purpose: &'static str,
    }
    let compound = (!kit.use_cases.is_empty()).then_some(&super::COMPOUND_FILES);
    let files = FORMATS
        .iter()
        .flat_map(|f| f.files)
        .chain(compound)
        .chain([&super::CONFIG_FILE])
        .chain(kit.use_case_file.map(|_| &super::USE_CASE_FILE))
        .map(|f| FileView {
            name: match (kit.multi(), f == &super::postman::ENVIRONMENT_FILE) {
                (true, true) => super::postman::environment_path("<instance>"),
                _ => f.path.to_string(),
            },
            purpose: f.purpose,
        })
        .collect();
    let instances = match kit.multi() {
        false => Vec::new(),
        true => super::postman::environment_files(kit)
            .into_iter()
            .filter_map(|f| {
                let i = f.instance?;
                Some(InstanceView {
                    name: i.name.as_str().into(),
                    domain: i.domain.as_str().into(),
                    credentials: super::credential_vars(kit)
                        .iter()
                        .map(|v| crate::contract::env::of_instance(v, i.name.as_str()))
                        .collect::<Vec<_>>()
                        .join(", "),
                    newman: newman_for(kit, &f.path, Some(&i.name)),
                    postman_environment: f.path,
                })
            })
            .collect(),
    };
    let mut inputs: Vec<InputView> = Vec::new();
    for arg in kit.use_cases.iter().flat_map(|u| u.inputs()) {
        if !inputs.iter().any(|i| i.name == arg.name) {
            inputs.push(InputView {
                name: arg.name.to_owned(),
                given: format!("{}={}", arg.name, arg.example),
                env: crate::contract::env::input(arg.name),
                example: arg.example.clone(),
            });
        }
    }
    let view = View {
        inputs,
        use_cases: kit
            .use_cases
            .iter()
            .map(|u| UseCaseView {
                id: u.id.clone(),
                name: u.name.clone(),
                inputs: u
                    .inputs()
                    .map(|a| crate::contract::env::input(a.name))
                    .collect(),
                writes: u.writes(),
            })
            .collect(),
        allow_writes: format!("{}=1", crate::contract::env::ALLOW_WRITES),
        consent: kit.consent.as_ref().map(|c| ConsentView {
            pkce: c.pkce,
            offline_access: c.offline_access,
            redirect_uris: c
                .redirect_uris
                .iter()
                .map(|u| u.as_str())
                .collect::<Vec<_>>()
                .join(","),
            refresh_days: coupa::REFRESH_TOKEN_DAYS,
            postman_callback: super::postman::POSTMAN_CALLBACK,
            code_var: crate::contract::postman::AUTHORIZATION_CODE,
            refresh_var: crate::contract::postman::REFRESH_TOKEN,
        }),
        domain: kit.first().domain.as_str(),
        scopes: kit.scope_list(),
        grant_label: coupa::grant_label(kit.grant),
        client_id_var: kit.names.client_id_var,
        client_secret_var: kit.names.client_secret_var,
        files,
        script_file: script::FILE.path,
        sheet_file: super::sheet::MARKDOWN_FILE.path,
        config_file: super::CONFIG_FILE.path,
        environment_file: super::postman::ENVIRONMENT_FILE.path,
        newman: newman_command(kit),
        token_item: &kit.flow.obtain.name,
        setup: coupa::CLIENT_SETUP,
        setup_path: coupa::CLIENT_SETUP_PATH,
        rules: Rules {
            buffer_secs: coupa::TOKEN_BUFFER_SECS.to_string(),
            burst: coupa::BURST.to_string(),
            rate_limit: coupa::RATE_LIMIT,
            retry_after_max: coupa::RETRY_AFTER_MAX_SECS.to_string(),
        },
        env: ENV_NAMES,
        ci_job: ci_job(kit),
        junit_file: JUNIT_FILE,
        instances,
    };
    let parts = parts(
        view.consent.is_some(),
        !view.use_cases.is_empty(),
        !view.instances.is_empty(),
    );
    let context = context(view)?;
    let text = parts
        .map(|part| render(part, &context))
        .collect::<Result<String, Error>>()?;
    Ok(Artifact {
        path: FILE.into(),
        text,
        executable: false,
    })
}

/// The README's parts in order, the grant, the use cases and the
/// instances choosing which: each a small template, compiled only by a kit
/// that has it, all rendered from the one view.
fn parts(consent: bool, use_cases: bool, instances: bool) -> impl Iterator<Item = &'static str> {
    [
        Some("readme_head"),
        Some(match consent {
            false => "readme_step1",
            true => "readme_consent_step1",
        }),
        Some("readme_verify"),
        consent.then_some("readme_verify_consent"),
        Some("readme_verify_config"),
        Some(match consent {
            false => "readme_postman",
            true => "readme_consent_postman",
        }),
        Some("readme_agent_studio"),
        use_cases.then_some("readme_use_cases"),
        instances.then_some("readme_instances"),
        Some("readme_schedule"),
    ]
    .into_iter()
    .flatten()
}

/// `newman run` as a person runs it from the kit's folder: the credentials
/// given with `--env-var` from the variables step 2 set (no secret typed).
fn newman_command(kit: &Kit<'_>) -> String {
    newman_for(kit, super::postman::ENVIRONMENT_FILE.path, None)
}

/// `newman run` with the environment `file`, the credentials from the
/// instance's own variables when it has a name.
fn newman_for(kit: &Kit<'_>, file: &str, instance: Option<&crate::spec::InstanceName>) -> String {
    use crate::contract::env;
    let mut vars = vec![(kit.names.client_id_var, env::CLIENT_ID)];
    if !kit.consent.as_ref().is_some_and(|c| c.pkce) {
        vars.push((kit.names.client_secret_var, env::CLIENT_SECRET));
    }
    let vars: String = vars
        .iter()
        // A placeholder is letters, digits, `_`, `-` and `.` (VarName):
        // nothing a double-quoted shell word would expand.
        .map(|(var, from)| match instance {
            Some(i) => format!(
                " --env-var \"{var}=${}\"",
                env::of_instance(from, i.as_str())
            ),
            None => format!(" --env-var \"{var}=${from}\""),
        })
        .collect();
    format!(
        "newman run {} -e {file}{vars}",
        super::postman::COLLECTION_FILE.path,
    )
}

/// Where the CI job writes verify's JUnit report.
const JUNIT_FILE: &str = "coupa-verify.xml";

/// A scheduled GitHub Actions job: verify on every instance, the
/// credentials from the repository's secrets, the JUnit report kept.
fn ci_job(kit: &Kit<'_>) -> Vec<String> {
    let secrets: Vec<String> = match kit.multi() {
        true => kit
            .instances
            .iter()
            .flat_map(|i| {
                super::credential_vars(kit)
                    .into_iter()
                    .map(|v| crate::contract::env::of_instance(v, i.name.as_str()))
            })
            .collect(),
        false => super::credential_vars(kit)
            .into_iter()
            .map(String::from)
            .collect(),
    };
    let all = match kit.multi() {
        true => " --all-instances",
        false => "",
    };
    let mut lines: Vec<String> = [
        "name: Coupa connection",
        "on:",
        "  schedule:",
        "    - cron: '17 6 * * 1-5'   # weekdays, 06:17 UTC",
        "  workflow_dispatch:",
        "jobs:",
        "  verify:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      # coupagen from your clone of it (a repository variable holds its address)",
        "      - run: cargo install --locked --git \"$COUPAGEN_GIT\" coupagen",
        "        env:",
        "          COUPAGEN_GIT: ${{ vars.COUPAGEN_GIT }}",
    ]
    .map(String::from)
    .into();
    lines.push(format!(
        "      - run: coupagen verify --config {}{all} --junit {JUNIT_FILE}",
        super::CONFIG_FILE.path
    ));
    lines.push("        env:".into());
    for s in secrets {
        lines.push(format!("          {s}: ${{{{ secrets.{s} }}}}"));
    }
    lines.extend(
        [
            "      - uses: actions/upload-artifact@v4",
            "        if: always()",
            "        with:",
            "          name: coupa-verify",
        ]
        .map(String::from),
    );
    lines.push(format!("          path: {JUNIT_FILE}"));
    lines
}
