//! Instruction counts (callgrind, through `gungraun`): load-independent numbers for every
//! path of `OriginPolicy::check` and `HandshakeGuard::evaluate`, beside the same inputs
//! through the two baselines of `benches/check.rs`:
//!
//! - `sip`: a std (SipHash) `HashSet<HeaderValue>` of the exact entries and a byte-exact
//!   lookup of the request's `Origin` header (what users write today; wrong on non-canonical
//!   spellings and blind to wildcards);
//! - `url`: `url::Url::parse` of the header, `origin().ascii_serialization()`, then a
//!   `HashSet<String>` lookup.
//!
//! The policy is 100 exact entries plus `https://*.tenant.example.com`. Each benchmark runs
//! once under callgrind (setup not counted); the numbers and their breakdown go in
//! `benches/RESULTS.md`, never in asserts. Needs Debian's `valgrind` and the runner of the
//! same version: `cargo install gungraun-runner --version 0.20.0`, then
//! `cargo bench --bench instructions`.

use std::collections::HashSet;
use std::hint::black_box;

use gungraun::prelude::*;
use http::header::{COOKIE, ORIGIN, SEC_WEBSOCKET_PROTOCOL, SEC_WEBSOCKET_VERSION};
use http::{HeaderValue, Request};
use origin_policy::guard::auth::{StaticTokens, TokenSource};
use origin_policy::guard::HandshakeGuard;
use origin_policy::OriginPolicy;

/// One policy, its two baselines and one request.
struct Fixture {
    policy: OriginPolicy,
    sip: HashSet<HeaderValue>,
    url: HashSet<String>,
    request: Request<()>,
}

fn exact_origins() -> Vec<String> {
    (1..=100)
        .map(|i| format!("https://app{i}.example{}.com", i % 7))
        .collect()
}

/// Built outside the measurement and leaked, so that no drop is counted either.
fn fixture(origin: Option<&str>) -> &'static Fixture {
    let origins = exact_origins();
    let policy = OriginPolicy::builder()
        .allow_all(origins.iter().cloned())
        .allow("https://*.tenant.example.com")
        .build()
        .expect("a valid policy");
    let sip = origins
        .iter()
        .map(|o| HeaderValue::from_str(o).expect("a header value"))
        .collect();
    let url = origins.iter().cloned().collect();
    let mut request = Request::get("/ws");
    if let Some(origin) = origin {
        request = request.header(ORIGIN, origin);
    }
    let request = request
        .header(SEC_WEBSOCKET_VERSION, "13")
        .header(
            COOKIE,
            "c_lax=1; session=3q2-7wVZb8kR0xLmT4nJ9a; c_strict=1",
        )
        .header(SEC_WEBSOCKET_PROTOCOL, "graphql-transport-ws, graphql-ws")
        .header("authorization", "Bearer 3q2-7wVZb8kR0xLmT4nJ9a")
        .body(())
        .expect("a request");
    Box::leak(Box::new(Fixture {
        policy,
        sip,
        url,
        request,
    }))
}

fn exact_hit() -> &'static Fixture {
    fixture(Some("https://app1.example1.com"))
}
fn canonical_miss() -> &'static Fixture {
    fixture(Some("https://evil.example"))
}
fn wildcard_hit() -> &'static Fixture {
    fixture(Some("https://acme.tenant.example.com"))
}
fn wildcard_miss() -> &'static Fixture {
    fixture(Some("https://x.other.example.com"))
}
fn noncanonical() -> &'static Fixture {
    fixture(Some("HTTPS://APP1.EXAMPLE1.COM:443"))
}
fn malformed() -> &'static Fixture {
    fixture(Some("https://app1.example1.com/"))
}
fn null() -> &'static Fixture {
    fixture(Some("null"))
}
fn missing() -> &'static Fixture {
    fixture(None)
}

#[library_benchmark]
#[bench::exact_hit(setup = exact_hit)]
#[bench::canonical_miss(setup = canonical_miss)]
#[bench::wildcard_hit(setup = wildcard_hit)]
#[bench::wildcard_miss(setup = wildcard_miss)]
#[bench::noncanonical(setup = noncanonical)]
#[bench::malformed(setup = malformed)]
#[bench::null(setup = null)]
#[bench::missing(setup = missing)]
fn check(f: &'static Fixture) -> bool {
    black_box(f.policy.check(black_box(&f.request)).is_allowed())
}

#[library_benchmark]
#[bench::exact_hit(setup = exact_hit)]
#[bench::canonical_miss(setup = canonical_miss)]
#[bench::wildcard_miss(setup = wildcard_miss)]
#[bench::noncanonical(setup = noncanonical)]
#[bench::malformed(setup = malformed)]
#[bench::missing(setup = missing)]
fn sip(f: &'static Fixture) -> bool {
    let request = black_box(&f.request);
    black_box(
        request
            .headers()
            .get(ORIGIN)
            .is_some_and(|origin| f.sip.contains(origin)),
    )
}

#[library_benchmark]
#[bench::exact_hit(setup = exact_hit)]
#[bench::canonical_miss(setup = canonical_miss)]
#[bench::noncanonical(setup = noncanonical)]
#[bench::malformed(setup = malformed)]
fn url_parse(f: &'static Fixture) -> bool {
    let request = black_box(&f.request);
    let Some(Ok(origin)) = request.headers().get(ORIGIN).map(|v| v.to_str()) else {
        return black_box(false);
    };
    black_box(match url::Url::parse(origin) {
        Ok(url) => f.url.contains(&url.origin().ascii_serialization()),
        Err(_) => false,
    })
}

/// A guard with origin, subprotocol negotiation and cookie (or bearer) authentication.
struct GuardFixture {
    guard: HandshakeGuard<u64>,
    request: Request<()>,
}

fn guard(source: TokenSource) -> &'static GuardFixture {
    let tokens = StaticTokens::new([
        ("3q2-7wVZb8kR0xLmT4nJ9a", 42),
        ("Zp0-1aB2c3D4e5F6g7H8i9", 43),
    ])
    .expect("tokens");
    let f = exact_hit();
    let guard = HandshakeGuard::builder(f.policy.clone())
        .subprotocols(["graphql-transport-ws", "graphql-ws"])
        .authenticate_token(source, move |t| tokens.verify(t))
        .build()
        .expect("a guard");
    assert!(guard.evaluate(&f.request).decision.is_allowed());
    Box::leak(Box::new(GuardFixture {
        guard,
        request: f.request.clone(),
    }))
}

fn cookie_guard() -> &'static GuardFixture {
    guard(TokenSource::cookie("session"))
}
fn bearer_guard() -> &'static GuardFixture {
    guard(TokenSource::bearer())
}

#[library_benchmark]
#[bench::cookie(setup = cookie_guard)]
#[bench::bearer(setup = bearer_guard)]
fn evaluate(f: &'static GuardFixture) -> bool {
    black_box(
        f.guard
            .evaluate(black_box(&f.request))
            .decision
            .is_allowed(),
    )
}

library_benchmark_group!(name = policy, benchmarks = [check, sip, url_parse]);
library_benchmark_group!(name = handshake_guard, benchmarks = [evaluate]);

#[cfg(feature = "tower")]
main!(
    library_benchmark_groups = policy,
    handshake_guard,
    tower_layers
);
#[cfg(not(feature = "tower"))]
main!(library_benchmark_groups = policy, handshake_guard);

/// `OriginLayer` against tower-http's `CorsLayer` with the same one-origin list, on an
/// allowed cross-origin `GET` through a service that answers at once (`tower` feature).
#[cfg(feature = "tower")]
mod layers {
    use std::convert::Infallible;
    use std::future::Future;
    use std::hint::black_box;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    use gungraun::prelude::*;
    use http::header::ORIGIN;
    use http::{HeaderValue, Request, Response};
    use origin_policy::cors::Cors;
    use origin_policy::layer::OriginLayer;
    use tower::{Layer, Service};

    type Inner = tower::util::ServiceFn<
        fn(Request<()>) -> std::future::Ready<Result<Response<String>, Infallible>>,
    >;

    fn inner() -> Inner {
        fn answer(_: Request<()>) -> std::future::Ready<Result<Response<String>, Infallible>> {
            std::future::ready(Ok(Response::new(String::new())))
        }
        tower::service_fn(answer as fn(_) -> _)
    }

    fn request() -> Request<()> {
        Request::get("/api")
            .header(ORIGIN, "https://app.example.com")
            .body(())
            .expect("a request")
    }

    /// Calls the service once and polls the (ready) future to its end.
    fn once<S>(service: &mut S, request: Request<()>) -> bool
    where
        S: Service<Request<()>, Response = Response<String>>,
    {
        let mut context = Context::from_waker(Waker::noop());
        if !matches!(service.poll_ready(&mut context), Poll::Ready(Ok(()))) {
            return false;
        }
        let future = pin!(service.call(request));
        match future.poll(&mut context) {
            Poll::Ready(Ok(response)) => response
                .headers()
                .contains_key("access-control-allow-origin"),
            _ => false,
        }
    }

    type Ours = <OriginLayer as Layer<Inner>>::Service;
    type Theirs = <tower_http::cors::CorsLayer as Layer<Inner>>::Service;

    fn ours() -> (&'static mut Ours, Request<()>) {
        let policy: origin_policy::OriginPolicy =
            "https://app.example.com".parse().expect("a policy");
        let cors = Cors::builder(policy).build().expect("cors");
        let service = Box::leak(Box::new(OriginLayer::new(cors).layer(inner())));
        assert!(once(service, request()));
        (service, request())
    }

    fn theirs() -> (&'static mut Theirs, Request<()>) {
        let layer = tower_http::cors::CorsLayer::new()
            .allow_origin([HeaderValue::from_static("https://app.example.com")]);
        let service = Box::leak(Box::new(layer.layer(inner())));
        assert!(once(service, request()));
        (service, request())
    }

    #[library_benchmark]
    #[bench::allowed_get(setup = ours)]
    pub fn origin_layer(input: (&'static mut Ours, Request<()>)) -> bool {
        let (service, request) = input;
        black_box(once(service, black_box(request)))
    }

    #[library_benchmark]
    #[bench::allowed_get(setup = theirs)]
    pub fn cors_layer(input: (&'static mut Theirs, Request<()>)) -> bool {
        let (service, request) = input;
        black_box(once(service, black_box(request)))
    }
}

#[cfg(feature = "tower")]
use layers::{cors_layer, origin_layer};
#[cfg(feature = "tower")]
library_benchmark_group!(name = tower_layers, benchmarks = [origin_layer, cors_layer]);
