//! [`OriginPolicy`]: the allowlist, its builder, and the pure `check`.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use http::{header, HeaderMap, HeaderValue, Request};

use crate::app_origin::{AppOrigin, AppOrigins};
use crate::decision::{Decision, DenyReason, MatchedRule};
use crate::entry::{parse_entry, Entry, EntryOptions};
use crate::error::{ConfigError, ConfigErrorKind};
use crate::exact::{ExactSet, Full};
use crate::excerpt::OriginExcerpt;
use crate::head::RequestHead;
use crate::order::{EntryOrder, Table};
use crate::origin::{
    may_fold, CanonicalBuffer, Fast, Origin, Scheme, SerializedOrigin, TupleOrigin,
};
use crate::pattern::OriginPattern;
use crate::pattern_table::PatternTable;

/// Which web origins may open a WebSocket (or make a cross-origin request) to this server.
///
/// A policy is an allowlist of exact origins and [`OriginPattern`]s (wildcard subdomains,
/// port lists, any port on loopback), optionally the server's own public origins
/// (*same-origin*), plus opt-ins that are off by default: requests without `Origin`,
/// `Origin: null`, and any origin. Build one with [`OriginPolicy::builder`] or parse the
/// comma/whitespace-separated string form users keep in an environment variable. Checking is
/// pure, never panics, allocates nothing for the canonical values browsers send, and costs the
/// same for 1 or 1 000 000 exact entries (patterns cost one hash lookup per label of the
/// presented host).
///
/// ```
/// use origin_policy::{DenyReason, OriginPolicy};
///
/// let policy: OriginPolicy =
///     "https://app.example.com, https://*.tenant.example.com http://localhost:*".parse()?;
///
/// assert!(policy.check_value(b"https://app.example.com").is_allowed());
/// assert!(policy.check_value(b"HTTPS://APP.EXAMPLE.COM:443").is_allowed());
/// assert!(policy.check_value(b"https://acme.tenant.example.com").is_allowed());
/// assert!(policy.check_value(b"http://localhost:5173").is_allowed());
/// assert_eq!(policy.check_value(b"https://app.example.com/").deny_reason(), Some(DenyReason::Malformed));
/// assert_eq!(policy.check_value(b"https://evil.example").deny_reason(), Some(DenyReason::NotAllowed));
/// assert_eq!(policy.check_value(b"null").deny_reason(), Some(DenyReason::Null));
///
/// let request = http::Request::get("/ws").body(())?;
/// assert_eq!(policy.check(&request).deny_reason(), Some(DenyReason::Missing));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct OriginPolicy {
    /// Exact origins, looked up by their canonical serialization.
    exact: ExactSet,
    /// The server's own public origins (the same-origin rule).
    same_origins: ExactSet,
    /// Patterns on one exact host (port lists, any port), keyed by host.
    host_patterns: PatternTable,
    /// Wildcard patterns, keyed by base domain.
    wildcards: PatternTable,
    /// Which lengths the wildcard bases have (bit `n` for `n` bytes): a suffix of any other
    /// length is not hashed at all.
    base_lengths: BaseLengths,
    /// Which table each distinct entry went to, in the order given, with the options it was
    /// accepted under.
    order: EntryOrder,
    /// The exact origins and the server's own origins as `Origin`s, made only when
    /// [`origins`](Self::origins) or [`same_origins`](Self::same_origins) lends them out.
    lent: OnceLock<Vec<Origin>>,
    lent_same: OnceLock<Vec<Origin>>,
    pub(crate) same_origin_from_host: Option<Scheme>,
    pub(crate) allow_missing: bool,
    pub(crate) allow_null: bool,
    pub(crate) allow_any: bool,
    /// Browser extension and app webview origins (the builder's named opt-in).
    pub(crate) app_origins: AppOrigins,
}

impl OriginPolicy {
    /// Starts a policy that allows nothing.
    ///
    /// ```
    /// use origin_policy::OriginPolicy;
    /// let policy = OriginPolicy::builder()
    ///     .allow("https://app.example.com")
    ///     .allow("https://*.tenant.example.com")
    ///     .build()?;
    /// assert!(policy.check_value(b"https://acme.tenant.example.com").is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn builder() -> OriginPolicyBuilder {
        OriginPolicyBuilder::default()
    }

    /// Parses the policy from an environment variable holding the string form
    /// (`"https://app.example.com, https://*.tenant.example.com"`).
    ///
    /// An unset variable is an error, not an empty policy.
    ///
    /// ```
    /// use origin_policy::{OriginPolicy, Setting};
    /// let err = OriginPolicy::from_env("ORIGIN_POLICY_DOC_UNSET").unwrap_err();
    /// assert_eq!(err.setting(), Setting::EnvironmentVariable);
    /// assert_eq!(
    ///     err.to_string(),
    ///     "environment variable \"ORIGIN_POLICY_DOC_UNSET\" is not set: set it to the allowed origins, such as `https://app.example.com`"
    /// );
    /// ```
    pub fn from_env(var: &str) -> Result<OriginPolicy, ConfigError> {
        match std::env::var(var) {
            Ok(list) => list.parse(),
            Err(std::env::VarError::NotPresent) => Err(ConfigError::new(
                var,
                ConfigErrorKind::Env(
                    "is not set: set it to the allowed origins, such as `https://app.example.com`",
                ),
            )),
            Err(std::env::VarError::NotUnicode(_)) => Err(ConfigError::new(
                var,
                ConfigErrorKind::Env("is not valid Unicode"),
            )),
        }
    }

    /// Warnings about risky but legal parts of this policy, in the order of the entries, then
    /// the options. An empty list means nothing to report.
    ///
    /// ```
    /// use origin_policy::{LintKind, OriginPolicy};
    /// let policy = OriginPolicy::builder()
    ///     .allow("http://localhost:*")
    ///     .allow_null_origin()
    ///     .build()?;
    /// let kinds: Vec<_> = policy.lint().iter().map(|l| l.kind()).collect();
    /// assert_eq!(kinds, [LintKind::Loopback, LintKind::NullOriginAllowed]);
    /// for lint in policy.lint() {
    ///     eprintln!("warning: {lint}");
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lint(&self) -> Vec<crate::Lint> {
        crate::lint::lint(self)
    }

    /// Checks the `Origin` header(s) of a request: an [`http::Request`] with any body type,
    /// or its [`http::request::Parts`] (see [`RequestHead`]).
    ///
    /// Missing `Origin` is denied unless [`OriginPolicyBuilder::allow_missing_origin`] was
    /// called; two or more `Origin` header lines are always denied. Only the opt-in
    /// [`OriginPolicyBuilder::same_origin_from_host`] rule reads more of the request: the
    /// authority of the request target when it has one (HTTP/2's `:authority`, or an
    /// absolute-form target, whose authority replaces `Host` as RFC 9112 section 3.2.2
    /// says), and otherwise the one `Host` header (several leave nothing to compare with).
    ///
    /// ```
    /// use origin_policy::{DenyReason, OriginPolicy};
    ///
    /// let policy: OriginPolicy = "https://app.example.com".parse()?;
    /// let request = http::Request::get("/ws").header("origin", "https://app.example.com").body(())?;
    /// assert!(policy.check(&request).is_allowed());
    ///
    /// let twice = http::Request::get("/ws")
    ///     .header("origin", "https://app.example.com")
    ///     .header("origin", "https://app.example.com")
    ///     .body(())?;
    /// assert_eq!(policy.check(&twice).deny_reason(), Some(DenyReason::Multiple));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check<R: RequestHead + ?Sized>(&self, request: &R) -> Decision {
        let authority = match self.same_origin_from_host {
            Some(_) => match request.uri().authority() {
                Some(authority) => Some(authority.as_str().as_bytes()),
                None => host_of(request.headers()),
            },
            None => None,
        };
        self.decide(request.headers(), authority)
    }

    /// Checks the `Origin` header(s) in a header map, for frameworks that expose only
    /// headers: the same decision as [`check`](Self::check) on a request with these headers
    /// and an origin-form target (`/path`), so the
    /// [`same_origin_from_host`](OriginPolicyBuilder::same_origin_from_host) rule reads the
    /// `Host` header. Behind HTTP/2, where the authority is not a header, pass the request
    /// (or its parts) to [`check`](Self::check) instead.
    pub fn check_headers(&self, headers: &HeaderMap) -> Decision {
        let authority = match self.same_origin_from_host {
            Some(_) => host_of(headers),
            None => None,
        };
        self.decide(headers, authority)
    }

    /// Checks the raw `Origin` field values of a request, one item per header line, for
    /// stacks whose header types are not `http` 1 (actix-web's `http` 0.2, a hand-written
    /// parser): the same decision as [`check_headers`](Self::check_headers) on a map holding
    /// these lines, with no map to build. No item is a missing header, two or more are
    /// [`DenyReason::Multiple`] (never joined into one list). There is no `Host` here, so the
    /// [`same_origin_from_host`](OriginPolicyBuilder::same_origin_from_host) rule does not
    /// apply: use [`check_values_with_host`](Self::check_values_with_host) for that.
    ///
    /// ```
    /// use origin_policy::{DenyReason, OriginPolicy};
    /// let policy: OriginPolicy = "https://app.example.com".parse()?;
    /// // actix-web: `request.headers().get_all("origin").map(|v| v.as_bytes())`
    /// let one: [&[u8]; 1] = [b"https://app.example.com"];
    /// assert!(policy.check_values(one).is_allowed());
    /// let two: [&[u8]; 2] = [b"https://app.example.com", b"https://app.example.com"];
    /// assert_eq!(policy.check_values(two).deny_reason(), Some(DenyReason::Multiple));
    /// assert_eq!(policy.check_values(std::iter::empty()).deny_reason(), Some(DenyReason::Missing));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_values<'v, I>(&self, values: I) -> Decision
    where
        I: IntoIterator<Item = &'v [u8]>,
    {
        self.decide_values(values.into_iter(), None)
    }

    /// [`check_values`](Self::check_values) with the request's authority: the `Host` field
    /// value (HTTP/1.1) or the `:authority` (HTTP/2), `None` when the request has none or
    /// more than one `Host` line. The
    /// [`same_origin_from_host`](OriginPolicyBuilder::same_origin_from_host) rule compares the
    /// origin with it; every other rule ignores it. The same decision as
    /// [`check`](Self::check) on a request with these fields.
    ///
    /// ```
    /// use origin_policy::{OriginPolicy, Scheme};
    /// let policy = OriginPolicy::builder()
    ///     .same_origin_from_host(Scheme::Https)
    ///     .build()?;
    /// let origin: [&[u8]; 1] = [b"https://tenant-7.example.net"];
    /// let host: &[u8] = b"tenant-7.example.net";
    /// assert!(policy.check_values_with_host(origin, Some(host)).is_allowed());
    /// assert!(!policy.check_values_with_host(origin, Some(&b"other.example.net"[..])).is_allowed());
    /// assert!(!policy.check_values(origin).is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_values_with_host<'v, I>(&self, values: I, host: Option<&[u8]>) -> Decision
    where
        I: IntoIterator<Item = &'v [u8]>,
    {
        let authority = match self.same_origin_from_host {
            Some(_) => host,
            None => None,
        };
        self.decide_values(values.into_iter(), authority)
    }

    /// Checks `request` and, when it is denied, returns the `403` response to send instead.
    #[deprecated(
        since = "0.2.0",
        note = "use `check(&request).rejection()`, or a `HandshakeGuard` for reporting"
    )]
    pub fn enforce<B, R>(&self, request: &Request<B>) -> Result<(), http::Response<R>>
    where
        R: From<&'static str>,
    {
        match self.check(request).rejection() {
            Some(rejection) => Err(rejection),
            None => Ok(()),
        }
    }

    fn decide(&self, headers: &HeaderMap, authority: Option<&[u8]>) -> Decision {
        let values = headers.get_all(header::ORIGIN).iter();
        self.decide_values(values.map(HeaderValue::as_bytes), authority)
    }

    /// Zero lines, one, or several: the decision on the `Origin` field lines of a request.
    fn decide_values<'v>(
        &self,
        mut values: impl Iterator<Item = &'v [u8]>,
        authority: Option<&[u8]>,
    ) -> Decision {
        match (values.next(), values.next()) {
            (None, _) if self.allow_missing => {
                Decision::allow(MatchedRule::MissingOrigin, OriginExcerpt::ABSENT)
            }
            (None, _) => Decision::deny(DenyReason::Missing, OriginExcerpt::ABSENT),
            (Some(value), None) => self.decide_value(value, authority),
            (Some(first), Some(_)) => {
                Decision::deny(DenyReason::Multiple, OriginExcerpt::new(first))
            }
        }
    }

    /// Checks the raw value of one `Origin` header.
    ///
    /// Optional whitespace (space, tab) around the value is ignored, as HTTP field values
    /// allow. Then the value must be `null` or a serialized origin: see the crate's
    /// [matching rules](crate#matching-rules). There is no request here, so the
    /// [`same_origin_from_host`](OriginPolicyBuilder::same_origin_from_host) rule does not apply.
    /// A request can carry two `Origin` lines, which only [`check`](Self::check) sees: pass
    /// the request when there is one.
    ///
    /// ```
    /// use origin_policy::{DenyReason, OriginPolicy};
    /// let policy: OriginPolicy = "https://app.example.com".parse()?;
    /// assert!(policy.check_value(b" HTTPS://App.Example.com:443 ").is_allowed());
    /// assert_eq!(policy.check_value(b"https://app.example.com/").deny_reason(), Some(DenyReason::Malformed));
    /// assert_eq!(policy.check_value(b"null").deny_reason(), Some(DenyReason::Null));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_value(&self, value: &[u8]) -> Decision {
        self.decide_value(value, None)
    }

    fn decide_value(&self, value: &[u8], authority: Option<&[u8]>) -> Decision {
        let value = trim_ows(value);
        let excerpt = OriginExcerpt::new(value);
        if value == b"null" {
            return if self.allow_null {
                Decision::allow(MatchedRule::NullOrigin, excerpt)
            } else {
                Decision::deny(DenyReason::Null, excerpt)
            };
        }
        // Exact entries are canonical serializations, so the value a browser sends can be
        // looked up before it is parsed: a hit is an origin by construction.
        let exact = match excerpt.window() {
            Some(window) => self.exact.get_with_window(value, window),
            None => self.exact.get(value),
        };
        if let Some(exact) = exact {
            return Decision::allow(MatchedRule::Exact(exact), excerpt);
        }
        // What browsers send almost always: a canonical `http(s)` origin on a plain domain.
        // One pass recognises it; anything else goes to the strict parser below.
        match TupleOrigin::fast(value) {
            Fast::Origin(origin) => return self.decide_origin(&origin, false, authority, excerpt),
            // A path, a stray byte or a bad port after plain labels: the parser would refuse
            // it, so it is not asked.
            Fast::Malformed => return refused(value, excerpt),
            Fast::Unusual => {}
        }
        // Extension and app origins are canonical entries too: a hit is well-formed by
        // construction, and looking it up first spares the parser's lower-case copy of a
        // host with an unknown scheme. No such scheme starts with `http`.
        if !value
            .get(..4)
            .is_some_and(|s| s.eq_ignore_ascii_case(b"http"))
        {
            if let Some(app) = self.app_origins.find(value) {
                return Decision::allow(MatchedRule::AppOrigin(app.clone()), excerpt);
            }
        }
        // Letter case and default ports are rewritten on the stack, not in an allocation.
        let mut buffer = CanonicalBuffer::new();
        // The same simple case in another spelling (`HTTPS://APP.EXAMPLE.COM:443`): lowered
        // into the buffer and read by the fast pass again.
        if may_fold(value) {
            if let Some(origin) = TupleOrigin::fast_folded(value, &mut buffer) {
                return self.decide_origin(&origin, true, authority, excerpt);
            }
        }
        match SerializedOrigin::parse_in(value, &mut buffer) {
            Ok(SerializedOrigin::Tuple(origin)) => {
                // The exact entries were looked up with the value itself; a rewritten
                // serialization has not been.
                let rewritten = !std::ptr::eq(&*origin.serialized, value);
                self.decide_origin(&origin, rewritten, authority, excerpt)
            }
            // Well-formed with a scheme no web page has, and not an allowed extension or app
            // origin (looked up above): `allow_any_origin_dangerously` never covers these.
            Ok(SerializedOrigin::OtherScheme) => Decision::deny(DenyReason::NotAllowed, excerpt),
            // A value with a comma, space or tab inside is never an origin; with two or more
            // items it is several origins (browsers never send that).
            Err(_) => refused(value, excerpt),
        }
    }

    /// The decision on a well-formed origin: allowed by the rule [`find_rule`](Self::find_rule)
    /// finds, or not allowed.
    fn decide_origin(
        &self,
        origin: &TupleOrigin<'_>,
        rewritten: bool,
        authority: Option<&[u8]>,
        excerpt: OriginExcerpt,
    ) -> Decision {
        match self.find_rule(origin, rewritten, authority) {
            Some(rule) => Decision::allow(rule, excerpt),
            None => Decision::deny(DenyReason::NotAllowed, excerpt),
        }
    }

    /// The rule allowing a well-formed origin, most specific first: exact entries and the
    /// server's own origins (one hash lookup each), patterns on the exact host (one lookup),
    /// wildcard patterns (one lookup per label boundary of the host), the host-derived
    /// same-origin rule, and last the any-origin opt-in. Empty tables are skipped.
    fn find_rule(
        &self,
        origin: &TupleOrigin<'_>,
        rewritten: bool,
        authority: Option<&[u8]>,
    ) -> Option<MatchedRule> {
        let serialized = &*origin.serialized;
        // Unless the parser rewrote it, the serialization is the value `decide_value` has
        // already looked up.
        if rewritten {
            if let Some(exact) = self.exact.get(serialized) {
                return Some(MatchedRule::Exact(exact));
            }
        }
        if !self.same_origins.is_empty() {
            if let Some(own) = self.same_origins.get(serialized) {
                return Some(MatchedRule::SameOrigin(own));
            }
        }
        let host = origin.host();
        if !self.host_patterns.is_empty() {
            let mut patterns = self.host_patterns.on_host(host);
            if let Some(pattern) = patterns.find(|p| p.matches_parsed(origin)) {
                return Some(MatchedRule::Pattern(pattern.clone()));
            }
        }
        if !self.wildcards.is_empty() {
            // Every proper suffix that starts right after a dot and has the length of some
            // base, longest first, so the most specific pattern wins. The host has no empty
            // labels, so the prefix before each of these dots is one or more whole labels.
            // Walking the base lengths (at most 254 of them) instead of the host's dots keeps
            // the work bounded whatever the host, and hashes nothing on most misses.
            let mut below = host.len().saturating_sub(1);
            while let Some(len) = self.base_lengths.largest_below(below) {
                below = len;
                let dot = host.len() - len - 1;
                if host[dot] != b'.' {
                    continue;
                }
                let mut patterns = self.wildcards.on_host(&host[dot + 1..]);
                if let Some(pattern) = patterns.find(|p| p.matches_parsed(origin)) {
                    return Some(MatchedRule::Pattern(pattern.clone()));
                }
            }
        }
        if let (Some(scheme), Some(authority)) = (self.same_origin_from_host, authority) {
            if is_same_origin(origin, scheme, authority) {
                return Some(MatchedRule::SameOriginFromHost);
            }
        }
        if self.allow_any {
            return Some(MatchedRule::AnyOrigin);
        }
        None
    }

    /// The exact origins, in the order given (duplicates dropped), each made as it is
    /// reached. The server's own origins given to [`OriginPolicyBuilder::same_origin`] are
    /// listed by [`same_origins`](Self::same_origins) instead.
    ///
    /// ```
    /// use origin_policy::OriginPolicy;
    /// let policy: OriginPolicy = "https://b.example, https://*.c.example, HTTPS://A.EXAMPLE:443".parse()?;
    /// let origins: Vec<String> = policy.exact_origins().map(|o| o.to_string()).collect();
    /// assert_eq!(origins, ["https://b.example", "https://a.example"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn exact_origins(&self) -> impl ExactSizeIterator<Item = Origin> + '_ {
        ExactOrigins {
            inner: self.exact.iter(),
            left: self.exact.len(),
        }
    }

    /// The exact origins, in the order given (duplicates dropped), lent out.
    ///
    /// The policy keeps its exact origins packed (about 45 bytes each), not as `Origin`s, so
    /// the first call makes all of them and keeps them as long as the policy lives: about
    /// 48 more bytes per exact origin. [`exact_origins`](Self::exact_origins) makes each one
    /// as it is reached instead.
    #[deprecated(
        since = "0.2.0",
        note = "keeps a second copy of every exact origin for the life of the policy; use `exact_origins`, which makes each as it is reached"
    )]
    pub fn origins(&self) -> impl Iterator<Item = &Origin> {
        self.lent.get_or_init(|| self.exact.iter().collect()).iter()
    }

    /// The patterns (wildcards, port rules), in the order given (duplicates dropped).
    pub fn patterns(&self) -> impl Iterator<Item = &OriginPattern> {
        let mut host = self.host_patterns.iter();
        let mut wildcards = self.wildcards.iter();
        self.order.iter().filter_map(move |(table, _)| match table {
            Table::HostPatterns => host.next(),
            Table::Wildcards => wildcards.next(),
            Table::Exact | Table::SameOrigin => None,
        })
    }

    /// The server's own public origins (the same-origin rule), in the order given.
    ///
    /// The first call makes them as `Origin`s and keeps them as long as the policy lives
    /// (a server has a handful).
    pub fn same_origins(&self) -> impl Iterator<Item = &Origin> {
        self.lent_same
            .get_or_init(|| self.same_origins.iter().collect())
            .iter()
    }

    /// Every distinct entry in the order given, with the options it was accepted under.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (Entry, EntryOptions)> + '_ {
        let mut exact = self.exact.iter();
        let mut same = self.same_origins.iter();
        let mut host = self.host_patterns.iter();
        let mut wildcards = self.wildcards.iter();
        self.order.iter().filter_map(move |(table, options)| {
            let entry = match table {
                Table::Exact => Entry::Exact(exact.next()?),
                Table::SameOrigin => Entry::Exact(same.next()?),
                Table::HostPatterns => Entry::Pattern(host.next()?.clone()),
                Table::Wildcards => Entry::Pattern(wildcards.next()?.clone()),
            };
            Some((entry, options))
        })
    }

    /// The scheme of the host-derived same-origin rule, if it is on.
    pub fn same_origin_from_host_scheme(&self) -> Option<Scheme> {
        self.same_origin_from_host
    }

    /// Whether requests without an `Origin` header are allowed.
    pub fn allows_missing_origin(&self) -> bool {
        self.allow_missing
    }

    /// Whether `Origin: null` is allowed.
    pub fn allows_null_origin(&self) -> bool {
        self.allow_null
    }

    /// Whether every well-formed origin is allowed.
    pub fn allows_any_origin(&self) -> bool {
        self.allow_any
    }

    /// The browser extension and app webview origins allowed through
    /// [`OriginPolicyBuilder::allow_extension_or_app_origin`], in the order given.
    pub fn app_origins(&self) -> impl Iterator<Item = &AppOrigin> {
        self.app_origins.iter()
    }

    /// The builder (configuration) that builds this policy again: canonical entries, the
    /// opt-ins as they were given. Serialization goes through it.
    pub fn to_builder(&self) -> OriginPolicyBuilder {
        let mut builder = OriginPolicyBuilder {
            same_origin_from_host: self.same_origin_from_host,
            allow_missing_origin: self.allow_missing,
            allow_null_origin: self.allow_null,
            allow_any_origin_dangerously: self.allow_any,
            ..OriginPolicyBuilder::default()
        };
        for (entry, options) in self.entries() {
            let text = match entry {
                Entry::Exact(origin) => origin.to_string(),
                Entry::Pattern(pattern) => pattern.to_string(),
            };
            let list = if options.same_origin {
                &mut builder.same_origin
            } else if options.any_port_off_loopback {
                &mut builder.allow_any_port_off_loopback
            } else if options.public_suffix_wildcard {
                &mut builder.allow_wildcard_on_public_suffix
            } else {
                &mut builder.allow
            };
            list.push(text);
        }
        builder.allow_extension_or_app_origin =
            self.app_origins.iter().map(ToString::to_string).collect();
        builder
    }

    fn contains(&self, entry: &Entry, options: EntryOptions) -> bool {
        match entry {
            Entry::Exact(origin) if options.same_origin => {
                self.same_origins.contains(origin.as_str().as_bytes())
            }
            Entry::Exact(origin) => self.exact.contains(origin.as_str().as_bytes()),
            Entry::Pattern(pattern) if pattern.is_wildcard() => self.wildcards.contains(pattern),
            Entry::Pattern(pattern) => self.host_patterns.contains(pattern),
        }
    }

    /// Adds `text` if it is a canonical `http(s)` origin on a plain domain (what `Display`
    /// writes, and what large lists hold) in one pass and without making an `Origin`; `false`
    /// when it is anything else, for [`parse_entry`] to read. The fast pass accepts only what
    /// the strict parser accepts unchanged, which is `parse_entry`'s own first step.
    fn insert_canonical(&mut self, text: &str, raw: &str) -> Result<bool, ConfigError> {
        let Fast::Origin(origin) = TupleOrigin::fast(text.as_bytes()) else {
            return Ok(false);
        };
        // Port 0 is refused by `parse_entry`, with its message.
        if origin.port == Some(0) || *origin.serialized != *text.as_bytes() {
            return Ok(false);
        }
        let added = self.exact.insert_tuple(&origin);
        self.record(Table::Exact, EntryOptions::default(), added, raw)?;
        Ok(true)
    }

    /// Adds `entry` unless the policy has it; `raw` (as given) names it in the error when the
    /// table it goes to is full.
    fn insert(
        &mut self,
        entry: Entry,
        options: EntryOptions,
        raw: &str,
    ) -> Result<(), ConfigError> {
        let (table, added) = match entry {
            Entry::Exact(origin) if options.same_origin => {
                (Table::SameOrigin, self.same_origins.insert(&origin))
            }
            Entry::Exact(origin) => (Table::Exact, self.exact.insert(&origin)),
            Entry::Pattern(pattern) if pattern.is_wildcard() => {
                let base = pattern.host().len();
                let added = self.wildcards.insert(pattern);
                if added == Ok(true) {
                    self.base_lengths.insert(base);
                }
                (Table::Wildcards, added)
            }
            Entry::Pattern(pattern) => (Table::HostPatterns, self.host_patterns.insert(pattern)),
        };
        self.record(table, options, added, raw)
    }

    /// Keeps the order of an entry `table` took (nothing for a duplicate), or says it was full.
    fn record(
        &mut self,
        table: Table,
        options: EntryOptions,
        added: Result<bool, Full>,
        raw: &str,
    ) -> Result<(), ConfigError> {
        match added {
            Ok(true) => {
                self.order.push(table, options);
                Ok(())
            }
            Ok(false) => Ok(()),
            Err(Full) => Err(ConfigError::new(raw, ConfigErrorKind::TooManyEntries)),
        }
    }
}

/// The exact origins of a policy, each made as it is reached
/// ([`OriginPolicy::exact_origins`]).
struct ExactOrigins<'a> {
    inner: crate::exact::Iter<'a>,
    left: usize,
}

impl Iterator for ExactOrigins<'_> {
    type Item = Origin;

    fn next(&mut self) -> Option<Origin> {
        let origin = self.inner.next()?;
        self.left = self.left.saturating_sub(1);
        Some(origin)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for ExactOrigins<'_> {}

/// The decision on a value that is not a serialized origin: with a comma, space or tab inside
/// and two or more items it is several origins (browsers never send that), otherwise it is
/// malformed.
fn refused(value: &[u8], excerpt: OriginExcerpt) -> Decision {
    let is_separator = |b: &u8| matches!(b, b',' | b' ' | b'\t');
    let items = value.split(is_separator).filter(|s| !s.is_empty()).count();
    let reason = if items > 1 {
        DenyReason::Multiple
    } else {
        DenyReason::Malformed
    };
    Decision::deny(reason, excerpt)
}

/// A set of lengths: which suffix lengths are the length of some wildcard base. Bases are
/// at most 251 bytes (252 with a trailing dot: the builder leaves room for a subdomain label
/// within DNS's 253), so 256 bits hold them all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct BaseLengths([u64; 4]);

impl BaseLengths {
    /// Adds `len`; a length of 256 or more (which the builder never lets through) is not
    /// representable and is refused loudly in debug builds, ignored otherwise.
    fn insert(&mut self, len: usize) {
        debug_assert!(len < 256, "wildcard base of {len} bytes");
        if let Some(word) = self.0.get_mut(len / 64) {
            *word |= 1 << (len % 64);
        }
    }

    /// The largest length in the set that is less than `limit`.
    fn largest_below(&self, limit: usize) -> Option<usize> {
        let limit = limit.min(256);
        let mut index = limit / 64;
        // The bits below `limit` in its word, then whole lower words.
        let mut word = match self.0.get(index) {
            Some(word) => word & ((1u64 << (limit % 64)) - 1),
            None => {
                index = 3;
                self.0[3]
            }
        };
        loop {
            if word != 0 {
                return Some(index * 64 + 63 - word.leading_zeros() as usize);
            }
            if index == 0 {
                return None;
            }
            index -= 1;
            word = self.0[index];
        }
    }
}

/// The `Host` header, when there is exactly one.
fn host_of(headers: &HeaderMap) -> Option<&[u8]> {
    let mut hosts = headers.get_all(header::HOST).iter();
    match (hosts.next(), hosts.next()) {
        (Some(host), None) => Some(host.as_bytes()),
        _ => None,
    }
}

/// Whether `origin` is `scheme://authority`: same scheme, same host (ASCII case-insensitive),
/// same port (defaults filled in). Compares piecewise, without allocating; a `Host` that is
/// not in canonical form simply does not match.
fn is_same_origin(origin: &TupleOrigin<'_>, scheme: Scheme, authority: &[u8]) -> bool {
    let authority = trim_ows(authority);
    let (host, port) = match authority.iter().rposition(|&b| b == b':') {
        // A colon inside IPv6 brackets is not a port separator.
        Some(colon) if !authority[colon..].contains(&b']') => {
            // The port's serialization only: decimal, no sign, no leading zero.
            match crate::origin::parse_port(&authority[colon + 1..]) {
                Some(port) => (&authority[..colon], port),
                None => return false,
            }
        }
        _ => (authority, scheme.default_port()),
    };
    origin.scheme == scheme
        && origin.host().eq_ignore_ascii_case(host)
        && origin.port.unwrap_or(scheme.default_port()) == port
}

/// HTTP optional whitespace (RFC 9110 section 5.6.3): spaces and tabs.
fn trim_ows(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| matches!(b, b' ' | b'\t');
    // Nothing to trim, the usual case: two comparisons.
    match (value.first(), value.last()) {
        (Some(first), Some(last)) if !is_ows(first) && !is_ows(last) => return value,
        _ => {}
    }
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    &value[start..end]
}

/// Splits the string form into entries: commas and whitespace separate them, except inside
/// `[...]` (IPv6 hosts and port lists such as `:[8443,9443]`).
fn split_list(list: &str) -> impl Iterator<Item = &str> {
    let mut depth = 0usize;
    list.split(move |c: char| {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        depth == 0 && (c == ',' || c.is_whitespace())
    })
    .filter(|entry| !entry.is_empty())
}

impl FromStr for OriginPolicy {
    type Err = ConfigError;

    /// Parses a list of entries separated by commas and/or whitespace, such as
    /// `"https://app.example.com, https://*.tenant.example.com http://localhost:*"`.
    /// An empty list is an error (an unset variable is more likely than a wish to deny all).
    /// The opt-ins that name risky entries (any port off loopback, wildcards on a public
    /// suffix, extension and app origins) exist only on the builder: an entry that needs one
    /// is refused with an error naming it.
    fn from_str(list: &str) -> Result<OriginPolicy, ConfigError> {
        let policy = OriginPolicy::builder()
            .allow_all(split_list(list))
            .build()?;
        if policy.order.is_empty() {
            return Err(ConfigError::new(list, ConfigErrorKind::EmptyList));
        }
        Ok(policy)
    }
}

impl fmt::Display for OriginPolicy {
    /// The allowlist in the form [`FromStr`] reads: canonical entries separated by `, `.
    /// The opt-ins (missing, `null`, any origin, the host-derived same-origin rule) have no
    /// string form and are not shown; entries accepted through the builder's opt-in methods
    /// are shown but [`FromStr`] refuses them. Use [`to_builder`](Self::to_builder) (or serde)
    /// for a lossless round trip.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (entry, _)) in self.entries().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match entry {
                Entry::Exact(origin) => origin.fmt(f)?,
                Entry::Pattern(pattern) => pattern.fmt(f)?,
            }
        }
        // Extension and app origins last (shown, but only the builder's opt-in takes them).
        for (i, origin) in self.app_origins.iter().enumerate() {
            if i > 0 || !self.order.is_empty() {
                f.write_str(", ")?;
            }
            origin.fmt(f)?;
        }
        Ok(())
    }
}

impl fmt::Debug for OriginPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OriginPolicy")
            .field("allowlist", &format_args!("[{self}]"))
            .field("same_origin_from_host", &self.same_origin_from_host)
            .field("allow_missing_origin", &self.allow_missing)
            .field("allow_null_origin", &self.allow_null)
            .field("allow_any_origin", &self.allow_any)
            .finish()
    }
}

impl PartialEq for OriginPolicy {
    /// Same rules and opt-ins, whatever the order or spelling of the entries.
    fn eq(&self, other: &OriginPolicy) -> bool {
        self.allow_missing == other.allow_missing
            && self.allow_null == other.allow_null
            && self.allow_any == other.allow_any
            && self.same_origin_from_host == other.same_origin_from_host
            && self.app_origins.len() == other.app_origins.len()
            && self
                .app_origins
                .iter()
                .all(|origin| other.app_origins.contains(origin))
            && self.order.len() == other.order.len()
            && self
                .entries()
                .all(|(entry, options)| other.contains(&entry, options))
    }
}

impl Eq for OriginPolicy {}

/// Builds an [`OriginPolicy`]; every entry is validated by [`build`](Self::build).
///
/// The builder is also the policy's configuration format: with the `serde` feature it
/// (de)serializes as a struct with the fields `allow`, `allow_any_port_off_loopback`,
/// `allow_wildcard_on_public_suffix`, `same_origin` (lists of entries),
/// `same_origin_from_host` (`"http"` or `"https"`), `allow_missing_origin`,
/// `allow_null_origin` and `allow_any_origin_dangerously` (booleans), and
/// `allow_extension_or_app_origin` (a list of extension and app origins), all optional; unknown
/// fields are refused. The risky opt-ins are separate, explicitly named methods and fields;
/// each one's documentation says what it gives up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[must_use = "a builder does nothing until `build` is called"]
pub struct OriginPolicyBuilder {
    allow: Vec<String>,
    allow_any_port_off_loopback: Vec<String>,
    allow_wildcard_on_public_suffix: Vec<String>,
    same_origin: Vec<String>,
    same_origin_from_host: Option<Scheme>,
    allow_missing_origin: bool,
    allow_null_origin: bool,
    allow_any_origin_dangerously: bool,
    allow_extension_or_app_origin: Vec<String>,
}

impl OriginPolicyBuilder {
    /// Adds an entry: an exact origin in any equivalent spelling (`HTTPS://App.Example.com:443/`,
    /// `https://bücher.example`, `http://[::1]:8080`), a wildcard-subdomain pattern
    /// (`https://*.example.com`), a port list (`https://app.example.com:[8443,9443]`), any
    /// port on a loopback host (`http://localhost:*`), or a wildcard with a port rule.
    pub fn allow(mut self, entry: impl Into<String>) -> Self {
        self.allow.push(entry.into());
        self
    }

    /// Adds several entries (see [`allow`](Self::allow)).
    pub fn allow_all<I>(mut self, entries: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.allow.extend(entries.into_iter().map(Into::into));
        self
    }

    /// Adds an entry that may use any port (`:*`) on a host that is not loopback, such as
    /// `https://app.example.com:*`.
    ///
    /// Every port of a host is rarely one service: other ports may run a different
    /// application (an admin panel, a dev server, a third party's service) whose pages then
    /// count as trusted. List the ports instead (`:[8443,9443]`) wherever possible.
    /// [`OriginPolicy::lint`] reports these entries.
    pub fn allow_any_port_off_loopback(mut self, entry: impl Into<String>) -> Self {
        self.allow_any_port_off_loopback.push(entry.into());
        self
    }

    /// Adds a wildcard entry whose base is a public suffix, such as `https://*.myplatform.app`
    /// where you run `myplatform.app` and it is on the Public Suffix List.
    ///
    /// A public suffix is where unrelated parties register names: `https://*.github.io`
    /// would trust every GitHub Pages site. Only for the operator of the suffix, who decides
    /// who gets names under it.
    pub fn allow_wildcard_on_public_suffix(mut self, entry: impl Into<String>) -> Self {
        self.allow_wildcard_on_public_suffix.push(entry.into());
        self
    }

    /// Adds one of the server's own public origins, such as `https://chat.example.com`: a
    /// request whose `Origin` is this origin is same-origin and allowed
    /// ([`MatchedRule::SameOrigin`]).
    ///
    /// Behind a proxy the server cannot see its public scheme, and `Host` can be rewritten,
    /// so the public origin comes from configuration rather than from the request.
    pub fn same_origin(mut self, origin: impl Into<String>) -> Self {
        self.same_origin.push(origin.into());
        self
    }

    /// Allows an `Origin` equal to `scheme://` plus the request's own `Host` header (or, for
    /// HTTP/2, the URI authority), comparing host and port in full.
    ///
    /// This trusts `Host`. A proxy or CDN that rewrites `Host` (to an internal name) makes the
    /// rule match the wrong origin or nothing, and a server reachable under several names
    /// (including an attacker-chosen DNS name pointing at it, *DNS rebinding*) treats each as
    /// its own origin. Prefer [`same_origin`](Self::same_origin) with the public origin. The
    /// scheme must be stated because a request does not carry it; `X-Forwarded-*` and
    /// `Forwarded` are never read.
    pub fn same_origin_from_host(mut self, scheme: Scheme) -> Self {
        self.same_origin_from_host = Some(scheme);
        self
    }

    /// Allows requests that carry no `Origin` header.
    ///
    /// Browsers send `Origin` on every WebSocket handshake, so a missing header means a
    /// non-browser client (a CLI, a mobile app, a server). Those clients can send any `Origin`
    /// they like anyway: an origin check only protects users' browsers from other web pages.
    /// Turn this on when such clients must connect, and authenticate them by other means
    /// (a token, mTLS): this is not authentication.
    pub fn allow_missing_origin(mut self) -> Self {
        self.allow_missing_origin = true;
        self
    }

    /// Allows `Origin: null`.
    ///
    /// Browsers send `null` from sandboxed iframes, `data:` and `file:` pages, and some
    /// redirects. Any site can create such a page, so allowing `null` lets *every* site in:
    /// only turn it on for a local tool that is really loaded from `file:`.
    pub fn allow_null_origin(mut self) -> Self {
        self.allow_null_origin = true;
        self
    }

    /// Allows every well-formed `http`/`https` origin (malformed values, `null` and missing
    /// headers are still governed by their own rules).
    ///
    /// This switches off the protection against cross-site WebSocket hijacking: any web page
    /// a user visits can open a socket with the user's cookies. Only for endpoints that use no
    /// ambient credentials (no cookies, no HTTP authentication, no client certificates).
    pub fn allow_any_origin_dangerously(mut self) -> Self {
        self.allow_any_origin_dangerously = true;
        self
    }

    /// Adds the exact origin of a browser extension page or of an app's webview:
    /// `chrome-extension://<id>` (Chromium, 32 letters `a`-`p`), `moz-extension://<uuid>`
    /// (Firefox), `safari-web-extension://<uuid>` (Safari), or `capacitor://localhost`,
    /// `ionic://localhost`, `tauri://localhost` (app webviews). Scheme and identifier in any
    /// letter case; no wildcard over an identifier or a scheme. See [`AppOrigin`] for each
    /// grammar and its source.
    ///
    /// What such an entry trusts, and [`OriginPolicy::lint`] repeats:
    /// - a Chromium extension id is one extension (derived from its key), but an unpacked
    ///   extension's id comes from its folder path unless its manifest has a `key`;
    /// - a Firefox or Safari UUID is one *install*: every user's browser profile has its own,
    ///   so the entry matches one profile only (Safari may also change it);
    /// - `capacitor://localhost`, `ionic://localhost` and `tauri://localhost` are shared by
    ///   every app built with that framework: any such app on the user's device sends them.
    ///
    /// Like every `Origin`, these only protect a browser's user from other pages; any
    /// program can send them. `http://tauri.localhost` and `https://tauri.localhost` (Tauri on
    /// Windows and Android) are ordinary origins for [`allow`](Self::allow). The string form
    /// ([`FromStr`](OriginPolicy#impl-FromStr-for-OriginPolicy)) and `allow` refuse these
    /// entries with [`ConfigErrorKind::AppOriginWithoutOptIn`], which names this method.
    ///
    /// ```
    /// use origin_policy::{ConfigErrorKind, MatchedRule, OriginPolicy};
    /// let policy = OriginPolicy::builder()
    ///     .allow("http://localhost:5173")
    ///     .allow_extension_or_app_origin("chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop")
    ///     .allow_extension_or_app_origin("tauri://localhost")
    ///     .build()?;
    /// let decision = policy.check_value(b"chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop");
    /// assert!(matches!(decision.matched_rule(), Some(MatchedRule::AppOrigin(_))));
    /// assert!(!policy.check_value(b"chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").is_allowed());
    ///
    /// let err = "tauri://localhost".parse::<OriginPolicy>().unwrap_err();
    /// assert_eq!(err.kind(), &ConfigErrorKind::AppOriginWithoutOptIn("tauri".into()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allow_extension_or_app_origin(mut self, origin: impl Into<String>) -> Self {
        self.allow_extension_or_app_origin.push(origin.into());
        self
    }

    /// Validates every entry and builds the policy; the first invalid entry is the error.
    ///
    /// A builder with no entries builds a policy that denies every origin (still honouring
    /// the opt-ins).
    ///
    /// ```
    /// use origin_policy::{ConfigErrorKind, OriginPolicy};
    /// let err = OriginPolicy::builder().allow("wss://app.example.com").build().unwrap_err();
    /// assert!(matches!(err.kind(), ConfigErrorKind::WebSocketScheme(_)));
    /// ```
    pub fn build(&self) -> Result<OriginPolicy, ConfigError> {
        let mut policy = OriginPolicy {
            // Room for every entry of `allow` in the index up front: it never grows (and
            // never holds the old and the new table at once) while a large list is read.
            exact: ExactSet::with_capacity(self.allow.len()),
            same_origins: ExactSet::default(),
            host_patterns: PatternTable::default(),
            wildcards: PatternTable::default(),
            base_lengths: BaseLengths::default(),
            order: EntryOrder::default(),
            lent: OnceLock::new(),
            lent_same: OnceLock::new(),
            same_origin_from_host: self.same_origin_from_host,
            allow_missing: self.allow_missing_origin,
            allow_null: self.allow_null_origin,
            allow_any: self.allow_any_origin_dangerously,
            app_origins: AppOrigins::default(),
        };
        let plain = EntryOptions::default();
        let any_port = EntryOptions {
            any_port_off_loopback: true,
            ..plain
        };
        let public_suffix = EntryOptions {
            public_suffix_wildcard: true,
            ..plain
        };
        let same_origin = EntryOptions {
            same_origin: true,
            ..plain
        };
        for raw in &self.allow {
            if !policy.insert_canonical(raw.trim(), raw)? {
                policy.insert(parse_entry(raw.trim(), plain)?, plain, raw)?;
            }
        }
        for raw in &self.allow_any_port_off_loopback {
            policy.insert(parse_entry(raw.trim(), any_port)?, any_port, raw)?;
        }
        for raw in &self.allow_wildcard_on_public_suffix {
            policy.insert(parse_entry(raw.trim(), public_suffix)?, public_suffix, raw)?;
        }
        for raw in &self.same_origin {
            let origin = crate::entry::parse_exact(raw.trim())?;
            policy.insert(Entry::Exact(origin), same_origin, raw)?;
        }
        for raw in &self.allow_extension_or_app_origin {
            policy.app_origins.insert(raw.trim().parse()?);
        }
        policy.host_patterns.shrink_to_fit();
        policy.wildcards.shrink_to_fit();
        Ok(policy)
    }
}

impl TryFrom<OriginPolicyBuilder> for OriginPolicy {
    type Error = ConfigError;

    fn try_from(builder: OriginPolicyBuilder) -> Result<OriginPolicy, ConfigError> {
        builder.build()
    }
}

impl From<OriginPolicy> for OriginPolicyBuilder {
    fn from(policy: OriginPolicy) -> OriginPolicyBuilder {
        policy.to_builder()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for OriginPolicy {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_builder().serialize(serializer)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for OriginPolicy {
    /// Deserializes the builder's fields and builds the policy, with the same validation and
    /// error messages as [`OriginPolicyBuilder::build`].
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<OriginPolicy, D::Error> {
        let builder = OriginPolicyBuilder::deserialize(deserializer)?;
        builder.build().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::ORIGIN;

    const POLICY: &str = "https://app.example.com, https://admin.example.org:8443 \
        http://localhost:3000 http://127.0.0.1:8080 http://[::1]:8080 \
        https://xn--bcher-kva.example https://*.tenant.example.com";

    fn policy() -> OriginPolicy {
        POLICY.parse().expect("the test policy is valid")
    }

    /// `origins()` stays for callers of 0.1 (deprecated): it lends the same origins, in the
    /// same order, as `exact_origins()` makes, and lends the same ones on a second call.
    #[test]
    #[allow(deprecated)]
    fn deprecated_origins_lends_what_exact_origins_makes() {
        let policy = policy();
        let made: Vec<Origin> = policy.exact_origins().collect();
        assert_eq!(policy.exact_origins().len(), 6);
        let lent: Vec<Origin> = policy.origins().cloned().collect();
        assert_eq!(lent, made);
        let first = policy.origins().next().map(std::ptr::from_ref);
        assert_eq!(policy.origins().next().map(std::ptr::from_ref), first);
    }

    /// The builder's one-pass path for canonical entries makes the same policy as
    /// `parse_entry`: the same origins with the same parts, in the same order, with
    /// duplicates (in any spelling) dropped the same way.
    #[test]
    fn canonical_entries_take_the_fast_path_to_the_same_policy() {
        let entries = [
            "https://app.example.com",
            "http://localhost:3000",
            "https://a-b_c.example.org:8443",
            "https://APP.example.com",
            "https://app.example.com:443",
            "https://app.example.com/",
            "http://app.example.com:0",
            "https://app.example.com.",
            "https://xn--bcher-kva.example",
            "https://bücher.example",
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
            "https://a.very-long-host-name-that-does-not-fit-inline.example.com:65535",
            "http://app.example.com",
            "https://app.example.com",
        ];
        for entry in entries {
            let fast = OriginPolicy::builder().allow(entry).build();
            let strict = parse_entry(entry.trim(), EntryOptions::default());
            match (fast, strict) {
                (Ok(policy), Ok(Entry::Exact(origin))) => {
                    let held: Vec<Origin> = policy.exact_origins().collect();
                    assert_eq!(held, std::slice::from_ref(&origin), "{entry}");
                    let held = &held[0];
                    assert_eq!(held.scheme(), origin.scheme(), "{entry}");
                    assert_eq!(held.host(), origin.host(), "{entry}");
                    assert_eq!(held.port(), origin.port(), "{entry}");
                    assert!(policy.check_value(origin.as_str().as_bytes()).is_allowed());
                }
                (Err(fast), Err(strict)) => assert_eq!(fast, strict, "{entry}"),
                (fast, strict) => panic!("{entry}: {fast:?} but {strict:?}"),
            }
        }
        let policy = OriginPolicy::builder().allow_all(entries).build();
        assert!(policy.is_err(), "port 0 is refused");
        let kept: Vec<&str> = entries
            .iter()
            .copied()
            .filter(|e| !e.ends_with(":0"))
            .collect();
        let policy = OriginPolicy::builder()
            .allow_all(kept.iter().copied())
            .build()
            .unwrap();
        let strict: Vec<Origin> = kept
            .iter()
            .map(|e| match parse_entry(e, EntryOptions::default()) {
                Ok(Entry::Exact(origin)) => origin,
                other => panic!("{e}: {other:?}"),
            })
            .fold(Vec::new(), |mut seen, origin| {
                if !seen.contains(&origin) {
                    seen.push(origin);
                }
                seen
            });
        assert_eq!(policy.exact_origins().collect::<Vec<_>>(), strict);
    }

    /// A table that cannot take another entry is a typed error naming the entry as given,
    /// never a panic or an entry silently dropped.
    #[test]
    fn a_full_exact_table_is_a_typed_error() {
        let mut policy = OriginPolicy::builder().build().unwrap();
        policy.exact = ExactSet::with_max_chunks(1);
        let mut accepted = 0;
        let error = loop {
            let raw = format!("https://host-{accepted}.example.com");
            let origin: Origin = raw.parse().unwrap();
            match policy.insert(Entry::Exact(origin), EntryOptions::default(), &raw) {
                Ok(()) => accepted += 1,
                Err(error) => break error,
            }
            assert!(accepted < 100_000, "one chunk never filled");
        };
        assert!(accepted > 1000, "{accepted}");
        assert_eq!(error.kind(), &ConfigErrorKind::TooManyEntries);
        assert_eq!(
            error.input(),
            format!("https://host-{accepted}.example.com")
        );
        assert!(
            error.to_string().contains("cannot hold more entries"),
            "{error}"
        );
        // What was accepted is still there, in order.
        assert_eq!(policy.exact_origins().len(), accepted);
        let last = format!("https://host-{}.example.com", accepted - 1);
        assert!(policy.check_value(last.as_bytes()).is_allowed());
    }

    /// Issue 13: an allowed check hands out an owned `MatchedRule`; for the origins browsers
    /// send, cloning it must copy bytes, never write a reference count that every thread
    /// checking the same rule shares. Longer texts and port lists are shared (and say so).
    #[test]
    fn allowed_rules_are_copied_not_counted() {
        let policy = OriginPolicy::builder()
            .allow("https://app.example.com")
            .allow("https://*.tenant.example.com")
            .allow("http://localhost:*")
            .allow("https://admin.example.org:[8443,9443]")
            .allow("https://a-rather-long-host-name.example.com")
            .same_origin("https://own.example.net")
            .allow_extension_or_app_origin("capacitor://localhost")
            .allow_extension_or_app_origin("chrome-extension://abcdefghijklmnopabcdefghijklmnop")
            .build()
            .expect("a valid policy");
        let inline = |value: &[u8]| match policy.check_value(value) {
            Decision::Allow { rule, .. } => match rule {
                MatchedRule::Exact(origin) | MatchedRule::SameOrigin(origin) => origin.is_inline(),
                MatchedRule::Pattern(pattern) => pattern.is_inline(),
                MatchedRule::AppOrigin(origin) => origin.is_inline(),
                other => panic!("{other:?} for {value:?}"),
            },
            denied => panic!("{denied} for {value:?}"),
        };
        let cases: &[(&[u8], bool)] = &[
            (b"https://app.example.com", true),
            (b"HTTPS://APP.EXAMPLE.COM:443", true),
            (b"https://acme.tenant.example.com", true),
            (b"http://localhost:5173", true),
            (b"https://own.example.net", true),
            (b"capacitor://localhost", true),
            // 44 bytes: over the inline limit.
            (b"https://a-rather-long-host-name.example.com", false),
            // A port list is shared.
            (b"https://admin.example.org:9443", false),
            (
                b"chrome-extension://abcdefghijklmnopabcdefghijklmnop",
                false,
            ),
        ];
        for &(value, expected) in cases {
            assert_eq!(
                inline(value),
                expected,
                "{}",
                String::from_utf8_lossy(value)
            );
        }
    }

    /// Mirrors the "Matching rules" table of the crate docs, row for row.
    #[test]
    fn matching_rules_table() {
        use DenyReason::*;
        let allowed = |rule: &str| Ok(rule.to_owned());
        let cases: Vec<(&[u8], Result<String, DenyReason>)> = vec![
            // Exact entries and equivalent spellings.
            (
                b"https://app.example.com",
                allowed("https://app.example.com"),
            ),
            (
                b"HTTPS://App.Example.COM",
                allowed("https://app.example.com"),
            ),
            (
                b"https://app.example.com:443",
                allowed("https://app.example.com"),
            ),
            (
                b" https://app.example.com\t",
                allowed("https://app.example.com"),
            ),
            (
                b"https://admin.example.org:8443",
                allowed("https://admin.example.org:8443"),
            ),
            (b"http://localhost:3000", allowed("http://localhost:3000")),
            (b"http://127.0.0.1:8080", allowed("http://127.0.0.1:8080")),
            (b"http://[::1]:8080", allowed("http://[::1]:8080")),
            (
                b"https://xn--bcher-kva.example",
                allowed("https://xn--bcher-kva.example"),
            ),
            // Wildcard subdomains.
            (
                b"https://acme.tenant.example.com",
                allowed("https://*.tenant.example.com"),
            ),
            (
                b"https://a.b.tenant.example.com",
                allowed("https://*.tenant.example.com"),
            ),
            (
                b"https://ACME.Tenant.Example.com:443",
                allowed("https://*.tenant.example.com"),
            ),
            (b"https://tenant.example.com", Err(NotAllowed)),
            (b"https://eviltenant.example.com", Err(NotAllowed)),
            (b"https://acme.tenant.example.com.evil.net", Err(NotAllowed)),
            (b"https://acme.tenant.example.com.", Err(NotAllowed)),
            (b"http://acme.tenant.example.com", Err(NotAllowed)),
            (b"https://acme.tenant.example.com:8443", Err(NotAllowed)),
            (b"https://*.tenant.example.com", Err(Malformed)),
            (b"https://.tenant.example.com", Err(Malformed)),
            // Other origins.
            (b"https://evil.example", Err(NotAllowed)),
            (b"http://app.example.com", Err(NotAllowed)),
            (b"https://app.example.com:8443", Err(NotAllowed)),
            (b"https://admin.example.org", Err(NotAllowed)),
            (b"https://x.app.example.com", Err(NotAllowed)),
            (b"https://app.example.com.", Err(NotAllowed)),
            (b"wss://app.example.com", Err(NotAllowed)),
            (b"http://localhost:3001", Err(NotAllowed)),
            // Not serialized origins, even where a URL parser would repair them.
            (b"https://app.example.com/", Err(Malformed)),
            (b"https:app.example.com", Err(Malformed)),
            (b"https://user@app.example.com", Err(Malformed)),
            (b"https://app.example.com@evil.example", Err(Malformed)),
            (b"https://app.example.com:", Err(Malformed)),
            (b"https://app.example.com:0443", Err(Malformed)),
            (b"https://app%2eexample.com", Err(Malformed)),
            (b"https://b\xc3\xbccher.example", Err(Malformed)),
            (b"http://127.1:8080", Err(Malformed)),
            (b"http://[0:0:0:0:0:0:0:1]:8080", Err(Malformed)),
            (b"https://app.example.com\r\n", Err(Malformed)),
            (b"", Err(Malformed)),
            (b"https://app.example.com,", Err(Malformed)),
            // null and lists.
            (b"null", Err(Null)),
            (b"NULL", Err(Malformed)),
            (
                b"https://evil.example, https://app.example.com",
                Err(Multiple),
            ),
            (
                b"https://app.example.com https://evil.example",
                Err(Multiple),
            ),
        ];
        let policy = policy();
        for (value, expected) in cases {
            let decision = policy.check_value(value);
            let got = match &decision {
                Decision::Allow { rule, .. } => Ok(rule.to_string()),
                Decision::Deny { reason, .. } => Err(*reason),
            };
            assert_eq!(got, expected, "value {:?}", String::from_utf8_lossy(value));
        }
    }

    #[test]
    fn header_counts() {
        let policy = policy();
        let mut headers = HeaderMap::new();
        assert_eq!(
            policy.check_headers(&headers).deny_reason(),
            Some(DenyReason::Missing)
        );
        headers.append(ORIGIN, "https://app.example.com".parse().unwrap());
        assert!(policy.check_headers(&headers).is_allowed());
        headers.append(ORIGIN, "https://app.example.com".parse().unwrap());
        assert_eq!(
            policy.check_headers(&headers).deny_reason(),
            Some(DenyReason::Multiple)
        );

        let request = Request::get("/")
            .header(ORIGIN, "https://app.example.com")
            .body(())
            .unwrap();
        assert!(policy.check(&request).is_allowed());
    }

    #[test]
    fn opt_ins() {
        let policy = OriginPolicy::builder()
            .allow("https://app.example.com")
            .allow_missing_origin()
            .allow_null_origin()
            .build()
            .unwrap();
        assert_eq!(
            policy.check_headers(&HeaderMap::new()).matched_rule(),
            Some(&MatchedRule::MissingOrigin)
        );
        assert_eq!(
            policy.check_value(b"null").matched_rule(),
            Some(&MatchedRule::NullOrigin)
        );
        assert!(!policy.check_value(b"https://evil.example").is_allowed());

        let any = OriginPolicy::builder()
            .allow_any_origin_dangerously()
            .build()
            .unwrap();
        assert_eq!(
            any.check_value(b"https://evil.example").matched_rule(),
            Some(&MatchedRule::AnyOrigin)
        );
        // Still strict about everything that is not a well-formed http(s) origin.
        assert_eq!(
            any.check_value(b"https://evil.example/").deny_reason(),
            Some(DenyReason::Malformed)
        );
        assert_eq!(
            any.check_value(b"null").deny_reason(),
            Some(DenyReason::Null)
        );
        assert_eq!(
            any.check_value(b"wss://evil.example").deny_reason(),
            Some(DenyReason::NotAllowed)
        );
        assert_eq!(
            any.check_headers(&HeaderMap::new()).deny_reason(),
            Some(DenyReason::Missing)
        );
        assert!(
            any.allows_any_origin() && !any.allows_null_origin() && !any.allows_missing_origin()
        );
    }

    #[test]
    fn empty_lists() {
        for list in ["", " ", ", ,\n"] {
            let err = list.parse::<OriginPolicy>().unwrap_err();
            assert_eq!(err.kind(), &ConfigErrorKind::EmptyList, "list {list:?}");
        }
        let deny_all = OriginPolicy::builder().build().unwrap();
        assert_eq!(
            deny_all
                .check_value(b"https://app.example.com")
                .deny_reason(),
            Some(DenyReason::NotAllowed)
        );
    }

    #[test]
    fn first_bad_entry_is_reported() {
        let err = "https://ok.example, ftp://bad.example, also bad"
            .parse::<OriginPolicy>()
            .unwrap_err();
        assert_eq!(err.input(), "ftp://bad.example");
    }

    #[test]
    fn display_round_trips_and_dedupes() {
        let policy: OriginPolicy =
            "HTTPS://App.Example.com:443/ https://app.example.com https://*.Example.org:8443 https://bücher.example"
                .parse()
                .unwrap();
        assert_eq!(
            policy.to_string(),
            "https://app.example.com, https://*.example.org:8443, https://xn--bcher-kva.example"
        );
        assert_eq!(policy.to_string().parse::<OriginPolicy>().unwrap(), policy);
        assert_eq!(policy.exact_origins().count(), 2);
        assert_eq!(policy.patterns().count(), 1);
        let reordered: OriginPolicy =
            "https://xn--bcher-kva.example https://*.example.org:8443 https://app.example.com"
                .parse()
                .unwrap();
        assert_eq!(reordered, policy);
        assert_ne!(
            OriginPolicy::builder()
                .allow("https://app.example.com")
                .build()
                .unwrap(),
            policy
        );
    }

    #[test]
    fn most_specific_wildcard_wins() {
        let policy: OriginPolicy = "https://*.example.com https://*.eu.example.com"
            .parse()
            .unwrap();
        let decision = policy.check_value(b"https://a.eu.example.com");
        assert_eq!(
            decision.matched_rule().unwrap().to_string(),
            "https://*.eu.example.com"
        );
        let decision = policy.check_value(b"https://a.us.example.com");
        assert_eq!(
            decision.matched_rule().unwrap().to_string(),
            "https://*.example.com"
        );
    }

    #[test]
    fn wildcard_ports_and_schemes_are_separate() {
        let policy: OriginPolicy = "https://*.example.com:8443 http://*.example.com"
            .parse()
            .unwrap();
        assert!(policy
            .check_value(b"https://a.example.com:8443")
            .is_allowed());
        assert!(policy.check_value(b"http://a.example.com").is_allowed());
        assert!(policy.check_value(b"http://a.example.com:80").is_allowed());
        assert!(!policy.check_value(b"https://a.example.com").is_allowed());
        assert!(!policy
            .check_value(b"http://a.example.com:8443")
            .is_allowed());
    }

    #[test]
    fn trim_ows_only_trims_spaces_and_tabs() {
        assert_eq!(trim_ows(b" \t a b \t "), b"a b");
        assert_eq!(trim_ows(b"   "), b"");
        assert_eq!(trim_ows(b""), b"");
        assert_eq!(trim_ows(b"\r a \n"), b"\r a \n");
    }

    #[test]
    fn split_list_keeps_brackets_whole() {
        let entries: Vec<&str> = split_list(
            "https://a.example:[8443,9443], http://[::1]:[3000,3001]\thttp://localhost:*,,",
        )
        .collect();
        assert_eq!(
            entries,
            [
                "https://a.example:[8443,9443]",
                "http://[::1]:[3000,3001]",
                "http://localhost:*"
            ]
        );
    }

    #[test]
    fn port_rules_allow() {
        let policy: OriginPolicy =
            "https://app.example.com:[8443,9443], http://localhost:*, http://[::1]:*, https://*.example.org:[443,8443]"
                .parse()
                .unwrap();
        let allowed: &[&[u8]] = &[
            b"https://app.example.com:8443",
            b"https://app.example.com:9443",
            b"http://localhost",
            b"http://localhost:1",
            b"http://localhost:65535",
            b"HTTP://LOCALHOST:5173",
            b"http://[::1]:3000",
            b"https://a.example.org",
            b"https://a.example.org:443",
            b"https://a.b.example.org:8443",
        ];
        for value in allowed {
            let decision = policy.check_value(value);
            assert!(decision.is_allowed(), "{decision}");
            assert!(
                matches!(decision.matched_rule(), Some(MatchedRule::Pattern(_))),
                "{decision}"
            );
        }
    }

    #[test]
    fn port_rules_deny() {
        let policy: OriginPolicy =
            "https://app.example.com:[8443,9443], http://localhost:*, https://*.example.org:[443,8443]".parse().unwrap();
        let denied: &[&[u8]] = &[
            b"https://app.example.com",
            b"https://app.example.com:8444",
            b"http://app.example.com:8443",
            b"https://localhost:3000",
            b"http://127.0.0.1:3000",
            b"http://a.localhost:3000",
            b"http://localhost.:3000",
            b"https://example.org",
            b"https://a.example.org:9443",
            b"http://a.example.org",
        ];
        for value in denied {
            let decision = policy.check_value(value);
            assert_eq!(
                decision.deny_reason(),
                Some(DenyReason::NotAllowed),
                "{decision}"
            );
        }
    }

    #[test]
    fn same_origin_from_configuration() {
        let policy = OriginPolicy::builder()
            .same_origin("HTTPS://Chat.Example.com:443")
            .build()
            .unwrap();
        let decision = policy.check_value(b"https://chat.example.com");
        assert_eq!(
            decision.matched_rule().unwrap().to_string(),
            "https://chat.example.com (same origin)"
        );
        for value in [
            &b"http://chat.example.com"[..],
            b"https://chat.example.com:8443",
            b"https://x.chat.example.com",
        ] {
            assert!(!policy.check_value(value).is_allowed());
        }
        assert_eq!(policy.same_origins().count(), 1);
        assert_eq!(policy.exact_origins().count(), 0);
    }

    #[test]
    fn same_origin_from_host_header() {
        let policy = OriginPolicy::builder()
            .same_origin_from_host(Scheme::Https)
            .build()
            .unwrap();
        let request = |origin: &str, host: Option<&str>| {
            let mut request = Request::get("/ws").header(ORIGIN, origin);
            if let Some(host) = host {
                request = request.header(header::HOST, host);
            }
            request.body(()).unwrap()
        };
        let cases: &[(&str, Option<&str>, bool)] = &[
            ("https://chat.example.com", Some("chat.example.com"), true),
            (
                "https://chat.example.com",
                Some("CHAT.example.com:443"),
                true,
            ),
            (
                "https://chat.example.com:8443",
                Some("chat.example.com:8443"),
                true,
            ),
            ("https://[::1]:8443", Some("[::1]:8443"), true),
            (
                "https://chat.example.com",
                Some("chat.example.com:8443"),
                false,
            ),
            (
                "https://chat.example.com:8443",
                Some("chat.example.com"),
                false,
            ),
            ("http://chat.example.com", Some("chat.example.com"), false),
            ("https://evil.example", Some("chat.example.com"), false),
            (
                "https://chat.example.com",
                Some("chat.example.com.evil.example"),
                false,
            ),
            ("https://chat.example.com", Some("chat.example.com:"), false),
            (
                "https://chat.example.com",
                Some("chat.example.com:x"),
                false,
            ),
            ("https://chat.example.com", None, false),
        ];
        for &(origin, host, allowed) in cases {
            let decision = policy.check(&request(origin, host));
            assert_eq!(
                decision.is_allowed(),
                allowed,
                "origin {origin:?} host {host:?}: {decision}"
            );
        }
        // HTTP/2 has no Host header: the URI authority stands in.
        let h2 = Request::get("https://chat.example.com/ws")
            .header(ORIGIN, "https://chat.example.com")
            .body(())
            .unwrap();
        assert_eq!(
            policy.check(&h2).matched_rule(),
            Some(&MatchedRule::SameOriginFromHost)
        );
        // Two Host headers: no authority to compare with.
        let mut two = request("https://chat.example.com", Some("chat.example.com"));
        two.headers_mut()
            .append(header::HOST, "chat.example.com".parse().unwrap());
        assert!(!policy.check(&two).is_allowed());
        // `check_value` has no request, so the rule does not apply.
        assert!(!policy.check_value(b"https://chat.example.com").is_allowed());
    }

    #[test]
    fn builder_round_trip_keeps_opt_ins() {
        let policy = OriginPolicy::builder()
            .allow("https://app.example.com")
            .allow("http://localhost:*")
            .allow_any_port_off_loopback("https://dev.example.com:*")
            .allow_wildcard_on_public_suffix("https://*.github.io")
            .same_origin("https://chat.example.com")
            .same_origin_from_host(Scheme::Https)
            .allow_missing_origin()
            .build()
            .unwrap();
        let again = policy.to_builder().build().unwrap();
        assert_eq!(again, policy);
        assert_eq!(again.to_builder(), policy.to_builder());
        // The string form holds only what `FromStr` accepts without opt-ins.
        let plain: OriginPolicy = "https://app.example.com http://localhost:*"
            .parse()
            .unwrap();
        assert_eq!(plain.to_string().parse::<OriginPolicy>().unwrap(), plain);
        assert_ne!(plain, policy);
        assert!(policy.to_string().parse::<OriginPolicy>().is_err());
    }

    #[test]
    fn from_env() {
        // A name no other test uses; set once, read back.
        std::env::set_var(
            "ORIGIN_POLICY_UNIT_TEST_LIST",
            "https://app.example.com, http://localhost:*",
        );
        let policy = OriginPolicy::from_env("ORIGIN_POLICY_UNIT_TEST_LIST").unwrap();
        assert!(policy.check_value(b"http://localhost:3000").is_allowed());
        let err = OriginPolicy::from_env("ORIGIN_POLICY_UNIT_TEST_UNSET").unwrap_err();
        assert_eq!(
            err.to_string(),
            "environment variable \"ORIGIN_POLICY_UNIT_TEST_UNSET\" is not set: set it to the allowed origins, such as `https://app.example.com`"
        );
        assert_eq!(
            format!("{err:?}"),
            "ConfigError(\"environment variable \\\"ORIGIN_POLICY_UNIT_TEST_UNSET\\\" is not set: set it to the allowed origins, such as `https://app.example.com`\")"
        );
    }

    #[test]
    fn wildcards_stop_at_public_suffixes_below_the_base() {
        let policy: OriginPolicy = "https://*.amazonaws.com".parse().unwrap();
        assert!(policy
            .check_value(b"https://console.amazonaws.com")
            .is_allowed());
        for value in [
            &b"https://bucket.s3.amazonaws.com"[..],
            b"https://x.eu-west-1.compute.amazonaws.com",
        ] {
            let decision = policy.check_value(value);
            assert_eq!(
                decision.deny_reason(),
                Some(DenyReason::NotAllowed),
                "{decision}"
            );
        }
        // The suffix's operator can opt in.
        let operator = OriginPolicy::builder()
            .allow_wildcard_on_public_suffix("https://*.amazonaws.com")
            .build()
            .unwrap();
        assert!(operator
            .check_value(b"https://bucket.s3.amazonaws.com")
            .is_allowed());
    }

    /// Issue 15, item 5: 30 000 patterns on one base cost 1.08 ms per miss when each looked
    /// the host up in the Public Suffix List before comparing scheme and port. Only patterns
    /// that agree on both may pay for the lookup.
    #[test]
    fn patterns_on_one_base_compare_scheme_and_port_first() {
        let policy = OriginPolicy::builder()
            .allow_all((1..=2_000).map(|port| format!("https://*.example.com:[{port},9]")))
            .build()
            .unwrap();
        let lookups = |value: &[u8]| {
            crate::suffix::LOOKUPS.with(|n| n.set(0));
            let decision = policy.check_value(value);
            (
                decision.is_allowed(),
                crate::suffix::LOOKUPS.with(|n| n.get()),
            )
        };
        assert_eq!(lookups(b"https://a.example.com:4000"), (false, 0));
        assert_eq!(lookups(b"http://a.example.com:1000"), (false, 0));
        assert_eq!(lookups(b"https://a.example.com:1000"), (true, 1));
    }

    /// `largest_below` against the obvious search, on sets at the word boundaries.
    #[test]
    fn base_lengths_largest_below() {
        let sets: &[&[usize]] = &[
            &[],
            &[0],
            &[18],
            &[3, 63, 64, 65, 127, 128, 200, 255],
            &[1, 2, 252],
        ];
        for set in sets {
            let mut lengths = BaseLengths::default();
            for &len in *set {
                lengths.insert(len);
            }
            for limit in 0..=300 {
                let naive = set.iter().copied().filter(|&len| len < limit).max();
                assert_eq!(lengths.largest_below(limit), naive, "{set:?} below {limit}");
            }
        }
    }

    #[test]
    fn long_hosts_are_decided_correctly() {
        let policy: OriginPolicy = "https://*.example.com https://app.example.org"
            .parse()
            .unwrap();
        // The longest host DNS allows (253 bytes) is decided on its labels.
        let long = format!("https://{}example.com", "a.".repeat(121));
        assert_eq!(long.len(), 8 + 253);
        assert!(policy.check_value(long.as_bytes()).is_allowed());
        let long_miss = format!("https://{}example.net", "a.".repeat(121));
        assert_eq!(
            policy.check_value(long_miss.as_bytes()).deny_reason(),
            Some(DenyReason::NotAllowed)
        );
        // Longer hosts cannot be resolved, so no page has them: malformed, however they end
        // (issue 15, item 1).
        for labels in [122, 30_000] {
            for base in ["example.com", "example.net"] {
                let value = format!("https://{}{base}", "a.".repeat(labels));
                assert_eq!(
                    policy.check_value(value.as_bytes()).deny_reason(),
                    Some(DenyReason::Malformed),
                    "{} bytes",
                    value.len()
                );
            }
        }
    }

    /// An IPv6 `Host` without a port: its colons are inside the brackets. Kills the match
    /// guard `!authority[colon..].contains(&b']')` replaced with `true` in `is_same_origin`.
    #[test]
    fn same_origin_from_host_ipv6_without_port() {
        let policy = OriginPolicy::builder()
            .same_origin_from_host(Scheme::Https)
            .build()
            .unwrap();
        let cases: &[(&str, &str, bool)] = &[
            ("https://[::1]", "[::1]", true),
            ("https://[2001:db8::1]", "[2001:db8::1]", true),
            ("https://[::1]", "[::1]:443", true),
            ("https://[::1]:8443", "[::1]", false),
            ("https://[::2]", "[::1]", false),
        ];
        for &(origin, host, allowed) in cases {
            let request = Request::get("/ws")
                .header(ORIGIN, origin)
                .header(header::HOST, host)
                .body(())
                .unwrap();
            assert_eq!(
                policy.check(&request).is_allowed(),
                allowed,
                "origin {origin:?} host {host:?}"
            );
        }
    }

    /// Kills `Debug for OriginPolicy` replaced with `Ok(Default::default())`.
    #[test]
    fn debug_shows_the_allowlist_and_opt_ins() {
        let policy = OriginPolicy::builder()
            .allow("https://App.example.com")
            .allow("http://localhost:*")
            .same_origin_from_host(Scheme::Https)
            .allow_null_origin()
            .build()
            .unwrap();
        assert_eq!(
            format!("{policy:?}"),
            "OriginPolicy { allowlist: [https://app.example.com, http://localhost:*], \
             same_origin_from_host: Some(Https), allow_missing_origin: false, \
             allow_null_origin: true, allow_any_origin: false }"
        );
    }

    /// Extension and app origins: allowed only through their opt-in, exactly, ASCII
    /// case-insensitively, never by the any-origin opt-in; every configuration form carries
    /// them or says how to (issue 15).
    #[test]
    fn extension_and_app_origins() {
        const CHROMIUM: &str = "chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop";
        const FIREFOX: &str = "moz-extension://0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
        let policy = OriginPolicy::builder()
            .allow("https://app.example.com")
            .allow_extension_or_app_origin(CHROMIUM)
            .allow_extension_or_app_origin(FIREFOX.to_ascii_uppercase())
            .allow_extension_or_app_origin("capacitor://localhost/")
            .build()
            .unwrap();
        use DenyReason::*;
        let cases: &[(&str, Result<&str, DenyReason>)] = &[
            (
                CHROMIUM,
                Ok("chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop (Chromium extension)"),
            ),
            (
                "CHROME-EXTENSION://EAJFODBOLPDLMCJHEFAFCBPKJEADNHOP",
                Ok("chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop (Chromium extension)"),
            ),
            // Optional whitespace around the value, as for web origins.
            (
                " chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop\t",
                Ok("chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop (Chromium extension)"),
            ),
            (
                "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                Err(NotAllowed),
            ),
            (
                "chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnho",
                Err(NotAllowed),
            ),
            (
                "chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop/",
                Err(Malformed),
            ),
            (
                "chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop:1",
                Err(NotAllowed),
            ),
            (
                "moz-extension://eajfodbolpdlmcjhefafcbpkjeadnhop",
                Err(NotAllowed),
            ),
            (
                FIREFOX,
                Ok("moz-extension://0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 (Firefox extension)"),
            ),
            (
                "safari-web-extension://0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
                Err(NotAllowed),
            ),
            (
                "capacitor://localhost",
                Ok("capacitor://localhost (Capacitor app)"),
            ),
            ("capacitor://localhost:8100", Err(NotAllowed)),
            ("ionic://localhost", Err(NotAllowed)),
            ("https://localhost", Err(NotAllowed)),
            ("http://tauri.localhost", Err(NotAllowed)),
            ("https://app.example.com", Ok("https://app.example.com")),
            (
                "chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop, https://app.example.com",
                Err(Multiple),
            ),
        ];
        for &(value, expected) in cases {
            let decision = policy.check_value(value.as_bytes());
            let got = match decision.matched_rule() {
                Some(rule) => Ok(rule.to_string()),
                None => Err(decision.deny_reason().unwrap()),
            };
            assert_eq!(got.as_deref().map_err(|e| *e), expected, "value {value:?}");
        }
        // The header path sees the same.
        let request = Request::get("/ws")
            .header(ORIGIN, CHROMIUM)
            .body(())
            .unwrap();
        assert!(policy.check(&request).is_allowed());
        // Allowing any web origin never allows an extension or app.
        let any = OriginPolicy::builder()
            .allow_any_origin_dangerously()
            .build()
            .unwrap();
        assert_eq!(
            any.check_value(CHROMIUM.as_bytes()).deny_reason(),
            Some(NotAllowed)
        );

        // Display shows them last; the string form cannot take them and says how.
        let shown = policy.to_string();
        assert_eq!(
            shown,
            format!("https://app.example.com, {CHROMIUM}, {FIREFOX}, capacitor://localhost")
        );
        let err = shown.parse::<OriginPolicy>().unwrap_err();
        assert_eq!(err.input(), CHROMIUM);
        assert_eq!(
            err.kind(),
            &ConfigErrorKind::AppOriginWithoutOptIn("chrome-extension".into())
        );
        assert_eq!(
            err.to_string(),
            "invalid allowlist entry \"chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop\": `chrome-extension://` origins belong to a browser extension or an app's webview, not a web page: allow one with `OriginPolicyBuilder::allow_extension_or_app_origin` (the serde field of the same name); the string form cannot express it"
        );
        // The builder carries them losslessly; equality sees them.
        let again = policy.to_builder().build().unwrap();
        assert_eq!(again, policy);
        assert_eq!(again.to_builder(), policy.to_builder());
        let without: OriginPolicy = "https://app.example.com".parse().unwrap();
        assert_ne!(without, policy);
        assert_ne!(policy, without);
        let order: Vec<String> = policy.app_origins().map(ToString::to_string).collect();
        assert_eq!(order, [CHROMIUM, FIREFOX, "capacitor://localhost"]);
        // Duplicates in any spelling are one entry.
        let twice = OriginPolicy::builder()
            .allow_extension_or_app_origin("tauri://localhost")
            .allow_extension_or_app_origin("TAURI://localhost/")
            .build()
            .unwrap();
        assert_eq!(twice.app_origins().count(), 1);
        assert_eq!(twice.to_string(), "tauri://localhost");
        // The opt-in takes nothing else.
        let err = OriginPolicy::builder()
            .allow_extension_or_app_origin("https://tauri.localhost")
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), &ConfigErrorKind::NotAnAppOrigin);
    }

    /// Kills `From<OriginPolicy> for OriginPolicyBuilder` replaced with `Default::default()`.
    #[test]
    fn builder_from_policy() {
        let builder = OriginPolicy::builder()
            .allow("https://app.example.com")
            .allow_null_origin();
        let policy = builder.build().unwrap();
        assert_eq!(OriginPolicyBuilder::from(policy), builder);
    }

    /// Serialization goes through the builder, and deserialization validates like `build`.
    /// (With `serde`, the `Ok(Default::default())` mutants of both impls do not compile.)
    #[cfg(feature = "serde")]
    #[test]
    fn serde_goes_through_the_builder() {
        let policy: OriginPolicy = "https://app.example.com http://localhost:*"
            .parse()
            .unwrap();
        let json = serde_json::to_value(&policy).unwrap();
        assert_eq!(
            json["allow"],
            serde_json::json!(["https://app.example.com", "http://localhost:*"])
        );
        let back: OriginPolicy = serde_json::from_value(json).unwrap();
        assert_eq!(back, policy);
        // Extension and app origins have their own field.
        let apps: OriginPolicy = serde_json::from_str(
            r#"{"allow_extension_or_app_origin":["chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop"]}"#,
        )
        .unwrap();
        assert!(apps
            .check_value(b"chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop")
            .is_allowed());
        let json = serde_json::to_value(&apps).unwrap();
        assert_eq!(
            json["allow_extension_or_app_origin"],
            serde_json::json!(["chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop"])
        );
        assert_eq!(serde_json::from_value::<OriginPolicy>(json).unwrap(), apps);
        let err =
            serde_json::from_str::<OriginPolicy>(r#"{"allow":["tauri://localhost"]}"#).unwrap_err();
        assert!(
            err.to_string().contains("allow_extension_or_app_origin"),
            "{err}"
        );
        let err =
            serde_json::from_str::<OriginPolicy>(r#"{"allow":["wss://x.example"]}"#).unwrap_err();
        assert!(err.to_string().contains("wss://x.example"), "{err}");
    }

    /// Every opt-in survives `to_builder`. Kills the deletion of the fields
    /// `allow_null_origin`, `allow_any_origin_dangerously` (and the others) from the struct
    /// expression in `OriginPolicy::to_builder`.
    #[test]
    fn to_builder_keeps_every_opt_in() {
        let builders = [
            OriginPolicy::builder().allow_null_origin(),
            OriginPolicy::builder().allow_any_origin_dangerously(),
            OriginPolicy::builder().allow_missing_origin(),
            OriginPolicy::builder().same_origin_from_host(Scheme::Https),
        ];
        for builder in builders {
            let policy = builder.build().unwrap();
            assert_eq!(policy.to_builder(), builder, "{policy:?}");
            assert_eq!(policy.to_builder().build().unwrap(), policy, "{policy:?}");
        }
    }

    /// The accessors report each list and opt-in separately. Kills the match guard
    /// `options.same_origin` replaced with `true` in `OriginPolicy::same_origins`,
    /// `same_origin_from_host_scheme` replaced with `None` and `allows_missing_origin` /
    /// `allows_null_origin` / `allows_any_origin` replaced with a constant.
    #[test]
    fn accessors_report_each_list_and_opt_in() {
        let policy = OriginPolicy::builder()
            .allow("https://app.example.com")
            .allow("http://localhost:*")
            .same_origin("https://chat.example.com")
            .same_origin_from_host(Scheme::Http)
            .allow_missing_origin()
            .build()
            .unwrap();
        let strings = |it: &mut dyn Iterator<Item = String>| it.collect::<Vec<_>>();
        assert_eq!(
            strings(&mut policy.exact_origins().map(|o| o.to_string())),
            ["https://app.example.com"]
        );
        assert_eq!(
            strings(&mut policy.same_origins().map(|o| o.to_string())),
            ["https://chat.example.com"]
        );
        assert_eq!(
            strings(&mut policy.patterns().map(|p| p.to_string())),
            ["http://localhost:*"]
        );
        assert_eq!(policy.same_origin_from_host_scheme(), Some(Scheme::Http));
        let cases: &[(&OriginPolicy, [bool; 3])] = &[
            (&policy, [true, false, false]),
            (
                &OriginPolicy::builder().allow_null_origin().build().unwrap(),
                [false, true, false],
            ),
            (
                &OriginPolicy::builder()
                    .allow_any_origin_dangerously()
                    .build()
                    .unwrap(),
                [false, false, true],
            ),
        ];
        for (policy, [missing, null, any]) in cases {
            assert_eq!(policy.allows_missing_origin(), *missing, "{policy:?}");
            assert_eq!(policy.allows_null_origin(), *null, "{policy:?}");
            assert_eq!(policy.allows_any_origin(), *any, "{policy:?}");
        }
        assert_eq!(
            OriginPolicy::builder()
                .build()
                .unwrap()
                .same_origin_from_host_scheme(),
            None
        );
    }
}
