#!/usr/bin/env bash
# Installs Debian packages a test needs, unless what it needs is there.
#
# Usage: scripts/install-packages.sh NAME PATH=PACKAGE...
#   NAME           what the messages say (the script that asks)
#   PATH=PACKAGE   PACKAGE is installed when PATH is missing
#
# Installs with apt-get (as root, or through sudo when it is available),
# running `apt-get update` first only if the install fails (missing or
# stale package lists). Quiet: prints one line when it installs and, on
# failure, the tail of apt's log and a message on stderr, then exits 1.
set -euo pipefail

name="$1"
shift
fail() {
  echo "$name: $*" >&2
  exit 1
}

packages=()
paths=()
for pair in "$@"; do
  paths+=("${pair%%=*}")
  [[ -e "${pair%%=*}" ]] || packages+=("${pair#*=}")
done
[[ ${#packages[@]} -eq 0 ]] && exit 0

command -v apt-get >/dev/null 2>&1 ||
  fail "apt-get not found: install ${packages[*]} by hand"

sudo=()
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null 2>&1 ||
    fail "not root and no sudo: run 'apt-get install ${packages[*]}' as root"
  sudo=(sudo -n)
fi

log="$(mktemp -t install-packages.XXXXXX.log)"
trap 'rm -f "$log"' EXIT

apt() {
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive "$@" >>"$log" 2>&1
}
# Waits for another apt or dpkg run to finish rather than failing at once.
lock=(-o DPkg::Lock::Timeout=600)

echo "$name: apt-get install ${packages[*]}"
if ! apt apt-get "${lock[@]}" install -y -q --no-install-recommends "${packages[@]}"; then
  # Missing or stale package lists: refresh them and try once more.
  if ! apt apt-get update -q || ! apt apt-get "${lock[@]}" install -y -q --no-install-recommends "${packages[@]}"; then
    tail -n 20 "$log" >&2
    fail "apt-get install ${packages[*]} failed (log above)"
  fi
fi

for path in "${paths[@]}"; do
  [[ -e "$path" ]] || fail "$path missing after installing ${packages[*]}"
done
