//! The allowed-origin hot path of CORS allocates nothing beyond the response headers
//! themselves: deciding a preflight or an actual request allocates nothing, and adding the
//! headers to a response whose header map has room allocates nothing either (the
//! `Access-Control-Allow-Origin` value is a clone of the request's own `HeaderValue`, a
//! reference count; the other values are prepared at build time).
//!
//! The request's `Origin` is a static `HeaderValue` here; hyper's parsed values share the
//! read buffer the same way, so cloning them is a reference count too.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::Duration;

use http::{HeaderMap, HeaderValue, Request};
use origin_policy::cors::Cors;

/// `System`, counting every allocation (and reallocation) made by the current thread.
struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; counting
// touches only a thread-local `Cell` and never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded as is; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: as above; `ptr` was allocated by `System` through this allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// How many allocations `f` made on this thread.
fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

fn cors() -> Cors {
    Cors::builder(
        "https://app.example.com, https://*.tenant.example.com"
            .parse()
            .unwrap(),
    )
    .allow_methods(["PUT", "DELETE"])
    .allow_headers(["content-type", "x-request-id"])
    .expose_headers(["x-request-id"])
    .allow_credentials()
    .max_age(Duration::from_secs(600))
    .build()
    .unwrap()
}

fn request(method: &str, headers: &[(&'static str, &'static str)]) -> Request<()> {
    let mut request = Request::builder()
        .method(method)
        .uri("/api")
        .body(())
        .unwrap();
    for &(name, value) in headers {
        request
            .headers_mut()
            .append(name, HeaderValue::from_static(value));
    }
    request
}

#[test]
fn actual_requests_allocate_nothing_beyond_the_headers() {
    let cors = cors();
    for origin in [
        "https://app.example.com",
        "https://acme.tenant.example.com",
        "https://evil.example",
    ] {
        let request = request("GET", &[("origin", origin)]);
        let mut headers = HeaderMap::with_capacity(16);
        headers.insert("vary", HeaderValue::from_static("Origin"));
        let count = allocations(|| {
            let actual = cors.actual(&request);
            actual.apply(&mut headers);
        });
        assert_eq!(count, 0, "{origin}");
        // The work was done: an allowed origin got its headers.
        assert_eq!(
            headers.contains_key("access-control-allow-origin"),
            origin != "https://evil.example"
        );
    }
}

#[test]
fn preflight_decisions_allocate_nothing() {
    let cors = cors();
    let cases: [&[(&'static str, &'static str)]; 3] = [
        &[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "PUT"),
            (
                "access-control-request-headers",
                "content-type,x-request-id",
            ),
        ],
        &[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "PATCH"),
        ],
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "PUT"),
        ],
    ];
    for headers in cases {
        let request = request("OPTIONS", headers);
        let mut allowed = None;
        let count = allocations(|| {
            let preflight = cors.preflight(&request).expect("a preflight");
            allowed = Some(preflight.is_allowed());
        });
        assert_eq!(count, 0, "{headers:?}");
        assert!(allowed.is_some());
    }
}
