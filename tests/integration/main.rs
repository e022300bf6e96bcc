//! The integration tests, one binary (as ripgrep does) so `support` and the
//! stand-in compile once. One module per concern:
//!
//! - `cli`: help, every bad input's message and exit status, safe writing
//! - `snapshots`: every artifact and the planned model, reviewed like code
//! - `coverage`: the catalog, derived and checked scopes, query options
//! - `hostile`: property tests of every escape path, read back by consumers
//! - `faults`: hostile servers and faults: redirects, echoes, a stopped script
//! - `safety`: config errors, all-or-nothing bundles, pipes, determinism
//! - `real_clients`: newman, bash + curl, shellcheck against the loopback Coupa
//! - `verify`: `coupagen verify` against the loopback Coupa
//! - `consent`: user consent in newman, the script and verify, the test as the browser
//! - `usecases`: use cases in newman, the script, compound-action YAML and verify
//! - `approvals`: my-approvals-history (user consent) and the requisition approval agent in every runner
//! - `openapi`: the OpenAPI document in redocly, openapi-to-postmanv2 and newman
//! - `bruno`: the Bruno collection in `bru run` and Bruno's own parser
//! - `http`: the HTTP file in `httpyac send`
//! - `instances`: a kit of test and production, each instance its own stand-in, in every runner
//! - `mcp`: `coupagen mcp` driven by the MCP Python SDK, over stdio and HTTP
//! - `templates`: every template value passes through an escaper
//! - `scripts`: every script a kit hands a JavaScript client passes `node --check`
//! - `regression`: tests named after the bug each caught, with its fixing commit
//! - `tokens`: Coupa's token buffer, a revoked token and a 429 in every runner
//! - `first_hour`: issue 28's first hour as a new user, each test named after what misled

mod support;

mod approvals;
mod bodies;
mod bruno;
mod cli;
mod consent;
mod coverage;
mod faults;
mod first_hour;
mod hostile;
mod http;
mod instances;
mod mcp;
mod openapi;
mod picks;
mod reads;
mod real_clients;
mod regression;
mod safety;
mod scripts;
mod snapshots;
mod templates;
mod tokens;
mod usecases;
mod verify;
