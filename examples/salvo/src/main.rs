//! A WebSocket echo server on salvo, guarded by origin-policy.
//!
//! ```text
//! cargo run -p recipe-salvo     # ws://127.0.0.1:9001/ws, allows http://localhost:5173, subprotocol echo
//! ```

use salvo::conn::tcp::TcpAcceptor;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = recipe_salvo::app("http://localhost:5173".parse()?, Default::default())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:9001").await?;
    println!("listening on ws://{}/ws", listener.local_addr()?);
    salvo::Server::new(TcpAcceptor::try_from(listener)?)
        .serve(app)
        .await;
    Ok(())
}
