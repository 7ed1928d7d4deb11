//! Helpers for the actix-web tests: an actix-web app behind `OriginMiddleware` on 127.0.0.1
//! (HTTP/1.1 and HTTP/2 with prior knowledge, `listen_auto_h2c`), served by its own actix
//! system on a thread of its own that lives as long as the test binary.
// Each test uses a different subset of these helpers.
#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use origin_policy::adapters::actix::OriginMiddleware;
use origin_policy::{Decision, GuardOutcome};

/// Serves `configure`'s routes behind `middleware` on a free port of 127.0.0.1, one worker.
pub fn serve<I, F>(middleware: OriginMiddleware<I>, configure: F) -> SocketAddr
where
    I: Clone + Send + Sync + 'static,
    F: Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local address");
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            HttpServer::new(move || {
                App::new()
                    .wrap(middleware.clone())
                    .configure(configure.clone())
            })
            .workers(1)
            .disable_signals()
            .listen_auto_h2c(listener)
            .expect("listen")
            .run()
            .await
            .expect("serve");
        });
    });
    addr
}

/// How many times each handler ran: the middleware must answer refusals and preflights.
#[derive(Debug, Default, Clone)]
pub struct Calls {
    pub ws: Arc<AtomicUsize>,
    pub api: Arc<AtomicUsize>,
}

impl Calls {
    pub fn ws(&self) -> usize {
        self.ws.load(Ordering::SeqCst)
    }
    pub fn api(&self) -> usize {
        self.api.load(Ordering::SeqCst)
    }
}

/// The test routes:
///
/// - `/ws`: an actix-ws echo endpoint (text messages) whose `101` carries the guard's
///   identity (`x-identity`) and matched rule (`x-rule`) read from `ReqData`;
/// - `/api`: any method; the `Decision` from `ReqData` as the body, `Vary:
///   Accept-Encoding` set by the handler (for the merge);
/// - `/many`: two `Vary` lines, two `Set-Cookie` lines, its own `Access-Control-Allow-Origin`
///   and `x-handler`, for what the middleware keeps, merges and replaces;
/// - anything else, and every `CONNECT` (HTTP/2, no path): `200` with `x-identity` when
///   the guard admitted it, else `404`.
pub fn routes<I: Clone + std::fmt::Debug + 'static>(
    calls: &Calls,
) -> impl Fn(&mut web::ServiceConfig) + Send + Clone + 'static {
    let calls = calls.clone();
    move |config: &mut web::ServiceConfig| {
        let ws_calls = Arc::clone(&calls.ws);
        let api_calls = Arc::clone(&calls.api);
        config
            .route(
                "/ws",
                web::route().to(
                    move |request: HttpRequest,
                          body: web::Payload,
                          outcome: web::ReqData<GuardOutcome<I>>| {
                        ws_calls.fetch_add(1, Ordering::SeqCst);
                        async move { echo(request, body, outcome.into_inner()) }
                    },
                ),
            )
            .route(
                "/api",
                web::route().to(move |decision: web::ReqData<Decision>| {
                    api_calls.fetch_add(1, Ordering::SeqCst);
                    async move {
                        HttpResponse::Ok()
                            .insert_header(("vary", "Accept-Encoding"))
                            .body(decision.to_string())
                    }
                }),
            )
            .route(
                "/many",
                web::get().to(|| async {
                    HttpResponse::Ok()
                        .append_header(("vary", "Accept-Encoding"))
                        .append_header(("vary", "Accept-Language"))
                        .append_header(("set-cookie", "a=1"))
                        .append_header(("set-cookie", "b=2"))
                        .append_header(("access-control-allow-origin", "https://handler.example"))
                        .append_header(("x-handler", "kept"))
                        .finish()
                }),
            )
            .default_service(web::to(
                |outcome: Option<web::ReqData<GuardOutcome<I>>>| async move {
                    match outcome {
                        Some(outcome) => with_identity(HttpResponse::Ok().finish(), &outcome),
                        None => HttpResponse::NotFound().finish(),
                    }
                },
            ));
    }
}

fn echo<I: std::fmt::Debug>(
    request: HttpRequest,
    body: web::Payload,
    outcome: GuardOutcome<I>,
) -> actix_web::Result<HttpResponse> {
    let (response, mut session, mut stream) = actix_ws::handle(&request, body)?;
    actix_web::rt::spawn(async move {
        while let Some(Ok(message)) = stream.recv().await {
            let text = match message {
                actix_ws::Message::Text(text) => text,
                actix_ws::Message::Close(reason) => {
                    let _ = session.close(reason).await;
                    break;
                }
                _ => continue,
            };
            if session.text(text).await.is_err() {
                break;
            }
        }
    });
    Ok(with_identity(response, &outcome))
}

fn with_identity<I: std::fmt::Debug>(
    mut response: HttpResponse,
    outcome: &GuardOutcome<I>,
) -> HttpResponse {
    let headers = response.headers_mut();
    if let Some(identity) = &outcome.identity {
        if let Ok(value) = HeaderValue::from_str(format!("{identity:?}").trim_matches('"')) {
            headers.insert(HeaderName::from_static("x-identity"), value);
        }
    }
    if let Some(rule) = outcome.decision.matched_rule() {
        if let Ok(value) = HeaderValue::from_str(&rule.to_string()) {
            headers.insert(HeaderName::from_static("x-rule"), value);
        }
    }
    response
}
