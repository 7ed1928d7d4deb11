//! origin-policy in front of a fastwebsockets upgrade over hyper 1: the guard decides before
//! `fastwebsockets::upgrade::upgrade`, and names its subprotocol in the `101` that
//! fastwebsockets builds.
//!
//! `docs/RECIPES.md` in the repository explains each line.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use fastwebsockets::{FragmentCollector, OpCode};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use origin_policy::{HandshakeGuard, OriginPolicy};
use tokio::net::TcpListener;

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
    if !fastwebsockets::upgrade::is_upgrade_request(&request) {
        let mut response = Response::new(Full::from("expected a WebSocket upgrade\n"));
        *response.status_mut() = StatusCode::BAD_REQUEST;
        return Ok(response);
    }
    let (response, upgraded) = match fastwebsockets::upgrade::upgrade(&mut request) {
        Ok(upgrade) => upgrade,
        Err(_) => {
            let mut response = Response::new(Full::from("bad WebSocket handshake\n"));
            *response.status_mut() = StatusCode::BAD_REQUEST;
            return Ok(response);
        }
    };
    let mut response = response.map(|_| Full::default());
    // recipe: glue
    outcome
        .decision
        .add_response_headers(response.headers_mut());
    // recipe: end

    tokio::spawn(async move {
        let Ok(socket) = upgraded.await else { return };
        sessions.fetch_add(1, Ordering::SeqCst);
        // Answers pings and the close handshake itself; echoes whole messages.
        let mut socket = FragmentCollector::new(socket);
        while let Ok(frame) = socket.read_frame().await {
            let closed = matches!(frame.opcode, OpCode::Close);
            let echo = matches!(frame.opcode, OpCode::Text | OpCode::Binary);
            if closed || (echo && socket.write_frame(frame).await.is_err()) {
                break;
            }
        }
    });
    Ok(response)
}
