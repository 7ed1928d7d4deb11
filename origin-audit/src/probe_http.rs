//! CORS requests and preflights from a minimal HTTP/1.1 client that sends the `Origin` bytes
//! exactly as generated, and the browser's CORS check applied to the answers.

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderName, HeaderValue};

use super::net::{self, Connection};
use super::report::escape;
use super::{Exchange, Expectation, Outcome, Target, Variant};
use origin_policy::Origin;

/// The response head is read up to this size; a CORS answer is far smaller.
const MAX_HEAD: usize = 64 * 1024;

/// What a browser would let a page do with a response to a cross-origin request, following
/// the Fetch standard's CORS check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CorsAccess {
    /// The page cannot read the response.
    Denied,
    /// `Access-Control-Allow-Origin: *`: any page reads it, without cookies.
    AnyOriginWithoutCredentials,
    /// The origin is allowed by name; with `credentials`, the page reads responses made with
    /// the user's cookies.
    Origin {
        /// `Access-Control-Allow-Credentials: true` came with it.
        credentials: bool,
    },
}

/// Applies the Fetch standard's CORS check to a response.
///
/// `sent` are the `Origin` lines of the request (a browser sends exactly one);
/// `allow_origin` and `allow_credentials` are every value of those response headers. Exactly
/// one `Access-Control-Allow-Origin` is accepted, and it must be `*` or byte-equal to an
/// origin sent; credentials need it to be the origin (not `*`) and
/// `Access-Control-Allow-Credentials` to be exactly `true`.
///
/// ```
/// use origin_audit::{cors_access, CorsAccess};
/// let sent: &[&[u8]] = &[b"https://evil.example"];
/// assert_eq!(
///     cors_access(sent, &[b"https://evil.example"], &[b"true"]),
///     CorsAccess::Origin { credentials: true }
/// );
/// assert_eq!(cors_access(sent, &[b"https://app.example.com"], &[b"true"]), CorsAccess::Denied);
/// assert_eq!(cors_access(sent, &[b"*"], &[]), CorsAccess::AnyOriginWithoutCredentials);
/// ```
pub fn cors_access(
    sent: &[&[u8]],
    allow_origin: &[&[u8]],
    allow_credentials: &[&[u8]],
) -> CorsAccess {
    // Several header lines combine into "a, b", which equals no origin.
    let [allowed] = allow_origin else {
        return CorsAccess::Denied;
    };
    let allowed = allowed.trim_ascii();
    if allowed == b"*" {
        return CorsAccess::AnyOriginWithoutCredentials;
    }
    if !sent.iter().any(|origin| origin.trim_ascii() == allowed) {
        return CorsAccess::Denied;
    }
    let credentials = matches!(allow_credentials, [value] if value.trim_ascii() == b"true");
    CorsAccess::Origin { credentials }
}

/// The `GET` and the preflight `OPTIONS` for one variant, one connection each.
///
/// For an attack of several lines, an answer that names a *trusted* line grants the attacker
/// nothing (a server with one fixed allowed origin answers that way to everything): only an
/// answer naming another line, or `*`, is accepted.
pub(crate) fn probe(
    target: &Target,
    tls: Option<&Arc<rustls::ClientConfig>>,
    variant: &Variant,
    trusted: &[Origin],
    extra: &[(HeaderName, HeaderValue)],
    timeout: Duration,
) -> Vec<Exchange> {
    let lines: Vec<&[u8]> = variant.origin.iter().flatten().map(Vec::as_slice).collect();
    let granted = granting_lines(&lines, variant.expectation, trusted);
    let get = request_bytes(target, "GET", &lines, extra, &[]);
    let preflight = request_bytes(
        target,
        "OPTIONS",
        &lines,
        &[],
        &[
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
    );
    vec![
        exchange(target, tls, "GET", &get, &granted, false, timeout),
        exchange(
            target,
            tls,
            "OPTIONS (preflight)",
            &preflight,
            &granted,
            true,
            timeout,
        ),
    ]
}

/// The lines an answer may name for the variant to count as accepted: all of them for the
/// trusted origin and its spellings, the untrusted ones for an attack.
fn granting_lines<'a>(
    lines: &[&'a [u8]],
    expectation: Expectation,
    trusted: &[Origin],
) -> Vec<&'a [u8]> {
    lines
        .iter()
        .copied()
        .filter(|line| {
            expectation != Expectation::Refuse
                || !trusted
                    .iter()
                    .any(|origin| origin.as_str().as_bytes() == line.trim_ascii())
        })
        .collect()
}

fn request_bytes(
    target: &Target,
    method: &str,
    origin_lines: &[&[u8]],
    extra: &[(HeaderName, HeaderValue)],
    fixed: &[(&str, &str)],
) -> Vec<u8> {
    let mut request = Vec::with_capacity(512);
    request.extend_from_slice(
        format!(
            "{method} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: origin-audit/{}\r\nAccept: */*\r\n",
            target.path_and_query(),
            target.authority(),
            env!("CARGO_PKG_VERSION"),
        )
        .as_bytes(),
    );
    for line in origin_lines {
        request.extend_from_slice(b"Origin: ");
        request.extend_from_slice(line);
        request.extend_from_slice(b"\r\n");
    }
    for (name, value) in fixed {
        request.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    for (name, value) in extra {
        request.extend_from_slice(name.as_str().as_bytes());
        request.extend_from_slice(b": ");
        request.extend_from_slice(value.as_bytes());
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"Connection: close\r\n\r\n");
    request
}

fn exchange(
    target: &Target,
    tls: Option<&Arc<rustls::ClientConfig>>,
    name: &'static str,
    request: &[u8],
    sent: &[&[u8]],
    preflight: bool,
    timeout: Duration,
) -> Exchange {
    let mut connection = match net::connect(target.host(), target.port(), tls, timeout) {
        Ok(connection) => connection,
        Err(e) => return Exchange::error(name, escape(e.0.as_bytes(), 400)),
    };
    if let Err(e) = connection
        .write_all(request)
        .and_then(|()| connection.flush())
    {
        return Exchange::error(name, escape(format!("send: {e}").as_bytes(), 200));
    }
    let head = match read_head(&mut connection) {
        Ok(head) => head,
        Err(detail) => return Exchange::error(name, escape(detail.as_bytes(), 200)),
    };
    judge(name, &head, sent, preflight)
}

fn read_head(connection: &mut Connection) -> Result<Vec<u8>, String> {
    let mut head = Vec::new();
    let mut buffer = [0; 4096];
    loop {
        if head.windows(4).any(|w| w == b"\r\n\r\n") {
            return Ok(head);
        }
        if head.len() > MAX_HEAD {
            return Err(format!("response head longer than {MAX_HEAD} bytes"));
        }
        match connection.read(&mut buffer) {
            Ok(0) if head.is_empty() => return Err("connection closed without a response".into()),
            Ok(0) => return Err("connection closed in the middle of the response head".into()),
            Ok(n) => head.extend_from_slice(&buffer[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                return Err("timed out waiting for the response".into())
            }
            Err(e) => return Err(format!("receive: {e}")),
        }
    }
}

/// The response headers shown in reports.
const SHOWN: &[&str] = &[
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "vary",
    "location",
];

fn judge(name: &'static str, head: &[u8], sent: &[&[u8]], preflight: bool) -> Exchange {
    // As many header slots as the head has lines: no limit but `MAX_HEAD`.
    let lines = head.iter().filter(|&&b| b == b'\n').count();
    let mut storage = vec![httparse::EMPTY_HEADER; lines.max(1)];
    let mut response = httparse::Response::new(&mut storage);
    let parsed = match response.parse(head) {
        Ok(httparse::Status::Complete(_)) => true,
        Ok(httparse::Status::Partial) | Err(_) => false,
    };
    let Some(status) = response.code.filter(|_| parsed) else {
        return Exchange::error(name, "unparsable HTTP response".into());
    };
    let values = |wanted: &str| -> Vec<&[u8]> {
        response
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(wanted))
            .map(|h| h.value)
            .collect()
    };
    let allow_origin = values("access-control-allow-origin");
    let access = cors_access(
        sent,
        &allow_origin,
        &values("access-control-allow-credentials"),
    );
    // A preflight is only a success with an ok status (Fetch: "CORS-preflight fetch").
    let access = if preflight && !(200..300).contains(&status) {
        CorsAccess::Denied
    } else {
        access
    };
    let mut headers = Vec::new();
    for &shown in SHOWN {
        for value in values(shown) {
            headers.push((shown.to_owned(), escape(value, 200)));
        }
    }
    let reason = escape(response.reason.unwrap_or("").as_bytes(), 60);
    let mut detail = format!("{status} {reason}").trim_end().to_owned();
    match (access, allow_origin.as_slice()) {
        (CorsAccess::Denied, []) => detail.push_str(", no allow-origin"),
        (CorsAccess::Denied, [value]) => {
            detail.push_str(&format!(", allow-origin \"{}\"", escape(value, 80)));
        }
        (CorsAccess::Denied, _) => detail.push_str(", several allow-origin"),
        (CorsAccess::AnyOriginWithoutCredentials, _) => detail.push_str(", allow-origin *"),
        (CorsAccess::Origin { credentials }, _) => {
            detail.push_str(", allow-origin matches");
            if credentials {
                detail.push_str(" + credentials");
            }
        }
    }
    Exchange {
        request: name,
        status: Some(status),
        outcome: match access {
            CorsAccess::Denied => Outcome::Refused,
            CorsAccess::AnyOriginWithoutCredentials => Outcome::AnyOrigin,
            CorsAccess::Origin { .. } => Outcome::Accepted,
        },
        credentials: matches!(access, CorsAccess::Origin { credentials: true }),
        headers,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_cors_check() {
        let evil: &[&[u8]] = &[b"https://evil.example"];
        let two: &[&[u8]] = &[b"https://app.example.com", b"https://evil.example"];
        // (Origin lines sent, Access-Control-Allow-Origin values, Allow-Credentials values, access)
        type Case<'a> = (&'a [&'a [u8]], &'a [&'a [u8]], &'a [&'a [u8]], CorsAccess);
        let cases: &[Case<'_>] = &[
            (evil, &[], &[], CorsAccess::Denied),
            (
                evil,
                &[b"https://evil.example"],
                &[],
                CorsAccess::Origin { credentials: false },
            ),
            (
                evil,
                &[b"https://evil.example"],
                &[b"true"],
                CorsAccess::Origin { credentials: true },
            ),
            // Only the exact `true` lets credentials through.
            (
                evil,
                &[b"https://evil.example"],
                &[b"TRUE"],
                CorsAccess::Origin { credentials: false },
            ),
            (
                evil,
                &[b" https://evil.example "],
                &[b" true"],
                CorsAccess::Origin { credentials: true },
            ),
            (
                evil,
                &[b"*"],
                &[b"true"],
                CorsAccess::AnyOriginWithoutCredentials,
            ),
            // Another origin, a case change, a list, two header lines: no match.
            (
                evil,
                &[b"https://app.example.com"],
                &[b"true"],
                CorsAccess::Denied,
            ),
            (evil, &[b"https://EVIL.example"], &[], CorsAccess::Denied),
            (
                evil,
                &[b"https://evil.example, https://app.example.com"],
                &[],
                CorsAccess::Denied,
            ),
            (
                evil,
                &[b"https://evil.example", b"https://evil.example"],
                &[],
                CorsAccess::Denied,
            ),
            (evil, &[b"null"], &[], CorsAccess::Denied),
            (
                two,
                &[b"https://evil.example"],
                &[],
                CorsAccess::Origin { credentials: false },
            ),
            (&[], &[b"https://evil.example"], &[], CorsAccess::Denied),
        ];
        for &(sent, allow_origin, allow_credentials, expected) in cases {
            assert_eq!(
                cors_access(sent, allow_origin, allow_credentials),
                expected,
                "sent {sent:?}, allow-origin {allow_origin:?}, credentials {allow_credentials:?}"
            );
        }
    }

    #[test]
    fn judged_responses() {
        let sent: &[&[u8]] = &[b"https://evil.example"];
        let reflected = b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: https://evil.example\r\n\
            Access-Control-Allow-Credentials: true\r\nVary: Origin\r\n\r\n";
        let get = judge("GET", reflected, sent, false);
        assert_eq!(get.outcome, Outcome::Accepted);
        assert!(get.credentials);
        assert_eq!(get.detail, "200 OK, allow-origin matches + credentials");
        assert_eq!(
            get.headers,
            [
                (
                    "access-control-allow-origin".into(),
                    "https://evil.example".into()
                ),
                ("access-control-allow-credentials".into(), "true".into()),
                ("vary".into(), "Origin".into()),
            ]
        );

        let forbidden =
            b"HTTP/1.1 403 Forbidden\r\nAccess-Control-Allow-Origin: https://evil.example\r\n\r\n";
        assert_eq!(
            judge("GET", forbidden, sent, false).outcome,
            Outcome::Accepted
        );
        let preflight = judge("OPTIONS (preflight)", forbidden, sent, true);
        assert_eq!(preflight.outcome, Outcome::Refused);

        // Whatever the server sends is escaped before it reaches a terminal.
        let hostile = b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: https://x\xff\\\"\r\n\r\n";
        let refused = judge("GET", hostile, sent, false);
        assert_eq!(refused.outcome, Outcome::Refused);
        assert_eq!(
            refused.detail,
            r#"200 OK, allow-origin "https://x\xff\\\"""#
        );

        let garbage = judge("GET", b"SSH-2.0-OpenSSH\r\n\r\n", sent, false);
        assert_eq!(garbage.outcome, Outcome::Error);
    }

    #[test]
    fn requests_carry_the_exact_origin_bytes() {
        let target: Target = "http://127.0.0.1:8080/api?x=1".parse().unwrap();
        let lines: &[&[u8]] = &[b"https://app.example.com\xc2\x85X", b"null"];
        let bytes = request_bytes(
            &target,
            "OPTIONS",
            lines,
            &[],
            &[("Access-Control-Request-Method", "POST")],
        );
        let expected = concat!(
            "OPTIONS /api?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n",
            "User-Agent: origin-audit/",
            env!("CARGO_PKG_VERSION"),
            "\r\nAccept: */*\r\nOrigin: https://app.example.com\u{85}X\r\nOrigin: null\r\n",
            "Access-Control-Request-Method: POST\r\nConnection: close\r\n\r\n",
        );
        assert_eq!(bytes, expected.as_bytes());
    }
}
