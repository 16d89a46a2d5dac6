#!/usr/bin/env bash
# Rebalance benchmark: how fast a new node gets its share, and what the
# move costs foreground traffic.
#
# Usage: scripts/bench-rebalance.sh   (after `cargo build --release --workspace`)
#
# Starts three `storage,meta` nodes and a gateway on 127.0.0.121-124 (2+1)
# with the admin API on, then:
#   1. runs `predastore-bench` (large-object PUT/GET) on the idle cluster;
#   2. writes REBALANCE_BENCH_GIB GiB of 8 MiB objects;
#   3. starts a fourth storage node (127.0.0.125), adds it to the layout
#      through the admin API and, while rebalance moves its share of the
#      shards to it, runs the same bench again; the rebalance is over when
#      the repair leader has nothing left to move and nothing misplaced.
# Prints `RESULT` lines: rebalance MB/s (shard bytes moved over the time
# from the layout change to the end of the rebalance) and the bench's
# figures idle and during the rebalance.
#
# Environment:
#   REBALANCE_BENCH_GIB        data before the new node joins (default 2)
#   PREDASTORE_REBALANCE_MB_S  the rate limit (default 64, the store's; 0: none)
#   BENCH_SECONDS              length of each bench phase (default 10)
#   REBALANCE_BENCH_KEEP=1     keep the nodes' logs and data (path printed)
#   PREDASTORE_LOG             the nodes' log filter (default warn)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GIB="${REBALANCE_BENCH_GIB:-2}"
RATE="${PREDASTORE_REBALANCE_MB_S:-64}"
WORK="$(mktemp -d)"
IP_BASE=120
NODES="1@127.0.0.121:9100,2@127.0.0.122:9100,3@127.0.0.123:9100"
GATEWAY="http://127.0.0.124:9000"
TOKEN=bench-admin-token
# shellcheck source=scripts/lib/bench-cluster.sh
source "$ROOT/scripts/lib/bench-cluster.sh"
NODE_ENV=(PREDASTORE_REBALANCE_MB_S="$RATE" PREDASTORE_ADMIN_TOKEN="$TOKEN")
cleanup_on_exit "${REBALANCE_BENCH_KEEP:-}"

"$BIN" tls init "$WORK/certs" --nodes 5 >/dev/null
for i in 1 2 3; do start "$i" storage,meta; done
start 4 gateway
for i in 1 2 3 4; do wait_for "node $i" 30 ready "$i"; done

echo "# idle cluster" >&2
bench "$GATEWAY" idle idle

echo "# writing $GIB GiB" >&2
fill "$GATEWAY" rebalance "$GIB"

echo "# node 5 joins: rebalancing while the bench runs" >&2
start 5 storage
wait_for "node 5" 30 ready 5
MOVED_BEFORE=$(metric_max predastore_rebalance_bytes_total)
curl -sf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d "{\"id\":5,\"addr\":\"$(ip_of 5):9100\"}" "$GATEWAY/admin/v1/nodes" >/dev/null
T0=$(date +%s.%N)
bench "$GATEWAY" busy rebalancing >"$WORK/busy.txt" &
BENCH_PID=$!
started() { [[ "$(metric_max predastore_rebalance_bytes_total)" != "$MOVED_BEFORE" ]]; }
done_moving() {
  [[ "$(metric_max predastore_layout_version)" == 2 ]] &&
    [[ "$(metric_max predastore_rebalance_objects_left)" == 0 ]] &&
    [[ "$(metric_max predastore_objects_misplaced)" == 0 ]]
}
wait_for "the rebalance to begin" 120 started
wait_for "the rebalance" 3600 done_moving
T1=$(date +%s.%N)
wait "$BENCH_PID"
cat "$WORK/busy.txt"
MOVED=$(awk -v a="$(metric_max predastore_rebalance_bytes_total)" -v b="$MOVED_BEFORE" 'BEGIN { print a - b }')
SHARDS=$(curl -sf "http://$(ip_of 5):9000/metrics" | awk '$1 == "predastore_shards_stored" { print $2 }')
awk -v bytes="$MOVED" -v t0="$T0" -v t1="$T1" -v shards="$SHARDS" 'BEGIN {
  secs = t1 - t0
  printf "RESULT rebalance_new_node_shards %d count\n", shards
  printf "RESULT rebalance_bytes %.1f MB\n", bytes / 1e6
  printf "RESULT rebalance_seconds %.3f s\n", secs
  printf "RESULT rebalance_throughput %.1f MB/s\n", bytes / 1e6 / secs
}'
