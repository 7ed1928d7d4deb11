//! proptest strategies: canonical origins as browsers send them, the origins a policy allows,
//! attacks on a policy or on one trusted origin, and raw header values near the grammar.
//!
//! Every strategy shrinks towards short, readable values: labels shrink to `a`, ports to the
//! smallest that keeps the case an attack, letter case to lower case.

use std::sync::Arc;

use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::strategy::{BoxedStrategy, Union};

use super::attacks::{Class, Expectation, Variant, EVIL_ORIGIN};
use crate::{Origin, OriginPolicy, PortRule, Scheme};

/// Canonical origins as browsers send them: `http` or `https` (pages never have `ws` or `wss`
/// origins), a lower-case punycode domain (with `xn--` labels now and then), a dotted-quad
/// IPv4 or a compressed IPv6 address in brackets, and no port or an explicit non-default one.
///
/// Every value is what [`Origin::parse_header`] accepts and its own canonical form.
///
/// ```
/// use origin_policy::testing::canonical_origin;
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let origin = canonical_origin().new_tree(&mut TestRunner::deterministic()).unwrap().current();
/// assert!(origin.as_str().starts_with("http"));
/// ```
pub fn canonical_origin() -> impl Strategy<Value = Origin> {
    let port = prop_oneof![3 => Just(None), 1 => (1u16..=u16::MAX).prop_map(Some)];
    (scheme(), host(), port).prop_filter_map("not a canonical origin", |(scheme, host, port)| {
        let text = match port {
            Some(port) if port != scheme.default_port() => {
                format!("{}://{host}:{port}", scheme.as_str())
            }
            _ => format!("{}://{host}", scheme.as_str()),
        };
        Origin::parse_header(text.as_bytes())
            .ok()
            .filter(|origin| origin.as_str() == text)
    })
}

fn scheme() -> impl Strategy<Value = Scheme> {
    prop_oneof![Just(Scheme::Https), Just(Scheme::Http)]
}

/// A host as the WHATWG host serializer writes it.
fn host() -> BoxedStrategy<String> {
    prop_oneof![
        4 => domain(),
        1 => any::<[u8; 4]>().prop_map(|octets| std::net::Ipv4Addr::from(octets).to_string()),
        // `Ipv6Addr`'s `Display` compresses as RFC 5952 does; the few spellings where it
        // differs from WHATWG (IPv4-mapped addresses) are filtered out by the caller.
        1 => any::<[u16; 8]>().prop_map(|segments| format!("[{}]", std::net::Ipv6Addr::from(segments))),
    ]
    .boxed()
}

/// A lower-case letter-digit label that shrinks to `a`.
fn word() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,5}"
}

/// A DNS label: letters, digits and inner hyphens, or an internationalised label in punycode.
fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z][a-z0-9]{0,3}(-[a-z0-9]{1,3})?",
        1 => "[a-z]{0,3}[äöüéñçø][a-z]{0,3}".prop_filter_map("not an IDNA label", |unicode| {
            idna::domain_to_ascii(&unicode).ok().filter(|ascii| ascii.starts_with("xn--"))
        }),
    ]
}

fn domain() -> BoxedStrategy<String> {
    (proptest::collection::vec(label(), 1..=3), "[a-z]{2,4}")
        .prop_map(|(labels, tld)| format!("{}.{tld}", labels.join(".")))
        .boxed()
}

/// The origins `policy` allows, drawn from its exact entries (and the server's own origins),
/// its wildcard and port patterns, its extension and app origins and its opt-ins, in every
/// spelling the policy accepts: any letter case, and the default port written out.
///
/// The canonical value of an entry has [`Expectation::Accept`]; the other spellings, which
/// browsers never send, have [`Expectation::Either`] (class [`Class::CaseVariant`] or
/// [`Class::DefaultPort`]), so a harness does not require a server to accept them. The origins
/// of [`same_origin_from_host`](crate::OriginPolicyBuilder::same_origin_from_host) depend on
/// each request's `Host` and are not generated. A policy that allows nothing gives a strategy
/// that rejects every value (proptest then reports "too many local rejects").
///
/// ```
/// use origin_policy::{testing::allowed_by, OriginPolicy};
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let policy: OriginPolicy = "https://*.tenant.example.com".parse()?;
/// let mut runner = TestRunner::deterministic();
/// for _ in 0..32 {
///     let variant = allowed_by(&policy).new_tree(&mut runner).unwrap().current();
///     let lines = variant.origin.unwrap();
///     assert!(policy.check_values(lines.iter().map(Vec::as_slice)).is_allowed());
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn allowed_by(policy: &OriginPolicy) -> BoxedStrategy<Variant> {
    let choices = allowed_choices(policy);
    if choices.is_empty() {
        return Just(())
            .prop_filter_map("the policy allows no origin", |()| None::<Variant>)
            .boxed();
    }
    Union::new(choices).boxed()
}

/// One strategy per entry and opt-in of `policy`; empty when it allows nothing.
pub(crate) fn allowed_choices(policy: &OriginPolicy) -> Vec<BoxedStrategy<Variant>> {
    let mut choices: Vec<BoxedStrategy<Variant>> = Vec::new();
    for origin in policy.exact_origins().chain(policy.same_origins().cloned()) {
        choices.push(spellings_of(
            origin.as_str().to_owned(),
            origin_default_port(&origin),
        ));
    }
    for pattern in policy.patterns() {
        choices.push(matching(
            pattern.scheme(),
            pattern.host().to_owned(),
            pattern.is_wildcard(),
            pattern.ports().clone(),
        ));
    }
    for app in policy.app_origins() {
        choices.push(spellings_of(app.as_str().to_owned(), None));
    }
    if policy.allows_any_origin() {
        choices.push(
            canonical_origin()
                .prop_map(|origin| {
                    Variant::new(
                        Class::ExactAllowed,
                        Expectation::Accept,
                        Some(vec![origin.as_str().into()]),
                    )
                })
                .boxed(),
        );
    }
    if policy.allows_null_origin() {
        choices.push(
            Just(Variant::new(
                Class::NullOpaque,
                Expectation::Accept,
                Some(vec![b"null".to_vec()]),
            ))
            .boxed(),
        );
    }
    if policy.allows_missing_origin() {
        choices.push(
            Just(Variant::new(
                Class::MissingOrRepeated,
                Expectation::Accept,
                None,
            ))
            .boxed(),
        );
    }
    choices
}

/// The default port to write out for an origin that names none.
fn origin_default_port(origin: &Origin) -> Option<u16> {
    match origin.port() {
        None => Some(origin.scheme().default_port()),
        Some(_) => None,
    }
}

/// `canonical` in any letter case, and with `:default_port` written out when given.
fn spellings_of(canonical: String, default_port: Option<u16>) -> BoxedStrategy<Variant> {
    let len = canonical.len();
    // Mostly the canonical value; a random letter case and an explicit port now and then.
    let case = prop_oneof![
        2 => Just(vec![false; len]),
        1 => proptest::collection::vec(any::<bool>(), len),
    ];
    (case, proptest::bool::weighted(0.25))
        .prop_map(move |(upper, explicit_port)| {
            let mut value: String = canonical
                .chars()
                .zip(&upper)
                .map(|(c, &up)| if up { c.to_ascii_uppercase() } else { c })
                .collect();
            let mut class = if value == canonical {
                Class::ExactAllowed
            } else {
                Class::CaseVariant
            };
            if let (true, Some(port)) = (explicit_port, default_port) {
                value.push_str(&format!(":{port}"));
                class = Class::DefaultPort;
            }
            let expectation = if class == Class::ExactAllowed {
                Expectation::Accept
            } else {
                Expectation::Either
            };
            Variant::new(class, expectation, Some(vec![value.into_bytes()]))
        })
        .boxed()
}

/// Origins that match a pattern (subdomains of a wildcard's base, ports of its rule), in
/// every spelling.
fn matching(
    scheme: Scheme,
    host: String,
    wildcard: bool,
    ports: PortRule,
) -> BoxedStrategy<Variant> {
    let port: BoxedStrategy<u16> = match ports {
        PortRule::Is(port) => Just(port).boxed(),
        PortRule::OneOf(list) => select(list).boxed(),
        _ => (1u16..=u16::MAX).boxed(),
    };
    let subdomain = if wildcard {
        proptest::collection::vec(word(), 1..=2)
            .prop_map(|labels| Some(labels.join(".")))
            .boxed()
    } else {
        Just(None).boxed()
    };
    (subdomain, port)
        .prop_map(move |(subdomain, port)| {
            let host = match subdomain {
                Some(labels) => format!("{labels}.{host}"),
                None => host.clone(),
            };
            if port == scheme.default_port() {
                (format!("{}://{host}", scheme.as_str()), Some(port))
            } else {
                (format!("{}://{host}:{port}", scheme.as_str()), None)
            }
        })
        .prop_flat_map(|(canonical, default_port)| spellings_of(canonical, default_port))
        .boxed()
}

/// One origin per entry of `policy` that attacks are built from: its exact origins, the
/// server's own origins, and for each pattern an origin it matches (`https://a.<base>` for
/// a wildcard, the first port of a list).
pub fn trusted_origins(policy: &OriginPolicy) -> Vec<Origin> {
    let mut trusted: Vec<Origin> = policy
        .exact_origins()
        .chain(policy.same_origins().cloned())
        .collect();
    for pattern in policy.patterns() {
        let scheme = pattern.scheme();
        let host = if pattern.is_wildcard() {
            format!("a.{}", pattern.host())
        } else {
            pattern.host().to_owned()
        };
        let port = match pattern.ports() {
            PortRule::Is(port) => *port,
            PortRule::OneOf(list) => list.first().copied().unwrap_or(scheme.default_port()),
            _ => scheme.default_port(),
        };
        let text = if port == scheme.default_port() {
            format!("{}://{host}", scheme.as_str())
        } else {
            format!("{}://{host}:{port}", scheme.as_str())
        };
        if let Ok(origin) = Origin::parse_header(text.as_bytes()) {
            if !trusted.contains(&origin) {
                trusted.push(origin);
            }
        }
    }
    trusted
}

/// Whether `policy` has an entry or an opt-in for these `Origin` lines, decided from its
/// entries (not by [`OriginPolicy::check`], which the crate's tests compare it with).
pub(crate) fn has_entry_for(policy: &OriginPolicy, lines: Option<&[Vec<u8>]>) -> bool {
    let value = match lines {
        None => return policy.allows_missing_origin(),
        Some([value]) => value.trim_ascii(),
        // Several lines are never one origin.
        Some(_) => return false,
    };
    if value == b"null" {
        return policy.allows_null_origin();
    }
    if policy
        .app_origins()
        .any(|app| value.eq_ignore_ascii_case(app.as_str().as_bytes()))
    {
        return true;
    }
    let Ok(origin) = Origin::parse_header(value) else {
        return false;
    };
    policy.allows_any_origin()
        || policy
            .exact_origins()
            .chain(policy.same_origins().cloned())
            .any(|o| o == origin)
        || policy.patterns().any(|pattern| pattern.matches(&origin))
}

/// Attack values on `policy`: the classes of [`attacks_on_origin`] for each of its
/// [`trusted_origins`], without the values some entry or opt-in of the policy allows (an
/// attack on one entry can be another entry). Every one is denied by the policy, and shrinks
/// to a short value of its class, such as `https://app.example.com.a` for
/// [`Class::PrefixMatch`].
///
/// A policy with no entry gives the attacks on `https://evil.example` that it refuses.
pub fn attacks_on(policy: &OriginPolicy) -> BoxedStrategy<Variant> {
    let mut trusted = trusted_origins(policy);
    if trusted.is_empty() {
        trusted.extend(Origin::parse_header(EVIL_ORIGIN.as_bytes()));
    }
    let choices: Vec<BoxedStrategy<Variant>> = trusted.iter().map(attacks_on_origin).collect();
    let policy = Arc::new(policy.clone());
    Union::new(choices)
        .prop_filter("allowed by an entry of the policy", move |variant| {
            !has_entry_for(&policy, variant.origin.as_deref())
        })
        .boxed()
}

/// Attack values on one trusted origin, every class of [`attacks_of_class`] that applies to
/// it; each a [`Variant`] with [`Expectation::Refuse`], its class and (through
/// [`Variant::reason`]) a one-line reason. Values equal to `trusted` are left out; with a
/// policy of several entries use [`attacks_on`], which also leaves out the other entries.
pub fn attacks_on_origin(trusted: &Origin) -> BoxedStrategy<Variant> {
    let choices: Vec<BoxedStrategy<Variant>> = Class::ALL
        .iter()
        .filter_map(|&class| attacks_of_class(trusted, class))
        .collect();
    Union::new(choices).boxed()
}

/// Attack values of one class on a trusted origin, or `None` for a class that is not an
/// attack ([`Class::ExactAllowed`], the equivalent spellings, [`Class::UserSupplied`]) or
/// that does not apply to this origin (a subdomain of an IP address).
///
/// ```
/// use origin_policy::{testing::{attacks_of_class, Class}, Origin, OriginPolicy};
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
///
/// let trusted: Origin = "https://app.example.com".parse()?;
/// let policy = OriginPolicy::builder().allow(trusted.as_str()).build()?;
/// let prefix = attacks_of_class(&trusted, Class::PrefixMatch).unwrap();
/// let variant = prefix.new_tree(&mut TestRunner::deterministic()).unwrap().current();
/// let value = &variant.origin.as_ref().unwrap()[0];
/// assert!(value.starts_with(b"https://app.example.com"));
/// assert!(!policy.check_value(value).is_allowed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn attacks_of_class(trusted: &Origin, class: Class) -> Option<BoxedStrategy<Variant>> {
    let o = Parts::of(trusted);
    let values: BoxedStrategy<Vec<Vec<u8>>> = match class {
        Class::MissingOrRepeated => {
            let canonical = o.canonical.clone();
            prop_oneof![
                Just(vec![Vec::new()]),
                Just(vec![o.canonical.clone().into_bytes(), EVIL_ORIGIN.into()]),
                canonical_origin().prop_map(move |other| {
                    vec![other.as_str().into(), canonical.clone().into_bytes()]
                }),
            ]
            .boxed()
        }
        Class::NullOpaque => Just(vec![b"null".to_vec()]).boxed(),
        Class::ReflectArbitrary => canonical_origin()
            .prop_map(|origin| vec![origin.as_str().as_bytes().to_vec()])
            .boxed(),
        Class::UserContentHost => select(super::attacks::USER_CONTENT_HOSTS)
            .prop_map(|host| vec![format!("https://{host}").into_bytes()])
            .boxed(),
        Class::DevelopmentOrigin => select(super::attacks::DEVELOPMENT_ORIGINS)
            .prop_map(|origin| vec![origin.as_bytes().to_vec()])
            .boxed(),
        Class::PrefixMatch => {
            let (a, b, c) = (o.clone(), o.clone(), o.canonical.clone());
            let mut choices = vec![word().prop_map(move |w| one(format!("{c}.{w}"))).boxed()];
            if o.kind != HostKind::Ipv6 {
                choices.push(
                    word()
                        .prop_map(move |w| one(a.with_host(&format!("{}.{w}", a.host))))
                        .boxed(),
                );
                choices.push(
                    word()
                        .prop_map(move |w| one(b.with_host(&format!("{}{w}", b.host))))
                        .boxed(),
                );
            }
            if o.port.is_some() {
                let c = o.canonical.clone();
                choices.push((0u8..10).prop_map(move |d| one(format!("{c}{d}"))).boxed());
            }
            Union::new(choices).boxed()
        }
        Class::SuffixMatch if o.kind != HostKind::Ipv6 => {
            let a = o.clone();
            let mut choices = vec![word()
                .prop_map(move |w| one(a.with_host(&format!("{w}{}", a.host))))
                .boxed()];
            if let Some(registrable) = o.registrable() {
                let b = o.clone();
                choices.push(
                    word()
                        .prop_map(move |w| one(b.with_host(&format!("{w}{registrable}"))))
                        .boxed(),
                );
            }
            Union::new(choices).boxed()
        }
        Class::UnescapedDot if matches!(o.kind, HostKind::Domain | HostKind::Ipv4) => {
            let dots: Vec<usize> = o.host.match_indices('.').map(|(i, _)| i).collect();
            let a = o.clone();
            (select(dots), select(&b"abcxyz0-"[..]))
                .prop_map(move |(dot, byte)| {
                    let mut host = a.host.clone();
                    host.replace_range(dot..=dot, char::from(byte).encode_utf8(&mut [0; 4]));
                    one(a.with_host(&host))
                })
                .boxed()
        }
        Class::SubdomainOfExact if o.is_name() => {
            let a = o.clone();
            word()
                .prop_map(move |w| one(a.with_host(&format!("{w}.{}", a.host))))
                .boxed()
        }
        Class::SchemeMismatch => {
            let other = if o.scheme == "https" { "http" } else { "https" };
            let a = o.clone();
            select(vec![other, "ws", "wss"])
                .prop_map(move |scheme| one(format!("{scheme}://{}{}", a.host, a.port_suffix)))
                .boxed()
        }
        Class::PortMismatch => {
            let (own, a) = (o.port_or_default, o.clone());
            (1u16..=u16::MAX)
                .prop_filter("the trusted port", move |port| *port != own)
                .prop_map(move |port| one(format!("{}://{}:{port}", a.scheme, a.host)))
                .boxed()
        }
        Class::PortOverflow => {
            let (own, a) = (u32::from(o.port_or_default), o.clone());
            (1u32..=3)
                .prop_map(move |wraps| {
                    one(format!("{}://{}:{}", a.scheme, a.host, own + wraps * 65536))
                })
                .boxed()
        }
        Class::SpecialChar if o.kind != HostKind::Ipv6 => {
            let a = o.clone();
            (select(SPECIAL_CHARS), word())
                .prop_map(move |(special, w)| one(a.with_host(&format!("{}{special}.{w}", a.host))))
                .boxed()
        }
        Class::Userinfo => {
            let (a, b) = (o.clone(), o.clone());
            prop_oneof![
                word().prop_map(move |w| one(format!("{}@{w}", a.canonical))),
                word().prop_map(move |w| one(format!(
                    "{}://{w}@{}{}",
                    b.scheme, b.host, b.port_suffix
                ))),
            ]
            .boxed()
        }
        Class::PathQueryFragment => {
            let c = o.canonical.clone();
            (select(vec!["/", "?", "#", "/?", "/#"]), "[a-z]{0,3}")
                .prop_map(move |(separator, rest)| one(format!("{c}{separator}{rest}")))
                .boxed()
        }
        Class::PercentEncoding if matches!(o.kind, HostKind::Domain | HostKind::Ipv4) => {
            let a = o.clone();
            let len = o.host.len();
            (0..len)
                .prop_map(move |at| {
                    let mut host = String::new();
                    for (i, c) in a.host.char_indices() {
                        if i == at {
                            host.push_str(&format!("%{:02x}", u32::from(c)));
                        } else {
                            host.push(c);
                        }
                    }
                    one(a.with_host(&host))
                })
                .boxed()
        }
        Class::WhatwgLeniency => {
            let a = o.clone();
            select(vec![":", ":/", ":\\\\", ":///", ":\\/", "://\\"])
                .prop_map(move |separator| {
                    one(format!(
                        "{}{separator}{}{}",
                        a.scheme, a.host, a.port_suffix
                    ))
                })
                .boxed()
        }
        Class::MultipleOrigins => {
            let c = o.canonical.clone();
            (
                select(vec![" ", ",", ", "]),
                canonical_origin(),
                any::<bool>(),
            )
                .prop_map(move |(separator, other, first)| {
                    if first {
                        one(format!("{c}{separator}{}", other.as_str()))
                    } else {
                        one(format!("{}{separator}{c}", other.as_str()))
                    }
                })
                .boxed()
        }
        Class::HeaderInjection => {
            let c = o.canonical.clone();
            (
                select(vec![&b"%0d%0a"[..], b"%0a", b"\xc2\x85", b"\x85"]),
                word(),
            )
                .prop_map(move |(separator, name)| {
                    let mut value = c.clone().into_bytes();
                    value.extend_from_slice(separator);
                    value.extend_from_slice(format!("{name}:1").as_bytes());
                    vec![value]
                })
                .boxed()
        }
        _ => return None,
    };
    let canonical = o.canonical;
    Some(
        values
            .prop_filter("the trusted origin itself", move |lines| {
                !matches!(lines.as_slice(), [value] if Origin::parse_header(value.trim_ascii())
                    .is_ok_and(|origin| origin.as_str() == canonical))
            })
            .prop_map(move |lines| Variant::new(class, Expectation::Refuse, Some(lines)))
            .boxed(),
    )
}

fn one(value: String) -> Vec<Vec<u8>> {
    vec![value.into_bytes()]
}

/// Characters some parsers let end a host early (the list the audit sends).
const SPECIAL_CHARS: &[&str] = &[
    "_", "`", "%60", "{", "}", "|", "~", "%0b", "!", "$", "&", "'", "(", ")", "*", "+", ",", ";",
    "=", "^", "\"", "-",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostKind {
    Domain,
    SingleLabel,
    Ipv4,
    Ipv6,
}

/// The parts of a trusted origin that attacks are built from, owned (strategies are `'static`).
#[derive(Debug, Clone)]
struct Parts {
    canonical: String,
    scheme: &'static str,
    host: String,
    port: Option<u16>,
    port_or_default: u16,
    port_suffix: String,
    kind: HostKind,
}

impl Parts {
    fn of(origin: &Origin) -> Parts {
        let host = origin.host();
        let kind = if host.starts_with('[') {
            HostKind::Ipv6
        } else if host.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            HostKind::Ipv4
        } else if host.contains('.') {
            HostKind::Domain
        } else {
            HostKind::SingleLabel
        };
        Parts {
            canonical: origin.as_str().to_owned(),
            scheme: origin.scheme().as_str(),
            host: host.to_owned(),
            port: origin.port(),
            port_or_default: origin.port_or_default(),
            port_suffix: origin.port().map(|p| format!(":{p}")).unwrap_or_default(),
            kind,
        }
    }

    fn with_host(&self, host: &str) -> String {
        format!("{}://{host}{}", self.scheme, self.port_suffix)
    }

    fn is_name(&self) -> bool {
        matches!(self.kind, HostKind::Domain | HostKind::SingleLabel)
    }

    /// The last two labels of a domain of three or more.
    fn registrable(&self) -> Option<String> {
        let labels: Vec<&str> = self.host.split('.').collect();
        (self.kind == HostKind::Domain && labels.len() >= 3)
            .then(|| labels[labels.len() - 2..].join("."))
    }
}

/// Raw `Origin` values near the grammar: a canonical origin with one byte inserted, replaced
/// or removed, or cut short, using the bytes that matter to origin parsers (`.`, `:`, `/`,
/// `@`, `%`, `\`, whitespace, upper case, a byte over 0x7f). Every value is valid for
/// `http::HeaderValue::from_bytes`; no expectation comes with it (many are still valid
/// origins). For parsers: feed them to your check next to [`OriginPolicy::check_values`].
pub fn header_value_near_grammar() -> impl Strategy<Value = Vec<u8>> {
    let bytes = select(&b".:/@%\\ \t,;#?[]*0A\x80\xff"[..]);
    (canonical_origin(), any::<Index>(), bytes, 0u8..4).prop_filter_map(
        "not a header value",
        |(origin, at, byte, edit)| {
            let mut value = origin.as_str().as_bytes().to_vec();
            let at = at.index(value.len());
            match edit {
                0 => value.insert(at, byte),
                1 => value[at] = byte,
                2 => {
                    value.remove(at);
                }
                _ => value.truncate(at),
            }
            http::HeaderValue::from_bytes(&value)
                .is_ok()
                .then_some(value)
        },
    )
}
