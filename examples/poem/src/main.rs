//! A WebSocket echo server on poem, guarded by origin-policy.
//!
//! ```text
//! cargo run -p recipe-poem     # ws://127.0.0.1:9001/ws, allows http://localhost:5173, subprotocol echo
//! ```

use poem::listener::TcpAcceptor;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = recipe_poem::app("http://localhost:5173".parse()?, Default::default())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:9001").await?;
    println!("listening on ws://{}/ws", listener.local_addr()?);
    poem::Server::new_with_acceptor(TcpAcceptor::from_tokio(listener)?)
        .run(app)
        .await?;
    Ok(())
}
