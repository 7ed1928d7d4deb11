//! WebSocket handshakes with a chosen `Origin`, through tungstenite's client.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use http::{header, HeaderName, HeaderValue};
use tungstenite::client::IntoClientRequest;
use tungstenite::error::ProtocolError;
use tungstenite::handshake::HandshakeError;

use super::net;
use super::report::escape;
use super::{Exchange, Outcome, Target, Variant};

const REQUEST: &str = "GET (upgrade)";

/// One handshake: accepted when the server answers `101` and tungstenite verifies the answer
/// (a browser would fail the connection on an invalid `101` too).
pub(crate) fn probe(
    target: &Target,
    tls: Option<&Arc<rustls::ClientConfig>>,
    variant: &Variant,
    extra: &[(HeaderName, HeaderValue)],
    timeout: Duration,
) -> Exchange {
    let mut request = match target.uri().clone().into_client_request() {
        Ok(request) => request,
        Err(e) => return Exchange::error(REQUEST, format!("cannot build the request: {e}")),
    };
    let headers = request.headers_mut();
    for (name, value) in extra {
        headers.append(name.clone(), value.clone());
    }
    // The exact bytes of each value, one header line each; tungstenite writes them as they are.
    for line in variant.origin.iter().flatten() {
        match HeaderValue::from_bytes(line) {
            Ok(value) => {
                headers.append(header::ORIGIN, value);
            }
            Err(_) => {
                return Exchange::error(REQUEST, "the value cannot be sent as a header".into())
            }
        }
    }
    let connection = match net::connect(target.host(), target.port(), tls, timeout) {
        Ok(connection) => connection,
        Err(e) => return Exchange::error(REQUEST, escape(e.0.as_bytes(), 400)),
    };
    match tungstenite::client(request, connection) {
        Ok((mut socket, response)) => {
            // Close politely; the per-connection deadline bounds the wait for the echo.
            let _ = socket.close(None);
            for _ in 0..8 {
                if socket.read().is_err() {
                    break;
                }
            }
            answered(response.status(), response.headers(), Outcome::Accepted)
        }
        Err(HandshakeError::Failure(error)) => failure(error),
        Err(HandshakeError::Interrupted(_)) => {
            Exchange::error(REQUEST, format!("timed out after {timeout:?}"))
        }
    }
}

fn answered(status: http::StatusCode, headers: &http::HeaderMap, outcome: Outcome) -> Exchange {
    let mut kept = Vec::new();
    for name in [header::LOCATION, header::SEC_WEBSOCKET_PROTOCOL] {
        for value in headers.get_all(&name) {
            kept.push((name.as_str().to_owned(), escape(value.as_bytes(), 200)));
        }
    }
    Exchange {
        request: REQUEST,
        status: Some(status.as_u16()),
        outcome,
        credentials: false,
        headers: kept,
        detail: format!(
            "{} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        )
        .trim_end()
        .to_owned(),
    }
}

fn failure(error: tungstenite::Error) -> Exchange {
    use tungstenite::Error;
    match error {
        Error::Http(response) => answered(response.status(), response.headers(), Outcome::Refused),
        Error::Io(e) if e.kind() == io::ErrorKind::TimedOut => {
            Exchange::error(REQUEST, "timed out waiting for the response".into())
        }
        // The server hung up instead of answering: the handshake did not succeed.
        Error::Io(e) => refused_without_response(&format!("connection closed: {e}")),
        Error::ConnectionClosed | Error::AlreadyClosed => {
            refused_without_response("connection closed without a response")
        }
        Error::Protocol(ProtocolError::HandshakeIncomplete) => {
            refused_without_response("connection closed before a complete response")
        }
        // tungstenite reads at most 124 response headers; a browser reads more, so the answer
        // cannot be judged (not: refused).
        Error::Capacity(tungstenite::error::CapacityError::TooManyHeaders) => Exchange::error(
            REQUEST,
            "the response has more headers than the WebSocket client reads (124)".into(),
        ),
        // A `101` that does not complete a valid handshake, or an unparsable response: a
        // browser fails the connection, so the page gets no socket.
        other => refused_without_response(&format!("invalid handshake response: {other}")),
    }
}

fn refused_without_response(detail: &str) -> Exchange {
    Exchange {
        request: REQUEST,
        status: None,
        outcome: Outcome::Refused,
        credentials: false,
        headers: Vec::new(),
        detail: escape(detail.as_bytes(), 200),
    }
}
