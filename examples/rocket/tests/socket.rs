//! The recipe's server on a real loopback socket, with a real client.

use std::net::SocketAddr;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use recipe_support::{allowed_origin_echoes, refusals, ALLOWED, PROTOCOL};
use rocket::config::{Config, LogLevel};
use rocket::fairing::AdHoc;

async fn start() -> (SocketAddr, Arc<AtomicUsize>) {
    let sessions = Arc::new(AtomicUsize::new(0));
    let policy = ALLOWED.parse().unwrap();
    // Port 0: rocket binds a free port and tells it at liftoff.
    let config = Config {
        port: 0,
        log_level: LogLevel::Off,
        ..Config::debug_default()
    };
    let (bound, port) = tokio::sync::oneshot::channel();
    let bound = std::sync::Mutex::new(Some(bound));
    let app = recipe_rocket::app(policy, sessions.clone())
        .unwrap()
        .configure(config)
        .attach(AdHoc::on_liftoff("port", move |rocket| {
            let port = rocket.config().port;
            Box::pin(async move {
                let _ = bound.lock().unwrap().take().unwrap().send(port);
            })
        }));
    tokio::spawn(app.launch());
    let port = port.await.expect("rocket did not lift off");
    (SocketAddr::from(([127, 0, 0, 1], port)), sessions)
}

#[tokio::test]
async fn allowed_origin_connects_echoes_and_gets_the_guards_subprotocol() {
    let (addr, _) = start().await;
    allowed_origin_echoes(addr, "/ws", Some(PROTOCOL)).await;
}

#[tokio::test]
async fn cross_site_two_lines_and_missing_origin_are_refused_before_the_handler() {
    let (addr, sessions) = start().await;
    refusals(addr, "/ws", Some(PROTOCOL), &sessions).await;
}

#[tokio::test]
async fn an_unlisted_subprotocol_is_refused() {
    let (addr, _) = start().await;
    let status = recipe_support::refused_status(addr, "/ws", Some(ALLOWED), Some("chat")).await;
    assert_eq!(status, 400);
}
