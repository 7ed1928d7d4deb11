//! A WebSocket echo server on rocket 0.5 with rocket_ws, guarded by origin-policy.
//!
//! ```text
//! ROCKET_PORT=9001 cargo run -p recipe-rocket     # ws://127.0.0.1:9001/ws, allows http://localhost:5173, subprotocol echo
//! ```

#[rocket::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = recipe_rocket::app("http://localhost:5173".parse()?, Default::default())?;
    app.launch().await?;
    Ok(())
}
