//! nginx as the reverse proxy in front of the WebSocket and API servers, in two
//! configurations on two ports: a correct one (WebSocket upgrade passed on, `Origin` and
//! every other request header forwarded as nginx does by default), and a broken one that
//! drops `Origin` (`proxy_set_header Origin "";`), behind which every handshake must be
//! refused as missing.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::{free_port, wait_for_port, Process, TempDir};

/// A running nginx.
#[derive(Debug)]
pub struct Nginx {
    /// The port of the correct configuration.
    pub forwarding_port: u16,
    /// The port of the configuration that drops `Origin`.
    pub dropping_port: u16,
    process: Process,
    // Declared last: removed after nginx is gone.
    dir: TempDir,
}

/// The `location` blocks of one server: `/ws/` to the WebSocket server, the rest to the
/// API server. `extra` goes into both (a header rule); `proxy_set_header` in a location
/// replaces every inherited one, so each location lists all of its own.
fn locations(ws_port: u16, api_port: u16, extra: &str) -> String {
    format!(
        r#"
        location /ws/ {{
            proxy_pass http://127.0.0.1:{ws_port};
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            {extra}
            proxy_read_timeout 30s;
        }}
        location / {{
            proxy_pass http://127.0.0.1:{api_port};
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header Connection "";
            {extra}
            proxy_buffering off;
        }}"#
    )
}

/// The whole configuration; every path is under `dir`.
pub fn config(dir: &Path, forwarding: u16, dropping: u16, ws_port: u16, api_port: u16) -> String {
    let d = dir.display();
    let good = locations(ws_port, api_port, "");
    let bad = locations(ws_port, api_port, r#"proxy_set_header Origin "";"#);
    format!(
        r#"worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}
    # The correct reverse proxy: Origin is forwarded (nginx passes request headers on).
    server {{
        listen 127.0.0.1:{forwarding};{good}
    }}
    # The broken one: it drops Origin.
    server {{
        listen 127.0.0.1:{dropping};{bad}
    }}
}}
"#
    )
}

impl Nginx {
    /// Starts `binary` in front of `ws_port` and `api_port`.
    pub fn start(binary: &Path, ws_port: u16, api_port: u16) -> Result<Nginx, String> {
        let dir = TempDir::new("nginx");
        let (forwarding_port, dropping_port) = (free_port(), free_port());
        let conf = dir.path().join("nginx.conf");
        let text = config(
            dir.path(),
            forwarding_port,
            dropping_port,
            ws_port,
            api_port,
        );
        std::fs::write(&conf, text).map_err(|e| e.to_string())?;
        let mut command = Command::new(binary);
        command
            .arg("-p")
            .arg(dir.path())
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .arg("-c")
            .arg(&conf);
        let mut process = Process::spawn("nginx", &mut command, &dir.path().join("log"))
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        for port in [forwarding_port, dropping_port] {
            if !wait_for_port(port, Duration::from_secs(30), || process.exited().is_some()) {
                let errors =
                    std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
                return Err(format!(
                    "nginx does not listen on {port}\n{}\n{errors}",
                    process.log_tail(20)
                ));
            }
        }
        Ok(Nginx {
            forwarding_port,
            dropping_port,
            process,
            dir,
        })
    }

    /// Its version line (`nginx -v`).
    pub fn version(binary: &Path) -> String {
        Command::new(binary)
            .arg("-v")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stderr).trim().to_owned())
            .unwrap_or_default()
    }
}
