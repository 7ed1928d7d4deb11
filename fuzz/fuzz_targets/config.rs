//! An arbitrary string as the comma/whitespace-separated allowlist users keep in an
//! environment variable.
//!
//! Invariants:
//! - parsing never panics (errors are values);
//! - whatever parses, its `Display` re-parses to an equal policy with the same `Display`
//!   (checked on one parsing input in 4, picked by a hash of its bytes: the second parse
//!   doubles the cost of an input);
//! - every exact entry (the first four of a list) is canonical (a fixed point of
//!   `Origin::parse_header`) and its canonical form is allowed by that entry;
//! - every pattern (the first four; `scheme://*.base[:ports]` or `scheme://host:ports`)
//!   matches and allows `scheme://x.base` (or `scheme://host`) with a port it lists, by a rule
//!   that matches it;
//!   it does not match a port it does not list; a wildcard never matches its base.
#![no_main]

use libfuzzer_sys::fuzz_target;
use origin_policy::{MatchedRule, Origin, OriginPolicy, PortRule, Scheme};

/// Exact entries and patterns checked one by one per input (each costs one to three
/// decisions); longer lists are still parsed and round-tripped whole, and any entry is among the
/// first few of some shorter list.
const ENTRIES_CHECKED: usize = 4;

fuzz_target!(|data: &[u8]| {
    let Ok(list) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(policy) = list.parse::<OriginPolicy>() else {
        return;
    };

    // Display round-trips.
    if origin_policy_fuzz::sampled(data, 4) {
        display_round_trips(list, &policy);
    }

    // Exact entries are canonical and allow themselves.
    for origin in policy.origins().take(ENTRIES_CHECKED) {
        let canonical = origin.as_str();
        let parsed = Origin::parse_header(canonical.as_bytes())
            .unwrap_or_else(|e| panic!("entry {canonical:?} of {list:?} is not an Origin: {e}"));
        assert_eq!(
            parsed.as_str(),
            canonical,
            "entry of {list:?} is not canonical"
        );
        let decision = policy.check_value(canonical.as_bytes());
        assert_eq!(
            decision.matched_rule(),
            Some(&MatchedRule::Exact(origin.clone())),
            "entry {canonical:?} of {list:?}: {decision}"
        );
    }

    // Patterns allow an origin they describe and refuse a port they do not list.
    for pattern in policy.patterns().take(ENTRIES_CHECKED) {
        let scheme = pattern.scheme();
        let host = match pattern.is_wildcard() {
            true => format!("x.{}", pattern.host()),
            false => pattern.host().to_owned(),
        };
        let (accepted, refused) = match pattern.ports() {
            PortRule::Is(port) => (*port, Some(other_port(&[*port]))),
            PortRule::OneOf(ports) => (ports[0], Some(other_port(ports))),
            PortRule::Any => (8443, None),
            other => panic!("unknown port rule {other:?}"),
        };
        let inside = origin(scheme, &host, accepted);
        assert!(
            pattern.matches(&inside),
            "{pattern} of {list:?} does not match {inside}"
        );
        let decision = policy.check_value(inside.as_str().as_bytes());
        match decision.matched_rule() {
            Some(MatchedRule::Pattern(rule)) => assert!(
                rule.matches(&inside),
                "{inside} of {list:?} allowed by {rule}, which does not match it"
            ),
            Some(MatchedRule::Exact(exact)) => assert_eq!(exact, &inside, "{list:?}"),
            _ => panic!("{pattern} of {list:?} does not allow {inside}: {decision}"),
        }
        if let Some(port) = refused {
            let outside = origin(scheme, &host, port);
            assert!(
                !pattern.matches(&outside),
                "{pattern} of {list:?} matches {outside}"
            );
        }
        // A wildcard never matches its base.
        if pattern.is_wildcard() {
            let base = origin(scheme, pattern.host(), accepted);
            assert!(
                !pattern.matches(&base),
                "{pattern} of {list:?} matches its base"
            );
            if let Some(MatchedRule::Pattern(rule)) =
                policy.check_value(base.as_str().as_bytes()).matched_rule()
            {
                assert_ne!(
                    rule, pattern,
                    "{pattern} of {list:?} allows its base {base}"
                );
            }
        }
    }
});

/// The policy's `Display` parses to an equal policy with the same `Display`.
fn display_round_trips(list: &str, policy: &OriginPolicy) {
    let shown = policy.to_string();
    let reparsed: OriginPolicy = shown
        .parse()
        .unwrap_or_else(|e| panic!("{list:?} parsed, but its display {shown:?} does not: {e}"));
    assert_eq!(
        &reparsed, policy,
        "{list:?} displays as {shown:?}, which parses differently"
    );
    assert_eq!(
        reparsed.to_string(),
        shown,
        "display of {list:?} is not stable"
    );
}

/// The canonical origin `scheme://host[:port]`, parsed strictly as a header value.
fn origin(scheme: Scheme, host: &str, port: u16) -> Origin {
    let text = match port == scheme.default_port() {
        true => format!("{scheme}://{host}"),
        false => format!("{scheme}://{host}:{port}"),
    };
    Origin::parse_header(text.as_bytes())
        .unwrap_or_else(|e| panic!("{text:?}, built from a pattern, is not an origin: {e}"))
}

/// A port that is not in `ports`.
fn other_port(ports: &[u16]) -> u16 {
    (1..=u16::MAX)
        .find(|p| !ports.contains(p))
        .expect("a pattern lists few ports")
}
