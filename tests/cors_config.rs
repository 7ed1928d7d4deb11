//! CORS configuration: every error kind with its exact message, and the types' auto traits.

use origin_policy::cors::{Cors, CorsBuilder, Preflight, PreflightDenial};
use origin_policy::{ConfigError, ConfigErrorKind, DenyReason, OriginPolicy};

fn policy() -> OriginPolicy {
    "https://app.example.com".parse().unwrap()
}

#[track_caller]
fn error(builder: CorsBuilder) -> ConfigError {
    builder
        .build()
        .expect_err("the configuration must be refused")
}

#[test]
fn error_messages_are_pinned() {
    let any = OriginPolicy::builder()
        .allow_any_origin_dangerously()
        .build()
        .unwrap();
    let null = OriginPolicy::builder()
        .allow("https://app.example.com")
        .allow_null_origin()
        .build()
        .unwrap();
    let cases: Vec<(ConfigError, ConfigErrorKind, &str)> = vec![
        (
            error(Cors::builder(policy()).allow_methods(["GET", "PO ST"])),
            ConfigErrorKind::Method,
            "invalid CORS setting \"PO ST\": not an HTTP method: write a method token such as `PUT` (methods are case-sensitive)",
        ),
        (
            error(Cors::builder(policy()).allow_headers(["x-ok", "x:bad"])),
            ConfigErrorKind::HeaderName,
            "invalid CORS setting \"x:bad\": not a header name: write a field name such as `x-request-id`, without `:` or spaces",
        ),
        (
            error(Cors::builder(policy()).expose_headers([""])),
            ConfigErrorKind::HeaderName,
            "invalid CORS setting \"\": not a header name: write a field name such as `x-request-id`, without `:` or spaces",
        ),
        (
            error(Cors::builder(policy()).allow_credentials().allow_headers(["*"])),
            ConfigErrorKind::WildcardWithCredentials,
            "invalid CORS setting \"*\": `*` is not a wildcard when credentials are allowed (browsers read it literally): list the names instead",
        ),
        (
            error(Cors::builder(any).allow_credentials()),
            ConfigErrorKind::AnyOriginWithCredentials,
            "invalid CORS setting \"(any origin)\": a policy that allows any origin cannot allow credentials, or every site could read responses made with the user's cookies: list the origins, or drop `allow_credentials`",
        ),
        (
            error(Cors::builder(null).allow_credentials()),
            ConfigErrorKind::NullOriginWithCredentials,
            "invalid CORS setting \"(null origin allowed)\": a policy that allows the origin null cannot allow credentials, since any site can make a sandboxed iframe whose origin is null: drop `allow_null_origin` or `allow_credentials`",
        ),
    ];
    for (err, kind, message) in cases {
        assert_eq!(err.kind(), &kind);
        assert_eq!(err.to_string(), message);
    }
}

#[test]
fn risky_settings_without_credentials_are_fine() {
    let any = OriginPolicy::builder()
        .allow_any_origin_dangerously()
        .build()
        .unwrap();
    let cors = Cors::builder(any)
        .allow_methods(["*"])
        .allow_headers(["*"])
        .expose_headers(["*"])
        .build()
        .unwrap();
    assert!(!cors.allows_credentials());
    let preflight = http::Request::options("/")
        .header("origin", "https://anyone.example")
        .header("access-control-request-method", "PROPFIND")
        .header("access-control-request-headers", "x-anything")
        .body(())
        .unwrap();
    let response = cors.preflight(&preflight).unwrap().response::<String>();
    assert_eq!(response.status(), 204);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    assert_eq!(response.headers()["access-control-allow-methods"], "*");
    assert_eq!(response.headers()["access-control-allow-headers"], "*");
    // `*` never covers authorization (as in browsers).
    let preflight = http::Request::options("/")
        .header("origin", "https://anyone.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .body(())
        .unwrap();
    assert_eq!(
        cors.preflight(&preflight).unwrap().denial(),
        Some(PreflightDenial::Headers)
    );
}

#[test]
fn denial_codes_and_texts() {
    let denials = [
        (
            PreflightDenial::Origin(DenyReason::NotAllowed),
            "not-allowed",
            "the origin is not allowed",
        ),
        (
            PreflightDenial::Method,
            "method",
            "the requested method is not allowed",
        ),
        (
            PreflightDenial::Headers,
            "headers",
            "a requested header is not allowed",
        ),
        (
            PreflightDenial::PrivateNetwork,
            "private-network",
            "private network access is not allowed",
        ),
        (
            PreflightDenial::Malformed,
            "malformed-preflight",
            "the preflight request is malformed",
        ),
    ];
    for (denial, code, text) in denials {
        assert_eq!(denial.code(), code);
        assert_eq!(denial.to_string(), text);
    }
}

#[test]
fn not_a_preflight() {
    let cors = Cors::new(policy());
    for request in [
        http::Request::options("/").body(()).unwrap(),
        http::Request::options("/")
            .header("origin", "https://app.example.com")
            .body(())
            .unwrap(),
        http::Request::options("/")
            .header("access-control-request-method", "PUT")
            .body(())
            .unwrap(),
        http::Request::get("/")
            .header("origin", "https://app.example.com")
            .header("access-control-request-method", "PUT")
            .body(())
            .unwrap(),
    ] {
        assert!(!Cors::is_preflight(&request));
        assert!(cors.preflight(&request).is_none());
    }
}

#[test]
fn auto_traits() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Cors>();
    send_sync::<CorsBuilder>();
    send_sync::<ConfigError>();
    send_sync::<Preflight<'static>>();
    send_sync::<PreflightDenial>();
    #[cfg(feature = "tower")]
    {
        send_sync::<origin_policy::layer::OriginLayer>();
        send_sync::<origin_policy::layer::OriginService<()>>();
    }
}
