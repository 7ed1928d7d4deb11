//! origin-policy as a salvo hoop: `Guarded` runs the `HandshakeGuard` before the handler,
//! answers a refused handshake itself (`403`, `426`, `400`) and names the guard's
//! subprotocol in the handler's `101`.
//!
//! salvo's own `WebSocketUpgrade::allowed_origins` and `check_origin` see only the first
//! `Origin` line and compare strings: a second line, or `HTTPS://App.Example.com:443`, is
//! judged wrongly. The hoop replaces them.
//!
//! `docs/RECIPES.md` in the repository explains each line.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use origin_policy::{HandshakeGuard, OriginPolicy, RawHead};
use salvo::http::StatusCode;
use salvo::prelude::*;
use salvo::websocket::WebSocketUpgrade;

/// The hoop: refuses what `HandshakeGuard` refuses, before the handler runs.
// recipe: glue
#[derive(Debug, Clone)]
pub struct Guarded(pub HandshakeGuard);

#[handler]
impl Guarded {
    async fn handle(
        &self,
        req: &mut Request,
        depot: &mut Depot,
        res: &mut Response,
        ctrl: &mut FlowCtrl,
    ) {
        let fields = req
            .headers()
            .iter()
            .map(|(name, value)| (name.as_str().as_bytes(), value.as_bytes()));
        let target = req
            .uri()
            .path_and_query()
            .map_or("/", |target| target.as_str());
        let Ok(head) =
            RawHead::from_fields(req.method().as_str().as_bytes(), target.as_bytes(), fields)
        else {
            res.status_code(StatusCode::BAD_REQUEST);
            return ctrl.skip_rest();
        };
        let decision = self.0.evaluate(&head).decision;
        if let Some(rejection) = decision.rejection::<String>() {
            let (parts, body) = rejection.into_parts();
            res.status_code(parts.status).body(body);
            res.headers_mut().extend(parts.headers);
            return ctrl.skip_rest();
        }
        ctrl.call_next(req, depot, res).await;
        decision.add_response_headers(res.headers_mut());
    }
}
// recipe: end

/// The echo handler; counts the sockets that reached the echo loop.
#[derive(Debug, Clone)]
struct Echo(Arc<AtomicUsize>);

#[handler]
impl Echo {
    async fn handle(&self, req: &mut Request, res: &mut Response) -> Result<(), StatusError> {
        let sessions = self.0.clone();
        WebSocketUpgrade::new()
            .upgrade(req, res, |mut socket| async move {
                sessions.fetch_add(1, Ordering::SeqCst);
                while let Some(Ok(message)) = socket.recv().await {
                    if (message.is_text() || message.is_binary())
                        && socket.send(message).await.is_err()
                    {
                        break;
                    }
                }
            })
            .await
    }
}

/// The app: `GET /ws`, an echo WebSocket guarded by `policy` with the subprotocol `echo`.
/// `sessions` counts the sockets that reached the echo loop.
pub fn app(
    policy: OriginPolicy,
    sessions: Arc<AtomicUsize>,
) -> Result<Router, origin_policy::ConfigError> {
    // recipe: glue
    let guard = HandshakeGuard::builder(policy)
        .subprotocols(["echo"])
        .build()?;
    // recipe: end
    Ok(Router::with_path("ws")
        .hoop(Guarded(guard))
        .get(Echo(sessions)))
}
