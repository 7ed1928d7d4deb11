//! Property tests for the deployment rules: port lists and the same-origin rules.

use http::header::{HOST, ORIGIN};
use http::Request;
use origin_policy::{OriginPolicy, Scheme};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

fn config(cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/properties_rules.txt"
        )))),
        ..ProptestConfig::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    config
}

fn scheme() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("http"), Just("https")]
}

/// Hosts: a few fixed names (so that probes often hit) and random two- or three-label names.
fn host() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("app.example.com".to_owned()),
        Just("chat.example.com".to_owned()),
        Just("localhost".to_owned()),
        Just("127.0.0.1".to_owned()),
        Just("[::1]".to_owned()),
        "[a-z][a-z0-9]{0,5}(\\.[a-z][a-z0-9]{0,5}){1,2}\\.example",
    ]
}

/// Ports biased towards a small range (so lists and probes collide) and the defaults.
fn port() -> impl Strategy<Value = u16> {
    prop_oneof![Just(80u16), Just(443), 8440u16..8450, 1u16..=65535]
}

fn origin(scheme: &str, host: &str, port: u16) -> String {
    let default = if scheme == "https" { 443 } else { 80 };
    if port == default {
        format!("{scheme}://{host}")
    } else {
        format!("{scheme}://{host}:{port}")
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// A port-list entry allows exactly what the exact entries for each of its ports allow.
    #[test]
    fn a_port_list_is_the_union_of_its_exact_entries(
        scheme in scheme(),
        host in host(),
        ports in prop::collection::vec(port(), 1..6),
        probes in prop::collection::vec((scheme(), host(), port()), 1..12),
    ) {
        let list = ports.iter().map(u16::to_string).collect::<Vec<_>>().join(",");
        let listed: OriginPolicy = format!("{scheme}://{host}:[{list}]").parse().unwrap();
        let exact = OriginPolicy::builder()
            .allow_all(ports.iter().map(|&p| origin(scheme, &host, p)))
            .build()
            .unwrap();
        // Every listed port, plus random probes.
        let probes = ports
            .iter()
            .map(|&p| origin(scheme, &host, p))
            .chain(probes.iter().map(|(s, h, p)| origin(s, h, *p)));
        for probe in probes {
            prop_assert_eq!(
                listed.check_value(probe.as_bytes()).is_allowed(),
                exact.check_value(probe.as_bytes()).is_allowed(),
                "probe {} for list {}", probe, list
            );
        }
    }

    /// The configured same-origin rule allows exactly its own origin: never one that differs
    /// in scheme, host or port.
    #[test]
    fn same_origin_never_allows_another_origin(
        own in (scheme(), host(), port()),
        other in (scheme(), host(), port()),
    ) {
        let own_origin = origin(own.0, &own.1, own.2);
        let other_origin = origin(other.0, &other.1, other.2);
        let policy = OriginPolicy::builder().same_origin(own_origin.clone()).build().unwrap();
        prop_assert!(policy.check_value(own_origin.as_bytes()).is_allowed());
        let differs = own.0 != other.0 || own.1 != other.1 || own.2 != other.2;
        prop_assert_eq!(
            policy.check_value(other_origin.as_bytes()).is_allowed(),
            !differs,
            "own {} other {}", own_origin, other_origin
        );
    }

    /// The host-derived rule allows an origin only when scheme, host and port all equal the
    /// configured scheme and the request's `Host` (defaults filled in).
    #[test]
    fn same_origin_from_host_compares_scheme_host_and_port(
        configured in scheme(),
        host_header in (host(), prop::option::of(port())),
        presented in (scheme(), host(), port()),
    ) {
        let scheme = if configured == "https" { Scheme::Https } else { Scheme::Http };
        let policy = OriginPolicy::builder().same_origin_from_host(scheme).build().unwrap();
        let (host, host_port) = &host_header;
        let host_value = match host_port {
            Some(port) => format!("{host}:{port}"),
            None => host.clone(),
        };
        let presented_origin = origin(presented.0, &presented.1, presented.2);
        let request = Request::get("/ws")
            .header(HOST, host_value.as_str())
            .header(ORIGIN, presented_origin.as_str())
            .body(())
            .unwrap();
        let default = if configured == "https" { 443 } else { 80 };
        let same = presented.0 == configured
            && presented.1 == *host
            && presented.2 == host_port.unwrap_or(default);
        prop_assert_eq!(
            policy.check(&request).is_allowed(),
            same,
            "configured {} Host {} Origin {}", configured, host_value, presented_origin
        );
    }
}
