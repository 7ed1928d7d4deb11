//! An axum app whose `/` endpoint is guarded by an origin check of the caller's choice: the
//! naive checks that keep shipping (`starts_with`, `ends_with`, an unanchored regex) or the
//! crate's `OriginLayer`. `tests/harness.rs` runs the `testing` harness against each.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::Router;
use origin_policy::layer::OriginLayer;
use origin_policy::OriginPolicy;

/// The app with a hand-written check: `200` when `allows` says yes to the `Origin` header's
/// text, `403` otherwise (also without a header, or with one that is not UTF-8). Several
/// `Origin` lines are checked by their first, as `HeaderMap::get` does.
pub fn naive_app(allows: fn(&str) -> bool) -> Router {
    Router::new().route(
        "/",
        get(move |headers: HeaderMap| async move {
            let origin = headers.get("origin").and_then(|value| value.to_str().ok());
            if origin.is_some_and(allows) {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            }
        }),
    )
}

/// The app behind the crate's `OriginLayer`: upgrades from origins `policy` denies get a
/// `403` before the handler runs.
pub fn layered_app(policy: OriginPolicy) -> Router {
    Router::new()
        .route("/", get(|| async { StatusCode::OK }))
        .layer(OriginLayer::new(policy))
}
