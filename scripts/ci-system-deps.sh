#!/bin/sh
# System packages the test suite can use but does not require: systemd-analyze (to verify the
# unit files in systemd/). Idempotent; installs only when missing and running as root; never
# fails the run (tests that need a missing tool skip with a message instead).
if command -v systemd-analyze >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "ci-system-deps: systemd-analyze missing and cannot install it here; its tests will skip" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends systemd >/dev/null 2>&1 \
    || echo "ci-system-deps: apt-get could not install systemd; its tests will skip" >&2
exit 0
