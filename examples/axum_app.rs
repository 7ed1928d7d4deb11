//! One `OriginPolicy` guarding an axum 0.8 app through one layer: a WebSocket endpoint
//! (`/ws`), a server-sent events stream (`/events`) and a JSON API with credentials (`/api`).
//!
//! ```text
//! cargo run --example axum_app --features tower
//! PORT=8080 ALLOWED_ORIGINS="https://app.example.com, http://localhost:*" cargo run --example axum_app --features tower
//! ```
//!
//! Then open `http://127.0.0.1:3000/` (same origin: everything works), or try other origins:
//!
//! ```text
//! curl -i http://127.0.0.1:3000/api -H 'Origin: http://localhost:5173'            # CORS headers
//! curl -i http://127.0.0.1:3000/api -H 'Origin: https://evil.example'             # none
//! curl -i -X POST http://127.0.0.1:3000/api -H 'Origin: https://evil.example'     # 403
//! curl -i -X OPTIONS http://127.0.0.1:3000/api -H 'Origin: http://localhost:5173' \
//!      -H 'Access-Control-Request-Method: PUT' -H 'Access-Control-Request-Headers: content-type'  # 204
//! curl -i http://127.0.0.1:3000/ws -H 'Origin: https://evil.example' -H 'Connection: Upgrade' \
//!      -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='  # 403
//! ```

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::Extension;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{Html, IntoResponse};
use axum::routing::{any, get};
use axum::{Json, Router};
use futures_util::Stream;
use origin_policy::cors::Cors;
use origin_policy::layer::OriginLayer;
use origin_policy::{Decision, OriginPolicy};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port.parse()?,
        Err(_) => 3000,
    };
    let allowed =
        std::env::var("ALLOWED_ORIGINS").unwrap_or_else(|_| "http://localhost:5173".to_owned());

    // The one allowlist: other sites from the environment, plus this server's own origin
    // (browsers send `Origin` on same-origin POSTs and on every WebSocket handshake).
    let policy = OriginPolicy::builder()
        .allow_all(allowed.split([',', ' ']).filter(|entry| !entry.is_empty()))
        .same_origin(format!("http://127.0.0.1:{port}"))
        .same_origin(format!("http://localhost:{port}"))
        .build()?;
    let cors = Cors::builder(policy)
        .allow_methods(["PUT", "DELETE"])
        .allow_headers(["content-type"])
        .allow_credentials()
        .max_age(Duration::from_secs(600))
        .build()?;
    println!("allowed origins: {}", cors.policy());

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(cors)).await?;
    Ok(())
}

/// The app: its routes behind one `OriginLayer`.
pub fn app(cors: Cors) -> Router {
    Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        // `any`: HTTP/1.1 upgrades are GET, HTTP/2 WebSockets (RFC 8441) are CONNECT.
        .route("/ws", any(websocket))
        .route("/events", get(events))
        .route("/api", get(api).post(api).put(api).delete(api))
        // One layer: upgrades from denied origins are refused with 403 before `websocket`
        // runs, preflights are answered, cross-origin writes from denied origins are refused,
        // and every other response gets its CORS headers.
        .layer(OriginLayer::new(cors).block_cross_origin_writes())
}

/// Runs only for allowed origins: the layer already refused the others.
async fn websocket(
    ws: WebSocketUpgrade,
    Extension(decision): Extension<Decision>,
) -> impl IntoResponse {
    println!("websocket: {decision}");
    ws.on_upgrade(echo)
}

/// Echoes text until the client closes. `recv` answers a close frame on the next call and
/// then returns `None`, so looping until then completes the close handshake.
async fn echo(mut socket: WebSocket) {
    while let Some(Ok(message)) = socket.recv().await {
        if let Message::Text(text) = message {
            if socket.send(Message::Text(text)).await.is_err() {
                break;
            }
        }
    }
}

/// A tick every second. CORS applies to it like to any response.
async fn events() -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let ticks = futures_util::stream::unfold(0u64, |n| async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        Some((Ok(Event::default().data(format!("tick {n}"))), n + 1))
    });
    Sse::new(ticks).keep_alive(KeepAlive::default())
}

/// The layer's decision is in the request extensions; `Display` is safe to log.
async fn api(
    method: http::Method,
    Extension(decision): Extension<Decision>,
) -> Json<serde_json::Value> {
    println!("api {method}: {decision}");
    Json(serde_json::json!({
        "method": method.as_str(),
        "origin_allowed": decision.is_allowed(),
    }))
}

const PAGE: &str = r#"<!doctype html>
<meta charset="utf-8"><title>origin-policy axum example</title>
<pre id="log"></pre>
<script>
const log = (line) => document.getElementById("log").textContent += line + "\n";
const ws = new WebSocket(`ws://${location.host}/ws`);
ws.onopen = () => ws.send("hello over /ws");
ws.onmessage = (e) => log("ws echo: " + e.data);
ws.onclose = (e) => log("ws closed: " + e.code);
const events = new EventSource("/events", { withCredentials: true });
events.onmessage = (e) => log("sse: " + e.data);
fetch("/api", { method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body: "{}" })
  .then((r) => r.json()).then((j) => log("api: " + JSON.stringify(j)));
</script>
"#;
