//! The harness over an actix-web app (features `proptest` and `actix`).

use std::fmt;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceFactory, ServiceResponse};
use actix_web::{test, App, Error};
use http::{Request, StatusCode};

use super::harness::{Decide, Verdict};

/// An actix-web app as a [`Decide`]r: the app is started once in its own actix system, and
/// each request is sent through it ([`actix_web::test::call_service`] without the panic);
/// the response status is the verdict ([`Verdict::from_status`]), and an error the app
/// returns is judged by the status it would be answered with.
///
/// Made by [`start_actix`]; [`Harness::run_actix`](super::Harness::run_actix) and
/// [`Harness::assert_actix`](super::Harness::assert_actix) do both steps.
pub struct ActixDecider<S> {
    runner: actix_web::rt::SystemRunner,
    service: S,
}

/// The request an actix app takes.
type ActixRequest = actix_http::Request;

/// Starts `app` (its `App::new()...` with routes and middleware) in a new actix system, as
/// a [`Decide`]r for [`Harness::run`](super::Harness::run).
///
/// # Panics
///
/// When the app's services fail to start, as [`actix_web::test::init_service`] does.
pub fn start_actix<T, B>(
    app: App<T>,
) -> ActixDecider<impl Service<ActixRequest, Response = ServiceResponse<B>, Error = Error>>
where
    T: ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Response = ServiceResponse<B>,
            Error = Error,
            InitError = (),
        > + 'static,
    B: MessageBody,
{
    let runner = actix_web::rt::System::new();
    let service = runner.block_on(test::init_service(app));
    ActixDecider { runner, service }
}

impl<S> fmt::Debug for ActixDecider<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActixDecider").finish_non_exhaustive()
    }
}

impl<S, B> Decide for ActixDecider<S>
where
    S: Service<ActixRequest, Response = ServiceResponse<B>, Error = Error>,
{
    fn decide(&mut self, request: &Request<()>) -> Verdict {
        // actix has its own `http` 0.2 types: the request is rebuilt from bytes, every header
        // line kept in order.
        let mut actix = test::TestRequest::default()
            .uri(&request.uri().to_string())
            .method(
                actix_web::http::Method::from_bytes(request.method().as_str().as_bytes())
                    .expect("an http 1 method is an http 0.2 method"),
            );
        for (name, value) in request.headers() {
            actix = actix.append_header((name.as_str(), value.as_bytes()));
        }
        let status = match self.runner.block_on(self.service.call(actix.to_request())) {
            Ok(response) => response.status().as_u16(),
            Err(error) => error.as_response_error().status_code().as_u16(),
        };
        Verdict::from_status(
            StatusCode::from_u16(status).expect("an actix status is a valid http 1 status"),
        )
    }
}
