//! [`Decision`]: what a policy concluded about a request, why, and the rejection response.

use std::fmt;

use http::{header, HeaderValue, Response, StatusCode};

use crate::app_origin::AppOrigin;
use crate::excerpt::OriginExcerpt;
use crate::origin::Origin;
use crate::pattern::OriginPattern;

/// The outcome of checking a request's `Origin` against an [`OriginPolicy`](crate::OriginPolicy).
///
/// Either the request is allowed, with the rule that allowed it, or it is denied, with a reason.
/// Both carry an [`OriginExcerpt`] of what the request presented. `Display` gives one line
/// that is safe for logs: the presented value is escaped and truncated.
///
/// ```
/// use origin_policy::{Decision, DenyReason, OriginPolicy};
/// let policy: OriginPolicy = "https://app.example.com".parse()?;
///
/// let decision = policy.check_value(b"https://app.example.com");
/// assert!(decision.is_allowed());
/// assert_eq!(decision.matched_rule().unwrap().to_string(), "https://app.example.com");
///
/// let decision = policy.check_value(b"https://evil.example");
/// assert_eq!(decision.deny_reason(), Some(DenyReason::NotAllowed));
/// assert_eq!(decision.to_string(), r#"deny origin "https://evil.example": the origin is not allowed"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "a Decision does nothing until the request is refused when it is denied"]
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// The origin is allowed.
    Allow {
        /// The rule that allowed it.
        rule: MatchedRule,
        /// What the request presented.
        origin: OriginExcerpt,
    },
    /// The origin is denied.
    Deny {
        /// Why.
        reason: DenyReason,
        /// What the request presented (the first value, if there were several).
        origin: OriginExcerpt,
    },
}

impl Decision {
    pub(crate) fn allow(rule: MatchedRule, origin: OriginExcerpt) -> Decision {
        Decision::Allow { rule, origin }
    }

    pub(crate) fn deny(reason: DenyReason, origin: OriginExcerpt) -> Decision {
        Decision::Deny { reason, origin }
    }

    /// Whether the request may proceed.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allow { .. })
    }

    /// The rule that allowed the request, if it was allowed.
    pub fn matched_rule(&self) -> Option<&MatchedRule> {
        match self {
            Decision::Allow { rule, .. } => Some(rule),
            Decision::Deny { .. } => None,
        }
    }

    /// Why the request was denied, if it was.
    pub fn deny_reason(&self) -> Option<DenyReason> {
        match self {
            Decision::Allow { .. } => None,
            Decision::Deny { reason, .. } => Some(*reason),
        }
    }

    /// What the request presented as its `Origin` (escaped when displayed).
    pub fn origin(&self) -> &OriginExcerpt {
        match self {
            Decision::Allow { origin, .. } | Decision::Deny { origin, .. } => origin,
        }
    }

    /// The response that refuses a denied request: `403 Forbidden`, a short plain-text body
    /// naming the reason in general terms (never echoing the request's `Origin` or `Host`),
    /// `Content-Length` and `Connection: close`. `None` when the request is allowed.
    ///
    /// The body type only needs `From<&'static str>` (`String`, `Vec<u8>`, `Bytes`, `Body`
    /// types of most frameworks).
    ///
    /// ```
    /// use origin_policy::OriginPolicy;
    /// let policy: OriginPolicy = "https://app.example.com".parse()?;
    /// let response = policy.check_value(b"null").rejection::<String>().unwrap();
    /// assert_eq!(response.status(), 403);
    /// assert_eq!(response.body(), "forbidden: the origin null is not allowed\n");
    /// assert!(policy.check_value(b"https://app.example.com").rejection::<String>().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rejection<B: From<&'static str>>(&self) -> Option<Response<B>> {
        let reason = self.deny_reason()?;
        Some(reason.rejection())
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Decision::Allow { rule, origin } => write!(f, "allow origin {origin} by rule {rule}"),
            Decision::Deny {
                reason: DenyReason::Missing,
                ..
            } => write!(f, "deny: {}", DenyReason::Missing),
            Decision::Deny { reason, origin } => write!(f, "deny origin {origin}: {reason}"),
        }
    }
}

/// The rule of the policy that allowed a request.
///
/// Cloning is cheap (reference counts), and it holds no borrowed data, so it can be kept in
/// request extensions or sent to another task.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MatchedRule {
    /// An exact allowlist entry, in its canonical form.
    Exact(Origin),
    /// A pattern: wildcard subdomains and/or a port rule.
    Pattern(OriginPattern),
    /// One of the server's own public origins (`OriginPolicyBuilder::same_origin`).
    SameOrigin(Origin),
    /// The origin is `scheme://` plus the request's `Host`
    /// (`OriginPolicyBuilder::same_origin_from_host`).
    SameOriginFromHost,
    /// `OriginPolicyBuilder::allow_any_origin_dangerously`.
    AnyOrigin,
    /// No `Origin` header, allowed by `OriginPolicyBuilder::allow_missing_origin`.
    MissingOrigin,
    /// `Origin: null`, allowed by `OriginPolicyBuilder::allow_null_origin`.
    NullOrigin,
    /// A browser extension's or app webview's origin, allowed by
    /// `OriginPolicyBuilder::allow_extension_or_app_origin`.
    AppOrigin(AppOrigin),
}

impl fmt::Display for MatchedRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatchedRule::Exact(origin) => origin.fmt(f),
            MatchedRule::Pattern(pattern) => pattern.fmt(f),
            MatchedRule::SameOrigin(origin) => write!(f, "{origin} (same origin)"),
            MatchedRule::SameOriginFromHost => f.write_str("(same origin as Host)"),
            MatchedRule::AnyOrigin => f.write_str("(any origin)"),
            MatchedRule::MissingOrigin => f.write_str("(missing origin allowed)"),
            MatchedRule::NullOrigin => f.write_str("(null origin allowed)"),
            MatchedRule::AppOrigin(origin) => write!(f, "{origin} ({})", origin.kind()),
        }
    }
}

/// Why a request was denied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DenyReason {
    /// The request has no `Origin` header. Browsers always send one on WebSocket handshakes;
    /// non-browser clients often do not.
    Missing,
    /// `Origin: null`: an opaque origin (sandboxed iframe, `file:` or `data:` page, ...).
    Null,
    /// Several `Origin` header lines, or several origins in one value. Browsers never send
    /// that; a server cannot tell which one to believe.
    Multiple,
    /// The value is not a serialized origin (path, userinfo, bad port, stray characters,
    /// non-canonical IP, non-ASCII, ...).
    Malformed,
    /// A well-formed origin that no rule allows.
    NotAllowed,
}

impl DenyReason {
    /// A short, fixed description (also the `Display` text); it never contains request data.
    pub const fn as_str(self) -> &'static str {
        match self {
            DenyReason::Missing => "no Origin header",
            DenyReason::Null => "the origin null is not allowed",
            DenyReason::Multiple => "several origins",
            DenyReason::Malformed => "the origin is malformed",
            DenyReason::NotAllowed => "the origin is not allowed",
        }
    }

    /// A stable machine-readable name: `missing`, `null`, `multiple`, `malformed`,
    /// `not-allowed`; for metrics labels.
    pub const fn code(self) -> &'static str {
        match self {
            DenyReason::Missing => "missing",
            DenyReason::Null => "null",
            DenyReason::Multiple => "multiple",
            DenyReason::Malformed => "malformed",
            DenyReason::NotAllowed => "not-allowed",
        }
    }

    const fn body(self) -> &'static str {
        match self {
            DenyReason::Missing => "forbidden: no Origin header\n",
            DenyReason::Null => "forbidden: the origin null is not allowed\n",
            DenyReason::Multiple => "forbidden: several origins\n",
            DenyReason::Malformed => "forbidden: the origin is malformed\n",
            DenyReason::NotAllowed => "forbidden: the origin is not allowed\n",
        }
    }

    /// The `403 Forbidden` response for this reason (see [`Decision::rejection`]).
    pub fn rejection<B: From<&'static str>>(self) -> Response<B> {
        let mut response = plain_text(StatusCode::FORBIDDEN, self.body());
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        response
    }
}

/// A refusal with a fixed plain-text body: the status, `Content-Type: text/plain;
/// charset=utf-8` and `Content-Length`. Every rejection the crate writes (origin, CORS
/// preflight, handshake guard) starts here; none of them echoes the request.
pub(crate) fn plain_text<B: From<&'static str>>(
    status: StatusCode,
    body: &'static str,
) -> Response<B> {
    let mut response = Response::new(B::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
    response
}

impl fmt::Display for DenyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [DenyReason; 5] = [
        DenyReason::Missing,
        DenyReason::Null,
        DenyReason::Multiple,
        DenyReason::Malformed,
        DenyReason::NotAllowed,
    ];

    #[test]
    fn rejection_responses() {
        for reason in ALL {
            let response: Response<String> = reason.rejection();
            assert_eq!(response.status(), StatusCode::FORBIDDEN);
            assert_eq!(
                response.headers()[header::CONTENT_TYPE],
                "text/plain; charset=utf-8"
            );
            assert_eq!(response.headers()[header::CONNECTION], "close");
            assert_eq!(
                response.headers()[header::CONTENT_LENGTH],
                response.body().len().to_string().as_str()
            );
            assert!(response.body().starts_with("forbidden: "), "{reason:?}");
            assert!(response.body().contains(reason.as_str()), "{reason:?}");
        }
    }

    #[test]
    fn display() {
        let origin = OriginExcerpt::new(b"https://evil.example\n");
        assert_eq!(
            Decision::deny(DenyReason::Malformed, origin).to_string(),
            r#"deny origin "https://evil.example\x0a": the origin is malformed"#
        );
        assert_eq!(
            Decision::deny(DenyReason::Missing, OriginExcerpt::ABSENT).to_string(),
            "deny: no Origin header"
        );
        assert_eq!(
            Decision::allow(MatchedRule::MissingOrigin, OriginExcerpt::ABSENT).to_string(),
            "allow origin (none) by rule (missing origin allowed)"
        );
        let codes: Vec<_> = ALL.iter().map(|r| r.code()).collect();
        assert_eq!(
            codes,
            ["missing", "null", "multiple", "malformed", "not-allowed"]
        );
    }
}
