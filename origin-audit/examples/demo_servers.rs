//! Two CORS servers on 127.0.0.1 to try `origin-audit` on, the ones its README shows:
//!
//! - port 8401 has no origin check: it echoes any `Origin` with credentials (a common
//!   hand-written mistake, and what `cors({origin: true, credentials: true})` does);
//! - port 8402 is correct: `origin_policy` decides, the allowed origin is echoed with
//!   `Vary: Origin`, and a refused preflight gets `403`.
//!
//! ```text
//! cargo run -p origin-audit --example demo_servers &
//! cargo run -p origin-audit -- http://127.0.0.1:8401/api --trusted https://app.example.com
//! cargo run -p origin-audit -- http://127.0.0.1:8402/api --trusted https://app.example.com
//! ```

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use origin_policy::OriginPolicy;

fn main() -> std::io::Result<()> {
    let policy: Arc<OriginPolicy> = Arc::new(
        "https://app.example.com"
            .parse()
            .expect("a valid allowlist"),
    );
    let no_check = TcpListener::bind("127.0.0.1:8401")?;
    let correct = TcpListener::bind("127.0.0.1:8402")?;
    eprintln!("no origin check on http://127.0.0.1:8401/, correct on http://127.0.0.1:8402/");
    let reflecting = thread::spawn(move || serve(no_check, Arc::new(|_: &[u8]| true)));
    serve(
        correct,
        Arc::new(move |origin: &[u8]| policy.check_value(origin).is_allowed()),
    );
    let _ = reflecting.join();
    Ok(())
}

type Allowed = Arc<dyn Fn(&[u8]) -> bool + Send + Sync>;

fn serve(listener: TcpListener, allowed: Allowed) {
    for stream in listener.incoming().flatten() {
        let allowed = allowed.clone();
        thread::spawn(move || answer(stream, &*allowed));
    }
}

fn answer(mut stream: TcpStream, allowed: &dyn Fn(&[u8]) -> bool) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut buffer = [0; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buffer[..n]),
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    let preflight = head.starts_with(b"OPTIONS ");
    // The first `Origin` line, as most servers read it.
    let origin = head.split(|&b| b == b'\n').find_map(|line| {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let (name, value) = line.split_at(line.iter().position(|&b| b == b':')?);
        name.eq_ignore_ascii_case(b"origin")
            .then(|| value[1..].trim_ascii().to_vec())
    });
    let mut response = Vec::new();
    let ok = origin.as_deref().is_some_and(allowed);
    let status = match (preflight, ok) {
        (true, true) => "204 No Content",
        (true, false) => "403 Forbidden",
        (false, _) => "200 OK",
    };
    response.extend_from_slice(format!("HTTP/1.1 {status}\r\nVary: Origin\r\n").as_bytes());
    if let (true, Some(origin)) = (ok, origin) {
        response.extend_from_slice(b"Access-Control-Allow-Origin: ");
        response.extend_from_slice(&origin);
        response.extend_from_slice(b"\r\nAccess-Control-Allow-Credentials: true\r\n");
        if preflight {
            response.extend_from_slice(
                b"Access-Control-Allow-Methods: GET, POST\r\nAccess-Control-Allow-Headers: content-type\r\n",
            );
        }
    }
    let body: &[u8] = if preflight { b"" } else { b"{\"ok\":true}" };
    response.extend_from_slice(
        format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    response.extend_from_slice(body);
    let _ = stream.write_all(&response);
}
