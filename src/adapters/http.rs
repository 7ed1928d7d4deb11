//! Plain [`http::Request`] handlers: check and return early with a `403`.
//!
//! ```
//! use origin_policy::OriginPolicy;
//!
//! fn handle(policy: &OriginPolicy, request: &http::Request<()>) -> http::Response<String> {
//!     if let Err(rejection) = policy.enforce(request) {
//!         return rejection;
//!     }
//!     http::Response::new("hello".to_owned())
//! }
//!
//! let policy: OriginPolicy = "https://app.example.com".parse()?;
//! let ok = http::Request::get("/").header("origin", "https://app.example.com").body(())?;
//! let evil = http::Request::get("/").header("origin", "https://evil.example").body(())?;
//! assert_eq!(handle(&policy, &ok).status(), 200);
//! assert_eq!(handle(&policy, &evil).status(), 403);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use http::{Request, Response};

use crate::OriginPolicy;

impl OriginPolicy {
    /// Checks `request` and, when it is denied, returns the `403` response to send instead
    /// (see [`Decision::rejection`](crate::Decision::rejection)).
    ///
    /// Use [`check`](OriginPolicy::check) instead when the decision itself is needed, for
    /// logging or for the matched rule.
    pub fn enforce<B, R>(&self, request: &Request<B>) -> Result<(), Response<R>>
    where
        R: From<&'static str>,
    {
        match self.check(request).rejection() {
            Some(rejection) => Err(rejection),
            None => Ok(()),
        }
    }
}
