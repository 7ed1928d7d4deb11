//! [`OriginLayer`]: one tower layer that applies one [`OriginPolicy`](crate::OriginPolicy) to every request of an
//! axum 0.8 or hyper 1 service: WebSocket upgrades, CORS, and (optionally) cross-origin
//! writes.
//!
//! The usual production failure is CORS middleware on the HTTP routes and nothing on the
//! WebSocket route, whose handshakes browsers send from any site with the user's cookies
//! (CORS does not apply to WebSockets). The layer closes that gap with one allowlist:
//!
//! | request | what the layer does |
//! |---|---|
//! | WebSocket upgrade (`Upgrade: websocket`, or `CONNECT` as in RFC 8441) | decided by the [`HandshakeGuard`]: refused with `403` (origin), `426` (version), `400` (subprotocol) or `401` (credential) before the handler runs; allowed: the handler runs, and the guard's outcome is in the request extensions |
//! | CORS preflight (`OPTIONS` + `Origin` + `Access-Control-Request-Method`) | answered by the layer: `204` or `403` ([`Cors::preflight`]); the handler never runs |
//! | with [`block_cross_origin_writes`](OriginLayer::block_cross_origin_writes): a state-changing request (`POST`, `PUT`, `PATCH`, `DELETE`, ...) that is cross-origin and whose origin is denied | `403` before the handler runs |
//! | anything else (JSON, SSE, static files) | the handler runs; CORS headers added to its response ([`Cors::actual`]) |
//!
//! Every request that reaches the handler carries the policy's [`Decision`](crate::Decision) in its
//! extensions (`axum::Extension<Decision>`), and an upgrade also the guard's
//! [`GuardOutcome`](crate::GuardOutcome) (`Extension<GuardOutcome<I>>`: matched rule, chosen subprotocol,
//! identity). Every response the layer answers or passes on has `Origin` in `Vary`. An
//! upgrade request that the handler did not switch (no `101` on HTTP/1.1, no `2xx` to an
//! extended `CONNECT`) gets the CORS headers of an ordinary request, so a shared cache can
//! never store an allowed origin's answer without `Vary: Origin`.
//!
//! # One pipeline: guard, report-only, observer, reload
//!
//! [`OriginLayer::new`] checks upgrades by origin alone, enforcing. [`OriginLayer::guard`]
//! hands every decision to a [`HandshakeGuard`] instead: its subprotocol and authentication
//! checks run on upgrades, its report-only mode applies to upgrades and to refused writes,
//! and its observer (and the `tracing` feature) sees every decision of the layer, as a
//! [`GuardDecision`](crate::GuardDecision) whose [`kind`](crate::GuardDecision::kind) tells a handshake from a
//! preflight or another request. Build the guard and the [`Cors`] on one
//! [`PolicySource`](crate::PolicySource) (with the `reload` feature, a `SharedPolicy`), and
//! both always use the same policy, swapped atomically on reload.
//!
//! Report-only covers what the layer *refuses* (origin and subprotocol on upgrades,
//! cross-origin writes); it never grants CORS to a denied origin, so preflights and
//! `Access-Control-Allow-Origin` always follow the policy, and authentication is always
//! enforced.
//!
//! # Open rules do not open upgrades and writes
//!
//! A policy that allows `null` or any origin
//! ([`allow_null_origin`](crate::OriginPolicyBuilder::allow_null_origin),
//! [`allow_any_origin_dangerously`](crate::OriginPolicyBuilder::allow_any_origin_dangerously))
//! may be right for public CORS reads without credentials, but WebSocket handshakes and
//! form posts carry the user's cookies whatever CORS says, and any site can make a page
//! whose origin is `null`. In the layer such a match therefore never admits an upgrade or a
//! cross-origin write ([`Denial::OpenOrigin`](crate::guard::Denial::OpenOrigin)) unless
//! [`allow_open_origins_for_upgrades_and_writes_dangerously`](OriginLayer::allow_open_origins_for_upgrades_and_writes_dangerously)
//! says so.
//!
//! # Where it stacks
//!
//! The layer needs only `ResBody: Default` of the inner service's body (its own answers
//! have empty bodies, as tower-http's `CorsLayer`'s), so it stacks wherever `CorsLayer`
//! does: outside or inside `CompressionLayer`, `TraceLayer` and axum's own layers.
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
//!         .header("sec-websocket-version", "13")
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

mod future;

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::{CONTENT_LENGTH, CONTENT_TYPE, ORIGIN};
use http::{HeaderValue, Request, Response};
use tower_layer::Layer;
use tower_service::Service;

pub use future::ResponseFuture;

use crate::cors::Cors;
use crate::pipeline::{classify, Pipeline};
use crate::source::LoadedPolicy;
use crate::HandshakeGuard;

/// A tower [`Layer`] that applies one [`OriginPolicy`](crate::OriginPolicy) (through its
/// [`Cors`] configuration and a [`HandshakeGuard`]) to WebSocket upgrades, CORS preflights,
/// actual requests and, optionally, cross-origin writes. See the [module
/// documentation](self) for what it does with each. `I` is the guard's identity type.
///
/// Cloning is cheap (one reference count); every service it makes shares the configuration.
pub struct OriginLayer<I = ()> {
    config: Arc<Pipeline<I>>,
}

impl<I> Clone for OriginLayer<I> {
    fn clone(&self) -> Self {
        OriginLayer {
            config: Arc::clone(&self.config),
        }
    }
}

impl<I> fmt::Debug for OriginLayer<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.config.fmt_as("OriginLayer", f)
    }
}

impl OriginLayer<()> {
    /// A layer for `cors`, or for a bare [`OriginPolicy`](crate::OriginPolicy) or
    /// [`PolicySource`](crate::PolicySource) with the CORS defaults ([`Cors::new`]).
    /// Upgrades are checked by origin (and version) only, enforcing; see
    /// [`guard`](Self::guard) for more.
    ///
    /// ```
    /// use origin_policy::{layer::OriginLayer, OriginPolicy};
    /// let policy: OriginPolicy = "https://app.example.com".parse()?;
    /// let layer = OriginLayer::new(policy);
    /// assert!(layer.policy().check_value(b"https://app.example.com").is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(cors: impl Into<Cors>) -> OriginLayer<()> {
        OriginLayer {
            config: Arc::new(Pipeline::new(cors.into())),
        }
    }
}

impl<I> OriginLayer<I> {
    /// Decides with `guard`: its version, origin, subprotocol and authentication checks on
    /// upgrades, and its report-only mode and observer for every decision of the layer (see
    /// the [module docs](self#one-pipeline-guard-report-only-observer-reload)). Handlers find
    /// the [`GuardOutcome`](crate::GuardOutcome) of an upgrade in the request extensions, with the identity.
    ///
    /// Build the guard on the same [`PolicySource`](crate::PolicySource) as the [`Cors`]
    /// (`HandshakeGuard::builder_on(cors.source().clone())`), so that upgrades and CORS use one
    /// policy; the guard's decides upgrades, the `Cors`'s everything else.
    ///
    /// ```
    /// use origin_policy::{cors::Cors, guard::auth::{StaticTokens, TokenSource}};
    /// use origin_policy::{layer::OriginLayer, HandshakeGuard, OriginPolicy, PolicySource};
    ///
    /// let source = PolicySource::from("https://app.example.com".parse::<OriginPolicy>()?);
    /// let tokens = StaticTokens::new([("t0k3n", "alice")])?;
    /// let guard = HandshakeGuard::builder_on(source.clone())
    ///     .subprotocols(["graphql-transport-ws"])
    ///     .authenticate_token(TokenSource::bearer(), move |token| tokens.verify(token))
    ///     .observe(|decision| eprintln!("{decision}"))
    ///     .build()?;
    /// let layer = OriginLayer::new(Cors::builder_on(source).allow_credentials().build()?).guard(guard);
    /// # let _ = layer;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn guard<J>(self, guard: HandshakeGuard<J>) -> OriginLayer<J> {
        OriginLayer {
            config: Arc::new(self.config.with_guard(guard)),
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
    /// (not a browser) passes. An empty `Origin` or `Sec-Fetch-Site` counts as absent (as in
    /// Go and tower-http). Unlike Go's, `GET` is not a way around the policy for
    /// WebSockets: upgrades are always checked first, and an empty `Origin` on an upgrade is
    /// malformed, not absent.
    ///
    /// Same-origin requests from browsers that send no `Sec-Fetch-Site` (Chromium over
    /// plain `http` to a name that is not `localhost`) are judged by their `Origin`, so list
    /// the server's own origin ([`OriginPolicyBuilder::same_origin`](crate::OriginPolicyBuilder::same_origin)).
    pub fn block_cross_origin_writes(mut self) -> OriginLayer<I> {
        Arc::make_mut(&mut self.config).block_cross_origin_writes();
        self
    }

    /// Lets an open rule of the policy (any origin, `null`) admit WebSocket upgrades and
    /// cross-origin writes too, not only CORS reads.
    ///
    /// **What it gives up:** upgrades and form posts carry the user's cookies whatever the
    /// CORS credentials flag says, and any site can make a page whose origin is `null` (a
    /// sandboxed iframe). With this, every site can open a socket or post as the user. Only
    /// for endpoints that authenticate every request without ambient credentials (a bearer
    /// token the page must hold). Cookie authentication in the guard never trusts an open
    /// rule, with or without this.
    pub fn allow_open_origins_for_upgrades_and_writes_dangerously(mut self) -> OriginLayer<I> {
        Arc::make_mut(&mut self.config).trust_open_rules();
        self
    }

    /// The CORS configuration.
    pub fn cors(&self) -> &Cors {
        self.config.cors()
    }

    /// The guard that decides upgrades and reports every decision.
    pub fn handshake_guard(&self) -> &HandshakeGuard<I> {
        self.config.guard()
    }

    /// The origin policy of the CORS configuration, as its source holds it right now.
    pub fn policy(&self) -> LoadedPolicy<'_> {
        self.config.cors().policy()
    }
}

impl<S, I> Layer<S> for OriginLayer<I> {
    type Service = OriginService<S, I>;

    fn layer(&self, inner: S) -> OriginService<S, I> {
        OriginService {
            inner,
            config: Arc::clone(&self.config),
        }
    }
}

/// The service made by [`OriginLayer`]: checks the request, then calls the inner service
/// or answers itself.
pub struct OriginService<S, I = ()> {
    inner: S,
    config: Arc<Pipeline<I>>,
}

impl<S: Clone, I> Clone for OriginService<S, I> {
    fn clone(&self) -> Self {
        OriginService {
            inner: self.inner.clone(),
            config: Arc::clone(&self.config),
        }
    }
}

impl<S: fmt::Debug, I> fmt::Debug for OriginService<S, I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OriginService")
            .field("inner", &self.inner)
            .finish_non_exhaustive()
    }
}

impl<S, I> OriginService<S, I> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, by value.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, I, ReqBody, ResBody> Service<Request<ReqBody>> for OriginService<S, I>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
    I: Clone + Send + Sync + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let pipeline = &*self.config;
        let values = |name: &str| {
            request
                .headers()
                .get_all(name)
                .iter()
                .map(HeaderValue::as_bytes)
        };

        // Upgrades first, whatever the method: CORS does not protect WebSockets.
        if classify::is_websocket_upgrade(request.method().as_str(), values("upgrade")) {
            let (mut parts, body) = request.into_parts();
            return match pipeline.upgrade(&parts) {
                Err(refusal) => ResponseFuture::answered(own_answer(refusal)),
                Ok((outcome, finish)) => {
                    if let Some(decision) = outcome.decision.origin() {
                        parts.extensions.insert(decision.clone());
                    }
                    parts.extensions.insert(outcome);
                    let future = self.inner.call(Request::from_parts(parts, body));
                    ResponseFuture::pending(future, finish)
                }
            };
        }

        if let Some(answer) = pipeline.preflight(&request) {
            return ResponseFuture::answered(own_answer(answer));
        }

        let decision = pipeline.cors().policy().check(&request);
        let finish = pipeline.request(
            request.method().as_str(),
            &decision,
            values(classify::SEC_FETCH_SITE),
            values("origin"),
            || request.headers().get(ORIGIN).cloned(),
        );
        match finish {
            Err(refusal) => ResponseFuture::answered(own_answer(refusal)),
            Ok(finish) => {
                let mut request = request;
                request.extensions_mut().insert(decision);
                ResponseFuture::pending(self.inner.call(request), finish)
            }
        }
    }
}

/// An answer of the layer's own (a refusal, a preflight's), in the inner service's body type:
/// the body is empty (`ResBody: Default`, as tower-http's `CorsLayer`), so the fixed text
/// and the headers describing it are dropped.
fn own_answer<B: Default>(response: Response<&'static str>) -> Response<B> {
    let (mut parts, _text) = response.into_parts();
    parts.headers.remove(CONTENT_LENGTH);
    parts.headers.remove(CONTENT_TYPE);
    Response::from_parts(parts, B::default())
}
