//! [`tungstenite`]'s server handshake: `&OriginPolicy` is an `accept_hdr` callback.
//!
//! ```no_run
//! use std::net::TcpListener;
//! use origin_policy::OriginPolicy;
//!
//! let policy: OriginPolicy = "https://app.example.com".parse()?;
//! let listener = TcpListener::bind("127.0.0.1:9001")?;
//! for stream in listener.incoming() {
//!     // A denied handshake is answered `403 Forbidden` and returns an error here.
//!     let Ok(mut socket) = tungstenite::accept_hdr(stream?, &policy) else { continue };
//!     let message = socket.read()?;
//!     socket.send(message)?;
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The same callback works with `tokio_tungstenite::accept_hdr_async(stream, &policy)`. To log
//! or count decisions, roll a policy out in report-only mode or reload it, use a
//! [`HandshakeGuard`](crate::HandshakeGuard) (`&guard` and `guard.callback(&mut slot)` are
//! callbacks too).

use tungstenite::handshake::server::{Callback, ErrorResponse, Request, Response};

use crate::{Decision, OriginPolicy};

impl Callback for &OriginPolicy {
    fn on_request(self, request: &Request, response: Response) -> Result<Response, ErrorResponse> {
        respond(&self.check(request), response)
    }
}

#[cfg(feature = "reload")]
impl Callback for &crate::SharedPolicy {
    fn on_request(self, request: &Request, response: Response) -> Result<Response, ErrorResponse> {
        respond(&self.check(request), response)
    }
}

/// Turns a decision into what a tungstenite callback returns: the handshake response when
/// allowed, the `403` rejection otherwise.
// The signature is tungstenite's `Callback::on_request`; its error type is not ours to box.
#[allow(clippy::result_large_err)]
pub fn respond(decision: &Decision, response: Response) -> Result<Response, ErrorResponse> {
    match decision.rejection::<&'static str>() {
        None => Ok(response),
        Some(rejection) => Err(rejection.map(|body| Some(body.to_owned()))),
    }
}

/// A tungstenite callback that checks the origin and hands the [`Decision`] to a closure
/// first; made by [`OriginPolicy::callback_with`].
#[derive(Debug)]
pub struct ObservedCallback<'p, F> {
    policy: &'p OriginPolicy,
    observe: F,
}

impl OriginPolicy {
    /// A tungstenite `accept_hdr` callback that calls `observe` with the decision before
    /// answering, for logging or metrics.
    ///
    /// ```no_run
    /// # use origin_policy::OriginPolicy;
    /// # fn demo(policy: &OriginPolicy, stream: std::net::TcpStream) {
    /// let result = tungstenite::accept_hdr(stream, policy.callback_with(|decision| {
    ///     eprintln!("{decision}"); // escaped: safe for logs
    /// }));
    /// # }
    /// ```
    #[deprecated(
        since = "0.2.0",
        note = "use a `HandshakeGuard` with `observe`, or `guard.callback(&mut slot)` to get the decision back"
    )]
    pub fn callback_with<F: FnOnce(&Decision)>(&self, observe: F) -> ObservedCallback<'_, F> {
        ObservedCallback {
            policy: self,
            observe,
        }
    }
}

impl<F: FnOnce(&Decision)> Callback for ObservedCallback<'_, F> {
    fn on_request(self, request: &Request, response: Response) -> Result<Response, ErrorResponse> {
        let decision = self.policy.check(request);
        (self.observe)(&decision);
        respond(&decision, response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(origin: Option<&str>) -> Request {
        let mut builder = Request::get("/ws");
        if let Some(origin) = origin {
            builder = builder.header("origin", origin);
        }
        builder.body(()).unwrap()
    }

    #[test]
    #[allow(deprecated)]
    fn callback_answers_like_check() {
        let policy: OriginPolicy = "https://app.example.com".parse().unwrap();
        let ok = (&policy).on_request(&request(Some("https://app.example.com")), Response::new(()));
        assert!(ok.is_ok());
        let denied = (&policy)
            .on_request(&request(Some("https://evil.example")), Response::new(()))
            .unwrap_err();
        assert_eq!(denied.status(), 403);
        assert_eq!(
            denied.body().as_deref(),
            Some("forbidden: the origin is not allowed\n")
        );
        assert_eq!(denied.headers()["content-length"], "37");

        let mut seen = None;
        let result = policy
            .callback_with(|d| seen = Some(d.clone()))
            .on_request(&request(None), Response::new(()));
        assert!(result.is_err());
        assert_eq!(
            seen.unwrap().deny_reason(),
            Some(crate::DenyReason::Missing)
        );
    }
}
