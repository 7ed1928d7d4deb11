//! One pipeline for every transport: the same decision table of handshakes runs through
//! plain `http` (`HandshakeGuard::evaluate`), tungstenite, tokio-tungstenite, the tower
//! layer over HTTP/1.1 and HTTP/2 and (feature `actix`) the actix-web middleware over
//! HTTP/1.1 and HTTP/2 (real loopback sockets), in enforce and report-only mode,
//! with a fixed and a reloading policy source, and every entry point must give the same
//! answer. Then: a reload under load through the layer and the guard, and the layer's own
//! rules (open rules, upgrade headers on plain routes, empty headers on writes, a panicking
//! observer, where it stacks).
#![cfg(all(feature = "tungstenite", feature = "tower", feature = "reload"))]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::Extension;
use axum::routing::{any, get};
use axum::Router;
use http::StatusCode;
use origin_policy::cors::Cors;
use origin_policy::guard::auth::{AuthError, StaticTokens, TokenSource};
use origin_policy::guard::{GuardDecision, GuardOutcome, HandshakeGuard, RequestKind};
use origin_policy::layer::OriginLayer;
use origin_policy::{OriginPolicy, PolicySource, RawHead, SharedPolicy};

#[cfg(feature = "actix")]
use crate::actix_common;
use crate::cors_common::{self, send_h1, H2};
use crate::guard_common::{handshake_with_version, SyncServer};
#[cfg(feature = "actix")]
use origin_policy::adapters::actix::OriginMiddleware;

const POLICY: &str = "https://app.example.com, https://*.tenant.example.com";
const TOKEN: &str = "t0k3n-alice";

/// What a handshake gets: switched (`101`, or `200` to an HTTP/2 extended CONNECT), or
/// refused with a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Switched,
    Refused(u16),
}
use Answer::{Refused, Switched};

/// One row: a name, the header lines after the upgrade headers, the `Sec-WebSocket-Version`,
/// and the answer when enforcing and in report-only mode.
struct Row {
    name: &'static str,
    lines: &'static [&'static str],
    version: &'static str,
    enforce: Answer,
    report_only: Answer,
}

const GOOD: &str = "Authorization: Bearer t0k3n-alice";
const CHAT: &str = "Sec-WebSocket-Protocol: chat";

const ROWS: &[Row] = &[
    Row {
        name: "allowed",
        lines: &["Origin: https://app.example.com", CHAT, GOOD],
        version: "13",
        enforce: Switched,
        report_only: Switched,
    },
    Row {
        name: "other spelling",
        lines: &["Origin: HTTPS://App.Example.COM:443", CHAT, GOOD],
        version: "13",
        enforce: Switched,
        report_only: Switched,
    },
    Row {
        name: "wildcard",
        lines: &["Origin: https://acme.tenant.example.com", CHAT, GOOD],
        version: "13",
        enforce: Switched,
        report_only: Switched,
    },
    Row {
        name: "cross-site",
        lines: &["Origin: https://evil.example", CHAT, GOOD],
        version: "13",
        enforce: Refused(403),
        report_only: Switched,
    },
    Row {
        name: "wildcard base",
        lines: &["Origin: https://tenant.example.com", CHAT, GOOD],
        version: "13",
        enforce: Refused(403),
        report_only: Switched,
    },
    Row {
        name: "null",
        lines: &["Origin: null", CHAT, GOOD],
        version: "13",
        enforce: Refused(403),
        report_only: Switched,
    },
    Row {
        name: "two Origin lines",
        lines: &[
            "Origin: https://app.example.com",
            "Origin: https://app.example.com",
            CHAT,
            GOOD,
        ],
        version: "13",
        enforce: Refused(403),
        report_only: Switched,
    },
    Row {
        name: "a list",
        lines: &[
            "Origin: https://app.example.com, https://evil.example",
            CHAT,
            GOOD,
        ],
        version: "13",
        enforce: Refused(403),
        report_only: Switched,
    },
    Row {
        name: "missing",
        lines: &[CHAT, GOOD],
        version: "13",
        enforce: Refused(403),
        report_only: Switched,
    },
    Row {
        name: "malformed",
        lines: &["Origin: https://app.example.com/", CHAT, GOOD],
        version: "13",
        enforce: Refused(403),
        report_only: Switched,
    },
    Row {
        name: "unknown subprotocol",
        lines: &[
            "Origin: https://app.example.com",
            "Sec-WebSocket-Protocol: mqtt",
            GOOD,
        ],
        version: "13",
        enforce: Refused(400),
        report_only: Switched,
    },
    Row {
        name: "wrong token",
        lines: &[
            "Origin: https://app.example.com",
            CHAT,
            "Authorization: Bearer t0k3n-eve",
        ],
        version: "13",
        enforce: Refused(401),
        report_only: Refused(401),
    },
    Row {
        name: "cross-site, no token",
        lines: &["Origin: https://evil.example", CHAT],
        version: "13",
        enforce: Refused(403),
        report_only: Refused(401),
    },
    Row {
        name: "version 8",
        lines: &["Origin: https://app.example.com", CHAT, GOOD],
        version: "8",
        enforce: Refused(426),
        report_only: Refused(426),
    },
];

impl Row {
    fn expected(&self, report_only: bool) -> Answer {
        if report_only {
            self.report_only
        } else {
            self.enforce
        }
    }

    fn headers(&self) -> Vec<(&'static str, &'static str)> {
        let mut headers = vec![("sec-websocket-version", self.version)];
        headers.extend(self.lines.iter().map(|line| {
            let (name, value) = line.split_once(": ").expect("Name: value");
            (name, value)
        }));
        headers
    }
}

/// Every decision the observer saw, as (kind, status).
type Seen = Arc<Mutex<Vec<(RequestKind, u16)>>>;

fn guard(source: PolicySource, report_only: bool, seen: &Seen) -> HandshakeGuard<&'static str> {
    let tokens = StaticTokens::new([(TOKEN, "alice")]).unwrap();
    let sink = Arc::clone(seen);
    let mut builder = HandshakeGuard::builder_on(source)
        .subprotocols(["chat"])
        .authenticate_token(TokenSource::bearer(), move |token| tokens.verify(token))
        .observe(move |d: &GuardDecision| {
            sink.lock().unwrap().push((d.kind(), d.status().as_u16()))
        });
    if report_only {
        builder = builder.report_only();
    }
    builder.build().unwrap()
}

fn sources() -> [(&'static str, PolicySource); 2] {
    let policy: OriginPolicy = POLICY.parse().unwrap();
    [
        ("fixed", PolicySource::from(policy.clone())),
        ("reloading", PolicySource::from(SharedPolicy::new(policy))),
    ]
}

/// Writes a raw handshake (`Sec-WebSocket-Version: version`, then `lines`) and reads the
/// response head; the status, or `None` when the server closed without answering.
fn status_of(addr: SocketAddr, version: &str, lines: &[&str]) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(&handshake_with_version("/ws", Some(version), lines))
        .expect("write");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    let line = String::from_utf8_lossy(&head);
    line.split(' ').nth(1).and_then(|code| code.parse().ok())
}

/// [`status_of`] for a row of the table.
fn raw_status(addr: SocketAddr, row: &Row) -> Option<u16> {
    status_of(addr, row.version, row.lines)
}

/// [`status_of`] for a version-13 handshake.
fn handshake_status(addr: SocketAddr, lines: &[&str]) -> Option<u16> {
    status_of(addr, "13", lines)
}

fn answer(status: u16, switch: u16) -> Answer {
    if status == switch {
        Switched
    } else {
        Refused(status)
    }
}

/// The layer's router: `/ws` upgrades (and reports the guard's identity in a header of the
/// 101), `/api` answers anything.
fn router(layer: OriginLayer<&'static str>) -> Router {
    Router::new()
        .route(
            "/ws",
            any(
                |ws: WebSocketUpgrade,
                 Extension(outcome): Extension<GuardOutcome<&'static str>>| async move {
                    let user = outcome.identity.unwrap_or("nobody");
                    let mut response = ws.on_upgrade(|_socket| async {});
                    response
                        .headers_mut()
                        .insert("x-identity", user.parse().unwrap());
                    response
                },
            ),
        )
        .route("/api", any(|| async { "api" }))
        .layer(layer)
}

/// The entry points that run every row: plain `http`, the layer over HTTP/1.1 and HTTP/2,
/// and (feature `actix`) the actix-web middleware over HTTP/1.1 and HTTP/2.
const HTTP_ENTRY_POINTS: usize = if cfg!(feature = "actix") { 5 } else { 3 };
/// The HTTP/2 clients' warm-up requests, each reported as a `Request`.
const H2_WARM_UPS: usize = if cfg!(feature = "actix") { 2 } else { 1 };

/// Sends every row over one HTTP/2 connection to `addr` as `request` makes it; a `2xx` is a
/// switch. A switched row (that enforcing switches too) must carry the guard's identity and
/// subprotocol. Returns the number of rows checked.
async fn h2_rows(
    addr: SocketAddr,
    report_only: bool,
    label: &str,
    request: impl Fn(&Row) -> http::Request<http_body_util::Full<axum::body::Bytes>>,
) -> usize {
    let mut h2 = H2::connect(addr).await;
    for row in ROWS {
        let reply = h2.send(request(row)).await;
        let got = answer(reply.status.as_u16(), 200);
        assert_eq!(got, row.expected(report_only), "{label}: {}", row.name);
        // (A report-only subprotocol failure switches without one.)
        if got == Switched && row.enforce == Switched {
            assert_eq!(reply.header("x-identity"), Some("alice"), "{}", row.name);
            assert_eq!(
                reply.header("sec-websocket-protocol"),
                Some("chat"),
                "{}",
                row.name
            );
        }
    }
    ROWS.len()
}

#[test]
fn one_table_through_every_entry_point() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut checked = 0;
    for (source_name, source) in sources() {
        for report_only in [false, true] {
            let mode = if report_only {
                "report-only"
            } else {
                "enforce"
            };
            let seen: Seen = Arc::default();
            let guard = guard(source.clone(), report_only, &seen);

            // Plain http.
            for row in ROWS {
                let mut request = http::Request::get("/ws");
                for (name, value) in row.headers() {
                    request = request.header(name, value);
                }
                let request = request.body(()).unwrap();
                let outcome = guard.evaluate(&request);
                let got = answer(outcome.decision.status().as_u16(), 101);
                assert_eq!(
                    got,
                    row.expected(report_only),
                    "http {source_name} {mode}: {}",
                    row.name
                );
                if got == Switched {
                    assert_eq!(outcome.identity, Some("alice"), "{}", row.name);
                }
                checked += 1;
            }

            // tungstenite (a blocking server) and tokio-tungstenite. tungstenite refuses another
            // version itself, before any callback, without an answer.
            let tungstenite_rows: Vec<&Row> = ROWS.iter().filter(|r| r.version == "13").collect();
            let server = SyncServer::spawn(guard.clone(), tungstenite_rows.len());
            for row in &tungstenite_rows {
                let got = answer(raw_status(server.addr, row).expect("an answer"), 101);
                assert_eq!(
                    got,
                    row.expected(report_only),
                    "tungstenite {source_name} {mode}: {}",
                    row.name
                );
                let handled = server.next();
                assert_eq!(handled.accepted, got == Switched, "{}", row.name);
                checked += 1;
            }
            let addr = runtime.block_on(async {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let guard = guard.clone();
                tokio::spawn(async move {
                    loop {
                        let Ok((stream, _)) = listener.accept().await else {
                            return;
                        };
                        let guard = guard.clone();
                        tokio::spawn(async move {
                            let mut slot = None;
                            let _ = tokio_tungstenite::accept_hdr_async(
                                stream,
                                guard.callback(&mut slot),
                            )
                            .await;
                        });
                    }
                });
                addr
            });
            for row in &tungstenite_rows {
                let got = answer(raw_status(addr, row).expect("an answer"), 101);
                assert_eq!(
                    got,
                    row.expected(report_only),
                    "tokio-tungstenite {source_name} {mode}: {}",
                    row.name
                );
                checked += 1;
            }

            // The tower layer, HTTP/1.1 and HTTP/2 (extended CONNECT), with the same guard.
            let cors = Cors::builder_on(source.clone())
                .allow_credentials()
                .build()
                .unwrap();
            let layer = OriginLayer::new(cors).guard(guard.clone());
            let addr = runtime.block_on(cors_common::serve(router(layer)));
            for row in ROWS {
                let got = answer(raw_status(addr, row).expect("an answer"), 101);
                assert_eq!(
                    got,
                    row.expected(report_only),
                    "layer h1 {source_name} {mode}: {}",
                    row.name
                );
                checked += 1;
            }
            checked += runtime.block_on(h2_rows(
                addr,
                report_only,
                &format!("layer h2 {source_name} {mode}"),
                |row| {
                    let mut request = cors_common::request("CONNECT", "/ws", &row.headers());
                    request
                        .extensions_mut()
                        .insert(hyper::ext::Protocol::from_static("websocket"));
                    request
                },
            ));

            // The actix-web middleware, HTTP/1.1 (actix-ws) and HTTP/2 (a `CONNECT`, checked
            // as a possible WebSocket; actix-web has no RFC 8441, so the handler answers 200).
            #[cfg(feature = "actix")]
            {
                let cors = Cors::builder_on(source.clone())
                    .allow_credentials()
                    .build()
                    .unwrap();
                let middleware = OriginMiddleware::new(cors).guard(guard.clone());
                let calls = actix_common::Calls::default();
                let addr =
                    actix_common::serve(middleware, actix_common::routes::<&'static str>(&calls));
                let mut handled = 0;
                for row in ROWS {
                    let got = answer(raw_status(addr, row).expect("an answer"), 101);
                    assert_eq!(
                        got,
                        row.expected(report_only),
                        "actix h1 {source_name} {mode}: {}",
                        row.name
                    );
                    handled += usize::from(got == Switched);
                    assert_eq!(calls.ws(), handled, "the handler ran only when switched");
                    checked += 1;
                }
                let label = format!("actix h2 {source_name} {mode}");
                checked += runtime.block_on(h2_rows(addr, report_only, &label, |row| {
                    let mut request = cors_common::request("CONNECT", "/", &row.headers());
                    *request.uri_mut() = addr.to_string().parse().unwrap();
                    request
                }));
            }

            // The observer saw every handshake the guard decided, with the status sent
            // (tungstenite's own version refusals never reach it), and the HTTP/2 client's
            // warm-up request as a `Request`.
            let seen = seen.lock().unwrap();
            let handshakes = seen
                .iter()
                .filter(|(kind, _)| *kind == RequestKind::Handshake);
            let expected = ROWS.len() * HTTP_ENTRY_POINTS + tungstenite_rows.len() * 2;
            assert_eq!(handshakes.count(), expected, "{source_name} {mode}");
            assert_eq!(seen.len(), expected + H2_WARM_UPS, "{seen:?}");
        }
    }
    assert_eq!(
        checked,
        2 * 2 * (ROWS.len() * HTTP_ENTRY_POINTS + (ROWS.len() - 1) * 2)
    );
}

/// Swaps the policy while clients hammer the layer and a tungstenite server: every answer is
/// one of the policies', and once `store` returns, the next request sees the new policy.
#[test]
fn reload_under_load_is_never_torn_or_stale() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let origin = |k: usize| format!("https://v{k}.example");
    let policy = |k: usize| -> OriginPolicy { origin(k).parse().unwrap() };
    let shared = SharedPolicy::new(policy(0));
    let seen: Seen = Arc::default();
    let guard = guard(PolicySource::from(&shared), false, &seen);
    let layer = OriginLayer::new(Cors::new_on(&shared)).guard(guard.clone());
    let addr = runtime.block_on(cors_common::serve(router(layer)));
    const SWAPS: usize = 40;
    let server = SyncServer::spawn(guard.clone(), 2 * SWAPS);

    // Background load on the layer: whatever the current policy, each answer is a 101 for
    // the origin it allows or a 403.
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let load: Vec<_> = (0..2)
        .map(|_| {
            let (stop, answered) = (Arc::clone(&stop), Arc::clone(&answered));
            std::thread::spawn(move || {
                let mut k = 0;
                while !stop.load(Ordering::Relaxed) {
                    k = (k + 1) % (SWAPS + 1);
                    let line = format!("Origin: https://v{k}.example");
                    let status = handshake_status(addr, &[&line, CHAT, GOOD]).expect("an answer");
                    assert!(status == 101 || status == 403, "{status}");
                    answered.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();

    for k in 1..=SWAPS {
        shared.store(policy(k));
        let fresh = format!("Origin: {}", origin(k));
        let stale = format!("Origin: {}", origin(k - 1));
        let row = |line: &str| [line.to_owned(), CHAT.to_owned(), GOOD.to_owned()];
        let status = |addr, line: &str| {
            let lines = row(line);
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            handshake_status(addr, &lines)
        };
        assert_eq!(status(addr, &fresh), Some(101), "layer, policy {k}");
        assert_eq!(status(addr, &stale), Some(403), "layer, policy {k}");
        assert_eq!(
            status(server.addr, &fresh),
            Some(101),
            "tungstenite, policy {k}"
        );
        assert_eq!(
            status(server.addr, &stale),
            Some(403),
            "tungstenite, policy {k}"
        );
    }
    stop.store(true, Ordering::Relaxed);
    for thread in load {
        thread.join().expect("no load thread failed");
    }
    assert!(answered.load(Ordering::Relaxed) > 0);
}

/// Issue 15, item 3: a policy that allows `null` or any origin serves CORS reads, but never
/// opens upgrades or cross-origin writes unless the layer's loud opt-in says so.
#[test]
fn open_rules_do_not_open_upgrades_or_writes() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for policy in [
        OriginPolicy::builder()
            .allow("https://app.example.com")
            .allow_null_origin()
            .build()
            .unwrap(),
        OriginPolicy::builder()
            .allow_any_origin_dangerously()
            .build()
            .unwrap(),
    ] {
        let origin = if policy.allows_any_origin() {
            "https://evil.example"
        } else {
            "null"
        };
        for opted_in in [false, true] {
            let mut layer = OriginLayer::new(Cors::new(policy.clone())).block_cross_origin_writes();
            if opted_in {
                layer = layer.allow_open_origins_for_upgrades_and_writes_dangerously();
            }
            let addr = runtime.block_on(cors_common::serve(router(
                layer.guard(
                    HandshakeGuard::builder(policy.clone())
                        .authenticate(|_| Ok::<_, AuthError>("anyone"))
                        .build()
                        .unwrap(),
                ),
            )));
            let upgrade = handshake_status(addr, &[&format!("Origin: {origin}")]);
            runtime.block_on(async {
                let read = send_h1(addr, "GET", "/api", &[("origin", origin)]).await;
                let write = send_h1(
                    addr,
                    "POST",
                    "/api",
                    &[("origin", origin), ("sec-fetch-site", "cross-site")],
                )
                .await;
                // The read gets CORS either way.
                assert_eq!(read.status, StatusCode::OK);
                assert!(
                    read.header("access-control-allow-origin").is_some(),
                    "{origin}"
                );
                if opted_in {
                    assert_eq!(upgrade, Some(101), "{origin}");
                    assert_eq!(write.status, StatusCode::OK, "{origin}");
                } else {
                    assert_eq!(upgrade, Some(403), "{origin}");
                    assert_eq!(write.status, StatusCode::FORBIDDEN, "{origin}");
                }
            });
        }
    }
}

/// Issue 15, item 2: `Upgrade: websocket` on a plain route that does not switch protocols
/// gets the CORS headers and `Vary: Origin` of an ordinary response.
#[test]
fn an_upgrade_header_on_a_plain_route_gets_cors() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let cors = Cors::builder(POLICY.parse().unwrap())
        .allow_credentials()
        .build()
        .unwrap();
    let layer = OriginLayer::new(cors);
    let app = Router::new()
        .route("/data", get(|| async { "data" }))
        .layer(layer);
    let addr = runtime.block_on(cors_common::serve(app));
    runtime.block_on(async {
        let reply = send_h1(
            addr,
            "GET",
            "/data",
            &[
                ("origin", "https://app.example.com"),
                ("upgrade", "websocket"),
                ("connection", "upgrade"),
                ("sec-websocket-version", "13"),
            ],
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(
            reply.header("access-control-allow-origin"),
            Some("https://app.example.com")
        );
        assert_eq!(
            reply.header("access-control-allow-credentials"),
            Some("true")
        );
        assert_eq!(reply.vary(), ["origin"]);
    });
}

/// Issue 15, item 5: an empty `Origin` or `Sec-Fetch-Site` on a write counts as absent, as
/// in Go and tower-http; on an upgrade an empty `Origin` is malformed.
#[test]
fn empty_headers_on_writes_count_as_absent() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let layer =
        OriginLayer::new(POLICY.parse::<OriginPolicy>().unwrap()).block_cross_origin_writes();
    let addr = runtime.block_on(cors_common::serve(router(
        layer.guard(
            HandshakeGuard::builder(POLICY.parse().unwrap())
                .authenticate(|_| Ok::<_, AuthError>("anyone"))
                .build()
                .unwrap(),
        ),
    )));
    runtime.block_on(async {
        let cases: &[(&[(&str, &str)], StatusCode)] = &[
            (&[("origin", "")], StatusCode::OK),
            (&[("origin", ""), ("sec-fetch-site", "")], StatusCode::OK),
            (
                &[("sec-fetch-site", ""), ("origin", "https://evil.example")],
                StatusCode::FORBIDDEN,
            ),
            (
                &[
                    ("sec-fetch-site", ""),
                    ("origin", "https://app.example.com"),
                ],
                StatusCode::OK,
            ),
            (
                &[("sec-fetch-site", "cross-site"), ("origin", "")],
                StatusCode::FORBIDDEN,
            ),
        ];
        for (headers, status) in cases {
            let reply = send_h1(addr, "POST", "/api", headers).await;
            assert_eq!(reply.status, *status, "{headers:?}");
        }
    });
    assert_eq!(handshake_status(addr, &["Origin: "]), Some(403));
}

/// An observer that panics does not turn a deny into an allow (or an allow into a deny), on
/// the guard's own path and in the layer.
#[test]
fn a_panicking_observer_changes_no_decision() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let guard = HandshakeGuard::builder(POLICY.parse().unwrap())
        .observe(|_| panic!("the observer fails"))
        .build()
        .unwrap();
    let request = |origin: &str| {
        http::Request::get("/ws")
            .header("origin", origin)
            .header("sec-websocket-version", "13")
            .body(())
            .unwrap()
    };
    assert_eq!(
        guard
            .evaluate(&request("https://evil.example"))
            .decision
            .status(),
        403
    );
    assert_eq!(
        guard
            .evaluate(&request("https://app.example.com"))
            .decision
            .status(),
        101
    );

    let layer = OriginLayer::new(POLICY.parse::<OriginPolicy>().unwrap())
        .block_cross_origin_writes()
        .guard(guard.clone());
    let addr = runtime.block_on(cors_common::serve(
        Router::new()
            .route("/api", any(|| async { "api" }))
            .layer(layer),
    ));
    runtime.block_on(async {
        let denied = send_h1(addr, "POST", "/api", &[("origin", "https://evil.example")]).await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN);
        let allowed = send_h1(
            addr,
            "POST",
            "/api",
            &[("origin", "https://app.example.com")],
        )
        .await;
        assert_eq!(allowed.status, StatusCode::OK);
    });
    let server = SyncServer::spawn(guard, 1);
    assert_eq!(
        handshake_status(server.addr, &["Origin: https://evil.example"]),
        Some(403)
    );
}

/// The layer reports every decision to the guard's observer: handshakes, preflights and
/// other requests, each with its kind; report-only lets a cross-origin write through.
#[test]
fn the_layer_reports_every_decision() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let seen: Seen = Arc::default();
    let source = PolicySource::from(POLICY.parse::<OriginPolicy>().unwrap());
    let layer = OriginLayer::new(
        Cors::builder_on(source.clone())
            .allow_methods([http::Method::PUT])
            .build()
            .unwrap(),
    )
    .block_cross_origin_writes()
    .guard(guard(source, true, &seen));
    let addr = runtime.block_on(cors_common::serve(router(layer)));
    runtime.block_on(async {
        let preflight = send_h1(
            addr,
            "OPTIONS",
            "/api",
            &[
                ("origin", "https://app.example.com"),
                ("access-control-request-method", "PUT"),
            ],
        )
        .await;
        assert_eq!(preflight.status, StatusCode::NO_CONTENT);
        let refused = send_h1(
            addr,
            "OPTIONS",
            "/api",
            &[
                ("origin", "https://evil.example"),
                ("access-control-request-method", "PUT"),
            ],
        )
        .await;
        // Report-only never grants CORS: a refused preflight stays refused.
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let write = send_h1(addr, "POST", "/api", &[("origin", "https://evil.example")]).await;
        assert_eq!(
            write.status,
            StatusCode::OK,
            "report-only lets the write through"
        );
        assert_eq!(write.header("access-control-allow-origin"), None);
    });
    let seen = seen.lock().unwrap();
    assert_eq!(
        *seen,
        [
            (RequestKind::Preflight, 204),
            (RequestKind::Preflight, 403),
            (RequestKind::Request, 200)
        ]
    );
}

/// The layer stacks wherever tower-http's `CorsLayer` does: inside and outside compression
/// and tracing (its own answers need only `ResBody: Default`).
#[test]
fn the_layer_stacks_with_compression_and_tracing() {
    use tower::ServiceBuilder;
    use tower_http::compression::CompressionLayer;
    use tower_http::trace::TraceLayer;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let policy: OriginPolicy = POLICY.parse().unwrap();
    let routes = || {
        Router::new()
            .route("/ws", get(|| async { "not reached" }))
            .route("/api", any(|| async { "api" }))
    };
    let outside = routes().layer(
        ServiceBuilder::new()
            .layer(TraceLayer::new_for_http())
            .layer(OriginLayer::new(policy.clone()))
            .layer(CompressionLayer::new()),
    );
    // Tracing outermost, as usual; compression inside the origin layer. (Like
    // `CorsLayer`, the layer cannot sit outside `TraceLayer`, whose body is not `Default`.)
    let inside = routes().layer(
        ServiceBuilder::new()
            .layer(TraceLayer::new_for_http())
            .layer(CompressionLayer::new())
            .layer(OriginLayer::new(policy.clone())),
    );
    for app in [outside, inside] {
        let addr = runtime.block_on(cors_common::serve(app));
        assert_eq!(
            handshake_status(addr, &["Origin: https://evil.example"]),
            Some(403)
        );
        runtime.block_on(async {
            let ok = send_h1(
                addr,
                "GET",
                "/api",
                &[
                    ("origin", "https://app.example.com"),
                    ("accept-encoding", "gzip"),
                ],
            )
            .await;
            assert_eq!(ok.status, StatusCode::OK);
            assert_eq!(
                ok.header("access-control-allow-origin"),
                Some("https://app.example.com")
            );
        });
    }
}

/// `check`, `check_headers` and `evaluate` agree on the same table, and `check` reads the
/// target's authority for the Host-derived same-origin rule (RFC 9112 section 3.2.2).
#[test]
fn entry_points_agree_and_absolute_form_wins_over_host() {
    use origin_policy::Scheme;
    let policy = OriginPolicy::builder()
        .allow("https://app.example.com")
        .same_origin_from_host(Scheme::Https)
        .build()
        .unwrap();
    let values = [
        "https://app.example.com",
        "https://chat.example.com",
        "https://evil.example",
        "null",
        "",
        "https://app.example.com/",
    ];
    let hosts = [None, Some("chat.example.com"), Some("evil.example")];
    for value in values {
        for host in hosts {
            let mut request = http::Request::get("/ws").header("origin", value);
            if let Some(host) = host {
                request = request.header("host", host);
            }
            let request = request.body(()).unwrap();
            let by_request = policy.check(&request);
            let (parts, ()) = request.into_parts();
            assert_eq!(policy.check(&parts), by_request, "{value} {host:?}");
            assert_eq!(
                policy.check_headers(&parts.headers),
                by_request,
                "{value} {host:?}"
            );
            let origins = parts.headers.get_all("origin").iter().map(|v| v.as_bytes());
            let host_value = host.map(str::as_bytes);
            assert_eq!(
                policy.check_values_with_host(origins, host_value),
                by_request,
                "{value} {host:?}"
            );
            let fields = parts
                .headers
                .iter()
                .map(|(name, value)| (name.as_str().as_bytes(), value.as_bytes()));
            let raw = RawHead::from_fields(b"GET", b"/ws", fields).unwrap();
            assert_eq!(policy.check(&raw), by_request, "{value} {host:?}");
            let guard = HandshakeGuard::builder(policy.clone()).build().unwrap();
            let mut parts = parts;
            parts
                .headers
                .insert("sec-websocket-version", "13".parse().unwrap());
            assert_eq!(guard.evaluate(&parts).decision.origin(), Some(&by_request));
            let fields = parts
                .headers
                .iter()
                .map(|(name, value)| (name.as_str().as_bytes(), value.as_bytes()));
            let raw = RawHead::from_fields(b"GET", b"/ws", fields).unwrap();
            assert_eq!(guard.evaluate(&raw).decision.origin(), Some(&by_request));
        }
    }
    // Absolute form: the target's authority, not the Host header.
    let request = http::Request::get("https://chat.example.com/ws")
        .header("origin", "https://chat.example.com")
        .header("host", "evil.example")
        .body(())
        .unwrap();
    assert!(policy.check(&request).is_allowed());
    // Before the fix, `Host` decided here and this was allowed.
    let request = http::Request::get("https://chat.example.com/ws")
        .header("origin", "https://evil.example")
        .header("host", "evil.example")
        .body(())
        .unwrap();
    assert!(!policy.check(&request).is_allowed());
}

/// A reload that brings an open rule in never opens credentialed CORS reads, nor a
/// cookie-authenticated handshake, even in report-only mode.
#[test]
fn a_reload_to_an_open_rule_opens_no_credentialed_access() {
    let shared = SharedPolicy::new(POLICY.parse().unwrap());
    let cors = Cors::builder_on(&shared)
        .allow_credentials()
        .build()
        .unwrap();
    let guard = HandshakeGuard::builder_on(&shared)
        .authenticate_token(TokenSource::cookie("session"), |s| Ok(s.to_owned()))
        .report_only()
        .build()
        .unwrap();
    for open in [
        OriginPolicy::builder()
            .allow_any_origin_dangerously()
            .build()
            .unwrap(),
        OriginPolicy::builder().allow_null_origin().build().unwrap(),
    ] {
        shared.store(open.clone());
        let origin = if open.allows_any_origin() {
            "https://evil.example"
        } else {
            "null"
        };
        let request = http::Request::get("/api")
            .header("origin", origin)
            .body(())
            .unwrap();
        assert_eq!(cors.actual(&request).allow_origin(), None, "{origin}");
        let handshake = http::Request::get("/ws")
            .header("origin", origin)
            .header("sec-websocket-version", "13")
            .header("cookie", "session=alice")
            .body(())
            .unwrap();
        let outcome = guard.evaluate(&handshake);
        assert_eq!(outcome.decision.status(), 403, "{origin}");
        assert_eq!(outcome.identity, None);
    }
}
