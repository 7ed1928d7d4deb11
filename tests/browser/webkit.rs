//! WebKitGTK: `MiniBrowser --automation` on an Xvfb display (it has no headless mode),
//! driven by `WebKitWebDriver` over classic WebDriver (HTTP). WebKit has no host-resolver
//! switch, so the session's `proxy` capability points it at [`super::proxy`], which sends
//! every host name to 127.0.0.1. Each page is a new window (`POST /window/new`) navigated
//! with the `none` page-load strategy.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::engine::Browser;
use super::proxy::{self, ProxyLog};
use super::{free_port, http_call, wait_for_port, Process, TempDir};

const CONTROL_TIMEOUT: Duration = Duration::from_secs(30);

/// A running MiniBrowser, its WebDriver session, and the display it draws on.
pub struct WebKit {
    driver_port: u16,
    session: String,
    version: String,
    opened: usize,
    proxy_log: ProxyLog,
    // Dropped in this order: the driver (and the MiniBrowser it started), then the display.
    driver: Process,
    xvfb: Process,
    dir: TempDir,
}

impl WebKit {
    /// Starts Xvfb, the proxy and `WebKitWebDriver`, and opens a session with MiniBrowser.
    pub fn launch(driver: &Path, minibrowser: &Path, xvfb: &Path) -> Result<WebKit, String> {
        let dir = TempDir::new("webkit");
        let display_file = dir.path().join("display");
        // Xvfb picks a free display itself and writes its number to fd 3.
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(r#"exec "$0" -displayfd 3 -nolisten tcp -screen 0 1280x1024x24 3>"$1""#)
            .arg(xvfb)
            .arg(&display_file);
        let mut xvfb = Process::spawn("xvfb", &mut command, &dir.path().join("xvfb.log"))
            .map_err(|e| format!("cannot start {}: {e}", xvfb.display()))?;
        let deadline = Instant::now() + Duration::from_secs(60);
        let display = loop {
            let text = fs::read_to_string(&display_file).unwrap_or_default();
            if text.ends_with('\n') {
                break format!(":{}", text.trim());
            }
            if xvfb.exited().is_some() || Instant::now() >= deadline {
                return Err(format!("Xvfb gave no display\n{}", xvfb.log_tail(20)));
            }
            std::thread::sleep(Duration::from_millis(50));
        };

        let (proxy_port, proxy_log) = proxy::start();
        let driver_port = free_port();
        let mut command = Command::new(driver);
        command
            .arg(format!("--port={driver_port}"))
            .arg("--host=127.0.0.1")
            .env("DISPLAY", &display)
            .env("GDK_BACKEND", "x11")
            .env("NO_AT_BRIDGE", "1")
            // Root in a container: no bubblewrap sandbox for the web processes.
            .env("WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS", "1")
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("LIBGL_ALWAYS_SOFTWARE", "1");
        let mut driver = Process::spawn(
            "WebKitWebDriver",
            &mut command,
            &dir.path().join("driver.log"),
        )
        .map_err(|e| format!("cannot start {}: {e}", driver.display()))?;
        if !wait_for_port(driver_port, Duration::from_secs(60), || {
            driver.exited().is_some()
        }) {
            return Err(format!(
                "WebKitWebDriver did not listen\n{}",
                driver.log_tail(20)
            ));
        }
        let proxy_address = format!("127.0.0.1:{proxy_port}");
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "pageLoadStrategy": "none",
                    "proxy": {
                        "proxyType": "manual",
                        "httpProxy": proxy_address,
                        "sslProxy": proxy_address,
                    },
                    "webkitgtk:browserOptions": {
                        "binary": minibrowser.to_str().ok_or("MiniBrowser path is not UTF-8")?,
                        "args": ["--automation"],
                    },
                }
            }
        });
        let mut webkit = WebKit {
            driver_port,
            session: String::new(),
            version: String::new(),
            opened: 0,
            proxy_log,
            driver,
            xvfb,
            dir,
        };
        let created = webkit.call("POST", "/session", Some(capabilities))?;
        webkit.session = created["sessionId"]
            .as_str()
            .ok_or_else(|| format!("POST /session answered {created}"))?
            .to_owned();
        let caps = &created["capabilities"];
        webkit.version = format!(
            "{} {}",
            caps["browserName"].as_str().unwrap_or("MiniBrowser"),
            caps["browserVersion"].as_str().unwrap_or("?")
        );
        Ok(webkit)
    }

    /// One WebDriver command; its `value`.
    fn call(&mut self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        let body = body.map(|b| b.to_string());
        let (status, text) = http_call(
            self.driver_port,
            method,
            path,
            body.as_deref(),
            CONTROL_TIMEOUT,
        )
        .map_err(|e| format!("WebDriver {method} {path}: {e}"))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| format!("WebDriver {method} {path}: {status} {e}: {text}"))?;
        if status != 200 {
            return Err(format!("WebDriver {method} {path}: {status} {value}"));
        }
        Ok(value["value"].clone())
    }

    /// The request lines the proxy saw.
    pub fn proxy_log(&self) -> Vec<String> {
        self.proxy_log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Browser for WebKit {
    fn version(&self) -> String {
        self.version.clone()
    }

    fn open(&mut self, url: &str) -> Result<(), String> {
        let session = self.session.clone();
        if self.opened > 0 {
            let window = self.call(
                "POST",
                &format!("/session/{session}/window/new"),
                Some(json!({ "type": "window" })),
            )?;
            let handle = window["handle"]
                .as_str()
                .ok_or_else(|| format!("window/new answered {window}"))?
                .to_owned();
            self.call(
                "POST",
                &format!("/session/{session}/window"),
                Some(json!({ "handle": handle })),
            )?;
        }
        self.opened += 1;
        self.call(
            "POST",
            &format!("/session/{session}/url"),
            Some(json!({ "url": url })),
        )?;
        Ok(())
    }

    fn gone(&mut self) -> bool {
        self.driver.exited().is_some() || self.xvfb.exited().is_some()
    }

    fn notes(&self) -> Vec<String> {
        self.proxy_log()
    }

    fn diagnostics(&self) -> String {
        let proxied = self.proxy_log();
        format!(
            "{}\n--- proxy saw {} requests:\n    {}",
            self.driver.log_tail(20),
            proxied.len(),
            proxied.join("\n    ")
        )
    }
}

impl Drop for WebKit {
    fn drop(&mut self) {
        // Ends MiniBrowser cleanly; the process guards kill whatever is left.
        let session = self.session.clone();
        if !session.is_empty() {
            let _ = http_call(
                self.driver_port,
                "DELETE",
                &format!("/session/{session}"),
                None,
                Duration::from_secs(5),
            );
        }
    }
}
