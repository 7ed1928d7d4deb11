//! Host rules: which hosts a serialized origin may carry, and in which spelling.
//!
//! A browser serializes an origin's host with the WHATWG URL host serializer: a domain is the
//! ASCII (punycode) result of *domain to ASCII*, an IPv4 address is a dotted quad, an IPv6
//! address is compressed lowercase hex in brackets. [`classify`] accepts exactly those
//! spellings (ASCII letter case aside) and nothing a lenient parser would repair.
//!
//! The checks are delegated to the reference implementations where one exists: `idna` (the
//! crate `url` uses) validates domains and `url::Host` parses IP literals. This module only adds
//! the strictness those lenient parsers do not have: the character set, empty labels and
//! "the input must already be the serialization".

use std::fmt::{self, Write as _};

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

/// What kind of host a canonical host string is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostKind {
    /// A domain name (ASCII, possibly with punycode labels, possibly with one trailing dot).
    Domain,
    /// A dotted-quad IPv4 address.
    Ipv4,
    /// A bracketed IPv6 address.
    Ipv6,
}

/// Why a host is not the serialization of a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostError {
    Empty,
    /// A character a serialized host never holds (`%`, `*`, `` ` ``, non-ASCII, ...).
    Character,
    /// An empty label: a leading dot, `..`, or more than one trailing dot.
    EmptyLabel,
    /// Ends in a number but is not a canonical dotted-quad IPv4 address.
    Ipv4,
    /// Bracketed but not a canonical IPv6 address.
    Ipv6,
    /// Rejected by IDNA processing (for example an `xn--` label that is not valid punycode).
    Idna,
}

impl HostError {
    pub(crate) fn message(self) -> &'static str {
        match self {
            HostError::Empty => "the host is empty",
            HostError::Character => {
                "the host holds a character browsers never send in an origin (only letters, digits, `-`, `_` and `.`)"
            }
            HostError::EmptyLabel => "the host has an empty label (a leading dot, `..`, or several trailing dots)",
            HostError::Ipv4 => "the host ends in a number but is not an IPv4 address",
            HostError::Ipv6 => "the host is not a valid IPv6 address",
            HostError::Idna => "the host is not a valid internationalized domain name",
        }
    }
}

/// Checks that `host` (already ASCII-lowercase) is exactly the WHATWG serialization of a host.
///
/// Allocates nothing for the hosts browsers send: the IDNA pass-through path and the IP
/// parsers work on the borrowed bytes, and IP serializations are written to the stack.
pub(crate) fn classify(host: &str) -> Result<HostKind, HostError> {
    let bytes = host.as_bytes();
    if bytes.is_empty() {
        return Err(HostError::Empty);
    }
    if bytes[0] == b'[' {
        return classify_ipv6(host);
    }
    // Strict character set: what the URL host serializer can produce for a domain, minus the
    // oddities (`!`, `$`, `` ` ``, `{`, ...) that WHATWG tolerates but no real site uses and
    // that exist mostly to smuggle past naive checks. Uppercase is never passed in here.
    if !bytes
        .iter()
        .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(HostError::Character);
    }
    // Labels: none empty, except one final empty label (the trailing dot of an FQDN, which
    // browsers keep: `https://app.example.com.` is its own origin).
    let trimmed = bytes.strip_suffix(b".").unwrap_or(bytes);
    if trimmed.is_empty() || trimmed.split(|&b| b == b'.').any(<[u8]>::is_empty) {
        return Err(HostError::EmptyLabel);
    }
    if ends_in_a_number(trimmed) {
        return classify_ipv4(host);
    }
    // RFC 5890/5891 via UTS 46, exactly as `url` calls it (URL deny list, hyphens allowed, no
    // DNS length check). Pass-through means the input is already the ASCII serialization.
    match Uts46::new().to_ascii(bytes, AsciiDenyList::URL, Hyphens::Allow, DnsLength::Ignore) {
        Ok(ascii) if ascii.as_bytes() == bytes => Ok(HostKind::Domain),
        _ => Err(HostError::Idna),
    }
}

/// WHATWG URL "ends in a number checker", on a host without its trailing dot.
fn ends_in_a_number(host: &[u8]) -> bool {
    let last = match host.rsplit(|&b| b == b'.').next() {
        Some(last) => last,
        None => return false,
    };
    if !last.is_empty() && last.iter().all(u8::is_ascii_digit) {
        return true;
    }
    // `0x` followed by hex digits (or nothing) is an IPv4 number too.
    matches!(last, [b'0', b'x' | b'X', rest @ ..] if rest.iter().all(u8::is_ascii_hexdigit))
}

fn classify_ipv4(host: &str) -> Result<HostKind, HostError> {
    // `url::Host::parse` is the WHATWG IPv4 parser (it accepts `127.1`, `0x7f.0.0.1`, ...);
    // the serialization must then be what was sent.
    match url::Host::parse(host) {
        Ok(url::Host::Ipv4(addr)) => {
            let mut serialized = StackStr::<16>::new();
            write!(serialized, "{addr}").map_err(|_| HostError::Ipv4)?;
            if serialized.as_str() == host {
                Ok(HostKind::Ipv4)
            } else {
                Err(HostError::Ipv4)
            }
        }
        _ => Err(HostError::Ipv4),
    }
}

fn classify_ipv6(host: &str) -> Result<HostKind, HostError> {
    let inner = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .ok_or(HostError::Ipv6)?;
    if !inner
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'a'..=b'f' | b':' | b'.'))
    {
        return Err(HostError::Ipv6);
    }
    match url::Host::parse(host) {
        Ok(url::Host::Ipv6(addr)) => {
            // The longest serialization, `[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]`, is 41 bytes.
            let mut serialized = StackStr::<48>::new();
            write!(serialized, "{}", url::Host::<&str>::Ipv6(addr)).map_err(|_| HostError::Ipv6)?;
            if serialized.as_str() == host {
                Ok(HostKind::Ipv6)
            } else {
                Err(HostError::Ipv6)
            }
        }
        _ => Err(HostError::Ipv6),
    }
}

/// A fixed-capacity string on the stack, for serializing IP addresses without allocating.
struct StackStr<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> StackStr<N> {
    fn new() -> Self {
        StackStr {
            buf: [0; N],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so this cannot fail; an empty string is a safe
        // answer that matches no host if it somehow did.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }
}

impl<const N: usize> fmt::Write for StackStr<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        let dest = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dest.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_hosts() {
        let cases: &[(&str, HostKind)] = &[
            // Domains.
            ("app.example.com", HostKind::Domain),
            ("localhost", HostKind::Domain),
            ("app.example.com.", HostKind::Domain),
            ("xn--bcher-kva.example", HostKind::Domain),
            ("a_b.example.com", HostKind::Domain),
            ("-a-.example.com", HostKind::Domain),
            ("1.2.3.4.example.com", HostKind::Domain),
            ("123abc", HostKind::Domain),
            // IPv4.
            ("127.0.0.1", HostKind::Ipv4),
            ("0.0.0.0", HostKind::Ipv4),
            ("255.255.255.255", HostKind::Ipv4),
            // IPv6.
            ("[::1]", HostKind::Ipv6),
            ("[::]", HostKind::Ipv6),
            ("[::ffff:7f00:1]", HostKind::Ipv6),
            ("[2001:db8::1]", HostKind::Ipv6),
            ("[2001:db8:0:1:1:1:1:1]", HostKind::Ipv6),
        ];
        for &(host, kind) in cases {
            assert_eq!(classify(host), Ok(kind), "host {host:?}");
        }
    }

    #[test]
    fn not_canonical_hosts() {
        let cases: &[(&str, HostError)] = &[
            ("", HostError::Empty),
            // Characters.
            ("app.example.com/", HostError::Character),
            ("app%2eexample.com", HostError::Character),
            ("app`.example.com", HostError::Character),
            ("a{b}.example.com", HostError::Character),
            ("*.example.com", HostError::Character),
            ("bücher.example", HostError::Character),
            ("App.example.com", HostError::Character),
            ("app example.com", HostError::Character),
            // Labels.
            (".app.example.com", HostError::EmptyLabel),
            ("app..example.com", HostError::EmptyLabel),
            ("app.example.com..", HostError::EmptyLabel),
            (".", HostError::EmptyLabel),
            // IPv4 spellings the WHATWG parser repairs.
            ("127.1", HostError::Ipv4),
            ("2130706433", HostError::Ipv4),
            ("0x7f.0.0.1", HostError::Ipv4),
            ("127.0.0.01", HostError::Ipv4),
            ("127.0.0.1.", HostError::Ipv4),
            ("1.2.3.256", HostError::Ipv4),
            ("example.0x", HostError::Ipv4),
            ("example.123", HostError::Ipv4),
            // IPv6.
            ("[0:0:0:0:0:0:0:1]", HostError::Ipv6),
            ("[::0001]", HostError::Ipv6),
            ("[::ffff:127.0.0.1]", HostError::Ipv6),
            ("[::1%25eth0]", HostError::Ipv6),
            ("[2001:db8::0:1]", HostError::Ipv6),
            ("[::1", HostError::Ipv6),
            ("[]", HostError::Ipv6),
            ("[1::1::1]", HostError::Ipv6),
            // IDNA.
            ("xn--zz.example", HostError::Idna),
            ("xn--.example", HostError::Idna),
        ];
        for &(host, error) in cases {
            assert_eq!(classify(host), Err(error), "host {host:?}");
        }
    }

    #[test]
    fn stack_str_refuses_overflow() {
        let mut s = StackStr::<4>::new();
        assert!(s.write_str("abcd").is_ok());
        assert!(s.write_str("e").is_err());
        assert_eq!(s.as_str(), "abcd");
    }
}
