//! The audit's results: a table for people, JSON for pipelines, an exit code for both.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{json, Map, Value};

use super::{Class, Exchange, Expectation, Outcome, ProbeKind, Variant, Verdict};

/// Escapes bytes for a terminal or a log, as [`OriginExcerpt`](origin_policy::OriginExcerpt) does:
/// printable ASCII stays, `"` and `\` get a backslash, every other byte becomes `\xNN`.
/// Input longer than `max` bytes is cut and ends with `...`. Everything the endpoint sends
/// back goes through this before it is shown.
///
/// ```
/// use origin_audit::escape;
/// assert_eq!(escape(b"https://a.example\r\n\x1b[31m", 100), r"https://a.example\x0d\x0a\x1b[31m");
/// assert_eq!(escape(b"abcdef", 3), "abc...");
/// ```
pub fn escape(bytes: &[u8], max: usize) -> String {
    let mut out = String::with_capacity(bytes.len().min(max) + 3);
    for &b in bytes.iter().take(max) {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    if bytes.len() > max {
        out.push_str("...");
    }
    out
}

/// One variant, what the endpoint did with it, and the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VariantResult {
    /// What was sent.
    pub variant: Variant,
    /// The requests and their answers (one for WebSocket, two for CORS).
    pub exchanges: Vec<Exchange>,
    /// Accepted when any request was accepted.
    pub outcome: Outcome,
    /// The judgement.
    pub verdict: Verdict,
}

impl VariantResult {
    /// Judges the answers to a variant.
    pub fn new(variant: Variant, exchanges: Vec<Exchange>) -> VariantResult {
        let outcome = Outcome::of(&exchanges);
        let verdict = Verdict::of(variant.expectation, outcome);
        VariantResult {
            variant,
            exchanges,
            outcome,
            verdict,
        }
    }

    /// Why this result matters, in one sentence.
    pub fn explanation(&self) -> &'static str {
        match (self.variant.expectation, self.outcome) {
            (Expectation::Accept, Outcome::Refused) => {
                "the trusted origin was refused: the endpoint is down or misconfigured, needs \
                 credentials (`--header`), or a proxy in front of it drops or rewrites Origin"
            }
            _ => self.variant.class.risk(),
        }
    }

    /// Whether any accepted request would carry the user's cookies (CORS).
    pub fn credentials(&self) -> bool {
        self.exchanges
            .iter()
            .any(|e| e.outcome == Outcome::Accepted && e.credentials)
    }

    /// The value(s) sent, quoted and escaped, cut to `width` characters.
    fn origin_display(&self, width: usize) -> String {
        let mut shown = match &self.variant.origin {
            None => "(none)".to_owned(),
            Some(lines) => lines
                .iter()
                .map(|line| format!("\"{}\"", escape(line, width)))
                .collect::<Vec<_>>()
                .join(" + "),
        };
        // Escaped text is ASCII: any byte index is a character boundary.
        if shown.len() > width {
            shown.truncate(width.saturating_sub(3));
            shown.push_str("...");
        }
        shown
    }

    fn response_display(&self) -> String {
        match self.exchanges.as_slice() {
            [only] => only.detail.clone(),
            all => all
                .iter()
                .map(|e| format!("{}: {}", e.request, e.detail))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

/// Counts over a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Summary {
    /// Variants sent.
    pub variants: usize,
    /// Requests sent (or attempted).
    pub requests: usize,
    /// Verdict `pass`.
    pub passed: usize,
    /// Verdict `finding`.
    pub findings: usize,
    /// Verdict `info`.
    pub info: usize,
    /// Verdict `error`.
    pub errors: usize,
}

/// The result of an audit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Report {
    /// The target URL.
    pub target: String,
    /// WebSocket handshakes or CORS requests.
    pub kind: ProbeKind,
    /// The trusted origins, canonical.
    pub trusted: Vec<String>,
    /// Classes left out with `--skip`.
    pub skipped: Vec<Class>,
    /// One result per variant, in the order of the plan.
    pub results: Vec<VariantResult>,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
}

impl Report {
    /// The counts.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary {
            variants: self.results.len(),
            ..Summary::default()
        };
        for result in &self.results {
            summary.requests += result.exchanges.len();
            match result.verdict {
                Verdict::Pass => summary.passed += 1,
                Verdict::Finding => summary.findings += 1,
                Verdict::Info => summary.info += 1,
                Verdict::Error => summary.errors += 1,
            }
        }
        summary
    }

    /// The results with verdict `finding`.
    pub fn findings(&self) -> impl Iterator<Item = &VariantResult> {
        self.results
            .iter()
            .filter(|r| r.verdict == Verdict::Finding)
    }

    /// The classes with at least one finding, sorted, once each.
    pub fn finding_classes(&self) -> Vec<Class> {
        let mut classes: Vec<Class> = self.findings().map(|r| r.variant.class).collect();
        classes.sort();
        classes.dedup();
        classes
    }

    /// `1` with any finding, else `2` with any error, else `0`.
    pub fn exit_code(&self) -> i32 {
        let summary = self.summary();
        if summary.findings > 0 {
            1
        } else if summary.errors > 0 {
            2
        } else {
            0
        }
    }

    fn probe_name(&self) -> &'static str {
        match self.kind {
            ProbeKind::WebSocket => "websocket",
            ProbeKind::Cors => "cors",
        }
    }

    /// The machine-readable report printed by `--json`:
    ///
    /// ```text
    /// {
    ///   "tool": "origin-audit", "version": "0.1.0",
    ///   "target": "ws://127.0.0.1:9001/", "probe": "websocket" | "cors",
    ///   "trusted": ["http://localhost:8080"], "skipped": ["missing-or-repeated", ...],
    ///   "exit_code": 0 | 1 | 2,
    ///   "summary": { "variants": 41, "requests": 41, "passed": 38, "findings": 0, "info": 3,
    ///                "errors": 0, "finding_classes": ["null-opaque", ...], "elapsed_ms": 120 },
    ///   "results": [{
    ///     "index": 1,                          // 1-based, as in the table
    ///     "class": "exact-allowed",            // a corpus class name
    ///     "expect": "accept" | "refuse" | "either",
    ///     "origin": ["http://localhost:8080"] | null,   // one string per header line, escaped; null: no Origin
    ///     "browser_can_send": true,
    ///     "outcome": "accepted" | "refused" | "error",
    ///     "verdict": "pass" | "finding" | "info" | "error",
    ///     "credentials": false,                // CORS: readable with the user's cookies
    ///     "explanation": "...",
    ///     "exchanges": [{
    ///       "request": "GET (upgrade)" | "GET" | "OPTIONS (preflight)",
    ///       "status": 101 | null, "outcome": "accepted" | "refused" | "error",
    ///       "credentials": false,
    ///       "headers": { "access-control-allow-origin": ["..."] },   // escaped
    ///       "detail": "101 Switching Protocols"
    ///     }]
    ///   }]
    /// }
    /// ```
    ///
    /// Strings that come from the endpoint or hold generated bytes are escaped with
    /// [`escape`], so the JSON is plain ASCII.
    pub fn to_json(&self) -> Value {
        let summary = self.summary();
        let results: Vec<Value> = self
            .results
            .iter()
            .enumerate()
            .map(|(index, result)| {
                let origin = result.variant.origin.as_ref().map(|lines| {
                    lines
                        .iter()
                        .map(|line| Value::String(escape(line, 1024)))
                        .collect::<Vec<_>>()
                });
                let exchanges: Vec<Value> = result
                    .exchanges
                    .iter()
                    .map(|exchange| {
                        let mut headers = Map::new();
                        for (name, value) in &exchange.headers {
                            let entry = headers
                                .entry(name.clone())
                                .or_insert_with(|| Value::Array(Vec::new()));
                            if let Value::Array(values) = entry {
                                values.push(Value::String(value.clone()));
                            }
                        }
                        json!({
                            "request": exchange.request,
                            "status": exchange.status,
                            "outcome": exchange.outcome.name(),
                            "credentials": exchange.credentials,
                            "headers": headers,
                            "detail": exchange.detail,
                        })
                    })
                    .collect();
                json!({
                    "index": index + 1,
                    "class": result.variant.class.name(),
                    "expect": result.variant.expectation.name(),
                    "origin": origin,
                    "browser_can_send": result.variant.browser_can_send,
                    "outcome": result.outcome.name(),
                    "verdict": result.verdict.name(),
                    "credentials": result.credentials(),
                    "explanation": result.explanation(),
                    "exchanges": exchanges,
                })
            })
            .collect();
        json!({
            "tool": "origin-audit",
            "version": env!("CARGO_PKG_VERSION"),
            "target": self.target,
            "probe": self.probe_name(),
            "trusted": self.trusted,
            "skipped": self.skipped.iter().map(|c| c.name()).collect::<Vec<_>>(),
            "exit_code": self.exit_code(),
            "summary": {
                "variants": summary.variants,
                "requests": summary.requests,
                "passed": summary.passed,
                "findings": summary.findings,
                "info": summary.info,
                "errors": summary.errors,
                "finding_classes": self.finding_classes().iter().map(|c| c.name()).collect::<Vec<_>>(),
                "elapsed_ms": u64::try_from(self.elapsed.as_millis()).unwrap_or(u64::MAX),
            },
            "results": results,
        })
    }

    /// The table printed without `--json`: one row per variant, the findings explained, and a
    /// summary line.
    pub fn render_table(&self) -> String {
        let mut out = String::new();
        let what = match self.kind {
            ProbeKind::WebSocket => "WebSocket handshakes",
            ProbeKind::Cors => "CORS requests and preflights",
        };
        let _ = writeln!(
            out,
            "origin-audit {}: {} ({what})",
            env!("CARGO_PKG_VERSION"),
            self.target
        );
        let _ = writeln!(out, "trusted: {}", self.trusted.join(", "));
        if !self.skipped.is_empty() {
            let skipped: Vec<&str> = self.skipped.iter().map(|c| c.name()).collect();
            let _ = writeln!(out, "skipped: {}", skipped.join(", "));
        }
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{:>3}  {:<7}  {:<19}  {:<6}  {:<8}  {:<44}  response",
            "#", "verdict", "class", "expect", "got", "origin sent"
        );
        for (index, result) in self.results.iter().enumerate() {
            let verdict = match result.verdict {
                Verdict::Finding => "FINDING",
                other => other.name(),
            };
            let _ = writeln!(
                out,
                "{:>3}  {:<7}  {:<19}  {:<6}  {:<8}  {:<44}  {}",
                index + 1,
                verdict,
                result.variant.class.name(),
                result.variant.expectation.name(),
                result.outcome.name(),
                result.origin_display(44),
                result.response_display(),
            );
        }
        let findings: Vec<(usize, &VariantResult)> = self
            .results
            .iter()
            .enumerate()
            .filter(|(_, r)| r.verdict == Verdict::Finding)
            .collect();
        if !findings.is_empty() {
            let _ = writeln!(out, "\nfindings:");
            for (index, result) in findings {
                let mut reach = if result.variant.browser_can_send {
                    "a browser can send this value"
                } else {
                    "a browser never sends this value: the check is lenient"
                }
                .to_owned();
                if result.credentials() {
                    reach.push_str("; readable with the user's cookies");
                }
                let reach = if result.variant.expectation == Expectation::Accept {
                    String::new()
                } else {
                    format!("; {reach}")
                };
                let _ = writeln!(
                    out,
                    "  #{} {} {}: {}{reach}\n      {}",
                    index + 1,
                    result.variant.class,
                    result.origin_display(200),
                    result.outcome.name(),
                    result.explanation(),
                );
            }
        }
        let errors: Vec<(usize, &VariantResult)> = self
            .results
            .iter()
            .enumerate()
            .filter(|(_, r)| r.verdict == Verdict::Error)
            .collect();
        if let Some((index, first)) = errors.first() {
            let _ = writeln!(
                out,
                "\nerrors: {} variant(s) got no answer to judge; first, #{}: {}",
                errors.len(),
                index + 1,
                first.response_display()
            );
        }
        let _ = writeln!(out, "\n{}", self.summary_line());
        out
    }

    /// One line: `ok` or `FAIL`, the findings' classes, and the counts.
    pub fn summary_line(&self) -> String {
        let s = self.summary();
        let status = match self.exit_code() {
            0 => "ok: no findings".to_owned(),
            1 => {
                let classes: Vec<&str> = self.finding_classes().iter().map(|c| c.name()).collect();
                format!(
                    "FAIL: {} finding{} ({})",
                    s.findings,
                    if s.findings == 1 { "" } else { "s" },
                    classes.join(", ")
                )
            }
            _ => "INCOMPLETE: no findings, but some requests got no answer".to_owned(),
        };
        format!(
            "summary: {status} in {} variants ({} requests, {:.1} s): {} passed, {} info, {} errors",
            s.variants,
            s.requests,
            self.elapsed.as_secs_f64(),
            s.passed,
            s.info,
            s.errors
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{generate, ProbeKind};

    fn exchange(outcome: Outcome, status: Option<u16>, detail: &str) -> Exchange {
        Exchange {
            request: "GET (upgrade)",
            status,
            outcome,
            credentials: false,
            headers: vec![("location".into(), "/login".into())],
            detail: detail.into(),
        }
    }

    fn report() -> Report {
        let trusted = ["http://localhost:8080".parse().unwrap()];
        let results = generate(&trusted, ProbeKind::WebSocket)
            .into_iter()
            .map(|variant| {
                let accepted = variant.expectation == Expectation::Accept
                    || variant.origin.as_deref() == Some(&[b"null".to_vec()]);
                let exchanges = if accepted {
                    vec![exchange(
                        Outcome::Accepted,
                        Some(101),
                        "101 Switching Protocols",
                    )]
                } else {
                    vec![exchange(Outcome::Refused, Some(403), "403 Forbidden")]
                };
                VariantResult::new(variant, exchanges)
            })
            .collect();
        Report {
            target: "ws://127.0.0.1:9001/".into(),
            kind: ProbeKind::WebSocket,
            trusted: vec!["http://localhost:8080".into()],
            skipped: vec![],
            results,
            elapsed: Duration::from_millis(250),
        }
    }

    #[test]
    fn summary_exit_code_and_table() {
        let report = report();
        let summary = report.summary();
        assert_eq!(summary.findings, 1);
        assert_eq!(summary.info, 2);
        assert_eq!(summary.variants, summary.passed + 3);
        assert_eq!(report.finding_classes(), [Class::NullOpaque]);
        assert_eq!(report.exit_code(), 1);
        let table = report.render_table();
        assert!(table.starts_with("origin-audit "), "{table}");
        assert!(
            table.contains("FINDING  null-opaque          refuse  accepted  \"null\""),
            "{table}"
        );
        assert!(table.contains("findings:\n  #"), "{table}");
        assert!(table.ends_with(&format!("{}\n", report.summary_line())));
        assert_eq!(
            report.summary_line(),
            format!(
                "summary: FAIL: 1 finding (null-opaque) in {} variants ({} requests, 0.2 s): {} passed, 2 info, 0 errors",
                summary.variants, summary.requests, summary.passed
            )
        );
    }

    #[test]
    fn errors_give_exit_code_two_unless_there_are_findings() {
        let mut report = report();
        let null = report
            .results
            .iter_mut()
            .find(|r| r.variant.class == Class::NullOpaque)
            .unwrap();
        *null = VariantResult::new(
            null.variant.clone(),
            vec![Exchange::error("GET (upgrade)", "timed out".into())],
        );
        assert_eq!(report.exit_code(), 2);
        assert!(report.summary_line().contains("INCOMPLETE"));
        assert!(report.render_table().contains("errors: 1 variant(s)"));
        for result in &mut report.results {
            if result.verdict == Verdict::Error {
                *result = VariantResult::new(
                    result.variant.clone(),
                    vec![exchange(Outcome::Refused, Some(403), "403")],
                );
            }
        }
        assert_eq!(report.exit_code(), 0);
        assert!(report
            .summary_line()
            .starts_with("summary: ok: no findings in "));
    }

    #[test]
    fn json_shape() {
        let json = report().to_json();
        assert_eq!(json["tool"], "origin-audit");
        assert_eq!(json["probe"], "websocket");
        assert_eq!(json["exit_code"], 1);
        assert_eq!(json["summary"]["finding_classes"], json!(["null-opaque"]));
        let results = json["results"].as_array().unwrap();
        assert_eq!(results[0]["index"], 1);
        assert_eq!(results[0]["origin"], json!(["http://localhost:8080"]));
        assert_eq!(results[0]["verdict"], "pass");
        assert_eq!(
            results[0]["exchanges"][0]["headers"],
            json!({"location": ["/login"]})
        );
        let missing = results.iter().find(|r| r["origin"].is_null()).unwrap();
        assert_eq!(missing["class"], "missing-or-repeated");
        // Generated bytes outside printable ASCII are escaped.
        assert!(results
            .iter()
            .any(|r| r["origin"][0] == "http://localhost:8080\\x85"));
    }
}
