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

/// The app with a hand-written check: `200` when there is exactly one `Origin` line and
/// `allows` says yes to its text, `403` otherwise (also when it is not UTF-8).
pub fn naive_app(allows: fn(&str) -> bool) -> Router {
    app(allows, true)
}

/// [`naive_app`] that reads the first `Origin` line only, as `HeaderMap::get` does, and so
/// accepts a trusted line followed by any other.
pub fn first_line_app(allows: fn(&str) -> bool) -> Router {
    app(allows, false)
}

fn app(allows: fn(&str) -> bool, one_line: bool) -> Router {
    Router::new().route(
        "/",
        get(move |headers: HeaderMap| async move {
            let several = headers.get_all("origin").iter().count() > 1;
            let origin = headers.get("origin").and_then(|value| value.to_str().ok());
            if !(one_line && several) && origin.is_some_and(allows) {
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
