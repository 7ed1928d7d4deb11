//! origin-policy as a rocket 0.5 request guard with rocket_ws: `Guarded` runs the
//! `HandshakeGuard` before the handler (a refused handshake ends in rocket's catcher for
//! the guard's status: `403`, `426`, `400`), and `WithSubprotocol` names the guard's
//! subprotocol in rocket_ws's `101`.
//!
//! `docs/RECIPES.md` in the repository explains each line.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use origin_policy::{GuardDecision, HandshakeGuard, OriginPolicy, RawHead};
use rocket::futures::{SinkExt, StreamExt};
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::response::{self, Responder};
use rocket::{get, routes, Build, Rocket, State};

/// The request guard: succeeds with the guard's decision, fails with the guard's status.
// recipe: glue
#[derive(Debug)]
pub struct Guarded(pub GuardDecision);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Guarded {
    type Error = GuardDecision;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let Some(guard) = request.rocket().state::<HandshakeGuard>() else {
            return Outcome::Forward(Status::InternalServerError); // `app` manages it
        };
        let fields: Vec<_> = request.headers().iter().collect();
        let fields = fields
            .iter()
            .map(|field| (field.name().as_str().as_bytes(), field.value().as_bytes()));
        let target = request.uri().to_string();
        let Ok(head) = RawHead::from_fields(
            request.method().as_str().as_bytes(),
            target.as_bytes(),
            fields,
        ) else {
            return Outcome::Forward(Status::BadRequest);
        };
        let decision = guard.evaluate(&head).decision;
        match decision.is_allowed() {
            true => Outcome::Success(Guarded(decision)),
            false => Outcome::Error((Status::new(decision.status().as_u16()), decision)),
        }
    }
}
// recipe: end

/// A responder that adds the guard's `Sec-WebSocket-Protocol` to `R`'s response.
// recipe: glue
#[derive(Debug)]
pub struct WithSubprotocol<R>(pub R, pub GuardDecision);

impl<'r, 'o: 'r, R: Responder<'r, 'o>> Responder<'r, 'o> for WithSubprotocol<R> {
    fn respond_to(self, request: &'r Request<'_>) -> response::Result<'o> {
        let mut response = self.0.respond_to(request)?;
        if let Some(protocol) = self.1.subprotocol() {
            response.set_raw_header("Sec-WebSocket-Protocol", protocol.to_owned());
        }
        Ok(response)
    }
}
// recipe: end

/// Counts the sockets that reached the echo loop.
#[derive(Debug, Default)]
pub struct Sessions(pub Arc<AtomicUsize>);

#[get("/ws")]
fn echo(
    guarded: Guarded,
    ws: rocket_ws::WebSocket,
    sessions: &State<Sessions>,
) -> WithSubprotocol<rocket_ws::Channel<'static>> {
    let sessions = sessions.0.clone();
    let channel = ws.channel(move |mut socket| {
        Box::pin(async move {
            sessions.fetch_add(1, Ordering::SeqCst);
            while let Some(Ok(message)) = socket.next().await {
                if (message.is_text() || message.is_binary()) && socket.send(message).await.is_err()
                {
                    break;
                }
            }
            Ok(())
        })
    });
    WithSubprotocol(channel, guarded.0)
}

/// The app: `GET /ws`, an echo WebSocket guarded by `policy` with the subprotocol `echo`,
/// configured as `rocket::build()` is (`Rocket.toml`, `ROCKET_*`).
pub fn app(
    policy: OriginPolicy,
    sessions: Arc<AtomicUsize>,
) -> Result<Rocket<Build>, origin_policy::ConfigError> {
    // recipe: glue
    let guard = HandshakeGuard::builder(policy)
        .subprotocols(["echo"])
        .build()?;
    // recipe: end
    Ok(rocket::build()
        .manage(guard)
        .manage(Sessions(sessions))
        .mount("/", routes![echo]))
}
