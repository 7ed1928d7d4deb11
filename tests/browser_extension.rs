//! Real browser extensions open a WebSocket (issue 15). Headless Chromium loads an unpacked
//! extension (`--load-extension`) whose service worker connects to a tungstenite server
//! guarded by the policy: with `allow_extension_or_app_origin` for its id the handshake
//! succeeds and an echo comes back; without it the extension gets a 403. The manifest's `key`
//! (a public key only) fixes the id, as the Chrome Web Store's key does:
//! `dbbkheflodgacaidabillnklmcpejnbc`, the first 128 bits of the SHA-256 of the key, one
//! letter `a`-`p` per hex digit. Headless Firefox installs a temporary add-on over WebDriver
//! BiDi (`webExtension.install`); its origin carries a random per-install UUID, in lower case.
//! A captured Chromium handshake is replayed too. The live tests are skipped without the
//! browsers, except under CI.
#![cfg(feature = "tungstenite")]

use std::fs;
use std::net::TcpListener;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::browser::chromium::CHROMIUM_FLAGS;
use crate::browser::{bind_loopback, program_or_skip, Process, TempDir};
use origin_policy::adapters::tungstenite::respond;
use origin_policy::{DenyReason, MatchedRule, OriginPolicy};
use tungstenite::handshake::server::{Request, Response};
use tungstenite::Message;

/// The extension's id, fixed by [`KEY`].
const EXTENSION_ID: &str = "dbbkheflodgacaidabillnklmcpejnbc";

/// The manifest's `key`: a base64 DER RSA public key (its private half was never kept).
const KEY: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvmTDI8ywJ0avZZWfD6hgF+oEnaxPUN5r7+kdSdwdT7QZ/O8kF9cA5H5Yo3tKwlkOlbYzwbCPsn/dmG2kXC8n4WFfCbA6l63LnK0g/X7BJ0cJUTFX/ayjv8Rx257iwORqDHPy7iINd/ZlYDUDs266hVaVPwgB/sUDLqHfjSP9QjZsLep8cGpHxwTAXDPceoVl/BZJPUNu0R5krH7xhgOVklOPrcUBRs0uwObh/pCUjcybXwF0pVHMqhZtK3qkmjgdgDxFG9a/CEjok2+poQB9Fc6O4Sap+0iXrPKxhzNAJSnfVnWLPnVmBi2ZLXklLvOTFAOb6NN1LajRxktNEC7+RwIDAQAB";

/// What the server saw on the one connection of a run.
#[derive(Debug)]
struct Seen {
    origin: Option<String>,
    rule: Option<MatchedRule>,
    reason: Option<DenyReason>,
    /// The first message after a successful handshake.
    message: Option<String>,
}

/// Serves one handshake on `listener` with `policy` and reports what it saw.
fn serve_once(listener: TcpListener, policy: OriginPolicy, seen: mpsc::Sender<Seen>) {
    thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
        // A cell: a refused handshake's error still holds the callback (and its borrow).
        let slot = std::cell::RefCell::new(None);
        // The signature is tungstenite's callback; its error type is not ours to box.
        #[allow(clippy::result_large_err)]
        let callback = |request: &Request, response: Response| {
            let decision = policy.check(request);
            *slot.borrow_mut() = Some(decision.clone());
            respond(&decision, response)
        };
        let result = tungstenite::accept_hdr(stream, callback);
        let decision = slot.borrow_mut().take().expect("the callback ran");
        let mut report = Seen {
            origin: decision
                .origin()
                .is_present()
                .then(|| String::from_utf8_lossy(decision.origin().as_bytes()).into_owned()),
            rule: decision.matched_rule().cloned(),
            reason: decision.deny_reason(),
            message: None,
        };
        if let Ok(mut socket) = result {
            if let Ok(Message::Text(text)) = socket.read() {
                report.message = Some(text.to_string());
                let _ = socket.send(Message::text(text.to_string()));
            }
            // Until the extension's close arrives and is answered.
            while socket.read().is_ok() {}
        }
        let _ = seen.send(report);
    });
}

/// Loads the extension in headless Chromium, pointed at a server with `policy`.
fn run(chromium: &std::path::Path, label: &str, policy: OriginPolicy) -> Seen {
    let (listener, port) = bind_loopback();
    let (tx, rx) = mpsc::channel();
    serve_once(listener, policy, tx);
    let dir = TempDir::new("extension");
    let manifest = serde_json::json!({
        "manifest_version": 3,
        "name": "origin-policy test extension",
        "version": "1.0",
        "key": KEY,
        "background": { "service_worker": "bg.js" },
    });
    let script = format!(
        "const ws = new WebSocket('ws://127.0.0.1:{port}/ext');\n         ws.onopen = () => ws.send('hello from ' + location.origin);\n         ws.onmessage = () => ws.close(1000);\n"
    );
    let profile = dir.path().join("profile");
    fs::create_dir(&profile).expect("profile");
    let extension = dir.path().join("extension");
    fs::create_dir(&extension).expect("extension folder");
    fs::write(extension.join("manifest.json"), manifest.to_string()).expect("manifest");
    fs::write(extension.join("bg.js"), script).expect("script");
    let mut command = std::process::Command::new(chromium);
    command
        .args(CHROMIUM_FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--load-extension={}", extension.display()))
        .arg("about:blank");
    let mut browser = Process::spawn(label, &mut command, &dir.path().join("log"))
        .unwrap_or_else(|err| panic!("cannot start {}: {err}", chromium.display()));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(seen) => {
                // The browser first (its process group killed), then its folder.
                drop(browser);
                drop(dir);
                return seen;
            }
            Err(_) if Instant::now() >= deadline || browser.exited().is_some() => {
                panic!(
                    "{label}: no handshake from the extension\n{}",
                    browser.log_tail(20)
                )
            }
            Err(_) => {}
        }
    }
}

/// The captured handshake (`tests/fixtures/chromium_extension/`) as an `http::Request`.
fn captured_request() -> http::Request<()> {
    let bytes = include_bytes!("fixtures/chromium_extension/01_ws_from_service_worker.http");
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut parsed = httparse::Request::new(&mut headers);
    assert!(parsed.parse(bytes).expect("a request").is_complete());
    let mut request = http::Request::get(parsed.path.expect("a path"));
    for header in parsed.headers.iter() {
        request = request.header(header.name, header.value);
    }
    request.body(()).expect("a request")
}

/// What Chromium sent, replayed: the id in lower case, allowed only with the opt-in.
#[test]
fn captured_extension_handshake() {
    let request = captured_request();
    let origin = "chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop";
    assert_eq!(request.headers()["origin"], origin);
    let allowed = OriginPolicy::builder()
        .allow_extension_or_app_origin(origin)
        .build()
        .expect("policy");
    assert!(matches!(
        allowed.check(&request).matched_rule(),
        Some(MatchedRule::AppOrigin(app)) if app.as_str() == origin
    ));
    let plain: OriginPolicy = "http://localhost:8080".parse().expect("policy");
    assert_eq!(
        plain.check(&request).deny_reason(),
        Some(DenyReason::NotAllowed)
    );
}

#[test]
fn chromium_extension_origin_needs_the_opt_in() {
    let test = "chromium_extension_origin_needs_the_opt_in";
    let Some(chromium) = program_or_skip(test, "CHROMIUM", &["/usr/bin/chromium"]) else {
        return;
    };
    let origin = format!("chrome-extension://{EXTENSION_ID}");
    let allowed = OriginPolicy::builder()
        .allow("http://localhost:8080")
        .allow_extension_or_app_origin(&origin)
        .build()
        .expect("policy");
    let seen = run(&chromium, "extension allowed", allowed);
    assert_eq!(seen.origin.as_deref(), Some(origin.as_str()), "{seen:?}");
    assert_eq!(
        seen.rule.as_ref().map(ToString::to_string),
        Some(format!("{origin} (Chromium extension)")),
        "{seen:?}"
    );
    assert_eq!(
        seen.message.as_deref(),
        Some(format!("hello from {origin}").as_str()),
        "{seen:?}"
    );

    let plain: OriginPolicy = "http://localhost:8080".parse().expect("policy");
    let seen = run(&chromium, "extension refused", plain);
    assert_eq!(seen.origin.as_deref(), Some(origin.as_str()), "{seen:?}");
    assert_eq!(seen.reason, Some(DenyReason::NotAllowed), "{seen:?}");
    assert_eq!(seen.message, None);
}

/// Serves two handshakes on `listener`: the first with `first`, the second with the policy
/// `second` makes of the first one's `Origin` (as a user copies the Internal UUID from
/// about:debugging into the configuration).
fn serve_twice(
    listener: TcpListener,
    first: OriginPolicy,
    second: impl FnOnce(&str) -> OriginPolicy + Send + 'static,
    seen: mpsc::Sender<Seen>,
) {
    let (tx, rx) = mpsc::channel();
    let listener2 = listener.try_clone().expect("listener");
    serve_once(listener, first, tx);
    thread::spawn(move || {
        let Ok(report) = rx.recv() else { return };
        let origin = report.origin.clone().unwrap_or_default();
        let _ = seen.send(report);
        serve_once(listener2, second(&origin), seen);
    });
}

/// Firefox 153 ESR: a temporary add-on's background page opens a WebSocket. Its origin is
/// `moz-extension://` and a random lower-case UUID per install, which the grammar accepts;
/// refused without the opt-in, allowed with it (the extension retries once after the 403).
#[test]
fn firefox_extension_origin_needs_the_opt_in() {
    let test = "firefox_extension_origin_needs_the_opt_in";
    let defaults = ["/usr/bin/firefox-esr", "/usr/bin/firefox"];
    let Some(firefox) = program_or_skip(test, "FIREFOX", &defaults) else {
        return;
    };
    let (listener, port) = bind_loopback();
    let (tx, rx) = mpsc::channel();
    let plain: OriginPolicy = "http://localhost:8080".parse().expect("policy");
    serve_twice(
        listener,
        plain,
        |origin| {
            OriginPolicy::builder()
                .allow("http://localhost:8080")
                .allow_extension_or_app_origin(origin)
                .build()
                .unwrap_or_else(|e| panic!("Firefox's origin {origin:?} is refused: {e}"))
        },
        tx,
    );
    let dir = TempDir::new("firefox-extension");
    let manifest = serde_json::json!({
        "manifest_version": 2,
        "name": "origin-policy test extension",
        "version": "1.0",
        "background": { "scripts": ["bg.js"] },
    });
    fs::write(dir.path().join("manifest.json"), manifest.to_string()).expect("manifest");
    let script = format!(
        "function open(attempt) {{\n\
           const ws = new WebSocket('ws://127.0.0.1:{port}/ext');\n\
           ws.onopen = () => ws.send('hello from ' + location.origin);\n\
           ws.onmessage = () => ws.close(1000);\n\
           ws.onerror = () => {{ if (attempt === 0) setTimeout(() => open(1), 100); }};\n\
         }}\n\
         open(0);\n"
    );
    fs::write(dir.path().join("bg.js"), script).expect("script");
    let mut browser = crate::browser::firefox::Firefox::launch(&firefox)
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", firefox.display()));
    let addon = browser
        .install_extension(dir.path())
        .unwrap_or_else(|e| panic!("cannot install the extension: {e}"));
    let next = || {
        rx.recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no handshake from the add-on {addon}"))
    };
    let refused = next();
    let origin = refused.origin.clone().expect("an Origin header");
    let uuid = origin
        .strip_prefix("moz-extension://")
        .unwrap_or_else(|| panic!("{origin:?}"));
    assert_eq!(uuid.len(), 36, "{origin:?}");
    assert_eq!(uuid, uuid.to_ascii_lowercase(), "{origin:?}");
    assert_eq!(refused.reason, Some(DenyReason::NotAllowed), "{refused:?}");
    assert!(origin.parse::<OriginPolicy>().is_err());

    let allowed = next();
    assert_eq!(
        allowed.origin.as_deref(),
        Some(origin.as_str()),
        "{allowed:?}"
    );
    assert_eq!(
        allowed.rule.as_ref().map(ToString::to_string),
        Some(format!("{origin} (Firefox extension)")),
        "{allowed:?}"
    );
    assert_eq!(
        allowed.message.as_deref(),
        Some(format!("hello from {origin}").as_str())
    );
}
