//! Headless Chromium, one process with a fresh profile; each page is a tab opened through
//! the DevTools HTTP endpoint (`PUT /json/new?<url>`). `--host-resolver-rules` maps every
//! host name to 127.0.0.1.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::engine::Browser;
use super::{http_call, Process, TempDir};

/// The flags that work in this environment: new headless mode, no sandbox (root in a
/// container), no background traffic, every host name mapped to loopback.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--host-resolver-rules=MAP * 127.0.0.1",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
];

const CONTROL_TIMEOUT: Duration = Duration::from_secs(30);

/// A running headless Chromium.
#[derive(Debug)]
pub struct Chromium {
    process: Process,
    devtools_port: u16,
    version: String,
    // Declared last: removed after the processes are gone.
    dir: TempDir,
}

impl Chromium {
    /// Starts `binary` on `about:blank` and waits for its DevTools endpoint.
    pub fn launch(binary: &Path) -> Result<Chromium, String> {
        let dir = TempDir::new("chromium");
        let profile = dir.path().join("profile");
        fs::create_dir(&profile).map_err(|e| e.to_string())?;
        let mut command = Command::new(binary);
        command
            .args(CHROMIUM_FLAGS)
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank");
        let mut process = Process::spawn("chromium", &mut command, &dir.path().join("log"))
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        // Chromium writes the port it bound to this file.
        let port_file = profile.join("DevToolsActivePort");
        let deadline = Instant::now() + Duration::from_secs(60);
        let devtools_port = loop {
            let text = fs::read_to_string(&port_file).unwrap_or_default();
            if let Some(port) = text
                .lines()
                .next()
                .and_then(|l| l.trim().parse::<u16>().ok())
            {
                break port;
            }
            if process.exited().is_some() || Instant::now() >= deadline {
                return Err(format!(
                    "chromium did not open its DevTools port\n{}",
                    process.log_tail(20)
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let (status, body) =
            http_call(devtools_port, "GET", "/json/version", None, CONTROL_TIMEOUT)
                .map_err(|e| format!("chromium /json/version: {e}"))?;
        let version = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["Browser"].as_str().map(str::to_owned))
            .ok_or_else(|| format!("chromium /json/version answered {status} {body:?}"))?;
        Ok(Chromium {
            process,
            devtools_port,
            version,
            dir,
        })
    }
}

impl Browser for Chromium {
    fn version(&self) -> String {
        self.version.clone()
    }

    fn open(&mut self, url: &str) -> Result<(), String> {
        // The query is the URL, percent-decoded by Chromium.
        let encoded: String = url::form_urlencoded::byte_serialize(url.as_bytes())
            .collect::<String>()
            .replace('+', "%20");
        let (status, body) = http_call(
            self.devtools_port,
            "PUT",
            &format!("/json/new?{encoded}"),
            None,
            CONTROL_TIMEOUT,
        )
        .map_err(|e| format!("chromium /json/new {url}: {e}"))?;
        if status != 200 {
            return Err(format!("chromium /json/new {url}: {status} {body}"));
        }
        Ok(())
    }

    fn gone(&mut self) -> bool {
        self.process.exited().is_some()
    }

    fn diagnostics(&self) -> String {
        self.process.log_tail(20)
    }
}
