#!/usr/bin/env bash
# Rebalance benchmark: how fast a new node gets its share, alone and while
# clients use the store, and what the move costs those clients.
#
# Usage: scripts/bench-rebalance.sh   (after `cargo build --release --workspace`)
#
# Starts three `storage,meta` nodes and a gateway on 127.0.0.121-124 (2+1)
# with the admin API on, then:
#   1. runs `predastore-bench` (large-object PUT/GET) on the idle cluster;
#   2. writes REBALANCE_BENCH_GIB GiB of 8 MiB objects, starts a fourth
#      storage node (127.0.0.125) and adds it to the layout through the
#      admin API with no client running: the move alone, at
#      `PREDASTORE_REPAIR_IDLE_MB_S`;
#   3. writes as much again, adds a fifth node (127.0.0.126) and runs the
#      bench of step 1 while its share moves to it: the move gives way to
#      the clients (`PREDASTORE_REBALANCE_MB_S`);
#   4. runs the bench once more on the five nodes after the moves: the
#      baseline with the same nodes and data as the busy run.
# A move is over when the repair leader has nothing left to move and
# nothing misplaced.
# Prints `RESULT` lines: for each move, MB/s (shard bytes moved over the
# time from the layout change to the end of the move) and the shards the
# new node holds; the bench's figures idle and during the second move,
# and the share of its idle throughput each kept.
#
# Environment:
#   REBALANCE_BENCH_GIB          data written before each new node joins (default 2)
#   PREDASTORE_REBALANCE_MB_S    the rate while clients are active (default
#                                16, the store's; 0: none)
#   PREDASTORE_REPAIR_IDLE_MB_S  the rate with no client (default 0, the
#                                store's: none)
#   BENCH_SECONDS                length of each bench phase (default 10)
#   REBALANCE_BENCH_KEEP=1       keep the nodes' logs and data (path printed)
#   PREDASTORE_LOG               the nodes' log filter (default warn)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GIB="${REBALANCE_BENCH_GIB:-2}"
RATE="${PREDASTORE_REBALANCE_MB_S:-16}"
IDLE_RATE="${PREDASTORE_REPAIR_IDLE_MB_S:-0}"
WORK="$(mktemp -d)"
IP_BASE=120
NODES="1@127.0.0.121:9100,2@127.0.0.122:9100,3@127.0.0.123:9100"
GATEWAY="http://127.0.0.124:9000"
TOKEN=bench-admin-token
# shellcheck source=scripts/lib/bench-cluster.sh
source "$ROOT/scripts/lib/bench-cluster.sh"
NODE_ENV=(PREDASTORE_REBALANCE_MB_S="$RATE" PREDASTORE_REPAIR_IDLE_MB_S="$IDLE_RATE"
  PREDASTORE_ADMIN_TOKEN="$TOKEN")
cleanup_on_exit "${REBALANCE_BENCH_KEEP:-}"

"$BIN" tls init "$WORK/certs" --nodes 6 >/dev/null
for i in 1 2 3; do start "$i" storage,meta; done
start 4 gateway
for i in 1 2 3 4; do wait_for "node $i" 30 ready "$i"; done

echo "# idle cluster" >&2
bench "$GATEWAY" idle idle | tee "$WORK/idle.txt"

# join <node> <with bench: 0|1>: GIB written, then the node started and
# added; the move timed (with the bench running from the layout change on
# if asked) until the layout it made (or a later one: disks' states are
# recorded in it too) is rebalanced.
join() {
  local node=$1 load=$2 version name moved_before t0 t1 bench_pid= shards
  name="rebalance_node$node"
  echo "# writing $GIB GiB" >&2
  fill "$GATEWAY" "rebalance-$node" "$GIB"
  # Longer than the store's 3 s client quiet time.
  sleep 4
  echo "# node $node joins" >&2
  start "$node" storage
  wait_for "node $node" 30 ready "$node"
  moved_before=$(metric_max predastore_rebalance_bytes_total)
  version=$(curl -sf -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d "{\"id\":$node,\"addr\":\"$(ip_of "$node"):9100\"}" "$GATEWAY/admin/v1/nodes" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
  t0=$(date +%s.%N)
  if [[ "$load" == 1 ]]; then
    bench "$GATEWAY" busy rebalancing >"$WORK/busy.txt" &
    bench_pid=$!
  fi
  started() { [[ "$(metric_max predastore_rebalance_bytes_total)" != "$moved_before" ]]; }
  done_moving() {
    (( $(metric_max predastore_layout_version) >= version )) &&
      [[ "$(metric_max predastore_rebalance_objects_left)" == 0 ]] &&
      [[ "$(metric_max predastore_objects_misplaced)" == 0 ]]
  }
  wait_for "the rebalance to begin" 120 started
  wait_for "the rebalance" 3600 done_moving
  t1=$(date +%s.%N)
  [[ -z "$bench_pid" ]] || wait "$bench_pid"
  shards=$(metric_of "$node" predastore_shards_stored)
  awk -v a="$(metric_max predastore_rebalance_bytes_total)" -v b="$moved_before" \
    -v t0="$t0" -v t1="$t1" -v shards="$shards" -v n="$name" 'BEGIN {
    bytes = a - b
    printf "RESULT %s_new_node_shards %d count\n", n, shards
    printf "RESULT %s_bytes %.1f MB\n", n, bytes / 1e6
    printf "RESULT %s_seconds %.3f s\n", n, t1 - t0
    printf "RESULT %s_throughput %.1f MB/s\n", n, bytes / 1e6 / (t1 - t0)
  }'
}

join 5 0
join 6 1
cat "$WORK/busy.txt"
echo "# after the moves" >&2
bench "$GATEWAY" after after | tee "$WORK/after.txt"
# The share each figure kept during the move: of the idle three-node
# cluster's at the start, and of the five nodes' right after the move.
kept kept "$WORK/idle.txt" idle "$WORK/busy.txt" rebalancing
kept kept_of_after "$WORK/after.txt" after "$WORK/busy.txt" rebalancing
