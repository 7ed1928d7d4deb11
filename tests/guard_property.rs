//! Property: outside report-only mode, the guard never lets a handshake through (101) when
//! the origin policy on its own denies it, whatever the other settings and headers. The
//! oracle is `OriginPolicy::check` itself, run beside the guard on the same request.

use proptest::prelude::*;

use http::Request;
use origin_policy::guard::auth::{AuthError, TokenSource};
use origin_policy::guard::{Denial, HandshakeGuard, Outcome};
use origin_policy::OriginPolicy;

/// Origins that some of the generated policies allow, others deny, and values that are not
/// origins at all.
const ORIGINS: &[&str] = &[
    "https://app.example.com",
    "HTTPS://APP.EXAMPLE.COM:443",
    "https://app.example.com.",
    "https://a.tenant.example.com",
    "https://tenant.example.com",
    "http://localhost:3000",
    "https://evil.example",
    "null",
    "https://app.example.com/",
    "https://app.example.com, https://evil.example",
    "",
];

const POLICIES: &[&str] = &[
    "https://app.example.com",
    "https://*.tenant.example.com http://localhost:3000",
    "https://evil.example https://app.example.com",
];

const PROTOCOLS: &[&str] = &[
    "graphql-transport-ws",
    "graphql-ws",
    "chat",
    "GRAPHQL-WS",
    "a b",
    "",
];

#[derive(Debug, Clone)]
struct Case {
    policy: usize,
    allow_missing: bool,
    allow_null: bool,
    allow_any: bool,
    origins: Vec<String>,
    offered: Vec<&'static str>,
    negotiate: bool,
    allow_no_subprotocol: bool,
    auth: Option<bool>,
    bearer: Option<&'static str>,
    version: &'static str,
}

fn origin_value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(ORIGINS).prop_map(str::to_owned),
        1 => "[ -~]{0,40}",
        1 => proptest::sample::select(ORIGINS).prop_flat_map(|o| (Just(o), 0..=o.len(), "[ -~]{1,3}"))
            .prop_map(|(o, at, insert)| {
                let at = (0..=at).rev().find(|&i| o.is_char_boundary(i)).unwrap_or(0);
                format!("{}{insert}{}", &o[..at], &o[at..])
            }),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (
        (
            0..POLICIES.len(),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
        ),
        proptest::collection::vec(origin_value(), 0..=2),
        proptest::collection::vec(proptest::sample::select(PROTOCOLS), 0..=3),
        (
            any::<bool>(),
            any::<bool>(),
            proptest::option::of(any::<bool>()),
        ),
        proptest::option::of(proptest::sample::select(&["good", "bad", "a b"][..])),
        proptest::sample::select(&["13", "13", "13", "8"][..]),
    )
        .prop_map(
            |(
                (policy, allow_missing, allow_null, allow_any),
                origins,
                offered,
                (negotiate, allow_no_subprotocol, auth),
                bearer,
                version,
            )| Case {
                policy,
                allow_missing,
                allow_null,
                allow_any,
                origins,
                offered,
                negotiate,
                allow_no_subprotocol,
                auth,
                bearer,
                version,
            },
        )
}

fn policy(case: &Case) -> OriginPolicy {
    let mut builder = OriginPolicy::builder().allow_all(POLICIES[case.policy].split(' '));
    if case.allow_missing {
        builder = builder.allow_missing_origin();
    }
    if case.allow_null {
        builder = builder.allow_null_origin();
    }
    if case.allow_any {
        builder = builder.allow_any_origin_dangerously();
    }
    builder.build().expect("the test policies are valid")
}

fn build_guard(case: &Case, report_only: bool) -> HandshakeGuard<u32> {
    let mut builder = HandshakeGuard::builder(policy(case));
    if case.negotiate {
        builder = builder.subprotocols(["graphql-transport-ws", "graphql-ws"]);
    }
    if case.allow_no_subprotocol {
        builder = builder.allow_no_subprotocol();
    }
    if report_only {
        builder = builder.report_only();
    }
    let builder = match case.auth {
        // The hook itself may accept everything: the origin must still be enforced.
        Some(true) => builder.authenticate(|_| Ok(7)),
        Some(false) => builder.authenticate_token(TokenSource::bearer(), |token| {
            if token == "good" {
                Ok(1)
            } else {
                Err(AuthError::Invalid)
            }
        }),
        None => builder.authenticate(|_| Ok(0)),
    };
    builder
        .build()
        .expect("no cookie source, so every combination builds")
}

fn request(case: &Case) -> Option<Request<()>> {
    let mut builder = Request::get("/ws").header("sec-websocket-version", case.version);
    for origin in &case.origins {
        builder = builder.header("origin", origin.as_str());
    }
    for protocol in &case.offered {
        builder = builder.header("sec-websocket-protocol", *protocol);
    }
    if let Some(bearer) = case.bearer {
        builder = builder.header("authorization", format!("Bearer {bearer}"));
    }
    // Values that are not valid header values cannot reach a server.
    builder.body(()).ok()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn never_101_when_the_origin_policy_denies(case in case()) {
        let Some(request) = request(&case) else { return Ok(()) };
        let origin = policy(&case).check(&request);
        let guard = build_guard(&case, false);
        let outcome = guard.evaluate(&request);
        let decision = &outcome.decision;

        if !origin.is_allowed() {
            prop_assert_ne!(decision.status(), 101);
            prop_assert_eq!(decision.outcome(), Outcome::Denied);
            prop_assert!(outcome.identity.is_none());
            let rejection = decision.rejection::<String>();
            prop_assert!(rejection.is_some());
            let status = rejection.unwrap().status();
            prop_assert!(status == 403 || status == 426, "{}", status);
            #[cfg(feature = "tungstenite")]
            {
                use tungstenite::handshake::server::{Callback, Response};
                let mut slot = None;
                let result = guard.callback(&mut slot).on_request(&request, Response::new(()));
                prop_assert!(result.is_err());
                prop_assert!(slot.is_some());
            }
        }
        // When the guard looked at the origin, it agrees with the policy.
        if let Some(seen) = decision.origin() {
            prop_assert_eq!(seen, &origin);
        } else {
            prop_assert_eq!(decision.denial(), Some(&Denial::UnsupportedVersion));
        }

        // Report-only lets through everything but another protocol version and a failed
        // credential (authentication is always enforced), and reports the origin denial
        // first.
        let reported = build_guard(&case, true).evaluate(&request);
        let credential_fails = case.auth == Some(false) && case.bearer != Some("good");
        if case.version != "13" {
            prop_assert_eq!(reported.decision.status(), 426);
        } else if credential_fails {
            prop_assert_eq!(reported.decision.status(), 401);
            prop_assert_eq!(reported.decision.outcome(), Outcome::Denied);
            prop_assert!(reported.identity.is_none());
        } else {
            prop_assert_eq!(reported.decision.status(), 101);
            prop_assert!(reported.identity.is_some());
            if let Some(reason) = origin.deny_reason() {
                prop_assert_eq!(reported.decision.denial(), Some(&Denial::Origin(reason)));
                prop_assert_eq!(reported.decision.outcome(), Outcome::ReportOnly);
            }
        }
    }
}
