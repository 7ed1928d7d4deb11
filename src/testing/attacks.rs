//! The attack generator: `Origin` values built from trusted origins, one attack class at a
//! time, with the class names of the crate's corpus (`tests/corpus/origins.tsv`). The
//! `origin-audit` tool sends exactly these.

use std::collections::HashSet;
use std::fmt;

use crate::Origin;

/// The attacker's site in generated values. `.example` is reserved (RFC 2606): nobody owns it,
/// so a value that leaks into logs or a cache can never point at a real site.
pub const EVIL_HOST: &str = "evil.example";

/// An unrelated origin, the same in every audit.
pub const EVIL_ORIGIN: &str = "https://evil.example";

/// A class of `Origin` values, named as in the crate's attack corpus (`tests/corpus/`).
///
/// The first four are the trusted origin and spellings of it; every other class is an
/// attack that a correct check refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Class {
    /// The trusted origin itself, as a browser sends it.
    ExactAllowed,
    /// The trusted origin in upper case (browsers send lower case).
    CaseVariant,
    /// The trusted origin with its default port written out.
    DefaultPort,
    /// The trusted host fully qualified, with a trailing dot.
    TrailingDot,
    /// No `Origin` header, an empty one, or two header lines.
    MissingOrRepeated,
    /// The opaque origin `null`.
    NullOpaque,
    /// Unrelated sites, the parent domain and a sibling.
    ReflectArbitrary,
    /// Sites where anyone can publish pages (GitHub Pages, CodePen, JSFiddle, Vercel, Netlify,
    /// Cloudflare Pages, ...): a pattern such as `/\.github\.io$/` trusts all of them.
    UserContentHost,
    /// Origins of development servers on the user's own machine (`http://localhost:3000`,
    /// `:5173`, `:8080`, `http://127.0.0.1:...`): any local program, or a page that a
    /// malicious dependency serves there, can use them.
    DevelopmentOrigin,
    /// Values given with `origin-audit --attack`.
    UserSupplied,
    /// The trusted origin as a prefix of another host.
    PrefixMatch,
    /// The trusted host as a suffix without a dot before it.
    SuffixMatch,
    /// A `.` replaced by another character, as an unescaped regex dot matches.
    UnescapedDot,
    /// A subdomain of the trusted host.
    SubdomainOfExact,
    /// The trusted host with another scheme (downgrade, upgrade, `ws`/`wss`).
    SchemeMismatch,
    /// The trusted host on another port.
    PortMismatch,
    /// A port that wraps to the trusted one in 16-bit arithmetic.
    PortOverflow,
    /// Characters some parsers let end a host early.
    SpecialChar,
    /// Authority confusion with `@`.
    Userinfo,
    /// A path, query or trailing slash after the authority.
    PathQueryFragment,
    /// Percent-encoded characters in the host.
    PercentEncoding,
    /// Spellings a WHATWG URL parser repairs into the trusted origin.
    WhatwgLeniency,
    /// Several origins in one header value.
    MultipleOrigins,
    /// Line-break look-alikes and encoded CR LF that a client can put on the wire.
    HeaderInjection,
}

impl Class {
    /// Every class, in report order.
    pub const ALL: &'static [Class] = &[
        Class::ExactAllowed,
        Class::CaseVariant,
        Class::DefaultPort,
        Class::TrailingDot,
        Class::MissingOrRepeated,
        Class::NullOpaque,
        Class::ReflectArbitrary,
        Class::UserContentHost,
        Class::DevelopmentOrigin,
        Class::UserSupplied,
        Class::PrefixMatch,
        Class::SuffixMatch,
        Class::UnescapedDot,
        Class::SubdomainOfExact,
        Class::SchemeMismatch,
        Class::PortMismatch,
        Class::PortOverflow,
        Class::SpecialChar,
        Class::Userinfo,
        Class::PathQueryFragment,
        Class::PercentEncoding,
        Class::WhatwgLeniency,
        Class::MultipleOrigins,
        Class::HeaderInjection,
    ];

    /// The corpus name, e.g. `prefix-match`.
    pub const fn name(self) -> &'static str {
        match self {
            Class::ExactAllowed => "exact-allowed",
            Class::CaseVariant => "case-variant",
            Class::DefaultPort => "default-port",
            Class::TrailingDot => "trailing-dot",
            Class::MissingOrRepeated => "missing-or-repeated",
            Class::NullOpaque => "null-opaque",
            Class::ReflectArbitrary => "reflect-arbitrary",
            Class::UserContentHost => "user-content-host",
            Class::DevelopmentOrigin => "development-origin",
            Class::UserSupplied => "user-supplied",
            Class::PrefixMatch => "prefix-match",
            Class::SuffixMatch => "suffix-match",
            Class::UnescapedDot => "unescaped-dot",
            Class::SubdomainOfExact => "subdomain-of-exact",
            Class::SchemeMismatch => "scheme-mismatch",
            Class::PortMismatch => "port-mismatch",
            Class::PortOverflow => "port-overflow",
            Class::SpecialChar => "special-char",
            Class::Userinfo => "userinfo",
            Class::PathQueryFragment => "path-query-fragment",
            Class::PercentEncoding => "percent-encoding",
            Class::WhatwgLeniency => "whatwg-leniency",
            Class::MultipleOrigins => "multiple-origins",
            Class::HeaderInjection => "header-injection",
        }
    }

    /// The class with this corpus name.
    ///
    /// ```
    /// use origin_policy::testing::Class;
    /// assert_eq!(Class::from_name("null-opaque"), Some(Class::NullOpaque));
    /// assert_eq!(Class::from_name("nope"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Class> {
        Class::ALL
            .iter()
            .copied()
            .find(|class| class.name() == name)
    }

    /// What a server that accepts a value of this class gets wrong (for attack classes), or
    /// what the answer tells (for the trusted origin and its spellings).
    pub const fn risk(self) -> &'static str {
        match self {
            Class::ExactAllowed => "the trusted origin must be accepted",
            Class::CaseVariant => "browsers send lower case; either answer is safe",
            Class::DefaultPort => "browsers omit the default port; either answer is safe",
            Class::TrailingDot => {
                "a different origin on the same host; only the host's owner can serve it"
            }
            Class::MissingOrRepeated => {
                "accepts no Origin, an empty one or two header lines: the check can be skipped or confused"
            }
            Class::NullOpaque => {
                "trusts `null`: any site can send it from a sandboxed iframe or a data: URL"
            }
            Class::ReflectArbitrary => {
                "accepts an origin it was never given: no check, or the Origin is reflected"
            }
            Class::UserContentHost => {
                "trusts a site where anyone can publish a page: every such page is trusted"
            }
            Class::DevelopmentOrigin => {
                "trusts a development server's origin: any program on the user's machine can serve it"
            }
            Class::UserSupplied => "accepts a value you named as an attack",
            Class::PrefixMatch => {
                "matches the trusted origin as a prefix: `<trusted>.evil.example` is anyone's domain"
            }
            Class::SuffixMatch => {
                "matches the trusted host as a suffix without a label boundary: `evil<host>` is anyone's domain"
            }
            Class::UnescapedDot => "a regular expression with an unescaped `.` matches any character",
            Class::SubdomainOfExact => {
                "accepts subdomains of an exact origin: a taken-over or user-content subdomain becomes trusted"
            }
            Class::SchemeMismatch => {
                "ignores the scheme: a plain-http page, which a network attacker can inject into, is trusted"
            }
            Class::PortMismatch => "ignores the port: every other service on the host is trusted",
            Class::PortOverflow => "reads the port with wrapping arithmetic",
            Class::SpecialChar => "a lenient host parser: an unusual character ends the match early",
            Class::Userinfo => "parses the value as a URL and looks at the wrong part of `user@host`",
            Class::PathQueryFragment => {
                "accepts text after the authority: a prefix or substring match, or a lenient URL parse"
            }
            Class::PercentEncoding => "percent-decodes the value before comparing",
            Class::WhatwgLeniency => "repairs the value with a URL parser before comparing",
            Class::MultipleOrigins => "accepts a list of origins in one value: one good entry is enough",
            Class::HeaderInjection => {
                "accepts line-break look-alikes or encoded CR LF around the trusted origin"
            }
        }
    }

    /// The one-line fix for a server that accepts values of this class.
    ///
    /// ```
    /// use origin_policy::testing::Class;
    /// assert!(Class::PrefixMatch.fix().starts_with("compare the whole origin"));
    /// ```
    pub const fn fix(self) -> &'static str {
        match self {
            Class::ExactAllowed => {
                "make the endpoint accept the trusted origin (send credentials with `--header`, \
                 forward `Origin` through the proxy)"
            }
            Class::CaseVariant | Class::DefaultPort | Class::TrailingDot => "nothing to fix",
            Class::MissingOrRepeated => {
                "refuse a handshake without exactly one `Origin` header (allow missing only for \
                 non-browser clients that authenticate otherwise)"
            }
            Class::NullOpaque => "remove `null` from the allowlist",
            Class::ReflectArbitrary => {
                "check `Origin` against an allowlist of exact origins; never echo the request's \
                 `Origin` unchecked"
            }
            Class::UserContentHost => {
                "list your own pages by exact origin instead of a pattern over a shared hosting domain"
            }
            Class::DevelopmentOrigin => {
                "keep development origins out of the production allowlist"
            }
            Class::UserSupplied => "remove this origin from the allowlist",
            Class::PrefixMatch | Class::SuffixMatch | Class::SubdomainOfExact => {
                "compare the whole origin (scheme, host, port) for equality, not as a prefix, \
                 suffix or substring"
            }
            Class::UnescapedDot => "escape `.` in the pattern, or better, compare exact origins",
            Class::SchemeMismatch => "compare the scheme too; trust `https` origins only",
            Class::PortMismatch | Class::PortOverflow => "compare the port too",
            Class::SpecialChar
            | Class::Userinfo
            | Class::PathQueryFragment
            | Class::PercentEncoding
            | Class::WhatwgLeniency
            | Class::MultipleOrigins
            | Class::HeaderInjection => {
                "accept only a serialized origin (`scheme://host[:port]`) and compare it exactly; \
                 do not repair or decode the value first"
            }
        }
    }

    /// Whether the class is one of `origin-policy`'s corpus classes (the rest are only the
    /// audit's: [`Class::UserContentHost`], [`Class::DevelopmentOrigin`], [`Class::UserSupplied`]).
    pub const fn is_corpus_class(self) -> bool {
        !matches!(
            self,
            Class::UserContentHost | Class::DevelopmentOrigin | Class::UserSupplied
        )
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a correct endpoint does with a variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expectation {
    /// A trusted origin: refusing it means the endpoint or the path to it is broken.
    Accept,
    /// An attack: accepting it is a finding.
    Refuse,
    /// An equivalent or harmless spelling: reported, never a finding.
    Either,
}

impl Expectation {
    /// `accept`, `refuse` or `either`.
    pub const fn name(self) -> &'static str {
        match self {
            Expectation::Accept => "accept",
            Expectation::Refuse => "refuse",
            Expectation::Either => "either",
        }
    }
}

/// One request's `Origin` header(s) and what a correct endpoint must do with them.
///
/// Every value is valid for `http::HeaderValue::from_bytes` (no CR, LF, NUL or other
/// controls but HTAB): a conforming client can put it on the wire unchanged.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Variant {
    /// The corpus class.
    pub class: Class,
    /// Accept, refuse or either.
    pub expectation: Expectation,
    /// `None`: no `Origin` header. `Some(lines)`: one `Origin` header line per element.
    pub origin: Option<Vec<Vec<u8>>>,
    /// Whether a browser could send it: a serialized origin or `null`, in one header line. A
    /// finding a browser cannot produce shows a lenient check; one it can is exploitable from
    /// a web page.
    pub browser_can_send: bool,
}

impl fmt::Debug for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Variant")
            .field("class", &format_args!("{}", self.class))
            .field("expectation", &format_args!("{}", self.expectation.name()))
            .field(
                "origin",
                &format_args!("{}", OriginLines(self.origin.as_deref())),
            )
            .field("browser_can_send", &self.browser_can_send)
            .finish()
    }
}

/// `Origin` lines for people: `(none)`, or each line quoted with its non-printable bytes
/// escaped, joined by ` + `.
pub(crate) struct OriginLines<'a>(pub(crate) Option<&'a [Vec<u8>]>);

impl fmt::Display for OriginLines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(lines) = self.0 else {
            return f.write_str("(none)");
        };
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                f.write_str(" + ")?;
            }
            // `escape_ascii` escapes quotes, backslashes, controls and bytes over 0x7f.
            write!(f, "\"{}\"", line.escape_ascii())?;
        }
        Ok(())
    }
}

impl Variant {
    /// The `Origin` header lines, none for a request without the header.
    ///
    /// ```
    /// use origin_policy::testing::{generate, ProbeKind};
    /// let variants = generate(&["https://app.example.com".parse()?], ProbeKind::WebSocket);
    /// assert_eq!(variants[0].lines().collect::<Vec<_>>(), [b"https://app.example.com"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lines(&self) -> impl Iterator<Item = &[u8]> {
        self.origin.iter().flatten().map(Vec::as_slice)
    }

    /// The one-line reason the value matters: what a server that accepts it gets wrong
    /// ([`Class::risk`]).
    pub fn reason(&self) -> &'static str {
        self.class.risk()
    }

    pub(crate) fn new(
        class: Class,
        expectation: Expectation,
        origin: Option<Vec<Vec<u8>>>,
    ) -> Variant {
        let browser_can_send = match origin.as_deref() {
            Some([value]) => value == b"null" || Origin::parse_header(value).is_ok(),
            _ => false,
        };
        Variant {
            class,
            expectation,
            origin,
            browser_can_send,
        }
    }
}

/// Where the variants will be sent; a few variants only make sense for one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProbeKind {
    /// WebSocket handshakes (`ws://`, `wss://`).
    WebSocket,
    /// CORS requests and preflights (`http://`, `https://`).
    Cors,
}

/// The variants for these trusted origins, deduplicated, trusted origins first.
///
/// Attack values that are the same origin as one of `trusted` (after removing optional
/// whitespace, in any letter case) are left out, so that trusting both `http://` and
/// `https://` of a host does not report one as the other's downgrade. A request without
/// `Origin` is only sent to WebSocket endpoints: a browser never makes a CORS request without
/// one, so the answer to it means nothing for CORS.
///
/// ```
/// use origin_policy::testing::{generate, Class, Expectation, ProbeKind};
/// let trusted = ["https://app.example.com".parse()?];
/// let variants = generate(&trusted, ProbeKind::WebSocket);
/// assert_eq!(variants[0].expectation, Expectation::Accept);
/// let prefix = variants.iter().find(|v| v.class == Class::PrefixMatch).unwrap();
/// assert_eq!(prefix.origin.as_ref().unwrap()[0], b"https://app.example.com.evil.example");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn generate(trusted: &[Origin], kind: ProbeKind) -> Vec<Variant> {
    generate_with_attacks(trusted, kind, &[])
}

/// [`generate`], then `attacks` (class [`Class::UserSupplied`]), each an `Origin` value as the
/// user gave it.
pub fn generate_with_attacks(
    trusted: &[Origin],
    kind: ProbeKind,
    attacks: &[Vec<u8>],
) -> Vec<Variant> {
    let mut list = VariantList {
        trusted,
        seen: HashSet::new(),
        variants: Vec::new(),
    };
    for origin in trusted {
        list.push(Class::ExactAllowed, Expectation::Accept, origin.as_str());
    }
    for origin in trusted {
        spellings(&mut list, origin);
    }
    if kind == ProbeKind::WebSocket {
        list.push_lines(Class::MissingOrRepeated, None);
    }
    for origin in trusted {
        attacks_from(&mut list, origin);
    }
    for host in USER_CONTENT_HOSTS {
        list.attack(Class::UserContentHost, format!("https://{host}"));
    }
    for origin in DEVELOPMENT_ORIGINS {
        list.attack(Class::DevelopmentOrigin, *origin);
    }
    for value in attacks {
        list.attack(Class::UserSupplied, value.clone());
    }
    list.variants
}

/// Hosts where anyone can publish a page, one per service: GitHub Pages, GitLab Pages,
/// CodePen (and its preview host), JSFiddle, CodeSandbox, StackBlitz, Vercel, Netlify,
/// Cloudflare Pages, Firebase, Heroku, Glitch, Render, Surge.
pub(crate) const USER_CONTENT_HOSTS: &[&str] = &[
    "evil-example.github.io",
    "evil-example.gitlab.io",
    "codepen.io",
    "cdpn.io",
    "jsfiddle.net",
    "fiddle.jshell.net",
    "evil-example.csb.app",
    "evil-example.stackblitz.io",
    "evil-example.vercel.app",
    "evil-example.netlify.app",
    "evil-example.pages.dev",
    "evil-example.web.app",
    "evil-example.herokuapp.com",
    "evil-example.glitch.me",
    "evil-example.onrender.com",
    "evil-example.surge.sh",
];

/// The default ports of common development servers (Create React App and Express, Vite,
/// webpack-dev-server and many others, Angular, Django, Vite preview), on `localhost` and
/// `127.0.0.1`.
pub(crate) const DEVELOPMENT_ORIGINS: &[&str] = &[
    "http://localhost:3000",
    "http://localhost:5173",
    "http://localhost:8080",
    "http://localhost:4200",
    "http://localhost:8000",
    "http://localhost",
    "http://127.0.0.1:3000",
    "http://127.0.0.1:5173",
    "http://127.0.0.1:8080",
    "http://127.0.0.1",
];

/// Collects variants, skipping duplicates and attacks that are a trusted origin.
struct VariantList<'a> {
    trusted: &'a [Origin],
    seen: HashSet<Option<Vec<Vec<u8>>>>,
    variants: Vec<Variant>,
}

impl VariantList<'_> {
    fn push(&mut self, class: Class, expectation: Expectation, value: impl Into<Vec<u8>>) {
        let value = value.into();
        if expectation == Expectation::Refuse && self.is_trusted(&value) {
            return;
        }
        self.add(Variant::new(class, expectation, Some(vec![value])));
    }

    fn attack(&mut self, class: Class, value: impl Into<Vec<u8>>) {
        self.push(class, Expectation::Refuse, value);
    }

    fn push_lines(&mut self, class: Class, lines: Option<Vec<Vec<u8>>>) {
        self.add(Variant::new(class, Expectation::Refuse, lines));
    }

    fn add(&mut self, variant: Variant) {
        // Every variant must be sendable by a conforming client; a generator bug here would
        // make the probes fail to build their requests.
        debug_assert!(variant
            .origin
            .iter()
            .flatten()
            .all(|value| http::HeaderValue::from_bytes(value).is_ok()));
        if self.seen.insert(variant.origin.clone()) {
            self.variants.push(variant);
        }
    }

    fn is_trusted(&self, value: &[u8]) -> bool {
        let trimmed = value.trim_ascii();
        Origin::parse_header(trimmed).is_ok_and(|origin| self.trusted.contains(&origin))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostKind {
    /// A DNS name with at least one dot.
    Domain,
    /// One label, such as `localhost`.
    SingleLabel,
    Ipv4,
    Ipv6,
}

fn host_kind(host: &str) -> HostKind {
    if host.starts_with('[') {
        HostKind::Ipv6
    } else if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        // `Origin` holds IPv4 in dotted-quad form only; a domain's last label is never numeric.
        HostKind::Ipv4
    } else if host.contains('.') {
        HostKind::Domain
    } else {
        HostKind::SingleLabel
    }
}

/// The parts of a trusted origin the variants are built from.
struct Parts<'a> {
    canonical: &'a str,
    scheme: &'static str,
    host: &'a str,
    port: Option<u16>,
    /// `:port` when the port is explicit, else empty.
    port_suffix: String,
    kind: HostKind,
}

impl<'a> Parts<'a> {
    fn of(origin: &'a Origin) -> Parts<'a> {
        Parts {
            canonical: origin.as_str(),
            scheme: origin.scheme().as_str(),
            host: origin.host(),
            port: origin.port(),
            port_suffix: origin.port().map(|p| format!(":{p}")).unwrap_or_default(),
            kind: host_kind(origin.host()),
        }
    }

    /// The trusted scheme and port with another host.
    fn with_host(&self, host: &str) -> String {
        format!("{}://{host}{}", self.scheme, self.port_suffix)
    }

    fn is_name(&self) -> bool {
        matches!(self.kind, HostKind::Domain | HostKind::SingleLabel)
    }
}

/// Equivalent or harmless spellings of a trusted origin: reported, never findings.
fn spellings(list: &mut VariantList<'_>, origin: &Origin) {
    let o = Parts::of(origin);
    list.push(
        Class::CaseVariant,
        Expectation::Either,
        o.canonical.to_ascii_uppercase(),
    );
    if o.port.is_none() {
        let default = origin.scheme().default_port();
        list.push(
            Class::DefaultPort,
            Expectation::Either,
            format!("{}:{default}", o.canonical),
        );
    }
    if o.is_name() {
        list.push(
            Class::TrailingDot,
            Expectation::Either,
            o.with_host(&format!("{}.", o.host)),
        );
    }
}

fn attacks_from(list: &mut VariantList<'_>, origin: &Origin) {
    let o = Parts::of(origin);
    let (canonical, scheme, host, port_suffix) = (o.canonical, o.scheme, o.host, &o.port_suffix);
    let evil = EVIL_ORIGIN;

    // missing-or-repeated (the request without Origin is added once, by `generate`).
    list.attack(Class::MissingOrRepeated, "");
    list.push_lines(
        Class::MissingOrRepeated,
        Some(vec![evil.into(), canonical.into()]),
    );
    list.push_lines(
        Class::MissingOrRepeated,
        Some(vec![canonical.into(), evil.into()]),
    );

    list.attack(Class::NullOpaque, "null");

    // reflect-arbitrary: unrelated sites, then the parent domain and a sibling.
    list.attack(Class::ReflectArbitrary, evil);
    list.attack(Class::ReflectArbitrary, o.with_host(EVIL_HOST));
    let labels: Vec<&str> = host.split('.').collect();
    if o.kind == HostKind::Domain && labels.len() >= 3 {
        let parent = labels[1..].join(".");
        list.attack(Class::ReflectArbitrary, o.with_host(&parent));
        list.attack(
            Class::ReflectArbitrary,
            o.with_host(&format!("evil.{parent}")),
        );
    }

    // prefix-match
    if o.kind != HostKind::Ipv6 {
        list.attack(
            Class::PrefixMatch,
            o.with_host(&format!("{host}.{EVIL_HOST}")),
        );
        list.attack(
            Class::PrefixMatch,
            o.with_host(&format!("{host}{EVIL_HOST}")),
        );
    }
    list.attack(Class::PrefixMatch, format!("{canonical}.{EVIL_HOST}"));
    if o.port.is_some() {
        // `:8080` as a prefix of `:80801` (malformed) or `:3000` of `:30001` (another port).
        list.attack(Class::PrefixMatch, format!("{canonical}1"));
    }

    // suffix-match
    if o.kind != HostKind::Ipv6 {
        list.attack(Class::SuffixMatch, o.with_host(&format!("evil{host}")));
    }
    if o.kind == HostKind::Domain && labels.len() >= 3 {
        let registrable = labels[labels.len() - 2..].join(".");
        list.attack(
            Class::SuffixMatch,
            o.with_host(&format!("evil{registrable}")),
        );
    }

    // unescaped-dot
    if matches!(o.kind, HostKind::Domain | HostKind::Ipv4) {
        list.attack(
            Class::UnescapedDot,
            o.with_host(&host.replacen('.', "x", 1)),
        );
        if let Some(last) = host.rfind('.') {
            let mut replaced = host.to_owned();
            replaced.replace_range(last..=last, "x");
            list.attack(Class::UnescapedDot, o.with_host(&replaced));
        }
    }

    if o.is_name() {
        list.attack(
            Class::SubdomainOfExact,
            o.with_host(&format!("evil.{host}")),
        );
    }

    // scheme-mismatch: downgrade (or upgrade), then the WebSocket scheme of the same host.
    let (other, ws) = if scheme == "https" {
        ("http", "wss")
    } else {
        ("https", "ws")
    };
    list.attack(
        Class::SchemeMismatch,
        format!("{other}://{host}{port_suffix}"),
    );
    list.attack(Class::SchemeMismatch, format!("{ws}://{host}{port_suffix}"));

    // port-mismatch and port-overflow
    let port = origin.port_or_default();
    let next = if port == u16::MAX { port - 1 } else { port + 1 };
    list.attack(Class::PortMismatch, format!("{scheme}://{host}:{next}"));
    if o.port.is_some() {
        list.attack(Class::PortMismatch, format!("{scheme}://{host}"));
    } else {
        let other_port = if scheme == "https" { 8443 } else { 8080 };
        list.attack(
            Class::PortMismatch,
            format!("{scheme}://{host}:{other_port}"),
        );
    }
    list.attack(
        Class::PortOverflow,
        format!("{scheme}://{host}:{}", u32::from(port) + 65536),
    );

    // special-char: `_` is legal in hosts, `` ` `` passes some browsers' parsers, `%60` is
    // Corsy's "broken parser" probe, and the rest are the characters CORScanner sends after
    // the trusted host (some parsers end the host at any of them).
    if o.kind != HostKind::Ipv6 {
        for special in [
            "_", "`", "%60", "{", "}", "|", "~", "%0b", "!", "$", "&", "'", "(", ")", "*", "+",
            ",", ";", "=", "^", "\"", "-",
        ] {
            list.attack(
                Class::SpecialChar,
                o.with_host(&format!("{host}{special}.{EVIL_HOST}")),
            );
        }
    }

    list.attack(Class::Userinfo, format!("{canonical}@{EVIL_HOST}"));
    list.attack(
        Class::Userinfo,
        format!("{scheme}://{EVIL_HOST}@{host}{port_suffix}"),
    );

    list.attack(Class::PathQueryFragment, format!("{canonical}/"));
    list.attack(Class::PathQueryFragment, format!("{evil}/{canonical}"));

    if matches!(o.kind, HostKind::Domain | HostKind::Ipv4) {
        list.attack(
            Class::PercentEncoding,
            o.with_host(&host.replacen('.', "%2e", 1)),
        );
    }

    list.attack(
        Class::WhatwgLeniency,
        format!("{scheme}:{host}{port_suffix}"),
    );
    list.attack(
        Class::WhatwgLeniency,
        format!("{scheme}:\\\\{host}{port_suffix}"),
    );

    list.attack(Class::MultipleOrigins, format!("{canonical} {evil}"));
    list.attack(Class::MultipleOrigins, format!("{evil} {canonical}"));
    list.attack(Class::MultipleOrigins, format!("{canonical},{evil}"));

    // header-injection, as far as a conforming client can send it: NEL (U+0085, which some
    // decoders treat as a line break) in UTF-8 and as a raw Latin-1 byte, and an encoded CR LF.
    let mut nel = canonical.as_bytes().to_vec();
    nel.extend_from_slice("\u{85}X-Injected:1".as_bytes());
    list.attack(Class::HeaderInjection, nel);
    let mut latin1 = canonical.as_bytes().to_vec();
    latin1.push(0x85);
    list.attack(Class::HeaderInjection, latin1);
    list.attack(
        Class::HeaderInjection,
        format!("{canonical}%0d%0aX-Injected:1"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OriginPolicy;

    fn origins(list: &[&str]) -> Vec<Origin> {
        list.iter().map(|o| o.parse().unwrap()).collect()
    }

    fn values(variants: &[Variant], class: Class) -> Vec<String> {
        variants
            .iter()
            .filter(|v| v.class == class)
            .map(|v| match &v.origin {
                None => "<missing>".to_owned(),
                Some(lines) => lines
                    .iter()
                    .map(|l| String::from_utf8_lossy(l).into_owned())
                    .collect::<Vec<_>>()
                    .join(" | "),
            })
            .collect()
    }

    #[test]
    fn variants_for_a_domain_origin() {
        let v = generate(&origins(&["https://app.example.com"]), ProbeKind::WebSocket);
        let cases: &[(Class, &[&str])] = &[
            (Class::ExactAllowed, &["https://app.example.com"]),
            (Class::CaseVariant, &["HTTPS://APP.EXAMPLE.COM"]),
            (Class::DefaultPort, &["https://app.example.com:443"]),
            (Class::TrailingDot, &["https://app.example.com."]),
            (
                Class::MissingOrRepeated,
                &[
                    "<missing>",
                    "",
                    "https://evil.example | https://app.example.com",
                    "https://app.example.com | https://evil.example",
                ],
            ),
            (Class::NullOpaque, &["null"]),
            // `https://evil.example` with the trusted scheme and port is the same value.
            (
                Class::ReflectArbitrary,
                &[
                    "https://evil.example",
                    "https://example.com",
                    "https://evil.example.com",
                ],
            ),
            (
                Class::UserContentHost,
                &[
                    "https://evil-example.github.io",
                    "https://evil-example.gitlab.io",
                    "https://codepen.io",
                    "https://cdpn.io",
                    "https://jsfiddle.net",
                    "https://fiddle.jshell.net",
                    "https://evil-example.csb.app",
                    "https://evil-example.stackblitz.io",
                    "https://evil-example.vercel.app",
                    "https://evil-example.netlify.app",
                    "https://evil-example.pages.dev",
                    "https://evil-example.web.app",
                    "https://evil-example.herokuapp.com",
                    "https://evil-example.glitch.me",
                    "https://evil-example.onrender.com",
                    "https://evil-example.surge.sh",
                ],
            ),
            (
                Class::DevelopmentOrigin,
                &[
                    "http://localhost:3000",
                    "http://localhost:5173",
                    "http://localhost:8080",
                    "http://localhost:4200",
                    "http://localhost:8000",
                    "http://localhost",
                    "http://127.0.0.1:3000",
                    "http://127.0.0.1:5173",
                    "http://127.0.0.1:8080",
                    "http://127.0.0.1",
                ],
            ),
            (
                Class::PrefixMatch,
                &[
                    "https://app.example.com.evil.example",
                    "https://app.example.comevil.example",
                ],
            ),
            (
                Class::SuffixMatch,
                &["https://evilapp.example.com", "https://evilexample.com"],
            ),
            (
                Class::UnescapedDot,
                &["https://appxexample.com", "https://app.examplexcom"],
            ),
            (Class::SubdomainOfExact, &["https://evil.app.example.com"]),
            (
                Class::SchemeMismatch,
                &["http://app.example.com", "wss://app.example.com"],
            ),
            (
                Class::PortMismatch,
                &[
                    "https://app.example.com:444",
                    "https://app.example.com:8443",
                ],
            ),
            (Class::PortOverflow, &["https://app.example.com:65979"]),
            (
                Class::SpecialChar,
                &[
                    "https://app.example.com_.evil.example",
                    "https://app.example.com`.evil.example",
                    "https://app.example.com%60.evil.example",
                    "https://app.example.com{.evil.example",
                    "https://app.example.com}.evil.example",
                    "https://app.example.com|.evil.example",
                    "https://app.example.com~.evil.example",
                    "https://app.example.com%0b.evil.example",
                    "https://app.example.com!.evil.example",
                    "https://app.example.com$.evil.example",
                    "https://app.example.com&.evil.example",
                    "https://app.example.com'.evil.example",
                    "https://app.example.com(.evil.example",
                    "https://app.example.com).evil.example",
                    "https://app.example.com*.evil.example",
                    "https://app.example.com+.evil.example",
                    "https://app.example.com,.evil.example",
                    "https://app.example.com;.evil.example",
                    "https://app.example.com=.evil.example",
                    "https://app.example.com^.evil.example",
                    "https://app.example.com\".evil.example",
                    "https://app.example.com-.evil.example",
                ],
            ),
            (
                Class::Userinfo,
                &[
                    "https://app.example.com@evil.example",
                    "https://evil.example@app.example.com",
                ],
            ),
            (
                Class::PathQueryFragment,
                &[
                    "https://app.example.com/",
                    "https://evil.example/https://app.example.com",
                ],
            ),
            (Class::PercentEncoding, &["https://app%2eexample.com"]),
            (
                Class::WhatwgLeniency,
                &["https:app.example.com", "https:\\\\app.example.com"],
            ),
            (
                Class::MultipleOrigins,
                &[
                    "https://app.example.com https://evil.example",
                    "https://evil.example https://app.example.com",
                    "https://app.example.com,https://evil.example",
                ],
            ),
            (
                Class::HeaderInjection,
                &[
                    "https://app.example.com\u{85}X-Injected:1",
                    "https://app.example.com\u{fffd}",
                    "https://app.example.com%0d%0aX-Injected:1",
                ],
            ),
        ];
        for (class, expected) in cases {
            assert_eq!(values(&v, *class), *expected, "class {class}");
        }
        let covered: usize = cases.iter().map(|(_, e)| e.len()).sum();
        assert_eq!(covered, v.len(), "every variant is pinned above");
    }

    #[test]
    fn variants_for_a_port_and_a_loopback_ip() {
        let v = generate(
            &origins(&["http://localhost:8080", "http://127.0.0.1:8080"]),
            ProbeKind::Cors,
        );
        assert_eq!(
            values(&v, Class::ExactAllowed),
            ["http://localhost:8080", "http://127.0.0.1:8080"]
        );
        // No request without Origin for CORS; no default-port spelling for explicit ports.
        assert!(v.iter().all(|v| v.origin.is_some()));
        assert!(values(&v, Class::DefaultPort).is_empty());
        assert_eq!(
            values(&v, Class::PrefixMatch),
            [
                "http://localhost.evil.example:8080",
                "http://localhostevil.example:8080",
                "http://localhost:8080.evil.example",
                "http://localhost:80801",
                "http://127.0.0.1.evil.example:8080",
                "http://127.0.0.1evil.example:8080",
                "http://127.0.0.1:8080.evil.example",
                "http://127.0.0.1:80801",
            ]
        );
        assert_eq!(
            values(&v, Class::PortMismatch),
            [
                "http://localhost:8081",
                "http://localhost",
                "http://127.0.0.1:8081",
                "http://127.0.0.1",
            ]
        );
        assert_eq!(
            values(&v, Class::SchemeMismatch),
            [
                "https://localhost:8080",
                "ws://localhost:8080",
                "https://127.0.0.1:8080",
                "ws://127.0.0.1:8080",
            ]
        );
        // IP literals have no subdomains and no trailing-dot spelling.
        assert_eq!(
            values(&v, Class::SubdomainOfExact),
            ["http://evil.localhost:8080"]
        );
        assert_eq!(values(&v, Class::TrailingDot), ["http://localhost.:8080"]);
    }

    #[test]
    fn user_attacks_come_last_and_a_trusted_development_origin_is_not_an_attack() {
        let v = generate_with_attacks(
            &origins(&["http://localhost:3000"]),
            ProbeKind::Cors,
            &[
                b"https://partner.example".to_vec(),
                b"http://localhost:3000".to_vec(),
            ],
        );
        assert_eq!(values(&v, Class::UserSupplied), ["https://partner.example"]);
        assert_eq!(v.last().unwrap().class, Class::UserSupplied);
        let development = values(&v, Class::DevelopmentOrigin);
        assert!(!development.contains(&"http://localhost:3000".to_owned()));
        assert!(development.contains(&"http://localhost:5173".to_owned()));
    }

    #[test]
    fn attacks_equal_to_another_trusted_origin_are_left_out() {
        let v = generate(
            &origins(&["https://app.example.com", "http://app.example.com"]),
            ProbeKind::WebSocket,
        );
        assert_eq!(
            values(&v, Class::SchemeMismatch),
            ["wss://app.example.com", "ws://app.example.com"]
        );
        let v = generate(
            &origins(&["https://app.example.com", "https://example.com"]),
            ProbeKind::WebSocket,
        );
        assert!(!values(&v, Class::ReflectArbitrary).contains(&"https://example.com".to_owned()));
    }

    /// The crate's own policy is the oracle: with the default options it must allow every
    /// trusted variant and deny every attack, for every kind of host.
    #[test]
    fn the_crate_policy_refuses_every_attack_and_allows_every_trusted_origin() {
        let trusted = [
            "https://app.example.com",
            "https://admin.example.org:8443",
            "http://localhost:3000",
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
            "https://xn--bcher-kva.example",
            "https://example.com",
        ];
        for entry in trusted {
            let policy: OriginPolicy = entry.parse().unwrap();
            let variants = generate(&origins(&[entry]), ProbeKind::WebSocket);
            assert!(variants.len() >= 25, "{entry}: {} variants", variants.len());
            for variant in &variants {
                let mut headers = http::HeaderMap::new();
                for line in variant.origin.iter().flatten() {
                    let value = http::HeaderValue::from_bytes(line)
                        .unwrap_or_else(|e| panic!("{entry}: {variant:?} not wire-safe: {e}"));
                    headers.append(http::header::ORIGIN, value);
                }
                let decision = policy.check_headers(&headers);
                match variant.expectation {
                    Expectation::Accept => assert!(decision.is_allowed(), "{entry}: {variant:?}"),
                    Expectation::Refuse => {
                        assert!(!decision.is_allowed(), "{entry}: {variant:?}")
                    }
                    Expectation::Either => {}
                }
            }
        }
    }

    #[test]
    fn browser_can_send_only_serialized_origins_and_null() {
        let v = generate(&origins(&["https://app.example.com"]), ProbeKind::WebSocket);
        let sendable: Vec<String> = v
            .iter()
            .filter(|v| v.expectation == Expectation::Refuse && v.browser_can_send)
            .map(|v| String::from_utf8_lossy(&v.origin.as_ref().unwrap()[0]).into_owned())
            .collect();
        assert!(sendable.contains(&"null".to_owned()));
        assert!(sendable.contains(&"https://app.example.com.evil.example".to_owned()));
        assert!(sendable.contains(&"http://app.example.com".to_owned()));
        for never in [
            "https://app.example.com/",
            "wss://app.example.com",
            "https://app.example.com@evil.example",
        ] {
            assert!(!sendable.contains(&never.to_owned()), "{never}");
        }
    }

    #[test]
    fn class_names_round_trip() {
        for &class in Class::ALL {
            assert_eq!(Class::from_name(class.name()), Some(class));
            assert!(!class.risk().is_empty());
        }
    }
}
