//! Real browser requests, byte for byte, replayed without a browser.
//!
//! First, Chromium 156's WebSocket handshakes (`tests/fixtures/chromium/<case>/NN_*.http`,
//! copied from the capture run described in the project's browser notes), checked against a
//! policy that lists the capture's page origins: each capture parses into an `http::Request`
//! and gets the decision written next to it; replayed over a socket, each gets a `101` or a
//! `403`.
//!
//! Then the three engines of `tests/browser_e2e.rs` (Chromium, Firefox ESR, WebKitGTK),
//! captured once each by that test (`ORIGIN_POLICY_CAPTURE_DIR`): every handshake of its
//! matrix and every CORS request (preflight, credentialed fetch, EventSource) in
//! `tests/fixtures/{firefox,webkit}/` and `tests/fixtures/chromium/cors_*/`. The same case
//! gets the same decision in every engine, whatever the header order and spelling; the
//! differences `tests/browser/ENGINES.md` records are pinned here.
#![cfg(feature = "tungstenite")]

use crate::support;

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::{
    assert_rejection, exchange_head, exchange_until_close, one_header, parse_response,
};
use crate::support::{Mode, Outcome, Server};
use http::header::{HeaderName, HeaderValue, ORIGIN};
use origin_policy::cors::{Cors, PreflightDenial};
use origin_policy::{Decision, DenyReason, OriginPolicy};
use tungstenite::handshake::derive_accept_key;
use DenyReason::{NotAllowed, Null};

/// The origins of the capture pages a deployment of `ws.example.com` would list.
const POLICY: &str = "http://app.example.com:8081, http://ws.example.com:8082, \
    http://localhost:8081, http://127.0.0.1:8081, http://[::1]:8081, \
    http://xn--bcher-kva.example:8081, https://app.example.com:8443, http://app.example.com";

fn policy() -> OriginPolicy {
    support::policy(POLICY)
}

/// What the policy decides about a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    /// Allowed by the rule with this canonical form.
    Allow(&'static str),
    Deny(DenyReason),
}

const fn allow(rule: &'static str) -> Expected {
    Expected::Allow(rule)
}

const fn deny(reason: DenyReason) -> Expected {
    Expected::Deny(reason)
}

/// One captured request.
struct Capture {
    /// `<case>/<NN>_<kind>_<label>_<mode>.http` under `tests/fixtures/chromium/`.
    file: &'static str,
    bytes: &'static [u8],
    /// The one `Origin` line the browser sent, asserted so that a changed fixture is noticed.
    origin: &'static str,
    expected: Expected,
}

macro_rules! capture {
    ($file:literal, $origin:literal, $expected:expr) => {
        Capture {
            file: $file,
            bytes: include_bytes!(concat!("fixtures/chromium/", $file)),
            origin: $origin,
            expected: $expected,
        }
    };
}

/// Every WebSocket handshake of the capture run, with its decision under [`POLICY`].
#[rustfmt::skip] // one capture per line
const CAPTURES: &[Capture] = &[
    // Same site: pages on http://app.example.com:8081 (and one on the socket's own origin,
    // http://ws.example.com:8082) opening ws://ws.example.com:8082. The `deny403`, `d401`, ...
    // suffix is what the capture server answered then, not what this policy decides.
    capture!("same_site_app/02_ws_accept_accept.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("same_site_app/03_ws_deny403_deny.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("same_origin/02_ws_accept_accept.http", "http://ws.example.com:8082", allow("http://ws.example.com:8082")),
    capture!("same_origin/03_ws_deny403_deny.http", "http://ws.example.com:8082", allow("http://ws.example.com:8082")),
    capture!("same_origin/04_ws_relative_url_accept.http", "http://ws.example.com:8082", allow("http://ws.example.com:8082")),
    capture!("same_origin/05_ws_http_scheme_url_accept.http", "http://ws.example.com:8082", allow("http://ws.example.com:8082")),
    capture!("document_domain/02_ws_accept_accept.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("document_domain/03_ws_deny403_deny.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("document_domain_oac0/02_ws_accept_accept.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("document_domain_oac0/03_ws_deny403_deny.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("referrer_policy_no_referrer/02_ws_accept_accept.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("referrer_policy_no_referrer/03_ws_deny403_deny.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("subprotocol/02_ws_proto_one_accept.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("subprotocol/03_ws_proto_two_accept.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("subprotocol/04_ws_proto_string_accept.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("subprotocol/05_ws_proto_server_omits_noproto.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("subprotocol/06_ws_proto_server_wrong_wrongproto.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("subprotocol/07_ws_proto_none_server_sends_wrongproto.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("subprotocol/08_ws_proto_deny403_deny.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("ws_failure_modes/02_ws_ok_accept.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("ws_failure_modes/03_ws_deny403_deny.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("ws_failure_modes/04_ws_deny401_d401.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("ws_failure_modes/05_ws_deny404_d404.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("ws_failure_modes/06_ws_plain200_d200.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("ws_failure_modes/07_ws_redirect302_redirect.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("ws_failure_modes/08_ws_hangup_hangup.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("ws_failure_modes/09_ws_bad_accept_badaccept.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("ws_failure_modes/10_ws_accept_then_close4003_close4003.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("http_page_to_wss/02_ws_accept_accept.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    // Spellings the browser normalises before sending: upper case, userinfo (dropped), IDN
    // (punycode), port 80 (omitted), numeric IPv4 forms, IPv6 (compressed) and localhost.
    capture!("uppercase_host/02_ws_accept_accept.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("uppercase_host/03_ws_deny403_deny.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("uppercase_host/04_ws_ws_upper_host_accept.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("userinfo/02_ws_accept_accept.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("userinfo/03_ws_deny403_deny.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("userinfo/04_ws_ws_with_userinfo_accept.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("userinfo/05_ws_ws_userinfo_basic401_basic401.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("userinfo/06_ws_ws_userinfo_basic401_basic401.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("idn_host/02_ws_accept_accept.http", "http://xn--bcher-kva.example:8081", allow("http://xn--bcher-kva.example:8081")),
    capture!("idn_host/03_ws_deny403_deny.http", "http://xn--bcher-kva.example:8081", allow("http://xn--bcher-kva.example:8081")),
    capture!("idn_host/04_ws_ws_idn_host_accept.http", "http://xn--bcher-kva.example:8081", allow("http://xn--bcher-kva.example:8081")),
    capture!("idn_host/05_ws_ws_idn_upper_accept.http", "http://xn--bcher-kva.example:8081", allow("http://xn--bcher-kva.example:8081")),
    capture!("port80/02_ws_accept_accept.http", "http://app.example.com", allow("http://app.example.com")),
    capture!("port80/03_ws_deny403_deny.http", "http://app.example.com", allow("http://app.example.com")),
    capture!("port80/04_ws_ws_explicit_80_accept.http", "http://app.example.com", allow("http://app.example.com")),
    capture!("port80/05_ws_ws_to_8082_accept.http", "http://app.example.com", allow("http://app.example.com")),
    capture!("decimal_ipv4/02_ws_accept_accept.http", "http://127.0.0.1:8081", allow("http://127.0.0.1:8081")),
    capture!("decimal_ipv4/03_ws_deny403_deny.http", "http://127.0.0.1:8081", allow("http://127.0.0.1:8081")),
    capture!("decimal_ipv4/04_ws_ws_hex_ipv4_accept.http", "http://127.0.0.1:8081", allow("http://127.0.0.1:8081")),
    capture!("ipv4_literal/02_ws_accept_accept.http", "http://127.0.0.1:8081", allow("http://127.0.0.1:8081")),
    capture!("ipv4_literal/03_ws_deny403_deny.http", "http://127.0.0.1:8081", allow("http://127.0.0.1:8081")),
    capture!("ipv4_literal/04_ws_ws_to_127_accept.http", "http://127.0.0.1:8081", allow("http://127.0.0.1:8081")),
    capture!("ipv6_literal/02_ws_accept_accept.http", "http://[::1]:8081", allow("http://[::1]:8081")),
    capture!("ipv6_literal/03_ws_deny403_deny.http", "http://[::1]:8081", allow("http://[::1]:8081")),
    capture!("ipv6_literal/04_ws_ws_to_v6_accept.http", "http://[::1]:8081", allow("http://[::1]:8081")),
    capture!("ipv6_literal/05_ws_ws_to_v6_long_accept.http", "http://[::1]:8081", allow("http://[::1]:8081")),
    capture!("localhost/02_ws_accept_accept.http", "http://localhost:8081", allow("http://localhost:8081")),
    capture!("localhost/03_ws_deny403_deny.http", "http://localhost:8081", allow("http://localhost:8081")),
    capture!("localhost/04_ws_ws_to_localhost_accept.http", "http://localhost:8081", allow("http://localhost:8081")),
    // Frames and workers that inherit the page's origin.
    capture!("blob_iframe/02_ws_accept_accept.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("blob_iframe/03_ws_deny403_deny.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("srcdoc_iframe/02_ws_accept_accept.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("srcdoc_iframe/03_ws_deny403_deny.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("sandbox_iframe_same_origin/03_ws_accept_accept.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("sandbox_iframe_same_origin/04_ws_deny403_deny.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("worker/03_ws_accept_accept.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    capture!("worker/04_ws_deny403_deny.http", "http://app.example.com:8081", allow("http://app.example.com:8081")),
    // HTTPS pages.
    capture!("https_same_site/02_ws_accept_accept.http", "https://app.example.com:8443", allow("https://app.example.com:8443")),
    capture!("https_same_site/03_ws_deny403_deny.http", "https://app.example.com:8443", allow("https://app.example.com:8443")),
    capture!("https_same_site_3pc_allowed/02_ws_accept_accept.http", "https://app.example.com:8443", allow("https://app.example.com:8443")),
    // Opaque origins send the literal `null`: sandboxed frames, a CSP sandbox, data: frames and
    // pages, and file: pages. Denied unless the policy opts in.
    capture!("sandbox_iframe/03_ws_accept_accept.http", "null", deny(Null)),
    capture!("sandbox_iframe/04_ws_deny403_deny.http", "null", deny(Null)),
    capture!("srcdoc_sandbox/02_ws_accept_accept.http", "null", deny(Null)),
    capture!("srcdoc_sandbox/03_ws_deny403_deny.http", "null", deny(Null)),
    capture!("csp_sandbox/02_ws_accept_accept.http", "null", deny(Null)),
    capture!("csp_sandbox/03_ws_deny403_deny.http", "null", deny(Null)),
    capture!("data_iframe/02_ws_accept_accept.http", "null", deny(Null)),
    capture!("data_iframe/03_ws_deny403_deny.http", "null", deny(Null)),
    capture!("file_url/01_ws_accept_accept.http", "null", deny(Null)),
    capture!("file_url/02_ws_deny403_deny.http", "null", deny(Null)),
    capture!("data_url_top_lna_off/01_ws_accept_accept.http", "null", deny(Null)),
    capture!("data_url_top_lna_off/02_ws_deny403_deny.http", "null", deny(Null)),
    // Cross site: the attack an origin check exists for.
    capture!("cross_site_evil/02_ws_accept_accept.http", "http://evil.example:8081", deny(NotAllowed)),
    capture!("cross_site_evil/03_ws_deny403_deny.http", "http://evil.example:8081", deny(NotAllowed)),
    capture!("https_cross_site/02_ws_accept_accept.http", "https://evil.example:8443", deny(NotAllowed)),
    capture!("https_cross_site/03_ws_deny403_deny.http", "https://evil.example:8443", deny(NotAllowed)),
    capture!("https_cross_site_3pc_allowed/02_ws_accept_accept.http", "https://evil.example:8443", deny(NotAllowed)),
    capture!("https_cross_site_3pc_allowed/03_ws_deny403_deny.http", "https://evil.example:8443", deny(NotAllowed)),
    // Well-formed origins that look like allowed ones but are not listed: a trailing dot is
    // kept by the browser and is a different origin (cross-site for cookies too); an
    // IPv4-mapped IPv6 page is serialized in hex and is not 127.0.0.1.
    capture!("trailing_dot/02_ws_accept_accept.http", "http://app.example.com.:8081", deny(NotAllowed)),
    capture!("trailing_dot/03_ws_deny403_deny.http", "http://app.example.com.:8081", deny(NotAllowed)),
    capture!("trailing_dot/04_ws_ws_dot_host_accept.http", "http://app.example.com.:8081", deny(NotAllowed)),
    capture!("ipv4_mapped_ipv6/02_ws_accept_accept.http", "http://[::ffff:7f00:1]:8081", deny(NotAllowed)),
    capture!("ipv4_mapped_ipv6/03_ws_deny403_deny.http", "http://[::ffff:7f00:1]:8081", deny(NotAllowed)),
];

/// Parses a captured request with `httparse` into an `http::Request`, keeping every header
/// line (repeated ones included) in wire order.
#[track_caller]
fn parse_request(file: &str, bytes: &[u8]) -> http::Request<()> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Request::new(&mut headers);
    match parsed.parse(bytes) {
        Ok(httparse::Status::Complete(len)) => {
            assert_eq!(len, bytes.len(), "{file}: bytes after the request head")
        }
        other => panic!("{file}: not a complete HTTP request: {other:?}"),
    }
    assert_eq!(parsed.version, Some(1), "{file}: HTTP/1.1");
    let mut request = http::Request::builder()
        .method(parsed.method.expect("method"))
        .uri(parsed.path.expect("path"))
        .version(http::Version::HTTP_11)
        .body(())
        .unwrap_or_else(|err| panic!("{file}: {err}"));
    for header in parsed.headers.iter() {
        let name = HeaderName::from_bytes(header.name.as_bytes())
            .unwrap_or_else(|err| panic!("{file}: header name {:?}: {err}", header.name));
        let value = HeaderValue::from_bytes(header.value)
            .unwrap_or_else(|err| panic!("{file}: header {name}: {err}"));
        request.headers_mut().append(name, value);
    }
    assert_eq!(
        request.headers().len(),
        parsed.headers.len(),
        "{file}: every header line is kept"
    );
    request
}

/// The only value of a request header, as text.
#[track_caller]
fn request_header<'r>(file: &str, request: &'r http::Request<()>, name: &str) -> &'r str {
    let values: Vec<_> = request.headers().get_all(name).iter().collect();
    assert_eq!(values.len(), 1, "{file}: header {name}: {values:?}");
    values[0].to_str().expect("ASCII header")
}

/// Whether a decision is the expected one.
fn matches(decision: &Decision, expected: Expected) -> bool {
    match expected {
        Expected::Allow(rule) => {
            decision.matched_rule().map(|r| r.to_string()).as_deref() == Some(rule)
        }
        Expected::Deny(reason) => decision.deny_reason() == Some(reason),
    }
}

#[test]
fn every_fixture_is_in_the_table_once() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chromium");
    let mut on_disk = BTreeSet::new();
    for case in std::fs::read_dir(&dir).expect("fixtures folder") {
        let case = case.expect("entry").path();
        if !case.is_dir() {
            continue; // .gitattributes, README.md
        }
        if case
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("cors_"))
        {
            continue; // the end-to-end run's CORS requests: see ENGINE_CAPTURES
        }
        for file in std::fs::read_dir(&case).expect("case folder") {
            let file = file.expect("entry").path();
            let relative = file.strip_prefix(&dir).expect("under the fixtures folder");
            on_disk.insert(relative.to_str().expect("UTF-8 name").replace('\\', "/"));
        }
    }
    let mut in_table = BTreeSet::new();
    for capture in CAPTURES {
        assert!(
            in_table.insert(capture.file.to_owned()),
            "{} is listed twice",
            capture.file
        );
    }
    assert_eq!(on_disk, in_table);
    assert_eq!(
        CAPTURES.len(),
        92,
        "the capture run had 92 WebSocket handshakes"
    );
}

#[test]
fn captures_are_websocket_handshakes_with_one_origin() {
    for Capture {
        file,
        bytes,
        origin,
        ..
    } in CAPTURES
    {
        let request = parse_request(file, bytes);
        assert_eq!(request.method(), http::Method::GET, "{file}");
        assert!(
            request.uri().path().starts_with("/ws"),
            "{file}: {}",
            request.uri()
        );
        assert_eq!(
            request_header(file, &request, "upgrade"),
            "websocket",
            "{file}"
        );
        assert_eq!(
            request_header(file, &request, "sec-websocket-version"),
            "13",
            "{file}"
        );
        request_header(file, &request, "sec-websocket-key");
        request_header(file, &request, "host");
        let origins: Vec<_> = request.headers().get_all(ORIGIN).iter().collect();
        assert_eq!(origins, [origin], "{file}: Origin header lines");
        // Chromium sends no Sec-Fetch-* on WebSocket handshakes: Origin is the only signal.
        for name in request.headers().keys() {
            assert!(!name.as_str().starts_with("sec-fetch-"), "{file}: {name}");
        }
    }
}

#[test]
fn policy_decides_each_capture() {
    let policy = policy();
    let mut failures = Vec::new();
    for Capture {
        file,
        bytes,
        origin,
        expected,
    } in CAPTURES
    {
        let decision = policy.check(&parse_request(file, bytes));
        if !matches(&decision, *expected) {
            failures.push(format!(
                "{file}: Origin {origin:?}: expected {expected:?}, got {decision}"
            ));
        }
        assert_eq!(decision.origin().as_bytes(), origin.as_bytes(), "{file}");
        // The request path and the header-value path agree.
        assert_eq!(policy.check_value(origin.as_bytes()), decision, "{file}");
    }
    assert!(
        failures.is_empty(),
        "{} wrong decisions:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn replayed_captures_get_101_or_403() {
    let server = Server::spawn(policy(), CAPTURES.len(), Mode::Observed);
    for Capture {
        file,
        bytes,
        origin,
        expected,
    } in CAPTURES
    {
        replay(&server, file, bytes, origin, *expected);
    }
}

/// Replays one captured handshake on `server`: `101` with the right accept key when
/// `expected` allows it, otherwise the `403` of the deny reason, echoing nothing sent.
#[track_caller]
fn replay(server: &Server, file: &str, bytes: &[u8], origin: &str, expected: Expected) {
    let request = parse_request(file, bytes);
    match expected {
        Expected::Allow(_) => {
            let head = exchange_head(server.addr, bytes);
            let response = parse_response(&head);
            assert_eq!(
                response.status_line, "HTTP/1.1 101 Switching Protocols",
                "{file}"
            );
            let key = request_header(file, &request, "sec-websocket-key");
            assert_eq!(
                one_header(&response.response, "sec-websocket-accept"),
                derive_accept_key(key.as_bytes()),
                "{file}"
            );
            let handled = server.next();
            // The client hung up right after the head: nothing to echo.
            assert!(
                matches!(handled.outcome, Outcome::Accepted { echoed: 0 }),
                "{file}: {handled:?}"
            );
            let decision = handled.decision.expect("observed");
            assert!(matches(&decision, expected), "{file}: {decision}");
        }
        Expected::Deny(reason) => {
            let bytes = exchange_until_close(server.addr, bytes);
            let response = parse_response(&bytes);
            assert_eq!(response.status_line, "HTTP/1.1 403 Forbidden", "{file}");
            // Nothing the browser sent comes back.
            let mut presented = vec![origin];
            for name in ["host", "user-agent", "sec-websocket-key"] {
                presented.push(request_header(file, &request, name));
            }
            let cookies = request.headers().get_all("cookie").iter();
            presented.extend(cookies.map(|v| v.to_str().expect("ASCII cookie")));
            assert_rejection(&response.response, reason, &presented);
            let handled = server.next();
            assert_eq!(
                handled.decision.and_then(|d| d.deny_reason()),
                Some(reason),
                "{file}"
            );
            assert_rejection(&handled.outcome.rejected(), reason, &presented);
        }
    }
}

// ---------------------------------------------------------------------------------------
// The three engines of tests/browser_e2e.rs.

/// The policy of the end-to-end run, at the capture's ports (pages on 8081; 8083 is the
/// same host on another port).
const E2E_POLICY: &str = "http://app.example.com:8081, http://bücher.example:8081";

/// What a captured request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A WebSocket handshake.
    Ws,
    /// The CORS preflight of a credentialed `fetch` with `X-Custom: 1`.
    Preflight,
    /// That `fetch` itself, after an allowed preflight.
    Fetch,
    /// A credentialed `EventSource` (no preflight).
    Events,
}

/// One request of the end-to-end run.
struct EngineCapture {
    engine: &'static str,
    /// `<case>/<kind>.http` under `tests/fixtures/<engine>/`.
    file: &'static str,
    kind: Kind,
    bytes: &'static [u8],
    /// The one `Origin` line the browser sent.
    origin: &'static str,
    expected: Expected,
}

impl EngineCapture {
    fn path(&self) -> String {
        format!("{}/{}", self.engine, self.file)
    }
}

macro_rules! engine_capture {
    ($engine:literal, $file:literal, $kind:ident, $origin:literal, $expected:expr) => {
        EngineCapture {
            engine: $engine,
            file: $file,
            kind: Kind::$kind,
            bytes: include_bytes!(concat!("fixtures/", $engine, "/", $file)),
            origin: $origin,
            expected: $expected,
        }
    };
}

const APP: Expected = allow("http://app.example.com:8081");
const IDN: Expected = allow("http://xn--bcher-kva.example:8081");

/// Every request of the end-to-end capture run, with its decision under [`E2E_POLICY`].
#[rustfmt::skip] // one capture per line
const ENGINE_CAPTURES: &[EngineCapture] = &[
    // Chromium: the CORS requests (its handshakes are in CAPTURES above).
    engine_capture!("chromium", "cors_app/preflight.http", Preflight, "http://app.example.com:8081", APP),
    engine_capture!("chromium", "cors_app/fetch.http", Fetch, "http://app.example.com:8081", APP),
    engine_capture!("chromium", "cors_app/events.http", Events, "http://app.example.com:8081", APP),
    engine_capture!("chromium", "cors_evil/preflight.http", Preflight, "http://evil.example:8081", deny(NotAllowed)),
    engine_capture!("chromium", "cors_evil/events.http", Events, "http://evil.example:8081", deny(NotAllowed)),
    engine_capture!("chromium", "cors_sandbox/preflight.http", Preflight, "null", deny(Null)),
    engine_capture!("chromium", "cors_sandbox/events.http", Events, "null", deny(Null)),
    // Firefox ESR 153.
    engine_capture!("firefox", "app/ws.http", Ws, "http://app.example.com:8081", APP),
    engine_capture!("firefox", "upper/ws.http", Ws, "http://app.example.com:8081", APP),
    engine_capture!("firefox", "idn/ws.http", Ws, "http://xn--bcher-kva.example:8081", IDN),
    engine_capture!("firefox", "dot/ws.http", Ws, "http://app.example.com.:8081", deny(NotAllowed)),
    engine_capture!("firefox", "evil/ws.http", Ws, "http://evil.example:8081", deny(NotAllowed)),
    engine_capture!("firefox", "other_port/ws.http", Ws, "http://app.example.com:8083", deny(NotAllowed)),
    engine_capture!("firefox", "sandbox/ws.http", Ws, "null", deny(Null)),
    engine_capture!("firefox", "file/ws.http", Ws, "null", deny(Null)),
    engine_capture!("firefox", "data/ws.http", Ws, "null", deny(Null)),
    engine_capture!("firefox", "blob/ws.http", Ws, "http://app.example.com:8081", APP),
    engine_capture!("firefox", "cors_app/preflight.http", Preflight, "http://app.example.com:8081", APP),
    engine_capture!("firefox", "cors_app/fetch.http", Fetch, "http://app.example.com:8081", APP),
    engine_capture!("firefox", "cors_app/events.http", Events, "http://app.example.com:8081", APP),
    engine_capture!("firefox", "cors_evil/preflight.http", Preflight, "http://evil.example:8081", deny(NotAllowed)),
    engine_capture!("firefox", "cors_evil/events.http", Events, "http://evil.example:8081", deny(NotAllowed)),
    engine_capture!("firefox", "cors_sandbox/preflight.http", Preflight, "null", deny(Null)),
    engine_capture!("firefox", "cors_sandbox/events.http", Events, "null", deny(Null)),
    // WebKitGTK 2.50 (MiniBrowser), through the forwarding proxy.
    engine_capture!("webkit", "app/ws.http", Ws, "http://app.example.com:8081", APP),
    engine_capture!("webkit", "upper/ws.http", Ws, "http://app.example.com:8081", APP),
    engine_capture!("webkit", "idn/ws.http", Ws, "http://xn--bcher-kva.example:8081", IDN),
    engine_capture!("webkit", "dot/ws.http", Ws, "http://app.example.com.:8081", deny(NotAllowed)),
    engine_capture!("webkit", "evil/ws.http", Ws, "http://evil.example:8081", deny(NotAllowed)),
    engine_capture!("webkit", "other_port/ws.http", Ws, "http://app.example.com:8083", deny(NotAllowed)),
    engine_capture!("webkit", "sandbox/ws.http", Ws, "null", deny(Null)),
    engine_capture!("webkit", "file/ws.http", Ws, "null", deny(Null)),
    engine_capture!("webkit", "data/ws.http", Ws, "null", deny(Null)),
    engine_capture!("webkit", "blob/ws.http", Ws, "http://app.example.com:8081", APP),
    engine_capture!("webkit", "cors_app/preflight.http", Preflight, "http://app.example.com:8081", APP),
    engine_capture!("webkit", "cors_app/fetch.http", Fetch, "http://app.example.com:8081", APP),
    engine_capture!("webkit", "cors_app/events.http", Events, "http://app.example.com:8081", APP),
    engine_capture!("webkit", "cors_evil/preflight.http", Preflight, "http://evil.example:8081", deny(NotAllowed)),
    engine_capture!("webkit", "cors_evil/events.http", Events, "http://evil.example:8081", deny(NotAllowed)),
    engine_capture!("webkit", "cors_sandbox/preflight.http", Preflight, "null", deny(Null)),
    engine_capture!("webkit", "cors_sandbox/events.http", Events, "null", deny(Null)),
];

fn e2e_policy() -> OriginPolicy {
    support::policy(E2E_POLICY)
}

fn e2e_cors() -> Cors {
    Cors::builder(e2e_policy())
        .allow_headers(["x-custom"])
        .allow_credentials()
        .build()
        .expect("valid CORS configuration")
}

fn engine_capture(engine: &str, file: &str) -> &'static EngineCapture {
    ENGINE_CAPTURES
        .iter()
        .find(|c| c.engine == engine && c.file == file)
        .unwrap_or_else(|| panic!("no capture {engine}/{file}"))
}

/// The files of an engine's folder that belong to the end-to-end run: all of Firefox's and
/// WebKit's, Chromium's `cors_*` folders.
fn end_to_end_files(engine: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(engine);
    let mut files = BTreeSet::new();
    for case in std::fs::read_dir(&dir).expect("fixtures folder") {
        let case = case.expect("entry").path();
        let name = case
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        if !case.is_dir() || (engine == "chromium" && !name.starts_with("cors_")) {
            continue;
        }
        for file in std::fs::read_dir(&case).expect("case folder") {
            let file = file.expect("entry").file_name();
            files.insert(format!("{engine}/{name}/{}", file.to_string_lossy()));
        }
    }
    files
}

#[test]
fn every_engine_fixture_is_in_the_table_once() {
    let mut in_table = BTreeSet::new();
    for capture in ENGINE_CAPTURES {
        assert!(
            in_table.insert(capture.path()),
            "{} is listed twice",
            capture.path()
        );
    }
    let mut on_disk = BTreeSet::new();
    for engine in ["chromium", "firefox", "webkit"] {
        on_disk.extend(end_to_end_files(engine));
    }
    assert_eq!(on_disk, in_table);
    // Per engine: 10 handshakes (Chromium's are in CAPTURES), 3 preflights, 1 fetch (only
    // the allowed page's preflight lets it through), 3 EventSource requests.
    for (engine, count) in [("chromium", 7), ("firefox", 17), ("webkit", 17)] {
        let n = ENGINE_CAPTURES
            .iter()
            .filter(|c| c.engine == engine)
            .count();
        assert_eq!(n, count, "{engine}");
    }
}

#[test]
fn engine_captures_parse_with_one_origin() {
    for capture in ENGINE_CAPTURES {
        let file = &capture.path();
        let request = parse_request(file, capture.bytes);
        let origins: Vec<_> = request.headers().get_all(ORIGIN).iter().collect();
        assert_eq!(origins, [capture.origin], "{file}: Origin header lines");
        request_header(file, &request, "host");
        let case = request.uri().query().unwrap_or("");
        match capture.kind {
            Kind::Ws => {
                assert_eq!(request.method(), http::Method::GET, "{file}");
                assert!(request.uri().path().starts_with("/ws/direct_"), "{file}");
                assert_eq!(
                    request_header(file, &request, "upgrade"),
                    "websocket",
                    "{file}"
                );
                let version = request_header(file, &request, "sec-websocket-version");
                assert_eq!(version, "13", "{file}");
                request_header(file, &request, "sec-websocket-key");
            }
            Kind::Preflight => {
                assert_eq!(request.method(), http::Method::OPTIONS, "{file}");
                assert!(Cors::is_preflight(&request), "{file}");
                let method = request_header(file, &request, "access-control-request-method");
                assert_eq!(method, "GET", "{file}");
                let names = request_header(file, &request, "access-control-request-headers");
                assert_eq!(names, "x-custom", "{file}");
                assert!(case.starts_with("case=cors_direct_"), "{file}");
            }
            Kind::Fetch => {
                assert_eq!(request.method(), http::Method::GET, "{file}");
                assert_eq!(request_header(file, &request, "x-custom"), "1", "{file}");
            }
            Kind::Events => {
                assert_eq!(request.method(), http::Method::GET, "{file}");
                let accept = request_header(file, &request, "accept");
                assert_eq!(accept, "text/event-stream", "{file}");
            }
        }
        // Page and server are both loopback: no private-network preflight in any engine.
        assert!(
            request
                .headers()
                .get("access-control-request-private-network")
                .is_none(),
            "{file}"
        );
    }
}

#[test]
fn policy_decides_each_engine_capture() {
    let policy = e2e_policy();
    let mut failures = Vec::new();
    for capture in ENGINE_CAPTURES {
        let file = &capture.path();
        let decision = policy.check(&parse_request(file, capture.bytes));
        if !matches(&decision, capture.expected) {
            failures.push(format!(
                "{file}: Origin {:?}: expected {:?}, got {decision}",
                capture.origin, capture.expected
            ));
        }
        assert_eq!(
            policy.check_value(capture.origin.as_bytes()),
            decision,
            "{file}"
        );
    }
    assert!(
        failures.is_empty(),
        "wrong decisions:\n{}",
        failures.join("\n")
    );
}

#[test]
fn cors_answers_each_engine_capture() {
    let cors = e2e_cors();
    for capture in ENGINE_CAPTURES {
        let file = &capture.path();
        let request = parse_request(file, capture.bytes);
        match (capture.kind, capture.expected) {
            (Kind::Ws, _) => {}
            (Kind::Preflight, expected) => {
                let preflight = cors.preflight(&request).expect("a preflight");
                assert!(matches(preflight.decision(), expected), "{file}");
                let response: http::Response<String> = preflight.response();
                match expected {
                    Expected::Allow(_) => {
                        assert!(preflight.is_allowed(), "{file}: {:?}", preflight.denial());
                        assert_eq!(response.status(), 204, "{file}");
                        let allow = &response.headers()["access-control-allow-origin"];
                        assert_eq!(allow, capture.origin, "{file}");
                        let credentials = &response.headers()["access-control-allow-credentials"];
                        assert_eq!(credentials, "true", "{file}");
                    }
                    Expected::Deny(reason) => {
                        assert_eq!(
                            preflight.denial(),
                            Some(PreflightDenial::Origin(reason)),
                            "{file}"
                        );
                        assert_eq!(response.status(), 403, "{file}");
                        assert!(response
                            .headers()
                            .get("access-control-allow-origin")
                            .is_none());
                    }
                }
            }
            (Kind::Fetch | Kind::Events, expected) => {
                assert!(cors.preflight(&request).is_none(), "{file}");
                let actual = cors.actual(&request);
                assert!(matches(actual.decision(), expected), "{file}");
                let allow = actual.allow_origin().map(|v| v.to_str().expect("ASCII"));
                match expected {
                    Expected::Allow(_) => assert_eq!(allow, Some(capture.origin), "{file}"),
                    Expected::Deny(_) => assert_eq!(allow, None, "{file}"),
                }
            }
        }
    }
}

#[test]
fn replayed_engine_handshakes_get_101_or_403() {
    let handshakes: Vec<&EngineCapture> = ENGINE_CAPTURES
        .iter()
        .filter(|c| c.kind == Kind::Ws)
        .collect();
    let server = Server::spawn(e2e_policy(), handshakes.len(), Mode::Observed);
    for capture in handshakes {
        replay(
            &server,
            &capture.path(),
            capture.bytes,
            capture.origin,
            capture.expected,
        );
    }
}

/// The same page in each engine: the Chromium handshake of the same case (from the
/// Chromium capture run, whose pages were on the same ports), then Firefox's and WebKit's.
#[rustfmt::skip]
const SAME_CASE: &[(&str, &str)] = &[
    ("app", "same_site_app/02_ws_accept_accept.http"),
    ("upper", "uppercase_host/02_ws_accept_accept.http"),
    ("idn", "idn_host/02_ws_accept_accept.http"),
    ("dot", "trailing_dot/02_ws_accept_accept.http"),
    ("evil", "cross_site_evil/02_ws_accept_accept.http"),
    ("sandbox", "sandbox_iframe/03_ws_accept_accept.http"),
    ("file", "file_url/01_ws_accept_accept.http"),
    ("data", "data_iframe/02_ws_accept_accept.http"),
    ("blob", "blob_iframe/02_ws_accept_accept.http"),
];

#[test]
fn same_case_same_origin_and_decision_in_every_engine() {
    let policy = e2e_policy();
    for (case, chromium_file) in SAME_CASE {
        let chromium = CAPTURES
            .iter()
            .find(|c| c.file == *chromium_file)
            .expect("a Chromium capture");
        let reference = policy.check(&parse_request(chromium.file, chromium.bytes));
        for engine in ["firefox", "webkit"] {
            let capture = engine_capture(engine, &format!("{case}/ws.http"));
            assert_eq!(
                capture.origin, chromium.origin,
                "{case}: {engine} vs chromium"
            );
            let decision = policy.check(&parse_request(&capture.path(), capture.bytes));
            assert_eq!(decision, reference, "{case}: {engine} vs chromium");
        }
    }
}

/// The names of a request's header lines, in wire order, lower-cased.
fn header_names(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .split("\r\n")
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, _)| name.to_ascii_lowercase())
        .collect()
}

/// Where the engines differ, as `tests/browser/ENGINES.md` records it.
#[test]
fn engine_differences_are_as_recorded() {
    let header = |engine: &str, file: &str, name: &str| -> Option<String> {
        let capture = engine_capture(engine, file);
        let request = parse_request(&capture.path(), capture.bytes);
        request
            .headers()
            .get(name)
            .map(|v| v.to_str().expect("ASCII").to_owned())
    };
    // Sec-Fetch-*: none on any WebSocket handshake or plain-http CORS request, except
    // Chromium's `Sec-Fetch-Mode: cors` on preflights.
    for capture in ENGINE_CAPTURES {
        let request = parse_request(&capture.path(), capture.bytes);
        let sec_fetch: Vec<String> = request
            .headers()
            .iter()
            .filter(|(name, _)| name.as_str().starts_with("sec-fetch-"))
            .map(|(name, value)| format!("{name}: {}", value.to_str().expect("ASCII")))
            .collect();
        let expected: &[&str] = match (capture.engine, capture.kind) {
            ("chromium", Kind::Preflight) => &["sec-fetch-mode: cors"],
            _ => &[],
        };
        assert_eq!(sec_fetch, expected, "{}", capture.path());
    }
    // permessage-deflate: Firefox offers it without parameters.
    let extensions = "sec-websocket-extensions";
    assert_eq!(
        header("firefox", "app/ws.http", extensions).as_deref(),
        Some("permessage-deflate")
    );
    assert_eq!(
        header("webkit", "app/ws.http", extensions).as_deref(),
        Some("permessage-deflate; client_max_window_bits")
    );
    // A sandboxed iframe's credentialed EventSource (Origin: null): WebKit sends the
    // page's SameSite=Lax cookie, Chromium and Firefox do not; Firefox sends the parent
    // page as Referer, the others none.
    assert!(header("chromium", "cors_sandbox/events.http", "cookie").is_none());
    assert!(header("firefox", "cors_sandbox/events.http", "cookie").is_none());
    assert!(header("webkit", "cors_sandbox/events.http", "cookie").is_some());
    assert!(header("chromium", "cors_sandbox/events.http", "referer").is_none());
    assert_eq!(
        header("firefox", "cors_sandbox/events.http", "referer").as_deref(),
        Some("http://app.example.com:8081/")
    );
    assert_eq!(
        header("webkit", "cors_sandbox/events.http", "referer").as_deref(),
        Some("http://app.example.com:8081/")
    );
    // Header order: Host first in Chromium and Firefox, last in WebKit (libsoup); the
    // decision does not depend on it.
    let first_and_last = |engine: &str| {
        let capture = engine_capture(engine, "app/ws.http");
        let names = header_names(capture.bytes);
        (names[0].clone(), names[names.len() - 1].clone())
    };
    assert_eq!(
        first_and_last("firefox"),
        ("host".to_owned(), "upgrade".to_owned())
    );
    assert_eq!(
        first_and_last("webkit"),
        ("user-agent".to_owned(), "host".to_owned())
    );
}
