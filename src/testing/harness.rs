//! The property harness: runs the allowed origins and the attacks of a policy through the
//! user's own code and reports the first mistake, shrunk to a minimal value.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use http::{HeaderMap, HeaderValue, Method, Request, StatusCode, Uri};
use proptest::strategy::{Strategy, Union};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};

use super::attacks::{generate, Class, Expectation, ProbeKind, Variant, EVIL_ORIGIN};
#[cfg(doc)]
use super::strategy::allowed_by;
use super::strategy::{allowed_choices, attacks_on, has_entry_for, trusted_origins};
use crate::OriginPolicy;

/// What the user's code did with one request: accepted it or refused it, and the status it
/// answered with when it answered one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    accepted: bool,
    status: Option<StatusCode>,
}

impl Verdict {
    /// Accepted, with no status to report.
    pub const fn accepted() -> Verdict {
        Verdict {
            accepted: true,
            status: None,
        }
    }

    /// Refused, with no status to report.
    pub const fn refused() -> Verdict {
        Verdict {
            accepted: false,
            status: None,
        }
    }

    /// Accepted when `status` is below 400 (`101` for an upgrade, `2xx`, `3xx`), refused
    /// otherwise.
    pub fn from_status(status: StatusCode) -> Verdict {
        Verdict {
            accepted: status.as_u16() < 400,
            status: Some(status),
        }
    }

    /// Whether the request was accepted.
    pub const fn is_accepted(&self) -> bool {
        self.accepted
    }

    /// The status the code answered with, if it is known.
    pub const fn status(&self) -> Option<StatusCode> {
        self.status
    }
}

impl From<bool> for Verdict {
    /// `true` is accepted.
    fn from(accepted: bool) -> Verdict {
        if accepted {
            Verdict::accepted()
        } else {
            Verdict::refused()
        }
    }
}

impl From<StatusCode> for Verdict {
    fn from(status: StatusCode) -> Verdict {
        Verdict::from_status(status)
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.accepted { "accepted" } else { "refused" })?;
        if let Some(status) = self.status {
            write!(f, " ({status})")?;
        }
        Ok(())
    }
}

/// Something that decides a request: the user's code under test.
///
/// Closures `FnMut(&http::Request<()>) -> R` implement it for any `R: Into<Verdict>` (`bool`,
/// `StatusCode`, [`Verdict`]); [`ServiceDecider`] adapts a tower `Service` (feature `tower`).
/// An adapter for another framework is a few lines: build its request from the
/// `http::Request<()>`, run it, and turn the answer into a [`Verdict`].
pub trait Decide {
    /// Decides one request.
    fn decide(&mut self, request: &Request<()>) -> Verdict;
}

impl<F, R> Decide for F
where
    F: FnMut(&Request<()>) -> R,
    R: Into<Verdict>,
{
    fn decide(&mut self, request: &Request<()>) -> Verdict {
        self(request).into()
    }
}

/// A mistake the harness found: the class, the (shrunk) `Origin` lines, what a correct server
/// does and what the user's code did.
#[derive(Clone, PartialEq, Eq)]
pub struct Failure {
    variant: Variant,
    verdict: Verdict,
}

impl Failure {
    /// The case that failed: class, expectation and `Origin` lines.
    pub fn variant(&self) -> &Variant {
        &self.variant
    }

    /// The class of the value.
    pub fn class(&self) -> Class {
        self.variant.class
    }

    /// What the user's code did with it.
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// The `Origin` header, as the user's code received it: `None` for no header, else one
    /// element per header line.
    pub fn origin(&self) -> Option<&[Vec<u8>]> {
        self.variant.origin.as_deref()
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Failure")
            .field("variant", &self.variant)
            .field("verdict", &self.verdict)
            .finish()
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let class = self.variant.class;
        let origin = super::attacks::OriginLines(self.variant.origin.as_deref());
        match self.variant.expectation {
            Expectation::Accept => write!(
                f,
                "an origin the policy allows ({class}) was {}: Origin {origin}",
                self.verdict
            ),
            _ => write!(
                f,
                "an attack of class {class} was {}: Origin {origin} ({}; fix: {})",
                self.verdict,
                class.risk(),
                class.fix()
            ),
        }
    }
}

/// Why a harness run did not pass.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HarnessError {
    /// The user's code accepted an attack or refused an allowed origin.
    #[error("{0}")]
    Failed(Box<Failure>),
    /// proptest could not run the cases (for example, every generated value was rejected).
    #[error("the property test could not run: {0}")]
    Aborted(String),
}

impl HarnessError {
    /// The mistake found, if the run got that far.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            HarnessError::Failed(failure) => Some(failure),
            HarnessError::Aborted(_) => None,
        }
    }
}

/// Runs a policy's allowed origins and attacks through the user's code.
///
/// A run has three phases, each stopping at the first mistake:
///
/// 1. two `Origin` lines, `null` and a missing header, which must be refused unless the policy
///    opts in to `null` or missing origins;
/// 2. a property test (256 cases by default, a fixed seed: the same cases on every run) over
///    [`allowed_by`] and [`attacks_on`], whose failure is shrunk to a minimal value;
/// 3. every value of the attack generator ([`generate`]) for the policy's
///    [`trusted_origins`].
///
/// Every request is `GET /` with the headers of a WebSocket upgrade (`Upgrade`, `Connection`,
/// `Sec-WebSocket-Version`, `Sec-WebSocket-Key`) and the `Origin` lines of the case; change it
/// with [`Harness::request`].
///
/// ```
/// use origin_policy::{testing::Harness, OriginPolicy};
///
/// let policy: OriginPolicy = "https://app.example.com".parse()?;
/// // The code under test: here the crate's own check, which passes.
/// Harness::new(&policy).assert(|request: &http::Request<()>| policy.check(request).is_allowed());
///
/// // A naive check fails, with a short bypass.
/// let naive = |request: &http::Request<()>| {
///     request.headers().get("origin").is_some_and(|o| o.as_bytes().starts_with(b"https://app.example.com"))
/// };
/// let error = Harness::new(&policy).run(naive).unwrap_err();
/// assert!(error.failure().unwrap().verdict().is_accepted());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Harness {
    policy: Arc<OriginPolicy>,
    config: Config,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
}

impl fmt::Debug for Harness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Harness")
            .field("policy", &self.policy)
            .field("cases", &self.config.cases)
            .field("method", &self.method)
            .field("uri", &self.uri)
            .finish_non_exhaustive()
    }
}

impl Harness {
    /// A harness for the behaviour `policy` describes, with proptest's default number of
    /// cases (256, or `PROPTEST_CASES`).
    pub fn new(policy: &OriginPolicy) -> Harness {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("upgrade", "websocket"),
            ("connection", "upgrade"),
            ("sec-websocket-version", "13"),
            ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ] {
            headers.insert(name, HeaderValue::from_static(value));
        }
        Harness {
            policy: Arc::new(policy.clone()),
            config: Config {
                failure_persistence: None,
                ..Config::default()
            },
            method: Method::GET,
            uri: Uri::from_static("/"),
            headers,
        }
    }

    /// The number of property-test cases.
    pub fn cases(mut self, cases: u32) -> Harness {
        self.config.cases = cases;
        self
    }

    /// Every request takes this one's method, target and headers (its `Origin` lines, if any,
    /// are replaced by each case's).
    pub fn request<B>(mut self, template: &Request<B>) -> Harness {
        self.method = template.method().clone();
        self.uri = template.uri().clone();
        self.headers = template.headers().clone();
        self.headers.remove(http::header::ORIGIN);
        self
    }

    /// Runs the three phases; the first mistake is the error.
    pub fn run<D: Decide>(&self, decider: D) -> Result<(), HarnessError> {
        let decider = RefCell::new(decider);
        let judge = |variant: &Variant| -> Result<(), Failure> {
            let request = self.build(variant.origin.as_deref());
            let verdict = decider.borrow_mut().decide(&request);
            let wrong = match variant.expectation {
                Expectation::Accept => !verdict.is_accepted(),
                Expectation::Refuse => verdict.is_accepted(),
                _ => false,
            };
            if wrong {
                Err(Failure {
                    variant: variant.clone(),
                    verdict,
                })
            } else {
                Ok(())
            }
        };
        let fail = |failure: Failure| HarnessError::Failed(Box::new(failure));

        for variant in self.opt_in_cases() {
            judge(&variant).map_err(fail)?;
        }

        // Half allowed origins (whatever the number of entries), half attacks.
        let allowed = allowed_choices(&self.policy);
        let strategy = if allowed.is_empty() {
            attacks_on(&self.policy)
        } else {
            Union::new([Union::new(allowed).boxed(), attacks_on(&self.policy)]).boxed()
        };
        let mut runner = TestRunner::new_with_rng(
            self.config.clone(),
            TestRng::deterministic_rng(RngAlgorithm::ChaCha),
        );
        let result = runner.run(&strategy, |variant| {
            judge(&variant).map_err(|failure| TestCaseError::fail(failure.verdict.to_string()))
        });
        match result {
            Ok(()) => {}
            Err(TestError::Fail(_, variant)) => {
                // Decide the shrunk value again for its verdict.
                judge(&variant).map_err(fail)?;
                return Err(HarnessError::Aborted(format!(
                    "the user's code decided {variant:?} differently when asked again"
                )));
            }
            Err(TestError::Abort(reason)) => return Err(HarnessError::Aborted(reason.to_string())),
        }

        let trusted = trusted_origins(&self.policy);
        for variant in generate(&trusted, ProbeKind::WebSocket) {
            if variant.expectation == Expectation::Refuse
                && has_entry_for(&self.policy, variant.origin.as_deref())
            {
                continue;
            }
            if variant.expectation == Expectation::Accept
                && !has_entry_for(&self.policy, variant.origin.as_deref())
            {
                continue;
            }
            judge(&variant).map_err(fail)?;
        }
        Ok(())
    }

    /// [`run`](Self::run), panicking with the failure's description.
    #[track_caller]
    pub fn assert<D: Decide>(&self, decider: D) {
        if let Err(error) = self.run(decider) {
            panic!("{error}");
        }
    }

    /// Two `Origin` lines, `null` and a missing header.
    fn opt_in_cases(&self) -> Vec<Variant> {
        let trusted = trusted_origins(&self.policy)
            .first()
            .map(|origin| origin.as_str().as_bytes().to_vec())
            .unwrap_or_else(|| EVIL_ORIGIN.into());
        let opt_in = |allowed: bool| {
            if allowed {
                Expectation::Accept
            } else {
                Expectation::Refuse
            }
        };
        vec![
            Variant::new(
                Class::MissingOrRepeated,
                Expectation::Refuse,
                Some(vec![trusted.clone(), EVIL_ORIGIN.into()]),
            ),
            Variant::new(
                Class::MissingOrRepeated,
                Expectation::Refuse,
                Some(vec![EVIL_ORIGIN.into(), trusted]),
            ),
            Variant::new(
                Class::NullOpaque,
                opt_in(self.policy.allows_null_origin()),
                Some(vec![b"null".to_vec()]),
            ),
            Variant::new(
                Class::MissingOrRepeated,
                opt_in(self.policy.allows_missing_origin()),
                None,
            ),
        ]
    }

    fn build(&self, origin: Option<&[Vec<u8>]>) -> Request<()> {
        let mut request = Request::new(());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        for line in origin.into_iter().flatten() {
            // Every generated value is a valid header value; one that is not is left out
            // rather than sent changed.
            if let Ok(value) = HeaderValue::from_bytes(line) {
                request.headers_mut().append(http::header::ORIGIN, value);
            }
        }
        request
    }
}

/// A tower `Service` as a [`Decide`]r: each request is sent through `poll_ready` and `call`
/// (driven on the calling thread), and the response status is the verdict
/// ([`Verdict::from_status`]); an error from the service is a refusal.
///
/// The service must not need a runtime to make progress (an axum `Router` or an
/// `OriginLayer` over plain handlers does not); with one that does, decide inside the
/// runtime with a closure instead.
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub struct ServiceDecider<S, B> {
    service: S,
    /// The request and response body types the service takes and gives.
    bodies: std::marker::PhantomData<fn(B)>,
}

#[cfg(feature = "tower")]
impl<S, B> ServiceDecider<S, B>
where
    S: tower_service::Service<Request<B>>,
    S::Response: ResponseStatus,
    B: Default,
{
    /// Decides with `service`.
    pub fn new(service: S) -> Self {
        ServiceDecider {
            service,
            bodies: std::marker::PhantomData,
        }
    }

    /// The service back.
    pub fn into_inner(self) -> S {
        self.service
    }
}

#[cfg(feature = "tower")]
impl<S: fmt::Debug, B> fmt::Debug for ServiceDecider<S, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ServiceDecider")
            .field(&self.service)
            .finish()
    }
}

#[cfg(feature = "tower")]
impl<S, B> Decide for ServiceDecider<S, B>
where
    S: tower_service::Service<Request<B>>,
    S::Response: ResponseStatus,
    B: Default,
{
    fn decide(&mut self, request: &Request<()>) -> Verdict {
        let mut copy = Request::new(B::default());
        *copy.method_mut() = request.method().clone();
        *copy.uri_mut() = request.uri().clone();
        *copy.headers_mut() = request.headers().clone();
        let service = &mut self.service;
        if block_on(std::future::poll_fn(|cx| service.poll_ready(cx))).is_err() {
            return Verdict::refused();
        }
        match block_on(service.call(copy)) {
            Ok(response) => Verdict::from_status(ResponseStatus::status(&response)),
            Err(_) => Verdict::refused(),
        }
    }
}

#[cfg(feature = "tower")]
impl Harness {
    /// [`run`](Self::run) over a tower `Service` ([`ServiceDecider`]) that takes requests
    /// with body `B`; a service such as an axum `Router` takes many, so name it:
    /// `harness.run_service::<axum::body::Body>(router)`.
    pub fn run_service<B: Default>(
        &self,
        service: impl tower_service::Service<Request<B>, Response: ResponseStatus>,
    ) -> Result<(), HarnessError> {
        self.run(ServiceDecider::new(service))
    }

    /// [`assert`](Self::assert) over a tower `Service` ([`ServiceDecider`]); name the
    /// request body type as for [`run_service`](Self::run_service).
    #[track_caller]
    pub fn assert_service<B: Default>(
        &self,
        service: impl tower_service::Service<Request<B>, Response: ResponseStatus>,
    ) {
        if let Err(error) = self.run_service(service) {
            panic!("{error}");
        }
    }
}

/// A response whose status is a [`Verdict`]: `http::Response` with any body.
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub trait ResponseStatus {
    /// The response's status.
    fn status(&self) -> StatusCode;
}

#[cfg(feature = "tower")]
impl<B> ResponseStatus for http::Response<B> {
    fn status(&self) -> StatusCode {
        http::Response::status(self)
    }
}

#[cfg(feature = "actix")]
impl Harness {
    /// Runs the harness against an actix-web app (see [`ActixDecider`](super::ActixDecider)).
    ///
    /// # Errors
    ///
    /// As [`Harness::run`]. Panics when the app does not start, as
    /// `actix_web::test::init_service` does.
    pub fn run_actix<T, B>(&self, app: actix_web::App<T>) -> Result<(), HarnessError>
    where
        T: actix_web::dev::ServiceFactory<
                actix_web::dev::ServiceRequest,
                Config = (),
                Response = actix_web::dev::ServiceResponse<B>,
                Error = actix_web::Error,
                InitError = (),
            > + 'static,
        B: actix_web::body::MessageBody,
    {
        self.run(super::start_actix(app))
    }

    /// [`Harness::run_actix`] that panics with the failure, for a `#[test]`.
    pub fn assert_actix<T, B>(&self, app: actix_web::App<T>)
    where
        T: actix_web::dev::ServiceFactory<
                actix_web::dev::ServiceRequest,
                Config = (),
                Response = actix_web::dev::ServiceResponse<B>,
                Error = actix_web::Error,
                InitError = (),
            > + 'static,
        B: actix_web::body::MessageBody,
    {
        if let Err(error) = self.run_actix(app) {
            panic!("{error}");
        }
    }
}

/// Drives a future to completion on this thread, parking between polls.
#[cfg(feature = "tower")]
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Wake, Waker};

    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }

    let mut future = std::pin::pin!(future);
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::park();
    }
}
