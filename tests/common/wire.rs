//! One parser for HTTP/1.1 responses read off a socket, for every test that speaks raw
//! bytes to a server (handshakes, replayed captures).

use http::Response;

/// An HTTP/1.1 response as it came off the wire.
#[derive(Debug)]
pub struct RawResponse {
    /// The status code.
    pub status: u16,
    /// The first line, without its CRLF.
    pub status_line: String,
    /// Header names lowercased, values as sent, in order.
    pub headers: Vec<(String, String)>,
    /// Every byte after the head (a `101` has none when the server closes right after the
    /// handshake).
    pub body: Vec<u8>,
    /// The whole response.
    pub raw: Vec<u8>,
    /// The response as an `http` value, as tungstenite hands refusals to its clients.
    pub response: Response<Option<Vec<u8>>>,
}

impl RawResponse {
    /// The value of a header that must appear exactly once.
    #[track_caller]
    pub fn header(&self, name: &str) -> &str {
        let values = self.all(name);
        assert_eq!(values.len(), 1, "one {name} header in {self:#?}");
        values[0]
    }

    /// Every value of a header.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The whole response as (lossy) text, for searching.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.raw).into_owned()
    }
}

/// Parses a complete response and checks its framing: it parses with `httparse`, every head
/// line ends in CRLF (no bare LF or CR), it is HTTP/1.1, and no header name repeats.
#[track_caller]
pub fn parse_response(bytes: &[u8]) -> RawResponse {
    let text = String::from_utf8_lossy(bytes);
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut parsed = httparse::Response::new(&mut headers);
    let head_len = match parsed.parse(bytes) {
        Ok(httparse::Status::Complete(n)) => n,
        other => panic!("not a complete HTTP response ({other:?}): {text:?}"),
    };
    let head = &bytes[..head_len];
    assert!(
        head.ends_with(b"\r\n\r\n"),
        "head must end in CRLF CRLF: {text:?}"
    );
    // Every line with its CRLF, without the blank line that ends the head.
    let mut lines: Vec<&[u8]> = head[..head_len - 2].split(|&b| b == b'\n').collect();
    assert_eq!(
        lines.pop(),
        Some(&b""[..]),
        "head must end in CRLF: {text:?}"
    );
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or_else(|| {
            panic!("head line without CR before LF: {text:?}");
        });
        assert!(!line.contains(&b'\r'), "bare CR in the head: {text:?}");
    }
    let status_line_end = head
        .windows(2)
        .position(|w| w == b"\r\n")
        .expect("a status line");
    let status_line = String::from_utf8(head[..status_line_end].to_vec()).expect("ASCII status");
    assert_eq!(parsed.version, Some(1), "HTTP/1.1: {status_line:?}");

    let status = parsed.code.expect("status code");
    let mut builder = Response::builder().status(status);
    let mut names: Vec<String> = Vec::new();
    let mut pairs = Vec::new();
    for header in parsed.headers.iter() {
        let name = header.name.to_ascii_lowercase();
        assert!(!names.contains(&name), "header {name} repeats: {text:?}");
        names.push(name.clone());
        builder = builder.header(header.name, header.value);
        let value = String::from_utf8(header.value.to_vec()).expect("ASCII header value");
        pairs.push((name, value));
    }
    let body = bytes[head_len..].to_vec();
    let response = builder.body(Some(body.clone())).expect("a valid response");
    RawResponse {
        status,
        status_line,
        headers: pairs,
        body,
        raw: bytes.to_vec(),
        response,
    }
}
