//! The integration tests: one binary (as regex and ripgrep do), one module per subject, with
//! the shared helpers declared first. Each module's first lines say what it covers and which
//! cargo features it needs.
//!
//! `tests/guard_tracing.rs` is the one other test binary: it installs a global `tracing`
//! subscriber, which every other test's guard would write into.
//!
//! The binary's global allocator is the counting one from `counting` (its count is per
//! thread, so the allocation tests see only their own allocations while others run).

// Shared helpers.
#[cfg(feature = "actix")]
mod actix_common;
#[cfg(feature = "tungstenite")]
mod browser;
mod common;
#[cfg(feature = "tower")]
mod cors_common;
mod counting;
#[cfg(feature = "tungstenite")]
mod guard_common;
mod oracle;
#[cfg(feature = "tungstenite")]
mod support;

// Core: the policy, its configuration and its properties.
mod alloc;
mod api;
mod config;
mod corpus;
mod corpus_format;
mod properties;
mod properties_rules;
mod reload;

// The `testing` module: strategies and harness against the policy itself.
mod testing;

// Transports over real sockets.
mod tokio_tungstenite_sockets;
mod tungstenite029_sockets;
mod tungstenite_sockets;

// The examples' serving code.
mod examples_close;

// Handshake guard.
mod guard_property;
mod guard_sockets;
mod guard_tokio;
// (`guard_tracing` is a binary of its own: its subscriber is global.)

// CORS and the tower layer.
mod cors_alloc;
mod cors_config;
mod cors_differential;
mod cors_sockets;
mod layer_sockets;

// The actix-web middleware.
#[cfg(all(
    feature = "actix",
    feature = "tower",
    feature = "tungstenite",
    feature = "reload"
))]
mod actix_sockets;

// One pipeline: the same table through every transport, reloads, the layer's rules.
#[cfg(all(feature = "tungstenite", feature = "tower", feature = "reload"))]
mod pipeline;

// Real browsers: Chromium captures replayed, and Chromium driven end to end.
mod browser_captures;
mod browser_e2e;
mod browser_extension;
