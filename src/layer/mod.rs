//! [`OriginLayer`]: one tower layer that applies one [`OriginPolicy`] to every request of an
//! axum 0.8 or hyper 1 service: WebSocket upgrades, CORS, and (optionally) cross-origin
//! writes.
//!
//! The usual production failure is CORS middleware on the HTTP routes and nothing on the
//! WebSocket route, whose handshakes browsers send from any site with the user's cookies
//! (CORS does not apply to WebSockets). The layer closes that gap with one allowlist:
//!
//! | request | what the layer does |
//! |---|---|
//! | WebSocket upgrade (`Upgrade: websocket`, or `CONNECT` as in RFC 8441) | origin denied: `403` ([`Decision::rejection`]) before the handler runs; allowed: the handler runs, untouched |
//! | CORS preflight (`OPTIONS` + `Origin` + `Access-Control-Request-Method`) | answered by the layer: `204` or `403` ([`Cors::preflight`]); the handler never runs |
//! | with [`block_cross_origin_writes`](OriginLayer::block_cross_origin_writes): a state-changing request (`POST`, `PUT`, `PATCH`, `DELETE`, ...) that is cross-origin and whose origin is denied | `403` before the handler runs |
//! | anything else (JSON, SSE, static files) | the handler runs; CORS headers added to its response ([`Cors::actual`]) |
//!
//! Every request that reaches the handler carries the policy's [`Decision`] in its
//! extensions (`axum::Extension<Decision>`), for handlers and logs. Every response the
//! layer answers or passes on (except a WebSocket upgrade's) has `Origin` in `Vary`.
//!
//! ```
//! use axum::{body::Body, routing::{get, post}, Extension, Router};
//! use origin_policy::{cors::Cors, layer::OriginLayer, Decision, OriginPolicy};
//! use tower::ServiceExt;
//!
//! let policy: OriginPolicy = "https://app.example.com".parse()?;
//! let cors = Cors::builder(policy).allow_headers(["content-type"]).allow_credentials().build()?;
//! let app = Router::new()
//!     .route("/ws", get(|| async { "a WebSocketUpgrade handler" }))
//!     .route("/api", post(|Extension(decision): Extension<Decision>| async move {
//!         format!("{}", decision.matched_rule().unwrap())
//!     }))
//!     .layer(OriginLayer::new(cors).block_cross_origin_writes());
//!
//! let request = |method: &str, uri: &str, origin: &str| {
//!     http::Request::builder().method(method).uri(uri).header("origin", origin)
//! };
//! tokio::runtime::Builder::new_current_thread().build()?.block_on(async {
//!     // A cross-site WebSocket handshake: refused before the handler runs.
//!     let handshake = request("GET", "/ws", "https://evil.example")
//!         .header("connection", "upgrade")
//!         .header("upgrade", "websocket")
//!         .body(Body::empty())?;
//!     assert_eq!(app.clone().oneshot(handshake).await?.status(), 403);
//!
//!     // A cross-site POST: refused (CORS alone would let it run and only hide the answer).
//!     let write = request("POST", "/api", "https://evil.example").body(Body::empty())?;
//!     assert_eq!(app.clone().oneshot(write).await?.status(), 403);
//!
//!     // The allowed origin: the handler runs, and the response carries CORS headers.
//!     let ok = request("POST", "/api", "https://app.example.com").body(Body::empty())?;
//!     let response = app.clone().oneshot(ok).await?;
//!     assert_eq!(response.status(), 200);
//!     assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
//!     assert_eq!(response.headers()["vary"], "Origin");
//!     Ok::<(), Box<dyn std::error::Error>>(())
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `examples/axum_app.rs` is a complete server: `/ws` (WebSocket), `/events` (SSE) and
//! `/api` (JSON with credentials) behind one layer.

mod classify;
mod future;

use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::VARY;
use http::{HeaderValue, Request, Response};
use tower_layer::Layer;
use tower_service::Service;

pub use future::ResponseFuture;

use crate::cors::Cors;
use crate::{Decision, DenyReason, OriginPolicy};

/// A tower [`Layer`] that applies one [`OriginPolicy`] (through its [`Cors`] configuration)
/// to WebSocket upgrades, CORS preflights, actual requests and, optionally, cross-origin
/// writes. See the [module documentation](self) for what it does with each.
///
/// Cloning is cheap (one reference count); every service it makes shares the configuration.
#[derive(Debug, Clone)]
pub struct OriginLayer {
    config: Arc<Config>,
}

#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) cors: Cors,
    block_writes: bool,
}

impl OriginLayer {
    /// A layer for `cors`, or for a bare [`OriginPolicy`] with the CORS defaults
    /// ([`Cors::new`]).
    ///
    /// ```
    /// use origin_policy::{layer::OriginLayer, OriginPolicy};
    /// let policy: OriginPolicy = "https://app.example.com".parse()?;
    /// let layer = OriginLayer::new(policy);
    /// assert!(layer.policy().check_value(b"https://app.example.com").is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(cors: impl Into<Cors>) -> OriginLayer {
        OriginLayer {
            config: Arc::new(Config {
                cors: cors.into(),
                block_writes: false,
            }),
        }
    }

    /// Also refuses, with `403` before the handler runs, state-changing requests (every
    /// method but `GET`, `HEAD`, `OPTIONS`, `TRACE`) that a browser sent cross-origin from
    /// an origin the policy denies.
    ///
    /// CORS only stops a page from *reading* the answer; a cross-site form or `fetch` with
    /// `mode: "no-cors"` still *runs* a `POST`. This is the defence against that, modelled on
    /// Go's `net/http.CrossOriginProtection`: `Sec-Fetch-Site: same-origin` or `none` passes;
    /// any other `Sec-Fetch-Site` passes only for an origin the policy allows; without
    /// `Sec-Fetch-Site`, a request with a denied `Origin` is refused and one without `Origin`
    /// (not a browser) passes. Unlike Go's, `GET` is not a way around the policy for
    /// WebSockets: upgrades are always checked first.
    ///
    /// Same-origin requests from browsers that send no `Sec-Fetch-Site` (Chromium over
    /// plain `http` to a name that is not `localhost`) are judged by their `Origin`, so list
    /// the server's own origin ([`OriginPolicyBuilder::same_origin`](crate::OriginPolicyBuilder::same_origin)).
    pub fn block_cross_origin_writes(mut self) -> OriginLayer {
        Arc::make_mut(&mut self.config).block_writes = true;
        self
    }

    /// The CORS configuration.
    pub fn cors(&self) -> &Cors {
        &self.config.cors
    }

    /// The origin policy.
    pub fn policy(&self) -> &OriginPolicy {
        self.config.cors.policy()
    }
}

impl From<OriginPolicy> for Cors {
    fn from(policy: OriginPolicy) -> Cors {
        Cors::new(policy)
    }
}

impl<S> Layer<S> for OriginLayer {
    type Service = OriginService<S>;

    fn layer(&self, inner: S) -> OriginService<S> {
        OriginService {
            inner,
            config: Arc::clone(&self.config),
        }
    }
}

/// The service made by [`OriginLayer`]: checks the request, then calls the inner service
/// or answers itself.
#[derive(Debug, Clone)]
pub struct OriginService<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S> OriginService<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, by value.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for OriginService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: From<&'static str>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let cors = &self.config.cors;

        // Upgrades first, whatever the method: CORS does not protect WebSockets.
        if classify::is_websocket_upgrade(request.method(), request.headers()) {
            let decision = cors.policy().check(&request);
            if !decision.is_allowed() {
                return ResponseFuture::answered(refusal(&decision));
            }
            request.extensions_mut().insert(decision);
            return ResponseFuture::upgrade(self.inner.call(request));
        }

        if let Some(preflight) = cors.preflight(&request) {
            return ResponseFuture::answered(preflight.response());
        }

        let actual = cors.actual(&request);
        if self.config.block_writes
            && classify::is_cross_origin_write(
                request.method(),
                request.headers(),
                actual.decision(),
            )
        {
            return ResponseFuture::answered(refusal(actual.decision()));
        }
        let allow_origin = actual.allow_origin().cloned();
        request.extensions_mut().insert(actual.into_decision());
        let future = self.inner.call(request);
        ResponseFuture::cors(future, Arc::clone(&self.config), allow_origin)
    }
}

/// The `403` for a refused upgrade or write: the policy's own rejection (fixed body, never
/// the request's values), plus `Vary: Origin` since it depends on the origin.
fn refusal<B: From<&'static str>>(decision: &Decision) -> Response<B> {
    // Only denied decisions are refused; the fallback keeps this total without a panic.
    let mut response = decision
        .rejection()
        .unwrap_or_else(|| DenyReason::NotAllowed.rejection());
    response
        .headers_mut()
        .insert(VARY, HeaderValue::from_static("Origin"));
    response
}
