//! Checking a plain `http::Request`, as any handler or middleware can.
//!
//! ```text
//! cargo run --example http_check
//! ```

use http::{Request, Response, StatusCode};
use origin_policy::OriginPolicy;

/// A handler that refuses cross-site requests before doing anything else.
fn handle(policy: &OriginPolicy, request: &Request<()>) -> Response<String> {
    // `check` gives the decision (here: logged); a denied one carries its `403`.
    let decision = policy.check(request);
    println!("{} {} -> {decision}", request.method(), request.uri());
    if let Some(rejection) = decision.rejection() {
        return rejection;
    }
    let mut response = Response::new(format!("hello from {}\n", request.uri().path()));
    *response.status_mut() = StatusCode::OK;
    response
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policy: OriginPolicy = "https://app.example.com, https://*.tenant.example.com".parse()?;
    let origins: [Option<&str>; 7] = [
        Some("https://app.example.com"),
        Some("HTTPS://ACME.Tenant.Example.COM:443"),
        Some("https://evil.example"),
        Some("https://app.example.com.evil.example"),
        Some("https://app.example.com/"),
        Some("null"),
        None,
    ];
    for origin in origins {
        let mut request = Request::get("/api/me");
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        let response = handle(&policy, &request.body(())?);
        println!("    {} {:?}", response.status(), response.body());
    }

    // The early return: a denied decision carries its `403`.
    let request = Request::post("/api/transfer")
        .header("origin", "https://evil.example")
        .body(())?;
    let rejection: Option<Response<String>> = policy.check(&request).rejection();
    assert_eq!(rejection.map(|r| r.status()), Some(StatusCode::FORBIDDEN));
    Ok(())
}
