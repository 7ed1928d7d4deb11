//! What the results mean: findings grouped by class and ordered by what an attacker can do
//! with them, the root cause in one line, and the hints for a run that proves nothing.

use std::fmt::Write as _;

use super::report::{Report, VariantResult};
use super::{Class, Expectation, Outcome, ProbeKind, Verdict};

/// Which findings make [`Report::exit_code`] `1` (`--fail-on`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FailOn {
    /// Only findings a web page can exploit ([`Severity::Exploitable`]).
    Exploitable,
    /// Every finding (the default).
    #[default]
    Any,
}

impl FailOn {
    /// `exploitable` or `any`.
    pub const fn name(self) -> &'static str {
        match self {
            FailOn::Exploitable => "exploitable",
            FailOn::Any => "any",
        }
    }

    /// The value with this name.
    ///
    /// ```
    /// use origin_audit::FailOn;
    /// assert_eq!(FailOn::from_name("exploitable"), Some(FailOn::Exploitable));
    /// assert_eq!(FailOn::from_name("some"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<FailOn> {
        [FailOn::Exploitable, FailOn::Any]
            .into_iter()
            .find(|f| f.name() == name)
    }
}

/// How much a finding matters, most first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Severity {
    /// An attack value a browser sends (a serialized origin or `null`) is accepted: any web
    /// page the user visits can do it.
    Exploitable,
    /// `Access-Control-Allow-Origin: *`: any page reads the responses without cookies. Fine
    /// for public data; wrong for an intranet or an IP-authenticated endpoint.
    AnyOrigin,
    /// Only values no browser sends are accepted: the check is lenient, and a web page cannot
    /// use it (a script or a server can send any `Origin` anyway).
    Lenient,
    /// A trusted origin is refused while another one is accepted.
    TrustedRefused,
}

impl Severity {
    /// `exploitable`, `any-origin`, `lenient` or `trusted-refused`.
    pub const fn name(self) -> &'static str {
        match self {
            Severity::Exploitable => "exploitable",
            Severity::AnyOrigin => "any-origin",
            Severity::Lenient => "lenient",
            Severity::TrustedRefused => "trusted-refused",
        }
    }

    /// A heading for the findings of this severity.
    pub const fn heading(self) -> &'static str {
        match self {
            Severity::Exploitable => "exploitable from any web page",
            Severity::AnyOrigin => "readable by any web page, without cookies",
            Severity::Lenient => "values browsers never send (a lenient check)",
            Severity::TrustedRefused => "trusted origins refused",
        }
    }
}

/// One finding: a class of values the endpoint gets wrong, and the results that show it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// How much it matters.
    pub severity: Severity,
    /// The class; `None` for the one [`Severity::AnyOrigin`] finding, which is about the
    /// endpoint's answer and not about any value sent.
    pub class: Option<Class>,
    /// Indexes into [`Report::results`] (0-based), in plan order.
    pub results: Vec<usize>,
    /// CORS: at least one of them is readable with the user's cookies.
    pub credentials: bool,
}

impl Finding {
    /// What the finding means, in one sentence.
    pub fn explanation(&self) -> &'static str {
        match (self.severity, self.class) {
            (Severity::AnyOrigin, _) | (_, None) => {
                "`Access-Control-Allow-Origin: *` answers every origin alike: any page reads these \
                 responses, without cookies; fine for public data, wrong for an intranet or an \
                 IP-authenticated endpoint"
            }
            (Severity::TrustedRefused, _) => {
                "a trusted origin is refused: it is not in the server's allowlist, or a proxy \
                 rewrites it"
            }
            (_, Some(class)) => class.risk(),
        }
    }

    /// The fix, in one line.
    pub fn fix(&self) -> &'static str {
        match (self.severity, self.class) {
            (Severity::AnyOrigin, _) | (_, None) => {
                "answer with the request's origin when it is in an allowlist (and `Vary: \
                 Origin`), or keep `*` only for public data"
            }
            (Severity::TrustedRefused, _) => {
                "add the origin to the server's allowlist, or remove it from `--trusted`"
            }
            (_, Some(class)) => class.fix(),
        }
    }

    /// How many findings this one counts as: one per result, and one for the any-origin
    /// finding whatever was sent.
    pub fn count(&self) -> usize {
        if self.severity == Severity::AnyOrigin {
            1
        } else {
            self.results.len()
        }
    }
}

fn severity(result: &VariantResult) -> Option<Severity> {
    match result.verdict {
        Verdict::Finding if result.variant.expectation == Expectation::Accept => {
            Some(Severity::TrustedRefused)
        }
        Verdict::Finding if result.variant.browser_can_send => Some(Severity::Exploitable),
        Verdict::Finding => Some(Severity::Lenient),
        Verdict::AnyOrigin => Some(Severity::AnyOrigin),
        _ => None,
    }
}

/// The findings of `results`: one per severity and class (one for every `*` answer), ordered
/// by severity; among exploitable ones, an unrelated origin first (it names the root cause),
/// then those readable with cookies, then by class.
pub(crate) fn findings(results: &[VariantResult]) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    for (index, result) in results.iter().enumerate() {
        let Some(severity) = severity(result) else {
            continue;
        };
        let class = (severity != Severity::AnyOrigin).then_some(result.variant.class);
        let credentials = result.credentials();
        match findings
            .iter_mut()
            .find(|f| f.severity == severity && f.class == class)
        {
            Some(finding) => {
                finding.results.push(index);
                finding.credentials |= credentials;
            }
            None => findings.push(Finding {
                severity,
                class,
                results: vec![index],
                credentials,
            }),
        }
    }
    findings.sort_by_key(|f| {
        (
            f.severity,
            f.class != Some(Class::ReflectArbitrary),
            !f.credentials,
            f.class,
        )
    });
    findings
}

/// Whether the endpoint refused every trusted origin (and answered at least one): then a
/// refused attack proves nothing. Returns the first trusted refusal.
pub(crate) fn trusted_all_refused(results: &[VariantResult]) -> Option<&VariantResult> {
    let mut trusted = results
        .iter()
        .filter(|r| r.variant.class == Class::ExactAllowed);
    if trusted
        .clone()
        .any(|r| matches!(r.outcome, Outcome::Accepted | Outcome::AnyOrigin))
    {
        return None;
    }
    trusted.find(|r| r.outcome == Outcome::Refused)
}

/// Why the run is inconclusive, with what to try: the trusted origin's answer, its redirect,
/// the missing subprotocol or credentials.
pub(crate) fn inconclusive_reason(report: &Report, trusted: &VariantResult) -> String {
    let exchange = trusted
        .exchanges
        .iter()
        .find(|e| e.outcome == Outcome::Refused)
        .or(trusted.exchanges.first());
    let answer = exchange.map_or("no answer", |e| e.detail.as_str());
    let mut reason = format!("the endpoint refused the trusted origin too: {answer}");
    let status = exchange.and_then(|e| e.status);
    let location = exchange.and_then(|e| {
        e.headers
            .iter()
            .find(|(name, _)| name == "location")
            .map(|(_, value)| value.as_str())
    });
    let attacks_status = report
        .results
        .iter()
        .filter(|r| r.variant.expectation == Expectation::Refuse)
        .filter_map(|r| r.exchanges.first().and_then(|e| e.status))
        .next();
    match (status, location) {
        (Some(300..=399), Some(location)) => {
            let _ = write!(
                reason,
                "; it redirects to {location}: audit the final URL, {}",
                final_url(&report.target, report.kind, location)
            );
        }
        (Some(400), _) if report.kind == ProbeKind::WebSocket && attacks_status == Some(403) => {
            reason.push_str(
                "; the handshake fails before the origin check (attacks get 403): if the \
                 server needs a subprotocol, add `-H 'Sec-WebSocket-Protocol: ...'`",
            );
        }
        (Some(401 | 403 | 407), _) => reason.push_str(
            "; if it checks credentials before the origin, pass them with `-H 'Cookie: ...'` \
             or `-H 'Authorization: ...'`; if a proxy in front drops or rewrites Origin, fix it \
             (audit the backend to compare)",
        ),
        (None, _) => reason.push_str(
            "; it closed the connection: check that this is the endpoint's URL, and that a proxy \
             in front forwards Origin",
        ),
        _ => reason.push_str(
            "; check the URL, the credentials (`-H`), and that a proxy in front forwards Origin",
        ),
    }
    reason
}

/// The URL a redirect points to, in the target's scheme family (`ws`/`wss` for WebSocket).
fn final_url(target: &str, kind: ProbeKind, location: &str) -> String {
    let absolute = if location.contains("://") {
        location.to_owned()
    } else {
        // `scheme://authority` of the target, then the path.
        let authority_end = target
            .find("://")
            .and_then(|i| target[i + 3..].find('/').map(|j| i + 3 + j))
            .unwrap_or(target.len());
        let path = if location.starts_with('/') {
            location.to_owned()
        } else {
            format!("/{location}")
        };
        format!("{}{path}", &target[..authority_end])
    };
    match kind {
        ProbeKind::WebSocket => absolute
            .replacen("https://", "wss://", 1)
            .replacen("http://", "ws://", 1),
        // `ProbeKind::Cors` (the library's enum is `#[non_exhaustive]`).
        _ => absolute
            .replacen("wss://", "https://", 1)
            .replacen("ws://", "http://", 1),
    }
}

/// The root cause in one line.
pub(crate) fn headline(report: &Report) -> String {
    if report.stopped_early.is_some() || report.results.iter().all(|r| r.verdict == Verdict::Error)
    {
        let first = report
            .results
            .first()
            .and_then(|r| r.exchanges.first())
            .map_or("", |e| e.detail.as_str());
        return format!(
            "NO ANSWER: the trusted origin got no answer ({first}); nothing else was sent"
        );
    }
    let findings = report.finding_list();
    if let Some(top) = findings.first() {
        let top_result = &report.results[top.results[0]];
        let cookies = if top.credentials {
            ", with the user's cookies"
        } else {
            ""
        };
        return match (top.severity, top.class) {
            (Severity::Exploitable, Some(Class::ReflectArbitrary)) => format!(
                "NO ORIGIN CHECK: an unrelated origin ({}) is accepted{cookies}; the endpoint does \
                 not check Origin, or reflects it",
                top_result.origin_text()
            ),
            (Severity::Exploitable, Some(class)) => format!(
                "THE ORIGIN CHECK IS TOO LOOSE: {} ({}, {} accepted{cookies})",
                class.risk(),
                class,
                top_result.origin_text()
            ),
            (Severity::AnyOrigin, _) | (_, None) => {
                "ANY ORIGIN: `Access-Control-Allow-Origin: *`: \
                 any page reads these responses, without cookies; fine for public data only"
                    .to_owned()
            }
            (Severity::Lenient, _) => {
                let classes: Vec<&str> = findings
                    .iter()
                    .filter_map(|f| f.class.map(Class::name))
                    .collect();
                format!(
                    "A LENIENT PARSER: only values browsers never send are accepted ({}); a web \
                     page cannot exploit it",
                    classes.join(", ")
                )
            }
            (Severity::TrustedRefused, _) => {
                format!("A TRUSTED ORIGIN IS REFUSED: {}", top_result.origin_text())
            }
        };
    }
    if let Some(reason) = &report.inconclusive {
        return format!("INCONCLUSIVE: {reason}");
    }
    if report.results.iter().any(|r| r.verdict == Verdict::Error) {
        return "INCOMPLETE: no findings, but some requests got no answer".to_owned();
    }
    "OK: the trusted origin is accepted and every attack refused".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_urls() {
        let cases = [
            (
                "ws://127.0.0.1:9/socket",
                ProbeKind::WebSocket,
                "/socket/",
                "ws://127.0.0.1:9/socket/",
            ),
            (
                "wss://a.example",
                ProbeKind::WebSocket,
                "socket",
                "wss://a.example/socket",
            ),
            (
                "ws://a.example/x",
                ProbeKind::WebSocket,
                "https://b.example/ws",
                "wss://b.example/ws",
            ),
            (
                "http://a.example/api",
                ProbeKind::Cors,
                "https://a.example/api",
                "https://a.example/api",
            ),
            (
                "http://a.example/api",
                ProbeKind::Cors,
                "/v2/api",
                "http://a.example/v2/api",
            ),
        ];
        for (target, kind, location, expected) in cases {
            assert_eq!(
                final_url(target, kind, location),
                expected,
                "{target} -> {location}"
            );
        }
    }

    #[test]
    fn fail_on_and_severity_names() {
        for fail_on in [FailOn::Exploitable, FailOn::Any] {
            assert_eq!(FailOn::from_name(fail_on.name()), Some(fail_on));
        }
        assert!(Severity::Exploitable < Severity::AnyOrigin);
        assert!(Severity::AnyOrigin < Severity::Lenient);
        assert!(Severity::Lenient < Severity::TrustedRefused);
    }
}
