//! Loader for the Origin header corpus in `tests/corpus/origins.tsv`.
//!
//! Use it from an integration test with `mod common;` and `common::corpus::load()`.
//! The file format is described in `tests/corpus/README.md`. This module depends only on
//! `std` and `http` (for [`Case::wire_safe`]), never on the crate under test.
//!
//! A malformed row is a bug in the test data: [`load`] panics and names the line.

use std::fmt::Write as _;

/// The corpus file, embedded at compile time.
pub const CORPUS_TSV: &str = include_str!("../corpus/origins.tsv");

/// The attack and spelling classes of the corpus (the project's class list, kept here).
/// Every row must use one of these names. `tests/corpus_format.rs` checks that each has rows.
pub const CATEGORIES: &[&str] = &[
    "exact-allowed",
    "wildcard-allowed",
    "case-variant",
    "default-port",
    "port-mismatch",
    "port-syntax",
    "port-overflow",
    "scheme-mismatch",
    "null-opaque",
    "reflect-arbitrary",
    "prefix-match",
    "suffix-match",
    "unescaped-dot",
    "special-char",
    "wildcard-boundary",
    "subdomain-of-exact",
    "userinfo",
    "path-query-fragment",
    "trailing-dot",
    "whitespace-control",
    "percent-encoding",
    "idna",
    "loopback-alias",
    "ip-literal",
    "whatwg-leniency",
    "multiple-origins",
    "pattern-injection",
    "malformed",
    "header-injection",
    "missing-or-repeated",
];

/// The deny reasons a row may name after `deny:`.
pub const DENY_REASONS: &[&str] = &["missing", "null", "multiple", "malformed", "not-allowed"];

/// What the fixed policy must decide for a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Allow,
    /// `Some(reason)` is one of [`DENY_REASONS`]; `None` means any deny reason is right.
    Deny(Option<&'static str>),
}

impl Expected {
    pub fn is_allow(&self) -> bool {
        matches!(self, Expected::Allow)
    }
}

/// One row of the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// 1-based line number in `origins.tsv`.
    pub line: usize,
    pub category: String,
    pub expected: Expected,
    /// `None`: the request has no Origin header. `Some(v)`: one Origin header line per element, raw bytes.
    pub headers: Option<Vec<Vec<u8>>>,
    pub note: String,
}

impl Case {
    /// True when the request can go over a real socket unchanged in meaning: every header value is
    /// accepted by `http::HeaderValue::from_bytes`, i.e. no CR, LF, NUL, other C0 controls
    /// (HTAB excepted) or DEL. Bytes >= 0x80 (obs-text) are accepted.
    ///
    /// Leading/trailing SP/HTAB are kept: a receiving HTTP parser may strip them, but the decision
    /// rules trim exactly that optional whitespace first, so the expected result does not change.
    /// An empty value is wire-safe too (`Origin: ` is a valid header line). A row without an Origin
    /// header is trivially wire-safe.
    pub fn wire_safe(&self) -> bool {
        match &self.headers {
            None => true,
            Some(values) => values
                .iter()
                .all(|v| http::HeaderValue::from_bytes(v).is_ok()),
        }
    }

    /// Number of Origin header lines (0 for `<missing>`).
    pub fn header_count(&self) -> usize {
        self.headers.as_ref().map_or(0, Vec::len)
    }

    /// The header values re-encoded in the corpus escape syntax, for failure messages.
    pub fn display_value(&self) -> String {
        match &self.headers {
            None => "<missing>".to_string(),
            Some(values) => values
                .iter()
                .map(|v| encode_value(v))
                .collect::<Vec<_>>()
                .join("|"),
        }
    }

    /// `origins.tsv:LINE [category] value`, for assertion messages.
    pub fn label(&self) -> String {
        format!(
            "origins.tsv:{} [{}] {}",
            self.line,
            self.category,
            self.display_value()
        )
    }
}

/// Parses the embedded corpus. Panics, naming the line, on any malformed row.
pub fn load() -> Vec<Case> {
    parse(CORPUS_TSV).unwrap_or_else(|e| panic!("tests/corpus/origins.tsv: {e}"))
}

/// Parses corpus text (the format of `origins.tsv`). The error names the 1-based line.
pub fn parse(text: &str) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    for (idx, raw) in text.split('\n').enumerate() {
        let line = idx + 1;
        let row = raw.strip_suffix('\r').unwrap_or(raw);
        if row.trim().is_empty() || row.starts_with('#') {
            continue;
        }
        let case = parse_row(row, line).map_err(|e| format!("line {line}: {e}: {row:?}"))?;
        cases.push(case);
    }
    Ok(cases)
}

fn parse_row(row: &str, line: usize) -> Result<Case, String> {
    let fields: Vec<&str> = row.split('\t').collect();
    if fields.len() != 4 {
        return Err(format!(
            "expected 4 TAB-separated columns, found {}",
            fields.len()
        ));
    }
    let category = fields[0];
    if !CATEGORIES.contains(&category) {
        return Err(format!("unknown category {category:?}"));
    }
    let expected = parse_expected(fields[1])?;
    let headers = if fields[2] == "<missing>" {
        None
    } else {
        Some(try_decode_value(fields[2])?)
    };
    Ok(Case {
        line,
        category: category.to_string(),
        expected,
        headers,
        note: fields[3].to_string(),
    })
}

/// Parses the `expected` column.
pub fn parse_expected(s: &str) -> Result<Expected, String> {
    match s {
        "allow" => Ok(Expected::Allow),
        "deny" => Ok(Expected::Deny(None)),
        _ => {
            let reason = s
                .strip_prefix("deny:")
                .ok_or_else(|| format!("bad expected column {s:?}"))?;
            DENY_REASONS
                .iter()
                .find(|r| **r == reason)
                .map(|r| Expected::Deny(Some(*r)))
                .ok_or_else(|| format!("unknown deny reason {reason:?}"))
        }
    }
}

/// Decodes a value column (not `<missing>`) into header values. Panics on a bad escape.
pub fn decode_value(s: &str) -> Vec<Vec<u8>> {
    try_decode_value(s).unwrap_or_else(|e| panic!("{e}: {s:?}"))
}

/// Decodes a value column (not `<missing>`): splits on unescaped `|` and resolves the escapes
/// `\\ \| \t \r \n \0 \s \xHH \u{H..}`. Literal control characters are rejected (they must be
/// written as escapes); literal non-ASCII text is taken as UTF-8.
pub fn try_decode_value(s: &str) -> Result<Vec<Vec<u8>>, String> {
    let mut values = Vec::new();
    let mut cur = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '|' => values.push(std::mem::take(&mut cur)),
            '\\' => {
                let esc = chars
                    .next()
                    .ok_or_else(|| "dangling backslash at end of value".to_string())?;
                match esc {
                    '\\' => cur.push(b'\\'),
                    '|' => cur.push(b'|'),
                    't' => cur.push(b'\t'),
                    'r' => cur.push(b'\r'),
                    'n' => cur.push(b'\n'),
                    '0' => cur.push(0),
                    's' => cur.push(b' '),
                    'x' => {
                        let hex: String = (0..2).filter_map(|_| chars.next()).collect();
                        if hex.len() != 2 || !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                            return Err(format!("\\x needs two hex digits, got {hex:?}"));
                        }
                        cur.push(u8::from_str_radix(&hex, 16).expect("checked hex"));
                    }
                    'u' => {
                        if chars.next() != Some('{') {
                            return Err("\\u must be followed by {".to_string());
                        }
                        let mut hex = String::new();
                        loop {
                            match chars.next() {
                                Some('}') => break,
                                Some(h) if h.is_ascii_hexdigit() && hex.len() < 6 => hex.push(h),
                                Some(h) => {
                                    return Err(format!("bad character {h:?} in \\u{{...}}"))
                                }
                                None => return Err("unterminated \\u{...}".to_string()),
                            }
                        }
                        if hex.is_empty() {
                            return Err("empty \\u{}".to_string());
                        }
                        let cp = u32::from_str_radix(&hex, 16).expect("checked hex");
                        let ch = char::from_u32(cp)
                            .ok_or_else(|| format!("\\u{{{hex}}} is not a Unicode scalar value"))?;
                        let mut buf = [0u8; 4];
                        cur.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                    other => return Err(format!("unknown escape \\{other}")),
                }
            }
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                return Err(format!(
                    "literal control character U+{:04X}; write it as an escape",
                    c as u32
                ))
            }
            c => {
                let mut buf = [0u8; 4];
                cur.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    values.push(cur);
    Ok(values)
}

/// Encodes one header value in the corpus escape syntax (the inverse of one `|` piece of
/// [`try_decode_value`]); valid UTF-8 non-ASCII text is written as `\u{..}`, other bytes as `\xHH`.
pub fn encode_value(v: &[u8]) -> String {
    let mut out = String::new();
    let mut rest = v;
    while !rest.is_empty() {
        let (valid, bad) = match std::str::from_utf8(rest) {
            Ok(s) => (s, &[][..]),
            Err(e) => {
                let (ok, bad) = rest.split_at(e.valid_up_to());
                (std::str::from_utf8(ok).expect("valid prefix"), bad)
            }
        };
        let last = valid.len();
        for (i, c) in valid.char_indices() {
            let first_or_last = i == 0 || i + c.len_utf8() == last;
            match c {
                '\\' => out.push_str("\\\\"),
                '|' => out.push_str("\\|"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                '\n' => out.push_str("\\n"),
                '\0' => out.push_str("\\0"),
                ' ' if first_or_last => out.push_str("\\s"),
                c if (c as u32) < 0x20 || c == '\u{7f}' => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c if !c.is_ascii() => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
                c => out.push(c),
            }
        }
        match bad.first() {
            Some(b) => {
                let _ = write!(out, "\\x{b:02x}");
                rest = &bad[1..];
            }
            None => rest = &[],
        }
    }
    out
}
