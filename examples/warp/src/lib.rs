//! origin-policy as a warp 0.4 filter: `guarded(guard)` runs the `HandshakeGuard` on the
//! request's headers and rejects a refused handshake, `recover(refused)` turns that
//! rejection into the guard's response (`403`, `426`, `400`), and the `101` names the guard's
//! subprotocol.
//!
//! `docs/RECIPES.md` in the repository explains each line.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use origin_policy::{GuardDecision, HandshakeGuard, OriginPolicy};
use warp::http::{HeaderMap, Request};
use warp::reply::Reply;
use warp::{Filter, Rejection};

/// The rejection of a refused handshake: the guard's decision, answered by [`refused`].
// recipe: glue
#[derive(Debug)]
pub struct Refused(pub GuardDecision);
impl warp::reject::Reject for Refused {}
// recipe: end

/// Runs `guard` on the request: extracts its decision when the handshake may go on, rejects
/// with [`Refused`] otherwise. It sees the headers only (no query: a
/// `TokenSource::query` guard needs `warp::query::raw()` too).
// recipe: glue
pub fn guarded(
    guard: HandshakeGuard,
) -> impl Filter<Extract = (GuardDecision,), Error = Rejection> + Clone {
    warp::header::headers_cloned().and_then(move |headers: HeaderMap| {
        let mut head = Request::new(());
        *head.headers_mut() = headers;
        let decision = guard.evaluate(&head).decision;
        async move {
            if decision.is_allowed() {
                Ok(decision)
            } else {
                Err(warp::reject::custom(Refused(decision)))
            }
        }
    })
}
// recipe: end

/// Answers a [`Refused`] rejection with the guard's response; passes other rejections on.
// recipe: glue
pub async fn refused(rejection: Rejection) -> Result<warp::reply::Response, Rejection> {
    match rejection
        .find::<Refused>()
        .and_then(|Refused(decision)| decision.rejection::<String>())
    {
        Some(response) => Ok(response.into_response()),
        None => Err(rejection),
    }
}
// recipe: end

/// The app: `GET /ws`, an echo WebSocket guarded by `policy` with the subprotocol `echo`.
/// `sessions` counts the sockets that reached the echo loop.
pub fn app(
    policy: OriginPolicy,
    sessions: Arc<AtomicUsize>,
) -> Result<
    impl Filter<Extract = (impl Reply,), Error = Rejection> + Clone,
    origin_policy::ConfigError,
> {
    // recipe: glue
    let guard = HandshakeGuard::builder(policy)
        .subprotocols(["echo"])
        .build()?;
    // recipe: end
    let ws = warp::path("ws").and(guarded(guard)).and(warp::ws()).map(
        move |decision: GuardDecision, ws: warp::ws::Ws| {
            let sessions = sessions.clone();
            let mut response = ws
                .on_upgrade(move |socket| echo(socket, sessions))
                .into_response();
            // recipe: glue
            decision.add_response_headers(response.headers_mut());
            // recipe: end
            response
        },
    );
    // Other rejections (not found, not an upgrade) go on to warp's own answers.
    // recipe: glue
    let app = ws.recover(refused);
    // recipe: end
    Ok(app)
}

async fn echo(socket: warp::ws::WebSocket, sessions: Arc<AtomicUsize>) {
    sessions.fetch_add(1, Ordering::SeqCst);
    let (mut write, mut read) = socket.split();
    while let Some(Ok(message)) = read.next().await {
        if (message.is_text() || message.is_binary()) && write.send(message).await.is_err() {
            break;
        }
    }
}
