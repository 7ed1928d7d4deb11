//! The allowed-origin hot path of CORS allocates nothing beyond the response headers
//! themselves: deciding a preflight or an actual request allocates nothing, and adding the
//! headers to a response whose header map has room allocates nothing either (the
//! `Access-Control-Allow-Origin` value is a clone of the request's own `HeaderValue`, a
//! reference count; the other values are prepared at build time).
//!
//! The request's `Origin` is a static `HeaderValue` here; hyper's parsed values share the
//! read buffer the same way, so cloning them is a reference count too.

use std::time::Duration;

use crate::counting::allocations;

use http::{HeaderMap, HeaderValue, Request};
use origin_policy::cors::Cors;

fn cors() -> Cors {
    Cors::builder(
        "https://app.example.com, https://*.tenant.example.com"
            .parse()
            .unwrap(),
    )
    .allow_methods(["PUT", "DELETE"])
    .allow_headers(["content-type", "x-request-id"])
    .expose_headers(["x-request-id"])
    .allow_credentials()
    .max_age(Duration::from_secs(600))
    .build()
    .unwrap()
}

fn request(method: &str, headers: &[(&'static str, &'static str)]) -> Request<()> {
    let mut request = Request::builder()
        .method(method)
        .uri("/api")
        .body(())
        .unwrap();
    for &(name, value) in headers {
        request
            .headers_mut()
            .append(name, HeaderValue::from_static(value));
    }
    request
}

#[test]
fn actual_requests_allocate_nothing_beyond_the_headers() {
    let cors = cors();
    for origin in [
        "https://app.example.com",
        "https://acme.tenant.example.com",
        "https://evil.example",
    ] {
        let request = request("GET", &[("origin", origin)]);
        let mut headers = HeaderMap::with_capacity(16);
        headers.insert("vary", HeaderValue::from_static("Origin"));
        let count = allocations(|| {
            let actual = cors.actual(&request);
            actual.apply(&mut headers);
        });
        assert_eq!(count, 0, "{origin}");
        // The work was done: an allowed origin got its headers.
        assert_eq!(
            headers.contains_key("access-control-allow-origin"),
            origin != "https://evil.example"
        );
    }
}

#[test]
fn preflight_decisions_allocate_nothing() {
    let cors = cors();
    let cases: [&[(&'static str, &'static str)]; 3] = [
        &[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "PUT"),
            (
                "access-control-request-headers",
                "content-type,x-request-id",
            ),
        ],
        &[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "PATCH"),
        ],
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "PUT"),
        ],
    ];
    for headers in cases {
        let request = request("OPTIONS", headers);
        let mut allowed = None;
        let count = allocations(|| {
            let preflight = cors.preflight(&request).expect("a preflight");
            allowed = Some(preflight.is_allowed());
        });
        assert_eq!(count, 0, "{headers:?}");
        assert!(allowed.is_some());
    }
}
