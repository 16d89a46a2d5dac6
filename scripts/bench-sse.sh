#!/usr/bin/env bash
# What server-side encryption costs: 64 MiB and 4 KiB PUT and GET with
# SSE-S3 and SSE-C against plain objects, on the `all` role alone and on
# a three-node cluster, in the same run, with the store's CPU seconds per
# GB.
#
# Usage: scripts/bench-sse.sh   (after `cargo build --release --workspace`)
#
# 1. Starts one `all` process on 127.0.0.160 with a master key and SSE-C
#    over plain HTTP allowed (a test setting: the bench talks HTTP), and runs
#    `predastore-bench --skip medium,… --sse none|s3|c` against it, each mode
#    on its own bucket.
# 2. The same against a cluster on 127.0.0.161-163 (node 1 `all`, its S3
#    API the gateway; nodes 2-3 `storage,meta`; erasure coding 2+1).
# Prints every figure as `RESULT <topology>_<mode>_<figure>`, then for each
# throughput figure `RESULT <topology>_<mode>_ratio_<figure>` (the mode's
# over plain's) and the CPU seconds per GB each mode adds
# (`…_added_store_cpu_s_per_gb`).
#
# Environment:
#   BENCH_SECONDS   length of each bench phase (default 10)
#   SSE_MODES       the modes, in the order run (default "none s3 c"; a
#                   store slows a little as it fills, so run both orders)
#   SSE_KEEP=1      keep the processes' logs and data (path printed)
#   PREDASTORE_LOG  the processes' log filter (default warn)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
IP_BASE=160
NODES="1@127.0.0.161:9100,2@127.0.0.162:9100,3@127.0.0.163:9100"
SKIP="medium,multipart,big,versions,policy"
read -r -a MODES <<<"${SSE_MODES:-none s3 c}"
# shellcheck source=scripts/lib/bench-cluster.sh
source "$ROOT/scripts/lib/bench-cluster.sh"
cleanup_on_exit "${SSE_KEEP:-}"
"$BIN" tls init "$WORK/certs" --nodes 4 >/dev/null
MASTER_KEY="bench-1:$(head -c 32 /dev/urandom | base64)"

run_modes() { # run_modes <node index> <topology> [other processes of the store]
  local url node=$1 topology=$2 also=() pid mode
  url="http://$(ip_of "$node"):9000"
  shift 2
  for pid in "$@"; do also+=(--also-pid "$pid"); done
  for mode in "${MODES[@]}"; do
    echo "# $topology, --sse $mode" >&2
    "$BENCH" --endpoint "$url" --access-key "$KEY" --secret-key "$SECRET" \
      --bucket "bench-$mode" --seconds "$SECONDS_PER_PHASE" --skip "$SKIP" \
      --sse "$mode" --pid "${PIDS[$node]}" "${also[@]}" |
      sed -n "s/^RESULT /RESULT ${topology}_${mode}_/p" | tee "$WORK/$topology-$mode.txt"
  done
}

echo "# the all role alone" >&2
env PREDASTORE_ROLE=all PREDASTORE_DATA_DIR="$WORK/single" \
  PREDASTORE_LISTEN="$(ip_of 0):9000" PREDASTORE_QUIC_LISTEN="$(ip_of 0):9100" \
  PREDASTORE_CONSOLE_LISTEN=off PREDASTORE_ACCESS_KEY="$KEY" PREDASTORE_SECRET_KEY="$SECRET" \
  PREDASTORE_KMS_KEYS="$MASTER_KEY" PREDASTORE_SSE_C_ALLOW_HTTP=true \
  PREDASTORE_LOG="${PREDASTORE_LOG:-warn}" GLIBC_TUNABLES="$STORE_TUNABLES" \
  "$BIN" >>"$WORK/single.log" 2>&1 &
PIDS[0]=$!
disown "${PIDS[0]}"
wait_for "the all role" 30 ready 0
run_modes 0 all
kill -9 "${PIDS[0]}"
PIDS[0]=0

echo "# three nodes, S3 on node 1" >&2
NODE_ENV=(PREDASTORE_CONSOLE_LISTEN=off PREDASTORE_ACCESS_KEY="$KEY" PREDASTORE_SECRET_KEY="$SECRET"
  PREDASTORE_KMS_KEYS="$MASTER_KEY" PREDASTORE_SSE_C_ALLOW_HTTP=true)
start 1 all
for i in 2 3; do start "$i" storage,meta; done
for i in 1 2 3; do wait_for "node $i" 30 ready "$i"; done
run_modes 1 cluster "${PIDS[2]}" "${PIDS[3]}"

# Each mode against plain, per topology: throughput ratios and added CPU.
cat "$WORK"/*-*.txt | awk '
  { split($2, p, "_"); topo = p[1]; mode = p[2]
    name = $2; sub(/^[a-z]+_[a-z0-9]+_/, "", name)
    value[topo, mode, name] = $3; unit[name] = $4; names[name] = 1; topos[topo] = 1 }
  END {
    for (topo in topos) for (name in names) for (m = 1; m <= 2; m++) {
      mode = (m == 1) ? "s3" : "c"
      plain = value[topo, "none", name]; enc = value[topo, mode, name]
      if (plain == "" || enc == "") continue
      if ((unit[name] == "MB/s" || unit[name] == "ops/s") && plain > 0)
        printf "RESULT %s_%s_ratio_%s %.3f %s/none\n", topo, mode, name, enc / plain, mode
      if (name ~ /_store_cpu_s_per_gb$/)
        printf "RESULT %s_%s_added_%s %.3f s/GB\n", topo, mode, name, enc - plain
    }
  }' | sort
