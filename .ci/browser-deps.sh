#!/usr/bin/env bash
# Installs what tests/browser_e2e.rs needs (Debian packages), then prints each version:
#   chromium           headless Chromium (Blink)
#   firefox-esr        headless Firefox ESR (Gecko), driven over WebDriver BiDi
#   webkit2gtk-driver  WebKitWebDriver, which drives WebKitGTK's MiniBrowser
#   xvfb               the X display MiniBrowser draws on (it has no headless mode)
#   nginx-light        the reverse proxy in front of the test servers
# Installs only when something is missing (apt-get update first); needs root or sudo then.
# Usage: bash .ci/browser-deps.sh
# (CHROMIUM, FIREFOX, WEBKIT_WEBDRIVER, MINIBROWSER, XVFB, NGINX override the programs the
# tests use; an override that is not an executable file is an error here.)
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
FIREFOX="${FIREFOX:-/usr/bin/firefox-esr}"
WEBKIT_WEBDRIVER="${WEBKIT_WEBDRIVER:-/usr/bin/WebKitWebDriver}"
XVFB="${XVFB:-/usr/bin/Xvfb}"
NGINX="${NGINX:-/usr/sbin/nginx}"

minibrowser() {
    if [ -n "${MINIBROWSER:-}" ]; then
        echo "$MINIBROWSER"
        return
    fi
    for candidate in /usr/lib/*-linux-gnu/webkit2gtk-4.1/MiniBrowser /usr/libexec/webkit2gtk-4.1/MiniBrowser; do
        if [ -x "$candidate" ]; then
            echo "$candidate"
            return
        fi
    done
    echo /usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser
}

# program, override variable, package
missing=()
check() {
    local program="$1" variable="$2" package="$3" default="$4"
    if [ -x "$program" ]; then
        return
    fi
    if [ "$program" != "$default" ]; then
        echo "browser-deps: $variable=$program is not an executable file" >&2
        exit 1
    fi
    missing+=("$package")
}
check "$CHROMIUM" CHROMIUM chromium /usr/bin/chromium
check "$FIREFOX" FIREFOX firefox-esr /usr/bin/firefox-esr
check "$WEBKIT_WEBDRIVER" WEBKIT_WEBDRIVER webkit2gtk-driver /usr/bin/WebKitWebDriver
check "$(minibrowser)" MINIBROWSER webkit2gtk-driver "$(MINIBROWSER='' minibrowser)"
check "$XVFB" XVFB xvfb /usr/bin/Xvfb
check "$NGINX" NGINX nginx-light /usr/sbin/nginx

if [ "${#missing[@]}" -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "browser-deps: missing ${missing[*]} and apt-get is not available; install them or set the variables above" >&2
        exit 1
    fi
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO=(sudo)
        else
            echo "browser-deps: installing ${missing[*]} needs root (or sudo)" >&2
            exit 1
        fi
    fi
    # One package may stand for several programs.
    mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -qq
    # Releases after Debian 12 have no nginx-light: the plain package then.
    if printf '%s\n' "${packages[@]}" | grep -qx nginx-light \
        && ! apt-cache show nginx-light >/dev/null 2>&1; then
        mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sed 's/^nginx-light$/nginx/')
    fi
    echo "browser-deps: installing ${packages[*]} with apt-get"
    "${SUDO[@]}" apt-get install -y -qq "${packages[@]}" >/dev/null
fi

# The Debian Chromium launcher prints a harmless shell warning about /dev/shm on some hosts.
"$CHROMIUM" --version 2>/dev/null
"$FIREFOX" --version 2>/dev/null
echo "WebKitGTK $(dpkg-query -W -f '${Version}' webkit2gtk-driver 2>/dev/null || echo '?') ($WEBKIT_WEBDRIVER, $(minibrowser))"
echo "Xvfb $(dpkg-query -W -f '${Version}' xvfb 2>/dev/null || echo '?')"
"$NGINX" -v 2>&1
