#!/usr/bin/env bash
# Installs Debian's chromium and chromium-driver when either is missing: the report's browser test
# (tests/Coordinator.Tests/Reports/ReportBrowserTests.cs) opens a report in headless Chromium through chromedriver.
# Needs root or sudo and Debian's package registry; exits non-zero with one line when it cannot install them.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: apt-get is missing; install Chromium and chromedriver at /usr/bin/chromium and /usr/bin/chromedriver by hand" >&2
    exit 1
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        as_root=(sudo)
    else
        echo "install-browser: not root and no sudo; run: apt-get install chromium chromium-driver" >&2
        exit 1
    fi
fi
echo "install-browser: installing Debian's chromium and chromium-driver (for the report's browser test)"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
