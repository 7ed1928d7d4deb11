//! `OriginLayer` over real loopback sockets, in front of an axum 0.8 app: WebSocket upgrades
//! (HTTP/1.1 and HTTP/2 extended CONNECT) refused before the handler runs, cross-origin
//! writes, and the `Decision` in request extensions.
#![cfg(feature = "tower")]

use crate::cors_common;

use crate::cors_common::{app, h2_websocket, request, send, send_h1, serve, Calls, H2, TIMEOUT};
use futures_util::{SinkExt, StreamExt};
use http::StatusCode;
use origin_policy::cors::Cors;
use origin_policy::layer::OriginLayer;
use origin_policy::OriginPolicy;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};

const ALLOWED: &str = "https://app.example.com";

fn policy() -> OriginPolicy {
    "https://app.example.com, https://*.tenant.example.com"
        .parse()
        .unwrap()
}

async fn server(layer: OriginLayer) -> (std::net::SocketAddr, Calls) {
    let calls = Calls::default();
    let addr = serve(app(&calls).layer(layer)).await;
    (addr, calls)
}

/// A WebSocket handshake from a real client (tokio-tungstenite), with `origin` if given.
async fn websocket(
    addr: std::net::SocketAddr,
    origin: Option<&str>,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    tungstenite::Error,
> {
    let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("origin", origin.parse().unwrap());
    }
    let (socket, _) = tokio::time::timeout(TIMEOUT, tokio_tungstenite::connect_async(request))
        .await
        .expect("handshake in time")?;
    Ok(socket)
}

#[tokio::test]
async fn allowed_websocket_reaches_the_handler() {
    let (addr, calls) = server(OriginLayer::new(policy())).await;
    for origin in [
        ALLOWED,
        "https://acme.tenant.example.com",
        "HTTPS://App.Example.com:443",
    ] {
        let mut socket = websocket(addr, Some(origin))
            .await
            .expect("handshake accepted");
        socket.send(Message::text("ping")).await.unwrap();
        let echo = tokio::time::timeout(TIMEOUT, socket.next()).await.unwrap();
        assert_eq!(echo.unwrap().unwrap(), Message::text("ping"), "{origin}");
    }
    assert_eq!(calls.ws(), 3);
}

#[tokio::test]
async fn denied_websocket_is_refused_before_the_handler_runs() {
    let (addr, calls) = server(OriginLayer::new(policy())).await;
    let cases: &[(Option<&str>, &str)] = &[
        (Some("https://evil.example"), ""),
        (Some("https://tenant.example.com"), ""),
        (Some("http://app.example.com"), ""),
        (Some("null"), ""),
        (Some("https://app.example.com/"), ""),
        (Some("https://app.example.com https://evil.example"), ""),
        (None, ""),
    ];
    for &(origin, body) in cases {
        match websocket(addr, origin).await {
            Err(tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin:?}");
                let got = response.body().as_deref().map(String::from_utf8_lossy);
                assert_eq!(got.as_deref(), Some(body), "{origin:?}");
                assert_eq!(response.headers()["vary"], "Origin", "{origin:?}");
            }
            other => panic!("{origin:?}: expected a 403, got {other:?}"),
        }
    }
    assert_eq!(
        calls.ws(),
        0,
        "the handler must never run for a refused upgrade"
    );
    assert_eq!(calls.total(), 0);
}

#[tokio::test]
async fn upgrade_checks_are_not_bypassed_by_spelling_or_method() {
    let (addr, calls) = server(OriginLayer::new(policy())).await;
    let upgrade = |value: &'static str, origin: &'static str| {
        vec![
            ("connection", "Upgrade"),
            ("upgrade", value),
            ("sec-websocket-version", "13"),
            ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
            ("origin", origin),
        ]
    };
    for value in ["websocket", "WebSocket", "h2c, websocket", "websocket/13"] {
        let reply = send_h1(addr, "GET", "/ws", &upgrade(value, "https://evil.example")).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{value}");
        // The body is fixed text: the request's Origin never appears in it.
        assert!(!reply.body.contains("evil"), "{}", reply.body);
    }
    // Two Origin lines, the first allowed: refused (which one would the handler believe?).
    let mut two = upgrade("websocket", ALLOWED);
    two.push(("origin", "https://evil.example"));
    let reply = send_h1(addr, "GET", "/ws", &two).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body, "");
    assert_eq!(calls.ws(), 0);

    // The same headers from the allowed origin: axum answers 101.
    let reply = send_h1(addr, "GET", "/ws", &upgrade("websocket", ALLOWED)).await;
    assert_eq!(reply.status, StatusCode::SWITCHING_PROTOCOLS);
    assert_eq!(calls.ws(), 1);
}

#[tokio::test]
async fn http2_extended_connect_is_checked_like_an_upgrade() {
    let (addr, calls) = server(OriginLayer::new(policy())).await;
    let mut h2 = H2::connect(addr).await;

    let reply = h2.send(h2_websocket("/ws", "https://evil.example")).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body, "");
    assert_eq!(
        calls.ws(),
        0,
        "the handler must never run for a refused upgrade"
    );

    let reply = h2.send(h2_websocket("/ws", "null")).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(calls.ws(), 0);

    // RFC 8441: an accepted extended CONNECT is answered 200.
    let reply = h2.send(h2_websocket("/ws", ALLOWED)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(calls.ws(), 1);
}

/// A method, request headers, the expected status.
type WriteCase = (
    &'static str,
    &'static [(&'static str, &'static str)],
    StatusCode,
);

#[tokio::test]
async fn cross_origin_writes_are_blocked_when_asked() {
    let (addr, calls) = server(OriginLayer::new(policy()).block_cross_origin_writes()).await;
    let cases: &[WriteCase] = &[
        // Denied origins cannot write.
        (
            "POST",
            &[("origin", "https://evil.example")],
            StatusCode::FORBIDDEN,
        ),
        (
            "PUT",
            &[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ],
            StatusCode::FORBIDDEN,
        ),
        ("PATCH", &[("origin", "null")], StatusCode::FORBIDDEN),
        (
            "DELETE",
            &[("origin", "https://app.example.com/")],
            StatusCode::FORBIDDEN,
        ),
        (
            "POST",
            &[("sec-fetch-site", "cross-site")],
            StatusCode::FORBIDDEN,
        ),
        (
            "POST",
            &[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "same-site"),
            ],
            StatusCode::FORBIDDEN,
        ),
        // Allowed origins can, whatever Sec-Fetch-Site says.
        ("POST", &[("origin", ALLOWED)], StatusCode::OK),
        (
            "DELETE",
            &[
                ("origin", "https://acme.tenant.example.com"),
                ("sec-fetch-site", "cross-site"),
            ],
            StatusCode::OK,
        ),
        // The browser vouches for same-origin requests and the user's own navigation.
        (
            "POST",
            &[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "same-origin"),
            ],
            StatusCode::OK,
        ),
        ("POST", &[("sec-fetch-site", "none")], StatusCode::OK),
        // No Origin and no Sec-Fetch-Site: not a browser.
        ("POST", &[], StatusCode::OK),
        // Safe methods are never blocked (CORS hides the answer instead).
        (
            "GET",
            &[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ],
            StatusCode::OK,
        ),
    ];
    let mut expected_calls = 0;
    for &(method, headers, status) in cases {
        let reply = send_h1(addr, method, "/api", headers).await;
        assert_eq!(reply.status, status, "{method} {headers:?}: {}", reply.body);
        if status == StatusCode::OK {
            expected_calls += 1;
        } else {
            // The layer's own answers have empty bodies (`ResBody: Default`).
            assert!(reply.body.is_empty(), "{}", reply.body);
            assert_eq!(reply.vary(), ["origin"]);
        }
        assert_eq!(calls.api(), expected_calls, "{method} {headers:?}");
    }
}

#[tokio::test]
async fn writes_pass_without_the_option() {
    let (addr, calls) = server(OriginLayer::new(policy())).await;
    let reply = send_h1(addr, "POST", "/api", &[("origin", "https://evil.example")]).await;
    // CORS alone: the request runs, the browser withholds the answer.
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("access-control-allow-origin"), None);
    assert_eq!(calls.api(), 1);
}

#[tokio::test]
async fn handlers_see_the_decision() {
    let (addr, _calls) = server(OriginLayer::new(policy())).await;
    let decision = |reply: &cors_common::Reply| {
        let json: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        json["decision"].as_str().map(str::to_owned)
    };
    let reply = send_h1(
        addr,
        "GET",
        "/api",
        &[("origin", "https://acme.tenant.example.com")],
    )
    .await;
    assert_eq!(
        decision(&reply).as_deref(),
        Some(
            r#"allow origin "https://acme.tenant.example.com" by rule https://*.tenant.example.com"#
        )
    );
    let reply = send_h1(addr, "GET", "/api", &[]).await;
    assert_eq!(decision(&reply).as_deref(), Some("deny: no Origin header"));
    // Attacker bytes reach the handler only escaped.
    let reply = send_h1(
        addr,
        "GET",
        "/api",
        &[("origin", "https://evil.example\"é")],
    )
    .await;
    assert_eq!(
        decision(&reply).as_deref(),
        Some(r#"deny origin "https://evil.example\"\xc3\xa9": the origin is malformed"#)
    );

    // Over HTTP/2 as well.
    let mut h2 = H2::connect(addr).await;
    let reply = h2
        .send(request("GET", "/api", &[("origin", ALLOWED)]))
        .await;
    assert_eq!(
        decision(&reply).as_deref(),
        Some(r#"allow origin "https://app.example.com" by rule https://app.example.com"#)
    );
}

#[tokio::test]
async fn one_layer_for_every_transport() {
    let cors = Cors::builder(policy())
        .allow_credentials()
        .allow_headers(["content-type"])
        .build()
        .unwrap();
    let (addr, calls) = server(OriginLayer::new(cors)).await;
    // The allowlist that admits the socket admits the API call and the SSE stream, and the
    // one that refuses it refuses them.
    for (origin, allowed) in [(ALLOWED, true), ("https://evil.example", false)] {
        let socket = websocket(addr, Some(origin)).await;
        assert_eq!(socket.is_ok(), allowed, "{origin}");
        let api = send(addr, request("GET", "/api", &[("origin", origin)])).await;
        let events = send_h1(addr, "GET", "/events", &[("origin", origin)]).await;
        for reply in [&api, &events] {
            assert_eq!(reply.status, StatusCode::OK);
            assert_eq!(
                reply.header("access-control-allow-origin").is_some(),
                allowed,
                "{origin}"
            );
        }
        assert_eq!(events.header("content-type"), Some("text/event-stream"));
        assert!(events.body.contains("data: one"), "{}", events.body);
    }
    assert_eq!((calls.ws(), calls.api(), calls.events()), (1, 2, 2));
}
