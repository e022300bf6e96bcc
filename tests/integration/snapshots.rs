//! Every artifact, snapshotted for the guide's example and for a kit with
//! every naming option changed; plus the guide's values asserted one by one.

use crate::support::{artifact, artifacts, spec, GUIDE_DOMAIN, SHEET_JSON, SHEET_MD};

fn snapshot_all(case: &str, args: &[&str]) {
    let mut settings = crate::support::snapshot_settings();
    settings.set_description(format!("coupagen {}", args.join(" ")));
    settings.bind(|| {
        for a in artifacts(args) {
            if a.path == "coupa.postman_collection.json" {
                crate::support::assert_valid_collection(&a.text);
            }
            // A file in a folder (agent-studio/x.yaml) is one snapshot name.
            let name = a.path.replace('/', "--");
            insta::assert_snapshot!(format!("{case}__{name}"), a.text);
        }
    });
}

#[test]
fn guide_example() {
    snapshot_all(
        "guide",
        &["--domain", GUIDE_DOMAIN, "--scope", "core.expense.read"],
    );
}

#[test]
fn custom_names_and_limit() {
    snapshot_all(
        "custom",
        &[
            "--domain",
            "https://ACME-test.coupahost.com/",
            "--client-id-var",
            "coupa_client_id",
            "--client-secret-var",
            "coupa.client-secret",
            "--connector-name",
            "Coupa | \"Finance\" `prod` & co",
            "--limit",
            "25",
        ],
    );
}

/// The use-case issue's done-when example: both Moveworks plugins for
/// expense approvals.
#[test]
fn use_cases() {
    snapshot_all(
        "usecases",
        &[
            "--domain",
            "acme.coupahost.com",
            "--use-case",
            "pending-expense-approvals,approve-expense-report",
        ],
    );
}

/// The done-when example of user consent: Moveworks' callback only.
#[test]
fn user_consent() {
    snapshot_all(
        "consent",
        &[
            "--grant",
            "authorization-code",
            "--domain",
            "acme.coupahost.com",
            "--redirect-uri",
            "https://acme.moveworks.com/auth/oauthCallback",
        ],
    );
}

/// User consent with every option: PKCE, a loopback URI before a regional
/// Moveworks callback, two resources, no offline_access.
#[test]
fn user_consent_with_every_option() {
    snapshot_all(
        "consent-pkce",
        &[
            "--grant",
            "authorization-code",
            "--domain",
            "acme-test.coupahost.com",
            "--pkce",
            "--redirect-uri",
            "http://127.0.0.1:8765/callback",
            "--moveworks-org",
            "acme",
            "--moveworks-region",
            "eu",
            "--resource",
            "approvals,expense_reports",
            "--no-offline-access",
        ],
    );
}

/// Step 2 of the guide, with the domain and scope filled in; but for
/// `--location`, which would send the secret on to wherever a redirect
/// points (issue 26).
#[test]
fn curl_reproduces_the_guides_token_request() {
    let spec = spec(&["--domain", GUIDE_DOMAIN, "--scope", "core.expense.read"]);
    let curl = crate::support::artifact(&spec, "coupa-requests.curl");
    let expected = format!(
        "curl 'https://{GUIDE_DOMAIN}/oauth2/token' \\\n\
         --header 'Content-Type: application/x-www-form-urlencoded' \\\n\
         --data-urlencode 'grant_type=client_credentials' \\\n\
         --data-urlencode 'client_id={{{{Identifier}}}}' \\\n\
         --data-urlencode 'client_secret={{{{Secret}}}}' \\\n\
         --data-urlencode 'scope=core.expense.read'\n"
    );
    assert!(curl.contains(&expected), "{curl}");
    let api = format!(
        "curl --location 'https://{GUIDE_DOMAIN}/api/expense_reports?limit=1' \\\n\
         --header 'Accept: application/json' \\\n\
         --header 'Authorization: Bearer {{{{generated_bearer_token}}}}'\n"
    );
    assert!(curl.contains(&api), "{curl}");
}

/// Step 3 of the guide: every connector field and the action's values.
#[test]
fn sheet_reproduces_the_guides_agent_studio_fields() {
    let spec = spec(&["--domain", GUIDE_DOMAIN, "--scope", "core.expense.read"]);
    let json: serde_json::Value = serde_json::from_str(&artifact(&spec, SHEET_JSON)).unwrap();
    let base = format!("https://{GUIDE_DOMAIN}");
    let token_url = format!("{base}/oauth2/token");
    let expected = serde_json::json!({
        "connection_name": "Coupa Connector",
        "base_url": base,
        "auth_config": "Oauth2",
        "oauth2_grant_type": "Client Credentials Grant",
        "client_id": "{{Identifier}}",
        "client_secret": "{{Secret}}",
        "client_credentials_grant_scope": "core.expense.read",
        "oauth2_token_url": token_url,
    });
    assert_eq!(json["connector"], expected);
    // Import cURL: the connector supplies the token, so the command sends none.
    let import = json["actions"][0]["curl"].as_str().unwrap();
    assert!(
        import.contains("--header 'Accept: application/json'"),
        "{import}"
    );
    assert!(!import.contains("Authorization"), "{import}");
    assert_eq!(json["actions"][0]["connector"], "Coupa Connector");
    let action = &json["actions"][0];
    assert_eq!(action["endpoint_path"], "/api/expense_reports");
    assert_eq!(action["method"], "GET");
    assert_eq!(
        action["headers"],
        serde_json::json!([{"key": "Accept", "value": "application/json"}])
    );
    assert_eq!(
        action["query_parameters"],
        serde_json::json!([{"key": "limit", "value": "1"}])
    );

    let md = artifact(&spec, SHEET_MD);
    for row in [
        "| Connection Name | `Coupa Connector` |".to_string(),
        format!("| Base URL | `https://{GUIDE_DOMAIN}` |"),
        "| Auth Config | `Oauth2` |".into(),
        "| OAuth2 Grant Type | `Client Credentials Grant` |".into(),
        "| Client ID | `{{Identifier}}` |".into(),
        "| Client Secret | `{{Secret}}` |".into(),
        "| Client Credentials Grant Scope | `core.expense.read` |".into(),
        format!("| OAuth2 Token URL | `https://{GUIDE_DOMAIN}/oauth2/token` |"),
        "| Connector | Inherit from existing connector → `Coupa Connector` |".into(),
        "| Action Name | `coupa_list_expense_reports` |".into(),
        "| Endpoint URL | `/api/expense_reports` |".into(),
        "| Method | `GET` |".into(),
        "| `Accept` | `application/json` |".into(),
        "| `limit` | `1` |".into(),
    ] {
        assert!(md.contains(&row), "missing {row}\n{md}");
    }
}

#[test]
fn postman_wires_the_token_into_the_calls() {
    let spec = spec(&["--domain", GUIDE_DOMAIN]);
    let c: serde_json::Value = serde_json::from_str(&crate::support::artifact(
        &spec,
        "coupa.postman_collection.json",
    ))
    .unwrap();
    assert_eq!(
        c["info"]["schema"],
        "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    );
    assert_eq!(
        c["auth"]["bearer"][0]["value"],
        "{{generated_bearer_token}}"
    );
    let token = &c["item"][0];
    assert_eq!(token["request"]["auth"]["type"], "noauth");
    let form: Vec<(String, String)> = token["request"]["body"]["urlencoded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["key"].as_str().unwrap().into(),
                f["value"].as_str().unwrap().into(),
            )
        })
        .collect();
    let pairs = |v: &[(&str, &str)]| {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        form,
        pairs(&[
            ("grant_type", "client_credentials"),
            ("client_id", "{{Identifier}}"),
            ("client_secret", "{{Secret}}"),
            ("scope", "{{SPACE_SEPARATED_LIST_OF_SCOPES}}"),
        ])
    );
    let vars: Vec<&str> = c["variable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["key"].as_str().unwrap())
        .collect();
    assert!(vars.starts_with(&[
        "INSTANCE_DOMAIN",
        "SPACE_SEPARATED_LIST_OF_SCOPES",
        "generated_bearer_token"
    ]));
    // The token test's config names the variable its fixed text stores into.
    let test_script: Vec<&str> = token["event"][0]["script"]["exec"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert!(test_script.contains(&"  \"tokenVar\": \"generated_bearer_token\","));
    assert!(test_script
        .iter()
        .any(|l| l.contains("pm.collectionVariables.set(config.tokenVar, ")));
}

#[test]
fn environment_holds_the_credentials_empty_and_the_secret_typed_secret() {
    let spec = spec(&["--domain", GUIDE_DOMAIN, "--client-secret-var", "S"]);
    let e: serde_json::Value = serde_json::from_str(&crate::support::artifact(
        &spec,
        "coupa.postman_environment.json",
    ))
    .unwrap();
    assert_eq!(e["_postman_variable_scope"], "environment");
    assert_eq!(
        e["values"],
        serde_json::json!([
            {"key": "Identifier", "value": "", "type": "default", "enabled": true},
            {"key": "S", "value": "", "type": "secret", "enabled": true},
        ])
    );
}

#[test]
fn same_input_same_bytes() {
    let args = [
        "--domain",
        GUIDE_DOMAIN,
        "--resource",
        "invoices,expense_reports",
        "--limit",
        "5",
    ];
    assert_eq!(artifacts(&args), artifacts(&args));
}

fn multi() -> Vec<&'static str> {
    [&["--domain", GUIDE_DOMAIN][..], crate::support::MULTI_ARGS].concat()
}

#[test]
fn multi_resource_kit() {
    snapshot_all("multi", &multi());
}

#[test]
fn multi_resource_kit_groups_by_area_and_derives_sorted_scopes() {
    let spec = spec(&multi());
    assert_eq!(
        spec.scope_list(),
        "core.expense.read core.invoice.read core.purchase_order.read core.supplier.read core.user.read"
    );
    let c: serde_json::Value = serde_json::from_str(&crate::support::artifact(
        &spec,
        "coupa.postman_collection.json",
    ))
    .unwrap();
    let folders: Vec<&str> = c["item"].as_array().unwrap()[1..]
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        folders,
        ["Expenses", "Invoices", "Procurement", "Suppliers", "Users"]
    );
    let query = &c["item"][2]["item"][0]["request"]["url"]["query"];
    assert_eq!(
        query,
        &serde_json::json!([
            {"key": "limit", "value": "10"},
            {"key": "updated_at[gt]", "value": "2024-01-01T00%3A00%3A00%2B00%3A00"},
            {"key": "fields", "value": "[%22id%22,%22status%22,%7B%22supplier%22%3A[%22name%22]%7D]"},
            {"key": "return_object", "value": "limited"},
        ])
    );
    let sheet: serde_json::Value = serde_json::from_str(&artifact(&spec, SHEET_JSON)).unwrap();
    assert_eq!(sheet["actions"].as_array().unwrap().len(), 5);
    assert_eq!(
        sheet["actions"][1]["query_parameters"][1],
        serde_json::json!({"key": "updated_at[gt]", "value": "2024-01-01T00:00:00+00:00"})
    );
}

/// The planned model itself, beside the artifacts it renders into: a change
/// to a request shows here once, then in every artifact.
#[test]
fn planned_model() {
    let spec = spec(&["--domain", GUIDE_DOMAIN, "--scope", "core.expense.read"]);
    let kit = coupagen::kit::plan(&spec);
    let mut settings = crate::support::snapshot_settings();
    settings.set_description("coupagen's kit for the guide's example, before any format binds it");
    settings.bind(|| {
        insta::assert_snapshot!("guide__model", serde_json::to_string_pretty(&kit).unwrap());
    });
}

/// The user-consent flow as the model plans it: the authorization request a
/// browser makes, the exchange and the refresh.
#[test]
fn planned_consent_model() {
    let spec = spec(&[
        "--grant",
        "authorization-code",
        "--domain",
        "acme.coupahost.com",
        "--redirect-uri",
        "https://acme.moveworks.com/auth/oauthCallback",
    ]);
    let kit = coupagen::kit::plan(&spec);
    let mut settings = crate::support::snapshot_settings();
    settings.set_description("coupagen's user-consent kit, before any format binds it");
    settings.bind(|| {
        insta::assert_snapshot!(
            "consent__model",
            serde_json::to_string_pretty(&kit).unwrap()
        );
    });
}

/// A kit of two instances, test and production: an environment each, the
/// collection instance-free, a connector each in the sheet.
#[test]
fn two_instances() {
    snapshot_all(
        "instances",
        &[
            "--instance",
            "test=acme-test.coupahost.com",
            "--instance",
            "production=acme.coupahost.com",
            "--use-case",
            "approve-requisition",
        ],
    );
}

/// User consent over two instances: each its own refresh token.
#[test]
fn two_instances_with_consent() {
    snapshot_all(
        "instances-consent",
        &[
            "--instance",
            "test=acme-test.coupahost.com",
            "--instance",
            "production=acme.coupahost.com",
            "--grant",
            "authorization-code",
            "--moveworks-org",
            "acme",
        ],
    );
}
