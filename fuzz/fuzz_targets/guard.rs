//! An arbitrary handshake through the `HandshakeGuard` (fixed policy of
//! `tests/corpus/README.md`, graphql-ws subprotocols, bearer tokens), enforcing and
//! report-only.
//!
//! Invariants:
//! - enforcing, an allowed handshake implies the policy alone allows the origin, a version of
//!   `13`, a chosen subprotocol that is one of the server's and was offered by the client, and
//!   the identity of the one valid token;
//! - every refusal has the status of the check that failed (426, 403, 400, 401) and the
//!   rejection response has that status; the checks run in that order, so a denied origin is
//!   always the reason when the policy denies it and the version is right;
//! - report-only refuses only an unsupported version or a failed authentication (always
//!   enforced, so an unauthenticated client never gets through during a rollout), and
//!   otherwise reports the same denial the enforcing guard gives;
//! - neither the rejection body nor the decision's `Display` contains the token.
//!
//! The input is header lines, `name:value` separated by `\n` (`origin_policy_fuzz::header_lines`);
//! what `http` refuses is skipped. The dictionary holds `authorization:Bearer <the token>`.
#![no_main]

use std::sync::LazyLock;

use http::header::{HeaderName, HeaderValue, AUTHORIZATION};
use libfuzzer_sys::fuzz_target;
use origin_policy::guard::auth::{AuthError, TokenSource};
use origin_policy::guard::{Denial, HandshakeGuard, Outcome};
use origin_policy_fuzz::header_lines;

const TOKEN: &str = "t0k3n-alice-5f2a9c";
const PROTOCOLS: [&str; 2] = ["graphql-transport-ws", "graphql-ws"];

fn guard(report_only: bool) -> HandshakeGuard<&'static str> {
    let mut builder =
        HandshakeGuard::builder(origin_policy_fuzz::fixed_policy()).subprotocols(PROTOCOLS);
    if report_only {
        builder = builder.report_only();
    }
    builder
        .authenticate_token(TokenSource::bearer(), |token| {
            if origin_policy::guard::auth::constant_time_eq(token.as_bytes(), TOKEN.as_bytes()) {
                Ok("alice")
            } else {
                Err(AuthError::Invalid)
            }
        })
        .build()
        .expect("a valid guard")
}

/// One searcher for the token, built once.
static TOKEN_FINDER: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(TOKEN.as_bytes()));

static ENFORCING: LazyLock<HandshakeGuard<&'static str>> = LazyLock::new(|| guard(false));
static REPORTING: LazyLock<HandshakeGuard<&'static str>> = LazyLock::new(|| guard(true));

fuzz_target!(|data: &[u8]| {
    let mut request = http::Request::get("/graphql").body(()).expect("request");
    for (name, value) in header_lines(data) {
        let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        else {
            continue;
        };
        request.headers_mut().append(name, value);
    }

    let outcome = ENFORCING.evaluate(&request);
    let decision = &outcome.decision;
    let policy_allows = ENFORCING.policy().check(&request).is_allowed();
    let versions: Vec<&[u8]> = request
        .headers()
        .get_all("sec-websocket-version")
        .iter()
        .map(HeaderValue::as_bytes)
        .collect();
    // One `Sec-WebSocket-Version` line holding `13`, optional whitespace around it.
    let version_ok = matches!(versions.as_slice(), [one] if one.trim_ascii() == b"13");

    match decision.outcome() {
        Outcome::Allowed => {
            assert!(policy_allows, "allowed although the origin policy denies");
            assert!(version_ok, "allowed with versions {versions:?}");
            let chosen = decision.subprotocol().expect("a chosen subprotocol");
            assert!(PROTOCOLS.contains(&chosen), "chose {chosen:?}");
            let offered = request
                .headers()
                .get_all("sec-websocket-protocol")
                .iter()
                .any(|v| {
                    v.as_bytes()
                        .split(|&b| b == b',')
                        .any(|item| item.trim_ascii() == chosen.as_bytes())
                });
            assert!(offered, "chose {chosen:?}, which the client did not offer");
            assert_eq!(outcome.identity, Some("alice"));
            assert!(decision.rejection::<String>().is_none());
        }
        Outcome::Denied => {
            let denial = decision.denial().expect("a denial");
            assert_eq!(decision.status(), denial.status());
            let rejection = decision.rejection::<String>().expect("a rejection");
            assert_eq!(rejection.status(), denial.status());
            assert!(
                !rejection.body().contains(TOKEN),
                "the token in a rejection body"
            );
            assert!(
                !rejection.body().contains("t0k3n"),
                "part of the token in a rejection body"
            );
            assert!(outcome.identity.is_none());
            if !version_ok {
                assert!(matches!(denial, Denial::UnsupportedVersion), "{denial:?}");
            } else if !policy_allows {
                assert!(
                    matches!(denial, Denial::Origin(_)),
                    "{denial:?} for a denied origin"
                );
            }
        }
        Outcome::ReportOnly => panic!("report-only from an enforcing guard"),
        _ => {}
    }
    // The credential never shows, unless the client put the same text in another header
    // (an `Origin` holding it is shown, escaped, as the presented origin). The crate only
    // learns the token from an `Authorization` header, so without one there is nothing to look
    // for.
    let has_authorization = request.headers().contains_key(AUTHORIZATION);
    let token_elsewhere = request.headers().iter().any(|(name, value)| {
        name != AUTHORIZATION && TOKEN_FINDER.find(value.as_bytes()).is_some()
    });
    if has_authorization && !token_elsewhere {
        assert!(
            !decision.to_string().contains(TOKEN),
            "the token in a decision's Display"
        );
    }

    let report = REPORTING.evaluate(&request);
    match decision.denial() {
        None => assert_eq!(report.decision.outcome(), Outcome::Allowed),
        Some(Denial::UnsupportedVersion) => assert_eq!(report.decision.outcome(), Outcome::Denied),
        Some(Denial::Auth(_)) => {
            assert_eq!(report.decision.outcome(), Outcome::Denied);
            assert_eq!(report.decision.denial(), decision.denial());
        }
        // An earlier check failed; report-only goes on, and authentication may still refuse.
        Some(denial) => match report.decision.outcome() {
            Outcome::ReportOnly => {
                assert_eq!(report.decision.denial(), Some(denial));
                assert!(report.decision.rejection::<String>().is_none());
                assert_eq!(report.identity, Some("alice"));
            }
            Outcome::Denied => {
                let reported = report.decision.denial();
                assert!(
                    matches!(reported, Some(Denial::Auth(_))),
                    "report-only refused {reported:?} after {denial:?}"
                );
                assert!(report.identity.is_none());
            }
            other => panic!("report-only gave {other:?} after {denial:?}"),
        },
    }
});
