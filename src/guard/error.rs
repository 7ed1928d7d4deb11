//! The guard's names of the crate's one configuration error (deprecated).

/// The error of [`HandshakeGuardBuilder::build`](super::HandshakeGuardBuilder::build) and
/// [`StaticTokens::new`](super::auth::StaticTokens::new): now the crate's one
/// [`ConfigError`](crate::ConfigError), whose [`setting`](crate::ConfigError::setting) is
/// [`Setting::HandshakeGuard`](crate::Setting::HandshakeGuard).
#[deprecated(since = "0.2.0", note = "use `origin_policy::ConfigError`")]
pub type GuardConfigError = crate::ConfigError;

/// What is wrong with a guard setting: now variants of the crate's one
/// [`ConfigErrorKind`](crate::ConfigErrorKind), with the same names.
#[deprecated(since = "0.2.0", note = "use `origin_policy::ConfigErrorKind`")]
pub type GuardConfigErrorKind = crate::ConfigErrorKind;
