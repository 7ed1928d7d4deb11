//! The `origin-audit` binary, run as a user runs it: exit codes, the table, `--json` checked
//! against the shape documented on `Report::to_json`, `--list`, and usage errors.

use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::common::*;
use http::HeaderMap;
use serde_json::Value;

#[track_caller]
fn origin_audit(args: &[&str]) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_origin-audit"))
        .args(args)
        .output()
        .expect("run origin-audit");
    (
        status.code().expect("exit code"),
        String::from_utf8(stdout).expect("stdout is UTF-8"),
        String::from_utf8(stderr).expect("stderr is UTF-8"),
    )
}

fn prefix_matching_server() -> std::net::SocketAddr {
    ws_server(Arc::new(|h: &HeaderMap| {
        first_origin(h).is_some_and(|o| o.starts_with(APP))
    }))
}

#[track_caller]
fn field<'a>(object: &'a Value, key: &str, context: &str) -> &'a Value {
    object
        .get(key)
        .unwrap_or_else(|| panic!("{context}: no key {key:?} in {object}"))
}

#[track_caller]
fn one_of(value: &Value, allowed: &[&str], context: &str) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("{context}: {value} is not a string"));
    assert!(
        allowed.contains(&text),
        "{context}: {text:?} not in {allowed:?}"
    );
}

/// Checks a `--json` report against the shape documented on `Report::to_json`: every key,
/// its type, and the closed sets of strings.
#[track_caller]
fn validate_report(json: &Value) {
    let top = [
        "tool",
        "version",
        "target",
        "probe",
        "trusted",
        "skipped",
        "fail_on",
        "exit_code",
        "headline",
        "inconclusive",
        "stopped_early",
        "summary",
        "findings",
        "results",
    ];
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted_top = top.to_vec();
    sorted_top.sort();
    assert_eq!(keys, sorted_top, "top-level keys");
    assert_eq!(json["tool"], "origin-audit");
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
    assert!(json["target"].is_string());
    one_of(&json["probe"], &["websocket", "cors"], "probe");
    assert!(json["trusted"]
        .as_array()
        .unwrap()
        .iter()
        .all(Value::is_string));
    assert!(json["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .all(Value::is_string));
    assert!([0, 1, 3, 4].contains(&json["exit_code"].as_i64().unwrap()));
    one_of(&json["fail_on"], &["any", "exploitable"], "fail_on");
    assert!(json["headline"].is_string());
    assert!(json["inconclusive"].is_null() || json["inconclusive"].is_string());
    assert!(json["stopped_early"].is_null() || json["stopped_early"].is_u64());

    let summary = &json["summary"];
    for key in [
        "variants",
        "requests",
        "passed",
        "findings",
        "exploitable",
        "any_origin",
        "lenient",
        "trusted_refused",
        "info",
        "inconclusive",
        "errors",
        "elapsed_ms",
    ] {
        assert!(field(summary, key, "summary").is_u64(), "summary.{key}");
    }
    let classes = field(summary, "finding_classes", "summary")
        .as_array()
        .unwrap();
    let count = |key: &str| summary[key].as_u64().unwrap();
    assert_eq!(
        count("exploitable") + count("any_origin") + count("lenient") + count("trusted_refused"),
        count("findings")
    );
    let listed: u64 = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            one_of(
                &f["severity"],
                &["exploitable", "any-origin", "lenient", "trusted-refused"],
                "findings",
            );
            assert!(f["class"].is_null() || f["class"].is_string());
            assert!(f["fix"].is_string() && f["explanation"].is_string());
            assert!(f["results"].as_array().unwrap().iter().all(Value::is_u64));
            f["count"].as_u64().unwrap()
        })
        .sum();
    assert_eq!(listed, count("findings"));

    let results = json["results"].as_array().unwrap();
    assert_eq!(results.len() as u64, count("variants"));
    let mut requests = 0;
    let mut findings = 0;
    let mut verdicts = 0;
    for (i, result) in results.iter().enumerate() {
        let context = format!("results[{i}]");
        assert_eq!(result.as_object().unwrap().len(), 10, "{context}: {result}");
        assert_eq!(
            field(result, "index", &context).as_u64(),
            Some(i as u64 + 1)
        );
        let class = field(result, "class", &context).as_str().unwrap();
        assert!(
            origin_audit::Class::from_name(class).is_some(),
            "{context}: class {class}"
        );
        one_of(&result["expect"], &["accept", "refuse", "either"], &context);
        let origin = field(result, "origin", &context);
        assert!(
            origin.is_null()
                || origin.as_array().is_some_and(|lines| lines
                    .iter()
                    .all(|l| l.as_str().is_some_and(str::is_ascii))),
            "{context}: origin {origin}"
        );
        assert!(field(result, "browser_can_send", &context).is_boolean());
        assert!(field(result, "credentials", &context).is_boolean());
        assert!(field(result, "explanation", &context).is_string());
        one_of(
            &result["outcome"],
            &["accepted", "any-origin", "refused", "error"],
            &context,
        );
        one_of(
            &result["verdict"],
            &[
                "pass",
                "finding",
                "any-origin",
                "info",
                "inconclusive",
                "error",
            ],
            &context,
        );
        verdicts += 1;
        if result["verdict"] == "finding" {
            findings += 1;
            assert!(
                classes.contains(&result["class"]),
                "{context} in finding_classes"
            );
        }
        for exchange in field(result, "exchanges", &context).as_array().unwrap() {
            requests += 1;
            assert_eq!(
                exchange.as_object().unwrap().len(),
                6,
                "{context}: {exchange}"
            );
            one_of(
                &exchange["request"],
                &["GET (upgrade)", "GET", "OPTIONS (preflight)"],
                &context,
            );
            let status = field(exchange, "status", &context);
            assert!(
                status.is_null() || status.is_u64(),
                "{context}: status {status}"
            );
            one_of(
                &exchange["outcome"],
                &["accepted", "any-origin", "refused", "error"],
                &context,
            );
            assert!(field(exchange, "credentials", &context).is_boolean());
            assert!(field(exchange, "detail", &context).is_string());
            for values in field(exchange, "headers", &context)
                .as_object()
                .unwrap()
                .values()
            {
                assert!(values.as_array().unwrap().iter().all(Value::is_string));
            }
        }
    }
    assert_eq!(requests, count("requests"));
    assert_eq!(verdicts, count("variants"));
    // No `*` answers in these reports: every finding is one row.
    if count("any_origin") == 0 {
        assert_eq!(findings, count("findings"));
    }
}

#[test]
fn json_report_against_a_prefix_matching_server() {
    let address = prefix_matching_server();
    let target = format!("ws://{address}/");
    let (code, stdout, stderr) = origin_audit(&[&target, "--trusted", APP, "--json"]);
    assert_eq!(code, 1, "stderr: {stderr}");
    // Not a terminal: no progress line, nothing on stderr.
    assert_eq!(stderr, "");
    let json: Value = serde_json::from_str(&stdout).expect("stdout is JSON");
    validate_report(&json);
    assert_eq!(json["exit_code"], 1);
    assert_eq!(json["target"], target);
    assert_eq!(json["probe"], "websocket");
    assert_eq!(json["trusted"], serde_json::json!([APP]));
    let classes = json["summary"]["finding_classes"].as_array().unwrap();
    assert!(classes.contains(&"prefix-match".into()), "{classes:?}");
    assert!(!classes.contains(&"null-opaque".into()), "{classes:?}");
    let prefix = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["origin"] == serde_json::json!(["https://app.example.com.evil.example"]))
        .unwrap();
    assert_eq!(prefix["verdict"], "finding");
    assert_eq!(prefix["browser_can_send"], true);
    assert_eq!(prefix["exchanges"][0]["status"], 101);
}

#[test]
fn table_against_the_example_server_policy() {
    let address = policy_server("http://localhost:8080");
    let target = format!("ws://{address}/");
    let (code, stdout, stderr) = origin_audit(&[&target, "--trusted", "http://localhost:8080"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.starts_with(&format!(
        "origin-audit {}: {target} (WebSocket handshakes)\ntrusted: http://localhost:8080\n",
        env!("CARGO_PKG_VERSION")
    )));
    assert!(
        stdout.contains(
            "\n\nOK: the trusted origin is accepted and every attack refused\n\n  #  verdict "
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "\n  1  pass          exact-allowed        accept  accepted    \"http://localhost:8080\""
        ),
        "{stdout}"
    );
    let last = stdout.lines().last().unwrap();
    assert!(last.starts_with("summary: ok: no findings in "), "{last}");
    assert!(!stdout.contains("findings:"), "{stdout}");
}

#[test]
fn findings_are_explained_in_the_table() {
    let address = prefix_matching_server();
    let (code, stdout, _) =
        origin_audit(&[&format!("ws://{address}/"), "-t", APP, "--no-progress"]);
    assert_eq!(code, 1);
    assert!(stdout.contains("\nfindings: "), "{stdout}");
    assert!(
        stdout.contains(
            "\nTHE ORIGIN CHECK IS TOO LOOSE: matches the trusted origin as a prefix: \
             `<trusted>.evil.example` is anyone's domain (prefix-match, \
             \"https://app.example.com.evil.example\" accepted)\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("  exploitable from any web page:\n    prefix-match: #"),
        "{stdout}"
    );
    assert!(
        stdout.contains("      fix: compare the whole origin (scheme, host, port) for equality"),
        "{stdout}"
    );
    assert!(stdout
        .lines()
        .last()
        .unwrap()
        .starts_with("summary: FAIL: "));
}

#[test]
fn list_sends_nothing() {
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let address = ws_server(Arc::new(move |_: &HeaderMap| {
        counter.fetch_add(1, Ordering::SeqCst);
        true
    }));
    let (code, stdout, _) = origin_audit(&[&format!("ws://{address}/"), "-t", APP, "--list"]);
    assert_eq!(code, 0);
    let last = stdout.lines().last().unwrap();
    assert!(last.ends_with("; nothing was sent"), "{last}");
    let (code, stdout, _) =
        origin_audit(&[&format!("ws://{address}/"), "-t", APP, "--list", "--json"]);
    assert_eq!(code, 0);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let listed = json["variants"].as_array().unwrap().len();
    assert_eq!(json["requests"].as_u64(), Some(listed as u64));
    assert_eq!(seen.load(Ordering::SeqCst), 0);
}

#[test]
fn unreachable_endpoint_exits_with_three_and_stops_after_the_trusted_origin() {
    // A port that was just free: connections are refused.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (code, stdout, _) = origin_audit(&[
        &format!("ws://127.0.0.1:{port}/"),
        "-t",
        APP,
        "--timeout",
        "2s",
    ]);
    assert_eq!(code, 3, "{stdout}");
    assert!(stdout.contains("\nerrors: 1 variant(s)"), "{stdout}");
    assert!(
        stdout.contains(" more variant(s) not sent: the trusted origin got no answer\n"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .last()
            .unwrap()
            .starts_with("summary: NO ANSWER: the trusted origin got no answer in 1 variants"),
        "{stdout}"
    );
}

#[test]
fn usage_errors_exit_with_two_and_say_what_to_fix() {
    let cases: &[(&[&str], &str)] = &[
        (
            &[],
            "no target: give a ws://, wss://, http:// or https:// URL",
        ),
        (
            &["ws://127.0.0.1:9/"],
            "no trusted origin: give at least one",
        ),
        (&["ftp://x/", "-t", APP], "the scheme must be ws, wss"),
        // Messages about the flags, not the library's API.
        (
            &["ws://127.0.0.1:9/", "-t", "https://*.example.com"],
            "--trusted \"https://*.example.com\": give exact origins; the audit builds its \
             attacks from each one, so for a wildcard allowlist name one of the sites it \
             covers, as in `--trusted https://app.example.com`",
        ),
        (
            &["ws://127.0.0.1:9/", "-t", "null"],
            "--trusted \"null\": `null` is the opaque origin of sandboxed pages and data: URLs, \
             which any site can produce; the audit checks that it is refused, so leave it out",
        ),
        (
            &["ws://127.0.0.1:9/", "-t", "app.example.com"],
            "--trusted \"app.example.com\": not an origin (",
        ),
        (
            &["ws://127.0.0.1:9/", "-t", APP, "--skip", "exact-allowed"],
            "--skip exact-allowed: the trusted origin is always sent",
        ),
        (
            &["ws://127.0.0.1:9/", "-t", APP, "--fail-on", "some"],
            "--fail-on \"some\": use `exploitable` or `any`",
        ),
        (
            &[
                "ws://127.0.0.1:9/",
                "-t",
                APP,
                "--attack",
                "https://x.example\u{1}",
            ],
            "--attack \"https://x.example\\u{1}\": not sendable as a header",
        ),
        (
            &["ws://127.0.0.1:9/", "-t", APP, "--timeout", "-1s"],
            "--timeout \"-1s\": write it as",
        ),
        (
            &["ws://127.0.0.1:9/", "-t", APP, "--timeout", "11m"],
            "--timeout \"11m\": use 1ms to 10m",
        ),
        (&["--list"], "no trusted origin: give at least one"),
        (
            &["ws://127.0.0.1:9/", "-t", APP, "--skip", "nope"],
            "--skip \"nope\": not a class; one of exact-allowed, ",
        ),
        (
            &["ws://127.0.0.1:9/", "-t", APP, "--timeout", "soon"],
            "--timeout \"soon\": write it as 5s, 1.5s, 1500ms, 1m or 2",
        ),
        (
            &["ws://127.0.0.1:9/", "-t", APP, "--concurrency", "0"],
            "--concurrency 0: use 1 to 32",
        ),
        (
            &["ws://127.0.0.1:9/", "-t", APP, "--max-requests", "3"],
            "would send",
        ),
        (
            &["ws://127.0.0.1:9/", "-t", APP, "-H", "Origin: x"],
            "the audit sets this header itself",
        ),
        (
            &[
                "wss://127.0.0.1:9/",
                "-t",
                APP,
                "--ca",
                "x.pem",
                "--insecure",
            ],
            "--ca and --insecure exclude each other",
        ),
        (
            &["ws://127.0.0.1:9/", "-t", APP, "--bogus"],
            "invalid option '--bogus'",
        ),
    ];
    for (args, message) in cases {
        let (code, stdout, stderr) = origin_audit(args);
        assert_eq!(code, 2, "{args:?}: {stdout}");
        assert!(
            stderr.starts_with("origin-audit: error: "),
            "{args:?}: {stderr}"
        );
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("OriginPolicyBuilder"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("left-most label"), "{args:?}: {stderr}");
        assert_eq!(stdout, "", "{args:?}");
    }
    let (code, stdout, _) = origin_audit(&["--help"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("exit codes: 0 no findings, 1 findings"));
}

#[test]
fn list_needs_no_target_and_a_closed_pipe_is_not_a_panic() {
    let (code, stdout, stderr) =
        origin_audit(&["--list", "-t", APP, "--attack", "https://partner.example"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("  #  class"), "{stdout}");
    assert!(
        stdout.contains("user-supplied        refuse  \"https://partner.example\"\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("user-content-host    refuse  \"https://evil-example.github.io\"\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("development-origin   refuse  \"http://localhost:3000\"\n"),
        "{stdout}"
    );
    assert!(stdout.trim_end().ends_with("nothing was sent"), "{stdout}");
    let (code, stdout, _) = origin_audit(&["--list", "--json", "-t", APP]);
    assert_eq!(code, 0);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    assert!(json["target"].is_null());
    assert!(json["variants"].as_array().unwrap().len() > 50);

    // `origin-audit --list | head`: the reader is gone before anything is written.
    for args in [
        &["--list", "-t", APP][..],
        &["--list", "--json", "-t", APP][..],
        &["--help"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_origin-audit"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

#[test]
fn timeouts_in_fractions_and_minutes() {
    for timeout in ["1.5s", "1m", "250ms", "2", "0.5"] {
        let (code, _, stderr) = origin_audit(&["--list", "-t", APP, "--timeout", timeout]);
        assert_eq!(code, 0, "{timeout}: {stderr}");
    }
}

#[test]
fn fail_on_exploitable_ignores_a_lenient_check() {
    // Accepts the trusted origin with a trailing slash too: only a non-browser client sends that.
    let address = ws_server(Arc::new(|h: &HeaderMap| {
        first_origin(h).is_some_and(|o| o.trim_end_matches('/') == APP)
            && h.get_all("origin").iter().count() == 1
    }));
    let target = format!("ws://{address}/");
    let (code, stdout, _) = origin_audit(&[&target, "-t", APP]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains(
            "\nA LENIENT PARSER: only values browsers never send are accepted \
             (path-query-fragment); a web page cannot exploit it\n"
        ),
        "{stdout}"
    );
    let (code, stdout, _) = origin_audit(&[&target, "-t", APP, "--fail-on", "exploitable"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("summary: ok (--fail-on exploitable): 1 finding, none exploitable in "),
        "{stdout}"
    );
    let (code, stdout, _) =
        origin_audit(&[&target, "-t", APP, "--fail-on", "exploitable", "--json"]);
    assert_eq!(code, 0);
    let json: Value = serde_json::from_str(&stdout).unwrap();
    validate_report(&json);
    assert_eq!(json["summary"]["lenient"], 1);
    assert_eq!(json["findings"][0]["severity"], "lenient");
}
