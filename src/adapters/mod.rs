//! Thin adapters from [`OriginPolicy::check`](crate::OriginPolicy::check) to a transport's
//! shape. They hold no policy logic: each one calls `check` and translates the [`Decision`](crate::Decision).

#[cfg(feature = "tungstenite")]
#[cfg_attr(docsrs, doc(cfg(feature = "tungstenite")))]
pub mod tungstenite;
