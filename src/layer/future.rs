//! The response future of [`OriginService`](super::OriginService).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::Response;
use pin_project_lite::pin_project;

use crate::pipeline::future::{Pending, Respond};
use crate::pipeline::Finish;

pin_project! {
    /// The response future of [`OriginService`](super::OriginService): an answer the layer
    /// gave itself (a refusal, a preflight), or the inner service's response with the CORS
    /// headers added (and, on a switched upgrade, the guard's subprotocol).
    pub struct ResponseFuture<F, B> {
        #[pin]
        inner: Pending<F, Response<B>>,
    }
}

impl<F, B> ResponseFuture<F, B> {
    pub(crate) fn answered(response: Response<B>) -> Self {
        ResponseFuture {
            inner: Pending::answered(response),
        }
    }

    pub(crate) fn pending(future: F, finish: Finish) -> Self {
        ResponseFuture {
            inner: Pending::passed(future, finish),
        }
    }
}

impl<B> Respond<Response<B>> for Response<B> {
    fn respond(mut self, finish: Finish) -> Response<B> {
        let status = self.status();
        finish.apply(status, self.headers_mut());
        self
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.project().inner.poll(cx)
    }
}

impl<F, B> fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("kind", &self.inner.state())
            .finish_non_exhaustive()
    }
}
