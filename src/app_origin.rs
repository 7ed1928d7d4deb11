//! [`AppOrigin`]: the origin of a browser extension page or of an app's webview, allowed only
//! through [`OriginPolicyBuilder::allow_extension_or_app_origin`](crate::OriginPolicyBuilder::allow_extension_or_app_origin).
//!
//! These origins have a scheme no web page has and an identifier that the browser or the app
//! framework assigns, so each scheme has its own strict grammar:
//!
//! | origin | identifier | source of the rule |
//! |---|---|---|
//! | `chrome-extension://<id>` | 32 letters `a`-`p` | Chromium `components/crx_file/id_util.cc` (`IdIsValid`, `GenerateId`: the first 128 bits of a SHA-256, one letter per hex digit) |
//! | `moz-extension://<uuid>` | a UUID, per install | Firefox: the extension's internal UUID (`generateUUID()`), different in every profile |
//! | `safari-web-extension://<uuid>` | a UUID, per install | WebKit `WebExtensionContext` (`WTF::UUID::createVersion4()`) |
//! | `capacitor://localhost`, `ionic://localhost`, `tauri://localhost` | `localhost` only | the iOS/macOS/Linux webview schemes of Capacitor, Ionic and Tauri |
//!
//! Chromium 156 sends `Origin: chrome-extension://<id>` in lower case on a WebSocket opened by
//! an extension's service worker (captured with `--headless --load-extension`, kept in
//! `tests/fixtures/chromium_extension/`), and Firefox 153 ESR sends
//! `moz-extension://<uuid>` with a lower-case UUID from a temporary add-on's background page
//! (`tests/browser_extension.rs` drives both live). WebKit's spelling is not documented, so
//! the identifier, like the scheme, compares ASCII case-insensitively
//! (a UUID is the same UUID in either case, RFC 9562 section 4); the canonical form is lower
//! case. `http://tauri.localhost` and `https://tauri.localhost` (Tauri on Windows and
//! Android) are ordinary web origins: list them with `allow`.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::error::{ConfigError, ConfigErrorKind};
use crate::origin::OriginBytes;
use crate::text::Text;

/// What an [`AppOrigin`] belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum AppOriginKind {
    /// `chrome-extension://<32 letters a-p>`: Chromium, Chrome, Edge, Brave, Opera.
    ChromiumExtension,
    /// `moz-extension://<uuid>`: Firefox (the UUID is per install).
    FirefoxExtension,
    /// `safari-web-extension://<uuid>`: Safari (the UUID is per install).
    SafariExtension,
    /// `capacitor://localhost`: Capacitor apps on iOS.
    Capacitor,
    /// `ionic://localhost`: Ionic apps on iOS.
    Ionic,
    /// `tauri://localhost`: Tauri apps on macOS and Linux.
    Tauri,
}

impl AppOriginKind {
    const ALL: [AppOriginKind; 6] = [
        AppOriginKind::ChromiumExtension,
        AppOriginKind::FirefoxExtension,
        AppOriginKind::SafariExtension,
        AppOriginKind::Capacitor,
        AppOriginKind::Ionic,
        AppOriginKind::Tauri,
    ];

    /// The scheme, lower case.
    pub const fn scheme(self) -> &'static str {
        match self {
            AppOriginKind::ChromiumExtension => "chrome-extension",
            AppOriginKind::FirefoxExtension => "moz-extension",
            AppOriginKind::SafariExtension => "safari-web-extension",
            AppOriginKind::Capacitor => "capacitor",
            AppOriginKind::Ionic => "ionic",
            AppOriginKind::Tauri => "tauri",
        }
    }

    /// Whether this is a browser extension (rather than an app's webview).
    pub const fn is_extension(self) -> bool {
        matches!(
            self,
            AppOriginKind::ChromiumExtension
                | AppOriginKind::FirefoxExtension
                | AppOriginKind::SafariExtension
        )
    }

    /// The kind whose scheme is `name`, in any letter case.
    pub(crate) fn from_scheme(name: &str) -> Option<AppOriginKind> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.scheme().eq_ignore_ascii_case(name))
    }

    /// What the identifier after `://` must be, for error messages.
    const fn grammar(self) -> &'static str {
        match self {
            AppOriginKind::ChromiumExtension => {
                "a Chromium extension origin is `chrome-extension://` and the extension's id: 32 letters from `a` to `p`, as chrome://extensions shows it"
            }
            AppOriginKind::FirefoxExtension => {
                "a Firefox extension origin is `moz-extension://` and the install's Internal UUID (8-4-4-4-12 hex digits), as about:debugging shows it"
            }
            AppOriginKind::SafariExtension => {
                "a Safari extension origin is `safari-web-extension://` and the install's UUID (8-4-4-4-12 hex digits)"
            }
            AppOriginKind::Capacitor | AppOriginKind::Ionic | AppOriginKind::Tauri => {
                "an app webview origin is exactly `capacitor://localhost`, `ionic://localhost` or `tauri://localhost`"
            }
        }
    }

    /// Whether `id` (the text after `://`) is an identifier of this kind, in any letter case.
    fn accepts(self, id: &[u8]) -> bool {
        match self {
            // Chromium: `crx_file::id_util::IdIsValid`.
            AppOriginKind::ChromiumExtension => {
                id.len() == 32
                    && id
                        .iter()
                        .all(|b| matches!(b.to_ascii_lowercase(), b'a'..=b'p'))
            }
            AppOriginKind::FirefoxExtension | AppOriginKind::SafariExtension => is_uuid(id),
            AppOriginKind::Capacitor | AppOriginKind::Ionic | AppOriginKind::Tauri => {
                id.eq_ignore_ascii_case(b"localhost")
            }
        }
    }
}

impl fmt::Display for AppOriginKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AppOriginKind::ChromiumExtension => "Chromium extension",
            AppOriginKind::FirefoxExtension => "Firefox extension",
            AppOriginKind::SafariExtension => "Safari extension",
            AppOriginKind::Capacitor => "Capacitor app",
            AppOriginKind::Ionic => "Ionic app",
            AppOriginKind::Tauri => "Tauri app",
        })
    }
}

/// `8-4-4-4-12` hex digits (RFC 9562 section 4), any letter case.
fn is_uuid(id: &[u8]) -> bool {
    id.len() == 36
        && id.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// The origin of a browser extension page or an app's webview, such as
/// `chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop` or `capacitor://localhost`, in its
/// canonical (lower-case) form.
///
/// These are exact origins only: no wildcard over an identifier or a scheme. Parse one from
/// configuration with [`FromStr`]; a policy allows one only through
/// [`OriginPolicyBuilder::allow_extension_or_app_origin`](crate::OriginPolicyBuilder::allow_extension_or_app_origin).
///
/// ```
/// use origin_policy::{AppOrigin, AppOriginKind};
/// let origin: AppOrigin = "moz-extension://0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0/".parse()?;
/// assert_eq!(origin.as_str(), "moz-extension://0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
/// assert_eq!(origin.kind(), AppOriginKind::FirefoxExtension);
/// assert_eq!(origin.id(), "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
/// assert!("chrome-extension://*".parse::<AppOrigin>().is_err());
/// assert!("chrome-extension://abcdefghijklmnopqrstuvwxyzabcdef".parse::<AppOrigin>().is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct AppOrigin {
    /// Inline when short (`capacitor://localhost`); an extension id is shared.
    serialized: Text,
    kind: AppOriginKind,
}

impl AppOrigin {
    /// The canonical serialization, e.g. `capacitor://localhost`.
    pub fn as_str(&self) -> &str {
        self.serialized.as_str()
    }

    /// Whether a clone copies the serialization instead of counting a reference.
    #[cfg(test)]
    pub(crate) fn is_inline(&self) -> bool {
        self.serialized.is_inline()
    }

    /// What the origin belongs to.
    pub fn kind(&self) -> AppOriginKind {
        self.kind
    }

    /// The identifier after `://`: the extension id or UUID, or `localhost`.
    pub fn id(&self) -> &str {
        &self.as_str()[self.kind.scheme().len() + 3..]
    }

    /// Parses an entry, or says what is wrong with it.
    fn parse(entry: &str) -> Result<AppOrigin, ConfigErrorKind> {
        use ConfigErrorKind as K;
        let not_app = || K::NotAnAppOrigin;
        let (scheme, rest) = entry.split_once("://").ok_or_else(not_app)?;
        let kind = AppOriginKind::from_scheme(scheme).ok_or_else(not_app)?;
        let id = rest.strip_suffix('/').unwrap_or(rest);
        if id.contains('*') {
            return Err(K::AppOriginWildcard);
        }
        if !kind.accepts(id.as_bytes()) {
            return Err(K::InvalidAppOrigin(kind.grammar()));
        }
        Ok(AppOrigin {
            serialized: Text::new(&format!("{}://{}", kind.scheme(), id.to_ascii_lowercase())),
            kind,
        })
    }
}

impl FromStr for AppOrigin {
    type Err = ConfigError;

    /// Parses an extension or app origin as written in configuration: the scheme and the
    /// identifier in any letter case, one trailing `/` tolerated.
    fn from_str(entry: &str) -> Result<AppOrigin, ConfigError> {
        AppOrigin::parse(entry).map_err(|kind| ConfigError::new(entry, kind))
    }
}

impl PartialEq for AppOrigin {
    fn eq(&self, other: &AppOrigin) -> bool {
        self.serialized == other.serialized
    }
}

impl Eq for AppOrigin {}

impl Hash for AppOrigin {
    // Must agree with `OriginBytes`, the policy's allocation-free lookup key.
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(self.serialized.as_bytes());
    }
}

impl hashbrown::Equivalent<AppOrigin> for OriginBytes<'_> {
    fn equivalent(&self, origin: &AppOrigin) -> bool {
        self.0 == origin.serialized.as_bytes()
    }
}

impl PartialOrd for AppOrigin {
    fn partial_cmp(&self, other: &AppOrigin) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for AppOrigin {
    fn cmp(&self, other: &AppOrigin) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl AsRef<str> for AppOrigin {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for AppOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for AppOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AppOrigin").field(&self.as_str()).finish()
    }
}

/// The allowed extension and app origins of a policy, in the order given.
#[derive(Debug, Clone, Default)]
pub(crate) struct AppOrigins {
    list: Vec<AppOrigin>,
    lookup: hashbrown::HashSet<AppOrigin>,
}

impl AppOrigins {
    pub(crate) fn insert(&mut self, origin: AppOrigin) {
        if self.lookup.insert(origin.clone()) {
            self.list.push(origin);
        }
    }

    pub(crate) fn iter(&self) -> std::slice::Iter<'_, AppOrigin> {
        self.list.iter()
    }

    pub(crate) fn contains(&self, origin: &AppOrigin) -> bool {
        self.lookup.contains(origin)
    }

    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    /// The allowed origin equal to a header value, ASCII case-insensitively. Allocates only
    /// for a value with upper-case letters (browsers send lower case). A hit is valid by
    /// construction: it equals an entry that passed the grammar.
    pub(crate) fn find(&self, value: &[u8]) -> Option<&AppOrigin> {
        if self.list.is_empty() {
            return None;
        }
        if value.iter().any(u8::is_ascii_uppercase) {
            self.lookup.get(&OriginBytes(&value.to_ascii_lowercase()))
        } else {
            self.lookup.get(&OriginBytes(value))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(entry: &str) -> Result<String, ConfigErrorKind> {
        AppOrigin::parse(entry).map(|o| o.as_str().to_owned())
    }

    const CHROMIUM_ID: &str = "eajfodbolpdlmcjhefafcbpkjeadnhop";
    const UUID: &str = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

    #[test]
    fn entries_normalise() {
        let chromium = format!("chrome-extension://{CHROMIUM_ID}");
        let firefox = format!("moz-extension://{UUID}");
        let safari = format!("safari-web-extension://{UUID}");
        let cases: Vec<(String, &str)> = vec![
            (chromium.clone(), &chromium),
            (format!("{chromium}/"), &chromium),
            (chromium.to_ascii_uppercase(), &chromium),
            (firefox.clone(), &firefox),
            (
                format!("MOZ-EXTENSION://{}", UUID.to_ascii_uppercase()),
                &firefox,
            ),
            (safari.clone(), &safari),
            (safari.to_ascii_uppercase(), &safari),
            ("capacitor://localhost".into(), "capacitor://localhost"),
            ("Capacitor://LOCALHOST/".into(), "capacitor://localhost"),
            ("ionic://localhost".into(), "ionic://localhost"),
            ("tauri://localhost".into(), "tauri://localhost"),
        ];
        for (entry, expected) in cases {
            assert_eq!(parse(&entry).as_deref(), Ok(expected), "entry {entry:?}");
            // Normalising twice changes nothing.
            assert_eq!(
                parse(expected).as_deref(),
                Ok(expected),
                "entry {expected:?}"
            );
        }
    }

    #[test]
    fn bad_entries_are_refused() {
        use AppOriginKind as A;
        use ConfigErrorKind as K;
        let invalid = |kind: AppOriginKind| K::InvalidAppOrigin(kind.grammar());
        let cases: Vec<(String, ConfigErrorKind)> = vec![
            // Wildcards over an id or a scheme.
            ("chrome-extension://*".into(), K::AppOriginWildcard),
            ("moz-extension://*".into(), K::AppOriginWildcard),
            ("chrome-extension://*abc".into(), K::AppOriginWildcard),
            ("*://localhost".into(), K::NotAnAppOrigin),
            ("*-extension://abc".into(), K::NotAnAppOrigin),
            // Chromium ids: 32 letters a-p, nothing else.
            ("chrome-extension://".into(), invalid(A::ChromiumExtension)),
            (
                format!("chrome-extension://{}", &CHROMIUM_ID[1..]),
                invalid(A::ChromiumExtension),
            ),
            (
                format!("chrome-extension://{CHROMIUM_ID}a"),
                invalid(A::ChromiumExtension),
            ),
            (
                "chrome-extension://abcdefghijklmnopqrstuvwxyzabcdef".into(),
                invalid(A::ChromiumExtension),
            ),
            (
                "chrome-extension://0123456789abcdef0123456789abcdef".into(),
                invalid(A::ChromiumExtension),
            ),
            (
                format!("chrome-extension://{CHROMIUM_ID}/popup.html"),
                invalid(A::ChromiumExtension),
            ),
            (
                format!("chrome-extension://{CHROMIUM_ID}:443"),
                invalid(A::ChromiumExtension),
            ),
            (
                format!("chrome-extension://user@{CHROMIUM_ID}"),
                invalid(A::ChromiumExtension),
            ),
            // UUIDs: 8-4-4-4-12 hex digits.
            (
                "moz-extension://job-importer@example.com".into(),
                invalid(A::FirefoxExtension),
            ),
            (
                format!("moz-extension://{{{UUID}}}"),
                invalid(A::FirefoxExtension),
            ),
            (
                format!("moz-extension://{}", UUID.replace('-', "")),
                invalid(A::FirefoxExtension),
            ),
            (
                format!("moz-extension://{}", UUID.replacen('f', "g", 1)),
                invalid(A::FirefoxExtension),
            ),
            (
                format!("safari-web-extension://{}", &UUID[..35]),
                invalid(A::SafariExtension),
            ),
            (
                "safari-web-extension://com.example.ext".into(),
                invalid(A::SafariExtension),
            ),
            // Webviews: localhost only.
            ("capacitor://app.example.com".into(), invalid(A::Capacitor)),
            ("capacitor://localhost:8100".into(), invalid(A::Capacitor)),
            ("ionic://127.0.0.1".into(), invalid(A::Ionic)),
            ("tauri://localhost.".into(), invalid(A::Tauri)),
            ("tauri://".into(), invalid(A::Tauri)),
            // Not extension or app origins at all.
            ("http://tauri.localhost".into(), K::NotAnAppOrigin),
            ("https://app.example.com".into(), K::NotAnAppOrigin),
            ("chrome://settings".into(), K::NotAnAppOrigin),
            ("extension://abc".into(), K::NotAnAppOrigin),
            (CHROMIUM_ID.into(), K::NotAnAppOrigin),
        ];
        for (entry, kind) in cases {
            assert_eq!(parse(&entry), Err(kind), "entry {entry:?}");
        }
    }

    #[test]
    fn error_messages_are_pinned() {
        let message = |entry: &str| entry.parse::<AppOrigin>().unwrap_err().to_string();
        assert_eq!(
            message("chrome-extension://abc"),
            "invalid allowlist entry \"chrome-extension://abc\": a Chromium extension origin is `chrome-extension://` and the extension's id: 32 letters from `a` to `p`, as chrome://extensions shows it"
        );
        assert_eq!(
            message("moz-extension://*"),
            "invalid allowlist entry \"moz-extension://*\": no wildcard over an extension id or an app scheme: list each exact origin"
        );
        assert_eq!(
            message("http://tauri.localhost"),
            "invalid allowlist entry \"http://tauri.localhost\": `allow_extension_or_app_origin` takes only `chrome-extension://<id>`, `moz-extension://<uuid>`, `safari-web-extension://<uuid>`, `capacitor://localhost`, `ionic://localhost` and `tauri://localhost`: list web origins (`http://tauri.localhost` too) with `OriginPolicyBuilder::allow`"
        );
    }

    #[test]
    fn lookup_folds_case_and_allocates_only_then() {
        let mut origins = AppOrigins::default();
        let chromium: AppOrigin = format!("chrome-extension://{CHROMIUM_ID}").parse().unwrap();
        origins.insert(chromium.clone());
        origins.insert(chromium.clone());
        origins.insert("tauri://localhost".parse().unwrap());
        assert_eq!(origins.len(), 2);
        let cases: &[(&str, bool)] = &[
            ("chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop", true),
            ("CHROME-EXTENSION://EAJFODBOLPDLMCJHEFAFCBPKJEADNHOP", true),
            ("tauri://localhost", true),
            ("TAURI://LocalHost", true),
            ("chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhoa", false),
            (
                "chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop/",
                false,
            ),
            ("capacitor://localhost", false),
            ("tauri://localhost:1", false),
        ];
        for &(value, found) in cases {
            assert_eq!(origins.find(value.as_bytes()).is_some(), found, "{value:?}");
        }
        assert_eq!(
            origins.find(b"chrome-extension://eajfodbolpdlmcjhefafcbpkjeadnhop"),
            Some(&chromium)
        );
        assert!(AppOrigins::default().find(b"tauri://localhost").is_none());
    }

    proptest::proptest! {
        /// Any text: an error or an entry whose canonical form re-parses to itself, never a
        /// panic.
        #[test]
        fn any_text_parses_or_is_refused(entry in "\\PC{0,60}") {
            if let Ok(origin) = AppOrigin::parse(&entry) {
                proptest::prop_assert_eq!(
                    AppOrigin::parse(origin.as_str()).map(|o| o.as_str().to_owned()),
                    Ok(origin.as_str().to_owned())
                );
                proptest::prop_assert!(!origin.as_str().bytes().any(|b| b.is_ascii_uppercase()));
            }
        }

        /// Near misses of the grammars: the same invariants.
        #[test]
        fn near_misses_parse_or_are_refused(
            entry in "(?i)(chrome-extension|moz-extension|safari-web-extension|capacitor|tauri)://[a-p0-9f*@:.-]{0,40}/?",
        ) {
            if let Ok(origin) = AppOrigin::parse(&entry) {
                proptest::prop_assert_eq!(
                    AppOrigin::parse(origin.as_str()).map(|o| o.as_str().to_owned()),
                    Ok(origin.as_str().to_owned())
                );
                proptest::prop_assert!(origin.kind().accepts(origin.id().as_bytes()));
            }
        }

        /// A Chromium id in any letter case is the same origin; a different id is not.
        #[test]
        fn letter_case_never_changes_a_decision(
            id in "[a-p]{32}",
            upper in proptest::collection::vec(proptest::bool::ANY, 32),
            other in "[a-p]{32}",
        ) {
            let policy = crate::OriginPolicy::builder()
                .allow_extension_or_app_origin(format!("chrome-extension://{id}"))
                .build()
                .unwrap();
            let cased: String = id
                .chars()
                .zip(&upper)
                .map(|(c, &up)| if up { c.to_ascii_uppercase() } else { c })
                .collect();
            let value = format!("chrome-extension://{cased}");
            proptest::prop_assert!(policy.check_value(value.as_bytes()).is_allowed());
            let other_value = format!("chrome-extension://{other}");
            proptest::prop_assert_eq!(
                policy.check_value(other_value.as_bytes()).is_allowed(),
                other == id
            );
        }
    }

    #[test]
    fn accessors() {
        let origin: AppOrigin = "IONIC://localhost".parse().unwrap();
        assert_eq!(origin.kind(), AppOriginKind::Ionic);
        assert_eq!(origin.id(), "localhost");
        assert_eq!(origin.kind().scheme(), "ionic");
        assert!(!origin.kind().is_extension());
        assert!(AppOriginKind::SafariExtension.is_extension());
        assert_eq!(format!("{origin:?}"), "AppOrigin(\"ionic://localhost\")");
        assert_eq!(origin.to_string(), "ionic://localhost");
        assert_eq!(AppOriginKind::Tauri.to_string(), "Tauri app");
        for kind in AppOriginKind::ALL {
            assert_eq!(AppOriginKind::from_scheme(kind.scheme()), Some(kind));
            assert_eq!(
                AppOriginKind::from_scheme(&kind.scheme().to_ascii_uppercase()),
                Some(kind)
            );
        }
        assert_eq!(AppOriginKind::from_scheme("https"), None);
    }
}
