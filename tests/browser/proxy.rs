//! A forwarding HTTP proxy on 127.0.0.1 that sends every request to the same port on
//! 127.0.0.1, whatever the host name: how WebKit (which has no host-resolver switch) reaches
//! `app.example.com`, `bücher.example` and the others without DNS. Nothing leaves the
//! machine: the only address it ever connects to is 127.0.0.1.
//!
//! `CONNECT host:port` becomes a tunnel. An absolute-form request (`GET http://host:port/p`)
//! is forwarded with its request line in origin form (`GET /p`) and every header line as
//! received; a WebSocket upgrade answered `101` then becomes a tunnel, any other answer ends
//! the connection after its body, so that one client connection never reaches two servers.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// The request lines the proxy received, in order (for failure messages and the notes).
pub type ProxyLog = Arc<Mutex<Vec<String>>>;

/// Starts the proxy; returns its port and its log. The threads live until the test process
/// exits.
pub fn start() -> (u16, ProxyLog) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
    let port = listener.local_addr().expect("proxy address").port();
    let log: ProxyLog = Arc::default();
    let log_for_thread = Arc::clone(&log);
    thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            let log = Arc::clone(&log_for_thread);
            thread::spawn(move || {
                let _ = handle(client, &log);
            });
        }
    });
    (port, log)
}

/// Reads up to the end of a message head; returns the head and what came after it.
fn read_head(stream: &mut TcpStream) -> io::Result<Option<(Vec<u8>, Vec<u8>)>> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Ok(Some((buf, rest)));
        }
        if buf.len() > 64 * 1024 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "head too long"));
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

fn handle(mut client: TcpStream, log: &ProxyLog) -> io::Result<()> {
    let timeout = Some(Duration::from_secs(30));
    client.set_read_timeout(timeout)?;
    client.set_write_timeout(timeout)?;
    let Some((head, rest)) = read_head(&mut client)? else {
        return Ok(());
    };
    let text = String::from_utf8_lossy(&head).into_owned();
    let line_end = text.find("\r\n").unwrap_or(text.len());
    let request_line = &text[..line_end];
    log.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(request_line.to_owned());
    let mut parts = request_line.splitn(3, ' ');
    let (method, target, version) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or("HTTP/1.1"),
    );
    if method == "CONNECT" {
        let port = target
            .rsplit_once(':')
            .and_then(|(_, p)| p.parse::<u16>().ok());
        let Some(mut upstream) = port.and_then(|p| TcpStream::connect(("127.0.0.1", p)).ok())
        else {
            return client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        };
        client.write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")?;
        upstream.write_all(&rest)?;
        return tunnel(client, upstream);
    }
    let Ok(url) = url::Url::parse(target) else {
        return client.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    };
    let Some(port) = url.port_or_known_default() else {
        return client.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    };
    let path = &url[url::Position::BeforePath..url::Position::AfterQuery];
    let Ok(mut upstream) = TcpStream::connect(("127.0.0.1", port)) else {
        return client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
    };
    upstream.set_read_timeout(timeout)?;
    upstream.set_write_timeout(timeout)?;
    let mut forwarded = format!("{method} {path} {version}\r\n").into_bytes();
    forwarded.extend_from_slice(&head[line_end + 2..]);
    upstream.write_all(&forwarded)?;
    upstream.write_all(&rest)?;
    let Some((answer, after)) = read_head(&mut upstream)? else {
        return Ok(());
    };
    client.write_all(&answer)?;
    client.write_all(&after)?;
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut parsed = httparse::Response::new(&mut headers);
    let _ = parsed.parse(&answer);
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
    // An accepted upgrade, or a body without a length (an event stream): a tunnel until
    // either side ends.
    match (parsed.code, length) {
        (Some(101), _) | (_, None) => tunnel(client, upstream),
        (_, Some(length)) => finish(client, upstream, length, after.len()),
    }
}

/// Forwards the rest of a body of `length` bytes (`sent` of them already sent), then ends
/// both connections.
fn finish(
    mut client: TcpStream,
    mut upstream: TcpStream,
    length: usize,
    sent: usize,
) -> io::Result<()> {
    let mut remaining = length.saturating_sub(sent);
    let mut chunk = [0u8; 4096];
    while remaining > 0 {
        let n = upstream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        let n = n.min(remaining);
        client.write_all(&chunk[..n])?;
        remaining -= n;
    }
    let _ = client.shutdown(Shutdown::Both);
    let _ = upstream.shutdown(Shutdown::Both);
    Ok(())
}

/// Copies both ways until either side ends, then closes both.
fn tunnel(client: TcpStream, upstream: TcpStream) -> io::Result<()> {
    let (mut client_read, mut upstream_write) = (client.try_clone()?, upstream.try_clone()?);
    let up = thread::spawn(move || {
        let _ = io::copy(&mut client_read, &mut upstream_write);
        let _ = upstream_write.shutdown(Shutdown::Write);
    });
    let (mut upstream_read, mut client_write) = (upstream, client);
    let _ = io::copy(&mut upstream_read, &mut client_write);
    let _ = client_write.shutdown(Shutdown::Both);
    let _ = upstream_read.shutdown(Shutdown::Both);
    let _ = up.join();
    Ok(())
}
