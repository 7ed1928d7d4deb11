//! End-to-end tests in three real browser engines (Chromium, Firefox ESR, WebKitGTK), one
//! test per engine, all three in parallel: pages under several origins open a WebSocket to
//! a tungstenite echo server guarded by an `OriginPolicy`, and make a credentialed `fetch`
//! with a custom header (a preflight) and a credentialed `EventSource` to an API behind the
//! crate's `Cors`. Every case runs three ways: directly, behind nginx as a correct reverse
//! proxy, and behind an nginx that drops `Origin` (where everything must be refused as
//! missing). The test checks both sides: what the page's JavaScript saw and what the server
//! decided.
//!
//! Every host name resolves to 127.0.0.1 (Chromium `--host-resolver-rules`, Firefox
//! `network.dns.forceResolve`, WebKit a forwarding proxy set in the WebDriver `proxy`
//! capability), so the origin of a page is decided by the URL the browser is given. Nothing
//! leaves the machine. `tests/browser/ENGINES.md` tabulates what each engine sends.
//!
//! The programs are found at their Debian paths or through `$CHROMIUM`, `$FIREFOX`,
//! `$WEBKIT_WEBDRIVER`, `$MINIBROWSER`, `$XVFB` and `$NGINX`; `bash .ci/browser-deps.sh`
//! installs them. Without one, a test prints a notice and passes, except under `CI=true`,
//! where a missing browser fails it.
//!
//! `ORIGIN_POLICY_CAPTURE_DIR=<dir>` makes each test also write the raw bytes of every
//! direct handshake and CORS request to `<dir>/<engine>/<case>/`, with the servers on the
//! fixed ports 8081-8084 (so run one engine per process, as in
//! `cargo test --all-features --test integration browser_e2e::firefox`): how the fixtures of
//! `tests/browser_captures.rs` were made.
#![cfg(feature = "tungstenite")]

use crate::browser;

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crate::browser::engine::{Browser, Engine};
use crate::browser::nginx::Nginx;
use crate::browser::{
    bind_loopback, html_attr_escape, program_or_skip, query_params, response, serve_http, Board,
    HttpRequest, HttpResponse, RawHead, TempDir,
};
use origin_policy::cors::{Cors, PreflightDenial};
use origin_policy::{Decision, DenyReason, OriginPolicy};
use tungstenite::handshake::server::{Callback, ErrorResponse, Request, Response};
use tungstenite::{HandshakeError, Message};

/// The in-page harness: opens the socket, sends `hello <case>`, reports the events.
const WS_PAGE_JS: &str = include_str!("browser/ws_page.js");

/// The in-page harness: `fetch` with credentials and `X-Custom: 1`, then an `EventSource`.
const CORS_PAGE_JS: &str = include_str!("browser/cors_page.js");

/// How long the pages (and the servers) get, in total, to report.
const REPORT_DEADLINE: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------------------
// The three ways to the servers.

/// How a page reaches the WebSocket and API servers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    /// Straight to the server.
    Direct,
    /// Through nginx as a correct reverse proxy.
    Nginx,
    /// Through nginx configured to drop `Origin`.
    Dropped,
    /// Straight to the second WebSocket server: actix-web and actix-ws behind
    /// `OriginMiddleware` (feature `actix`).
    #[cfg(feature = "actix")]
    Actix,
}

impl Route {
    const ALL: &[Route] = &[
        Route::Direct,
        Route::Nginx,
        Route::Dropped,
        #[cfg(feature = "actix")]
        Route::Actix,
    ];

    /// The first part of the case names of this route.
    fn prefix(self) -> &'static str {
        match self {
            Route::Direct => "direct",
            Route::Nginx => "nginx",
            Route::Dropped => "dropped",
            #[cfg(feature = "actix")]
            Route::Actix => "actix",
        }
    }

    /// Whether this is the actix-web server's route.
    fn is_actix(self) -> bool {
        #[cfg(feature = "actix")]
        return self == Route::Actix;
        #[cfg(not(feature = "actix"))]
        return false;
    }

    /// The route of a case name (`direct_app`, `cors_nginx_evil`, ...).
    fn of_case(case: &str) -> Option<Route> {
        let rest = case.strip_prefix("cors_").unwrap_or(case);
        let prefix = rest.split('_').next()?;
        Route::ALL.iter().copied().find(|r| r.prefix() == prefix)
    }
}

/// Every port of one engine's run.
#[derive(Clone, Copy, Debug)]
struct Ports {
    page: u16,
    other: u16,
    ws: u16,
    api: u16,
    #[cfg(feature = "actix")]
    actix: u16,
    nginx_forwarding: u16,
    nginx_dropping: u16,
}

impl Ports {
    /// Where a page of `route` opens its WebSocket and makes its API requests.
    fn server(&self, route: Route, api: bool) -> u16 {
        match route {
            Route::Direct if api => self.api,
            Route::Direct => self.ws,
            #[cfg(feature = "actix")]
            Route::Actix => self.actix,
            Route::Nginx => self.nginx_forwarding,
            Route::Dropped => self.nginx_dropping,
        }
    }
}

// ---------------------------------------------------------------------------------------
// What is observed.

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
    /// The policy's decision on the request; `None` if the callback never ran.
    decision: Option<Decision>,
    /// The status answered: `101`, `403`, or `0` when the handshake failed otherwise.
    status: u16,
    /// The body of a refusal, or the error of a failed handshake.
    body: String,
    /// The text messages received after an accepted handshake.
    received: Vec<String>,
    /// The request head as it arrived.
    raw: Vec<u8>,
}

/// A stream that keeps a copy of everything read from it.
struct Tee {
    inner: TcpStream,
    seen: Rc<RefCell<Vec<u8>>>,
}

impl Read for Tee {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut seen = self.seen.borrow_mut();
        if seen.len() < 64 * 1024 {
            seen.extend_from_slice(&buf[..n]);
        }
        Ok(n)
    }
}

impl Write for Tee {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Records the request path and the policy's decision, then answers as `&OriginPolicy` does
/// as a tungstenite callback.
struct Recorder<'a> {
    policy: &'a OriginPolicy,
    seen: &'a RefCell<Option<(String, Decision)>>,
}

impl Callback for Recorder<'_> {
    fn on_request(self, request: &Request, response: Response) -> Result<Response, ErrorResponse> {
        let decision = self.policy.check(request);
        *self.seen.borrow_mut() = Some((request.uri().path().to_owned(), decision));
        self.policy.on_request(request, response)
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
    let bytes = Rc::new(RefCell::new(Vec::new()));
    let tee = Tee {
        inner: stream,
        seen: Rc::clone(&bytes),
    };
    let result = tungstenite::accept_hdr(
        tee,
        Recorder {
            policy,
            seen: &seen,
        },
    );
    let raw = {
        let bytes = bytes.borrow();
        let end = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or(bytes.len(), |i| i + 4);
        bytes[..end].to_vec()
    };
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
        raw,
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

/// The second WebSocket server: an actix-ws echo endpoint behind `OriginMiddleware`, on a
/// policy source made from the same policy, recording every handshake as `serve_ws` does.
/// actix-web hands over parsed headers, not bytes, so `raw` is the head re-serialized from
/// them (each name's lines in the order they came; only the `Origin` lines are checked).
#[cfg(feature = "actix")]
mod actix_ws {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};
    use std::thread;

    use ::actix_ws::Message;
    use actix_web::dev::Service;
    use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
    use origin_policy::adapters::actix::OriginMiddleware;
    use origin_policy::cors::Cors;
    use origin_policy::{Decision, HandshakeGuard, OriginPolicy, PolicySource};

    use super::{Board, Handshake};

    thread_local! {
        /// The case of the request the middleware is deciding: the observer runs inside the
        /// middleware's (synchronous) `call`, on the one worker's thread.
        static CASE: RefCell<String> = const { RefCell::new(String::new()) };
    }

    fn case_of(path: &str) -> String {
        path.strip_prefix("/ws/").unwrap_or("unknown").to_owned()
    }

    fn head_of(request: &actix_web::dev::RequestHead) -> Vec<u8> {
        let mut head = format!("{} {} HTTP/1.1\r\n", request.method, request.uri);
        for (name, value) in request.headers().iter() {
            head.push_str(&format!(
                "{name}: {}\r\n",
                String::from_utf8_lossy(value.as_bytes())
            ));
        }
        head.push_str("\r\n");
        head.into_bytes()
    }

    pub(super) fn serve(
        listener: TcpListener,
        policy: Arc<OriginPolicy>,
        board: Arc<Board<Handshake>>,
    ) {
        let decided: Arc<Mutex<HashMap<String, Decision>>> = Arc::default();
        let seen = Arc::clone(&decided);
        let guard = HandshakeGuard::builder_on(PolicySource::from(policy))
            .observe(move |decision| {
                if let Some(origin) = decision.origin() {
                    let case = CASE.with(|case| case.borrow().clone());
                    seen.lock().unwrap().insert(case, origin.clone());
                }
            })
            .build()
            .expect("a guard");
        let middleware = OriginMiddleware::new(Cors::new_on(guard.source().clone())).guard(guard);
        thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                HttpServer::new(move || {
                    let (board, decided) = (Arc::clone(&board), Arc::clone(&decided));
                    let (refusals, refused) = (Arc::clone(&board), Arc::clone(&decided));
                    App::new()
                        .wrap(middleware.clone())
                        // Outermost: names the case for the observer, records refusals.
                        .wrap_fn(move |request, service| {
                            let case = case_of(request.path());
                            let raw = head_of(request.head());
                            CASE.with(|current| *current.borrow_mut() = case.clone());
                            let response = service.call(request);
                            let (board, decided) = (Arc::clone(&refusals), Arc::clone(&refused));
                            async move {
                                let response = response.await?;
                                let status = response.status().as_u16();
                                if status != 101 {
                                    let decision = decided.lock().unwrap().remove(&case);
                                    board.push(
                                        &case,
                                        Handshake {
                                            decision,
                                            status,
                                            body: String::new(),
                                            received: Vec::new(),
                                            raw,
                                        },
                                    );
                                }
                                Ok(response)
                            }
                        })
                        .route(
                            "/ws/{case}",
                            web::get().to(move |request: HttpRequest, body: web::Payload| {
                                let (board, decided) = (Arc::clone(&board), Arc::clone(&decided));
                                async move { echo(request, body, board, decided) }
                            }),
                        )
                })
                .workers(1)
                .disable_signals()
                .listen(listener)
                .expect("listen")
                .run()
                .await
                .expect("serve");
            });
        });
    }

    fn echo(
        request: HttpRequest,
        body: web::Payload,
        board: Arc<Board<Handshake>>,
        decided: Arc<Mutex<HashMap<String, Decision>>>,
    ) -> actix_web::Result<HttpResponse> {
        let case = case_of(request.path());
        let raw = head_of(request.head());
        let (response, mut session, mut stream) = ::actix_ws::handle(&request, body)?;
        let decision = decided.lock().unwrap().remove(&case);
        actix_web::rt::spawn(async move {
            let mut received = Vec::new();
            while let Some(Ok(message)) = stream.recv().await {
                match message {
                    Message::Text(text) => {
                        let reply = format!("echo:{text}");
                        received.push(text.to_string());
                        if session.text(reply).await.is_err() {
                            break;
                        }
                    }
                    Message::Close(reason) => {
                        let _ = session.close(reason).await;
                        break;
                    }
                    _ => {}
                }
            }
            board.push(
                &case,
                Handshake {
                    decision,
                    status: 101,
                    body: String::new(),
                    received,
                    raw,
                },
            );
        });
        Ok(response)
    }
}

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
    /// Why a preflight was refused; `None` also when `Cors` did not see a preflight.
    denial: Option<PreflightDenial>,
    /// The request head as it arrived.
    raw: Vec<u8>,
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
                raw: request
                    .extensions()
                    .get::<RawHead>()
                    .map(|r| r.0.clone())
                    .unwrap_or_default(),
            },
        );
        answer
    })
}

// ---------------------------------------------------------------------------------------
// The pages.

/// A page running `script` with `window.__CFG = config`.
fn harness_page(title: &str, config: &serde_json::Value, script: &str) -> String {
    // `</` cannot occur in the JSON of these values; checked so that the page stays valid.
    assert!(!config.to_string().contains("</"));
    format!(
        "<!doctype html>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <script>window.__CFG = {config};</script>\n<script>\n{script}</script>\n"
    )
}

/// The HTML of a page that runs the WebSocket harness for `case`.
fn ws_page(case: &str, ports: &Ports, report_url: &str) -> String {
    let route = Route::of_case(case).unwrap_or(Route::Direct);
    let config = serde_json::json!({
        "case": case,
        "ws": format!("ws://ws.example.com:{}/ws/{case}", ports.server(route, false)),
        "report": report_url,
    });
    harness_page(case, &config, WS_PAGE_JS)
}

/// The HTML of a page that runs the CORS harness for `case` against the API server.
fn cors_page(case: &str, ports: &Ports, report_url: &str) -> String {
    let route = Route::of_case(case).unwrap_or(Route::Direct);
    let api = format!("http://api.example.com:{}", ports.server(route, true));
    let config = serde_json::json!({
        "case": case,
        "api": format!("{api}/api?case={case}"),
        "events": format!("{api}/events?case={case}"),
        "report": report_url,
    });
    harness_page(case, &config, CORS_PAGE_JS)
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

/// A page on an allowed origin whose only content is an iframe showing `inner` from a
/// `data:` URL: an opaque origin (`Origin: null`).
fn data_parent(inner: &str) -> String {
    let mut url = String::from("data:text/html;charset=utf-8,");
    for byte in inner.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            url.push(char::from(byte));
        } else {
            let _ = write!(url, "%{byte:02X}");
        }
    }
    format!(
        "<!doctype html>\n<title>data: parent</title>\n<iframe src=\"{}\"></iframe>\n",
        html_attr_escape(&url)
    )
}

/// A page on an allowed origin whose script shows `inner` in an iframe from a `blob:` URL
/// it creates: the blob's origin is the page's.
fn blob_parent(inner: &str) -> String {
    // A JSON string is a JavaScript string literal; `<\/` keeps `</script>` inside it from
    // ending the script.
    let literal = serde_json::Value::from(inner)
        .to_string()
        .replace("</", "<\\/");
    format!(
        "<!doctype html>\n<title>blob: parent</title>\n<body>\n<script>\n\
         var frame = document.createElement('iframe');\n\
         frame.src = URL.createObjectURL(new Blob([{literal}], {{ type: 'text/html' }}));\n\
         document.body.appendChild(frame);\n</script>\n"
    )
}

/// Whether `case` is a plain case name (letters, digits, `_`).
fn is_case_name(case: &str) -> bool {
    !case.is_empty() && case.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
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

/// The page server: `/case/<name>` serves the WebSocket harness, `/cors/<name>` the CORS
/// harness (for names ending in `_sandbox`, a page whose `<iframe sandbox="allow-scripts"
/// srcdoc=...>` runs it with an opaque origin), `/report` records a report. CORS pages set
/// `cookie` for `example.com`, so a credentialed request from `app.example.com` to
/// `api.example.com` (same site) carries it; the browser refuses the cookie on
/// `evil.example`.
fn page_handler(
    ports: Ports,
    report_url: String,
    cookie: String,
    reports: Arc<Board<PageReport>>,
) -> browser::Handler {
    Arc::new(move |request| {
        if let Some(answer) = record_report(request, &reports) {
            return answer;
        }
        let path = request.uri().path();
        let (case, cors) = match (path.strip_prefix("/case/"), path.strip_prefix("/cors/")) {
            (Some(case), _) => (case, false),
            (_, Some(case)) => (case, true),
            _ => return response(404, "text/plain", "not found\n"),
        };
        if !is_case_name(case) {
            return response(404, "text/plain", "not found\n");
        }
        let mut page = if cors {
            cors_page(case, &ports, &report_url)
        } else {
            ws_page(case, &ports, &report_url)
        };
        if case.ends_with("_sandbox") {
            page = sandbox_parent(&page);
        } else if case.ends_with("_data") {
            page = data_parent(&page);
        } else if case.ends_with("_blob") {
            page = blob_parent(&page);
        }
        let mut answer = response(200, "text/html; charset=utf-8", page);
        if cors {
            let set_cookie = format!("{cookie}; Domain=example.com; Path=/; SameSite=Lax");
            answer.headers_mut().insert(
                "set-cookie",
                http::HeaderValue::from_str(&set_cookie).expect("valid cookie"),
            );
        }
        answer
    })
}

// ---------------------------------------------------------------------------------------
// The matrix and its checks.

/// What a WebSocket case must end in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Handshake allowed: `open`, the echo, a clean close.
    Echo,
    /// Handshake refused with `403` for this reason: `error`, `close 1006`.
    Refused(DenyReason),
}

/// One WebSocket page of the matrix.
#[derive(Debug)]
struct Case {
    name: String,
    /// The URL the browser is given.
    url: String,
    /// `self.origin` the page must report.
    page_origin: String,
    /// The `Origin` the server must see; `None`: no `Origin` header.
    sent_origin: Option<String>,
    expect: Expect,
}

/// One CORS page of the matrix.
#[derive(Debug)]
struct CorsCase {
    name: String,
    url: String,
    page_origin: String,
    /// `None`: allowed. `Some(reason)`: the policy denies the requests for that reason.
    denied: Option<DenyReason>,
}

/// The events a page must report for `expect`.
fn expected_events(case: &str, expect: Expect) -> Vec<String> {
    match expect {
        Expect::Echo => vec![
            "open".to_owned(),
            format!("message:echo:hello {case}"),
            "close:1000:true".to_owned(),
        ],
        // A refused upgrade looks the same to JS whatever the status, in every engine:
        // error, then 1006.
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
    let name = &case.name;
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
        problems.push(format!("{name}: the callback never ran: {handshake:?}"));
        return problems;
    };
    let origins = origin_lines(&handshake.raw);
    let expected_lines: Vec<String> = case.sent_origin.iter().cloned().collect();
    if origins != expected_lines {
        problems.push(format!(
            "{name}: server saw Origin lines {origins:?}, expected {expected_lines:?}"
        ));
    }
    // The decision is the one the policy gives for that header, whatever the transport.
    let direct = match &case.sent_origin {
        Some(origin) => policy.check_value(origin.as_bytes()),
        None => policy.check_headers(&http::HeaderMap::new()),
    };
    if *decision != direct {
        problems.push(format!(
            "{name}: handshake decision {decision} differs from the policy's: {direct}"
        ));
    }
    match case.expect {
        Expect::Echo => {
            if !decision.is_allowed() {
                problems.push(format!("{name}: expected allowed, got {decision}"));
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
            if handshake.status != 403 {
                problems.push(format!("{name}: expected 403, got {handshake:?}"));
            }
            if !handshake.received.is_empty() {
                problems.push(format!("{name}: a refused socket carried messages"));
            }
        }
    }
    problems
}

/// The values of the `Origin` header lines of a request head, in order.
fn origin_lines(head: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(head)
        .split("\r\n")
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("origin")
                .then(|| value.trim().to_owned())
        })
        .collect()
}

/// The mismatches between what `case` expects and what was observed (empty when it passed).
fn check_cors_case(
    case: &CorsCase,
    report: Option<&PageReport>,
    requests: &[ApiRequest],
    cookie: &str,
) -> Vec<String> {
    let mut problems = Vec::new();
    let name = &case.name;
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
            // Without `Origin` the request is no CORS preflight for `Cors` (nor for any
            // server): it gets the API's own answer, without CORS headers.
            let refused = match reason {
                DenyReason::Missing => {
                    preflight.decision.deny_reason() == Some(reason) && preflight.denial.is_none()
                }
                _ => {
                    preflight.status == 403
                        && preflight.denial == Some(PreflightDenial::Origin(reason))
                }
            };
            if !refused || preflight.allow_origin.is_some() || preflight.allow_credentials.is_some()
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

/// The WebSocket cases of one route. The policy lists `http://app.example.com:<page>` and
/// `http://bücher.example:<page>` (stored as punycode).
fn ws_cases(route: Route, ports: &Ports, file_dir: &Path) -> Vec<Case> {
    let p = route.prefix();
    let page = ports.page;
    let allowed = format!("http://app.example.com:{page}");
    let idn = format!("http://xn--bcher-kva.example:{page}");
    let evil = format!("http://evil.example:{page}");
    let other = format!("http://app.example.com:{}", ports.other);
    let file_page = file_dir.join(format!("{p}_file.html"));
    let case = |name: &str, url: String, origin: &str, expect: Expect| {
        let (sent_origin, expect) = match route {
            // Behind the nginx that drops Origin, every handshake is refused as missing.
            Route::Dropped => (None, Expect::Refused(DenyReason::Missing)),
            _ => (Some(origin.to_owned()), expect),
        };
        Case {
            name: format!("{p}_{name}"),
            url,
            page_origin: origin.to_owned(),
            sent_origin,
            expect,
        }
    };
    let mut cases = vec![
        case(
            "app",
            format!("{allowed}/case/{p}_app"),
            &allowed,
            Expect::Echo,
        ),
        // Every engine lower-cases the host: the origin is the allowed one.
        case(
            "upper",
            format!("http://APP.EXAMPLE.COM:{page}/case/{p}_upper"),
            &allowed,
            Expect::Echo,
        ),
        // The page is given in Unicode; origin and Host are punycode on the wire.
        case(
            "idn",
            format!("http://bücher.example:{page}/case/{p}_idn"),
            &idn,
            Expect::Echo,
        ),
        // A trailing dot is kept: another origin (cross-site for cookies too).
        case(
            "dot",
            format!("http://app.example.com.:{page}/case/{p}_dot"),
            &format!("http://app.example.com.:{page}"),
            Expect::Refused(DenyReason::NotAllowed),
        ),
        case(
            "evil",
            format!("{evil}/case/{p}_evil"),
            &evil,
            Expect::Refused(DenyReason::NotAllowed),
        ),
        // Same host, another port: another origin.
        case(
            "other_port",
            format!("{other}/case/{p}_other_port"),
            &other,
            Expect::Refused(DenyReason::NotAllowed),
        ),
        // An allowed page's sandboxed iframe runs with an opaque origin: `Origin: null`.
        case(
            "sandbox",
            format!("{allowed}/case/{p}_sandbox"),
            "null",
            Expect::Refused(DenyReason::Null),
        ),
        case(
            "file",
            format!("file://{}", file_page.display()),
            "null",
            Expect::Refused(DenyReason::Null),
        ),
    ];
    if route == Route::Direct || route.is_actix() {
        // Frames of the allowed page: a `data:` document is opaque (`null`), a `blob:`
        // document has the origin of the page that made the blob.
        cases.push(case(
            "data",
            format!("{allowed}/case/{p}_data"),
            "null",
            Expect::Refused(DenyReason::Null),
        ));
        cases.push(case(
            "blob",
            format!("{allowed}/case/{p}_blob"),
            &allowed,
            Expect::Echo,
        ));
    }
    cases
}

/// The CORS cases of one route: an allowed and a refused page everywhere, and a sandboxed
/// iframe (`null`) directly.
fn cors_cases(route: Route, ports: &Ports) -> Vec<CorsCase> {
    // The actix-web server is a second WebSocket server only.
    if route.is_actix() {
        return Vec::new();
    }
    let p = route.prefix();
    let allowed = format!("http://app.example.com:{}", ports.page);
    let evil = format!("http://evil.example:{}", ports.page);
    let case = |name: &str, url: String, origin: &str, denied: Option<DenyReason>| CorsCase {
        name: format!("cors_{p}_{name}"),
        url,
        page_origin: origin.to_owned(),
        denied: match route {
            Route::Dropped => Some(DenyReason::Missing),
            _ => denied,
        },
    };
    let mut cases = vec![
        case(
            "app",
            format!("{allowed}/cors/cors_{p}_app"),
            &allowed,
            None,
        ),
        case(
            "evil",
            format!("{evil}/cors/cors_{p}_evil"),
            &evil,
            Some(DenyReason::NotAllowed),
        ),
    ];
    if route == Route::Direct {
        cases.push(case(
            "sandbox",
            format!("{allowed}/cors/cors_{p}_sandbox"),
            "null",
            Some(DenyReason::Null),
        ));
    }
    cases
}

/// Writes the raw bytes of every direct request to `<dir>/<engine>/<case>/` (see the
/// module docs).
fn write_captures(
    dir: &Path,
    engine: Engine,
    handshakes: &Board<Handshake>,
    api: &Board<ApiRequest>,
    ws: &[Case],
    cors: &[CorsCase],
) {
    let base = dir.join(engine.name());
    let write = |case: &str, file: &str, bytes: &[u8]| {
        let folder = base.join(case);
        std::fs::create_dir_all(&folder).expect("capture folder");
        std::fs::write(folder.join(file), bytes).expect("write capture");
    };
    for case in ws.iter().filter(|c| c.name.starts_with("direct_")) {
        if let [handshake] = handshakes.get(&case.name).as_slice() {
            write(&case.name["direct_".len()..], "ws.http", &handshake.raw);
        }
    }
    for case in cors.iter().filter(|c| c.name.starts_with("cors_direct_")) {
        let folder = format!("cors_{}", &case.name["cors_direct_".len()..]);
        for request in api.get(&case.name) {
            let file = match (request.method.as_str(), request.path.as_str()) {
                ("OPTIONS", _) => "preflight.http",
                ("GET", "/api") => "fetch.http",
                ("GET", "/events") => "events.http",
                _ => continue,
            };
            write(&folder, file, &request.raw);
        }
    }
}

/// The whole matrix in one engine.
fn run_matrix(engine: Engine) {
    let test = format!("{engine}_origin_matrix");
    let Some(programs) = engine.programs_or_skip(&test) else {
        return;
    };
    let Some(nginx_binary) = program_or_skip(&test, "NGINX", &["/usr/sbin/nginx"]) else {
        return;
    };
    let capture_dir = std::env::var_os("ORIGIN_POLICY_CAPTURE_DIR").map(PathBuf::from);
    // Captures use fixed ports (those of the Chromium capture run, and two more), so one
    // engine per test process (the listeners live until the process exits).
    let bind = |fixed: u16| match capture_dir {
        Some(_) => {
            let listener = TcpListener::bind(("127.0.0.1", fixed))
                .unwrap_or_else(|err| panic!("capture: cannot bind 127.0.0.1:{fixed}: {err}"));
            (listener, fixed)
        }
        None => bind_loopback(),
    };
    let started = Instant::now();

    let reports: Arc<Board<PageReport>> = Board::new();
    let handshakes: Arc<Board<Handshake>> = Board::new();
    let api_seen: Arc<Board<ApiRequest>> = Board::new();

    // All ports first: the pages need the servers' ports, the policy the page port.
    let (page_listener, page) = bind(8081);
    let (ws_listener, ws) = bind(8082);
    let (other_listener, other) = bind(8083);
    let (api_listener, api) = bind(8084);
    #[cfg(feature = "actix")]
    let (actix_listener, actix) = bind(8085);
    let nginx = Nginx::start(&nginx_binary, ws, api)
        .unwrap_or_else(|err| panic!("{test}: cannot start nginx: {err}"));
    let ports = Ports {
        page,
        other,
        ws,
        api,
        #[cfg(feature = "actix")]
        actix,
        nginx_forwarding: nginx.forwarding_port,
        nginx_dropping: nginx.dropping_port,
    };
    let report_url = format!("http://127.0.0.1:{page}/report");
    let cookie = format!(
        "sid={}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    );

    let policy: OriginPolicy =
        format!("http://app.example.com:{page}, http://bücher.example:{page}")
            .parse()
            .expect("valid policy");
    let cors = Cors::builder(policy.clone())
        .allow_headers(["x-custom"])
        .allow_credentials()
        .build()
        .expect("valid CORS configuration");
    let policy = Arc::new(policy);
    serve_ws(ws_listener, Arc::clone(&policy), Arc::clone(&handshakes));
    #[cfg(feature = "actix")]
    actix_ws::serve(actix_listener, Arc::clone(&policy), Arc::clone(&handshakes));
    serve_http(
        api_listener,
        api_handler(Arc::new(cors), Arc::clone(&api_seen)),
    );
    let handler = page_handler(
        ports,
        report_url.clone(),
        cookie.clone(),
        Arc::clone(&reports),
    );
    serve_http(page_listener, Arc::clone(&handler));
    serve_http(other_listener, handler);

    // The file:// pages: the same harness, written to a temporary directory.
    let file_dir = TempDir::new("file-pages");
    let mut ws_matrix = Vec::new();
    let mut cors_matrix = Vec::new();
    for &route in Route::ALL {
        let cases = ws_cases(route, &ports, file_dir.path());
        for case in cases.iter().filter(|c| c.url.starts_with("file:")) {
            let path = PathBuf::from(&case.url["file://".len()..]);
            std::fs::write(&path, ws_page(&case.name, &ports, &report_url))
                .expect("write the file:// page");
        }
        ws_matrix.extend(cases);
        cors_matrix.extend(cors_cases(route, &ports));
    }

    let mut browser: Box<dyn Browser> = engine
        .launch(&programs)
        .unwrap_or_else(|err| panic!("{test}: cannot start {engine}: {err}"));
    let launched = started.elapsed();
    let mut problems = Vec::new();
    let urls = ws_matrix
        .iter()
        .map(|c| (&c.name, &c.url))
        .chain(cors_matrix.iter().map(|c| (&c.name, &c.url)));
    for (name, url) in urls {
        if let Err(err) = browser.open(url) {
            problems.push(format!("{name}: cannot open {url}: {err}"));
        }
    }

    let names: Vec<&str> = ws_matrix
        .iter()
        .map(|c| c.name.as_str())
        .chain(cors_matrix.iter().map(|c| c.name.as_str()))
        .collect();
    let ws_names: Vec<&str> = ws_matrix.iter().map(|c| c.name.as_str()).collect();
    let deadline = Instant::now() + REPORT_DEADLINE;
    let mut missing = reports.wait_for(&names, deadline, || browser.gone());
    // A refused handshake is recorded before the page sees `close`; an accepted one when the
    // socket ends, which may be just after the page's report. The API records each request
    // before answering it.
    missing.extend(
        handshakes
            .wait_for(&ws_names, deadline, || browser.gone())
            .into_iter()
            .map(|case| format!("{case} (server)")),
    );
    let elapsed = started.elapsed();
    problems.extend(
        missing
            .iter()
            .map(|case| format!("{case}: nothing within {REPORT_DEADLINE:?}")),
    );

    let mut table = format!(
        "{engine} ({}; {}): {} WebSocket and {} CORS pages in {elapsed:.1?} (browser up in {launched:.1?})\n",
        browser.version(),
        Nginx::version(&nginx_binary),
        ws_matrix.len(),
        cors_matrix.len()
    );
    for case in &ws_matrix {
        let report = reports.get(&case.name).into_iter().next();
        let seen = handshakes.get(&case.name);
        let _ = writeln!(
            table,
            "  {:<18} {:<24} | JS: {} | server: {}",
            case.name,
            format!("{:?}", case.expect),
            summary(report.as_ref()),
            server_summary(&seen)
        );
        problems.extend(check_case(case, report.as_ref(), &seen, &policy));
    }
    for case in &cors_matrix {
        let report = reports.get(&case.name).into_iter().next();
        let seen = api_seen.get(&case.name);
        let _ = writeln!(
            table,
            "  {:<18} {:<24} | JS: {} | API: {}",
            case.name,
            case.denied
                .map_or_else(|| "allowed".to_owned(), |r| format!("denied {r:?}")),
            summary(report.as_ref()),
            api_summary(&seen)
        );
        problems.extend(check_cors_case(case, report.as_ref(), &seen, &cookie));
    }
    // Where the browser reports statuses itself, it saw what the server answered.
    if let Some(statuses) = browser.response_statuses() {
        let mut seen = 0;
        for case in &ws_matrix {
            let suffix = format!("/ws/{}", case.name);
            let got: Vec<u16> = statuses
                .iter()
                .filter(|(url, _)| url.ends_with(&suffix))
                .map(|(_, status)| *status)
                .collect();
            let expected = match case.expect {
                Expect::Echo => 101,
                Expect::Refused(_) => 403,
            };
            if got != [expected] {
                problems.push(format!(
                    "{}: the browser reported handshake statuses {got:?}, expected [{expected}]",
                    case.name
                ));
            }
            seen += got.len();
        }
        let _ = writeln!(
            table,
            "  the browser itself reported the status of {seen} handshakes, each as the server answered"
        );
    }
    // Connections that named no known case (none are expected).
    for stray in handshakes.get("unknown") {
        problems.push(format!(
            "a handshake without a recorded decision: {stray:?}"
        ));
    }
    println!("{table}");
    if let Some(dir) = &capture_dir {
        write_captures(
            dir,
            engine,
            &handshakes,
            &api_seen,
            &ws_matrix,
            &cors_matrix,
        );
        let notes = browser.notes();
        if !notes.is_empty() {
            let text = format!("{}\n", notes.join("\n"));
            std::fs::write(dir.join(engine.name()).join("notes.txt"), text).expect("write notes");
        }
        println!("{engine}: captures written to {}", dir.display());
    }
    let diagnostics = if problems.is_empty() {
        String::new()
    } else {
        browser.diagnostics()
    };
    drop(browser);
    drop(nginx);
    assert!(
        problems.is_empty(),
        "{engine} end-to-end mismatches:\n  {}\n{table}\n{diagnostics}",
        problems.join("\n  "),
    );
}

/// The matrix in headless Chromium.
#[test]
fn chromium_origin_matrix() {
    run_matrix(Engine::Chromium);
}

/// The matrix in headless Firefox ESR.
#[test]
fn firefox_origin_matrix() {
    run_matrix(Engine::Firefox);
}

/// The matrix in WebKitGTK's MiniBrowser.
#[test]
fn webkit_origin_matrix() {
    run_matrix(Engine::WebKit);
}
