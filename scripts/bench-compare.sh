#!/usr/bin/env bash
# Side-by-side benchmark: the `all` role alone against a three-node
# cluster on the same machine, with the same load.
#
# Usage: scripts/bench-compare.sh   (after `cargo build --release --workspace`)
#
# 1. Starts one `all` process on 127.0.0.150 and runs `predastore-bench`
#    (64 MiB, 1 MiB and 4 KiB PUT and GET) against it.
# 2. Starts a cluster on 127.0.0.151-153: node 1 `all` (its S3 API is the
#    gateway the load talks to), nodes 2-3 `storage,meta`, erasure coding
#    2+1, QUIC with mutual TLS between them; runs the same bench against
#    node 1.
# Prints `RESULT all_<figure>`, `RESULT cluster_<figure>` and, for each
# throughput figure, `RESULT ratio_<figure>` (cluster / all): the goals of
# the cluster's data path are read from those ratios, which compare two
# runs on one machine a minute apart (this kind of VM varies ±20 % between
# runs, so ratios are steadier than absolute figures). The store's CPU
# seconds per GB (`*_store_cpu_s_per_gb`) and milliseconds per 4 KiB
# request (`*_store_cpu_ms_per_op`) are the `all` process's, and the three
# cluster processes' added up, with their ratio too: on a machine whose
# cores are all busy, throughput follows CPU per GB.
#
# Environment:
#   BENCH_SECONDS        length of each bench phase (default 10)
#   BENCH_SKIP           phases to skip (default multipart,big,versions,policy)
#   BENCH_ARGS           more `predastore-bench` options
#   COMPARE_SCHEME=https both the `all` role and the cluster's node 1 serve
#                        S3 over TLS (the bench trusts the generated CA)
#   COMPARE_KEEP=1       keep the processes' logs and data (path printed)
#   PREDASTORE_LOG       the processes' log filter (default warn)
#   BENCH_STORE_BIN      the store binary (default target/release/predastore):
#                        another build, for runs alternated with it
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
IP_BASE=150
NODES="1@127.0.0.151:9100,2@127.0.0.152:9100,3@127.0.0.153:9100"
SCHEME="${COMPARE_SCHEME:-http}"
SKIP="${BENCH_SKIP:-multipart,big,versions,policy}"
# shellcheck source=scripts/lib/bench-cluster.sh
source "$ROOT/scripts/lib/bench-cluster.sh"
cleanup_on_exit "${COMPARE_KEEP:-}"

# The S3 listener's TLS (COMPARE_SCHEME=https) uses one certificate for
# both S3 addresses: the `all` role's and the cluster's node 1.
"$BIN" tls init "$WORK/certs" --nodes 4 --https-host "$(ip_of 0)" --https-host "$(ip_of 1)" >/dev/null
s3_tls() {
  [[ "$SCHEME" == https ]] || return 0
  NODE_ENV+=(PREDASTORE_HTTPS_CERT="$WORK/certs/https.pem"
    PREDASTORE_HTTPS_KEY="$WORK/certs/https-key.pem")
}
probe() { curl -sf --cacert "$WORK/certs/ca.pem" "$SCHEME://$(ip_of "$1"):9000/health/ready" >/dev/null 2>&1; }

run_bench() { # run_bench <node index> <prefix> [other processes of the store]
  local url="$SCHEME://$(ip_of "$1"):9000" node=$1 prefix=$2 also=() pid
  shift 2
  for pid in "$@"; do also+=(--also-pid "$pid"); done
  # shellcheck disable=SC2086
  "$BENCH" --endpoint "$url" --access-key "$KEY" --secret-key "$SECRET" \
    --ca-bundle "$WORK/certs/ca.pem" --seconds "$SECONDS_PER_PHASE" \
    --skip "$SKIP" --pid "${PIDS[$node]}" "${also[@]}" ${BENCH_ARGS:-} |
    sed -n "s/^RESULT /RESULT ${prefix}_/p" | tee "$WORK/$prefix.txt"
}

echo "# the all role alone" >&2
s3_tls
env PREDASTORE_ROLE=all PREDASTORE_DATA_DIR="$WORK/single" \
  PREDASTORE_LISTEN="$(ip_of 0):9000" PREDASTORE_QUIC_LISTEN="$(ip_of 0):9100" \
  PREDASTORE_CONSOLE_LISTEN=off PREDASTORE_ACCESS_KEY="$KEY" PREDASTORE_SECRET_KEY="$SECRET" \
  PREDASTORE_LOG="${PREDASTORE_LOG:-warn}" GLIBC_TUNABLES="$STORE_TUNABLES" "${NODE_ENV[@]}" \
  "$BIN" >>"$WORK/single.log" 2>&1 &
PIDS[0]=$!
disown "${PIDS[0]}"
wait_for "the all role" 30 probe 0
run_bench 0 all
kill -9 "${PIDS[0]}"
PIDS[0]=0

echo "# three nodes, S3 on node 1" >&2
NODE_ENV=(PREDASTORE_CONSOLE_LISTEN=off PREDASTORE_ACCESS_KEY="$KEY" PREDASTORE_SECRET_KEY="$SECRET")
s3_tls
start 1 all
NODE_ENV=()
for i in 2 3; do start "$i" storage,meta; done
for i in 2 3; do wait_for "node $i" 30 ready "$i"; done
wait_for "node 1" 30 probe 1
# The cluster's store CPU figures add up its three processes.
run_bench 1 cluster "${PIDS[2]}" "${PIDS[3]}"

# cluster / all for every throughput figure both runs have, and for the
# store's CPU per GB and per small request.
awk '$4 == "MB/s" || $4 == "ops/s" || $2 ~ /_store_cpu_(s_per_gb|ms_per_op)$/ {
       name = $2; sub(/^(all|cluster)_/, "", name)
       if ($2 ~ /^all_/) all[name] = $3; else cluster[name] = $3
     }
     END {
       for (name in cluster)
         if (all[name] > 0)
           printf "RESULT ratio_%s %.3f cluster/all\n", name, cluster[name] / all[name]
     }' "$WORK/all.txt" "$WORK/cluster.txt" | sort
