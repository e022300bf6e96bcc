//! Which use cases a kit serves: those named with `--use-case`, built in or
//! from `--use-case-file`, then the rest of that file's.

use std::path::Path;

use crate::error::{Error, Origin};
use crate::input::Inputs;
use crate::usecase::{self, UseCase};

/// The use cases: those named with `--use-case` (built in, or in the
/// file), then the rest of `--use-case-file`'s, each once; and the file's
/// text, which a kit copies.
pub(super) fn use_cases(inputs: &Inputs) -> Result<(Vec<UseCase>, Option<String>), Error> {
    let names: Vec<&str> = inputs
        .use_cases
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    if names.is_empty() && inputs.use_case_file.is_none() {
        return Ok((Vec::new(), None));
    }
    let (text, own) = match &inputs.use_case_file {
        Some(file) => {
            let (text, own) = usecase::read(Path::new(file), Origin::Option("use_case_file"))?;
            (Some(text), own)
        }
        None => (None, Vec::new()),
    };
    let built_in = match names.is_empty() {
        true => Vec::new(),
        false => usecase::built_in(),
    };
    let mut out: Vec<UseCase> = Vec::new();
    for name in names {
        if let Some(why) = usecase::unsupported(name) {
            return Err(Error::bad(Origin::Option("use_cases"), name, why));
        }
        let found = built_in.iter().chain(&own).find(|u| u.id == name);
        let Some(uc) = found else {
            let ids = built_in.iter().chain(&own).map(|u| u.id.as_str());
            let near = crate::catalog::closest(name, ids.clone(), 3);
            return Err(Error::bad(
                Origin::Option("use_cases"),
                name,
                format!(
                    "not a use case{}; `coupagen use-cases` lists them: {}",
                    near.map(|n| format!(" (did you mean '{n}'?)"))
                        .unwrap_or_default(),
                    ids.collect::<Vec<_>>().join(", ")
                ),
            ));
        };
        if !out.contains(uc) {
            out.push(uc.clone());
        }
    }
    for uc in own {
        if !out.contains(&uc) {
            out.push(uc);
        }
    }
    Ok((out, text))
}
