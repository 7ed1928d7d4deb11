//! Configuration errors.

/// An allowlist entry that cannot be used, with the entry and what is wrong with it.
///
/// Building a policy never panics and never keeps an entry that could not match: every entry
/// is either normalised to the origin browsers send or refused with one of these.
///
/// ```
/// use origin_policy::{ConfigErrorKind, OriginPolicy};
/// let err = "https://app.example.com/login".parse::<OriginPolicy>().unwrap_err();
/// assert_eq!(err.input(), "https://app.example.com/login");
/// assert_eq!(err.kind(), &ConfigErrorKind::Path);
/// assert_eq!(
///     err.to_string(),
///     "invalid allowlist entry \"https://app.example.com/login\": an origin has no path: remove everything after the host and port"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid allowlist entry {input:?}: {kind}")]
pub struct ConfigError {
    input: String,
    kind: ConfigErrorKind,
}

impl ConfigError {
    pub(crate) fn new(input: &str, kind: ConfigErrorKind) -> ConfigError {
        ConfigError {
            input: input.to_owned(),
            kind,
        }
    }

    /// The entry as it was given.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// What is wrong with it.
    pub fn kind(&self) -> &ConfigErrorKind {
        &self.kind
    }
}

/// What is wrong with an allowlist entry. Each message says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// The list holds no entry at all.
    #[error("the allowlist is empty: list at least one origin, such as `https://app.example.com`")]
    EmptyList,
    /// The entry has spaces, controls or other characters that separate or break entries.
    #[error("an entry cannot hold whitespace or control characters: separate entries with commas or spaces")]
    Whitespace,
    /// No `scheme://` in front.
    #[error("the entry has no scheme: write the full origin, such as `https://app.example.com`")]
    MissingScheme,
    /// `ws://` or `wss://`: the socket's scheme, not the page's.
    #[error("`{0}` is the WebSocket URL's scheme, but browsers send the page's origin: write `http://` or `https://` instead")]
    WebSocketScheme(String),
    /// A scheme other than `http` or `https`.
    #[error(
        "the scheme `{0}` has no web origins a browser sends: only `http` and `https` are allowed"
    )]
    UnsupportedScheme(String),
    /// The literal `null`.
    #[error("`null` is not an origin: opaque origins are refused unless `OriginPolicyBuilder::allow_null_origin` is called")]
    Null,
    /// `*` alone.
    #[error("`*` would allow every site: use an explicit list, or `OriginPolicyBuilder::allow_any_origin_dangerously` if that is truly meant")]
    AnyOrigin,
    /// A `*` anywhere but as the whole left-most label.
    #[error("the wildcard must be the whole left-most label, as in `https://*.example.com`")]
    MisplacedWildcard,
    /// A wildcard followed by fewer than two labels (`https://*.com`).
    #[error("the wildcard must be followed by at least two labels, as in `https://*.example.com`")]
    WildcardTooBroad,
    /// A wildcard in front of an IP address.
    #[error("a wildcard cannot stand in front of an IP address: list the address itself")]
    WildcardOnIp,
    /// `user@` or `user:password@` before the host.
    #[error("an origin has no user name or password: remove everything up to and including `@`")]
    Userinfo,
    /// Something after the host and port other than one trailing `/`.
    #[error("an origin has no path: remove everything after the host and port")]
    Path,
    /// A `?query`.
    #[error("an origin has no query: remove `?` and everything after it")]
    Query,
    /// A `#fragment`.
    #[error("an origin has no fragment: remove `#` and everything after it")]
    Fragment,
    /// Nothing between `://` and the port or end.
    #[error("the host is empty: write a host name or IP address after `://`")]
    EmptyHost,
    /// The port is not a number from 1 to 65535.
    #[error("the port must be a number from 1 to 65535, or left out for the scheme's default")]
    InvalidPort,
    /// A port list that is not `[port,port,...]` with ports from 1 to 65535.
    #[error("a port list is written `:[8443,9443]`: numbers from 1 to 65535 separated by commas, no spaces")]
    InvalidPortList,
    /// `:*` on a host that is not loopback, without the builder's explicit opt-in.
    #[error("any port (`:*`) is only for loopback hosts such as `http://localhost:*`: list the ports (`:[8443,9443]`), or use `OriginPolicyBuilder::allow_any_port_off_loopback`")]
    AnyPortOffLoopback,
    /// A wildcard whose base domain is a public suffix (`https://*.co.uk`).
    #[error("`{0}` is a public suffix, so the wildcard would match sites of unrelated owners: use a registrable domain such as `https://*.example.co.uk`, or `OriginPolicyBuilder::allow_wildcard_on_public_suffix` if you run the suffix")]
    PublicSuffixWildcard(String),
    /// A wildcard whose base has a Public Suffix List wildcard rule below it
    /// (`https://*.compute.amazonaws.com` under the rule `*.compute.amazonaws.com`): every name
    /// directly under the base is a public suffix, so the wildcard could only match the
    /// list's exceptions, if it has any.
    #[error("every name directly under `{0}` is a public suffix (Public Suffix List rule `*.{0}`), so the wildcard cannot match the sites there: list their exact origins, or use `OriginPolicyBuilder::allow_wildcard_on_public_suffix` if you run the suffix")]
    WildcardOverSuffixRule(String),
    /// The host cannot be parsed as a domain or IP address.
    #[error("the host is not valid: {0}")]
    InvalidHost(String),
    /// The host is valid for a URL but is never sent by a browser in that spelling, so the
    /// entry could never match.
    #[error("the entry could never match what browsers send: {0}")]
    NeverMatches(&'static str),
    /// An environment variable read by `OriginPolicy::from_env` is unset or not Unicode.
    #[error("the environment variable {0}")]
    Env(&'static str),
}
