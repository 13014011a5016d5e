#!/bin/sh
# Headless Chromium for the HTML report's browser test (tests/report/test_report_browser.py).
# Idempotent: installs the Debian package `chromium` only when /usr/bin/chromium is absent and we
# are root with apt-get; never fails the run (without a browser that test skips with a message).
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "ci-browser: /usr/bin/chromium missing and cannot install it here; the browser test will skip" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
{ apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-liberation; } >/dev/null 2>&1 \
    || echo "ci-browser: apt-get could not install chromium; the browser test will skip" >&2
exit 0
