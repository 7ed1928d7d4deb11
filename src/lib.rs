//! Decide whether a WebSocket handshake (or a cross-origin HTTP request) comes from a web
//! origin the server trusts.
//!
//! Browsers do not apply CORS to WebSocket upgrades: a page on any site can open a socket to
//! your server, and the browser attaches the user's cookies. The only thing that tells the
//! server which site opened it is the `Origin` header (RFC 6455 section 10.2). Without a check,
//! any site the user visits can act as the user over the socket: *cross-site WebSocket
//! hijacking*. This crate is that check: one [`OriginPolicy`] that every transport shares,
//! strict about what counts as an origin and exact about what it allows.
//!
//! # The crate at a glance
//!
//! | item | what it is |
//! |---|---|
//! | [`OriginPolicy`], [`OriginPolicyBuilder`] | the allowlist and its configuration; [`check`](OriginPolicy::check) (a request or its parts), [`check_headers`](OriginPolicy::check_headers), [`check_value`](OriginPolicy::check_value) |
//! | [`Decision`], [`DenyReason`], [`MatchedRule`] | what a check decided and why; safe to log, and a `403` when denied |
//! | [`HandshakeGuard`] ([`guard`]) | the pipeline: version, origin, subprotocol and authentication checks, report-only mode and an observer; the tungstenite callback and [`evaluate`](HandshakeGuard::evaluate) anywhere |
//! | [`PolicySource`], `SharedPolicy` | where guards, CORS and layers read the policy: fixed, or swapped while in use (feature `reload`); clones are one reference count |
//! | [`cors::Cors`] | CORS on the same policy: preflights and response headers, for any server |
//! | `layer::OriginLayer` | one tower layer for axum and hyper: upgrades, CORS, cross-origin writes (feature `tower`) |
//! | `adapters::actix::OriginMiddleware` | the same pipeline as an actix-web 4 middleware, for actix-ws (feature `actix`) |
//! | [`adapters::tungstenite`] | `&OriginPolicy` as a tungstenite callback (feature `tungstenite`) |
//! | [`ConfigError`], [`Setting`] | the one configuration error of every builder |
//! | [`Origin`], [`OriginPattern`], [`PortRule`], [`AppOrigin`] | the parsed entries of a policy |
//! | [`Lint`], [`LintKind`] | risky but legal configuration, for start-up warnings |
//! | [`coming_from`] | from tower-http, actix-cors, rocket_cors, Go's and Python's WebSocket servers: each setting's name here, and what differs |
//! | `testing` | test your own server in CI: the attack generator, proptest strategies and a property harness, cargo-fuzz inputs (features `testing`, `proptest`, `arbitrary`) |
//!
//! # Quick start
//!
//! ```
//! use origin_policy::OriginPolicy;
//!
//! // The comma/space-separated form users keep in an environment variable.
//! let policy: OriginPolicy = "https://app.example.com, https://*.tenant.example.com".parse()?;
//!
//! let request = http::Request::get("/ws")
//!     .header("origin", "https://acme.tenant.example.com")
//!     .body(())?;
//! let decision = policy.check(&request);
//! assert!(decision.is_allowed());
//!
//! // With tungstenite, the policy itself is the handshake callback:
//! // let socket = tungstenite::accept_hdr(stream, &policy)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Matching rules
//!
//! For the policy `https://app.example.com, https://admin.example.org:8443,
//! http://localhost:3000, http://[::1]:8080, https://*.tenant.example.com` (the unit tests
//! mirror this table row for row):
//!
//! | `Origin` value | decision | why |
//! |---|---|---|
//! | `https://app.example.com` | allow | exact entry |
//! | `HTTPS://App.Example.COM` | allow | scheme and host compare case-insensitively |
//! | `https://app.example.com:443` | allow | an explicit default port is no port |
//! | `https://admin.example.org:8443` | allow | exact entry with its port |
//! | `http://[::1]:8080` | allow | IPv6 literal in canonical form |
//! | `https://acme.tenant.example.com` | allow | wildcard: one label |
//! | `https://a.b.tenant.example.com` | allow | wildcard: any depth |
//! | `https://tenant.example.com` | deny: not allowed | a wildcard never matches its base |
//! | `https://eviltenant.example.com` | deny: not allowed | whole labels only |
//! | `https://acme.tenant.example.com.evil.net` | deny: not allowed | no prefix matching |
//! | `https://acme.tenant.example.com:8443` | deny: not allowed | the port is part of the origin |
//! | `http://acme.tenant.example.com` | deny: not allowed | the scheme is part of the origin |
//! | `https://app.example.com.` | deny: not allowed | a trailing dot is a different origin; browsers send it as is |
//! | `https://x.app.example.com` | deny: not allowed | exact entries do not cover subdomains |
//! | `http://app.example.com` | deny: not allowed | no downgrade |
//! | `https://app.example.com:8443` | deny: not allowed | other port |
//! | `wss://app.example.com` | deny: not allowed | pages never have `wss` origins |
//! | `https://app.example.com/` | deny: malformed | an origin has no path, not even `/` |
//! | `https:app.example.com` | deny: malformed | a URL parser would repair this; an origin check must not |
//! | `https://user@app.example.com` | deny: malformed | no userinfo |
//! | `https://app.example.com:0443`, `https://app.example.com:` | deny: malformed | a port is its plain decimal serialization |
//! | `https://app%2eexample.com`, `` https://app.example.com` `` | deny: malformed | only letters, digits, `-`, `_`, `.` in hosts |
//! | `https://bücher.example` (raw UTF-8) | deny: malformed | browsers send punycode: `https://xn--bcher-kva.example` |
//! | `http://127.1:8080`, `http://[0:0::1]:8080` | deny: malformed | IP literals only in their canonical form |
//! | `null` | deny: null | opaque origins (sandboxed iframes, `file:`, `data:`) are refused unless opted in |
//! | `https://a.example, https://app.example.com` | deny: multiple | one origin per request |
//! | two `Origin` header lines | deny: multiple | |
//! | no `Origin` header | deny: missing | unless opted in |
//!
//! In words: after removing optional whitespace around it, the value must be a *serialized
//! origin* (RFC 6454 section 6.2, WHATWG HTML "ASCII serialization of an origin"):
//! `scheme "://" host [":" port]` in printable ASCII, where the only tolerated differences from
//! the canonical form are letter case and an explicit default port. The host must be what the
//! WHATWG URL host serializer produces: a punycode domain (validated by `idna`, as `url` does),
//! a dotted-quad IPv4 address or a compressed IPv6 address in brackets. Anything else is
//! malformed, even when a lenient URL parser would turn it into an allowed origin. A
//! well-formed origin is then looked up: exact entries by their canonical serialization, and
//! wildcard patterns `scheme://*.base[:port]` by whole labels.
//!
//! Length limits: a host label over 63 bytes or a domain over 253 bytes (one trailing dot not
//! counted) is malformed, because DNS cannot resolve such a name and so no page has that
//! origin; a whole value over 300 bytes is malformed before its content is examined (the
//! longest serialized `http(s)` origin is 268 bytes). Both are checked before any IDNA work,
//! so the cost of a check grows linearly with the header, with a small constant, whatever it
//! holds. Configuration entries over the same limits are refused with
//! [`ConfigErrorKind::NeverMatches`].
//!
//! # Configuration
//!
//! Besides exact origins and wildcard subdomains, an entry may carry a port rule:
//! `https://app.example.com:[8443,9443]` (a list: the union of its exact origins) or
//! `http://localhost:*` (any port, for loopback hosts only; elsewhere through
//! [`OriginPolicyBuilder::allow_any_port_off_loopback`]). Wildcards over a public suffix
//! (`https://*.co.uk`, `https://*.github.io`) are refused using the compiled-in Public Suffix
//! List, unless [`OriginPolicyBuilder::allow_wildcard_on_public_suffix`] names them; so are
//! wildcards over a base whose every child is a suffix by a wildcard rule of the list
//! (`https://*.compute.amazonaws.com`, `https://*.r.appspot.com`), which could never match.
//! [`OriginPolicyBuilder::same_origin`] allows the server's own public origin, and
//! [`OriginPolicy::lint`] reports risky but legal choices. [`OriginPolicy::from_env`] reads the
//! string form from an environment variable; the `serde` feature loads the builder's fields from
//! any serde format, and the `reload` feature adds `SharedPolicy` for swapping a policy while in
//! use.
//!
//! | entry | allows |
//! |---|---|
//! | `https://app.example.com` | that origin, in any spelling (`HTTPS://APP.EXAMPLE.COM:443`) |
//! | `https://bücher.example` | `https://xn--bcher-kva.example` (what browsers send) |
//! | `https://*.tenant.example.com` | `https://a.tenant.example.com`, `https://a.b.tenant.example.com`; never `tenant.example.com` |
//! | `https://app.example.com:[8443,9443]` | exactly those ports (a list is the union of its exact origins) |
//! | `http://localhost:*` | any port, on loopback hosts only (`localhost`, `*.localhost`, `127.0.0.0/8`, `[::1]`) |
//! | `https://*.example.com:[443,8443]` | a wildcard with a port rule |
//!
//! Entries that are not origins are refused when the policy is built, with an error that
//! names the entry and says how to fix it: paths, queries, userinfo, missing schemes, `ws://`
//! entries (browsers send the *page's* origin), `*` alone, misplaced wildcards, wildcards over
//! fewer than two labels or over a public suffix, bad ports and port lists, hosts over DNS
//! length limits. No accepted entry can silently never match.
//!
//! Risky options exist only as builder calls whose docs say what they give up:
//! [`allow_missing_origin`](OriginPolicyBuilder::allow_missing_origin) (non-browser
//! clients; not authentication), [`allow_null_origin`](OriginPolicyBuilder::allow_null_origin)
//! (sandboxed iframes, `file:` and `data:` pages: any site can make one),
//! [`allow_any_origin_dangerously`](OriginPolicyBuilder::allow_any_origin_dangerously),
//! [`allow_any_port_off_loopback`](OriginPolicyBuilder::allow_any_port_off_loopback) and
//! [`allow_wildcard_on_public_suffix`](OriginPolicyBuilder::allow_wildcard_on_public_suffix).
//! [`same_origin_from_host`](OriginPolicyBuilder::same_origin_from_host) derives the
//! server's own origin from the request's authority (caveats in its docs); `Forwarded` and
//! `X-Forwarded-*` are never read.
//!
//! With the `serde` feature the builder is the configuration, from TOML, JSON, YAML or any
//! serde format, through the same validation and messages:
//!
//! ```toml
//! allow = ["https://app.example.com", "https://*.tenant.example.com", "http://localhost:*"]
//! same_origin = ["https://chat.example.com"]
//! allow_missing_origin = false
//! ```
//!
//! ```
//! use origin_policy::{LintKind, OriginPolicy};
//! let policy: OriginPolicy = "https://app.example.com:[443,8443] http://localhost:*".parse()?;
//! assert!(policy.check_value(b"https://app.example.com:8443").is_allowed());
//! assert!(policy.check_value(b"http://localhost:5173").is_allowed());
//! assert!("https://*.co.uk".parse::<OriginPolicy>().is_err());
//! assert_eq!(policy.lint()[0].kind(), LintKind::Loopback);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Extension and app origins
//!
//! A local WebSocket bridge for a browser extension or a desktop/mobile app sees origins no
//! web page has: `chrome-extension://<32 letters a-p>` (Chromium), `moz-extension://<uuid>`
//! (Firefox, per install), `safari-web-extension://<uuid>`, and the webview origins
//! `capacitor://localhost`, `ionic://localhost`, `tauri://localhost`. They are allowed only
//! by the separately named [`OriginPolicyBuilder::allow_extension_or_app_origin`] (serde field
//! of the same name), exactly: no wildcard over an identifier or a scheme, a strict grammar
//! per scheme ([`AppOrigin`]), letter case folded. [`allow`](OriginPolicyBuilder::allow) and
//! the string form refuse them with [`ConfigErrorKind::AppOriginWithoutOptIn`], which names
//! the opt-in; [`OriginPolicy::lint`] says what each one trusts (a Firefox UUID differs per
//! install; a webview origin is shared by every app of its framework). `http://tauri.localhost`
//! is an ordinary origin.
//!
//! ```
//! use origin_policy::OriginPolicy;
//! let policy = OriginPolicy::builder()
//!     .allow_extension_or_app_origin("chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop")
//!     .build()?;
//! assert!(policy.check_value(b"chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop").is_allowed());
//! assert!("chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop".parse::<OriginPolicy>().is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Handshake guard
//!
//! An origin check is one of three things a WebSocket endpoint decides at the handshake. A
//! [`HandshakeGuard`] wraps an [`OriginPolicy`] and runs all three, cheapest first, with the
//! right status codes: origin (`403`), subprotocol negotiation (`400`), authentication
//! (`401`, with `WWW-Authenticate` for bearer tokens); a `Sec-WebSocket-Version` other than
//! 13 is `426`. It returns a [`GuardOutcome`]: the matched rule, the chosen subprotocol and
//! the identity your authentication hook returned.
//!
//! ```
//! use origin_policy::guard::{auth::{StaticTokens, TokenSource}, HandshakeGuard};
//!
//! let tokens = StaticTokens::new([("t0k3n-alice", "alice")])?;
//! let guard = HandshakeGuard::builder("https://app.example.com".parse()?)
//!     .subprotocols(["graphql-transport-ws", "graphql-ws"]) // server preference order
//!     .authenticate_token(TokenSource::subprotocol(), move |token| tokens.verify(token))
//!     .build()?;
//!
//! let request = http::Request::get("/graphql")
//!     .header("origin", "https://app.example.com")
//!     .header("sec-websocket-version", "13")
//!     .header("sec-websocket-protocol", "graphql-ws, base64url.bearer.authorization.k8s.io.dDBrM24tYWxpY2U")
//!     .body(())?;
//! let outcome = guard.evaluate(&request);
//! assert_eq!(outcome.decision.subprotocol(), Some("graphql-ws")); // never the token item
//! assert_eq!(outcome.identity, Some("alice"));
//!
//! // With tungstenite, a slot receives the outcome:
//! // let mut outcome = None;
//! // let socket = tungstenite::accept_hdr(stream, guard.callback(&mut outcome))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Credentials can come from a bearer token, a cookie (refused at build time with a policy
//! that allows any origin or `null`), a query parameter or `Sec-WebSocket-Protocol`
//! ([`guard::auth`]); comparisons are constant-time. A report-only mode evaluates
//! everything and lets handshakes through while reporting what it would have denied; an
//! observer and the `tracing` feature see every decision. See [`guard`] for the details and
//! a graphql-ws worked example, and `examples/graphql_ws.rs` for a server.
//!
//! # CORS and the tower layer
//!
//! The same policy drives CORS for HTTP and server-sent events: a [`cors::Cors`] is an
//! [`OriginPolicy`] plus methods, request headers, exposed headers, credentials and max-age.
//! It answers preflights (`204`, or `403` when the origin, method or a header is not
//! allowed), echoes an allowed origin in `Access-Control-Allow-Origin`, merges `Origin` into
//! `Vary`, and refuses at build time what cannot be safe (credentials with `*`, with any
//! origin or with `null`).
//!
//! ```
//! use origin_policy::{cors::Cors, OriginPolicy};
//!
//! let policy: OriginPolicy = "https://app.example.com".parse()?;
//! let cors = Cors::builder(policy).allow_methods(["PUT"]).allow_credentials().build()?;
//! let preflight = http::Request::options("/api")
//!     .header("origin", "https://app.example.com")
//!     .header("access-control-request-method", "PUT")
//!     .body(())?;
//! let response = cors.preflight(&preflight).unwrap().response::<String>();
//! assert_eq!(response.status(), 204);
//! assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! With the `tower` feature, one `layer::OriginLayer` puts the policy in front of a whole
//! axum 0.8 or hyper 1 service: WebSocket upgrades (HTTP/1.1 `Upgrade` and HTTP/2 extended
//! `CONNECT`) from denied origins get a `403` before the handler runs, every other request
//! gets CORS, state-changing cross-origin requests can be refused too, and handlers find the
//! [`Decision`] in the request extensions. `examples/axum_app.rs` guards `/ws`, `/events`
//! and `/api` with it. The [`cors`] module lists where it differs from tower-http's
//! `CorsLayer`, and why.
//!
//! # One pipeline for every transport
//!
//! A [`HandshakeGuard`] is the decision pipeline: its checks, its mode (enforce or
//! [report-only](HandshakeGuardBuilder::report_only)) and its
//! [observer](HandshakeGuardBuilder::observe) (and the `tracing` feature) are the same on
//! every transport:
//!
//! | transport | how |
//! |---|---|
//! | tungstenite, tokio-tungstenite | `accept_hdr(stream, &guard)`, or `guard.callback(&mut slot)` for the outcome |
//! | tower (axum, hyper) | `OriginLayer::new(cors).guard(guard)`: upgrades decided by the guard, every other decision reported to it |
//! | actix-web, actix-ws | `OriginMiddleware::new(cors).guard(guard)`: the layer's pipeline, as a middleware (`App::wrap`) |
//! | plain `http`, other frameworks | [`guard.evaluate(&request)`](HandshakeGuard::evaluate) on a request with any body or its parts; send [`rejection`](GuardDecision::rejection) when there is one |
//! | hyper raw upgrade, fastwebsockets, tokio-websockets, warp, poem, salvo, rocket, tower-http `CorsLayer` | a recipe each, `examples/<stack>/` in the repository, listed with its lines in `docs/RECIPES.md` |
//!
//! Build the guard with [`HandshakeGuard::builder_on`] and the CORS configuration with
//! [`cors::Cors::builder_on`] on one [`PolicySource`], and both always use the same policy;
//! with a `SharedPolicy` (feature `reload`) that policy is swapped atomically for all of
//! them, and no request is decided by a half-built or stale policy. Report-only never stops
//! the version or the authentication check. `tests/pipeline.rs` runs one table of handshakes
//! through every transport, in both modes, with a fixed and a reloading source.
//!
//! # Security model
//!
//! - **An origin check is not authentication.** It protects users' browsers from other web
//!   pages. Non-browser clients (curl, scripts, servers) can send any `Origin` they like; your
//!   endpoint still needs to know who the user is.
//! - **Secure defaults.** Missing `Origin`, `null`, several origins and anything that is not a
//!   serialized origin are denied. The opt-ins ([`OriginPolicyBuilder::allow_missing_origin`],
//!   [`OriginPolicyBuilder::allow_null_origin`],
//!   [`OriginPolicyBuilder::allow_any_origin_dangerously`]) say in their docs what they give up.
//! - **No string tricks.** Nothing is allowed by prefix, suffix, substring or regular
//!   expression; wildcards match whole DNS labels after both sides are normalised.
//! - **Configuration cannot silently fail.** Every entry is normalised to what browsers send or
//!   refused with a [`ConfigError`] that names it and says how to fix it (`ws://` entries,
//!   paths, `*` alone, `https://*.com`, ...).
//! - **Safe to log.** A [`Decision`]'s `Display` escapes and truncates the presented value,
//!   and rejection responses never echo the request.
//!
//! What this crate does not do: it does not issue or store credentials (the
//! [`HandshakeGuard`] only extracts one and hands it to your verification hook), it does not
//! rate-limit, and it cannot see an `Origin` that a proxy in front of the server dropped or
//! rewrote.
//!
//! # Deployment
//!
//! Reverse proxies and CDNs must forward the `Origin` header unchanged (most do; check any
//! that rewrite headers). If a proxy strips it, every browser handshake arrives as "missing"
//! and is denied: the failure is closed, not open. Test through the real proxy path.
//!
//! A refused handshake also slows the honest client that retries: Firefox delays each new
//! WebSocket connection to a host and port whose handshakes failed, by 200-400 ms at first
//! and 1.5 times more per failure, up to a minute (its `WebSocketChannel.cpp`
//! `FailDelayManager`; a successful connection clears it). Fix a wrong allowlist rather than
//! retrying in a loop. `examples/server.rs` also shows how to answer a client's close so that
//! it sees its own close code, not 1006.
//!
//! # Performance
//!
//! [`OriginPolicy::check`] allocates nothing for the canonical values browsers send, allowed
//! or denied, and takes one hash lookup for exact entries, whatever their number, plus one per
//! label of the host when wildcard patterns exist. `benches/check.rs` compares it with a
//! byte-exact `HashSet` and with `url::Url::parse` per request.
//!
//! # Crate features
//!
//! - `tungstenite` (default): `&OriginPolicy` implements tungstenite's handshake `Callback`, so
//!   `tungstenite::accept_hdr(stream, &policy)` and
//!   `tokio_tungstenite::accept_hdr_async(stream, &policy)` just work. See [`adapters::tungstenite`].
//!   With it, a [`HandshakeGuard`] is a callback too ([`guard::tungstenite`]).
//! - `tungstenite029`: the same callbacks for tungstenite 0.29 (tokio-tungstenite 0.29, which
//!   axum 0.8 uses), whose `Callback` is a different trait. It can be on with `tungstenite`.
//! - `serde`: `Serialize`/`Deserialize` for [`OriginPolicy`] and [`OriginPolicyBuilder`].
//! - `tower`: `layer::OriginLayer`, one tower layer (axum 0.8, hyper 1) that applies the
//!   policy to WebSocket upgrades, CORS preflights and responses, and optionally to
//!   cross-origin writes. The transport-independent [`cors`] module needs no feature.
//! - `actix`: `adapters::actix::OriginMiddleware`, the same pipeline as an actix-web 4
//!   middleware (actix-ws handlers); the outcome is in `web::ReqData`.
//! - `reload`: `SharedPolicy`, a cheaply cloned handle whose policy can be swapped atomically.
//! - `tracing`: one structured event per [`HandshakeGuard`] decision (target
//!   `origin_policy::guard`; outcome, status, check, reason, escaped origin, matched rule,
//!   subprotocol; never the credential). Off by default; nothing is logged without it.
//! - `testing`: the `testing` module's attack generator (the values `origin-audit` sends, per
//!   class), no dependencies. `proptest` adds strategies and a property harness for your own
//!   server; `arbitrary` adds `testing::FuzzOrigin` for cargo-fuzz targets. Both imply
//!   `testing`; none of them is on by default.
//!
//! The `origin-audit` tool, which tests a live endpoint for cross-site WebSocket hijacking and
//! CORS mistakes, is its own crate (`origin-audit/` in the repository); this one has no TLS or
//! command-line dependencies.
#![forbid(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod adapters;
mod app_origin;
#[doc = include_str!("../docs/COMING_FROM.md")]
pub mod coming_from {}
pub mod cors;
mod decision;
mod entry;
mod error;
mod exact;
mod excerpt;
pub mod guard;
mod head;
mod host;
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub mod layer;
mod lint;
mod order;
mod origin;
mod pattern;
mod pattern_table;
#[cfg(any(feature = "tower", feature = "actix"))]
mod pipeline;
mod policy;
mod port;
#[cfg(feature = "reload")]
mod shared;
mod source;
mod suffix;
mod syntax;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod text;

pub use app_origin::{AppOrigin, AppOriginKind};
pub use decision::{Decision, DenyReason, MatchedRule};
pub use error::{ConfigError, ConfigErrorKind, Setting};
pub use excerpt::OriginExcerpt;
pub use guard::{GuardDecision, GuardOutcome, HandshakeGuard, HandshakeGuardBuilder};
pub use head::{InvalidHead, RawHead, RequestHead};
pub use lint::{Lint, LintKind};
pub use origin::{MalformedOrigin, Origin, Scheme};
pub use pattern::OriginPattern;
pub use policy::{OriginPolicy, OriginPolicyBuilder};
pub use port::PortRule;
#[cfg(feature = "reload")]
#[cfg_attr(docsrs, doc(cfg(feature = "reload")))]
pub use shared::SharedPolicy;
pub use source::{LoadedPolicy, PolicySource};

// The README's examples are compiled and run as doc tests.
#[cfg(all(doctest, feature = "tungstenite"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
