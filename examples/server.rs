//! A WebSocket echo server whose handshakes are guarded by an `OriginPolicy`.
//!
//! ```text
//! cargo run --example server
//! PORT=9001 ALLOWED_ORIGINS="https://app.example.com, https://*.tenant.example.com" cargo run --example server
//! ```
//!
//! Try it with any WebSocket client that sets `Origin`, for example
//! `websocat -H 'Origin: http://localhost:8080' ws://127.0.0.1:9001/` (allowed) and
//! `websocat -H 'Origin: https://evil.example' ws://127.0.0.1:9001/` (refused with 403).
//!
//! A client's close (`ws.close(1000)` in a page) is answered before the connection is
//! dropped, so the client sees 1000, not 1006: tungstenite queues its reply to a close frame
//! and sends it on the next `read` or `flush`, so the loop below keeps reading until
//! tungstenite reports the connection closed.
//!
//! Refused handshakes have a cost for honest clients too: Firefox delays each new connection
//! to a host and port whose handshakes failed, starting at 200-400 ms and growing 1.5 times
//! per failure up to a minute (`FailDelayManager` in its `WebSocketChannel.cpp`; a successful
//! connection clears the record), so a page that retries after a 403 reconnects more slowly
//! each time. Fix the allowlist rather than retrying in a loop.

use std::net::{TcpListener, TcpStream};
use std::{env, thread};

use origin_policy::{HandshakeGuard, OriginPolicy};
use tungstenite::Message;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = match env::var("PORT") {
        Ok(port) => port.parse().map_err(|e| format!("PORT={port:?}: {e}"))?,
        Err(_) => 9001,
    };
    let allowed = env::var("ALLOWED_ORIGINS").unwrap_or_else(|_| "http://localhost:8080".into());
    // Invalid entries stop the server at start-up with a message that names them.
    let policy: OriginPolicy = allowed.parse()?;
    for lint in policy.lint() {
        eprintln!("warning: {lint}");
    }
    eprintln!("allowed origins: {policy}");
    // The guard checks the version and the origin (add `.subprotocols(..)`,
    // `.authenticate_token(..)`, `.report_only()` or `.observe(..)` as needed). It is
    // immutable, and each connection thread gets a clone: one reference count.
    let guard = HandshakeGuard::builder(policy).build()?;

    let listener = TcpListener::bind(("127.0.0.1", port))?;
    eprintln!("listening on ws://{}/", listener.local_addr()?);
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                let guard = guard.clone();
                thread::spawn(move || serve(&guard, stream));
            }
            Err(e) => eprintln!("accept failed: {e}"),
        }
    }
    Ok(())
}

/// Serves one connection: the guarded handshake, then an echo until the client closes.
pub fn serve(guard: &HandshakeGuard, stream: TcpStream) {
    let peer = stream
        .peer_addr()
        .map_or_else(|_| "?".to_owned(), |a| a.to_string());
    // The callback leaves the guard's outcome in `outcome`, accepted or refused; the
    // decision's Display escapes what the client sent, so it is safe to log as is.
    let mut outcome = None;
    let mut socket = match tungstenite::accept_hdr(stream, guard.callback(&mut outcome)) {
        Ok(socket) => {
            if let Some(outcome) = &outcome {
                eprintln!("{peer}: {}", outcome.decision);
            }
            socket
        }
        Err(e) => {
            let error = e.to_string();
            drop(e); // the error holds the callback, and so the borrow of `outcome`
            match &outcome {
                Some(outcome) => eprintln!("{peer}: {}", outcome.decision),
                None => eprintln!("{peer}: handshake not completed: {error}"),
            }
            return;
        }
    };
    loop {
        match socket.read() {
            Ok(message @ (Message::Text(_) | Message::Binary(_))) => {
                if let Err(e) = socket.send(message) {
                    eprintln!("{peer}: send failed: {e}");
                    return;
                }
            }
            // tungstenite has queued the reply to a close frame: the next `read` sends it and
            // then reports `ConnectionClosed`. Returning here would drop the connection
            // without the reply, and the client would see 1006 instead of its own code.
            Ok(Message::Close(_)) => {}
            Err(tungstenite::Error::ConnectionClosed) => return,
            Ok(_) => {}
            Err(e) => {
                eprintln!("{peer}: {e}");
                return;
            }
        }
    }
}
