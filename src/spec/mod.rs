//! Validated input: [`Inputs`](crate::input::Inputs) in, a [`Spec`] out,
//! through types that cannot hold a bad value. Raw input and `--config` are
//! `input.rs`'s; everything downstream (kit, render, verify) trusts these
//! types, and validation happens here and nowhere else. One module a part:
//! [`value`] (the values), [`query`] (query options), [`scopes`] (scope
//! policy), [`consent`] (the authorization-code grant's settings),
//! [`usecases`] (the use cases chosen), [`resolve`] (the whole, with its
//! defaults).

mod consent;
mod instances;
mod query;
mod resolve;
mod scopes;
mod usecases;
mod value;

use crate::catalog::Resource;
use crate::coupa::Grant;
pub use consent::Consent;
pub use instances::{Instance, InstanceName};
pub use query::{parse_fields, parse_limit, Filter, Query, OPERATORS};
pub use scopes::{add_use_case_scopes, parse_resources, settle_scopes};
pub use value::{ConnectorName, Domain, RedirectUri, Scope, VarName};

/// The validated input of every generator and of `verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub grant: Grant,
    /// The authorization-code grant's settings: `Some` exactly when that is
    /// the grant.
    pub consent: Option<Consent>,
    /// The instances, at least one, names and hosts distinct, in the order
    /// given: `--domain`'s one, or each `--instance`.
    pub instances: Vec<Instance>,
    pub scopes: Vec<Scope>,
    pub resources: Vec<&'static Resource>,
    /// The use cases, validated, in the order given.
    pub use_cases: Vec<crate::usecase::UseCase>,
    /// The `--use-case-file`'s text, as read: the kit holds a copy.
    pub use_case_file: Option<String>,
    pub query: Query,
    pub client_id_var: VarName,
    pub client_secret_var: VarName,
    pub connector_name: ConnectorName,
}

impl Spec {
    /// More than one instance: each gets its own environment, named after it.
    pub fn multi(&self) -> bool {
        self.instances.len() > 1
    }

    /// The first instance: the one of a one-instance kit, and the one a
    /// several-instance kit's examples show.
    pub fn first(&self) -> &Instance {
        &self.instances[0]
    }

    /// The instance named `name`.
    pub fn instance(&self, name: &str) -> Option<&Instance> {
        self.instances.iter().find(|i| i.name.as_str() == name)
    }

    /// The instances' names, for a message: `test, production`.
    pub fn instance_names(&self) -> String {
        self.instances
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The scopes as Coupa wants them in the token request: space-separated.
    pub fn scope_list(&self) -> String {
        self.scopes
            .iter()
            .map(Scope::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }
}
