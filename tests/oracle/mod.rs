//! A naive oracle for `OriginPolicy::check_value`: the decision written in the most obvious
//! way, sharing no code with the crate, for property tests and fuzz targets.
//!
//! Normalisation is delegated to the reference implementation, the `url` crate (WHATWG URL):
//! a value is a well-formed origin when it passes a plain grammar check *and* `url` serializes
//! its origin back to the same string, up to letter case and an explicit default port. Matching
//! is a set lookup plus a suffix test for wildcards, with no lookup tables.
//!
//! Only `std` and `url` are used, so fuzz targets can include this module as is.

#![allow(dead_code)]

/// What the oracle decided, in the crate's vocabulary but without its types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Allowed by this rule (canonical exact origin or canonical wildcard pattern).
    Allow(Rule),
    Null,
    Multiple,
    Malformed,
    NotAllowed,
}

/// The allowlist entry that allowed an origin, as its canonical string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    Exact(String),
    Wildcard(String),
}

impl Kind {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Kind::Allow(_))
    }
}

/// The oracle's decision, and why the crate may legitimately give another deny *reason*.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub kind: Kind,
    /// Set when the oracle cannot tell the deny reason the crate should give; then only
    /// allow-vs-deny is comparable.
    pub reason_uncertain: Option<&'static str>,
}

impl Verdict {
    fn sure(kind: Kind) -> Verdict {
        Verdict {
            kind,
            reason_uncertain: None,
        }
    }
}

/// An allowlist in canonical form: exact origins (`https://app.example.com:8443`) and wildcard
/// patterns (`https://*.tenant.example.com`), as the policy's `Display` writes them.
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    pub exact: Vec<String>,
    pub patterns: Vec<String>,
}

/// The default port of a WHATWG special scheme (lowercase), if it has one.
pub fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

/// The value with leading and trailing SP and HTAB removed (HTTP optional whitespace).
pub fn trim_ows(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    &value[start..end]
}

/// `url`'s serialization of the origin of `value`, when `url` parses it at all.
pub fn url_origin(value: &str) -> Option<String> {
    url::Url::parse(value)
        .ok()
        .map(|url| url.origin().ascii_serialization())
}

/// The parts of a value that passed [`grammar`]: lowercase scheme, host as written, port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parts<'a> {
    pub scheme: String,
    pub host: &'a str,
    pub port: Option<u16>,
}

/// Step 2: `scheme "://" host [":" port]` written plainly, or `None`.
pub fn grammar(value: &[u8]) -> Option<Parts<'_>> {
    // Printable ASCII only.
    if !value.iter().all(|b| (0x21..=0x7e).contains(b)) {
        return None;
    }
    let value = std::str::from_utf8(value).ok()?;
    let (scheme, rest) = value.split_once("://")?;
    // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
    let mut scheme_chars = scheme.chars();
    if !scheme_chars.next()?.is_ascii_alphabetic()
        || !scheme_chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    // No path, query, fragment, userinfo or backslash.
    if rest.contains(['/', '?', '#', '@', '\\']) {
        return None;
    }
    let (host, port) = if rest.starts_with('[') {
        let close = rest.find(']')?;
        let (host, after) = rest.split_at(close + 1);
        let inner = &host[1..host.len() - 1];
        if inner.is_empty()
            || !inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return None;
        }
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':')?)),
        }
    } else {
        let (host, port) = match rest.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        };
        if host.is_empty()
            || !host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-')
        {
            return None;
        }
        // The crate's own rule, stricter than `url` (which keeps `a..b` and `.a` as they
        // are): no empty label, except the one after a final dot (`app.example.com.`).
        let labels = host.strip_suffix('.').unwrap_or(host);
        if labels.split('.').any(str::is_empty) {
            return None;
        }
        (host, port)
    };
    let port = match port {
        None => None,
        Some(port) => {
            let digits_ok = (1..=5).contains(&port.len())
                && port.chars().all(|c| c.is_ascii_digit())
                && (port == "0" || !port.starts_with('0'));
            if !digits_ok {
                return None;
            }
            Some(u16::try_from(port.parse::<u32>().ok()?).ok()?)
        }
    };
    Some(Parts {
        scheme: scheme.to_ascii_lowercase(),
        host,
        port,
    })
}

/// The oracle's decision for one `Origin` header value.
pub fn decide(allowlist: &Allowlist, value: &[u8]) -> Verdict {
    // Step 1: whitespace, `null`, lists.
    let value = trim_ows(value);
    if value == b"null" {
        return Verdict::sure(Kind::Null);
    }
    let is_separator = |b: &u8| *b == b',' || *b == b' ' || *b == b'\t';
    if value.iter().any(is_separator) {
        let pieces = value.split(is_separator).filter(|s| !s.is_empty()).count();
        let kind = if pieces >= 2 {
            Kind::Multiple
        } else {
            Kind::Malformed
        };
        return Verdict::sure(kind);
    }

    // Step 2: the length limits of the docs, before anything else is looked at: a value
    // over 300 bytes, or a domain with a label over 63 bytes or over 253 bytes in all (one
    // final dot not counted), names no page that could exist.
    if over_length_limits(value) {
        return Verdict::sure(Kind::Malformed);
    }

    // Step 3: the grammar.
    let Some(parts) = grammar(value) else {
        return Verdict::sure(Kind::Malformed);
    };
    let value = std::str::from_utf8(value).expect("grammar checked ASCII");

    // Step 4: `url` must serialize the origin back to what was sent, up to letter case and
    // an explicit default port.
    let expected = if parts.port.is_some() && parts.port == default_port(&parts.scheme) {
        format!("{}://{}", parts.scheme, parts.host.to_ascii_lowercase())
    } else {
        value.to_ascii_lowercase()
    };
    let serialized = url_origin(value);
    if serialized.as_deref() != Some(expected.as_str()) {
        if default_port(&parts.scheme).is_none() {
            // `url` gives `file:` and non-special schemes (`foo://a.b`) opaque origins, and
            // refuses a port on `file:`, so it cannot say whether such a value is canonical;
            // the crate calls a well-formed one "not allowed" and one with a bad host
            // "malformed". Either way it is denied.
            return Verdict {
                kind: Kind::Malformed,
                reason_uncertain: Some("`url` has no tuple origin for this scheme"),
            };
        }
        return Verdict::sure(Kind::Malformed);
    }
    let serialized = expected;

    // Step 5: only pages of http(s) origins exist to be allowed.
    if parts.scheme != "http" && parts.scheme != "https" {
        return Verdict::sure(Kind::NotAllowed);
    }

    // Step 6: exact entries, then the most specific matching wildcard (matching patterns
    // share the origin's scheme and port, so the longest one has the longest base).
    if allowlist.exact.contains(&serialized) {
        return Verdict::sure(Kind::Allow(Rule::Exact(serialized)));
    }
    let best = allowlist
        .patterns
        .iter()
        .filter(|pattern| wildcard_matches(pattern, &serialized))
        .max_by_key(|pattern| pattern.len());
    match best {
        Some(pattern) => Verdict::sure(Kind::Allow(Rule::Wildcard(pattern.clone()))),
        None => Verdict::sure(Kind::NotAllowed),
    }
}

/// Whether the trimmed `value` is over 300 bytes, or its host (the run of domain characters
/// after the first `://`) has a label over 63 bytes or is over 253 bytes without a final dot.
pub fn over_length_limits(value: &[u8]) -> bool {
    if value.len() > 300 {
        return true;
    }
    let Some(start) = value.windows(3).position(|w| w == b"://") else {
        return false;
    };
    let host = value[start + 3..]
        .split(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
        .next()
        .unwrap_or_default();
    let host = host.strip_suffix(b".").unwrap_or(host);
    host.len() > 253 || host.split(|&b| b == b'.').any(|label| label.len() > 63)
}

/// Whether the canonical origin `origin` matches the canonical pattern
/// `scheme "://*." base [":" port]`: same scheme, same port, and the host is a non-empty
/// prefix, a dot, then the base.
pub fn wildcard_matches(pattern: &str, origin: &str) -> bool {
    let Some((scheme, rest)) = pattern.split_once("://*.") else {
        return false;
    };
    // Bases are domains, never IPv6 literals, so a colon can only start the port.
    let (base, port) = match rest.split_once(':') {
        Some((base, port)) => (base, port.parse::<u16>().ok()),
        None => (rest, None),
    };
    let Ok(url) = url::Url::parse(origin) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let dot_base = format!(".{base}");
    url.scheme() == scheme
        && url.port() == port
        && host.len() > dot_base.len()
        && host.ends_with(&dot_base)
}
