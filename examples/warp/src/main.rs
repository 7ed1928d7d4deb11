//! A WebSocket echo server on warp 0.4, guarded by origin-policy.
//!
//! ```text
//! cargo run -p recipe-warp     # ws://127.0.0.1:9001/ws, allows http://localhost:5173, subprotocol echo
//! ```

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = recipe_warp::app("http://localhost:5173".parse()?, Default::default())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:9001").await?;
    println!("listening on ws://{}/ws", listener.local_addr()?);
    warp::serve(app).incoming(listener).run().await;
    Ok(())
}
