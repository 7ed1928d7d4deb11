//! Every input decided twice: by the crate and by `origin_policy_fuzz::documented`, the
//! matching rules of the docs written again without the crate's parser (or `tests/oracle`).
//!
//! The input is split at `\n`. The first piece is one `Origin` header value for
//! `check_value`. When there is a `\n`, every piece is also an `Origin` line of a request for
//! `check` (pieces HTTP forbids in a field value, control bytes, are left out, as a server
//! never receives them).
//!
//! Invariant: the crate and the documented rules give the same verdict, allow or the same deny
//! reason, for both the value and the request.
//!
//! The fixed policy has every kind of entry: exact origins (a port, IPv4, IPv6, punycode),
//! wildcards with and without a port list, a port list, and any port on loopback hosts.
#![no_main]

use std::sync::LazyLock;

use http::header::{HeaderValue, ORIGIN};
use libfuzzer_sys::fuzz_target;
use origin_policy::{Decision, DenyReason, OriginPolicy};
use origin_policy_fuzz::documented::{self, Hosts, Ports, Rule, Verdict};

/// The policy as the crate reads it.
const POLICY: &str = "https://app.example.com https://admin.example.org:8443 \
    http://127.0.0.1:8080 http://[2001:db8::1]:8080 https://xn--bcher-kva.example \
    https://*.tenant.example.com https://api.example.net:[8443,9443] \
    https://*.svc.example.org:[443,8443] http://localhost:* http://[::1]:* \
    https://dev.localhost:* http://127.0.0.2:*";

/// The same policy as the documented rules' data, entry by entry.
const RULES: &[Rule] = &[
    rule("https", Hosts::Is("app.example.com"), Ports::Default),
    rule("https", Hosts::Is("admin.example.org"), Ports::Is(8443)),
    rule("http", Hosts::Is("127.0.0.1"), Ports::Is(8080)),
    rule("http", Hosts::Is("[2001:db8::1]"), Ports::Is(8080)),
    rule("https", Hosts::Is("xn--bcher-kva.example"), Ports::Default),
    rule("https", Hosts::Below("tenant.example.com"), Ports::Default),
    rule(
        "https",
        Hosts::Is("api.example.net"),
        Ports::OneOf(&[8443, 9443]),
    ),
    rule(
        "https",
        Hosts::Below("svc.example.org"),
        Ports::OneOf(&[443, 8443]),
    ),
    rule("http", Hosts::Is("localhost"), Ports::Any),
    rule("http", Hosts::Is("[::1]"), Ports::Any),
    rule("https", Hosts::Is("dev.localhost"), Ports::Any),
    rule("http", Hosts::Is("127.0.0.2"), Ports::Any),
];

const fn rule(scheme: &'static str, hosts: Hosts, ports: Ports) -> Rule {
    Rule {
        scheme,
        hosts,
        ports,
    }
}

static CRATE_POLICY: LazyLock<OriginPolicy> = LazyLock::new(|| {
    let policy: OriginPolicy = POLICY.parse().expect("the fixed policy is valid");
    assert_eq!(
        policy.origins().count() + policy.patterns().count(),
        RULES.len(),
        "one rule per entry"
    );
    policy
});

/// The crate's decision in the documented rules' vocabulary.
fn verdict(decision: &Decision) -> Verdict {
    if decision.is_allowed() {
        return Verdict::Allow;
    }
    match decision.deny_reason() {
        Some(DenyReason::Missing) => Verdict::Missing,
        Some(DenyReason::Null) => Verdict::Null,
        Some(DenyReason::Multiple) => Verdict::Multiple,
        Some(DenyReason::Malformed) => Verdict::Malformed,
        Some(DenyReason::NotAllowed) => Verdict::NotAllowed,
        other => panic!("a deny reason the documented rules do not know: {other:?}"),
    }
}

/// RFC 9110 field-value bytes: HTAB, SP, VCHAR, obs-text (no other control byte).
fn is_field_value(value: &[u8]) -> bool {
    value
        .iter()
        .all(|&b| b == b'\t' || (b >= 0x20 && b != 0x7f))
}

fuzz_target!(|data: &[u8]| {
    let policy = &*CRATE_POLICY;
    let value = origin_policy_fuzz::lines(data).next().unwrap_or_default();

    let crate_says = verdict(&policy.check_value(value));
    let rules_say = documented::decide(RULES, value);
    assert_eq!(
        crate_says,
        rules_say,
        "check_value({:?}): crate {crate_says:?}, documented rules {rules_say:?}",
        value.escape_ascii().to_string()
    );

    if memchr::memchr(b'\n', data).is_none() {
        return;
    }
    let lines: Vec<&[u8]> = origin_policy_fuzz::lines(data)
        .filter(|line| is_field_value(line))
        .collect();
    let mut request = http::Request::get("/ws").body(()).expect("a valid request");
    for line in &lines {
        let header = HeaderValue::from_bytes(line).expect("a field value");
        request.headers_mut().append(ORIGIN, header);
    }
    let crate_says = verdict(&policy.check(&request));
    let rules_say = documented::decide_lines(RULES, &lines);
    assert_eq!(
        crate_says,
        rules_say,
        "check(Origin lines {:?}): crate {crate_says:?}, documented rules {rules_say:?}",
        lines
            .iter()
            .map(|l| l.escape_ascii().to_string())
            .collect::<Vec<_>>()
    );
});
