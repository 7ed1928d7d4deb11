//! The `testing` module checked against the policy itself: every value `allowed_by` draws is
//! allowed, every value `attacks_on` draws is denied, for policies of every kind; canonical
//! origins are canonical, strategies shrink to short values, the harness catches what it
//! should and says so readably, and `FuzzOrigin` renders header values. Features `proptest`
//! and `arbitrary`.
#![cfg(all(feature = "proptest", feature = "arbitrary"))]

use std::collections::BTreeSet;

use arbitrary::{Arbitrary, Unstructured};
use http::{HeaderValue, Request, StatusCode};
use origin_policy::testing::{
    allowed_by, attacks_of_class, attacks_on, attacks_on_origin, canonical_origin,
    header_value_near_grammar, Class, Expectation, FuzzOrigin, Harness, Variant,
};
use origin_policy::{Origin, OriginPolicy, Scheme};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};

/// Policies of every kind of entry and opt-in, by name.
fn policies() -> Vec<(&'static str, OriginPolicy)> {
    let parse = |text: &str| text.parse::<OriginPolicy>().unwrap();
    vec![
        ("exact", parse("https://app.example.com")),
        ("exact with port", parse("https://admin.example.org:8443")),
        ("wildcard", parse("https://*.tenant.example.com")),
        (
            "wildcard with ports",
            parse("https://*.example.com:[443,8443]"),
        ),
        (
            "port list",
            parse("https://app.example.com:[443,8443,9443]"),
        ),
        ("loopback any port", parse("http://localhost:*")),
        ("IPv4", parse("http://127.0.0.1:8080")),
        ("IPv6", parse("http://[::1]:8080")),
        ("IDN", parse("https://bücher.example")),
        (
            "several",
            parse("https://app.example.com, http://app.example.com, https://*.app.example.com"),
        ),
        (
            "same origin",
            OriginPolicy::builder()
                .same_origin("https://chat.example.com")
                .build()
                .unwrap(),
        ),
        (
            "same origin from host",
            OriginPolicy::builder()
                .allow("https://app.example.com")
                .same_origin_from_host(Scheme::Https)
                .build()
                .unwrap(),
        ),
        (
            "null and missing",
            OriginPolicy::builder()
                .allow("https://app.example.com")
                .allow_null_origin()
                .allow_missing_origin()
                .build()
                .unwrap(),
        ),
        (
            "extension",
            OriginPolicy::builder()
                .allow_extension_or_app_origin(
                    "chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop",
                )
                .build()
                .unwrap(),
        ),
        (
            "any origin",
            OriginPolicy::builder()
                .allow_any_origin_dangerously()
                .build()
                .unwrap(),
        ),
    ]
}

/// `cases` values of `strategy`, from a fixed seed.
fn sample<S: Strategy>(strategy: &S, cases: usize) -> Vec<S::Value> {
    let mut runner = TestRunner::deterministic();
    (0..cases)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

fn text(variant: &Variant) -> String {
    format!("{variant:?}")
}

#[test]
fn every_allowed_value_is_allowed_by_its_policy() {
    for (name, policy) in policies() {
        let mut classes = BTreeSet::new();
        for variant in sample(&allowed_by(&policy), 300) {
            classes.insert(variant.class);
            assert!(
                policy.check_values(variant.lines()).is_allowed(),
                "{name}: {}",
                text(&variant)
            );
            assert_ne!(variant.expectation, Expectation::Refuse, "{name}");
        }
        // The canonical values are drawn, and letter case is varied.
        assert!(
            classes.contains(&Class::ExactAllowed),
            "{name}: {classes:?}"
        );
        if !matches!(name, "any origin" | "null and missing" | "extension") {
            assert!(classes.contains(&Class::CaseVariant), "{name}: {classes:?}");
        }
    }
}

#[test]
fn every_attack_is_denied_by_its_policy() {
    for (name, policy) in policies() {
        let mut classes = BTreeSet::new();
        for variant in sample(&attacks_on(&policy), 600) {
            classes.insert(variant.class);
            assert_eq!(variant.expectation, Expectation::Refuse, "{name}");
            assert!(!variant.reason().is_empty());
            for line in variant.lines() {
                HeaderValue::from_bytes(line)
                    .unwrap_or_else(|e| panic!("{name}: {} not sendable: {e}", text(&variant)));
            }
            let decision = policy.check_values(variant.lines());
            assert!(
                !decision.is_allowed(),
                "{name}: {} was {decision}",
                text(&variant)
            );
        }
        // Most classes show up in 600 draws (fewer for any-origin, where only malformed
        // values are attacks).
        let least = if name == "any origin" { 5 } else { 14 };
        assert!(classes.len() >= least, "{name}: {classes:?}");
    }
}

#[test]
fn every_class_of_attack_on_an_origin_is_denied_by_a_policy_of_that_origin() {
    for trusted in [
        "https://app.example.com",
        "http://localhost:3000",
        "http://127.0.0.1:8080",
        "http://[::1]:8080",
        "https://xn--bcher-kva.example",
        "https://example.com:8443",
    ] {
        let origin: Origin = trusted.parse().unwrap();
        let policy: OriginPolicy = trusted.parse().unwrap();
        let mut classes = 0;
        for &class in Class::ALL {
            let Some(strategy) = attacks_of_class(&origin, class) else {
                continue;
            };
            classes += 1;
            for variant in sample(&strategy, 40) {
                assert_eq!(variant.class, class);
                // Development and user-content origins can be allowed by no policy here,
                // except `http://localhost:3000` itself, which the strategy never draws.
                assert!(
                    !policy.check_values(variant.lines()).is_allowed(),
                    "{trusted}: {}",
                    text(&variant)
                );
            }
        }
        assert!(classes >= 14, "{trusted}: {classes} classes");
        // The union over classes is the same set of values.
        for variant in sample(&attacks_on_origin(&origin), 200) {
            assert!(
                !policy.check_values(variant.lines()).is_allowed(),
                "{trusted}: {}",
                text(&variant)
            );
        }
    }
}

#[test]
fn canonical_origins_are_what_browsers_send() {
    let (mut punycode, mut ipv4, mut ipv6, mut ports) = (0, 0, 0, 0);
    for origin in sample(&canonical_origin(), 1000) {
        let value = origin.as_str();
        let parsed = Origin::parse_header(value.as_bytes()).unwrap();
        assert_eq!(parsed.as_str(), value);
        assert!(
            value.starts_with("http://") || value.starts_with("https://"),
            "{value}"
        );
        assert_eq!(value, value.to_ascii_lowercase());
        punycode += usize::from(origin.host().contains("xn--"));
        ipv4 += usize::from(
            origin
                .host()
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.'),
        );
        ipv6 += usize::from(origin.host().starts_with('['));
        ports += usize::from(origin.port().is_some());
    }
    for (what, count) in [
        ("punycode", punycode),
        ("IPv4", ipv4),
        ("IPv6", ipv6),
        ("ports", ports),
    ] {
        assert!(count >= 20, "{what}: {count} of 1000");
    }
}

#[test]
fn header_values_near_the_grammar_are_header_values() {
    let policy: OriginPolicy = "https://app.example.com".parse().unwrap();
    let mut malformed = 0;
    for value in sample(&header_value_near_grammar(), 1000) {
        HeaderValue::from_bytes(&value).unwrap();
        malformed += usize::from(Origin::parse_header(&value).is_err());
        // The check gives an answer for every one.
        let _ = policy.check_value(&value);
    }
    assert!(malformed >= 300, "{malformed} of 1000 malformed");
}

/// The minimal value of `strategy` for which `fails` is true, as proptest shrinks it.
fn shrunk(strategy: impl Strategy<Value = Variant>, fails: impl Fn(&Variant) -> bool) -> String {
    let mut runner = TestRunner::new_with_rng(
        Config {
            failure_persistence: None,
            ..Config::default()
        },
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    match runner.run(&strategy, |variant| {
        if fails(&variant) {
            Err(TestCaseError::fail("found"))
        } else {
            Ok(())
        }
    }) {
        Err(TestError::Fail(_, variant)) => {
            String::from_utf8(variant.lines().next().unwrap().to_vec()).unwrap()
        }
        other => panic!("no failure: {other:?}"),
    }
}

#[test]
fn attacks_shrink_to_short_readable_values() {
    let origin: Origin = "https://app.example.com".parse().unwrap();
    let of = |class| attacks_of_class(&origin, class).unwrap();
    let always = |_: &Variant| true;
    assert_eq!(
        shrunk(of(Class::PrefixMatch), always),
        "https://app.example.com.a"
    );
    assert_eq!(
        shrunk(of(Class::SuffixMatch), always),
        "https://aapp.example.com"
    );
    assert_eq!(
        shrunk(of(Class::SubdomainOfExact), always),
        "https://a.app.example.com"
    );
    assert_eq!(
        shrunk(of(Class::PortMismatch), always),
        "https://app.example.com:1"
    );
    assert_eq!(
        shrunk(of(Class::Userinfo), always),
        "https://app.example.com@a"
    );
    // A naive `ends_with` over the whole attack set shrinks to one of its short bypasses.
    let policy: OriginPolicy = "https://app.example.com".parse().unwrap();
    let bypass = shrunk(attacks_on(&policy), |variant| {
        variant.lines().count() == 1 && variant.lines().all(|l| l.ends_with(b"example.com"))
    });
    assert!(
        bypass.len() <= "https://app.example.com".len() + 2,
        "{bypass}"
    );
}

#[test]
fn the_harness_passes_the_policy_itself() {
    for (name, policy) in policies() {
        let check = |request: &Request<()>| policy.check(request).is_allowed();
        let result = Harness::new(&policy).cases(128).run(check);
        assert!(result.is_ok(), "{name}: {}", result.unwrap_err());
    }
}

#[test]
fn the_harness_reports_an_accepted_attack_with_its_class_value_and_status() {
    let policy: OriginPolicy = "https://app.example.com".parse().unwrap();
    // Accepts everything with one Origin line: the first phase passes two-line, null and
    // missing checks only partly; `null` is the first it accepts.
    let open = |request: &Request<()>| {
        if request.headers().get_all("origin").iter().count() == 1 {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        }
    };
    let error = Harness::new(&policy).run(open).unwrap_err();
    let failure = error.failure().unwrap();
    assert_eq!(failure.class(), Class::NullOpaque);
    assert_eq!(failure.verdict().status(), Some(StatusCode::OK));
    assert_eq!(
        error.to_string(),
        "an attack of class null-opaque was accepted (200 OK): Origin \"null\" (trusts `null`: \
         any site can send it from a sandboxed iframe or a data: URL; fix: remove `null` from \
         the allowlist)"
    );
}

#[test]
fn the_harness_reports_a_refused_allowed_origin() {
    let policy: OriginPolicy = "https://*.tenant.example.com".parse().unwrap();
    let error = Harness::new(&policy)
        .run(|_: &Request<()>| false)
        .unwrap_err();
    let failure = error.failure().unwrap();
    assert_eq!(failure.variant().expectation, Expectation::Accept);
    assert!(!failure.verdict().is_accepted());
    // Shrunk to the shortest subdomain.
    assert_eq!(
        error.to_string(),
        "an origin the policy allows (exact-allowed) was refused: Origin \"https://a.tenant.example.com\""
    );
}

#[test]
fn the_harness_expects_null_and_missing_accepted_only_when_the_policy_opts_in() {
    let policy = OriginPolicy::builder()
        .allow("https://app.example.com")
        .allow_null_origin()
        .build()
        .unwrap();
    // The policy's check without its `null` opt-in.
    let strict: OriginPolicy = "https://app.example.com".parse().unwrap();
    let error = Harness::new(&policy)
        .run(|request: &Request<()>| strict.check(request).is_allowed())
        .unwrap_err();
    assert_eq!(error.failure().unwrap().class(), Class::NullOpaque);
    assert!(error
        .to_string()
        .starts_with("an origin the policy allows (null-opaque) was refused"));
}

#[test]
fn the_harness_sends_the_request_template_with_each_origin() {
    let policy: OriginPolicy = "https://app.example.com".parse().unwrap();
    let template = Request::post("/api/items")
        .header("content-type", "application/json")
        .header("origin", "https://ignored.example")
        .body(())
        .unwrap();
    let check = |request: &Request<()>| {
        assert_eq!(request.method(), "POST");
        assert_eq!(request.uri(), "/api/items");
        assert!(request.headers().get("upgrade").is_none());
        assert_eq!(request.headers()["content-type"], "application/json");
        policy.check(request).is_allowed()
    };
    Harness::new(&policy)
        .cases(32)
        .request(&template)
        .assert(check);
}

#[test]
fn a_policy_that_allows_nothing_aborts_no_run() {
    // Only same-origin-from-host: nothing to draw without a Host, so only attacks run.
    let policy = OriginPolicy::builder()
        .same_origin_from_host(Scheme::Https)
        .build()
        .unwrap();
    let check = |request: &Request<()>| policy.check(request).is_allowed();
    Harness::new(&policy).cases(64).assert(check);
}

/// Pseudo-random bytes (xorshift), so the test needs no fuzzer.
fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[3]
        })
        .collect()
}

#[test]
fn fuzz_origins_render_header_values_and_many_are_origins() {
    let policy: OriginPolicy = "https://app.example.com, http://localhost:*"
        .parse()
        .unwrap();
    let mut origins = 0;
    for seed in 0..2000 {
        let data = bytes(seed, 64);
        let origin = FuzzOrigin::arbitrary(&mut Unstructured::new(&data)).unwrap();
        let value = origin.to_bytes();
        HeaderValue::from_bytes(&value).unwrap_or_else(|e| panic!("{origin:?}: {e}"));
        origins += usize::from(Origin::parse_header(&value).is_ok());
        let _ = policy.check_value(&value);
    }
    assert!(origins >= 400, "{origins} of 2000 are origins");
    // Tricks never turn a value into one the policy allows by a string trick.
    for seed in 0..2000 {
        let data = bytes(seed, 64);
        let origin = FuzzOrigin::arbitrary(&mut Unstructured::new(&data)).unwrap();
        if origin.tricks.iter().any(|t| {
            matches!(
                t,
                origin_policy::testing::Trick::Userinfo(_)
                    | origin_policy::testing::Trick::TrailingSlash
                    | origin_policy::testing::Trick::SecondOrigin
                    | origin_policy::testing::Trick::NoSlashes
            )
        }) {
            assert!(
                Origin::parse_header(&origin.to_bytes()).is_err(),
                "{origin:?}"
            );
        }
    }
}

#[test]
fn a_fuzz_origin_without_tricks_is_canonical() {
    use origin_policy::testing::{FuzzHost, FuzzScheme};
    let cases = [
        (
            FuzzOrigin::new(
                FuzzScheme::Https,
                FuzzHost::Domain(vec!["app".into(), "example".into(), "com".into()]),
                None,
            ),
            "https://app.example.com",
        ),
        (
            FuzzOrigin::new(FuzzScheme::Http, FuzzHost::Ipv4([127, 0, 0, 1]), Some(8080)),
            "http://127.0.0.1:8080",
        ),
        (
            FuzzOrigin::new(
                FuzzScheme::Http,
                FuzzHost::Ipv6([0, 0, 0, 0, 0, 0, 0, 1]),
                Some(8080),
            ),
            "http://[::1]:8080",
        ),
        (
            FuzzOrigin::new(FuzzScheme::Http, FuzzHost::Localhost, None),
            "http://localhost",
        ),
        (
            FuzzOrigin::new(FuzzScheme::Wss, FuzzHost::Localhost, None),
            "wss://localhost",
        ),
    ];
    for (origin, expected) in cases {
        assert_eq!(origin.to_bytes(), expected.as_bytes());
    }
    // Tricks on a host given as non-ASCII text encode whole characters, never panic.
    for at in 0..=255u8 {
        let mut origin = FuzzOrigin::new(
            FuzzScheme::Https,
            FuzzHost::Domain(vec!["bü".into(), "example".into()]),
            None,
        );
        origin
            .tricks
            .push(origin_policy::testing::Trick::PercentEncode(at));
        let value = String::from_utf8(origin.to_bytes()).unwrap();
        assert!(value.starts_with("https://"), "{value}");
        // One character is encoded: the value is longer than the plain rendering.
        assert!(value.len() > "https://bü.example".len(), "{value}");
    }
    let mut encoded = FuzzOrigin::new(FuzzScheme::Https, FuzzHost::Domain(vec!["bü".into()]), None);
    encoded
        .tricks
        .push(origin_policy::testing::Trick::PercentEncode(1));
    assert_eq!(encoded.to_bytes(), b"https://b%c3%bc");
}

/// The harness over an actix-web app: a naive `starts_with` check in an actix handler is
/// caught; the same routes behind `OriginMiddleware` pass.
#[cfg(feature = "actix")]
#[test]
fn the_harness_runs_an_actix_app() {
    use actix_web::{web, App, HttpRequest, HttpResponse};
    use origin_policy::adapters::actix::OriginMiddleware;

    let policy: OriginPolicy = "https://app.example.com".parse().unwrap();
    let harness = Harness::new(&policy);

    async fn naive(request: HttpRequest) -> HttpResponse {
        let origin = request.headers().get("origin").map(|v| v.as_bytes());
        match origin {
            Some(origin) if origin.starts_with(b"https://app.example.com") => {
                HttpResponse::Ok().finish()
            }
            _ => HttpResponse::Forbidden().finish(),
        }
    }
    let error = harness
        .run_actix(App::new().route("/", web::get().to(naive)))
        .expect_err("a starts_with check is caught");
    let failure = error.failure().expect("a failure, not an abort");
    assert!(
        !policy.check_values(failure.variant().lines()).is_allowed(),
        "the bypass must be one the policy denies: {failure}"
    );

    async fn ok() -> HttpResponse {
        HttpResponse::Ok().finish()
    }
    harness.assert_actix(
        App::new()
            .wrap(OriginMiddleware::new(policy.clone()))
            .route("/", web::get().to(ok)),
    );
}
