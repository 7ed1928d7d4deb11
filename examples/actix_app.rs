//! One `OriginPolicy` guarding an actix-web 4 app through one middleware: an actix-ws echo
//! endpoint (`/ws`) and an API with credentials (`/api`), the same routes and answers as
//! `examples/axum_app.rs` gives with the tower layer.
//!
//! ```text
//! cargo run --example actix_app --features actix
//! PORT=8080 ALLOWED_ORIGINS="https://app.example.com, http://localhost:*" cargo run --example actix_app --features actix
//! ```
//!
//! ```text
//! curl -i http://127.0.0.1:3000/api -H 'Origin: http://localhost:5173'            # CORS headers
//! curl -i -X POST http://127.0.0.1:3000/api -H 'Origin: https://evil.example'     # 403
//! curl -i http://127.0.0.1:3000/ws -H 'Origin: https://evil.example' -H 'Connection: Upgrade' \
//!      -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='  # 403
//! ```

use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use origin_policy::adapters::actix::OriginMiddleware;
use origin_policy::cors::Cors;
use origin_policy::{Decision, GuardOutcome, OriginPolicy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port.parse()?,
        Err(_) => 3000,
    };
    let allowed =
        std::env::var("ALLOWED_ORIGINS").unwrap_or_else(|_| "http://localhost:5173".to_owned());

    // The one allowlist: other sites from the environment, plus this server's own origin.
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

    // One middleware: upgrades from denied origins are refused with 403 before `websocket`
    // runs, preflights are answered, cross-origin writes from denied origins are refused, and
    // every other response gets its CORS headers.
    let middleware = OriginMiddleware::new(cors).block_cross_origin_writes();
    let app = move || {
        App::new()
            .wrap(middleware.clone())
            .route("/ws", web::get().to(websocket))
            .route("/api", web::route().to(api))
    };
    println!("listening on http://127.0.0.1:{port}");
    actix_web::rt::System::new()
        .block_on(async { HttpServer::new(app).bind(("127.0.0.1", port))?.run().await })?;
    Ok(())
}

/// Runs only for allowed origins: the middleware already refused the others.
async fn websocket(
    request: HttpRequest,
    body: web::Payload,
    outcome: web::ReqData<GuardOutcome<()>>,
) -> actix_web::Result<HttpResponse> {
    println!("{}", outcome.decision);
    let (response, mut session, mut stream) = actix_ws::handle(&request, body)?;
    actix_web::rt::spawn(async move {
        while let Some(Ok(message)) = stream.recv().await {
            let text = match message {
                actix_ws::Message::Text(text) => text,
                actix_ws::Message::Close(reason) => {
                    let _ = session.close(reason).await;
                    return;
                }
                _ => continue,
            };
            if session.text(text).await.is_err() {
                return;
            }
        }
    });
    Ok(response)
}

/// Every request the middleware lets through carries the policy's decision.
async fn api(request: HttpRequest, decision: web::ReqData<Decision>) -> HttpResponse {
    HttpResponse::Ok().body(format!("{} /api: {}\n", request.method(), *decision))
}
