//! Names others rely on: Postman variables, the environment the check
//! script and `verify` read, Bruno's and the HTTP file's variables and
//! OpenAPI's schemes. README's "Names you can rely on" lists these;
//! change one only with it.

/// Postman collection variables: the guide's own placeholders, and when the
/// stored token expires (ms since the epoch).
pub mod postman {
    pub const DOMAIN: &str = "INSTANCE_DOMAIN";
    pub const SCOPES: &str = "SPACE_SEPARATED_LIST_OF_SCOPES";
    pub const ACCESS_TOKEN: &str = "generated_bearer_token";
    pub const EXPIRY: &str = "token_expires_at";
    /// When the token came, in ms: a 401 before Coupa's buffer is retried.
    pub const ISSUED: &str = "token_issued_at";
    /// Run-local: the request being sent again and why (once each way), and
    /// when the last requests started (the pace).
    pub const RETRY: &str = "coupa_retry";
    pub const STARTS: &str = "coupa_request_starts";
    /// Where the token request was redirected to, when it was: until it
    /// answers without one, no script sends the secret again.
    pub const TOKEN_REDIRECTED: &str = "token_redirected_to";
    /// Several instances: the host whose token the collection holds, so
    /// that another environment's requests fetch their own.
    pub const TOKEN_INSTANCE: &str = "token_instance";
    /// The credential placeholders' defaults; `--client-id-var` and
    /// `--client-secret-var` rename them.
    pub const DEFAULT_CLIENT_ID: &str = "Identifier";
    pub const DEFAULT_CLIENT_SECRET: &str = "Secret";
    /// User consent (authorization code): the redirect URI the code exchange
    /// sends; a fresh code to exchange, or a refresh token, for an unattended
    /// run (`--env-var`); the PKCE verifier that goes with the code; and, in
    /// the curl file, the authorization URL's `state` and PKCE challenge.
    pub const REDIRECT_URI: &str = "redirect_uri";
    pub const AUTHORIZATION_CODE: &str = "authorization_code";
    pub const REFRESH_TOKEN: &str = "refresh_token";
    pub const CODE_VERIFIER: &str = "code_verifier";
    pub const STATE: &str = "state";
    pub const CODE_CHALLENGE: &str = "code_challenge";
    /// Use cases: `true` lets the requests that change Coupa data run.
    pub const ALLOW_WRITES: &str = "allow_writes";
    /// Names the collection uses itself, which a placeholder must not shadow.
    pub const RESERVED: &[&str] = &[
        DOMAIN,
        SCOPES,
        ACCESS_TOKEN,
        EXPIRY,
        ISSUED,
        RETRY,
        STARTS,
        TOKEN_REDIRECTED,
        TOKEN_INSTANCE,
        REDIRECT_URI,
        AUTHORIZATION_CODE,
        REFRESH_TOKEN,
        CODE_VERIFIER,
        STATE,
        CODE_CHALLENGE,
        ALLOW_WRITES,
    ];
}

/// A bundle's own record: the inputs it was made from, which `verify` reads
/// when run in the kit's folder, and its copy of `--use-case-file`, which
/// the record names relative to itself.
pub mod kit {
    pub const CONFIG: &str = "coupagen.json";
    pub const USE_CASES: &str = "use-cases.json";
}

/// The environment the check script and `verify` read.
pub mod env {
    pub const CLIENT_ID: &str = "COUPA_CLIENT_ID";
    pub const CLIENT_SECRET: &str = "COUPA_CLIENT_SECRET";
    pub const INSTANCE_DOMAIN: &str = "COUPA_INSTANCE_DOMAIN";
    pub const SCOPE: &str = "COUPA_SCOPE";
    /// User consent: a refresh token, for a run without a person.
    pub const REFRESH_TOKEN: &str = "COUPA_REFRESH_TOKEN";
    /// Use cases: `1` lets the check script run requests that change Coupa data.
    pub const ALLOW_WRITES: &str = "COUPA_ALLOW_WRITES";
    /// A kit of several instances: which one the check script calls.
    pub const INSTANCE: &str = "COUPA_INSTANCE";
    /// An instance's own value of `var` (CLIENT_ID, CLIENT_SECRET or
    /// REFRESH_TOKEN): `COUPA_TEST_CLIENT_ID` for `test`; `var` itself
    /// stands in when that is unset.
    pub fn of_instance(var: &str, instance: &str) -> String {
        let rest = var.strip_prefix("COUPA_").unwrap_or(var);
        format!("COUPA_{}_{rest}", instance.to_ascii_uppercase())
    }
    /// `coupagen mcp --listen`: the bearer key every HTTP client sends.
    pub const MCP_KEY: &str = "COUPAGEN_MCP_KEY";
    /// Use cases: each input comes from `COUPA_` and its name in upper case,
    /// `user_email` from `COUPA_USER_EMAIL`.
    pub fn input(name: &str) -> String {
        format!("COUPA_{}", name.to_ascii_uppercase())
    }
}

/// Bruno: the environment `bru run --env` names, and the variables the
/// collection sets and reads (the flow's and use cases' others are Postman's).
pub mod bruno {
    pub const ENVIRONMENT: &str = "coupa";
    pub const HOST: &str = "host";
    pub const SCOPE: &str = "scope";
    pub const ACCESS_TOKEN: &str = "access_token";
    /// A kit of several instances: the runtime variables the credentials go
    /// in, each read from the process variable its environment names in
    /// the `_env` variable beside it (`client_id_env: COUPA_TEST_CLIENT_ID`).
    /// Each: the runtime variable, the environment's `_env` variable, and
    /// the shared process variable that stands in.
    pub const CREDENTIALS: &[(&str, &str, &str)] = &[
        ("client_id", "client_id_env", super::env::CLIENT_ID),
        (
            "client_secret",
            "client_secret_env",
            super::env::CLIENT_SECRET,
        ),
        (
            "refresh_token",
            "refresh_token_env",
            super::env::REFRESH_TOKEN,
        ),
    ];
    /// Runtime variables: when the token came (Coupa's token buffer), the
    /// request being sent again, and when the last requests started.
    pub const ISSUED: &str = "token_issued_at";
    pub const RETRY: &str = "coupa_retry";
    pub const STARTS: &str = "coupa_request_starts";
}

/// The HTTP file (JetBrains HTTP Client, httpyac): the environment `--env`
/// names and the variables its requests read from `http-client.env.json` or
/// `http-client.private.env.json` (the flow's and use cases' others are
/// Postman's); a request sets `encoded-<name>` for each value it puts into a
/// URL or form, a name no input can take.
pub mod http {
    pub const ENVIRONMENT: &str = "coupa";
    pub const HOST: &str = "host";
    pub const SCOPE: &str = "scope";
    pub const ACCESS_TOKEN: &str = "access_token";
    /// A global: when the token came (Coupa's token buffer).
    pub const ISSUED: &str = "token_issued_at";
    /// httpyac's `# @ratelimit` slot every API request shares.
    pub const RATE_SLOT: &str = "coupa";
    pub const CLIENT_ID: &str = "client_id";
    pub const CLIENT_SECRET: &str = "client_secret";
    /// The file that holds the credentials for a person who runs the file
    /// in a JetBrains IDE; the kit never writes it.
    pub const PRIVATE_ENV_FILE: &str = "http-client.private.env.json";
    /// A kit of several instances: each environment names the process
    /// variables that hold its own credentials (`client_id_env:
    /// COUPA_TEST_CLIENT_ID`), which win over the shared ones.
    pub const CLIENT_ID_ENV: &str = "client_id_env";
    pub const CLIENT_SECRET_ENV: &str = "client_secret_env";
    pub const REFRESH_TOKEN_ENV: &str = "refresh_token_env";
    pub const ENCODED_PREFIX: &str = "encoded-";
}

/// OpenAPI: the security schemes' names.
pub mod openapi {
    pub const OAUTH2: &str = "coupa_oauth2";
    pub const BEARER: &str = "bearer";
}
