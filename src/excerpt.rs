//! [`OriginExcerpt`]: the presented `Origin` value, kept without allocating and shown escaped.

use std::fmt;

/// How many bytes of a presented value are kept. Browsers' origins are far shorter; anything
/// longer is an attack or a mistake, and the first bytes are enough to recognise it.
const CAPACITY: usize = 64;

/// The first bytes of the `Origin` value a request presented, for logs.
///
/// Its `Display` is safe to write to a log or a terminal: it is quoted, every byte outside
/// printable ASCII (and `"` and `\`) is escaped as `\xNN` or `\"`/`\\`, and a value longer
/// than 64 bytes is cut with `...` after the closing quote. It is kept inline (no heap
/// allocation), so recording it costs nothing on the hot path.
///
/// ```
/// use origin_policy::OriginPolicy;
/// let policy: OriginPolicy = "https://app.example.com".parse()?;
/// let decision = policy.check_value(b"https://evil.example\r\nSet-Cookie: x=1");
/// assert_eq!(
///     decision.origin().to_string(),
///     r#""https://evil.example\x0d\x0aSet-Cookie: x=1""#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OriginExcerpt {
    bytes: [u8; CAPACITY],
    len: u8,
    truncated: bool,
    present: bool,
}

impl OriginExcerpt {
    /// No `Origin` header was presented.
    pub(crate) const ABSENT: OriginExcerpt = OriginExcerpt {
        bytes: [0; CAPACITY],
        len: 0,
        truncated: false,
        present: false,
    };

    pub(crate) fn new(value: &[u8]) -> OriginExcerpt {
        let len = value.len().min(CAPACITY);
        let mut bytes = [0; CAPACITY];
        bytes[..len].copy_from_slice(&value[..len]);
        OriginExcerpt {
            bytes,
            // `len <= CAPACITY`, which fits in a u8.
            len: len as u8,
            truncated: value.len() > CAPACITY,
            present: true,
        }
    }

    /// The kept bytes, raw (up to 64). Escape them before showing them to anyone; `Display`
    /// does that.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// The first `N` kept bytes, zero past the value's end (the value is not escaped).
    pub(crate) fn window<const N: usize>(&self) -> Option<&[u8; N]> {
        self.bytes.first_chunk::<N>()
    }

    /// Whether the value was longer than what is kept.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// Whether an `Origin` header was presented at all.
    pub fn is_present(&self) -> bool {
        self.present
    }
}

impl fmt::Display for OriginExcerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.present {
            return f.write_str("(none)");
        }
        f.write_str("\"")?;
        for &b in self.as_bytes() {
            match b {
                b'"' => f.write_str("\\\"")?,
                b'\\' => f.write_str("\\\\")?,
                0x20..=0x7e => fmt::Write::write_char(f, char::from(b))?,
                _ => write!(f, "\\x{b:02x}")?,
            }
        }
        f.write_str("\"")?;
        if self.truncated {
            f.write_str("...")?;
        }
        Ok(())
    }
}

impl fmt::Debug for OriginExcerpt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OriginExcerpt({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_escapes_and_truncates() {
        let cases: &[(&[u8], &str)] = &[
            (b"https://app.example.com", r#""https://app.example.com""#),
            (b"", r#""""#),
            (b"a\"b\\c", r#""a\"b\\c""#),
            (b"\r\n\0\x1b[31m\x7f", r#""\x0d\x0a\x00\x1b[31m\x7f""#),
            ("b\u{fc}".as_bytes(), r#""b\xc3\xbc""#),
        ];
        for &(input, expected) in cases {
            assert_eq!(
                OriginExcerpt::new(input).to_string(),
                expected,
                "input {input:?}"
            );
        }
        assert_eq!(OriginExcerpt::ABSENT.to_string(), "(none)");

        let long = [b'a'; 100];
        let excerpt = OriginExcerpt::new(&long);
        assert!(excerpt.is_truncated());
        assert_eq!(excerpt.as_bytes().len(), 64);
        assert_eq!(excerpt.to_string(), format!("\"{}\"...", "a".repeat(64)));
        assert!(!OriginExcerpt::new(&long[..64]).is_truncated());
    }

    /// Kills `OriginExcerpt::is_present` replaced with `true` / `false` and
    /// `Debug for OriginExcerpt` replaced with `Ok(Default::default())`.
    #[test]
    fn presence_and_debug() {
        let cases: &[(OriginExcerpt, bool, &str)] = &[
            (OriginExcerpt::ABSENT, false, "OriginExcerpt((none))"),
            (OriginExcerpt::new(b""), true, r#"OriginExcerpt("")"#),
            (
                OriginExcerpt::new(b"https://a.example\n"),
                true,
                r#"OriginExcerpt("https://a.example\x0a")"#,
            ),
        ];
        for (excerpt, present, debug) in cases {
            assert_eq!(excerpt.is_present(), *present, "{excerpt}");
            assert_eq!(format!("{excerpt:?}"), *debug);
        }
    }
}
