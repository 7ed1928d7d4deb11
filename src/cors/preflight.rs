//! CORS-preflight requests (Fetch standard, "CORS-preflight fetch"): recognising one,
//! deciding it, and the `204` or `403` that answers it.

use std::fmt;

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode};

use super::{vary, Cors};
use crate::syntax::is_token;
use crate::{Decision, DenyReason};

/// `Access-Control-Request-Private-Network` (WICG Private Network Access, which Chromium's
/// local-network checks send on preflights to a more private address than the page's).
pub const ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");

/// `Access-Control-Allow-Private-Network`, the answer to
/// [`ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK`].
pub const ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// Whether a request is a CORS preflight: `OPTIONS` with an `Origin` and an
/// `Access-Control-Request-Method` header. Any other `OPTIONS` request is an ordinary request
/// for the application.
pub(crate) fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
    method == Method::OPTIONS
        && headers.contains_key(ORIGIN)
        && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

/// A CORS preflight, decided: allowed (answer `204 No Content` with the CORS headers) or
/// refused (answer `403 Forbidden`), and why.
///
/// Made by [`Cors::preflight`]. [`response`](Self::response) builds the answer; the
/// application's handler never sees a preflight.
#[derive(Debug, Clone)]
#[must_use = "a Preflight does nothing until its response is sent"]
pub struct Preflight<'a> {
    cors: &'a Cors,
    decision: Decision,
    denial: Option<PreflightDenial>,
    allow_origin: Option<HeaderValue>,
    private_network: bool,
}

impl<'a> Preflight<'a> {
    pub(crate) fn evaluate(cors: &'a Cors, headers: &HeaderMap, decision: Decision) -> Self {
        let private_network = headers
            .get_all(ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
            .iter()
            .any(|value| value.as_bytes().trim_ascii().eq_ignore_ascii_case(b"true"));
        let denial = match decision.deny_reason() {
            Some(reason) => Some(PreflightDenial::Origin(reason)),
            None => check_request(cors, headers, private_network).err(),
        };
        let allow_origin = match denial {
            None => {
                cors.allow_origin_value(&decision, || headers.get(http::header::ORIGIN).cloned())
            }
            Some(_) => None,
        };
        Preflight {
            cors,
            decision,
            denial,
            allow_origin,
            private_network,
        }
    }

    /// Whether everything the preflight asked for is allowed.
    pub fn is_allowed(&self) -> bool {
        self.denial.is_none()
    }

    /// Why the preflight is refused, if it is.
    pub fn denial(&self) -> Option<PreflightDenial> {
        self.denial
    }

    /// The policy's decision about the preflight's `Origin`.
    pub fn decision(&self) -> &Decision {
        &self.decision
    }

    /// The policy's decision about the preflight's `Origin`, by value.
    pub fn into_decision(self) -> Decision {
        self.decision
    }

    /// The answer to the preflight.
    ///
    /// Allowed: `204 No Content` with `Access-Control-Allow-Origin` (the request's own
    /// `Origin` value), `Access-Control-Allow-Credentials: true` if configured, the
    /// configured `Access-Control-Allow-Methods` and `Access-Control-Allow-Headers`,
    /// `Access-Control-Max-Age` if configured, `Access-Control-Allow-Private-Network: true`
    /// if asked for and allowed, and `Vary: Origin, Access-Control-Request-Method,
    /// Access-Control-Request-Headers, Access-Control-Request-Private-Network`.
    ///
    /// Refused: `403 Forbidden` with the same `Vary`, no CORS header (so the browser fails
    /// the preflight whatever it asked for), and a fixed plain-text body naming the reason
    /// in general terms: nothing from the request is echoed.
    ///
    /// The body type only needs `From<&'static str>` (the `204` has an empty body).
    pub fn response<B: From<&'static str>>(&self) -> Response<B> {
        let Some(denial) = self.denial else {
            let mut response = Response::new(B::from(""));
            *response.status_mut() = StatusCode::NO_CONTENT;
            let headers = response.headers_mut();
            if let Some(origin) = &self.allow_origin {
                headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
            }
            let cors = self.cors;
            if cors.credentials {
                headers.insert(
                    ACCESS_CONTROL_ALLOW_CREDENTIALS,
                    HeaderValue::from_static("true"),
                );
            }
            if let Some(methods) = &cors.methods.value {
                headers.insert(ACCESS_CONTROL_ALLOW_METHODS, methods.clone());
            }
            if let Some(names) = &cors.allow_headers.value {
                headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, names.clone());
            }
            if let Some(max_age) = &cors.max_age {
                headers.insert(ACCESS_CONTROL_MAX_AGE, max_age.clone());
            }
            if self.private_network {
                headers.insert(
                    ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
                    HeaderValue::from_static("true"),
                );
            }
            vary::merge(headers, vary::PREFLIGHT);
            return response;
        };
        let mut response = crate::decision::plain_text(StatusCode::FORBIDDEN, denial.body());
        let headers = response.headers_mut();
        vary::merge(headers, vary::PREFLIGHT);
        response
    }
}

/// Checks what an allowed origin's preflight asks for: the method, the request headers,
/// private-network access. Allocates nothing.
fn check_request(
    cors: &Cors,
    headers: &HeaderMap,
    private_network: bool,
) -> Result<(), PreflightDenial> {
    let mut methods = headers.get_all(ACCESS_CONTROL_REQUEST_METHOD).iter();
    let method = match (methods.next(), methods.next()) {
        (Some(method), None) => method.as_bytes().trim_ascii(),
        _ => return Err(PreflightDenial::Malformed),
    };
    if !is_token(method) {
        return Err(PreflightDenial::Malformed);
    }
    if !cors.methods.allows(method) {
        return Err(PreflightDenial::Method);
    }
    // A list field: its lines are one comma-separated list, and empty items are ignored
    // (RFC 9110 section 5.6.1).
    let names = headers
        .get_all(ACCESS_CONTROL_REQUEST_HEADERS)
        .iter()
        .flat_map(|value| value.as_bytes().split(|&b| b == b','))
        .map(<[u8]>::trim_ascii)
        .filter(|name| !name.is_empty());
    let mut refused = None;
    for name in names {
        if !is_token(name) {
            return Err(PreflightDenial::Malformed);
        }
        if refused.is_none() && !cors.allow_headers.allows(name) {
            // Keep looking: a malformed item anywhere makes the whole request malformed.
            refused = Some(PreflightDenial::Headers);
        }
    }
    if let Some(denial) = refused {
        return Err(denial);
    }
    if private_network && !cors.private_network {
        return Err(PreflightDenial::PrivateNetwork);
    }
    Ok(())
}

/// Why a CORS preflight is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PreflightDenial {
    /// The policy denies the `Origin`.
    Origin(DenyReason),
    /// `Access-Control-Request-Method` names a method that is not allowed.
    Method,
    /// `Access-Control-Request-Headers` names a header that is not allowed.
    Headers,
    /// `Access-Control-Request-Private-Network: true`, and private-network access is not
    /// allowed ([`CorsBuilder::allow_private_network`](super::CorsBuilder::allow_private_network)).
    PrivateNetwork,
    /// `Access-Control-Request-Method` is missing a value, repeated or not a method token, or
    /// `Access-Control-Request-Headers` holds an item that is not a header name.
    Malformed,
}

impl PreflightDenial {
    /// A short, fixed description (also the `Display` text); it never contains request data.
    pub const fn as_str(self) -> &'static str {
        match self {
            PreflightDenial::Origin(reason) => reason.as_str(),
            PreflightDenial::Method => "the requested method is not allowed",
            PreflightDenial::Headers => "a requested header is not allowed",
            PreflightDenial::PrivateNetwork => "private network access is not allowed",
            PreflightDenial::Malformed => "the preflight request is malformed",
        }
    }

    /// A stable machine-readable name for metrics labels: the [`DenyReason::code`] for an
    /// origin, else `method`, `headers`, `private-network`, `malformed-preflight`.
    pub const fn code(self) -> &'static str {
        match self {
            PreflightDenial::Origin(reason) => reason.code(),
            PreflightDenial::Method => "method",
            PreflightDenial::Headers => "headers",
            PreflightDenial::PrivateNetwork => "private-network",
            PreflightDenial::Malformed => "malformed-preflight",
        }
    }

    pub(crate) const fn body(self) -> &'static str {
        match self {
            PreflightDenial::Origin(DenyReason::Missing) => {
                "forbidden: preflight refused: no Origin header\n"
            }
            PreflightDenial::Origin(DenyReason::Null) => {
                "forbidden: preflight refused: the origin null is not allowed\n"
            }
            PreflightDenial::Origin(DenyReason::Multiple) => {
                "forbidden: preflight refused: several origins\n"
            }
            PreflightDenial::Origin(DenyReason::Malformed) => {
                "forbidden: preflight refused: the origin is malformed\n"
            }
            PreflightDenial::Origin(DenyReason::NotAllowed) => {
                "forbidden: preflight refused: the origin is not allowed\n"
            }
            PreflightDenial::Method => {
                "forbidden: preflight refused: the requested method is not allowed\n"
            }
            PreflightDenial::Headers => {
                "forbidden: preflight refused: a requested header is not allowed\n"
            }
            PreflightDenial::PrivateNetwork => {
                "forbidden: preflight refused: private network access is not allowed\n"
            }
            PreflightDenial::Malformed => {
                "forbidden: preflight refused: the preflight request is malformed\n"
            }
        }
    }
}

impl fmt::Display for PreflightDenial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
