//! The actix-web middleware over real loopback sockets, with actix-ws handlers and real
//! clients (tokio-tungstenite for WebSockets, hyper for HTTP): upgrades decided before the
//! handler, the outcome in `ReqData`, CORS with `Vary` merged, cross-origin writes,
//! report-only with an observer, and a reload. Needs the `actix` and `tower` features (the
//! HTTP client helpers live with the layer's tests).

use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use http::StatusCode;
use origin_policy::adapters::actix::OriginMiddleware;
use origin_policy::cors::Cors;
use origin_policy::guard::auth::{StaticTokens, TokenSource};
use origin_policy::guard::{GuardDecision, HandshakeGuard, RequestKind};
use origin_policy::{OriginPolicy, PolicySource, SharedPolicy};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::actix_common::{routes, serve, Calls};
use crate::cors_common::send_h1;
use crate::guard_common::handshake;

const POLICY: &str = "https://app.example.com, https://*.tenant.example.com";

/// The status of a raw HTTP/1.1 handshake with `lines` after the upgrade headers.
/// Reads the response head only: after a `101` the connection stays open.
fn handshake_status(addr: std::net::SocketAddr, lines: &[&str]) -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    stream.write_all(&handshake("/ws", lines)).expect("write");
    let mut head = String::new();
    BufReader::new(stream)
        .read_line(&mut head)
        .expect("a status line");
    head.split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {head:?}"))
}

fn policy() -> OriginPolicy {
    POLICY.parse().unwrap()
}

#[test]
fn actix_ws_allowed_origin_upgrades_and_echoes_others_are_refused_before_the_handler() {
    let tokens = StaticTokens::new([("t0k3n-alice", "alice")]).unwrap();
    let source = PolicySource::from(policy());
    let guard = HandshakeGuard::builder_on(source.clone())
        .subprotocols(["chat"])
        .authenticate_token(TokenSource::bearer(), move |token| tokens.verify(token))
        .build()
        .unwrap();
    let middleware = OriginMiddleware::new(Cors::new_on(source)).guard(guard);
    let calls = Calls::default();
    let addr = serve(middleware, routes::<&'static str>(&calls));

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
        let headers = request.headers_mut();
        headers.insert("origin", "https://acme.tenant.example.com".parse().unwrap());
        headers.insert("sec-websocket-protocol", "chat".parse().unwrap());
        headers.insert("authorization", "Bearer t0k3n-alice".parse().unwrap());
        let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let (mut socket, response) = tokio_tungstenite::client_async(request, stream)
            .await
            .expect("the allowed origin upgrades");
        assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
        // The handler read the guard's outcome from `ReqData`; the middleware added the
        // chosen subprotocol to the 101.
        assert_eq!(response.headers()["x-identity"], "alice");
        assert_eq!(response.headers()["x-rule"], "https://*.tenant.example.com");
        assert_eq!(response.headers()["sec-websocket-protocol"], "chat");
        socket.send(Message::text("hello")).await.unwrap();
        let echoed = socket.next().await.expect("a message").expect("no error");
        assert_eq!(echoed, Message::text("hello"));
        socket.close(None).await.unwrap();
    });
    assert_eq!(calls.ws(), 1);

    let good = [
        "Sec-WebSocket-Protocol: chat",
        "Authorization: Bearer t0k3n-alice",
    ];
    let with = |origin_lines: &[&'static str]| {
        let mut lines: Vec<&str> = origin_lines.to_vec();
        lines.extend(good);
        lines
    };
    let cases: &[(&str, Vec<&str>, u16)] = &[
        ("cross-site", with(&["Origin: https://evil.example"]), 403),
        (
            "two Origin lines",
            with(&[
                "Origin: https://app.example.com",
                "Origin: https://app.example.com",
            ]),
            403,
        ),
        ("null", with(&["Origin: null"]), 403),
        ("missing", with(&[]), 403),
        (
            "unknown subprotocol",
            vec![
                "Origin: https://app.example.com",
                "Sec-WebSocket-Protocol: mqtt",
                "Authorization: Bearer t0k3n-alice",
            ],
            400,
        ),
        (
            "no token",
            vec![
                "Origin: https://app.example.com",
                "Sec-WebSocket-Protocol: chat",
            ],
            401,
        ),
    ];
    for (name, lines, status) in cases {
        assert_eq!(handshake_status(addr, lines), *status, "{name}");
    }
    assert_eq!(calls.ws(), 1, "no refused handshake reached the handler");
}

#[test]
fn actix_cors_preflight_and_actual_response_with_vary_merged() {
    let cors = Cors::builder(policy())
        .allow_methods(["PUT"])
        .allow_headers(["content-type"])
        .expose_headers(["x-request-id"])
        .allow_credentials()
        .build()
        .unwrap();
    let calls = Calls::default();
    let addr = serve(OriginMiddleware::new(cors), routes::<()>(&calls));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let preflight = send_h1(
            addr,
            "OPTIONS",
            "/api",
            &[
                ("origin", "https://app.example.com"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "content-type"),
            ],
        )
        .await;
        assert_eq!(preflight.status, StatusCode::NO_CONTENT);
        assert_eq!(
            preflight.header("access-control-allow-origin"),
            Some("https://app.example.com")
        );
        assert_eq!(
            preflight.header("access-control-allow-methods"),
            Some("PUT")
        );
        assert_eq!(
            preflight.vary(),
            [
                "origin",
                "access-control-request-method",
                "access-control-request-headers",
                "access-control-request-private-network"
            ]
        );
        let refused = send_h1(
            addr,
            "OPTIONS",
            "/api",
            &[
                ("origin", "https://evil.example"),
                ("access-control-request-method", "PUT"),
            ],
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(refused.header("access-control-allow-origin"), None);
        assert_eq!(calls.api(), 0, "preflights never reach the handler");

        // An actual request: the handler's `Vary: Accept-Encoding` gets `Origin` merged
        // into the same line, and the handler saw the decision.
        let actual = send_h1(
            addr,
            "GET",
            "/api",
            &[("origin", "HTTPS://App.Example.com:443")],
        )
        .await;
        assert_eq!(actual.status, StatusCode::OK);
        assert_eq!(
            actual.header("access-control-allow-origin"),
            Some("HTTPS://App.Example.com:443")
        );
        assert_eq!(
            actual.header("access-control-allow-credentials"),
            Some("true")
        );
        assert_eq!(
            actual.header("access-control-expose-headers"),
            Some("x-request-id")
        );
        assert_eq!(actual.header_lines("vary"), ["Accept-Encoding, Origin"]);
        assert!(actual.body.starts_with("allow origin"), "{}", actual.body);

        let denied = send_h1(addr, "GET", "/api", &[("origin", "https://evil.example")]).await;
        assert_eq!(denied.status, StatusCode::OK, "CORS does not refuse reads");
        assert_eq!(denied.cors_headers(), []);
        assert_eq!(denied.header_lines("vary"), ["Accept-Encoding, Origin"]);
        assert!(denied.body.starts_with("deny"), "{}", denied.body);
        // Non-preflight OPTIONS reach the application.
        let options = send_h1(
            addr,
            "OPTIONS",
            "/api",
            &[("origin", "https://app.example.com")],
        )
        .await;
        assert_eq!(options.status, StatusCode::OK);
    });
    assert_eq!(calls.api(), 3);
}

/// The middleware touches only the CORS fields and `Vary`, as the layer does: every other
/// line of the handler's response stays, `Vary` lines are folded with `Origin` added, and
/// the handler's `Access-Control-Allow-Origin` is replaced for an allowed origin and left
/// alone otherwise.
#[test]
fn actix_keeps_every_other_response_header() {
    let calls = Calls::default();
    let addr = serve(OriginMiddleware::new(policy()), routes::<()>(&calls));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        for (origin, allow_origin) in [
            ("https://app.example.com", "https://app.example.com"),
            ("https://evil.example", "https://handler.example"),
        ] {
            let reply = send_h1(addr, "GET", "/many", &[("origin", origin)]).await;
            assert_eq!(reply.status, StatusCode::OK);
            assert_eq!(reply.header_lines("set-cookie"), ["a=1", "b=2"], "{origin}");
            assert_eq!(reply.header("x-handler"), Some("kept"));
            assert_eq!(
                reply.vary(),
                ["accept-encoding", "accept-language", "origin"]
            );
            assert_eq!(reply.header_lines("vary").len(), 1, "{origin}: folded");
            assert_eq!(
                reply.header("access-control-allow-origin"),
                Some(allow_origin)
            );
        }
    });
}

#[test]
fn actix_blocks_cross_origin_writes_and_report_only_lets_them_through_with_a_report() {
    type Seen = Arc<Mutex<Vec<(RequestKind, u16)>>>;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for report_only in [false, true] {
        let seen: Seen = Arc::default();
        let sink = Arc::clone(&seen);
        let mut builder = HandshakeGuard::builder(policy()).observe(move |d: &GuardDecision| {
            sink.lock().unwrap().push((d.kind(), d.status().as_u16()))
        });
        if report_only {
            builder = builder.report_only();
        }
        let middleware = OriginMiddleware::new(policy())
            .block_cross_origin_writes()
            .guard(builder.build().unwrap());
        let calls = Calls::default();
        let addr = serve(middleware, routes::<()>(&calls));
        runtime.block_on(async {
            let cross = send_h1(
                addr,
                "POST",
                "/api",
                &[
                    ("origin", "https://evil.example"),
                    ("sec-fetch-site", "cross-site"),
                ],
            )
            .await;
            let allowed = send_h1(
                addr,
                "POST",
                "/api",
                &[
                    ("origin", "https://app.example.com"),
                    ("sec-fetch-site", "same-site"),
                ],
            )
            .await;
            let same = send_h1(addr, "DELETE", "/api", &[("sec-fetch-site", "same-origin")]).await;
            assert_eq!(allowed.status, StatusCode::OK);
            assert_eq!(same.status, StatusCode::OK);
            if report_only {
                assert_eq!(cross.status, StatusCode::OK, "report-only lets it through");
                assert_eq!(cross.header("access-control-allow-origin"), None);
                assert_eq!(calls.api(), 3);
            } else {
                assert_eq!(cross.status, StatusCode::FORBIDDEN);
                assert_eq!(cross.vary(), ["origin"]);
                assert_eq!(
                    calls.api(),
                    2,
                    "the refused write never reached the handler"
                );
            }
        });
        // Report-only reports the write it let through as what enforcing would send.
        let seen = seen.lock().unwrap();
        let write = if report_only { 200 } else { 403 };
        assert_eq!(
            *seen,
            [
                (RequestKind::Request, write),
                (RequestKind::Request, 200),
                (RequestKind::Request, 200)
            ],
            "report_only: {report_only}"
        );
    }
}

#[test]
fn actix_follows_a_reloaded_policy() {
    let shared = SharedPolicy::new(policy());
    let guard = HandshakeGuard::builder_on(&shared).build().unwrap();
    let middleware = OriginMiddleware::new(Cors::new_on(&shared)).guard(guard);
    let calls = Calls::default();
    let addr = serve(middleware, routes::<()>(&calls));
    let origin = ["Origin: https://new.example"];
    assert_eq!(handshake_status(addr, &origin), 403);
    shared.store("https://new.example".parse().unwrap());
    assert_eq!(handshake_status(addr, &origin), 101);
    assert_eq!(
        handshake_status(addr, &["Origin: https://app.example.com"]),
        403
    );
    assert_eq!(calls.ws(), 1);
}

/// The middleware is shared across actix-web's worker threads (`HttpServer::new` clones it
/// into each), so it is `Send + Sync + Clone`; its `Debug` names the layer's knobs.
#[test]
fn actix_middleware_api() {
    fn shared<T: Send + Sync + Clone + std::fmt::Debug>() {}
    shared::<OriginMiddleware>();
    shared::<OriginMiddleware<String>>();
    let middleware = OriginMiddleware::new(policy()).block_cross_origin_writes();
    let debug = format!("{middleware:?}");
    assert!(debug.starts_with("OriginMiddleware { cors: "), "{debug}");
    assert!(debug.contains("block_cross_origin_writes: true"), "{debug}");
    assert!(debug.contains("trust_open_rules: false"), "{debug}");
    let opened = middleware.allow_open_origins_for_upgrades_and_writes_dangerously();
    assert!(format!("{opened:?}").contains("trust_open_rules: true"));
    assert!(opened
        .policy()
        .check_value(b"https://app.example.com")
        .is_allowed());
    assert!(opened
        .cors()
        .source()
        .same_as(opened.handshake_guard().source()));
    let guard = HandshakeGuard::builder(policy())
        .report_only()
        .build()
        .unwrap();
    assert!(opened.guard(guard).handshake_guard().is_report_only());
}
