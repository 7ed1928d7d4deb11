//! The configuration grammar: what an allowlist entry can be,
//! `scheme "://" ["*."] host [":" port-rule] ["/"]`, normalised to what browsers send (an
//! exact [`Origin`] or an [`OriginPattern`]) or refused with a [`ConfigError`] that says how
//! to fix it.
//!
//! `Origin`'s `FromStr` is here too: an origin written in configuration is an entry of the
//! exact kind, and keeping it with the grammar keeps `origin.rs` (the header parser) free of
//! the configuration code, so no two modules depend on each other.

use std::str::FromStr;

use crate::error::{ConfigError, ConfigErrorKind};
use crate::host;
use crate::origin::{Origin, Scheme, SerializedOrigin};
use crate::pattern::OriginPattern;
use crate::port::{self, PortRule};
use crate::suffix;

/// One allowlist entry, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entry {
    Exact(Origin),
    Pattern(OriginPattern),
}

/// What an entry may do beyond the defaults (set through the builder's named methods).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct EntryOptions {
    /// `:*` on a host that is not loopback.
    pub(crate) any_port_off_loopback: bool,
    /// A wildcard whose base is a public suffix (`https://*.github.io`).
    pub(crate) public_suffix_wildcard: bool,
    /// One of the server's own public origins (the same-origin rule).
    pub(crate) same_origin: bool,
}

/// Parses an exact origin as written in configuration.
pub(crate) fn parse_exact(entry: &str) -> Result<Origin, ConfigError> {
    match parse_entry(entry, EntryOptions::default())? {
        Entry::Exact(origin) => Ok(origin),
        Entry::Pattern(pattern) if pattern.is_wildcard() => {
            Err(ConfigError::new(entry, ConfigErrorKind::MisplacedWildcard))
        }
        Entry::Pattern(_) => Err(ConfigError::new(entry, ConfigErrorKind::InvalidPort)),
    }
}

/// Parses one allowlist entry: `scheme "://" ["*."] host [":" port-rule] ["/"]`, the host and
/// scheme in any equivalent spelling, the port rule one of `port`, `[port,port,...]` or `*`.
pub(crate) fn parse_entry(entry: &str, options: EntryOptions) -> Result<Entry, ConfigError> {
    parse_entry_kind(entry, options).map_err(|kind| ConfigError::new(entry, kind))
}

fn parse_entry_kind(entry: &str, options: EntryOptions) -> Result<Entry, ConfigErrorKind> {
    use ConfigErrorKind as K;
    // Fast path for large lists: an entry already in canonical form (what `Display` writes)
    // is an origin exactly when the strict header parser borrows it unchanged.
    let text = entry.strip_suffix('/').unwrap_or(entry);
    if let Ok(SerializedOrigin::Tuple(origin)) = SerializedOrigin::parse(text.as_bytes()) {
        if matches!(origin.serialized, std::borrow::Cow::Borrowed(_)) && origin.port != Some(0) {
            return Ok(Entry::Exact(Origin::from_canonical(&origin)));
        }
    }
    if entry.is_empty() {
        return Err(K::EmptyList);
    }
    if entry.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(K::Whitespace);
    }
    if entry == "*" {
        return Err(K::AnyOrigin);
    }
    if entry.eq_ignore_ascii_case("null") {
        return Err(K::Null);
    }
    let (scheme_name, rest) = entry.split_once("://").ok_or(K::MissingScheme)?;
    let scheme = match Scheme::from_ascii(scheme_name.as_bytes()) {
        Some(scheme) => scheme,
        None if scheme_name.is_empty() => return Err(K::MissingScheme),
        None => {
            let name = scheme_name.to_ascii_lowercase();
            return Err(if name == "ws" || name == "wss" {
                K::WebSocketScheme(name)
            } else if let Some(kind) = crate::app_origin::AppOriginKind::from_scheme(&name) {
                // Only the builder's named opt-in takes these.
                K::AppOriginWithoutOptIn(kind.scheme().to_owned())
            } else {
                // Shown in messages that may reach logs: escape anything but printable ASCII
                // (bidi controls, zero-width characters).
                K::UnsupportedScheme(name.escape_default().to_string())
            });
        }
    };

    // The authority ends at the first delimiter; after it only one `/` is tolerated.
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match tail.strip_prefix('/').unwrap_or(tail).chars().next() {
        None => {}
        Some('?') => return Err(K::Query),
        Some('#') => return Err(K::Fragment),
        _ => return Err(K::Path),
    }
    if authority.contains('@') {
        return Err(K::Userinfo);
    }

    let (host, port_text) = split_port(authority)?;
    let (subdomains, host) = if host.contains('*') {
        match host.strip_prefix("*.") {
            Some(base) if !base.contains('*') => (true, base),
            _ if host == "*" => return Err(K::AnyOrigin),
            _ => return Err(K::MisplacedWildcard),
        }
    } else {
        (false, host)
    };

    refuse_overlong(host)?;

    // The port rule. A single port goes through the URL parser with the host, which accepts
    // every spelling a URL may have (`:0443`); lists and `*` are this crate's syntax.
    let (origin, ports) = match port_text {
        None => {
            let origin = normalise(scheme, host)?;
            (origin, None)
        }
        Some("") => return Err(K::InvalidPort),
        Some("*") => (normalise(scheme, host)?, Some(PortRule::Any)),
        Some(list) if list.starts_with('[') => {
            let inner = list
                .strip_prefix('[')
                .and_then(|l| l.strip_suffix(']'))
                .ok_or(K::InvalidPortList)?;
            let ports = port::parse_list(inner).ok_or(K::InvalidPortList)?;
            let rule = PortRule::from_list(ports).ok_or(K::InvalidPortList)?;
            (normalise(scheme, host)?, Some(rule))
        }
        Some(port) => (normalise(scheme, &format!("{host}:{port}"))?, None),
    };
    if origin.port() == Some(0) {
        return Err(K::InvalidPort);
    }
    let ports = ports.unwrap_or(PortRule::Is(origin.port_or_default()));

    let host = origin.host();
    if subdomains {
        if host.starts_with('[') || host::is_serialized_ipv4(host) {
            return Err(K::WildcardOnIp);
        }
        if host.trim_end_matches('.').split('.').count() < 2 {
            return Err(K::WildcardTooBroad);
        }
        // A subdomain adds at least two bytes (`x.`) to the base.
        if host.strip_suffix('.').unwrap_or(host).len() + 2 > host::MAX_DOMAIN_LEN {
            return Err(K::NeverMatches(host::HostError::TooLong.message()));
        }
        if !options.public_suffix_wildcard && suffix::is_public_suffix(host) {
            return Err(K::PublicSuffixWildcard(host.to_owned()));
        }
        // Under a wildcard rule every host the pattern could match has a public suffix
        // below the base, which `matches_parts` refuses: the entry would silently never match.
        if !options.public_suffix_wildcard && suffix::has_wildcard_rule(host) {
            return Err(K::WildcardOverSuffixRule(host.to_owned()));
        }
    }
    if ports == PortRule::Any && !options.any_port_off_loopback && !host::is_loopback(host) {
        return Err(K::AnyPortOffLoopback);
    }
    if let (false, PortRule::Is(port)) = (subdomains, &ports) {
        // A one-port list (`:[8443]`) is an exact origin with that port.
        return match origin.port_or_default() == *port {
            true => Ok(Entry::Exact(origin)),
            false => normalise(scheme, &format!("{host}:{port}")).map(Entry::Exact),
        };
    }

    let mut serialized = format!("{scheme}://{}{host}", if subdomains { "*." } else { "" });
    let host_end = serialized.len();
    ports.write_suffix(scheme, &mut serialized);
    Ok(Entry::Pattern(OriginPattern::new(
        serialized.into_boxed_str(),
        scheme,
        subdomains,
        host_end,
        ports,
        options.public_suffix_wildcard,
    )))
}

/// Refuses a host as written in configuration that cannot be shorter than the DNS limits once
/// normalised, before it reaches IDNA (whose punycode work is quadratic in a label's length).
///
/// Normalisation never shortens a label below a quarter of its UTF-8 bytes (each code point
/// is at most 4 bytes and becomes at least one byte), so a label over 4 x 63 bytes or a host
/// over 4 x 253 bytes is refused here; the exact limits (63 and 253 bytes) are applied to the
/// normalised form by the strict parser, which `normalise` runs last.
fn refuse_overlong(host: &str) -> Result<(), ConfigErrorKind> {
    // The dots UTS 46 maps to `.`, so that no label is counted longer than it is.
    let labels = host.split(['.', '\u{3002}', '\u{ff0e}', '\u{ff61}']);
    if host.len() > 4 * host::MAX_DOMAIN_LEN + 1 {
        Err(ConfigErrorKind::NeverMatches(
            host::HostError::TooLong.message(),
        ))
    } else if labels
        .into_iter()
        .any(|label| label.len() > 4 * host::MAX_LABEL_LEN)
    {
        Err(ConfigErrorKind::NeverMatches(
            host::HostError::LabelTooLong.message(),
        ))
    } else {
        Ok(())
    }
}

/// Splits `host[:port-rule]`, keeping IPv6 brackets and port lists whole.
fn split_port(authority: &str) -> Result<(&str, Option<&str>), ConfigErrorKind> {
    if authority.starts_with('[') {
        let close = authority.find(']').ok_or_else(|| {
            ConfigErrorKind::InvalidHost(url::ParseError::InvalidIpv6Address.to_string())
        })?;
        let (host, after) = authority.split_at(close + 1);
        return match after {
            "" => Ok((host, None)),
            _ => match after.strip_prefix(':') {
                Some(port) => Ok((host, Some(port))),
                None => Err(ConfigErrorKind::InvalidHost(
                    url::ParseError::InvalidIpv6Address.to_string(),
                )),
            },
        };
    }
    Ok(match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

/// Normalises `scheme://authority` to the canonical origin, or says why it cannot be one.
///
/// An authority that is already canonical is checked by the strict header parser alone (it
/// validates hosts with `idna` and `url` exactly as below); anything else goes through the
/// WHATWG URL parser (the `url` crate) and the result must then pass the strict parser, so
/// that no accepted entry can silently never match.
fn normalise(scheme: Scheme, authority: &str) -> Result<Origin, ConfigErrorKind> {
    let mut text = String::with_capacity(scheme.as_str().len() + 3 + authority.len());
    text.push_str(scheme.as_str());
    text.push_str("://");
    text.push_str(authority);
    if let Ok(SerializedOrigin::Tuple(origin)) = SerializedOrigin::parse(text.as_bytes()) {
        if *origin.serialized == *text.as_bytes() {
            return Ok(Origin::from_canonical(&origin));
        }
    }
    let url = url::Url::parse(&text).map_err(|e| match e {
        url::ParseError::EmptyHost => ConfigErrorKind::EmptyHost,
        url::ParseError::InvalidPort => ConfigErrorKind::InvalidPort,
        other => ConfigErrorKind::InvalidHost(other.to_string()),
    })?;
    if url.host_str().is_none_or(str::is_empty) {
        return Err(ConfigErrorKind::EmptyHost);
    }
    let canonical = url.origin().ascii_serialization();
    match SerializedOrigin::parse(canonical.as_bytes()) {
        Ok(SerializedOrigin::Tuple(origin)) if *origin.serialized == *canonical.as_bytes() => {
            Ok(Origin::from_canonical(&origin))
        }
        Ok(_) => Err(ConfigErrorKind::NeverMatches(
            "its normalised form is not a serialized origin",
        )),
        Err(malformed) => Err(ConfigErrorKind::NeverMatches(malformed.0.message())),
    }
}

impl FromStr for Origin {
    type Err = ConfigError;

    /// Parses an origin as written in configuration: any equivalent spelling (letter case,
    /// Unicode host, explicit default port, one trailing `/`), normalised to the canonical form.
    fn from_str(entry: &str) -> Result<Origin, ConfigError> {
        parse_exact(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(entry: &str) -> Result<Entry, ConfigError> {
        parse_entry(entry, EntryOptions::default())
    }

    #[track_caller]
    fn exact(entry: &str) -> String {
        match parse(entry) {
            Ok(Entry::Exact(origin)) => origin.as_str().to_owned(),
            other => panic!("entry {entry:?}: expected an exact origin, got {other:?}"),
        }
    }

    /// Canonical form, host, ports, wildcard.
    type PatternParts = (String, String, PortRule, bool);

    #[track_caller]
    fn pattern(entry: &str) -> PatternParts {
        match parse(entry) {
            Ok(Entry::Pattern(p)) => (
                p.as_str().to_owned(),
                p.host().to_owned(),
                p.ports().clone(),
                p.is_wildcard(),
            ),
            other => panic!("entry {entry:?}: expected a pattern, got {other:?}"),
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
            // A one-port list is an exact origin.
            (
                "https://app.example.com:[8443]",
                "https://app.example.com:8443",
            ),
            ("https://app.example.com:[443]", "https://app.example.com"),
        ];
        for &(entry, expected) in cases {
            assert_eq!(exact(entry), expected, "entry {entry:?}");
        }
    }

    #[test]
    fn patterns_normalise() {
        use PortRule::*;
        type Expected<'a> = (&'a str, &'a str, PortRule, bool);
        let cases: Vec<(&str, Expected)> = vec![
            (
                "https://*.tenant.example.com",
                (
                    "https://*.tenant.example.com",
                    "tenant.example.com",
                    Is(443),
                    true,
                ),
            ),
            (
                "HTTPS://*.Example.COM:443/",
                ("https://*.example.com", "example.com", Is(443), true),
            ),
            (
                "http://*.example.com:8080",
                ("http://*.example.com:8080", "example.com", Is(8080), true),
            ),
            (
                "https://*.bücher.example",
                (
                    "https://*.xn--bcher-kva.example",
                    "xn--bcher-kva.example",
                    Is(443),
                    true,
                ),
            ),
            (
                "http://localhost:*",
                ("http://localhost:*", "localhost", Any, false),
            ),
            (
                "http://LOCALHOST:*/",
                ("http://localhost:*", "localhost", Any, false),
            ),
            (
                "http://127.0.0.1:*",
                ("http://127.0.0.1:*", "127.0.0.1", Any, false),
            ),
            (
                "http://127.1.2.3:*",
                ("http://127.1.2.3:*", "127.1.2.3", Any, false),
            ),
            ("http://[::1]:*", ("http://[::1]:*", "[::1]", Any, false)),
            // IPv4-mapped loopback is loopback (issue 15).
            (
                "http://[::ffff:127.0.0.1]:*",
                ("http://[::ffff:7f00:1]:*", "[::ffff:7f00:1]", Any, false),
            ),
            (
                "http://[::FFFF:7F00:1]:*",
                ("http://[::ffff:7f00:1]:*", "[::ffff:7f00:1]", Any, false),
            ),
            (
                "http://app.localhost:*",
                ("http://app.localhost:*", "app.localhost", Any, false),
            ),
            (
                "http://*.app.localhost:*",
                ("http://*.app.localhost:*", "app.localhost", Any, true),
            ),
            (
                "https://app.example.com:[9443,8443,9443]",
                (
                    "https://app.example.com:[8443,9443]",
                    "app.example.com",
                    OneOf(vec![8443, 9443]),
                    false,
                ),
            ),
            (
                "https://app.example.com:[443,8443]",
                (
                    "https://app.example.com:[443,8443]",
                    "app.example.com",
                    OneOf(vec![443, 8443]),
                    false,
                ),
            ),
            (
                "https://*.example.com:[8443,443]",
                (
                    "https://*.example.com:[443,8443]",
                    "example.com",
                    OneOf(vec![443, 8443]),
                    true,
                ),
            ),
            (
                "http://[::1]:[3000,3001]",
                (
                    "http://[::1]:[3000,3001]",
                    "[::1]",
                    OneOf(vec![3000, 3001]),
                    false,
                ),
            ),
        ];
        for (entry, (serialized, host, ports, wildcard)) in cases {
            assert_eq!(
                pattern(entry),
                (serialized.to_owned(), host.to_owned(), ports, wildcard),
                "entry {entry:?}"
            );
        }
    }

    #[test]
    fn opt_in_entries() {
        let any_port = EntryOptions {
            any_port_off_loopback: true,
            ..EntryOptions::default()
        };
        assert!(matches!(
            parse_entry("https://app.example.com:*", any_port),
            Ok(Entry::Pattern(_))
        ));
        let suffix = EntryOptions {
            public_suffix_wildcard: true,
            ..EntryOptions::default()
        };
        assert!(matches!(
            parse_entry("https://*.github.io", suffix),
            Ok(Entry::Pattern(_))
        ));
        // The suffix's operator may cover a wildcard rule's names too.
        assert!(matches!(
            parse_entry("https://*.compute.amazonaws.com", suffix),
            Ok(Entry::Pattern(_))
        ));
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
            // Extension and app origins need the builder's opt-in (issue 15).
            (
                "chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop",
                K::AppOriginWithoutOptIn("chrome-extension".into()),
            ),
            (
                "MOZ-EXTENSION://0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
                K::AppOriginWithoutOptIn("moz-extension".into()),
            ),
            (
                "safari-web-extension://0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
                K::AppOriginWithoutOptIn("safari-web-extension".into()),
            ),
            (
                "capacitor://localhost",
                K::AppOriginWithoutOptIn("capacitor".into()),
            ),
            (
                "ionic://localhost",
                K::AppOriginWithoutOptIn("ionic".into()),
            ),
            (
                "tauri://localhost",
                K::AppOriginWithoutOptIn("tauri".into()),
            ),
            (
                "chrome-extension://*",
                K::AppOriginWithoutOptIn("chrome-extension".into()),
            ),
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
            ("https://app.example.com:[]", K::InvalidPortList),
            ("https://app.example.com:[0,1]", K::InvalidPortList),
            ("https://app.example.com:[1,,2]", K::InvalidPortList),
            ("https://app.example.com:[1,65536]", K::InvalidPortList),
            ("https://app.example.com:[1,2", K::InvalidPortList),
            ("https://app.example.com:*", K::AnyPortOffLoopback),
            ("https://*.example.com:*", K::AnyPortOffLoopback),
            ("http://localhost.evil.example:*", K::AnyPortOffLoopback),
            ("http://10.0.0.1:*", K::AnyPortOffLoopback),
            ("http://[::ffff:a00:1]:*", K::AnyPortOffLoopback),
            ("http://[::7f00:1]:*", K::AnyPortOffLoopback),
            ("http://0.0.0.0:*", K::AnyPortOffLoopback),
            ("https://*.com", K::WildcardTooBroad),
            ("https://*.com.", K::WildcardTooBroad),
            ("https://*.localhost", K::WildcardTooBroad),
            ("https://*.co.uk", K::PublicSuffixWildcard("co.uk".into())),
            (
                "https://*.github.io",
                K::PublicSuffixWildcard("github.io".into()),
            ),
            (
                "https://*.herokuapp.com",
                K::PublicSuffixWildcard("herokuapp.com".into()),
            ),
            (
                "https://*.s3.amazonaws.com",
                K::PublicSuffixWildcard("s3.amazonaws.com".into()),
            ),
            // Every name under a PSL wildcard rule is a suffix: these could never match.
            (
                "https://*.compute.amazonaws.com",
                K::WildcardOverSuffixRule("compute.amazonaws.com".into()),
            ),
            (
                "https://*.r.appspot.com",
                K::WildcardOverSuffixRule("r.appspot.com".into()),
            ),
            (
                "https://*.eu-west-1.compute.amazonaws.com",
                K::PublicSuffixWildcard("eu-west-1.compute.amazonaws.com".into()),
            ),
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
            match parse(entry) {
                Err(e) => assert_eq!(e.kind(), &kind, "entry {entry:?}"),
                Ok(ok) => panic!("entry {entry:?} was accepted as {ok:?}"),
            }
        }
        // DNS limits (issue 15, item 1): checked on the normalised host, and on the host as
        // written before it reaches IDNA.
        let a = |n: usize| "a".repeat(n);
        let long_label = K::NeverMatches(crate::host::HostError::LabelTooLong.message());
        let long_host = K::NeverMatches(crate::host::HostError::TooLong.message());
        let base = |last: usize| format!("{0}.{0}.{0}.{1}", a(63), a(last));
        let cases = [
            (format!("https://{}.example", a(64)), &long_label),
            (
                format!("HTTPS://{}.example:443", "A".repeat(64)),
                &long_label,
            ),
            (format!("https://*.{}.example", a(64)), &long_label),
            (
                format!("https://{}.example", "\u{fc}".repeat(128)),
                &long_label,
            ),
            (format!("https://{}", base(62)), &long_host),
            (format!("https://{}:8443", base(62)), &long_host),
            (format!("https://{}.", base(62)), &long_host),
            (format!("https://{}", "a.".repeat(600)), &long_host),
            // The base leaves no room for a subdomain label.
            (format!("https://*.{}", base(60)), &long_host),
            (format!("https://*.{}", base(61)), &long_host),
        ];
        for (entry, kind) in &cases {
            match parse(entry) {
                Err(e) => assert_eq!(e.kind(), *kind, "entry of {} bytes", entry.len()),
                Ok(ok) => panic!("entry of {} bytes was accepted as {ok:?}", entry.len()),
            }
        }
        // At the limits: accepted.
        assert_eq!(exact(&format!("https://{}", base(61))).len(), 8 + 253);
        assert_eq!(exact(&format!("https://{}.", base(61))).len(), 8 + 254);
        assert!(pattern(&format!("https://*.{}", base(59))).3);
        assert!(exact(&format!("https://{}.example", "\u{fc}".repeat(50))).len() < 80);

        // Hosts `url` itself refuses keep its message.
        for entry in [
            "https://exa%mple.com",
            "http://[::1",
            "https://xn--zz.example",
            "http://1.2.3.256",
            "http://[::1]x",
        ] {
            match parse(entry) {
                Err(e) => assert!(
                    matches!(e.kind(), K::InvalidHost(_)),
                    "entry {entry:?}: {e}"
                ),
                Ok(ok) => panic!("entry {entry:?} was accepted as {ok:?}"),
            }
        }
        // Registrable domains under a public suffix are fine.
        for entry in [
            "https://*.example.co.uk",
            "https://*.myapp.github.io",
            "https://*.tenant.example",
        ] {
            assert!(parse(entry).is_ok(), "entry {entry:?}");
        }
    }

    #[test]
    fn error_messages_are_pinned() {
        let message = |entry: &str| parse(entry).unwrap_err().to_string();
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
        assert_eq!(
            message("https://*.co.uk"),
            "invalid allowlist entry \"https://*.co.uk\": `co.uk` is a public suffix, so the wildcard would match sites of unrelated owners: use a registrable domain such as `https://*.example.co.uk`, or `OriginPolicyBuilder::allow_wildcard_on_public_suffix` if you run the suffix"
        );
        assert_eq!(
            message("https://*.compute.amazonaws.com"),
            "invalid allowlist entry \"https://*.compute.amazonaws.com\": every name directly under `compute.amazonaws.com` is a public suffix (Public Suffix List rule `*.compute.amazonaws.com`), so the wildcard cannot match the sites there: list their exact origins, or use `OriginPolicyBuilder::allow_wildcard_on_public_suffix` if you run the suffix"
        );
        assert_eq!(
            message("https://app.example.com:*"),
            "invalid allowlist entry \"https://app.example.com:*\": any port (`:*`) is only for loopback hosts such as `http://localhost:*`: list the ports (`:[8443,9443]`), or use `OriginPolicyBuilder::allow_any_port_off_loopback`"
        );
        assert_eq!(
            message("https://app.example.com:[1,x]"),
            "invalid allowlist entry \"https://app.example.com:[1,x]\": a port list is written `:[8443,9443]`: numbers from 1 to 65535 separated by commas, no spaces"
        );
    }

    /// `parse_exact` (exact origins only, as in `same_origin`) tells a wildcard from a port
    /// rule. Kills the match guard `pattern.is_wildcard()` replaced with `true` in
    /// `parse_exact`.
    #[test]
    fn parse_exact_refuses_patterns_by_kind() {
        use ConfigErrorKind as K;
        let cases: &[(&str, ConfigErrorKind)] = &[
            ("https://*.example.com", K::MisplacedWildcard),
            ("https://*.example.com:[443,8443]", K::MisplacedWildcard),
            ("http://localhost:*", K::InvalidPort),
            ("https://app.example.com:[8443,9443]", K::InvalidPort),
        ];
        for (entry, kind) in cases {
            match parse_exact(entry) {
                Err(e) => assert_eq!(e.kind(), kind, "entry {entry:?}"),
                Ok(ok) => panic!("entry {entry:?} was accepted as {ok:?}"),
            }
        }
        assert_eq!(
            parse_exact("https://app.example.com:[8443]")
                .unwrap()
                .as_str(),
            "https://app.example.com:8443"
        );
    }
}
