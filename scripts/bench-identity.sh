#!/usr/bin/env bash
# What IAM identity policies cost: 4 KiB GETs as an IAM user with 10
# attached managed policies (and one with one inline policy) against the
# account root, on a bucket with a 20-statement policy, on the `all` role
# alone and on a three-node cluster, in the same run (predastore-bench
# `--skip` all but `identity`).
#
# Usage: scripts/bench-identity.sh   (after `cargo build --release --workspace`)
#
# 1. Starts one `all` process on 127.0.0.150 and runs the identity phase.
# 2. The same against a cluster on 127.0.0.151-153 (node 1 `all`, its S3
#    API the gateway; nodes 2-3 `storage,meta`; erasure coding 2+1).
# Prints every figure as `RESULT <topology>_<figure>`; the goal is
# `…_identity_get_ratio` (10 policies over the root) at least 0.95.
#
# Environment:
#   BENCH_SECONDS     length of each timed loop (default 10; six per run)
#   IDENTITY_KEEP=1   keep the processes' logs and data (path printed)
#   PREDASTORE_LOG    the processes' log filter (default warn)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
IP_BASE=150
NODES="1@127.0.0.151:9100,2@127.0.0.152:9100,3@127.0.0.153:9100"
SKIP="large,medium,small,multipart,big,versions,policy"
# shellcheck source=scripts/lib/bench-cluster.sh
source "$ROOT/scripts/lib/bench-cluster.sh"
cleanup_on_exit "${IDENTITY_KEEP:-}"
"$BIN" tls init "$WORK/certs" --nodes 4 >/dev/null

run_phase() { # run_phase <node index> <topology>
  local url
  url="http://$(ip_of "$1"):9000"
  echo "# $2" >&2
  "$BENCH" --endpoint "$url" --access-key "$KEY" --secret-key "$SECRET" \
    --bucket "bench-identity" --seconds "$SECONDS_PER_PHASE" --skip "$SKIP" |
    sed -n "s/^RESULT /RESULT ${2}_/p"
}

env PREDASTORE_ROLE=all PREDASTORE_DATA_DIR="$WORK/single" \
  PREDASTORE_LISTEN="$(ip_of 0):9000" PREDASTORE_QUIC_LISTEN="$(ip_of 0):9100" \
  PREDASTORE_CONSOLE_LISTEN=off PREDASTORE_ACCESS_KEY="$KEY" PREDASTORE_SECRET_KEY="$SECRET" \
  PREDASTORE_LOG="${PREDASTORE_LOG:-warn}" GLIBC_TUNABLES="$STORE_TUNABLES" \
  "$BIN" >>"$WORK/single.log" 2>&1 &
PIDS[0]=$!
disown "${PIDS[0]}"
wait_for "the all role" 30 ready 0
run_phase 0 all
kill -9 "${PIDS[0]}"
PIDS[0]=0

NODE_ENV=(PREDASTORE_CONSOLE_LISTEN=off PREDASTORE_ACCESS_KEY="$KEY" PREDASTORE_SECRET_KEY="$SECRET")
start 1 all
for i in 2 3; do start "$i" storage,meta; done
for i in 1 2 3; do wait_for "node $i" 30 ready "$i"; done
run_phase 1 cluster
