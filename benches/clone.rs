//! Cloning what every connection task or service holds: a `HandshakeGuard`, a `Cors`, an
//! `OriginLayer` and a `PolicySource`, over a policy of 1 000 000 exact origins. Each is one
//! reference count (the target: under 1 µs), whatever the policy's size. Cloning the
//! `OriginPolicy` itself, a deep copy, is measured beside them for scale.
//!
//! `cargo bench --bench clone --features tower,reload`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use origin_policy::cors::Cors;
use origin_policy::layer::OriginLayer;
use origin_policy::{HandshakeGuard, OriginPolicy, PolicySource, SharedPolicy};

const ENTRIES: usize = 1_000_000;

fn big_policy() -> OriginPolicy {
    OriginPolicy::builder()
        .allow_all((0..ENTRIES).map(|i| format!("https://app{i}.example.com")))
        .build()
        .expect("a valid policy")
}

fn clones(c: &mut Criterion) {
    let policy = big_policy();
    // A deep copy, once, for scale (criterion would take minutes to sample it).
    let started = Instant::now();
    black_box(policy.clone());
    eprintln!(
        "OriginPolicy::clone with {ENTRIES} entries: {:.1} ms (a deep copy)",
        started.elapsed().as_secs_f64() * 1e3
    );

    let source = PolicySource::from(policy);
    let guard = HandshakeGuard::builder_on(source.clone())
        .subprotocols(["graphql-transport-ws", "graphql-ws"])
        .build()
        .expect("guard");
    let cors = Cors::builder_on(source.clone())
        .allow_methods(["PUT", "DELETE"])
        .allow_headers(["content-type"])
        .allow_credentials()
        .build()
        .expect("cors");
    let layer = OriginLayer::new(cors.clone()).guard(guard.clone());
    let shared = PolicySource::from(SharedPolicy::new(big_policy()));

    let mut group = c.benchmark_group(format!("clone/{ENTRIES}"));
    group.bench_function("PolicySource", |b| b.iter(|| black_box(&source).clone()));
    group.bench_function("PolicySource (SharedPolicy)", |b| {
        b.iter(|| black_box(&shared).clone())
    });
    group.bench_function("HandshakeGuard", |b| b.iter(|| black_box(&guard).clone()));
    group.bench_function("Cors", |b| b.iter(|| black_box(&cors).clone()));
    group.bench_function("OriginLayer", |b| b.iter(|| black_box(&layer).clone()));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    targets = clones
}
criterion_main!(benches);
