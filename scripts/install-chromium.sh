#!/bin/sh
# Installs Debian's chromium for the HTML-report test (test/load/report-browser.test.ts), which drives it
# through playwright-core. Idempotent: does nothing when /usr/bin/chromium is already there. Run as root (CI).
set -eu

if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo "$0" "$@"
  fi
  echo "install-chromium.sh: must run as root (apt-get install chromium)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y chromium

if [ ! -x /usr/bin/chromium ]; then
  echo "install-chromium.sh: apt-get finished but /usr/bin/chromium is missing" >&2
  exit 1
fi
echo "chromium installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
