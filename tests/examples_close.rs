//! The examples' WebSocket servers complete the close handshake (issue 15): a client's
//! close(1000) is answered and flushed before the connection is dropped, so the client sees
//! 1000 and not 1006. Each test runs the example's own serving function (the example file is
//! compiled into this binary as a module) over loopback against a tungstenite client.
//! Covers `server`, `reload`, `graphql_ws` and `axum_app`. Needs `tungstenite`; the reload
//! example also needs `reload`, the axum one `tower`.
#![cfg(feature = "tungstenite")]

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use tungstenite::client::IntoClientRequest;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::CloseFrame;
use tungstenite::{Error, Message};

#[path = "../examples/server.rs"]
#[allow(dead_code)]
mod server_example;

#[cfg(feature = "reload")]
#[path = "../examples/reload.rs"]
#[allow(dead_code)]
mod reload_example;

#[cfg(feature = "tower")]
#[path = "../examples/axum_app.rs"]
#[allow(dead_code)]
mod axum_app_example;

#[path = "../examples/graphql_ws.rs"]
#[allow(dead_code)]
mod graphql_ws_example;

const ORIGIN: &str = "http://localhost:8080";

/// Opens a socket with `headers`, sends one text message and reads its echo (when `echo`),
/// closes with 1000, and returns the close frame the server answered with. Panics (naming
/// what happened) when the connection ends without the server's close frame: the 1006 case.
#[track_caller]
fn close_normally(addr: SocketAddr, headers: &[(&'static str, &str)], echo: bool) -> CloseFrame {
    close_normally_at(addr, "/graphql", headers, echo)
}

/// [`close_normally`] on the URL path `path`.
#[track_caller]
fn close_normally_at(
    addr: SocketAddr,
    path: &str,
    headers: &[(&'static str, &str)],
    echo: bool,
) -> CloseFrame {
    let stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut request = format!("ws://{addr}{path}")
        .into_client_request()
        .expect("request");
    for (name, value) in headers {
        request
            .headers_mut()
            .insert(*name, value.parse().expect("header value"));
    }
    let (mut socket, _) = tungstenite::client(request, stream).expect("handshake");
    if echo {
        socket.send(Message::text("hello")).expect("send");
        assert_eq!(socket.read().expect("echo"), Message::text("hello"));
    }
    socket
        .close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "bye".into(),
        }))
        .expect("close");
    let mut reply = None;
    loop {
        match socket.read() {
            Ok(Message::Close(frame)) => reply = frame,
            Ok(_) => {}
            // The server's close frame arrived and the connection ended cleanly.
            Err(Error::ConnectionClosed) => break,
            Err(e) => panic!("the connection ended without the server's close frame (1006): {e}"),
        }
    }
    reply.expect("the server answered the close without a status code")
}

#[track_caller]
fn assert_normal(frame: &CloseFrame) {
    assert_eq!(frame.code, CloseCode::Normal, "{frame:?}");
}

/// One connection served by `serve` on a fresh loopback listener.
fn serve_one(serve: impl FnOnce(TcpStream) + Send + 'static) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accept");
        serve(stream);
    });
    addr
}

#[test]
fn server_example_answers_a_close() {
    let guard = origin_policy::HandshakeGuard::builder(ORIGIN.parse().expect("policy"))
        .build()
        .expect("guard");
    let addr = serve_one(move |stream| server_example::serve(&guard, stream));
    assert_normal(&close_normally(addr, &[("origin", ORIGIN)], true));
}

#[cfg(feature = "reload")]
#[test]
fn reload_example_answers_a_close() {
    let shared = origin_policy::SharedPolicy::new(ORIGIN.parse().expect("policy"));
    let addr = serve_one(move |stream| reload_example::serve(&shared, stream));
    assert_normal(&close_normally(addr, &[("origin", ORIGIN)], true));
}

#[test]
fn graphql_ws_example_answers_a_close() {
    use origin_policy::guard::auth::{StaticTokens, TokenSource};
    use origin_policy::guard::HandshakeGuard;
    use std::sync::Arc;

    let tokens = StaticTokens::new([("t0k3n".to_owned(), "demo-user".to_owned())]).unwrap();
    let guard = HandshakeGuard::builder(ORIGIN.parse().expect("policy"))
        .subprotocols(["graphql-transport-ws", "graphql-ws"])
        .authenticate_token(TokenSource::bearer(), move |token| tokens.verify(token))
        .build()
        .expect("guard");
    let guard = Arc::new(guard);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let client = thread::spawn(move || {
        close_normally(
            addr,
            &[
                ("origin", ORIGIN),
                ("authorization", "Bearer t0k3n"),
                ("sec-websocket-protocol", "graphql-transport-ws"),
            ],
            false,
        )
    });
    runtime.block_on(async move {
        let (stream, peer) = listener.accept().await.expect("accept");
        graphql_ws_example::serve(guard, stream, peer).await;
    });
    assert_normal(&client.join().expect("client"));
}

#[cfg(feature = "tower")]
#[test]
fn axum_app_example_answers_a_close() {
    let policy: origin_policy::OriginPolicy = ORIGIN.parse().expect("policy");
    let cors = origin_policy::cors::Cors::builder(policy)
        .build()
        .expect("cors");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let client = thread::spawn(move || close_normally_at(addr, "/ws", &[("origin", ORIGIN)], true));
    runtime.block_on(async move {
        let server =
            tokio::spawn(async move { axum::serve(listener, axum_app_example::app(cors)).await });
        // The client thread ends once the close handshake is over (or has failed).
        while !client.is_finished() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        server.abort();
        assert_normal(&client.join().expect("client"));
    });
}
