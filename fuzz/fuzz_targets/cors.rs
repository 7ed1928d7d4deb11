//! An arbitrary request (method and headers) through the CORS support built on the fixed
//! policy of `tests/corpus/README.md`, with credentials, one extra allowed header and a
//! max-age.
//!
//! The input's first line is the method (`OPTIONS`), the other lines are headers, `name:value`
//! (`origin_policy_fuzz::header_lines`); what `http` refuses is skipped.
//!
//! Invariants:
//! - `preflight` answers exactly for `OPTIONS` with `Origin` and
//!   `Access-Control-Request-Method`, as `Cors::is_preflight` says;
//! - an allowed preflight implies the policy allows the request's origin, answers `204` with
//!   `Access-Control-Allow-Origin` equal to the request's single `Origin` value byte for byte,
//!   and `Vary` naming `origin`; a denied one answers `403` with no CORS header at all;
//! - on an actual request, `allow_origin` is set exactly when the policy allows the origin, and
//!   is then the request's `Origin` value (never `*`, credentials being on); `apply` always
//!   leaves a `Vary` that names `origin`.
#![no_main]

use std::sync::LazyLock;

use http::header::{
    HeaderName, HeaderValue, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
    VARY,
};
use http::{HeaderMap, Method, StatusCode};
use libfuzzer_sys::fuzz_target;
use origin_policy::cors::Cors;
use origin_policy_fuzz::header_lines;

static CORS: LazyLock<Cors> = LazyLock::new(|| {
    Cors::builder(origin_policy_fuzz::fixed_policy())
        .allow_headers(["x-custom"])
        .allow_credentials()
        .max_age(std::time::Duration::from_secs(600))
        .build()
        .expect("a valid CORS configuration")
});

fn names_origin(headers: &HeaderMap) -> bool {
    headers.get_all(VARY).iter().any(|v| {
        v.as_bytes().split(|&b| b == b',').any(|item| {
            item.trim_ascii().eq_ignore_ascii_case(b"origin") || item.trim_ascii() == b"*"
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let cors = &*CORS;
    // The first line is the method, the others are header lines.
    let (verb, headers) = match memchr::memchr(b'\n', data) {
        Some(end) => (&data[..end], &data[end + 1..]),
        None => (data, &[][..]),
    };
    let Ok(method) = Method::from_bytes(verb) else {
        return;
    };
    let mut request = http::Request::builder()
        .method(method.clone())
        .uri("/api")
        .body(())
        .expect("request");
    for (name, value) in header_lines(headers) {
        let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        else {
            continue;
        };
        request.headers_mut().append(name, value);
    }
    let allowed_by_policy = cors.policy().check(&request).is_allowed();
    let origins: Vec<&HeaderValue> = request.headers().get_all(ORIGIN).iter().collect();

    let is_preflight = method == Method::OPTIONS
        && request.headers().contains_key(ORIGIN)
        && request
            .headers()
            .contains_key(ACCESS_CONTROL_REQUEST_METHOD);
    assert_eq!(Cors::is_preflight(&request), is_preflight);
    match cors.preflight(&request) {
        Some(preflight) => {
            assert!(
                is_preflight,
                "a preflight answer for a request that is not one"
            );
            let response = preflight.response::<String>();
            if preflight.is_allowed() {
                assert!(
                    allowed_by_policy,
                    "a preflight allowed for an origin the policy denies"
                );
                assert_eq!(response.status(), StatusCode::NO_CONTENT);
                assert_eq!(origins.len(), 1);
                assert_eq!(
                    response.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN),
                    Some(origins[0])
                );
                assert!(
                    names_origin(response.headers()),
                    "a preflight without Vary: origin"
                );
            } else {
                assert_eq!(response.status(), StatusCode::FORBIDDEN);
                for (name, _) in response.headers() {
                    assert!(
                        !name.as_str().starts_with("access-control-"),
                        "a refused preflight carries {name}"
                    );
                }
            }
        }
        None => assert!(!is_preflight, "no answer for a preflight"),
    }

    let actual = cors.actual(&request);
    assert_eq!(actual.decision().is_allowed(), allowed_by_policy);
    match actual.allow_origin() {
        Some(value) => {
            assert!(allowed_by_policy);
            assert_eq!(origins.len(), 1);
            assert_eq!(value, origins[0]);
            assert_ne!(value.as_bytes(), b"*", "`*` with credentials");
        }
        None => assert!(
            !allowed_by_policy,
            "an allowed origin without Access-Control-Allow-Origin"
        ),
    }
    // A response that already varies on what the request's `Vary` lines name.
    let mut headers = HeaderMap::new();
    for vary in request.headers().get_all(VARY) {
        headers.append(VARY, vary.clone());
    }
    actual.apply(&mut headers);
    assert!(names_origin(&headers), "a response without Vary: origin");
    assert_eq!(
        headers.get(ACCESS_CONTROL_ALLOW_ORIGIN).is_some(),
        allowed_by_policy
    );
});
