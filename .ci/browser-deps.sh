#!/usr/bin/env bash
# Installs headless Chromium for tests/browser_e2e.rs (Debian package `chromium`) when it is
# missing, then prints its version. Needs root (or passwordless sudo) to install.
# Usage: bash .ci/browser-deps.sh   (CHROMIUM=/path/to/chromium overrides the binary checked)
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

if [ ! -x "$CHROMIUM" ]; then
    if [ "$CHROMIUM" != /usr/bin/chromium ]; then
        echo "browser-deps: CHROMIUM=$CHROMIUM is not an executable file" >&2
        exit 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "browser-deps: $CHROMIUM is missing and apt-get is not available; install Chromium and set CHROMIUM" >&2
        exit 1
    fi
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            SUDO=(sudo)
        else
            echo "browser-deps: installing chromium needs root (or sudo)" >&2
            exit 1
        fi
    fi
    echo "browser-deps: installing chromium with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" apt-get install -y -qq chromium >/dev/null
fi

# The Debian launcher prints a harmless shell warning about /dev/shm on some hosts: drop it.
"$CHROMIUM" --version 2>/dev/null
