//! Checks the Origin header corpus itself (tests/corpus/origins.tsv): size, coverage of every
//! class in `corpus::CATEGORIES`, allow/deny balance, no duplicates, internal consistency and the
//! escape decoding of the loader. It does not use the crate under test.

use crate::common::corpus::{self, Case, Expected, CATEGORIES};
use std::collections::{BTreeMap, HashSet};

fn cases() -> Vec<Case> {
    corpus::load()
}

#[test]
fn corpus_has_enough_rows() {
    let n = cases().len();
    assert!(n >= 300, "corpus has only {n} rows");
}

#[test]
fn every_category_has_at_least_five_rows() {
    let mut counts: BTreeMap<&str, usize> = CATEGORIES.iter().map(|c| (*c, 0)).collect();
    for case in cases() {
        *counts
            .get_mut(case.category.as_str())
            .unwrap_or_else(|| panic!("{}: unknown category", case.label())) += 1;
    }
    let thin: Vec<_> = counts.iter().filter(|(_, n)| **n < 5).collect();
    assert!(
        thin.is_empty(),
        "categories with fewer than 5 rows: {thin:?}"
    );
}

#[test]
fn enough_allowed_rows() {
    let all = cases();
    let allow = all.iter().filter(|c| c.expected.is_allow()).count();
    assert!(allow >= 60, "only {allow} allow rows");
    assert!(
        all.len() - allow >= 200,
        "only {} deny rows",
        all.len() - allow
    );
}

#[test]
fn no_duplicate_rows_within_a_category() {
    let mut seen = HashSet::new();
    for case in cases() {
        let key = (case.category.clone(), case.headers.clone());
        assert!(seen.insert(key), "{}: duplicate row", case.label());
    }
}

#[test]
fn header_count_matches_expectation() {
    // Rule 1 of the decision rules: no header -> missing, 2+ header lines -> multiple.
    for case in cases() {
        match case.header_count() {
            0 => assert_eq!(
                case.expected,
                Expected::Deny(Some("missing")),
                "{}",
                case.label()
            ),
            1 => assert_ne!(
                case.expected,
                Expected::Deny(Some("missing")),
                "{}",
                case.label()
            ),
            _ => assert_eq!(
                case.expected,
                Expected::Deny(Some("multiple")),
                "{}",
                case.label()
            ),
        }
    }
}

#[test]
fn allowed_rows_are_wire_safe_and_notes_present() {
    for case in cases() {
        if case.expected.is_allow() {
            assert!(
                case.wire_safe(),
                "{}: allow row not wire-safe",
                case.label()
            );
        }
        assert!(!case.note.trim().is_empty(), "{}: empty note", case.label());
    }
}

#[test]
fn both_wire_safe_and_raw_only_rows_exist() {
    let all = cases();
    let raw_only = all.iter().filter(|c| !c.wire_safe()).count();
    assert!(raw_only >= 10, "only {raw_only} rows need a raw socket");
    assert!(all.len() - raw_only >= 300);
}

#[test]
fn display_value_round_trips() {
    for case in cases() {
        if let Some(values) = &case.headers {
            let shown = case.display_value();
            assert_eq!(&corpus::decode_value(&shown), values, "{}", case.label());
        }
    }
}

#[test]
fn escape_decoding() {
    let d = corpus::decode_value;
    assert_eq!(
        d("https://app.example.com"),
        vec![b"https://app.example.com".to_vec()]
    );
    assert_eq!(d(""), vec![Vec::<u8>::new()]);
    assert_eq!(d("|"), vec![Vec::<u8>::new(), Vec::new()]);
    assert_eq!(d(r"a|b"), vec![b"a".to_vec(), b"b".to_vec()]);
    assert_eq!(d(r"a\|b"), vec![b"a|b".to_vec()]);
    assert_eq!(d(r"a\\|b"), vec![b"a\\".to_vec(), b"b".to_vec()]);
    assert_eq!(d(r"a\\\|b"), vec![b"a\\|b".to_vec()]);
    assert_eq!(d(r"\t\r\n\0\s"), vec![b"\t\r\n\0 ".to_vec()]);
    assert_eq!(d(r"\x41\x7f\xff\x00"), vec![vec![0x41, 0x7f, 0xff, 0x00]]);
    assert_eq!(d(r"\xAb"), vec![vec![0xab]]);
    assert_eq!(d(r"b\u{fc}cher"), vec!["bücher".as_bytes().to_vec()]);
    assert_eq!(d(r"\u{200D}"), vec!["\u{200d}".as_bytes().to_vec()]);
    assert_eq!(d(r"\u{1F600}"), vec!["\u{1f600}".as_bytes().to_vec()]);
    assert_eq!(d("bücher"), vec!["bücher".as_bytes().to_vec()]);
    assert_eq!(
        d(r"\snull\s|null"),
        vec![b" null ".to_vec(), b"null".to_vec()]
    );
}

#[test]
fn escape_decoding_rejects_bad_input() {
    for bad in [
        r"\q",
        r"\x4",
        r"\xg0",
        r"\u41",
        r"\u{}",
        r"\u{110000}",
        r"\u{d800}",
        r"\u{1234567}",
        r"\u{41",
        "trailing\\",
        "literal\u{7}bell",
        "literal\rcr",
    ] {
        assert!(
            corpus::try_decode_value(bad).is_err(),
            "{bad:?} should be rejected"
        );
    }
}

#[test]
fn row_parsing() {
    let ok = corpus::parse("# comment\n\nnull-opaque\tdeny:null\tnull\tnote\r\nmissing-or-repeated\tdeny:missing\t<missing>\tx\n").unwrap();
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[0].line, 3);
    assert_eq!(ok[0].headers, Some(vec![b"null".to_vec()]));
    assert_eq!(ok[1].line, 4);
    assert_eq!(ok[1].headers, None);
    assert_eq!(ok[1].expected, Expected::Deny(Some("missing")));
    assert_eq!(
        corpus::parse_expected("deny").unwrap(),
        Expected::Deny(None)
    );
    assert_eq!(corpus::parse_expected("allow").unwrap(), Expected::Allow);
    for bad in [
        "malformed\tdeny:nope\tx\tn",        // unknown reason
        "not-a-class\tallow\tx\tn",          // unknown category
        "malformed\tallow\tx",               // three columns
        "malformed\tallow\tx\tn\textra",     // five columns
        "malformed\tpermit\tx\tn",           // bad expected
        "malformed\tdeny:malformed\t\\q\tn", // bad escape
    ] {
        let err = corpus::parse(&format!("# c\n{bad}\n")).unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }
}

#[test]
fn wire_safe_classification() {
    let case = |v: &str| Case {
        line: 0,
        category: "malformed".into(),
        expected: Expected::Deny(None),
        headers: Some(corpus::decode_value(v)),
        note: String::new(),
    };
    assert!(case("https://app.example.com").wire_safe());
    assert!(case(r"\thttps://app.example.com\s").wire_safe());
    assert!(case("").wire_safe());
    assert!(case(r"https://b\u{fc}cher.example").wire_safe());
    assert!(case(r"https://app.example.com\x85").wire_safe());
    assert!(case("a|b").wire_safe());
    assert!(!case(r"https://app.example.com\r\nX:1").wire_safe());
    assert!(!case(r"https://app.example.com\0").wire_safe());
    assert!(!case(r"https://app.example.com\x7f").wire_safe());
    assert!(!case(r"https://app.example.com\x0b").wire_safe());
    assert!(!case(r"ok|bad\n").wire_safe());
    let missing = Case {
        headers: None,
        ..case("")
    };
    assert!(missing.wire_safe());
}

#[test]
fn corpus_spot_checks() {
    // A few rows whose expectation is stated verbatim in the decision rules.
    let all = cases();
    let find = |cat: &str, v: &str| -> Expected {
        let want = corpus::decode_value(v);
        all.iter()
            .find(|c| c.category == cat && c.headers.as_ref() == Some(&want))
            .unwrap_or_else(|| panic!("row {cat} {v} missing"))
            .expected
    };
    assert_eq!(
        find("exact-allowed", "https://app.example.com"),
        Expected::Allow
    );
    assert_eq!(
        find("default-port", "https://app.example.com:443"),
        Expected::Allow
    );
    assert_eq!(
        find("trailing-dot", "https://app.example.com."),
        Expected::Deny(Some("not-allowed"))
    );
    assert_eq!(
        find(
            "multiple-origins",
            r"https://a.example,\shttps://app.example.com"
        ),
        Expected::Deny(Some("multiple"))
    );
    assert_eq!(
        find("multiple-origins", "https://app.example.com,"),
        Expected::Deny(Some("malformed"))
    );
    assert_eq!(
        find("pattern-injection", "https://*.tenant.example.com"),
        Expected::Deny(Some("malformed"))
    );
    assert_eq!(
        find("port-overflow", "https://app.example.com:65979"),
        Expected::Deny(Some("malformed"))
    );
    assert_eq!(find("null-opaque", "null"), Expected::Deny(Some("null")));
}

/// The counts written in tests/corpus/README.md (rows per class, allow rows, rows per
/// expectation, rows that are not wire-safe) are the corpus's: adding a row without updating
/// the README fails here.
#[test]
fn the_readme_counts_are_the_corpus_counts() {
    let readme = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/README.md"
    ))
    .expect("tests/corpus/README.md");
    let cases = cases();

    let mut actual: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for case in &cases {
        let entry = actual.entry(case.category.as_str()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(case.expected.is_allow());
    }
    // `| class | rows | class | rows |` rows: each cell pair is a name and `N` or `N (A)`.
    let mut written: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for line in readme.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        for pair in cells.chunks(2) {
            let [name, count] = pair else { continue };
            if !actual.contains_key(name) {
                continue;
            }
            let (rows, allowed) = match count.split_once(" (") {
                Some((rows, allowed)) => (rows, allowed.trim_end_matches(')')),
                None => (*count, "0"),
            };
            written.insert(
                name,
                (
                    rows.parse().expect("a row count"),
                    allowed.parse().expect("an allow count"),
                ),
            );
        }
    }
    assert_eq!(written, actual, "the class table of tests/corpus/README.md");

    let expectation = |e: &Expected| match e {
        Expected::Allow => "allow".to_owned(),
        Expected::Deny(None) => "deny".to_owned(),
        Expected::Deny(Some(reason)) => format!("deny:{reason}"),
    };
    let mut by_expectation: BTreeMap<String, usize> = BTreeMap::new();
    for case in &cases {
        *by_expectation
            .entry(expectation(&case.expected))
            .or_default() += 1;
    }
    let line = readme
        .lines()
        .skip_while(|l| !l.starts_with("By expectation"))
        .take_while(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        line.starts_with(&format!("By expectation ({} rows):", cases.len())),
        "{line}"
    );
    for (name, count) in &by_expectation {
        assert!(
            line.contains(&format!("{count} `{name}`")),
            "README says otherwise for {count} `{name}`: {line}"
        );
    }

    let raw_only = cases.iter().filter(|c| !c.wire_safe()).count();
    assert!(
        readme.contains(&format!("The other\n{raw_only} rows")),
        "tests/corpus/README.md: {raw_only} rows are not wire-safe"
    );
}
