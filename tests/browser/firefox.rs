//! Headless Firefox (ESR) with a fresh profile, driven over WebDriver BiDi
//! (`--remote-debugging-port`; tungstenite is the client). Each page is a tab
//! (`browsingContext.create`, then `browsingContext.navigate` without waiting).
//!
//! Profile prefs: `network.dns.forceResolve` sends every host name to 127.0.0.1 (the
//! punycode name of an IDN host included), DNS over HTTPS is off, and
//! `network.websocket.delay-failed-reconnects=false` stops the growing back-off Firefox puts
//! between refused handshakes to the same host (541 ms, 811 ms, ... 6 s).

use std::fs;
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};
use tungstenite::{Message, WebSocket};

use super::engine::Browser;
use super::{Process, TempDir};

/// The profile's `user.js`.
const USER_JS: &str = r#"
user_pref("network.dns.forceResolve", "127.0.0.1");
user_pref("network.dns.disableIPv6", true);
user_pref("network.trr.mode", 5);
user_pref("network.proxy.type", 0);
user_pref("network.websocket.delay-failed-reconnects", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("app.update.disabledForTesting", true);
user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("dom.min_background_timeout_value", 4);
"#;

const LISTENING: &str = "WebDriver BiDi listening on ";

/// A running headless Firefox and its BiDi session.
pub struct Firefox {
    bidi: WebSocket<TcpStream>,
    next_id: u64,
    version: String,
    /// `network.responseStarted` events seen so far: (URL, status).
    responses: Vec<(String, u16)>,
    process: Process,
    // Declared last: removed after the processes are gone.
    dir: TempDir,
}

impl Firefox {
    /// Starts `binary` and opens a BiDi session.
    pub fn launch(binary: &Path) -> Result<Firefox, String> {
        let dir = TempDir::new("firefox");
        let profile = dir.path().join("profile");
        fs::create_dir(&profile).map_err(|e| e.to_string())?;
        fs::write(profile.join("user.js"), USER_JS).map_err(|e| e.to_string())?;
        let mut command = Command::new(binary);
        command
            .args(["--headless", "--no-remote", "--remote-debugging-port", "0"])
            .arg("--profile")
            .arg(&profile)
            .env("MOZ_CRASHREPORTER_DISABLE", "1");
        let mut process = Process::spawn("firefox", &mut command, &dir.path().join("log"))
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let line = process.wait_for_line(LISTENING, Duration::from_secs(120))?;
        let address = line[line.find(LISTENING).map_or(0, |i| i + LISTENING.len())..].trim();
        let host_port = address
            .strip_prefix("ws://")
            .ok_or_else(|| format!("firefox printed {line:?}"))?;
        let stream = TcpStream::connect(host_port).map_err(|e| format!("BiDi connect: {e}"))?;
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .map_err(|e| e.to_string())?;
        let (bidi, _) = tungstenite::client(format!("ws://{host_port}/session"), stream)
            .map_err(|e| format!("BiDi handshake: {e}"))?;
        let mut firefox = Firefox {
            bidi,
            next_id: 0,
            version: String::new(),
            responses: Vec::new(),
            process,
            dir,
        };
        let session = firefox.command("session.new", json!({ "capabilities": {} }))?;
        let caps = &session["capabilities"];
        firefox.version = format!(
            "{} {}",
            caps["browserName"].as_str().unwrap_or("firefox"),
            caps["browserVersion"].as_str().unwrap_or("?")
        );
        // The browser's own view of each response, WebSocket handshakes included (its
        // console never shows a handshake's status).
        firefox.command(
            "session.subscribe",
            json!({ "events": ["network.responseStarted"] }),
        )?;
        Ok(firefox)
    }

    /// Installs the unpacked extension in `path` as a temporary add-on (BiDi
    /// `webExtension.install`); returns the add-on's id.
    pub fn install_extension(&mut self, path: &Path) -> Result<String, String> {
        let path = path.to_str().ok_or("the extension path is not UTF-8")?;
        let installed = self.command(
            "webExtension.install",
            json!({ "extensionData": { "type": "path", "path": path } }),
        )?;
        installed["extension"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("webExtension.install answered {installed}"))
    }

    /// Keeps a `network.responseStarted` event.
    fn keep_event(&mut self, value: &Value) {
        if value["method"] == "network.responseStarted" {
            let params = &value["params"];
            let url = params["request"]["url"].as_str().unwrap_or("").to_owned();
            let status = params["response"]["status"].as_u64().unwrap_or(0);
            self.responses
                .push((url, u16::try_from(status).unwrap_or(0)));
        }
    }

    /// Sends one BiDi command and returns its `result` (events in between are skipped).
    fn command(&mut self, method: &str, params: Value) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let text = json!({ "id": id, "method": method, "params": params }).to_string();
        self.bidi
            .send(Message::text(text))
            .map_err(|e| format!("BiDi {method}: {e}"))?;
        loop {
            let message = self
                .bidi
                .read()
                .map_err(|e| format!("BiDi {method}: {e}"))?;
            let Message::Text(text) = message else {
                continue;
            };
            let value: Value = serde_json::from_str(text.as_str())
                .map_err(|e| format!("BiDi {method}: {e}: {text}"))?;
            if value["id"].as_u64() != Some(id) {
                self.keep_event(&value);
                continue;
            }
            if value["type"] == "error" {
                return Err(format!("BiDi {method}: {value}"));
            }
            return Ok(value["result"].clone());
        }
    }
}

impl Browser for Firefox {
    fn version(&self) -> String {
        self.version.clone()
    }

    fn open(&mut self, url: &str) -> Result<(), String> {
        let created = self.command("browsingContext.create", json!({ "type": "tab" }))?;
        let context = created["context"]
            .as_str()
            .ok_or_else(|| format!("browsingContext.create answered {created}"))?
            .to_owned();
        self.command(
            "browsingContext.navigate",
            json!({ "context": context, "url": url, "wait": "none" }),
        )?;
        Ok(())
    }

    fn response_statuses(&mut self) -> Option<Vec<(String, u16)>> {
        // Reads the events that arrived since the last command.
        let _ = self
            .bidi
            .get_mut()
            .set_read_timeout(Some(Duration::from_millis(300)));
        while let Ok(message) = self.bidi.read() {
            if let Message::Text(text) = message {
                if let Ok(value) = serde_json::from_str::<Value>(text.as_str()) {
                    self.keep_event(&value);
                }
            }
        }
        let _ = self
            .bidi
            .get_mut()
            .set_read_timeout(Some(Duration::from_secs(20)));
        Some(self.responses.clone())
    }

    fn gone(&mut self) -> bool {
        self.process.exited().is_some()
    }

    fn diagnostics(&self) -> String {
        self.process.log_tail(20)
    }
}
