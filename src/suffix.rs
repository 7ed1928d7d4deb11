//! The public-suffix guard: a wildcard must not cover a whole public suffix.
//!
//! `https://*.co.uk` or `https://*.github.io` would allow sites of unrelated owners. The
//! Public Suffix List (both its ICANN and its private sections) is compiled in through the
//! `psl` crate, so nothing is downloaded at run time; a newer list arrives with a newer `psl`.

/// Whether `domain` (canonical, ASCII) is itself a public suffix, such as `com`, `co.uk`,
/// `github.io` or `s3.amazonaws.com`.
pub(crate) fn is_public_suffix(domain: &str) -> bool {
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    // Only suffixes the list names count: under the list's implicit `*` rule every unknown
    // top-level label is a "suffix", which would make `tenant.example` look fine but refuse
    // a wildcard on an internal single-label name for the wrong reason.
    match psl::suffix(domain.as_bytes()) {
        Some(suffix) => suffix.is_known() && suffix.trim().as_bytes() == domain.as_bytes(),
        None => false,
    }
}

/// Whether `host` (canonical, ASCII, a subdomain of a base `base_len` bytes long) has a known
/// public suffix longer than the base: some label between the matched prefix and the base
/// starts a suffix where unrelated parties register names (`s3.amazonaws.com` inside
/// `bucket.s3.amazonaws.com`, under the base `amazonaws.com`). Allocates nothing.
pub(crate) fn has_public_suffix_below(host: &[u8], base_len: usize) -> bool {
    #[cfg(test)]
    LOOKUPS.with(|n| n.set(n.get() + 1));
    let host = host.strip_suffix(b".").unwrap_or(host);
    match psl::suffix(host) {
        Some(suffix) => {
            suffix.is_known() && suffix.trim().as_bytes().len() > base_len.min(host.len())
        }
        None => false,
    }
}

#[cfg(test)]
thread_local! {
    /// How many times this thread asked [`has_public_suffix_below`], for the tests that pin
    /// how often a check pays for the Public Suffix List.
    pub(crate) static LOOKUPS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The registrable domain (public suffix plus one label) of `domain`, if the list knows its
/// suffix.
pub(crate) fn registrable_domain(domain: &str) -> Option<&str> {
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    let registrable = psl::domain(domain.as_bytes())?;
    if !registrable.suffix().is_known() {
        return None;
    }
    std::str::from_utf8(registrable.trim().as_bytes()).ok()
}

/// Whether the list has a wildcard rule `*.domain` (such as `*.compute.amazonaws.com` or
/// `*.r.appspot.com`): every name directly under `domain` is then itself a public suffix, so a
/// wildcard pattern on `domain` could only match names the list's exception rules carve out.
/// Configuration only (it allocates the probe name).
pub(crate) fn has_wildcard_rule(domain: &str) -> bool {
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    // `*` is in no explicit rule and is no exception's label, so only a wildcard rule can make
    // the probe name a known suffix; `psl` matches a wildcard label against any bytes.
    let probe = format!("*.{domain}");
    match psl::suffix(probe.as_bytes()) {
        Some(suffix) => suffix.is_known() && suffix.trim().as_bytes() == probe.as_bytes(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_suffixes() {
        for suffix in [
            "com",
            "co.uk",
            "github.io",
            "herokuapp.com",
            "s3.amazonaws.com",
            "com.",
            "xn--p1ai",
        ] {
            assert!(is_public_suffix(suffix), "{suffix}");
        }
        for domain in [
            "example.com",
            "example.co.uk",
            "myapp.github.io",
            "tenant.example",
            "localhost",
            "a.b.example.com",
        ] {
            assert!(!is_public_suffix(domain), "{domain}");
        }
    }

    #[test]
    fn public_suffixes_below_a_base() {
        // (host, base, whether a public suffix lies strictly between them)
        let cases: &[(&str, &str, bool)] = &[
            ("bucket.s3.amazonaws.com", "amazonaws.com", true),
            ("x.eu-west-1.compute.amazonaws.com", "amazonaws.com", true),
            (
                "x.eu-west-1.compute.amazonaws.com",
                "compute.amazonaws.com",
                true,
            ),
            ("site.web.core.windows.net", "core.windows.net", true),
            ("a.example.com", "example.com", false),
            ("a.b.example.com", "example.com", false),
            ("a.b.example.co.uk", "example.co.uk", false),
            ("a.tenant.example", "tenant.example", false),
            ("a.example.com.", "example.com.", false),
            ("me.github.io", "me.github.io", false),
        ];
        for &(host, base, expected) in cases {
            assert_eq!(
                has_public_suffix_below(host.as_bytes(), base.len()),
                expected,
                "{host} under {base}"
            );
        }
    }

    #[test]
    fn registrable_domains() {
        assert_eq!(
            registrable_domain("a.b.example.co.uk"),
            Some("example.co.uk")
        );
        assert_eq!(registrable_domain("example.com"), Some("example.com"));
        assert_eq!(registrable_domain("com"), None);
        assert_eq!(registrable_domain("tenant.example"), None);
    }

    /// A base that is itself the public suffix is not a suffix *below* the base (the
    /// builder's opt-in allowed that wildcard). Kills `>` replaced with `>=` in
    /// `has_public_suffix_below`.
    #[test]
    fn a_base_that_is_the_suffix_is_not_below_it() {
        for (host, base) in [
            ("me.github.io", "github.io"),
            ("a.b.github.io", "github.io"),
            ("bucket.s3.amazonaws.com", "s3.amazonaws.com"),
            ("a.example.co.uk", "co.uk"),
        ] {
            assert!(
                !has_public_suffix_below(host.as_bytes(), base.len()),
                "{host} under {base}"
            );
        }
    }

    /// The list's wildcard rules (`*.compute.amazonaws.com`), told apart from names that are
    /// suffixes themselves or hold only explicit rules below them.
    #[test]
    fn wildcard_rules() {
        for domain in [
            "compute.amazonaws.com",
            "compute-1.amazonaws.com",
            "r.appspot.com",
            "compute.herokuapp.com",
            "kawasaki.jp",
            "compute.amazonaws.com.",
        ] {
            assert!(has_wildcard_rule(domain), "{domain}");
        }
        for domain in [
            "amazonaws.com",
            "appspot.com",
            "github.io",
            "example.com",
            "co.uk",
            "city.kawasaki.jp",
            "tenant.example",
            "localhost",
        ] {
            assert!(!has_wildcard_rule(domain), "{domain}");
        }
    }
}
