//! Helpers for the `HandshakeGuard` socket tests: a tungstenite server thread guarded by a
//! guard, hand-written handshakes, a raw HTTP/1.1 response reader, and the assertions on
//! rejection responses.
//!
//! Nothing here can hang a test: every socket has read and write timeouts, and a server
//! accepts a bounded number of connections within a deadline, then stops by itself.
// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use origin_policy::guard::{GuardOutcome, HandshakeGuard};

/// Read and write timeout of every socket; a test waits at most a few of these.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// A valid `Sec-WebSocket-Key` (RFC 6455 section 1.3's example).
pub const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// What the server thread saw for one connection.
#[derive(Debug)]
pub struct Handled<I> {
    /// The slot the guard's callback fills; `None` if the guard never ran.
    pub outcome: Option<GuardOutcome<I>>,
    /// Whether `tungstenite::accept_hdr` returned a socket.
    pub accepted: bool,
}

/// A tungstenite server on 127.0.0.1 that runs `accept_hdr(stream, guard.callback(&mut slot))`
/// for each connection, closes it, and reports the slot.
pub struct SyncServer<I> {
    pub addr: SocketAddr,
    handled: mpsc::Receiver<Handled<I>>,
}

impl<I: Send + 'static> SyncServer<I> {
    /// Serves up to `connections` connections, for at most a minute.
    pub fn spawn(guard: HandshakeGuard<I>, connections: usize) -> SyncServer<I> {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            let mut served = 0;
            while served < connections && Instant::now() < deadline {
                let stream = match listener.accept() {
                    Ok((stream, _)) => stream,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        thread::sleep(Duration::from_millis(2));
                        continue;
                    }
                    Err(e) => panic!("accept: {e}"),
                };
                served += 1;
                stream.set_nonblocking(false).unwrap();
                stream.set_read_timeout(Some(TIMEOUT)).unwrap();
                stream.set_write_timeout(Some(TIMEOUT)).unwrap();
                let mut slot = None;
                let accepted = tungstenite::accept_hdr(stream, guard.callback(&mut slot)).is_ok();
                // Dropping the socket closes the connection, so clients can read to the end.
                if tx
                    .send(Handled {
                        outcome: slot,
                        accepted,
                    })
                    .is_err()
                {
                    return;
                }
            }
        });
        SyncServer { addr, handled: rx }
    }

    /// What the server saw for the next connection.
    #[track_caller]
    pub fn next(&self) -> Handled<I> {
        self.handled
            .recv_timeout(TIMEOUT)
            .expect("the server handled a connection in time")
    }

    /// `ws://127.0.0.1:port{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }
}

/// A connected client socket with timeouts.
#[track_caller]
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).expect("connect to the test server");
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(TIMEOUT)).unwrap();
    stream
}

/// A handshake as a browser writes it: `GET path`, the upgrade headers, version 13 and a key,
/// then `extra` lines in order (each `Name: value`, written byte for byte).
pub fn handshake(path: &str, extra: &[&str]) -> Vec<u8> {
    handshake_with_version(path, Some("13"), extra)
}

/// Like [`handshake`], with another `Sec-WebSocket-Version` (or none).
pub fn handshake_with_version(path: &str, version: Option<&str>, extra: &[&str]) -> Vec<u8> {
    let mut request = format!(
        "GET {path} HTTP/1.1\r\nHost: ws.example.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
    );
    if let Some(version) = version {
        request.push_str(&format!("Sec-WebSocket-Version: {version}\r\n"));
    }
    request.push_str(&format!("Sec-WebSocket-Key: {KEY}\r\n"));
    for line in extra {
        request.push_str(line);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    request.into_bytes()
}

/// Sends `request` and reads until the server closes the connection.
#[track_caller]
pub fn exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = connect(addr);
    stream.write_all(request).expect("write the handshake");
    let mut response = Vec::new();
    match stream.read_to_end(&mut response) {
        Ok(_) => {}
        // A server that closes with unread data may reset the connection.
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("read the response: {e}"),
    }
    response
}

// (`guard_tracing`, which has this module too, reads no raw response.)
#[allow(unused_imports)]
pub use crate::common::wire::{parse_response, RawResponse};

/// Asserts that `response` is a well-formed rejection: `status`, the exact `body`,
/// `Content-Type: text/plain`, a `Content-Length` that matches, `Connection: close`, no
/// `Sec-WebSocket-Accept`, and none of the `presented` request values echoed anywhere.
#[track_caller]
pub fn assert_rejection(response: &RawResponse, status: u16, body: &str, presented: &[&str]) {
    assert_eq!(response.status, status, "{response:#?}");
    assert_eq!(String::from_utf8_lossy(&response.body), body, "body");
    assert_eq!(response.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(response.header("content-length"), body.len().to_string());
    assert!(
        response
            .header("connection")
            .split(',')
            .any(|option| option.trim().eq_ignore_ascii_case("close")),
        "Connection: close in {response:#?}"
    );
    assert_eq!(response.all("sec-websocket-accept").len(), 0);
    assert_eq!(response.all("sec-websocket-protocol").len(), 0);
    let text = response.text();
    for value in presented {
        assert!(
            !text.contains(value),
            "the response echoes {value:?}: {text:?}"
        );
    }
}
