//! An arbitrary list of request headers, repeated `Origin` lines included, through the three
//! entry points that see a whole request: `check`, `check_headers` and the tungstenite
//! handshake callback, all with the fixed policy of `tests/corpus/README.md`.
//!
//! Invariants:
//! - `check(&request)` equals `check_headers(request.headers())`;
//! - no `Origin` line is `missing`, two or more are `multiple`, exactly one decides as
//!   `check_value` on its bytes;
//! - the tungstenite callback answers `Ok` exactly when the decision allows, handing back the
//!   response untouched; otherwise a `403` with the decision's fixed body and matching
//!   `Content-Length`, and neither body nor headers echo a presented `Origin` value (longer
//!   than 3 bytes and not itself part of a fixed body text).
#![no_main]

use std::fmt;
use std::sync::LazyLock;

use arbitrary::Arbitrary;
use http::header::{HeaderName, HeaderValue, CONTENT_LENGTH};
use libfuzzer_sys::fuzz_target;
use origin_policy::{DenyReason, OriginPolicy};
use origin_policy_fuzz::oracle::trim_ows;
use tungstenite::handshake::server::{Callback, Response};

static POLICY: LazyLock<OriginPolicy> = LazyLock::new(origin_policy_fuzz::fixed_policy);
static BODIES: LazyLock<Vec<String>> = LazyLock::new(origin_policy_fuzz::rejection_bodies);

/// A header name: the ones a handshake carries, or any bytes (which may spell `Origin` too).
#[derive(Arbitrary)]
enum Name {
    Origin,
    Host,
    /// The pre-RFC 6455 header; it must not count as `Origin`.
    SecWebSocketOrigin,
    Upgrade,
    Other(Vec<u8>),
}

#[derive(Arbitrary)]
struct Header {
    name: Name,
    value: Vec<u8>,
}

// Readable `cargo fuzz fmt` output and crash reports: `Origin: "https://a.example\r\n"`.
impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Name::Origin => f.write_str("Origin"),
            Name::Host => f.write_str("Host"),
            Name::SecWebSocketOrigin => f.write_str("Sec-WebSocket-Origin"),
            Name::Upgrade => f.write_str("Upgrade"),
            Name::Other(bytes) => write!(f, "\"{}\"", bytes.escape_ascii()),
        }
    }
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: \"{}\"", self.name, self.value.escape_ascii())
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

fuzz_target!(|headers: Vec<Header>| {
    let policy = &*POLICY;

    // Build the request, skipping what `http` itself refuses.
    let mut request = http::Request::get("/ws").body(()).expect("a valid request");
    for header in &headers {
        let name = match &header.name {
            Name::Origin => HeaderName::from_static("origin"),
            Name::Host => HeaderName::from_static("host"),
            Name::SecWebSocketOrigin => HeaderName::from_static("sec-websocket-origin"),
            Name::Upgrade => HeaderName::from_static("upgrade"),
            Name::Other(bytes) => match HeaderName::from_bytes(bytes) {
                Ok(name) => name,
                Err(_) => continue,
            },
        };
        let Ok(value) = HeaderValue::from_bytes(&header.value) else {
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
            for presented in &origins {
                for value in [*presented, trim_ows(presented)] {
                    if value.len() <= 3 || BODIES.iter().any(|b| contains(b.as_bytes(), value)) {
                        continue;
                    }
                    assert!(!contains(body.as_bytes(), value), "body echoes {value:?}");
                    for (name, header) in rejection.headers() {
                        assert!(
                            !contains(header.as_bytes(), value),
                            "{name} echoes {value:?}"
                        );
                    }
                }
            }
        }
    }
});
