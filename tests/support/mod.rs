//! Helpers shared by the socket tests: a tungstenite server thread guarded by a policy, hand
//! written handshakes, a raw HTTP/1.1 response reader, and the assertions on the `403`.
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

use http::{HeaderValue, Response, StatusCode};
use origin_policy::{Decision, DenyReason, OriginPolicy};
use tungstenite::client::IntoClientRequest;
use tungstenite::handshake::client::Request as ClientRequest;
use tungstenite::handshake::server::Callback;
use tungstenite::{HandshakeError, Message, WebSocket};

/// Read and write timeout of every socket; a test waits at most a few of these.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// What a rejected handshake looks like to tungstenite, on both sides.
pub type ErrorResponse = Response<Option<Vec<u8>>>;

/// A policy from its string form; panics with the input if it is invalid.
#[track_caller]
pub fn policy(entries: &str) -> OriginPolicy {
    entries
        .parse()
        .unwrap_or_else(|err| panic!("test policy {entries:?} is invalid: {err}"))
}

/// The exact rejection body for each reason, written out here (not taken from the crate) so
/// that any change to what clients see is noticed.
pub fn expected_body(reason: DenyReason) -> &'static str {
    match reason {
        DenyReason::Missing => "forbidden: no Origin header\n",
        DenyReason::Null => "forbidden: the origin null is not allowed\n",
        DenyReason::Multiple => "forbidden: several origins\n",
        DenyReason::Malformed => "forbidden: the origin is malformed\n",
        DenyReason::NotAllowed => "forbidden: the origin is not allowed\n",
        other => panic!("no expected body written for {other:?}: add it here"),
    }
}

/// Asserts that `response` is the crate's rejection for `reason`: `403`, the exact body, a
/// `Content-Length` that matches it, `Connection: close`, no upgrade headers, and none of the
/// `presented` request values (Origin, Host, cookies, ...) echoed in the body or headers.
#[track_caller]
pub fn assert_rejection(response: &ErrorResponse, reason: DenyReason, presented: &[&str]) {
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "{reason:?}: {response:?}"
    );
    let body = response.body().as_deref().unwrap_or_default();
    assert_eq!(
        String::from_utf8_lossy(body),
        expected_body(reason),
        "{reason:?}: body"
    );
    let headers = response.headers();
    assert_eq!(
        one_header(response, "content-type"),
        "text/plain; charset=utf-8"
    );
    assert_eq!(one_header(response, "connection"), "close");
    assert_eq!(
        one_header(response, "content-length"),
        body.len().to_string(),
        "{reason:?}: Content-Length must be the body length"
    );
    for name in ["upgrade", "sec-websocket-accept", "set-cookie"] {
        assert!(
            !headers.contains_key(name),
            "{reason:?}: a 403 must not carry {name}"
        );
    }
    // `null` is exempt: the fixed message for that reason names it.
    let echoable = |v: &&&str| !v.is_empty() && !v.eq_ignore_ascii_case("null");
    for value in presented.iter().filter(echoable) {
        let value_lower = value.to_ascii_lowercase();
        let body_lower = String::from_utf8_lossy(body).to_ascii_lowercase();
        assert!(
            !body_lower.contains(&value_lower),
            "{reason:?}: the body echoes the request value {value:?}"
        );
        for (name, header) in headers {
            let header = String::from_utf8_lossy(header.as_bytes()).to_ascii_lowercase();
            assert!(
                !header.contains(&value_lower),
                "{reason:?}: header {name} echoes the request value {value:?}"
            );
        }
    }
}

/// The only value of header `name`; panics when it is absent or repeated.
#[track_caller]
pub fn one_header<B>(response: &Response<B>, name: &str) -> String {
    let values: Vec<&HeaderValue> = response.headers().get_all(name).iter().collect();
    assert_eq!(
        values.len(),
        1,
        "header {name}: expected exactly one, got {values:?}"
    );
    values[0]
        .to_str()
        .expect("header value is ASCII")
        .to_owned()
}

/// Which callback the server hands to `tungstenite::accept_hdr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `accept_hdr(stream, &policy)`.
    Plain,
    /// `accept_hdr(stream, policy.callback_with(..))`, recording the decision.
    Observed,
}

/// What the server did with one connection.
#[derive(Debug)]
pub enum Outcome {
    /// The handshake completed; the number of messages echoed before the client left.
    Accepted { echoed: usize },
    /// `accept_hdr` returned `Error::Http`: the response it sent.
    Rejected(Box<ErrorResponse>),
    /// Any other error, as text.
    Failed(String),
}

/// One connection as the server saw it, passed back to the test over a channel.
#[derive(Debug)]
pub struct Handled {
    /// The decision `callback_with` observed (`None` in [`Mode::Plain`]).
    pub decision: Option<Decision>,
    pub outcome: Outcome,
}

/// A blocking tungstenite echo server on 127.0.0.1, guarded by a policy, in its own thread.
#[derive(Debug)]
pub struct Server {
    pub addr: SocketAddr,
    handled: mpsc::Receiver<Handled>,
}

impl Server {
    /// Binds port 0 and serves `connections` connections one after another, then stops. It
    /// also stops when no client comes for a while, so a failing test cannot leave it hanging.
    #[track_caller]
    pub fn spawn(policy: OriginPolicy, connections: usize, mode: Mode) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("bound address");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let (sender, handled) = mpsc::channel();
        thread::spawn(move || {
            for _ in 0..connections {
                let Some(stream) = accept_within(&listener, TIMEOUT * 3) else {
                    return;
                };
                let handled = serve(&policy, stream, mode);
                if sender.send(handled).is_err() {
                    return; // the test is gone
                }
            }
        });
        Server { addr, handled }
    }

    /// The next connection the server finished with.
    #[track_caller]
    pub fn next(&self) -> Handled {
        self.handled
            .recv_timeout(TIMEOUT * 2)
            .expect("the server reported no connection in time")
    }

    /// `ws://` URL of the server.
    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }
}

fn accept_within(listener: &TcpListener, limit: Duration) -> Option<TcpStream> {
    let deadline = Instant::now() + limit;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).ok()?;
                set_timeouts(&stream);
                return Some(stream);
            }
            Err(err) if err.kind() == io::ErrorKind::WouldBlock && Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(2));
            }
            Err(_) => return None,
        }
    }
}

fn serve(policy: &OriginPolicy, stream: TcpStream, mode: Mode) -> Handled {
    match mode {
        Mode::Plain => Handled {
            decision: None,
            outcome: handshake_and_echo(stream, policy),
        },
        Mode::Observed => {
            let mut seen = None;
            // The deprecated `callback_with` keeps working.
            #[allow(deprecated)]
            let outcome =
                handshake_and_echo(stream, policy.callback_with(|d| seen = Some(d.clone())));
            Handled {
                decision: seen,
                outcome,
            }
        }
    }
}

fn handshake_and_echo<C: Callback>(stream: TcpStream, callback: C) -> Outcome {
    match tungstenite::accept_hdr(stream, callback) {
        Ok(mut socket) => {
            let mut echoed = 0;
            // Until the client closes, hangs up or times out.
            loop {
                match socket.read() {
                    Ok(message @ (Message::Text(_) | Message::Binary(_))) => {
                        if socket.send(message).is_err() {
                            break;
                        }
                        echoed += 1;
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
            Outcome::Accepted { echoed }
        }
        // The stream was dropped with the error: the server has closed the connection.
        Err(HandshakeError::Failure(tungstenite::Error::Http(response))) => {
            Outcome::Rejected(response)
        }
        Err(err) => Outcome::Failed(err.to_string()),
    }
}

impl Outcome {
    /// The response of a rejected handshake; panics otherwise.
    #[track_caller]
    pub fn rejected(self) -> Box<ErrorResponse> {
        match self {
            Outcome::Rejected(response) => response,
            other => panic!("expected the server to reject the handshake, got {other:?}"),
        }
    }
}

fn set_timeouts(stream: &TcpStream) {
    stream
        .set_read_timeout(Some(TIMEOUT))
        .expect("read timeout");
    stream
        .set_write_timeout(Some(TIMEOUT))
        .expect("write timeout");
}

/// A client TCP connection with timeouts.
#[track_caller]
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, TIMEOUT).expect("connect to the test server");
    set_timeouts(&stream);
    stream
}

/// A tungstenite client request for `ws://addr/ws` with one `Origin` line per entry.
#[track_caller]
pub fn ws_request(addr: SocketAddr, origins: &[&str]) -> ClientRequest {
    let mut request = format!("ws://{addr}/ws")
        .into_client_request()
        .expect("a valid ws URL");
    for origin in origins {
        let value = HeaderValue::from_str(origin).expect("a valid header value");
        request.headers_mut().append(http::header::ORIGIN, value);
    }
    request
}

/// Runs a tungstenite client handshake that must succeed.
#[track_caller]
pub fn client_accepted(
    addr: SocketAddr,
    origins: &[&str],
) -> (WebSocket<TcpStream>, Response<Option<Vec<u8>>>) {
    match tungstenite::client(ws_request(addr, origins), connect(addr)) {
        Ok(pair) => pair,
        Err(err) => panic!("origins {origins:?}: expected a 101, got {err}"),
    }
}

/// Runs a tungstenite client handshake that must be refused with an HTTP response.
#[track_caller]
pub fn client_rejected(addr: SocketAddr, origins: &[&str]) -> Box<ErrorResponse> {
    match tungstenite::client(ws_request(addr, origins), connect(addr)) {
        Err(HandshakeError::Failure(tungstenite::Error::Http(response))) => response,
        Err(err) => panic!("origins {origins:?}: expected an HTTP error response, got {err}"),
        Ok((_, response)) => panic!("origins {origins:?}: expected a refusal, got {response:?}"),
    }
}

/// Sends one text message and asserts it comes back, then closes the socket cleanly.
#[track_caller]
pub fn assert_echo(mut socket: WebSocket<TcpStream>, text: &str) {
    socket
        .send(Message::text(text))
        .expect("send a text message");
    match socket.read().expect("read the echo") {
        Message::Text(echo) => assert_eq!(echo.as_str(), text),
        other => panic!("expected a text echo, got {other:?}"),
    }
    socket.close(None).expect("start the close handshake");
    // Drain until the server's close frame has arrived and the connection is closed.
    while socket.read().is_ok() {}
}

/// The fixed key used by hand-written handshakes (the RFC 6455 example).
pub const RAW_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// A hand-written WebSocket handshake with one `Origin` line per entry and extra header lines.
pub fn raw_handshake(host: &str, origins: &[&str], extra: &[&str]) -> Vec<u8> {
    let mut request = format!(
        "GET /ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {RAW_KEY}\r\nSec-WebSocket-Version: 13\r\n"
    );
    for origin in origins {
        request.push_str(&format!("Origin: {origin}\r\n"));
    }
    for line in extra {
        request.push_str(line);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    request.into_bytes()
}

/// Writes `request` as is and reads everything until the server closes the connection. A
/// server that keeps the connection open fails the test (read timeout).
#[track_caller]
pub fn exchange_until_close(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = connect(addr);
    stream.write_all(request).expect("write the request");
    let mut response = Vec::new();
    match stream.read_to_end(&mut response) {
        Ok(_) => response,
        Err(err) => panic!(
            "the server did not close the connection ({err}); read so far: {:?}",
            String::from_utf8_lossy(&response)
        ),
    }
}

/// Writes `request` as is and reads until the end of the response head, leaving the
/// connection open (a 101 is followed by WebSocket frames, not by a close).
#[track_caller]
pub fn exchange_head(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = connect(addr);
    stream.write_all(request).expect("write the request");
    let mut response = Vec::new();
    let mut buf = [0; 1024];
    while !response.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
            Err(err) => panic!("reading the response head: {err}"),
        }
    }
    response
}

pub use crate::common::wire::parse_response;
