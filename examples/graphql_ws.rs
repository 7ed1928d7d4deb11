//! A GraphQL-over-WebSocket server whose handshakes go through a `HandshakeGuard`: origin
//! allowlist (403), subprotocol negotiation between `graphql-transport-ws` and the legacy
//! `graphql-ws` (400), and a token (401).
//!
//! ```text
//! cargo run --example graphql_ws                       # ws://127.0.0.1:9002/graphql
//! cargo run --example graphql_ws -- --self-test        # connect to itself, check each answer, exit
//! PORT=9002 ALLOWED_ORIGINS="https://app.example.com" GRAPHQL_TOKEN=s3cr3t \
//!   TOKEN_SOURCE=bearer|query|subprotocol REPORT_ONLY=1 cargo run --example graphql_ws
//! ```
//!
//! Try it with websocat (the default token is `dev-token-change-me`):
//!
//! ```text
//! websocat --protocol graphql-transport-ws -H 'Origin: http://localhost:8080' \
//!     -H 'Authorization: Bearer dev-token-change-me' ws://127.0.0.1:9002/graphql
//! {"type":"connection_init"}
//! {"id":"1","type":"subscribe","payload":{"query":"{ viewer }"}}
//! ```
//!
//! Each handshake's decision is printed (escaped, without the token). The GraphQL side is a
//! stub that answers every operation with `{"data":{"viewer":"<identity>"}}`: the point is
//! the handshake.

use std::env;
use std::net::SocketAddr;
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use origin_policy::guard::auth::{StaticTokens, TokenSource, KUBERNETES_SUBPROTOCOL_PREFIX};
use origin_policy::guard::HandshakeGuard;
use origin_policy::OriginPolicy;
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message};

/// Current protocol of the `graphql-ws` library, preferred.
const TRANSPORT_WS: &str = "graphql-transport-ws";
/// Legacy `subscriptions-transport-ws` protocol.
const LEGACY_WS: &str = "graphql-ws";

type Guard = HandshakeGuard<String>;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let self_test = env::args().any(|arg| arg == "--self-test");
    let port: u16 = match env::var("PORT") {
        Ok(port) if !self_test => port.parse().map_err(|e| format!("PORT={port:?}: {e}"))?,
        _ if self_test => 0,
        _ => 9002,
    };
    let token = env::var("GRAPHQL_TOKEN").unwrap_or_else(|_| "dev-token-change-me".into());
    let source = match env::var("TOKEN_SOURCE").as_deref() {
        Ok("bearer") | Err(_) => TokenSource::bearer(),
        Ok("query") => TokenSource::query("token"),
        Ok("subprotocol") => TokenSource::subprotocol(),
        Ok(other) => {
            return Err(format!("TOKEN_SOURCE={other:?}: bearer, query or subprotocol").into())
        }
    };
    let allowed = env::var("ALLOWED_ORIGINS").unwrap_or_else(|_| "http://localhost:8080".into());
    // Invalid entries stop the server at start-up with a message that names them.
    let policy: OriginPolicy = allowed.parse()?;

    let tokens = StaticTokens::new([(token.clone(), "demo-user".to_owned())])?;
    let mut builder = HandshakeGuard::builder(policy)
        .subprotocols([TRANSPORT_WS, LEGACY_WS])
        .authenticate_token(source.clone(), move |presented| tokens.verify(presented))
        // `Display` escapes what the client sent and never holds the token.
        .observe(|decision| eprintln!("handshake: {decision}"));
    if env::var_os("REPORT_ONLY").is_some() {
        builder = builder.report_only();
    }
    let guard = Arc::new(builder.build()?);

    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    eprintln!("listening on ws://{addr}/graphql");
    eprintln!("allowed origins: {}; token in the {source}", guard.policy());
    let server = tokio::spawn(accept_loop(listener, Arc::clone(&guard)));
    if self_test {
        let passed = run_self_test(addr, &token, &source).await;
        server.abort();
        return if passed {
            Ok(())
        } else {
            Err("self-test failed".into())
        };
    }
    server.await?;
    Ok(())
}

async fn accept_loop(listener: TcpListener, guard: Arc<Guard>) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                tokio::spawn(serve(Arc::clone(&guard), stream, peer));
            }
            Err(e) => eprintln!("accept failed: {e}"),
        }
    }
}

/// Serves one connection: the guarded handshake, then the GraphQL stub until the client
/// closes. `next` answers a client's close frame and then ends the stream, so looping until
/// it returns `None` completes the close handshake.
pub async fn serve(guard: Arc<Guard>, stream: TcpStream, peer: SocketAddr) {
    // The callback fills `outcome`; it is readable once the handshake future has finished.
    let mut outcome = None;
    let result = tokio_tungstenite::accept_hdr_async(stream, guard.callback(&mut outcome)).await;
    let mut socket = match result {
        Ok(socket) => socket,
        Err(e) => {
            // Refused by the guard (already answered 403/400/401 and printed by the
            // observer), or not a WebSocket handshake at all (tungstenite sends nothing).
            eprintln!("{peer}: no socket: {e}");
            return;
        }
    };
    let Some(outcome) = outcome else { return };
    // In report-only mode a handshake can pass without an identity or a protocol.
    let user = outcome.identity.unwrap_or_else(|| "anonymous".into());
    let legacy = outcome.decision.subprotocol() == Some(LEGACY_WS);
    while let Some(Ok(message)) = socket.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        let Ok(message) = serde_json::from_str::<Value>(&text) else {
            // graphql-transport-ws closes with 4400 on a message it cannot parse.
            let frame = CloseFrame {
                code: CloseCode::from(4400),
                reason: "invalid message".into(),
            };
            let _ = socket.close(Some(frame)).await;
            return;
        };
        for reply in answer(&message, &user, legacy) {
            if socket.send(Message::text(reply.to_string())).await.is_err() {
                return;
            }
        }
    }
}

/// The replies to one client message, in the negotiated protocol.
fn answer(message: &Value, user: &str, legacy: bool) -> Vec<Value> {
    let id = message.get("id").cloned().unwrap_or(Value::Null);
    let data = json!({ "data": { "viewer": user } });
    match (message.get("type").and_then(Value::as_str), legacy) {
        (Some("connection_init"), _) => vec![json!({ "type": "connection_ack" })],
        (Some("ping"), false) => vec![json!({ "type": "pong" })],
        (Some("subscribe"), false) => vec![
            json!({ "id": id, "type": "next", "payload": data }),
            json!({ "id": id, "type": "complete" }),
        ],
        (Some("start"), true) => vec![
            json!({ "id": id, "type": "data", "payload": data }),
            json!({ "id": id, "type": "complete" }),
        ],
        _ => Vec::new(),
    }
}

/// Connects to the server with good and bad handshakes and checks each answer.
async fn run_self_test(addr: SocketAddr, token: &str, source: &TokenSource) -> bool {
    let url = format!("ws://{addr}/graphql");
    let origin = "http://localhost:8080";
    let mut passed = true;
    let cases: [(&str, &str, &str, &str, u16); 4] = [
        (
            "allowed, current protocol",
            origin,
            "graphql-transport-ws, graphql-ws",
            token,
            101,
        ),
        (
            "another site",
            "https://evil.example",
            TRANSPORT_WS,
            token,
            403,
        ),
        ("unknown protocol", origin, "mqtt", token, 400),
        ("wrong token", origin, LEGACY_WS, "not-the-token", 401),
    ];
    for (name, origin, protocols, token, expected) in cases {
        let (status, reply) = try_handshake(&url, origin, protocols, token, source).await;
        let ok = status == expected;
        passed &= ok;
        println!(
            "{} {name}: {status} (expected {expected}){reply}",
            if ok { "ok  " } else { "FAIL" }
        );
    }
    passed
}

async fn try_handshake(
    url: &str,
    origin: &str,
    protocols: &str,
    token: &str,
    source: &TokenSource,
) -> (u16, String) {
    let mut url = url.to_owned();
    let mut protocols = protocols.to_owned();
    let mut request_headers = vec![("origin", origin.to_owned())];
    if source.subprotocol_prefix().is_some() {
        let encoded = data_encoding::BASE64URL_NOPAD.encode(token.as_bytes());
        protocols = format!("{protocols}, {KUBERNETES_SUBPROTOCOL_PREFIX}{encoded}");
    } else if source == &TokenSource::query("token") {
        url = format!("{url}?token={token}");
    } else {
        request_headers.push(("authorization", format!("Bearer {token}")));
    }
    request_headers.push(("sec-websocket-protocol", protocols));
    let mut request = url.into_client_request().expect("valid URL");
    for (name, value) in request_headers {
        request
            .headers_mut()
            .insert(name, value.parse().expect("valid header value"));
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((mut socket, response)) => {
            let protocol = response
                .headers()
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let _ = socket
                .send(Message::text(r#"{"type":"connection_init"}"#))
                .await;
            let _ = socket
                .send(Message::text(
                    r#"{"id":"1","type":"subscribe","payload":{"query":"{ viewer }"}}"#,
                ))
                .await;
            let mut replies = Vec::new();
            while replies.len() < 3 {
                match socket.next().await {
                    Some(Ok(Message::Text(text))) => replies.push(text.to_string()),
                    _ => break,
                }
            }
            let _ = socket.close(None).await;
            (
                101,
                format!(", protocol {protocol}, replies {}", replies.join(" ")),
            )
        }
        Err(tungstenite::Error::Http(response)) => {
            let body = response
                .body()
                .as_deref()
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            (
                response.status().as_u16(),
                format!(", body {:?}", body.trim_end()),
            )
        }
        Err(e) => (0, format!(", error {e}")),
    }
}
