//! Subprotocol negotiation (RFC 6455 section 4.2.2): the server's list in preference order
//! against the client's `Sec-WebSocket-Protocol` offer.

use http::header::SEC_WEBSOCKET_PROTOCOL;
use http::{HeaderMap, HeaderValue};

use crate::syntax::is_token;
use crate::text::Text;
use crate::{ConfigError, ConfigErrorKind};

/// Why the subprotocol step refused a handshake (answered `400 Bad Request`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum SubprotocolError {
    /// The client offered no subprotocol and the guard requires one
    /// (see [`HandshakeGuardBuilder::allow_no_subprotocol`](super::HandshakeGuardBuilder::allow_no_subprotocol)).
    #[error("no subprotocol offered")]
    NoneOffered,
    /// The client offered subprotocols, none of them one the server speaks.
    #[error("no offered subprotocol is supported")]
    NoneSupported,
    /// An item of `Sec-WebSocket-Protocol` is not an HTTP token (RFC 6455 section 4.1:
    /// `1#token`), for example `graphql ws`, `"graphql-ws"` or non-ASCII text.
    #[error("the Sec-WebSocket-Protocol header is malformed")]
    Malformed,
}

impl SubprotocolError {
    /// A stable machine-readable name: `none-offered`, `none-supported`, `malformed`; for
    /// metrics labels.
    pub const fn code(self) -> &'static str {
        match self {
            SubprotocolError::NoneOffered => "none-offered",
            SubprotocolError::NoneSupported => "none-supported",
            SubprotocolError::Malformed => "malformed",
        }
    }

    pub(crate) const fn body(self) -> &'static str {
        match self {
            SubprotocolError::NoneOffered => "bad request: no subprotocol offered\n",
            SubprotocolError::NoneSupported => "bad request: no offered subprotocol is supported\n",
            SubprotocolError::Malformed => "bad request: malformed Sec-WebSocket-Protocol\n",
        }
    }
}

/// The server side of the negotiation: its protocols in preference order.
#[derive(Debug, Clone)]
pub(crate) struct Subprotocols {
    /// Validated tokens, distinct, in the server's order of preference.
    /// Inline when short, so that handing the chosen one to the caller copies bytes.
    server: Vec<Text>,
    allow_none: bool,
}

impl Subprotocols {
    /// Validates the server's list: every entry a token, no duplicates, none that the
    /// credential extractor would take for a token (`credential_prefix`).
    pub(crate) fn new(
        server: Vec<String>,
        allow_none: bool,
        credential_prefix: Option<&str>,
    ) -> Result<Subprotocols, ConfigError> {
        if server.is_empty() {
            return Err(ConfigError::new("", ConfigErrorKind::EmptySubprotocolList));
        }
        let mut list: Vec<Text> = Vec::with_capacity(server.len());
        for protocol in server {
            if !is_token(protocol.as_bytes()) {
                return Err(ConfigError::new(
                    protocol,
                    ConfigErrorKind::InvalidSubprotocol,
                ));
            }
            if list.iter().any(|known| known.as_str() == protocol) {
                return Err(ConfigError::new(
                    protocol,
                    ConfigErrorKind::DuplicateSubprotocol,
                ));
            }
            if let Some(prefix) = credential_prefix {
                if protocol.starts_with(prefix) {
                    return Err(ConfigError::new(
                        protocol,
                        ConfigErrorKind::SubprotocolIsCredential,
                    ));
                }
            }
            list.push(Text::new(&protocol));
        }
        Ok(Subprotocols {
            server: list,
            allow_none,
        })
    }

    /// Picks the first of the server's protocols that the client offered.
    ///
    /// Items starting with `credential_prefix` are credentials, not protocols: they are
    /// skipped, so they can never be chosen (and echoed back in the response).
    pub(crate) fn negotiate(
        &self,
        headers: &HeaderMap,
        credential_prefix: Option<&str>,
    ) -> Result<Option<Text>, SubprotocolError> {
        self.negotiate_lines(headers.get_all(SEC_WEBSOCKET_PROTOCOL), credential_prefix)
    }

    /// [`negotiate`](Self::negotiate) on the `Sec-WebSocket-Protocol` lines.
    pub(crate) fn negotiate_lines<'h>(
        &self,
        lines: impl IntoIterator<Item = &'h HeaderValue>,
        credential_prefix: Option<&str>,
    ) -> Result<Option<Text>, SubprotocolError> {
        let is_protocol = |item: &&[u8]| match credential_prefix {
            Some(prefix) => !item.starts_with(prefix.as_bytes()),
            None => true,
        };
        // One pass over the offer: every item must be a token (a malformed offer is refused
        // whatever else it holds), and the best-ranked server protocol among the items wins.
        let mut offered_any = false;
        let mut best: Option<usize> = None;
        for line in lines {
            // The items as `offered` reads them, without its iterator adapters.
            for item in line.as_bytes().split(|&b| b == b',') {
                let item = trim_ows(item);
                if item.is_empty() {
                    continue;
                }
                if !is_token(item) {
                    return Err(SubprotocolError::Malformed);
                }
                if !is_protocol(&item) {
                    continue;
                }
                offered_any = true;
                // Only protocols ranked above the best so far can improve it.
                let candidates = &self.server[..best.unwrap_or(self.server.len())];
                if let Some(rank) = candidates.iter().position(|p| p.as_bytes() == item) {
                    best = Some(rank);
                }
            }
        }
        if let Some(rank) = best {
            return Ok(self.server.get(rank).cloned());
        }
        match (offered_any, self.allow_none) {
            (_, true) => Ok(None),
            (false, false) => Err(SubprotocolError::NoneOffered),
            (true, false) => Err(SubprotocolError::NoneSupported),
        }
    }

    /// The server's protocols, in preference order.
    pub(crate) fn server(&self) -> impl Iterator<Item = &str> {
        self.server.iter().map(Text::as_str)
    }

    pub(crate) fn allows_none(&self) -> bool {
        self.allow_none
    }
}

/// The items of every `Sec-WebSocket-Protocol` line, in order, as RFC 9110 section 5.6.1
/// reads a list: lines are concatenated with commas, optional whitespace around an item is
/// dropped and empty items are ignored. An item that is not a token is `Err(Malformed)`.
pub(crate) fn offered(
    headers: &HeaderMap,
) -> impl Iterator<Item = Result<&[u8], SubprotocolError>> {
    headers
        .get_all(SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .flat_map(|value| value.as_bytes().split(|&b| b == b','))
        .map(trim_ows)
        .filter(|item| !item.is_empty())
        .map(|item| {
            if is_token(item) {
                Ok(item)
            } else {
                Err(SubprotocolError::Malformed)
            }
        })
}

fn trim_ows(mut value: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = value {
        value = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = value {
        value = rest;
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(lines: &[&[u8]]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for line in lines {
            headers.append(
                SEC_WEBSOCKET_PROTOCOL,
                HeaderValue::from_bytes(line).expect("test header value"),
            );
        }
        headers
    }

    fn server(list: &[&str], allow_none: bool) -> Subprotocols {
        Subprotocols::new(
            list.iter().map(|s| s.to_string()).collect(),
            allow_none,
            None,
        )
        .expect("test server list")
    }

    /// What negotiation must give: the chosen protocol, or the error.
    type Expected = Result<Option<&'static str>, SubprotocolError>;

    #[test]
    fn negotiation_table() {
        use SubprotocolError::*;
        let strict = server(&["graphql-transport-ws", "graphql-ws"], false);
        let lenient = server(&["graphql-transport-ws", "graphql-ws"], true);
        let cases: &[(&[&[u8]], Expected, Expected)] = &[
            // The server's order wins over the client's.
            (
                &[b"graphql-ws, graphql-transport-ws"],
                Ok(Some("graphql-transport-ws")),
                Ok(Some("graphql-transport-ws")),
            ),
            (
                &[b"graphql-ws"],
                Ok(Some("graphql-ws")),
                Ok(Some("graphql-ws")),
            ),
            // Repeated header lines form one list.
            (
                &[b"chat", b"graphql-ws"],
                Ok(Some("graphql-ws")),
                Ok(Some("graphql-ws")),
            ),
            // Whitespace and empty items (RFC 9110 section 5.6.1).
            (
                &[b" \tgraphql-ws\t "],
                Ok(Some("graphql-ws")),
                Ok(Some("graphql-ws")),
            ),
            (
                &[b",, graphql-ws ,"],
                Ok(Some("graphql-ws")),
                Ok(Some("graphql-ws")),
            ),
            (&[b"", b","], Err(NoneOffered), Ok(None)),
            // Case matters: the response must repeat an offered value exactly.
            (&[b"GraphQL-WS"], Err(NoneSupported), Ok(None)),
            (&[b"chat, superchat"], Err(NoneSupported), Ok(None)),
            (&[], Err(NoneOffered), Ok(None)),
            // Not tokens.
            (&[b"graphql ws"], Err(Malformed), Err(Malformed)),
            (&[b"\"graphql-ws\""], Err(Malformed), Err(Malformed)),
            (&[b"graphql-ws; q=1"], Err(Malformed), Err(Malformed)),
            (
                &[b"graphql-ws", b"gr\xc3\xa4phql"],
                Err(Malformed),
                Err(Malformed),
            ),
            (&[b"graphql-ws/1"], Err(Malformed), Err(Malformed)),
        ];
        for (lines, expected_strict, expected_lenient) in cases {
            let headers = headers(lines);
            for (subprotocols, expected) in
                [(&strict, expected_strict), (&lenient, expected_lenient)]
            {
                let got = subprotocols.negotiate(&headers, None);
                assert_eq!(
                    got.as_ref().map(|p| p.as_deref()),
                    expected.as_ref().map(|p| *p),
                    "offer {:?}, allow none {}",
                    lines
                        .iter()
                        .map(|l| String::from_utf8_lossy(l))
                        .collect::<Vec<_>>(),
                    subprotocols.allows_none()
                );
            }
        }
    }

    #[test]
    fn credential_items_are_never_chosen() {
        const PREFIX: &str = "base64url.bearer.authorization.k8s.io.";
        let subprotocols =
            Subprotocols::new(vec!["v4.channel.k8s.io".into()], false, Some(PREFIX)).unwrap();
        let offer =
            headers(&[b"base64url.bearer.authorization.k8s.io.c2VjcmV0, v4.channel.k8s.io"]);
        assert_eq!(
            subprotocols
                .negotiate(&offer, Some(PREFIX))
                .unwrap()
                .as_deref(),
            Some("v4.channel.k8s.io")
        );
        // A credential alone is not an offer of a protocol.
        let offer = headers(&[b"base64url.bearer.authorization.k8s.io.c2VjcmV0"]);
        assert_eq!(
            subprotocols.negotiate(&offer, Some(PREFIX)),
            Err(SubprotocolError::NoneOffered)
        );
    }

    #[test]
    fn server_list_is_validated() {
        let cases: &[(&[&str], &str, ConfigErrorKind)] = &[
            (&[], "", ConfigErrorKind::EmptySubprotocolList),
            (
                &["graphql ws"],
                "graphql ws",
                ConfigErrorKind::InvalidSubprotocol,
            ),
            (&[""], "", ConfigErrorKind::InvalidSubprotocol),
            (&["a", "b", "a"], "a", ConfigErrorKind::DuplicateSubprotocol),
            (
                &["base64url.bearer.authorization.k8s.io.x"],
                "base64url.bearer.authorization.k8s.io.x",
                ConfigErrorKind::SubprotocolIsCredential,
            ),
        ];
        for (list, input, kind) in cases {
            let err = Subprotocols::new(
                list.iter().map(|s| s.to_string()).collect(),
                false,
                Some("base64url.bearer.authorization.k8s.io."),
            )
            .unwrap_err();
            assert_eq!((err.input(), err.kind()), (*input, kind), "list {list:?}");
        }
    }

    #[test]
    fn token_characters() {
        assert!(is_token(b"graphql-transport-ws"));
        assert!(is_token(b"v4.channel.k8s.io"));
        assert!(is_token(b"!#$%&'*+-.^_`|~09azAZ"));
        for bad in [
            &b""[..],
            b"a b",
            b"a,b",
            b"a;b",
            b"a=b",
            b"a\"",
            b"(a)",
            b"a/b",
            b"\x7f",
            b"\xc3\xa4",
        ] {
            assert!(!is_token(bad), "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
