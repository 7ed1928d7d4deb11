//! Configuration errors: one type for every setting of the crate.

use std::fmt;

/// A setting that cannot be used: which setting ([`setting`](Self::setting)), the value as
/// it was given ([`input`](Self::input)) and what is wrong with it ([`kind`](Self::kind)).
///
/// Every builder of the crate returns it (the policy, CORS, the handshake guard), so a bad
/// configuration read from a file fails at start-up with a message that says how to fix it;
/// nothing panics, and no entry that could never match is kept. `Debug` prints the message
/// too, so `?` from `main` reads well.
///
/// ```
/// use origin_policy::{ConfigErrorKind, OriginPolicy, Setting};
/// let err = "https://app.example.com/login".parse::<OriginPolicy>().unwrap_err();
/// assert_eq!(err.input(), "https://app.example.com/login");
/// assert_eq!(err.kind(), &ConfigErrorKind::Path);
/// assert_eq!(err.setting(), Setting::Allowlist);
/// assert_eq!(
///     err.to_string(),
///     "invalid allowlist entry \"https://app.example.com/login\": an origin has no path: remove everything after the host and port"
/// );
/// assert_eq!(format!("{err:?}"), format!("ConfigError({:?})", err.to_string()));
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    input: String,
    kind: ConfigErrorKind,
}

impl ConfigError {
    pub(crate) fn new(input: impl Into<String>, kind: ConfigErrorKind) -> ConfigError {
        ConfigError {
            input: input.into(),
            kind,
        }
    }

    /// The value as it was given (an entry, a method, a header name, a subprotocol, a
    /// variable name; never a secret: token values are not kept).
    pub fn input(&self) -> &str {
        &self.input
    }

    /// What is wrong with it.
    pub fn kind(&self) -> &ConfigErrorKind {
        &self.kind
    }

    /// Which setting it is.
    pub fn setting(&self) -> Setting {
        self.kind.setting()
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.setting() {
            Setting::EnvironmentVariable => {
                write!(f, "environment variable {:?} {}", self.input, self.kind)
            }
            setting => write!(f, "invalid {setting} {:?}: {}", self.input, self.kind),
        }
    }
}

impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ConfigError")
            .field(&self.to_string())
            .finish()
    }
}

/// What is wrong with a setting. Each message says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
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
    /// A browser extension's or app webview's origin (`chrome-extension://...`,
    /// `capacitor://localhost`, ...) given to `allow` or the string form, which take web
    /// origins only.
    #[error("`{0}://` origins belong to a browser extension or an app's webview, not a web page: allow one with `OriginPolicyBuilder::allow_extension_or_app_origin` (the serde field of the same name); the string form cannot express it")]
    AppOriginWithoutOptIn(String),
    /// An entry given to `allow_extension_or_app_origin` that is not an extension or app
    /// origin.
    #[error("`allow_extension_or_app_origin` takes only `chrome-extension://<id>`, `moz-extension://<uuid>`, `safari-web-extension://<uuid>`, `capacitor://localhost`, `ionic://localhost` and `tauri://localhost`: list web origins (`http://tauri.localhost` too) with `OriginPolicyBuilder::allow`")]
    NotAnAppOrigin,
    /// A `*` in an extension or app origin.
    #[error("no wildcard over an extension id or an app scheme: list each exact origin")]
    AppOriginWildcard,
    /// An extension or app origin whose identifier does not follow its scheme's grammar.
    #[error("{0}")]
    InvalidAppOrigin(&'static str),
    /// The host cannot be parsed as a domain or IP address.
    #[error("the host is not valid: {0}")]
    InvalidHost(String),
    /// The host is valid for a URL but is never sent by a browser in that spelling, so the
    /// entry could never match.
    #[error("the entry could never match what browsers send: {0}")]
    NeverMatches(&'static str),
    /// More exact origins or patterns than one policy holds: about 4 GiB of exact origins'
    /// serializations, or 2^32 - 1 patterns of one kind.
    #[error("the policy cannot hold more entries: split the allowlist, or use wildcard patterns for the subdomains of one site")]
    TooManyEntries,
    /// An environment variable read by `OriginPolicy::from_env` is unset or not Unicode.
    #[error("{0}")]
    Env(&'static str),

    // CORS settings (`CorsBuilder::build`).
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

    // Handshake guard settings (`HandshakeGuardBuilder::build`, `StaticTokens::new`).
    /// `subprotocols` was given an empty list.
    #[error("the subprotocol list is empty: name at least one, as in `graphql-transport-ws`, or do not call `subprotocols`")]
    EmptySubprotocolList,
    /// A server subprotocol is not an HTTP token.
    #[error("a subprotocol is an HTTP token: letters, digits and !#$%&'*+-.^_`|~, as in `graphql-transport-ws`")]
    InvalidSubprotocol,
    /// A server subprotocol is listed twice.
    #[error("the subprotocol is listed twice: list each once, in order of preference")]
    DuplicateSubprotocol,
    /// A server subprotocol starts with the prefix of the credential carried in
    /// `Sec-WebSocket-Protocol`, so it would be read as a token.
    #[error("the subprotocol starts with the credential prefix, so clients' tokens would be taken for it: rename it or change the credential prefix")]
    SubprotocolIsCredential,
    /// A cookie or query parameter name is not an HTTP token (cookies) or is empty.
    #[error("a cookie or query parameter name is a non-empty HTTP token, as in `session`")]
    InvalidCredentialName,
    /// The prefix of a subprotocol-carried credential is not a token ending with `.`.
    #[error("a subprotocol credential prefix is an HTTP token ending with `.`, as in `base64url.bearer.authorization.k8s.io.`")]
    InvalidCredentialPrefix,
    /// A token carried in `Sec-WebSocket-Protocol` without a subprotocol list: the response
    /// would name no protocol, and clients fail such a handshake.
    #[error("a token in Sec-WebSocket-Protocol needs `subprotocols(..)`: clients fail a handshake whose response names none of the protocols they offered, so list the real protocol they send beside the token")]
    CredentialSubprotocolWithoutList,
    /// Cookie authentication with a policy that allows any origin.
    #[error("cookie authentication with a policy that allows any origin is cross-site WebSocket hijacking by design: list the origins that may connect, or authenticate with a credential browsers do not send on their own")]
    CookieWithAnyOrigin,
    /// Cookie authentication with a policy that allows `Origin: null`.
    #[error("cookie authentication with a policy that allows the null origin lets any site in through a sandboxed iframe: remove `allow_null_origin`, or authenticate with a credential browsers do not send on their own")]
    CookieWithNullOrigin,
    /// The `WWW-Authenticate` challenge is not a valid header value.
    #[error("a WWW-Authenticate challenge is visible ASCII, as in `Bearer realm=\"api\"`")]
    InvalidChallenge,
    /// A static token is empty.
    #[error("a static token is empty: an empty token would match a missing credential")]
    EmptyToken,
}

impl ConfigErrorKind {
    /// The setting this kind of error is about.
    pub fn setting(&self) -> Setting {
        use ConfigErrorKind::*;
        match self {
            Env(_) => Setting::EnvironmentVariable,
            Method
            | HeaderName
            | WildcardWithCredentials
            | AnyOriginWithCredentials
            | NullOriginWithCredentials => Setting::Cors,
            EmptySubprotocolList
            | InvalidSubprotocol
            | DuplicateSubprotocol
            | SubprotocolIsCredential
            | InvalidCredentialName
            | InvalidCredentialPrefix
            | CredentialSubprotocolWithoutList
            | CookieWithAnyOrigin
            | CookieWithNullOrigin
            | InvalidChallenge
            | EmptyToken => Setting::HandshakeGuard,
            _ => Setting::Allowlist,
        }
    }
}

/// Which setting a [`ConfigError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Setting {
    /// An entry of the origin allowlist (`OriginPolicyBuilder`, the string form, serde).
    Allowlist,
    /// The environment variable read by `OriginPolicy::from_env`.
    EnvironmentVariable,
    /// A CORS setting (`CorsBuilder`).
    Cors,
    /// A handshake guard setting (`HandshakeGuardBuilder`, `StaticTokens`).
    HandshakeGuard,
}

impl Setting {
    /// A stable machine-readable name: `allowlist`, `env`, `cors`, `guard`.
    pub const fn code(self) -> &'static str {
        match self {
            Setting::Allowlist => "allowlist",
            Setting::EnvironmentVariable => "env",
            Setting::Cors => "cors",
            Setting::HandshakeGuard => "guard",
        }
    }

    /// How messages name it: `allowlist entry`, `environment variable`, `CORS setting`,
    /// `handshake guard setting`.
    const fn noun(self) -> &'static str {
        match self {
            Setting::Allowlist => "allowlist entry",
            Setting::EnvironmentVariable => "environment variable",
            Setting::Cors => "CORS setting",
            Setting::HandshakeGuard => "handshake guard setting",
        }
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.noun())
    }
}
