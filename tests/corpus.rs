//! Runs the attack and spelling corpus (`tests/corpus/origins.tsv`) through `check` and
//! through real tungstenite handshakes over loopback, and fails on any mismatch.
#![cfg(feature = "tungstenite")]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::common::corpus::{self, Case, Expected};
use http::{header::ORIGIN, HeaderMap, HeaderValue};
use origin_policy::{Decision, OriginPolicy};

const POLICY: &str = "https://app.example.com https://admin.example.org:8443 http://localhost:3000 \
    http://127.0.0.1:8080 http://[::1]:8080 https://xn--bcher-kva.example https://*.tenant.example.com";

fn policy() -> OriginPolicy {
    POLICY.parse().expect("corpus policy")
}

fn reason_code(decision: &Decision) -> Option<&'static str> {
    decision.deny_reason().map(|r| r.code())
}

fn matches(expected: Expected, decision: &Decision) -> bool {
    match expected {
        Expected::Allow => decision.is_allowed(),
        Expected::Deny(None) => !decision.is_allowed(),
        Expected::Deny(Some(reason)) => reason_code(decision) == Some(reason),
    }
}

/// The decision for a case without a socket: header maps where the bytes fit in a
/// `HeaderValue`, the raw-value check otherwise (CR, LF, NUL cannot be in a header map).
fn decide(policy: &OriginPolicy, case: &Case) -> Decision {
    match &case.headers {
        Some(values) if values.len() == 1 && !case.wire_safe() => policy.check_value(&values[0]),
        headers => {
            let mut map = HeaderMap::new();
            for value in headers.iter().flatten() {
                // Several header lines are denied whatever they hold; a line whose bytes no
                // header map can hold is stood in for by a placeholder.
                let value = HeaderValue::from_bytes(value).unwrap_or(HeaderValue::from_static("x"));
                map.append(ORIGIN, value);
            }
            let by_map = policy.check_headers(&map);
            // The framework-neutral entry point sees the raw lines, unreplaced.
            let lines = headers.iter().flatten().map(Vec::as_slice);
            let by_values = policy.check_values(lines);
            if case.wire_safe() {
                assert_eq!(by_values, by_map, "{}", case.label());
            } else {
                // Several lines, one of them unfit for a map: denied as several either way.
                assert_eq!(
                    by_values.deny_reason(),
                    by_map.deny_reason(),
                    "{}",
                    case.label()
                );
            }
            by_map
        }
    }
}

#[test]
fn every_case_gets_its_expected_decision() {
    let policy = policy();
    let cases = corpus::load();
    let mut failures = Vec::new();
    for case in &cases {
        let decision = decide(&policy, case);
        if !matches(case.expected, &decision) {
            failures.push(format!(
                "{}: expected {:?}, got {decision}",
                case.label(),
                case.expected
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The raw handshake a client sends, with one `Origin` line per value.
fn handshake_bytes(case: &Case) -> Vec<u8> {
    let mut request =
        b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            .to_vec();
    for value in case.headers.iter().flatten() {
        request.extend_from_slice(b"Origin: ");
        request.extend_from_slice(value);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    request
}

#[test]
fn every_wire_safe_case_over_a_real_handshake() {
    let cases: Vec<Case> = corpus::load().into_iter().filter(Case::wire_safe).collect();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (decisions, seen) = mpsc::channel();
    let count = cases.len();
    let server = thread::spawn(move || {
        let policy = policy();
        for stream in listener.incoming().take(count) {
            let stream = stream.expect("accept");
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .expect("timeout");
            let tx = decisions.clone();
            // The deprecated `callback_with` keeps working.
            #[allow(deprecated)]
            let callback = policy.callback_with(move |d| tx.send(Some(d.clone())).expect("send"));
            if let Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Protocol(_))) =
                tungstenite::accept_hdr(stream, callback)
            {
                // tungstenite refused the request before asking the callback.
                decisions.send(None).expect("send");
            }
        }
    });

    let mut failures = Vec::new();
    let direct = policy();
    for case in &cases {
        let mut client = TcpStream::connect(addr).expect("connect");
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        client.write_all(&handshake_bytes(case)).expect("write");
        let mut response = Vec::new();
        let mut buf = [0; 1024];
        // Read the head; a 403 ends with the body and a close, a 101 with an open socket.
        while !response.windows(4).any(|w| w == b"\r\n\r\n") {
            match client.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => response.extend_from_slice(&buf[..n]),
            }
        }
        drop(client);
        let status = String::from_utf8_lossy(&response)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned();
        let decision = seen
            .recv_timeout(Duration::from_secs(5))
            .expect("server decided");
        let Some(decision) = decision else {
            failures.push(format!(
                "{}: tungstenite refused the request itself: {status}",
                case.label()
            ));
            continue;
        };
        let expected_status = if decision.is_allowed() {
            "HTTP/1.1 101"
        } else {
            "HTTP/1.1 403"
        };
        if !status.starts_with(expected_status) {
            failures.push(format!(
                "{}: {decision} but the client saw {status:?}",
                case.label()
            ));
        }
        if !matches(case.expected, &decision) {
            failures.push(format!(
                "{}: expected {:?}, the server decided {decision}",
                case.label(),
                case.expected
            ));
        }
        // The socket path and the direct check agree (whitespace trimming by the HTTP parser
        // must not change a decision).
        if decision.is_allowed() != decide(&direct, case).is_allowed()
            || reason_code(&decision) != reason_code(&decide(&direct, case))
        {
            failures.push(format!(
                "{}: socket {decision} vs direct {}",
                case.label(),
                decide(&direct, case)
            ));
        }
    }
    server.join().expect("server thread");
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
