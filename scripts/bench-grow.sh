#!/usr/bin/env bash
# Growth benchmark: a single store (the `all` role at its defaults, its
# own development CA) holding GROW_BENCH_GIB GiB grows into three nodes
# as README's "Grow a single store into a cluster" says; how fast the
# shards move, and what the move costs clients.
#
# Usage: scripts/bench-grow.sh   (after `cargo build --release --workspace`)
#
# On 127.0.0.171-173 (HTTP :9000, QUIC :9100):
#   1. node 1 alone (role all), filled with 8 MiB objects, then
#      `predastore-bench` (large-object PUT/GET) against it: idle;
#   2. nodes 2 and 3 (role all) start with certificates from node 1's CA
#      (`predastore tls node`), are added with `predastore admin meta add`
#      and `node add`, and the bench runs again while the shards move;
#   3. the move is over when nodes 2 and 3 each hold a shard of every
#      object the single store held and repair finds nothing below
#      redundancy or misplaced; then the bench runs once more on the three
#      nodes.
# Prints `RESULT` lines: the move's seconds, shard bytes moved (repair's
# heal and rebalance counters: a set with two shards on one node counts as
# a heal), MB/s; the bench idle and during the move, and the share of its
# idle figures kept.
#
# Environment:
#   GROW_BENCH_GIB      data in the single store before it grows (default 2)
#   BENCH_SECONDS       length of each bench phase (default 10)
#   GROW_BENCH_KEEP=1   keep the nodes' logs and data (path printed)
#   PREDASTORE_LOG      the nodes' log filter (default warn)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GIB="${GROW_BENCH_GIB:-2}"
WORK="$(mktemp -d)"
IP_BASE=170
NODES=""
TOKEN=bench-admin-token
# shellcheck source=scripts/lib/bench-cluster.sh
source "$ROOT/scripts/lib/bench-cluster.sh"
cleanup_on_exit "${GROW_BENCH_KEEP:-}"
STORE="http://$(ip_of 1):9000"

start_all() { # start_all <i> [meta peers]: role all, its own TLS identity
  local i=$1 peers=${2:-} ip
  ip=$(ip_of "$i")
  env PREDASTORE_NODE_ID="$i" PREDASTORE_LISTEN="$ip:9000" PREDASTORE_QUIC_LISTEN="$ip:9100" \
    PREDASTORE_DATA_DIR="$WORK/n$i" PREDASTORE_META_PEERS="$peers" \
    PREDASTORE_ADMIN_TOKEN="$TOKEN" PREDASTORE_CONSOLE_LISTEN=off \
    PREDASTORE_LOG="${PREDASTORE_LOG:-warn}" GLIBC_TUNABLES="$STORE_TUNABLES" \
    "$BIN" >>"$WORK/n$i.log" 2>&1 &
  PIDS[i]=$!
  disown "${PIDS[i]}"
}

admin() { "$BIN" admin --url "$STORE" --token "$TOKEN" "$@" >/dev/null; }

# Each node's shard count, then objects below redundancy and misplaced,
# from the admin status: "n1 n2 n3 below misplaced".
standing() {
  curl -sf -H "Authorization: Bearer $TOKEN" "$STORE/admin/v1/status" | python3 -c '
import json, sys
s = json.load(sys.stdin)
shards = [str(n.get("shards")) for n in s["nodes"]]
r = s.get("repair") or {}
print(" ".join(shards), r.get("objects_below_redundancy"), r.get("objects_misplaced"))'
}

start_all 1
wait_for "node 1" 30 ready 1
echo "# writing $GIB GiB into the single store" >&2
fill "$STORE" grow "$GIB"
sleep 4 # longer than the store's 3 s client quiet time
echo "# the single store, idle" >&2
bench "$STORE" idle idle | tee "$WORK/idle.txt"
read -r total _ < <(standing)

for i in 2 3; do
  "$BIN" tls node --ca "$WORK/n1/tls" "$WORK/n$i/tls" >/dev/null
  start_all "$i" "1@$(ip_of 1):9100,$i@$(ip_of "$i"):9100"
  wait_for "node $i" 30 ready "$i"
done
moved() {
  local a b
  a=$(metric_max predastore_heal_bytes_total)
  b=$(metric_max predastore_rebalance_bytes_total)
  awk -v a="$a" -v b="$b" 'BEGIN { print a + b }'
}
moved_before=$(moved)
t0=$(date +%s.%N)
for i in 2 3; do
  admin meta add "$i" "$(ip_of "$i"):9100"
  admin node add "$i" "$(ip_of "$i"):9100"
done
echo "# nodes 2 and 3 added; the bench runs while the shards move" >&2
bench "$STORE" busy moving >"$WORK/busy.txt" &
bench_pid=$!
# Over when repair finds nothing to move or rebuild and nodes 2 and 3
# each hold a shard of every object the single store held (the bench's
# own objects, written and deleted meanwhile, leave shards behind until
# the drop grace period: counts alone do not settle).
objects=$((GIB * 128))
started() { [[ "$(moved)" != "$moved_before" ]]; }
done_moving() {
  local a b c below misplaced
  read -r a b c below misplaced < <(standing)
  [[ -n "$c" && "$b" -ge "$objects" && "$c" -ge "$objects" && "$below" == 0 && "$misplaced" == 0 ]] &&
    [[ "$(metric_max predastore_rebalance_objects_left)" == 0 ]]
}
wait_for "the move to begin" 120 started
wait_for "the move to three nodes" 3600 done_moving
t1=$(date +%s.%N)
wait "$bench_pid"
cat "$WORK/busy.txt"
echo "# three nodes, after the move" >&2
bench "$STORE" after after | tee "$WORK/after.txt"
awk -v a="$(moved)" -v b="$moved_before" -v t0="$t0" -v t1="$t1" -v total="$total" 'BEGIN {
  bytes = a - b
  printf "RESULT grow_shards %d count\n", total
  printf "RESULT grow_bytes_moved %.1f MB\n", bytes / 1e6
  printf "RESULT grow_seconds %.3f s\n", t1 - t0
  printf "RESULT grow_throughput %.1f MB/s\n", bytes / 1e6 / (t1 - t0)
}'
# The share each figure kept during the move: of the single store's, and
# of the three nodes' after the move (the same machine now runs three
# processes: that, not the move, is most of the difference).
kept kept "$WORK/idle.txt" idle "$WORK/busy.txt" moving
kept kept_of_after "$WORK/after.txt" after "$WORK/busy.txt" moving
