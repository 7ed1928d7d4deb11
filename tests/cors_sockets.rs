//! CORS through `OriginLayer` over real loopback sockets with a real client (hyper, and
//! Chromium's own request bytes): preflights allowed and refused for method and header
//! combinations, actual requests with and without credentials, `Vary` merging, SSE,
//! private-network preflights, and `OPTIONS` that is not a preflight.
#![cfg(feature = "tower")]

use crate::cors_common;

use std::net::SocketAddr;
use std::time::Duration;

use crate::cors_common::{app, send_h1, serve, Calls, Reply, H2, TIMEOUT};
use http::StatusCode;
use origin_policy::cors::Cors;
use origin_policy::layer::OriginLayer;
use origin_policy::OriginPolicy;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const APP: &str = "https://app.example.com";

fn policy() -> OriginPolicy {
    "https://app.example.com, https://*.tenant.example.com, http://app.example.com:8081"
        .parse()
        .unwrap()
}

fn credentialed() -> Cors {
    Cors::builder(policy())
        .allow_methods(["PUT", "DELETE", "patch"])
        .allow_headers(["content-type", "x-request-id", "x-custom"])
        .expose_headers(["x-request-id"])
        .allow_credentials()
        .max_age(Duration::from_secs(600))
        .build()
        .unwrap()
}

async fn server(cors: Cors) -> (SocketAddr, Calls) {
    let calls = Calls::default();
    let addr = serve(app(&calls).layer(OriginLayer::new(cors))).await;
    (addr, calls)
}

/// A preflight from `origin` for `method`, with `Access-Control-Request-Headers` if given.
async fn preflight(addr: SocketAddr, origin: &str, method: &str, headers: Option<&str>) -> Reply {
    let mut pairs = vec![
        ("origin", origin),
        ("access-control-request-method", method),
        ("sec-fetch-mode", "cors"),
    ];
    if let Some(headers) = headers {
        pairs.push(("access-control-request-headers", headers));
    }
    send_h1(addr, "OPTIONS", "/api", &pairs).await
}

const PREFLIGHT_VARY: [&str; 4] = [
    "origin",
    "access-control-request-method",
    "access-control-request-headers",
    // A private-network request changes the answer too (issue 15, item 5).
    "access-control-request-private-network",
];

#[tokio::test]
async fn preflights_allowed() {
    let (addr, calls) = server(credentialed()).await;
    // (origin, method, requested headers)
    let cases: &[(&str, &str, Option<&str>)] = &[
        (APP, "PUT", None),
        (APP, "PUT", Some("content-type")),
        (APP, "DELETE", Some("x-request-id,content-type")),
        (APP, "patch", Some("X-Request-ID")),
        // Safelisted methods need no listing.
        (APP, "GET", Some("x-custom")),
        (APP, "POST", Some("content-type")),
        (APP, "HEAD", None),
        // Empty list items are ignored (RFC 9110 section 5.6.1).
        (APP, "PUT", Some("content-type, ,x-custom")),
        (APP, "PUT", Some("")),
        (
            "https://acme.tenant.example.com",
            "PUT",
            Some("content-type"),
        ),
        ("HTTPS://APP.EXAMPLE.COM:443", "PUT", None),
    ];
    for &(origin, method, headers) in cases {
        let reply = preflight(addr, origin, method, headers).await;
        let case = format!("{origin} {method} {headers:?}");
        assert_eq!(
            reply.status,
            StatusCode::NO_CONTENT,
            "{case}: {}",
            reply.body
        );
        assert_eq!(
            reply.header("access-control-allow-origin"),
            Some(origin),
            "{case}"
        );
        assert_eq!(
            reply.header("access-control-allow-credentials"),
            Some("true"),
            "{case}"
        );
        assert_eq!(
            reply.header("access-control-allow-methods"),
            Some("PUT,DELETE,patch"),
            "{case}"
        );
        assert_eq!(
            reply.header("access-control-allow-headers"),
            Some("content-type,x-request-id,x-custom"),
            "{case}"
        );
        assert_eq!(
            reply.header("access-control-max-age"),
            Some("600"),
            "{case}"
        );
        assert_eq!(
            reply.header("access-control-expose-headers"),
            None,
            "{case}"
        );
        assert_eq!(reply.vary(), PREFLIGHT_VARY, "{case}");
        assert_eq!(reply.body, "", "{case}");
    }
    assert_eq!(calls.total(), 0, "preflights never reach the handler");
}

#[tokio::test]
async fn preflights_refused() {
    let (addr, calls) = server(credentialed()).await;
    // (origin, method, requested headers, the body naming the reason)
    let cases: &[(&str, &str, Option<&str>, &str)] = &[
        // The origin.
        (
            "https://evil.example",
            "PUT",
            None,
            "the origin is not allowed",
        ),
        (
            "https://tenant.example.com",
            "GET",
            None,
            "the origin is not allowed",
        ),
        ("null", "PUT", None, "the origin null is not allowed"),
        (
            "https://app.example.com/",
            "PUT",
            None,
            "the origin is malformed",
        ),
        (
            "https://app.example.com, https://evil.example",
            "PUT",
            None,
            "several origins",
        ),
        // The method: not listed, or not in the case browsers send.
        (APP, "PATCH", None, "the requested method is not allowed"),
        (APP, "OPTIONS", None, "the requested method is not allowed"),
        (
            APP,
            "put",
            Some("content-type"),
            "the requested method is not allowed",
        ),
        // A header.
        (
            APP,
            "PUT",
            Some("authorization"),
            "a requested header is not allowed",
        ),
        (
            APP,
            "GET",
            Some("content-type,x-evil"),
            "a requested header is not allowed",
        ),
        // Malformed requests.
        (APP, "PUT PATCH", None, "the preflight request is malformed"),
        (APP, "", None, "the preflight request is malformed"),
        (
            APP,
            "PUT",
            Some("content-type;x"),
            "the preflight request is malformed",
        ),
        (
            APP,
            "PUT",
            Some("x-evil, content type"),
            "the preflight request is malformed",
        ),
    ];
    // `reason` documents each row; the layer's answer is an empty 403 whatever it is, and
    // `cors_config` pins the reasons through `Preflight::denial`.
    for &(origin, method, headers, _reason) in cases {
        let reply = preflight(addr, origin, method, headers).await;
        let case = format!("{origin} {method:?} {headers:?}");
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{case}");
        assert_eq!(
            reply.body,
            // The layer's own answers have empty bodies (`ResBody: Default`).
            "",
            "{case}"
        );
        assert_eq!(
            reply.cors_headers(),
            [],
            "{case}: no CORS header on a refusal"
        );
        assert_eq!(reply.vary(), PREFLIGHT_VARY, "{case}");
        // An empty body, and no header that would describe one.
        assert_eq!(reply.header("content-type"), None);
    }
    // Two Access-Control-Request-Method lines.
    let reply = send_h1(
        addr,
        "OPTIONS",
        "/api",
        &[
            ("origin", APP),
            ("access-control-request-method", "PUT"),
            ("access-control-request-method", "DELETE"),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(calls.total(), 0, "preflights never reach the handler");
}

#[tokio::test]
async fn options_that_is_not_a_preflight_reaches_the_application() {
    let (addr, calls) = server(credentialed()).await;
    let cases: &[&[(&str, &str)]] = &[
        &[],
        &[("origin", APP)],
        &[("access-control-request-method", "PUT")],
    ];
    for (i, headers) in cases.iter().enumerate() {
        let reply = send_h1(addr, "OPTIONS", "/options", headers).await;
        assert_eq!(reply.status, StatusCode::OK, "{headers:?}");
        assert_eq!(reply.body, "application OPTIONS");
        assert_eq!(calls.options(), i + 1);
        assert_eq!(reply.vary(), ["origin"]);
    }
    // With an allowed Origin it is an actual CORS request and gets its headers.
    let reply = send_h1(addr, "OPTIONS", "/options", &[("origin", APP)]).await;
    assert_eq!(reply.header("access-control-allow-origin"), Some(APP));
}

#[tokio::test]
async fn actual_requests_with_credentials() {
    let (addr, calls) = server(credentialed()).await;
    for method in ["GET", "POST", "PUT", "DELETE", "patch"] {
        let reply = send_h1(addr, method, "/api", &[("origin", APP)]).await;
        assert_eq!(reply.status, StatusCode::OK, "{method}");
        assert_eq!(
            reply.cors_headers(),
            [
                ("access-control-allow-credentials".into(), "true".into()),
                ("access-control-allow-origin".into(), APP.into()),
                (
                    "access-control-expose-headers".into(),
                    "x-request-id".into()
                ),
            ],
            "{method}"
        );
        // The handler's `Vary: Accept-Encoding` is kept, `Origin` added on the same line.
        assert_eq!(
            reply.header_lines("vary"),
            ["Accept-Encoding, Origin"],
            "{method}"
        );
    }
    // Denied and missing origins: the request runs (CORS hides the answer, it does not
    // refuse), with no CORS header at all, and `Vary: Origin` still.
    for headers in [
        &[("origin", "https://evil.example")][..],
        &[("origin", "null")],
        &[],
    ] {
        let reply = send_h1(addr, "GET", "/api", headers).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.cors_headers(), [], "{headers:?}");
        assert_eq!(reply.header_lines("vary"), ["Accept-Encoding, Origin"]);
    }
    assert_eq!(calls.api(), 8);
}

#[tokio::test]
async fn actual_requests_without_credentials() {
    let cors = Cors::builder(policy())
        .expose_headers(["x-request-id"])
        .build()
        .unwrap();
    let (addr, _calls) = server(cors).await;
    let reply = send_h1(
        addr,
        "GET",
        "/api",
        &[("origin", "https://acme.tenant.example.com")],
    )
    .await;
    assert_eq!(
        reply.cors_headers(),
        [
            (
                "access-control-allow-origin".into(),
                "https://acme.tenant.example.com".into()
            ),
            (
                "access-control-expose-headers".into(),
                "x-request-id".into()
            ),
        ]
    );

    // A policy that allows any origin answers `*` (it cannot be combined with credentials).
    let any = OriginPolicy::builder()
        .allow_any_origin_dangerously()
        .build()
        .unwrap();
    let (addr, _calls) = server(Cors::new(any)).await;
    let reply = send_h1(addr, "GET", "/api", &[("origin", "https://anyone.example")]).await;
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    let reply = send_h1(
        addr,
        "GET",
        "/api",
        &[("origin", "https://anyone.example/")],
    )
    .await;
    assert_eq!(
        reply.header("access-control-allow-origin"),
        None,
        "malformed is still denied"
    );
}

#[tokio::test]
async fn server_sent_events_get_cors_like_any_response() {
    let (addr, calls) = server(credentialed()).await;
    let reply = send_h1(
        addr,
        "GET",
        "/events",
        &[("origin", APP), ("accept", "text/event-stream")],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), Some("text/event-stream"));
    assert_eq!(reply.header("access-control-allow-origin"), Some(APP));
    assert_eq!(
        reply.header("access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(reply.vary(), ["origin"]);
    assert_eq!(reply.body, "data: one\n\ndata: two\n\n");

    // Over HTTP/2 too.
    let mut h2 = H2::connect(addr).await;
    let reply = h2
        .send(cors_common::request(
            "GET",
            "/events",
            &[("origin", "https://evil.example")],
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.cors_headers(), []);
    assert_eq!(reply.vary(), ["origin"]);
    assert_eq!(calls.events(), 2);
}

#[tokio::test]
async fn private_network_preflights_are_opt_in() {
    let ask = [
        ("origin", APP),
        ("access-control-request-method", "GET"),
        ("access-control-request-private-network", "true"),
    ];
    let (addr, _calls) = server(credentialed()).await;
    let reply = send_h1(addr, "OPTIONS", "/api", &ask).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply.body,
        "" // the layer's own answers have empty bodies
    );

    let cors = Cors::builder(policy())
        .allow_private_network()
        .build()
        .unwrap();
    let (addr, _calls) = server(cors).await;
    let reply = send_h1(addr, "OPTIONS", "/api", &ask).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(
        reply.header("access-control-allow-private-network"),
        Some("true")
    );
    assert_eq!(reply.header("access-control-allow-origin"), Some(APP));
    // Not asked for: not sent.
    let reply = send_h1(addr, "OPTIONS", "/api", &ask[..2]).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(reply.header("access-control-allow-private-network"), None);
    // Opting in does not open the door to other origins.
    let evil = [("origin", "https://evil.example"), ask[1], ask[2]];
    assert_eq!(
        send_h1(addr, "OPTIONS", "/api", &evil).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn vary_merging_over_http2() {
    let (addr, _calls) = server(credentialed()).await;
    let mut h2 = H2::connect(addr).await;
    let reply = h2
        .send(cors_common::request("GET", "/api", &[("origin", APP)]))
        .await;
    assert_eq!(reply.header_lines("vary"), ["Accept-Encoding, Origin"]);
    let reply = h2
        .send(cors_common::request(
            "OPTIONS",
            "/api",
            &[("origin", APP), ("access-control-request-method", "PUT")],
        ))
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(reply.vary(), PREFLIGHT_VARY);
}

/// Sends Chromium's exact bytes (request target rewritten to `path`) and reads the head.
async fn replay(addr: SocketAddr, capture: &[u8], path: &str) -> (u16, Vec<(String, String)>) {
    let line_end = capture.windows(2).position(|w| w == b"\r\n").unwrap();
    let line = std::str::from_utf8(&capture[..line_end]).unwrap();
    let mut parts = line.split(' ');
    let (method, _, version) = (parts.next().unwrap(), parts.next(), parts.next().unwrap());
    let mut bytes = format!("{method} {path} {version}").into_bytes();
    bytes.extend_from_slice(&capture[line_end..]);
    tokio::time::timeout(TIMEOUT, async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.write_all(&bytes).await.unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "connection closed before the response head");
            head.extend_from_slice(&buf[..n]);
        }
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut response = httparse::Response::new(&mut headers);
        response.parse(&head).unwrap();
        let headers = response
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_ascii_lowercase(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect();
        (response.code.unwrap(), headers)
    })
    .await
    .expect("replayed in time")
}

/// A name, the capture, the route to send it to, the status and `Access-Control-Allow-Origin`.
type Replay = (
    &'static str,
    &'static [u8],
    &'static str,
    u16,
    Option<&'static str>,
);

#[tokio::test]
async fn chromium_requests_replayed() {
    let (addr, calls) = server(credentialed()).await;
    macro_rules! capture {
        ($name:literal) => {
            include_bytes!(concat!("cors_common/chromium/", $name, ".http")).as_slice()
        };
    }
    const SAME: &str = "http://app.example.com:8081";
    let cases: &[Replay] = &[
        (
            "same-site SSE",
            capture!("sse_fetch_same_site__03_http_sse_cors_withcreds"),
            "/events",
            200,
            Some(SAME),
        ),
        (
            "same-site preflight x-custom",
            capture!("sse_fetch_same_site__06_http_fetch_custom_header"),
            "/api",
            204,
            Some(SAME),
        ),
        (
            "same-site preflight JSON",
            capture!("sse_fetch_same_site__08_http_fetch_post_json"),
            "/api",
            204,
            Some(SAME),
        ),
        (
            "same-site JSON POST",
            capture!("sse_fetch_same_site__09_http_fetch_post_json"),
            "/api",
            200,
            Some(SAME),
        ),
        (
            "same-origin POST",
            capture!("sse_fetch_same_site__12_http_fetch_sameorigin_post"),
            "/api",
            200,
            Some(SAME),
        ),
        (
            "cross-site SSE",
            capture!("sse_fetch_cross_site__03_http_sse_cors_withcreds"),
            "/events",
            200,
            None,
        ),
        (
            "cross-site preflight x-custom",
            capture!("sse_fetch_cross_site__06_http_fetch_custom_header"),
            "/api",
            403,
            None,
        ),
        (
            "cross-site preflight JSON",
            capture!("sse_fetch_cross_site__08_http_fetch_post_json"),
            "/api",
            403,
            None,
        ),
        (
            "cross-site JSON POST",
            capture!("sse_fetch_cross_site__09_http_fetch_post_json"),
            "/api",
            200,
            None,
        ),
        (
            "https cross-site preflight",
            capture!("https_sse_fetch_cross_site__04_http_fetch_custom_header"),
            "/api",
            403,
            None,
        ),
    ];
    for &(name, bytes, path, status, allow_origin) in cases {
        let (got, headers) = replay(addr, bytes, path).await;
        assert_eq!(got, status, "{name}");
        let acao: Vec<&str> = headers
            .iter()
            .filter(|(n, _)| n == "access-control-allow-origin")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(acao, allow_origin.into_iter().collect::<Vec<_>>(), "{name}");
        assert!(headers.iter().any(|(n, _)| n == "vary"), "{name}");
    }
    assert_eq!((calls.api(), calls.events()), (3, 2));
}
