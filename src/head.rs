//! [`RequestHead`]: what every entry point reads of a request, whatever its body type.

use http::{request::Parts, Extensions, HeaderMap, Method, Request, Uri};

/// The head of an HTTP request (method, target, headers, extensions): implemented for
/// [`http::Request<B>`] with any body type and for [`http::request::Parts`].
///
/// Every decision of this crate reads only the head, so [`OriginPolicy::check`],
/// [`HandshakeGuard::evaluate`] and the authentication hooks take any `RequestHead`: a
/// framework that holds a `Request<Body>` or only its `Parts` passes it as it is, with no
/// copy and no rebuilt request.
///
/// ```
/// use origin_policy::OriginPolicy;
///
/// let policy: OriginPolicy = "https://app.example.com".parse()?;
/// let request = http::Request::get("/ws")
///     .header("origin", "https://app.example.com")
///     .body(String::from("any body type"))?;
/// assert!(policy.check(&request).is_allowed());
/// let (parts, _body) = request.into_parts();
/// assert!(policy.check(&parts).is_allowed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// [`OriginPolicy::check`]: crate::OriginPolicy::check
/// [`HandshakeGuard::evaluate`]: crate::HandshakeGuard::evaluate
pub trait RequestHead {
    /// The request method.
    fn method(&self) -> &Method;
    /// The request target.
    fn uri(&self) -> &Uri;
    /// The header fields.
    fn headers(&self) -> &HeaderMap;
    /// The extensions (where servers keep per-request data such as HTTP/2's `:protocol`).
    fn extensions(&self) -> &Extensions;
}

impl<B> RequestHead for Request<B> {
    fn method(&self) -> &Method {
        Request::method(self)
    }
    fn uri(&self) -> &Uri {
        Request::uri(self)
    }
    fn headers(&self) -> &HeaderMap {
        Request::headers(self)
    }
    fn extensions(&self) -> &Extensions {
        Request::extensions(self)
    }
}

impl RequestHead for Parts {
    fn method(&self) -> &Method {
        &self.method
    }
    fn uri(&self) -> &Uri {
        &self.uri
    }
    fn headers(&self) -> &HeaderMap {
        &self.headers
    }
    fn extensions(&self) -> &Extensions {
        &self.extensions
    }
}

impl<T: RequestHead + ?Sized> RequestHead for &T {
    fn method(&self) -> &Method {
        (**self).method()
    }
    fn uri(&self) -> &Uri {
        (**self).uri()
    }
    fn headers(&self) -> &HeaderMap {
        (**self).headers()
    }
    fn extensions(&self) -> &Extensions {
        (**self).extensions()
    }
}

/// A request head copied from any stack's raw parts, for stacks whose request type is not
/// `http` 1 (actix-web's `http` 0.2 types, a hand-written parser): one call turns the method,
/// the request target and the header lines into something every entry point takes
/// ([`HandshakeGuard::evaluate`], [`Cors::preflight`], [`OriginPolicy::check`]), so no stack
/// has to assemble an `http::Request` itself.
///
/// Every line is kept as it came, in order, repeated names included: two `Origin` lines stay
/// two (denied as several), and an authentication hook reads the same headers it would read
/// on the original request. Only the origin check? [`OriginPolicy::check_values`] needs no
/// copy at all.
///
/// ```
/// use origin_policy::{HandshakeGuard, OriginPolicy, RawHead};
///
/// let guard = HandshakeGuard::builder("https://app.example.com".parse::<OriginPolicy>()?)
///     .subprotocols(["chat"])
///     .build()?;
/// // What a stack hands over: the request line's method and target, then its header lines.
/// let fields: [(&[u8], &[u8]); 4] = [
///     (b"Origin", b"https://app.example.com"),
///     (b"Sec-WebSocket-Version", b"13"),
///     (b"Sec-WebSocket-Protocol", b"chat"),
///     (b"Host", b"app.example.com"),
/// ];
/// let head = RawHead::from_fields(b"GET", b"/ws", fields)?;
/// let outcome = guard.evaluate(&head);
/// assert!(outcome.decision.is_allowed());
/// assert_eq!(outcome.decision.subprotocol(), Some("chat"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// [`HandshakeGuard::evaluate`]: crate::HandshakeGuard::evaluate
/// [`Cors::preflight`]: crate::cors::Cors::preflight
/// [`OriginPolicy::check`]: crate::OriginPolicy::check
/// [`OriginPolicy::check_values`]: crate::OriginPolicy::check_values
#[derive(Debug)]
pub struct RawHead {
    parts: Parts,
}

impl RawHead {
    /// Copies a request head: `method` (`GET`, `OPTIONS`, ...), `target` (the request line's
    /// target, such as `/ws?room=1`, or an absolute URI) and the header lines as
    /// `(name, value)` pairs. Fails, naming the part, when one of them is not valid HTTP
    /// (the parts of a request a server already parsed always are).
    pub fn from_fields<'f, F>(
        method: &[u8],
        target: &[u8],
        fields: F,
    ) -> Result<RawHead, InvalidHead>
    where
        F: IntoIterator<Item = (&'f [u8], &'f [u8])>,
    {
        let (mut parts, ()) = Request::new(()).into_parts();
        parts.method = Method::from_bytes(method).map_err(|_| InvalidHead::Method)?;
        parts.uri = Uri::try_from(target).map_err(|_| InvalidHead::Target)?;
        for (index, (name, value)) in fields.into_iter().enumerate() {
            let name =
                http::HeaderName::from_bytes(name).map_err(|_| InvalidHead::FieldName { index })?;
            let value = http::HeaderValue::from_bytes(value)
                .map_err(|_| InvalidHead::FieldValue { index })?;
            // A header map holds at most 32 768 lines; past that, an error, never a panic.
            parts
                .headers
                .try_append(name, value)
                .map_err(|_| InvalidHead::TooManyFields)?;
        }
        Ok(RawHead { parts })
    }

    /// The copied head, to keep or to put extensions in.
    pub fn into_parts(self) -> Parts {
        self.parts
    }
}

impl RequestHead for RawHead {
    fn method(&self) -> &Method {
        &self.parts.method
    }
    fn uri(&self) -> &Uri {
        &self.parts.uri
    }
    fn headers(&self) -> &HeaderMap {
        &self.parts.headers
    }
    fn extensions(&self) -> &Extensions {
        &self.parts.extensions
    }
}

/// A part of a raw request head that is not valid HTTP (from [`RawHead::from_fields`]). The
/// offending bytes are not kept: they came from the peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidHead {
    /// The method is not an HTTP token.
    #[error("the request method is not an HTTP token")]
    Method,
    /// The target is not a request target (origin form `/path?query` or an absolute URI).
    #[error("the request target is not an origin-form path or an absolute URI")]
    Target,
    /// The name of a header line is not an HTTP field name.
    #[error("header line {index} has a name that is not an HTTP field name")]
    FieldName {
        /// Which line (counting from 0).
        index: usize,
    },
    /// The value of a header line holds a byte HTTP forbids there (such as a newline).
    #[error(
        "header line {index} has a value with a byte HTTP does not allow (a control character)"
    )]
    FieldValue {
        /// Which line (counting from 0).
        index: usize,
    },
    /// More distinct header names than an `http` header map holds (32 768).
    #[error("the request has more distinct header names than a header map holds (32768)")]
    TooManyFields,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_head_keeps_every_line_in_order() {
        let fields: [(&[u8], &[u8]); 3] = [
            (b"Origin", b"https://a.example"),
            (b"x-any", b"1"),
            (b"ORIGIN", b"https://b.example"),
        ];
        let head = RawHead::from_fields(b"OPTIONS", b"/ws?x=1", fields).unwrap();
        assert_eq!(head.method(), Method::OPTIONS);
        assert_eq!(head.uri().query(), Some("x=1"));
        let origins: Vec<_> = head.headers().get_all("origin").iter().collect();
        assert_eq!(origins, ["https://a.example", "https://b.example"]);
        assert_eq!(head.headers().len(), 3);
    }

    #[test]
    fn raw_head_names_the_bad_part() {
        let none: [(&[u8], &[u8]); 0] = [];
        assert_eq!(
            RawHead::from_fields(b"G T", b"/", none).unwrap_err(),
            InvalidHead::Method
        );
        assert_eq!(
            RawHead::from_fields(b"GET", b"", none).unwrap_err(),
            InvalidHead::Target
        );
        let fields: [(&[u8], &[u8]); 2] = [(b"ok", b"1"), (b"bad name", b"1")];
        assert_eq!(
            RawHead::from_fields(b"GET", b"/", fields).unwrap_err(),
            InvalidHead::FieldName { index: 1 }
        );
        let fields: [(&[u8], &[u8]); 1] = [(b"origin", b"https://a.example\r\nx: y")];
        let err = RawHead::from_fields(b"GET", b"/", fields).unwrap_err();
        assert_eq!(err, InvalidHead::FieldValue { index: 0 });
        assert!(!err.to_string().contains("x: y"));
        // `HeaderMap::append` would panic here; `try_append` gives the typed error.
        let names: Vec<String> = (0..40_000).map(|i| format!("x-{i}")).collect();
        let many = names.iter().map(|n| (n.as_bytes(), &b"1"[..]));
        assert!(matches!(
            RawHead::from_fields(b"GET", b"/", many),
            Err(InvalidHead::TooManyFields)
        ));
    }
}
