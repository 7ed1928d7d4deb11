//! Test your server in CI: the attack generator, proptest strategies, a property harness and
//! fuzzing inputs, built from what this crate knows about origins (features `testing`,
//! `proptest`, `arbitrary`).
//!
//! CORS and WebSocket origin bypasses keep shipping because checks are written as
//! `starts_with`, `ends_with` or an unanchored regular expression, and tested with the one
//! origin that should pass. This module turns a policy into the values that find those
//! mistakes, and checks *your* code with them: whatever framework it runs in, whether it uses
//! this crate or not.
//!
//! | item | feature | what it is |
//! |---|---|---|
//! | [`generate`], [`Class`], [`Variant`] | `testing` | the attack values `origin-audit` sends, per class, with a reason and a fix |
//! | `canonical_origin`, `allowed_by`, `attacks_on`, `attacks_on_origin`, `attacks_of_class`, `header_value_near_grammar` | `proptest` | strategies that shrink to short, readable values |
//! | `Harness`, `Decide`, `Verdict` | `proptest` | runs them through a closure, (with `tower`) a tower `Service` or (with `actix`) an actix-web `App`, and reports the first mistake |
//! | `FuzzOrigin` | `arbitrary` | a structured origin for cargo-fuzz targets |
//!
//! None of them changes a build that does not name the feature: proptest and arbitrary are
//! optional dependencies, in `[dev-dependencies]` terms your own.
//!
//! # Test your server in CI
//!
//! With `origin-policy = { version = "0.1", features = ["proptest"] }` in `[dev-dependencies]`,
//! one test runs every attack class of your policy against your code, and every origin the
//! policy allows. A failure names the class, the shrunk value and what your code did:
//!
//! ```
//! # #[cfg(feature = "proptest")] {
//! use origin_policy::{testing::{attacks_on, Harness}, OriginPolicy};
//! use proptest::prelude::*;
//!
//! let policy: OriginPolicy = "https://app.example.com, https://*.tenant.example.com".parse().unwrap();
//! // Your server's decision for a request (here the crate's, which passes).
//! let my_check = |request: &http::Request<()>| policy.check(request).is_allowed();
//! Harness::new(&policy).assert(my_check);
//!
//! // Or a property of your own over the strategies:
//! proptest!(|(attack in attacks_on(&policy))| {
//!     prop_assert!(!policy.check_values(attack.lines()).is_allowed(), "{attack:?}");
//! });
//! # }
//! ```
//!
//! With the `tower` feature, `Harness::assert_service::<axum::body::Body>(router)` drives an axum `Router` or any
//! tower `Service` directly (the response status is the verdict: below 400 is accepted). With
//! the `actix` feature, `Harness::assert_actix(App::new().wrap(..).route(..))` does the same
//! for an actix-web app, started once in its own actix system.
//! `examples/property-test/` in the repository runs the harness against three naive checks
//! (`starts_with`, `ends_with`, an unanchored regex), which it catches and shrinks to
//! `https://app.example.com.a` and the like, and against `OriginLayer`, which passes.
//!
//! # Fuzz it
//!
//! With the `arbitrary` feature, a cargo-fuzz target takes a `FuzzOrigin`, whose values are
//! well formed or nearly (a scheme, a domain, IP or `localhost` host, a port, spelling tricks),
//! instead of random bytes:
//!
//! ```
//! # #[cfg(feature = "arbitrary")] {
//! use arbitrary::{Arbitrary, Unstructured};
//! use origin_policy::{testing::FuzzOrigin, OriginPolicy};
//!
//! // fuzz/fuzz_targets/origin.rs:
//! // libfuzzer_sys::fuzz_target!(|origin: FuzzOrigin| fuzz_one(origin));
//! fn fuzz_one(origin: FuzzOrigin) {
//!     let policy: OriginPolicy = "https://app.example.com".parse().unwrap();
//!     let value = origin.to_bytes();
//!     let mine = value == b"https://app.example.com"; // your check
//!     assert!(!mine || policy.check_value(&value).is_allowed(), "{:?}", value.escape_ascii());
//! }
//! fuzz_one(FuzzOrigin::arbitrary(&mut Unstructured::new(b"fuzzer bytes")).unwrap());
//! # }
//! ```

#[cfg(all(feature = "proptest", feature = "actix"))]
mod actix;
#[cfg(feature = "arbitrary")]
mod arbitrary;
mod attacks;
#[cfg(feature = "proptest")]
mod harness;
#[cfg(feature = "proptest")]
mod strategy;

#[cfg(all(feature = "proptest", feature = "actix"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "proptest", feature = "actix"))))]
pub use self::actix::{start_actix, ActixDecider};
#[cfg(feature = "arbitrary")]
#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
pub use self::arbitrary::{FuzzHost, FuzzOrigin, FuzzScheme, Trick};
pub use attacks::{
    generate, generate_with_attacks, Class, Expectation, ProbeKind, Variant, EVIL_HOST, EVIL_ORIGIN,
};
#[cfg(feature = "proptest")]
#[cfg_attr(docsrs, doc(cfg(feature = "proptest")))]
pub use harness::{Decide, Failure, Harness, HarnessError, Verdict};
#[cfg(all(feature = "proptest", feature = "tower"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "proptest", feature = "tower"))))]
pub use harness::{ResponseStatus, ServiceDecider};
#[cfg(feature = "proptest")]
#[cfg_attr(docsrs, doc(cfg(feature = "proptest")))]
pub use strategy::{
    allowed_by, attacks_of_class, attacks_on, attacks_on_origin, canonical_origin,
    header_value_near_grammar, trusted_origins,
};
