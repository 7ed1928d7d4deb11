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
