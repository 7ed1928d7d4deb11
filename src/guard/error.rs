//! [`GuardConfigError`]: why a [`HandshakeGuard`](super::HandshakeGuard) could not be built.

use std::fmt;

/// A [`HandshakeGuardBuilder`](super::HandshakeGuardBuilder) setting that cannot work, with
/// the offending input and what is wrong with it.
///
/// ```
/// use origin_policy::guard::{GuardConfigErrorKind, HandshakeGuard};
/// use origin_policy::OriginPolicy;
///
/// let policy: OriginPolicy = "https://app.example.com".parse()?;
/// let err = HandshakeGuard::builder(policy)
///     .subprotocols(["graphql ws"])
///     .build()
///     .unwrap_err();
/// assert_eq!(err.kind(), &GuardConfigErrorKind::InvalidSubprotocol);
/// assert_eq!(err.input(), "graphql ws");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid handshake guard setting {input:?}: {kind}")]
pub struct GuardConfigError {
    input: String,
    kind: GuardConfigErrorKind,
}

impl GuardConfigError {
    pub(crate) fn new(input: impl Into<String>, kind: GuardConfigErrorKind) -> GuardConfigError {
        GuardConfigError {
            input: input.into(),
            kind,
        }
    }

    /// The setting that was refused (never a secret: token values are not kept).
    pub fn input(&self) -> &str {
        &self.input
    }

    /// What is wrong with it.
    pub fn kind(&self) -> &GuardConfigErrorKind {
        &self.kind
    }
}

/// What is wrong with a [`GuardConfigError`]'s input.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GuardConfigErrorKind {
    /// `subprotocols` was given an empty list.
    EmptySubprotocolList,
    /// A server subprotocol is not an HTTP token.
    InvalidSubprotocol,
    /// A server subprotocol is listed twice.
    DuplicateSubprotocol,
    /// A server subprotocol starts with the prefix of the credential carried in
    /// `Sec-WebSocket-Protocol`, so it would be read as a token.
    SubprotocolIsCredential,
    /// A cookie or query parameter name is not an HTTP token (cookies) or is empty.
    InvalidCredentialName,
    /// The prefix of a subprotocol-carried credential is not a token ending with `.`.
    InvalidCredentialPrefix,
    /// A token carried in `Sec-WebSocket-Protocol` without a subprotocol list: the response
    /// would name no protocol, and clients fail such a handshake.
    CredentialSubprotocolWithoutList,
    /// Cookie authentication with a policy that allows any origin.
    CookieWithAnyOrigin,
    /// Cookie authentication with a policy that allows `Origin: null`.
    CookieWithNullOrigin,
    /// The `WWW-Authenticate` challenge is not a valid header value.
    InvalidChallenge,
    /// A static token is empty.
    EmptyToken,
}

impl fmt::Display for GuardConfigErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GuardConfigErrorKind::EmptySubprotocolList => {
                "the subprotocol list is empty: name at least one, as in `graphql-transport-ws`, \
                 or do not call `subprotocols`"
            }
            GuardConfigErrorKind::InvalidSubprotocol => {
                "a subprotocol is an HTTP token: letters, digits and !#$%&'*+-.^_`|~, \
                 as in `graphql-transport-ws`"
            }
            GuardConfigErrorKind::DuplicateSubprotocol => {
                "the subprotocol is listed twice: list each once, in order of preference"
            }
            GuardConfigErrorKind::SubprotocolIsCredential => {
                "the subprotocol starts with the credential prefix, so clients' tokens would be \
                 taken for it: rename it or change the credential prefix"
            }
            GuardConfigErrorKind::InvalidCredentialName => {
                "a cookie or query parameter name is a non-empty HTTP token, as in `session`"
            }
            GuardConfigErrorKind::InvalidCredentialPrefix => {
                "a subprotocol credential prefix is an HTTP token ending with `.`, \
                 as in `base64url.bearer.authorization.k8s.io.`"
            }
            GuardConfigErrorKind::CredentialSubprotocolWithoutList => {
                "a token in Sec-WebSocket-Protocol needs `subprotocols(..)`: clients fail a \
                 handshake whose response names none of the protocols they offered, so list the \
                 real protocol they send beside the token"
            }
            GuardConfigErrorKind::CookieWithAnyOrigin => {
                "cookie authentication with a policy that allows any origin is cross-site \
                 WebSocket hijacking by design: list the origins that may connect, or \
                 authenticate with a credential browsers do not send on their own"
            }
            GuardConfigErrorKind::CookieWithNullOrigin => {
                "cookie authentication with a policy that allows the null origin lets any site \
                 in through a sandboxed iframe: remove `allow_null_origin`, or authenticate with \
                 a credential browsers do not send on their own"
            }
            GuardConfigErrorKind::InvalidChallenge => {
                "a WWW-Authenticate challenge is visible ASCII, as in `Bearer realm=\"api\"`"
            }
            GuardConfigErrorKind::EmptyToken => {
                "a static token is empty: an empty token would match a missing credential"
            }
        })
    }
}
