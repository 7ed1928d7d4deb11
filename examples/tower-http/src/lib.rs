//! origin-policy as the origin rule of tower-http's `CorsLayer`:
//! `AllowOrigin::predicate(|_, parts| policy.check_headers(&parts.headers).is_allowed())`.
//!
//! The predicate must read `parts.headers`, not the `HeaderValue` it is handed: tower-http
//! passes the *first* `Origin` line only, so `policy.check_value(origin)` allows a request
//! with two lines whose first is allowed, where every other entry point of this crate denies
//! it as several (`DenyReason::Multiple`). `tests/socket.rs` shows both.
//!
//! `CorsLayer` never refuses a request: a cross-site request still reaches the handler and
//! only the CORS headers are missing, so the browser hides the response from the page.
//! WebSocket upgrades are not CORS at all. For refusals (upgrades, cross-origin writes), use
//! this crate's `OriginLayer` (feature `tower`) instead.
//!
//! `docs/RECIPES.md` in the repository explains each line.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use origin_policy::OriginPolicy;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// tower-http's `CorsLayer` with `policy` as its origin rule, for `GET` and `POST`.
pub fn cors(policy: OriginPolicy) -> CorsLayer {
    // recipe: glue
    let policy = Arc::new(policy);
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |_, parts| {
            policy.check_headers(&parts.headers).is_allowed()
            // recipe: end
        }))
        .allow_methods([Method::GET, Method::POST])
}

/// Serves `hello` on every path of `listener` behind `cors` (such as [`cors`]'s). `handled`
/// counts the requests that reached the handler.
pub async fn serve(
    listener: TcpListener,
    cors: CorsLayer,
    handled: Arc<AtomicUsize>,
) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        let handled = handled.clone();
        let service =
            ServiceBuilder::new()
                .layer(cors.clone())
                .service_fn(move |_: Request<Incoming>| {
                    handled.fetch_add(1, Ordering::SeqCst);
                    async {
                        Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(
                            b"hello\n",
                        ))))
                    }
                });
        tokio::spawn(async move {
            // A client that goes away mid-request is not the server's error.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
                .await;
        });
    }
}
