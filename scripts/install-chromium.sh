#!/bin/sh
# Kept for the messages and habits that name it: installs every system package the tests need (chromium among
# them) through scripts/install-system-packages.sh.
exec sh "$(dirname "$0")/install-system-packages.sh" "$@"
