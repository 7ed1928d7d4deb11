//! The configured lists: allowed methods, allowed request headers, exposed response headers.
//! Each is validated once at build time and keeps its response header value ready, so a
//! request only compares bytes.

use http::{HeaderName, HeaderValue, Method};

use crate::syntax::is_token;
use crate::{ConfigError, ConfigErrorKind};

/// Methods a preflight may ask for (`Access-Control-Allow-Methods`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Methods {
    any: bool,
    list: Vec<Method>,
    /// The `Access-Control-Allow-Methods` value, `None` for an empty list.
    pub(crate) value: Option<HeaderValue>,
}

impl Methods {
    pub(crate) fn parse(inputs: &[String], credentials: bool) -> Result<Methods, ConfigError> {
        let mut methods = Methods::default();
        let mut items: Vec<&str> = Vec::with_capacity(inputs.len());
        for input in inputs {
            let input = normalize_method(input.trim());
            if input == "*" {
                if credentials {
                    return Err(ConfigError::new(
                        input,
                        ConfigErrorKind::WildcardWithCredentials,
                    ));
                }
                methods.any = true;
            } else {
                let method = Method::from_bytes(input.as_bytes())
                    .ok()
                    .filter(|_| is_token(input.as_bytes()))
                    .ok_or_else(|| ConfigError::new(input, ConfigErrorKind::Method))?;
                if methods.list.contains(&method) {
                    continue;
                }
                methods.list.push(method);
            }
            if !items.contains(&input) {
                items.push(input);
            }
        }
        methods.value = joined(&items);
        Ok(methods)
    }

    /// Whether a preflight may ask for `requested` (the raw `Access-Control-Request-Method`).
    ///
    /// Methods are case-sensitive: browsers upper-case only `DELETE`, `GET`, `HEAD`,
    /// `OPTIONS`, `POST` and `PUT` (Fetch standard, "normalize a method"), so `patch` stays
    /// `patch` and must be listed as such. The CORS-safelisted methods `GET`, `HEAD` and
    /// `POST` are always allowed: browsers never need them listed.
    pub(crate) fn allows(&self, requested: &[u8]) -> bool {
        matches!(requested, b"GET" | b"HEAD" | b"POST")
            || self.any
            || self.list.iter().any(|m| m.as_str().as_bytes() == requested)
    }
}

/// The six methods browsers upper-case (Fetch standard, "normalize a method"), in the form
/// they send; every other method is kept as written, since browsers send it as the script
/// wrote it.
fn normalize_method(input: &str) -> &str {
    const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    NORMALIZED
        .into_iter()
        .find(|method| method.eq_ignore_ascii_case(input))
        .unwrap_or(input)
}

/// Request headers a preflight may ask for (`Access-Control-Allow-Headers`), or response
/// headers exposed to scripts (`Access-Control-Expose-Headers`).
#[derive(Debug, Clone, Default)]
pub(crate) struct HeaderNames {
    any: bool,
    list: Vec<HeaderName>,
    /// The response header value, `None` for an empty list.
    pub(crate) value: Option<HeaderValue>,
}

impl HeaderNames {
    pub(crate) fn parse(inputs: &[String], credentials: bool) -> Result<HeaderNames, ConfigError> {
        let mut names = HeaderNames::default();
        let mut items: Vec<String> = Vec::with_capacity(inputs.len());
        for input in inputs {
            let input = input.trim();
            if input == "*" {
                if credentials {
                    return Err(ConfigError::new(
                        input,
                        ConfigErrorKind::WildcardWithCredentials,
                    ));
                }
                names.any = true;
                if !items.iter().any(|item| item == "*") {
                    items.push("*".to_owned());
                }
                continue;
            }
            let name = HeaderName::from_bytes(input.as_bytes())
                .map_err(|_| ConfigError::new(input, ConfigErrorKind::HeaderName))?;
            if !names.list.contains(&name) {
                items.push(name.as_str().to_owned());
                names.list.push(name);
            }
        }
        let items: Vec<&str> = items.iter().map(String::as_str).collect();
        names.value = joined(&items);
        Ok(names)
    }

    /// Whether a preflight may ask for the request header `name` (one item of
    /// `Access-Control-Request-Headers`, any letter case).
    ///
    /// `*` allows every name except `authorization`, which browsers require to be listed
    /// by name (Fetch standard, CORS-preflight fetch step 7.7).
    pub(crate) fn allows(&self, name: &[u8]) -> bool {
        self.list
            .iter()
            .any(|allowed| allowed.as_str().as_bytes().eq_ignore_ascii_case(name))
            || (self.any && !name.eq_ignore_ascii_case(b"authorization"))
    }
}

/// The items joined with `,` (no space), as tower-http writes them; `None` for no items.
fn joined(items: &[&str]) -> Option<HeaderValue> {
    if items.is_empty() {
        return None;
    }
    // Every item is a token, so the joined bytes are a valid header value.
    HeaderValue::from_str(&items.join(",")).ok().map(shared)
}

/// `value`, with its bytes moved to shared storage now, so that cloning it for each
/// response is a reference count and never an allocation (`bytes` moves a buffer built
/// from a vector to shared storage on its first clone; this is that clone, at build time).
pub(crate) fn shared(value: HeaderValue) -> HeaderValue {
    drop(value.clone());
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn methods() {
        let methods = Methods::parse(&strings(&["PUT", " DELETE ", "PUT", "patch"]), true).unwrap();
        assert_eq!(methods.value.as_ref().unwrap(), "PUT,DELETE,patch");
        for (requested, allowed) in [
            (&b"GET"[..], true), // safelisted
            (b"HEAD", true),
            (b"POST", true),
            (b"PUT", true),
            (b"DELETE", true),
            (b"patch", true),
            (b"PATCH", false), // case-sensitive, as browsers send it
            (b"put", false),
            (b"OPTIONS", false),
            (b"", false),
        ] {
            assert_eq!(methods.allows(requested), allowed, "{requested:?}");
        }
        assert!(Methods::parse(&[], false).unwrap().value.is_none());
        let any = Methods::parse(&strings(&["*"]), false).unwrap();
        assert!(any.allows(b"PROPFIND"));
        assert_eq!(any.value.unwrap(), "*");
    }

    #[test]
    fn method_errors() {
        for input in ["", "GET POST", "GET,POST", "G\"T", "é"] {
            let err = Methods::parse(&strings(&[input]), false).unwrap_err();
            assert_eq!(err.kind(), &ConfigErrorKind::Method, "{input:?}");
        }
        let err = Methods::parse(&strings(&["GET", "*"]), true).unwrap_err();
        assert_eq!(err.kind(), &ConfigErrorKind::WildcardWithCredentials);
    }

    #[test]
    fn header_names() {
        let names =
            HeaderNames::parse(&strings(&["Content-Type", "x-custom", "X-CUSTOM"]), true).unwrap();
        assert_eq!(names.value.as_ref().unwrap(), "content-type,x-custom");
        assert!(names.allows(b"content-type"));
        assert!(names.allows(b"X-Custom"));
        assert!(!names.allows(b"x-custom2"));
        assert!(!names.allows(b"authorization"));

        let any = HeaderNames::parse(&strings(&["*"]), false).unwrap();
        assert!(any.allows(b"x-anything"));
        assert!(
            !any.allows(b"Authorization"),
            "`*` never covers authorization"
        );
        let any_and_auth = HeaderNames::parse(&strings(&["*", "authorization"]), false).unwrap();
        assert!(any_and_auth.allows(b"authorization"));
        assert_eq!(any_and_auth.value.unwrap(), "*,authorization");

        for input in ["", "x custom", "x-custom:", "é"] {
            let err = HeaderNames::parse(&strings(&[input]), false).unwrap_err();
            assert_eq!(err.kind(), &ConfigErrorKind::HeaderName, "{input:?}");
        }
        let err = HeaderNames::parse(&strings(&["*"]), true).unwrap_err();
        assert_eq!(err.kind(), &ConfigErrorKind::WildcardWithCredentials);
    }

    #[test]
    fn tokens() {
        assert!(is_token(b"x-custom"));
        assert!(is_token(b"GET"));
        assert!(!is_token(b""));
        assert!(!is_token(b"a b"));
        assert!(!is_token(b"a,b"));
        assert!(!is_token(b"a\xff"));
    }
}
