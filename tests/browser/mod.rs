//! Helpers of `tests/browser_e2e.rs`: the three browser engines (Chromium, Firefox,
//! WebKitGTK) behind one interface, nginx as a reverse proxy, a forwarding proxy, temporary
//! directories, a hand-written HTTP/1.1 server on 127.0.0.1 and a collector of what the pages
//! report.
//!
//! Nothing here can hang a test: sockets have timeouts, waits have deadlines, and every
//! started process group is killed when its guard is dropped, also when a test panics.
//! Nothing leaves the machine: every engine maps every host name to 127.0.0.1.
// Each test module may use a different subset of these helpers.
#![allow(dead_code)]

pub mod chromium;
pub mod engine;
pub mod firefox;
pub mod nginx;
pub mod proxy;
pub mod webkit;

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Socket timeouts of the HTTP server.
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether we run under CI (`CI=true`, as CI systems set it).
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// The program `$env_var`, or the first of `defaults` that exists; `None` (with a printed
/// notice) when there is none, outside CI.
///
/// # Panics
///
/// Under `CI=true` a missing program is a failure, never a skip.
pub fn program_or_skip(test: &str, env_var: &str, defaults: &[&str]) -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = match std::env::var_os(env_var) {
        Some(path) if !path.is_empty() => vec![PathBuf::from(path)],
        _ => defaults.iter().map(PathBuf::from).collect(),
    };
    if let Some(found) = candidates
        .iter()
        .find(|path| fs::metadata(path).is_ok_and(|m| m.is_file()))
    {
        return Some(found.clone());
    }
    let tried: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
    let message = format!(
        "{test}: no program at {} (install it with `bash .ci/browser-deps.sh`, or point ${env_var} at one)",
        tried.join(" or ")
    );
    if under_ci() {
        panic!("{message}; CI=true, so a missing browser is a failure, not a skip");
    }
    eprintln!("SKIPPED {message}; CI is not set, so this is a skip");
    None
}

/// A directory under the system temp dir, unique to this process and call, removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// Creates a fresh, empty directory whose name starts with `prefix`.
    pub fn new(prefix: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "origin-policy-{prefix}-{}-{n}-{nanos}",
            std::process::id()
        ));
        fs::create_dir(&path)
            .unwrap_or_else(|err| panic!("cannot create {}: {err}", path.display()));
        TempDir(path)
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A started program in its own process group, with stdout and stderr in a log file.
/// Dropping it kills the whole group (a browser's helper processes, nginx's workers).
#[derive(Debug)]
pub struct Process {
    label: String,
    child: Child,
    log: PathBuf,
}

impl Process {
    /// Starts `command` (stdin closed, output to `log`) as the leader of a new group.
    pub fn spawn(label: &str, command: &mut Command, log: &Path) -> io::Result<Process> {
        let out = File::create(log)?;
        let err = out.try_clone()?;
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()?;
        Ok(Process {
            label: label.to_owned(),
            child,
            log: log.to_owned(),
        })
    }

    /// Everything the program wrote so far.
    pub fn log_text(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The last lines of its output, for failure messages.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = self.log_text();
        let all: Vec<&str> = text.lines().collect();
        let tail = all[all.len().saturating_sub(lines)..].join("\n    ");
        format!(
            "--- {} output (last {lines} lines):\n    {tail}",
            self.label
        )
    }

    /// Whether the program exited already (a crash or a bad flag).
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Waits until the log contains `needle` (returns the line) or `timeout` passes or the
    /// program exits.
    pub fn wait_for_line(&mut self, needle: &str, timeout: Duration) -> Result<String, String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(line) = self.log_text().lines().find(|l| l.contains(needle)) {
                return Ok(line.to_owned());
            }
            if let Some(status) = self.exited() {
                return Err(format!(
                    "{} exited ({status}) before printing {needle:?}\n{}",
                    self.label,
                    self.log_tail(20)
                ));
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "{} printed no {needle:?} within {timeout:?}\n{}",
                    self.label,
                    self.log_tail(20)
                ));
            }
            thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let pgid = self.child.id();
        // Only the group this guard created (its leader is our child).
        let group_killed = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pgid}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !group_killed {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// A free port on 127.0.0.1 for a program that binds it itself (the listener is closed
/// again; another process could take the port in between, which is unlikely in a test).
pub fn free_port() -> u16 {
    bind_loopback().1
}

/// Waits until something accepts connections on `127.0.0.1:port`.
pub fn wait_for_port(port: u16, timeout: Duration, mut gone: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline && !gone() {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        thread::sleep(Duration::from_millis(50));
    }
    false
}

/// One HTTP/1.1 exchange with a local control endpoint (WebDriver, DevTools): sends
/// `method path` with an optional JSON body, returns the status and the body.
pub fn http_call(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&str>,
    timeout: Duration,
) -> io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let body = body.unwrap_or("");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes())?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = stream.read(&mut chunk)?;
        if n > 0 {
            buf.extend_from_slice(&chunk[..n]);
        }
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut parsed = httparse::Response::new(&mut headers);
        if let Ok(httparse::Status::Complete(head_len)) = parsed.parse(&buf) {
            let length = parsed
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .and_then(|h| {
                    std::str::from_utf8(h.value)
                        .ok()?
                        .trim()
                        .parse::<usize>()
                        .ok()
                });
            let status = parsed.code.unwrap_or(0);
            let done = match length {
                Some(length) => buf.len() >= head_len + length,
                None => n == 0,
            };
            if done {
                let end = length.map_or(buf.len(), |l| head_len + l);
                let text = String::from_utf8_lossy(&buf[head_len..end]).into_owned();
                return Ok((status, text));
            }
        }
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("{method} {path}: connection closed before a complete response"),
            ));
        }
    }
}

/// The request head exactly as it arrived (request line and header lines, CRLF kept, up to
/// and including the blank line), attached to each [`HttpRequest`] as an extension.
#[derive(Clone, Debug)]
pub struct RawHead(pub Vec<u8>);

/// A request as the HTTP server parsed it.
pub type HttpRequest = http::Request<Vec<u8>>;
/// What a handler answers.
pub type HttpResponse = http::Response<Vec<u8>>;
/// A request handler shared by the server's connection threads.
pub type Handler = Arc<dyn Fn(&HttpRequest) -> HttpResponse + Send + Sync>;

/// Binds `127.0.0.1:0`; returns the listener and its port.
pub fn bind_loopback() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("local address").port();
    (listener, port)
}

/// Serves HTTP/1.1 on `listener`, answering every request with `handler`, one request per
/// connection (`Connection: close`), one thread per connection. The accept thread lives
/// until the test process exits.
pub fn serve_http(listener: TcpListener, handler: Handler) {
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let handler = Arc::clone(&handler);
            thread::spawn(move || {
                let _ = serve_one(stream, &handler);
            });
        }
    });
}

fn serve_one(mut stream: TcpStream, handler: &Handler) -> io::Result<()> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let Some(request) = read_request(&mut stream)? else {
        return Ok(());
    };
    let response = handler(&request);
    write_response(&mut stream, &response)
}

/// Reads one request (head and a `Content-Length` body); `None` if the peer sent nothing
/// parseable (a speculative connection that was closed, for instance).
fn read_request(stream: &mut TcpStream) -> io::Result<Option<HttpRequest>> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    loop {
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Ok(None),
            Ok(n) => n,
            Err(err) if buf.is_empty() => {
                return if err.kind() == io::ErrorKind::WouldBlock
                    || err.kind() == io::ErrorKind::TimedOut
                {
                    Ok(None)
                } else {
                    Err(err)
                };
            }
            Err(err) => return Err(err),
        };
        buf.extend_from_slice(&chunk[..n]);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut parsed = httparse::Request::new(&mut headers);
        let status = parsed
            .parse(&buf)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let httparse::Status::Complete(head_len) = status else {
            if buf.len() > 64 * 1024 {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "head too long"));
            }
            continue;
        };
        let mut builder = http::Request::builder()
            .method(parsed.method.unwrap_or("GET"))
            .uri(parsed.path.unwrap_or("/"));
        let mut content_length = 0usize;
        for header in parsed.headers.iter() {
            if header.name.eq_ignore_ascii_case("content-length") {
                content_length = std::str::from_utf8(header.value)
                    .ok()
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
            }
            builder = builder.header(header.name, header.value);
        }
        let mut body = buf[head_len..].to_vec();
        while body.len() < content_length {
            let n = stream.read(&mut chunk)?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
        body.truncate(content_length);
        return builder
            .extension(RawHead(buf[..head_len].to_vec()))
            .body(body)
            .map(Some)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e));
    }
}

fn write_response(stream: &mut TcpStream, response: &HttpResponse) -> io::Result<()> {
    let status = response.status();
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    for (name, value) in response.headers() {
        head.push_str(name.as_str());
        head.push_str(": ");
        head.push_str(value.to_str().unwrap_or(""));
        head.push_str("\r\n");
    }
    let streaming = response
        .headers()
        .get(http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if !streaming
        && !response
            .headers()
            .contains_key(http::header::CONTENT_LENGTH)
    {
        head.push_str(&format!("Content-Length: {}\r\n", response.body().len()));
    }
    head.push_str("Connection: close\r\n\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(response.body())?;
    stream.flush()
}

/// A plain response with `status`, `Content-Type` and `Cache-Control: no-store`.
pub fn response(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> HttpResponse {
    http::Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header("cache-control", "no-store")
        .body(body.into())
        .expect("valid response")
}

/// The query parameters of a request URI.
pub fn query_params(request: &HttpRequest) -> HashMap<String, String> {
    let query = request.uri().query().unwrap_or("");
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Escapes text for an HTML attribute value in double quotes (`srcdoc`).
pub fn html_attr_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Things reported by pages or observed by servers, keyed by case name, with a wait that
/// wakes as soon as something is added.
#[derive(Debug)]
pub struct Board<T> {
    entries: Mutex<Vec<(String, T)>>,
    added: Condvar,
}

impl<T: Clone> Board<T> {
    /// An empty board.
    pub fn new() -> Arc<Board<T>> {
        Arc::new(Board {
            entries: Mutex::new(Vec::new()),
            added: Condvar::new(),
        })
    }

    /// Adds an entry for `case` and wakes the waiters.
    pub fn push(&self, case: &str, value: T) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((case.to_owned(), value));
        self.added.notify_all();
    }

    /// Everything recorded for `case`, in order.
    pub fn get(&self, case: &str) -> Vec<T> {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter(|(c, _)| c == case)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// Waits until every case in `cases` has at least one entry, or `deadline` passes (or
    /// `give_up` says so, checked at least every 200 ms). Returns the cases still missing.
    pub fn wait_for(
        &self,
        cases: &[&str],
        deadline: Instant,
        mut give_up: impl FnMut() -> bool,
    ) -> Vec<String> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let missing: Vec<String> = cases
                .iter()
                .filter(|case| !entries.iter().any(|(c, _)| c == *case))
                .map(|case| (*case).to_owned())
                .collect();
            let now = Instant::now();
            if missing.is_empty() || now >= deadline || give_up() {
                return missing;
            }
            let step = (deadline - now).min(Duration::from_millis(200));
            entries = self
                .added
                .wait_timeout(entries, step)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}
