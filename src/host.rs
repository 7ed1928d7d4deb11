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
    /// A label longer than [`MAX_LABEL_LEN`] bytes.
    LabelTooLong,
    /// A domain longer than [`MAX_DOMAIN_LEN`] bytes (one trailing dot not counted).
    TooLong,
}

/// The longest DNS label, in bytes (RFC 1035 section 2.3.4). No page can be served from a
/// host with a longer label, so no browser sends one in `Origin`.
pub(crate) const MAX_LABEL_LEN: usize = 63;

/// The longest domain name in text form, in bytes, one trailing dot not counted (RFC 1035's
/// 255 octets on the wire are at most 253 characters of text).
pub(crate) const MAX_DOMAIN_LEN: usize = 253;

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
            HostError::LabelTooLong => "the host has a label longer than 63 bytes (DNS cannot resolve it)",
            HostError::TooLong => "the host is longer than 253 bytes (DNS cannot resolve it)",
        }
    }
}

/// What one pass over a host found: where it ends and which checks it still needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HostScan {
    /// Index of the first byte after the host (a `:`, the end, or a byte no host holds).
    pub(crate) end: usize,
    /// Whether an ASCII uppercase letter was seen (the canonical form is lowercase).
    pub(crate) uppercase: bool,
    needs: Needs,
}

/// The validation a scanned host still needs beyond its characters and labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// Plain ASCII labels: nothing (see `validate`).
    Nothing,
    /// A label starts with the ACE prefix `xn--`: UTS 46 via `idna`.
    Idna,
    /// The last label is a number: the IPv4 parser.
    Ipv4,
    /// Bracketed: the IPv6 parser.
    Ipv6,
}

/// Scans the host at the start of `bytes` in one pass: a domain of letters, digits, `-`, `_`
/// and non-empty dot-separated labels (one trailing dot allowed), or `[` IPv6 characters `]`.
/// Stops at the first byte that cannot be part of such a host; the caller decides what that
/// byte means (a port, a path, a stray character).
///
/// Labels over [`MAX_LABEL_LEN`] bytes and domains over [`MAX_DOMAIN_LEN`] bytes are refused
/// here, before any IDNA work: punycode decoding is quadratic in the label, and `idna` (with
/// `DnsLength::Ignore`, as `url` calls it) decodes labels of any length, so without this bound
/// a long header of long `xn--` labels costs milliseconds of CPU.
pub(crate) fn scan(bytes: &[u8]) -> Result<HostScan, HostError> {
    if bytes.first() == Some(&b'[') {
        let close = bytes
            .iter()
            .position(|&b| b == b']')
            .ok_or(HostError::Ipv6)?;
        let inner = &bytes[1..close];
        if !inner
            .iter()
            .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'))
        {
            return Err(HostError::Ipv6);
        }
        return Ok(HostScan {
            end: close + 1,
            uppercase: inner.iter().any(u8::is_ascii_uppercase),
            needs: Needs::Ipv6,
        });
    }
    let mut uppercase = false;
    let mut ace = false;
    let mut label_start = 0;
    // The last non-empty label, for the "ends in a number" check.
    let mut last_label = 0..0;
    let mut end = bytes.len();
    let mut i = 0;
    while i < bytes.len() {
        // The common bytes (lowercase letters, digits, `-`, `_`) in a tight loop.
        if CLASS[usize::from(bytes[i])] == LABEL {
            i += 1;
            continue;
        }
        match CLASS[usize::from(bytes[i])] {
            UPPER => uppercase = true,
            DOT => {
                if i == label_start {
                    return Err(HostError::EmptyLabel);
                }
                if i - label_start > MAX_LABEL_LEN {
                    return Err(HostError::LabelTooLong);
                }
                // Only labels starting with `x` can carry the ACE prefix.
                if bytes[label_start] | 0x20 == b'x' {
                    ace |= is_ace(&bytes[label_start..i]);
                }
                last_label = label_start..i;
                label_start = i + 1;
            }
            _ => {
                end = i;
                break;
            }
        }
        i += 1;
    }
    if end == 0 {
        return Err(HostError::Empty);
    }
    if label_start < end {
        // The host does not end with a dot: its last label is the one being scanned.
        if end - label_start > MAX_LABEL_LEN {
            return Err(HostError::LabelTooLong);
        }
        ace |= is_ace(&bytes[label_start..end]);
        last_label = label_start..end;
    }
    // One trailing dot (the fully qualified spelling) does not count towards the length.
    if end - usize::from(label_start == end) > MAX_DOMAIN_LEN {
        return Err(HostError::TooLong);
    }
    let needs = if ends_in_a_number(&bytes[last_label]) {
        Needs::Ipv4
    } else if ace {
        Needs::Idna
    } else {
        Needs::Nothing
    };
    Ok(HostScan {
        end,
        uppercase,
        needs,
    })
}

/// Byte classes for [`scan`]: what a serialized host may hold.
const OTHER: u8 = 0;
const LABEL: u8 = 1;
const UPPER: u8 = 2;
const DOT: u8 = 3;
static CLASS: [u8; 256] = {
    let mut class = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        class[b] = match b as u8 {
            b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => LABEL,
            b'A'..=b'Z' => UPPER,
            b'.' => DOT,
            _ => OTHER,
        };
        b += 1;
    }
    class
};

/// Whether a label starts with the ACE prefix `xn--`, in any letter case.
fn is_ace(label: &[u8]) -> bool {
    label.len() >= 4 && label[..4].eq_ignore_ascii_case(b"xn--")
}

/// Finishes the checks [`scan`] left for `host`, which must be the scanned host lowercased.
///
/// Allocates nothing for the hosts browsers send: plain labels need no further work, and the
/// IDNA pass-through path and the IP parsers work on the borrowed bytes, with IP
/// serializations written to the stack.
pub(crate) fn validate(host: &[u8], scan: HostScan) -> Result<HostKind, HostError> {
    match scan.needs {
        // Labels of lowercase letters, digits, `-` and `_` that do not start with the ACE
        // prefix `xn--` pass through UTS 46 unchanged and valid (no mapping applies to them,
        // hyphen checks are off as in `url`, and the bidi rule only concerns labels that
        // decode to right-to-left text); `ascii_fast_path_agrees_with_idna` checks this
        // exhaustively on short hosts.
        Needs::Nothing => Ok(HostKind::Domain),
        Needs::Ipv4 => classify_ipv4(host),
        Needs::Ipv6 => classify_ipv6(host),
        // RFC 5890/5891 via UTS 46, exactly as `url` calls it (URL deny list, hyphens allowed,
        // no DNS length check). Pass-through means the input is already the ASCII form.
        Needs::Idna => {
            let bytes = host;
            match Uts46::new().to_ascii(
                bytes,
                AsciiDenyList::URL,
                Hyphens::Allow,
                DnsLength::Ignore,
            ) {
                Ok(ascii) if ascii.as_bytes() == bytes => Ok(HostKind::Domain),
                _ => Err(HostError::Idna),
            }
        }
    }
}

/// Checks that `host` is exactly the WHATWG serialization of a host (lowercase included).
/// Whether `host` is an IPv4 address in any spelling the URL parser takes (the reference
/// [`is_serialized_ipv4`] is tested against).
#[cfg(test)]
pub(crate) fn is_ipv4(host: &str) -> bool {
    matches!(url::Host::parse(host), Ok(url::Host::Ipv4(_)))
}

/// [`is_ipv4`] for a host already in its WHATWG serialization (an [`Origin`]'s host): an
/// IPv4 address serializes as dotted decimal, and a domain never ends in a numeric label
/// (the URL parser reads any such host as IPv4 or refuses it), so the last label decides
/// without a second parse.
///
/// [`Origin`]: crate::Origin
pub(crate) fn is_serialized_ipv4(host: &str) -> bool {
    let last = host.rsplit('.').next().unwrap_or(host);
    !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit())
}

/// Loopback hosts: `localhost` and its subdomains (browsers resolve `*.localhost` to loopback
/// without asking DNS), `127.0.0.0/8`, `[::1]`, and `127.0.0.0/8` written as an IPv4-mapped
/// IPv6 address (`[::ffff:7f00:1]`, which the URL parser makes of `[::ffff:127.0.0.1]`).
pub(crate) fn is_loopback(host: &str) -> bool {
    let name = host.strip_suffix('.').unwrap_or(host);
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    match url::Host::parse(host) {
        Ok(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Ok(url::Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|ip| ip.is_loopback())
        }
        _ => false,
    }
}

#[cfg(test)]
fn classify(host: &str) -> Result<HostKind, HostError> {
    let scan = match scan(host.as_bytes()) {
        Err(HostError::Empty) if !host.is_empty() => return Err(HostError::Character),
        scan => scan?,
    };
    if scan.end != host.len() || scan.uppercase {
        return Err(match scan.needs {
            Needs::Ipv6 => HostError::Ipv6,
            _ => HostError::Character,
        });
    }
    validate(host.as_bytes(), scan)
}

/// WHATWG URL "ends in a number checker", applied to the last non-empty label: all decimal
/// digits, or `0x`/`0X` followed by hex digits (or nothing).
fn ends_in_a_number(last_label: &[u8]) -> bool {
    if !last_label.is_empty() && last_label.iter().all(u8::is_ascii_digit) {
        return true;
    }
    matches!(last_label, [b'0', b'x' | b'X', rest @ ..] if rest.iter().all(u8::is_ascii_hexdigit))
}

fn classify_ipv4(host: &[u8]) -> Result<HostKind, HostError> {
    let host = std::str::from_utf8(host).map_err(|_| HostError::Ipv4)?;
    // The canonical serialization is the dotted quad, which std's strict parser reads without
    // allocating (the WHATWG parser in `url` also takes `127.1`, `0x7f.0.0.1`, ... and
    // allocates); whatever it reads must then serialize back to exactly what was sent.
    // `ascii_fast_path_agrees_with_idna` compares the outcome with `url` exhaustively.
    match host.parse::<std::net::Ipv4Addr>() {
        Ok(addr) => {
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

fn classify_ipv6(host: &[u8]) -> Result<HostKind, HostError> {
    let host = std::str::from_utf8(host).map_err(|_| HostError::Ipv6)?;
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
    #[test]
    fn a_serialized_host_is_ipv4_exactly_when_the_parser_says_so() {
        for written in [
            "app.example.com",
            "app.example.com.",
            "localhost",
            "1.2.3.4.example.com",
            "123abc",
            "xn--bcher-kva.example",
            "127.0.0.1",
            "0x7f.1",
            "2130706433",
            "10.0.0.1.",
            "[::1]",
            "[::ffff:127.0.0.1]",
            "a.b.c.0",
            "a.0x10",
            "1.2.3.09",
        ] {
            let Ok(parsed) = url::Host::parse(written) else {
                continue;
            };
            let serialized = parsed.to_string();
            assert_eq!(
                is_serialized_ipv4(&serialized),
                is_ipv4(&serialized),
                "{written} -> {serialized}"
            );
        }
    }

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

    /// Every host of up to six characters over an alphabet of the interesting classes gets
    /// the same answer from `classify` as from `idna` + the WHATWG IPv4 rules.
    #[test]
    fn ascii_fast_path_agrees_with_idna() {
        const ALPHABET: &[u8] = b"ax0-_.n";
        let mut host = Vec::new();
        let mut checked = 0;
        for len in 1..=6u32 {
            for mut index in 0..ALPHABET.len().pow(len) {
                host.clear();
                for _ in 0..len {
                    host.push(ALPHABET[index % ALPHABET.len()]);
                    index /= ALPHABET.len();
                }
                let text = std::str::from_utf8(&host).unwrap();
                let fast = classify(text);
                let reference = url::Host::parse(text);
                match (fast, reference) {
                    (Ok(HostKind::Domain), Ok(url::Host::Domain(d))) => assert_eq!(d, text),
                    (Ok(HostKind::Ipv4), Ok(url::Host::Ipv4(_))) => {}
                    // Refused by both.
                    (Err(_), Err(_)) => {}
                    // Refused here, accepted by `url`: only empty labels or non-canonical IPv4.
                    (Err(HostError::EmptyLabel), _) | (Err(HostError::Ipv4), _) => {}
                    (fast, reference) => {
                        panic!("host {text:?}: classify {fast:?}, url {reference:?}")
                    }
                }
                checked += 1;
            }
        }
        assert!(checked > 100_000);
        // And the prefix that does need `idna`, both ways.
        assert_eq!(classify("xn--bcher-kva.example"), Ok(HostKind::Domain));
        assert_eq!(classify("xn--a.example"), Err(HostError::Idna));
    }

    /// Dotted quads: `classify` says IPv4 exactly when `url` parses an IPv4 address whose
    /// serialization is the input.
    #[test]
    fn ipv4_agrees_with_url() {
        const PARTS: &[&str] = &["0", "1", "01", "00", "255", "256", "0x1", "1a", ""];
        let mut inputs = Vec::new();
        for a in PARTS {
            for b in PARTS {
                for c in PARTS {
                    inputs.push(format!("{a}.{b}.{c}"));
                    for d in PARTS {
                        inputs.push(format!("{a}.{b}.{c}.{d}"));
                        inputs.push(format!("{a}.{b}.{c}.{d}."));
                        inputs.push(format!("1.{a}.{b}.{c}.{d}"));
                    }
                }
            }
        }
        inputs.extend(["4294967295", "127.1", "0x7f000001", "1.2.3.4 "].map(String::from));
        for input in &inputs {
            let ours = classify(input) == Ok(HostKind::Ipv4);
            let reference = matches!(url::Host::parse(input), Ok(url::Host::Ipv4(ip)) if ip.to_string() == *input);
            assert_eq!(ours, reference, "host {input:?}");
        }
    }

    /// DNS limits (issue 15, item 1): a label of 63 bytes and a domain of 253 bytes (plus one
    /// trailing dot) pass, one byte more is refused, and an over-long `xn--` label is refused
    /// before it reaches `idna`.
    #[test]
    fn length_limits() {
        let a = |n: usize| "a".repeat(n);
        let host_of = |last: usize| format!("{0}.{0}.{0}.{1}", a(63), a(last));
        assert_eq!(host_of(61).len(), 253);
        let cases: &[(String, Result<HostKind, HostError>)] = &[
            (a(63), Ok(HostKind::Domain)),
            (format!("{}.example", a(63)), Ok(HostKind::Domain)),
            (format!("{}.", a(63)), Ok(HostKind::Domain)),
            (a(64), Err(HostError::LabelTooLong)),
            (format!("{}.example", a(64)), Err(HostError::LabelTooLong)),
            (format!("x.{}", a(64)), Err(HostError::LabelTooLong)),
            (format!("x.{}.", a(64)), Err(HostError::LabelTooLong)),
            (host_of(61), Ok(HostKind::Domain)),
            (format!("{}.", host_of(61)), Ok(HostKind::Domain)),
            (host_of(62), Err(HostError::TooLong)),
            (format!("{}.", host_of(62)), Err(HostError::TooLong)),
            // A 64-byte A-label: refused for its length, not by `idna`.
            (
                format!("xn--{}.example", a(60)),
                Err(HostError::LabelTooLong),
            ),
            // Thousands of bytes in one label: the length, not the characters.
            (
                format!("xn--{}", "a-".repeat(1000)),
                Err(HostError::LabelTooLong),
            ),
        ];
        for (host, expected) in cases {
            assert_eq!(classify(host), *expected, "host of {} bytes", host.len());
        }
        // The limits hold whatever follows the host (a port, a stray byte).
        let scanned = scan(format!("{}:443", a(64)).as_bytes());
        assert_eq!(scanned, Err(HostError::LabelTooLong));
        let scanned = scan(format!("{}:443", host_of(62)).as_bytes());
        assert_eq!(scanned, Err(HostError::TooLong));
        assert_eq!(
            scan(format!("{}:443", host_of(61)).as_bytes()).map(|s| s.end),
            Ok(253)
        );
    }

    #[test]
    fn stack_str_refuses_overflow() {
        let mut s = StackStr::<4>::new();
        assert!(s.write_str("abcd").is_ok());
        assert!(s.write_str("e").is_err());
        assert_eq!(s.as_str(), "abcd");
    }

    /// Kills the mutants of `HostError::message` (replaced with `""` and `"xyzzy"`): every
    /// message is pinned, and they are distinct.
    #[test]
    fn error_messages_are_pinned() {
        let cases: &[(HostError, &str)] = &[
            (HostError::Empty, "the host is empty"),
            (
                HostError::Character,
                "the host holds a character browsers never send in an origin (only letters, digits, `-`, `_` and `.`)",
            ),
            (
                HostError::EmptyLabel,
                "the host has an empty label (a leading dot, `..`, or several trailing dots)",
            ),
            (
                HostError::Ipv4,
                "the host ends in a number but is not an IPv4 address",
            ),
            (HostError::Ipv6, "the host is not a valid IPv6 address"),
            (
                HostError::Idna,
                "the host is not a valid internationalized domain name",
            ),
            (
                HostError::LabelTooLong,
                "the host has a label longer than 63 bytes (DNS cannot resolve it)",
            ),
            (
                HostError::TooLong,
                "the host is longer than 253 bytes (DNS cannot resolve it)",
            ),
        ];
        for &(error, message) in cases {
            assert_eq!(error.message(), message, "{error:?}");
        }
    }
}
