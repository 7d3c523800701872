#!/bin/sh
# Installs the Debian packages the test suite drives as real components: chromium (the HTML report, viewer and
# live-page tests, through playwright-core), redis-server (tournaments over Redis) and iproute2 (the network-
# namespace test hosts). Idempotent: installs only what is missing. Run as root (CI does, in .ci/run).
set -eu

missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v ip >/dev/null 2>&1 || missing="$missing iproute2"

if [ -z "$missing" ]; then
  echo "system packages already installed: chromium, redis-server, iproute2"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo "$0" "$@"
  fi
  echo "install-system-packages.sh: must run as root (apt-get install$missing)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
# shellcheck disable=SC2086 # the list is words on purpose
apt-get install -y $missing

for bin in /usr/bin/chromium redis-server ip; do
  command -v "$bin" >/dev/null 2>&1 || { echo "install-system-packages.sh: $bin is still missing" >&2; exit 1; }
done
echo "installed:$missing"
