//! [`OriginMiddleware`]: the pipeline of the tower [`OriginLayer`] as an actix-web 4
//! middleware, for `actix-ws` handlers, CORS and cross-origin writes (feature `actix`).
//!
//! It does what the layer does, with the same knobs ([`new`](OriginMiddleware::new),
//! [`guard`](OriginMiddleware::guard),
//! [`block_cross_origin_writes`](OriginMiddleware::block_cross_origin_writes),
//! [`allow_open_origins_for_upgrades_and_writes_dangerously`](OriginMiddleware::allow_open_origins_for_upgrades_and_writes_dangerously)),
//! decided by the same code, so a service moved from axum to actix-web (or the other way)
//! answers every request alike:
//!
//! | request | what the middleware does |
//! |---|---|
//! | WebSocket upgrade (`Upgrade: websocket`, or any `CONNECT`) | decided by the [`HandshakeGuard`]: refused with `403` (origin), `426` (version), `400` (subprotocol) or `401` (credential) before the handler runs; allowed: the handler runs, with the outcome in the request extensions, and a `101` gets the guard's subprotocol when the handler set none |
//! | CORS preflight (`OPTIONS` + `Origin` + `Access-Control-Request-Method`) | answered: `204` or `403`; the handler never runs |
//! | with [`block_cross_origin_writes`](OriginMiddleware::block_cross_origin_writes): a cross-origin state-changing request from a denied origin | `403` before the handler runs |
//! | anything else | the handler runs; CORS headers added to its response, `Origin` merged into its `Vary` |
//!
//! Handlers read the policy's [`Decision`](crate::Decision) with
//! `web::ReqData<Decision>` (every request the middleware passes on), and an upgrade's
//! [`GuardOutcome`](crate::GuardOutcome) with `web::ReqData<GuardOutcome<I>>` (matched
//! rule, chosen subprotocol, identity): the types the layer puts in axum's extensions.
//! Report-only, the observer, `tracing` and reloading (a [`PolicySource`](crate::PolicySource)
//! on a `SharedPolicy`) are the guard's and the [`Cors`]'s, as with the layer; see
//! [its docs](crate::layer) (feature `tower`) for the rules (open rules never admit upgrades
//! and writes, report-only never grants CORS).
//!
//! # What it translates
//!
//! actix-web 4 uses `http` 0.2 types. Ordinary requests are decided on the raw field values
//! ([`OriginPolicy::check_values_with_host`](crate::OriginPolicy::check_values_with_host)),
//! with no copy; upgrades and `OPTIONS` requests, which the guard's hooks or the CORS
//! preflight read in full, are copied once into a [`RawHead`]. On the way back only the
//! fields the pipeline sets are touched (`Vary`, `Sec-WebSocket-Protocol`,
//! `Access-Control-Allow-Origin`, `-Allow-Credentials`, `-Expose-Headers`): the handler's
//! own lines of those names are kept, merged or replaced exactly as the layer does, and
//! every other header is left alone. The middleware's own answers keep their short fixed
//! text body.
//!
//! Any handler that answers an upgrade with `101` works behind it: actix-ws (tested), or the
//! deprecated actix-web-actors, whose `ws::start` answers the same way (it is not tested
//! here: its maintainers point to actix-ws).
//!
//! actix-web serves no WebSockets over HTTP/2 (it has no RFC 8441 extended `CONNECT`), so
//! upgrades are HTTP/1.1; over HTTP/2 a `CONNECT` is still checked as a possible WebSocket,
//! as in the layer.
//!
//! # Example
//!
//! An actix-ws echo endpoint, a JSON API with credentialed CORS, and both behind one
//! middleware:
//!
//! ```no_run
//! use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
//! use origin_policy::adapters::actix::OriginMiddleware;
//! use origin_policy::{cors::Cors, Decision, GuardOutcome, HandshakeGuard, OriginPolicy, PolicySource};
//!
//! async fn ws(
//!     request: HttpRequest,
//!     body: web::Payload,
//!     outcome: web::ReqData<GuardOutcome<()>>,
//! ) -> actix_web::Result<HttpResponse> {
//!     // Only allowed handshakes get here.
//!     let (response, mut session, mut stream) = actix_ws::handle(&request, body)?;
//!     eprintln!("{}", outcome.decision);
//!     actix_web::rt::spawn(async move {
//!         while let Some(Ok(actix_ws::Message::Text(text))) = stream.recv().await {
//!             if session.text(text).await.is_err() {
//!                 break;
//!             }
//!         }
//!     });
//!     Ok(response)
//! }
//!
//! async fn api(decision: web::ReqData<Decision>) -> String {
//!     format!("{}", *decision)
//! }
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let source = PolicySource::from("https://app.example.com".parse::<OriginPolicy>()?);
//!     let guard = HandshakeGuard::builder_on(source.clone()).build()?;
//!     let cors = Cors::builder_on(source).allow_credentials().build()?;
//!     let middleware = OriginMiddleware::new(cors).guard(guard).block_cross_origin_writes();
//!     let app = move || {
//!         App::new()
//!             .wrap(middleware.clone())
//!             .route("/ws", web::get().to(ws))
//!             .route("/api", web::post().to(api))
//!     };
//!     actix_web::rt::System::new()
//!         .block_on(async { HttpServer::new(app).bind(("127.0.0.1", 8080))?.run().await })?;
//!     Ok(())
//! }
//! ```
//!
//! `examples/actix_app.rs` is a complete server.
//!
//! [`OriginLayer`]: crate::layer::OriginLayer

use std::fmt;
use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::http::header::{self as actix_header, HeaderMap as ActixHeaderMap};
use actix_web::http::StatusCode as ActixStatus;
use actix_web::{HttpMessage, HttpResponse};
use pin_project_lite::pin_project;

use crate::cors::Cors;
use crate::pipeline::future::{Pending, Respond};
use crate::pipeline::{classify, Finish, Pipeline, RESPONSE_FIELDS};
use crate::source::LoadedPolicy;
use crate::{HandshakeGuard, RawHead};

/// An actix-web [`Transform`] (use it with `App::wrap` or `Scope::wrap`) that applies one
/// [`OriginPolicy`](crate::OriginPolicy), through its [`Cors`] configuration and a
/// [`HandshakeGuard`], to WebSocket upgrades, CORS preflights, other requests and,
/// optionally, cross-origin writes: the tower [`OriginLayer`](crate::layer::OriginLayer)'s
/// pipeline. See the [module documentation](self). `I` is the guard's identity type.
///
/// Cloning is cheap (one reference count); every worker's service shares the configuration.
pub struct OriginMiddleware<I = ()> {
    pipeline: Arc<Pipeline<I>>,
}

impl<I> Clone for OriginMiddleware<I> {
    fn clone(&self) -> Self {
        OriginMiddleware {
            pipeline: Arc::clone(&self.pipeline),
        }
    }
}

impl<I> fmt::Debug for OriginMiddleware<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.pipeline.fmt_as("OriginMiddleware", f)
    }
}

impl OriginMiddleware<()> {
    /// A middleware for `cors`, or for a bare [`OriginPolicy`](crate::OriginPolicy) or
    /// [`PolicySource`](crate::PolicySource) with the CORS defaults ([`Cors::new`]).
    /// Upgrades are checked by origin (and version) only, enforcing; see
    /// [`guard`](Self::guard) for more.
    ///
    /// ```
    /// use origin_policy::{adapters::actix::OriginMiddleware, OriginPolicy};
    /// let policy: OriginPolicy = "https://app.example.com".parse()?;
    /// let middleware = OriginMiddleware::new(policy);
    /// assert!(middleware.policy().check_value(b"https://app.example.com").is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(cors: impl Into<Cors>) -> OriginMiddleware<()> {
        OriginMiddleware {
            pipeline: Arc::new(Pipeline::new(cors.into())),
        }
    }
}

impl<I> OriginMiddleware<I> {
    /// Decides with `guard`: its version, origin, subprotocol and authentication checks on
    /// upgrades, and its report-only mode and observer for every decision of the middleware,
    /// as [`OriginLayer::guard`](crate::layer::OriginLayer::guard). Build the guard on the
    /// same [`PolicySource`](crate::PolicySource) as the [`Cors`]
    /// (`HandshakeGuard::builder_on(cors.source().clone())`). Handlers find the
    /// [`GuardOutcome`](crate::GuardOutcome) of an upgrade, with the identity, as
    /// `web::ReqData<GuardOutcome<I>>`.
    pub fn guard<J>(self, guard: HandshakeGuard<J>) -> OriginMiddleware<J> {
        OriginMiddleware {
            pipeline: Arc::new(self.pipeline.with_guard(guard)),
        }
    }

    /// Also refuses, with `403` before the handler runs, state-changing requests (every
    /// method but `GET`, `HEAD`, `OPTIONS`, `TRACE`) that a browser sent cross-origin from
    /// an origin the policy denies: the rules of
    /// [`OriginLayer::block_cross_origin_writes`](crate::layer::OriginLayer::block_cross_origin_writes)
    /// (Go's `CrossOriginProtection`, by `Sec-Fetch-Site` and then `Origin`).
    pub fn block_cross_origin_writes(mut self) -> OriginMiddleware<I> {
        Arc::make_mut(&mut self.pipeline).block_cross_origin_writes();
        self
    }

    /// Lets an open rule of the policy (any origin, `null`) admit WebSocket upgrades and
    /// cross-origin writes too, not only CORS reads.
    ///
    /// **What it gives up:** upgrades and form posts carry the user's cookies whatever the
    /// CORS credentials flag says, and any site can make a page whose origin is `null` (a
    /// sandboxed iframe). With this, every site can open a socket or post as the user. Only
    /// for endpoints that authenticate every request without ambient credentials. Cookie
    /// authentication in the guard never trusts an open rule, with or without this.
    pub fn allow_open_origins_for_upgrades_and_writes_dangerously(mut self) -> OriginMiddleware<I> {
        Arc::make_mut(&mut self.pipeline).trust_open_rules();
        self
    }

    /// The CORS configuration.
    pub fn cors(&self) -> &Cors {
        self.pipeline.cors()
    }

    /// The guard that decides upgrades and reports every decision.
    pub fn handshake_guard(&self) -> &HandshakeGuard<I> {
        self.pipeline.guard()
    }

    /// The origin policy of the CORS configuration, as its source holds it right now.
    pub fn policy(&self) -> LoadedPolicy<'_> {
        self.pipeline.cors().policy()
    }
}

impl<S, B, I> Transform<S, ServiceRequest> for OriginMiddleware<I>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
    I: Clone + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = OriginMiddlewareService<S, I>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(OriginMiddlewareService {
            service: Rc::new(service),
            pipeline: Arc::clone(&self.pipeline),
        }))
    }
}

/// The service made by [`OriginMiddleware`]: checks the request, then calls the wrapped
/// service or answers itself.
pub struct OriginMiddlewareService<S, I = ()> {
    service: Rc<S>,
    pipeline: Arc<Pipeline<I>>,
}

impl<S, I> fmt::Debug for OriginMiddlewareService<S, I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OriginMiddlewareService")
            .field("pipeline", &self.pipeline)
            .finish_non_exhaustive()
    }
}

impl<S, B, I> Service<ServiceRequest> for OriginMiddlewareService<S, I>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
    I: Clone + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = ResponseFuture<S::Future, B>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let pipeline = &*self.pipeline;
        let method = request.method().as_str();
        let headers = request.headers();
        let values = |name: &str| {
            headers
                .get_all(name)
                .map(actix_header::HeaderValue::as_bytes)
        };

        // Upgrades first, whatever the method: CORS does not protect WebSockets.
        if classify::is_websocket_upgrade(method, values("upgrade")) {
            let decided = match raw_head(&request) {
                Some(head) => pipeline.upgrade(&head),
                None => Err(invalid_head()),
            };
            return match decided {
                Err(refusal) => ResponseFuture::answered(request, refusal),
                Ok((outcome, finish)) => {
                    {
                        let mut extensions = request.extensions_mut();
                        if let Some(decision) = outcome.decision.origin() {
                            extensions.insert(decision.clone());
                        }
                        extensions.insert(outcome);
                    }
                    ResponseFuture::pending(self.service.call(request), finish)
                }
            };
        }

        // Only an `OPTIONS` can be a preflight: the one other request copied.
        if method == "OPTIONS" {
            let answer = match raw_head(&request) {
                Some(head) => pipeline.preflight(&head),
                None => Some(invalid_head()),
            };
            if let Some(answer) = answer {
                return ResponseFuture::answered(request, answer);
            }
        }

        // The authority, as `OriginPolicy::check` reads it: the target's (HTTP/2's
        // `:authority`, an absolute-form target), else the one `Host` line.
        let authority = request.uri().authority().map(|a| a.as_str().as_bytes());
        let host = authority.or_else(|| {
            let mut hosts = values("host");
            match (hosts.next(), hosts.next()) {
                (Some(host), None) => Some(host),
                _ => None,
            }
        });
        let decision = pipeline
            .cors()
            .policy()
            .check_values_with_host(values("origin"), host);
        let finish = pipeline.request(
            method,
            &decision,
            values(classify::SEC_FETCH_SITE),
            values("origin"),
            || {
                let origin = headers.get("origin")?;
                http::HeaderValue::from_bytes(origin.as_bytes()).ok()
            },
        );
        match finish {
            Err(refusal) => ResponseFuture::answered(request, refusal),
            Ok(finish) => {
                request.extensions_mut().insert(decision);
                ResponseFuture::pending(self.service.call(request), finish)
            }
        }
    }
}

/// The request head, copied for the guard's hooks and the preflight: `None` when actix-web
/// handed over a part that `http` 1 refuses (they validate alike, so never in practice).
fn raw_head(request: &ServiceRequest) -> Option<RawHead> {
    let uri = request.uri();
    // The absolute form when there is an authority (HTTP/2), so `check` reads it as the
    // layer's does; the request line's target otherwise.
    let target = match uri.authority() {
        Some(_) => uri.to_string(),
        None => uri.path_and_query().map_or_else(
            || uri.path().to_owned(),
            |target| target.as_str().to_owned(),
        ),
    };
    let fields = request
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().as_bytes(), value.as_bytes()));
    RawHead::from_fields(
        request.method().as_str().as_bytes(),
        target.as_bytes(),
        fields,
    )
    .ok()
}

/// The answer to a request whose head could not be copied: `400`, before the handler.
fn invalid_head() -> http::Response<&'static str> {
    let mut response = http::Response::new("malformed request head\n");
    *response.status_mut() = http::StatusCode::BAD_REQUEST;
    response
}

/// An `http` 1 response of the pipeline's own, as an actix-web response: the same status,
/// every header line, the fixed text body. A part `http` 0.2 would refuse (none: the two
/// versions validate alike, and these are the crate's own constants) fails closed as a
/// bare `500`, never as the handler's answer.
fn to_actix(response: http::Response<&'static str>) -> HttpResponse {
    let (parts, text) = response.into_parts();
    let Ok(status) = ActixStatus::from_u16(parts.status.as_u16()) else {
        return HttpResponse::InternalServerError().finish();
    };
    let mut translated = HttpResponse::with_body(status, text);
    let headers = translated.headers_mut();
    for (name, value) in &parts.headers {
        let (Ok(name), Ok(value)) = (
            actix_header::HeaderName::from_bytes(name.as_str().as_bytes()),
            actix_header::HeaderValue::from_bytes(value.as_bytes()),
        ) else {
            return HttpResponse::InternalServerError().finish();
        };
        headers.append(name, value);
    }
    translated.map_into_boxed_body()
}

/// Applies `finish` to an actix-web response's headers: the [`RESPONSE_FIELDS`] it has are
/// copied into an `http` 1 map, finished there, and written back in place of the originals;
/// every other line is untouched.
fn finish_actix(finish: Finish, status: ActixStatus, headers: &mut ActixHeaderMap) {
    let mut fields = http::HeaderMap::new();
    for name in &RESPONSE_FIELDS {
        for value in headers.get_all(name.as_str()) {
            // Values actix-web holds are valid `http` 1 values (the same rules).
            if let Ok(value) = http::HeaderValue::from_bytes(value.as_bytes()) {
                fields.append(name.clone(), value);
            }
        }
    }
    let status = http::StatusCode::from_u16(status.as_u16()).unwrap_or(http::StatusCode::OK);
    finish.apply(status, &mut fields);
    for name in &RESPONSE_FIELDS {
        let values = fields.get_all(name);
        if values.iter().next().is_none() {
            continue;
        }
        let Ok(actix_name) = actix_header::HeaderName::from_bytes(name.as_str().as_bytes()) else {
            continue;
        };
        let translated: Vec<_> = values
            .iter()
            .filter_map(|value| actix_header::HeaderValue::from_bytes(value.as_bytes()).ok())
            .collect();
        // Written back only when every value translated, so no line is lost.
        if translated.len() == values.iter().count() {
            headers.remove(actix_name.clone());
            for value in translated {
                headers.append(actix_name.clone(), value);
            }
        }
    }
}

pin_project! {
    /// The response future of [`OriginMiddlewareService`]: an answer of the middleware's
    /// own (a refusal, a preflight), or the wrapped service's response with the CORS headers
    /// added (and, on a switched upgrade, the guard's subprotocol).
    pub struct ResponseFuture<F, B> {
        #[pin]
        inner: Pending<F, ServiceResponse<EitherBody<B>>>,
    }
}

impl<F, B> ResponseFuture<F, B> {
    fn answered(request: ServiceRequest, response: http::Response<&'static str>) -> Self {
        let response = request.into_response(to_actix(response));
        ResponseFuture {
            inner: Pending::answered(response.map_into_right_body()),
        }
    }

    fn pending(future: F, finish: Finish) -> Self {
        ResponseFuture {
            inner: Pending::passed(future, finish),
        }
    }
}

impl<B> Respond<ServiceResponse<EitherBody<B>>> for ServiceResponse<B> {
    fn respond(mut self, finish: Finish) -> ServiceResponse<EitherBody<B>> {
        let status = self.status();
        finish_actix(finish, status, self.headers_mut());
        self.map_into_left_body()
    }
}

impl<F, B> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, actix_web::Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, actix_web::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().inner.poll(cx)
    }
}

impl<F, B> fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("kind", &self.inner.state())
            .finish_non_exhaustive()
    }
}
