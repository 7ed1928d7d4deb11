//! A structured origin input for cargo-fuzz targets: `arbitrary` bytes become a scheme, a host
//! of some kind, a port and spelling tricks, rendered to a header value that is well formed
//! or close to it, instead of random bytes that a parser refuses at the first one.

use arbitrary::{Arbitrary, Result, Unstructured};

/// A scheme, including the ones pages never have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FuzzScheme {
    /// `http`
    Http,
    /// `https`
    Https,
    /// `ws` (no page has it)
    Ws,
    /// `wss` (no page has it)
    Wss,
}

impl FuzzScheme {
    /// The scheme's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            FuzzScheme::Http => "http",
            FuzzScheme::Https => "https",
            FuzzScheme::Ws => "ws",
            FuzzScheme::Wss => "wss",
        }
    }

    const fn default_port(self) -> u16 {
        match self {
            FuzzScheme::Http | FuzzScheme::Ws => 80,
            FuzzScheme::Https | FuzzScheme::Wss => 443,
        }
    }
}

/// A host of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FuzzHost {
    /// A DNS name: these labels joined by dots (letters, digits, `-`, or a punycode label).
    Domain(Vec<String>),
    /// An IPv4 address in dotted-quad form.
    Ipv4([u8; 4]),
    /// An IPv6 address, compressed, in brackets.
    Ipv6([u16; 8]),
    /// `localhost`
    Localhost,
}

/// A spelling change applied to the rendered origin, the kind lenient checks get wrong.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Trick {
    /// The byte at this position (modulo the length) in upper case.
    UpperCase(u8),
    /// A dot after the host.
    TrailingDot,
    /// The default port written out when there is no port.
    DefaultPort,
    /// A `0` before the port.
    LeadingZeroPort,
    /// A `/` at the end.
    TrailingSlash,
    /// `label@` before the host.
    Userinfo(String),
    /// `.label` after the host (the trusted origin as a prefix).
    AppendLabel(String),
    /// `label` before the host without a dot (the host as a suffix).
    PrependText(String),
    /// The byte at this position (modulo the length) of the host percent-encoded.
    PercentEncode(u8),
    /// A space or a tab before and after the value.
    Whitespace,
    /// `, https://evil.example` after the value.
    SecondOrigin,
    /// `:` instead of `://` after the scheme.
    NoSlashes,
    /// `:\\` instead of `://` after the scheme.
    Backslashes,
}

/// A structured `Origin` input for fuzzing: `arbitrary` builds it from the fuzzer's bytes,
/// [`to_bytes`](Self::to_bytes) renders it. Without tricks, an `http`/`https` origin with a
/// non-default port or none is what a browser sends.
///
/// ```
/// use arbitrary::{Arbitrary, Unstructured};
/// use origin_policy::{testing::FuzzOrigin, OriginPolicy};
///
/// let policy: OriginPolicy = "https://app.example.com".parse()?;
/// // In a cargo-fuzz target: `fuzz_target!(|origin: FuzzOrigin| { ... })`.
/// let bytes = [7u8; 64];
/// let origin = FuzzOrigin::arbitrary(&mut Unstructured::new(&bytes))?;
/// let value = origin.to_bytes();
/// // Your check must never allow what the policy denies.
/// let _ = policy.check_value(&value);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct FuzzOrigin {
    /// The scheme.
    pub scheme: FuzzScheme,
    /// The host.
    pub host: FuzzHost,
    /// The port, if one is written.
    pub port: Option<u16>,
    /// Spelling changes, applied in order.
    pub tricks: Vec<Trick>,
}

/// Bytes of a label; `-` never first.
const LABEL_BYTES: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789-";

/// Punycode labels (`bücher`, `☃`, `münchen`), as browsers send internationalised names.
const PUNYCODE: &[&str] = &["xn--bcher-kva", "xn--n3h", "xn--mnchen-3ya"];

fn label(u: &mut Unstructured<'_>) -> Result<String> {
    if u.ratio(1, 8)? {
        return Ok((*u.choose(PUNYCODE)?).to_owned());
    }
    let len = u.int_in_range(1..=8)?;
    let mut label = String::with_capacity(len);
    for i in 0..len {
        let byte = *u.choose(LABEL_BYTES)?;
        label.push(if i == 0 && byte == b'-' {
            'a'
        } else {
            char::from(byte)
        });
    }
    Ok(label)
}

impl<'a> Arbitrary<'a> for FuzzScheme {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(*u.choose(&[
            FuzzScheme::Http,
            FuzzScheme::Https,
            FuzzScheme::Ws,
            FuzzScheme::Wss,
        ])?)
    }
}

impl<'a> Arbitrary<'a> for FuzzHost {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0..=7)? {
            0 => FuzzHost::Ipv4(u.arbitrary()?),
            1 => FuzzHost::Ipv6(u.arbitrary()?),
            2 => FuzzHost::Localhost,
            _ => {
                let count = u.int_in_range(2..=4)?;
                let mut labels = Vec::with_capacity(count);
                for _ in 0..count {
                    labels.push(label(u)?);
                }
                FuzzHost::Domain(labels)
            }
        })
    }
}

impl<'a> Arbitrary<'a> for Trick {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0..=12)? {
            0 => Trick::UpperCase(u.arbitrary()?),
            1 => Trick::TrailingDot,
            2 => Trick::DefaultPort,
            3 => Trick::LeadingZeroPort,
            4 => Trick::TrailingSlash,
            5 => Trick::Userinfo(label(u)?),
            6 => Trick::AppendLabel(label(u)?),
            7 => Trick::PrependText(label(u)?),
            8 => Trick::PercentEncode(u.arbitrary()?),
            9 => Trick::Whitespace,
            10 => Trick::SecondOrigin,
            11 => Trick::NoSlashes,
            _ => Trick::Backslashes,
        })
    }
}

impl<'a> Arbitrary<'a> for FuzzOrigin {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let scheme = if u.ratio(7, 8)? {
            if u.arbitrary()? {
                FuzzScheme::Https
            } else {
                FuzzScheme::Http
            }
        } else {
            u.arbitrary()?
        };
        let host = u.arbitrary()?;
        let port = if u.ratio(1, 3)? {
            Some(u.arbitrary()?)
        } else {
            None
        };
        let count = u.int_in_range(0..=3)?;
        let mut tricks = Vec::with_capacity(count);
        for _ in 0..count {
            tricks.push(u.arbitrary()?);
        }
        Ok(FuzzOrigin {
            scheme,
            host,
            port,
            tricks,
        })
    }
}

impl FuzzOrigin {
    /// A browser's origin with no tricks: `scheme://host[:port]`.
    pub fn new(scheme: FuzzScheme, host: FuzzHost, port: Option<u16>) -> FuzzOrigin {
        FuzzOrigin {
            scheme,
            host,
            port,
            tricks: Vec::new(),
        }
    }

    /// The `Origin` value: scheme, separator, host and port with the tricks applied. For the
    /// values `arbitrary` builds every byte is printable ASCII, a space or a tab, so the value
    /// is valid for `http::HeaderValue::from_bytes`; labels given to [`new`](Self::new) are
    /// written as they are.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut host = match &self.host {
            FuzzHost::Domain(labels) => labels.join("."),
            FuzzHost::Ipv4(octets) => std::net::Ipv4Addr::from(*octets).to_string(),
            FuzzHost::Ipv6(segments) => format!("[{}]", std::net::Ipv6Addr::from(*segments)),
            FuzzHost::Localhost => "localhost".to_owned(),
        };
        let mut separator = "://";
        let mut port = self.port.map(|port| port.to_string());
        let (mut before, mut after, mut trailing_tab) = (String::new(), String::new(), false);
        let mut uppercase = Vec::new();
        for trick in &self.tricks {
            match trick {
                Trick::UpperCase(at) => uppercase.push(*at),
                Trick::TrailingDot => host.push('.'),
                Trick::DefaultPort => {
                    if port.is_none() {
                        port = Some(self.scheme.default_port().to_string());
                    }
                }
                Trick::LeadingZeroPort => {
                    let value = port
                        .take()
                        .unwrap_or_else(|| self.scheme.default_port().to_string());
                    port = Some(format!("0{value}"));
                }
                Trick::TrailingSlash => after.push('/'),
                Trick::Userinfo(user) => host = format!("{user}@{host}"),
                Trick::AppendLabel(label) => host = format!("{host}.{label}"),
                Trick::PrependText(text) => host = format!("{text}{host}"),
                Trick::PercentEncode(at) => {
                    if !host.is_empty() {
                        let mut at = usize::from(*at) % host.len();
                        // Labels given to `FuzzOrigin::new` may hold any text: the whole
                        // character at that byte is encoded.
                        while !host.is_char_boundary(at) {
                            at -= 1;
                        }
                        if let Some(c) = host[at..].chars().next() {
                            let encoded: String = c
                                .encode_utf8(&mut [0; 4])
                                .bytes()
                                .map(|b| format!("%{b:02x}"))
                                .collect();
                            host.replace_range(at..at + c.len_utf8(), &encoded);
                        }
                    }
                }
                Trick::Whitespace => {
                    before.push(' ');
                    trailing_tab = true;
                }
                Trick::SecondOrigin => after.push_str(", https://evil.example"),
                Trick::NoSlashes => separator = ":",
                Trick::Backslashes => separator = ":\\\\",
            }
        }
        let mut value = format!("{before}{}{separator}{host}", self.scheme.as_str());
        if let Some(port) = port {
            value.push(':');
            value.push_str(&port);
        }
        value.push_str(&after);
        if trailing_tab {
            value.push('\t');
        }
        let mut bytes = value.into_bytes();
        for at in uppercase {
            if !bytes.is_empty() {
                let at = usize::from(at) % bytes.len();
                bytes[at] = bytes[at].to_ascii_uppercase();
            }
        }
        bytes
    }
}
