//! CORS configuration errors.

/// A CORS setting that cannot be used, with the offending input and what is wrong with it.
///
/// [`CorsBuilder::build`](super::CorsBuilder::build) returns it instead of panicking, so a
/// bad configuration read from a file fails at start-up with a message that says how to fix
/// it.
///
/// ```
/// use origin_policy::cors::{Cors, CorsConfigErrorKind};
/// use origin_policy::OriginPolicy;
///
/// let policy = OriginPolicy::builder().allow_any_origin_dangerously().build()?;
/// let err = Cors::builder(policy).allow_credentials().build().unwrap_err();
/// assert_eq!(err.kind(), &CorsConfigErrorKind::AnyOriginWithCredentials);
/// assert_eq!(
///     err.to_string(),
///     "invalid CORS setting \"(any origin)\": a policy that allows any origin cannot allow \
///      credentials, or every site could read responses made with the user's cookies: list \
///      the origins, or drop `allow_credentials`"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid CORS setting {input:?}: {kind}")]
pub struct CorsConfigError {
    input: String,
    kind: CorsConfigErrorKind,
}

impl CorsConfigError {
    pub(crate) fn new(input: &str, kind: CorsConfigErrorKind) -> CorsConfigError {
        CorsConfigError {
            input: input.to_owned(),
            kind,
        }
    }

    /// The setting as it was given (a method, a header name, `*`, or the policy rule).
    pub fn input(&self) -> &str {
        &self.input
    }

    /// What is wrong with it.
    pub fn kind(&self) -> &CorsConfigErrorKind {
        &self.kind
    }
}

/// What is wrong with a CORS setting. Each message says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CorsConfigErrorKind {
    /// Not an HTTP method token (RFC 9110 section 9.1).
    #[error("not an HTTP method: write a method token such as `PUT` (methods are case-sensitive)")]
    Method,
    /// Not a header field name (RFC 9110 section 5.1).
    #[error("not a header name: write a field name such as `x-request-id`, without `:` or spaces")]
    HeaderName,
    /// `*` in a list while credentials are allowed. With credentials, browsers read `*` as
    /// the literal name `*` (Fetch standard, CORS protocol), so it would never match.
    #[error("`*` is not a wildcard when credentials are allowed (browsers read it literally): list the names instead")]
    WildcardWithCredentials,
    /// Credentials with a policy that allows any origin: every site could read responses
    /// made with the user's cookies.
    #[error("a policy that allows any origin cannot allow credentials, or every site could read responses made with the user's cookies: list the origins, or drop `allow_credentials`")]
    AnyOriginWithCredentials,
    /// Credentials with a policy that allows `Origin: null`: any site can make a page whose
    /// origin is `null` (a sandboxed iframe) and read responses made with the user's cookies.
    #[error("a policy that allows the origin null cannot allow credentials, since any site can make a sandboxed iframe whose origin is null: drop `allow_null_origin` or `allow_credentials`")]
    NullOriginWithCredentials,
}
