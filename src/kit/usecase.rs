//! Use case -> requests: each step a request whose values hold the use
//! case's inputs and captures as slots, and the arguments each takes.

use serde::Serialize;

use super::request::{Answer, Auth, Body, Capture, Equals, Expect, Json, Method, Pick, Request};
use super::value::{Slot, Value};
use crate::coupa;
use crate::usecase::{self, Kind, Shown, Source, UseCase};

/// A use case as the kit holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UseCasePlan<'a> {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Every value its requests take: its inputs, then its captures.
    pub args: Vec<Arg<'a>>,
    pub requests: Vec<Request<'a>>,
    /// What `verify` says of each request's answer, by request.
    #[serde(skip)]
    pub says: Vec<String>,
    /// What names each record a list request found, by request, when it says.
    #[serde(skip)]
    pub found: Vec<Option<Shown>>,
}

/// A value a request takes, and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Arg<'a> {
    pub name: &'a str,
    pub kind: Kind,
    pub description: String,
    pub example: String,
    pub required: bool,
    pub source: ArgSource,
    /// The values it may take, when only some are valid.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArgSource {
    /// The person's own email.
    User,
    /// What the person says.
    Said,
    /// Taken from request `request`'s answer (0-based): that request's
    /// capture of the same name says where, and what to say of none.
    Captured { request: usize },
}

/// A use case's body as the kit's tree: each `{{name}}` string the slot of
/// that value, typed when its input or capture is a number or boolean.
fn json_body<'a>(
    body: &serde_json::Value,
    slot: &impl Fn(&str) -> Slot<'a>,
    args: &[Arg<'a>],
) -> Json<'a> {
    use serde_json::Value as J;
    match body {
        J::Object(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), json_body(v, slot, args)))
                .collect(),
        ),
        J::Array(items) => Json::Array(items.iter().map(|v| json_body(v, slot, args)).collect()),
        J::String(s) => match usecase::body_reference(s) {
            Some(name) => Json::Slot {
                slot: slot(name),
                typed: args.iter().any(|a| a.name == name && a.kind.is_literal()),
            },
            None => Json::Fixed(body.clone()),
        },
        other => Json::Fixed(other.clone()),
    }
}

impl<'a> UseCasePlan<'a> {
    pub fn plan(uc: &'a UseCase) -> UseCasePlan<'a> {
        let mut args: Vec<Arg> = uc
            .inputs
            .iter()
            .map(|i| Arg {
                name: &i.name,
                kind: i.kind,
                description: i.description.clone(),
                example: i.example.clone(),
                required: i.required,
                source: match i.from {
                    Source::User => ArgSource::User,
                    Source::Said => ArgSource::Said,
                },
                values: i.values.clone(),
            })
            .collect();
        for (n, step) in uc.requests.iter().enumerate() {
            args.extend(step.captures.iter().map(|c| Arg {
                name: &c.name,
                kind: c.kind,
                description: c.description.clone(),
                example: c.example.clone(),
                required: true,
                source: ArgSource::Captured { request: n },
                values: Vec::new(),
            }));
        }
        let slot = |name: &str| {
            let arg = args
                .iter()
                .find(|a| a.name == name)
                .expect("validation checked every reference");
            match arg.source {
                ArgSource::Captured { .. } => Slot::Captured(arg.name),
                ArgSource::User | ArgSource::Said => Slot::Input(arg.name),
            }
        };
        let requests = uc
            .requests
            .iter()
            .map(|step| Request {
                name: step.name.clone(),
                description: step.description.clone(),
                method: match step.method {
                    usecase::Method::Get => Method::Get,
                    usecase::Method::Post => Method::Post,
                    usecase::Method::Put => Method::Put,
                    usecase::Method::Patch => Method::Patch,
                },
                path: Value::template(&step.path, slot),
                query: step
                    .query
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::template(v, slot)))
                    .collect(),
                headers: match step.body {
                    // Coupa wants both, and the same (C: Get Started with the API).
                    Some(_) => vec![
                        (coupa::ACCEPT.into(), Value::lit(coupa::JSON)),
                        (coupa::CONTENT_TYPE.into(), Value::lit(coupa::JSON)),
                    ],
                    None => vec![(coupa::ACCEPT.into(), Value::lit(coupa::JSON))],
                },
                body: match &step.body {
                    Some(body) => Body::Json(json_body(body, &slot, &args)),
                    None => Body::None,
                },
                auth: Auth::Bearer,
                expect: Expect {
                    // Coupa answers a record it created with 201 Created
                    // (C: Requisitions API Example Calls).
                    status: match step.method {
                        usecase::Method::Post => 201,
                        _ => 200,
                    },
                    answer: match step.answer {
                        usecase::Answer::List => Answer::List,
                        usecase::Answer::Object => Answer::Object,
                    },
                },
                captures: step
                    .captures
                    .iter()
                    .map(|c| Capture {
                        name: c.name.clone(),
                        path: c.path.clone(),
                        if_none: c.none_said(),
                        fails: c.none_fails,
                        must_be: c.must_be.clone(),
                        otherwise: c.otherwise.clone().unwrap_or_default(),
                        pick: c
                            .pick
                            .iter()
                            .map(|(key, value)| Pick {
                                key: key.clone(),
                                equals: match usecase::body_reference(value) {
                                    Some(name) => Equals::Slot(slot(name)),
                                    None => Equals::Text(value.clone()),
                                },
                            })
                            .collect(),
                    })
                    .collect(),
                group: Some(uc.name.clone()),
                scope: Some(&step.scope),
            })
            .collect();
        UseCasePlan {
            id: uc.id.clone(),
            name: uc.name.clone(),
            description: uc.description.clone(),
            args,
            requests,
            says: uc.requests.iter().map(|s| s.says.clone()).collect(),
            found: uc.requests.iter().map(|s| s.found.clone()).collect(),
        }
    }

    /// Whether any of its requests changes Coupa data.
    pub fn writes(&self) -> bool {
        self.requests.iter().any(|r| r.method.writes())
    }

    pub fn arg(&self, name: &str) -> Option<&Arg<'a>> {
        self.args.iter().find(|a| a.name == name)
    }

    /// The arguments a request takes, in the order its values name them.
    pub fn args_of(&self, req: &Request<'_>) -> Vec<&Arg<'a>> {
        req.slots()
            .into_iter()
            .filter_map(|s| match s {
                Slot::Input(n) | Slot::Captured(n) => self.arg(n),
                Slot::Conn(_) | Slot::Auth(_) => None,
            })
            .collect()
    }

    /// A message of the use case (`says`, `if_none`) as a value: each
    /// `{{name}}` the slot of that input or capture (`{{count}}` stays text).
    pub fn message<'s>(&'s self, template: &'s str) -> Value<'s> {
        Value::template(template, |name| match self.arg(name) {
            Some(Arg {
                name,
                source: ArgSource::Captured { .. },
                ..
            }) => Slot::Captured(name),
            Some(arg) => Slot::Input(arg.name),
            None => Slot::Input(name),
        })
    }

    /// The guarded captures of the requests before `req`: it runs only when
    /// each holds one of its values, and runners that skip a request whose
    /// value is unset skip it on these too.
    pub fn guarded_before(&self, req: &Request<'_>) -> Vec<Slot<'a>> {
        self.requests
            .iter()
            .take_while(|r| !std::ptr::eq(*r, req))
            .flat_map(|r| &r.captures)
            .filter(|c| !c.must_be.is_empty())
            .filter_map(|c| self.arg(&c.name))
            .map(|arg| Slot::Captured(arg.name))
            .collect()
    }

    /// The capture that gives the argument `name`, when an answer does.
    pub fn capture(&self, name: &str) -> Option<&Capture<'a>> {
        match self.arg(name)?.source {
            ArgSource::Captured { request } => self.requests[request]
                .captures
                .iter()
                .find(|c| c.name == name),
            ArgSource::User | ArgSource::Said => None,
        }
    }

    /// The person's inputs: what a runner must be given.
    pub fn inputs(&self) -> impl Iterator<Item = &Arg<'a>> {
        self.args
            .iter()
            .filter(|a| !matches!(a.source, ArgSource::Captured { .. }))
    }
}
