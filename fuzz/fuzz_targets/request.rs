//! An arbitrary list of request headers, repeated `Origin` lines included, through the three
//! entry points that see a whole request: `check`, `check_headers` and the tungstenite
//! handshake callback, all with the fixed policy of `tests/corpus/README.md`.
//!
//! The input is header lines, `name:value` separated by `\n` (`origin_policy_fuzz::header_lines`);
//! a name or value `http` refuses is skipped, and a name can be any spelling of `Origin`.
//!
//! Invariants:
//! - `check(&request)` equals `check_headers(request.headers())`;
//! - no `Origin` line is `missing`, two or more are `multiple`, exactly one decides as
//!   `check_value` on its bytes;
//! - the tungstenite callback answers `Ok` exactly when the decision allows, handing back the
//!   response untouched; otherwise a `403` with the decision's fixed body and matching
//!   `Content-Length`; the body is one of the fixed texts (so it echoes nothing) and no header
//!   echoes a presented `Origin` value (longer than 3 bytes and not itself part of a fixed body
//!   text).
#![no_main]

use std::sync::LazyLock;

use http::header::{HeaderName, HeaderValue, CONTENT_LENGTH};
use libfuzzer_sys::fuzz_target;
use origin_policy::{DenyReason, OriginPolicy};
use origin_policy_fuzz::{contains, header_lines, oracle::trim_ows};
use tungstenite::handshake::server::{Callback, Response};

static POLICY: LazyLock<OriginPolicy> = LazyLock::new(origin_policy_fuzz::fixed_policy);
static BODIES: LazyLock<Vec<String>> = LazyLock::new(origin_policy_fuzz::rejection_bodies);

fuzz_target!(|data: &[u8]| {
    let policy = &*POLICY;

    // Build the request, skipping what `http` itself refuses.
    let mut request = http::Request::get("/ws").body(()).expect("a valid request");
    for (name, value) in header_lines(data) {
        let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        else {
            continue;
        };
        request.headers_mut().append(name, value);
    }
    // The presented Origin values, found without `get_all`.
    let origins: Vec<&[u8]> = request
        .headers()
        .iter()
        .filter(|(name, _)| name.as_str().eq_ignore_ascii_case("origin"))
        .map(|(_, value)| value.as_bytes())
        .collect();

    let decision = policy.check(&request);
    assert_eq!(
        decision,
        policy.check_headers(request.headers()),
        "check vs check_headers"
    );
    match origins.as_slice() {
        [] => assert_eq!(decision.deny_reason(), Some(DenyReason::Missing)),
        [value] => assert_eq!(decision, policy.check_value(value), "one Origin line"),
        [..] => assert_eq!(decision.deny_reason(), Some(DenyReason::Multiple)),
    }

    // The tungstenite callback agrees, and its rejection never echoes the request.
    match (&*POLICY).on_request(&request, Response::new(())) {
        Ok(response) => {
            assert!(
                decision.is_allowed(),
                "callback accepted a denied request: {decision}"
            );
            assert_eq!(
                response.status(),
                200,
                "the response is handed back untouched"
            );
            assert!(
                response.headers().is_empty(),
                "the response is handed back untouched"
            );
        }
        Err(rejection) => {
            assert!(
                !decision.is_allowed(),
                "callback refused an allowed request: {decision}"
            );
            assert_eq!(rejection.status(), 403);
            let body = rejection.body().as_deref().expect("a rejection has a body");
            let expected = decision.rejection::<String>().expect("denied");
            assert_eq!(body, expected.body(), "body for {decision}");
            assert_eq!(
                rejection
                    .headers()
                    .get(CONTENT_LENGTH)
                    .map(HeaderValue::as_bytes),
                Some(body.len().to_string().as_bytes()),
            );
            // The body is one of the fixed texts, so it echoes nothing the client sent (a value
            // that is itself part of a fixed text aside); the headers are checked one by one,
            // a value longer than a header first ruled out by its length.
            assert!(
                BODIES.iter().any(|fixed| fixed == body),
                "a body that is not one of the fixed texts: {body:?}"
            );
            for presented in &origins {
                for value in [*presented, trim_ows(presented)] {
                    for (name, header) in rejection.headers() {
                        let echoed = value.len() > 3
                            && header.len() >= value.len()
                            && contains(header.as_bytes(), value)
                            && !BODIES.iter().any(|b| contains(b.as_bytes(), value));
                        assert!(!echoed, "{name} echoes {value:?}");
                    }
                }
            }
        }
    }
});
