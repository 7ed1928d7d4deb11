//! Servers on 127.0.0.1 for the `origin-audit` tests: WebSocket servers with a chosen origin
//! check (the crate's policy, or a deliberately broken one), raw HTTP/1.1 CORS servers, and a
//! TLS variant. Every server runs on background threads until the test process exits.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::Duration;

use http::{HeaderMap, StatusCode};
use origin_audit::{AuditConfig, Plan, Report, Target};
use origin_policy::OriginPolicy;
use tungstenite::handshake::server::{ErrorResponse, Request, Response};

/// TLS material made fresh for this test run with rcgen: a CA, and a server certificate for
/// `localhost` and `127.0.0.1` that it signed. Nothing secret is committed.
struct TestPki {
    /// The CA certificate, written to a temporary file for `--ca`.
    ca_path: PathBuf,
    server: Arc<rustls::ServerConfig>,
}

fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "origin-audit test CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_certificate = ca.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca, ca_key);

        let server_key = KeyPair::generate().unwrap();
        let mut server =
            CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
        server.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let server_certificate = server.signed_by(&server_key, &issuer).unwrap();

        let ca_path = temp_pem("ca", &ca_certificate.pem());
        TestPki {
            ca_path,
            server: server_tls_config(
                vec![server_certificate.der().clone()],
                server_key.serialize_der(),
            ),
        }
    })
}

/// A unique file in the temporary directory holding `pem`.
pub fn temp_pem(name: &str, pem: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "origin-audit-test-{}-{}-{name}.pem",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, pem).expect("write a temporary PEM file");
    path
}

/// The path of the test CA's certificate (PEM), for `--ca`.
pub fn ca_pem() -> String {
    pki().ca_path.display().to_string()
}

/// A certificate such as `openssl req -x509` makes: self-signed, `CA:TRUE`, for `localhost`
/// and `127.0.0.1`. Returns the server configuration and the certificate's PEM path.
pub fn self_signed_ca_certificate() -> (Arc<rustls::ServerConfig>, String) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let certificate = params.self_signed(&key).unwrap();
    let path = temp_pem("self-signed", &certificate.pem());
    (
        server_tls_config(vec![certificate.der().clone()], key.serialize_der()),
        path.display().to_string(),
    )
}

/// The trusted origin the hand-written vulnerable servers are meant to allow.
pub const APP: &str = "https://app.example.com";

/// An origin check over the request's headers, as a server would write it.
pub type Check = Arc<dyn Fn(&HeaderMap) -> bool + Send + Sync>;

/// The first `Origin` value as text, as naive servers read it (`headers.get("origin")`).
pub fn first_origin(headers: &HeaderMap) -> Option<&str> {
    headers.get("origin").and_then(|v| v.to_str().ok())
}

fn listen() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0")
}

/// A WebSocket echo server on 127.0.0.1 whose handshakes pass `check` or get `403`.
pub fn ws_server(check: Check) -> SocketAddr {
    ws_server_with(check, None)
}

/// The same over TLS, with the test certificate.
pub fn wss_server(check: Check) -> SocketAddr {
    ws_server_with(check, Some(pki().server.clone()))
}

/// A WebSocket server over TLS with the given configuration.
pub fn ws_server_with(check: Check, tls: Option<Arc<rustls::ServerConfig>>) -> SocketAddr {
    let listener = listen();
    let address = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let check = check.clone();
            let tls = tls.clone();
            thread::spawn(move || {
                stream
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                match tls {
                    None => serve_ws(stream, &check),
                    Some(config) => {
                        let Ok(connection) = rustls::ServerConnection::new(config) else {
                            return;
                        };
                        serve_ws(rustls::StreamOwned::new(connection, stream), &check);
                    }
                }
            });
        }
    });
    address
}

// The error type is tungstenite's callback signature, not ours to shrink.
#[allow(clippy::result_large_err)]
fn serve_ws<S: Read + Write>(stream: S, check: &Check) {
    let callback = |request: &Request, response: Response| -> Result<Response, ErrorResponse> {
        if check(request.headers()) {
            Ok(response)
        } else {
            let mut refusal = ErrorResponse::new(Some("cross-origin handshake refused".into()));
            *refusal.status_mut() = StatusCode::FORBIDDEN;
            Err(refusal)
        }
    };
    let Ok(mut socket) = tungstenite::accept_hdr(stream, callback) else {
        return;
    };
    // Echo until the client closes.
    while let Ok(message) = socket.read() {
        if (message.is_text() || message.is_binary()) && socket.send(message).is_err() {
            return;
        }
    }
}

/// A WebSocket answer: `Ok` completes the handshake, `Err((status, headers))` refuses it.
pub type Answer = Arc<dyn Fn(&HeaderMap) -> Result<(), (u16, Vec<(String, String)>)> + Send + Sync>;

/// A WebSocket echo server on 127.0.0.1 that answers each handshake as `answer` says: for
/// servers that authenticate first, redirect, or want a subprotocol.
pub fn ws_server_answering(answer: Answer) -> SocketAddr {
    let listener = listen();
    let address = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let answer = answer.clone();
            thread::spawn(move || {
                stream
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                #[allow(clippy::result_large_err)]
                let callback =
                    |request: &Request, response: Response| match answer(request.headers()) {
                        Ok(()) => Ok(response),
                        Err((status, headers)) => {
                            let mut refusal = ErrorResponse::new(Some("refused".into()));
                            *refusal.status_mut() = StatusCode::from_u16(status).unwrap();
                            for (name, value) in headers {
                                refusal.headers_mut().append(
                                    http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                                    http::HeaderValue::from_str(&value).unwrap(),
                                );
                            }
                            Err(refusal)
                        }
                    };
                let Ok(mut socket) = tungstenite::accept_hdr(stream, callback) else {
                    return;
                };
                while socket.read().is_ok() {}
            });
        }
    });
    address
}

/// A CORS server that answers an allowed origin as the `cors` npm package does with
/// `credentials: true`: the origin echoed, `Access-Control-Allow-Credentials: true`,
/// `Vary: Origin`; a preflight gets `204` either way, with the CORS headers only when allowed.
pub fn cors_server_allowing(allowed: impl Fn(&str) -> bool + Send + Sync + 'static) -> SocketAddr {
    http_server(Arc::new(move |method: &str, headers: &HeaderMap| {
        let mut out = vec![("Vary".to_owned(), "Origin".to_owned())];
        if let Some(origin) = first_origin(headers).filter(|o| allowed(o)) {
            out.push(("Access-Control-Allow-Origin".into(), origin.to_owned()));
            out.push(("Access-Control-Allow-Credentials".into(), "true".into()));
            if method == "OPTIONS" {
                out.push(("Access-Control-Allow-Methods".into(), "GET, POST".into()));
                out.push(("Access-Control-Allow-Headers".into(), "content-type".into()));
            }
        }
        (if method == "OPTIONS" { 204 } else { 200 }, out)
    }))
}

/// A CORS server that answers every request with the same headers, whatever the `Origin`.
pub fn fixed_cors_server(headers: &[(&str, &str)]) -> SocketAddr {
    let fixed: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    http_server(Arc::new(move |method: &str, _: &HeaderMap| {
        (if method == "OPTIONS" { 204 } else { 200 }, fixed.clone())
    }))
}

/// The crate's example server in-process: the same default policy (`http://localhost:8080`,
/// missing and `null` denied) as a `tungstenite::accept_hdr` callback.
pub fn policy_server(policy: &str) -> SocketAddr {
    let policy: Arc<OriginPolicy> = Arc::new(policy.parse().expect("policy"));
    ws_server(Arc::new(move |headers: &HeaderMap| {
        policy.check_headers(headers).is_allowed()
    }))
}

/// A CORS response: status and headers, for a request's method and headers.
pub type CorsHandler = Arc<dyn Fn(&str, &HeaderMap) -> (u16, Vec<(String, String)>) + Send + Sync>;

/// A raw HTTP/1.1 server on 127.0.0.1 answering every request with `handler`'s status and
/// headers and a short body, then closing the connection.
pub fn http_server(handler: CorsHandler) -> SocketAddr {
    let listener = listen();
    let address = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let handler = handler.clone();
            thread::spawn(move || serve_http(stream, &handler));
        }
    });
    address
}

fn serve_http(mut stream: TcpStream, handler: &CorsHandler) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut head = Vec::new();
    let mut buffer = [0; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buffer[..n]),
        }
    }
    let mut storage = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut storage);
    if request.parse(&head).is_err() {
        let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        return;
    }
    let mut headers = HeaderMap::new();
    for header in request.headers.iter() {
        headers.append(
            http::HeaderName::from_bytes(header.name.as_bytes()).unwrap(),
            http::HeaderValue::from_bytes(header.value).unwrap(),
        );
    }
    let (status, extra) = handler(request.method.unwrap_or(""), &headers);
    let mut response = format!("HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n");
    for (name, value) in extra {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\nok");
    let _ = stream.write_all(response.as_bytes());
}

/// A server whose CORS layer reflects any `Origin` with credentials: the classic mistake.
pub fn reflecting_cors_server() -> SocketAddr {
    http_server(Arc::new(|method: &str, headers: &HeaderMap| {
        let mut out = Vec::new();
        if let Some(origin) = first_origin(headers) {
            out.push(("Access-Control-Allow-Origin".into(), origin.to_owned()));
            out.push(("Access-Control-Allow-Credentials".into(), "true".into()));
        }
        if method == "OPTIONS" {
            out.push(("Access-Control-Allow-Methods".into(), "GET, POST".into()));
            out.push(("Access-Control-Allow-Headers".into(), "content-type".into()));
            (204, out)
        } else {
            (200, out)
        }
    }))
}

/// A correct CORS server: the crate's policy decides, the allowed value is echoed with
/// `Vary: Origin`; preflights for refused origins get `403`.
pub fn policy_cors_server(policy: &str) -> SocketAddr {
    let policy: Arc<OriginPolicy> = Arc::new(policy.parse().expect("policy"));
    http_server(Arc::new(move |method: &str, headers: &HeaderMap| {
        let allowed = policy.check_headers(headers).is_allowed();
        let mut out = vec![("Vary".to_owned(), "Origin".to_owned())];
        if allowed {
            let origin = first_origin(headers).unwrap_or_default().to_owned();
            out.push(("Access-Control-Allow-Origin".into(), origin));
            out.push(("Access-Control-Allow-Credentials".into(), "true".into()));
        }
        match (method, allowed) {
            ("OPTIONS", true) => (204, out),
            ("OPTIONS", false) => (403, out),
            _ => (200, out),
        }
    }))
}

fn server_tls_config(
    certificates: Vec<rustls::pki_types::CertificateDer<'static>>,
    pkcs8_key: Vec<u8>,
) -> Arc<rustls::ServerConfig> {
    let key = rustls::pki_types::PrivatePkcs8KeyDer::from(pkcs8_key).into();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certificates, key)
        .unwrap();
    Arc::new(config)
}

/// Runs an audit in-process with short timeouts.
#[track_caller]
pub fn audit(target: &str, trusted: &[&str]) -> Report {
    let config = config(target, trusted);
    Plan::new(config).expect("plan").run(&|_, _| {})
}

/// An audit configuration with a 3 s timeout.
#[track_caller]
pub fn config(target: &str, trusted: &[&str]) -> AuditConfig {
    let target: Target = target.parse().expect("target");
    let trusted = trusted.iter().map(|o| o.parse().expect("origin")).collect();
    let mut config = AuditConfig::new(target, trusted);
    config.timeout = Duration::from_secs(3);
    config
}

/// The corpus names of the classes with findings.
pub fn finding_classes(report: &Report) -> Vec<&'static str> {
    report.finding_classes().iter().map(|c| c.name()).collect()
}
