#!/usr/bin/env bash
# Failover benchmark: how long PUTs stall when the metadata (Raft) leader
# is SIGKILLed under load, against how long the election takes.
#
# Usage: scripts/bench-failover.sh   (after `cargo build --release --workspace`)
#
# Starts three `storage,meta` nodes and a gateway on 127.0.0.141-144 (2+1,
# default settings), then runs `predastore-bench`'s `failover` phase
# against the gateway: FAILOVER_BENCH_CLIENTS clients PUT small objects
# for FAILOVER_BENCH_SECONDS, without retries (an SDK's default retries
# would add their backoff to each stall; a failed PUT is counted and the
# next one follows 20 ms later). Meanwhile, after a quiet first
# FAILOVER_BENCH_KILL_EVERY seconds and then every FAILOVER_BENCH_KILL_EVERY
# seconds (while at least 15 s of load remain), the node whose /metrics
# says `predastore_raft_is_leader 1` is SIGKILLed; the election is over
# when another node says so (polled every 50 ms); the killed node is
# restarted FAILOVER_BENCH_RESTART_AFTER seconds after the kill.
# Prints `RESULT` lines, per kill: `failover_kill<i>_election` (kill to
# new leader), `failover_kill<i>_longest_gap` (longest time between two
# successful PUTs ending after the kill and before the next),
# `failover_kill<i>_gap_excess` (gap - election; the goal is <= 0.5 s);
# then their maxima, the time in gaps over 1 s, and the longest gap before
# the first kill. A line per kill on stderr says where the gap fell.
#
# Environment:
#   FAILOVER_BENCH_SECONDS        length of the load (default 120)
#   FAILOVER_BENCH_KILL_EVERY     seconds between kills (default 20)
#   FAILOVER_BENCH_RESTART_AFTER  seconds from a kill to the restart (default 5)
#   FAILOVER_BENCH_CLIENTS        concurrent PUT clients (default 8)
#   FAILOVER_BENCH_OBJECT_KIB     object size (default 4: kept inline in the
#                                 metadata; 64 also writes shards)
#   FAILOVER_BENCH_KEEP=1         keep the nodes' logs and data (path printed)
#   PREDASTORE_LOG                the nodes' log filter (default warn)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOAD_SECONDS="${FAILOVER_BENCH_SECONDS:-120}"
KILL_EVERY="${FAILOVER_BENCH_KILL_EVERY:-20}"
RESTART_AFTER="${FAILOVER_BENCH_RESTART_AFTER:-5}"
CLIENTS="${FAILOVER_BENCH_CLIENTS:-8}"
WORK="$(mktemp -d)"
IP_BASE=140
NODES="1@127.0.0.141:9100,2@127.0.0.142:9100,3@127.0.0.143:9100"
GATEWAY="http://127.0.0.144:9000"
# shellcheck source=scripts/lib/bench-cluster.sh
source "$ROOT/scripts/lib/bench-cluster.sh"
cleanup_on_exit "${FAILOVER_BENCH_KEEP:-}"

"$BIN" tls init "$WORK/certs" --nodes 4 >/dev/null
for i in 1 2 3; do start "$i" storage,meta; done
start 4 gateway
for i in 1 2 3 4; do wait_for "node $i" 30 ready "$i"; done

# The meta node (1-3) that says it leads, other than $1; empty if none.
leader() {
  local i
  for i in 1 2 3; do
    [[ "$i" == "${1:-}" ]] && continue
    curl -sf --max-time 1 "http://$(ip_of "$i"):9000/metrics" 2>/dev/null |
      awk '$1 == "predastore_raft_is_leader" && $2 == 1 { f = 1 } END { exit !f }' &&
      { echo "$i"; return 0; }
  done
  return 0
}
has_leader() { [[ -n "$(leader)" ]]; }
wait_for "a metadata leader" 30 has_leader

now() { date +%s.%N; }
# Sleeps until Unix time $1.
sleep_until() {
  local left
  left=$(awk -v t="$1" -v n="$(now)" 'BEGIN { d = t - n; print (d > 0) ? d : 0 }')
  sleep "$left"
}

KILLS="$WORK/kills"
: >"$KILLS"
"$BENCH" --endpoint "$GATEWAY" --bucket failover --no-checksums \
  --skip large,medium,small,multipart,big,versions \
  --failover-seconds "$LOAD_SECONDS" --failover-clients "$CLIENTS" \
  --failover-object-kib "${FAILOVER_BENCH_OBJECT_KIB:-4}" \
  --failover-kills "$KILLS" >"$WORK/results.txt" &
BENCH_PID=$!
START=$(now)
END=$(awk -v s="$START" -v d="$LOAD_SECONDS" 'BEGIN { printf "%.3f", s + d }')
NEXT=$(awk -v s="$START" -v d="$KILL_EVERY" 'BEGIN { printf "%.3f", s + d }')

while awk -v n="$NEXT" -v e="$END" 'BEGIN { exit !(n + 15 <= e) }'; do
  sleep_until "$NEXT"
  victim=$(leader)
  if [[ -z "$victim" ]]; then
    echo "no leader to kill at +$(awk -v s="$START" -v n="$(now)" 'BEGIN { printf "%.1f", n - s }') s" >&2
    exit 1
  fi
  KILLED=$(now)
  kill -9 "${PIDS[victim]}"
  PIDS[victim]=0
  new=""
  for _ in $(seq 1 600); do
    new=$(leader "$victim")
    [[ -n "$new" ]] && break
    sleep 0.05
  done
  ELECTED=$(now)
  if [[ -z "$new" ]]; then
    echo "no new leader within 30 s of killing node $victim" >&2
    exit 1
  fi
  sleep_until "$(awk -v k="$KILLED" -v r="$RESTART_AFTER" 'BEGIN { printf "%.3f", k + r }')"
  start "$victim" storage,meta
  RESTARTED=$(now)
  echo "$KILLED $ELECTED $RESTARTED" >>"$KILLS"
  echo "# killed node $victim (leader), node $new leads after $(awk -v a="$KILLED" -v b="$ELECTED" 'BEGIN { printf "%.2f", b - a }') s" >&2
  wait_for "node $victim back" 30 ready "$victim"
  NEXT=$(awk -v k="$KILLED" -v d="$KILL_EVERY" 'BEGIN { printf "%.3f", k + d }')
done

STATUS=0
wait "$BENCH_PID" || STATUS=$?
cat "$WORK/results.txt"
exit "$STATUS"
