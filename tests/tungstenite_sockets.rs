//! `tungstenite::accept_hdr(stream, &policy)` over real sockets on 127.0.0.1, with a real
//! tungstenite client and with hand-written handshake bytes.
#![cfg(feature = "tungstenite")]

use crate::support;

use crate::support::{
    assert_echo, assert_rejection, client_accepted, client_rejected, exchange_head,
    exchange_until_close, one_header, parse_response, raw_handshake, Mode, Outcome, Server,
    RAW_KEY,
};
use origin_policy::{DenyReason, OriginPolicy};
use tungstenite::handshake::derive_accept_key;

const POLICY: &str = "https://app.example.com, https://*.tenant.example.com";

fn policy() -> OriginPolicy {
    support::policy(POLICY)
}

/// Allowed `Origin` values, each with the rule that allows it.
const ALLOWED: &[(&str, &str)] = &[
    ("https://app.example.com", "https://app.example.com"),
    // Non-canonical spellings of an allowed origin: case and an explicit default port.
    ("HTTPS://APP.EXAMPLE.COM:443", "https://app.example.com"),
    ("https://App.Example.com", "https://app.example.com"),
    // Wildcard subdomains, one label and several.
    (
        "https://acme.tenant.example.com",
        "https://*.tenant.example.com",
    ),
    (
        "https://a.b.tenant.example.com",
        "https://*.tenant.example.com",
    ),
];

/// Denied handshakes: the `Origin` lines sent (none, one or two) and the reason.
const DENIED: &[(&[&str], DenyReason)] = &[
    (&["https://evil.example"], DenyReason::NotAllowed),
    // Look-alikes of allowed origins.
    (&["http://app.example.com"], DenyReason::NotAllowed),
    (&["https://tenant.example.com"], DenyReason::NotAllowed),
    (
        &["https://app.example.com.evil.example"],
        DenyReason::NotAllowed,
    ),
    (&[], DenyReason::Missing),
    (&["null"], DenyReason::Null),
    (&["https://app.example.com/"], DenyReason::Malformed),
    (&["https://user@app.example.com"], DenyReason::Malformed),
    // Two Origin header lines, even when both are allowed.
    (
        &["https://app.example.com", "https://app.example.com"],
        DenyReason::Multiple,
    ),
    (
        &["https://evil.example", "https://app.example.com"],
        DenyReason::Multiple,
    ),
    // Several origins in one value.
    (
        &["https://app.example.com, https://evil.example"],
        DenyReason::Multiple,
    ),
    (
        &["https://evil.example https://app.example.com"],
        DenyReason::Multiple,
    ),
];

#[test]
fn allowed_origin_gets_101_and_echoes() {
    let server = Server::spawn(policy(), 1, Mode::Plain);
    let (socket, response) = client_accepted(server.addr, &["https://app.example.com"]);
    assert_eq!(response.status(), 101);
    assert_echo(socket, "hello from an allowed origin");
    match server.next().outcome {
        Outcome::Accepted { echoed } => assert_eq!(echoed, 1),
        other => panic!("expected the server to accept, got {other:?}"),
    }
}

#[test]
fn equivalent_spellings_and_wildcards_are_allowed() {
    let server = Server::spawn(policy(), ALLOWED.len(), Mode::Plain);
    for &(origin, _) in ALLOWED {
        let (socket, response) = client_accepted(server.addr, &[origin]);
        assert_eq!(response.status(), 101, "origin {origin:?}");
        assert_echo(socket, origin);
        match server.next().outcome {
            Outcome::Accepted { echoed } => assert_eq!(echoed, 1, "origin {origin:?}"),
            other => panic!("origin {origin:?}: expected the server to accept, got {other:?}"),
        }
    }
}

#[test]
fn denied_handshakes_get_403_with_the_exact_body() {
    let server = Server::spawn(policy(), DENIED.len(), Mode::Plain);
    let host = server.addr.to_string();
    for &(origins, reason) in DENIED {
        let response = client_rejected(server.addr, origins);
        let mut presented = origins.to_vec();
        presented.push(&host);
        assert_rejection(&response, reason, &presented);

        // The server side: accept_hdr returned the same response as an error.
        let sent = server.next().outcome.rejected();
        assert_eq!(sent.status(), 403, "origins {origins:?}");
        assert_eq!(
            sent.body().as_deref(),
            Some(support::expected_body(reason).as_bytes()),
            "origins {origins:?}"
        );
    }
}

#[test]
fn callback_with_observes_each_decision() {
    let server = Server::spawn(policy(), ALLOWED.len() + DENIED.len(), Mode::Observed);
    for &(origin, rule) in ALLOWED {
        let (socket, _) = client_accepted(server.addr, &[origin]);
        assert_echo(socket, "observed");
        let handled = server.next();
        let decision = handled.decision.expect("callback_with saw the request");
        assert!(decision.is_allowed(), "origin {origin:?}: {decision}");
        assert_eq!(
            decision.matched_rule().map(ToString::to_string).as_deref(),
            Some(rule),
            "origin {origin:?}"
        );
        assert_eq!(decision.origin().as_bytes(), origin.as_bytes());
        assert!(matches!(handled.outcome, Outcome::Accepted { echoed: 1 }));
    }
    for &(origins, reason) in DENIED {
        let response = client_rejected(server.addr, origins);
        assert_rejection(&response, reason, origins);
        let handled = server.next();
        let decision = handled.decision.expect("callback_with saw the request");
        assert_eq!(decision.deny_reason(), Some(reason), "origins {origins:?}");
        // With several lines the decision keeps the first one.
        let first = origins.first().copied().unwrap_or_default();
        assert_eq!(decision.origin().as_bytes(), first.as_bytes());
        assert_eq!(decision.origin().is_present(), !origins.is_empty());
        let sent = handled.outcome.rejected();
        assert_rejection(&sent, reason, origins);
    }
}

#[test]
fn decisions_display_safely_for_logs() {
    let server = Server::spawn(policy(), 3, Mode::Observed);
    let cases: [(&[&str], &str); 3] = [
        (
            &["https://evil.example"],
            r#"deny origin "https://evil.example": the origin is not allowed"#,
        ),
        (&[], "deny: no Origin header"),
        (
            &["HTTPS://APP.EXAMPLE.COM:443"],
            r#"allow origin "HTTPS://APP.EXAMPLE.COM:443" by rule https://app.example.com"#,
        ),
    ];
    for (origins, expected) in cases {
        let request = support::ws_request(server.addr, origins);
        // Only the server's view matters here; a refused client just sees its 403.
        if let Ok((socket, _)) = tungstenite::client(request, support::connect(server.addr)) {
            assert_echo(socket, "log");
        }
        let decision = server.next().decision.expect("observed");
        assert_eq!(decision.to_string(), expected, "origins {origins:?}");
    }
}

#[test]
fn raw_403_is_well_formed_http_and_closes() {
    let cases: &[(&[&str], DenyReason)] = &[
        (&["https://evil.example"], DenyReason::NotAllowed),
        (&[], DenyReason::Missing),
        (&["null"], DenyReason::Null),
        (&["https://app.example.com/"], DenyReason::Malformed),
        (
            &["https://app.example.com", "https://evil.example"],
            DenyReason::Multiple,
        ),
    ];
    let server = Server::spawn(policy(), cases.len(), Mode::Plain);
    let host = "victim-host.example:9443";
    let cookie = "session=s3cr3t-cookie-value";
    for &(origins, reason) in cases {
        let request = raw_handshake(host, origins, &[&format!("Cookie: {cookie}")]);
        let bytes = exchange_until_close(server.addr, &request);
        let raw = parse_response(&bytes);
        assert_eq!(
            raw.status_line, "HTTP/1.1 403 Forbidden",
            "origins {origins:?}"
        );
        // Exactly Content-Length bytes follow the head, and then the server hung up.
        let mut presented = origins.to_vec();
        presented.extend([host, cookie, "s3cr3t"]);
        assert_rejection(&raw.response, reason, &presented);
        // The whole wire response, head included, echoes nothing either (`null` excepted: the
        // fixed message for that reason names it).
        let text = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
        for value in presented.iter().filter(|v| **v != "null") {
            let value = value.to_ascii_lowercase();
            assert!(!text.contains(&value), "echoed {value:?}");
        }
        assert_eq!(server.next().outcome.rejected().status(), 403);
    }
}

#[test]
fn raw_101_for_an_allowed_origin() {
    let server = Server::spawn(policy(), 1, Mode::Plain);
    let request = raw_handshake("app.example.com", &["https://app.example.com"], &[]);
    let bytes = exchange_head(server.addr, &request);
    let raw = parse_response(&bytes);
    assert_eq!(raw.status_line, "HTTP/1.1 101 Switching Protocols");
    assert_eq!(
        one_header(&raw.response, "sec-websocket-accept"),
        derive_accept_key(RAW_KEY.as_bytes())
    );
    assert_eq!(
        one_header(&raw.response, "upgrade").to_ascii_lowercase(),
        "websocket"
    );
    assert!(matches!(
        server.next().outcome,
        Outcome::Accepted { echoed: 0 }
    ));
}
