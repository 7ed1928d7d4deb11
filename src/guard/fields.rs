//! The handshake's header lines the guard reads, found in one pass over the header map.
//!
//! A handshake carries a handful of headers; comparing each line's name with the few the
//! guard needs (standard names compare as an enum) costs less than one hashed `HeaderMap`
//! lookup per header. Duplicate lines keep their meaning: each field records its first line
//! and whether there was another one, and a reader that needs every line (a list such as
//! `Sec-WebSocket-Protocol` or `Cookie`) goes back to the map only in that rare case.

use http::header::{
    AUTHORIZATION, COOKIE, HOST, ORIGIN, SEC_WEBSOCKET_PROTOCOL, SEC_WEBSOCKET_VERSION,
};
use http::{HeaderMap, HeaderName, HeaderValue};

/// The lines of one header: the first, and whether more followed.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Lines<'h> {
    first: Option<&'h HeaderValue>,
    several: bool,
}

impl<'h> Lines<'h> {
    /// The lines of `name` in `headers`, by a map lookup.
    pub(crate) fn of(headers: &'h HeaderMap, name: &HeaderName) -> Lines<'h> {
        let mut values = headers.get_all(name).iter();
        Lines {
            first: values.next(),
            several: values.next().is_some(),
        }
    }

    fn push(&mut self, value: &'h HeaderValue) {
        if self.first.is_none() {
            self.first = Some(value);
        } else {
            self.several = true;
        }
    }

    /// The value when the header is on exactly one line.
    pub(crate) fn single(&self) -> Option<&'h HeaderValue> {
        match self.several {
            false => self.first,
            true => None,
        }
    }

    /// The first line, if any.
    pub(crate) fn first(&self) -> Option<&'h HeaderValue> {
        self.first
    }

    /// Whether the header has two lines or more.
    pub(crate) fn is_several(&self) -> bool {
        self.several
    }
}

/// Which header carries the credential of a built-in token source, if one does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Credential {
    /// None of the scanned headers (no authentication, a hook, the query, a subprotocol).
    None,
    /// `Authorization`.
    Authorization,
    /// `Cookie`.
    Cookie,
}

/// The lines of every header the guard reads.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Fields<'h> {
    pub(crate) version: Lines<'h>,
    pub(crate) origin: Lines<'h>,
    pub(crate) host: Lines<'h>,
    pub(crate) protocol: Lines<'h>,
    /// `Authorization` or `Cookie`, as [`Credential`] asked.
    pub(crate) credential: Lines<'h>,
}

impl<'h> Fields<'h> {
    /// One pass over `headers`.
    pub(crate) fn scan(headers: &'h HeaderMap, credential: Credential) -> Fields<'h> {
        let credential = match credential {
            Credential::None => None,
            Credential::Authorization => Some(&AUTHORIZATION),
            Credential::Cookie => Some(&COOKIE),
        };
        let mut fields = Fields::default();
        for (name, value) in headers {
            let lines = if *name == ORIGIN {
                &mut fields.origin
            } else if *name == SEC_WEBSOCKET_VERSION {
                &mut fields.version
            } else if *name == SEC_WEBSOCKET_PROTOCOL {
                &mut fields.protocol
            } else if *name == HOST {
                &mut fields.host
            } else if credential == Some(name) {
                &mut fields.credential
            } else {
                continue;
            };
            lines.push(value);
        }
        fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(lines: &[(&str, &[u8])]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in lines {
            headers.append(
                HeaderName::from_bytes(name.as_bytes()).expect("a name"),
                HeaderValue::from_bytes(value).expect("a value"),
            );
        }
        headers
    }

    /// Every field of the scan agrees with a map lookup of its header.
    fn agrees(headers: &HeaderMap, credential: Credential) {
        let fields = Fields::scan(headers, credential);
        let pairs = [
            (fields.version, SEC_WEBSOCKET_VERSION),
            (fields.origin, ORIGIN),
            (fields.host, HOST),
            (fields.protocol, SEC_WEBSOCKET_PROTOCOL),
        ];
        let credential_name = match credential {
            Credential::None => None,
            Credential::Authorization => Some(AUTHORIZATION),
            Credential::Cookie => Some(COOKIE),
        };
        for (lines, name) in pairs
            .iter()
            .cloned()
            .chain(credential_name.map(|name| (fields.credential, name)))
        {
            let expected = Lines::of(headers, &name);
            assert_eq!(lines.first(), expected.first(), "{name}");
            assert_eq!(lines.is_several(), expected.is_several(), "{name}");
            assert_eq!(lines.single(), expected.single(), "{name}");
        }
        if credential == Credential::None {
            assert!(fields.credential.first().is_none());
        }
    }

    #[test]
    fn scan_table() {
        let long = vec![b'a'; 64 * 1024];
        let cases: &[&[(&str, &[u8])]] = &[
            &[],
            &[("origin", b"")],
            &[
                ("origin", b"https://a.example"),
                ("origin", b"https://b.example"),
            ],
            &[("sec-websocket-version", b" 13 ")],
            &[
                ("sec-websocket-version", b"13"),
                ("sec-websocket-version", b"13"),
            ],
            &[
                ("Sec-WebSocket-Protocol", b"a, b"),
                ("sec-websocket-protocol", b"c"),
            ],
            &[
                ("cookie", b"a=1"),
                ("x-other", b"1"),
                ("cookie", b"session=2"),
            ],
            &[
                ("authorization", b"Bearer x"),
                ("authorization", b"Bearer y"),
            ],
            &[("host", b"a.example"), ("host", b"b.example")],
            &[
                ("origin", b"https://\xc3\xa9.example"),
                ("x-origin", b"https://a.example"),
            ],
            &[
                ("origin", &long),
                ("cookie", &long),
                ("authorization", &long),
            ],
            &[
                ("x-a", b"1"),
                ("origin", b"https://a.example"),
                ("x-b", b"2"),
                ("sec-websocket-version", b"13"),
                ("x-c", b"3"),
                ("host", b"a.example"),
                ("cookie", b"session=1"),
                ("authorization", b"Bearer t"),
                ("sec-websocket-protocol", b"chat"),
            ],
        ];
        for case in cases {
            let headers = map(case);
            for credential in [
                Credential::None,
                Credential::Authorization,
                Credential::Cookie,
            ] {
                agrees(&headers, credential);
            }
        }
    }

    #[test]
    fn lines_table() {
        let headers = map(&[("origin", b"x"), ("origin", b"y"), ("host", b"h")]);
        let fields = Fields::scan(&headers, Credential::None);
        assert_eq!(
            fields.origin.first().map(HeaderValue::as_bytes),
            Some(&b"x"[..])
        );
        assert!(fields.origin.is_several());
        assert_eq!(fields.origin.single(), None);
        assert_eq!(
            fields.host.single().map(HeaderValue::as_bytes),
            Some(&b"h"[..])
        );
        assert!(fields.version.first().is_none());
        assert!(!fields.version.is_several());
        // A credential header that was not asked for is not recorded.
        let headers = map(&[("cookie", b"a=1")]);
        assert!(Fields::scan(&headers, Credential::Authorization)
            .credential
            .first()
            .is_none());
        assert!(Fields::scan(&headers, Credential::Cookie)
            .credential
            .single()
            .is_some());
    }
}
