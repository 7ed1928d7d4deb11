//! origin-policy in front of a hyper 1 raw upgrade: the guard decides before
//! `hyper::upgrade::on`, names its subprotocol in the `101`, and tokio-tungstenite takes the
//! upgraded connection with `WebSocketStream::from_raw_socket` (no second handshake).
//!
//! `docs/RECIPES.md` in the repository explains each line.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, UPGRADE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use origin_policy::{HandshakeGuard, OriginPolicy};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;

/// Serves the echo endpoint on every path of `listener`, guarded by `policy` with the
/// subprotocol `echo`. `sessions` counts the sockets that reached the echo loop.
pub async fn serve(
    listener: TcpListener,
    policy: OriginPolicy,
    sessions: Arc<AtomicUsize>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // recipe: glue
    let guard = HandshakeGuard::builder(policy)
        .subprotocols(["echo"])
        .build()?;
    // recipe: end
    loop {
        let (stream, _) = listener.accept().await?;
        let (guard, sessions) = (guard.clone(), sessions.clone());
        let service = service_fn(move |request| upgrade(request, guard.clone(), sessions.clone()));
        tokio::spawn(async move {
            let connection = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            // A client that goes away mid-request is not the server's error.
            let _ = connection.with_upgrades().await;
        });
    }
}

async fn upgrade(
    mut request: Request<Incoming>,
    guard: HandshakeGuard,
    sessions: Arc<AtomicUsize>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    // The guard first: version (426), origin (403), subprotocol (400).
    // recipe: glue
    let outcome = guard.evaluate(&request);
    if let Some(rejection) = outcome.decision.rejection::<String>() {
        return Ok(rejection.map(Full::from));
    }
    // recipe: end
    // What the guard leaves to the transport: is this an upgrade at all?
    let is_websocket = request
        .headers()
        .get(UPGRADE)
        .is_some_and(|upgrade| upgrade.as_bytes().eq_ignore_ascii_case(b"websocket"));
    let Some(key) = request
        .headers()
        .get(SEC_WEBSOCKET_KEY)
        .filter(|_| is_websocket)
    else {
        let mut response = Response::new(Full::from("expected a WebSocket upgrade\n"));
        *response.status_mut() = StatusCode::BAD_REQUEST;
        return Ok(response);
    };
    let mut response = Response::new(Full::default());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(CONNECTION, "upgrade".parse().unwrap());
    headers.insert(UPGRADE, "websocket".parse().unwrap());
    headers.insert(
        SEC_WEBSOCKET_ACCEPT,
        derive_accept_key(key.as_bytes()).parse().unwrap(),
    );
    // recipe: glue
    outcome.decision.add_response_headers(headers);
    // recipe: end

    let upgraded = hyper::upgrade::on(&mut request);
    tokio::spawn(async move {
        let Ok(upgraded) = upgraded.await else { return };
        let socket =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        sessions.fetch_add(1, Ordering::SeqCst);
        let (mut write, mut read) = socket.split();
        while let Some(Ok(message)) = read.next().await {
            if (message.is_text() || message.is_binary()) && write.send(message).await.is_err() {
                break;
            }
        }
    });
    Ok(response)
}
