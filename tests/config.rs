//! Configuration loading: serde (TOML and JSON) with the builder's validation and errors.
#![cfg(feature = "serde")]

use origin_policy::{ConfigErrorKind, MatchedRule, OriginPolicy, Scheme};

const TOML: &str = r#"
allow = ["https://app.example.com", "https://*.tenant.example.com", "http://localhost:*", "https://api.example.com:[8443,9443]"]
allow_any_port_off_loopback = ["https://dev.example.com:*"]
allow_wildcard_on_public_suffix = ["https://*.github.io"]
same_origin = ["https://chat.example.com"]
same_origin_from_host = "https"
allow_missing_origin = true
allow_extension_or_app_origin = ["chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop", "tauri://localhost"]
"#;

#[test]
fn toml_configuration() {
    let policy: OriginPolicy = toml::from_str(TOML).expect("valid TOML policy");
    assert!(policy
        .check_value(b"https://acme.tenant.example.com")
        .is_allowed());
    assert!(policy.check_value(b"http://localhost:5173").is_allowed());
    assert!(policy
        .check_value(b"https://api.example.com:9443")
        .is_allowed());
    assert!(policy
        .check_value(b"https://dev.example.com:1234")
        .is_allowed());
    assert!(policy
        .check_value(b"https://someone.github.io")
        .is_allowed());
    assert!(policy
        .check_value(b"chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop")
        .is_allowed());
    assert!(policy.check_value(b"tauri://localhost").is_allowed());
    assert_eq!(
        policy
            .check_value(b"https://chat.example.com")
            .matched_rule(),
        Some(&MatchedRule::SameOrigin(
            "https://chat.example.com".parse().unwrap()
        ))
    );
    assert_eq!(policy.same_origin_from_host_scheme(), Some(Scheme::Https));
    assert!(policy.allows_missing_origin());
    assert!(!policy.allows_null_origin());
    assert!(!policy.check_value(b"https://evil.example").is_allowed());
}

#[test]
fn round_trips_through_toml_and_json() {
    let policy: OriginPolicy = toml::from_str(TOML).unwrap();
    let as_toml = toml::to_string(&policy).unwrap();
    assert_eq!(
        toml::from_str::<OriginPolicy>(&as_toml).unwrap(),
        policy,
        "{as_toml}"
    );
    let as_json = serde_json::to_string(&policy).unwrap();
    assert_eq!(
        serde_json::from_str::<OriginPolicy>(&as_json).unwrap(),
        policy,
        "{as_json}"
    );
}

#[test]
fn json_shape_is_documented() {
    let policy: OriginPolicy = "HTTPS://App.Example.com:443/ http://localhost:*"
        .parse()
        .unwrap();
    assert_eq!(
        serde_json::to_value(&policy).unwrap(),
        serde_json::json!({
            "allow": ["https://app.example.com", "http://localhost:*"],
            "allow_any_port_off_loopback": [],
            "allow_wildcard_on_public_suffix": [],
            "same_origin": [],
            "same_origin_from_host": null,
            "allow_missing_origin": false,
            "allow_null_origin": false,
            "allow_any_origin_dangerously": false,
            "allow_extension_or_app_origin": [],
        })
    );
    // Every field is optional.
    let minimal: OriginPolicy =
        serde_json::from_str(r#"{"allow": ["https://app.example.com"]}"#).unwrap();
    assert_eq!(minimal, "https://app.example.com".parse().unwrap());
}

#[test]
fn invalid_entries_give_the_same_errors() {
    let err = toml::from_str::<OriginPolicy>(r#"allow = ["https://*.co.uk"]"#).unwrap_err();
    let expected = "https://*.co.uk".parse::<OriginPolicy>().unwrap_err();
    assert!(matches!(
        expected.kind(),
        ConfigErrorKind::PublicSuffixWildcard(_)
    ));
    assert!(err.to_string().contains(&expected.to_string()), "{err}");

    let err = serde_json::from_str::<OriginPolicy>(r#"{"allow": ["wss://app.example.com"]}"#)
        .unwrap_err();
    assert!(err.to_string().starts_with("invalid allowlist entry \"wss://app.example.com\": `wss` is the WebSocket URL's scheme"), "{err}");
}

#[test]
fn unknown_fields_and_wrong_types_are_refused() {
    let err = toml::from_str::<OriginPolicy>("allow_nul_origin = true").unwrap_err();
    assert!(
        err.to_string().contains("unknown field `allow_nul_origin`"),
        "{err}"
    );
    let err = serde_json::from_str::<OriginPolicy>(r#"{"allow": "https://app.example.com"}"#)
        .unwrap_err();
    assert!(err.to_string().contains("invalid type"), "{err}");
    let err =
        serde_json::from_str::<OriginPolicy>(r#"{"same_origin_from_host": "wss"}"#).unwrap_err();
    assert!(err.to_string().contains("unknown variant"), "{err}");
}
