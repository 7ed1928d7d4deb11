//! [`OriginPolicy::lint`]: warnings about configurations that are legal but risky.

use std::collections::HashSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::app_origin::AppOriginKind;
use crate::entry::Entry;
use crate::host::is_loopback;
use crate::origin::Scheme;
use crate::suffix;
use crate::OriginPolicy;

/// A warning about a legal but risky part of a policy, from [`OriginPolicy::lint`].
///
/// `Display` gives one line for humans: the entry or option, then what the risk is.
///
/// ```
/// use origin_policy::{LintKind, OriginPolicy};
/// let policy: OriginPolicy = "https://app.example.com http://app.example.com".parse()?;
/// let lints = policy.lint();
/// assert_eq!(lints[0].kind(), LintKind::HttpDowngrade);
/// assert_eq!(
///     lints[0].to_string(),
///     "http://app.example.com: plain http beside https for the same host: a network attacker can inject a page into the http origin and use it"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lint {
    kind: LintKind,
    subject: String,
}

impl Lint {
    /// What kind of risk this is.
    pub fn kind(&self) -> LintKind {
        self.kind
    }

    /// The entry (canonical form) or option the warning is about.
    pub fn subject(&self) -> &str {
        &self.subject
    }
}

impl fmt::Display for Lint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.subject, self.kind)
    }
}

/// The kinds of [`Lint`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LintKind {
    /// An `http://` entry beside an `https://` entry for the same host.
    HttpDowngrade,
    /// An `http://` entry on a host that is not loopback, with no `https://` entry beside it.
    PlainHttp,
    /// An entry on a loopback host (`localhost`, `127.0.0.1`, `[::1]`, `[::ffff:7f00:1]`):
    /// fine in development, suspicious in production, where any local program can serve that
    /// origin.
    Loopback,
    /// An entry on the unspecified address (`0.0.0.0`, `[::]`).
    UnspecifiedAddress,
    /// An entry on a private-network address (RFC 1918, unique-local or link-local IPs,
    /// `.local` and `.internal` names).
    PrivateNetwork,
    /// An entry accepting any port on a host that is not loopback.
    AnyPortOffLoopback,
    /// A wildcard whose base is a public suffix.
    PublicSuffixWildcard,
    /// A wildcard covering a whole registrable domain (`https://*.example.com`).
    BroadWildcard,
    /// Requests without `Origin` are allowed.
    MissingOriginAllowed,
    /// `Origin: null` is allowed.
    NullOriginAllowed,
    /// Every origin is allowed.
    AnyOriginAllowed,
    /// The same-origin rule trusts the `Host` header.
    SameOriginFromHost,
    /// A Chromium extension origin (`chrome-extension://<id>`).
    ChromiumExtension,
    /// A Firefox or Safari extension origin: its UUID differs for every install.
    ExtensionPerInstall,
    /// An app webview origin (`capacitor://localhost`, `ionic://localhost`,
    /// `tauri://localhost`) that every app of that framework shares.
    SharedAppOrigin,
}

impl LintKind {
    /// A stable machine-readable name, for filtering and metrics: `http-downgrade`, `plain-http`, `loopback`, `unspecified-address`, `private-network`, `any-port-off-loopback`, `public-suffix-wildcard`, `broad-wildcard`, `missing-origin-allowed`, `null-origin-allowed`, `any-origin-allowed`, `same-origin-from-host`, `chromium-extension`, `extension-per-install`, `shared-app-origin`.
    pub const fn code(self) -> &'static str {
        match self {
            LintKind::HttpDowngrade => "http-downgrade",
            LintKind::PlainHttp => "plain-http",
            LintKind::Loopback => "loopback",
            LintKind::UnspecifiedAddress => "unspecified-address",
            LintKind::PrivateNetwork => "private-network",
            LintKind::AnyPortOffLoopback => "any-port-off-loopback",
            LintKind::PublicSuffixWildcard => "public-suffix-wildcard",
            LintKind::BroadWildcard => "broad-wildcard",
            LintKind::MissingOriginAllowed => "missing-origin-allowed",
            LintKind::NullOriginAllowed => "null-origin-allowed",
            LintKind::AnyOriginAllowed => "any-origin-allowed",
            LintKind::SameOriginFromHost => "same-origin-from-host",
            LintKind::ChromiumExtension => "chromium-extension",
            LintKind::ExtensionPerInstall => "extension-per-install",
            LintKind::SharedAppOrigin => "shared-app-origin",
        }
    }

    /// The warning text.
    pub const fn as_str(self) -> &'static str {
        match self {
            LintKind::HttpDowngrade => {
                "plain http beside https for the same host: a network attacker can inject a page into the http origin and use it"
            }
            LintKind::PlainHttp => {
                "plain http off loopback: anyone on the network path can inject a page into this origin and use it; serve the page over https"
            }
            LintKind::Loopback => {
                "a loopback origin: any program on the user's machine can serve it; keep it out of production"
            }
            LintKind::UnspecifiedAddress => {
                "the unspecified address: no server can be named 0.0.0.0, but browsers on Linux and macOS connect it to the local machine, so this is loopback in disguise; write `localhost` or `127.0.0.1`"
            }
            LintKind::PrivateNetwork => {
                "a private-network origin: whoever controls that network or name can serve it"
            }
            LintKind::AnyPortOffLoopback => {
                "any port of a host that is not loopback: other services on that host count as trusted"
            }
            LintKind::PublicSuffixWildcard => {
                "a wildcard on a public suffix: every name registered under it is trusted"
            }
            LintKind::BroadWildcard => {
                "a wildcard over a whole registrable domain: every subdomain, including ones run by third parties or taken over, is trusted"
            }
            LintKind::MissingOriginAllowed => {
                "requests without Origin are allowed: authenticate them by other means"
            }
            LintKind::NullOriginAllowed => {
                "Origin null is allowed: any site can create a sandboxed or data: page that sends it"
            }
            LintKind::AnyOriginAllowed => {
                "every origin is allowed: no protection against cross-site WebSocket hijacking"
            }
            LintKind::SameOriginFromHost => {
                "the same-origin rule trusts the Host header: proxies that rewrite Host and DNS rebinding affect it"
            }
            LintKind::ChromiumExtension => {
                "a Chromium extension origin: it trusts that one extension, whose id comes from its key (an unpacked extension's from its folder path, unless the manifest has a `key`); any non-browser program can send it too"
            }
            LintKind::ExtensionPerInstall => {
                "a Firefox or Safari extension origin: the UUID differs for every install (each user's browser profile has its own, and Safari may change it), so this entry matches one install only; authenticate the extension instead of listing UUIDs"
            }
            LintKind::SharedAppOrigin => {
                "an app webview origin that every app built with that framework sends: any such app on the user's device counts as trusted; authenticate the app"
            }
        }
    }
}

impl fmt::Display for LintKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The lints of `policy`; see [`OriginPolicy::lint`].
pub(crate) fn lint(policy: &OriginPolicy) -> Vec<Lint> {
    let mut lints = Vec::new();
    let mut push = |kind, subject: &dyn fmt::Display| {
        lints.push(Lint {
            kind,
            subject: subject.to_string(),
        })
    };
    // The hosts that have an `https` entry, collected once: a downgrade check per entry is
    // then one lookup, not a pass over the list.
    let https_hosts: HashSet<String> = policy
        .entries()
        .filter_map(|(entry, _)| match entry {
            Entry::Exact(origin) if origin.scheme() == Scheme::Https => {
                Some(origin.host().to_owned())
            }
            Entry::Pattern(pattern) if pattern.scheme() == Scheme::Https => {
                Some(pattern.host().to_owned())
            }
            _ => None,
        })
        .collect();
    for (entry, options) in policy.entries() {
        let (scheme, host, subject): (Scheme, &str, &dyn fmt::Display) = match &entry {
            Entry::Exact(origin) => (origin.scheme(), origin.host(), origin),
            Entry::Pattern(pattern) => (pattern.scheme(), pattern.host(), pattern),
        };
        let unspecified = is_unspecified(host);
        if scheme == Scheme::Http && https_hosts.contains(host) {
            push(LintKind::HttpDowngrade, subject);
        } else if scheme == Scheme::Http && !is_loopback(host) && !unspecified {
            push(LintKind::PlainHttp, subject);
        }
        if is_loopback(host) {
            push(LintKind::Loopback, subject);
        } else if unspecified {
            push(LintKind::UnspecifiedAddress, subject);
        } else if is_private(host) {
            push(LintKind::PrivateNetwork, subject);
        }
        if let Entry::Pattern(pattern) = &entry {
            if options.any_port_off_loopback && !is_loopback(host) {
                push(LintKind::AnyPortOffLoopback, subject);
            }
            if pattern.is_wildcard() {
                // A wildcard rule's names are suffixes too (`*.compute.amazonaws.com`,
                // only buildable through the opt-in).
                if suffix::is_public_suffix(host) || suffix::has_wildcard_rule(host) {
                    push(LintKind::PublicSuffixWildcard, subject);
                } else if suffix::registrable_domain(host) == Some(host.trim_end_matches('.')) {
                    push(LintKind::BroadWildcard, subject);
                }
            }
        }
    }
    for origin in policy.app_origins.iter() {
        let kind = match origin.kind() {
            AppOriginKind::ChromiumExtension => LintKind::ChromiumExtension,
            AppOriginKind::FirefoxExtension | AppOriginKind::SafariExtension => {
                LintKind::ExtensionPerInstall
            }
            _ => LintKind::SharedAppOrigin,
        };
        push(kind, origin);
    }
    if policy.allow_missing {
        push(LintKind::MissingOriginAllowed, &"allow_missing_origin");
    }
    if policy.allow_null {
        push(LintKind::NullOriginAllowed, &"allow_null_origin");
    }
    if policy.allow_any {
        push(LintKind::AnyOriginAllowed, &"allow_any_origin_dangerously");
    }
    if policy.same_origin_from_host.is_some() {
        push(LintKind::SameOriginFromHost, &"same_origin_from_host");
    }
    lints
}

/// Private-network hosts: RFC 1918 and shared-address IPv4, IPv6 unique-local and link-local
/// addresses, IPv4 link-local, and the `.local` (mDNS) and `.internal` names.
fn is_private(host: &str) -> bool {
    let name = host.strip_suffix('.').unwrap_or(host);
    if name.ends_with(".local") || name.ends_with(".internal") {
        return true;
    }
    let ip: Option<IpAddr> = match url::Host::parse(host) {
        Ok(url::Host::Ipv4(ip)) => Some(ip.into()),
        Ok(url::Host::Ipv6(ip)) => Some(ip.into()),
        _ => None,
    };
    match ip {
        Some(IpAddr::V4(ip)) => is_private_v4(ip),
        Some(IpAddr::V6(ip)) => is_private_v6(ip),
        None => false,
    }
}

/// `0.0.0.0` and `[::]` (and the IPv4-mapped `[::ffff:0:0]`).
fn is_unspecified(host: &str) -> bool {
    match url::Host::parse(host) {
        Ok(url::Host::Ipv4(ip)) => ip.is_unspecified(),
        Ok(url::Host::Ipv6(ip)) => {
            ip.is_unspecified() || ip.to_ipv4_mapped().is_some_and(|ip| ip.is_unspecified())
        }
        _ => false,
    }
}

fn is_private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    // 100.64.0.0/10 is carrier-grade NAT shared space.
    ip.is_private() || ip.is_link_local() || (a == 100 && (64..128).contains(&b))
}

fn is_private_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    // fc00::/7 unique local, fe80::/10 link local; IPv4-mapped private addresses too.
    (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || ip.to_ipv4_mapped().is_some_and(is_private_v4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_names() {
        use LintKind::*;
        let kinds = [
            HttpDowngrade,
            PlainHttp,
            Loopback,
            UnspecifiedAddress,
            PrivateNetwork,
            AnyPortOffLoopback,
            PublicSuffixWildcard,
            BroadWildcard,
            MissingOriginAllowed,
            NullOriginAllowed,
            AnyOriginAllowed,
            SameOriginFromHost,
            ChromiumExtension,
            ExtensionPerInstall,
            SharedAppOrigin,
        ];
        let mut codes: Vec<&str> = kinds.iter().map(|k| k.code()).collect();
        assert!(codes
            .iter()
            .all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')));
        assert_eq!(LintKind::HttpDowngrade.code(), "http-downgrade");
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), kinds.len());
    }

    fn kinds(policy: &OriginPolicy) -> Vec<(LintKind, String)> {
        policy
            .lint()
            .into_iter()
            .map(|l| (l.kind(), l.subject().to_owned()))
            .collect()
    }

    #[test]
    fn clean_policies_have_no_lints() {
        for list in [
            "https://app.example.com",
            "https://app.example.com:[8443,9443] https://admin.example.org",
            "https://*.tenant.example.com https://*.eu.example.co.uk",
        ] {
            let policy: OriginPolicy = list.parse().unwrap();
            assert_eq!(kinds(&policy), [], "policy {list:?}");
        }
    }

    #[test]
    fn each_risk_is_reported() {
        use LintKind::*;
        let policy = OriginPolicy::builder()
            .allow("https://app.example.com")
            .allow("http://app.example.com")
            .allow("http://localhost:*")
            .allow("http://[::1]:8080")
            .allow("http://192.168.1.10:8080")
            .allow("http://[::ffff:127.0.0.1]:3000")
            .allow("http://0.0.0.0:8080")
            .allow("http://[::]:8080")
            .allow("http://intranet.example.org")
            .allow("http://[fd00::1]")
            .allow("https://printer.local")
            .allow("https://*.example.com")
            .allow_any_port_off_loopback("https://dev.example.com:*")
            .allow_wildcard_on_public_suffix("https://*.github.io")
            .allow_wildcard_on_public_suffix("https://*.compute.amazonaws.com")
            .allow_missing_origin()
            .allow_null_origin()
            .allow_any_origin_dangerously()
            .same_origin_from_host(Scheme::Https)
            .build()
            .unwrap();
        let expected: Vec<(LintKind, String)> = vec![
            (HttpDowngrade, "http://app.example.com".into()),
            (Loopback, "http://localhost:*".into()),
            (Loopback, "http://[::1]:8080".into()),
            (PlainHttp, "http://192.168.1.10:8080".into()),
            (PrivateNetwork, "http://192.168.1.10:8080".into()),
            (Loopback, "http://[::ffff:7f00:1]:3000".into()),
            (UnspecifiedAddress, "http://0.0.0.0:8080".into()),
            (UnspecifiedAddress, "http://[::]:8080".into()),
            (PlainHttp, "http://intranet.example.org".into()),
            (PlainHttp, "http://[fd00::1]".into()),
            (PrivateNetwork, "http://[fd00::1]".into()),
            (PrivateNetwork, "https://printer.local".into()),
            (BroadWildcard, "https://*.example.com".into()),
            (AnyPortOffLoopback, "https://dev.example.com:*".into()),
            (PublicSuffixWildcard, "https://*.github.io".into()),
            (
                PublicSuffixWildcard,
                "https://*.compute.amazonaws.com".into(),
            ),
            (MissingOriginAllowed, "allow_missing_origin".into()),
            (NullOriginAllowed, "allow_null_origin".into()),
            (AnyOriginAllowed, "allow_any_origin_dangerously".into()),
            (SameOriginFromHost, "same_origin_from_host".into()),
        ];
        assert_eq!(kinds(&policy), expected);
    }

    /// Each extension or app origin says what it trusts (issue 15), after the web entries.
    #[test]
    fn extension_and_app_origins() {
        use LintKind::*;
        let policy = OriginPolicy::builder()
            .allow_extension_or_app_origin("moz-extension://0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
            .allow_extension_or_app_origin("chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop")
            .allow_extension_or_app_origin(
                "safari-web-extension://0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
            )
            .allow_extension_or_app_origin("capacitor://localhost")
            .allow_extension_or_app_origin("ionic://localhost")
            .allow_extension_or_app_origin("tauri://localhost")
            .allow("https://tauri.localhost")
            .build()
            .unwrap();
        let expected: Vec<(LintKind, String)> = vec![
            (Loopback, "https://tauri.localhost".into()),
            (
                ExtensionPerInstall,
                "moz-extension://0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0".into(),
            ),
            (
                ChromiumExtension,
                "chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop".into(),
            ),
            (
                ExtensionPerInstall,
                "safari-web-extension://0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0".into(),
            ),
            (SharedAppOrigin, "capacitor://localhost".into()),
            (SharedAppOrigin, "ionic://localhost".into()),
            (SharedAppOrigin, "tauri://localhost".into()),
        ];
        assert_eq!(kinds(&policy), expected);
        assert_eq!(
            policy.lint()[1].to_string(),
            "moz-extension://0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0: a Firefox or Safari extension origin: the UUID differs for every install (each user's browser profile has its own, and Safari may change it), so this entry matches one install only; authenticate the extension instead of listing UUIDs"
        );
    }

    #[test]
    fn messages_are_pinned() {
        let policy = OriginPolicy::builder()
            .allow_any_port_off_loopback("https://dev.example.com:*")
            .allow_null_origin()
            .build()
            .unwrap();
        let lines: Vec<String> = policy.lint().iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "https://dev.example.com:*: any port of a host that is not loopback: other services on that host count as trusted",
                "allow_null_origin: Origin null is allowed: any site can create a sandboxed or data: page that sends it",
            ]
        );
    }

    /// Plain http is only reported off loopback and when no https sibling already says more
    /// (issue 15): a lone `http://` entry for a public host was silent.
    #[test]
    fn plain_http_off_loopback() {
        use LintKind::*;
        let cases: &[(&str, &[LintKind])] = &[
            ("http://app.example.com", &[PlainHttp]),
            ("http://app.example.com:8080", &[PlainHttp]),
            (
                "https://app.example.com http://app.example.com",
                &[HttpDowngrade],
            ),
            ("http://*.tenant.example.com", &[PlainHttp]),
            ("http://localhost:3000", &[Loopback]),
            ("http://127.0.0.1:3000", &[Loopback]),
            ("http://[::ffff:7f00:1]:3000", &[Loopback]),
            ("http://0.0.0.0:3000", &[UnspecifiedAddress]),
            ("https://app.example.com", &[]),
        ];
        for &(list, expected) in cases {
            let policy: OriginPolicy = list.parse().unwrap();
            let got: Vec<LintKind> = policy.lint().iter().map(Lint::kind).collect();
            assert_eq!(got, expected, "policy {list:?}");
        }
    }

    #[test]
    fn unspecified_addresses() {
        for host in ["0.0.0.0", "[::]", "[::ffff:0:0]"] {
            assert!(is_unspecified(host), "{host}");
        }
        for host in ["127.0.0.1", "[::1]", "0.0.0.1", "localhost", "0.example"] {
            assert!(!is_unspecified(host), "{host}");
        }
    }

    #[test]
    fn private_ranges() {
        for host in [
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.0.1",
            "169.254.1.1",
            "100.64.0.1",
            "[fe80::1]",
            "[fc00::1]",
            "[::ffff:a00:1]",
            "nas.internal",
        ] {
            assert!(is_private(host), "{host}");
        }
        for host in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "[2001:db8::1]",
            "example.com",
            "local.example.com",
        ] {
            assert!(!is_private(host), "{host}");
        }
    }
}
