//! [`OriginPattern`]: an allowlist rule that is more than one exact origin (wildcard
//! subdomains and/or a port rule), and how it matches. The grammar that makes one from
//! configuration is `entry.rs`.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::host::HostKind;
use crate::origin::{Origin, Scheme, TupleOrigin};
use crate::port::PortRule;
use crate::suffix;
use crate::text::Text;

/// An allowlist rule that is more than one exact origin: wildcard subdomains
/// (`https://*.tenant.example.com`), a port rule (`http://localhost:*`,
/// `https://app.example.com:[8443,9443]`), or both (`https://*.example.com:[443,8443]`).
///
/// A wildcard matches an origin whose host is one or more whole labels followed by `.` and
/// the pattern's base domain, at any depth. It never matches the base domain itself, a host
/// that merely ends with the same characters (`evilexample.com`), or a host with the base in
/// the middle (`a.example.com.evil.net`). The scheme must be the same, and the port must be
/// accepted by the [`PortRule`]. Patterns are held in canonical form (lowercase, punycode,
/// default port dropped).
///
/// ```
/// use origin_policy::OriginPolicy;
/// let policy: OriginPolicy = "https://*.Tenant.Example.com:443".parse()?;
/// assert!(policy.check_value(b"https://acme.tenant.example.com").is_allowed());
/// assert!(policy.check_value(b"https://a.b.tenant.example.com").is_allowed());
/// assert!(!policy.check_value(b"https://tenant.example.com").is_allowed());
/// assert!(!policy.check_value(b"https://eviltenant.example.com").is_allowed());
/// assert!(!policy.check_value(b"http://acme.tenant.example.com").is_allowed());
/// assert_eq!(policy.patterns().next().unwrap().as_str(), "https://*.tenant.example.com");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OriginPattern(PatternParts);

/// The parts of an [`OriginPattern`]. A [`MatchedRule`](crate::MatchedRule) clone of a
/// pattern whose text fits inline and whose port rule is one port or any port copies bytes;
/// a longer text or a port list costs a reference count, never an allocation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct PatternParts {
    /// `scheme "://" ["*."] host [port rule]`, canonical.
    serialized: Text,
    scheme: Scheme,
    subdomains: bool,
    /// End of the host (or wildcard base) in `serialized` (at most 300 bytes in).
    host_end: u16,
    ports: Ports,
    /// Whether the wildcard may cover names under a public suffix (the builder's opt-in).
    across_public_suffixes: bool,
}

impl OriginPattern {
    /// A pattern from the parts the configuration grammar validated.
    pub(crate) fn new(
        serialized: Box<str>,
        scheme: Scheme,
        subdomains: bool,
        host_end: usize,
        ports: PortRule,
        across_public_suffixes: bool,
    ) -> OriginPattern {
        OriginPattern(PatternParts {
            serialized: Text::new(&serialized),
            scheme,
            subdomains,
            // An entry is at most 300 bytes long, so its host ends below that.
            host_end: u16::try_from(host_end).unwrap_or(u16::MAX),
            ports: Ports::new(ports),
            across_public_suffixes,
        })
    }

    /// The canonical pattern, e.g. `https://*.tenant.example.com` or `http://localhost:*`.
    pub fn as_str(&self) -> &str {
        self.0.serialized.as_str()
    }

    /// The scheme a matching origin must have.
    pub fn scheme(&self) -> Scheme {
        self.0.scheme
    }

    /// The host: for a wildcard, the base domain under which any subdomain matches
    /// (`tenant.example.com`); otherwise the exact host.
    pub fn host(&self) -> &str {
        &self.as_str()[self.host_range()]
    }

    /// Where [`host`](Self::host) is in the serialization.
    fn host_range(&self) -> std::ops::Range<usize> {
        let start = self.0.scheme.as_str().len() + 3 + if self.0.subdomains { 2 } else { 0 };
        start..usize::from(self.0.host_end)
    }

    /// The host as bytes, without the UTF-8 check of [`host`](Self::host).
    fn host_bytes(&self) -> &[u8] {
        &self.0.serialized.as_bytes()[self.host_range()]
    }

    /// Whether this is a wildcard-subdomain pattern (it never matches [`host`](Self::host)
    /// itself, only its subdomains).
    pub fn is_wildcard(&self) -> bool {
        self.0.subdomains
    }

    /// The ports a matching origin may have.
    pub fn ports(&self) -> &PortRule {
        self.0.ports.rule()
    }

    /// Whether a clone copies the pattern instead of counting a reference.
    #[cfg(test)]
    pub(crate) fn is_inline(&self) -> bool {
        self.0.serialized.is_inline() && matches!(self.0.ports, Ports::Plain(_))
    }

    /// Whether `origin` matches this pattern.
    ///
    /// ```
    /// use origin_policy::{Origin, OriginPolicy};
    /// let policy: OriginPolicy = "https://*.example.com:[443,8443]".parse()?;
    /// let pattern = policy.patterns().next().unwrap();
    /// assert!(pattern.matches(&"https://a.example.com:8443".parse::<Origin>()?));
    /// assert!(!pattern.matches(&"https://example.com".parse::<Origin>()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn matches(&self, origin: &Origin) -> bool {
        self.matches_parts(
            origin.scheme(),
            origin.host_bytes(),
            origin.port_or_default(),
        )
    }

    pub(crate) fn matches_parsed(&self, origin: &TupleOrigin<'_>) -> bool {
        if self.0.subdomains && origin.kind != HostKind::Domain {
            return false;
        }
        let port = origin.port.unwrap_or(origin.scheme.default_port());
        self.matches_parts(origin.scheme, origin.host(), port)
    }

    /// Checked in full (not only through the policy's lookup tables), so that a table bug can
    /// never turn into an allow.
    fn matches_parts(&self, scheme: Scheme, host: &[u8], port: u16) -> bool {
        // The cheap comparisons first: many patterns can share one base (one per port list),
        // and only those that agree on scheme and port need the Public Suffix List lookup.
        if scheme != self.0.scheme || !self.0.ports.rule().accepts(port) {
            return false;
        }
        let base = self.host_bytes();
        if self.0.subdomains {
            // One or more whole labels, then a dot, then the base. Hosts that reach here have
            // no empty labels (the parsers refuse them), so a non-empty prefix is whole labels.
            host.len() > base.len() + 1
                && host.ends_with(base)
                && host[host.len() - base.len() - 1] == b'.'
                && !host.starts_with(b"[")
                // A public suffix strictly inside the match (`bucket.s3.amazonaws.com` under
                // `*.amazonaws.com`) means the host belongs to someone who registered a name
                // under that suffix, not to the owner of the base.
                && (self.0.across_public_suffixes || !suffix::has_public_suffix_below(host, base.len()))
        } else {
            host == base
        }
    }
}

/// A pattern's [`PortRule`]: held as is when cloning it allocates nothing (one port, any
/// port), shared when it is a list.
#[derive(Debug, Clone)]
enum Ports {
    Plain(PortRule),
    List(Arc<PortRule>),
}

impl Ports {
    fn new(rule: PortRule) -> Ports {
        match rule {
            PortRule::OneOf(_) => Ports::List(Arc::new(rule)),
            PortRule::Is(_) | PortRule::Any => Ports::Plain(rule),
        }
    }

    fn rule(&self) -> &PortRule {
        match self {
            Ports::Plain(rule) => rule,
            Ports::List(rule) => rule,
        }
    }
}

// Compared, ordered and hashed as the rule itself, whichever way it is held.
impl PartialEq for Ports {
    fn eq(&self, other: &Ports) -> bool {
        self.rule() == other.rule()
    }
}

impl Eq for Ports {}

impl PartialOrd for Ports {
    fn partial_cmp(&self, other: &Ports) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ports {
    fn cmp(&self, other: &Ports) -> std::cmp::Ordering {
        self.rule().cmp(other.rule())
    }
}

impl Hash for Ports {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.rule().hash(state);
    }
}

impl fmt::Display for OriginPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for OriginPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OriginPattern")
            .field(&self.as_str())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use crate::entry::{parse_entry, Entry, EntryOptions};
    use crate::{ConfigError, Origin};

    fn parse(entry: &str) -> Result<Entry, ConfigError> {
        parse_entry(entry, EntryOptions::default())
    }

    #[test]
    fn pattern_matching() {
        let pattern = |entry: &str| match parse(entry) {
            Ok(Entry::Pattern(p)) => p,
            other => panic!("{other:?}"),
        };
        let origin = |s: &str| s.parse::<Origin>().unwrap();
        let wildcard = pattern("https://*.example.com:[443,8443]");
        assert!(wildcard.matches(&origin("https://a.example.com")));
        assert!(wildcard.matches(&origin("https://a.b.example.com:8443")));
        assert!(!wildcard.matches(&origin("https://example.com")));
        assert!(!wildcard.matches(&origin("https://aexample.com")));
        assert!(!wildcard.matches(&origin("https://a.example.com:9443")));
        assert!(!wildcard.matches(&origin("http://a.example.com")));
        let any_port = pattern("http://localhost:*");
        assert!(any_port.matches(&origin("http://localhost")));
        assert!(any_port.matches(&origin("http://localhost:5173")));
        assert!(!any_port.matches(&origin("https://localhost:5173")));
        assert!(!any_port.matches(&origin("http://a.localhost:5173")));
        let ipv6 = pattern("http://[::1]:[3000,3001]");
        assert_eq!(ipv6.host(), "[::1]");
        assert!(ipv6.matches(&origin("http://[::1]:3001")));
    }

    /// Kills `Debug for OriginPattern` replaced with `Ok(Default::default())`.
    #[test]
    fn pattern_debug() {
        let Ok(Entry::Pattern(p)) = parse("https://*.Example.com:[8443,443]") else {
            panic!("expected a pattern");
        };
        assert_eq!(
            format!("{p:?}"),
            r#"OriginPattern("https://*.example.com:[443,8443]")"#
        );
    }
}
