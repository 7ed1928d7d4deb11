//! Differential test against tower-http's `CorsLayer` (0.6), both configured with the same
//! exact list of origins and the same methods, headers, credentials and max-age, both in
//! front of the same axum app on real loopback sockets.
//!
//! 1. On canonical inputs (what browsers send from an allowed origin) the CORS headers are
//!    identical, byte for byte.
//! 2. The table [`DIFFERENCES`] lists the inputs where this crate is deliberately stricter or
//!    more correct, and the test checks both sides of every row, so the table cannot drift
//!    from the code. The crate docs (`origin_policy::cors`, "Compared with tower-http's
//!    `CorsLayer`") explain each one.
#![cfg(feature = "tower")]

use std::net::SocketAddr;
use std::time::Duration;

use crate::cors_common::{app, send_h1, serve, Calls, Reply};
use http::{HeaderName, HeaderValue, Method};
use origin_policy::cors::Cors;
use origin_policy::layer::OriginLayer;
use tower_http::cors::CorsLayer;

const ORIGINS: [&str; 3] = [
    "https://app.example.com",
    "https://admin.example.org:8443",
    "http://[::1]:8080",
];

struct Servers {
    ours: SocketAddr,
    ours_calls: Calls,
    theirs: SocketAddr,
    theirs_calls: Calls,
}

async fn servers() -> Servers {
    let cors = Cors::builder(ORIGINS.join(", ").parse().unwrap())
        .allow_methods(["GET", "POST", "PUT", "DELETE"])
        .allow_headers(["content-type", "x-request-id"])
        .expose_headers(["x-request-id"])
        .allow_credentials()
        .max_age(Duration::from_secs(600))
        .build()
        .unwrap();
    let tower_http = CorsLayer::new()
        .allow_origin(ORIGINS.map(HeaderValue::from_static))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            http::header::CONTENT_TYPE,
            HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([HeaderName::from_static("x-request-id")])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600));
    let ours_calls = Calls::default();
    let theirs_calls = Calls::default();
    Servers {
        ours: serve(app(&ours_calls).layer(OriginLayer::new(cors))).await,
        theirs: serve(app(&theirs_calls).layer(tower_http)).await,
        ours_calls,
        theirs_calls,
    }
}

async fn both(
    servers: &Servers,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (Reply, Reply) {
    (
        send_h1(servers.ours, method, path, headers).await,
        send_h1(servers.theirs, method, path, headers).await,
    )
}

#[tokio::test]
async fn identical_cors_headers_on_canonical_inputs() {
    let servers = servers().await;
    let mut compared = 0;
    for origin in ORIGINS {
        // Actual requests: JSON, SSE, writes.
        for (method, path) in [
            ("GET", "/api"),
            ("POST", "/api"),
            ("PUT", "/api"),
            ("DELETE", "/api"),
            ("GET", "/events"),
        ] {
            let (ours, theirs) = both(&servers, method, path, &[("origin", origin)]).await;
            let case = format!("{method} {path} from {origin}");
            assert_eq!(ours.status, theirs.status, "{case}");
            assert_eq!(ours.cors_headers(), theirs.cors_headers(), "{case}");
            assert_eq!(
                ours.header("access-control-allow-origin"),
                Some(origin),
                "{case}"
            );
            if path == "/events" {
                assert_eq!(ours.body, theirs.body, "{case}: the same event stream");
            }
            compared += 1;
        }
        // Preflights for allowed methods and headers, as Chromium sends them.
        for (method, headers) in [
            ("PUT", Some("content-type")),
            ("DELETE", Some("content-type,x-request-id")),
            ("GET", Some("x-request-id")),
            ("POST", None),
        ] {
            let mut pairs = vec![
                ("origin", origin),
                ("access-control-request-method", method),
                ("sec-fetch-mode", "cors"),
            ];
            pairs.extend(headers.map(|h| ("access-control-request-headers", h)));
            let (ours, theirs) = both(&servers, "OPTIONS", "/api", &pairs).await;
            let case = format!("preflight {method} {headers:?} from {origin}");
            assert!(
                ours.status.is_success() && theirs.status.is_success(),
                "{case}"
            );
            assert_eq!(ours.cors_headers(), theirs.cors_headers(), "{case}");
            // Ours also varies on `Access-Control-Request-Private-Network` (see
            // `vary_differences`); the rest is the same.
            assert_eq!(ours.vary()[..3], theirs.vary()[..], "{case}");
            assert_eq!(
                ours.header("access-control-allow-methods"),
                Some("GET,POST,PUT,DELETE")
            );
            compared += 1;
        }
    }
    assert_eq!(compared, 27);
    assert_eq!(servers.ours_calls.total(), servers.theirs_calls.total());
}

/// What one side answers: status, `Access-Control-Allow-Origin`, and whether any other
/// CORS header (credentials, methods, exposed headers, ...) was sent.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
struct Answer {
    status: u16,
    allow_origin: Option<&'static str>,
    other_cors_headers: bool,
}

const fn answer(
    status: u16,
    allow_origin: Option<&'static str>,
    other_cors_headers: bool,
) -> Answer {
    Answer {
        status,
        allow_origin,
        other_cors_headers,
    }
}

struct Difference {
    /// Why ours differs.
    why: &'static str,
    method: &'static str,
    path: &'static str,
    headers: &'static [(&'static str, &'static str)],
    ours: Answer,
    theirs: Answer,
}

const PUT: (&str, &str) = ("access-control-request-method", "PUT");

/// Every input where this crate answers differently from tower-http, and why.
const DIFFERENCES: &[Difference] = &[
    // Equivalent spellings of an allowed origin: the same origin (RFC 6454), so allowed.
    Difference {
        why: "upper-case scheme and host are the same origin",
        method: "GET",
        path: "/api",
        headers: &[("origin", "HTTPS://APP.EXAMPLE.COM")],
        ours: answer(200, Some("HTTPS://APP.EXAMPLE.COM"), true),
        theirs: answer(200, None, true),
    },
    Difference {
        why: "an explicit default port is no port",
        method: "GET",
        path: "/api",
        headers: &[("origin", "https://app.example.com:443")],
        ours: answer(200, Some("https://app.example.com:443"), true),
        theirs: answer(200, None, true),
    },
    // Denied origins get no CORS header at all (tower-http sends credentials and exposed
    // headers to everyone; harmless without Access-Control-Allow-Origin, but noise).
    Difference {
        why: "null is an opaque origin: no CORS headers",
        method: "GET",
        path: "/api",
        headers: &[("origin", "null")],
        ours: answer(200, None, false),
        theirs: answer(200, None, true),
    },
    Difference {
        why: "a denied origin gets no CORS headers",
        method: "GET",
        path: "/api",
        headers: &[("origin", "https://evil.example")],
        ours: answer(200, None, false),
        theirs: answer(200, None, true),
    },
    Difference {
        why: "no Origin: not a CORS request, no CORS headers",
        method: "GET",
        path: "/api",
        headers: &[],
        ours: answer(200, None, false),
        theirs: answer(200, None, true),
    },
    Difference {
        why: "several origins in one value are denied",
        method: "GET",
        path: "/api",
        headers: &[("origin", "https://app.example.com, https://evil.example")],
        ours: answer(200, None, false),
        theirs: answer(200, None, true),
    },
    Difference {
        why: "two Origin lines are denied; tower-http reads the first and allows it",
        method: "GET",
        path: "/api",
        headers: &[
            ("origin", "https://app.example.com"),
            ("origin", "https://evil.example"),
        ],
        ours: answer(200, None, false),
        theirs: answer(200, Some("https://app.example.com"), true),
    },
    Difference {
        why: "a malformed value (a path) is denied",
        method: "GET",
        path: "/api",
        headers: &[("origin", "https://app.example.com/")],
        ours: answer(200, None, false),
        theirs: answer(200, None, true),
    },
    // Preflights: refused with 403, checked on the server.
    Difference {
        why: "a preflight from a denied origin is a 403",
        method: "OPTIONS",
        path: "/api",
        headers: &[("origin", "https://evil.example"), PUT],
        ours: answer(403, None, false),
        theirs: answer(200, None, true),
    },
    Difference {
        why: "a preflight for a method that is not allowed is a 403",
        method: "OPTIONS",
        path: "/api",
        headers: &[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "PATCH"),
        ],
        ours: answer(403, None, false),
        theirs: answer(200, Some("https://app.example.com"), true),
    },
    Difference {
        why: "a preflight for a header that is not allowed is a 403",
        method: "OPTIONS",
        path: "/api",
        headers: &[
            ("origin", "https://app.example.com"),
            PUT,
            ("access-control-request-headers", "x-evil"),
        ],
        ours: answer(403, None, false),
        theirs: answer(200, Some("https://app.example.com"), true),
    },
    Difference {
        why: "a private-network preflight is refused unless opted in",
        method: "OPTIONS",
        path: "/api",
        headers: &[
            ("origin", "https://app.example.com"),
            PUT,
            ("access-control-request-private-network", "true"),
        ],
        ours: answer(403, None, false),
        theirs: answer(200, Some("https://app.example.com"), true),
    },
    Difference {
        why: "an allowed preflight is 204 No Content",
        method: "OPTIONS",
        path: "/api",
        headers: &[("origin", "https://app.example.com"), PUT],
        ours: answer(204, Some("https://app.example.com"), true),
        theirs: answer(200, Some("https://app.example.com"), true),
    },
    // OPTIONS without Access-Control-Request-Method is the application's.
    Difference {
        why:
            "OPTIONS without Access-Control-Request-Method is not a preflight: the handler answers",
        method: "OPTIONS",
        path: "/options",
        headers: &[("origin", "https://app.example.com")],
        ours: answer(200, Some("https://app.example.com"), true),
        theirs: answer(200, Some("https://app.example.com"), true),
    },
];

#[tokio::test]
async fn deliberate_differences() {
    let servers = servers().await;
    for row in DIFFERENCES {
        let (ours, theirs) = both(&servers, row.method, row.path, row.headers).await;
        let observe = |reply: &Reply| Answer {
            status: reply.status.as_u16(),
            allow_origin: row
                .headers
                .iter()
                .map(|&(_, value)| value)
                .chain(["*"])
                .find(|value| reply.header("access-control-allow-origin") == Some(value)),
            other_cors_headers: reply
                .cors_headers()
                .iter()
                .any(|(name, _)| name != "access-control-allow-origin"),
        };
        assert_eq!(observe(&ours), row.ours, "ours: {}", row.why);
        assert_eq!(observe(&theirs), row.theirs, "tower-http: {}", row.why);
        assert!(
            ours.header("access-control-allow-origin").is_none() || row.ours.allow_origin.is_some(),
            "{}",
            row.why
        );
    }
    // The last row: our app handler ran, tower-http answered the OPTIONS itself.
    assert_eq!(servers.ours_calls.options(), 1);
    assert_eq!(servers.theirs_calls.options(), 0);
}

#[tokio::test]
async fn vary_differences() {
    let servers = servers().await;
    let (ours, theirs) = both(&servers, "GET", "/api", &[("origin", ORIGINS[0])]).await;
    // Ours: the handler's value kept, `Origin` added on the same line, nothing else (an
    // actual response does not depend on the preflight-only request headers).
    assert_eq!(ours.header_lines("vary"), ["Accept-Encoding, Origin"]);
    // tower-http: a second line with all three names.
    assert_eq!(
        theirs.header_lines("vary"),
        [
            "Accept-Encoding",
            "origin, access-control-request-method, access-control-request-headers"
        ]
    );
    // Preflights vary on the same names on both sides, and ours also on
    // `Access-Control-Request-Private-Network`, which changes a preflight's answer too.
    let (ours, theirs) = both(&servers, "OPTIONS", "/api", &[("origin", ORIGINS[0]), PUT]).await;
    assert_eq!(ours.vary()[..3], theirs.vary()[..]);
    assert_eq!(ours.vary()[3], "access-control-request-private-network");
}

#[test]
fn configuration_errors_instead_of_panics() {
    // tower-http panics (at `layer` or `poll_ready`) on credentials with `*`; here it is an
    // error from `build`.
    let policy: origin_policy::OriginPolicy = ORIGINS.join(" ").parse().unwrap();
    for (methods, headers, expose) in [
        (vec!["*"], vec![], vec![]),
        (vec![], vec!["*"], vec![]),
        (vec![], vec![], vec!["*"]),
    ] {
        let err = Cors::builder(policy.clone())
            .allow_credentials()
            .allow_methods(methods)
            .allow_headers(headers)
            .expose_headers(expose)
            .build()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid CORS setting \"*\": `*` is not a wildcard when credentials are allowed \
             (browsers read it literally): list the names instead"
        );
    }
    let panicked = std::panic::catch_unwind(|| {
        let layer = CorsLayer::new()
            .allow_origin(tower_http::cors::Any)
            .allow_credentials(true);
        tower::Layer::layer(
            &layer,
            tower::service_fn(|_: http::Request<()>| async {
                Ok::<_, std::convert::Infallible>(http::Response::new(()))
            }),
        )
    });
    assert!(
        panicked.is_err(),
        "tower-http panics on `*` with credentials"
    );
}
