//! [`tungstenite`]'s server handshake: a [`HandshakeGuard`] as the `accept_hdr` callback.
//!
//! Thin glue: the guard decides ([`HandshakeGuard::evaluate`]); this module only turns the
//! decision into what tungstenite's callback returns and hands the outcome back.
//!
//! # Getting the outcome back
//!
//! tungstenite's [`Callback`](tungstenite::handshake::server::Callback) is consumed by the handshake and can only return the response,
//! so [`HandshakeGuard::callback`] borrows a slot, an `Option<GuardOutcome<I>>`, that the
//! callback fills. The borrow ends when `accept_hdr` (or `accept_hdr_async(..).await`)
//! returns, so the slot is readable right after, with no globals, channels or locks:
//!
//! ```no_run
//! use std::net::TcpListener;
//! use origin_policy::guard::{auth::TokenSource, HandshakeGuard};
//!
//! let guard = HandshakeGuard::builder("https://app.example.com".parse()?)
//!     .subprotocols(["graphql-transport-ws", "graphql-ws"])
//!     .authenticate_token(TokenSource::cookie("session"), |session| Ok(session.to_owned()))
//!     .build()?;
//! let listener = TcpListener::bind("127.0.0.1:9001")?;
//! for stream in listener.incoming() {
//!     let mut outcome = None;
//!     let Ok(mut socket) = tungstenite::accept_hdr(stream?, guard.callback(&mut outcome)) else {
//!         continue; // refused with 403, 400 or 401, and reported to the observer
//!     };
//!     let outcome = outcome.expect("an accepted handshake went through the guard");
//!     let user = outcome.identity.expect("authentication passed");
//!     socket.send(format!("hello {user}").into())?;
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! With tokio-tungstenite, in each connection task:
//! `let socket = tokio_tungstenite::accept_hdr_async(stream, guard.callback(&mut outcome)).await?;`
//! with the guard in an `Arc` shared by the tasks. When the outcome is not needed, `&guard`
//! itself is a callback.
//!
//! # What tungstenite checks before the guard runs
//!
//! tungstenite validates the request's shape before it calls any callback: a method other
//! than `GET`, a missing `Connection: Upgrade` or `Upgrade: websocket`, a
//! `Sec-WebSocket-Version` other than `13` and a bad `Sec-WebSocket-Key` make `accept_hdr`
//! fail with [`tungstenite::Error::Protocol`] **without writing any response**: the client
//! sees the connection close. The guard never sees those requests, so the slot stays `None`,
//! the observer is not called, and no `426` is sent on this path. (The guard's own version
//! check, with its `426 Upgrade Required` and `Sec-WebSocket-Version: 13`, serves
//! frameworks that call [`HandshakeGuard::evaluate`] directly.)

use http::{Request, Response};

use super::{GuardOutcome, HandshakeGuard};

/// A tungstenite `accept_hdr` callback that runs the guard and leaves the
/// [`GuardOutcome`] in a slot; made by [`HandshakeGuard::callback`].
#[derive(Debug)]
pub struct GuardCallback<'a, I> {
    guard: &'a HandshakeGuard<I>,
    slot: &'a mut Option<GuardOutcome<I>>,
}

impl<I> HandshakeGuard<I> {
    /// A tungstenite `accept_hdr` callback that stores the [`GuardOutcome`] (decision and
    /// identity) in `slot`, allowed or denied.
    ///
    /// After `accept_hdr` returns, `slot` is `Some` whenever the guard ran: always when the
    /// handshake succeeded, and when the guard refused it. It stays `None` when tungstenite
    /// refused the request before calling the guard (see the [module docs](self)).
    ///
    /// ```no_run
    /// # fn demo(guard: &origin_policy::guard::HandshakeGuard<String>, stream: std::net::TcpStream) {
    /// let mut outcome = None;
    /// let result = tungstenite::accept_hdr(stream, guard.callback(&mut outcome));
    /// if let Some(outcome) = &outcome {
    ///     eprintln!("{}", outcome.decision); // escaped: safe to log
    /// }
    /// # }
    /// ```
    pub fn callback<'a>(&'a self, slot: &'a mut Option<GuardOutcome<I>>) -> GuardCallback<'a, I> {
        GuardCallback { guard: self, slot }
    }
}

/// What a tungstenite callback returns on refusal, the same type in every supported version.
type ErrorResponse = Response<Option<String>>;

/// The `Callback` impls for one tungstenite version (`$tungstenite` is the crate's name in
/// this crate's dependencies): only the trait differs between versions.
macro_rules! guard_callbacks {
    ($tungstenite:ident) => {
        impl<I> $tungstenite::handshake::server::Callback for GuardCallback<'_, I> {
            fn on_request(
                self,
                request: &Request<()>,
                response: Response<()>,
            ) -> Result<Response<()>, ErrorResponse> {
                let outcome = self.guard.evaluate(request);
                let result = respond(&outcome, response);
                *self.slot = Some(outcome);
                result
            }
        }

        /// `&guard` as a callback, for when the outcome is not needed (the observer still
        /// sees it).
        impl<I> $tungstenite::handshake::server::Callback for &HandshakeGuard<I> {
            fn on_request(
                self,
                request: &Request<()>,
                response: Response<()>,
            ) -> Result<Response<()>, ErrorResponse> {
                respond(&self.evaluate(request), response)
            }
        }
    };
}

#[cfg(feature = "tungstenite")]
guard_callbacks!(tungstenite);
#[cfg(feature = "tungstenite029")]
guard_callbacks!(tungstenite029);

// The signature is tungstenite's `Callback::on_request`; its error type is not ours to box.
#[allow(clippy::result_large_err)]
fn respond<I>(
    outcome: &GuardOutcome<I>,
    mut response: Response<()>,
) -> Result<Response<()>, ErrorResponse> {
    match outcome.decision.rejection::<&'static str>() {
        Some(rejection) => Err(rejection.map(|body| Some(body.to_owned()))),
        None => {
            outcome
                .decision
                .add_response_headers(response.headers_mut());
            Ok(response)
        }
    }
}
