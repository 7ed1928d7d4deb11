//! `origin_audit` against real servers on 127.0.0.1: the crate's own policy server
//! (no findings), deliberately vulnerable WebSocket servers (each flagged with its class), a
//! proxy that drops `Origin`, CORS servers, and TLS.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

use crate::common::*;
use http::HeaderMap;
use origin_audit::{Class, Expectation, Outcome, Plan, TlsTrust, Verdict};

/// The first `Origin` when it is the only one; hand-written checks below use it so that each
/// server has exactly one flaw.
fn single_origin(headers: &HeaderMap) -> Option<&str> {
    (headers.get_all("origin").iter().count() == 1)
        .then(|| first_origin(headers))
        .flatten()
}

#[test]
fn the_example_server_policy_has_no_findings() {
    // The example server's default: ALLOWED_ORIGINS=http://localhost:8080.
    let address = policy_server("http://localhost:8080");
    let report = audit(&format!("ws://{address}/"), &["http://localhost:8080"]);
    let summary = report.summary();
    assert_eq!(summary.findings, 0, "{}", report.render_table());
    assert_eq!(summary.errors, 0, "{}", report.render_table());
    assert_eq!(report.exit_code(), 0);
    assert!(summary.variants >= 30, "{} variants", summary.variants);
    let trusted = &report.results[0];
    assert_eq!(trusted.variant.class, Class::ExactAllowed);
    assert_eq!(trusted.outcome, Outcome::Accepted);
    assert_eq!(trusted.exchanges[0].status, Some(101));
    for result in &report.results {
        if result.variant.expectation == Expectation::Refuse {
            assert_eq!(result.exchanges[0].status, Some(403), "{result:?}");
        }
    }
    assert!(report
        .render_table()
        .ends_with(&format!("{}\n", report.summary_line())));
    assert!(report
        .summary_line()
        .starts_with("summary: ok: no findings in "));
}

/// Each deliberately vulnerable check, and exactly the classes the audit must flag for it.
#[test]
fn vulnerable_websocket_servers_are_flagged_with_their_class() {
    let cases: Vec<(&str, Check, &[&str])> = vec![
        (
            // `origin.starts_with(trusted)`, on the first Origin line.
            "prefix match",
            Arc::new(|h: &HeaderMap| first_origin(h).is_some_and(|o| o.starts_with(APP))),
            &[
                "missing-or-repeated",
                "prefix-match",
                "port-mismatch",
                "port-overflow",
                "special-char",
                "userinfo",
                "path-query-fragment",
                "multiple-origins",
                "header-injection",
            ],
        ),
        (
            // `origin.ends_with(host)` with no label boundary and no scheme.
            "suffix match without a label boundary",
            Arc::new(|h: &HeaderMap| {
                first_origin(h).is_some_and(|o| o.ends_with("app.example.com"))
            }),
            &[
                "missing-or-repeated",
                "suffix-match",
                "subdomain-of-exact",
                "scheme-mismatch",
                "userinfo",
                "path-query-fragment",
                "whatwg-leniency",
                "multiple-origins",
            ],
        ),
        (
            "allows null",
            Arc::new(|h: &HeaderMap| single_origin(h).is_some_and(|o| o == APP || o == "null")),
            &["null-opaque"],
        ),
        (
            // Compares what follows `://`: the host and port, never the scheme.
            "ignores the scheme",
            Arc::new(|h: &HeaderMap| {
                single_origin(h)
                    .and_then(|o| o.split_once("://"))
                    .is_some_and(|(_, rest)| rest == "app.example.com")
            }),
            &["scheme-mismatch"],
        ),
    ];
    for (name, check, expected) in cases {
        let address = ws_server(check);
        let report = audit(&format!("ws://{address}/"), &[APP]);
        assert_eq!(
            finding_classes(&report),
            expected,
            "{name}:\n{}",
            report.render_table()
        );
        assert_eq!(
            report.results[0].verdict,
            Verdict::Pass,
            "{name}: trusted accepted"
        );
        assert_eq!(report.summary().errors, 0, "{name}");
        assert_eq!(report.exit_code(), 1, "{name}");
    }
}

#[test]
fn a_server_that_accepts_everything_fails_every_attack_class() {
    let address = ws_server(Arc::new(|_: &HeaderMap| true));
    let report = audit(&format!("ws://{address}/"), &[APP]);
    let attack_classes: Vec<Class> = {
        let mut classes: Vec<Class> = report
            .results
            .iter()
            .filter(|r| r.variant.expectation == Expectation::Refuse)
            .map(|r| r.variant.class)
            .collect();
        classes.sort();
        classes.dedup();
        classes
    };
    assert_eq!(report.finding_classes(), attack_classes);
    assert!(attack_classes.contains(&Class::ReflectArbitrary));
    assert!(attack_classes.contains(&Class::MissingOrRepeated));
    let summary = report.summary();
    assert_eq!(summary.passed, 1, "only the trusted origin passes");
    assert_eq!(summary.findings + summary.info + 1, summary.variants);
}

/// The motivating deployment bug: a proxy that strips `Origin` in front of a correct server.
/// Every attack is refused, but so is the trusted origin: the run proves nothing, and says so.
#[test]
fn a_proxy_that_drops_origin_makes_the_run_inconclusive() {
    let backend = policy_server(APP);
    let proxy = origin_stripping_proxy(backend);
    let report = audit(&format!("ws://{proxy}/"), &[APP]);
    let table = report.render_table();
    assert!(finding_classes(&report).is_empty(), "{table}");
    let trusted = &report.results[0];
    assert_eq!(trusted.outcome, Outcome::Refused);
    assert_eq!(trusted.verdict, Verdict::Inconclusive);
    assert!(
        trusted.explanation().contains("proxy"),
        "{}",
        trusted.explanation()
    );
    for result in &report.results {
        assert_ne!(result.verdict, Verdict::Pass, "{table}");
    }
    assert_eq!(report.summary().passed, 0);
    assert_eq!(report.exit_code(), 4, "{table}");
    let reason = report.inconclusive.as_deref().unwrap();
    assert!(
        reason.starts_with("the endpoint refused the trusted origin too: 403 Forbidden; "),
        "{reason}"
    );
    assert!(
        reason.contains("a proxy in front drops or rewrites Origin"),
        "{reason}"
    );
    assert_eq!(report.headline(), format!("INCONCLUSIVE: {reason}"));
    assert!(report.summary_line().starts_with("summary: INCONCLUSIVE: "));

    // Leaving the trusted origin out cannot turn it into a pass.
    let mut skipping = config(&format!("ws://{proxy}/"), &[APP]);
    skipping.skip = vec![Class::ExactAllowed];
    assert_eq!(
        Plan::new(skipping).unwrap_err(),
        origin_audit::AuditError::TrustedOriginSkipped
    );

    let direct = audit(&format!("ws://{backend}/"), &[APP]);
    assert_eq!(direct.exit_code(), 0, "{}", direct.render_table());
}

/// A minimal reverse proxy that removes every `Origin` line from the request head.
fn origin_stripping_proxy(backend: SocketAddr) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    thread::spawn(move || {
        for client in listener.incoming().flatten() {
            thread::spawn(move || {
                let Ok(mut server) = TcpStream::connect(backend) else {
                    return;
                };
                let mut client_reader = client.try_clone().unwrap();
                let mut head = Vec::new();
                let mut byte = [0; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client_reader.read(&mut byte).unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let kept: Vec<&[u8]> = head
                    .split_inclusive(|&b| b == b'\n')
                    .filter(|line| !line.to_ascii_lowercase().starts_with(b"origin:"))
                    .collect();
                if server.write_all(&kept.concat()).is_err() {
                    return;
                }
                let mut server_reader = server.try_clone().unwrap();
                let mut client_writer = client;
                thread::spawn(move || {
                    let _ = std::io::copy(&mut client_reader, &mut server);
                });
                let _ = std::io::copy(&mut server_reader, &mut client_writer);
            });
        }
    });
    address
}

#[test]
fn a_reflecting_cors_configuration_is_flagged() {
    let address = reflecting_cors_server();
    let report = audit(&format!("http://{address}/api"), &[APP]);
    let classes = finding_classes(&report);
    for class in [
        "reflect-arbitrary",
        "null-opaque",
        "prefix-match",
        "suffix-match",
    ] {
        assert!(classes.contains(&class), "{class}: {classes:?}");
    }
    let evil = report
        .findings()
        .find(|r| r.variant.origin.as_deref() == Some(&[b"https://evil.example".to_vec()]))
        .expect("https://evil.example is a finding");
    assert!(evil.credentials(), "reflected with credentials");
    assert_eq!(evil.exchanges.len(), 2, "a GET and a preflight");
    assert_eq!(evil.exchanges[0].request, "GET");
    assert_eq!(evil.exchanges[1].request, "OPTIONS (preflight)");
    assert_eq!(evil.exchanges[1].status, Some(204));
    assert_eq!(report.results[0].verdict, Verdict::Pass);
    assert_eq!(report.exit_code(), 1);
    assert_eq!(report.summary().requests, 2 * report.summary().variants);
}

#[test]
fn a_policy_checked_cors_configuration_has_no_findings() {
    let address = policy_cors_server(APP);
    let report = audit(&format!("http://{address}/api"), &[APP]);
    assert_eq!(report.exit_code(), 0, "{}", report.render_table());
    assert_eq!(report.results[0].outcome, Outcome::Accepted);
    assert!(report.results[0].credentials());
    // CORS never gets the request without Origin: browsers always send one.
    assert!(report.results.iter().all(|r| r.variant.origin.is_some()));
}

#[test]
fn wss_with_a_ca_file_or_insecure_and_not_without_either() {
    let policy: Arc<origin_policy::OriginPolicy> = Arc::new(APP.parse().unwrap());
    let address = wss_server(Arc::new(move |h: &HeaderMap| {
        policy.check_headers(h).is_allowed()
    }));
    let target = format!("wss://{address}/");

    let mut with_ca = config(&target, &[APP]);
    with_ca.tls = TlsTrust::CaFile(ca_pem().into());
    let report = Plan::new(with_ca).unwrap().run(&|_, _| {});
    assert_eq!(report.exit_code(), 0, "{}", report.render_table());
    assert_eq!(report.results[0].exchanges[0].status, Some(101));

    let mut insecure = config(&target, &[APP]);
    insecure.tls = TlsTrust::InsecureAcceptAnyCertificate;
    let report = Plan::new(insecure).unwrap().run(&|_, _| {});
    assert_eq!(report.exit_code(), 0, "{}", report.render_table());

    // The public roots do not know the test CA: the trusted origin gets no answer, so
    // nothing else is sent; the error is a sentence with what to do.
    let report = Plan::new(config(&target, &[APP])).unwrap().run(&|_, _| {});
    assert_eq!(report.exit_code(), 3, "{}", report.render_table());
    assert_eq!(report.summary().variants, 1);
    assert!(report.stopped_early.unwrap() > 30);
    let detail = &report.results[0].exchanges[0].detail;
    assert_eq!(
        detail,
        "the server's certificate is not signed by a CA the audit trusts: for a private CA \
         pass its certificate with `--ca FILE`; for a self-signed test server use `--insecure`"
    );
    assert!(report
        .headline()
        .starts_with("NO ANSWER: the trusted origin got no answer (the server's certificate"));
}

#[test]
fn a_ca_file_that_is_not_pem_is_refused_before_anything_is_sent() {
    let mut bad = config("wss://127.0.0.1:1/", &[APP]);
    bad.tls = TlsTrust::CaFile(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml").into());
    let error = Plan::new(bad).unwrap_err().to_string();
    assert!(error.starts_with("cannot use CA file "), "{error}");
    assert!(
        error.ends_with(": no PEM `CERTIFICATE` block in the file"),
        "{error}"
    );
}

/// Politeness: exactly one handshake per listed variant, no retries, and the concurrency cap.
#[test]
fn sends_exactly_the_listed_requests_within_the_concurrency_limit() {
    let seen = Arc::new(AtomicUsize::new(0));
    let open = Arc::new(AtomicUsize::new(0));
    let most_open = Arc::new(AtomicUsize::new(0));
    let (s, o, m) = (seen.clone(), open.clone(), most_open.clone());
    let address = ws_server(Arc::new(move |_: &HeaderMap| {
        s.fetch_add(1, Ordering::SeqCst);
        let now = o.fetch_add(1, Ordering::SeqCst) + 1;
        m.fetch_max(now, Ordering::SeqCst);
        thread::sleep(std::time::Duration::from_millis(20));
        o.fetch_sub(1, Ordering::SeqCst);
        false
    }));
    let mut config = config(&format!("ws://{address}/"), &[APP, "http://localhost:3000"]);
    config.concurrency = 3;
    let plan = Plan::new(config).unwrap();
    let report = plan.run(&|_, _| {});
    assert_eq!(seen.load(Ordering::SeqCst), plan.requests());
    assert_eq!(report.summary().requests, plan.requests());
    assert!(most_open.load(Ordering::SeqCst) <= 3);
    assert!(most_open.load(Ordering::SeqCst) >= 2, "runs concurrently");
}

/// The audit's classes are the corpus classes of `origin-policy` (its `tests/common/corpus.rs`
/// lists them).
#[test]
fn every_audit_class_is_a_corpus_class() {
    let corpus = include_str!("../../tests/common/corpus.rs");
    for class in Class::ALL.iter().filter(|c| c.is_corpus_class()) {
        assert!(
            corpus.contains(&format!("\n    \"{}\",\n", class.name())),
            "{class} is not in the corpus CATEGORIES"
        );
    }
}
