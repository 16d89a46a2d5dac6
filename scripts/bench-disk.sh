#!/usr/bin/env bash
# Disk failure benchmark: how fast a failed disk's shards are rebuilt at
# the store's default pacing, and what that costs clients.
#
# Usage: scripts/bench-disk.sh   (after `cargo build --release --workspace`)
#
# Starts three `storage,meta` nodes of three volumes each and a gateway on
# 127.0.0.161-164 (2+1), writes DISK_BENCH_GIB GiB of 8 MiB objects, runs
# `predastore-bench` (large-object PUT/GET) on the healthy cluster, then
# moves node 2's volume 1 away (an unmounted disk, its shards lost) and
# runs the bench again while repair rebuilds them. The rebuild is over
# when the repair leader's last complete scan covered the failed volume
# (`predastore_failed_volumes_scanned`) and nothing is below redundancy.
# Then a new, empty disk is put in its place (`admin node disk replace`)
# and the bench runs a third time while node 2 moves the volume's shards
# back to it. Prints `RESULT` lines: the bytes that were on the failed
# disk, the shard bytes rebuilt, the seconds from the failure to the end
# of the rebuild, MB/s; the shards and bytes moved back to the new disk
# (new writes meanwhile not counted), the seconds that took, MB/s; the bench healthy, during the rebuild and
# during the refill, and the share of its healthy figures kept.
#
# Environment:
#   DISK_BENCH_GIB      data written before the disk fails (default 2)
#   BENCH_SECONDS       length of each bench phase (default 10)
#   DISK_BENCH_KEEP=1   keep the nodes' logs and data (path printed)
#   PREDASTORE_LOG      the nodes' log filter (default warn)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GIB="${DISK_BENCH_GIB:-2}"
WORK="$(mktemp -d)"
IP_BASE=160
NODES="1@127.0.0.161:9100,2@127.0.0.162:9100,3@127.0.0.163:9100"
GATEWAY="http://127.0.0.164:9000"
TOKEN=bench-admin-token
# shellcheck source=scripts/lib/bench-cluster.sh
source "$ROOT/scripts/lib/bench-cluster.sh"
NODE_ENV=(PREDASTORE_VOLUMES=3 PREDASTORE_ADMIN_TOKEN="$TOKEN")
cleanup_on_exit "${DISK_BENCH_KEEP:-}"

"$BIN" tls init "$WORK/certs" --nodes 4 >/dev/null
for i in 1 2 3; do start "$i" storage,meta; done
start 4 gateway
for i in 1 2 3 4; do wait_for "node $i" 30 ready "$i"; done

echo "# writing $GIB GiB" >&2
fill "$GATEWAY" disk "$GIB"
sleep 4 # longer than the store's 3 s client quiet time
echo "# healthy cluster" >&2
bench "$GATEWAY" healthy healthy | tee "$WORK/healthy.txt"

lost=$(du -s -B1 "$WORK/n2/vol1" | cut -f1)
healed_before=$(metric_max predastore_heal_bytes_total)
echo "# node 2's volume 1 goes away; the bench runs during the rebuild" >&2
mv "$WORK/n2/vol1" "$WORK/n2/vol1.gone"
t0=$(date +%s.%N)
bench "$GATEWAY" busy rebuilding >"$WORK/busy.txt" &
bench_pid=$!
rebuilt() {
  [[ "$(metric_max predastore_failed_volumes_scanned)" == 1 ]] &&
    [[ "$(metric_max predastore_objects_below_redundancy)" == 0 ]]
}
wait_for "the rebuild" 3600 rebuilt
t1=$(date +%s.%N)
wait "$bench_pid"
cat "$WORK/busy.txt"
awk -v a="$(metric_max predastore_heal_bytes_total)" -v b="$healed_before" \
  -v t0="$t0" -v t1="$t1" -v lost="$lost" 'BEGIN {
  bytes = a - b
  printf "RESULT disk_lost_bytes %.1f MB\n", lost / 1e6
  printf "RESULT disk_rebuilt_bytes %.1f MB\n", bytes / 1e6
  printf "RESULT disk_rebuild_seconds %.3f s\n", t1 - t0
  printf "RESULT disk_rebuild_throughput %.1f MB/s\n", bytes / 1e6 / (t1 - t0)
}'
kept kept "$WORK/healthy.txt" healthy "$WORK/busy.txt" rebuilding

echo "# a new disk for node 2's volume 1; the bench runs while it fills" >&2
mkdir "$WORK/n2/vol1"
t0=$(date +%s.%N)
"$BIN" admin --url "$GATEWAY" --token "$TOKEN" node disk replace 2 1 >/dev/null
bench "$GATEWAY" busy refilling >"$WORK/refill.txt" &
bench_pid=$!
# The gauge is 1 from the pass's start and 0 once it is over.
refilled() { [[ "$(metric_of 2 'predastore_volume_moving_home{volume="1"}')" == 0 ]]; }
wait_for "the new disk filled" 3600 refilled
t1=$(date +%s.%N)
wait "$bench_pid"
cat "$WORK/refill.txt"
awk -v t0="$t0" -v t1="$t1" \
  -v filled="$(metric_of 2 'predastore_volume_bytes_moved_home_total{volume="1"}')" \
  -v moved="$(metric_of 2 'predastore_volume_shards_moved_home_total{volume="1"}')" 'BEGIN {
  printf "RESULT disk_refill_shards %d count\n", moved
  printf "RESULT disk_refill_bytes %.1f MB\n", filled / 1e6
  printf "RESULT disk_refill_seconds %.3f s\n", t1 - t0
  printf "RESULT disk_refill_throughput %.1f MB/s\n", filled / 1e6 / (t1 - t0)
}'
kept kept_refill "$WORK/healthy.txt" healthy "$WORK/refill.txt" refilling
