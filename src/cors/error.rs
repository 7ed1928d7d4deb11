//! The CORS names of the crate's one configuration error (deprecated).

/// The error of [`CorsBuilder::build`](super::CorsBuilder::build): now the crate's one
/// [`ConfigError`](crate::ConfigError), whose [`setting`](crate::ConfigError::setting) is
/// [`Setting::Cors`](crate::Setting::Cors).
#[deprecated(since = "0.2.0", note = "use `origin_policy::ConfigError`")]
pub type CorsConfigError = crate::ConfigError;

/// What is wrong with a CORS setting: now variants of the crate's one
/// [`ConfigErrorKind`](crate::ConfigErrorKind), with the same names.
#[deprecated(since = "0.2.0", note = "use `origin_policy::ConfigErrorKind`")]
pub type CorsConfigErrorKind = crate::ConfigErrorKind;
