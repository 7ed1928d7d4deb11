//! The response future of [`OriginService`](super::OriginService).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use http::Response;
use pin_project_lite::pin_project;

use crate::pipeline::Finish;

pin_project! {
    /// The response future of [`OriginService`](super::OriginService): an answer the layer
    /// gave itself (a refusal, a preflight), or the inner service's response with the CORS
    /// headers added (and, on a switched upgrade, the guard's subprotocol).
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
        // Passed on: the inner response, finished by the pipeline.
        Pending {
            #[pin]
            future: F,
            finish: Option<Finish>,
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

    pub(crate) fn pending(future: F, finish: Finish) -> Self {
        ResponseFuture {
            kind: Kind::Pending {
                future,
                finish: Some(finish),
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
            KindProj::Pending { future, finish } => {
                let mut response = ready!(future.poll(cx))?;
                let finish = finish
                    .take()
                    .expect("ResponseFuture polled after it completed");
                let status = response.status();
                finish.apply(status, response.headers_mut());
                Poll::Ready(Ok(response))
            }
        }
    }
}

impl<F, B> fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            Kind::Answered { .. } => "answered",
            Kind::Pending { .. } => "pending",
        };
        f.debug_struct("ResponseFuture")
            .field("kind", &kind)
            .finish_non_exhaustive()
    }
}
