//! Allowlist entries as written in configuration: an exact origin in any equivalent spelling,
//! or a wildcard-subdomain pattern. Each is normalised to what browsers send, or refused.

use std::fmt;
use std::sync::Arc;

use crate::error::{ConfigError, ConfigErrorKind};
use crate::host::HostKind;
use crate::origin::{Origin, Scheme, SerializedOrigin, TupleOrigin};

/// One allowlist entry, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entry {
    Exact(Origin),
    Wildcard(WildcardPattern),
}

/// A wildcard-subdomain pattern such as `https://*.tenant.example.com` or
/// `https://*.example.com:8443`.
///
/// It matches an origin with the same scheme and port whose host is one or more whole labels
/// followed by `.` and the pattern's base domain, at any depth. It never matches the base
/// domain itself, a host that merely ends with the same characters (`evilexample.com`), or a
/// host with the base in the middle (`a.example.com.evil.net`). The pattern is held in its
/// canonical form (lowercase, punycode, default port dropped).
///
/// ```
/// use origin_policy::OriginPolicy;
/// let policy: OriginPolicy = "https://*.Tenant.Example.com:443".parse()?;
/// assert!(policy.check_value(b"https://acme.tenant.example.com").is_allowed());
/// assert!(policy.check_value(b"https://a.b.tenant.example.com").is_allowed());
/// assert!(!policy.check_value(b"https://tenant.example.com").is_allowed());
/// assert!(!policy.check_value(b"https://eviltenant.example.com").is_allowed());
/// assert!(!policy.check_value(b"http://acme.tenant.example.com").is_allowed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WildcardPattern {
    /// `scheme "://*." base [":" port]`, canonical.
    serialized: Arc<str>,
    scheme: Scheme,
    port: Option<u16>,
}

impl WildcardPattern {
    /// The canonical pattern, e.g. `https://*.tenant.example.com`.
    pub fn as_str(&self) -> &str {
        &self.serialized
    }

    /// The scheme a matching origin must have.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The domain under which any subdomain matches, e.g. `tenant.example.com`.
    pub fn base(&self) -> &str {
        let start = self.scheme.as_str().len() + "://*.".len();
        let end = match self.port {
            Some(_) => self.serialized.rfind(':').unwrap_or(self.serialized.len()),
            None => self.serialized.len(),
        };
        &self.serialized[start..end]
    }

    /// The port a matching origin must have, unless it is the scheme's default.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// Whether `origin` (canonical, from a header) is a subdomain origin of this pattern.
    /// Checked again here in full, so that a lookup-table bug can never turn into an allow.
    pub(crate) fn matches(&self, origin: &TupleOrigin<'_>) -> bool {
        let host = origin.host();
        let base = self.base();
        origin.kind == HostKind::Domain
            && origin.scheme == self.scheme
            && origin.port == self.port
            && host.len() > base.len() + 1
            && host.ends_with(base)
            && host.as_bytes()[host.len() - base.len() - 1] == b'.'
    }
}

impl fmt::Display for WildcardPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for WildcardPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("WildcardPattern")
            .field(&self.as_str())
            .finish()
    }
}

/// Parses an exact origin as written in configuration.
pub(crate) fn parse_exact(entry: &str) -> Result<Origin, ConfigError> {
    match parse_entry(entry)? {
        Entry::Exact(origin) => Ok(origin),
        Entry::Wildcard(_) => Err(ConfigError::new(entry, ConfigErrorKind::MisplacedWildcard)),
    }
}

/// Parses one allowlist entry: `scheme "://" host [":" port] ["/"]` in any equivalent spelling,
/// or `scheme "://*." domain [":" port] ["/"]`.
pub(crate) fn parse_entry(entry: &str) -> Result<Entry, ConfigError> {
    let fail = |kind| Err(ConfigError::new(entry, kind));
    if entry.is_empty() {
        return fail(ConfigErrorKind::EmptyList);
    }
    if entry.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return fail(ConfigErrorKind::Whitespace);
    }
    if entry == "*" {
        return fail(ConfigErrorKind::AnyOrigin);
    }
    if entry.eq_ignore_ascii_case("null") {
        return fail(ConfigErrorKind::Null);
    }
    let Some((scheme_name, rest)) = entry.split_once("://") else {
        return fail(ConfigErrorKind::MissingScheme);
    };
    let scheme = match Scheme::from_ascii(scheme_name.as_bytes()) {
        Some(scheme) => scheme,
        None if scheme_name.is_empty() => return fail(ConfigErrorKind::MissingScheme),
        None => {
            let name = scheme_name.to_ascii_lowercase();
            return if name == "ws" || name == "wss" {
                fail(ConfigErrorKind::WebSocketScheme(name))
            } else {
                fail(ConfigErrorKind::UnsupportedScheme(name))
            };
        }
    };

    // The authority ends at the first delimiter; after it only one `/` is tolerated.
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match tail.strip_prefix('/').unwrap_or(tail).chars().next() {
        None => {}
        Some('?') => return fail(ConfigErrorKind::Query),
        Some('#') => return fail(ConfigErrorKind::Fragment),
        _ => return fail(ConfigErrorKind::Path),
    }
    if authority.contains('@') {
        return fail(ConfigErrorKind::Userinfo);
    }
    // `url` reads `host:` as the default port; here an empty port is a mistake to point out.
    if authority.ends_with(':') {
        return fail(ConfigErrorKind::InvalidPort);
    }

    let (wildcard, authority) = if authority.contains('*') {
        match authority.strip_prefix("*.") {
            Some(base) if !base.contains('*') => (true, base),
            _ if authority == "*" || authority.starts_with("*:") => {
                return fail(ConfigErrorKind::AnyOrigin)
            }
            _ => return fail(ConfigErrorKind::MisplacedWildcard),
        }
    } else {
        (false, authority)
    };

    let origin = normalise(scheme, authority).map_err(|kind| ConfigError::new(entry, kind))?;
    if !wildcard {
        return Ok(Entry::Exact(origin));
    }
    if origin.host().starts_with('[') || origin_is_ipv4(&origin) {
        return fail(ConfigErrorKind::WildcardOnIp);
    }
    let labels = origin.host().trim_end_matches('.').split('.').count();
    if labels < 2 {
        return fail(ConfigErrorKind::WildcardTooBroad);
    }
    let serialized = match origin.port() {
        Some(port) => format!("{}://*.{}:{}", scheme, origin.host(), port),
        None => format!("{}://*.{}", scheme, origin.host()),
    };
    Ok(Entry::Wildcard(WildcardPattern {
        serialized: Arc::from(serialized),
        scheme,
        port: origin.port(),
    }))
}

fn origin_is_ipv4(origin: &Origin) -> bool {
    matches!(url::Host::parse(origin.host()), Ok(url::Host::Ipv4(_)))
}

/// Normalises `scheme://authority` with the WHATWG URL parser (the `url` crate), then insists
/// that the result is a canonical serialized origin that the strict header parser accepts, so
/// that no accepted entry can silently never match.
fn normalise(scheme: Scheme, authority: &str) -> Result<Origin, ConfigErrorKind> {
    let url = url::Url::parse(&format!("{scheme}://{authority}/")).map_err(|e| match e {
        url::ParseError::EmptyHost => ConfigErrorKind::EmptyHost,
        url::ParseError::InvalidPort => ConfigErrorKind::InvalidPort,
        other => ConfigErrorKind::InvalidHost(other.to_string()),
    })?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ConfigErrorKind::EmptyHost);
    }
    if url.port() == Some(0) {
        return Err(ConfigErrorKind::InvalidPort);
    }
    let canonical = url.origin().ascii_serialization();
    match SerializedOrigin::parse(canonical.as_bytes()) {
        Ok(SerializedOrigin::Tuple(origin)) if origin.serialized == canonical.as_str() => {
            Ok(Origin::from_canonical(&origin))
        }
        Ok(_) => Err(ConfigErrorKind::NeverMatches(
            "its normalised form is not a serialized origin",
        )),
        Err(malformed) => Err(ConfigErrorKind::NeverMatches(malformed.0.message())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn exact(entry: &str) -> String {
        match parse_entry(entry) {
            Ok(Entry::Exact(origin)) => origin.as_str().to_owned(),
            other => panic!("entry {entry:?}: expected an exact origin, got {other:?}"),
        }
    }

    #[track_caller]
    fn wildcard(entry: &str) -> (String, String, Option<u16>) {
        match parse_entry(entry) {
            Ok(Entry::Wildcard(p)) => (p.as_str().to_owned(), p.base().to_owned(), p.port()),
            other => panic!("entry {entry:?}: expected a wildcard, got {other:?}"),
        }
    }

    #[test]
    fn exact_entries_normalise() {
        let cases: &[(&str, &str)] = &[
            ("https://app.example.com", "https://app.example.com"),
            ("HTTPS://App.Example.com:443/", "https://app.example.com"),
            ("http://app.example.com:80", "http://app.example.com"),
            ("http://localhost:3000", "http://localhost:3000"),
            ("https://bücher.example", "https://xn--bcher-kva.example"),
            ("https://BÜCHER.example", "https://xn--bcher-kva.example"),
            ("https://ｅｘａｍｐｌｅ.com", "https://example.com"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://127.1:8080", "http://127.0.0.1:8080"),
            ("http://[::1]:8080", "http://[::1]:8080"),
            ("http://[0:0:0:0:0:0:0:1]:8080/", "http://[::1]:8080"),
            ("http://[::ffff:127.0.0.1]", "http://[::ffff:7f00:1]"),
            ("https://app.example.com.", "https://app.example.com."),
            ("https://app.example.com:0443", "https://app.example.com"),
            (
                "https://app.example.com:8443",
                "https://app.example.com:8443",
            ),
        ];
        for &(entry, expected) in cases {
            assert_eq!(exact(entry), expected, "entry {entry:?}");
        }
    }

    #[test]
    fn wildcard_entries_normalise() {
        assert_eq!(
            wildcard("https://*.tenant.example.com"),
            (
                "https://*.tenant.example.com".into(),
                "tenant.example.com".into(),
                None
            )
        );
        assert_eq!(
            wildcard("HTTPS://*.Example.COM:443/"),
            ("https://*.example.com".into(), "example.com".into(), None)
        );
        assert_eq!(
            wildcard("http://*.example.com:8080"),
            (
                "http://*.example.com:8080".into(),
                "example.com".into(),
                Some(8080)
            )
        );
        assert_eq!(
            wildcard("https://*.bücher.example"),
            (
                "https://*.xn--bcher-kva.example".into(),
                "xn--bcher-kva.example".into(),
                None
            )
        );
    }

    #[test]
    fn bad_entries_are_refused() {
        use ConfigErrorKind as K;
        let cases: Vec<(&str, ConfigErrorKind)> = vec![
            ("app.example.com", K::MissingScheme),
            ("localhost:3000", K::MissingScheme),
            ("https:app.example.com", K::MissingScheme),
            ("://app.example.com", K::MissingScheme),
            ("ws://app.example.com", K::WebSocketScheme("ws".into())),
            ("WSS://app.example.com", K::WebSocketScheme("wss".into())),
            ("ftp://app.example.com", K::UnsupportedScheme("ftp".into())),
            ("file://", K::UnsupportedScheme("file".into())),
            ("null", K::Null),
            ("*", K::AnyOrigin),
            ("https://*", K::AnyOrigin),
            ("https://*:443", K::AnyOrigin),
            ("https://app.example.com/login", K::Path),
            ("https://app.example.com//", K::Path),
            ("https://app.example.com\\", K::Path),
            ("https://app.example.com/?", K::Query),
            ("https://app.example.com?x=1", K::Query),
            ("https://app.example.com#top", K::Fragment),
            ("https://user@app.example.com", K::Userinfo),
            ("https://user:pw@app.example.com", K::Userinfo),
            ("https://", K::EmptyHost),
            ("https://:443", K::EmptyHost),
            ("https://app.example.com:", K::InvalidPort),
            ("https://app.example.com:65536", K::InvalidPort),
            ("https://app.example.com:0", K::InvalidPort),
            ("https://app.example.com:x", K::InvalidPort),
            ("https://*.com", K::WildcardTooBroad),
            ("https://*.com.", K::WildcardTooBroad),
            ("https://*.localhost", K::WildcardTooBroad),
            ("https://*.*.example.com", K::MisplacedWildcard),
            ("https://a*.example.com", K::MisplacedWildcard),
            ("https://*example.com", K::MisplacedWildcard),
            ("https://app.*.example.com", K::MisplacedWildcard),
            ("https://example.*", K::MisplacedWildcard),
            ("https://*.127.0.0.1", K::WildcardOnIp),
            ("https://*.[::1]", K::WildcardOnIp),
            ("https://app example.com", K::Whitespace),
            ("https://app.example.com\n", K::Whitespace),
            (
                "https://a$b.example.com",
                K::NeverMatches(crate::host::HostError::Character.message()),
            ),
            (
                "https://a..example.com",
                K::NeverMatches(crate::host::HostError::EmptyLabel.message()),
            ),
        ];
        for (entry, kind) in cases {
            match parse_entry(entry) {
                Err(e) => assert_eq!(e.kind(), &kind, "entry {entry:?}"),
                Ok(ok) => panic!("entry {entry:?} was accepted as {ok:?}"),
            }
        }
        // Hosts `url` itself refuses keep its message.
        for entry in [
            "https://exa%mple.com",
            "http://[::1",
            "https://xn--zz.example",
            "http://1.2.3.256",
        ] {
            match parse_entry(entry) {
                Err(e) => assert!(
                    matches!(e.kind(), K::InvalidHost(_)),
                    "entry {entry:?}: {e}"
                ),
                Ok(ok) => panic!("entry {entry:?} was accepted as {ok:?}"),
            }
        }
    }

    #[test]
    fn error_messages_are_pinned() {
        let message = |entry: &str| parse_entry(entry).unwrap_err().to_string();
        assert_eq!(
            message("ws://app.example.com"),
            "invalid allowlist entry \"ws://app.example.com\": `ws` is the WebSocket URL's scheme, but browsers send the page's origin: write `http://` or `https://` instead"
        );
        assert_eq!(
            message("https://*.com"),
            "invalid allowlist entry \"https://*.com\": the wildcard must be followed by at least two labels, as in `https://*.example.com`"
        );
        assert_eq!(
            message("app.example.com"),
            "invalid allowlist entry \"app.example.com\": the entry has no scheme: write the full origin, such as `https://app.example.com`"
        );
        assert_eq!(
            message("https://a*.example.com"),
            "invalid allowlist entry \"https://a*.example.com\": the wildcard must be the whole left-most label, as in `https://*.example.com`"
        );
    }
}
