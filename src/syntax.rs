//! HTTP field syntax shared by the CORS support and the handshake guard.

/// An RFC 9110 token (section 5.6.2): `1*tchar`. Method names, header field names and
/// WebSocket subprotocol names are tokens.
pub(crate) fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| TCHAR[usize::from(b)])
}

/// [`is_tchar`] as a table: one load per byte instead of a chain of comparisons.
static TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = is_tchar(b as u8);
        b += 1;
    }
    table
};

/// `tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" /
/// "~" / DIGIT / ALPHA`
const fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table is the grammar, byte for byte.
    #[test]
    fn table_agrees_with_the_grammar() {
        for b in 0..=255u8 {
            assert_eq!(TCHAR[usize::from(b)], is_tchar(b), "byte {b:#04x}");
            assert_eq!(is_token(&[b]), is_tchar(b), "byte {b:#04x}");
        }
    }

    #[test]
    fn tokens() {
        for good in [
            &b"GET"[..],
            b"x-custom",
            b"graphql-transport-ws",
            b"v4.channel.k8s.io",
            b"!#$%&'*+-.^_`|~09azAZ",
        ] {
            assert!(is_token(good), "{:?}", String::from_utf8_lossy(good));
        }
        for bad in [
            &b""[..],
            b"a b",
            b"a,b",
            b"a\xff",
            b"a;b",
            b"a=b",
            b"\"a\"",
            b"a/b",
            b"a\tb",
            b"(a)",
            b"{a}",
            b"a@b",
        ] {
            assert!(!is_token(bad), "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
