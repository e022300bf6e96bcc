//! In-process rendering: each file of each format in the registry, and the
//! whole bundle, for the guide's kit and for a kit of every catalog
//! resource and every built-in use case. Templates are compiled the first
//! time a render needs them (as in the binary), so the registry is warmed
//! first; `registry/build` times compiling them all.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

use coupagen::input::Inputs;
use coupagen::kit;
use coupagen::render::{self, FORMATS};
use coupagen::spec::Spec;

fn spec(resources: Vec<String>) -> Spec {
    with_use_cases(resources, Vec::new())
}

fn with_use_cases(resources: Vec<String>, use_cases: Vec<String>) -> Spec {
    Inputs {
        domain: Some("moveworks-usa-coupalink-demo.coupacloud.com".into()),
        resources,
        use_cases,
        ..Inputs::default()
    }
    .resolve()
    .expect("valid")
}

fn kits() -> Vec<(&'static str, Spec)> {
    let all = coupagen::catalog::resources()
        .iter()
        .map(|r| r.name.to_string())
        .collect();
    let use_cases = coupagen::usecase::built_in()
        .into_iter()
        .map(|u| u.id)
        .collect();
    vec![
        ("guide", spec(vec!["expense_reports".into()])),
        (
            "all_resources_and_use_cases",
            with_use_cases(all, use_cases),
        ),
    ]
}

fn bench(c: &mut Criterion) {
    c.bench_function("registry/build", |b| b.iter(render::build_registry));
    c.bench_function("spec/resolve", |b| {
        b.iter(|| spec(vec!["expense_reports".into()]))
    });
    // Warm the on-demand registry, as a run's first render does: each bench
    // below then times rendering alone.
    let warm = spec(vec!["expense_reports".into()]);
    let _ = render::bundle(&kit::plan(&warm), Inputs::default().to_config());
    let mut group = c.benchmark_group("render");
    for (name, spec) in kits() {
        let k = kit::plan(&spec);
        group.bench_with_input(BenchmarkId::new("bundle", name), &k, |b, k| {
            b.iter(|| render::bundle(k, Inputs::default().to_config()).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("plan+bundle", name), &spec, |b, s| {
            b.iter(|| render::bundle(&kit::plan(s), Inputs::default().to_config()).unwrap())
        });
        // Each file of each format, alone, as its subcommand renders it.
        for format in FORMATS {
            for file in format.files {
                let id = BenchmarkId::new(format!("{}/{}", format.command, file.variant), name);
                group.bench_with_input(id, &k, |b, k| {
                    b.iter(|| render::one(k, format, file).unwrap())
                });
            }
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
