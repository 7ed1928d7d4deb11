//! What an audit concludes, against loopback servers written like real ones: a fixed
//! allow-origin passes, third-party and development origins are found, inconclusive runs are
//! said as such, `*` is one finding, the headline names the root cause, and errors say what
//! to do.

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::common::*;
use http::HeaderMap;
use origin_audit::{Class, FailOn, Outcome, Plan, Severity, TlsTrust, Verdict};

fn classes_of(report: &origin_audit::Report, severity: Severity) -> Vec<&'static str> {
    report
        .finding_list()
        .iter()
        .filter(|f| f.severity == severity)
        .filter_map(|f| f.class.map(Class::name))
        .collect()
}

/// socket.io's `cors` option, `@fastify/cors` and Starlette's `CORSMiddleware` with one
/// origin: the same `Access-Control-Allow-Origin` for every request. Nothing is granted to an
/// attacker, including the two-line variant whose second line is the trusted origin.
#[test]
fn a_fixed_allow_origin_server_passes() {
    let address = fixed_cors_server(&[
        ("Access-Control-Allow-Origin", APP),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", "GET, POST"),
        ("Vary", "Origin"),
    ]);
    let report = audit(&format!("http://{address}/"), &[APP]);
    let table = report.render_table();
    assert_eq!(report.exit_code(), 0, "{table}");
    assert_eq!(report.summary().findings, 0, "{table}");
    let two_lines = report
        .results
        .iter()
        .find(|r| {
            r.variant.origin.as_deref()
                == Some(&[b"https://evil.example".to_vec(), APP.as_bytes().to_vec()])
        })
        .expect("the two-line variant is sent");
    assert_eq!(two_lines.outcome, Outcome::Refused, "{table}");
    assert_eq!(two_lines.verdict, Verdict::Pass);
    assert!(report.headline().starts_with("OK: "), "{table}");
}

/// The same two-line variant is still a finding when the server answers with the line that
/// is not trusted (it reads the first `Origin` and reflects it).
#[test]
fn a_multi_line_variant_answered_with_the_untrusted_line_is_a_finding() {
    let address = cors_server_allowing(|origin| origin == APP || origin == "https://evil.example");
    let report = audit(&format!("http://{address}/"), &[APP]);
    let two_lines = report
        .results
        .iter()
        .find(|r| {
            r.variant.origin.as_deref()
                == Some(&[b"https://evil.example".to_vec(), APP.as_bytes().to_vec()])
        })
        .unwrap();
    assert_eq!(two_lines.verdict, Verdict::Finding);
}

/// `cors({origin: [app, "http://localhost:3000", /\.github\.io$/], credentials: true})`.
#[test]
fn a_github_pages_pattern_and_a_development_origin_are_found() {
    let address = cors_server_allowing(|origin| {
        origin == APP || origin == "http://localhost:3000" || origin.ends_with(".github.io")
    });
    let mut config = config(&format!("http://{address}/api"), &[APP]);
    config.attacks = vec![b"https://partner.example".to_vec()];
    let report = Plan::new(config).unwrap().run(&|_, _| {});
    let table = report.render_table();
    assert_eq!(report.exit_code(), 1, "{table}");
    assert_eq!(
        classes_of(&report, Severity::Exploitable),
        ["user-content-host", "development-origin"],
        "{table}"
    );
    let pages = report
        .finding_list()
        .into_iter()
        .find(|f| f.class == Some(Class::UserContentHost))
        .unwrap();
    assert!(pages.credentials);
    assert_eq!(pages.results.len(), 1);
    assert_eq!(
        report.results[pages.results[0]].origin_text(),
        "\"https://evil-example.github.io\""
    );
    assert!(
        report.headline().starts_with(
            "THE ORIGIN CHECK IS TOO LOOSE: trusts a site where anyone can publish a page"
        ),
        "{table}"
    );
    // The user's own attack value is sent, and refused here.
    let partner = report
        .results
        .iter()
        .find(|r| r.variant.class == Class::UserSupplied)
        .unwrap();
    assert_eq!(partner.verdict, Verdict::Pass);
}

/// An endpoint that wants credentials before it looks at `Origin`: every request gets `401`,
/// so refused attacks prove nothing. With the credentials, the same endpoint passes.
#[test]
fn authentication_before_the_origin_check_is_inconclusive_until_credentials_are_given() {
    let policy: Arc<origin_policy::OriginPolicy> = Arc::new(APP.parse().unwrap());
    let address = ws_server_answering(Arc::new(move |h: &HeaderMap| {
        if h.get("authorization").is_none() {
            return Err((401, vec![("WWW-Authenticate".into(), "Bearer".into())]));
        }
        if policy.check_headers(h).is_allowed() {
            Ok(())
        } else {
            Err((403, vec![]))
        }
    }));
    let target = format!("ws://{address}/");
    let report = audit(&target, &[APP]);
    let table = report.render_table();
    assert_eq!(report.exit_code(), 4, "{table}");
    assert_eq!(report.summary().passed, 0, "{table}");
    assert!(report.summary().inconclusive > 30, "{table}");
    let reason = report.inconclusive.as_deref().unwrap();
    assert!(
        reason.starts_with("the endpoint refused the trusted origin too: 401 Unauthorized; "),
        "{reason}"
    );
    assert!(reason.contains("`-H 'Authorization: ...'`"), "{reason}");
    assert!(table.contains("\nINCONCLUSIVE: the endpoint refused the trusted origin too: 401"));
    assert!(table.contains("  inconclusive  null-opaque "), "{table}");

    let mut with_token = config(&target, &[APP]);
    with_token.headers = vec![origin_audit::parse_header("Authorization: Bearer t").unwrap()];
    let report = Plan::new(with_token).unwrap().run(&|_, _| {});
    assert_eq!(report.exit_code(), 0, "{}", report.render_table());
}

/// `Access-Control-Allow-Origin: *`: one finding with what it means, not one per value.
#[test]
fn allow_origin_star_is_one_finding() {
    let address = fixed_cors_server(&[("Access-Control-Allow-Origin", "*")]);
    let report = audit(&format!("http://{address}/"), &[APP]);
    let table = report.render_table();
    let findings = report.finding_list();
    assert_eq!(findings.len(), 1, "{table}");
    assert_eq!(findings[0].severity, Severity::AnyOrigin);
    assert_eq!(findings[0].class, None);
    assert!(findings[0].results.len() > 30);
    assert_eq!(report.summary().findings, 1);
    assert_eq!(report.summary().any_origin, 1);
    assert_eq!(report.summary().exploitable, 0);
    assert!(report.finding_classes().is_empty());
    assert_eq!(report.results[0].verdict, Verdict::Pass, "{table}");
    assert!(
        report
            .headline()
            .starts_with("ANY ORIGIN: `Access-Control-Allow-Origin: *`"),
        "{table}"
    );
    assert!(findings[0]
        .explanation()
        .contains("fine for public data, wrong for an intranet or an IP-authenticated endpoint"));
    assert!(!table.contains("as a prefix"), "{table}");
    assert!(
        table.contains("findings: 1 (0 exploitable, 1 any-origin, 0 lenient, 0 trusted refused)")
    );
    assert_eq!(report.exit_code(), 1);
    assert_eq!(report.with_fail_on(FailOn::Exploitable).exit_code(), 0);
}

/// A server with no check at all: the headline says so, and the findings a web page can use
/// come first, the unrelated origin at their head.
#[test]
fn no_origin_check_is_the_headline_and_exploitable_findings_come_first() {
    let address = reflecting_cors_server();
    let report = audit(&format!("http://{address}/"), &[APP]);
    let table = report.render_table();
    assert_eq!(
        report.headline(),
        "NO ORIGIN CHECK: an unrelated origin (\"https://evil.example\") is accepted, with the \
         user's cookies; the endpoint does not check Origin, or reflects it",
        "{table}"
    );
    let findings = report.finding_list();
    assert_eq!(findings[0].class, Some(Class::ReflectArbitrary));
    let severities: Vec<Severity> = findings.iter().map(|f| f.severity).collect();
    let mut sorted = severities.clone();
    sorted.sort();
    assert_eq!(severities, sorted, "exploitable first");
    assert!(severities.contains(&Severity::Lenient));
    let summary = report.summary();
    assert_eq!(summary.findings, summary.exploitable + summary.lenient);
    assert!(summary.exploitable > 10);
    // The table starts with the headline, and says the fix.
    let third = table.lines().nth(3).unwrap();
    assert!(third.starts_with("NO ORIGIN CHECK: "), "{table}");
    assert!(table.contains("      fix: check `Origin` against an allowlist of exact origins"));
}

/// A CA certificate used as the server's own (`openssl req -x509`): a sentence with the
/// `--insecure` and `--ca` hints instead of `CaUsedAsEndEntity`.
#[test]
fn a_self_signed_ca_certificate_is_explained() {
    let (server, pem) = self_signed_ca_certificate();
    let address = ws_server_with(Arc::new(|_: &HeaderMap| true), Some(server));
    let mut config = config(&format!("wss://{address}/"), &[APP]);
    config.tls = TlsTrust::CaFile(pem.into());
    let report = Plan::new(config).unwrap().run(&|_, _| {});
    assert_eq!(report.exit_code(), 3);
    let detail = &report.results[0].exchanges[0].detail;
    assert_eq!(
        detail,
        "the server's certificate is a CA certificate (CA:TRUE, as `openssl req -x509` makes by \
         default), which cannot identify a server: for a test server use `--insecure`, or sign a \
         server certificate with that CA and pass the CA with `--ca FILE`"
    );
}

#[test]
fn a_plain_server_behind_a_tls_url_is_explained() {
    let address = policy_server(APP);
    let mut config = config(&format!("wss://{address}/"), &[APP]);
    config.tls = TlsTrust::InsecureAcceptAnyCertificate;
    let report = Plan::new(config).unwrap().run(&|_, _| {});
    assert_eq!(report.exit_code(), 3);
    let detail = &report.results[0].exchanges[0].detail;
    assert!(detail.contains("use ws:// or http://"), "{detail}");
}

/// A redirect is shown with its `Location`, and the URL to audit instead.
#[test]
fn a_redirect_shows_its_location_and_the_final_url() {
    let address = ws_server_answering(Arc::new(|_: &HeaderMap| {
        Err((301, vec![("Location".into(), "/socket/".into())]))
    }));
    let report = audit(&format!("ws://{address}/socket"), &[APP]);
    assert_eq!(report.exit_code(), 4);
    let reason = report.inconclusive.as_deref().unwrap();
    assert_eq!(
        reason,
        format!(
            "the endpoint refused the trusted origin too: 301 Moved Permanently; it redirects to \
             /socket/: audit the final URL, ws://{address}/socket/"
        )
    );
    assert_eq!(
        report.results[0].exchanges[0].headers,
        [("location".to_owned(), "/socket/".to_owned())]
    );
}

/// The trusted handshake gets `400` (no subprotocol) and attacks `403`: suggest the header.
#[test]
fn a_missing_subprotocol_is_suggested() {
    let policy: Arc<origin_policy::OriginPolicy> = Arc::new(APP.parse().unwrap());
    let address = ws_server_answering(Arc::new(move |h: &HeaderMap| {
        if !policy.check_headers(h).is_allowed() {
            Err((403, vec![]))
        } else if h.get("sec-websocket-protocol").is_none() {
            Err((400, vec![]))
        } else {
            Ok(())
        }
    }));
    let report = audit(&format!("ws://{address}/"), &[APP]);
    assert_eq!(report.exit_code(), 4);
    let reason = report.inconclusive.as_deref().unwrap();
    assert!(
        reason.ends_with("add `-H 'Sec-WebSocket-Protocol: ...'`"),
        "{reason}"
    );
}

/// More than 100 response headers (a CDN's and an application's together) are read.
#[test]
fn responses_with_many_headers_are_judged() {
    let policy: Arc<origin_policy::OriginPolicy> = Arc::new(APP.parse().unwrap());
    let address = http_server(Arc::new(move |method: &str, headers: &HeaderMap| {
        let mut out: Vec<(String, String)> = (0..150)
            .map(|i| (format!("X-Filler-{i}"), i.to_string()))
            .collect();
        if policy.check_headers(headers).is_allowed() {
            let origin = first_origin(headers).unwrap().to_owned();
            out.push(("Access-Control-Allow-Origin".into(), origin));
        }
        (if method == "OPTIONS" { 204 } else { 200 }, out)
    }));
    let report = audit(&format!("http://{address}/"), &[APP]);
    assert_eq!(report.exit_code(), 0, "{}", report.render_table());
    assert_eq!(report.results[0].outcome, Outcome::Accepted);
}

/// A server that accepts connections and never answers: after the trusted origin times out,
/// nothing else is sent.
#[test]
fn the_audit_stops_when_the_trusted_origin_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            counter.fetch_add(1, Ordering::SeqCst);
            held.push(stream);
        }
    });
    let mut config = config(&format!("http://{address}/"), &[APP]);
    config.timeout = Duration::from_millis(300);
    let plan = Plan::new(config).unwrap();
    let report = plan.run(&|_, _| {});
    assert_eq!(report.exit_code(), 3);
    assert_eq!(report.stopped_early, Some(plan.variants().len() - 1));
    assert_eq!(report.results.len(), 1);
    // The trusted origin's GET and preflight only.
    assert_eq!(connections.load(Ordering::SeqCst), 2);
    assert!(report
        .headline()
        .starts_with("NO ANSWER: the trusted origin got no answer (timed out"));
}

/// A WebSocket server that closes every connection at once: the trusted origin is refused too,
/// so the run is inconclusive, not a pass.
#[test]
fn a_server_that_closes_at_once_is_inconclusive() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            drop(stream);
        }
    });
    let report = audit(&format!("ws://{address}/"), &[APP]);
    let table = report.render_table();
    assert_eq!(report.exit_code(), 4, "{table}");
    assert_eq!(report.summary().passed, 0, "{table}");
    let reason = report.inconclusive.as_deref().unwrap();
    assert!(
        reason.ends_with(
            "; it closed the connection: check that this is the endpoint's URL, and that a \
             proxy in front forwards Origin"
        ),
        "{reason}"
    );
}

/// A `101` with more headers than tungstenite's client reads is "no answer", never "refused".
#[test]
fn a_websocket_answer_with_too_many_headers_is_not_a_refusal() {
    use std::io::{Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut head = Vec::new();
            let mut byte = [0; 1];
            while !head.ends_with(b"\r\n\r\n") {
                if stream.read(&mut byte).unwrap_or(0) == 0 {
                    break;
                }
                head.push(byte[0]);
            }
            let text = String::from_utf8_lossy(&head);
            let key = text
                .lines()
                .find_map(|l| {
                    l.strip_prefix("Sec-WebSocket-Key: ")
                        .or_else(|| l.strip_prefix("sec-websocket-key: "))
                })
                .unwrap_or_default()
                .trim()
                .to_owned();
            let accept = tungstenite::handshake::derive_accept_key(key.as_bytes());
            let mut response = format!(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n"
            );
            for i in 0..130 {
                response.push_str(&format!("X-Filler-{i}: {i}\r\n"));
            }
            response.push_str("\r\n");
            let _ = stream.write_all(response.as_bytes());
        }
    });
    let report = audit(&format!("ws://{address}/"), &[APP]);
    assert_eq!(report.exit_code(), 3, "{}", report.render_table());
    assert_eq!(report.results[0].verdict, Verdict::Error);
    assert_eq!(
        report.results[0].exchanges[0].detail,
        "the response has more headers than the WebSocket client reads (124)"
    );
}
