//! [`Text`]: the immutable string inside [`Origin`](crate::Origin),
//! [`OriginPattern`](crate::OriginPattern) and [`AppOrigin`](crate::AppOrigin), kept inline
//! when it is short, so that cloning the rule a [`Decision`](crate::Decision) carries is a
//! copy of bytes and not a reference count.
//!
//! An allowed check hands the caller an owned [`MatchedRule`](crate::MatchedRule). With an
//! `Arc<str>` inside, every allowed check was an atomic increment and an atomic decrement
//! on a counter that every thread checking the same rule writes (issue 13: "no atomic
//! read-modify-write per check"). Origins of browsers almost always fit in [`INLINE`] bytes;
//! a longer one is shared as before.

use std::fmt;
use std::sync::Arc;

/// The longest string kept inline, in bytes: the size of an `Arc<str>` and a length, rounded
/// to 40 bytes (`https://` and a 30-byte host fit, as does `https://*.tenant.example.com`).
pub(crate) const INLINE: usize = 38;

/// An immutable string: inline up to [`INLINE`] bytes, shared beyond.
#[derive(Clone)]
pub(crate) struct Text(Repr);

#[derive(Clone)]
enum Repr {
    /// The first `len` bytes are the string (copied whole from a `&str`).
    Inline {
        len: u8,
        bytes: [u8; INLINE],
    },
    Shared(Arc<str>),
}

impl Text {
    pub(crate) fn new(text: &str) -> Text {
        let len = text.len();
        if len <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..len].copy_from_slice(text.as_bytes());
            // `len <= INLINE`, which fits in a u8.
            Text(Repr::Inline {
                len: len as u8,
                bytes,
            })
        } else {
            Text(Repr::Shared(Arc::from(text)))
        }
    }

    /// A string of ASCII bytes (as stored by [`ExactSet`](crate::exact::ExactSet)); any other
    /// byte is replaced, never kept.
    pub(crate) fn from_ascii(bytes: &[u8]) -> Text {
        let len = bytes.len();
        if len <= INLINE {
            let mut inline = [0; INLINE];
            inline[..len].copy_from_slice(bytes);
            // Checked on the whole fixed-size array (the padding is zeros, which are ASCII):
            // a few wide operations instead of a loop over the bytes of the slice.
            if inline.iter().fold(0, |high, &b| high | b) < 0x80 {
                return Text(Repr::Inline {
                    len: len as u8,
                    bytes: inline,
                });
            }
        }
        Text::new(&String::from_utf8_lossy(bytes))
    }

    /// The first `len` bytes of `window`, which must be ASCII and zero past `len` (as an
    /// [`OriginExcerpt`](crate::OriginExcerpt) holds a value). Anything else is replaced,
    /// never kept: the result is then the lossy text of the first `len` bytes.
    pub(crate) fn from_window(window: &[u8; INLINE], len: usize) -> Text {
        // The padding is the caller's to keep zero (an excerpt is built zeroed); ASCII is
        // checked on the whole array: a few wide operations, no loop over the bytes.
        if len <= INLINE && window.iter().fold(0, |high, &b| high | b) < 0x80 {
            // `len <= INLINE`, checked above, which fits in a u8.
            return Text(Repr::Inline {
                len: len as u8,
                bytes: *window,
            });
        }
        Text::from_ascii(&window[..len.min(INLINE)])
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Repr::Shared(text) => text.as_bytes(),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match &self.0 {
            // The bytes are a whole `&str` copied by `new`, so they are UTF-8: the empty
            // fallback is never taken (and this crate only stores ASCII here).
            Repr::Inline { .. } => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
            Repr::Shared(text) => text,
        }
    }

    /// Whether the string is kept inline (cloning it touches no reference count).
    #[cfg(test)]
    pub(crate) fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline { .. })
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Text {}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    // Byte order is `str` order.
    fn cmp(&self, other: &Text) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl std::hash::Hash for Text {
    // The same as `str`'s, so that lookups by `&str` agree.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write(self.as_bytes());
        state.write_u8(0xff);
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_str().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_keeps_ascii_and_replaces_anything_else() {
        let mut window = [0; INLINE];
        window[..5].copy_from_slice(b"https");
        assert_eq!(Text::from_window(&window, 5).as_str(), "https");
        assert_eq!(Text::from_window(&window, 5), Text::new("https"));
        window[2] = 0xff;
        assert_eq!(Text::from_window(&window, 5).as_str(), "ht\u{fffd}ps");
    }

    #[test]
    fn inline_up_to_the_limit_then_shared() {
        for len in [0, 1, 25, INLINE - 1, INLINE, INLINE + 1, 64, 300] {
            let string = "a".repeat(len);
            let text = Text::new(&string);
            assert_eq!(text.as_str(), string, "len {len}");
            assert_eq!(text.as_bytes(), string.as_bytes(), "len {len}");
            assert_eq!(text.is_inline(), len <= INLINE, "len {len}");
            let copy = text.clone();
            assert_eq!(copy, text, "len {len}");
            assert_eq!(copy.as_str(), string, "len {len}");
        }
        assert!(Text::new("a") < Text::new("b"));
        assert!(Text::new(&"a".repeat(60)) > Text::new("a"));
        assert_eq!(format!("{:?}", Text::new("x\"")), r#""x\"""#);
        assert_eq!(std::mem::size_of::<Text>(), 40);
    }
}
