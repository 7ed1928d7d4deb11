//! origin-policy as a poem endpoint wrapper: `.around(guarded)` runs the `HandshakeGuard`
//! before the endpoint, answers a refused handshake itself (`403`, `426`, `400`) and names
//! the guard's subprotocol in the endpoint's `101`.
//!
//! `docs/RECIPES.md` in the repository explains each line.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use origin_policy::{HandshakeGuard, OriginPolicy, RawHead};
use poem::http::StatusCode;
use poem::web::websocket::{Message, WebSocket};
use poem::web::Data;
use poem::{get, handler, Endpoint, EndpointExt, IntoResponse, Request, Response, Route};

/// Runs `guard` on `request`: the guard's response when it refuses the handshake, otherwise
/// the endpoint's, with the guard's subprotocol.
// recipe: glue
pub async fn guarded<E: Endpoint>(
    guard: HandshakeGuard,
    endpoint: Arc<E>,
    request: Request,
) -> poem::Result<Response> {
    let fields = request
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().as_bytes(), value.as_bytes()));
    let target = request
        .uri()
        .path_and_query()
        .map_or("/", |target| target.as_str());
    let Ok(head) = RawHead::from_fields(
        request.method().as_str().as_bytes(),
        target.as_bytes(),
        fields,
    ) else {
        return Ok(StatusCode::BAD_REQUEST.into());
    };
    let decision = guard.evaluate(&head).decision;
    if let Some(rejection) = decision.rejection::<poem::Body>() {
        let (parts, body) = rejection.into_parts();
        let mut response = Response::builder().status(parts.status).body(body);
        response.headers_mut().extend(parts.headers);
        return Ok(response);
    }
    let mut response = endpoint.call(request).await?.into_response();
    decision.add_response_headers(response.headers_mut());
    Ok(response)
}
// recipe: end

/// The app: `GET /ws`, an echo WebSocket guarded by `policy` with the subprotocol `echo`.
/// `sessions` counts the sockets that reached the echo loop.
pub fn app(
    policy: OriginPolicy,
    sessions: Arc<AtomicUsize>,
) -> Result<impl Endpoint, origin_policy::ConfigError> {
    // recipe: glue
    let guard = HandshakeGuard::builder(policy)
        .subprotocols(["echo"])
        .build()?;
    // recipe: end
    let ws = get(echo)
        .data(sessions)
        // recipe: glue
        .around(move |endpoint, request| guarded(guard.clone(), endpoint, request));
    // recipe: end
    Ok(Route::new().at("/ws", ws))
}

#[handler]
fn echo(ws: WebSocket, sessions: Data<&Arc<AtomicUsize>>) -> impl IntoResponse {
    let sessions = Arc::clone(&sessions);
    ws.on_upgrade(move |socket| async move {
        sessions.fetch_add(1, Ordering::SeqCst);
        let (mut write, mut read) = socket.split();
        while let Some(Ok(message)) = read.next().await {
            if matches!(message, Message::Text(_) | Message::Binary(_))
                && write.send(message).await.is_err()
            {
                break;
            }
        }
    })
}
