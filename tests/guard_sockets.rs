//! `HandshakeGuard` as tungstenite's `accept_hdr` callback, over real loopback sockets, with
//! hand-written handshakes (exact bytes on the wire) and the real tungstenite client.
#![cfg(feature = "tungstenite")]

use crate::guard_common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread;

use crate::guard_common::{
    assert_rejection, connect, exchange, handshake, handshake_with_version, parse_response,
    SyncServer,
};
use http::{HeaderName, HeaderValue};
use origin_policy::guard::auth::{AuthError, StaticTokens, TokenSource};
use origin_policy::guard::{Denial, GuardDecision, HandshakeGuard, Outcome, SubprotocolError};
use origin_policy::{DenyReason, OriginPolicy};
use tungstenite::client::IntoClientRequest;
use tungstenite::handshake::client::Request as ClientRequest;
use tungstenite::HandshakeError;

const APP: &str = "Origin: https://app.example.com";
const EVIL: &str = "Origin: https://evil.example";
const TOKEN: &str = "t0k3n-alice-4f9a2c";

fn policy() -> OriginPolicy {
    "https://app.example.com".parse().expect("test policy")
}

fn tokens() -> StaticTokens<&'static str> {
    StaticTokens::new([(TOKEN, "alice"), ("t0k3n-bob-77e1d0", "bob")]).expect("test tokens")
}

/// The graphql-ws server of the docs: two protocols, a bearer token.
fn graphql_guard() -> HandshakeGuard<&'static str> {
    let tokens = tokens();
    HandshakeGuard::builder(policy())
        .subprotocols(["graphql-transport-ws", "graphql-ws"])
        .authenticate_token(TokenSource::bearer(), move |token| tokens.verify(token))
        .build()
        .expect("test guard")
}

fn client_request(url: &str, headers: &[(&str, &str)]) -> ClientRequest {
    let mut request = url.into_client_request().expect("test URL");
    for (name, value) in headers {
        request.headers_mut().append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    request
}

/// Each outcome of the graphql guard, with its status code and headers, on the wire.
#[test]
fn status_codes_and_headers() {
    let bearer = format!("Authorization: Bearer {TOKEN}");
    let protocols = "Sec-WebSocket-Protocol: graphql-ws, graphql-transport-ws";
    let auth = "www-authenticate";
    // (extra request lines, status, body or chosen protocol, WWW-Authenticate)
    let cases: Vec<(Vec<&str>, u16, &str, Option<&str>)> = vec![
        (
            vec![APP, protocols, &bearer],
            101,
            "graphql-transport-ws",
            None,
        ),
        // 403: the origin, before anything else is looked at.
        (
            vec![EVIL, protocols, &bearer],
            403,
            "forbidden: the origin is not allowed\n",
            None,
        ),
        (
            vec!["Origin: null", protocols, &bearer],
            403,
            "forbidden: the origin null is not allowed\n",
            None,
        ),
        (
            vec![protocols, &bearer],
            403,
            "forbidden: no Origin header\n",
            None,
        ),
        (
            vec![EVIL, "Sec-WebSocket-Protocol: mqtt"],
            403,
            "forbidden: the origin is not allowed\n",
            None,
        ),
        // 400: the subprotocol, before the credential.
        (
            vec![APP, "Sec-WebSocket-Protocol: mqtt", &bearer],
            400,
            "bad request: no offered subprotocol is supported\n",
            None,
        ),
        (
            vec![APP, &bearer],
            400,
            "bad request: no subprotocol offered\n",
            None,
        ),
        (
            vec![APP, "Sec-WebSocket-Protocol: graphql ws"],
            400,
            "bad request: malformed Sec-WebSocket-Protocol\n",
            None,
        ),
        // 401, with the bearer challenge of RFC 6750.
        (
            vec![APP, protocols],
            401,
            "unauthorized: no credential\n",
            Some("Bearer"),
        ),
        (
            vec![APP, protocols, "Authorization: Bearer t0k3n-eve"],
            401,
            "unauthorized: the credential is not valid\n",
            Some("Bearer error=\"invalid_token\""),
        ),
        (
            vec![APP, protocols, "Authorization: Bearer a b"],
            401,
            "unauthorized: the credential is malformed\n",
            Some("Bearer error=\"invalid_request\""),
        ),
        // A browser's retry after a 401 with userinfo in the URL: not a bearer token.
        (
            vec![APP, protocols, "Authorization: Basic dXNlcjpwYXNz"],
            401,
            "unauthorized: no credential\n",
            Some("Bearer"),
        ),
    ];
    let server = SyncServer::spawn(graphql_guard(), cases.len());
    for (lines, status, expected, challenge) in &cases {
        let response = parse_response(&exchange(server.addr, &handshake("/graphql", lines)));
        let handled = server.next();
        let outcome = handled.outcome.expect("the guard ran");
        assert_eq!(outcome.decision.status(), *status, "{lines:?}");
        assert_eq!(handled.accepted, *status == 101, "{lines:?}");
        if *status == 101 {
            assert_eq!(response.status, 101);
            assert_eq!(response.header("sec-websocket-protocol"), *expected);
            assert_eq!(outcome.identity, Some("alice"));
            assert_eq!(
                outcome.decision.matched_rule().unwrap().to_string(),
                "https://app.example.com"
            );
            continue;
        }
        // Nothing the client sent comes back: not the origin, the offer or the token.
        assert_rejection(
            &response,
            *status,
            expected,
            &[
                "evil.example",
                "mqtt",
                "graphql ws",
                TOKEN,
                "t0k3n-eve",
                "dXNlcjpwYXNz",
            ],
        );
        match challenge {
            Some(challenge) => assert_eq!(response.header(auth), *challenge, "{lines:?}"),
            None => assert_eq!(response.all(auth).len(), 0, "{lines:?}"),
        }
        assert_eq!(outcome.identity, None);
    }
}

/// The real tungstenite client accepts the guard's 101 (it checks that the chosen protocol is
/// one it offered) and reads its rejections.
#[test]
fn tungstenite_client_sees_the_guard() {
    let server = SyncServer::spawn(graphql_guard(), 2);
    let url = server.url("/graphql");
    let bearer = format!("Bearer {TOKEN}");
    let request = client_request(
        &url,
        &[
            ("origin", "https://app.example.com"),
            ("sec-websocket-protocol", "graphql-transport-ws, graphql-ws"),
            ("authorization", &bearer),
        ],
    );
    let (_socket, response) = tungstenite::client(request, connect(server.addr)).expect("accepted");
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    assert_eq!(server.next().outcome.unwrap().identity, Some("alice"));

    let request = client_request(
        &url,
        &[
            ("origin", "https://app.example.com"),
            ("sec-websocket-protocol", "graphql-ws"),
        ],
    );
    match tungstenite::client(request, connect(server.addr)) {
        Err(HandshakeError::Failure(tungstenite::Error::Http(response))) => {
            assert_eq!(response.status(), 401);
            assert_eq!(response.headers()["www-authenticate"], "Bearer");
            assert_eq!(
                response.body().as_deref(),
                Some(&b"unauthorized: no credential\n"[..])
            );
        }
        other => panic!("expected a 401, got {other:?}"),
    }
    assert!(!server.next().accepted);
}

/// A framework that hands the request to `evaluate` itself gets the 426 of RFC 6455 section
/// 4.4 for another version. This server does what such a framework does, over a socket.
#[test]
fn unsupported_version_is_426_from_evaluate() {
    let guard = graphql_guard();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        for _ in 0..3 {
            let (mut stream, _) = listener.accept().unwrap();
            stream
                .set_read_timeout(Some(guard_common::TIMEOUT))
                .unwrap();
            let request = read_request(&mut stream);
            let outcome = guard.evaluate(&request);
            let rejection = outcome.decision.rejection::<String>().expect("refused");
            write_response(&mut stream, &rejection);
        }
    });
    for version in [Some("8"), None, Some("13, 8")] {
        let response = parse_response(&exchange(
            addr,
            &handshake_with_version(
                "/graphql",
                version,
                &[APP, "Sec-WebSocket-Protocol: graphql-ws"],
            ),
        ));
        assert_rejection(
            &response,
            426,
            "upgrade required: this endpoint speaks WebSocket version 13\n",
            &[],
        );
        assert_eq!(
            response.header("sec-websocket-version"),
            "13",
            "{version:?}"
        );
        assert_eq!(response.header("upgrade"), "websocket");
        assert_eq!(response.header("connection"), "Upgrade, close");
    }
    server.join().unwrap();
}

/// On tungstenite's own path, a wrong version never reaches the guard: tungstenite closes
/// the connection without a response, the slot stays empty and the observer sees nothing.
/// (This pins what the docs of `guard::tungstenite` say.)
#[test]
fn tungstenite_refuses_other_versions_before_the_guard() {
    let seen = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&seen);
    let guard = HandshakeGuard::builder(policy())
        .observe(move |_| *counter.lock().unwrap() += 1)
        .build()
        .unwrap();
    let server = SyncServer::spawn(guard, 2);
    for version in [Some("8"), None] {
        let response = exchange(server.addr, &handshake_with_version("/", version, &[APP]));
        assert_eq!(response, b"", "version {version:?}: no response at all");
        let handled = server.next();
        assert!(handled.outcome.is_none() && !handled.accepted);
    }
    assert_eq!(*seen.lock().unwrap(), 0);
}

/// RFC 6455 section 4.2.2 negotiation on the wire: the server's order, repeated header lines,
/// whitespace, empty items, unknown and malformed offers, with and without
/// `allow_no_subprotocol`.
#[test]
fn subprotocol_negotiation_over_sockets() {
    // `Ok(Some(p))`: 101 naming p; `Ok(None)`: 101 naming none; `Err(e)`: 400 for e.
    type Expected = Result<Option<&'static str>, SubprotocolError>;
    use SubprotocolError::*;
    let cases: &[(&[&str], Expected, Expected)] = &[
        // The server's preference wins over the client's order.
        (
            &["Sec-WebSocket-Protocol: graphql-ws, graphql-transport-ws"],
            Ok(Some("graphql-transport-ws")),
            Ok(Some("graphql-transport-ws")),
        ),
        (
            &["Sec-WebSocket-Protocol: graphql-ws"],
            Ok(Some("graphql-ws")),
            Ok(Some("graphql-ws")),
        ),
        // Repeated lines are one list.
        (
            &[
                "Sec-WebSocket-Protocol: chat",
                "Sec-WebSocket-Protocol: graphql-ws",
            ],
            Ok(Some("graphql-ws")),
            Ok(Some("graphql-ws")),
        ),
        (
            &[
                "Sec-WebSocket-Protocol: graphql-ws",
                "Sec-WebSocket-Protocol: graphql-transport-ws",
            ],
            Ok(Some("graphql-transport-ws")),
            Ok(Some("graphql-transport-ws")),
        ),
        // Whitespace and empty items are not part of the items.
        (
            &["Sec-WebSocket-Protocol: \t graphql-ws \t"],
            Ok(Some("graphql-ws")),
            Ok(Some("graphql-ws")),
        ),
        (
            &["Sec-WebSocket-Protocol: ,graphql-ws,,"],
            Ok(Some("graphql-ws")),
            Ok(Some("graphql-ws")),
        ),
        (&["Sec-WebSocket-Protocol: , ,"], Err(NoneOffered), Ok(None)),
        (&["Sec-WebSocket-Protocol:"], Err(NoneOffered), Ok(None)),
        // Nothing, or nothing the server speaks (names are case-sensitive).
        (&[], Err(NoneOffered), Ok(None)),
        (
            &["Sec-WebSocket-Protocol: chat, superchat"],
            Err(NoneSupported),
            Ok(None),
        ),
        (
            &["Sec-WebSocket-Protocol: GRAPHQL-WS"],
            Err(NoneSupported),
            Ok(None),
        ),
        // Not tokens: always a 400, even with a supported item beside them.
        (
            &["Sec-WebSocket-Protocol: graphql-ws, graphql ws"],
            Err(Malformed),
            Err(Malformed),
        ),
        (
            &["Sec-WebSocket-Protocol: \"graphql-ws\""],
            Err(Malformed),
            Err(Malformed),
        ),
        (
            &["Sec-WebSocket-Protocol: graphql-ws/1"],
            Err(Malformed),
            Err(Malformed),
        ),
        (
            &[
                "Sec-WebSocket-Protocol: graphql-ws",
                "Sec-WebSocket-Protocol: a;b",
            ],
            Err(Malformed),
            Err(Malformed),
        ),
    ];
    let build = |lenient: bool| {
        let builder =
            HandshakeGuard::builder(policy()).subprotocols(["graphql-transport-ws", "graphql-ws"]);
        let builder = if lenient {
            builder.allow_no_subprotocol()
        } else {
            builder
        };
        builder.build().unwrap()
    };
    for lenient in [false, true] {
        let server = SyncServer::spawn(build(lenient), cases.len());
        for (lines, strict, relaxed) in cases {
            let expected = if lenient { relaxed } else { strict };
            let mut extra = vec![APP];
            extra.extend_from_slice(lines);
            let response = parse_response(&exchange(server.addr, &handshake("/", &extra)));
            let decision = server.next().outcome.expect("the guard ran").decision;
            let context = format!("{lines:?}, allow none: {lenient}");
            match expected {
                Ok(protocol) => {
                    assert_eq!(response.status, 101, "{context}");
                    let chosen = response.all("sec-websocket-protocol");
                    assert_eq!(
                        chosen,
                        protocol.iter().copied().collect::<Vec<_>>(),
                        "{context}"
                    );
                    assert_eq!(decision.subprotocol(), *protocol, "{context}");
                }
                Err(error) => {
                    let body = match error {
                        NoneOffered => "bad request: no subprotocol offered\n",
                        NoneSupported => "bad request: no offered subprotocol is supported\n",
                        Malformed => "bad request: malformed Sec-WebSocket-Protocol\n",
                        other => panic!("no body written for {other:?}"),
                    };
                    assert_rejection(&response, 400, body, &["chat", "GRAPHQL"]);
                    assert_eq!(
                        decision.denial(),
                        Some(&Denial::Subprotocol(*error)),
                        "{context}"
                    );
                }
            }
        }
    }
}

/// A handshake's path and extra header lines.
type Handshake<'a> = (&'a str, Vec<&'a str>);

/// Every credential extractor, accepted with a good credential and refused (401) with a bad
/// one, over the wire.
#[test]
fn credential_extractors_over_sockets() {
    let encoded = data_encoding::BASE64URL_NOPAD.encode(TOKEN.as_bytes());
    let wrong = data_encoding::BASE64URL_NOPAD.encode(b"t0k3n-eve");
    let bearer = format!("Authorization: Bearer {TOKEN}");
    let cookie = format!("Cookie: theme=dark; session={TOKEN}");
    let query = format!("/ws?ticket={TOKEN}");
    let k8s = format!("Sec-WebSocket-Protocol: v4.channel.k8s.io, base64url.bearer.authorization.k8s.io.{encoded}");
    let k8s_wrong = format!(
        "Sec-WebSocket-Protocol: v4.channel.k8s.io, base64url.bearer.authorization.k8s.io.{wrong}"
    );
    // (source, good request (path, lines), bad request, WWW-Authenticate on the bad one)
    let cases: Vec<(TokenSource, Handshake, Handshake, Option<&str>)> = vec![
        (
            TokenSource::bearer(),
            ("/ws", vec![APP, &bearer]),
            ("/ws", vec![APP, "Authorization: Bearer t0k3n-eve"]),
            Some("Bearer error=\"invalid_token\""),
        ),
        (
            TokenSource::cookie("session"),
            ("/ws", vec![APP, &cookie]),
            ("/ws", vec![APP, "Cookie: session=t0k3n-eve"]),
            None,
        ),
        (
            TokenSource::query("ticket"),
            (&query, vec![APP]),
            ("/ws?ticket=t0k3n-eve", vec![APP]),
            None,
        ),
        (
            TokenSource::subprotocol(),
            ("/ws", vec![APP, &k8s]),
            ("/ws", vec![APP, &k8s_wrong]),
            None,
        ),
    ];
    for (source, (good_path, good), (bad_path, bad), challenge) in cases {
        let tokens = tokens();
        let guard = HandshakeGuard::builder(policy())
            .subprotocols(["v4.channel.k8s.io"])
            .allow_no_subprotocol()
            .authenticate_token(source.clone(), move |token| tokens.verify(token))
            .build()
            .unwrap();
        let server = SyncServer::spawn(guard, 3);

        let response = parse_response(&exchange(server.addr, &handshake(good_path, &good)));
        assert_eq!(response.status, 101, "{source}");
        assert_eq!(
            server.next().outcome.unwrap().identity,
            Some("alice"),
            "{source}"
        );
        // The credential never comes back, in any form.
        let text = response.text();
        assert!(
            !text.contains(TOKEN) && !text.contains(&encoded),
            "{source}: {text:?}"
        );
        if source.subprotocol_prefix().is_some() {
            // The token item is skipped; the real protocol beside it is chosen.
            assert_eq!(
                response.header("sec-websocket-protocol"),
                "v4.channel.k8s.io"
            );
        }

        let response = parse_response(&exchange(server.addr, &handshake(bad_path, &bad)));
        let body = "unauthorized: the credential is not valid\n";
        assert_rejection(&response, 401, body, &["t0k3n-eve", &wrong]);
        match challenge {
            Some(challenge) => assert_eq!(response.header("www-authenticate"), challenge),
            None => assert_eq!(response.all("www-authenticate").len(), 0, "{source}"),
        }
        let decision = server.next().outcome.unwrap().decision;
        assert_eq!(
            decision.denial(),
            Some(&Denial::Auth(AuthError::Invalid)),
            "{source}"
        );

        // A valid credential from another site is still refused, by the origin (403).
        let mut hijack = good.clone();
        hijack[0] = EVIL;
        let response = parse_response(&exchange(server.addr, &handshake(good_path, &hijack)));
        assert_eq!(response.status, 403, "{source}");
        assert_eq!(server.next().outcome.unwrap().identity, None);
    }
}

/// The Kubernetes-style token through the real tungstenite client: the client offers the
/// token item and a real protocol, and accepts the response because the guard names the
/// real one.
#[test]
fn subprotocol_token_is_not_echoed_to_a_real_client() {
    let tokens = tokens();
    let guard = HandshakeGuard::builder(policy())
        .subprotocols(["v4.channel.k8s.io"])
        .authenticate_token(TokenSource::subprotocol(), move |token| {
            tokens.verify(token)
        })
        .build()
        .unwrap();
    let server = SyncServer::spawn(guard, 1);
    let item = format!(
        "base64url.bearer.authorization.k8s.io.{}",
        data_encoding::BASE64URL_NOPAD.encode(TOKEN.as_bytes())
    );
    let request = client_request(
        &server.url("/exec"),
        &[
            ("origin", "https://app.example.com"),
            (
                "sec-websocket-protocol",
                &format!("{item}, v4.channel.k8s.io"),
            ),
        ],
    );
    let (_socket, response) = tungstenite::client(request, connect(server.addr)).expect("accepted");
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "v4.channel.k8s.io"
    );
    for (name, value) in response.headers() {
        assert!(
            !value
                .as_bytes()
                .windows(item.len())
                .any(|w| w == item.as_bytes()),
            "{name}"
        );
    }
    let outcome = server.next().outcome.unwrap();
    assert_eq!(outcome.identity, Some("alice"));
    assert!(!outcome.decision.to_string().contains(&item[38..]));
}

/// Report-only: everything is evaluated and reported, every handshake goes through.
#[test]
fn report_only_allows_and_reports() {
    let seen: Arc<Mutex<Vec<GuardDecision>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let tokens = tokens();
    let guard = HandshakeGuard::builder(policy())
        .subprotocols(["graphql-transport-ws"])
        .authenticate_token(TokenSource::bearer(), move |token| tokens.verify(token))
        .report_only()
        .observe(move |decision| sink.lock().unwrap().push(decision.clone()))
        .build()
        .unwrap();
    let server = SyncServer::spawn(guard, 4);
    let bearer = format!("Authorization: Bearer {TOKEN}");

    // Would be a 403: through, with the later checks still done.
    let response = parse_response(&exchange(
        server.addr,
        &handshake(
            "/",
            &[
                EVIL,
                "Sec-WebSocket-Protocol: graphql-transport-ws",
                &bearer,
            ],
        ),
    ));
    assert_eq!(response.status, 101);
    assert_eq!(
        response.header("sec-websocket-protocol"),
        "graphql-transport-ws"
    );
    let outcome = server.next().outcome.unwrap();
    assert_eq!(outcome.identity, Some("alice"));

    // Would be a 400: through, no protocol named, with the identity.
    let response = parse_response(&exchange(
        server.addr,
        &handshake("/", &[APP, "Sec-WebSocket-Protocol: mqtt", &bearer]),
    ));
    assert_eq!(response.status, 101);
    assert_eq!(response.all("sec-websocket-protocol").len(), 0);
    assert_eq!(server.next().outcome.unwrap().identity, Some("alice"));

    // Would be a 400 and a 401: refused, since authentication is always enforced.
    let response = parse_response(&exchange(
        server.addr,
        &handshake("/", &[APP, "Sec-WebSocket-Protocol: mqtt"]),
    ));
    assert_eq!(response.status, 401);
    assert_eq!(server.next().outcome.unwrap().identity, None);

    // A real client, with no Origin at all.
    let request = client_request(
        &server.url("/"),
        &[
            ("sec-websocket-protocol", "graphql-transport-ws"),
            ("authorization", &format!("Bearer {TOKEN}")),
        ],
    );
    tungstenite::client(request, connect(server.addr)).expect("report-only lets it through");
    assert!(server.next().accepted);

    let seen = seen.lock().unwrap();
    let reported: Vec<(Outcome, Option<Denial>, String)> = seen
        .iter()
        .map(|d| (d.outcome(), d.denial().copied(), d.to_string()))
        .collect();
    assert_eq!(
        reported,
        [
            (
                Outcome::ReportOnly,
                Some(Denial::Origin(DenyReason::NotAllowed)),
                r#"report-only, would deny (403): deny origin "https://evil.example": the origin is not allowed, subprotocol graphql-transport-ws, authenticated"#.to_owned()
            ),
            (
                Outcome::ReportOnly,
                Some(Denial::Subprotocol(SubprotocolError::NoneSupported)),
                r#"report-only, would deny (400): allow origin "https://app.example.com" by rule https://app.example.com, authenticated, subprotocol refused: no offered subprotocol is supported"#.to_owned()
            ),
            (
                Outcome::Denied,
                Some(Denial::Auth(AuthError::Missing)),
                r#"denied (401): allow origin "https://app.example.com" by rule https://app.example.com, authentication refused: no credential"#.to_owned()
            ),
            (
                Outcome::ReportOnly,
                Some(Denial::Origin(DenyReason::Missing)),
                "report-only, would deny (403): deny: no Origin header, subprotocol graphql-transport-ws, authenticated".to_owned()
            ),
        ]
    );
    assert!(seen
        .iter()
        .filter(|d| !matches!(d.denial(), Some(Denial::Auth(_))))
        .all(|d| d.is_allowed() && d.rejection::<String>().is_none()));
}

/// (outcome, status, reason) as an observer records them for metrics.
type Observed = (&'static str, u16, &'static str);

/// The observer sees every handshake that reaches the guard, in order, allowed or not.
#[test]
fn observer_sees_every_decision() {
    let seen: Arc<Mutex<Vec<Observed>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let tokens = tokens();
    let guard = HandshakeGuard::builder(policy())
        .subprotocols(["graphql-transport-ws", "graphql-ws"])
        .authenticate_token(TokenSource::bearer(), move |token| tokens.verify(token))
        .observe(move |d| {
            let reason = d.denial().map_or("", |denial| denial.code());
            sink.lock()
                .unwrap()
                .push((d.outcome().code(), d.status().as_u16(), reason));
        })
        .build()
        .unwrap();
    let bearer = format!("Authorization: Bearer {TOKEN}");
    let proto = "Sec-WebSocket-Protocol: graphql-ws";
    let requests: Vec<Vec<&str>> = vec![
        vec![APP, proto, &bearer],
        vec![EVIL, proto, &bearer],
        vec![APP, "Sec-WebSocket-Protocol: mqtt", &bearer],
        vec![APP, proto],
        vec!["Origin: https://app.example.com/", proto, &bearer],
        vec![APP, proto, &bearer],
    ];
    let server = SyncServer::spawn(guard, requests.len());
    for lines in &requests {
        exchange(server.addr, &handshake("/", lines));
        server.next();
    }
    assert_eq!(
        *seen.lock().unwrap(),
        [
            ("allowed", 101, ""),
            ("denied", 403, "not-allowed"),
            ("denied", 400, "none-supported"),
            ("denied", 401, "missing"),
            ("denied", 403, "malformed"),
            ("allowed", 101, ""),
        ]
    );
}

/// `&guard` is a callback too, when the caller does not need the outcome.
#[test]
fn guard_reference_is_a_callback() {
    let guard = graphql_guard();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        tungstenite::accept_hdr(stream, &guard).is_ok()
    });
    let mut stream = connect(addr);
    stream
        .write_all(&handshake(
            "/",
            &[EVIL, "Sec-WebSocket-Protocol: graphql-ws"],
        ))
        .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    assert_eq!(parse_response(&response).status, 403);
    assert!(!server.join().unwrap());
}

/// Reads one request head and turns it into the `http::Request<()>` a framework would pass.
fn read_request(stream: &mut std::net::TcpStream) -> http::Request<()> {
    let mut buffer = Vec::new();
    let mut chunk = [0; 1024];
    while !buffer.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "the client closed before the end of the head");
        buffer.extend_from_slice(&chunk[..n]);
    }
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut parsed = httparse::Request::new(&mut headers);
    parsed.parse(&buffer).unwrap();
    let mut request = http::Request::get(parsed.path.unwrap());
    for header in parsed.headers.iter() {
        request = request.header(header.name, header.value);
    }
    request.body(()).unwrap()
}

fn write_response(stream: &mut std::net::TcpStream, response: &http::Response<String>) {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        response.status().as_u16(),
        response.status().canonical_reason().unwrap_or("")
    );
    for (name, value) in response.headers() {
        head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(response.body().as_bytes()).unwrap();
}
