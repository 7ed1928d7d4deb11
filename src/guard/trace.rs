//! The `tracing` feature: one structured event per guard decision.

use super::{GuardDecision, Outcome, RequestKind};

/// The target of every event, for filtering (`origin_policy::guard=info`).
pub(crate) const TARGET: &str = "origin_policy::guard";

/// Whether a subscriber would record any event of this module: the least verbose level it
/// emits is `WARN`, so if that is off, nothing is.
#[cfg(feature = "tower")]
pub(crate) fn is_enabled() -> bool {
    tracing::enabled!(target: TARGET, tracing::Level::WARN)
}

/// Emits one event for `decision` (its `kind` first: handshake, preflight or request, also
/// the start of the message): `DEBUG` when allowed, `INFO` when denied, `WARN` when a
/// report-only denial let the handshake through (that is what an operator rolling out a
/// policy looks for).
///
/// Every field is either fixed text, configuration (the matched rule, the chosen subprotocol)
/// or the escaped excerpt of the presented `Origin`; the decision holds no credential and no
/// identity, so neither can appear.
pub(crate) fn emit(decision: &GuardDecision) {
    let denial = decision.denial();
    let origin = decision.origin().map(|d| *d.origin());
    let rule = decision.matched_rule();
    let subject = match decision.kind() {
        RequestKind::Handshake => "websocket handshake",
        RequestKind::Preflight => "cors preflight",
        RequestKind::Request => "http request",
    };
    macro_rules! event {
        ($level:expr) => {
            tracing::event!(
                target: TARGET,
                $level,
                kind = decision.kind().code(),
                outcome = decision.outcome().code(),
                status = decision.status().as_u16(),
                check = denial.map_or("", |d| d.check()),
                reason = denial.map_or("", |d| d.code()),
                origin = tracing::field::display(origin.map_or_else(String::new, |o| o.to_string())),
                rule = tracing::field::display(rule.map_or_else(String::new, |r| r.to_string())),
                subprotocol = decision.subprotocol().unwrap_or(""),
                authenticated = decision.is_authenticated(),
                "{} {}",
                subject,
                decision.outcome().code(),
            )
        };
    }
    match decision.outcome() {
        Outcome::Allowed => event!(tracing::Level::DEBUG),
        Outcome::Denied => event!(tracing::Level::INFO),
        Outcome::ReportOnly => event!(tracing::Level::WARN),
    }
}
