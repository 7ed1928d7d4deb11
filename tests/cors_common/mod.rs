//! Helpers for the CORS and layer socket tests: an axum app behind a layer on 127.0.0.1, and
//! a hyper client (HTTP/1.1 or HTTP/2) that opens a fresh connection per request.
//!
//! Nothing here can hang a test: every request, connection and body read is bounded by
//! [`TIMEOUT`], and servers are tasks of the test's own runtime, which stop with it.
// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::ws::{Message, WebSocketUpgrade};
use axum::extract::Extension;
use axum::response::sse::{Event, Sse};
use axum::response::IntoResponse;
use axum::routing::{any, get, options};
use axum::{Json, Router};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use origin_policy::Decision;
use tokio::net::{TcpListener, TcpStream};

/// The bound on every network step of a test.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// How many times each handler ran: the layer must answer refusals and preflights itself.
#[derive(Debug, Default, Clone)]
pub struct Calls {
    pub ws: Arc<AtomicUsize>,
    pub api: Arc<AtomicUsize>,
    pub events: Arc<AtomicUsize>,
    pub options: Arc<AtomicUsize>,
}

impl Calls {
    pub fn ws(&self) -> usize {
        self.ws.load(Ordering::SeqCst)
    }
    pub fn api(&self) -> usize {
        self.api.load(Ordering::SeqCst)
    }
    pub fn events(&self) -> usize {
        self.events.load(Ordering::SeqCst)
    }
    pub fn options(&self) -> usize {
        self.options.load(Ordering::SeqCst)
    }
    pub fn total(&self) -> usize {
        self.ws() + self.api() + self.events() + self.options()
    }
}

/// The test application, without any layer:
///
/// - `/ws`: an axum `WebSocketUpgrade` handler (HTTP/1.1 `GET` or HTTP/2 `CONNECT`) that
///   echoes text messages;
/// - `/events`: two server-sent events, then the end of the stream;
/// - `/api`: any method; JSON naming the method and the `Decision` the layer stored (or
///   `null` without a layer); sets `Vary: Accept-Encoding` itself, for the merge tests;
/// - `/options`: an application `OPTIONS` handler (for non-preflight `OPTIONS`).
pub fn app(calls: &Calls) -> Router {
    let ws_calls = Arc::clone(&calls.ws);
    let api_calls = Arc::clone(&calls.api);
    let events_calls = Arc::clone(&calls.events);
    let options_calls = Arc::clone(&calls.options);
    Router::new()
        .route(
            "/ws",
            any(move |ws: WebSocketUpgrade| {
                ws_calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    ws.on_upgrade(|mut socket| async move {
                        while let Some(Ok(Message::Text(text))) = socket.recv().await {
                            if socket.send(Message::Text(text)).await.is_err() {
                                break;
                            }
                        }
                    })
                }
            }),
        )
        .route(
            "/events",
            get(move || {
                events_calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    let events =
                        ["one", "two"].map(|data| Ok::<_, Infallible>(Event::default().data(data)));
                    Sse::new(futures_util::stream::iter(events))
                }
            }),
        )
        .route(
            "/api",
            any(
                move |method: Method, decision: Option<Extension<Decision>>| {
                    api_calls.fetch_add(1, Ordering::SeqCst);
                    async move {
                        let decision = decision.map(|Extension(decision)| decision.to_string());
                        let body =
                            serde_json::json!({ "method": method.as_str(), "decision": decision });
                        ([(http::header::VARY, "Accept-Encoding")], Json(body)).into_response()
                    }
                },
            ),
        )
        .route(
            "/options",
            options(move || {
                options_calls.fetch_add(1, Ordering::SeqCst);
                async { (StatusCode::OK, "application OPTIONS") }
            }),
        )
}

/// Serves `router` on 127.0.0.1 (a free port) with `axum::serve` (HTTP/1.1 and HTTP/2,
/// extended CONNECT enabled) and returns the address.
pub async fn serve(router: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local address");
    tokio::spawn(async move {
        axum::serve(listener, router).await.expect("serve");
    });
    addr
}

/// A response, read in full.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    /// The single value of `name`, as a string; `None` when absent.
    #[track_caller]
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut values = self.headers.get_all(name).iter();
        let value = values.next()?;
        assert!(
            values.next().is_none(),
            "several {name} lines: {:?}",
            self.headers
        );
        Some(value.to_str().expect("ASCII header value"))
    }

    /// Every line of `name`, in order.
    pub fn header_lines(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect()
    }

    /// The CORS response headers (`access-control-*`), name and value, sorted.
    pub fn cors_headers(&self) -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .filter(|(name, _)| name.as_str().starts_with("access-control-"))
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        headers.sort();
        headers
    }

    /// The `Vary` names, lower-cased, in order, across lines.
    pub fn vary(&self) -> Vec<String> {
        self.headers
            .get_all(http::header::VARY)
            .iter()
            .flat_map(|v| v.to_str().expect("ASCII Vary").split(','))
            .map(|name| name.trim().to_ascii_lowercase())
            .filter(|name| !name.is_empty())
            .collect()
    }
}

/// A request with `headers` (appended in order, so a name may repeat) and an empty body.
#[track_caller]
pub fn request(method: &str, uri: &str, headers: &[(&str, &str)]) -> Request<Full<Bytes>> {
    let mut request = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).expect("method"))
        .uri(uri)
        .body(Full::new(Bytes::new()))
        .expect("request");
    for &(name, value) in headers {
        request.headers_mut().append(
            http::HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            HeaderValue::from_bytes(value.as_bytes()).expect("header value"),
        );
    }
    request
}

/// Sends one request over a fresh HTTP/1.1 connection to `addr` and reads the whole reply.
pub async fn send(addr: SocketAddr, request: Request<Full<Bytes>>) -> Reply {
    tokio::time::timeout(TIMEOUT, async {
        let stream = TcpStream::connect(addr).await.expect("connect");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("HTTP/1.1 handshake");
        tokio::spawn(connection);
        let mut request = request;
        if !request.headers().contains_key(http::header::HOST) {
            let host = HeaderValue::from_str(&addr.to_string()).expect("host");
            request.headers_mut().insert(http::header::HOST, host);
        }
        read(sender.send_request(request).await.expect("response")).await
    })
    .await
    .expect("the request finished in time")
}

/// Sends one request with [`request`]'s arguments over HTTP/1.1.
pub async fn send_h1(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> Reply {
    send(addr, request(method, path, headers)).await
}

/// An HTTP/2 connection (prior knowledge, no TLS) to `addr`.
pub struct H2 {
    sender: hyper::client::conn::http2::SendRequest<Full<Bytes>>,
    addr: SocketAddr,
}

impl H2 {
    /// Connects, and waits for the server's SETTINGS by making one plain request first, so
    /// that extended CONNECT (RFC 8441, `SETTINGS_ENABLE_CONNECT_PROTOCOL`) is known.
    pub async fn connect(addr: SocketAddr) -> H2 {
        tokio::time::timeout(TIMEOUT, async {
            let stream = TcpStream::connect(addr).await.expect("connect");
            let (sender, connection) =
                hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
                    .await
                    .expect("HTTP/2 handshake");
            tokio::spawn(connection);
            let mut h2 = H2 { sender, addr };
            let warm_up = h2.send(request("GET", "/nothing-here", &[])).await;
            assert_eq!(warm_up.status, StatusCode::NOT_FOUND);
            h2
        })
        .await
        .expect("connected in time")
    }

    /// Sends one request on the connection (an absolute URI is made from a path).
    pub async fn send(&mut self, mut request: Request<Full<Bytes>>) -> Reply {
        if request.uri().authority().is_none() {
            let uri = format!("http://{}{}", self.addr, request.uri());
            *request.uri_mut() = uri.parse().expect("absolute URI");
        }
        tokio::time::timeout(TIMEOUT, async {
            self.sender.ready().await.expect("connection ready");
            read(self.sender.send_request(request).await.expect("response")).await
        })
        .await
        .expect("the request finished in time")
    }
}

async fn read(response: Response<hyper::body::Incoming>) -> Reply {
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// An extended CONNECT request for a WebSocket over HTTP/2 (RFC 8441 section 4).
pub fn h2_websocket(path: &str, origin: &str) -> Request<Full<Bytes>> {
    let mut request = request(
        "CONNECT",
        path,
        &[("origin", origin), ("sec-websocket-version", "13")],
    );
    request
        .extensions_mut()
        .insert(hyper::ext::Protocol::from_static("websocket"));
    request
}

/// A body of `Body` type for in-process calls.
pub fn empty() -> Body {
    Body::empty()
}
