//! Shared fixtures for the fuzz targets: the fixed policy of `tests/corpus/README.md`.

use origin_policy::{DenyReason, OriginPolicy};

/// The naive oracle the property tests use, shared as is (it needs only `std` and `url`).
#[path = "../../tests/oracle/mod.rs"]
pub mod oracle;

/// The exact entries of the fixed policy, already canonical.
pub const EXACT: &[&str] = &[
    "https://app.example.com",
    "https://admin.example.org:8443",
    "http://localhost:3000",
    "http://127.0.0.1:8080",
    "http://[::1]:8080",
    "https://xn--bcher-kva.example",
];

/// The wildcard patterns of the fixed policy, already canonical.
pub const PATTERNS: &[&str] = &["https://*.tenant.example.com"];

/// The fixed policy, parsed from its string form (missing and `null` denied: the defaults).
pub fn fixed_policy() -> OriginPolicy {
    let list = EXACT
        .iter()
        .chain(PATTERNS)
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let policy: OriginPolicy = list.parse().expect("the fixed policy is valid");
    // The policy must hold exactly the canonical strings the oracle is given.
    let origins: Vec<&str> = policy.origins().map(|o| o.as_str()).collect();
    let patterns: Vec<&str> = policy.patterns().map(|p| p.as_str()).collect();
    assert_eq!(origins, EXACT);
    assert_eq!(patterns, PATTERNS);
    policy
}

/// Every deny reason the crate has, for building the fixed rejection bodies.
pub const DENY_REASONS: [DenyReason; 5] = [
    DenyReason::Missing,
    DenyReason::Null,
    DenyReason::Multiple,
    DenyReason::Malformed,
    DenyReason::NotAllowed,
];

/// The fixed bodies of the `403` rejections, one per deny reason.
pub fn rejection_bodies() -> Vec<String> {
    DENY_REASONS
        .iter()
        .map(|reason| reason.rejection::<String>().into_body())
        .collect()
}

/// The fixed policy as the oracle's allowlist.
pub fn fixed_allowlist() -> oracle::Allowlist {
    oracle::Allowlist {
        exact: EXACT.iter().map(|s| s.to_string()).collect(),
        patterns: PATTERNS.iter().map(|s| s.to_string()).collect(),
    }
}
