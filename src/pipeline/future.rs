//! The response future under both front ends' own: an answer the pipeline gave itself, or
//! the wrapped service's response, finished by the pipeline when it is ready.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use pin_project_lite::pin_project;

use super::Finish;

/// A front end's response type, finished by the pipeline into what the front end returns
/// (`R`): its CORS headers added, and on a switched upgrade the guard's subprotocol.
pub(crate) trait Respond<R> {
    fn respond(self, finish: Finish) -> R;
}

pin_project! {
    /// Resolves to `R`: the pipeline's own answer, or the inner response finished.
    pub(crate) struct Pending<F, R> {
        #[pin]
        kind: Kind<F, R>,
    }
}

pin_project! {
    #[project = KindProj]
    enum Kind<F, R> {
        // Answered by the pipeline; the inner service was not called.
        Answered { response: Option<R> },
        // Passed on: the inner response, finished by the pipeline.
        Passed {
            #[pin]
            future: F,
            finish: Option<Finish>,
        },
    }
}

impl<F, R> Pending<F, R> {
    pub(crate) fn answered(response: R) -> Self {
        Pending {
            kind: Kind::Answered {
                response: Some(response),
            },
        }
    }

    pub(crate) fn passed(future: F, finish: Finish) -> Self {
        Pending {
            kind: Kind::Passed {
                future,
                finish: Some(finish),
            },
        }
    }

    /// Which of the two it is, for `Debug`.
    pub(crate) fn state(&self) -> &'static str {
        match &self.kind {
            Kind::Answered { .. } => "answered",
            Kind::Passed { .. } => "pending",
        }
    }
}

impl<F, T, E, R> Future for Pending<F, R>
where
    F: Future<Output = Result<T, E>>,
    T: Respond<R>,
{
    type Output = Result<R, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Answered { response } => Poll::Ready(Ok(response
                .take()
                .expect("ResponseFuture polled after it completed"))),
            KindProj::Passed { future, finish } => {
                let response = ready!(future.poll(cx))?;
                let finish = finish
                    .take()
                    .expect("ResponseFuture polled after it completed");
                Poll::Ready(Ok(response.respond(finish)))
            }
        }
    }
}
