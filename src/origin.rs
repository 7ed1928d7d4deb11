//! [`Origin`]: a web origin in its canonical serialization, and the strict parser for the
//! values of an `Origin` header.
//!
//! RFC 6454 section 6.2 and the WHATWG HTML standard define the ASCII serialization of a tuple
//! origin as `scheme "://" host [ ":" port ]`, with the scheme and host lowercase, the host in
//! its URL serialization (punycode, dotted-quad IPv4, compressed IPv6) and the port omitted when
//! it is the scheme's default. An `Origin` request header carries exactly that string
//! (RFC 6454 section 7, WHATWG Fetch), or `null`.

use crate::host::{self, HostError, HostKind};
use crate::text::{Text, INLINE};
use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};

/// The scheme of a web origin a browser can send: `http` or `https`.
///
/// Other schemes either have opaque origins (`file:`, `data:`, `blob:` pages send `null`) or are
/// not page schemes at all (`ws:` and `wss:` are the socket's scheme, never the page's).
///
/// ```
/// use origin_policy::Scheme;
/// assert_eq!(Scheme::Https.default_port(), 443);
/// assert_eq!(Scheme::Http.as_str(), "http");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum Scheme {
    /// `http`, default port 80.
    Http,
    /// `https`, default port 443.
    Https,
}

impl Scheme {
    /// The scheme's name, lowercase.
    pub const fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    /// The port an origin of this scheme has when it names none.
    pub const fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    /// Recognises `http` and `https` in any letter case.
    pub(crate) fn from_ascii(name: &[u8]) -> Option<Scheme> {
        if name.eq_ignore_ascii_case(b"https") {
            Some(Scheme::Https)
        } else if name.eq_ignore_ascii_case(b"http") {
            Some(Scheme::Http)
        } else {
            None
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A web origin (scheme, host, port) held in its canonical ASCII serialization.
///
/// An `Origin` is only built by parsing, and always holds the form a browser sends: lowercase
/// scheme and host, punycode A-labels, the default port dropped. Two `Origin`s are equal
/// exactly when they are the same origin, so equality and hashing are plain byte comparisons.
/// Cloning is cheap (a reference count).
///
/// [`FromStr`](std::str::FromStr) accepts any equivalent spelling, as in configuration:
///
/// ```
/// use origin_policy::Origin;
/// let origin: Origin = "HTTPS://Bücher.Example:443/".parse()?;
/// assert_eq!(origin.as_str(), "https://xn--bcher-kva.example");
/// assert_eq!(origin.host(), "xn--bcher-kva.example");
/// assert_eq!(origin.port(), None);
///
/// let origin: Origin = "http://[0:0::1]:8080".parse()?;
/// assert_eq!(origin.as_str(), "http://[::1]:8080");
/// assert_eq!(origin.port_or_default(), 8080);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Origin {
    /// Inline when short, so that a clone (every allowed check's `MatchedRule`) touches no
    /// shared reference count.
    serialized: Text,
    /// End of the host in `serialized` (a serialization is at most 300 bytes).
    host_end: u16,
    port: Option<u16>,
    scheme: Scheme,
}

impl Origin {
    /// Parses the value of an `Origin` request header, strictly.
    ///
    /// Only a serialized origin is accepted: `scheme "://" host [":" port]` in printable ASCII,
    /// with letter case and an explicit default port as the only tolerated differences from the
    /// canonical form. Whitespace around the value is not removed here (the policy's checks do
    /// that, as HTTP does for header values). `null` is not an `Origin` (it is the absence of
    /// one), and neither is a scheme other than `http` or `https`.
    ///
    /// ```
    /// use origin_policy::Origin;
    /// assert_eq!(Origin::parse_header(b"HTTPS://App.Example.com:443").unwrap().as_str(), "https://app.example.com");
    /// assert!(Origin::parse_header(b"https://app.example.com/").is_err());
    /// assert!(Origin::parse_header(b"https:app.example.com").is_err());
    /// assert!(Origin::parse_header(b"null").is_err());
    /// ```
    pub fn parse_header(value: &[u8]) -> Result<Origin, MalformedOrigin> {
        match SerializedOrigin::parse(value)? {
            SerializedOrigin::Tuple(origin) => Ok(origin.to_owned_origin()),
            SerializedOrigin::OtherScheme => Err(MalformedOrigin(Malformation::Scheme)),
        }
    }

    /// The canonical serialization, e.g. `https://app.example.com:8443`.
    pub fn as_str(&self) -> &str {
        self.serialized.as_str()
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host in its serialization: lowercase punycode domain, dotted-quad IPv4, or bracketed
    /// compressed IPv6.
    pub fn host(&self) -> &str {
        &self.as_str()[self.scheme.as_str().len() + 3..usize::from(self.host_end)]
    }

    /// The host as bytes, without the UTF-8 check of [`host`](Self::host).
    pub(crate) fn host_bytes(&self) -> &[u8] {
        &self.serialized.as_bytes()[self.scheme.as_str().len() + 3..usize::from(self.host_end)]
    }

    /// The port, unless it is the scheme's default.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The port, the scheme's default filled in.
    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(self.scheme.default_port())
    }

    /// Whether a clone copies the serialization instead of counting a reference.
    #[cfg(test)]
    pub(crate) fn is_inline(&self) -> bool {
        self.serialized.is_inline()
    }

    /// Where the host ends in the serialization.
    pub(crate) fn host_end(&self) -> usize {
        usize::from(self.host_end)
    }

    /// An `Origin` from the parts of one this crate built before (stored apart by
    /// [`ExactSet`](crate::exact::ExactSet)).
    pub(crate) fn from_parts(
        serialized: &[u8],
        scheme: Scheme,
        host_end: usize,
        port: Option<u16>,
    ) -> Origin {
        Origin {
            serialized: Text::from_ascii(serialized),
            scheme,
            host_end: u16::try_from(host_end).unwrap_or(u16::MAX),
            port,
        }
    }

    /// [`from_parts`](Self::from_parts) for a serialization of `len <= INLINE` bytes held
    /// zero-padded in `window`.
    pub(crate) fn from_window(
        window: &[u8; INLINE],
        len: usize,
        scheme: Scheme,
        host_end: usize,
        port: Option<u16>,
    ) -> Origin {
        Origin {
            serialized: Text::from_window(window, len),
            scheme,
            host_end: u16::try_from(host_end).unwrap_or(u16::MAX),
            port,
        }
    }

    /// Builds an `Origin` from a canonical serialization this crate has validated.
    pub(crate) fn from_canonical(origin: &TupleOrigin<'_>) -> Origin {
        origin.to_owned_origin()
    }
}

impl PartialEq for Origin {
    fn eq(&self, other: &Origin) -> bool {
        self.serialized == other.serialized
    }
}

impl Eq for Origin {}

impl Hash for Origin {
    // Must agree with `OriginBytes`, the policy's allocation-free lookup key.
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(self.serialized.as_bytes());
    }
}

/// A canonical serialization as bytes, to look an [`Origin`] up in a table without building
/// one: same hash, same equality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OriginBytes<'a>(pub(crate) &'a [u8]);

impl Hash for OriginBytes<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(self.0);
    }
}

impl hashbrown::Equivalent<Origin> for OriginBytes<'_> {
    fn equivalent(&self, origin: &Origin) -> bool {
        self.0 == origin.serialized.as_bytes()
    }
}

impl PartialOrd for Origin {
    fn partial_cmp(&self, other: &Origin) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Origin {
    fn cmp(&self, other: &Origin) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl AsRef<str> for Origin {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Origin").field(&self.as_str()).finish()
    }
}

/// The value given to [`Origin::parse_header`] is not a serialized `http` or `https` origin.
///
/// The message says what is wrong in general terms and never repeats the value, so it is safe
/// to log or send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a serialized origin: {}", .0.message())]
pub struct MalformedOrigin(pub(crate) Malformation);

/// What makes a header value malformed (internal detail behind [`MalformedOrigin`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Malformation {
    /// Not `scheme "://"` at the start.
    SchemeSyntax,
    /// A scheme other than http/https (only reported by `Origin::parse_header`).
    Scheme,
    /// Bytes outside printable ASCII.
    NotPrintableAscii,
    /// A comma, space or tab: several values, or a value with a space in it.
    Separator,
    /// A path, query, fragment, userinfo or backslash after the host.
    AfterHost,
    /// A port that is empty, not decimal, has leading zeros or exceeds 65535.
    Port,
    /// Longer than [`MAX_SERIALIZED_LEN`] bytes.
    TooLong,
    Host(HostError),
}

/// The longest value the strict parser reads, in bytes. The longest serialized `http(s)`
/// origin is 268 bytes (`https://`, a 253-byte host with a trailing dot, `:65535`); the
/// margin covers a well-formed origin of another scheme up to 26 bytes longer than `https`.
/// A longer value is refused before any work that depends on its content, so an attacker's
/// 400 KB `Origin` costs no more than a short one beyond being hashed and copied.
pub(crate) const MAX_SERIALIZED_LEN: usize = 300;

impl Malformation {
    pub(crate) fn message(self) -> &'static str {
        match self {
            Malformation::SchemeSyntax => "it does not start with a scheme and `://`",
            Malformation::Scheme => "the scheme is not `http` or `https`",
            Malformation::NotPrintableAscii => "it holds bytes outside printable ASCII",
            Malformation::Separator => "it holds a comma, space or tab",
            Malformation::AfterHost => {
                "it has a path, query, fragment or userinfo (an origin is only scheme, host and port)"
            }
            Malformation::Port => "the port is not a decimal number from 0 to 65535 without leading zeros",
            Malformation::TooLong => "it is longer than 300 bytes (no serialized origin is)",
            Malformation::Host(error) => error.message(),
        }
    }
}

/// Room for the canonical form of any value the strict parser reads, on the stack: letter
/// case and default ports are rewritten here instead of into a fresh allocation.
pub(crate) struct CanonicalBuffer([u8; MAX_SERIALIZED_LEN]);

impl CanonicalBuffer {
    pub(crate) fn new() -> CanonicalBuffer {
        CanonicalBuffer([0; MAX_SERIALIZED_LEN])
    }
}

/// The result of strictly parsing a header value.
pub(crate) enum SerializedOrigin<'a> {
    /// An `http` or `https` origin.
    Tuple(TupleOrigin<'a>),
    /// Well-formed, but the scheme is neither `http` nor `https` (e.g. `wss://...`): no
    /// browser page has such an origin, so nothing can allow it.
    OtherScheme,
}

/// An `http`/`https` origin parsed from a header value, borrowing it when it was canonical.
pub(crate) struct TupleOrigin<'a> {
    /// Canonical serialization (ASCII).
    pub(crate) serialized: Cow<'a, [u8]>,
    pub(crate) scheme: Scheme,
    /// End of the host in `serialized` (the host starts right after `://`).
    pub(crate) host_end: usize,
    pub(crate) kind: HostKind,
    /// Explicit non-default port.
    pub(crate) port: Option<u16>,
}

impl TupleOrigin<'_> {
    /// The host, ASCII.
    pub(crate) fn host(&self) -> &[u8] {
        &self.serialized[self.scheme.as_str().len() + 3..self.host_end]
    }

    fn to_owned_origin(&self) -> Origin {
        Origin {
            // Only ASCII ever gets here; a lossy conversion cannot change it.
            serialized: Text::new(&String::from_utf8_lossy(&self.serialized)),
            scheme: self.scheme,
            // The parsers refuse values over 300 bytes, so the host ends below that.
            host_end: u16::try_from(self.host_end).unwrap_or(u16::MAX),
            port: self.port,
        }
    }
}

impl<'a> TupleOrigin<'a> {
    /// The fast path for what browsers send almost always: an `http`/`https` origin with a
    /// plain lowercase domain and no default port, already canonical. One pass, no table
    /// beyond the byte classes, no allocation.
    ///
    /// [`Fast::Unusual`] means "not this simple case": the caller then runs
    /// [`SerializedOrigin::parse`], which decides everything. Anything unusual is handed on:
    /// letter case, `xn--` labels, a last label that could be a number (IPv4 rules), IPv6, a
    /// trailing dot, an explicit default port. Whenever this returns an origin, the strict
    /// parser returns the same origin
    /// (`canonical_domain_fast_path_agrees_with_the_parser` checks it exhaustively on short
    /// values).
    ///
    /// It also answers "certainly malformed" where the pass already proves it: a byte after
    /// plain labels that no host holds (anything but letters, digits, `-`, `_`, `.`, `:`),
    /// such as the `/` of a path, or a port that is not a port's serialization. The strict
    /// parser refuses every such value too (the same test checks it), so the caller can skip
    /// it.
    pub(crate) fn fast(value: &'a [u8]) -> Fast<'a> {
        let (scheme, host_start) = if value.starts_with(b"https://") {
            (Scheme::Https, 8)
        } else if value.starts_with(b"http://") {
            (Scheme::Http, 7)
        } else {
            return Fast::Unusual;
        };
        let bytes = &value[host_start..];
        let mut i = 0;
        let mut label_start = 0;
        loop {
            // Letters, digits, `-` and `_` in a tight loop; a label ends at anything else.
            while i < bytes.len() && FAST_CLASS[usize::from(bytes[i])] {
                i += 1;
            }
            let label = &bytes[label_start..i];
            // An empty label (`..`, a leading or trailing dot), a long one, or an A-label.
            if label.is_empty() || label.len() > host::MAX_LABEL_LEN || label.starts_with(b"xn--") {
                return Fast::Unusual;
            }
            match bytes.get(i) {
                Some(b'.') => {
                    i += 1;
                    label_start = i;
                }
                None | Some(b':') => break,
                // Upper case is a spelling the parser normalises; any other byte is one no
                // host holds, right after the host (or inside it), which the parser refuses.
                Some(b) if b.is_ascii_uppercase() => return Fast::Unusual,
                Some(_) => return Fast::Malformed,
            }
        }
        let end = i;
        // The last label must not be a number nor `0x..` (the IPv4 rules) and the host must
        // fit DNS.
        let last = &bytes[label_start..end];
        if last.iter().all(u8::is_ascii_digit)
            || last.starts_with(b"0x")
            || end > host::MAX_DOMAIN_LEN
        {
            return Fast::Unusual;
        }
        let port = match bytes.get(end) {
            None => None,
            Some(_) => match parse_port(&bytes[end + 1..]) {
                Some(port) if port != scheme.default_port() => Some(port),
                Some(_) => return Fast::Unusual,
                None => return Fast::Malformed,
            },
        };
        Fast::Origin(TupleOrigin {
            serialized: Cow::Borrowed(value),
            scheme,
            host_end: host_start + end,
            kind: HostKind::Domain,
            port,
        })
    }
}

impl<'b> TupleOrigin<'b> {
    /// The fast path for the spellings of that same simple case that need rewriting: upper
    /// case anywhere in the scheme or host, an explicit default port, or both
    /// (`HTTPS://APP.EXAMPLE.COM:443`). The value is lowered into `buffer`, a trailing default
    /// port is cut, and [`fast`](Self::fast) reads the result; `None` hands the value to the
    /// strict parser (anything `fast` calls unusual or malformed, and a cut that leaves another
    /// port, as in `:0443`). Whenever this returns an origin, the strict parser returns the
    /// same origin for `value` (`folded_fast_path_agrees_with_the_parser` checks it
    /// exhaustively on short values).
    pub(crate) fn fast_folded(
        value: &[u8],
        buffer: &'b mut CanonicalBuffer,
    ) -> Option<TupleOrigin<'b>> {
        if value.len() > MAX_SERIALIZED_LEN {
            return None;
        }
        let lowered = &mut buffer.0[..value.len()];
        lowered.copy_from_slice(value);
        lowered.make_ascii_lowercase();
        let default_port: &[u8] = if lowered.starts_with(b"https://") {
            b":443"
        } else if lowered.starts_with(b"http://") {
            b":80"
        } else {
            return None;
        };
        let cut = lowered.ends_with(default_port);
        let len = if cut {
            value.len() - default_port.len()
        } else {
            value.len()
        };
        let buffer: &'b CanonicalBuffer = buffer;
        match TupleOrigin::fast(&buffer.0[..len]) {
            Fast::Origin(origin) if !(cut && origin.port.is_some()) => Some(origin),
            _ => None,
        }
    }
}

/// Whether a value the fast pass called unusual may be one [`TupleOrigin::fast_folded`] takes:
/// it holds an upper-case letter or ends in a default port. Canonical values that are unusual
/// for other reasons (`xn--`, IP addresses) skip the fold.
pub(crate) fn may_fold(value: &[u8]) -> bool {
    value.ends_with(b":443") || value.ends_with(b":80") || value.iter().any(u8::is_ascii_uppercase)
}

/// What the fast pass over a header value found.
pub(crate) enum Fast<'a> {
    /// A canonical `http(s)` origin on a plain domain.
    Origin(TupleOrigin<'a>),
    /// Certainly not a serialized origin: the strict parser would refuse it.
    Malformed,
    /// Anything else: the strict parser decides.
    Unusual,
}

/// The bytes of a label in `TupleOrigin::fast`: lowercase letters, digits, `-`
/// and `_`.
static FAST_CLASS: [bool; 256] = {
    let mut class = [false; 256];
    let mut b = 0;
    while b < 256 {
        class[b] = matches!(b as u8, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_');
        b += 1;
    }
    class
};

impl<'a> SerializedOrigin<'a> {
    /// Parses `scheme "://" host [":" port]`, exactly, and canonicalises it.
    ///
    /// One pass over the bytes for the canonical values browsers send, and no allocation;
    /// otherwise one allocation for the lowercase copy.
    pub(crate) fn parse(value: &'a [u8]) -> Result<SerializedOrigin<'a>, MalformedOrigin> {
        SerializedOrigin::parse_inner(value, None)
    }

    /// [`parse`](Self::parse) without allocating: a value that needs canonicalising (letter
    /// case, a default port) is rewritten into `buffer`, and the result borrows from the value
    /// or from the buffer.
    pub(crate) fn parse_in(
        value: &'a [u8],
        buffer: &'a mut CanonicalBuffer,
    ) -> Result<SerializedOrigin<'a>, MalformedOrigin> {
        SerializedOrigin::parse_inner(value, Some(buffer))
    }

    fn parse_inner(
        value: &'a [u8],
        buffer: Option<&'a mut CanonicalBuffer>,
    ) -> Result<SerializedOrigin<'a>, MalformedOrigin> {
        let fail = |m| Err(MalformedOrigin(m));
        if value.len() > MAX_SERIALIZED_LEN {
            return fail(Malformation::TooLong);
        }
        // The schemes browsers send, in their canonical spelling, need no scan.
        let (scheme, scheme_end) = if value.starts_with(b"https://") {
            (Some(Scheme::Https), 5)
        } else if value.starts_with(b"http://") {
            (Some(Scheme::Http), 4)
        } else {
            // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )   (RFC 3986 section 3.1)
            let end = match value.first() {
                Some(b) if b.is_ascii_alphabetic() => value
                    .iter()
                    .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
                    .unwrap_or(value.len()),
                _ => return fail(Malformation::SchemeSyntax),
            };
            if !value[end..].starts_with(b"://") {
                return fail(Malformation::SchemeSyntax);
            }
            (Scheme::from_ascii(&value[..end]), end)
        };
        let scheme_uppercase = value[..scheme_end].iter().any(u8::is_ascii_uppercase);
        let host_start = scheme_end + 3;

        let scan = host::scan(&value[host_start..]).map_err(|e| {
            // A stray byte right where the host starts says more than "empty host".
            MalformedOrigin(match e {
                HostError::Empty => match value.get(host_start) {
                    None | Some(b':') => Malformation::Host(e),
                    Some(_) => stray(value, host_start, Malformation::Host(HostError::Character)),
                },
                e => Malformation::Host(e),
            })
        })?;
        let host_end = host_start + scan.end;
        let port = match value.get(host_end) {
            None => None,
            Some(b':') => {
                let digits = &value[host_end + 1..];
                match parse_port(digits) {
                    Some(port) => Some(port),
                    None => {
                        let bad = digits.iter().position(|b| !b.is_ascii_digit()).unwrap_or(0);
                        return fail(stray(value, host_end + 1 + bad, Malformation::Port));
                    }
                }
            }
            Some(_) => {
                return fail(stray(
                    value,
                    host_end,
                    Malformation::Host(HostError::Character),
                ))
            }
        };

        let Some(scheme) = scheme else {
            // Well-formed, but no page has such an origin. The host was scanned above; finish
            // its checks so garbage after a made-up scheme is still reported as malformed.
            let host = &value[host_start..host_end];
            let checked = match buffer {
                Some(buffer) => {
                    // The host is shorter than the value, which is at most the buffer's size.
                    let lower = &mut buffer.0[..host.len()];
                    lower.copy_from_slice(host);
                    lower.make_ascii_lowercase();
                    host::validate(lower, scan)
                }
                None => host::validate(&host.to_ascii_lowercase(), scan),
            };
            checked.map_err(|e| MalformedOrigin(Malformation::Host(e)))?;
            return Ok(SerializedOrigin::OtherScheme);
        };
        let default_port = port == Some(scheme.default_port());
        let port = if default_port { None } else { port };

        let serialized: Cow<'a, [u8]> = if !default_port && !scan.uppercase && !scheme_uppercase {
            Cow::Borrowed(value)
        } else {
            let host = &value[host_start..host_end];
            let rest = if port.is_some() {
                &value[host_end..]
            } else {
                &[]
            };
            let prefix = scheme.as_str().len() + 3;
            let len = prefix + host.len() + rest.len();
            match buffer {
                Some(buffer) => {
                    // The canonical form is never longer than the value (the scheme is
                    // lowered, not lengthened; a port is kept or dropped), and the value is
                    // at most `MAX_SERIALIZED_LEN` bytes: it fits.
                    let out = &mut buffer.0[..len];
                    out[..prefix - 3].copy_from_slice(scheme.as_str().as_bytes());
                    out[prefix - 3..prefix].copy_from_slice(b"://");
                    out[prefix..prefix + host.len()].copy_from_slice(host);
                    out[prefix..prefix + host.len()].make_ascii_lowercase();
                    out[prefix + host.len()..].copy_from_slice(rest);
                    Cow::Borrowed(&*out)
                }
                None => {
                    let mut owned = Vec::with_capacity(len);
                    owned.extend_from_slice(scheme.as_str().as_bytes());
                    owned.extend_from_slice(b"://");
                    owned.extend(host.iter().map(u8::to_ascii_lowercase));
                    owned.extend_from_slice(rest);
                    Cow::Owned(owned)
                }
            }
        };
        let host_start = scheme.as_str().len() + 3;
        let host_end = host_start + scan.end;
        let kind = host::validate(&serialized[host_start..host_end], scan)
            .map_err(|e| MalformedOrigin(Malformation::Host(e)))?;
        Ok(SerializedOrigin::Tuple(TupleOrigin {
            serialized,
            scheme,
            host_end,
            kind,
            port,
        }))
    }
}

/// What a byte that ends a parse early means: a delimiter of something an origin does not
/// have, a separator of several values, a byte outside printable ASCII, or (`otherwise`)
/// a character out of place.
fn stray(value: &[u8], at: usize, otherwise: Malformation) -> Malformation {
    match value.get(at) {
        Some(b'/' | b'?' | b'#' | b'@' | b'\\') => Malformation::AfterHost,
        Some(b',' | b' ' | b'\t') => Malformation::Separator,
        Some(b) if !matches!(b, 0x21..=0x7e) => Malformation::NotPrintableAscii,
        _ => otherwise,
    }
}

/// `port = 1*5DIGIT` with a value of at most 65535 and no leading zero (so the text is the
/// port's serialization; `0` itself is fine).
pub(crate) fn parse_port(bytes: &[u8]) -> Option<u16> {
    if bytes.is_empty() || bytes.len() > 5 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if bytes.len() > 1 && bytes[0] == b'0' {
        return None;
    }
    // At most five digits: fits in u32 without overflow, then range-check (no wrapping).
    let value = bytes
        .iter()
        .fold(0u32, |acc, &b| acc * 10 + u32::from(b - b'0'));
    u16::try_from(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &str) -> Result<String, MalformedOrigin> {
        Origin::parse_header(value.as_bytes()).map(|o| o.as_str().to_owned())
    }

    #[test]
    fn canonical_forms() {
        let cases: &[(&str, &str)] = &[
            // Already canonical.
            ("https://app.example.com", "https://app.example.com"),
            ("http://localhost:3000", "http://localhost:3000"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://[::1]:8080", "http://[::1]:8080"),
            (
                "https://xn--bcher-kva.example",
                "https://xn--bcher-kva.example",
            ),
            ("https://app.example.com.", "https://app.example.com."),
            ("http://example.com:0", "http://example.com:0"),
            ("https://example.com:65535", "https://example.com:65535"),
            // Letter case.
            ("HTTPS://APP.EXAMPLE.COM", "https://app.example.com"),
            ("Http://LocalHost:3000", "http://localhost:3000"),
            (
                "https://XN--BCHER-KVA.EXAMPLE",
                "https://xn--bcher-kva.example",
            ),
            ("http://[::FFFF:7F00:1]", "http://[::ffff:7f00:1]"),
            // Default ports.
            ("https://app.example.com:443", "https://app.example.com"),
            ("http://app.example.com:80", "http://app.example.com"),
            ("HTTP://APP.EXAMPLE.COM:80", "http://app.example.com"),
            ("http://app.example.com:443", "http://app.example.com:443"),
            ("https://app.example.com:80", "https://app.example.com:80"),
        ];
        for &(input, expected) in cases {
            assert_eq!(parse(input).as_deref(), Ok(expected), "input {input:?}");
        }
    }

    #[test]
    fn malformed_values() {
        use Malformation as M;
        let cases: &[(&str, Malformation)] = &[
            ("", M::SchemeSyntax),
            ("app.example.com", M::SchemeSyntax),
            ("https:app.example.com", M::SchemeSyntax),
            ("https:/app.example.com", M::SchemeSyntax),
            ("//app.example.com", M::SchemeSyntax),
            ("1https://app.example.com", M::SchemeSyntax),
            ("ht_tp://app.example.com", M::SchemeSyntax),
            ("https://app.example.com/", M::AfterHost),
            ("https://app.example.com/path", M::AfterHost),
            ("https://app.example.com?", M::AfterHost),
            ("https://app.example.com#x", M::AfterHost),
            ("https://user@app.example.com", M::AfterHost),
            ("https://app.example.com@evil.example", M::AfterHost),
            ("https:\\\\app.example.com", M::SchemeSyntax),
            ("https://app.example.com\\@evil.example", M::AfterHost),
            ("https://app.example.com ", M::Separator),
            ("https://app.example.com\0", M::NotPrintableAscii),
            ("https://b\u{fc}cher.example", M::NotPrintableAscii),
            ("https://app.example.com:", M::Port),
            ("https://app.example.com:0443", M::Port),
            ("https://app.example.com:+443", M::Port),
            ("https://app.example.com:-1", M::Port),
            ("https://app.example.com:65536", M::Port),
            ("https://app.example.com:65979", M::Port),
            ("https://app.example.com:4294967739", M::Port),
            ("https://app.example.com:0x1bb", M::Port),
            ("https://app.example.com:443:443", M::Port),
            ("https://:443", M::Host(HostError::Empty)),
            ("https://", M::Host(HostError::Empty)),
            ("file://", M::Host(HostError::Empty)),
            ("https://app%2eexample.com", M::Host(HostError::Character)),
            ("https://app.example.com`", M::Host(HostError::Character)),
            ("https://*.example.com", M::Host(HostError::Character)),
            ("https://app..example.com", M::Host(HostError::EmptyLabel)),
            ("http://127.1:8080", M::Host(HostError::Ipv4)),
            ("http://[::1]x", M::Host(HostError::Character)),
            ("http://[::1", M::Host(HostError::Ipv6)),
            ("http://::1", M::Host(HostError::Empty)),
            ("null", M::SchemeSyntax),
            ("wss://app.example.com", M::Scheme),
        ];
        for &(input, malformation) in cases {
            assert_eq!(
                parse(input),
                Err(MalformedOrigin(malformation)),
                "input {input:?}"
            );
        }
    }

    /// The value bound (issue 15, item 1): the longest serialized `http(s)` origin parses,
    /// any value over 300 bytes is malformed before its content is looked at.
    #[test]
    fn length_limits() {
        let labels = format!("{0}.{0}.{0}.{1}.", "a".repeat(63), "a".repeat(61));
        let longest = format!("https://{labels}:65535");
        assert_eq!(longest.len(), 268);
        assert_eq!(parse(&longest).as_deref(), Ok(longest.as_str()));
        // Another scheme, up to the bound and one byte over it.
        let other = |len: usize| format!("{}://{labels}", "x".repeat(len - 3 - labels.len()));
        assert!(matches!(
            SerializedOrigin::parse(other(MAX_SERIALIZED_LEN).as_bytes()),
            Ok(SerializedOrigin::OtherScheme)
        ));
        assert!(matches!(
            SerializedOrigin::parse(other(MAX_SERIALIZED_LEN + 1).as_bytes()),
            Err(MalformedOrigin(Malformation::TooLong))
        ));
        // 59 KB of valid 1005-byte A-labels: refused by length, whatever they hold.
        let label = format!("xn--{}", "a".repeat(1001));
        let huge = format!("https://{}", vec![label; 59].join("."));
        assert_eq!(parse(&huge), Err(MalformedOrigin(Malformation::TooLong)));
        let label = format!("https://xn--{}.example", "a".repeat(60));
        assert_eq!(
            parse(&label),
            Err(MalformedOrigin(Malformation::Host(HostError::LabelTooLong)))
        );
        assert_eq!(
            parse(&huge).unwrap_err().to_string(),
            "not a serialized origin: it is longer than 300 bytes (no serialized origin is)"
        );
    }

    /// The fast path never disagrees with the strict parser: every value over an alphabet
    /// of the interesting bytes, after each scheme prefix, up to 6 bytes (and longer values
    /// from a smaller alphabet), either goes to the parser (`None`) or gets exactly the
    /// parser's answer, borrowed and a domain.
    /// Asserts that the strict parser gives `value` the origin a fast path gave it; returns
    /// whether the parser borrowed the value as it is (it was canonical).
    fn assert_parser_agrees(value: &[u8], fast: &TupleOrigin<'_>) -> bool {
        let shown = String::from_utf8_lossy(value);
        match SerializedOrigin::parse(value) {
            Ok(SerializedOrigin::Tuple(strict)) => {
                assert_eq!(strict.serialized, fast.serialized, "{shown}");
                assert_eq!(strict.scheme, fast.scheme, "{shown}");
                assert_eq!(strict.host_end, fast.host_end, "{shown}");
                assert_eq!(strict.kind, fast.kind, "{shown}");
                assert_eq!(strict.port, fast.port, "{shown}");
                matches!(strict.serialized, Cow::Borrowed(_))
            }
            _ => panic!("{shown}: a fast path took a value the parser refuses"),
        }
    }

    /// Calls `check` with `prefix` followed by every string of up to `max` bytes over
    /// `alphabet`; returns how many values that was.
    fn for_each_value(
        prefix: &[u8],
        alphabet: &[u8],
        max: u32,
        check: &mut dyn FnMut(&[u8]),
    ) -> usize {
        let mut value = Vec::new();
        let mut count = 0;
        for len in 0..=max {
            for mut index in 0..alphabet.len().pow(len) {
                value.clear();
                value.extend_from_slice(prefix);
                for _ in 0..len {
                    value.push(alphabet[index % alphabet.len()]);
                    index /= alphabet.len();
                }
                check(&value);
                count += 1;
            }
        }
        count
    }

    #[test]
    fn folded_fast_path_agrees_with_the_parser() {
        fn agree(value: &[u8], taken: &mut usize) {
            if !may_fold(value) {
                return;
            }
            let mut buffer = CanonicalBuffer::new();
            let Some(fast) = TupleOrigin::fast_folded(value, &mut buffer) else {
                return;
            };
            *taken += 1;
            assert_parser_agrees(value, &fast);
        }
        let mut taken = 0;
        let mut checked = 0;
        let cases: &[(&[u8], &[u8], u32)] = &[
            (b"HTTPS://", b"aA0xXnN-.:4/_", 5),
            (b"Http://", b"aA0-.:8/", 6),
            (b"https://", b"aAx0-.:43", 6),
            (b"http://", b"aA.:80", 7),
            (b"https://a", b"0443:", 6),
            (b"HTTP://A.B", b"0128:", 6),
            (b"wss://", b"aA:4", 5),
        ];
        for &(prefix, alphabet, max) in cases {
            checked += for_each_value(prefix, alphabet, max, &mut |value| agree(value, &mut taken));
        }
        assert!(checked > 1_000_000, "{checked}");
        assert!(taken > 50_000, "{taken}");
        for value in [
            &b"HTTPS://APP.EXAMPLE.COM:443"[..],
            b"https://app.example.com:443",
            b"HTTP://APP.EXAMPLE.COM:80",
            b"HTTPS://APP.EXAMPLE.COM:8443",
        ] {
            let mut buffer = CanonicalBuffer::new();
            assert!(TupleOrigin::fast_folded(value, &mut buffer).is_some());
            agree(value, &mut taken);
        }
        // Cuts that leave another port, and spellings the parser must decide.
        for value in [
            &b"https://app.example.com:0443"[..],
            b"https://app.example.com:4:443",
            b"http://a.com:80:80",
            b"HTTPS://XN--BCHER-KVA.EXAMPLE",
            b"HTTPS://APP.EXAMPLE.COM.",
            b"HTTP://127.0.0.1:80",
            b"HTTPS://APP.EXAMPLE.COM:443/",
        ] {
            let mut buffer = CanonicalBuffer::new();
            assert!(TupleOrigin::fast_folded(value, &mut buffer).is_none());
        }
    }

    #[test]
    fn canonical_domain_fast_path_agrees_with_the_parser() {
        fn agree(value: &[u8], taken: &mut usize) {
            let fast = match TupleOrigin::fast(value) {
                Fast::Origin(fast) => fast,
                Fast::Unusual => return,
                Fast::Malformed => {
                    let refused = SerializedOrigin::parse(value).is_err();
                    let shown = String::from_utf8_lossy(value);
                    assert!(
                        refused,
                        "{shown}: called malformed, but the parser takes it"
                    );
                    return;
                }
            };
            *taken += 1;
            let borrowed = assert_parser_agrees(value, &fast);
            assert!(
                borrowed,
                "{}: not canonical",
                String::from_utf8_lossy(value)
            );
        }
        fn all(alphabet: &[u8], max: u32, prefixes: &[&[u8]], taken: &mut usize) -> usize {
            prefixes
                .iter()
                .map(|prefix| {
                    for_each_value(prefix, alphabet, max, &mut |value| agree(value, taken))
                })
                .sum()
        }
        let mut taken = 0;
        let prefixes: &[&[u8]] = &[b"https://", b"http://", b"HTTPS://", b"https:/", b"wss://"];
        let checked = all(b"ax0n1-_.:4/A \\", 5, prefixes, &mut taken)
            + all(b"ax08-.:", 7, &[b"https://", b"http://"], &mut taken)
            // Ports: digits after a short host.
            + all(b"0123458:", 6, &[b"http://a:", b"https://a.b:"], &mut taken);
        assert!(checked > 3_000_000, "{checked}");
        assert!(taken > 100_000, "{taken}");
        // Long values: the length limits.
        let label = |n: usize| "a".repeat(n);
        for value in [
            format!("https://{}.example", label(63)),
            format!("https://{}.example", label(64)),
            format!("https://{0}.{0}.{0}.{1}", label(63), label(61)),
            format!("https://{0}.{0}.{0}.{1}", label(63), label(62)),
            format!("https://{0}.{0}.{0}.{1}:8443", label(63), label(61)),
            format!("https://{0}.{0}.{0}.{1}:8443", label(63), label(62)),
            format!("https://a.{}", label(64)),
            format!("https://a.xn--{}", label(20)),
            "https://a.0xff".to_owned(),
            "https://a.0x".to_owned(),
            "https://1.2.3.4".to_owned(),
            "https://1.2.3.a4".to_owned(),
            "https://1.2.3.4a".to_owned(),
            "https://app.example.com:443".to_owned(),
            "http://app.example.com:80".to_owned(),
            "http://app.example.com:443".to_owned(),
            "https://app.example.com:0".to_owned(),
            "https://app.example.com:65536".to_owned(),
            "https://app.example.com:0443".to_owned(),
        ] {
            agree(value.as_bytes(), &mut taken);
        }
        // The common values do take the fast path.
        for value in [
            "https://app.example.com",
            "http://localhost:3000",
            "https://a-b_c.x1.example:8443",
        ] {
            assert!(
                matches!(TupleOrigin::fast(value.as_bytes()), Fast::Origin(_)),
                "{value}"
            );
        }
    }

    #[test]
    fn other_schemes_are_well_formed_but_not_tuple_origins() {
        for value in [
            "wss://app.example.com",
            "ftp://app.example.com",
            "chrome-extension://abc",
        ] {
            assert!(
                matches!(
                    SerializedOrigin::parse(value.as_bytes()),
                    Ok(SerializedOrigin::OtherScheme)
                ),
                "{value:?}"
            );
        }
        assert!(SerializedOrigin::parse(b"ws://app.example.com/").is_err());
    }

    #[test]
    fn canonical_input_is_borrowed() {
        match SerializedOrigin::parse(b"https://app.example.com:8443") {
            Ok(SerializedOrigin::Tuple(o)) => {
                assert!(matches!(o.serialized, Cow::Borrowed(_)));
                assert_eq!(o.host(), b"app.example.com");
                assert_eq!(o.port, Some(8443));
            }
            _ => panic!("expected a tuple origin"),
        }
    }

    #[test]
    fn accessors() {
        let origin = Origin::parse_header(b"http://[::1]:8080").unwrap();
        assert_eq!(origin.scheme(), Scheme::Http);
        assert_eq!(origin.host(), "[::1]");
        assert_eq!(origin.port(), Some(8080));
        assert_eq!(origin.port_or_default(), 8080);
        assert_eq!(format!("{origin:?}"), "Origin(\"http://[::1]:8080\")");
        let origin = Origin::parse_header(b"https://a.example").unwrap();
        assert_eq!(origin.port_or_default(), 443);
    }

    #[test]
    fn error_messages() {
        assert_eq!(
            parse("https://app.example.com/").unwrap_err().to_string(),
            "not a serialized origin: it has a path, query, fragment or userinfo (an origin is only scheme, host and port)"
        );
        assert_eq!(
            parse("https://a.example:99999").unwrap_err().to_string(),
            "not a serialized origin: the port is not a decimal number from 0 to 65535 without leading zeros"
        );
    }

    /// A bad port is blamed on its first non-digit byte: a path, separator or control byte
    /// right after the digits says more than "bad port". Kills the mutants of
    /// `SerializedOrigin::parse` on `digits.iter().position(|b| !b.is_ascii_digit())`
    /// (delete `!`) and on `host_end + 1 + bad` (either `+` replaced with `-` or `*`).
    #[test]
    fn bad_port_blames_the_first_non_digit() {
        use Malformation as M;
        let cases: &[(&str, Malformation)] = &[
            ("https://app.example.com:443/", M::AfterHost),
            ("https://app.example.com:8443/path", M::AfterHost),
            ("https://app.example.com:1?", M::AfterHost),
            (
                "https://app.example.com:443,https://evil.example",
                M::Separator,
            ),
            ("https://app.example.com:443 ", M::Separator),
            ("https://app.example.com:443\r", M::NotPrintableAscii),
            ("https://app.example.com:44x", M::Port),
        ];
        for &(input, malformation) in cases {
            assert_eq!(
                parse(input),
                Err(MalformedOrigin(malformation)),
                "input {input:?}"
            );
        }
    }

    /// Kills the mutants of `Ord`/`PartialOrd for Origin` (`Default::default()`, `None`),
    /// `AsRef<str> for Origin` (`""`, `"xyzzy"`) and `Equivalent<Origin> for OriginBytes`
    /// (`true`, `false`, `==` -> `!=`).
    #[test]
    fn ordering_as_ref_and_lookup_equivalence() {
        use hashbrown::Equivalent as _;
        use std::cmp::Ordering;
        let http = Origin::parse_header(b"http://a.example").unwrap();
        let https = Origin::parse_header(b"https://a.example").unwrap();
        // `PartialEq for Origin` replaced with `true`.
        assert_ne!(http, https);
        assert_eq!(
            https,
            Origin::parse_header(b"HTTPS://A.example:443").unwrap()
        );
        assert_eq!(http.cmp(&https), Ordering::Less);
        assert_eq!(https.cmp(&http), Ordering::Greater);
        assert_eq!(https.partial_cmp(&http), Some(Ordering::Greater));
        assert_eq!(http.partial_cmp(&http.clone()), Some(Ordering::Equal));
        assert_eq!(AsRef::<str>::as_ref(&https), "https://a.example");
        let cases: &[(&[u8], &Origin, bool)] = &[
            (b"https://a.example", &https, true),
            (b"http://a.example", &http, true),
            (b"https://a.example", &http, false),
            (b"https://a.example.", &https, false),
            (b"", &https, false),
        ];
        for &(bytes, origin, expected) in cases {
            assert_eq!(
                OriginBytes(bytes).equivalent(origin),
                expected,
                "{:?} vs {origin:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }
}
