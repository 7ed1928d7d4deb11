//! An HTTP server behind tower-http's `CorsLayer`, with origin-policy as its origin rule.
//!
//! ```text
//! cargo run -p recipe-tower-http     # http://127.0.0.1:3000/, CORS for http://localhost:5173
//! curl -i http://127.0.0.1:3000/ -H 'Origin: http://localhost:5173'   # access-control-allow-origin
//! curl -i http://127.0.0.1:3000/ -H 'Origin: https://evil.example'    # none
//! ```

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy = "http://localhost:5173".parse()?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://{}", listener.local_addr()?);
    recipe_tower_http::serve(
        listener,
        recipe_tower_http::cors(policy),
        Default::default(),
    )
    .await?;
    Ok(())
}
