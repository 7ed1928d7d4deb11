//! Merging `Vary` (RFC 9110 section 12.5.5) into a response's own values.
//!
//! A CORS response's headers depend on `Origin` (and a preflight's on the requested method
//! and headers), so caches must key on them. A handler may have set `Vary` already (for
//! `Accept-Encoding`, say): its values are kept, the missing names are added, and nothing
//! is written twice.

use http::header::VARY;
use http::{HeaderMap, HeaderValue};

/// Names a response varies on, with their pre-joined form for a response without `Vary`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VaryNames {
    names: &'static [&'static str],
    joined: &'static str,
}

/// `Vary` for responses to actual (non-preflight) requests.
pub(crate) const ACTUAL: VaryNames = VaryNames {
    names: &["Origin"],
    joined: "Origin",
};

/// `Vary` for preflight responses.
pub(crate) const PREFLIGHT: VaryNames = VaryNames {
    names: &[
        "Origin",
        "Access-Control-Request-Method",
        "Access-Control-Request-Headers",
        "Access-Control-Request-Private-Network",
    ],
    joined: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
};

/// Adds `names` to the `Vary` of `headers`, keeping what is there.
///
/// - No `Vary` yet: one static value is inserted (no allocation).
/// - `Vary: *` anywhere: the response already varies on everything; nothing changes.
/// - Every name already listed (any letter case, any of several lines): nothing changes.
/// - Otherwise the lines are folded into one value (RFC 9110 section 5.3 allows combining a
///   list field's lines with commas) with the missing names appended.
pub(crate) fn merge(headers: &mut HeaderMap, vary: VaryNames) {
    let mut existing = headers.get_all(VARY).iter().peekable();
    if existing.peek().is_none() {
        headers.insert(VARY, HeaderValue::from_static(vary.joined));
        return;
    }
    let listed = |name: &str| {
        headers
            .get_all(VARY)
            .iter()
            .flat_map(|value| value.as_bytes().split(|&b| b == b','))
            .any(|item| {
                let item = item.trim_ascii();
                item == b"*" || item.eq_ignore_ascii_case(name.as_bytes())
            })
    };
    if listed("*") {
        return;
    }
    let missing: Vec<&str> = vary
        .names
        .iter()
        .copied()
        .filter(|name| !listed(name))
        .collect();
    if missing.is_empty() {
        return;
    }
    let mut folded: Vec<u8> = Vec::new();
    for value in existing {
        let value = value.as_bytes().trim_ascii();
        if value.is_empty() {
            continue;
        }
        if !folded.is_empty() {
            folded.extend_from_slice(b", ");
        }
        folded.extend_from_slice(value);
    }
    for name in &missing {
        if !folded.is_empty() {
            folded.extend_from_slice(b", ");
        }
        folded.extend_from_slice(name.as_bytes());
    }
    // The parts were valid header values, so the fold is one too; if it somehow were not,
    // appending the names as lines of their own is equally correct.
    match HeaderValue::from_bytes(&folded) {
        Ok(value) => {
            headers.insert(VARY, value);
        }
        Err(_) => {
            for name in missing {
                headers.append(VARY, HeaderValue::from_static(name));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vary_after(existing: &[&str], names: VaryNames) -> Vec<String> {
        let mut headers = HeaderMap::new();
        for value in existing {
            headers.append(VARY, HeaderValue::from_str(value).unwrap());
        }
        merge(&mut headers, names);
        headers
            .get_all(VARY)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn merges() {
        let cases: &[(&[&str], VaryNames, &[&str])] = &[
            // Nothing there yet.
            (&[], ACTUAL, &["Origin"]),
            (
                &[],
                PREFLIGHT,
                &["Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network"],
            ),
            // The handler's values are kept, ours appended.
            (&["Accept-Encoding"], ACTUAL, &["Accept-Encoding, Origin"]),
            (
                &["accept-encoding", "cookie"],
                ACTUAL,
                &["accept-encoding, cookie, Origin"],
            ),
            // Already listed, in any case or line: untouched.
            (&["origin"], ACTUAL, &["origin"]),
            (&["Accept, ORIGIN"], ACTUAL, &["Accept, ORIGIN"]),
            (&["Accept", " Origin "], ACTUAL, &["Accept", " Origin "]),
            // Partly listed.
            (
                &["Origin"],
                PREFLIGHT,
                &["Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network"],
            ),
            // `*` already covers every name.
            (&["*"], PREFLIGHT, &["*"]),
            (&["Accept, *"], ACTUAL, &["Accept, *"]),
            // Empty lines are dropped when folding; list items are kept as they were.
            (&["", "Accept,"], ACTUAL, &["Accept,, Origin"]),
            // A name that merely contains `origin` is not `Origin`.
            (&["X-Origin"], ACTUAL, &["X-Origin, Origin"]),
        ];
        for &(existing, names, expected) in cases {
            assert_eq!(
                vary_after(existing, names),
                expected,
                "existing {existing:?}"
            );
        }
    }
}
