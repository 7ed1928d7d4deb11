//! A WebSocket echo server whose allowlist is reloaded from a file while it runs, without a
//! restart and without ever checking a handshake against a half-built policy.
//!
//! ```text
//! echo "http://localhost:8080" > origins.txt
//! ORIGINS_FILE=origins.txt cargo run --features reload --example reload
//! echo "http://localhost:8080, https://customer.example" > origins.txt   # picked up within 1 s
//! ```
//!
//! The file holds the string form (entries separated by commas or whitespace). An invalid
//! file is reported and the previous policy stays in force.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};
use std::{env, fs, thread};

use origin_policy::{OriginPolicy, SharedPolicy};

fn load(path: &PathBuf) -> Result<OriginPolicy, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.parse::<OriginPolicy>().map_err(|e| e.to_string())
}

fn modified(path: &PathBuf) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = PathBuf::from(env::var("ORIGINS_FILE").unwrap_or_else(|_| "origins.txt".into()));
    let port: u16 = env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(9001);
    let shared = SharedPolicy::new(load(&path)?);
    eprintln!("allowed origins: {}", *shared.load());

    // The watcher: poll the file's modification time once a second (portable, no extra
    // dependencies) and swap in the new policy when it parses.
    let watched = shared.clone();
    thread::spawn(move || {
        let mut seen = modified(&path);
        loop {
            thread::sleep(Duration::from_secs(1));
            let now = modified(&path);
            if now == seen {
                continue;
            }
            seen = now;
            match load(&path) {
                Ok(policy) => {
                    for lint in policy.lint() {
                        eprintln!("warning: {lint}");
                    }
                    eprintln!("reloaded: {policy}");
                    watched.store(policy);
                }
                Err(e) => eprintln!("reload refused, keeping the previous policy: {e}"),
            }
        }
    });

    let listener = TcpListener::bind(("127.0.0.1", port))?;
    eprintln!("listening on ws://{}/", listener.local_addr()?);
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let shared = shared.clone();
        thread::spawn(move || serve(&shared, stream));
    }
    Ok(())
}

/// Serves one connection: the handshake against the policy current at that moment, then an
/// echo until the client closes.
pub fn serve(shared: &SharedPolicy, stream: TcpStream) {
    let mut socket = match tungstenite::accept_hdr(stream, shared) {
        Ok(socket) => socket,
        Err(e) => return eprintln!("handshake refused: {e}"),
    };
    // A close frame is answered by the next `read`, which then fails with `ConnectionClosed`:
    // reading until an error is what completes the close handshake.
    while let Ok(message) = socket.read() {
        if (message.is_text() || message.is_binary()) && socket.send(message).is_err() {
            return;
        }
    }
}
