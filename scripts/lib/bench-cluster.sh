# Shared by the cluster benchmarks (bench-heal.sh, bench-rebalance.sh):
# local node processes on 127.0.0.$((IP_BASE + i)), their metrics, waits,
# the load tool, and filling a bucket. Source it after setting:
#   ROOT     the repository
#   IP_BASE  node i listens on 127.0.0.$((IP_BASE + i)) (HTTP :9000, QUIC :9100)
#   NODES    PREDASTORE_META_PEERS / PREDASTORE_STORAGE_NODES of every node
#   WORK     a scratch directory (certificates, data, logs)
# and `"$BIN" tls init "$WORK/certs" --nodes N` run. Extra PREDASTORE_*
# settings for every node go in the array NODE_ENV.

# BENCH_STORE_BIN: another store binary (an A/B run against a previous build).
BIN="${BENCH_STORE_BIN:-$ROOT/target/release/predastore}"
BENCH="$ROOT/target/release/predastore-bench"
KEY=predastore
SECRET=predastore-secret
SECONDS_PER_PHASE="${BENCH_SECONDS:-10}"
# The stores copy memory as the Docker image's do (README, "HTTPS").
STORE_TUNABLES="${GLIBC_TUNABLES:-glibc.cpu.x86_rep_movsb_threshold=0x4000000}"
PIDS=(0 0 0 0 0 0 0 0)
NODE_ENV=()

for f in "$BIN" "$BENCH"; do
  [[ -x "$f" ]] || { echo "missing $f: run cargo build --release --workspace" >&2; exit 2; }
done

ip_of() { echo "127.0.0.$((IP_BASE + $1))"; }

start() { # start <i> <role>
  local i=$1 role=$2 ip
  ip=$(ip_of "$i")
  env PREDASTORE_ROLE="$role" PREDASTORE_NODE_ID="$i" \
    PREDASTORE_LISTEN="$ip:9000" PREDASTORE_QUIC_LISTEN="$ip:9100" \
    PREDASTORE_DATA_DIR="$WORK/n$i" PREDASTORE_META_PEERS="$NODES" \
    PREDASTORE_STORAGE_NODES="$NODES" PREDASTORE_EC=2+1 \
    PREDASTORE_TLS_CA="$WORK/certs/ca.pem" \
    PREDASTORE_TLS_CERT="$WORK/certs/node$((i - 1)).pem" \
    PREDASTORE_TLS_KEY="$WORK/certs/node$((i - 1))-key.pem" \
    PREDASTORE_LOG="${PREDASTORE_LOG:-warn}" GLIBC_TUNABLES="$STORE_TUNABLES" "${NODE_ENV[@]}" \
    "$BIN" >>"$WORK/n$i.log" 2>&1 &
  PIDS[i]=$!
  # Killed at the end by stop_all: no job report from the shell.
  disown "${PIDS[i]}"
}

stop_all() {
  for pid in "${PIDS[@]}"; do
    [[ "$pid" != 0 ]] && kill -9 "$pid" 2>/dev/null || true
  done
}

# On exit: stop every node, and remove $WORK unless $1 (the bench's KEEP
# setting) is set.
cleanup_on_exit() {
  KEEP_WORK="${1:-}"
  trap 'stop_all; if [[ -n "$KEEP_WORK" ]]; then echo "logs kept in $WORK" >&2; else rm -rf "$WORK"; fi' EXIT
}

ready() { curl -sf "http://$(ip_of "$1"):9000/health/ready" >/dev/null 2>&1; }

# Metric $2 (labels included, as /metrics writes them) of node $1; empty
# if the node does not answer or has no such series.
metric_of() {
  curl -sf --max-time 2 "http://$(ip_of "$1"):9000/metrics" 2>/dev/null |
    awk -v m="$2" '$1 == m { print $2; exit }' || true
}

# The largest value of metric $1 over the meta nodes 1-3 (the repair
# leader's).
metric_max() {
  local best=0 v i
  for i in 1 2 3; do
    v=$(metric_of "$i" "$1")
    [[ -n "$v" ]] && best=$(awk -v a="$best" -v b="$v" 'BEGIN { print (b > a) ? b : a }')
  done
  echo "$best"
}

wait_for() { # wait_for <what> <seconds> <command...>
  local what=$1 limit=$2
  shift 2
  for _ in $(seq 1 $((limit * 10))); do
    "$@" && return 0
    sleep 0.1
  done
  echo "timed out waiting for $what" >&2
  exit 1
}

bench() { # bench <gateway URL> <bucket> <prefix>
  "$BENCH" --endpoint "$1" --bucket "$2" --seconds "$SECONDS_PER_PHASE" \
    --skip small,multipart,big,versions,policy | sed -n "s/^RESULT /RESULT $3_/p"
}

s3curl() {
  curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user "$KEY:$SECRET" \
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "$@"
}
export -f s3curl
export KEY SECRET

fill() { # fill <gateway URL> <bucket> <GiB>: 8 MiB objects, 4 uploads at a time
  s3curl -X PUT "$1/$2" >/dev/null
  head -c $((8 << 20)) /dev/urandom >"$WORK/object"
  seq 1 $(($3 * 128)) | xargs -P 4 -I{} bash -c \
    "s3curl -T '$WORK/object' '$1/$2/object-{}' -o /dev/null"
}

# kept <label> <base results> <base prefix> <busy results> <busy prefix>:
# a `RESULT <label>_<name>` line per MB/s figure, the busy run's share of
# the base run's.
kept() {
  cat "$2" "$4" | awk -v label="$1" -v base_prefix="^$3_" -v busy_prefix="^$5_" '
    $1 == "RESULT" && $2 ~ /_mb_s$/ {
      name = $2
      if (sub(base_prefix, "", name)) base[name] = $3
      else if (sub(busy_prefix, "", name)) busy[name] = $3
    }
    END { for (n in busy) if (base[n] > 0) printf "RESULT %s_%s %.0f %%\n", label, n, 100 * busy[n] / base[n] }'
}
