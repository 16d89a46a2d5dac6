#!/usr/bin/env bash
# Lifecycle benchmark: how fast bucket lifecycle rules expire objects, and
# what the expiration costs foreground traffic.
#
# Usage: scripts/bench-lifecycle.sh   (after `cargo build --release --workspace`)
#
# Starts one `predastore` (role `all`, data in a temporary directory, on
# free 127.0.0.1 ports) with a lifecycle day of LC_DAY_SECS seconds, and
# runs only the `lifecycle` phase of `predastore-bench` against it:
#   1. PUTs LC_OBJECTS objects of 1 KiB under `expire/` of a bucket of its
#      own, BENCH_CLIENTS at a time;
#   2. runs 4 KiB PUT then GET loops (as the `small` phase) on the idle
#      store, BENCH_SECONDS each;
#   3. two lifecycle days after the last PUT, puts the rule `Expiration
#      Days=1` on `expire/` and runs the same loops again while the
#      lifecycle walk expires the objects; the expiration is over when
#      predastore_lifecycle_expired_objects_total has risen by LC_OBJECTS
#      (read every 0.1 s);
#   4. checks that nothing is left under `expire/`.
# Prints `RESULT` lines: lifecycle_expire_objects_per_sec (objects over
# the time from the rule's PUT to the end of the expiration), the fill's
# PUT rate, and the foreground figures idle (lifecycle_put_idle_*,
# lifecycle_get_idle_*) and during the expiration (lifecycle_*_during_*),
# with their ratios.
#
# Environment:
#   LC_OBJECTS            objects to expire (default 100000)
#   LC_DAY_SECS           the store's lifecycle day in seconds (default 2)
#   PREDASTORE_LIFECYCLE_OBJECTS_PER_SEC
#                         records the walk looks at per second (default 1000,
#                         the store's; 0: no limit)
#   BENCH_SECONDS         length of each foreground loop (default 10)
#   BENCH_CLIENTS         concurrent clients of the fill and the loops
#                         (default 64, the bench's --small-clients)
#   LC_BENCH_KEEP=1       keep the store's log and data (path printed)
#   PREDASTORE_LOG        the store's log filter (default warn)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OBJECTS="${LC_OBJECTS:-100000}"
DAY_SECS="${LC_DAY_SECS:-2}"
PACE="${PREDASTORE_LIFECYCLE_OBJECTS_PER_SEC:-1000}"
SECONDS_PER_PHASE="${BENCH_SECONDS:-10}"
CLIENTS="${BENCH_CLIENTS:-64}"
BIN="$ROOT/target/release/predastore"
BENCH="$ROOT/target/release/predastore-bench"
KEY=predastore
SECRET=predastore-secret
PY="${PY:-python3}"

for f in "$BIN" "$BENCH"; do
  [[ -x "$f" ]] || { echo "missing $f: run cargo build --release --workspace" >&2; exit 2; }
done
# shellcheck source=scripts/lib/local-store.sh
source "$ROOT/scripts/lib/local-store.sh"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/predastore-lc-bench.XXXXXX")"
STORE_PID=0
cleanup() {
  if [[ "$STORE_PID" != 0 ]]; then kill -9 "$STORE_PID" 2>/dev/null || true; fi
  if [[ -n "${LC_BENCH_KEEP:-}" ]]; then
    echo "log and data kept in $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

HTTP_PORT="$(free_port tcp)"
QUIC_PORT="$(free_port udp)"
ENDPOINT="http://127.0.0.1:$HTTP_PORT"
mkdir -p "$WORK/data"
echo "# store on $ENDPOINT: lifecycle day ${DAY_SECS} s, walk pace $PACE records/s" >&2
PREDASTORE_ROLE=all \
  PREDASTORE_DATA_DIR="$WORK/data" \
  PREDASTORE_LISTEN="127.0.0.1:$HTTP_PORT" \
  PREDASTORE_QUIC_LISTEN="127.0.0.1:$QUIC_PORT" \
  PREDASTORE_CONSOLE_LISTEN=off \
  PREDASTORE_ACCESS_KEY="$KEY" \
  PREDASTORE_SECRET_KEY="$SECRET" \
  PREDASTORE_LIFECYCLE_DAY_SECS="$DAY_SECS" \
  PREDASTORE_LIFECYCLE_OBJECTS_PER_SEC="$PACE" \
  PREDASTORE_LOG="${PREDASTORE_LOG:-warn}" \
  NO_COLOR=1 \
  "$BIN" >"$WORK/store.log" 2>&1 &
STORE_PID=$!
# Killed at the end by cleanup: no job report from the shell.
disown "$STORE_PID"
ready=0
for _ in $(seq 1 120); do
  kill -0 "$STORE_PID" 2>/dev/null || {
    echo "the store exited during start-up:" >&2
    tail -n 20 "$WORK/store.log" >&2
    exit 1
  }
  if http_ok "$ENDPOINT/health/ready"; then
    ready=1
    break
  fi
  sleep 0.5
done
((ready)) || { echo "the store was not ready within 60 s" >&2; exit 1; }

echo "# $OBJECTS objects to expire, ${SECONDS_PER_PHASE} s per foreground loop, $CLIENTS clients" >&2
"$BENCH" --endpoint "$ENDPOINT" --access-key "$KEY" --secret-key "$SECRET" \
  --seconds "$SECONDS_PER_PHASE" --small-clients "$CLIENTS" \
  --skip large,medium,small,multipart,big,versions \
  --lifecycle-objects "$OBJECTS" --lifecycle-day-secs "$DAY_SECS" \
  --metrics-url "$ENDPOINT/metrics"
