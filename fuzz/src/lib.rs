//! Shared fixtures for the fuzz targets: the fixed policy of `tests/corpus/README.md`.

use origin_policy::{DenyReason, OriginPolicy};

/// The documented rules, written again without the crate or `tests/oracle` (for
/// `differential`).
pub mod documented;

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
    let origins: Vec<String> = policy.exact_origins().map(|o| o.to_string()).collect();
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

/// The header lines of the structured targets' inputs: the input split at `\n`, each line
/// `name:value` split at its first `:` (a line without one is skipped). The value is kept byte
/// for byte, whitespace included. Seeds and crash inputs read as text (`origin:https://a.b`).
pub fn header_lines(data: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    lines(data).filter_map(|line| {
        let colon = memchr::memchr(b':', line)?;
        Some((&line[..colon], &line[colon + 1..]))
    })
}

/// The input split at `\n`, by `memchr` (not instrumented): a byte-by-byte split in the
/// target would trace one comparison per byte.
pub fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    let mut ends = memchr::memchr_iter(b'\n', data).chain(std::iter::once(data.len()));
    std::iter::from_fn(move || {
        let end = ends.next()?;
        let line = &data[start..end];
        start = end + 1;
        Some(line)
    })
}

/// Whether `needle` occurs in `haystack` (one `memmem` search, not a compare per window).
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// Whether this input is one of the `1 / every` picked for a costly extra check, by an FNV-1a
/// hash of its bytes: the same input is always picked or not (crashes reproduce), and every
/// mutation of an input has its own chance.
pub fn sampled(data: &[u8], every: u32) -> bool {
    let hash = data.iter().fold(0x811c_9dc5_u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    hash % every == 0
}
