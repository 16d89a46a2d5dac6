#!/usr/bin/env bash
# Heal benchmark: how fast a returning node is repaired, alone and while
# clients use the store, and what repair costs those clients.
#
# Usage: scripts/bench-heal.sh   (after `cargo build --release --workspace`)
#
# Starts README's cluster as local processes (three `storage,meta` nodes and
# a gateway on 127.0.0.91-94, 2+1), then:
#   1. runs `predastore-bench` (large-object PUT/GET) on the idle cluster;
#   2. kills node 3 and writes HEAL_BENCH_GIB GiB of 8 MiB objects (each
#      written with two shards on one node, queued for repair); restarts
#      node 3 with no client running and waits for repair (repair alone,
#      at `PREDASTORE_REPAIR_IDLE_MB_S`);
#   3. does the same again with HEAL_BENCH_BUSY_GIB GiB, but runs the
#      bench of step 1 from the restart on: repair gives way to it
#      (`PREDASTORE_HEAL_MB_S`); at the default rate the repair lasts
#      longer than the bench, so every phase of it runs during repair;
#   4. runs the bench once more, repair done.
# Repair is over when the repair leader reports an empty heal queue and no
# object below full redundancy or misplaced (polled every 0.1 s).
# Prints `RESULT` lines: for each of the two repairs, MB/s (shard bytes
# written by repair over the time from the restart to the end of repair,
# and over the time from the first repaired object to the end); the
# bench's figures idle, while healing and after, and the share of the
# idle and the after figures each kept while healing.
#
# Environment:
#   HEAL_BENCH_GIB               data to repair alone (default 1)
#   HEAL_BENCH_BUSY_GIB          data to repair under the bench (default 3)
#   PREDASTORE_HEAL_MB_S         repair's rate while clients are active
#                                (default 16, the store's default; 0: none)
#   PREDASTORE_REPAIR_IDLE_MB_S  repair's rate with no client (default 0,
#                                the store's default: none)
#   BENCH_SECONDS                length of each bench phase (default 10)
#   HEAL_BENCH_KEEP=1            keep the nodes' logs and data (path printed)
#   PREDASTORE_LOG               the nodes' log filter (default warn)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GIB="${HEAL_BENCH_GIB:-1}"
BUSY_GIB="${HEAL_BENCH_BUSY_GIB:-3}"
HEAL_MB_S="${PREDASTORE_HEAL_MB_S:-16}"
IDLE_MB_S="${PREDASTORE_REPAIR_IDLE_MB_S:-0}"
WORK="$(mktemp -d)"
IP_BASE=90
NODES="1@127.0.0.91:9100,2@127.0.0.92:9100,3@127.0.0.93:9100"
GATEWAY="http://127.0.0.94:9000"
# shellcheck source=scripts/lib/bench-cluster.sh
source "$ROOT/scripts/lib/bench-cluster.sh"
NODE_ENV=(PREDASTORE_HEAL_MB_S="$HEAL_MB_S" PREDASTORE_REPAIR_IDLE_MB_S="$IDLE_MB_S"
  PREDASTORE_HEAL_SCAN_EVERY=10s
  PREDASTORE_NODE_DOWN_AFTER=1h)
cleanup_on_exit "${HEAL_BENCH_KEEP:-}"

"$BIN" tls init "$WORK/certs" --nodes 4 >/dev/null

for i in 1 2 3; do start "$i" storage,meta; done
start 4 gateway
for i in 1 2 3 4; do wait_for "node $i" 30 ready "$i"; done

echo "# idle cluster" >&2
bench "$GATEWAY" idle idle | tee "$WORK/idle.txt"

peer_down() {
  curl -sf "$GATEWAY/metrics" | grep -q 'predastore_peer_up{node="127.0.0.93:9100"} 0'
}
repaired() {
  [[ "$(metric_max predastore_heal_queue_length)" == 0 ]] &&
    [[ "$(metric_max predastore_objects_below_redundancy)" == 0 ]] &&
    [[ "$(metric_max predastore_objects_misplaced)" == 0 ]]
}

# repair <name> <GiB> <with bench: 0|1>: node 3 down, <GiB> written, node 3
# back, repair timed (with the bench running from the restart on if asked).
repair() {
  local name=$1 gib=$2 load=$3 healed_before t0 t_first t1 bench_pid= objects
  objects=$((gib * 128))
  echo "# $name: node 3 down, writing $gib GiB to repair later" >&2
  kill -9 "${PIDS[3]}"
  PIDS[3]=0
  wait_for "node 3 known down" 30 peer_down
  fill "$GATEWAY" "${name//_/-}" "$gib"
  # Longer than the store's 3 s client quiet time: the repair alone
  # starts with no client seen.
  sleep 4
  echo "# $name: node 3 back, repairing" >&2
  healed_before=$(metric_max predastore_heal_bytes_total)
  start 3 storage,meta
  t0=$(date +%s.%N)
  wait_for "node 3" 30 ready 3
  if [[ "$load" == 1 ]]; then
    bench "$GATEWAY" busy healing >"$WORK/busy.txt" &
    bench_pid=$!
  fi
  # Repair has begun once the leader counts healed bytes (one object
  # repaired).
  started() { [[ "$(metric_max predastore_heal_bytes_total)" != "$healed_before" ]]; }
  # (HEAL_BENCH_GIB=0: nothing to repair, the same bench right after the
  # restart, to tell repair's cost from the restart's.)
  [[ "$objects" == 0 ]] || wait_for "repair to begin" 120 started
  t_first=$(date +%s.%N)
  wait_for "repair" 1800 repaired
  t1=$(date +%s.%N)
  [[ -z "$bench_pid" ]] || wait "$bench_pid"
  awk -v a="$(metric_max predastore_heal_bytes_total)" -v b="$healed_before" \
    -v t0="$t0" -v tf="$t_first" -v t1="$t1" -v objects="$objects" -v n="$name" 'BEGIN {
    bytes = a - b
    printf "RESULT %s_objects %d count\n", n, objects
    printf "RESULT %s_bytes %.1f MB\n", n, bytes / 1e6
    printf "RESULT %s_seconds %.3f s\n", n, t1 - t0
    printf "RESULT %s_throughput %.1f MB/s\n", n, bytes / 1e6 / (t1 - t0)
    printf "RESULT %s_first_object_seconds %.3f s\n", n, tf - t0
    if (t1 > tf) printf "RESULT %s_repairing_throughput %.1f MB/s\n", n, bytes / 1e6 / (t1 - tf)
  }'
}

repair heal_alone "$GIB" 0
repair heal_busy "$BUSY_GIB" 1
cat "$WORK/busy.txt"
echo "# after repair" >&2
bench "$GATEWAY" after after | tee "$WORK/after.txt"
# The share of its throughput each figure kept while repair ran: of the
# idle cluster's at the start, and of the same cluster's right after the
# repair (the same data and processes: this VM's speed drifts between
# runs far more than a repair at the default rate costs).
kept kept "$WORK/idle.txt" idle "$WORK/busy.txt" healing
kept kept_of_after "$WORK/after.txt" after "$WORK/busy.txt" healing
