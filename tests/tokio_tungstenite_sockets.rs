//! `tokio_tungstenite::accept_hdr_async(stream, &*policy)` over real sockets on 127.0.0.1,
//! with `tokio_tungstenite::client_async` as the client. Every test runs under a timeout.
#![cfg(feature = "tungstenite")]

use crate::support;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::support::{assert_rejection, expected_body, ErrorResponse, TIMEOUT};
use futures_util::{SinkExt, StreamExt};
use origin_policy::{Decision, DenyReason, OriginPolicy};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::WebSocketStream;

pub(crate) const POLICY: &str = "https://app.example.com, https://*.tenant.example.com";

/// No test may take longer than this, whatever goes wrong.
const LIMIT: Duration = Duration::from_secs(30);

pub(crate) const ALLOWED: &[&str] = &[
    "https://app.example.com",
    "HTTPS://APP.EXAMPLE.COM:443",
    "https://acme.tenant.example.com",
];

pub(crate) const DENIED: &[(&[&str], DenyReason)] = &[
    (&["https://evil.example"], DenyReason::NotAllowed),
    (&[], DenyReason::Missing),
    (&["null"], DenyReason::Null),
    (&["https://app.example.com/"], DenyReason::Malformed),
    (
        &["https://app.example.com", "https://app.example.com"],
        DenyReason::Multiple,
    ),
    (
        &["https://app.example.com, https://evil.example"],
        DenyReason::Multiple,
    ),
];

/// Runs a test body under [`LIMIT`].
#[track_caller]
fn within_limit(test: impl Future<Output = ()>) -> impl Future<Output = ()> {
    let caller = std::panic::Location::caller();
    async move {
        if timeout(LIMIT, test).await.is_err() {
            panic!("test started at {caller} timed out after {LIMIT:?}");
        }
    }
}

/// What the async server did with one connection.
#[derive(Debug)]
enum Served {
    /// Handshake done; messages echoed until the client left.
    Echoed(usize),
    /// `accept_hdr_async` failed with the response it sent.
    Rejected(Box<ErrorResponse>),
    /// Any other error; read only through `Debug` in failure messages.
    Failed(#[allow(dead_code)] String),
}

async fn echo(mut socket: WebSocketStream<TcpStream>) -> usize {
    let mut echoed = 0;
    while let Some(Ok(message)) = socket.next().await {
        if message.is_text() || message.is_binary() {
            if socket.send(message).await.is_err() {
                break;
            }
            echoed += 1;
        }
    }
    echoed
}

async fn serve(stream: TcpStream, policy: Arc<OriginPolicy>) -> Served {
    match tokio_tungstenite::accept_hdr_async(stream, &*policy).await {
        Ok(socket) => Served::Echoed(echo(socket).await),
        Err(tungstenite::Error::Http(response)) => Served::Rejected(response),
        Err(err) => Served::Failed(err.to_string()),
    }
}

/// Binds 127.0.0.1:0 and serves up to `connections` connections, each in its own task. The
/// handle yields what happened to each, in accept order.
async fn spawn_server(connections: usize) -> (SocketAddr, JoinHandle<Vec<Served>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("bound address");
    let policy = Arc::new(support::policy(POLICY));
    let server = tokio::spawn(async move {
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let Ok(Ok((stream, _))) = timeout(TIMEOUT, listener.accept()).await else {
                break;
            };
            tasks.push(tokio::spawn(serve(stream, Arc::clone(&policy))));
        }
        let mut served = Vec::new();
        for task in tasks {
            served.push(match timeout(TIMEOUT, task).await {
                Ok(Ok(outcome)) => outcome,
                Ok(Err(err)) => Served::Failed(format!("server task failed: {err}")),
                Err(_) => Served::Failed("server task timed out".to_owned()),
            });
        }
        served
    });
    (addr, server)
}

async fn client(
    addr: SocketAddr,
    origins: &[&str],
) -> Result<WebSocketStream<TcpStream>, tungstenite::Error> {
    let stream = TcpStream::connect(addr).await?;
    let request = support::ws_request(addr, origins);
    let (socket, response) = tokio_tungstenite::client_async(request, stream).await?;
    assert_eq!(response.status(), 101, "origins {origins:?}");
    Ok(socket)
}

/// Sends a text message, expects it back, and closes cleanly.
async fn round_trip(mut socket: WebSocketStream<TcpStream>, text: &str) {
    socket.send(Message::text(text)).await.expect("send");
    match socket.next().await {
        Some(Ok(Message::Text(echo))) => assert_eq!(echo.as_str(), text),
        other => panic!("expected a text echo of {text:?}, got {other:?}"),
    }
    socket.close(None).await.expect("close");
    while let Some(Ok(_)) = socket.next().await {}
}

/// Runs one denied handshake and checks the 403 the client saw.
async fn expect_denied(addr: SocketAddr, origins: &[&str], reason: DenyReason) {
    match client(addr, origins).await {
        Err(tungstenite::Error::Http(response)) => {
            let host = addr.to_string();
            let mut presented = origins.to_vec();
            presented.push(&host);
            assert_rejection(&response, reason, &presented);
        }
        Err(err) => panic!("origins {origins:?}: expected a 403, got {err}"),
        Ok(_) => panic!("origins {origins:?}: expected a 403, got a WebSocket"),
    }
}

#[tokio::test]
async fn allowed_origins_get_an_echo() {
    within_limit(async {
        let (addr, server) = spawn_server(ALLOWED.len()).await;
        for origin in ALLOWED {
            let socket = client(addr, &[origin]).await.expect("allowed");
            round_trip(socket, origin).await;
        }
        let served = server.await.expect("server");
        assert_eq!(served.len(), ALLOWED.len());
        for outcome in served {
            assert!(matches!(outcome, Served::Echoed(1)), "{outcome:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn denied_origins_get_403() {
    within_limit(async {
        let (addr, server) = spawn_server(DENIED.len()).await;
        for &(origins, reason) in DENIED {
            expect_denied(addr, origins, reason).await;
        }
        let served = server.await.expect("server");
        assert_eq!(served.len(), DENIED.len());
        for (outcome, &(origins, reason)) in served.into_iter().zip(DENIED) {
            match outcome {
                Served::Rejected(response) => assert_rejection(&response, reason, origins),
                other => panic!("origins {origins:?}: expected a rejection, got {other:?}"),
            }
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_handshakes_are_decided_independently() {
    within_limit(async {
        const CLIENTS: usize = 24;
        let (addr, server) = spawn_server(CLIENTS).await;
        let clients: Vec<_> = (0..CLIENTS)
            .map(|i| {
                tokio::spawn(async move {
                    if i % 2 == 0 {
                        let origin = ALLOWED[i / 2 % ALLOWED.len()];
                        let socket = client(addr, &[origin]).await.expect("allowed");
                        round_trip(socket, &format!("client {i}")).await;
                    } else {
                        let (origins, reason) = DENIED[i / 2 % DENIED.len()];
                        expect_denied(addr, origins, reason).await;
                    }
                })
            })
            .collect();
        for client in clients {
            client.await.expect("client task");
        }
        let served = server.await.expect("server");
        let echoed = served
            .iter()
            .filter(|s| matches!(s, Served::Echoed(1)))
            .count();
        let rejected = served
            .iter()
            .filter(|s| matches!(s, Served::Rejected(r) if r.status() == 403))
            .count();
        assert_eq!((echoed, rejected), (CLIENTS / 2, CLIENTS / 2), "{served:?}");
    })
    .await;
}

#[tokio::test]
async fn callback_with_reports_the_decision() {
    within_limit(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("bound address");
        let policy = Arc::new(support::policy(POLICY));
        let server = tokio::spawn(async move {
            let mut decisions = Vec::new();
            for _ in 0..2 {
                let (stream, _) = listener.accept().await.expect("accept");
                let mut seen: Option<Decision> = None;
                // The deprecated `callback_with` keeps working.
                #[allow(deprecated)]
                let callback = policy.callback_with(|d| seen = Some(d.clone()));
                let accepted = tokio_tungstenite::accept_hdr_async(stream, callback).await;
                if let Ok(socket) = accepted {
                    echo(socket).await;
                }
                decisions.push(seen.expect("callback_with was called"));
            }
            decisions
        });

        let socket = client(addr, &["https://acme.tenant.example.com"])
            .await
            .expect("allowed");
        round_trip(socket, "observed").await;
        expect_denied(addr, &["https://evil.example"], DenyReason::NotAllowed).await;

        let decisions = server.await.expect("server");
        assert_eq!(
            decisions[0]
                .matched_rule()
                .map(ToString::to_string)
                .as_deref(),
            Some("https://*.tenant.example.com")
        );
        assert_eq!(decisions[1].deny_reason(), Some(DenyReason::NotAllowed));
        assert_eq!(
            decisions[1]
                .rejection::<String>()
                .map(|r| r.into_body())
                .as_deref(),
            Some(expected_body(DenyReason::NotAllowed))
        );
    })
    .await;
}
