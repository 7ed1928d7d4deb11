//! Raw bytes as one `Origin` header value against the fixed policy of `tests/corpus/README.md`.
//!
//! Invariants:
//! - allow vs deny equals the naive oracle (`tests/oracle/mod.rs`); the allowing rule is the
//!   same; the deny reason is the same wherever the oracle is sure of it;
//! - the decision records the trimmed value (its first 64 bytes);
//! - ASCII letter case never changes allow vs deny, nor the allowing rule (checked on every
//!   allowed value, and on one denied input in 8, picked by a hash of its bytes: two more
//!   decisions per input would halve the executions per second);
//! - an allowed value's canonical form (`Origin::parse_header`) is a fixed point of
//!   `parse_header` and is allowed again by the same rule.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use origin_policy::{Decision, DenyReason, MatchedRule, Origin, OriginPolicy};
use origin_policy_fuzz::documented;
use origin_policy_fuzz::oracle::{self, Allowlist, Kind, Rule};

static POLICY: LazyLock<OriginPolicy> = LazyLock::new(origin_policy_fuzz::fixed_policy);
static ALLOWLIST: LazyLock<Allowlist> = LazyLock::new(origin_policy_fuzz::fixed_allowlist);

/// The crate's decision in the oracle's vocabulary.
fn kind(decision: &Decision) -> Kind {
    match (decision.matched_rule(), decision.deny_reason()) {
        (Some(MatchedRule::Exact(origin)), _) => Kind::Allow(Rule::Exact(origin.as_str().into())),
        (Some(MatchedRule::Pattern(pattern)), _) if pattern.is_wildcard() => {
            Kind::Allow(Rule::Wildcard(pattern.as_str().into()))
        }
        (Some(other), _) => panic!("the fixed policy has no opt-ins, yet {other:?} allowed"),
        (None, Some(DenyReason::Null)) => Kind::Null,
        (None, Some(DenyReason::Multiple)) => Kind::Multiple,
        (None, Some(DenyReason::Malformed)) => Kind::Malformed,
        (None, Some(DenyReason::NotAllowed)) => Kind::NotAllowed,
        (None, reason) => panic!("unexpected deny reason {reason:?} for a header value"),
    }
}

/// The lowercase and uppercase spellings of `value` are decided by the same rule.
fn case_variants(policy: &OriginPolicy, value: &[u8], decision: &Decision) {
    for variant in [value.to_ascii_lowercase(), value.to_ascii_uppercase()] {
        let other = policy.check_value(&variant);
        assert_eq!(
            other.matched_rule(),
            decision.matched_rule(),
            "case variant {:?} of {:?}",
            String::from_utf8_lossy(&variant),
            String::from_utf8_lossy(value)
        );
    }
}

fuzz_target!(|value: &[u8]| {
    let policy = &*POLICY;
    let decision = policy.check_value(value);
    let got = kind(&decision);
    let verdict = oracle::decide(&ALLOWLIST, value);
    // The oracle applies the length limits as the documented rules do (a list stays a list).
    if verdict.kind != Kind::Multiple && documented::over_length_limits(value) {
        assert_eq!(verdict.kind, Kind::Malformed, "length limits of {value:?}");
    }
    let shown = String::from_utf8_lossy(value);

    // The oracle: always allow vs deny and the rule; the reason where the oracle is sure.
    assert_eq!(
        got.is_allowed(),
        verdict.kind.is_allowed(),
        "allow vs deny differs for {shown:?}: crate {got:?}, oracle {verdict:?}"
    );
    if got.is_allowed() || verdict.reason_uncertain.is_none() {
        assert_eq!(got, verdict.kind, "decision differs for {shown:?}");
    }

    // What the decision records is the trimmed value.
    let trimmed = oracle::trim_ows(value);
    let kept = &trimmed[..trimmed.len().min(64)];
    assert_eq!(decision.origin().as_bytes(), kept, "excerpt of {shown:?}");

    // Letter case changes nothing (`null`/`NULL` differ only in the deny reason).
    if decision.is_allowed() || origin_policy_fuzz::sampled(value, 8) {
        case_variants(policy, value, &decision);
    }

    // The canonical form of an allowed value is canonical and allowed by the same rule.
    if let Some(rule) = decision.matched_rule() {
        let origin = Origin::parse_header(trimmed)
            .unwrap_or_else(|e| panic!("allowed {shown:?} does not parse as an Origin: {e}"));
        let canonical = origin.as_str();
        let again = Origin::parse_header(canonical.as_bytes())
            .unwrap_or_else(|e| panic!("canonical {canonical:?} does not re-parse: {e}"));
        assert_eq!(
            again.as_str(),
            canonical,
            "canonical form of {shown:?} is not a fixed point"
        );
        assert_eq!(
            canonical,
            canonical.to_ascii_lowercase(),
            "canonical form of {shown:?} is not lowercase"
        );
        let redecided = policy.check_value(canonical.as_bytes());
        assert_eq!(
            redecided.matched_rule(),
            Some(rule),
            "canonical {canonical:?} of {shown:?} is not allowed by the same rule"
        );
    }
});
