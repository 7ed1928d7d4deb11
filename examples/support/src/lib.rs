//! The socket tests every recipe runs against its own server on 127.0.0.1: a real
//! tokio-tungstenite client for what browsers send, and raw TCP for what no client library
//! sends (two `Origin` lines).
//!
//! Every recipe's server allows [`ALLOWED`] and, where the stack lets the guard name it, the
//! subprotocol [`PROTOCOL`]; [`CROSS_SITE`] is any other site.
#![forbid(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Error, Message};

/// The origin every recipe allows: a dev server's page.
pub const ALLOWED: &str = "http://localhost:5173";
/// A page on another site.
pub const CROSS_SITE: &str = "https://evil.example";
/// The subprotocol the recipes' guards negotiate.
pub const PROTOCOL: &str = "echo";

/// A bound on every exchange, so that a server that hangs fails the test instead of
/// stalling it (never asserted on).
const PATIENCE: Duration = Duration::from_secs(10);

/// Connects from [`ALLOWED`] (offering `protocol`), checks the `101` names `protocol`, sends
/// one text message and expects it back.
pub async fn allowed_origin_echoes(addr: SocketAddr, path: &str, protocol: Option<&str>) {
    let request = handshake(addr, path, &[ALLOWED], protocol);
    let (mut socket, response) = within(tokio_tungstenite::connect_async(request))
        .await
        .unwrap_or_else(|error| panic!("{path}: allowed origin refused: {error}"));
    assert_eq!(response.status(), 101, "{path}");
    let chosen = response
        .headers()
        .get("sec-websocket-protocol")
        .map(|value| value.to_str().unwrap());
    assert_eq!(
        chosen, protocol,
        "{path}: the 101 must name the guard's subprotocol"
    );
    socket.send(Message::text("hello")).await.unwrap();
    let echoed = within(socket.next()).await.expect("closed").unwrap();
    assert_eq!(echoed, Message::text("hello"), "{path}");
    socket.close(None).await.unwrap();
}

/// Connects with `origin` (`None`: no `Origin` header) through tokio-tungstenite and returns
/// the status of the response that refused the handshake. Panics if it was accepted.
pub async fn refused_status(
    addr: SocketAddr,
    path: &str,
    origin: Option<&str>,
    protocol: Option<&str>,
) -> u16 {
    let origins: Vec<&str> = origin.into_iter().collect();
    let request = handshake(addr, path, &origins, protocol);
    match within(tokio_tungstenite::connect_async(request)).await {
        Ok(_) => panic!("the handshake with origin {origin:?} was accepted"),
        Err(Error::Http(response)) => response.status().as_u16(),
        Err(other) => {
            panic!("the handshake with origin {origin:?} failed without a response: {other}")
        }
    }
}

/// Sends a handshake with one `Origin` line per item of `origins` over raw TCP (no client
/// library sends two) and returns the response's status code.
pub async fn raw_status(
    addr: SocketAddr,
    path: &str,
    origins: &[&str],
    protocol: Option<&str>,
) -> u16 {
    let mut head = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    );
    for origin in origins {
        head.push_str(&format!("Origin: {origin}\r\n"));
    }
    if let Some(protocol) = protocol {
        head.push_str(&format!("Sec-WebSocket-Protocol: {protocol}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = within(TcpStream::connect(addr)).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    // The status line is all that is needed: `HTTP/1.1 403 ...`.
    let mut response = Vec::new();
    let mut buffer = [0; 1024];
    while !response.windows(2).any(|w| w == b"\r\n") {
        let read = within(stream.read(&mut buffer)).await.unwrap();
        assert!(read > 0, "the server closed without a response");
        response.extend_from_slice(&buffer[..read]);
    }
    let line = String::from_utf8_lossy(&response);
    let status = line.split(' ').nth(1).expect("a status line");
    status
        .parse()
        .unwrap_or_else(|_| panic!("no status in {line:?}"))
}

/// The four refusals every WebSocket recipe passes: cross-site (`403`), two `Origin` lines
/// (`403`, even when both are the allowed origin), no `Origin` (`403`) and, as the control,
/// the same raw request with one allowed line (`101`). `handled` counts the runs of the
/// recipe's handler: refusals must leave it as it was.
pub async fn refusals(addr: SocketAddr, path: &str, protocol: Option<&str>, handled: &AtomicUsize) {
    let before = handled.load(Ordering::SeqCst);
    let cross_site = refused_status(addr, path, Some(CROSS_SITE), protocol).await;
    assert_eq!(cross_site, 403, "{path}: cross-site origin");
    let two_lines = raw_status(addr, path, &[ALLOWED, ALLOWED], protocol).await;
    assert_eq!(two_lines, 403, "{path}: two Origin lines");
    let missing = refused_status(addr, path, None, protocol).await;
    assert_eq!(missing, 403, "{path}: no Origin");
    assert_eq!(
        handled.load(Ordering::SeqCst),
        before,
        "{path}: a refused handshake reached the handler"
    );
    // The control: the same raw request with one line is accepted, so the `403`s above
    // come from the origin check and not from the raw request itself.
    let one_line = raw_status(addr, path, &[ALLOWED], protocol).await;
    assert_eq!(one_line, 101, "{path}: one allowed Origin line");
}

fn handshake(
    addr: SocketAddr,
    path: &str,
    origins: &[&str],
    protocol: Option<&str>,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let mut request = format!("ws://{addr}{path}").into_client_request().unwrap();
    let headers = request.headers_mut();
    for origin in origins {
        headers.append("origin", HeaderValue::from_str(origin).unwrap());
    }
    if let Some(protocol) = protocol {
        headers.insert(
            "sec-websocket-protocol",
            HeaderValue::from_str(protocol).unwrap(),
        );
    }
    request
}

async fn within<F: std::future::IntoFuture>(future: F) -> F::Output {
    tokio::time::timeout(PATIENCE, future)
        .await
        .expect("the server did not answer")
}

/// Sends `head` (a whole HTTP/1.1 request head, ending in an empty line) over raw TCP and
/// returns the response's status and header lines (names lowercased), in order.
pub async fn raw_exchange(addr: SocketAddr, head: &str) -> (u16, Vec<(String, String)>) {
    let mut stream = within(TcpStream::connect(addr)).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let mut buffer = [0; 1024];
    while !response.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = within(stream.read(&mut buffer)).await.unwrap();
        assert!(
            read > 0,
            "the server closed before the end of the response head"
        );
        response.extend_from_slice(&buffer[..read]);
    }
    let text = String::from_utf8_lossy(&response);
    let head = &text[..text.find("\r\n\r\n").unwrap()];
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok());
    let status = status.unwrap_or_else(|| panic!("no status in {status_line:?}"));
    let fields = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    (status, fields)
}
