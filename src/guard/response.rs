//! The rejection responses: a status line, a fixed plain-text body, and the headers that make
//! browsers and tools read it correctly.

use http::header::{CONNECTION, SEC_WEBSOCKET_VERSION, UPGRADE, WWW_AUTHENTICATE};
use http::{HeaderValue, Response, StatusCode};

use super::Denial;

/// The body of the `426` for a `Sec-WebSocket-Version` other than 13.
pub(crate) const UNSUPPORTED_VERSION_BODY: &str =
    "upgrade required: this endpoint speaks WebSocket version 13\n";

/// The response refusing a handshake for `denial`.
///
/// Every body is a fixed string: nothing from the request is echoed. `Connection: close`
/// because the connection is not upgraded and the client should not reuse it.
pub(crate) fn rejection<B: From<&'static str>>(
    denial: &Denial,
    challenge: Option<&HeaderValue>,
) -> Response<B> {
    let (status, body) = match denial {
        // The origin policy's own 403, so both paths answer byte for byte alike.
        Denial::Origin(reason) => return reason.rejection(),
        Denial::OpenOrigin => return crate::DenyReason::NotAllowed.rejection(),
        Denial::Preflight(denial) => (StatusCode::FORBIDDEN, denial.body()),
        Denial::UnsupportedVersion => (StatusCode::UPGRADE_REQUIRED, UNSUPPORTED_VERSION_BODY),
        Denial::Subprotocol(error) => (StatusCode::BAD_REQUEST, error.body()),
        Denial::Auth(error) => (StatusCode::UNAUTHORIZED, error.body()),
    };
    let mut response = crate::decision::plain_text(status, body);
    let headers = response.headers_mut();
    match denial {
        Denial::UnsupportedVersion => {
            // RFC 6455 section 4.4: name the versions the server speaks. RFC 9110 section
            // 15.5.22: a 426 names the protocol to upgrade to, and an `Upgrade` header comes
            // with the `upgrade` connection option (section 7.8).
            headers.insert(SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
            headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
            headers.insert(CONNECTION, HeaderValue::from_static("Upgrade, close"));
        }
        Denial::Auth(_) => {
            if let Some(challenge) = challenge {
                headers.insert(WWW_AUTHENTICATE, challenge.clone());
            }
            headers.insert(CONNECTION, HeaderValue::from_static("close"));
        }
        _ => {
            headers.insert(CONNECTION, HeaderValue::from_static("close"));
        }
    }
    response
}
