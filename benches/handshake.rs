//! The cost of a `HandshakeGuard` on a whole server handshake, against tungstenite alone.
//!
//! Every iteration runs a complete tungstenite server handshake over an in-memory stream:
//! parse the request bytes a Chromium 156 sends (headers in its order, a session cookie,
//! `Sec-WebSocket-Protocol: graphql-transport-ws, graphql-ws`), run the callback, write the
//! response. The stream is the same for every variant, so the differences are the callbacks:
//!
//! - `bare_accept`: `tungstenite::accept`, no callback (no checks at all).
//! - `policy_callback`: `accept_hdr(stream, &policy)`, the origin check only.
//! - `guard_origin`: `accept_hdr(stream, &guard)` with a guard holding only the policy.
//! - `guard_full`: origin, subprotocol negotiation and cookie authentication against a
//!   `StaticTokens` table, through `guard.callback(&mut slot)` (the outcome is handed back).
//! - `guard_full_denied`: the same guard refusing the origin (`403` written).
//!
//! Results and ratios are in `benches/HANDSHAKE.md`.

use std::hint::black_box;
use std::io::{self, Cursor, Read, Write};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use origin_policy::guard::auth::{StaticTokens, TokenSource};
use origin_policy::guard::HandshakeGuard;
use origin_policy::OriginPolicy;

/// A Chromium handshake (header order and values as captured), with a session cookie.
const CHROMIUM: &str = "GET /graphql HTTP/1.1\r\n\
Host: ws.example.com:8082\r\n\
Connection: Upgrade\r\n\
Pragma: no-cache\r\n\
Cache-Control: no-cache\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36\r\n\
Upgrade: websocket\r\n\
Origin: ORIGIN\r\n\
Sec-WebSocket-Version: 13\r\n\
Accept-Encoding: gzip, deflate\r\n\
Accept-Language: en-US,en;q=0.9\r\n\
Cookie: c_lax=1; session=3q2-7wVZb8kR0xLmT4nJ9a; c_strict=1\r\n\
Sec-WebSocket-Key: GrrDtD/MC1Pkskkull1xsQ==\r\n\
Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\
Sec-WebSocket-Protocol: graphql-transport-ws, graphql-ws\r\n\
\r\n";

/// Request bytes in, response bytes out; what a TCP stream is to tungstenite.
struct Memory {
    input: Cursor<Vec<u8>>,
    output: Vec<u8>,
}

impl Memory {
    fn new(request: &[u8]) -> Memory {
        Memory {
            input: Cursor::new(request.to_vec()),
            output: Vec::with_capacity(256),
        }
    }
}

impl Read for Memory {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.input.read(buf)
    }
}

impl Write for Memory {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.output.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn request(origin: &str) -> Vec<u8> {
    CHROMIUM.replace("ORIGIN", origin).into_bytes()
}

fn policy() -> OriginPolicy {
    "http://app.example.com:8081, https://app.example.com, https://*.tenant.example.com"
        .parse()
        .expect("bench policy")
}

fn full_guard() -> HandshakeGuard<u64> {
    let tokens = StaticTokens::new([
        ("3q2-7wVZb8kR0xLmT4nJ9a", 42),
        ("Zp0-1aB2c3D4e5F6g7H8i9", 43),
    ])
    .expect("bench tokens");
    HandshakeGuard::builder(policy())
        .subprotocols(["graphql-transport-ws", "graphql-ws"])
        .authenticate_token(TokenSource::cookie("session"), move |t| tokens.verify(t))
        .build()
        .expect("bench guard")
}

fn handshakes(c: &mut Criterion) {
    let allowed = request("http://app.example.com:8081");
    let denied = request("https://evil.example");
    let policy = policy();
    let origin_guard = HandshakeGuard::builder(policy.clone()).build().unwrap();
    let guard = full_guard();

    // Every variant must do what its name says before it is timed.
    assert!(tungstenite::accept(Memory::new(&allowed)).is_ok());
    assert!(tungstenite::accept_hdr(Memory::new(&allowed), &policy).is_ok());
    assert!(tungstenite::accept_hdr(Memory::new(&denied), &policy).is_err());
    let mut slot = None;
    let socket = tungstenite::accept_hdr(Memory::new(&allowed), guard.callback(&mut slot)).unwrap();
    let response = String::from_utf8_lossy(&socket.get_ref().output).into_owned();
    assert!(
        response.contains("sec-websocket-protocol: graphql-transport-ws"),
        "{response}"
    );
    assert_eq!(slot.unwrap().identity, Some(42));

    let mut group = c.benchmark_group("handshake");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("bare_accept", |b| {
        b.iter(|| tungstenite::accept(Memory::new(black_box(&allowed))).is_ok())
    });
    group.bench_function("policy_callback", |b| {
        b.iter(|| tungstenite::accept_hdr(Memory::new(black_box(&allowed)), &policy).is_ok())
    });
    group.bench_function("guard_origin", |b| {
        b.iter(|| tungstenite::accept_hdr(Memory::new(black_box(&allowed)), &origin_guard).is_ok())
    });
    group.bench_function("guard_full", |b| {
        b.iter(|| {
            let mut slot = None;
            let ok = tungstenite::accept_hdr(
                Memory::new(black_box(&allowed)),
                guard.callback(&mut slot),
            )
            .is_ok();
            (ok, slot)
        })
    });
    group.bench_function("guard_full_denied", |b| {
        b.iter(|| {
            let mut slot = None;
            let ok =
                tungstenite::accept_hdr(Memory::new(black_box(&denied)), guard.callback(&mut slot))
                    .is_ok();
            (ok, slot)
        })
    });
    group.finish();

    // The guard's decision alone, without the handshake around it.
    let parsed = http::Request::get("/graphql")
        .header("origin", "http://app.example.com:8081")
        .header("sec-websocket-version", "13")
        .header(
            "cookie",
            "c_lax=1; session=3q2-7wVZb8kR0xLmT4nJ9a; c_strict=1",
        )
        .header("sec-websocket-protocol", "graphql-transport-ws, graphql-ws")
        .body(())
        .unwrap();
    let mut group = c.benchmark_group("evaluate");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("policy_check", |b| {
        b.iter(|| policy.check(black_box(&parsed)).is_allowed())
    });
    group.bench_function("guard_full", |b| {
        b.iter(|| guard.evaluate(black_box(&parsed)))
    });
    group.finish();
}

criterion_group!(benches, handshakes);
criterion_main!(benches);
