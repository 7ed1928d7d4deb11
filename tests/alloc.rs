//! The crate promises that checking the canonical values browsers send allocates nothing,
//! allowed or denied. A counting global allocator holds it to that.
//!
//! The count is per thread (tests run on several threads at once), so each measurement only
//! sees the allocations of the code it runs. Policies and requests are built before counting
//! starts; the `Decision` is dropped inside the counted region, so freeing it is covered too.

use crate::counting::allocations;

use http::header::ORIGIN;
use http::{HeaderMap, HeaderValue, Request};
use origin_policy::{Decision, DenyReason, OriginPolicy};

/// What a decision says, in a form that is `Copy` so it can leave the counted region while
/// the `Decision` itself is dropped inside it.
fn outcome(decision: Decision) -> Result<(), DenyReason> {
    match decision.deny_reason() {
        None => Ok(()),
        Some(reason) => Err(reason),
    }
}

/// A policy with 10 000 distinct exact entries, the exact entries of the cases below, and a
/// wildcard pattern.
fn policy() -> OriginPolicy {
    let generated = (0..10_000).map(|i| {
        let port = if i % 10 == 0 { ":8443" } else { "" };
        format!("https://app{i}.example{}.com{port}", i % 97)
    });
    OriginPolicy::builder()
        .allow_all(generated)
        .allow("https://app.example.com")
        .allow("http://127.0.0.1:8080")
        .allow("http://[::1]:8080")
        .allow("https://xn--bcher-kva.example")
        .allow("https://*.tenant.example.com")
        // Port rules: a list on one host, a list on a wildcard, any port on loopback.
        .allow("https://ports.example.com:[8443,9443]")
        .allow("https://*.w.example.com:[443,8443]")
        .allow("http://localhost:*")
        .same_origin("https://chat.example.com")
        .build()
        .expect("the test policy is valid")
}

fn request(origins: &[&str]) -> Request<()> {
    let mut builder = Request::get("/ws");
    for &origin in origins {
        builder = builder.header(ORIGIN, origin);
    }
    builder.body(()).expect("a valid request")
}

/// Checks `origins` (zero, one or several header lines) through `check`, `check_headers` and,
/// for a single value, `check_value`. Each must give `expected` without allocating; returns
/// one line per way that did not, so a test can report every failing case at once.
fn allocation_failures(
    policy: &OriginPolicy,
    origins: &[&str],
    expected: Result<(), DenyReason>,
) -> Vec<String> {
    let request = request(origins);
    let headers: HeaderMap = request.headers().clone();
    let value: Option<HeaderValue> = match origins {
        [one] => Some(HeaderValue::from_str(one).expect("a valid header value")),
        _ => None,
    };

    let mut failures = Vec::new();
    let mut record = |method: &str, count: usize, got: Option<Result<(), DenyReason>>| {
        if got != Some(expected) {
            failures.push(format!(
                "{method} {origins:?}: got {got:?}, expected {expected:?}"
            ));
        }
        if count != 0 {
            failures.push(format!("{method} {origins:?}: {count} allocation(s)"));
        }
    };

    let mut got = None;
    let count = allocations(|| got = Some(outcome(policy.check(&request))));
    record("check", count, got);

    let count = allocations(|| got = Some(outcome(policy.check_headers(&headers))));
    record("check_headers", count, got);

    let lines: Vec<&[u8]> = origins.iter().map(|o| o.as_bytes()).collect();
    let count = allocations(|| got = Some(outcome(policy.check_values(lines.iter().copied()))));
    record("check_values", count, got);

    if let Some(value) = value {
        let count = allocations(|| got = Some(outcome(policy.check_value(value.as_bytes()))));
        record("check_value", count, got);
    }
    failures
}

#[track_caller]
fn assert_none(failures: Vec<String>) {
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn the_counter_counts() {
    assert_eq!(allocations(|| Vec::<u64>::with_capacity(8)), 1);
    assert_eq!(allocations(Vec::<u64>::new), 0);
    assert_eq!(allocations(|| String::from("https://app.example.com")), 1);
    // A clone of a request's headers is real work: the counter must see it.
    let request = request(&["https://app.example.com"]);
    assert!(allocations(|| request.headers().clone()) > 0);
}

#[test]
fn canonical_allowed_origins_do_not_allocate() {
    let policy = policy();
    let cases = [
        // Exact entries among 10 000.
        "https://app1.example1.com",
        "https://app9990.example96.com:8443",
        "https://app.example.com",
        // Wildcard: one label deep, three labels deep.
        "https://acme.tenant.example.com",
        "https://a.b.c.tenant.example.com",
        // IP literals.
        "http://127.0.0.1:8080",
        "http://[::1]:8080",
        // Punycode: an exact entry, and a label under a wildcard.
        "https://xn--bcher-kva.example",
        "https://xn--bcher-kva.tenant.example.com",
        // Port rules and the same-origin rule (a matched pattern is shared, not copied).
        "https://ports.example.com:8443",
        "https://a.w.example.com:8443",
        "http://localhost:5173",
        "https://chat.example.com",
    ];
    let failures = cases
        .iter()
        .flat_map(|&origin| allocation_failures(&policy, &[origin], Ok(())))
        .collect();
    assert_none(failures);
}

/// Extension and app origins of the builder's opt-in, as browsers send them (issue 15).
#[test]
fn canonical_extension_and_app_origins_do_not_allocate() {
    let policy = OriginPolicy::builder()
        .allow("https://app.example.com")
        .allow_extension_or_app_origin("chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop")
        .allow_extension_or_app_origin("moz-extension://0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
        .allow_extension_or_app_origin("tauri://localhost")
        .build()
        .expect("the test policy is valid");
    let mut failures = Vec::new();
    for origin in [
        "chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop",
        "moz-extension://0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        "tauri://localhost",
        "https://app.example.com",
    ] {
        failures.extend(allocation_failures(&policy, &[origin], Ok(())));
    }
    failures.extend(allocation_failures(
        &policy,
        &["https://evil.example"],
        Err(DenyReason::NotAllowed),
    ));
    assert_none(failures);
}

#[test]
fn canonical_denied_origins_do_not_allocate() {
    let policy = policy();
    let cases = [
        "https://evil.example",
        // A wildcard never matches its base.
        "https://tenant.example.com",
        // No downgrade.
        "http://app.example.com",
        // Whole labels only; other port.
        "https://eviltenant.example.com",
        "https://app1.example1.com:8443",
    ];
    let failures = cases
        .iter()
        .flat_map(|&origin| allocation_failures(&policy, &[origin], Err(DenyReason::NotAllowed)))
        .collect();
    assert_none(failures);
}

#[test]
fn other_denials_do_not_allocate() {
    let policy = policy();
    let mut failures = Vec::new();
    failures.extend(allocation_failures(
        &policy,
        &["null"],
        Err(DenyReason::Null),
    ));
    failures.extend(allocation_failures(&policy, &[], Err(DenyReason::Missing)));
    failures.extend(allocation_failures(
        &policy,
        &["https://app.example.com", "https://app.example.com"],
        Err(DenyReason::Multiple),
    ));
    failures.extend(allocation_failures(
        &policy,
        &["https://evil.example, https://app.example.com"],
        Err(DenyReason::Multiple),
    ));
    for malformed in [
        "https://app.example.com/",
        "https:app.example.com",
        "https://user@app.example.com",
        "https://app.example.com:0443",
        "http://[0:0::1]:8080",
    ] {
        failures.extend(allocation_failures(
            &policy,
            &[malformed],
            Err(DenyReason::Malformed),
        ));
    }
    assert_none(failures);
}

/// Spellings browsers never send, which the check still canonicalises (letter case, a
/// default port) or refuses, are rewritten on the stack: no allocation either.
#[test]
fn non_canonical_spellings_do_not_allocate() {
    let policy = policy();
    let cases: [(&str, Result<(), DenyReason>); 12] = [
        ("HTTPS://APP1.EXAMPLE1.COM:443", Ok(())),
        ("https://app.example.com:443", Ok(())),
        ("Https://App.Example.Com", Ok(())),
        ("https://ACME.Tenant.Example.com", Ok(())),
        ("HTTPS://XN--BCHER-KVA.EXAMPLE", Ok(())),
        ("HTTP://[::1]:8080", Ok(())),
        ("http://LOCALHOST:5173", Ok(())),
        ("HTTPS://EVIL.EXAMPLE:443", Err(DenyReason::NotAllowed)),
        ("wss://app.example.com", Err(DenyReason::NotAllowed)),
        ("WSS://APP.EXAMPLE.COM", Err(DenyReason::NotAllowed)),
        ("http://127.1:8080", Err(DenyReason::Malformed)),
        ("HTTPS://APP.EXAMPLE.COM/", Err(DenyReason::Malformed)),
    ];
    let failures = cases
        .iter()
        .flat_map(|&(origin, expected)| allocation_failures(&policy, &[origin], expected))
        .collect();
    assert_none(failures);
}
