#!/usr/bin/env bash
# Installs headless Chromium and its WebDriver for the browser tests
# (tests/it/browser): Debian's `chromium` and `chromium-driver`, giving
# /usr/bin/chromium and /usr/bin/chromedriver.
#
# Usage: scripts/install-chromium.sh
#
# Does nothing when both binaries are there. Otherwise installs the two
# packages with apt-get (as root, or through sudo when it is available),
# running `apt-get update` first only if the install fails (missing or
# stale package lists). Quiet: prints one line when it installs and, on
# failure, the tail of apt's log and a message on stderr, then exits 1.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver
PACKAGES=(chromium chromium-driver)

if [[ -x "$CHROMIUM" && -x "$CHROMEDRIVER" ]]; then
  exit 0
fi

fail() {
  echo "install-chromium: $*" >&2
  exit 1
}

command -v apt-get >/dev/null 2>&1 ||
  fail "apt-get not found: install ${PACKAGES[*]} (for $CHROMIUM and $CHROMEDRIVER) by hand"

sudo=()
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null 2>&1 ||
    fail "not root and no sudo: run 'apt-get install ${PACKAGES[*]}' as root"
  sudo=(sudo -n)
fi

log="$(mktemp -t install-chromium.XXXXXX.log)"
trap 'rm -f "$log"' EXIT

apt() {
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "$@" >>"$log" 2>&1
}
# Waits for another apt or dpkg run to finish rather than failing at once.
lock=(-o DPkg::Lock::Timeout=600)

echo "install-chromium: apt-get install ${PACKAGES[*]}"
if ! apt apt-get "${lock[@]}" install -y -q --no-install-recommends "${PACKAGES[@]}"; then
  # Missing or stale package lists: refresh them and try once more.
  if ! apt apt-get update -q || ! apt apt-get "${lock[@]}" install -y -q --no-install-recommends "${PACKAGES[@]}"; then
    tail -n 20 "$log" >&2
    fail "apt-get install ${PACKAGES[*]} failed (log above)"
  fi
fi

for bin in "$CHROMIUM" "$CHROMEDRIVER"; do
  [[ -x "$bin" ]] || fail "$bin missing after installing ${PACKAGES[*]}"
done
