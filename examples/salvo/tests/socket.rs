//! The recipe's server on a real loopback socket, with a real client.

use std::net::SocketAddr;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use recipe_support::{allowed_origin_echoes, refusals, ALLOWED, PROTOCOL};

async fn start() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sessions = Arc::new(AtomicUsize::new(0));
    let policy = ALLOWED.parse().unwrap();
    let app = recipe_salvo::app(policy, sessions.clone()).unwrap();
    let acceptor = salvo::conn::tcp::TcpAcceptor::try_from(listener).unwrap();
    tokio::spawn(salvo::Server::new(acceptor).serve(app));
    (addr, sessions)
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
