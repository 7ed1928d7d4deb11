//! The response future of [`OriginService`](super::OriginService).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use http::header::SEC_WEBSOCKET_PROTOCOL;
use http::{HeaderValue, Response, StatusCode};
use pin_project_lite::pin_project;

use crate::cors::Cors;

pin_project! {
    /// The response future of [`OriginService`](super::OriginService): an answer the layer
    /// gave itself (a refusal, a preflight), or the inner service's response with the CORS
    /// headers added.
    pub struct ResponseFuture<F, B> {
        #[pin]
        kind: Kind<F, B>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<F, B> {
        // Answered by the layer; the inner service was not called.
        Answered { response: Option<Response<B>> },
        // An allowed WebSocket upgrade: the inner response, with the guard's subprotocol
        // if the handler named none; CORS headers if the handler did not switch.
        Upgrade {
            #[pin]
            future: F,
            cors: Arc<Cors>,
            allow_origin: Option<HeaderValue>,
            subprotocol: Option<HeaderValue>,
            connect: bool,
        },
        // Any other request: the inner response plus the CORS headers.
        Cors {
            #[pin]
            future: F,
            cors: Arc<Cors>,
            allow_origin: Option<HeaderValue>,
        },
    }
}

impl<F, B> ResponseFuture<F, B> {
    pub(crate) fn answered(response: Response<B>) -> Self {
        ResponseFuture {
            kind: Kind::Answered {
                response: Some(response),
            },
        }
    }

    pub(crate) fn upgrade(
        future: F,
        cors: Arc<Cors>,
        allow_origin: Option<HeaderValue>,
        subprotocol: Option<HeaderValue>,
        connect: bool,
    ) -> Self {
        ResponseFuture {
            kind: Kind::Upgrade {
                future,
                cors,
                allow_origin,
                subprotocol,
                connect,
            },
        }
    }

    pub(crate) fn cors(future: F, cors: Arc<Cors>, allow_origin: Option<HeaderValue>) -> Self {
        ResponseFuture {
            kind: Kind::Cors {
                future,
                cors,
                allow_origin,
            },
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Answered { response } => Poll::Ready(Ok(response
                .take()
                .expect("ResponseFuture polled after it completed"))),
            KindProj::Upgrade {
                future,
                cors,
                allow_origin,
                subprotocol,
                connect,
            } => {
                let mut response = ready!(future.poll(cx))?;
                // HTTP/1.1 switches with a 101 (RFC 9110 section 15.2.2); an RFC 8441
                // extended CONNECT with any 2xx.
                let switched = if *connect {
                    response.status().is_success()
                } else {
                    response.status() == StatusCode::SWITCHING_PROTOCOLS
                };
                if switched {
                    let headers = response.headers_mut();
                    if let Some(protocol) = subprotocol.take() {
                        headers.entry(SEC_WEBSOCKET_PROTOCOL).or_insert(protocol);
                    }
                    cors.apply_actual(None, headers);
                } else {
                    cors.apply_actual(allow_origin.as_ref(), response.headers_mut());
                }
                Poll::Ready(Ok(response))
            }
            KindProj::Cors {
                future,
                cors,
                allow_origin,
            } => {
                let mut response = ready!(future.poll(cx))?;
                cors.apply_actual(allow_origin.as_ref(), response.headers_mut());
                Poll::Ready(Ok(response))
            }
        }
    }
}

impl<F, B> fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            Kind::Answered { .. } => "answered",
            Kind::Upgrade { .. } => "upgrade",
            Kind::Cors { .. } => "cors",
        };
        f.debug_struct("ResponseFuture")
            .field("kind", &kind)
            .finish_non_exhaustive()
    }
}
