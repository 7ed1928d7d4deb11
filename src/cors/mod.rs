//! CORS driven by the same [`OriginPolicy`] that guards WebSocket handshakes.
//!
//! The most common origin bug in production is two allowlists: CORS middleware on the HTTP
//! routes, nothing (or a drifting copy) on the WebSocket endpoint. A [`Cors`] is built *on*
//! an [`OriginPolicy`] (the same exact entries, wildcard patterns, port rules, same-origin
//! rules and normalisation) plus the CORS-only settings: methods, request headers, exposed
//! headers, credentials, max-age and private-network access. It works on `http` types only,
//! so any server can use it; with the `tower` feature, [`OriginLayer`](crate::layer::OriginLayer)
//! applies it to every request of an axum or hyper service.
//!
//! ```
//! use std::time::Duration;
//! use origin_policy::cors::Cors;
//! use origin_policy::OriginPolicy;
//!
//! let policy: OriginPolicy = "https://app.example.com, https://*.tenant.example.com".parse()?;
//! let cors = Cors::builder(policy)
//!     .allow_methods(["PUT", "DELETE"])
//!     .allow_headers(["content-type", "x-request-id"])
//!     .expose_headers(["x-request-id"])
//!     .allow_credentials()
//!     .max_age(Duration::from_secs(600))
//!     .build()?;
//!
//! // A preflight: answered here, never by the handler.
//! let preflight = http::Request::options("/api/items/7")
//!     .header("origin", "https://acme.tenant.example.com")
//!     .header("access-control-request-method", "PUT")
//!     .header("access-control-request-headers", "content-type")
//!     .body(())?;
//! let answer = cors.preflight(&preflight).expect("OPTIONS + Origin + ACRM is a preflight");
//! let response = answer.response::<String>();
//! assert_eq!(response.status(), 204);
//! assert_eq!(response.headers()["access-control-allow-origin"], "https://acme.tenant.example.com");
//! assert_eq!(response.headers()["access-control-allow-methods"], "PUT,DELETE");
//! assert_eq!(response.headers()["access-control-max-age"], "600");
//!
//! // A method that is not listed: refused.
//! let preflight = http::Request::options("/api/items/7")
//!     .header("origin", "https://acme.tenant.example.com")
//!     .header("access-control-request-method", "PATCH")
//!     .body(())?;
//! assert_eq!(cors.preflight(&preflight).unwrap().response::<String>().status(), 403);
//!
//! // An actual request (an SSE stream, JSON, anything): headers added to the handler's response.
//! let request = http::Request::get("/events").header("origin", "https://app.example.com").body(())?;
//! let actual = cors.actual(&request);
//! let mut response = http::Response::builder()
//!     .header("content-type", "text/event-stream")
//!     .header("vary", "accept-encoding")
//!     .body(())?;
//! actual.apply(response.headers_mut());
//! assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
//! assert_eq!(response.headers()["access-control-allow-credentials"], "true");
//! assert_eq!(response.headers()["vary"], "accept-encoding, Origin"); // merged, not replaced
//!
//! // A denied origin: no CORS headers, but still `Vary: Origin`.
//! let request = http::Request::get("/events").header("origin", "https://evil.example").body(())?;
//! let mut response = http::Response::new(());
//! cors.actual(&request).apply(response.headers_mut());
//! assert!(response.headers().get("access-control-allow-origin").is_none());
//! assert_eq!(response.headers()["vary"], "Origin");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What it sends
//!
//! | request | response |
//! |---|---|
//! | `OPTIONS` with `Origin` and `Access-Control-Request-Method`, all allowed | `204`, `Access-Control-Allow-Origin: <the request's Origin>`, credentials, methods, headers, max-age, private network, `Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network` |
//! | the same, but the origin, method, a header or private-network access is not allowed | `403`, only the `Vary` above, a fixed plain-text body ([`PreflightDenial`]) |
//! | `OPTIONS` without `Origin` or without `Access-Control-Request-Method` | not a preflight: the application answers it as an actual request |
//! | any other request, origin allowed | the handler's response plus `Access-Control-Allow-Origin`, credentials, exposed headers, and `Origin` merged into `Vary` |
//! | any other request, origin denied or absent | the handler's response plus `Origin` merged into `Vary` |
//!
//! `Access-Control-Allow-Origin` is the request's own `Origin` value (a cheap clone of it),
//! never a list; it is `*` only when the policy allows any origin
//! ([`OriginPolicyBuilder::allow_any_origin_dangerously`](crate::OriginPolicyBuilder::allow_any_origin_dangerously)),
//! and a policy like that cannot be combined with credentials: [`CorsBuilder::build`] returns
//! a [`ConfigError`] instead. Server-sent events (`text/event-stream`) are ordinary
//! responses here: the headers go on the response head before the stream starts.
//!
//! # Compared with tower-http's `CorsLayer`
//!
//! On the values browsers send, with the same exact list of origins, the headers are the same
//! as tower-http 0.6's (`tests/cors_differential.rs` checks that over real sockets), except
//! where this module is deliberately stricter:
//!
//! - **Origins are compared as origins, not bytes.** `HTTPS://App.Example.com:443` is the
//!   same origin as `https://app.example.com` (allowed here, not by a byte-exact list), while
//!   `null`, several origins, and values that are not serialized origins
//!   (`https://app.example.com/`, userinfo, bad ports) are denied whatever the list holds.
//! - **A preflight is `OPTIONS` with `Origin` and `Access-Control-Request-Method`.** tower-http
//!   answers *every* `OPTIONS` itself; here other `OPTIONS` requests reach the application.
//! - **A refused preflight is a `403`,** not a `200` without `Access-Control-Allow-Origin`,
//!   and the method and headers are checked on the server, so logs and metrics see the refusal.
//! - **CORS headers only for allowed origins.** tower-http sends
//!   `Access-Control-Allow-Credentials`, `-Expose-Headers`, `-Max-Age`, `-Allow-Methods` and
//!   `-Allow-Headers` to every origin; here a denied origin gets none of them.
//! - **`Vary` is merged into one value and minimal:** `Origin` on actual responses (the
//!   request-method and request-headers names only on preflights), added to the handler's
//!   values instead of appended as a second line, and nothing added when already listed or
//!   when the handler sent `Vary: *`.
//! - **Bad configuration is an error, not a panic:** `*` with credentials, and credentials
//!   with a policy that allows any origin or `null`.
//! - **Private-network preflights are refused unless opted in,** rather than answered
//!   without the allow header.
//! - **`*` in allowed headers does not cover `authorization`,** as in browsers.

mod error;
mod lists;
mod preflight;
mod vary;

use std::time::Duration;

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
    ORIGIN,
};
use http::{HeaderMap, HeaderValue};

#[allow(deprecated)]
pub use error::{CorsConfigError, CorsConfigErrorKind};
pub use preflight::{
    Preflight, PreflightDenial, ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
    ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK,
};

use crate::source::LoadedPolicy;
use crate::{ConfigError, ConfigErrorKind};
use crate::{Decision, MatchedRule, OriginPolicy, PolicySource, RequestHead};
use lists::{HeaderNames, Methods};

/// A CORS configuration on an [`OriginPolicy`]: which origins (the policy's), and which
/// methods, request headers, exposed headers, credentials and preflight cache lifetime.
///
/// Built with [`Cors::builder`] (or [`Cors::new`] for the defaults: the CORS-safelisted
/// methods, no extra request headers, nothing exposed, no credentials). It answers
/// preflights ([`preflight`](Self::preflight)) and adds headers to the responses of actual
/// requests ([`actual`](Self::actual)). Checking allocates nothing beyond the response
/// headers themselves. See the [module documentation](self) for an example.
#[derive(Debug, Clone)]
pub struct Cors {
    policy: PolicySource,
    methods: Methods,
    allow_headers: HeaderNames,
    expose_headers: HeaderNames,
    credentials: bool,
    max_age: Option<HeaderValue>,
    private_network: bool,
}

impl Cors {
    /// CORS with the defaults on `policy`: preflights may ask for the CORS-safelisted
    /// methods (`GET`, `HEAD`, `POST`) and no request headers; no credentials, nothing
    /// exposed, no max-age, no private-network access.
    ///
    /// ```
    /// use origin_policy::cors::Cors;
    /// let cors = Cors::new("https://app.example.com".parse()?);
    /// let request = http::Request::get("/").header("origin", "https://app.example.com").body(())?;
    /// assert!(cors.actual(&request).decision().is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(policy: OriginPolicy) -> Cors {
        Cors::new_on(policy)
    }

    /// [`Cors::new`] on any [`PolicySource`] (an `Arc<OriginPolicy>`, a `SharedPolicy`).
    pub fn new_on(source: impl Into<PolicySource>) -> Cors {
        Cors {
            policy: source.into(),
            methods: Methods::default(),
            allow_headers: HeaderNames::default(),
            expose_headers: HeaderNames::default(),
            credentials: false,
            max_age: None,
            private_network: false,
        }
    }

    /// Starts a configuration on `policy`, with the defaults of [`Cors::new`].
    pub fn builder(policy: OriginPolicy) -> CorsBuilder {
        Cors::builder_on(policy)
    }

    /// Starts a configuration that reads its policy from `source` (an `Arc<OriginPolicy>`,
    /// a reloadable `SharedPolicy`, or the [`PolicySource`] a `HandshakeGuard` uses, so both
    /// always agree), with the defaults of [`Cors::new`].
    pub fn builder_on(source: impl Into<PolicySource>) -> CorsBuilder {
        CorsBuilder {
            policy: source.into(),
            methods: Vec::new(),
            allow_headers: Vec::new(),
            expose_headers: Vec::new(),
            credentials: false,
            max_age: None,
            private_network: false,
        }
    }

    /// The origin policy: the one its source holds right now.
    pub fn policy(&self) -> LoadedPolicy<'_> {
        self.policy.load()
    }

    /// Where the configuration reads its policy from.
    pub fn source(&self) -> &PolicySource {
        &self.policy
    }

    /// Whether responses allow credentials (`Access-Control-Allow-Credentials: true`).
    pub fn allows_credentials(&self) -> bool {
        self.credentials
    }

    /// Whether `request` is a CORS preflight: `OPTIONS` with an `Origin` header and an
    /// `Access-Control-Request-Method` header. Other `OPTIONS` requests are not.
    pub fn is_preflight<R: RequestHead + ?Sized>(request: &R) -> bool {
        preflight::is_preflight(request.method(), request.headers())
    }

    /// Decides a CORS preflight; `None` when `request` is not one (see
    /// [`is_preflight`](Self::is_preflight)), and the application should handle it.
    ///
    /// The origin is checked first, by the policy ([`OriginPolicy::check`]), then the
    /// requested method (the safelisted `GET`, `HEAD`, `POST` and the configured methods;
    /// case-sensitive), each requested header (the configured names; any letter case), and
    /// private-network access.
    pub fn preflight<R: RequestHead + ?Sized>(&self, request: &R) -> Option<Preflight<'_>> {
        if !Cors::is_preflight(request) {
            return None;
        }
        let decision = self.policy.load().check(request);
        Some(Preflight::evaluate(self, request.headers(), decision))
    }

    /// Decides an actual (non-preflight) request: the policy's [`Decision`] and the headers
    /// to add to the response ([`ActualRequest::apply`]).
    ///
    /// CORS does not refuse actual requests: a browser withholds the response from a page
    /// whose origin gets no `Access-Control-Allow-Origin`. To refuse state-changing requests
    /// from denied origins on the server, see
    /// [`OriginLayer::block_cross_origin_writes`](crate::layer::OriginLayer::block_cross_origin_writes)
    /// (feature `tower`).
    pub fn actual<R: RequestHead + ?Sized>(&self, request: &R) -> ActualRequest<'_> {
        let decision = self.policy.load().check(request);
        let allow_origin =
            self.allow_origin_value(&decision, || request.headers().get(ORIGIN).cloned());
        ActualRequest {
            cors: self,
            decision,
            allow_origin,
        }
    }

    /// The `Access-Control-Allow-Origin` value for an allowed request: a clone of its own
    /// `Origin` value (a reference count, no copy), or `*` when the policy allows any origin
    /// (never with credentials: [`CorsBuilder::build`] refuses that). `None` when the origin
    /// is denied or absent. `origin` gives the request's (first) `Origin` value; it is called
    /// only when that value is echoed.
    pub(crate) fn allow_origin_value(
        &self,
        decision: &Decision,
        origin: impl FnOnce() -> Option<HeaderValue>,
    ) -> Option<HeaderValue> {
        match decision.matched_rule()? {
            MatchedRule::MissingOrigin => None,
            // `build` refuses credentials with an open policy; a reloaded policy can bring an
            // open rule in later, and then it must never grant credentialed reads.
            MatchedRule::AnyOrigin | MatchedRule::NullOrigin if self.credentials => None,
            MatchedRule::AnyOrigin => Some(HeaderValue::from_static("*")),
            _ => origin(),
        }
    }

    /// Adds the actual-request headers to a response's headers.
    pub(crate) fn apply_actual(&self, allow_origin: Option<&HeaderValue>, headers: &mut HeaderMap) {
        if let Some(origin) = allow_origin {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            if self.credentials {
                headers.insert(
                    ACCESS_CONTROL_ALLOW_CREDENTIALS,
                    HeaderValue::from_static("true"),
                );
            }
            if let Some(exposed) = &self.expose_headers.value {
                headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, exposed.clone());
            }
        }
        vary::merge(headers, vary::ACTUAL);
    }
}

/// An actual (non-preflight) request, decided: the policy's [`Decision`] and the CORS headers
/// its response gets. Made by [`Cors::actual`].
#[derive(Debug, Clone)]
#[must_use = "an ActualRequest does nothing until `apply` adds its headers to the response"]
pub struct ActualRequest<'a> {
    cors: &'a Cors,
    decision: Decision,
    allow_origin: Option<HeaderValue>,
}

impl ActualRequest<'_> {
    /// The policy's decision about the request's `Origin`. A request without `Origin` (a
    /// same-origin `GET`, a non-browser client) is
    /// [`DenyReason::Missing`](crate::DenyReason::Missing) unless the policy allows that.
    pub fn decision(&self) -> &Decision {
        &self.decision
    }

    /// The decision, by value.
    pub fn into_decision(self) -> Decision {
        self.decision
    }

    /// The `Access-Control-Allow-Origin` value the response gets, if the origin is allowed.
    pub fn allow_origin(&self) -> Option<&HeaderValue> {
        self.allow_origin.as_ref()
    }

    /// Adds the CORS headers to the response's `headers`.
    ///
    /// For an allowed origin: `Access-Control-Allow-Origin`, and
    /// `Access-Control-Allow-Credentials` and `Access-Control-Expose-Headers` when
    /// configured; these replace any the handler set. For every request, allowed or not:
    /// `Origin` merged into `Vary` (kept as is when already listed or `Vary: *`).
    pub fn apply(&self, headers: &mut HeaderMap) {
        self.cors.apply_actual(self.allow_origin.as_ref(), headers);
    }
}

/// Builds a [`Cors`]; [`build`](Self::build) validates every setting.
///
/// Lists are given as strings, as they come from configuration files; each entry is
/// validated by `build`, which names the first bad one.
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct CorsBuilder {
    policy: PolicySource,
    methods: Vec<String>,
    allow_headers: Vec<String>,
    expose_headers: Vec<String>,
    credentials: bool,
    max_age: Option<Duration>,
    private_network: bool,
}

impl CorsBuilder {
    /// Methods a preflight may ask for, beyond the always-allowed `GET`, `HEAD` and `POST`
    /// (`Access-Control-Allow-Methods`): strings or [`http::Method`]s.
    ///
    /// Browsers upper-case the six standard methods `DELETE`, `GET`, `HEAD`, `OPTIONS`,
    /// `POST` and `PUT` (Fetch standard, "normalize a method") and send every other method
    /// as the script wrote it, so those six are upper-cased here too (`"put"` allows the
    /// `PUT` browsers ask for) and every other method is case-sensitive (a script's
    /// `fetch(url, {method: "patch"})` asks for `patch`). `*` allows any method (not with
    /// credentials).
    ///
    /// ```
    /// use http::Method;
    /// use origin_policy::cors::Cors;
    /// let cors = Cors::builder("https://app.example.com".parse::<origin_policy::OriginPolicy>()?)
    ///     .allow_methods([Method::PUT, Method::DELETE])
    ///     .allow_methods(["patch"])
    ///     .allow_headers([http::header::CONTENT_TYPE])
    ///     .build()?;
    /// # let _ = cors;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allow_methods<I>(mut self, methods: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.methods
            .extend(methods.into_iter().map(|m| m.as_ref().to_owned()));
        self
    }

    /// Request headers a preflight may ask for (`Access-Control-Allow-Headers`), such as
    /// `content-type` for JSON bodies or `authorization`; any letter case. `*` allows any
    /// header except `authorization`, which must be named (not with credentials). Strings
    /// or [`http::HeaderName`]s.
    pub fn allow_headers<I>(mut self, names: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.allow_headers
            .extend(names.into_iter().map(|n| n.as_ref().to_owned()));
        self
    }

    /// Response headers scripts may read (`Access-Control-Expose-Headers`), beyond the
    /// CORS-safelisted ones. `*` exposes all (not with credentials). Strings or
    /// [`http::HeaderName`]s.
    pub fn expose_headers<I>(mut self, names: I) -> Self
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        self.expose_headers
            .extend(names.into_iter().map(|n| n.as_ref().to_owned()));
        self
    }

    /// Lets pages read responses to requests made with the user's cookies or HTTP
    /// authentication (`Access-Control-Allow-Credentials: true`).
    ///
    /// With credentials, every allowed origin can act as the user: keep the policy tight.
    /// [`build`](Self::build) refuses it with a policy that allows any origin or `null`, and
    /// with `*` in any list.
    pub fn allow_credentials(mut self) -> Self {
        self.credentials = true;
        self
    }

    /// How long browsers may cache a preflight's answer (`Access-Control-Max-Age`, whole
    /// seconds). Browsers cap it (Chromium at two hours, Firefox at one day).
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(max_age);
        self
    }

    /// Answers private-network preflights
    /// (`Access-Control-Request-Private-Network: true`, sent by Chromium when a page reaches
    /// a more private address than its own, such as a public site calling `localhost`) with
    /// `Access-Control-Allow-Private-Network: true`. Without it such preflights are refused.
    ///
    /// Only for services meant to be reached from public web pages, such as a local
    /// development server or a device's local API: it lets the allowed origins reach it
    /// from outside the network.
    pub fn allow_private_network(mut self) -> Self {
        self.private_network = true;
        self
    }

    /// Validates the settings and builds the configuration; the first bad setting is the
    /// error.
    ///
    /// ```
    /// use origin_policy::{cors::Cors, ConfigErrorKind};
    /// let policy: origin_policy::OriginPolicy = "https://app.example.com".parse()?;
    ///
    /// let err = Cors::builder(policy.clone()).allow_methods(["GET POST"]).build().unwrap_err();
    /// assert_eq!(err.kind(), &ConfigErrorKind::Method);
    ///
    /// let err = Cors::builder(policy).allow_credentials().allow_headers(["*"]).build().unwrap_err();
    /// assert_eq!(err.kind(), &ConfigErrorKind::WildcardWithCredentials);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build(self) -> Result<Cors, ConfigError> {
        if self.credentials {
            let policy = self.policy.load();
            if policy.allows_any_origin() {
                return Err(ConfigError::new(
                    MatchedRule::AnyOrigin.to_string(),
                    ConfigErrorKind::AnyOriginWithCredentials,
                ));
            }
            if policy.allows_null_origin() {
                return Err(ConfigError::new(
                    MatchedRule::NullOrigin.to_string(),
                    ConfigErrorKind::NullOriginWithCredentials,
                ));
            }
        }
        let methods = Methods::parse(&self.methods, self.credentials)?;
        let allow_headers = HeaderNames::parse(&self.allow_headers, self.credentials)?;
        let expose_headers = HeaderNames::parse(&self.expose_headers, self.credentials)?;
        Ok(Cors {
            policy: self.policy,
            methods,
            allow_headers,
            expose_headers,
            credentials: self.credentials,
            max_age: self
                .max_age
                .map(|age| lists::shared(HeaderValue::from(age.as_secs()))),
            private_network: self.private_network,
        })
    }
}

impl From<OriginPolicy> for Cors {
    /// [`Cors::new`]: the CORS defaults on `policy`.
    fn from(policy: OriginPolicy) -> Cors {
        Cors::new(policy)
    }
}

impl From<PolicySource> for Cors {
    /// [`Cors::new`]: the CORS defaults on `source`.
    fn from(source: PolicySource) -> Cors {
        Cors::new_on(source)
    }
}

#[cfg(feature = "reload")]
impl From<crate::SharedPolicy> for Cors {
    /// [`Cors::new`]: the CORS defaults on a reloadable policy.
    fn from(shared: crate::SharedPolicy) -> Cors {
        Cors::new_on(shared)
    }
}
