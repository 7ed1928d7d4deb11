//! tungstenite 0.29 (feature `tungstenite029`): `&OriginPolicy` and a `HandshakeGuard` are
//! handshake callbacks of tokio-tungstenite 0.29, the version axum 0.8 depends on, over real
//! sockets on 127.0.0.1 with a tokio-tungstenite 0.29 client. The same table as the 0.30
//! tests (`tokio_tungstenite_sockets`), so both versions give the same answers.
#![cfg(all(feature = "tungstenite", feature = "tungstenite029"))]

use std::net::SocketAddr;
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use origin_policy::guard::{GuardOutcome, HandshakeGuard};
use origin_policy::{DenyReason, OriginPolicy};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;
use tokio_tungstenite029 as tokio_tungstenite;
use tokio_tungstenite029::tungstenite::{self, Message};

use crate::support::{self, assert_rejection, ErrorResponse, TIMEOUT};
use crate::tokio_tungstenite_sockets::{ALLOWED, DENIED, POLICY};

/// What the server did with one connection.
#[derive(Debug)]
enum Served {
    /// Handshake done and one message echoed; the guard's outcome, when a guard ran.
    Echoed(Option<GuardOutcome<()>>),
    /// Refused with the response it sent, and the guard's outcome.
    Rejected(Box<ErrorResponse>, Option<GuardOutcome<()>>),
}

/// How the server checks the handshake.
#[derive(Clone)]
enum Check {
    Policy(Arc<OriginPolicy>),
    Guard(Arc<HandshakeGuard<()>>),
}

/// Serves one connection on a fresh 127.0.0.1 port with tokio-tungstenite 0.29.
async fn serve_one(check: Check) -> (SocketAddr, tokio::task::JoinHandle<Served>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("bound address");
    let server = tokio::spawn(async move {
        let (stream, _) = timeout(TIMEOUT, listener.accept())
            .await
            .expect("a client within the timeout")
            .expect("accept");
        let mut slot = None;
        let result = match &check {
            Check::Policy(policy) => tokio_tungstenite::accept_hdr_async(stream, &**policy).await,
            Check::Guard(guard) => {
                tokio_tungstenite::accept_hdr_async(stream, guard.callback(&mut slot)).await
            }
        };
        match result {
            Ok(mut socket) => {
                if let Some(Ok(message)) = socket.next().await {
                    socket.send(message).await.expect("echo");
                }
                while let Some(Ok(_)) = socket.next().await {}
                Served::Echoed(slot)
            }
            Err(tungstenite::Error::Http(response)) => Served::Rejected(response, slot),
            Err(err) => panic!("the handshake failed without a response: {err}"),
        }
    });
    (addr, server)
}

/// A tokio-tungstenite 0.29 client handshake with one `Origin` line per entry (and extra
/// headers).
async fn client(
    addr: SocketAddr,
    origins: &[&str],
    extra: &[(&str, &str)],
) -> Result<
    (
        tokio_tungstenite::WebSocketStream<TcpStream>,
        http::Response<Option<Vec<u8>>>,
    ),
    tungstenite::Error,
> {
    let mut request = support::ws_request(addr, origins);
    for (name, value) in extra {
        request.headers_mut().append(
            http::HeaderName::from_bytes(name.as_bytes()).expect("a valid name"),
            http::HeaderValue::from_str(value).expect("a valid value"),
        );
    }
    let stream = TcpStream::connect(addr).await?;
    tokio_tungstenite::client_async(request, stream).await
}

async fn round_trip(mut socket: tokio_tungstenite::WebSocketStream<TcpStream>) {
    socket.send(Message::text("ping")).await.expect("send");
    match socket.next().await {
        Some(Ok(Message::Text(echo))) => assert_eq!(echo.as_str(), "ping"),
        other => panic!("expected the echo, got {other:?}"),
    }
    socket.close(None).await.expect("close");
    while let Some(Ok(_)) = socket.next().await {}
}

#[tokio::test]
async fn the_policy_is_a_029_callback() {
    let policy = Arc::new(support::policy(POLICY));
    for origin in ALLOWED {
        let (addr, server) = serve_one(Check::Policy(Arc::clone(&policy))).await;
        let (socket, response) = client(addr, &[origin], &[])
            .await
            .unwrap_or_else(|err| panic!("{origin}: expected a 101, got {err}"));
        assert_eq!(response.status(), 101, "{origin}");
        round_trip(socket).await;
        assert!(matches!(
            server.await.expect("server"),
            Served::Echoed(None)
        ));
    }
    for (origins, reason) in DENIED {
        let (addr, server) = serve_one(Check::Policy(Arc::clone(&policy))).await;
        match client(addr, origins, &[]).await {
            Err(tungstenite::Error::Http(response)) => {
                assert_rejection(&response, *reason, origins)
            }
            other => panic!("{origins:?}: expected a 403, got {other:?}"),
        }
        match server.await.expect("server") {
            Served::Rejected(sent, None) => assert_rejection(&sent, *reason, origins),
            other => panic!("{origins:?}: expected a refusal, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn the_guard_is_a_029_callback_and_fills_the_slot() {
    let guard = Arc::new(
        HandshakeGuard::builder(support::policy(POLICY))
            .subprotocols(["chat"])
            .build()
            .expect("a valid guard"),
    );

    let (addr, server) = serve_one(Check::Guard(Arc::clone(&guard))).await;
    let offer = [("sec-websocket-protocol", "other, chat")];
    let (socket, response) = client(addr, &["https://app.example.com"], &offer)
        .await
        .expect("an allowed handshake");
    assert_eq!(response.headers()["sec-websocket-protocol"], "chat");
    round_trip(socket).await;
    match server.await.expect("server") {
        Served::Echoed(Some(outcome)) => {
            assert!(outcome.decision.is_allowed(), "{}", outcome.decision);
            assert_eq!(outcome.decision.subprotocol(), Some("chat"));
        }
        other => panic!("expected an echo with an outcome, got {other:?}"),
    }

    let (addr, server) = serve_one(Check::Guard(Arc::clone(&guard))).await;
    let origins = ["https://evil.example"];
    match client(addr, &origins, &offer).await {
        Err(tungstenite::Error::Http(response)) => {
            assert_rejection(&response, DenyReason::NotAllowed, &origins)
        }
        other => panic!("expected a 403, got {other:?}"),
    }
    match server.await.expect("server") {
        Served::Rejected(_, Some(outcome)) => assert!(!outcome.decision.is_allowed()),
        other => panic!("expected a refusal with an outcome, got {other:?}"),
    }
}
