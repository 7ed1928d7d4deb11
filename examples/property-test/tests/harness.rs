//! The `testing` harness against naive origin checks and against `OriginLayer`: each naive
//! check fails within the default 256 cases with a short bypass of the class it gets wrong,
//! and the layer passes. The harness's seed is fixed, so every run sends the same cases.

use axum::body::Body;
use origin_policy::testing::{Class, Failure, Harness};
use origin_policy::OriginPolicy;
use property_test::{first_line_app, layered_app, naive_app};

fn policy() -> OriginPolicy {
    "https://app.example.com".parse().unwrap()
}

/// Runs the harness with its defaults against a naive app, which must fail.
#[track_caller]
fn bypass(allows: fn(&str) -> bool) -> Failure {
    let harness = Harness::new(&policy()).cases(256);
    let error = harness
        .run_service::<Body>(naive_app(allows))
        .expect_err("the harness must catch the naive check");
    let failure = error
        .failure()
        .expect("a failure, not an aborted run")
        .clone();
    println!("{failure}");
    failure
}

/// The single `Origin` line of a failure, as text.
#[track_caller]
fn value(failure: &Failure) -> String {
    match failure.origin() {
        Some([line]) => String::from_utf8(line.clone()).unwrap(),
        other => panic!("expected one Origin line, got {other:?}"),
    }
}

#[track_caller]
fn assert_short_attack(failure: &Failure, allows: fn(&str) -> bool, classes: &[Class]) {
    let value = value(failure);
    assert!(
        classes.contains(&failure.class()),
        "class {} not in {classes:?}: {failure}",
        failure.class()
    );
    assert!(failure.verdict().is_accepted(), "{failure}");
    // The naive check allows the minimal value, and the policy denies it.
    assert!(allows(&value), "{value:?}");
    assert!(
        !policy().check_value(value.as_bytes()).is_allowed(),
        "{value:?}"
    );
    // Shrunk: the trusted origin and a few bytes, or two short origins (`https://a.aa`).
    assert!(value.len() <= 40, "not shrunk: {value:?}");
}

#[test]
fn starts_with_is_caught_with_a_prefix_bypass() {
    fn allows(origin: &str) -> bool {
        origin.starts_with("https://app.example.com")
    }
    let failure = bypass(allows);
    // Without `null`, several lines or a missing header, the first attack a prefix check
    // accepts is the trusted origin with something after it.
    assert_short_attack(
        &failure,
        allows,
        &[
            Class::PrefixMatch,
            Class::PathQueryFragment,
            Class::Userinfo,
            Class::SpecialChar,
            Class::MultipleOrigins,
            Class::HeaderInjection,
            Class::PortMismatch,
        ],
    );
    assert!(value(&failure).starts_with("https://app.example.com"));
}

#[test]
fn ends_with_is_caught_with_a_suffix_bypass() {
    fn allows(origin: &str) -> bool {
        origin.ends_with("example.com")
    }
    let failure = bypass(allows);
    assert_short_attack(
        &failure,
        allows,
        &[
            Class::SuffixMatch,
            Class::SubdomainOfExact,
            Class::SchemeMismatch,
            Class::Userinfo,
            Class::WhatwgLeniency,
            Class::ReflectArbitrary,
            Class::UnescapedDot,
            Class::MultipleOrigins,
        ],
    );
}

#[test]
fn an_unanchored_regex_is_caught() {
    fn allows(origin: &str) -> bool {
        static PATTERN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        PATTERN
            .get_or_init(|| regex::Regex::new(r"https://app\.example\.com").unwrap())
            .is_match(origin)
    }
    let failure = bypass(allows);
    assert_short_attack(
        &failure,
        allows,
        &[
            Class::PrefixMatch,
            Class::PathQueryFragment,
            Class::Userinfo,
            Class::SpecialChar,
            Class::MultipleOrigins,
            Class::HeaderInjection,
            Class::PortMismatch,
        ],
    );
}

#[test]
fn reading_the_first_origin_line_only_is_caught_by_two_lines() {
    fn allows(origin: &str) -> bool {
        origin == "https://app.example.com"
    }
    let error = Harness::new(&policy())
        .run_service::<Body>(first_line_app(allows))
        .expect_err("two Origin lines must be refused");
    let failure = error.failure().unwrap();
    assert_eq!(failure.class(), Class::MissingOrRepeated, "{failure}");
    assert_eq!(failure.origin().map(<[_]>::len), Some(2), "{failure}");
    assert!(
        failure.to_string().contains(
            r#"was accepted (200 OK): Origin "https://app.example.com" + "https://evil.example""#
        ),
        "{failure}"
    );
    // With one line required, the exact comparison passes.
    Harness::new(&policy()).assert_service::<Body>(naive_app(allows));
}

#[test]
fn origin_layer_passes() {
    Harness::new(&policy()).assert_service::<Body>(layered_app(policy()));
}

#[test]
fn origin_layer_passes_for_a_wildcard_and_port_policy() {
    let policy: OriginPolicy =
        "https://app.example.com:[443,8443], https://*.tenant.example.com, http://localhost:*"
            .parse()
            .unwrap();
    Harness::new(&policy).assert_service::<Body>(layered_app(policy.clone()));
}
