//! `OriginPolicy::check` against what a user would write instead, on the same requests.
//!
//! - `check`, `check_value`: this crate (`check` takes the `http::Request`, `check_value` the
//!   raw header bytes).
//! - `hashset_bytes`: a `HashSet<HeaderValue>` of the allowed origins and a byte-exact lookup
//!   of the request's `Origin` header, as actix-cors does. Exact entries only; it gives the
//!   wrong answer for non-canonical spellings (`HTTPS://APP1.EXAMPLE1.COM:443` is denied).
//! - `url_parse`: `url::Url::parse` of the header, `origin().ascii_serialization()`, then a
//!   `HashSet<String>` lookup (exact entries) or a loop over the patterns comparing scheme,
//!   port and host suffix at a dot boundary (wildcards).
//! - `naive_suffix`: wildcards only: the loop over patterns on the raw header value, with no
//!   parsing at all (`starts_with("https://")` and a dot-boundary suffix check on the rest).
//!   Fast, but blind to case, ports, paths and userinfo.
//!
//! Benchmark ids read `approach/kind/size/input`, e.g. `check/exact/10000/hit` against
//! `hashset_bytes/exact/10000/hit` and `url_parse/exact/10000/hit`. Results and ratios are in
//! `benches/RESULTS.md`.

use std::collections::HashSet;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use http::header::ORIGIN;
use http::{HeaderValue, Request};
use origin_policy::OriginPolicy;

/// The exact-entry allowlist sizes.
const EXACT_SIZES: [usize; 3] = [1, 100, 10_000];
/// The wildcard-pattern allowlist sizes.
const WILDCARD_SIZES: [usize; 2] = [1, 1_000];

/// Realistic distinct origins, some with a port. Entry 1 is `https://app1.example1.com`, so
/// that every size holds the hit below.
fn exact_origins(size: usize) -> Vec<String> {
    (1..=size)
        .map(|i| {
            let port = if i % 10 == 0 { ":8443" } else { "" };
            format!("https://app{i}.example{}.com{port}", i % 97)
        })
        .collect()
}

/// Wildcard bases: `tenant1.example.com`, `tenant2.example.com`, ...
fn wildcard_bases(size: usize) -> Vec<String> {
    (1..=size)
        .map(|i| format!("tenant{i}.example.com"))
        .collect()
}

/// (input name, `Origin` value, whether it must be allowed).
type Input = (&'static str, &'static str, bool);

const EXACT_INPUTS: [Input; 3] = [
    ("hit", "https://app1.example1.com", true),
    ("miss", "https://app1.example2.com", false),
    ("noncanonical_hit", "HTTPS://APP1.EXAMPLE1.COM:443", true),
];

const WILDCARD_INPUTS: [Input; 3] = [
    ("hit", "https://acme.tenant1.example.com", true),
    ("miss", "https://acme.tenant0.example.com", false),
    (
        "noncanonical_hit",
        "HTTPS://ACME.TENANT1.EXAMPLE.COM:443",
        true,
    ),
];

fn request(origin: &str) -> Request<()> {
    Request::get("/ws")
        .header(ORIGIN, origin)
        .body(())
        .expect("a valid request")
}

/// (a) What actix-cors does: the header's bytes, looked up as they are.
fn hashset_bytes(set: &HashSet<HeaderValue>, request: &Request<()>) -> bool {
    request
        .headers()
        .get(ORIGIN)
        .is_some_and(|origin| set.contains(origin))
}

/// (b) Parse as a URL, serialize its origin, look that up.
fn url_parse_exact(set: &HashSet<String>, request: &Request<()>) -> bool {
    let Some(Ok(origin)) = request.headers().get(ORIGIN).map(|v| v.to_str()) else {
        return false;
    };
    match url::Url::parse(origin) {
        Ok(url) => set.contains(&url.origin().ascii_serialization()),
        Err(_) => false,
    }
}

/// (b) for wildcards: parse as a URL, then loop over the patterns (all `https`, default port)
/// and check the host's suffix at a dot boundary.
fn url_parse_wildcard(bases: &[String], request: &Request<()>) -> bool {
    let Some(Ok(origin)) = request.headers().get(ORIGIN).map(|v| v.to_str()) else {
        return false;
    };
    let Ok(url) = url::Url::parse(origin) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    if url.scheme() != "https" || url.port_or_known_default() != Some(443) {
        return false;
    }
    bases.iter().any(|base| is_subdomain(host, base))
}

/// The matcher a user writes on the raw header: no parsing, a prefix and a suffix.
fn naive_suffix(bases: &[String], request: &Request<()>) -> bool {
    let Some(Ok(origin)) = request.headers().get(ORIGIN).map(|v| v.to_str()) else {
        return false;
    };
    let Some(host) = origin.strip_prefix("https://") else {
        return false;
    };
    bases.iter().any(|base| is_subdomain(host, base))
}

/// `host` is one or more whole labels, a dot, then `base`.
fn is_subdomain(host: &str, base: &str) -> bool {
    host.len() > base.len() + 1
        && host.ends_with(base)
        && host.as_bytes()[host.len() - base.len() - 1] == b'.'
}

/// Benchmarks `routine` on every input, as `approach/kind/size/input`.
fn bench<T>(
    c: &mut Criterion,
    approach: &str,
    kind_and_size: &str,
    inputs: &[(&str, T)],
    routine: impl Fn(&T) -> bool,
) {
    let mut group = c.benchmark_group(format!("{approach}/{kind_and_size}"));
    for (input, data) in inputs {
        group.bench_function(*input, |b| b.iter(|| routine(black_box(data))));
    }
    group.finish();
}

fn exact(c: &mut Criterion) {
    for size in EXACT_SIZES {
        let origins = exact_origins(size);
        let policy = OriginPolicy::builder()
            .allow_all(origins.iter().cloned())
            .build()
            .expect("a valid policy");
        let header_set: HashSet<HeaderValue> = origins
            .iter()
            .map(|o| HeaderValue::from_str(o).expect("a valid header value"))
            .collect();
        let string_set: HashSet<String> = origins.iter().cloned().collect();

        let requests = EXACT_INPUTS.map(|(input, origin, _)| (input, request(origin)));
        let values = EXACT_INPUTS.map(|(input, origin, _)| (input, origin.as_bytes()));
        // Every approach must give the right answer before its speed means anything; the
        // byte-exact lookup is the one that cannot (non-canonical spellings).
        for ((input, request), (_, origin, allowed)) in requests.iter().zip(EXACT_INPUTS) {
            assert_eq!(policy.check(request).is_allowed(), allowed, "{origin}");
            assert_eq!(
                policy.check_value(origin.as_bytes()).is_allowed(),
                allowed,
                "{origin}"
            );
            assert_eq!(url_parse_exact(&string_set, request), allowed, "{origin}");
            let byte_exact_right = *input != "noncanonical_hit";
            assert_eq!(
                hashset_bytes(&header_set, request) == allowed,
                byte_exact_right
            );
        }

        let id = format!("exact/{size}");
        bench(c, "check", &id, &requests, |r| policy.check(r).is_allowed());
        bench(c, "check_value", &id, &values, |v| {
            policy.check_value(v).is_allowed()
        });
        bench(c, "hashset_bytes", &id, &requests, |r| {
            hashset_bytes(&header_set, r)
        });
        bench(c, "url_parse", &id, &requests, |r| {
            url_parse_exact(&string_set, r)
        });
    }
}

fn wildcard(c: &mut Criterion) {
    for size in WILDCARD_SIZES {
        let bases = wildcard_bases(size);
        let policy = OriginPolicy::builder()
            .allow_all(bases.iter().map(|base| format!("https://*.{base}")))
            .build()
            .expect("a valid policy");

        let requests = WILDCARD_INPUTS.map(|(input, origin, _)| (input, request(origin)));
        let values = WILDCARD_INPUTS.map(|(input, origin, _)| (input, origin.as_bytes()));
        for ((input, request), (_, origin, allowed)) in requests.iter().zip(WILDCARD_INPUTS) {
            assert_eq!(policy.check(request).is_allowed(), allowed, "{origin}");
            assert_eq!(
                policy.check_value(origin.as_bytes()).is_allowed(),
                allowed,
                "{origin}"
            );
            assert_eq!(url_parse_wildcard(&bases, request), allowed, "{origin}");
            let naive_right = *input != "noncanonical_hit";
            assert_eq!(naive_suffix(&bases, request) == allowed, naive_right);
        }

        let id = format!("wildcard/{size}");
        bench(c, "check", &id, &requests, |r| policy.check(r).is_allowed());
        bench(c, "check_value", &id, &values, |v| {
            policy.check_value(v).is_allowed()
        });
        bench(c, "url_parse", &id, &requests, |r| {
            url_parse_wildcard(&bases, r)
        });
        bench(c, "naive_suffix", &id, &requests, |r| {
            naive_suffix(&bases, r)
        });
    }
}

/// Issue #3's scale: 1 000 000 exact origins and 100 000 wildcard patterns check in the same
/// time as a policy of 10 entries.
fn scale(c: &mut Criterion) {
    let small = OriginPolicy::builder()
        .allow_all(exact_origins(9))
        .allow("https://*.tenant1.example.com")
        .build()
        .expect("a valid policy");
    let large = OriginPolicy::builder()
        .allow_all(exact_origins(1_000_000))
        .allow_all(
            wildcard_bases(100_000)
                .iter()
                .map(|base| format!("https://*.{base}")),
        )
        .build()
        .expect("a valid policy");
    const INPUTS: [Input; 3] = [
        ("exact_hit", "https://app1.example1.com", true),
        ("wildcard_hit", "https://acme.tenant1.example.com", true),
        ("miss", "https://evil.example", false),
    ];
    let requests = INPUTS.map(|(input, origin, _)| (input, request(origin)));
    for (policy, id) in [(&small, "scale/10"), (&large, "scale/1100000")] {
        for ((_, request), (_, origin, allowed)) in requests.iter().zip(INPUTS) {
            assert_eq!(policy.check(request).is_allowed(), allowed, "{origin}");
        }
        bench(c, "check", id, &requests, |r| policy.check(r).is_allowed());
    }
}

criterion_group! {
    name = benches;
    // 60 benchmarks at about 2.6 s each: a few minutes in all on a small machine.
    config = Criterion::default()
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(30);
    targets = exact, wildcard, scale
}
criterion_main!(benches);
