#!/usr/bin/env bash
# Scale benchmark: does a cluster stay flat in time and memory as the
# object count grows?
#
# Usage: scripts/bench-scale.sh   (after `cargo build --release --workspace`)
#
# Starts three `storage,meta` nodes and a gateway (node 4) on
# 127.0.0.181-184 (IP_BASE=180; 127.0.0.185 is the fifth node of step 4),
# erasure coding 2+1, at the store's default settings except
# PREDASTORE_ADMIN_TOKEN (step 4 adds a meta member through the admin API)
# and, only if SCALE_SNAPSHOT_EVERY is set, PREDASTORE_RAFT_SNAPSHOT_EVERY
# (so a small run still makes the new member install a snapshot). Then:
#   1. `predastore-bench`'s `scale` phase through the gateway:
#      SCALE_OBJECTS objects of SCALE_OBJECT_BYTES (inline in the metadata at default
#      settings) PUT by SCALE_CLIENTS clients, HEAD/GET p50/p99 at 10,000
#      objects and every SCALE_PROBE_EVERY, the PUT rate per window, and
#      full ListObjectsV2 and ListObjectVersions walks (RESULT
#      scale_put_*, scale_head_*, scale_get_*, scale_list_*,
#      scale_list_versions_*; see tools/bench/src/scale.rs);
#   2. each process's memory, VmRSS now and VmHWM (its peak so far)
#      (scale_rss_mib_node<i>, scale_peak_rss_mib_node<i>), each
#      node's data directory on disk (scale_disk_mib_node<i>; per object
#      beyond its payload, scale_disk_beyond_payload_bytes_per_object_node<i>)
#      and its
#      metadata's bytes per object by where they are
#      (scale_disk_bytes_per_object_node<i>_<part>);
#   3. a meta node that does not lead is SIGKILLed and started again: the
#      time from its start to /health/ready (scale_meta_restart_ready_s)
#      and to its applied Raft index reaching the leader's
#      (scale_meta_restart_caught_up_s);
#   4. a fifth process (role `meta`) is started and added with
#      `predastore admin meta add`: the time from the call until its
#      applied index reaches the leader's at the call
#      (scale_snapshot_install_s), the admin call's own time (it returns
#      once the learner has caught up and was made a voter;
#      scale_meta_add_s), the snapshots it installed (0: it replayed the
#      log instead), the size of the one the leader sent
#      (scale_snapshot_sent_mib) and its memory; meanwhile SCALE_CLIENTS clients PUT
#      4 KiB objects for SCALE_JOIN_WRITE_SECONDS (from 2 s before the
#      call): their rate and failed PUTs (scale_join_put_4k_ops_s,
#      scale_join_put_errors; any failure fails the run);
#   5. a repair scan: the metadata leader (which runs repair) is
#      SIGKILLed; the node taking over repair scans every object at once.
#      From the new leader's first word until its completed-scan counter
#      rises (scale_repair_round_s: the count of objects to move against
#      the layout, then the scan), its peak VmRSS sampled every 0.2 s
#      (scale_repair_scan_peak_rss_mib, against
#      scale_repair_scan_rss_before_mib), and the scan alone from its
#      gauge predastore_heal_scan_milliseconds when the store exports it
#      (scale_repair_scan_s; otherwise the round's time, said on stderr).
# Refuses to start (exit 2) if the disk under the work directory has less
# than the object's size plus 768 bytes per object on each of the four
# meta nodes, plus 4 GiB, free (a run of 1,000,000 objects of 256 bytes
# took 753 bytes per object per node, the Raft log and fjall's journals
# included). Exits 1 if a step or
# the bench failed, after printing what was measured.
#
# Environment:
#   SCALE_OBJECTS         objects to write (default 1000000)
#   SCALE_OBJECT_BYTES    each object's size (default 256: inline)
#   SCALE_CLIENTS         concurrent clients (default 64)
#   SCALE_JOIN_WRITE_SECONDS  how long clients write 4 KiB objects while
#                         the new member of step 4 joins (default 60)
#   SCALE_PROBE_EVERY     objects between two HEAD/GET probes, and the PUT
#                         rate's window (default 100000)
#   SCALE_SNAPSHOT_EVERY  PREDASTORE_RAFT_SNAPSHOT_EVERY of the nodes
#                         (default: unset, the store's 10000)
#   SCALE_KEEP=1          keep the nodes' logs and data (path printed)
#   TMPDIR                where the work directory goes (default /tmp)
#   PREDASTORE_LOG        the nodes' log filter (default warn)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OBJECTS="${SCALE_OBJECTS:-1000000}"
OBJECT_BYTES="${SCALE_OBJECT_BYTES:-256}"
CLIENTS="${SCALE_CLIENTS:-64}"
JOIN_WRITE_SECONDS="${SCALE_JOIN_WRITE_SECONDS:-60}"
PROBE_EVERY="${SCALE_PROBE_EVERY:-100000}"
WORK="$(mktemp -d)"
IP_BASE=180
NODES="1@127.0.0.181:9100,2@127.0.0.182:9100,3@127.0.0.183:9100"
GATEWAY="http://127.0.0.184:9000"
TOKEN=bench-admin-token
# shellcheck source=scripts/lib/bench-cluster.sh
source "$ROOT/scripts/lib/bench-cluster.sh"
NODE_ENV=(PREDASTORE_ADMIN_TOKEN="$TOKEN")
if [[ -n "${SCALE_SNAPSHOT_EVERY:-}" ]]; then
  NODE_ENV+=(PREDASTORE_RAFT_SNAPSHOT_EVERY="$SCALE_SNAPSHOT_EVERY")
fi
cleanup_on_exit "${SCALE_KEEP:-}"

NEED_KIB=$((OBJECTS * (OBJECT_BYTES + 768) * 4 / 1024 + 4 * 1024 * 1024))
FREE_KIB=$(df -Pk "$WORK" | awk 'NR == 2 { print $4 }')
echo "# disk: $((FREE_KIB >> 20)) GiB free under $WORK, $((NEED_KIB >> 20)) GiB wanted for $OBJECTS objects" >&2
if ((FREE_KIB < NEED_KIB)); then
  echo "not enough free disk under $WORK for $OBJECTS objects: $((FREE_KIB >> 10)) MiB free, want $((NEED_KIB >> 10)) MiB (object size + 768 bytes per object on each of 4 meta nodes + 4 GiB); set TMPDIR elsewhere or lower SCALE_OBJECTS" >&2
  exit 2
fi

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
# at_least <a> <b>: a >= b, both numbers (an empty a is not).
at_least() { [[ -n "$1" ]] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
# mem_kib <pid> <VmRSS|VmHWM>
mem_kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null || true; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
# leader <node ids...>: the one whose /metrics says it leads; empty if none.
leader() {
  local i
  for i in "$@"; do
    [[ "$(metric_of "$i" predastore_raft_is_leader)" == 1 ]] && { echo "$i"; return 0; }
  done
  return 0
}
# wait_leader <seconds> <node ids...>: prints the leader among them.
wait_leader() {
  local limit=$1 l
  shift
  for _ in $(seq 1 $((limit * 10))); do
    l=$(leader "$@")
    [[ -n "$l" ]] && { echo "$l"; return 0; }
    sleep 0.1
  done
  echo "no metadata leader among nodes $* within $limit s" >&2
  exit 1
}
# caught_up <i> <index> <seconds>: waits until node i has applied index;
# false on timeout.
caught_up() {
  for _ in $(seq 1 $(($3 * 10))); do
    at_least "$(metric_of "$1" predastore_raft_applied_index)" "$2" && return 0
    sleep 0.1
  done
  return 1
}
report_memory() { # report_memory <i>
  local pid=${PIDS[$1]}
  echo "RESULT scale_rss_mib_node$1 $(mib "$(mem_kib "$pid" VmRSS)") MiB"
  echo "RESULT scale_peak_rss_mib_node$1 $(mib "$(mem_kib "$pid" VmHWM)") MiB"
}
# disk_breakdown <i>: where node i's metadata bytes are, per object: the
# state machine's tables and journals, the Raft log's tables and journals
# (the snapshot is the state itself: nothing else is kept).
disk_breakdown() {
  local d="$WORK/n$1" state part name kib
  state=$(find "$d/meta/meta" -maxdepth 1 -name 'state-*' -type d | head -1)
  for part in "state_tables:$state/keyspaces" "state_journals:$state/*.jnl" \
    "log_tables:$d/meta/raft-log/keyspaces" "log_journals:$d/meta/raft-log/*.jnl"; do
    name=${part%%:*}
    # The path is a glob on purpose.
    # shellcheck disable=SC2086
    kib=$(du -sck ${part#*:} 2>/dev/null | awk 'END { print $1 }')
    echo "RESULT scale_disk_bytes_per_object_node$1_$name $(awk -v k="${kib:-0}" -v n="$OBJECTS" 'BEGIN { printf "%.0f", k * 1024 / n }') bytes"
  done
}
FAILED=()

"$BIN" tls init "$WORK/certs" --nodes 5 >/dev/null
for i in 1 2 3; do start "$i" storage,meta; done
start 4 gateway
for i in 1 2 3 4; do wait_for "node $i" 30 ready "$i"; done
wait_leader 30 1 2 3 >/dev/null

echo "# 1. $OBJECTS objects through the gateway, $CLIENTS clients" >&2
BENCH_STATUS=0
T0=$(now)
"$BENCH" --endpoint "$GATEWAY" --bucket scale \
  --skip large,medium,small,multipart,big,versions,policy,identity,lifecycle \
  --scale-objects "$OBJECTS" --scale-object-bytes "$OBJECT_BYTES" --scale-clients "$CLIENTS" \
  --scale-probe-every "$PROBE_EVERY" >"$WORK/bench.txt" || BENCH_STATUS=$?
echo "# the bench took $(since "$T0") s" >&2
cat "$WORK/bench.txt"
[[ "$BENCH_STATUS" == 0 ]] || FAILED+=("bench (exit $BENCH_STATUS)")

echo "# 2. memory and disk" >&2
for i in 1 2 3 4; do
  report_memory "$i"
  # (The gateway keeps no data directory.)
  if [[ -d "$WORK/n$i" ]]; then
    kib=$(du -sk "$WORK/n$i" | cut -f1)
    echo "RESULT scale_disk_mib_node$i $(mib "$kib") MiB"
    echo "RESULT scale_disk_beyond_payload_bytes_per_object_node$i $(awk -v k="$kib" -v n="$OBJECTS" -v p="$OBJECT_BYTES" 'BEGIN { printf "%.0f", k * 1024 / n - p }') bytes"
    disk_breakdown "$i"
  fi
done

echo "# 3. a meta node that does not lead restarts" >&2
L=$(wait_leader 30 1 2 3)
for X in 1 2 3; do [[ "$X" != "$L" ]] && break; done
kill -9 "${PIDS[X]}"
PIDS[X]=0
TARGET=$(metric_of "$L" predastore_raft_applied_index)
echo "# node $L leads (applied index $TARGET); node $X killed and started again" >&2
T0=$(now)
start "$X" storage,meta
wait_for "node $X" 600 ready "$X"
echo "RESULT scale_meta_restart_ready_s $(since "$T0") s"
if caught_up "$X" "$TARGET" 600; then
  echo "RESULT scale_meta_restart_caught_up_s $(since "$T0") s"
else
  echo "node $X did not reach applied index $TARGET within 600 s" >&2
  FAILED+=("restart catch-up")
fi

echo "# 4. a new meta member (node 5) joins" >&2
NODE_ENV_BEFORE=("${NODE_ENV[@]}")
# A meta node lists the members and itself (after them: it waits to be
# added instead of founding a group).
NODE_ENV+=(PREDASTORE_META_PEERS="$NODES,5@$(ip_of 5):9100")
start 5 meta
NODE_ENV=("${NODE_ENV_BEFORE[@]}")
wait_for "node 5" 30 ready 5
L=$(wait_leader 30 1 2 3)
TARGET=$(metric_of "$L" predastore_raft_applied_index)
# The call's exit status goes to a file: a background child that ended
# still answers `kill -0` until it is waited for.
# Writers keep going while the member joins: SCALE_CLIENTS clients PUT
# 4 KiB objects (the bench's `small` phase) for JOIN_WRITE_SECONDS.
"$BENCH" --endpoint "$GATEWAY" --bucket scale-join --seconds "$JOIN_WRITE_SECONDS" \
  --small-clients "$CLIENTS" \
  --skip large,medium,multipart,big,versions,policy,identity,lifecycle \
  >"$WORK/join-writes.txt" 2>"$WORK/join-writes.err" &
WRITERS_PID=$!
sleep 2
T0=$(now)
(
  rc=0
  PREDASTORE_ADMIN_TOKEN="$TOKEN" "$BIN" admin --url "$GATEWAY" meta add 5 "$(ip_of 5):9100" \
    >"$WORK/meta-add.txt" 2>&1 || rc=$?
  echo "$rc" >"$WORK/meta-add.rc"
  since "$T0" >"$WORK/meta-add.s"
) &
ADD_PID=$!
INSTALLED=""
for _ in $(seq 1 9000); do
  if at_least "$(metric_of 5 predastore_raft_applied_index)" "$TARGET"; then
    INSTALLED=$(since "$T0")
    break
  fi
  # The call failed: node 5 was taken out again.
  [[ -s "$WORK/meta-add.rc" && "$(cat "$WORK/meta-add.rc")" != 0 ]] && break
  sleep 0.1
done
wait "$ADD_PID"
ADD_STATUS=$(cat "$WORK/meta-add.rc")
ADDED=$(cat "$WORK/meta-add.s")
if [[ -n "$INSTALLED" ]]; then
  echo "RESULT scale_snapshot_install_s $INSTALLED s"
else
  echo "node 5 did not reach applied index $TARGET" >&2
  FAILED+=("snapshot install")
fi
if [[ "$ADD_STATUS" == 0 ]]; then
  echo "RESULT scale_meta_add_s $ADDED s"
else
  echo "predastore admin meta add 5 failed (exit $ADD_STATUS) after $ADDED s:" >&2
  cat "$WORK/meta-add.txt" >&2
  FAILED+=("meta add")
fi
WRITES_STATUS=0
wait "$WRITERS_PID" || WRITES_STATUS=$?
JOIN_PUTS=$(awk '$2 == "put_4k_ops_s" { print $3 }' "$WORK/join-writes.txt")
JOIN_PUT_ERRORS=$(awk '$2 == "put_4k_errors" { print $3 }' "$WORK/join-writes.txt")
echo "RESULT scale_join_put_4k_ops_s ${JOIN_PUTS:-0} ops/s"
echo "RESULT scale_join_put_errors ${JOIN_PUT_ERRORS:-0} count"
if [[ "$WRITES_STATUS" != 0 || -n "$JOIN_PUT_ERRORS" ]]; then
  tail -5 "$WORK/join-writes.err" >&2
  FAILED+=("writes during the join (exit $WRITES_STATUS, ${JOIN_PUT_ERRORS:-0} failed PUTs)")
fi
if [[ -n "$INSTALLED" ]] && ! at_least "$JOIN_WRITE_SECONDS" "$INSTALLED"; then
  echo "# the writers stopped after $JOIN_WRITE_SECONDS s, before the member caught up ($INSTALLED s): raise SCALE_JOIN_WRITE_SECONDS" >&2
fi
SNAPSHOTS=$(metric_of 5 predastore_raft_snapshots_installed_total)
SENT=$(metric_of "$L" predastore_raft_snapshot_bytes)
[[ -n "$SENT" && "$SENT" != 0 ]] &&
  echo "RESULT scale_snapshot_sent_mib $(awk -v b="$SENT" 'BEGIN { printf "%.1f", b / 1048576 }') MiB"
echo "RESULT scale_raft_applied_index $TARGET count"
echo "RESULT scale_snapshots_installed ${SNAPSHOTS:-0} count"
if [[ "${SNAPSHOTS:-0}" == 0 ]]; then
  echo "# node 5 installed no snapshot: it caught up from the log (the leader had not purged it yet; set SCALE_SNAPSHOT_EVERY lower to measure a snapshot) or did not catch up at all (see above)" >&2
fi
report_memory 5

echo "# 5. a repair scan on the node taking over from a killed leader" >&2
MEMBERS=(1 2 3)
[[ "$ADD_STATUS" == 0 ]] && MEMBERS+=(5)
L=$(wait_leader 30 "${MEMBERS[@]}")
OTHERS=()
for i in "${MEMBERS[@]}"; do [[ "$i" != "$L" ]] && OTHERS+=("$i"); done
KILLED=$(now)
kill -9 "${PIDS[L]}"
PIDS[L]=0
N=$(wait_leader 60 "${OTHERS[@]}")
T0=$(now)
PID=${PIDS[N]}
SCANS=$(metric_of "$N" predastore_heal_scans_total)
SCANS=${SCANS:-0}
BEFORE=$(mem_kib "$PID" VmRSS)
PEAK=${BEFORE:-0}
echo "# node $L (leader) killed; node $N leads $(awk -v a="$KILLED" -v b="$T0" 'BEGIN { printf "%.2f", b - a }') s later ($SCANS scans done before)" >&2
ROUND=""
for _ in $(seq 1 18000); do
  rss=$(mem_kib "$PID" VmRSS)
  [[ -n "$rss" ]] && ((rss > PEAK)) && PEAK=$rss
  if ! at_least "$(metric_of "$N" predastore_heal_scans_total)" "$((SCANS + 1))"; then
    sleep 0.2
    continue
  fi
  ROUND=$(since "$T0")
  break
done
if [[ -n "$ROUND" ]]; then
  echo "RESULT scale_repair_round_s $ROUND s"
  SCAN_MS=$(metric_of "$N" predastore_heal_scan_milliseconds)
  if [[ -n "$SCAN_MS" ]]; then
    echo "RESULT scale_repair_scan_s $(awk -v m="$SCAN_MS" 'BEGIN { printf "%.3f", m / 1000 }') s"
  else
    echo "# the store exports no predastore_heal_scan_milliseconds: scale_repair_scan_s is the whole round (with the count of objects to move)" >&2
    echo "RESULT scale_repair_scan_s $ROUND s"
  fi
  FILTER=$(metric_of "$N" predastore_heal_scan_filter_bytes)
  if [[ -n "$FILTER" ]]; then
    echo "RESULT scale_repair_scan_filter_mib $(awk -v b="$FILTER" 'BEGIN { printf "%.1f", b / 1048576 }') MiB"
  fi
else
  echo "node $N completed no repair scan within an hour of taking over" >&2
  FAILED+=("repair scan")
fi
echo "RESULT scale_repair_scan_rss_before_mib $(mib "$BEFORE") MiB"
echo "RESULT scale_repair_scan_peak_rss_mib $(mib "$PEAK") MiB"

if ((${#FAILED[@]} > 0)); then
  echo "failed: ${FAILED[*]}" >&2
  exit 1
fi
