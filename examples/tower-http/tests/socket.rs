//! The recipe's server on a real loopback socket, with raw HTTP/1.1 requests (two `Origin`
//! lines are what no client library sends).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use origin_policy::OriginPolicy;
use recipe_support::{raw_exchange, ALLOWED, CROSS_SITE};
use tower_http::cors::{AllowOrigin, CorsLayer};

async fn start(cors: CorsLayer) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let handled = Arc::new(AtomicUsize::new(0));
    tokio::spawn(recipe_tower_http::serve(listener, cors, handled.clone()));
    (addr, handled)
}

fn policy() -> OriginPolicy {
    ALLOWED.parse().unwrap()
}

/// `GET /` with one `Origin` line per item; the `Access-Control-Allow-Origin` of the answer.
async fn allow_origin(addr: SocketAddr, origins: &[&str]) -> Option<String> {
    let mut head = format!("GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for origin in origins {
        head.push_str(&format!("Origin: {origin}\r\n"));
    }
    head.push_str("\r\n");
    let (status, fields) = raw_exchange(addr, &head).await;
    assert_eq!(status, 200);
    let mut values = fields
        .into_iter()
        .filter(|(name, _)| name == "access-control-allow-origin");
    let value = values.next().map(|(_, value)| value);
    assert!(
        values.next().is_none(),
        "one Access-Control-Allow-Origin at most"
    );
    value
}

#[tokio::test]
async fn allowed_origin_gets_cors_headers() {
    let (addr, _) = start(recipe_tower_http::cors(policy())).await;
    assert_eq!(
        allow_origin(addr, &[ALLOWED]).await.as_deref(),
        Some(ALLOWED)
    );
    // Any spelling of the allowed origin is the allowed origin: the policy normalises.
    let spelled = "HTTP://LocalHost:5173";
    assert_eq!(
        allow_origin(addr, &[spelled]).await.as_deref(),
        Some(spelled)
    );
}

#[tokio::test]
async fn preflight_from_the_allowed_origin_is_answered() {
    let (addr, handled) = start(recipe_tower_http::cors(policy())).await;
    let head = format!(
        "OPTIONS / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nOrigin: {ALLOWED}\r\n\
         Access-Control-Request-Method: POST\r\n\r\n"
    );
    let (status, fields) = raw_exchange(addr, &head).await;
    assert_eq!(status, 200);
    assert!(fields.contains(&("access-control-allow-origin".into(), ALLOWED.into())));
    assert!(fields
        .iter()
        .any(|(name, _)| name == "access-control-allow-methods"));
    assert_eq!(
        handled.load(Ordering::SeqCst),
        0,
        "CorsLayer answers preflights itself"
    );
}

#[tokio::test]
async fn cross_site_two_lines_and_missing_origin_get_no_cors_headers() {
    let (addr, handled) = start(recipe_tower_http::cors(policy())).await;
    assert_eq!(allow_origin(addr, &[CROSS_SITE]).await, None);
    assert_eq!(allow_origin(addr, &[ALLOWED, ALLOWED]).await, None);
    assert_eq!(allow_origin(addr, &[ALLOWED, CROSS_SITE]).await, None);
    assert_eq!(allow_origin(addr, &[]).await, None);
    // The limit of any CORS layer: the requests reached the handler all the same.
    assert_eq!(handled.load(Ordering::SeqCst), 4);
}

/// The variant the docs warn against: the predicate's `HeaderValue` is the first `Origin`
/// line only, so two lines are judged by the first.
#[tokio::test]
async fn check_value_on_the_predicates_value_loses_the_two_lines_denial() {
    let policy = policy();
    let wrong = CorsLayer::new().allow_origin(AllowOrigin::predicate(move |origin, _| {
        policy.check_value(origin.as_bytes()).is_allowed()
    }));
    let (addr, _) = start(wrong).await;
    assert_eq!(
        allow_origin(addr, &[ALLOWED, CROSS_SITE]).await.as_deref(),
        Some(ALLOWED)
    );
}
