//! End-to-end tests with a real headless Chromium: pages under several origins open a
//! WebSocket to a tungstenite echo server guarded by an `OriginPolicy`, and the test checks
//! both sides: what the page's JavaScript saw and what the server decided.
//!
//! Every host name is mapped to 127.0.0.1 by `--host-resolver-rules`, so the origin of a page
//! is decided by the URL the browser is given (`http://app.example.com:<port>/...`,
//! `http://evil.example:<port>/...`, a sandboxed iframe, a `file://` page). Nothing leaves
//! the machine.
//!
//! Chromium is `$CHROMIUM` or `/usr/bin/chromium` (`bash .ci/browser-deps.sh` installs it).
//! Without it the tests print a notice and pass, except under `CI=true`, where a missing
//! browser fails them.
#![cfg(feature = "tungstenite")]

use crate::browser;

use std::cell::RefCell;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::{Duration, Instant};

use crate::browser::{
    bind_loopback, html_attr_escape, query_params, response, serve_http, Board, Chromium,
    HttpRequest, HttpResponse, TempDir,
};
use origin_policy::cors::{Cors, PreflightDenial};
use origin_policy::{Decision, DenyReason, OriginPolicy};
use tungstenite::handshake::server::{Callback, ErrorResponse, Request, Response};
use tungstenite::{HandshakeError, Message};

/// The in-page harness: opens the socket, sends `hello <case>`, reports the events.
const WS_PAGE_JS: &str = include_str!("browser/ws_page.js");

/// How long the pages (and the server) get, in total, to report.
const REPORT_DEADLINE: Duration = Duration::from_secs(30);

/// The tests of this file run one after the other: each starts several browsers at once, and
/// two batches together would only slow each other down on a small machine.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts one headless Chromium per `(label, url)`, all at once (headless Chromium shows one
/// target per launch). They are killed when the returned guards are dropped.
fn launch_all(chromium: &Path, pages: &[(&str, &str)]) -> Vec<Chromium> {
    pages
        .iter()
        .map(|(label, url)| {
            Chromium::launch(chromium, label, url, &[]).unwrap_or_else(|err| {
                panic!("cannot start {} for {label}: {err}", chromium.display())
            })
        })
        .collect()
}

/// Whether every browser has exited (then waiting longer is pointless).
fn all_exited(browsers: &mut [Chromium]) -> bool {
    browsers.iter_mut().all(|b| b.exited().is_some())
}

/// What a page's JavaScript reported.
#[derive(Clone, Debug)]
struct PageReport {
    /// `self.origin` of the document that opened the socket.
    origin: String,
    /// `open`, `message:<data>`, `error`, `close:<code>:<wasClean>`, ...
    events: Vec<String>,
}

/// What the WebSocket server saw on one connection.
#[derive(Clone, Debug)]
struct Handshake {
    /// The decision handed to `callback_with`; `None` if the callback never ran.
    decision: Option<Decision>,
    /// The status answered: `101`, `403`, or `0` when the handshake failed otherwise.
    status: u16,
    /// The body of a refusal, or the error of a failed handshake.
    body: String,
    /// The text messages received after an accepted handshake.
    received: Vec<String>,
}

/// What a case must end in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Handshake allowed: `open`, the echo, a clean close.
    Echo,
    /// Handshake refused with `403` for this reason: `error`, `close 1006`.
    Refused(DenyReason),
}

/// One page of the matrix.
#[derive(Debug)]
struct Case {
    name: &'static str,
    /// The URL the browser is started with.
    url: String,
    /// `self.origin` the page must report.
    page_origin: String,
    /// The `Origin` the server must see.
    sent_origin: String,
    expect: Expect,
}

/// Records the request path and the decision of each handshake, through the crate's
/// `callback_with`.
struct Recorder<'a> {
    policy: &'a OriginPolicy,
    seen: &'a RefCell<Option<(String, Decision)>>,
}

impl Callback for Recorder<'_> {
    fn on_request(self, request: &Request, response: Response) -> Result<Response, ErrorResponse> {
        let path = request.uri().path().to_owned();
        let seen = self.seen;
        self.policy
            .callback_with(move |decision| *seen.borrow_mut() = Some((path, decision.clone())))
            .on_request(request, response)
    }
}

/// Runs the WebSocket echo server on `listener`; every connection is recorded on `board`
/// under the case named by its path `/ws/<case>`.
fn serve_ws(listener: TcpListener, policy: Arc<OriginPolicy>, board: Arc<Board<Handshake>>) {
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let policy = Arc::clone(&policy);
            let board = Arc::clone(&board);
            thread::spawn(move || {
                let (case, handshake) = handle_ws(&policy, stream);
                board.push(&case, handshake);
            });
        }
    });
}

fn handle_ws(policy: &OriginPolicy, stream: TcpStream) -> (String, Handshake) {
    let timeout = Some(Duration::from_secs(10));
    let _ = stream.set_read_timeout(timeout);
    let _ = stream.set_write_timeout(timeout);
    let seen = RefCell::new(None);
    let result = tungstenite::accept_hdr(
        stream,
        Recorder {
            policy,
            seen: &seen,
        },
    );
    let (path, decision) = match seen.take() {
        Some((path, decision)) => (path, Some(decision)),
        None => (String::from("/ws/unknown"), None),
    };
    let case = path.strip_prefix("/ws/").unwrap_or(&path).to_owned();
    let mut handshake = Handshake {
        decision,
        status: 0,
        body: String::new(),
        received: Vec::new(),
    };
    match result {
        Ok(mut socket) => {
            handshake.status = 101;
            // Echo text until the client closes (tungstenite answers the close frame).
            loop {
                match socket.read() {
                    Ok(Message::Text(text)) => {
                        let text = text.as_str().to_owned();
                        let reply = format!("echo:{text}");
                        handshake.received.push(text);
                        if socket.send(Message::text(reply)).is_err() {
                            break;
                        }
                    }
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
        }
        Err(HandshakeError::Failure(tungstenite::Error::Http(refusal))) => {
            handshake.status = refusal.status().as_u16();
            handshake.body =
                String::from_utf8_lossy(refusal.body().as_deref().unwrap_or_default()).into_owned();
        }
        Err(err) => handshake.body = format!("handshake failed: {err}"),
    }
    (case, handshake)
}

/// The HTML of a page that runs the harness for `case`.
fn ws_page(case: &str, ws_port: u16, report_url: &str) -> String {
    let config = serde_json::json!({
        "case": case,
        "ws": format!("ws://ws.example.com:{ws_port}/ws/{case}"),
        "report": report_url,
    });
    harness_page(case, &config, WS_PAGE_JS)
}

/// Records a page's `/report?case=..&origin=..&events=a|b|c`; `None` for other paths.
fn record_report(request: &HttpRequest, reports: &Board<PageReport>) -> Option<HttpResponse> {
    if request.uri().path() != "/report" {
        return None;
    }
    let params = query_params(request);
    let case = params.get("case").cloned().unwrap_or_default();
    let events = params
        .get("events")
        .map(|e| {
            e.split('|')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let origin = params.get("origin").cloned().unwrap_or_default();
    reports.push(&case, PageReport { origin, events });
    Some(response(204, "text/plain", ""))
}

/// A page running `script` with `window.__CFG = config`.
fn harness_page(title: &str, config: &serde_json::Value, script: &str) -> String {
    // `</` cannot occur in the JSON of these values; checked so that the page stays valid.
    assert!(!config.to_string().contains("</"));
    format!(
        "<!doctype html>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <script>window.__CFG = {config};</script>\n<script>\n{script}</script>\n"
    )
}

/// A page on an allowed origin whose only content is `<iframe sandbox="allow-scripts"
/// srcdoc=...>` showing `inner`: the iframe runs with an opaque origin (`Origin: null`).
fn sandbox_parent(inner: &str) -> String {
    format!(
        "<!doctype html>\n<title>sandbox parent</title>\n\
         <iframe sandbox=\"allow-scripts\" srcdoc=\"{}\"></iframe>\n",
        html_attr_escape(inner)
    )
}

/// Whether `case` is a plain case name (letters, digits, `_`).
fn is_case_name(case: &str) -> bool {
    !case.is_empty() && case.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The page server: `/case/<name>` serves the harness page (for `sandbox`, a page whose
/// `<iframe sandbox="allow-scripts" srcdoc=...>` runs it with an opaque origin), `/report`
/// records a report.
fn page_handler(
    ws_port: u16,
    report_url: String,
    reports: Arc<Board<PageReport>>,
) -> browser::Handler {
    Arc::new(move |request| {
        if let Some(answer) = record_report(request, &reports) {
            return answer;
        }
        match request.uri().path().strip_prefix("/case/") {
            Some("sandbox") => response(
                200,
                "text/html; charset=utf-8",
                sandbox_parent(&ws_page("sandbox", ws_port, &report_url)),
            ),
            Some(case) if is_case_name(case) => response(
                200,
                "text/html; charset=utf-8",
                ws_page(case, ws_port, &report_url),
            ),
            _ => response(404, "text/plain", "not found\n"),
        }
    })
}

/// The events a page must report for `expect`, and the case's socket must carry.
fn expected_events(case: &str, expect: Expect) -> Vec<String> {
    match expect {
        Expect::Echo => vec![
            "open".to_owned(),
            format!("message:echo:hello {case}"),
            "close:1000:true".to_owned(),
        ],
        // A refused upgrade looks the same to JS whatever the status: error, then 1006.
        Expect::Refused(_) => vec!["error".to_owned(), "close:1006:false".to_owned()],
    }
}

/// The mismatches between what `case` expects and what was observed (empty when it passed).
fn check_case(
    case: &Case,
    report: Option<&PageReport>,
    handshakes: &[Handshake],
    policy: &OriginPolicy,
) -> Vec<String> {
    let mut problems = Vec::new();
    let name = case.name;
    match report {
        None => problems.push(format!("{name}: the page never reported")),
        Some(report) => {
            if report.origin != case.page_origin {
                problems.push(format!(
                    "{name}: page origin {:?}, expected {:?}",
                    report.origin, case.page_origin
                ));
            }
            let expected = expected_events(name, case.expect);
            if report.events != expected {
                problems.push(format!(
                    "{name}: JS saw {:?}, expected {expected:?}",
                    report.events
                ));
            }
        }
    }
    let [handshake] = handshakes else {
        problems.push(format!(
            "{name}: the server saw {} handshakes, expected exactly 1: {handshakes:?}",
            handshakes.len()
        ));
        return problems;
    };
    let Some(decision) = &handshake.decision else {
        problems.push(format!(
            "{name}: callback_with was never called: {handshake:?}"
        ));
        return problems;
    };
    let sent = String::from_utf8_lossy(decision.origin().as_bytes());
    if sent != case.sent_origin {
        problems.push(format!(
            "{name}: server saw Origin {sent:?}, expected {:?}",
            case.sent_origin
        ));
    }
    // The decision is the one the policy gives for that value, whatever the transport.
    let direct = policy.check_value(case.sent_origin.as_bytes());
    if *decision != direct {
        problems.push(format!(
            "{name}: handshake decision {decision} differs from check_value: {direct}"
        ));
    }
    match case.expect {
        Expect::Echo => {
            let rule = decision.matched_rule().map(ToString::to_string);
            if rule.as_deref() != Some(case.sent_origin.as_str()) {
                problems.push(format!(
                    "{name}: expected allowed by exact rule, got {decision}"
                ));
            }
            if handshake.status != 101 || handshake.received != [format!("hello {name}")] {
                problems.push(format!(
                    "{name}: expected 101 and one echoed message, got {handshake:?}"
                ));
            }
        }
        Expect::Refused(reason) => {
            if decision.deny_reason() != Some(reason) {
                problems.push(format!("{name}: expected deny {reason:?}, got {decision}"));
            }
            let expected_body: String = reason.rejection::<String>().into_body();
            if handshake.status != 403 || handshake.body != expected_body {
                problems.push(format!(
                    "{name}: expected 403 with body {expected_body:?}, got {handshake:?}"
                ));
            }
            if !handshake.received.is_empty() {
                problems.push(format!("{name}: a refused socket carried messages"));
            }
        }
    }
    problems
}

fn summary(report: Option<&PageReport>) -> String {
    report.map_or_else(
        || "(no report)".to_owned(),
        |r| format!("origin {} | {}", r.origin, r.events.join(" -> ")),
    )
}

fn server_summary(handshakes: &[Handshake]) -> String {
    let parts: Vec<String> = handshakes
        .iter()
        .map(|h| match &h.decision {
            Some(d) => format!("{} [{d}]", h.status),
            None => format!("{} [no decision: {}]", h.status, h.body),
        })
        .collect();
    if parts.is_empty() {
        "(no handshake)".to_owned()
    } else {
        parts.join("; ")
    }
}

/// Allowed page connects and echoes; a cross-site page, a page on another port, a sandboxed
/// iframe (`null`) and a `file://` page (`null`) are refused with `403`, and the server's
/// decision names the reason.
#[test]
fn chromium_websocket_origin_matrix() {
    let Some(chromium) = browser::chromium_or_skip("chromium_websocket_origin_matrix") else {
        return;
    };
    let _serial = one_at_a_time();
    let started = Instant::now();

    let reports: Arc<Board<PageReport>> = Board::new();
    let handshakes: Arc<Board<Handshake>> = Board::new();

    // All ports first: the pages need the WebSocket port, the policy the page port.
    let (page_listener, page_port) = bind_loopback();
    let (other_listener, other_port) = bind_loopback();
    let (ws_listener, ws_port) = bind_loopback();
    let report_url = format!("http://127.0.0.1:{page_port}/report");

    let allowed = format!("http://app.example.com:{page_port}");
    let policy: OriginPolicy = allowed.parse().expect("valid policy");
    let policy = Arc::new(policy);
    serve_ws(ws_listener, Arc::clone(&policy), Arc::clone(&handshakes));
    let handler = page_handler(ws_port, report_url.clone(), Arc::clone(&reports));
    serve_http(page_listener, Arc::clone(&handler));
    serve_http(other_listener, handler);

    // The file:// page: the same harness, written to a temporary directory.
    let file_dir = TempDir::new("file-page");
    let file_page = file_dir.path().join("file_case.html");
    std::fs::write(&file_page, ws_page("file", ws_port, &report_url))
        .expect("write the file:// page");

    let evil = format!("http://evil.example:{page_port}");
    let other = format!("http://app.example.com:{other_port}");
    let cases = vec![
        Case {
            name: "app",
            url: format!("{allowed}/case/app"),
            page_origin: allowed.clone(),
            sent_origin: allowed.clone(),
            expect: Expect::Echo,
        },
        Case {
            // Chromium lower-cases the host: the origin is the allowed one.
            name: "upper",
            url: format!("http://APP.EXAMPLE.COM:{page_port}/case/upper"),
            page_origin: allowed.clone(),
            sent_origin: allowed.clone(),
            expect: Expect::Echo,
        },
        Case {
            name: "evil",
            url: format!("{evil}/case/evil"),
            page_origin: evil.clone(),
            sent_origin: evil.clone(),
            expect: Expect::Refused(DenyReason::NotAllowed),
        },
        Case {
            // Same host, another port: another origin.
            name: "other_port",
            url: format!("{other}/case/other_port"),
            page_origin: other.clone(),
            sent_origin: other.clone(),
            expect: Expect::Refused(DenyReason::NotAllowed),
        },
        Case {
            // An allowed page's sandboxed iframe runs with an opaque origin: `Origin: null`.
            name: "sandbox",
            url: format!("{allowed}/case/sandbox"),
            page_origin: "null".to_owned(),
            sent_origin: "null".to_owned(),
            expect: Expect::Refused(DenyReason::Null),
        },
        Case {
            name: "file",
            url: format!("file://{}", file_page.display()),
            page_origin: "null".to_owned(),
            sent_origin: "null".to_owned(),
            expect: Expect::Refused(DenyReason::Null),
        },
    ];

    let pages: Vec<(&str, &str)> = cases.iter().map(|c| (c.name, c.url.as_str())).collect();
    let mut browsers = launch_all(&chromium, &pages);

    let names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    let deadline = Instant::now() + REPORT_DEADLINE;
    let mut missing = reports.wait_for(&names, deadline, || all_exited(&mut browsers));
    // A refused handshake is recorded before the page sees `close`; an accepted one when the
    // socket ends, which may be just after the page's report.
    missing.extend(
        handshakes
            .wait_for(&names, deadline, || all_exited(&mut browsers))
            .into_iter()
            .map(|case| format!("{case} (server)")),
    );
    let elapsed = started.elapsed();

    let mut problems: Vec<String> = missing
        .iter()
        .map(|case| format!("{case}: nothing within {REPORT_DEADLINE:?}"))
        .collect();
    println!("browser matrix ({} pages, {elapsed:.1?}):", cases.len());
    for case in &cases {
        let report = reports.get(case.name).into_iter().next();
        let seen = handshakes.get(case.name);
        println!(
            "  {:<10} {:<55} expect {:<20} | JS: {} | server: {}",
            case.name,
            case.url,
            format!("{:?}", case.expect),
            summary(report.as_ref()),
            server_summary(&seen)
        );
        problems.extend(check_case(case, report.as_ref(), &seen, &policy));
    }
    // Connections that named no known case (none are expected).
    for stray in handshakes.get("unknown") {
        problems.push(format!(
            "a handshake without a recorded decision: {stray:?}"
        ));
    }

    let tails: Vec<String> = if problems.is_empty() {
        Vec::new()
    } else {
        browsers.iter().map(|b| b.stderr_tail(15)).collect()
    };
    drop(browsers);
    assert!(
        problems.is_empty(),
        "browser end-to-end mismatches:\n  {}\n{}",
        problems.join("\n  "),
        tails.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// CORS: the crate's `Cors` on an HTTP API, exercised by a credentialed fetch with a custom
// header (a preflight) and a credentialed EventSource.

/// The in-page harness: `fetch` with credentials and `X-Custom: 1`, then an `EventSource`.
const CORS_PAGE_JS: &str = include_str!("browser/cors_page.js");

/// One request the API server answered.
#[derive(Clone, Debug)]
struct ApiRequest {
    method: String,
    path: String,
    cookie: Option<String>,
    x_custom: Option<String>,
    request_headers: Option<String>,
    status: u16,
    allow_origin: Option<String>,
    allow_credentials: Option<String>,
    /// The policy's decision, as `Cors` reported it.
    decision: Decision,
    /// Why a preflight was refused.
    denial: Option<PreflightDenial>,
}

/// A header's value as text, if present.
fn header_of(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// The API server: every request goes through `cors` (preflights answered by it, actual
/// responses get its headers). `/api` answers text, `/events` one server-sent event; both
/// echo the cookie they received, so that the page can tell credentials were sent.
fn api_handler(cors: Arc<Cors>, seen: Arc<Board<ApiRequest>>) -> browser::Handler {
    Arc::new(move |request| {
        let case = query_params(request)
            .get("case")
            .cloned()
            .unwrap_or_default();
        let headers = request.headers();
        let cookie = header_of(headers, "cookie");
        let x_custom = header_of(headers, "x-custom");
        let (answer, decision, denial) = if let Some(preflight) = cors.preflight(request) {
            let answer: HttpResponse = preflight.response::<Vec<u8>>();
            (answer, preflight.decision().clone(), preflight.denial())
        } else {
            let actual = cors.actual(request);
            let shown_cookie = cookie.clone().unwrap_or_default();
            let mut answer = match request.uri().path() {
                "/api" => response(
                    200,
                    "text/plain",
                    format!(
                        "api ok cookie={shown_cookie} x-custom={}",
                        x_custom.clone().unwrap_or_default()
                    ),
                ),
                "/events" => response(
                    200,
                    "text/event-stream",
                    format!("data: events ok cookie={shown_cookie}\n\n"),
                ),
                _ => response(404, "text/plain", "not found\n"),
            };
            actual.apply(answer.headers_mut());
            (answer, actual.into_decision(), None)
        };
        seen.push(
            &case,
            ApiRequest {
                method: request.method().to_string(),
                path: request.uri().path().to_owned(),
                cookie,
                x_custom,
                request_headers: header_of(headers, "access-control-request-headers"),
                status: answer.status().as_u16(),
                allow_origin: header_of(answer.headers(), "access-control-allow-origin"),
                allow_credentials: header_of(answer.headers(), "access-control-allow-credentials"),
                decision,
                denial,
            },
        );
        answer
    })
}

/// The HTML of a page that runs the CORS harness for `case` against the API server.
fn cors_page(case: &str, api_port: u16, report_url: &str) -> String {
    let config = serde_json::json!({
        "case": case,
        "api": format!("http://api.example.com:{api_port}/api?case={case}"),
        "events": format!("http://api.example.com:{api_port}/events?case={case}"),
        "report": report_url,
    });
    harness_page(case, &config, CORS_PAGE_JS)
}

/// The page server of the CORS test: `/cors/<case>` (for `sandbox`, a sandboxed iframe runs
/// it) and `/report`. Pages set `cookie` for `example.com`, so a credentialed request from
/// `app.example.com` to `api.example.com` (same site) carries it; the browser refuses the
/// cookie on `evil.example`.
fn cors_page_handler(
    api_port: u16,
    report_url: String,
    cookie: String,
    reports: Arc<Board<PageReport>>,
) -> browser::Handler {
    Arc::new(move |request| {
        if let Some(answer) = record_report(request, &reports) {
            return answer;
        }
        let page = match request.uri().path().strip_prefix("/cors/") {
            Some("sandbox") => sandbox_parent(&cors_page("sandbox", api_port, &report_url)),
            Some(case) if is_case_name(case) => cors_page(case, api_port, &report_url),
            _ => return response(404, "text/plain", "not found\n"),
        };
        let mut answer = response(200, "text/html; charset=utf-8", page);
        let set_cookie = format!("{cookie}; Domain=example.com; Path=/; SameSite=Lax");
        answer.headers_mut().insert(
            "set-cookie",
            http::HeaderValue::from_str(&set_cookie).expect("valid cookie"),
        );
        answer
    })
}

/// One page of the CORS matrix.
#[derive(Debug)]
struct CorsCase {
    name: &'static str,
    url: String,
    page_origin: String,
    /// `None`: allowed. `Some(reason)`: the policy denies the page's origin for that reason.
    denied: Option<DenyReason>,
}

/// The mismatches between what `case` expects and what was observed (empty when it passed).
fn check_cors_case(
    case: &CorsCase,
    report: Option<&PageReport>,
    requests: &[ApiRequest],
    cookie: &str,
) -> Vec<String> {
    let mut problems = Vec::new();
    let name = case.name;
    let expected_js: Vec<String> = match case.denied {
        None => vec![
            format!("fetch:200:api ok cookie={cookie} x-custom=1"),
            "sse:open".to_owned(),
            format!("sse:message:events ok cookie={cookie}"),
        ],
        // A failed CORS check is a network error for fetch, and a closed EventSource.
        Some(_) => vec!["fetch:threw:TypeError".to_owned(), "sse:error:2".to_owned()],
    };
    match report {
        None => problems.push(format!("{name}: the page never reported")),
        Some(report) => {
            if report.origin != case.page_origin {
                problems.push(format!(
                    "{name}: page origin {:?}, expected {:?}",
                    report.origin, case.page_origin
                ));
            }
            if report.events != expected_js {
                problems.push(format!(
                    "{name}: JS saw {:?}, expected {expected_js:?}",
                    report.events
                ));
            }
        }
    }
    let of = |method: &str, path: &str| -> Vec<&ApiRequest> {
        requests
            .iter()
            .filter(|r| r.method == method && r.path == path)
            .collect()
    };
    let preflights = of("OPTIONS", "/api");
    let fetches = of("GET", "/api");
    let streams = of("GET", "/events");
    let [preflight] = preflights.as_slice() else {
        problems.push(format!(
            "{name}: expected exactly one preflight, the API saw {requests:?}"
        ));
        return problems;
    };
    if !preflight.request_headers.as_deref().is_some_and(|h| {
        h.split(',')
            .any(|n| n.trim().eq_ignore_ascii_case("x-custom"))
    }) {
        problems.push(format!(
            "{name}: the preflight did not ask for x-custom: {preflight:?}"
        ));
    }
    let [stream] = streams.as_slice() else {
        problems.push(format!(
            "{name}: expected exactly one EventSource request, the API saw {requests:?}"
        ));
        return problems;
    };
    match case.denied {
        None => {
            let origin = Some(case.page_origin.as_str());
            if preflight.status != 204
                || preflight.denial.is_some()
                || preflight.allow_origin.as_deref() != origin
                || preflight.allow_credentials.as_deref() != Some("true")
            {
                problems.push(format!("{name}: preflight not allowed: {preflight:?}"));
            }
            match fetches.as_slice() {
                [fetch] => {
                    if fetch.status != 200
                        || !fetch.decision.is_allowed()
                        || fetch.cookie.as_deref() != Some(cookie)
                        || fetch.x_custom.as_deref() != Some("1")
                        || fetch.allow_origin.as_deref() != origin
                        || fetch.allow_credentials.as_deref() != Some("true")
                    {
                        problems.push(format!("{name}: credentialed fetch: {fetch:?}"));
                    }
                }
                other => problems.push(format!(
                    "{name}: expected exactly one GET /api after the preflight, saw {other:?}"
                )),
            }
            if stream.status != 200
                || !stream.decision.is_allowed()
                || stream.cookie.as_deref() != Some(cookie)
                || stream.allow_origin.as_deref() != origin
                || stream.allow_credentials.as_deref() != Some("true")
            {
                problems.push(format!("{name}: EventSource request: {stream:?}"));
            }
        }
        Some(reason) => {
            if preflight.status != 403
                || preflight.denial != Some(PreflightDenial::Origin(reason))
                || preflight.allow_origin.is_some()
                || preflight.allow_credentials.is_some()
            {
                problems.push(format!(
                    "{name}: expected the preflight refused for {reason:?}: {preflight:?}"
                ));
            }
            // The browser stops at the refused preflight: the request itself never comes.
            if !fetches.is_empty() {
                problems.push(format!(
                    "{name}: the API saw the fetch despite the refused preflight: {fetches:?}"
                ));
            }
            // EventSource needs no preflight; the response lacks CORS headers, so the browser
            // withholds it from the page.
            if stream.decision.deny_reason() != Some(reason)
                || stream.allow_origin.is_some()
                || stream.allow_credentials.is_some()
            {
                problems.push(format!(
                    "{name}: expected no CORS headers on the EventSource response: {stream:?}"
                ));
            }
        }
    }
    problems
}

fn api_summary(requests: &[ApiRequest]) -> String {
    let parts: Vec<String> = requests
        .iter()
        .map(|r| {
            format!(
                "{} {} -> {}{}",
                r.method,
                r.path,
                r.status,
                r.allow_origin
                    .as_deref()
                    .map_or_else(|| " (no ACAO)".to_owned(), |o| format!(" ACAO={o}"))
            )
        })
        .collect();
    if parts.is_empty() {
        "(no request)".to_owned()
    } else {
        parts.join("; ")
    }
}

/// Through the crate's `Cors`: an allowed page's credentialed fetch with a custom header
/// (preflighted) and its credentialed EventSource work; a cross-site page's and a sandboxed
/// iframe's (`null`) fail in the browser, and the server refused their preflights.
#[test]
fn chromium_cors_fetch_and_eventsource() {
    let Some(chromium) = browser::chromium_or_skip("chromium_cors_fetch_and_eventsource") else {
        return;
    };
    let _serial = one_at_a_time();
    let started = Instant::now();

    let reports: Arc<Board<PageReport>> = Board::new();
    let api_seen: Arc<Board<ApiRequest>> = Board::new();

    let (page_listener, page_port) = bind_loopback();
    let (api_listener, api_port) = bind_loopback();
    let report_url = format!("http://127.0.0.1:{page_port}/report");
    let cookie = format!(
        "sid={}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );

    let allowed = format!("http://app.example.com:{page_port}");
    let policy: OriginPolicy = allowed.parse().expect("valid policy");
    let cors = Cors::builder(policy)
        .allow_headers(["x-custom"])
        .allow_credentials()
        .build()
        .expect("valid CORS configuration");
    serve_http(
        api_listener,
        api_handler(Arc::new(cors), Arc::clone(&api_seen)),
    );
    serve_http(
        page_listener,
        cors_page_handler(api_port, report_url, cookie.clone(), Arc::clone(&reports)),
    );

    let evil = format!("http://evil.example:{page_port}");
    let cases = vec![
        CorsCase {
            name: "app",
            url: format!("{allowed}/cors/app"),
            page_origin: allowed.clone(),
            denied: None,
        },
        CorsCase {
            name: "evil",
            url: format!("{evil}/cors/evil"),
            page_origin: evil.clone(),
            denied: Some(DenyReason::NotAllowed),
        },
        CorsCase {
            name: "sandbox",
            url: format!("{allowed}/cors/sandbox"),
            page_origin: "null".to_owned(),
            denied: Some(DenyReason::Null),
        },
    ];

    let pages: Vec<(&str, &str)> = cases.iter().map(|c| (c.name, c.url.as_str())).collect();
    let mut browsers = launch_all(&chromium, &pages);
    let names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    let deadline = Instant::now() + REPORT_DEADLINE;
    // The API records each request before answering it, so everything it saw is on the board
    // once the page reports.
    let missing = reports.wait_for(&names, deadline, || all_exited(&mut browsers));
    let elapsed = started.elapsed();

    let mut problems: Vec<String> = missing
        .iter()
        .map(|case| format!("{case}: no report within {REPORT_DEADLINE:?}"))
        .collect();
    println!(
        "CORS browser matrix ({} pages, {elapsed:.1?}):",
        cases.len()
    );
    for case in &cases {
        let report = reports.get(case.name).into_iter().next();
        let seen = api_seen.get(case.name);
        println!(
            "  {:<8} {:<50} expect {:<18} | JS: {} | API: {}",
            case.name,
            case.url,
            case.denied
                .map_or_else(|| "allowed".to_owned(), |r| format!("denied {r:?}")),
            summary(report.as_ref()),
            api_summary(&seen)
        );
        problems.extend(check_cors_case(case, report.as_ref(), &seen, &cookie));
    }

    let tails: Vec<String> = if problems.is_empty() {
        Vec::new()
    } else {
        browsers.iter().map(|b| b.stderr_tail(15)).collect()
    };
    drop(browsers);
    assert!(
        problems.is_empty(),
        "CORS browser end-to-end mismatches:\n  {}\n{}",
        problems.join("\n  "),
        tails.join("\n")
    );
}
