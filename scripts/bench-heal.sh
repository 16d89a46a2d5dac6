#!/usr/bin/env bash
# Heal benchmark: how fast a returning node is repaired, and what repair
# costs foreground traffic.
#
# Usage: scripts/bench-heal.sh   (after `cargo build --release --workspace`)
#
# Starts README's cluster as local processes (three `storage,meta` nodes and
# a gateway on 127.0.0.91-94, 2+1), then:
#   1. runs `predastore-bench` (large-object PUT/GET) on the idle cluster;
#   2. kills node 3 and writes HEAL_BENCH_GIB GiB of 8 MiB objects (each
#      written with two shards on one node, queued for repair);
#   3. restarts node 3 and, while repair moves those shards back, runs the
#      same bench again; repair is over when the repair leader reports an
#      empty heal queue and no object below full redundancy or misplaced
#      (polled every 0.1 s while the bench runs).
# Prints `RESULT` lines: heal MB/s (shard bytes written by repair over the
# time from the restart to the end of repair) and the bench's figures idle
# and while healing.
#
# Environment:
#   HEAL_BENCH_GIB        data to repair (default 1)
#   PREDASTORE_HEAL_MB_S  repair's rate limit (default 32, the store's default; 0: none)
#   BENCH_SECONDS         length of each bench phase (default 10)
#   HEAL_BENCH_KEEP=1     keep the nodes' logs and data (path printed)
#   PREDASTORE_LOG        the nodes' log filter (default warn)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GIB="${HEAL_BENCH_GIB:-1}"
HEAL_MB_S="${PREDASTORE_HEAL_MB_S:-32}"
WORK="$(mktemp -d)"
IP_BASE=90
NODES="1@127.0.0.91:9100,2@127.0.0.92:9100,3@127.0.0.93:9100"
GATEWAY="http://127.0.0.94:9000"
# shellcheck source=scripts/lib/bench-cluster.sh
source "$ROOT/scripts/lib/bench-cluster.sh"
NODE_ENV=(PREDASTORE_HEAL_MB_S="$HEAL_MB_S" PREDASTORE_HEAL_SCAN_EVERY=10s
  PREDASTORE_NODE_DOWN_AFTER=1h)
cleanup_on_exit "${HEAL_BENCH_KEEP:-}"

"$BIN" tls init "$WORK/certs" --nodes 4 >/dev/null

for i in 1 2 3; do start "$i" storage,meta; done
start 4 gateway
for i in 1 2 3 4; do wait_for "node $i" 30 ready "$i"; done

echo "# idle cluster" >&2
bench "$GATEWAY" idle idle

echo "# node 3 down: writing $GIB GiB to repair later" >&2
kill -9 "${PIDS[3]}"
PIDS[3]=0
peer_down() {
  curl -sf "$GATEWAY/metrics" | grep -q 'predastore_peer_up{node="127.0.0.93:9100"} 0'
}
wait_for "node 3 known down" 30 peer_down
fill "$GATEWAY" heal "$GIB"
OBJECTS=$((GIB * 128))
sleep 2

echo "# node 3 back: repairing while the bench runs" >&2
HEALED_BEFORE=$(metric_max predastore_heal_bytes_total)
start 3 storage,meta
T0=$(date +%s.%N)
wait_for "node 3" 30 ready 3
bench "$GATEWAY" busy healing >"$WORK/busy.txt" &
BENCH_PID=$!
repaired() {
  [[ "$(metric_max predastore_heal_queue_length)" == 0 ]] &&
    [[ "$(metric_max predastore_objects_below_redundancy)" == 0 ]] &&
    [[ "$(metric_max predastore_objects_misplaced)" == 0 ]]
}
# Repair has begun once the leader counts healed bytes.
started() { [[ "$(metric_max predastore_heal_bytes_total)" != "$HEALED_BEFORE" ]]; }
# (HEAL_BENCH_GIB=0: nothing to repair, the same bench right after the
# restart, to tell repair's cost from the restart's.)
[[ "$OBJECTS" == 0 ]] || wait_for "repair to begin" 120 started
wait_for "repair" 1800 repaired
T1=$(date +%s.%N)
wait "$BENCH_PID"
cat "$WORK/busy.txt"
HEALED=$(awk -v a="$(metric_max predastore_heal_bytes_total)" -v b="$HEALED_BEFORE" 'BEGIN { print a - b }')
awk -v bytes="$HEALED" -v t0="$T0" -v t1="$T1" -v objects="$OBJECTS" 'BEGIN {
  secs = t1 - t0
  printf "RESULT heal_objects %d count\n", objects
  printf "RESULT heal_bytes %.1f MB\n", bytes / 1e6
  printf "RESULT heal_seconds %.3f s\n", secs
  printf "RESULT heal_throughput %.1f MB/s\n", bytes / 1e6 / secs
}'
