//! The `tracing` feature: one structured event per decision, captured from a real subscriber
//! while real handshakes go over loopback, and checked for the fields and for the absence of
//! every credential.
//!
//! Its own test binary: a `tracing` subscriber is global, and the other tests' guards would
//! write into it.
#![cfg(all(feature = "tungstenite", feature = "tracing"))]

#[path = "common/mod.rs"]
mod common;
#[path = "guard_common/mod.rs"]
mod guard_common;

use std::io;
use std::sync::{Arc, Mutex};

use guard_common::{exchange, handshake, SyncServer};
use origin_policy::guard::auth::{StaticTokens, TokenSource};
use origin_policy::guard::HandshakeGuard;
use origin_policy::OriginPolicy;

const TOKEN: &str = "t0k3n-alice-4f9a2c";
const WRONG: &str = "t0k3n-eve-91b7d3";

/// A `MakeWriter` that appends every formatted event to a shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl io::Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn policy() -> OriginPolicy {
    "https://app.example.com".parse().unwrap()
}

fn tokens() -> StaticTokens<&'static str> {
    StaticTokens::new([(TOKEN, "alice")]).unwrap()
}

// One test function: the subscriber is global (the guard runs on the server's thread), and
// the order of the captured events must be the order of the handshakes.
#[test]
fn one_event_per_decision_and_never_the_credential() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .without_time()
            .with_writer(move || writer.clone())
            .finish(),
    )
    .expect("no other subscriber in this test binary");

    let tokens = tokens();
    let bearer_guard = HandshakeGuard::builder(policy())
        .subprotocols(["graphql-transport-ws", "graphql-ws"])
        .authenticate_token(TokenSource::bearer(), move |token| tokens.verify(token))
        .build()
        .unwrap();
    let tokens = self::tokens();
    let k8s_guard = HandshakeGuard::builder(policy())
        .subprotocols(["v4.channel.k8s.io"])
        .authenticate_token(TokenSource::subprotocol(), move |token| {
            tokens.verify(token)
        })
        .report_only()
        .build()
        .unwrap();

    let good = format!("Authorization: Bearer {TOKEN}");
    let wrong = format!("Authorization: Bearer {WRONG}");
    let proto = "Sec-WebSocket-Protocol: graphql-ws";
    let server = SyncServer::spawn(bearer_guard, 3);
    exchange(
        server.addr,
        &handshake("/", &["Origin: https://app.example.com", proto, &good]),
    );
    server.next();
    exchange(
        server.addr,
        &handshake("/", &["Origin: https://app.example.com", proto, &wrong]),
    );
    server.next();
    // A hostile Origin: bytes outside ASCII (allowed in HTTP field values as obs-text) must
    // come out escaped.
    let mut hostile = handshake("/", &[proto, &good]);
    let at = hostile.len() - 2;
    hostile.splice(
        at..at,
        b"Origin: https://evil.example\xff\xfe\r\n".iter().copied(),
    );
    exchange(server.addr, &hostile);
    server.next();

    let encoded_good = data_encoding::BASE64URL_NOPAD.encode(TOKEN.as_bytes());
    let encoded_wrong = data_encoding::BASE64URL_NOPAD.encode(WRONG.as_bytes());
    let server = SyncServer::spawn(k8s_guard, 2);
    for encoded in [&encoded_good, &encoded_wrong] {
        let offer = format!(
            "Sec-WebSocket-Protocol: v4.channel.k8s.io, base64url.bearer.authorization.k8s.io.{encoded}"
        );
        exchange(
            server.addr,
            &handshake("/", &["Origin: https://evil.example", &offer]),
        );
        server.next();
    }

    let output = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), 5, "one event per decision:\n{output}");
    let expected: [&[&str]; 5] = [
        &[
            "DEBUG origin_policy::guard: websocket handshake allowed",
            "kind=\"handshake\" outcome=\"allowed\" status=101 check=\"\" reason=\"\"",
            "origin=\"https://app.example.com\" rule=https://app.example.com subprotocol=\"graphql-ws\" authenticated=true",
        ],
        &[
            " INFO origin_policy::guard: websocket handshake denied",
            "outcome=\"denied\" status=401 check=\"authentication\" reason=\"invalid\"",
            "origin=\"https://app.example.com\"",
            "authenticated=false",
        ],
        &[
            " INFO origin_policy::guard: websocket handshake denied",
            "outcome=\"denied\" status=403 check=\"origin\" reason=\"malformed\"",
            r#"origin="https://evil.example\xff\xfe""#,
        ],
        &[
            " WARN origin_policy::guard: websocket handshake report-only",
            "outcome=\"report-only\" status=101 check=\"origin\" reason=\"not-allowed\"",
            "subprotocol=\"v4.channel.k8s.io\" authenticated=true",
        ],
        // A wrong credential is refused even in report-only mode.
        &[
            " INFO origin_policy::guard: websocket handshake denied",
            "outcome=\"denied\" status=401 check=\"authentication\" reason=\"invalid\"",
            "authenticated=false",
        ],
    ];
    for (line, parts) in lines.iter().zip(expected) {
        for part in parts {
            assert!(line.contains(part), "{part:?} missing from {line:?}");
        }
    }
    // No credential, raw or encoded, and no identity.
    for secret in [TOKEN, WRONG, &encoded_good, &encoded_wrong, "alice"] {
        assert!(!output.contains(secret), "{secret:?} was logged:\n{output}");
    }
}
