//! [`OriginPolicy`]: the allowlist, its builder, and the pure `check`.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use http::{header::ORIGIN, HeaderMap, Request};

use crate::decision::{Decision, DenyReason, MatchedRule};
use crate::error::{ConfigError, ConfigErrorKind};
use crate::excerpt::OriginExcerpt;
use crate::host::HostKind;
use crate::origin::{Origin, SerializedOrigin, TupleOrigin};
use crate::pattern::{parse_entry, Entry, WildcardPattern};

/// Which web origins may open a WebSocket (or make a cross-origin request) to this server.
///
/// A policy is an allowlist of exact origins and wildcard-subdomain patterns, plus three
/// opt-ins that are off by default: requests without `Origin`, `Origin: null`, and any origin.
/// Build one with [`OriginPolicy::builder`] or parse the comma/whitespace-separated string form
/// users keep in an environment variable. Checking is pure, never panics, allocates nothing for
/// the canonical values browsers send, and costs the same for 1 or 1 000 000 exact entries
/// (wildcards cost one hash lookup per label of the presented host).
///
/// ```
/// use origin_policy::{DenyReason, OriginPolicy};
///
/// let policy: OriginPolicy =
///     "https://app.example.com, https://*.tenant.example.com http://localhost:3000".parse()?;
///
/// assert!(policy.check_value(b"https://app.example.com").is_allowed());
/// assert!(policy.check_value(b"HTTPS://APP.EXAMPLE.COM:443").is_allowed());
/// assert!(policy.check_value(b"https://acme.tenant.example.com").is_allowed());
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
    exact: HashSet<Origin>,
    /// Wildcard patterns, keyed by base domain; a handful of (scheme, port) variants each.
    wildcards: HashMap<Box<str>, Vec<WildcardPattern>>,
    /// Every distinct entry in the order given, for `Display` and iteration.
    entries: Vec<Entry>,
    allow_missing: bool,
    allow_null: bool,
    allow_any: bool,
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

    /// Checks the `Origin` header(s) of a request with any body type.
    ///
    /// Missing `Origin` is denied unless [`OriginPolicyBuilder::allow_missing_origin`] was
    /// called; two or more `Origin` header lines are always denied.
    pub fn check<B>(&self, request: &Request<B>) -> Decision {
        self.check_headers(request.headers())
    }

    /// Checks the `Origin` header(s) in a header map, for frameworks that expose only headers.
    pub fn check_headers(&self, headers: &HeaderMap) -> Decision {
        let mut values = headers.get_all(ORIGIN).iter();
        match (values.next(), values.next()) {
            (None, _) if self.allow_missing => {
                Decision::allow(MatchedRule::MissingOrigin, OriginExcerpt::ABSENT)
            }
            (None, _) => Decision::deny(DenyReason::Missing, OriginExcerpt::ABSENT),
            (Some(value), None) => self.check_value(value.as_bytes()),
            (Some(first), Some(_)) => {
                Decision::deny(DenyReason::Multiple, OriginExcerpt::new(first.as_bytes()))
            }
        }
    }

    /// Checks the raw value of one `Origin` header.
    ///
    /// Optional whitespace (space, tab) around the value is ignored, as HTTP field values
    /// allow. Then the value must be `null` or a serialized origin: see the crate's
    /// [matching rules](crate#matching-rules).
    pub fn check_value(&self, value: &[u8]) -> Decision {
        let value = trim_ows(value);
        let excerpt = OriginExcerpt::new(value);
        if value == b"null" {
            return if self.allow_null {
                Decision::allow(MatchedRule::NullOrigin, excerpt)
            } else {
                Decision::deny(DenyReason::Null, excerpt)
            };
        }
        let is_separator = |b: &u8| matches!(b, b',' | b' ' | b'\t');
        if value.iter().any(is_separator) {
            let items = value.split(is_separator).filter(|s| !s.is_empty()).count();
            let reason = if items > 1 {
                DenyReason::Multiple
            } else {
                DenyReason::Malformed
            };
            return Decision::deny(reason, excerpt);
        }
        match SerializedOrigin::parse(value) {
            Ok(SerializedOrigin::Tuple(origin)) => match self.find_rule(&origin) {
                Some(rule) => Decision::allow(rule, excerpt),
                None => Decision::deny(DenyReason::NotAllowed, excerpt),
            },
            Ok(SerializedOrigin::OtherScheme) => Decision::deny(DenyReason::NotAllowed, excerpt),
            Err(_) => Decision::deny(DenyReason::Malformed, excerpt),
        }
    }

    /// The rule allowing a well-formed origin: exact entries (one hash lookup), then wildcard
    /// patterns (one lookup per label boundary of the host), then the any-origin opt-in.
    fn find_rule(&self, origin: &TupleOrigin<'_>) -> Option<MatchedRule> {
        if let Some(exact) = self.exact.get(&*origin.serialized) {
            return Some(MatchedRule::Exact(exact.clone()));
        }
        if !self.wildcards.is_empty() && origin.kind == HostKind::Domain {
            let host = origin.host();
            // Every proper suffix that starts right after a dot, longest first, so the most
            // specific pattern wins. The host has no empty labels, so the prefix before each
            // of these dots is one or more whole labels.
            let suffixes = host.match_indices('.').map(|(dot, _)| &host[dot + 1..]);
            for base in suffixes {
                if let Some(patterns) = self.wildcards.get(base) {
                    if let Some(pattern) = patterns.iter().find(|p| p.matches(origin)) {
                        return Some(MatchedRule::Wildcard(pattern.clone()));
                    }
                }
            }
        }
        if self.allow_any {
            return Some(MatchedRule::AnyOrigin);
        }
        None
    }

    /// The exact origins, in the order given (duplicates dropped).
    pub fn origins(&self) -> impl Iterator<Item = &Origin> {
        self.entries.iter().filter_map(|entry| match entry {
            Entry::Exact(origin) => Some(origin),
            Entry::Wildcard(_) => None,
        })
    }

    /// The wildcard patterns, in the order given (duplicates dropped).
    pub fn patterns(&self) -> impl Iterator<Item = &WildcardPattern> {
        self.entries.iter().filter_map(|entry| match entry {
            Entry::Exact(_) => None,
            Entry::Wildcard(pattern) => Some(pattern),
        })
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

    fn contains(&self, entry: &Entry) -> bool {
        match entry {
            Entry::Exact(origin) => self.exact.contains(origin),
            Entry::Wildcard(pattern) => self
                .wildcards
                .get(pattern.base())
                .is_some_and(|patterns| patterns.contains(pattern)),
        }
    }
}

/// HTTP optional whitespace (RFC 9110 section 5.6.3): spaces and tabs.
fn trim_ows(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| matches!(b, b' ' | b'\t');
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    &value[start..end]
}

impl FromStr for OriginPolicy {
    type Err = ConfigError;

    /// Parses a list of entries separated by commas and/or whitespace, such as
    /// `"https://app.example.com, https://*.tenant.example.com http://localhost:3000"`.
    /// An empty list is an error (an unset variable is more likely than a wish to deny all).
    fn from_str(list: &str) -> Result<OriginPolicy, ConfigError> {
        let entries = list
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|entry| !entry.is_empty());
        let policy = OriginPolicy::builder().allow_all(entries).build()?;
        if policy.entries.is_empty() {
            return Err(ConfigError::new(list, ConfigErrorKind::EmptyList));
        }
        Ok(policy)
    }
}

impl fmt::Display for OriginPolicy {
    /// The allowlist in the form [`FromStr`] reads: canonical entries separated by `, `.
    /// The opt-ins (missing, `null`, any origin) have no string form and are not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, entry) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match entry {
                Entry::Exact(origin) => origin.fmt(f)?,
                Entry::Wildcard(pattern) => pattern.fmt(f)?,
            }
        }
        Ok(())
    }
}

impl fmt::Debug for OriginPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OriginPolicy")
            .field("allowlist", &format_args!("[{self}]"))
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
            && self.entries.len() == other.entries.len()
            && self.entries.iter().all(|entry| other.contains(entry))
    }
}

impl Eq for OriginPolicy {}

/// Builds an [`OriginPolicy`]; every entry is validated by [`build`](Self::build).
///
/// The risky opt-ins are separate, explicitly named methods; each one's documentation says
/// what it gives up.
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct OriginPolicyBuilder {
    entries: Vec<String>,
    allow_missing: bool,
    allow_null: bool,
    allow_any: bool,
}

impl OriginPolicyBuilder {
    /// Adds an entry: an exact origin in any equivalent spelling (`HTTPS://App.Example.com:443/`,
    /// `https://bücher.example`, `http://[::1]:8080`) or a wildcard-subdomain pattern
    /// (`https://*.example.com`, `https://*.example.com:8443`).
    pub fn allow(mut self, entry: impl Into<String>) -> Self {
        self.entries.push(entry.into());
        self
    }

    /// Adds several entries (see [`allow`](Self::allow)).
    pub fn allow_all<I>(mut self, entries: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.entries.extend(entries.into_iter().map(Into::into));
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
        self.allow_missing = true;
        self
    }

    /// Allows `Origin: null`.
    ///
    /// Browsers send `null` from sandboxed iframes, `data:` and `file:` pages, and some
    /// redirects. Any site can create such a page, so allowing `null` lets *every* site in:
    /// only turn it on for a local tool that is really loaded from `file:`.
    pub fn allow_null_origin(mut self) -> Self {
        self.allow_null = true;
        self
    }

    /// Allows every well-formed `http`/`https` origin (malformed values, `null` and missing
    /// headers are still governed by their own rules).
    ///
    /// This switches off the protection against cross-site WebSocket hijacking: any web page
    /// a user visits can open a socket with the user's cookies. Only for endpoints that use no
    /// ambient credentials (no cookies, no HTTP authentication, no client certificates).
    pub fn allow_any_origin_dangerously(mut self) -> Self {
        self.allow_any = true;
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
    pub fn build(self) -> Result<OriginPolicy, ConfigError> {
        let mut policy = OriginPolicy {
            exact: HashSet::new(),
            wildcards: HashMap::new(),
            entries: Vec::new(),
            allow_missing: self.allow_missing,
            allow_null: self.allow_null,
            allow_any: self.allow_any,
        };
        for raw in &self.entries {
            let entry = parse_entry(raw.trim())?;
            if policy.contains(&entry) {
                continue;
            }
            match &entry {
                Entry::Exact(origin) => {
                    policy.exact.insert(origin.clone());
                }
                Entry::Wildcard(pattern) => {
                    policy
                        .wildcards
                        .entry(Box::from(pattern.base()))
                        .or_default()
                        .push(pattern.clone());
                }
            }
            policy.entries.push(entry);
        }
        Ok(policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: &str = "https://app.example.com, https://admin.example.org:8443 \
        http://localhost:3000 http://127.0.0.1:8080 http://[::1]:8080 \
        https://xn--bcher-kva.example https://*.tenant.example.com";

    fn policy() -> OriginPolicy {
        POLICY.parse().expect("the test policy is valid")
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
        assert_eq!(policy.origins().count(), 2);
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
}
