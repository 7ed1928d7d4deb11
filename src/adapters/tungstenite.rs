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
//!
//! # tungstenite versions
//!
//! Each supported tungstenite version has its own feature, because each version's
//! `Callback` is a different trait: `tungstenite` for 0.30 (the default) and `tungstenite029`
//! for 0.29 (tokio-tungstenite 0.29, the version axum 0.8 depends on). Both can be on at
//! once, and the same values are callbacks for both: `&OriginPolicy`, `&SharedPolicy`,
//! `&HandshakeGuard` and `guard.callback(&mut slot)`. Nothing else differs: both versions'
//! requests and responses are `http` 1 types, so [`respond`] serves them all.
//!
//! ```toml
//! origin-policy = { version = "0.1", default-features = false, features = ["tungstenite029"] }
//! ```

use http::{Request, Response};

use crate::{Decision, OriginPolicy};

/// What a tungstenite callback returns on refusal: `http::Response<Option<String>>`, the
/// same type in every supported tungstenite version.
type ErrorResponse = Response<Option<String>>;

/// The `Callback` impls for one tungstenite version (`$tungstenite` is the crate's name in
/// this crate's dependencies). Every supported version's request and response are `http` 1
/// types, so only the trait differs: the bodies are the same code.
macro_rules! policy_callbacks {
    ($tungstenite:ident) => {
        impl $tungstenite::handshake::server::Callback for &OriginPolicy {
            fn on_request(
                self,
                request: &Request<()>,
                response: Response<()>,
            ) -> Result<Response<()>, ErrorResponse> {
                respond(&self.check(request), response)
            }
        }

        #[cfg(feature = "reload")]
        impl $tungstenite::handshake::server::Callback for &crate::SharedPolicy {
            fn on_request(
                self,
                request: &Request<()>,
                response: Response<()>,
            ) -> Result<Response<()>, ErrorResponse> {
                respond(&self.check(request), response)
            }
        }

        impl<F: FnOnce(&Decision)> $tungstenite::handshake::server::Callback
            for ObservedCallback<'_, F>
        {
            fn on_request(
                self,
                request: &Request<()>,
                response: Response<()>,
            ) -> Result<Response<()>, ErrorResponse> {
                let decision = self.policy.check(request);
                (self.observe)(&decision);
                respond(&decision, response)
            }
        }
    };
}

#[cfg(feature = "tungstenite")]
policy_callbacks!(tungstenite);
#[cfg(feature = "tungstenite029")]
policy_callbacks!(tungstenite029);

/// Turns a decision into what a tungstenite callback returns: the handshake response when
/// allowed, the `403` rejection otherwise.
// The signature is tungstenite's `Callback::on_request`; its error type is not ours to box.
#[allow(clippy::result_large_err)]
pub fn respond(decision: &Decision, response: Response<()>) -> Result<Response<()>, ErrorResponse> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn request(origin: Option<&str>) -> Request<()> {
        let mut builder = Request::get("/ws");
        if let Some(origin) = origin {
            builder = builder.header("origin", origin);
        }
        builder.body(()).unwrap()
    }

    /// The same answers from every supported version's `Callback`.
    macro_rules! callback_answers_like_check {
        ($name:ident, $tungstenite:ident) => {
            #[test]
            #[allow(deprecated)]
            fn $name() {
                use $tungstenite::handshake::server::Callback;
                let policy: OriginPolicy = "https://app.example.com".parse().unwrap();
                let ok = (&policy)
                    .on_request(&request(Some("https://app.example.com")), Response::new(()));
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
        };
    }

    #[cfg(feature = "tungstenite")]
    callback_answers_like_check!(callback_answers_like_check, tungstenite);
    #[cfg(feature = "tungstenite029")]
    callback_answers_like_check!(callback_answers_like_check_029, tungstenite029);
}
