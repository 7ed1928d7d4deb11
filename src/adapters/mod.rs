//! Thin adapters from [`OriginPolicy::check`](crate::OriginPolicy::check) to a transport's
//! shape. They hold no policy logic: each one calls `check` and translates the [`Decision`](crate::Decision).

#[cfg(any(feature = "tungstenite", feature = "tungstenite029"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "tungstenite", feature = "tungstenite029")))
)]
pub mod tungstenite;

#[cfg(feature = "actix")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
pub mod actix;
