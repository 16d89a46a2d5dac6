#!/usr/bin/env bash
# Installs headless Chromium and its WebDriver for the browser tests
# (tests/it/browser): Debian's `chromium` and `chromium-driver`, giving
# /usr/bin/chromium and /usr/bin/chromedriver. Does nothing when both
# are there (scripts/install-packages.sh says how it installs).
#
# Usage: scripts/install-chromium.sh
set -euo pipefail
exec "$(dirname "$0")/install-packages.sh" install-chromium \
  /usr/bin/chromium=chromium /usr/bin/chromedriver=chromium-driver
