//! Property tests: `OriginPolicy` against the naive oracle in `tests/oracle`, over random
//! policies and random (often hostile) `Origin` values.
//!
//! Case counts are moderate so the file runs in seconds in debug builds; set
//! `PROPTEST_CASES=2000` (or more) to hunt harder. Failures are saved under
//! `proptest-regressions/` and replayed first on every run.

use crate::oracle;

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::oracle::{Allowlist, Kind, Rule};
use http::header::{HeaderName, HeaderValue, ORIGIN};
use http::{HeaderMap, Request};
use origin_policy::{Decision, DenyReason, MatchedRule, Origin, OriginPolicy};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{FileFailurePersistence, TestCaseError};

// ---------------------------------------------------------------------------------------------
// Configuration

/// `cases` by default; `PROPTEST_CASES` from the environment wins, to hunt harder.
fn config(cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/properties.txt"
        )))),
        ..ProptestConfig::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    config
}

// ---------------------------------------------------------------------------------------------
// Policies

/// An origin in canonical form, built from its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
struct OriginSpec {
    scheme: &'static str,
    host: String,
    port: Option<u16>,
}

impl OriginSpec {
    fn canonical(&self) -> String {
        match self.port {
            Some(port) => format!("{}://{}:{}", self.scheme, self.host, port),
            None => format!("{}://{}", self.scheme, self.host),
        }
    }
}

/// A wildcard pattern `scheme://*.base[:port]` in canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
struct WildcardSpec {
    scheme: &'static str,
    base: String,
    port: Option<u16>,
}

impl WildcardSpec {
    fn canonical(&self) -> String {
        match self.port {
            Some(port) => format!("{}://*.{}:{}", self.scheme, self.base, port),
            None => format!("{}://*.{}", self.scheme, self.base),
        }
    }

    fn origin_under(&self, prefix: &[String]) -> OriginSpec {
        OriginSpec {
            scheme: self.scheme,
            host: format!("{}.{}", prefix.join("."), self.base),
            port: self.port,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum EntrySpec {
    Exact(OriginSpec),
    Wildcard(WildcardSpec),
}

impl EntrySpec {
    fn canonical(&self) -> String {
        match self {
            EntrySpec::Exact(origin) => origin.canonical(),
            EntrySpec::Wildcard(pattern) => pattern.canonical(),
        }
    }
}

/// A policy's entries, canonical, in order, without duplicates.
#[derive(Debug, Clone)]
struct PolicySpec {
    entries: Vec<EntrySpec>,
}

impl PolicySpec {
    fn allowlist(&self) -> Allowlist {
        let mut allowlist = Allowlist::default();
        for entry in &self.entries {
            match entry {
                EntrySpec::Exact(origin) => allowlist.exact.push(origin.canonical()),
                EntrySpec::Wildcard(pattern) => allowlist.patterns.push(pattern.canonical()),
            }
        }
        allowlist
    }

    /// The policy built from the canonical entries, which must all be accepted.
    fn build(&self) -> OriginPolicy {
        let entries: Vec<String> = self.entries.iter().map(EntrySpec::canonical).collect();
        OriginPolicy::builder()
            .allow_all(&entries)
            .build()
            .unwrap_or_else(|e| panic!("canonical entries {entries:?} refused: {e}"))
    }
}

/// Punycode labels that are valid IDNA (bücher, münchen, 中国).
const PUNYCODE: [&str; 3] = ["xn--bcher-kva", "xn--mnchen-3ya", "xn--fiqs8s"];

fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[a-z0-9][a-z0-9_-]{0,6}",
        1 => prop::sample::select(&PUNYCODE[..]).prop_map(String::from),
        1 => prop::sample::select(&["a-b", "_dmarc", "123", "0x1", "www", "app"][..])
            .prop_map(String::from),
    ]
    // Random `xn--` labels are almost never valid punycode.
    .prop_filter("random xn-- label", |label| {
        !label.starts_with("xn--") || PUNYCODE.contains(&label.as_str())
    })
}

/// The last label: starts with a letter, so the host never "ends in a number" (which would
/// make it an IPv4 address to the WHATWG parser).
fn top_label() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-z][a-z0-9-]{0,5}",
        1 => prop::sample::select(&PUNYCODE[..]).prop_map(String::from),
    ]
    .prop_filter("random xn-- label", |label| {
        !label.starts_with("xn--") || PUNYCODE.contains(&label.as_str())
    })
}

/// A domain of `min..=max` labels, sometimes with a trailing dot.
fn domain(min: usize, max: usize) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(label(), min - 1..=max - 1),
        top_label(),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(mut labels, top, trailing_dot)| {
            labels.push(top);
            let mut domain = labels.join(".");
            if trailing_dot {
                domain.push('.');
            }
            domain
        })
}

fn ipv4() -> impl Strategy<Value = String> {
    any::<[u8; 4]>().prop_map(|octets| Ipv4Addr::from(octets).to_string())
}

fn ipv6() -> impl Strategy<Value = String> {
    let segment = prop_oneof![3 => Just(0u16), 1 => Just(1u16), 2 => any::<u16>()];
    prop::collection::vec(segment, 8).prop_map(|s| {
        let address = Ipv6Addr::new(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);
        // The WHATWG serialization (it differs from `Ipv6Addr`'s for IPv4-mapped addresses).
        url::Host::<String>::Ipv6(address).to_string()
    })
}

fn scheme() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&["http", "https"][..])
}

fn port() -> impl Strategy<Value = Option<u16>> {
    prop_oneof![
        4 => Just(None),
        2 => prop::sample::select(&[80u16, 443, 3000, 8080, 8443, 1, 65535][..]).prop_map(Some),
        1 => (1u16..).prop_map(Some),
    ]
}

/// Drops a port that is the scheme's default, as the canonical form does.
fn canonical_port(scheme: &str, port: Option<u16>) -> Option<u16> {
    port.filter(|&p| Some(p) != oracle::default_port(scheme))
}

fn origin_spec() -> impl Strategy<Value = OriginSpec> {
    let host = prop_oneof![6 => domain(1, 4), 1 => ipv4(), 1 => ipv6()];
    (scheme(), host, port()).prop_map(|(scheme, host, port)| OriginSpec {
        scheme,
        host,
        port: canonical_port(scheme, port),
    })
}

/// Top-level labels the Public Suffix List does not know, so that no generated wildcard base
/// is a public suffix (`*.ab.ck` would be one: the list has `*.ck`), which the crate refuses.
const UNLISTED_TLDS: &[&str] = &["example", "test", "invalid", "internal", "corp", "lan"];

/// A wildcard base: 2 to 4 labels ending in an unlisted top-level label.
fn base_domain() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(label(), 1..=3),
        prop::sample::select(UNLISTED_TLDS),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(mut labels, top, trailing_dot)| {
            labels.push(top.to_owned());
            let mut domain = labels.join(".");
            if trailing_dot {
                domain.push('.');
            }
            domain
        })
}

fn wildcard_spec() -> impl Strategy<Value = WildcardSpec> {
    (scheme(), base_domain(), port()).prop_map(|(scheme, base, port)| WildcardSpec {
        scheme,
        base,
        port: canonical_port(scheme, port),
    })
}

/// How an extra entry is derived from another one, so that entries overlap.
#[derive(Debug, Clone)]
enum Derived {
    /// An exact origin under a wildcard's base (exact entries win over wildcards).
    ExactUnder(String),
    /// A wildcard under another wildcard's base (the most specific one wins).
    Nested(String),
    /// The same base with the other scheme or another port (never confused).
    OtherSchemeOrPort(Option<u16>),
}

fn policy_spec() -> impl Strategy<Value = PolicySpec> {
    let entry = prop_oneof![
        3 => origin_spec().prop_map(EntrySpec::Exact),
        2 => wildcard_spec().prop_map(EntrySpec::Wildcard),
    ];
    let derived = prop_oneof![
        label().prop_map(Derived::ExactUnder),
        label().prop_map(Derived::Nested),
        port().prop_map(Derived::OtherSchemeOrPort),
    ];
    (
        prop::collection::vec(entry, 1..=5),
        prop::collection::vec((any::<Index>(), derived), 0..=3),
    )
        .prop_map(|(mut entries, derived)| {
            for (index, derived) in derived {
                let EntrySpec::Wildcard(pattern) = index.get(&entries).clone() else {
                    continue;
                };
                entries.push(match derived {
                    Derived::ExactUnder(label) => EntrySpec::Exact(pattern.origin_under(&[label])),
                    Derived::Nested(label) => EntrySpec::Wildcard(WildcardSpec {
                        base: format!("{label}.{}", pattern.base),
                        ..pattern
                    }),
                    Derived::OtherSchemeOrPort(port) => {
                        let scheme = if port.is_some() {
                            pattern.scheme
                        } else if pattern.scheme == "http" {
                            "https"
                        } else {
                            "http"
                        };
                        EntrySpec::Wildcard(WildcardSpec {
                            scheme,
                            port: canonical_port(scheme, port),
                            ..pattern
                        })
                    }
                });
            }
            let mut unique: Vec<EntrySpec> = Vec::new();
            for entry in entries {
                if !unique.contains(&entry) {
                    unique.push(entry);
                }
            }
            PolicySpec { entries: unique }
        })
}

/// A policy and the canonical form of an origin one of its entries allows.
fn policy_and_allowed() -> impl Strategy<Value = (PolicySpec, String)> {
    (
        policy_spec(),
        any::<Index>(),
        prop::collection::vec(label(), 1..=2),
    )
        .prop_map(|(policy, index, prefix)| {
            let allowed = match index.get(&policy.entries) {
                EntrySpec::Exact(origin) => origin.canonical(),
                EntrySpec::Wildcard(pattern) => pattern.origin_under(&prefix).canonical(),
            };
            (policy, allowed)
        })
}

// ---------------------------------------------------------------------------------------------
// Spellings and mutations of origins

/// An equivalent spelling: letter case, explicit default port, optional whitespace around.
#[derive(Debug, Clone)]
struct Spelling {
    upper: Vec<bool>,
    explicit_default_port: bool,
    before: String,
    after: String,
}

fn spelling() -> impl Strategy<Value = Spelling> {
    (
        prop::collection::vec(any::<bool>(), 1..40),
        any::<bool>(),
        "[ \t]{0,3}",
        "[ \t]{0,3}",
    )
        .prop_map(|(upper, explicit_default_port, before, after)| Spelling {
            upper,
            explicit_default_port,
            before,
            after,
        })
}

/// Sets the case of each ASCII letter from `upper` (cycled).
fn with_case(value: &str, upper: &[bool]) -> String {
    value
        .chars()
        .zip(upper.iter().cycle())
        .map(|(c, &up)| {
            if up {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

fn spell(canonical: &str, spelling: &Spelling) -> String {
    let mut value = with_case(canonical, &spelling.upper);
    if spelling.explicit_default_port {
        let url = url::Url::parse(canonical).expect("canonical origins parse");
        if url.port().is_none() {
            let default = oracle::default_port(url.scheme()).expect("http(s)");
            value.push_str(&format!(":{default}"));
        }
    }
    format!("{}{value}{}", spelling.before, spelling.after)
}

/// Characters that have broken origin checks before: delimiters, percent-encoding, wildcards,
/// whitespace and controls, and non-ASCII that IDNA maps to ASCII (fullwidth and ideographic
/// dots, KELVIN SIGN, LONG S, soft hyphen, zero-width space).
const NASTY: &[&str] = &[
    "@", "/", "\\", ".", ":", "%", "#", "?", "*", "`", "{", "}", "_", "-", " ", "\t", "\r", "\n",
    "\0", ",", "[", "]", "\u{7f}", "%2e", "..", "xn--", "0", "1", "A", "\u{fc}", "\u{3002}",
    "\u{ff0e}", "\u{200b}", "\u{212a}", "\u{17f}", "\u{131}", "\u{ad}", "\u{ff21}",
];

const PORTS: &[&str] = &[
    "",
    ":",
    ":0",
    ":00",
    ":080",
    ":80",
    ":443",
    ":8443",
    ":65535",
    ":65536",
    ":99999",
    ":+80",
    ":-1",
    ":4294967376",
    ":1e3",
    ":0x50",
    ": 80",
    ":80:80",
];

const SCHEMES: &[&str] = &[
    "http",
    "https",
    "HTTP",
    "hTTps",
    "ws",
    "wss",
    "ftp",
    "file",
    "foo",
    "blob:https",
    "",
    "h",
    "http+",
    "https:",
    "xhttps",
    "1http",
];

#[derive(Debug, Clone)]
enum Mutation {
    Insert(Index, &'static str),
    Replace(Index, &'static str),
    Delete(Index),
    Duplicate(Index),
    SwapLabels(Index, Index),
    Port(String),
    Scheme(&'static str),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let nasty = || prop::sample::select(NASTY);
    prop_oneof![
        4 => (any::<Index>(), nasty()).prop_map(|(i, s)| Mutation::Insert(i, s)),
        2 => (any::<Index>(), nasty()).prop_map(|(i, s)| Mutation::Replace(i, s)),
        2 => any::<Index>().prop_map(Mutation::Delete),
        1 => any::<Index>().prop_map(Mutation::Duplicate),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(i, j)| Mutation::SwapLabels(i, j)),
        2 => prop_oneof![
            prop::sample::select(PORTS).prop_map(String::from),
            any::<u32>().prop_map(|p| format!(":{p}")),
        ]
        .prop_map(Mutation::Port),
        1 => prop::sample::select(SCHEMES).prop_map(Mutation::Scheme),
    ]
}

/// Where a trailing `:digits` port starts, if there is one.
fn port_start(value: &[u8]) -> Option<usize> {
    let colon = value.iter().rposition(|&b| b == b':')?;
    let digits = &value[colon + 1..];
    (!digits.is_empty() && digits.iter().all(u8::is_ascii_digit)).then_some(colon)
}

fn mutate(value: &mut Vec<u8>, mutation: &Mutation) {
    let position = |index: &Index, len: usize| index.index(len + 1);
    match mutation {
        Mutation::Insert(index, text) => {
            let at = position(index, value.len());
            value.splice(at..at, text.bytes());
        }
        Mutation::Replace(index, text) if !value.is_empty() => {
            let at = index.index(value.len());
            value.splice(at..at + 1, text.bytes());
        }
        Mutation::Delete(index) if !value.is_empty() => {
            value.remove(index.index(value.len()));
        }
        Mutation::Duplicate(index) if !value.is_empty() => {
            let at = index.index(value.len());
            value.insert(at, value[at]);
        }
        Mutation::SwapLabels(i, j) => {
            let mut labels: Vec<Vec<u8>> =
                value.split(|&b| b == b'.').map(<[u8]>::to_vec).collect();
            let (i, j) = (i.index(labels.len()), j.index(labels.len()));
            labels.swap(i, j);
            *value = labels.join(&b'.');
        }
        Mutation::Port(port) => {
            if let Some(colon) = port_start(value) {
                value.truncate(colon);
            }
            value.extend_from_slice(port.as_bytes());
        }
        Mutation::Scheme(scheme) => {
            let rest = match value.windows(3).position(|w| w == b"://") {
                Some(at) => value.split_off(at),
                None => {
                    let mut rest = b"://".to_vec();
                    rest.append(value);
                    rest
                }
            };
            *value = scheme.bytes().chain(rest).collect();
        }
        _ => {}
    }
}

/// A policy and a value to check: mostly mutations of allowed origins, also arbitrary text.
fn policy_and_value() -> impl Strategy<Value = (PolicySpec, Vec<u8>)> {
    let mutated = (
        policy_and_allowed(),
        spelling(),
        prop::collection::vec(mutation(), 0..=3),
    )
        .prop_map(|((policy, allowed), spelling, mutations)| {
            let mut value = spell(&allowed, &spelling).into_bytes();
            for mutation in &mutations {
                mutate(&mut value, mutation);
            }
            (policy, value)
        });
    let arbitrary = prop_oneof![
        "\\PC{0,40}".prop_map(String::into_bytes),
        "(https?|HTTPS?|wss?|ftp|file|foo)://[a-zA-Z0-9.:_\\[\\]%@*-]{0,30}"
            .prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..50),
    ];
    prop_oneof![
        6 => mutated,
        1 => (policy_spec(), arbitrary),
    ]
}

// ---------------------------------------------------------------------------------------------
// Comparing the crate with the oracle

/// The crate's decision in the oracle's vocabulary.
fn kind_of(decision: &Decision) -> Kind {
    match decision {
        Decision::Allow { rule, .. } => match rule {
            MatchedRule::Exact(origin) => Kind::Allow(Rule::Exact(origin.as_str().to_owned())),
            // Only wildcard patterns are generated (no port lists or `:*`).
            MatchedRule::Pattern(pattern) => {
                Kind::Allow(Rule::Wildcard(pattern.as_str().to_owned()))
            }
            other => panic!("no opt-in was set, but the rule is {other:?}"),
        },
        Decision::Deny { reason, .. } => match reason {
            DenyReason::Null => Kind::Null,
            DenyReason::Multiple => Kind::Multiple,
            DenyReason::Malformed => Kind::Malformed,
            DenyReason::NotAllowed => Kind::NotAllowed,
            other => panic!("check_value cannot deny for {other:?}"),
        },
        other => panic!("unknown decision {other:?}"),
    }
}

fn show(value: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(value))
}

/// The crate and the oracle agree on `value`: on the exact decision (rule or deny reason), or
/// on allow-vs-deny where the oracle says it cannot know the reason.
fn agrees(
    policy: &OriginPolicy,
    allowlist: &Allowlist,
    value: &[u8],
) -> Result<Kind, TestCaseError> {
    let got = kind_of(&policy.check_value(value));
    let verdict = oracle::decide(allowlist, value);
    match verdict.reason_uncertain {
        None => prop_assert_eq!(
            &got,
            &verdict.kind,
            "value {} against policy [{}]",
            show(value),
            policy
        ),
        Some(why) => prop_assert_eq!(
            got.is_allowed(),
            verdict.kind.is_allowed(),
            "value {} against policy [{}]: crate {:?}, oracle {:?} ({})",
            show(value),
            policy,
            got,
            verdict.kind,
            why
        ),
    }
    Ok(got)
}

// ---------------------------------------------------------------------------------------------
// Properties
//
// Each property is a plain function (so rustfmt and clippy see it); the `proptest!` blocks at
// the end only draw the inputs and set the case counts.

/// Property 1: every equivalent spelling of an allowed origin is allowed by the same rule as
/// its canonical form, and that is the rule the oracle picks.
fn equivalent_spellings(
    spec: &PolicySpec,
    allowed: &str,
    spelling: &Spelling,
) -> Result<(), TestCaseError> {
    let policy = spec.build();
    let allowlist = spec.allowlist();
    let expected = oracle::decide(&allowlist, allowed.as_bytes()).kind;
    prop_assert!(
        expected.is_allowed(),
        "oracle denies {allowed:?} in [{policy}]: {expected:?}"
    );
    let canonical = kind_of(&policy.check_value(allowed.as_bytes()));
    prop_assert_eq!(&canonical, &expected, "canonical {}", allowed);

    let spelled = spell(allowed, spelling);
    let got = kind_of(&policy.check_value(spelled.as_bytes()));
    prop_assert_eq!(got, expected, "spelling {:?} of {}", spelled, allowed);
    Ok(())
}

/// Property 2, no false allows: whatever the crate allows, `url` reads as an origin in the
/// exact list or under a wildcard pattern (naive matcher); and the crate decides as the oracle
/// does. Property 3: the canonical form of every allowed value is allowed by the same rule.
fn no_false_allows(spec: &PolicySpec, value: &[u8]) -> Result<(), TestCaseError> {
    let policy = spec.build();
    let allowlist = spec.allowlist();
    if let Decision::Allow { rule, .. } = policy.check_value(value) {
        let trimmed = oracle::trim_ows(value);
        let Ok(text) = std::str::from_utf8(trimmed) else {
            return Err(TestCaseError::fail(format!(
                "allowed non-UTF-8 {}",
                show(value)
            )));
        };
        let Some(serialized) = oracle::url_origin(text) else {
            return Err(TestCaseError::fail(format!(
                "allowed {text:?}, which `url` refuses"
            )));
        };
        prop_assert!(
            allowlist.exact.contains(&serialized)
                || allowlist
                    .patterns
                    .iter()
                    .any(|pattern| oracle::wildcard_matches(pattern, &serialized)),
            "allowed {:?} (`url`: {:?}) by {} in [{}]",
            text,
            serialized,
            rule,
            policy
        );

        let canonical = Origin::parse_header(trimmed).map_err(|e| {
            TestCaseError::fail(format!("allowed {text:?}, but parse_header says {e}"))
        })?;
        prop_assert_eq!(canonical.as_str(), serialized.as_str());
        let again = policy.check_value(canonical.as_str().as_bytes());
        prop_assert_eq!(
            again.matched_rule(),
            Some(&rule),
            "canonical {} of {:?}",
            canonical,
            text
        );
    }
    agrees(&policy, &allowlist, value)?;
    Ok(())
}

/// Property 3: every exact entry is allowed as `origins()` serializes it, and every wildcard
/// pattern allows its base under one more label; the crate's entries are the spec's, in order.
fn entries_allow_themselves(spec: &PolicySpec, prefix: &str) -> Result<(), TestCaseError> {
    let policy = spec.build();
    let allowlist = spec.allowlist();
    let origins: Vec<String> = policy.exact_origins().map(|o| o.to_string()).collect();
    prop_assert_eq!(&origins, &allowlist.exact);
    let patterns: Vec<&str> = policy.patterns().map(|p| p.as_str()).collect();
    prop_assert_eq!(&patterns, &allowlist.patterns);

    for origin in policy.exact_origins() {
        let decision = policy.check_value(origin.as_str().as_bytes());
        let exact = MatchedRule::Exact(origin.clone());
        prop_assert_eq!(decision.matched_rule(), Some(&exact), "{}", origin);
    }
    for entry in &spec.entries {
        let EntrySpec::Wildcard(pattern) = entry else {
            continue;
        };
        let value = pattern.origin_under(&[prefix.to_owned()]).canonical();
        prop_assert!(
            policy.check_value(value.as_bytes()).is_allowed(),
            "{value:?} in [{policy}]"
        );
        agrees(&policy, &allowlist, value.as_bytes())?;
    }
    Ok(())
}

/// Property 4: no panic on arbitrary bytes, through every entry point that takes a value.
fn arbitrary_bytes(spec: &PolicySpec, value: &[u8]) -> Result<(), TestCaseError> {
    let policy = spec.build();
    let decision = policy.check_value(value);
    let _ = decision.to_string();
    let _ = decision.rejection::<String>();
    let _ = Origin::parse_header(value);
    Ok(())
}

/// Opt-ins for [`arbitrary_headers`].
#[derive(Debug, Clone, Copy)]
struct OptIns {
    missing: bool,
    null: bool,
    any: bool,
}

/// Headers that are not `Origin`, to surround the ones that are.
const OTHER_HEADERS: &[&str] = &[
    "host",
    "sec-websocket-origin",
    "referer",
    "x-origin",
    "upgrade",
];

/// Property 4: no panic on arbitrary header sets; two or more `Origin` lines are always
/// "multiple" (whatever the opt-ins), one is checked as its value, none is "missing" unless
/// opted in.
fn arbitrary_headers(
    spec: &PolicySpec,
    opt_ins: OptIns,
    origins: &[Vec<u8>],
    others: &[(&'static str, String)],
) -> Result<(), TestCaseError> {
    let mut builder =
        OriginPolicy::builder().allow_all(spec.entries.iter().map(EntrySpec::canonical));
    if opt_ins.missing {
        builder = builder.allow_missing_origin();
    }
    if opt_ins.null {
        builder = builder.allow_null_origin();
    }
    if opt_ins.any {
        builder = builder.allow_any_origin_dangerously();
    }
    let policy = builder
        .build()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;

    let mut headers = HeaderMap::new();
    for (name, value) in others {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.append(HeaderName::from_static(name), value);
        }
    }
    let origins: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|origin| HeaderValue::from_bytes(origin).ok())
        .collect();
    for origin in &origins {
        headers.append(ORIGIN, origin.clone());
    }

    let decision = policy.check_headers(&headers);
    let _ = decision.to_string();
    let mut request = Request::new(());
    *request.headers_mut() = headers;
    prop_assert_eq!(&policy.check(&request), &decision);
    match origins.as_slice() {
        [] if opt_ins.missing => {
            prop_assert_eq!(decision.matched_rule(), Some(&MatchedRule::MissingOrigin))
        }
        [] => prop_assert_eq!(decision.deny_reason(), Some(DenyReason::Missing)),
        [one] => prop_assert_eq!(&decision, &policy.check_value(one.as_bytes())),
        _ => prop_assert_eq!(decision.deny_reason(), Some(DenyReason::Multiple)),
    }
    Ok(())
}

/// Property 5: parsing is idempotent and agrees with `url`; letter case never changes a
/// decision (except that `null` is only `null` in lowercase, as browsers send it).
fn case_and_idempotence(
    spec: &PolicySpec,
    value: &[u8],
    upper: &[bool],
) -> Result<(), TestCaseError> {
    if let Ok(origin) = Origin::parse_header(value) {
        let again = Origin::parse_header(origin.as_str().as_bytes());
        prop_assert_eq!(again.as_ref(), Ok(&origin), "re-parsing {}", origin);
        let serialized = oracle::url_origin(std::str::from_utf8(value).unwrap_or_default());
        prop_assert_eq!(serialized.as_deref(), Some(origin.as_str()));
    }
    // Plain skips, not `prop_assume!`: non-ASCII values are common, and rejects are capped.
    let Some(text) = value.is_ascii().then(|| String::from_utf8_lossy(value)) else {
        return Ok(());
    };
    if oracle::trim_ows(value).eq_ignore_ascii_case(b"null") {
        return Ok(());
    }
    let policy = spec.build();
    let expected = kind_of(&policy.check_value(value));
    let variants = [
        with_case(&text, upper),
        text.to_ascii_lowercase(),
        text.to_ascii_uppercase(),
    ];
    for variant in variants {
        let got = kind_of(&policy.check_value(variant.as_bytes()));
        prop_assert_eq!(&got, &expected, "{:?} vs {:?}", variant, text);
    }
    Ok(())
}

/// Property 6: a policy's `Display` parses back to an equal policy, and is the canonical
/// entries in order, whatever the spelling and separators of the configuration it was built
/// from.
fn config_round_trips(
    spec: &PolicySpec,
    spellings: &[(Vec<bool>, bool, bool)],
    separators: &[&str],
) -> Result<(), TestCaseError> {
    let mut config = String::new();
    for (i, entry) in spec.entries.iter().enumerate() {
        let (upper, default_port, slash) = &spellings[i % spellings.len()];
        let mut spelled = with_case(&entry.canonical(), upper);
        let (scheme, port) = match entry {
            EntrySpec::Exact(origin) => (origin.scheme, origin.port),
            EntrySpec::Wildcard(pattern) => (pattern.scheme, pattern.port),
        };
        if *default_port && port.is_none() {
            let default = oracle::default_port(scheme).unwrap_or_default();
            spelled.push_str(&format!(":{default}"));
        }
        if *slash {
            spelled.push('/');
        }
        if i > 0 {
            config.push_str(separators[i % separators.len()]);
        }
        config.push_str(&spelled);
    }
    let policy: OriginPolicy = config
        .parse()
        .map_err(|e| TestCaseError::fail(format!("{config:?}: {e}")))?;
    let canonical: Vec<String> = spec.entries.iter().map(EntrySpec::canonical).collect();
    prop_assert_eq!(
        policy.to_string(),
        canonical.join(", "),
        "config {:?}",
        config
    );
    let reparsed: OriginPolicy = policy
        .to_string()
        .parse()
        .map_err(|e| TestCaseError::fail(format!("{policy}: {e}")))?;
    prop_assert_eq!(&reparsed, &policy);
    prop_assert_eq!(&spec.build(), &policy);
    Ok(())
}

fn case_mask() -> impl Strategy<Value = Vec<bool>> {
    prop::collection::vec(any::<bool>(), 1..40)
}

const SEPARATORS: &[&str] = &[", ", ",", " ", "\n", " ,\t", ",,"];

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn equivalent_spellings_are_allowed_by_the_same_rule(
        (spec, allowed) in policy_and_allowed(),
        spelling in spelling(),
    ) {
        equivalent_spellings(&spec, &allowed, &spelling)?;
    }

    #[test]
    fn every_entry_allows_itself(spec in policy_spec(), prefix in label()) {
        entries_allow_themselves(&spec, &prefix)?;
    }

    #[test]
    fn config_display_round_trips(
        spec in policy_spec(),
        spellings in prop::collection::vec((case_mask(), any::<bool>(), any::<bool>()), 1..8),
        separators in prop::collection::vec(prop::sample::select(SEPARATORS), 1..8),
    ) {
        config_round_trips(&spec, &spellings, &separators)?;
    }
}

proptest! {
    #![proptest_config(config(1024))]

    #[test]
    fn no_false_allows_and_oracle_agrees((spec, value) in policy_and_value()) {
        no_false_allows(&spec, &value)?;
    }

    #[test]
    fn case_never_matters_and_parsing_is_idempotent(
        (spec, value) in policy_and_value(),
        upper in case_mask(),
    ) {
        case_and_idempotence(&spec, &value, &upper)?;
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn arbitrary_bytes_never_panic(
        spec in policy_spec(),
        value in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        arbitrary_bytes(&spec, &value)?;
    }

    #[test]
    fn arbitrary_header_sets(
        spec in policy_spec(),
        (missing, null, any) in any::<(bool, bool, bool)>(),
        origins in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..60), 0..4),
        others in prop::collection::vec((prop::sample::select(OTHER_HEADERS), "[ -~]{0,30}"), 0..4),
    ) {
        arbitrary_headers(&spec, OptIns { missing, null, any }, &origins, &others)?;
    }
}

/// The length limits on both sides of each boundary: the crate and the oracle agree on the
/// exact decision for labels of 62 to 64 bytes, domains of 252 to 254 bytes (with and without
/// a final dot) and values of 299 to 301 bytes, allowed by a wildcard where under the limit.
#[test]
fn length_limits_agree_with_the_oracle_at_each_boundary() {
    let policy: OriginPolicy = "https://*.example.com".parse().expect("a valid policy");
    let allowlist = Allowlist {
        exact: Vec::new(),
        patterns: vec!["https://*.example.com".to_owned()],
    };
    let mut values = Vec::new();
    for label in 62..=64 {
        values.push(format!("https://{}.example.com", "a".repeat(label)));
    }
    // `.example.com` is 12 bytes; labels of 49 bytes plus their dots fill the rest.
    for domain in 252..=254 {
        let mut host = String::new();
        while host.len() + 12 < domain {
            let room = domain - 12 - host.len();
            let take = room.min(50);
            // A label, then its dot: never a label of 0 bytes.
            let label = "b".repeat(take.saturating_sub(1).max(1));
            host.push_str(&label);
            host.push('.');
        }
        let host = format!("{host}example.com");
        values.push(format!("https://{host}"));
        values.push(format!("https://{host}."));
    }
    for total in 299..=301 {
        let rest = total - "https://".len() - ":1".len();
        values.push(format!("https://{}:1", "c".repeat(rest)));
    }
    let mut allowed = 0;
    for value in &values {
        let got = kind_of(&policy.check_value(value.as_bytes()));
        let verdict = oracle::decide(&allowlist, value.as_bytes());
        assert_eq!(got, verdict.kind, "{value} ({} bytes)", value.len());
        allowed += usize::from(got.is_allowed());
    }
    assert!(
        allowed >= 3,
        "the boundaries were not reached from below: {values:?}"
    );
}
