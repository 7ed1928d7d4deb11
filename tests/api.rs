//! API hygiene: every public type is `Send + Sync` (so it can sit in an `Arc` shared by
//! connection tasks or cross threads in a `Decision`), `Debug`, and the error types are
//! `std::error::Error + 'static`.

use std::error::Error;
use std::fmt::Debug;

fn send_sync_debug<T: Send + Sync + Debug>() {}
fn error<T: Error + Send + Sync + 'static>() {}

#[test]
fn core_types() {
    use origin_policy::*;
    send_sync_debug::<OriginPolicy>();
    send_sync_debug::<OriginPolicyBuilder>();
    send_sync_debug::<Origin>();
    send_sync_debug::<OriginPattern>();
    send_sync_debug::<AppOrigin>();
    send_sync_debug::<AppOriginKind>();
    send_sync_debug::<PortRule>();
    send_sync_debug::<Scheme>();
    send_sync_debug::<Decision>();
    send_sync_debug::<DenyReason>();
    send_sync_debug::<MatchedRule>();
    send_sync_debug::<OriginExcerpt>();
    send_sync_debug::<Lint>();
    send_sync_debug::<LintKind>();
    send_sync_debug::<ConfigError>();
    send_sync_debug::<ConfigErrorKind>();
    send_sync_debug::<MalformedOrigin>();
    error::<ConfigError>();
    error::<MalformedOrigin>();
}

#[test]
fn guard_types() {
    use origin_policy::guard::auth::{AuthError, StaticTokens, Token, TokenSource};
    use origin_policy::guard::*;
    send_sync_debug::<HandshakeGuard<String>>();
    send_sync_debug::<HandshakeGuardBuilder<String>>();
    send_sync_debug::<GuardOutcome<String>>();
    send_sync_debug::<GuardDecision>();
    send_sync_debug::<Outcome>();
    send_sync_debug::<Denial>();
    send_sync_debug::<SubprotocolError>();
    // The deprecated names still work.
    #[allow(deprecated)]
    {
        send_sync_debug::<GuardConfigError>();
        send_sync_debug::<GuardConfigErrorKind>();
        error::<GuardConfigError>();
    }
    send_sync_debug::<AuthError>();
    send_sync_debug::<Token<'static>>();
    send_sync_debug::<TokenSource>();
    send_sync_debug::<StaticTokens<String>>();
    error::<AuthError>();
    error::<SubprotocolError>();
}

#[cfg(feature = "tungstenite")]
#[test]
fn tungstenite_types() {
    send_sync_debug::<
        origin_policy::adapters::tungstenite::ObservedCallback<
            'static,
            fn(&origin_policy::Decision),
        >,
    >();
    send_sync_debug::<origin_policy::guard::tungstenite::GuardCallback<'static, String>>();
}

#[cfg(feature = "reload")]
#[test]
fn reload_types() {
    send_sync_debug::<origin_policy::SharedPolicy>();
}

#[test]
fn cors_types() {
    use origin_policy::cors::*;
    send_sync_debug::<Cors>();
    send_sync_debug::<CorsBuilder>();
    send_sync_debug::<Preflight<'static>>();
    send_sync_debug::<PreflightDenial>();
    send_sync_debug::<ActualRequest<'static>>();
    #[allow(deprecated)]
    {
        send_sync_debug::<CorsConfigError>();
        send_sync_debug::<CorsConfigErrorKind>();
        error::<CorsConfigError>();
    }
}

#[cfg(feature = "tower")]
#[test]
fn layer_types() {
    use origin_policy::layer::*;
    send_sync_debug::<OriginLayer>();
    send_sync_debug::<OriginService<()>>();
}
