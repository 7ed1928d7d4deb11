//! The audit's results: a table for people, JSON for pipelines, an exit code for both.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{json, Map, Value};

use super::diagnosis::{self, FailOn, Finding, Severity};
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
            (Expectation::Refuse, Outcome::AnyOrigin) => {
                "answered `Access-Control-Allow-Origin: *`, as it does for every origin"
            }
            _ => self.variant.class.risk(),
        }
    }

    /// The value(s) sent, quoted and escaped, for a sentence.
    pub fn origin_text(&self) -> String {
        self.origin_display(200)
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
    /// Findings, as [`Finding::count`] counts them: one per accepted attack or refused trusted
    /// origin, and one for all `*` answers together.
    pub findings: usize,
    /// Findings a web page can exploit.
    pub exploitable: usize,
    /// `1` when the endpoint answers `Access-Control-Allow-Origin: *`, else `0`.
    pub any_origin: usize,
    /// Findings with values browsers never send.
    pub lenient: usize,
    /// Trusted origins refused while another was accepted.
    pub trusted_refused: usize,
    /// Verdict `info`.
    pub info: usize,
    /// Verdict `inconclusive`.
    pub inconclusive: usize,
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
    /// One result per variant sent, in the order of the plan.
    pub results: Vec<VariantResult>,
    /// Wall-clock time of the run.
    pub elapsed: Duration,
    /// Which findings make the exit code `1`.
    pub fail_on: FailOn,
    /// When the trusted origins got no answer: how many variants were then not sent.
    pub stopped_early: Option<usize>,
    /// When the endpoint refused every trusted origin: why, and what to try. Refused attacks
    /// then have the verdict [`Verdict::Inconclusive`].
    pub inconclusive: Option<String>,
}

impl Report {
    /// A report over these results. When every trusted origin was refused, refused attacks
    /// (and the trusted refusals) become [`Verdict::Inconclusive`] and
    /// [`inconclusive`](Report::inconclusive) says why.
    pub fn new(
        target: String,
        kind: ProbeKind,
        trusted: Vec<String>,
        skipped: Vec<Class>,
        results: Vec<VariantResult>,
        elapsed: Duration,
    ) -> Report {
        let mut report = Report {
            target,
            kind,
            trusted,
            skipped,
            results,
            elapsed,
            fail_on: FailOn::Any,
            stopped_early: None,
            inconclusive: None,
        };
        if let Some(refused) = diagnosis::trusted_all_refused(&report.results) {
            let reason = diagnosis::inconclusive_reason(&report, refused);
            for result in &mut report.results {
                let proves_nothing = match result.variant.expectation {
                    Expectation::Accept => result.verdict == Verdict::Finding,
                    Expectation::Refuse => result.verdict == Verdict::Pass,
                    // `Expectation::Either`: never a finding either way.
                    _ => false,
                };
                if proves_nothing {
                    result.verdict = Verdict::Inconclusive;
                }
            }
            report.inconclusive = Some(reason);
        }
        report
    }

    /// The same report with another [`FailOn`].
    pub fn with_fail_on(mut self, fail_on: FailOn) -> Report {
        self.fail_on = fail_on;
        self
    }

    /// The same report, marked as stopped before `not_sent` variants.
    pub fn with_stopped_early(mut self, not_sent: Option<usize>) -> Report {
        if let Some(count) = not_sent {
            self.results
                .retain(|r| r.variant.class == Class::ExactAllowed);
            self.stopped_early = Some(count);
        }
        self
    }

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
                Verdict::Info => summary.info += 1,
                Verdict::Inconclusive => summary.inconclusive += 1,
                Verdict::Error => summary.errors += 1,
                Verdict::Finding | Verdict::AnyOrigin => {}
            }
        }
        for finding in self.finding_list() {
            summary.findings += finding.count();
            match finding.severity {
                Severity::Exploitable => summary.exploitable += finding.count(),
                Severity::AnyOrigin => summary.any_origin += finding.count(),
                Severity::Lenient => summary.lenient += finding.count(),
                Severity::TrustedRefused => summary.trusted_refused += finding.count(),
            }
        }
        summary
    }

    /// The findings, most severe first: one per class (and one for all `*` answers).
    pub fn finding_list(&self) -> Vec<Finding> {
        diagnosis::findings(&self.results)
    }

    /// The results with verdict `finding`.
    pub fn findings(&self) -> impl Iterator<Item = &VariantResult> {
        self.results
            .iter()
            .filter(|r| r.verdict == Verdict::Finding)
    }

    /// The classes with at least one finding (not counting `*` answers), sorted, once each.
    pub fn finding_classes(&self) -> Vec<Class> {
        let mut classes: Vec<Class> = self.findings().map(|r| r.variant.class).collect();
        classes.sort();
        classes.dedup();
        classes
    }

    /// The root cause in one line: no origin check, a loose one, `*`, a lenient parser only,
    /// an inconclusive run and why, no answer, or ok.
    ///
    /// ```
    /// # use origin_audit::{Report, ProbeKind};
    /// # use std::time::Duration;
    /// let report = Report::new("ws://127.0.0.1:9/".into(), ProbeKind::WebSocket, vec![], vec![], vec![], Duration::ZERO);
    /// assert!(report.headline().starts_with("NO ANSWER"));
    /// ```
    pub fn headline(&self) -> String {
        diagnosis::headline(self)
    }

    /// `1` with findings ([`FailOn`] says which count), else `4` when inconclusive (the
    /// trusted origin was refused), else `3` when some requests got no answer, else `0`.
    pub fn exit_code(&self) -> i32 {
        let summary = self.summary();
        let failing = match self.fail_on {
            FailOn::Any => summary.findings,
            FailOn::Exploitable => summary.exploitable,
        };
        if failing > 0 {
            1
        } else if self.inconclusive.is_some() {
            4
        } else if summary.errors > 0 || self.stopped_early.is_some() || self.results.is_empty() {
            3
        } else {
            0
        }
    }

    fn probe_name(&self) -> &'static str {
        match self.kind {
            ProbeKind::WebSocket => "websocket",
            // `ProbeKind::Cors` (the library's enum is `#[non_exhaustive]`).
            _ => "cors",
        }
    }

    /// The machine-readable report printed by `--json`:
    ///
    /// ```text
    /// {
    ///   "tool": "origin-audit", "version": "0.1.0",
    ///   "target": "ws://127.0.0.1:9001/", "probe": "websocket" | "cors",
    ///   "trusted": ["http://localhost:8080"], "skipped": ["missing-or-repeated", ...],
    ///   "fail_on": "any" | "exploitable",
    ///   "exit_code": 0 | 1 | 3 | 4,
    ///   "headline": "OK: ...",                 // the root cause, as Report::headline
    ///   "inconclusive": "the endpoint refused the trusted origin too: 401 ..." | null,
    ///   "stopped_early": 80 | null,            // variants not sent: the trusted origin got no answer
    ///   "summary": { "variants": 41, "requests": 41, "passed": 38, "findings": 0,
    ///                "exploitable": 0, "any_origin": 0, "lenient": 0, "trusted_refused": 0,
    ///                "info": 3, "inconclusive": 0, "errors": 0,
    ///                "finding_classes": ["null-opaque", ...], "elapsed_ms": 120 },
    ///   "findings": [{                         // most severe first
    ///     "severity": "exploitable" | "any-origin" | "lenient" | "trusted-refused",
    ///     "class": "null-opaque" | null,       // null: the one any-origin finding
    ///     "results": [8],                      // indexes as in "results"
    ///     "count": 1, "credentials": false,
    ///     "explanation": "...", "fix": "..."
    ///   }],
    ///   "results": [{
    ///     "index": 1,                          // 1-based, as in the table
    ///     "class": "exact-allowed",            // a class name
    ///     "expect": "accept" | "refuse" | "either",
    ///     "origin": ["http://localhost:8080"] | null,   // one string per header line, escaped; null: no Origin
    ///     "browser_can_send": true,
    ///     "outcome": "accepted" | "any-origin" | "refused" | "error",
    ///     "verdict": "pass" | "finding" | "any-origin" | "info" | "inconclusive" | "error",
    ///     "credentials": false,                // CORS: readable with the user's cookies
    ///     "explanation": "...",
    ///     "exchanges": [{
    ///       "request": "GET (upgrade)" | "GET" | "OPTIONS (preflight)",
    ///       "status": 101 | null, "outcome": "accepted" | "any-origin" | "refused" | "error",
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
        let findings: Vec<Value> = self
            .finding_list()
            .iter()
            .map(|finding| {
                json!({
                    "severity": finding.severity.name(),
                    "class": finding.class.map(Class::name),
                    "results": finding.results.iter().map(|i| i + 1).collect::<Vec<_>>(),
                    "count": finding.count(),
                    "credentials": finding.credentials,
                    "explanation": finding.explanation(),
                    "fix": finding.fix(),
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
            "fail_on": self.fail_on.name(),
            "exit_code": self.exit_code(),
            "headline": self.headline(),
            "inconclusive": self.inconclusive,
            "stopped_early": self.stopped_early,
            "summary": {
                "variants": summary.variants,
                "requests": summary.requests,
                "passed": summary.passed,
                "findings": summary.findings,
                "exploitable": summary.exploitable,
                "any_origin": summary.any_origin,
                "lenient": summary.lenient,
                "trusted_refused": summary.trusted_refused,
                "info": summary.info,
                "inconclusive": summary.inconclusive,
                "errors": summary.errors,
                "finding_classes": self.finding_classes().iter().map(|c| c.name()).collect::<Vec<_>>(),
                "elapsed_ms": u64::try_from(self.elapsed.as_millis()).unwrap_or(u64::MAX),
            },
            "findings": findings,
            "results": results,
        })
    }

    /// The table printed without `--json`: the root cause first, one row per variant, the
    /// findings grouped by class with their fix, and a summary line.
    pub fn render_table(&self) -> String {
        let mut out = String::new();
        let what = match self.kind {
            ProbeKind::WebSocket => "WebSocket handshakes",
            // `ProbeKind::Cors` (the library's enum is `#[non_exhaustive]`).
            _ => "CORS requests and preflights",
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
        let _ = writeln!(out, "\n{}\n", self.headline());
        let _ = writeln!(
            out,
            "{:>3}  {:<12}  {:<19}  {:<6}  {:<10}  {:<44}  response",
            "#", "verdict", "class", "expect", "got", "origin sent"
        );
        for (index, result) in self.results.iter().enumerate() {
            let verdict = match result.verdict {
                Verdict::Finding => "FINDING",
                other => other.name(),
            };
            let _ = writeln!(
                out,
                "{:>3}  {:<12}  {:<19}  {:<6}  {:<10}  {:<44}  {}",
                index + 1,
                verdict,
                result.variant.class.name(),
                result.variant.expectation.name(),
                result.outcome.name(),
                result.origin_display(44),
                result.response_display(),
            );
        }
        if let Some(count) = self.stopped_early {
            let _ = writeln!(
                out,
                "\n{count} more variant(s) not sent: the trusted origin got no answer"
            );
        }
        let findings = self.finding_list();
        if !findings.is_empty() {
            let summary = self.summary();
            let _ = writeln!(
                out,
                "\nfindings: {} ({} exploitable, {} any-origin, {} lenient, {} trusted refused)",
                summary.findings,
                summary.exploitable,
                summary.any_origin,
                summary.lenient,
                summary.trusted_refused
            );
            let mut heading = None;
            for finding in &findings {
                if heading != Some(finding.severity) {
                    heading = Some(finding.severity);
                    let _ = writeln!(out, "  {}:", finding.severity.heading());
                }
                let name = finding.class.map_or("any-origin", Class::name);
                let rows: Vec<String> = finding
                    .results
                    .iter()
                    .take(6)
                    .map(|&i| format!("#{} {}", i + 1, self.results[i].origin_display(60)))
                    .collect();
                let more = finding.results.len().saturating_sub(rows.len());
                let more = if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                };
                let cookies = if finding.credentials {
                    " (readable with the user's cookies)"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "    {name}: {}{more}{cookies}\n      {}\n      fix: {}",
                    rows.join(", "),
                    finding.explanation(),
                    finding.fix()
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

    /// One line: the status, the findings' counts and classes, and the counts.
    pub fn summary_line(&self) -> String {
        let s = self.summary();
        let status = match self.exit_code() {
            0 if s.findings > 0 => format!(
                "ok (--fail-on exploitable): {} finding{}, none exploitable",
                s.findings,
                plural(s.findings)
            ),
            0 => "ok: no findings".to_owned(),
            1 => {
                // In the order of the findings: the most severe first.
                let mut classes: Vec<&str> = Vec::new();
                for finding in self.finding_list() {
                    let name = finding.class.map_or("any-origin", Class::name);
                    if !classes.contains(&name) {
                        classes.push(name);
                    }
                }
                format!(
                    "FAIL: {} finding{}, {} exploitable ({})",
                    s.findings,
                    plural(s.findings),
                    s.exploitable,
                    classes.join(", ")
                )
            }
            4 => "INCONCLUSIVE: the trusted origin was refused too".to_owned(),
            _ if self.stopped_early.is_some() => {
                "NO ANSWER: the trusted origin got no answer".to_owned()
            }
            _ => "INCOMPLETE: no findings, but some requests got no answer".to_owned(),
        };
        format!(
            "summary: {status} in {} variants ({} requests, {:.1} s): {} passed, {} info, {} inconclusive, {} errors",
            s.variants,
            s.requests,
            self.elapsed.as_secs_f64(),
            s.passed,
            s.info,
            s.inconclusive,
            s.errors
        )
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
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
        Report::new(
            "ws://127.0.0.1:9001/".into(),
            ProbeKind::WebSocket,
            vec!["http://localhost:8080".into()],
            vec![],
            results,
            Duration::from_millis(250),
        )
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
            table.contains("FINDING       null-opaque          refuse  accepted    \"null\""),
            "{table}"
        );
        assert_eq!(summary.exploitable, 1);
        assert!(
            table.contains(
                "\nTHE ORIGIN CHECK IS TOO LOOSE: trusts `null`: any site can send it from a \
                 sandboxed iframe or a data: URL (null-opaque, \"null\" accepted)\n"
            ),
            "{table}"
        );
        assert!(
            table.contains(
                "findings: 1 (1 exploitable, 0 any-origin, 0 lenient, 0 trusted refused)\n  \
                 exploitable from any web page:\n    null-opaque: #"
            ),
            "{table}"
        );
        assert!(
            table.contains("      fix: remove `null` from the allowlist\n"),
            "{table}"
        );
        assert!(table.ends_with(&format!("{}\n", report.summary_line())));
        assert_eq!(
            report.summary_line(),
            format!(
                "summary: FAIL: 1 finding, 1 exploitable (null-opaque) in {} variants ({} requests, 0.2 s): {} passed, 2 info, 0 inconclusive, 0 errors",
                summary.variants, summary.requests, summary.passed
            )
        );
        assert_eq!(
            report.clone().with_fail_on(FailOn::Exploitable).exit_code(),
            1
        );
    }

    #[test]
    fn errors_give_exit_code_three_unless_there_are_findings() {
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
        assert_eq!(report.exit_code(), 3);
        assert!(report.summary_line().contains("INCOMPLETE"));
        assert!(report.headline().starts_with("INCOMPLETE"));
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
