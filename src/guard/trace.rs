//! The `tracing` feature: one structured event per guard decision.

use super::{GuardDecision, Outcome};

/// The target of every event, for filtering (`origin_policy::guard=info`).
pub(crate) const TARGET: &str = "origin_policy::guard";

/// Emits one event for `decision`: `DEBUG` when allowed, `INFO` when denied, `WARN` when a
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
    macro_rules! event {
        ($level:expr) => {
            tracing::event!(
                target: TARGET,
                $level,
                outcome = decision.outcome().code(),
                status = decision.status().as_u16(),
                check = denial.map_or("", |d| d.check()),
                reason = denial.map_or("", |d| d.code()),
                origin = tracing::field::display(origin.map_or_else(String::new, |o| o.to_string())),
                rule = tracing::field::display(rule.map_or_else(String::new, |r| r.to_string())),
                subprotocol = decision.subprotocol().unwrap_or(""),
                authenticated = decision.is_authenticated(),
                "websocket handshake {}",
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
