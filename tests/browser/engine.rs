//! The three engines behind one interface: start a browser whose every host name resolves
//! to 127.0.0.1, then open pages in it, each in its own tab or window.

use std::fmt;
use std::path::PathBuf;

use super::{chromium, firefox, program_or_skip, webkit};

/// A browser engine of the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    /// Blink: Debian's `chromium`, new headless mode, driven over the DevTools HTTP endpoint.
    Chromium,
    /// Gecko: Debian's `firefox-esr`, headless, driven over WebDriver BiDi.
    Firefox,
    /// WebKitGTK: `MiniBrowser --automation` under Xvfb, driven by `WebKitWebDriver`.
    WebKit,
}

impl Engine {
    /// Every engine, in the order of the tables.
    pub const ALL: [Engine; 3] = [Engine::Chromium, Engine::Firefox, Engine::WebKit];

    /// The folder name of its captures under `tests/fixtures/`.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
            Engine::WebKit => "webkit",
        }
    }

    /// Finds the programs the engine needs; `None` (a printed skip) when one is missing
    /// outside CI.
    ///
    /// # Panics
    ///
    /// Under `CI=true`, when a program is missing.
    pub fn programs_or_skip(self, test: &str) -> Option<Programs> {
        let programs = match self {
            Engine::Chromium => {
                vec![program_or_skip(test, "CHROMIUM", &["/usr/bin/chromium"])?]
            }
            Engine::Firefox => vec![program_or_skip(
                test,
                "FIREFOX",
                &["/usr/bin/firefox-esr", "/usr/bin/firefox"],
            )?],
            Engine::WebKit => vec![
                program_or_skip(test, "WEBKIT_WEBDRIVER", &["/usr/bin/WebKitWebDriver"])?,
                program_or_skip(
                    test,
                    "MINIBROWSER",
                    &[
                        "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
                        "/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
                        "/usr/libexec/webkit2gtk-4.1/MiniBrowser",
                    ],
                )?,
                program_or_skip(test, "XVFB", &["/usr/bin/Xvfb"])?,
            ],
        };
        Some(Programs(programs))
    }

    /// Starts the engine with a fresh profile.
    pub fn launch(self, programs: &Programs) -> Result<Box<dyn Browser>, String> {
        let p = &programs.0;
        Ok(match self {
            Engine::Chromium => Box::new(chromium::Chromium::launch(&p[0])?),
            Engine::Firefox => Box::new(firefox::Firefox::launch(&p[0])?),
            Engine::WebKit => Box::new(webkit::WebKit::launch(&p[0], &p[1], &p[2])?),
        })
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The programs an engine runs (browser or driver first).
#[derive(Clone, Debug)]
pub struct Programs(pub Vec<PathBuf>);

/// A running browser. Dropping it ends every process it started.
pub trait Browser {
    /// Its product and version, as it reports them.
    fn version(&self) -> String;

    /// Opens `url` in a new tab or window; returns once the browser accepted the navigation
    /// (not when the page has loaded).
    fn open(&mut self, url: &str) -> Result<(), String>;

    /// The status of each response as the browser itself reports it, `(URL, status)`,
    /// where its protocol shows that (Firefox: BiDi `network.responseStarted`); `None`
    /// elsewhere (WebKit's automation shows no handshake status at all).
    fn response_statuses(&mut self) -> Option<Vec<(String, u16)>> {
        None
    }

    /// Whether the browser is gone (then waiting for its pages is pointless).
    fn gone(&mut self) -> bool;

    /// What its processes logged, for failure messages.
    fn diagnostics(&self) -> String;

    /// Facts about the run worth keeping beside its captures (WebKit: the request lines its
    /// proxy received).
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
}
