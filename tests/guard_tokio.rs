//! `HandshakeGuard` with `tokio_tungstenite::accept_hdr_async`: one guard in an `Arc` shared
//! by connection tasks, the outcome handed back through the slot, tokio-tungstenite clients.
#![cfg(feature = "tungstenite")]

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use http::{HeaderName, HeaderValue};
use origin_policy::guard::auth::{StaticTokens, TokenSource};
use origin_policy::guard::HandshakeGuard;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};

const TOKEN: &str = "t0k3n-alice-4f9a2c";
const LIMIT: Duration = Duration::from_secs(5);

/// Serves `connections` connections, each in its own task; an accepted socket is sent one
/// text message naming the identity and subprotocol from the slot, then closed.
async fn serve(guard: Arc<HandshakeGuard<String>>, connections: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        for _ in 0..connections {
            let Ok(Ok((stream, _))) = timeout(LIMIT * 4, listener.accept()).await else {
                return;
            };
            let guard = Arc::clone(&guard);
            tokio::spawn(async move {
                let mut outcome = None;
                let accepted =
                    tokio_tungstenite::accept_hdr_async(stream, guard.callback(&mut outcome)).await;
                let outcome = outcome.expect("the guard ran");
                if let Ok(mut socket) = accepted {
                    let text = format!(
                        "{} via {}",
                        outcome.identity.unwrap(),
                        outcome.decision.subprotocol().unwrap_or("-")
                    );
                    socket.send(Message::text(text)).await.unwrap();
                    socket.close(None).await.ok();
                }
            });
        }
    });
    format!("ws://{addr}/graphql")
}

fn guard() -> Arc<HandshakeGuard<String>> {
    let tokens = StaticTokens::new([(TOKEN, "alice".to_owned())]).unwrap();
    Arc::new(
        HandshakeGuard::builder("https://app.example.com".parse().unwrap())
            .subprotocols(["graphql-transport-ws", "graphql-ws"])
            .authenticate_token(TokenSource::bearer(), move |token| tokens.verify(token))
            .build()
            .unwrap(),
    )
}

async fn connect(
    url: &str,
    headers: &[(&str, &str)],
) -> Result<
    (
        tokio_tungstenite::WebSocketStream<TcpStream>,
        tungstenite::handshake::client::Response,
    ),
    tungstenite::Error,
> {
    let mut request = url.into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    let stream = TcpStream::connect(request.uri().authority().unwrap().as_str())
        .await
        .unwrap();
    timeout(LIMIT, tokio_tungstenite::client_async(request, stream))
        .await
        .expect("the handshake finished in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_handshake_hands_back_identity_and_subprotocol() {
    let url = serve(guard(), 1).await;
    let bearer = format!("Bearer {TOKEN}");
    let (mut socket, response) = connect(
        &url,
        &[
            ("origin", "https://app.example.com"),
            ("sec-websocket-protocol", "graphql-ws, graphql-transport-ws"),
            ("authorization", &bearer),
        ],
    )
    .await
    .expect("accepted");
    assert_eq!(response.status(), 101);
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    let message = timeout(LIMIT, socket.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(message, Message::text("alice via graphql-transport-ws"));
}

/// Request header (name, value) pairs.
type Headers<'a> = Vec<(&'a str, &'a str)>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_refusal_reaches_a_tokio_client() {
    let bearer = format!("Bearer {TOKEN}");
    // (request headers, status, WWW-Authenticate)
    let cases: Vec<(Headers, u16, Option<&str>)> = vec![
        (
            vec![
                ("origin", "https://evil.example"),
                ("sec-websocket-protocol", "graphql-ws"),
                ("authorization", &bearer),
            ],
            403,
            None,
        ),
        (
            vec![
                ("origin", "https://app.example.com"),
                ("sec-websocket-protocol", "mqtt"),
                ("authorization", &bearer),
            ],
            400,
            None,
        ),
        (
            vec![
                ("origin", "https://app.example.com"),
                ("sec-websocket-protocol", "graphql-ws"),
            ],
            401,
            Some("Bearer"),
        ),
        (
            vec![
                ("origin", "https://app.example.com"),
                ("sec-websocket-protocol", "graphql-ws"),
                ("authorization", "Bearer nope"),
            ],
            401,
            Some("Bearer error=\"invalid_token\""),
        ),
    ];
    let url = serve(guard(), cases.len()).await;
    for (headers, status, challenge) in cases {
        match connect(&url, &headers).await {
            Err(tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), status, "{headers:?}");
                assert_eq!(
                    response
                        .headers()
                        .get("www-authenticate")
                        .map(|v| v.to_str().unwrap()),
                    challenge,
                    "{headers:?}"
                );
                assert_eq!(response.headers()["connection"], "close");
                let body = response.body().as_deref().unwrap_or_default();
                assert_eq!(
                    response.headers()["content-length"],
                    body.len().to_string().as_str()
                );
                assert!(
                    !String::from_utf8_lossy(body).contains("evil"),
                    "{headers:?}"
                );
            }
            other => panic!("{headers:?}: expected a {status}, got {other:?}"),
        }
    }
}

/// Many concurrent handshakes through one shared guard: each task gets its own outcome.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_guard_serves_concurrent_tasks() {
    const CLIENTS: usize = 16;
    let url = serve(guard(), CLIENTS).await;
    let bearer = format!("Bearer {TOKEN}");
    let mut clients = Vec::new();
    for i in 0..CLIENTS {
        let url = url.clone();
        let bearer = bearer.clone();
        clients.push(tokio::spawn(async move {
            let protocol = if i % 2 == 0 {
                "graphql-ws"
            } else {
                "graphql-transport-ws, graphql-ws"
            };
            let (mut socket, _) = connect(
                &url,
                &[
                    ("origin", "https://app.example.com"),
                    ("sec-websocket-protocol", protocol),
                    ("authorization", &bearer),
                ],
            )
            .await
            .expect("accepted");
            let message = timeout(LIMIT, socket.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            (i, message)
        }));
    }
    for client in clients {
        let (i, message) = client.await.unwrap();
        let expected = if i % 2 == 0 {
            "alice via graphql-ws"
        } else {
            "alice via graphql-transport-ws"
        };
        assert_eq!(message, Message::text(expected), "client {i}");
    }
}
