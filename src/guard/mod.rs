//! [`HandshakeGuard`]: the whole WebSocket handshake check in one value: origin,
//! subprotocol, authentication, in that order, with the right status codes.
//!
//! An origin check protects users' browsers from other sites; a real endpoint must also agree
//! on a subprotocol with the client and know who the user is. The guard runs the checks
//! cheapest first and stops at the first failure:
//!
//! | step | refused with | when |
//! |---|---|---|
//! | version | `426 Upgrade Required` + `Sec-WebSocket-Version: 13` | `Sec-WebSocket-Version` is not `13` (RFC 6455 section 4.4) |
//! | origin | `403 Forbidden` | the [`OriginPolicy`] denies the `Origin` |
//! | subprotocol | `400 Bad Request` | no server protocol offered, or a malformed offer (RFC 6455 section 4.2.2) |
//! | authentication | `401 Unauthorized` (+ `WWW-Authenticate` for bearer tokens) | the hook returns an [`AuthError`] |
//!
//! When every step passes, the handshake goes on (`101 Switching Protocols`) with the chosen
//! subprotocol in the response, and the caller gets a [`GuardOutcome`]: the [`GuardDecision`]
//! (matched origin rule, chosen subprotocol, safe to log) and the identity the
//! authentication hook returned.
//!
//! # Worked example: a graphql-ws server
//!
//! GraphQL over WebSocket has two protocols: `graphql-transport-ws` (the `graphql-ws`
//! library, current) and `graphql-ws` (the legacy `subscriptions-transport-ws`). The server
//! prefers the current one, accepts the legacy one, and takes a bearer token:
//!
//! ```
//! use origin_policy::guard::auth::{StaticTokens, TokenSource};
//! use origin_policy::guard::{Denial, HandshakeGuard, SubprotocolError};
//! use origin_policy::OriginPolicy;
//!
//! let tokens = StaticTokens::new([("t0k3n-alice", "alice")])?;
//! let guard = HandshakeGuard::builder("https://app.example.com".parse::<OriginPolicy>()?)
//!     .subprotocols(["graphql-transport-ws", "graphql-ws"])
//!     .authenticate_token(TokenSource::bearer(), move |token| tokens.verify(token))
//!     .build()?;
//!
//! let handshake = |protocols: &str, token: &str| {
//!     http::Request::get("/graphql")
//!         .header("origin", "https://app.example.com")
//!         .header("sec-websocket-version", "13")
//!         .header("sec-websocket-protocol", protocols)
//!         .header("authorization", format!("Bearer {token}"))
//!         .body(())
//! };
//!
//! // The server's preference wins, whatever the client's order.
//! let outcome = guard.evaluate(&handshake("graphql-ws, graphql-transport-ws", "t0k3n-alice")?);
//! assert!(outcome.decision.is_allowed());
//! assert_eq!(outcome.decision.subprotocol(), Some("graphql-transport-ws"));
//! assert_eq!(outcome.identity, Some("alice"));
//!
//! // An unknown protocol is a 400, before the token is even looked at.
//! let outcome = guard.evaluate(&handshake("mqtt", "t0k3n-alice")?);
//! assert_eq!(outcome.decision.denial(), Some(&Denial::Subprotocol(SubprotocolError::NoneSupported)));
//! assert_eq!(outcome.decision.status(), 400);
//!
//! // A wrong token is a 401 with a bearer challenge.
//! let outcome = guard.evaluate(&handshake("graphql-ws", "t0k3n-eve")?);
//! let response = outcome.decision.rejection::<String>().unwrap();
//! assert_eq!(response.status(), 401);
//! assert_eq!(response.headers()["www-authenticate"], "Bearer error=\"invalid_token\"");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! With tungstenite, the guard is the `accept_hdr` callback, and a slot that the callback
//! fills hands the outcome back (see [`HandshakeGuard::callback`]):
//!
//! ```no_run
//! # #[cfg(feature = "tungstenite")] {
//! # fn demo(guard: &origin_policy::guard::HandshakeGuard<&'static str>, stream: std::net::TcpStream) {
//! let mut outcome = None;
//! match tungstenite::accept_hdr(stream, guard.callback(&mut outcome)) {
//!     Ok(socket) => {
//!         let outcome = outcome.expect("the guard ran: the handshake was accepted");
//!         println!("{} speaks {:?}", outcome.identity.unwrap(), outcome.decision.subprotocol());
//!     }
//!     Err(e) => eprintln!("refused: {e}"), // already answered 403, 400 or 401
//! }
//! # } }
//! ```
//!
//! `tokio_tungstenite::accept_hdr_async(stream, guard.callback(&mut outcome)).await` works
//! the same way. Other frameworks call [`HandshakeGuard::evaluate`], send
//! [`GuardDecision::rejection`] when there is one, and otherwise add
//! [`GuardDecision::add_response_headers`] to their `101` response.
//!
//! # Report-only rollout
//!
//! [`HandshakeGuardBuilder::report_only`] evaluates everything, lets every handshake through
//! and reports what would have been denied, with its reason ([`Outcome::ReportOnly`]), like
//! CSP's `Content-Security-Policy-Report-Only`: watch the observer or the logs on the live
//! service, fix the policy or the clients, then enforce. Three checks are enforced all the
//! same: the version (a handshake in another version cannot go on), authentication, and a
//! cookie-authenticated handshake admitted only by an open rule (any origin, `null`).
//!
//! # Observability
//!
//! [`HandshakeGuardBuilder::observe`] registers a function that sees every decision (for
//! metrics: [`Outcome::code`], [`Denial::code`]). With the `tracing` feature each decision
//! is also one event with the target `origin_policy::guard` and the fields `outcome`,
//! `status`, `check`, `reason`, `origin` (escaped), `rule`, `subprotocol` and
//! `authenticated`; denials are `INFO`, report-only denials `WARN`, allowed handshakes
//! `DEBUG`. Neither ever sees a credential or the identity. Nothing is logged unless you
//! install a subscriber.

use std::fmt;
use std::sync::Arc;

use http::header::SEC_WEBSOCKET_PROTOCOL;
use http::{HeaderMap, HeaderValue, Response, StatusCode};

use crate::source::LoadedPolicy;
use crate::text::Text;
use crate::{ConfigError, ConfigErrorKind};
use crate::{Decision, DenyReason, MatchedRule, OriginPolicy, PolicySource, RequestHead};

pub mod auth;
mod error;
mod fields;
mod response;
mod subprotocol;
#[cfg(feature = "tracing")]
mod trace;
#[cfg(any(feature = "tungstenite", feature = "tungstenite029"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "tungstenite", feature = "tungstenite029")))
)]
pub mod tungstenite;

use auth::{AuthError, TokenSource};
#[allow(deprecated)]
pub use error::{GuardConfigError, GuardConfigErrorKind};
use fields::{Credential, Fields};
pub use subprotocol::SubprotocolError;
use subprotocol::Subprotocols;

/// How the guard authenticates: the user's hook on the whole request, or the built-in
/// extractor of [`Authentication::source`] and the user's verification of the credential.
enum Check<I> {
    Hook(Hook<I>),
    Token(Verify<I>),
}

/// The user's authentication function, type-erased so that the guard stays one type.
type Hook<I> = Arc<dyn Fn(&dyn RequestHead) -> Result<I, AuthError> + Send + Sync>;
/// The user's verification of a credential that a built-in [`TokenSource`] extracted.
type Verify<I> = Arc<dyn Fn(&str) -> Result<I, AuthError> + Send + Sync>;
/// The observer, called with every decision.
type Observer = Arc<dyn Fn(&GuardDecision) + Send + Sync>;

/// Checks a WebSocket handshake's origin, subprotocol and credential, in that order; `I` is
/// the identity type the authentication hook returns (`()` without authentication).
///
/// Build one with [`HandshakeGuard::builder`] on a [`PolicySource`] (an [`OriginPolicy`], an
/// `Arc<OriginPolicy>` or a reloadable `SharedPolicy`). The guard is immutable, `Send +
/// Sync`, and cloning it is one reference count whatever the policy's size, so clones can
/// serve every connection task. See the [module docs](self) for the order of the checks, the
/// responses and a worked example.
pub struct HandshakeGuard<I = ()> {
    inner: Arc<GuardInner<I>>,
}

struct GuardInner<I> {
    source: PolicySource,
    subprotocols: Option<Subprotocols>,
    auth: Option<Authentication<I>>,
    report_only: bool,
    observer: Option<Observer>,
}

struct Authentication<I> {
    hook: Check<I>,
    /// Where the built-in extractor looks, when one is used.
    source: Option<TokenSource>,
    /// An explicit `WWW-Authenticate` value, overriding the source's.
    challenge: Option<HeaderValue>,
}

impl<I> Clone for HandshakeGuard<I> {
    fn clone(&self) -> Self {
        HandshakeGuard {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<I> fmt::Debug for HandshakeGuard<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let this = &self.inner;
        let subprotocols: Option<Vec<&str>> =
            this.subprotocols.as_ref().map(|s| s.server().collect());
        f.debug_struct("HandshakeGuard")
            .field("policy", &this.source)
            .field("subprotocols", &subprotocols)
            .field(
                "allow_no_subprotocol",
                &this.subprotocols.as_ref().map(Subprotocols::allows_none),
            )
            .field(
                "authentication",
                &this.auth.as_ref().map(|a| match &a.source {
                    Some(source) => source.to_string(),
                    None => "custom hook".to_owned(),
                }),
            )
            .field("report_only", &this.report_only)
            .field("observer", &this.observer.is_some())
            .finish()
    }
}

impl HandshakeGuard<()> {
    /// Starts a guard around `policy`, with no subprotocol negotiation, no authentication,
    /// enforcing, and no observer.
    ///
    /// ```
    /// use origin_policy::guard::HandshakeGuard;
    /// let guard = HandshakeGuard::builder("https://app.example.com".parse()?).build()?;
    /// let request = http::Request::get("/ws")
    ///     .header("origin", "https://evil.example")
    ///     .header("sec-websocket-version", "13")
    ///     .body(())?;
    /// assert_eq!(guard.evaluate(&request).decision.status(), 403);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder(policy: OriginPolicy) -> HandshakeGuardBuilder<()> {
        HandshakeGuard::builder_on(policy)
    }

    /// Starts a guard that reads its policy from `source`: an `Arc<OriginPolicy>`, a
    /// reloadable `SharedPolicy` (feature `reload`), or a [`PolicySource`] shared with a
    /// [`Cors`](crate::cors::Cors), so both always use one policy.
    ///
    /// ```
    /// use origin_policy::{HandshakeGuard, OriginPolicy, PolicySource};
    /// let source = PolicySource::from("https://app.example.com".parse::<OriginPolicy>()?);
    /// let guard = HandshakeGuard::builder_on(source.clone()).build()?;
    /// assert!(guard.source().same_as(&source));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder_on(source: impl Into<PolicySource>) -> HandshakeGuardBuilder<()> {
        HandshakeGuardBuilder {
            policy: source.into(),
            subprotocols: None,
            allow_no_subprotocol: false,
            auth: None,
            challenge: None,
            report_only: false,
            observer: None,
        }
    }
}

#[cfg(any(feature = "tower", feature = "actix"))]
impl HandshakeGuard<()> {
    /// A guard that checks only the version and the origin, enforcing, with no observer.
    pub(crate) fn origin_only(source: PolicySource) -> HandshakeGuard<()> {
        HandshakeGuard {
            inner: Arc::new(GuardInner {
                source,
                subprotocols: None,
                auth: None,
                report_only: false,
                observer: None,
            }),
        }
    }
}

impl<I> HandshakeGuard<I> {
    /// Checks a handshake request and reports the decision to the observer (and `tracing`).
    ///
    /// This is the transport-agnostic entry point: frameworks that hand over an
    /// `http::Request` call it, send [`GuardDecision::rejection`] if there is one, and
    /// otherwise accept the upgrade with [`GuardDecision::add_response_headers`]. It checks
    /// `Sec-WebSocket-Version` (a missing or other version is `426` with
    /// `Sec-WebSocket-Version: 13`), but not the method or the `Upgrade` and `Connection`
    /// headers: the transport that performs the upgrade checks those.
    ///
    /// It takes any [`RequestHead`]: an `http::Request` with any body type, or its
    /// `http::request::Parts`.
    ///
    /// ```
    /// use origin_policy::guard::{HandshakeGuard, Outcome};
    ///
    /// let guard = HandshakeGuard::builder("https://app.example.com".parse()?)
    ///     .subprotocols(["chat"])
    ///     .build()?;
    /// let request = http::Request::get("/ws")
    ///     .header("origin", "https://app.example.com")
    ///     .header("sec-websocket-version", "13")
    ///     .header("sec-websocket-protocol", "chat")
    ///     .body(String::new())?;
    /// let (parts, _body) = request.into_parts();
    /// let outcome = guard.evaluate(&parts);
    /// assert_eq!(outcome.decision.outcome(), Outcome::Allowed);
    /// assert_eq!(outcome.decision.subprotocol(), Some("chat"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate<R: RequestHead + ?Sized>(&self, request: &R) -> GuardOutcome<I> {
        let outcome = self.decide(request, true);
        self.report(&outcome.decision);
        outcome
    }

    /// Whether anything sees reports: an observer, or a `tracing` subscriber that records
    /// this crate's events. Lets the layer skip building a report for every request when
    /// nobody would read it.
    #[cfg(any(feature = "tower", feature = "actix"))]
    pub(crate) fn is_observed(&self) -> bool {
        #[cfg(feature = "tracing")]
        let traced = trace::is_enabled();
        #[cfg(not(feature = "tracing"))]
        let traced = false;
        self.inner.observer.is_some() || traced
    }

    /// Hands `decision` to the observer and to `tracing`. A panicking observer is contained
    /// here: the decision stands as it was made (a denial stays a denial).
    pub(crate) fn report(&self, decision: &GuardDecision) {
        if let Some(observer) = &self.inner.observer {
            let observed = std::panic::AssertUnwindSafe(|| observer(decision));
            let _ = std::panic::catch_unwind(observed);
        }
        #[cfg(feature = "tracing")]
        trace::emit(decision);
    }

    /// Runs the checks without reporting. `trust_open`: whether an open rule (any origin,
    /// `null`) may admit the handshake; `OriginLayer` passes `false` unless opted in, since
    /// there the policy also serves CORS reads. Cookie authentication never trusts one.
    pub(crate) fn decide<R: RequestHead + ?Sized>(
        &self,
        request: &R,
        trust_open: bool,
    ) -> GuardOutcome<I> {
        let this = &*self.inner;
        let mut decision = GuardDecision::new(RequestKind::Handshake, this.report_only);
        let headers = request.headers();
        // Every header the steps read, in one pass over the map.
        let credential = this
            .auth
            .as_ref()
            .and_then(|a| a.source.as_ref())
            .map_or(Credential::None, TokenSource::credential);
        let fields = Fields::scan(headers, credential);
        // A handshake in another version cannot go on, so this one is enforced even in
        // report-only mode.
        if !is_version_13(fields.version) {
            decision.denial = Some(Denial::UnsupportedVersion);
            decision.report_only = false;
            return GuardOutcome {
                decision,
                identity: None,
            };
        }
        let enforce = !this.report_only;
        macro_rules! refuse {
            ($denial:expr) => {{
                decision.denial.get_or_insert($denial);
                if enforce {
                    return GuardOutcome {
                        decision,
                        identity: None,
                    };
                }
            }};
        }

        let origin = {
            let policy = this.source.load();
            // `check`'s authority: the target's, else a single `Host` line.
            let authority = match request.uri().authority() {
                Some(authority) => Some(authority.as_str().as_bytes()),
                None => fields.host.single().map(HeaderValue::as_bytes),
            };
            match fields.origin.is_several() {
                false => policy.check_values_with_host(
                    fields.origin.first().map(HeaderValue::as_bytes),
                    authority,
                ),
                true => policy.check_values_with_host(
                    headers
                        .get_all(http::header::ORIGIN)
                        .iter()
                        .map(HeaderValue::as_bytes),
                    authority,
                ),
            }
        };
        let origin_denial = origin.deny_reason();
        // Cookies are ambient: an open rule (any origin, `null`) must not admit them, even
        // when a reloaded policy brought that rule in after `build` checked the first one.
        let cookie = this
            .auth
            .as_ref()
            .is_some_and(|a| a.source.as_ref().is_some_and(TokenSource::is_cookie));
        let refused_open =
            (cookie || !trust_open) && origin.matched_rule().is_some_and(is_open_rule);
        decision.origin = Some(origin);
        if let Some(reason) = origin_denial {
            refuse!(Denial::Origin(reason));
        } else if refused_open && cookie {
            // An ambient credential on an open rule is cross-site WebSocket hijacking:
            // enforced even in report-only mode.
            decision.denial = Some(Denial::OpenOrigin);
            decision.report_only = false;
            return GuardOutcome {
                decision,
                identity: None,
            };
        } else if refused_open {
            refuse!(Denial::OpenOrigin);
        }

        let credential_prefix = this
            .auth
            .as_ref()
            .and_then(|a| a.source.as_ref())
            .and_then(TokenSource::subprotocol_prefix);
        if let Some(subprotocols) = &this.subprotocols {
            let negotiated = match fields.protocol.is_several() {
                false => subprotocols.negotiate_lines(fields.protocol.first(), credential_prefix),
                true => subprotocols.negotiate(headers, credential_prefix),
            };
            match negotiated {
                Ok(chosen) => decision.subprotocol = chosen,
                Err(error) => refuse!(Denial::Subprotocol(error)),
            }
        }

        let mut identity = None;
        if let Some(auth) = &this.auth {
            let result = match (&auth.hook, &auth.source) {
                (Check::Token(verify), Some(source)) => source
                    .extract_scanned(request, fields.credential)
                    .and_then(|token| verify(token.as_str())),
                // `&request`: a sized `&R` (its `RequestHead` impl forwards) becomes the `dyn`.
                (Check::Hook(hook), _) => hook(&request),
                // `authenticate_token` always records its source.
                (Check::Token(_), None) => Err(AuthError::Missing),
            };
            match result {
                Ok(id) => {
                    decision.authenticated = true;
                    identity = Some(id);
                }
                Err(error) => {
                    // Authentication is always enforced, report-only or not: rolling out an
                    // origin policy must never open the endpoint to unauthenticated clients.
                    // The reported denial (if any) gives way to the enforced one.
                    decision.challenge = auth
                        .challenge
                        .clone()
                        .or_else(|| auth.source.as_ref().and_then(|s| s.challenge(error)));
                    decision.denial = Some(Denial::Auth(error));
                    decision.report_only = false;
                    return GuardOutcome {
                        decision,
                        identity: None,
                    };
                }
            }
        }
        GuardOutcome { decision, identity }
    }

    /// The origin policy the guard checks first: the one its source holds right now.
    pub fn policy(&self) -> LoadedPolicy<'_> {
        self.inner.source.load()
    }

    /// Where the guard reads its policy from; give a clone to a [`Cors`](crate::cors::Cors)
    /// so both always use the same policy.
    pub fn source(&self) -> &PolicySource {
        &self.inner.source
    }

    /// The server's subprotocols in preference order (empty when the guard does not
    /// negotiate).
    pub fn subprotocols(&self) -> impl Iterator<Item = &str> {
        self.inner
            .subprotocols
            .iter()
            .flat_map(Subprotocols::server)
    }

    /// Whether the guard reports origin and subprotocol denials and lets the handshakes
    /// through (authentication is enforced either way).
    pub fn is_report_only(&self) -> bool {
        self.inner.report_only
    }
}

/// Whether `rule` is an open one: any origin, or `null` (which any site can produce with a
/// sandboxed iframe). Such a rule may serve reads; it must never be what admits an ambient
/// credential (cookies) or a cross-origin write.
pub(crate) fn is_open_rule(rule: &MatchedRule) -> bool {
    matches!(rule, MatchedRule::AnyOrigin | MatchedRule::NullOrigin)
}

/// `Sec-WebSocket-Version: 13`, on exactly one line (RFC 6455 section 4.2.1, item 6).
fn is_version_13(lines: fields::Lines<'_>) -> bool {
    lines
        .single()
        .is_some_and(|value| value.as_bytes().trim_ascii() == b"13")
}

/// Builds a [`HandshakeGuard`]; every setting is validated by [`build`](Self::build).
#[must_use = "a builder does nothing until `build` is called"]
pub struct HandshakeGuardBuilder<I = ()> {
    policy: PolicySource,
    subprotocols: Option<Vec<String>>,
    allow_no_subprotocol: bool,
    auth: Option<(Check<I>, Option<TokenSource>)>,
    challenge: Option<String>,
    report_only: bool,
    observer: Option<Observer>,
}

impl<I> fmt::Debug for HandshakeGuardBuilder<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandshakeGuardBuilder")
            .field("policy", &self.policy)
            .field("subprotocols", &self.subprotocols)
            .field("allow_no_subprotocol", &self.allow_no_subprotocol)
            .field("token_source", &self.auth.as_ref().map(|(_, s)| s))
            .field("report_only", &self.report_only)
            .finish_non_exhaustive()
    }
}

impl<I> HandshakeGuardBuilder<I> {
    /// Negotiates a subprotocol: the server's protocols, most preferred first.
    ///
    /// The guard picks the first of these that the client offered in `Sec-WebSocket-Protocol`
    /// (any number of header lines, comma-separated, whitespace and empty items ignored,
    /// compared case-sensitively) and names it in the response. A client that offers none of
    /// them, or offers nothing, gets `400` unless [`allow_no_subprotocol`](Self::allow_no_subprotocol)
    /// is set; an offer with an item that is not an HTTP token is always `400`.
    ///
    /// Without this call the guard does not negotiate: like tungstenite on its own, it names
    /// no protocol, and browsers that offered some fail the handshake.
    pub fn subprotocols<P>(mut self, protocols: P) -> Self
    where
        P: IntoIterator,
        P::Item: Into<String>,
    {
        self.subprotocols = Some(protocols.into_iter().map(Into::into).collect());
        self
    }

    /// Accepts a client that offers none of the server's subprotocols: the socket opens with
    /// no subprotocol (the response names none).
    ///
    /// For clients that offer nothing this is what they expect; a browser that offered
    /// protocols fails a handshake whose response names none, so this mostly serves
    /// non-browser clients. A malformed offer is still `400`.
    pub fn allow_no_subprotocol(mut self) -> Self {
        self.allow_no_subprotocol = true;
        self
    }

    /// Authenticates with a function of the request: the identity it returns goes to the
    /// caller in [`GuardOutcome::identity`]; an [`AuthError`] is answered `401`.
    ///
    /// The hook runs last, only for handshakes whose origin and subprotocol passed (in
    /// report-only mode, always). It must not block for long: it runs inside the handshake.
    /// If it reads a cookie, the origin policy is all that stands between the user and
    /// cross-site WebSocket hijacking: never combine it with an any-origin or null-origin
    /// policy ([`authenticate_token`](Self::authenticate_token) with
    /// [`TokenSource::cookie`] refuses that combination at build time).
    ///
    /// ```
    /// use origin_policy::guard::{auth::AuthError, HandshakeGuard};
    ///
    /// let guard = HandshakeGuard::builder("https://app.example.com".parse()?)
    ///     .authenticate(|request| match request.headers().get("x-client-cert-subject") {
    ///         Some(subject) => Ok(subject.to_str().map_err(|_| AuthError::Malformed)?.to_owned()),
    ///         None => Err(AuthError::Missing),
    ///     })
    ///     .build()?;
    /// # let _: origin_policy::guard::HandshakeGuard<String> = guard;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authenticate<J, F>(self, hook: F) -> HandshakeGuardBuilder<J>
    where
        F: Fn(&dyn RequestHead) -> Result<J, AuthError> + Send + Sync + 'static,
    {
        self.with_auth(Check::Hook(Arc::new(hook)), None)
    }

    /// Authenticates with a credential taken from `source` and checked by `verify`, which
    /// returns the identity or an [`AuthError`].
    ///
    /// `verify` sees only the credential; compare secrets with
    /// [`auth::constant_time_eq`] or [`auth::StaticTokens`]. The `401` carries the
    /// source's `WWW-Authenticate` challenge (bearer tokens) unless
    /// [`challenge`](Self::challenge) overrides it. A [`TokenSource::cookie`] with a policy
    /// that allows any origin or `null` is refused by [`build`](Self::build).
    ///
    /// ```
    /// use origin_policy::guard::auth::{constant_time_eq, AuthError, TokenSource};
    /// use origin_policy::guard::HandshakeGuard;
    ///
    /// let secret = String::from("correct-horse-battery-staple");
    /// let guard = HandshakeGuard::builder("https://app.example.com".parse()?)
    ///     .authenticate_token(TokenSource::query("ticket"), move |ticket| {
    ///         if constant_time_eq(ticket.as_bytes(), secret.as_bytes()) {
    ///             Ok("service")
    ///         } else {
    ///             Err(AuthError::Invalid)
    ///         }
    ///     })
    ///     .build()?;
    /// # let _ = guard;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authenticate_token<J, F>(
        self,
        source: TokenSource,
        verify: F,
    ) -> HandshakeGuardBuilder<J>
    where
        F: Fn(&str) -> Result<J, AuthError> + Send + Sync + 'static,
    {
        self.with_auth(Check::Token(Arc::new(verify)), Some(source))
    }

    fn with_auth<J>(self, hook: Check<J>, source: Option<TokenSource>) -> HandshakeGuardBuilder<J> {
        HandshakeGuardBuilder {
            policy: self.policy,
            subprotocols: self.subprotocols,
            allow_no_subprotocol: self.allow_no_subprotocol,
            auth: Some((hook, source)),
            challenge: self.challenge,
            report_only: self.report_only,
            observer: self.observer,
        }
    }

    /// The `WWW-Authenticate` value sent with every `401`, for example
    /// `Bearer realm="graphql"`; by default the token source's (bearer tokens only).
    pub fn challenge(mut self, challenge: impl Into<String>) -> Self {
        self.challenge = Some(challenge.into());
        self
    }

    /// Reports origin and subprotocol denials without enforcing them: every check runs, the
    /// decision says what would have been refused and why ([`Outcome::ReportOnly`]), and the
    /// handshake goes on (without a subprotocol where negotiation failed).
    ///
    /// Two checks are enforced all the same: the version (a handshake in another protocol
    /// version cannot go on) and authentication (rolling out an origin policy must never
    /// let unauthenticated clients in: a failed credential is still a `401`, so an accepted
    /// handshake with authentication always has an identity).
    pub fn report_only(mut self) -> Self {
        self.report_only = true;
        self
    }

    /// Calls `observer` with every decision, allowed or not, before the response is sent:
    /// for metrics and audit logs. The decision's `Display` is safe to log; it never holds
    /// the credential or the identity.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// use std::sync::Arc;
    /// use origin_policy::guard::{HandshakeGuard, Outcome};
    ///
    /// let denied = Arc::new(AtomicU64::new(0));
    /// let counter = Arc::clone(&denied);
    /// let guard = HandshakeGuard::builder("https://app.example.com".parse()?)
    ///     .observe(move |decision| {
    ///         if decision.outcome() == Outcome::Denied {
    ///             counter.fetch_add(1, Ordering::Relaxed);
    ///         }
    ///     })
    ///     .build()?;
    /// let request = http::Request::get("/ws").header("sec-websocket-version", "13").body(())?;
    /// let _ = guard.evaluate(&request); // no Origin: denied
    /// assert_eq!(denied.load(Ordering::Relaxed), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn observe<F>(mut self, observer: F) -> Self
    where
        F: Fn(&GuardDecision) + Send + Sync + 'static,
    {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// Validates the settings and builds the guard.
    ///
    /// Refuses: an empty or invalid subprotocol list, a subprotocol that starts with the
    /// credential prefix, a credential carried in `Sec-WebSocket-Protocol` without a
    /// subprotocol list, an invalid cookie or parameter name, an invalid challenge, and
    /// cookie authentication with a policy that allows any origin or `null` (cross-site
    /// WebSocket hijacking by design).
    ///
    /// ```
    /// use origin_policy::guard::{auth::TokenSource, HandshakeGuard};
    /// use origin_policy::ConfigErrorKind;
    /// use origin_policy::OriginPolicy;
    ///
    /// let open = OriginPolicy::builder().allow_any_origin_dangerously().build()?;
    /// let err = HandshakeGuard::builder(open)
    ///     .authenticate_token(TokenSource::cookie("session"), |session| Ok(session.to_owned()))
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.kind(), &ConfigErrorKind::CookieWithAnyOrigin);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build(self) -> Result<HandshakeGuard<I>, ConfigError> {
        let auth = match self.auth {
            None => None,
            Some((hook, source)) => {
                if let Some(source) = &source {
                    source.validate()?;
                    check_cookie_policy(source, &self.policy.load())?;
                }
                let challenge = match self.challenge {
                    None => None,
                    Some(challenge) => Some(HeaderValue::from_str(&challenge).map_err(|_| {
                        ConfigError::new(challenge, ConfigErrorKind::InvalidChallenge)
                    })?),
                };
                Some(Authentication {
                    hook,
                    source,
                    challenge,
                })
            }
        };
        let credential_prefix = auth
            .as_ref()
            .and_then(|a| a.source.as_ref())
            .and_then(TokenSource::subprotocol_prefix);
        let subprotocols = match self.subprotocols {
            None if credential_prefix.is_some() => {
                return Err(ConfigError::new(
                    credential_prefix.unwrap_or_default(),
                    ConfigErrorKind::CredentialSubprotocolWithoutList,
                ));
            }
            None => None,
            Some(list) => Some(Subprotocols::new(
                list,
                self.allow_no_subprotocol,
                credential_prefix,
            )?),
        };
        Ok(HandshakeGuard {
            inner: Arc::new(GuardInner {
                source: self.policy,
                subprotocols,
                auth,
                report_only: self.report_only,
                observer: self.observer,
            }),
        })
    }
}

/// Cookies are ambient: the browser attaches them whichever site opened the socket, so the
/// origin policy is the only defence, and it must not be open.
fn check_cookie_policy(source: &TokenSource, policy: &OriginPolicy) -> Result<(), ConfigError> {
    if !source.is_cookie() {
        return Ok(());
    }
    let name = source.to_string();
    if policy.allows_any_origin() {
        return Err(ConfigError::new(name, ConfigErrorKind::CookieWithAnyOrigin));
    }
    if policy.allows_null_origin() {
        return Err(ConfigError::new(
            name,
            ConfigErrorKind::CookieWithNullOrigin,
        ));
    }
    Ok(())
}

/// What [`HandshakeGuard::evaluate`] (or the tungstenite callback) hands back: the decision
/// and, when authentication passed, the identity.
#[must_use = "a denied handshake must be refused with `decision.rejection()`"]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GuardOutcome<I> {
    /// What was decided, and why; safe to log.
    pub decision: GuardDecision,
    /// What the authentication hook returned; `None` without authentication, when the
    /// handshake was refused before or by it, or when it failed in report-only mode.
    pub identity: Option<I>,
}

/// What kind of request a [`GuardDecision`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestKind {
    /// A WebSocket handshake (HTTP/1.1 `Upgrade`, or HTTP/2 extended `CONNECT`).
    Handshake,
    /// A CORS preflight, answered by `OriginLayer`.
    Preflight,
    /// Any other HTTP request that `OriginLayer` passed to the application or refused
    /// as a cross-origin write.
    Request,
}

impl RequestKind {
    /// A stable machine-readable name: `handshake`, `preflight`, `request`.
    pub const fn code(self) -> &'static str {
        match self {
            RequestKind::Handshake => "handshake",
            RequestKind::Preflight => "preflight",
            RequestKind::Request => "request",
        }
    }
}

impl fmt::Display for RequestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Whether a handshake goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// Every check passed.
    Allowed,
    /// A check failed and the handshake is refused.
    Denied,
    /// A check failed in report-only mode: the denial is reported, the handshake goes on.
    ReportOnly,
}

impl Outcome {
    /// A stable machine-readable name: `allowed`, `denied`, `report-only`.
    pub const fn code(self) -> &'static str {
        match self {
            Outcome::Allowed => "allowed",
            Outcome::Denied => "denied",
            Outcome::ReportOnly => "report-only",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Which check refused a handshake, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Denial {
    /// `Sec-WebSocket-Version` is missing or not `13`: `426 Upgrade Required`.
    UnsupportedVersion,
    /// The origin policy denied the `Origin`: `403 Forbidden`.
    Origin(DenyReason),
    /// Subprotocol negotiation failed: `400 Bad Request`.
    Subprotocol(SubprotocolError),
    /// Authentication failed: `401 Unauthorized`.
    Auth(AuthError),
    /// The origin was allowed only by an open rule (any origin, or `null`), which never
    /// admits a cookie-authenticated handshake, or (in `OriginLayer`) an upgrade or a
    /// cross-origin write, without an explicit opt-in: `403 Forbidden`.
    OpenOrigin,
    /// A CORS preflight was refused (`OriginLayer`): `403 Forbidden`.
    Preflight(crate::cors::PreflightDenial),
}

impl Denial {
    /// The status code of the rejection.
    pub fn status(self) -> StatusCode {
        match self {
            Denial::UnsupportedVersion => StatusCode::UPGRADE_REQUIRED,
            Denial::Origin(_) => StatusCode::FORBIDDEN,
            Denial::Subprotocol(_) => StatusCode::BAD_REQUEST,
            Denial::Auth(_) => StatusCode::UNAUTHORIZED,
            Denial::OpenOrigin | Denial::Preflight(_) => StatusCode::FORBIDDEN,
        }
    }

    /// The check that failed: `version`, `origin`, `subprotocol`, `authentication` or
    /// `preflight`.
    pub const fn check(self) -> &'static str {
        match self {
            Denial::UnsupportedVersion => "version",
            Denial::Origin(_) | Denial::OpenOrigin => "origin",
            Denial::Subprotocol(_) => "subprotocol",
            Denial::Auth(_) => "authentication",
            Denial::Preflight(_) => "preflight",
        }
    }

    /// A stable machine-readable reason within the check ([`DenyReason::code`],
    /// [`SubprotocolError::code`], [`AuthError::code`], or `unsupported`); for metrics
    /// labels together with [`check`](Self::check).
    pub const fn code(self) -> &'static str {
        match self {
            Denial::UnsupportedVersion => "unsupported",
            Denial::Origin(reason) => reason.code(),
            Denial::Subprotocol(error) => error.code(),
            Denial::Auth(error) => error.code(),
            Denial::OpenOrigin => "open-rule",
            Denial::Preflight(denial) => denial.code(),
        }
    }
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Denial::UnsupportedVersion => f.write_str("version: Sec-WebSocket-Version is not 13"),
            Denial::Origin(reason) => write!(f, "origin: {reason}"),
            Denial::Subprotocol(error) => write!(f, "subprotocol: {error}"),
            Denial::Auth(error) => write!(f, "authentication: {error}"),
            Denial::OpenOrigin => f.write_str(
                "origin: allowed only by an open rule (any origin or null), which does not admit this request",
            ),
            Denial::Preflight(denial) => write!(f, "preflight: {denial}"),
        }
    }
}

/// What a [`HandshakeGuard`] decided about one handshake: the outcome, the origin decision,
/// the chosen subprotocol, whether authentication passed, and the denial if any.
///
/// It holds no credential and no identity, so it is safe to log, to pass to metrics and to
/// keep; its `Display` escapes what the client sent (through [`Decision`]'s).
///
/// ```
/// use origin_policy::guard::{HandshakeGuard, Outcome};
///
/// let guard = HandshakeGuard::builder("https://app.example.com".parse()?)
///     .subprotocols(["graphql-transport-ws"])
///     .build()?;
/// let request = http::Request::get("/ws")
///     .header("origin", "https://app.example.com")
///     .header("sec-websocket-version", "13")
///     .header("sec-websocket-protocol", "graphql-transport-ws")
///     .body(())?;
/// let decision = guard.evaluate(&request).decision;
/// assert_eq!(decision.outcome(), Outcome::Allowed);
/// assert_eq!(
///     decision.to_string(),
///     r#"allowed (101): allow origin "https://app.example.com" by rule https://app.example.com, subprotocol graphql-transport-ws"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "a denied handshake must be refused with `rejection()`"]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardDecision {
    kind: RequestKind,
    origin: Option<Decision>,
    subprotocol: Option<Text>,
    authenticated: bool,
    denial: Option<Denial>,
    report_only: bool,
    challenge: Option<HeaderValue>,
}

impl GuardDecision {
    pub(crate) fn new(kind: RequestKind, report_only: bool) -> GuardDecision {
        GuardDecision {
            kind,
            origin: None,
            subprotocol: None,
            authenticated: false,
            denial: None,
            report_only,
            challenge: None,
        }
    }

    /// The decision about an HTTP request that `OriginLayer` made itself (a preflight, a
    /// cross-origin write, an ordinary request).
    #[cfg(any(feature = "tower", feature = "actix"))]
    pub(crate) fn for_request(
        kind: RequestKind,
        origin: Decision,
        denial: Option<Denial>,
        report_only: bool,
    ) -> GuardDecision {
        let mut decision = GuardDecision::new(kind, report_only && denial.is_some());
        decision.origin = Some(origin);
        decision.denial = denial;
        decision
    }

    /// What kind of request this is about: a handshake (always, from
    /// [`HandshakeGuard::evaluate`]), or a preflight or other request (from `OriginLayer`).
    pub fn kind(&self) -> RequestKind {
        self.kind
    }

    /// Whether the handshake goes on, and whether a check failed.
    pub fn outcome(&self) -> Outcome {
        match (self.denial, self.report_only) {
            (None, _) => Outcome::Allowed,
            (Some(_), false) => Outcome::Denied,
            (Some(_), true) => Outcome::ReportOnly,
        }
    }

    /// Whether the handshake goes on ([`Outcome::Allowed`] or [`Outcome::ReportOnly`]).
    pub fn is_allowed(&self) -> bool {
        self.outcome() != Outcome::Denied
    }

    /// The failed check: the one that refused the handshake or, in report-only mode, the
    /// first one that would have.
    pub fn denial(&self) -> Option<&Denial> {
        self.denial.as_ref()
    }

    /// The origin policy's decision; `None` when the version check refused the handshake
    /// before the origin was looked at.
    pub fn origin(&self) -> Option<&Decision> {
        self.origin.as_ref()
    }

    /// The origin rule that allowed the handshake, if the origin passed.
    pub fn matched_rule(&self) -> Option<&MatchedRule> {
        self.origin.as_ref().and_then(Decision::matched_rule)
    }

    /// The chosen subprotocol, one of the server's list, exactly as the client offered it.
    pub fn subprotocol(&self) -> Option<&str> {
        self.subprotocol.as_ref().map(Text::as_str)
    }

    /// Whether the authentication hook returned an identity.
    pub fn is_authenticated(&self) -> bool {
        self.authenticated
    }

    /// The rejection's status when refused; otherwise `101 Switching Protocols` for a
    /// handshake, `204 No Content` for a preflight, and `200 OK` as a stand-in for a request
    /// handed to the application (which answers it).
    pub fn status(&self) -> StatusCode {
        match (self.outcome(), self.denial) {
            (Outcome::Denied, Some(denial)) => denial.status(),
            _ => match self.kind {
                RequestKind::Handshake => StatusCode::SWITCHING_PROTOCOLS,
                RequestKind::Preflight => StatusCode::NO_CONTENT,
                RequestKind::Request => StatusCode::OK,
            },
        }
    }

    /// The response refusing the handshake, or `None` when it goes on (including report-only
    /// denials).
    ///
    /// A status line, `Content-Type: text/plain; charset=utf-8`, `Content-Length`,
    /// `Connection: close` and a short fixed body that never echoes the request;
    /// `WWW-Authenticate` on a `401` where the scheme has one; `Sec-WebSocket-Version: 13`
    /// and `Upgrade: websocket` on a `426`. The body type only needs `From<&'static str>`.
    pub fn rejection<B: From<&'static str>>(&self) -> Option<Response<B>> {
        match (self.outcome(), &self.denial) {
            (Outcome::Denied, Some(denial)) => {
                Some(response::rejection(denial, self.challenge.as_ref()))
            }
            _ => None,
        }
    }

    /// Adds what the `101` response needs from the guard: `Sec-WebSocket-Protocol` with the
    /// chosen subprotocol. Does nothing when no subprotocol was chosen or the handshake is
    /// refused.
    pub fn add_response_headers(&self, headers: &mut HeaderMap) {
        if !self.is_allowed() {
            return;
        }
        if let Some(protocol) = &self.subprotocol {
            // The server's own list holds only validated tokens.
            if let Ok(value) = HeaderValue::from_str(protocol.as_str()) {
                headers.insert(SEC_WEBSOCKET_PROTOCOL, value);
            }
        }
    }
}

impl fmt::Display for GuardDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind != RequestKind::Handshake {
            write!(f, "{} ", self.kind)?;
        }
        let outcome = self.outcome();
        match (outcome, self.denial) {
            (Outcome::ReportOnly, Some(denial)) => {
                write!(f, "report-only, would deny ({})", denial.status().as_u16())?
            }
            _ => write!(f, "{outcome} ({})", self.status().as_u16())?,
        }
        let Some(origin) = &self.origin else {
            // Only the version check runs before the origin.
            return f.write_str(": Sec-WebSocket-Version is not 13");
        };
        write!(f, ": {origin}")?;
        if let Some(protocol) = &self.subprotocol {
            write!(f, ", subprotocol {}", protocol.as_str())?;
        }
        if self.authenticated {
            f.write_str(", authenticated")?;
        }
        match self.denial {
            Some(Denial::Subprotocol(error)) => write!(f, ", subprotocol refused: {error}"),
            Some(Denial::Auth(error)) => write!(f, ", authentication refused: {error}"),
            Some(Denial::Preflight(denial)) => write!(f, ", preflight refused: {denial}"),
            Some(Denial::OpenOrigin) => f.write_str(", refused: an open rule does not admit it"),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Request;

    fn request(headers: &[(&str, &str)]) -> Request<()> {
        let mut builder = Request::get("/ws").header("sec-websocket-version", "13");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(()).unwrap()
    }

    fn policy() -> OriginPolicy {
        "https://app.example.com".parse().unwrap()
    }

    #[test]
    fn guard_is_send_sync_and_clone() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<HandshakeGuard<String>>();
        assert_send_sync::<HandshakeGuard<()>>();
        fn assert_send<T: Send>() {}
        assert_send::<GuardOutcome<String>>();
        assert_send_sync::<GuardDecision>();
    }

    #[test]
    fn checks_run_in_order_and_stop_at_the_first_failure() {
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = Arc::clone(&calls);
        let guard = HandshakeGuard::builder(policy())
            .subprotocols(["chat"])
            .authenticate(move |_| {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Err::<(), _>(AuthError::Invalid)
            })
            .build()
            .unwrap();
        let evil = ("origin", "https://evil.example");
        let good = ("origin", "https://app.example.com");
        let cases: &[(&[(&str, &str)], Denial)] = &[
            (
                &[evil, ("sec-websocket-protocol", "nope")],
                Denial::Origin(DenyReason::NotAllowed),
            ),
            (
                &[good, ("sec-websocket-protocol", "nope")],
                Denial::Subprotocol(SubprotocolError::NoneSupported),
            ),
            (
                &[good, ("sec-websocket-protocol", "chat")],
                Denial::Auth(AuthError::Invalid),
            ),
        ];
        for (headers, denial) in cases {
            let outcome = guard.evaluate(&request(headers));
            assert_eq!(outcome.decision.denial(), Some(denial), "{headers:?}");
            assert_eq!(outcome.decision.outcome(), Outcome::Denied);
        }
        // The hook ran only for the request that passed origin and subprotocol.
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn version_table() {
        let guard = HandshakeGuard::builder(policy())
            .report_only()
            .build()
            .unwrap();
        let cases: &[(&[&str], bool)] = &[
            (&["13"], true),
            (&[" 13 "], true),
            (&[], false),
            (&["8"], false),
            (&["13, 8"], false),
            (&["13", "13"], false),
            (&["013"], false),
        ];
        for (values, ok) in cases {
            let mut builder = Request::get("/ws").header("origin", "https://app.example.com");
            for value in *values {
                builder = builder.header("sec-websocket-version", *value);
            }
            let decision = guard.evaluate(&builder.body(()).unwrap()).decision;
            assert_eq!(decision.is_allowed(), *ok, "{values:?}");
            if !ok {
                // Enforced even in report-only mode.
                assert_eq!(decision.outcome(), Outcome::Denied);
                assert_eq!(decision.origin(), None);
                let response = decision.rejection::<String>().unwrap();
                assert_eq!(response.status(), 426);
                assert_eq!(response.headers()["sec-websocket-version"], "13");
                assert_eq!(response.headers()["upgrade"], "websocket");
                assert_eq!(
                    decision.to_string(),
                    "denied (426): Sec-WebSocket-Version is not 13"
                );
            }
        }
    }

    #[test]
    fn report_only_runs_everything_and_reports_the_first_failure() {
        let guard = HandshakeGuard::builder(policy())
            .subprotocols(["chat"])
            .authenticate_token(TokenSource::bearer(), |t| {
                if t == "ok" {
                    Ok(7)
                } else {
                    Err(AuthError::Invalid)
                }
            })
            .report_only()
            .build()
            .unwrap();
        let outcome = guard.evaluate(&request(&[
            ("origin", "https://evil.example"),
            ("sec-websocket-protocol", "chat"),
            ("authorization", "Bearer ok"),
        ]));
        let decision = &outcome.decision;
        assert_eq!(decision.outcome(), Outcome::ReportOnly);
        assert!(decision.is_allowed());
        assert_eq!(decision.status(), 101);
        assert!(decision.rejection::<String>().is_none());
        assert_eq!(
            decision.denial(),
            Some(&Denial::Origin(DenyReason::NotAllowed))
        );
        // The later checks still ran.
        assert_eq!(decision.subprotocol(), Some("chat"));
        assert_eq!(outcome.identity, Some(7));
        assert_eq!(
            decision.to_string(),
            r#"report-only, would deny (403): deny origin "https://evil.example": the origin is not allowed, subprotocol chat, authenticated"#
        );

        // A subprotocol failure is reported, the handshake goes on.
        let outcome = guard.evaluate(&request(&[
            ("origin", "https://app.example.com"),
            ("authorization", "Bearer ok"),
        ]));
        assert_eq!(
            outcome.decision.denial(),
            Some(&Denial::Subprotocol(SubprotocolError::NoneOffered))
        );
        assert_eq!(outcome.identity, Some(7));
        assert!(outcome.decision.is_allowed());
        assert_eq!(
            outcome.decision.to_string(),
            r#"report-only, would deny (400): allow origin "https://app.example.com" by rule https://app.example.com, authenticated, subprotocol refused: no subprotocol offered"#
        );

        // Authentication is enforced even in report-only mode (issue 15, item 4): a wrong
        // token is a 401, after reported origin and subprotocol failures too, and an
        // accepted handshake always has an identity.
        for headers in [
            &[
                ("origin", "https://app.example.com"),
                ("sec-websocket-protocol", "chat"),
                ("authorization", "Bearer nope"),
            ][..],
            &[
                ("origin", "https://evil.example"),
                ("authorization", "Bearer nope"),
            ][..],
            &[("origin", "https://evil.example")][..],
        ] {
            let outcome = guard.evaluate(&request(headers));
            assert_eq!(outcome.decision.outcome(), Outcome::Denied, "{headers:?}");
            assert_eq!(outcome.decision.status(), 401, "{headers:?}");
            assert!(
                matches!(outcome.decision.denial(), Some(Denial::Auth(_))),
                "{headers:?}"
            );
            assert_eq!(outcome.identity, None);
            let response = outcome.decision.rejection::<String>().unwrap();
            assert_eq!(response.status(), 401);
            assert!(response.headers().contains_key("www-authenticate"));
        }
    }

    #[test]
    fn display_of_denials() {
        let guard = HandshakeGuard::builder(policy())
            .authenticate_token(TokenSource::bearer(), |_| Err::<(), _>(AuthError::Expired))
            .build()
            .unwrap();
        let decision = guard
            .evaluate(&request(&[
                ("origin", "https://app.example.com"),
                ("authorization", "Bearer s3cr3t"),
            ]))
            .decision;
        let line = decision.to_string();
        assert_eq!(
            line,
            r#"denied (401): allow origin "https://app.example.com" by rule https://app.example.com, authentication refused: the credential has expired"#
        );
        assert!(!format!("{decision:?}").contains("s3cr3t"));
        let decision = guard
            .evaluate(&request(&[("origin", "https://evil.example/\"x")]))
            .decision;
        assert_eq!(
            decision.to_string(),
            r#"denied (403): deny origin "https://evil.example/\"x": the origin is malformed"#
        );
    }

    #[test]
    fn rejections_are_well_formed() {
        let denials = [
            Denial::UnsupportedVersion,
            Denial::Origin(DenyReason::Null),
            Denial::Subprotocol(SubprotocolError::Malformed),
            Denial::Auth(AuthError::Missing),
        ];
        for denial in denials {
            let response: Response<String> = response::rejection(&denial, None);
            assert_eq!(response.status(), denial.status(), "{denial}");
            assert_eq!(
                response.headers()["content-type"],
                "text/plain; charset=utf-8"
            );
            assert_eq!(
                response.headers()["content-length"],
                response.body().len().to_string().as_str()
            );
            assert!(response.headers()["connection"]
                .to_str()
                .unwrap()
                .ends_with("close"));
            assert!(response.body().ends_with('\n') && response.body().len() < 80);
        }
        assert_eq!(
            [
                Denial::UnsupportedVersion,
                Denial::Origin(DenyReason::NotAllowed),
                Denial::Auth(AuthError::Expired)
            ]
            .map(|d| (d.check(), d.code())),
            [
                ("version", "unsupported"),
                ("origin", "not-allowed"),
                ("authentication", "expired")
            ]
        );
    }

    #[test]
    fn cookie_authentication_needs_a_closed_policy() {
        let any = OriginPolicy::builder()
            .allow_any_origin_dangerously()
            .build()
            .unwrap();
        let null = OriginPolicy::builder()
            .allow("https://app.example.com")
            .allow_null_origin()
            .build()
            .unwrap();
        let missing = OriginPolicy::builder()
            .allow("https://app.example.com")
            .allow_missing_origin()
            .build()
            .unwrap();
        let cookie = || TokenSource::cookie("session");
        let verify = |s: &str| Ok(s.to_owned());
        let err = HandshakeGuard::builder(any.clone())
            .authenticate_token(cookie(), verify)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), &ConfigErrorKind::CookieWithAnyOrigin);
        assert!(err.to_string().starts_with(
            "invalid handshake guard setting \"cookie session\": cookie authentication with a policy that allows any origin is cross-site WebSocket hijacking by design"
        ), "{err}");
        let err = HandshakeGuard::builder(null)
            .authenticate_token(cookie(), verify)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), &ConfigErrorKind::CookieWithNullOrigin);
        // Browsers always send Origin: a missing one is a non-browser client, not hijacking.
        assert!(HandshakeGuard::builder(missing)
            .authenticate_token(cookie(), verify)
            .build()
            .is_ok());
        // Tokens that browsers do not attach on their own are fine with an open policy.
        assert!(HandshakeGuard::builder(any)
            .authenticate_token(TokenSource::bearer(), verify)
            .build()
            .is_ok());
    }

    #[test]
    fn subprotocol_credential_needs_a_protocol_list() {
        let err = HandshakeGuard::builder(policy())
            .authenticate_token(TokenSource::subprotocol(), |t| Ok(t.to_owned()))
            .build()
            .unwrap_err();
        assert_eq!(
            err.kind(),
            &ConfigErrorKind::CredentialSubprotocolWithoutList
        );
        assert_eq!(err.input(), "base64url.bearer.authorization.k8s.io.");
        let err = HandshakeGuard::builder(policy())
            .subprotocols([
                "v4.channel.k8s.io",
                "base64url.bearer.authorization.k8s.io.x",
            ])
            .authenticate_token(TokenSource::subprotocol(), |t| Ok(t.to_owned()))
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), &ConfigErrorKind::SubprotocolIsCredential);
    }

    #[test]
    fn challenge_override_and_validation() {
        let guard = HandshakeGuard::builder(policy())
            .authenticate_token(TokenSource::cookie("s"), |_| {
                Err::<(), _>(AuthError::Invalid)
            })
            .challenge("Cookie realm=\"app\"")
            .build()
            .unwrap();
        let response = guard
            .evaluate(&request(&[("origin", "https://app.example.com")]))
            .decision
            .rejection::<String>()
            .unwrap();
        assert_eq!(
            response.headers()["www-authenticate"],
            "Cookie realm=\"app\""
        );
        let err = HandshakeGuard::builder(policy())
            .authenticate(|_| Ok(()))
            .challenge("Bearer\n")
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), &ConfigErrorKind::InvalidChallenge);
        // Cookie authentication has no scheme, so no challenge by default.
        let guard = HandshakeGuard::builder(policy())
            .authenticate_token(TokenSource::cookie("s"), |_| {
                Err::<(), _>(AuthError::Invalid)
            })
            .build()
            .unwrap();
        let response = guard
            .evaluate(&request(&[("origin", "https://app.example.com")]))
            .decision
            .rejection::<String>()
            .unwrap();
        assert_eq!(response.status(), 401);
        assert!(response.headers().get("www-authenticate").is_none());
    }

    #[test]
    fn response_headers_only_for_allowed_handshakes() {
        let guard = HandshakeGuard::builder(policy())
            .subprotocols(["chat"])
            .build()
            .unwrap();
        let decision = guard
            .evaluate(&request(&[
                ("origin", "https://app.example.com"),
                ("sec-websocket-protocol", "chat"),
            ]))
            .decision;
        let mut headers = HeaderMap::new();
        decision.add_response_headers(&mut headers);
        assert_eq!(headers["sec-websocket-protocol"], "chat");
        let decision = guard
            .evaluate(&request(&[
                ("origin", "https://evil.example"),
                ("sec-websocket-protocol", "chat"),
            ]))
            .decision;
        let mut headers = HeaderMap::new();
        decision.add_response_headers(&mut headers);
        assert!(headers.is_empty());
    }

    /// The layer builds a report for an allowed request only when something reads it: an
    /// observer, or a subscriber recording this crate's events (not merely the feature).
    #[test]
    #[cfg(all(feature = "tower", feature = "tracing"))]
    fn observed_only_by_an_observer_or_a_recording_subscriber() {
        let policy: OriginPolicy = "https://app.example.com".parse().unwrap();
        let silent = HandshakeGuard::origin_only(policy.clone().into());
        assert!(!silent.is_observed(), "no subscriber, no observer");
        let observed = HandshakeGuard::builder(policy)
            .observe(|_| {})
            .build()
            .unwrap();
        assert!(observed.is_observed());

        let recording = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::WARN)
            .with_writer(std::io::sink)
            .finish();
        tracing::subscriber::with_default(recording, || assert!(silent.is_observed()));
        let off = tracing_subscriber::fmt()
            .with_max_level(tracing_subscriber::filter::LevelFilter::OFF)
            .with_writer(std::io::sink)
            .finish();
        tracing::subscriber::with_default(off, || assert!(!silent.is_observed()));
    }
}
