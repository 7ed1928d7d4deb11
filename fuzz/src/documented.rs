//! The documented matching rules, written again for the `differential` target from the crate
//! docs ("Matching rules" in `src/lib.rs`, the README's tables) and nothing else: no code, no
//! parser and no table of the crate is used. `url` is the reference for one thing only, as the
//! docs say: whether a punycode (`xn--`) domain is one `url` would serialize as it is.
//!
//! The rules, in the order they are applied to one `Origin` header value:
//! 1. optional whitespace (SP, HTAB) around the value is removed;
//! 2. `null` is the opaque origin (denied: `null`);
//! 3. a comma, space or tab inside: two or more items are several origins (`multiple`), one
//!    item is `malformed`;
//! 4. the value must be a serialized origin, `scheme "://" host [":" port]`, in printable
//!    ASCII: `scheme = ALPHA *(ALPHA / DIGIT / "+" / "-" / ".")`; the port is plain decimal
//!    (no leading zero, at most 65535); the host is a domain of letters, digits, `-`, `_` and
//!    `.` with no empty label (one final dot is kept: it is another origin), a dotted-quad
//!    IPv4 address when its last label is a number, or a bracketed IPv6 address in the WHATWG
//!    serialization (compressed, lowercase up to letter case). Letter case and an explicit
//!    default port are the only tolerated differences from the canonical form. Length limits
//!    (DNS cannot resolve longer names): a label over 63 bytes, a domain over 253 (one final dot
//!    not counted), a value over 300 bytes. Anything else is `malformed`, whatever the scheme;
//! 5. a scheme other than `http`/`https` is `not allowed` (no page has such an origin);
//! 6. the origin is allowed when a rule of the allowlist matches it: same scheme, the port
//!    accepted by the rule (its one port, one of its list, or any), and the host equal to the
//!    rule's, or, for a wildcard `*.base`, a domain of one or more whole labels, a dot, then
//!    `base`. Otherwise `not allowed`.
//!
//! A request (`check`) with no `Origin` line is `missing`, with two or more `multiple`, and
//! with one decides as its value.

use std::fmt::Write as _;
use std::net::Ipv6Addr;

/// What the rules decide: allowed, or the reason for a denial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    Missing,
    Null,
    Multiple,
    Malformed,
    NotAllowed,
}

/// The ports a rule accepts.
#[derive(Debug, Clone, Copy)]
pub enum Ports {
    /// The scheme's default port only (an entry written without a port).
    Default,
    /// This one port.
    Is(u16),
    /// Any of these.
    OneOf(&'static [u16]),
    /// Any port (`:*`).
    Any,
}

/// The host a rule accepts.
#[derive(Debug, Clone, Copy)]
pub enum Hosts {
    /// Exactly this canonical host (`app.example.com`, `127.0.0.1`, `[::1]`).
    Is(&'static str),
    /// A domain of one or more labels, a dot, then this base (`*.tenant.example.com`).
    Below(&'static str),
}

/// One allowlist entry, written as data (no parsing of the entry's text).
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub scheme: &'static str,
    pub hosts: Hosts,
    pub ports: Ports,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostKind {
    Domain,
    Ipv4,
    Ipv6,
}

/// A well-formed origin: lowercase scheme and host, the port with the default filled in.
#[derive(Debug)]
struct Tuple {
    scheme: String,
    host: String,
    kind: HostKind,
    port: Option<u16>,
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn is_separator(b: u8) -> bool {
    b == b',' || is_ows(b)
}

/// Rule 1: the value without the SP and HTAB around it.
pub fn trim(value: &[u8]) -> &[u8] {
    let mut value = value;
    while let [first, rest @ ..] = value {
        if !is_ows(*first) {
            break;
        }
        value = rest;
    }
    while let [rest @ .., last] = value {
        if !is_ows(*last) {
            break;
        }
        value = rest;
    }
    value
}

/// The decision for one `Origin` header value.
pub fn decide(rules: &[Rule], value: &[u8]) -> Verdict {
    let value = trim(value);
    if value == b"null" {
        return Verdict::Null;
    }
    if value.iter().any(|&b| is_separator(b)) {
        let items = value
            .split(|&b| is_separator(b))
            .filter(|item| !item.is_empty())
            .count();
        return if items >= 2 {
            Verdict::Multiple
        } else {
            Verdict::Malformed
        };
    }
    let Some(origin) = parse(value) else {
        return Verdict::Malformed;
    };
    let Some(default) = default_port(&origin.scheme) else {
        return Verdict::NotAllowed;
    };
    let port = origin.port.unwrap_or(default);
    let allowed = rules.iter().any(|rule| {
        let port_ok = match rule.ports {
            Ports::Default => port == default,
            Ports::Is(p) => port == p,
            Ports::OneOf(list) => list.contains(&port),
            Ports::Any => true,
        };
        let host_ok = match rule.hosts {
            Hosts::Is(host) => origin.host == host,
            Hosts::Below(base) => {
                origin.kind == HostKind::Domain
                    && origin.host.len() > base.len() + 1
                    && origin.host.ends_with(base)
                    && origin.host.as_bytes()[origin.host.len() - base.len() - 1] == b'.'
            }
        };
        rule.scheme == origin.scheme && port_ok && host_ok
    });
    if allowed {
        Verdict::Allow
    } else {
        Verdict::NotAllowed
    }
}

/// The decision for a request whose `Origin` lines hold these values.
pub fn decide_lines(rules: &[Rule], values: &[&[u8]]) -> Verdict {
    match values {
        [] => Verdict::Missing,
        [value] => decide(rules, value),
        _ => Verdict::Multiple,
    }
}

/// The longest value that can be a serialized origin.
const MAX_VALUE: usize = 300;
/// DNS limits on a label and on a domain (its text, one final dot not counted).
const MAX_LABEL: usize = 63;
const MAX_DOMAIN: usize = 253;

/// Whether the (trimmed) value breaks a length limit of rule 4: over 300 bytes, or a host (the
/// run of domain characters after the first `://`) with a label over 63 bytes or over 253
/// bytes in all. Such a value is malformed whatever else it holds (unless it is a list).
pub fn over_length_limits(value: &[u8]) -> bool {
    let value = trim(value);
    if value.len() > MAX_VALUE {
        return true;
    }
    let Some(start) = value.windows(3).position(|w| w == b"://") else {
        return false;
    };
    let host: &[u8] = value[start + 3..]
        .split(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
        .next()
        .unwrap_or_default();
    let host = host.strip_suffix(b".").unwrap_or(host);
    host.len() > MAX_DOMAIN
        || host
            .split(|&b| b == b'.')
            .any(|label| label.len() > MAX_LABEL)
}

/// Rule 4: the serialized-origin grammar and the host rules.
fn parse(value: &[u8]) -> Option<Tuple> {
    if !value.iter().all(|&b| (0x21..=0x7e).contains(&b)) {
        return None;
    }
    if value.len() > MAX_VALUE {
        return None;
    }
    let text = std::str::from_utf8(value).ok()?;
    let (scheme, authority) = text.split_once("://")?;
    let mut chars = scheme.chars();
    if !chars.next()?.is_ascii_alphabetic()
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return None;
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(inside) => {
            let (address, after) = inside.split_once(']')?;
            let port = match after {
                "" => None,
                _ => Some(after.strip_prefix(':')?),
            };
            (ipv6(address)?, port)
        }
        None => {
            let (host, port) = match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            };
            (domain_or_ipv4(host)?, port)
        }
    };
    let port = match port {
        None => None,
        Some(digits) => Some(port_number(digits)?),
    };
    let scheme = scheme.to_ascii_lowercase();
    // An explicit default port is no port.
    let port = match port == default_port(&scheme) {
        true => None,
        false => port,
    };
    Some(Tuple {
        scheme,
        host: host.0,
        kind: host.1,
        port,
    })
}

/// `1*5DIGIT`, its value's own decimal serialization, at most 65535.
fn port_number(digits: &str) -> Option<u16> {
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return None;
    }
    digits.parse::<u32>().ok()?.try_into().ok()
}

/// A domain (letters, digits, `-`, `_`, `.`, no empty label but one final dot allowed), or an
/// IPv4 address in dotted-quad form when the last label is a number, lowercased.
fn domain_or_ipv4(host: &str) -> Option<(String, HostKind)> {
    if host.is_empty()
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return None;
    }
    let host = host.to_ascii_lowercase();
    let without_final_dot = host.strip_suffix('.').unwrap_or(&host);
    let labels: Vec<&str> = without_final_dot.split('.').collect();
    if labels
        .iter()
        .any(|label| label.is_empty() || label.len() > MAX_LABEL)
        || without_final_dot.len() > MAX_DOMAIN
    {
        return None;
    }
    // WHATWG URL "ends in a number": all digits, or `0x` and hex digits.
    let last = labels[labels.len() - 1];
    let number = last.bytes().all(|b| b.is_ascii_digit())
        || last
            .strip_prefix("0x")
            .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()));
    if number {
        // Only the canonical dotted quad (no final dot) is what the URL serializer writes.
        let parts: Vec<&str> = host.split('.').collect();
        let quad = parts.len() == 4
            && parts.iter().all(|part| {
                !part.is_empty()
                    && part.len() <= 3
                    && part.bytes().all(|b| b.is_ascii_digit())
                    && (part.len() == 1 || !part.starts_with('0'))
                    && part.parse::<u16>().is_ok_and(|n| n <= 255)
            });
        return quad.then_some((host, HostKind::Ipv4));
    }
    // Punycode labels: `url` (WHATWG) must serialize the domain as it is.
    if labels.iter().any(|label| label.starts_with("xn--")) {
        match url::Host::parse(&host) {
            Ok(url::Host::Domain(serialized)) if serialized == host => {}
            _ => return None,
        }
    }
    Some((host, HostKind::Domain))
}

/// A bracketed IPv6 address whose text is the WHATWG serialization, up to letter case.
fn ipv6(address: &str) -> Option<(String, HostKind)> {
    let address = address.to_ascii_lowercase();
    let parsed: Ipv6Addr = address.parse().ok()?;
    (serialize_ipv6(parsed) == address).then(|| (format!("[{address}]"), HostKind::Ipv6))
}

/// WHATWG URL "IPv6 serializer": hex pieces without leading zeros, the first longest run of two
/// or more zero pieces written `::`.
fn serialize_ipv6(address: Ipv6Addr) -> String {
    let pieces = address.segments();
    let (mut best_start, mut best_len) = (None, 1);
    let mut i = 0;
    while i < 8 {
        if pieces[i] == 0 {
            let start = i;
            while i < 8 && pieces[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                (best_start, best_len) = (Some(start), i - start);
            }
        } else {
            i += 1;
        }
    }
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if Some(i) == best_start {
            out.push_str(if i == 0 { "::" } else { ":" });
            i += best_len;
            continue;
        }
        write!(out, "{:x}", pieces[i]).expect("writing to a String");
        if i != 7 {
            out.push(':');
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_serializer() {
        for text in [
            "::",
            "::1",
            "1::",
            "1:0:2::",
            "2001:db8::1",
            "1:2:3:4:5:6:7:8",
            "0:1::",
        ] {
            let parsed: Ipv6Addr = text.parse().unwrap();
            assert_eq!(serialize_ipv6(parsed), text, "{text}");
        }
        let parsed: Ipv6Addr = "1:0:0:2:0:0:0:3".parse().unwrap();
        assert_eq!(serialize_ipv6(parsed), "1:0:0:2::3");
        let parsed: Ipv6Addr = "1:0:0:2:0:0:3:4".parse().unwrap();
        assert_eq!(serialize_ipv6(parsed), "1::2:0:0:3:4");
    }
}
