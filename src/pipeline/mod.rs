//! The request pipeline shared by the front ends (the tower `OriginLayer`, the actix-web
//! `OriginMiddleware`): what to do with an upgrade, a preflight and any other request, and
//! what the response gets. It works on the crate's own types (a [`RequestHead`], raw field
//! values, an `http` 1 [`HeaderMap`]); each front end only translates its request and
//! response types to and from them, so every stack decides alike.

pub(crate) mod classify;
pub(crate) mod future;

use std::fmt;
use std::sync::Arc;

use http::header::{SEC_WEBSOCKET_PROTOCOL, VARY};
use http::{HeaderMap, HeaderValue, Response, StatusCode};

use crate::cors::Cors;
use crate::guard::{Denial, GuardDecision, GuardOutcome, RequestKind};
use crate::{Decision, HandshakeGuard, RequestHead};

/// The response fields [`Finish::apply`] may change: a front end whose response type is not
/// `http` 1 copies these (when present) into a map, applies, and writes them back.
#[cfg(feature = "actix")]
pub(crate) const RESPONSE_FIELDS: [http::HeaderName; 5] = [
    VARY,
    SEC_WEBSOCKET_PROTOCOL,
    http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
    http::header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
    http::header::ACCESS_CONTROL_EXPOSE_HEADERS,
];

/// One configuration of the pipeline: the CORS settings, the guard, and the two opt-ins.
pub(crate) struct Pipeline<I> {
    cors: Arc<Cors>,
    guard: HandshakeGuard<I>,
    block_writes: bool,
    trust_open_rules: bool,
}

impl<I> Clone for Pipeline<I> {
    fn clone(&self) -> Self {
        Pipeline {
            cors: Arc::clone(&self.cors),
            guard: self.guard.clone(),
            block_writes: self.block_writes,
            trust_open_rules: self.trust_open_rules,
        }
    }
}

impl<I> fmt::Debug for Pipeline<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_as("Pipeline", f)
    }
}

impl<I> Pipeline<I> {
    /// The `Debug` of a front end named `name`: its configuration, field by field.
    pub(crate) fn fmt_as(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("cors", &self.cors)
            .field("guard", &self.guard)
            .field("block_cross_origin_writes", &self.block_writes)
            .field("trust_open_rules", &self.trust_open_rules)
            .finish()
    }
}

impl Pipeline<()> {
    /// `cors`, with upgrades checked by origin (and version) only, enforcing.
    pub(crate) fn new(cors: Cors) -> Pipeline<()> {
        let guard = HandshakeGuard::origin_only(cors.source().clone());
        Pipeline {
            cors: Arc::new(cors),
            guard,
            block_writes: false,
            trust_open_rules: false,
        }
    }
}

impl<I> Pipeline<I> {
    /// The same configuration, deciding with `guard`.
    pub(crate) fn with_guard<J>(&self, guard: HandshakeGuard<J>) -> Pipeline<J> {
        Pipeline {
            cors: Arc::clone(&self.cors),
            guard,
            block_writes: self.block_writes,
            trust_open_rules: self.trust_open_rules,
        }
    }

    pub(crate) fn block_cross_origin_writes(&mut self) {
        self.block_writes = true;
    }

    pub(crate) fn trust_open_rules(&mut self) {
        self.trust_open_rules = true;
    }

    pub(crate) fn cors(&self) -> &Cors {
        &self.cors
    }

    pub(crate) fn guard(&self) -> &HandshakeGuard<I> {
        &self.guard
    }

    /// Decides a WebSocket upgrade (see [`classify::is_websocket_upgrade`]) and reports it:
    /// the refusal to send, or the guard's outcome (for the request extensions) and what
    /// the response gets. `connect`: an HTTP/2 `CONNECT`, which switches with any `2xx`.
    // The refusal is as large as the admission it replaces; boxing it would allocate per
    // refused request for nothing.
    #[allow(clippy::result_large_err)]
    pub(crate) fn upgrade<R: RequestHead + ?Sized>(
        &self,
        head: &R,
    ) -> Result<(GuardOutcome<I>, Finish), Response<&'static str>> {
        let outcome = self.guard.decide(head, self.trust_open_rules);
        self.guard.report(&outcome.decision);
        if let Some(rejection) = outcome.decision.rejection::<&'static str>() {
            return Err(own_answer(rejection));
        }
        // If the handler does not switch protocols, its answer is an ordinary response and
        // gets the CORS headers an ordinary request would.
        let allow_origin = outcome.decision.origin().and_then(|decision| {
            self.cors.allow_origin_value(decision, || {
                head.headers().get(http::header::ORIGIN).cloned()
            })
        });
        let subprotocol = outcome
            .decision
            .subprotocol()
            .and_then(|protocol| HeaderValue::from_str(protocol).ok());
        let finish = Finish {
            cors: Arc::clone(&self.cors),
            allow_origin,
            upgrade: Some(Switch {
                subprotocol,
                connect: *head.method() == http::Method::CONNECT,
            }),
        };
        Ok((outcome, finish))
    }

    /// Answers a CORS preflight (`204` or `403`), reported; `None` when `head` is not one.
    pub(crate) fn preflight<R: RequestHead + ?Sized>(
        &self,
        head: &R,
    ) -> Option<Response<&'static str>> {
        let preflight = self.cors.preflight(head)?;
        if self.guard.is_observed() {
            self.guard.report(&GuardDecision::for_request(
                RequestKind::Preflight,
                preflight.decision().clone(),
                preflight.denial().map(Denial::Preflight),
                false,
            ));
        }
        Some(own_answer(preflight.response::<&'static str>()))
    }

    /// Decides any other request, whose `Origin` the policy decided as `decision`: the
    /// refusal of a cross-origin write (with
    /// [`block_cross_origin_writes`](Self::block_cross_origin_writes)), or what the
    /// response gets. `method`, `sites` (`Sec-Fetch-Site`) and `origins` are the request's
    /// raw method and field values; `origin` gives its first `Origin` value, for
    /// `Access-Control-Allow-Origin`.
    #[allow(clippy::result_large_err)] // as `upgrade`
    pub(crate) fn request<'v>(
        &self,
        method: &str,
        decision: &Decision,
        sites: impl Iterator<Item = &'v [u8]>,
        origins: impl Iterator<Item = &'v [u8]>,
        origin: impl FnOnce() -> Option<HeaderValue>,
    ) -> Result<Finish, Response<&'static str>> {
        let denial = if self.block_writes {
            classify::cross_origin_write(method, sites, origins, decision, self.trust_open_rules)
        } else {
            None
        };
        // A report only when someone reads it or a refusal needs one: most requests pass
        // here, and a report copies the decision.
        if denial.is_some() || self.guard.is_observed() {
            let reported = GuardDecision::for_request(
                RequestKind::Request,
                decision.clone(),
                denial,
                self.guard.is_report_only(),
            );
            self.guard.report(&reported);
            // `None` for an allowed request and for a report-only denial.
            if let Some(rejection) = reported.rejection::<&'static str>() {
                return Err(own_answer(rejection));
            }
        }
        Ok(Finish {
            cors: Arc::clone(&self.cors),
            allow_origin: self.cors.allow_origin_value(decision, origin),
            upgrade: None,
        })
    }
}

/// What the handler's response to a request the pipeline let through gets.
#[derive(Debug)]
pub(crate) struct Finish {
    cors: Arc<Cors>,
    allow_origin: Option<HeaderValue>,
    upgrade: Option<Switch>,
}

/// An admitted upgrade: the guard's subprotocol, and how a switch is answered.
#[derive(Debug)]
struct Switch {
    subprotocol: Option<HeaderValue>,
    connect: bool,
}

impl Finish {
    /// Adds the CORS headers (and, on a switched upgrade, the guard's subprotocol if the
    /// handler named none) to the headers of a response with `status`. Changes only the
    /// [`RESPONSE_FIELDS`].
    pub(crate) fn apply(self, status: StatusCode, headers: &mut HeaderMap) {
        let Some(upgrade) = self.upgrade else {
            self.cors.apply_actual(self.allow_origin.as_ref(), headers);
            return;
        };
        // HTTP/1.1 switches with a 101 (RFC 9110 section 15.2.2); an RFC 8441 extended
        // CONNECT with any 2xx.
        let switched = if upgrade.connect {
            status.is_success()
        } else {
            status == StatusCode::SWITCHING_PROTOCOLS
        };
        if switched {
            if let Some(protocol) = upgrade.subprotocol {
                headers.entry(SEC_WEBSOCKET_PROTOCOL).or_insert(protocol);
            }
            self.cors.apply_actual(None, headers);
        } else {
            self.cors.apply_actual(self.allow_origin.as_ref(), headers);
        }
    }
}

/// An answer of the pipeline's own (a refusal, a preflight's), with `Vary: Origin` merged
/// in, since every such answer depends on the origin.
fn own_answer(mut response: Response<&'static str>) -> Response<&'static str> {
    if !response.headers().contains_key(VARY) {
        response
            .headers_mut()
            .insert(VARY, HeaderValue::from_static("Origin"));
    }
    response
}
