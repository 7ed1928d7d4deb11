//! A WebSocket echo server on fastwebsockets over hyper 1, guarded by origin-policy.
//!
//! ```text
//! cargo run -p recipe-fastwebsockets     # ws://127.0.0.1:9001/, allows http://localhost:5173, subprotocol echo
//! ```

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let policy = "http://localhost:5173".parse()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:9001").await?;
    println!("listening on ws://{}", listener.local_addr()?);
    recipe_fastwebsockets::serve(listener, policy, Default::default()).await
}
