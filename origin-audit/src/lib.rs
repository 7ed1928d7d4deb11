//! Audit a live endpoint for cross-site WebSocket hijacking and CORS mistakes.
//!
//! A policy that is right in code can be wrong in production: a proxy or CDN in front of the
//! server may drop or rewrite `Origin`, or the deployed build may not be the one you tested.
//! This crate is the library half of the `origin-audit` binary. From the origins you trust it
//! [`generate`]s attack values by class (the classes of `origin-policy`'s corpus: `null`, unrelated
//! sites, prefix and suffix tricks, label boundaries, scheme downgrade, other ports, special
//! characters, userinfo, paths, case, several origins, header injection a client can put on
//! the wire, ...), sends each one to the endpoint through the real network path, and gives
//! every answer a [`Verdict`]: trusted origins must be accepted, every attack refused.
//!
//! - `ws://` and `wss://` targets get real WebSocket handshakes (tungstenite's client, rustls
//!   for TLS). Accepted means `101 Switching Protocols`.
//! - `http://` and `https://` targets get a CORS `GET` and a preflight `OPTIONS`
//!   (`Access-Control-Request-Method: POST`, `Access-Control-Request-Headers: content-type`)
//!   per value, from a small HTTP/1.1 client that sends the `Origin` bytes exactly. Accepted
//!   means what a browser would accept: one `Access-Control-Allow-Origin` equal to the value
//!   sent, or `*` (without credentials); `credentials` is set when
//!   `Access-Control-Allow-Credentials: true` comes with a matching origin. A preflight must
//!   also have a 2xx status.
//!
//! ```no_run
//! use origin_audit::{AuditConfig, Plan};
//!
//! let config = AuditConfig::new("ws://127.0.0.1:9001/".parse()?, vec!["http://localhost:8080".parse()?]);
//! let plan = Plan::new(config)?;              // nothing is sent yet
//! let report = plan.run(&|done, total| eprint!("\r{done}/{total}"));
//! print!("{}", report.render_table());
//! std::process::exit(report.exit_code());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Politeness
//!
//! Every variant is one connection (WebSocket) or two (CORS), sent once: no retries. At most
//! [`AuditConfig::concurrency`] connections are open at a time, each bounded by
//! [`AuditConfig::timeout`] from connect to last byte, and [`Plan::new`] refuses a plan of more
//! than [`AuditConfig::max_requests`] requests. [`Plan::variants`] is the complete list of what
//! will be sent (`origin-audit --list`).
//!
//! # What the answers mean
//!
//! The trusted origins are sent first. If the endpoint refuses all of them (it wants
//! credentials before it looks at `Origin`, a proxy drops `Origin`, it is not the right URL),
//! a refused attack proves nothing: the run is *inconclusive* and says why. If they all get
//! no answer, nothing else is sent. Findings are ordered by what they mean: attacks a web page
//! can make first, then `Access-Control-Allow-Origin: *` (one finding, whatever was sent),
//! then values only a non-browser client can send (a lenient check), then trusted origins
//! refused. [`Report::headline`] names the root cause.
//!
//! # Exit codes and JSON
//!
//! [`Report::exit_code`]: `0` no findings, `1` findings (by [`FailOn`]), `3` no answer to
//! judge (connection, TLS, timeout), `4` inconclusive (the trusted origin was refused too).
//! The binary exits with `2` on usage errors. [`Report::to_json`] documents the shape of
//! `--json`.

#![forbid(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations)]

mod diagnosis;
mod net;
mod probe_http;
mod probe_ws;
mod report;

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use http::{HeaderName, HeaderValue, Uri};

pub use diagnosis::{FailOn, Finding, Severity};
pub use net::TlsTrust;
pub use probe_http::{cors_access, CorsAccess};
pub use report::{escape, Report, Summary, VariantResult};
// The attack generator is the library's (`origin_policy::testing`); re-exported unchanged.
pub use origin_policy::testing::{
    generate, generate_with_attacks, Class, Expectation, ProbeKind, Variant, EVIL_HOST, EVIL_ORIGIN,
};

use origin_policy::Origin;

/// An audit could not be planned or its TLS set up. The message says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// The target is not a `ws://`, `wss://`, `http://` or `https://` URL with a host.
    #[error("invalid target {input:?}: {reason}")]
    InvalidTarget {
        /// The target as given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// No trusted origin was given.
    #[error("no trusted origin: give at least one, as in `--trusted https://app.example.com`")]
    NoTrustedOrigin,
    /// `exact-allowed` was left out: without it a refused attack proves nothing.
    #[error(
        "`exact-allowed` cannot be skipped: a refused attack means something only when the \
         trusted origin is accepted"
    )]
    TrustedOriginSkipped,
    /// An `--attack` value cannot be sent as a header.
    #[error(
        "invalid attack value {input:?}: it must be sendable as a header (no control characters)"
    )]
    InvalidAttack {
        /// The value as given.
        input: String,
    },
    /// An extra request header is invalid or one the audit sets itself.
    #[error("invalid header {input:?}: {reason}")]
    InvalidHeader {
        /// The header as given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The plan needs more requests than allowed.
    #[error(
        "the audit would send {planned} requests, more than the limit of {limit}: \
         raise `--max-requests` or leave classes out with `--skip`"
    )]
    TooManyRequests {
        /// Requests the plan needs.
        planned: usize,
        /// The limit.
        limit: usize,
    },
    /// The `--ca` file cannot be used.
    #[error("cannot use CA file {path:?}: {detail}")]
    CaFile {
        /// The path as given.
        path: String,
        /// Why.
        detail: String,
    },
    /// The TLS configuration could not be built.
    #[error("TLS setup failed: {0}")]
    Tls(String),
}

/// The endpoint under audit: a WebSocket or an HTTP URL.
///
/// ```
/// use origin_audit::{ProbeKind, Target};
/// let target: Target = "wss://chat.example.com/socket".parse()?;
/// assert_eq!(target.kind(), ProbeKind::WebSocket);
/// assert_eq!(target.port(), 443);
/// assert!("ftp://example.com".parse::<Target>().is_err());
/// # Ok::<(), origin_audit::AuditError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    uri: Uri,
    kind: ProbeKind,
    tls: bool,
    port: u16,
}

impl Target {
    /// WebSocket handshakes or CORS requests.
    pub fn kind(&self) -> ProbeKind {
        self.kind
    }

    /// The host as in the URL (IPv6 in brackets).
    pub fn host(&self) -> &str {
        self.uri.host().unwrap_or_default()
    }

    /// The port, the scheme's default filled in.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the target is `wss://` or `https://`.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// The path and query to request, `/` when the URL has none.
    pub fn path_and_query(&self) -> &str {
        self.uri.path_and_query().map_or("/", |p| p.as_str())
    }

    /// The `Host` header value: host, and the port when it is not the default.
    pub fn authority(&self) -> &str {
        self.uri.authority().map_or("", |a| a.as_str())
    }

    pub(crate) fn uri(&self) -> &Uri {
        &self.uri
    }
}

impl FromStr for Target {
    type Err = AuditError;

    fn from_str(input: &str) -> Result<Target, AuditError> {
        let invalid = |reason: &str| AuditError::InvalidTarget {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        let uri: Uri = input
            .parse()
            .map_err(|_| invalid("not a URL; write it as `ws://host:port/path`"))?;
        let (kind, tls, default_port) = match uri.scheme_str() {
            Some("ws") => (ProbeKind::WebSocket, false, 80),
            Some("wss") => (ProbeKind::WebSocket, true, 443),
            Some("http") => (ProbeKind::Cors, false, 80),
            Some("https") => (ProbeKind::Cors, true, 443),
            _ => {
                return Err(invalid(
                    "the scheme must be ws, wss (WebSocket handshakes), http or https (CORS)",
                ))
            }
        };
        let authority = uri.authority().ok_or_else(|| invalid("no host"))?;
        if authority.as_str().contains('@') {
            return Err(invalid(
                "remove the userinfo; pass credentials with `--header`",
            ));
        }
        if authority.host().is_empty() {
            return Err(invalid("no host"));
        }
        let port = authority.port_u16().unwrap_or(default_port);
        Ok(Target {
            uri,
            kind,
            tls,
            port,
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.uri, f)
    }
}

/// Request headers the audit sets itself, which `--header` cannot replace.
const RESERVED_HEADERS: &[&str] = &[
    "origin",
    "host",
    "connection",
    "upgrade",
    "sec-websocket-key",
    "sec-websocket-version",
    "content-length",
    "transfer-encoding",
    "access-control-request-method",
    "access-control-request-headers",
];

/// Parses an extra request header given as `Name: value`, such as a cookie or an
/// `Authorization` header the endpoint needs before it looks at `Origin`.
///
/// ```
/// use origin_audit::parse_header;
/// let (name, value) = parse_header("Cookie: session=abc")?;
/// assert_eq!((name.as_str(), value.as_bytes()), ("cookie", &b"session=abc"[..]));
/// assert!(parse_header("Origin: https://x.example").is_err());
/// # Ok::<(), origin_audit::AuditError>(())
/// ```
pub fn parse_header(input: &str) -> Result<(HeaderName, HeaderValue), AuditError> {
    let invalid = |reason: &str| AuditError::InvalidHeader {
        input: input.to_owned(),
        reason: reason.to_owned(),
    };
    let (name, value) = input
        .split_once(':')
        .ok_or_else(|| invalid("write it as `Name: value`"))?;
    let name = HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| invalid("the name is not a valid header name"))?;
    if RESERVED_HEADERS.contains(&name.as_str()) {
        return Err(invalid("the audit sets this header itself"));
    }
    let value = HeaderValue::from_str(value.trim())
        .map_err(|_| invalid("the value has control characters"))?;
    Ok((name, value))
}

/// What to audit and how politely.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuditConfig {
    /// The endpoint.
    pub target: Target,
    /// The origins the endpoint must accept; attacks are derived from them.
    pub trusted: Vec<Origin>,
    /// Classes not to send (for instance `missing-or-repeated` for an endpoint that lets
    /// non-browser clients in without `Origin` on purpose).
    pub skip: Vec<Class>,
    /// Connections open at a time. Default 4.
    pub concurrency: usize,
    /// Time allowed for one connection, from connect to the end of the response head.
    /// Default 5 s.
    pub timeout: Duration,
    /// The most requests an audit may send. Default 500.
    pub max_requests: usize,
    /// How TLS servers are verified.
    pub tls: TlsTrust,
    /// Extra headers for every WebSocket handshake and CORS `GET` (never for preflights,
    /// which browsers send without credentials).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Your own attack values (`--attack`), sent after the generated ones.
    pub attacks: Vec<Vec<u8>>,
    /// Which findings make [`Report::exit_code`] `1`. Default [`FailOn::Any`].
    pub fail_on: FailOn,
}

impl AuditConfig {
    /// The defaults: concurrency 4, timeout 5 s, at most 500 requests, public TLS roots.
    pub fn new(target: Target, trusted: Vec<Origin>) -> AuditConfig {
        AuditConfig {
            target,
            trusted,
            skip: Vec::new(),
            concurrency: 4,
            timeout: Duration::from_secs(5),
            max_requests: 500,
            tls: TlsTrust::default(),
            headers: Vec::new(),
            attacks: Vec::new(),
            fail_on: FailOn::Any,
        }
    }
}

/// An audit ready to run: the exact list of variants, and nothing sent yet.
#[derive(Debug)]
pub struct Plan {
    config: AuditConfig,
    variants: Vec<Variant>,
    tls: Option<Arc<rustls::ClientConfig>>,
}

impl Plan {
    /// Generates the variants and checks the request cap and the TLS settings.
    pub fn new(config: AuditConfig) -> Result<Plan, AuditError> {
        if config.trusted.is_empty() {
            return Err(AuditError::NoTrustedOrigin);
        }
        if config.skip.contains(&Class::ExactAllowed) {
            return Err(AuditError::TrustedOriginSkipped);
        }
        if let Some(bad) = config
            .attacks
            .iter()
            .find(|value| HeaderValue::from_bytes(value).is_err())
        {
            return Err(AuditError::InvalidAttack {
                input: escape(bad, 200),
            });
        }
        let variants: Vec<Variant> =
            generate_with_attacks(&config.trusted, config.target.kind(), &config.attacks)
                .into_iter()
                .filter(|v| !config.skip.contains(&v.class))
                .collect();
        let plan_requests = variants.len() * requests_per_variant(config.target.kind());
        if plan_requests > config.max_requests {
            return Err(AuditError::TooManyRequests {
                planned: plan_requests,
                limit: config.max_requests,
            });
        }
        let tls = if config.target.is_tls() {
            Some(net::client_config(&config.tls)?)
        } else {
            None
        };
        Ok(Plan {
            config,
            variants,
            tls,
        })
    }

    /// Everything that will be sent, in order.
    pub fn variants(&self) -> &[Variant] {
        &self.variants
    }

    /// How many requests (connections) the audit sends: one per variant for WebSocket
    /// targets, two (the request and its preflight) for CORS targets.
    pub fn requests(&self) -> usize {
        self.variants.len() * requests_per_variant(self.config.target.kind())
    }

    /// The configuration.
    pub fn config(&self) -> &AuditConfig {
        &self.config
    }

    /// Sends every variant once, `concurrency` at a time, and judges the answers.
    /// `progress(done, total)` is called after each variant, from the worker threads.
    ///
    /// The trusted origins go first; when none of them gets an answer (every connection
    /// failed or timed out), nothing else is sent and [`Report::stopped_early`] is set.
    pub fn run(&self, progress: &(dyn Fn(usize, usize) + Sync)) -> Report {
        let started = Instant::now();
        let total = self.variants.len();
        let done = AtomicUsize::new(0);
        let trusted = self
            .variants
            .iter()
            .take_while(|v| v.class == Class::ExactAllowed)
            .count();
        let mut exchanges = self.probe_all(&self.variants[..trusted], &done, total, progress);
        let no_answer = exchanges.iter().all(|e| Outcome::of(e) == Outcome::Error);
        let stopped_early = no_answer && trusted < total;
        if !stopped_early {
            exchanges.extend(self.probe_all(&self.variants[trusted..], &done, total, progress));
        }
        let results = self
            .variants
            .iter()
            .zip(exchanges)
            .map(|(variant, exchanges)| VariantResult::new(variant.clone(), exchanges))
            .collect();
        Report::new(
            self.config.target.to_string(),
            self.config.target.kind(),
            self.config
                .trusted
                .iter()
                .map(|o| o.as_str().to_owned())
                .collect(),
            self.config.skip.clone(),
            results,
            started.elapsed(),
        )
        .with_fail_on(self.config.fail_on)
        .with_stopped_early(stopped_early.then_some(total - trusted))
    }

    fn probe_all(
        &self,
        variants: &[Variant],
        done: &AtomicUsize,
        total: usize,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Vec<Vec<Exchange>> {
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<Option<Vec<Exchange>>>> = Mutex::new(vec![None; variants.len()]);
        let workers = self.config.concurrency.clamp(1, variants.len().max(1));
        thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(variant) = variants.get(index) else {
                        return;
                    };
                    let exchanges = self.probe(variant);
                    results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(exchanges);
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                });
            }
        });
        results
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect()
    }

    fn probe(&self, variant: &Variant) -> Vec<Exchange> {
        let config = &self.config;
        match config.target.kind() {
            ProbeKind::WebSocket => vec![probe_ws::probe(
                &config.target,
                self.tls.as_ref(),
                variant,
                &config.headers,
                config.timeout,
            )],
            // `ProbeKind::Cors` (the library's enum is `#[non_exhaustive]`).
            _ => probe_http::probe(
                &config.target,
                self.tls.as_ref(),
                variant,
                &config.trusted,
                &config.headers,
                config.timeout,
            ),
        }
    }
}

fn requests_per_variant(kind: ProbeKind) -> usize {
    match kind {
        ProbeKind::WebSocket => 1,
        // `ProbeKind::Cors` (the library's enum is `#[non_exhaustive]`).
        _ => 2,
    }
}

/// One request of a variant and how the endpoint answered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Exchange {
    /// `GET (upgrade)`, `GET` or `OPTIONS (preflight)`.
    pub request: &'static str,
    /// The response status; `None` when there was no response.
    pub status: Option<u16>,
    /// What happened with this request.
    pub outcome: Outcome,
    /// CORS: a matching `Access-Control-Allow-Origin` came with
    /// `Access-Control-Allow-Credentials: true`, so the attacker's page reads the response with
    /// the user's cookies.
    pub credentials: bool,
    /// The response headers that matter (CORS headers, `Location`), lowercase names and
    /// values escaped with [`escape`].
    pub headers: Vec<(String, String)>,
    /// One line for people: status and reason, or what went wrong. Escaped.
    pub detail: String,
}

impl Exchange {
    pub(crate) fn error(request: &'static str, detail: String) -> Exchange {
        Exchange {
            request,
            status: None,
            outcome: Outcome::Error,
            credentials: false,
            headers: Vec::new(),
            detail,
        }
    }
}

/// What the endpoint did with a request, or with a variant (accepted when any of its requests
/// was accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// WebSocket: `101`. CORS: a browser would let the page read the response, because the
    /// answer names the origin sent.
    Accepted,
    /// CORS: `Access-Control-Allow-Origin: *`, the same answer for every origin: any page
    /// reads the response, without cookies.
    AnyOrigin,
    /// Anything else the endpoint answered, including closing the connection.
    Refused,
    /// No answer to judge: connection, TLS or timeout failure.
    Error,
}

impl Outcome {
    /// `accepted`, `any-origin`, `refused` or `error`.
    pub const fn name(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::AnyOrigin => "any-origin",
            Outcome::Refused => "refused",
            Outcome::Error => "error",
        }
    }

    /// A variant's outcome from its requests' outcomes.
    pub fn of(exchanges: &[Exchange]) -> Outcome {
        if exchanges.iter().any(|e| e.outcome == Outcome::Accepted) {
            Outcome::Accepted
        } else if exchanges.iter().any(|e| e.outcome == Outcome::AnyOrigin) {
            Outcome::AnyOrigin
        } else if exchanges.is_empty() || exchanges.iter().any(|e| e.outcome == Outcome::Error) {
            Outcome::Error
        } else {
            Outcome::Refused
        }
    }
}

/// The judgement on one variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Verdict {
    /// As expected.
    Pass,
    /// An attack was accepted, or a trusted origin refused.
    Finding,
    /// An attack got `Access-Control-Allow-Origin: *`: part of the report's one any-origin
    /// finding, not a finding of its own.
    AnyOrigin,
    /// An equivalent spelling; either answer is fine.
    Info,
    /// A refused attack while the endpoint refused the trusted origin too: it proves nothing.
    Inconclusive,
    /// The endpoint could not be reached for this variant.
    Error,
}

impl Verdict {
    /// `pass`, `finding`, `any-origin`, `info`, `inconclusive` or `error`.
    pub const fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Finding => "finding",
            Verdict::AnyOrigin => "any-origin",
            Verdict::Info => "info",
            Verdict::Inconclusive => "inconclusive",
            Verdict::Error => "error",
        }
    }

    /// The verdict for a variant with this expectation and outcome.
    ///
    /// ```
    /// use origin_audit::{Expectation, Outcome, Verdict};
    /// assert_eq!(Verdict::of(Expectation::Refuse, Outcome::Accepted), Verdict::Finding);
    /// assert_eq!(Verdict::of(Expectation::Accept, Outcome::Refused), Verdict::Finding);
    /// assert_eq!(Verdict::of(Expectation::Either, Outcome::Refused), Verdict::Info);
    /// ```
    pub fn of(expectation: Expectation, outcome: Outcome) -> Verdict {
        match (expectation, outcome) {
            (_, Outcome::Error) => Verdict::Error,
            (Expectation::Either, _) => Verdict::Info,
            (Expectation::Accept, Outcome::AnyOrigin) => Verdict::Pass,
            (Expectation::Refuse, Outcome::AnyOrigin) => Verdict::AnyOrigin,
            (Expectation::Accept, Outcome::Accepted) | (Expectation::Refuse, Outcome::Refused) => {
                Verdict::Pass
            }
            (Expectation::Accept, Outcome::Refused) | (Expectation::Refuse, Outcome::Accepted) => {
                Verdict::Finding
            }
            // An expectation a later library version adds: reported, never a finding.
            _ => Verdict::Info,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_send_sync_debug() {
        fn send_sync_debug<T: Send + Sync + fmt::Debug>() {}
        fn error<T: std::error::Error + Send + Sync + 'static>() {}
        send_sync_debug::<AuditConfig>();
        send_sync_debug::<Plan>();
        send_sync_debug::<Target>();
        send_sync_debug::<Variant>();
        send_sync_debug::<Class>();
        send_sync_debug::<Expectation>();
        send_sync_debug::<ProbeKind>();
        send_sync_debug::<Exchange>();
        send_sync_debug::<Outcome>();
        send_sync_debug::<Verdict>();
        send_sync_debug::<VariantResult>();
        send_sync_debug::<Summary>();
        send_sync_debug::<Report>();
        send_sync_debug::<TlsTrust>();
        send_sync_debug::<CorsAccess>();
        send_sync_debug::<AuditError>();
        send_sync_debug::<Finding>();
        send_sync_debug::<Severity>();
        send_sync_debug::<FailOn>();
        error::<AuditError>();
    }

    #[test]
    fn verdict_table() {
        use Expectation::*;
        let cases = [
            (Accept, Outcome::Accepted, Verdict::Pass),
            (Accept, Outcome::Refused, Verdict::Finding),
            (Accept, Outcome::Error, Verdict::Error),
            (Refuse, Outcome::Accepted, Verdict::Finding),
            (Refuse, Outcome::Refused, Verdict::Pass),
            (Refuse, Outcome::Error, Verdict::Error),
            (Either, Outcome::Accepted, Verdict::Info),
            (Either, Outcome::Refused, Verdict::Info),
            (Either, Outcome::Error, Verdict::Error),
            (Accept, Outcome::AnyOrigin, Verdict::Pass),
            (Refuse, Outcome::AnyOrigin, Verdict::AnyOrigin),
            (Either, Outcome::AnyOrigin, Verdict::Info),
        ];
        for (expectation, outcome, verdict) in cases {
            assert_eq!(
                Verdict::of(expectation, outcome),
                verdict,
                "{expectation:?} {outcome:?}"
            );
        }
    }

    #[test]
    fn variant_outcome_from_its_requests() {
        let exchange = |outcome| Exchange {
            outcome,
            ..Exchange::error("GET", String::new())
        };
        use Outcome::*;
        assert_eq!(Outcome::of(&[]), Error);
        assert_eq!(
            Outcome::of(&[exchange(Refused), exchange(Accepted)]),
            Accepted
        );
        assert_eq!(
            Outcome::of(&[exchange(Error), exchange(Accepted)]),
            Accepted
        );
        assert_eq!(Outcome::of(&[exchange(Refused), exchange(Error)]), Error);
        assert_eq!(
            Outcome::of(&[exchange(Refused), exchange(Refused)]),
            Refused
        );
    }

    #[test]
    fn targets() {
        let ok = [
            (
                "ws://127.0.0.1:9001/",
                ProbeKind::WebSocket,
                false,
                9001,
                "/",
            ),
            (
                "wss://chat.example.com",
                ProbeKind::WebSocket,
                true,
                443,
                "/",
            ),
            (
                "http://[::1]:8080/api?x=1",
                ProbeKind::Cors,
                false,
                8080,
                "/api?x=1",
            ),
            (
                "https://api.example.com/v1",
                ProbeKind::Cors,
                true,
                443,
                "/v1",
            ),
        ];
        for (input, kind, tls, port, path) in ok {
            let target: Target = input.parse().unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(
                (
                    target.kind(),
                    target.is_tls(),
                    target.port(),
                    target.path_and_query()
                ),
                (kind, tls, port, path),
                "{input}"
            );
        }
        let errors = [
            (
                "ftp://example.com/",
                r#"invalid target "ftp://example.com/": the scheme must be ws, wss (WebSocket handshakes), http or https (CORS)"#,
            ),
            (
                "ws://user:pw@example.com/",
                r#"invalid target "ws://user:pw@example.com/": remove the userinfo; pass credentials with `--header`"#,
            ),
            (
                "127.0.0.1:9001",
                r#"invalid target "127.0.0.1:9001": the scheme must be ws, wss (WebSocket handshakes), http or https (CORS)"#,
            ),
            (
                "ws://",
                r#"invalid target "ws://": not a URL; write it as `ws://host:port/path`"#,
            ),
        ];
        for (input, message) in errors {
            let error = input.parse::<Target>().unwrap_err();
            assert_eq!(error.to_string(), message, "{input}");
        }
    }

    #[test]
    fn extra_headers() {
        assert!(parse_header("Authorization: Bearer x").is_ok());
        let errors = [
            (
                "Cookie",
                r#"invalid header "Cookie": write it as `Name: value`"#,
            ),
            (
                "Host: evil.example",
                r#"invalid header "Host: evil.example": the audit sets this header itself"#,
            ),
            (
                "Bad Name: x",
                r#"invalid header "Bad Name: x": the name is not a valid header name"#,
            ),
        ];
        for (input, message) in errors {
            assert_eq!(parse_header(input).unwrap_err().to_string(), message);
        }
    }

    #[test]
    fn plans_respect_the_request_cap_and_skips() {
        let trusted = vec!["https://app.example.com".parse().unwrap()];
        let config = AuditConfig::new("https://api.example.com/".parse().unwrap(), trusted);
        let plan = Plan::new(config.clone()).unwrap();
        assert_eq!(plan.requests(), plan.variants().len() * 2);
        assert!(plan.variants().iter().all(|v| v.origin.is_some()));

        let mut capped = config.clone();
        capped.max_requests = plan.requests() - 1;
        assert_eq!(
            Plan::new(capped).unwrap_err(),
            AuditError::TooManyRequests {
                planned: plan.requests(),
                limit: plan.requests() - 1
            }
        );

        let mut skipping = config;
        skipping.skip = vec![Class::NullOpaque, Class::HeaderInjection];
        let fewer = Plan::new(skipping).unwrap();
        assert_eq!(fewer.variants().len(), plan.variants().len() - 4);
        assert!(fewer
            .variants()
            .iter()
            .all(|v| !matches!(v.class, Class::NullOpaque | Class::HeaderInjection)));

        let none = AuditConfig::new("ws://127.0.0.1/".parse().unwrap(), Vec::new());
        assert_eq!(Plan::new(none).unwrap_err(), AuditError::NoTrustedOrigin);
    }
}
