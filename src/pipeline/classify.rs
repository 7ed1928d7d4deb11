//! What kind of request a pipeline front end (the tower layer, the actix middleware) is
//! looking at: a WebSocket upgrade, or a state-changing request that a browser marked (or
//! would mark) as cross-origin. Transport-neutral: it reads raw field values, so stacks with
//! other header types (actix-web's `http` 0.2) classify without copying.

use crate::guard::{is_open_rule, Denial};
use crate::Decision;

/// `Sec-Fetch-Site` (W3C Fetch Metadata Request Headers).
pub(crate) const SEC_FETCH_SITE: &str = "sec-fetch-site";

/// Whether the request asks for a WebSocket: an HTTP/1.1 `Upgrade` naming `websocket`
/// (RFC 6455 section 4.1; any letter case, any position in the list, with or without a
/// version), or a `CONNECT`. `upgrades` are the raw `Upgrade` field values, one per line.
///
/// RFC 8441's extended `CONNECT` carries `:protocol = websocket` in a server-specific place
/// (hyper keeps it in a request extension of its own type). Rather than depend on one
/// server's type, every `CONNECT` is treated as a possible WebSocket and its origin is
/// checked: browsers never let scripts send `CONNECT` (a forbidden method in Fetch), so only
/// non-browser tunnels are affected, and they can be let in with
/// [`allow_missing_origin`](crate::OriginPolicyBuilder::allow_missing_origin).
pub(crate) fn is_websocket_upgrade<'v>(
    method: &str,
    mut upgrades: impl Iterator<Item = &'v [u8]>,
) -> bool {
    method == "CONNECT"
        || upgrades.any(|value| {
            value.split(|&b| b == b',').any(|protocol| {
                let name = protocol.split(|&b| b == b'/').next().unwrap_or_default();
                name.trim_ascii().eq_ignore_ascii_case(b"websocket")
            })
        })
}

/// Whether a request may change state: every method but the safe ones (RFC 9110 section
/// 9.2.1), so `POST`, `PUT`, `PATCH`, `DELETE` and any extension method.
fn is_unsafe(method: &str) -> bool {
    !matches!(method, "GET" | "HEAD" | "OPTIONS" | "TRACE")
}

/// Whether to refuse a request as a cross-origin write, and why (the model is Go's
/// `net/http.CrossOriginProtection`). `sites` are the raw `Sec-Fetch-Site` field values and
/// `origins` the raw `Origin` ones, one per line:
///
/// 1. safe methods pass (WebSocket upgrades are `GET` but never get here: their origin is
///    checked first, whatever the method);
/// 2. with exactly one non-empty `Sec-Fetch-Site`, `same-origin` and `none` (the user's own
///    navigation) pass; any other value (`same-site`, `cross-site`, unknown, several lines)
///    passes only when the policy allows the origin, so a missing `Origin` is refused;
/// 3. without `Sec-Fetch-Site` (older browsers, and Chromium over plain `http` to a host
///    that is not potentially trustworthy), a request with an `Origin` passes only when the
///    policy allows it, and one without `Origin` passes: browsers send `Origin` on every
///    unsafe request, so it comes from a non-browser client that could send anything.
///
/// An empty `Sec-Fetch-Site` or `Origin` line counts as absent (as in Go and tower-http).
/// An allow by an open rule (any origin, `null`) counts as a denial unless `trust_open`.
pub(crate) fn cross_origin_write<'v>(
    method: &str,
    sites: impl Iterator<Item = &'v [u8]>,
    mut origins: impl Iterator<Item = &'v [u8]>,
    decision: &Decision,
    trust_open: bool,
) -> Option<Denial> {
    if !is_unsafe(method) {
        return None;
    }
    let refusal = || match decision.deny_reason() {
        Some(reason) => Some(Denial::Origin(reason)),
        None if !trust_open && decision.matched_rule().is_some_and(is_open_rule) => {
            Some(Denial::OpenOrigin)
        }
        None => None,
    };
    let present = |value: &&[u8]| !value.trim_ascii().is_empty();
    let mut sites = sites.filter(present);
    match (sites.next(), sites.next()) {
        (Some(site), None) if matches!(site.trim_ascii(), b"same-origin" | b"none") => None,
        (Some(_), _) => refusal(),
        (None, _) if origins.any(|v| present(&v)) => refusal(),
        (None, _) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OriginPolicy;
    use http::{HeaderMap, Method};

    /// A method, request headers, the expected answer.
    type Case = (Method, &'static [(&'static str, &'static str)], bool);

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for &(name, value) in pairs {
            map.append(name, value.parse().unwrap());
        }
        map
    }

    fn values<'m>(headers: &'m HeaderMap, name: &str) -> impl Iterator<Item = &'m [u8]> {
        headers.get_all(name).iter().map(|value| value.as_bytes())
    }

    #[test]
    fn websocket_upgrades() {
        let cases: &[Case] = &[
            (Method::GET, &[("upgrade", "websocket")], true),
            (Method::GET, &[("upgrade", "WebSocket")], true),
            (Method::GET, &[("upgrade", "h2c, websocket")], true),
            (Method::GET, &[("upgrade", "websocket/13")], true),
            (
                Method::GET,
                &[("upgrade", "h2c"), ("upgrade", "websocket")],
                true,
            ),
            // Any method: the origin check fails closed.
            (Method::POST, &[("upgrade", "websocket")], true),
            // RFC 8441 extended CONNECT, and every other CONNECT.
            (Method::CONNECT, &[], true),
            (Method::GET, &[("upgrade", "h2c")], false),
            (Method::GET, &[("upgrade", "websockets")], false),
            (Method::GET, &[("connection", "upgrade")], false),
            (
                Method::GET,
                &[("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")],
                false,
            ),
            (Method::GET, &[], false),
        ];
        for (method, pairs, expected) in cases {
            assert_eq!(
                is_websocket_upgrade(method.as_str(), values(&headers(pairs), "upgrade")),
                *expected,
                "{method} {pairs:?}"
            );
        }
    }

    #[test]
    fn cross_origin_writes() {
        let policy: OriginPolicy = "https://app.example.com".parse().unwrap();
        let cases: &[Case] = &[
            // Safe methods always pass.
            (
                Method::GET,
                &[
                    ("origin", "https://evil.example"),
                    ("sec-fetch-site", "cross-site"),
                ],
                false,
            ),
            (Method::HEAD, &[("origin", "https://evil.example")], false),
            (
                Method::OPTIONS,
                &[("origin", "https://evil.example")],
                false,
            ),
            // Sec-Fetch-Site vouches for same-origin and user navigation.
            (
                Method::POST,
                &[
                    ("origin", "https://evil.example"),
                    ("sec-fetch-site", "same-origin"),
                ],
                false,
            ),
            (Method::POST, &[("sec-fetch-site", "none")], false),
            // Otherwise the origin decides.
            (
                Method::POST,
                &[
                    ("origin", "https://evil.example"),
                    ("sec-fetch-site", "cross-site"),
                ],
                true,
            ),
            (
                Method::PUT,
                &[
                    ("origin", "https://evil.example"),
                    ("sec-fetch-site", "same-site"),
                ],
                true,
            ),
            (
                Method::POST,
                &[
                    ("origin", "https://app.example.com"),
                    ("sec-fetch-site", "cross-site"),
                ],
                false,
            ),
            (Method::POST, &[("sec-fetch-site", "cross-site")], true),
            (
                Method::POST,
                &[
                    ("origin", "https://evil.example"),
                    ("sec-fetch-site", "Same-Origin"),
                ],
                true,
            ),
            (
                Method::POST,
                &[
                    ("origin", "https://evil.example"),
                    ("sec-fetch-site", "same-origin"),
                    ("sec-fetch-site", "same-origin"),
                ],
                true,
            ),
            // No Sec-Fetch-Site: Origin alone.
            (Method::DELETE, &[("origin", "https://evil.example")], true),
            (Method::PATCH, &[("origin", "null")], true),
            (
                Method::POST,
                &[("origin", "https://app.example.com")],
                false,
            ),
            (Method::POST, &[], false),
            (
                Method::from_bytes(b"PROPPATCH").unwrap(),
                &[("origin", "https://evil.example")],
                true,
            ),
        ];
        for (method, pairs, expected) in cases {
            let headers = headers(pairs);
            let decision = policy.check_headers(&headers);
            assert_eq!(
                cross_origin_write(
                    method.as_str(),
                    values(&headers, SEC_FETCH_SITE),
                    values(&headers, "origin"),
                    &decision,
                    false
                )
                .is_some(),
                *expected,
                "{method} {pairs:?}"
            );
        }
    }
}
