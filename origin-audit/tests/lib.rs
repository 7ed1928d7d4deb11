//! The integration tests of `origin-audit`: one binary, the shared servers declared first.

// Shared helpers: loopback servers (WebSocket, raw HTTP CORS, TLS with a fresh test CA).
mod common;

// The library against real servers on 127.0.0.1.
mod servers;
// The binary, run as a user runs it.
mod cli;
// What the results mean: real CORS setups judged right, root-cause headlines, inconclusive
// runs, and errors a person can act on.
mod diagnosis;
