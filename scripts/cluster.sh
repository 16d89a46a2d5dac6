#!/usr/bin/env bash
# The topology of deploy/compose.yml as local processes, for demos and
# tests: nodes 1-3 `storage,meta`, nodes 4-6 `storage`, a gateway, on
# 127.0.0.71-77 (HTTP :9000, QUIC :9100), erasure coding 4+2.
#
# Usage: scripts/cluster.sh up [N]|down|status [--json]
#   up [N]  builds target/release/predastore if missing, writes TLS material,
#           starts N storage nodes (3 to 6, default 6; below 6 erasure coding
#           is 2+1) and the gateway, and waits until each is ready. The first
#           start of a data directory seeds its layout; later ones follow the
#           layout in Raft (change it with `predastore admin node …`)
#   down    stops them (SIGTERM, then SIGKILL after 15 s)
#   status  `predastore admin status` against the gateway
#
# Data, logs and pid files live under $CLUSTER_DIR (default ./cluster-data).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$ROOT/target/release/predastore"
DIR="${CLUSTER_DIR:-$ROOT/cluster-data}"
TOKEN="${PREDASTORE_ADMIN_TOKEN:-change-me-admin-token}"
GATEWAY_IP=127.0.0.77
ip_of() { echo "127.0.0.$((70 + $1))"; }

list() { # list <last id>: id@ip:9100 of nodes 1..<last id>
  local out="" i
  for i in $(seq 1 "$1"); do out="$out${out:+,}$i@$(ip_of "$i"):9100"; done
  echo "$out"
}

start() { # start <id> <role> <storage nodes> <erasure coding>
  local id=$1 role=$2 nodes=$3 ec=$4 ip
  ip=$(ip_of "$id")
  mkdir -p "$DIR/n$id"
  env PREDASTORE_ROLE="$role" PREDASTORE_NODE_ID="$id" \
    PREDASTORE_LISTEN="$ip:9000" PREDASTORE_QUIC_LISTEN="$ip:9100" \
    PREDASTORE_DATA_DIR="$DIR/n$id" PREDASTORE_META_PEERS="$(list 3)" \
    PREDASTORE_STORAGE_NODES="$(list "$nodes")" PREDASTORE_EC="$ec" \
    PREDASTORE_TLS_CA="$DIR/certs/ca.pem" \
    PREDASTORE_TLS_CERT="$DIR/certs/node$((id - 1)).pem" \
    PREDASTORE_TLS_KEY="$DIR/certs/node$((id - 1))-key.pem" \
    PREDASTORE_ACCESS_KEY=predastore PREDASTORE_SECRET_KEY=predastore-secret \
    PREDASTORE_ADMIN_TOKEN="$TOKEN" \
    GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.cpu.x86_rep_movsb_threshold=0x4000000}" \
    "$BIN" >>"$DIR/n$id.log" 2>&1 &
  echo $! >"$DIR/n$id.pid"
}

ready() { curl -sf "http://$(ip_of "$1"):9000/health/ready" >/dev/null 2>&1; }

running() { # a process of the cluster is alive
  local pidfile
  for pidfile in "$DIR"/n*.pid; do
    [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null && return 0
  done
  return 1
}

up() { # up <storage nodes>
  local nodes=$1 ec=4+2 id
  [[ "$nodes" =~ ^[3-6]$ ]] || { echo "up N: N is 3 to 6 storage nodes" >&2; exit 2; }
  ((nodes == 6)) || ec=2+1
  if running; then
    echo "already up in $DIR: scripts/cluster.sh down first" >&2
    exit 1
  fi
  [[ -x "$BIN" ]] || (cd "$ROOT" && cargo build --release --bin predastore)
  mkdir -p "$DIR"
  [[ -f "$DIR/certs/ca.pem" ]] || "$BIN" tls init "$DIR/certs" --nodes 7 >/dev/null
  for id in $(seq 1 "$nodes"); do
    if ((id <= 3)); then
      start "$id" storage,meta "$nodes" "$ec"
    else
      start "$id" storage "$nodes" "$ec"
    fi
  done
  start 7 gateway "$nodes" "$ec"
  for id in $(seq 1 "$nodes") 7; do
    for _ in $(seq 1 300); do
      ready "$id" && break
      sleep 0.1
    done
    if ! ready "$id"; then
      echo "node $id did not start: see $DIR/n$id.log (scripts/cluster.sh down stops the others)" >&2
      exit 1
    fi
  done
  cat <<EOM
cluster up: $nodes storage nodes (1-3 also metadata), $ec erasure coding
  S3 endpoint   http://$GATEWAY_IP:9000  (region us-east-1, path style)
  access key    predastore
  secret key    predastore-secret
  admin token   $TOKEN
  admin         PREDASTORE_ADMIN_URL=http://$GATEWAY_IP:9000 PREDASTORE_ADMIN_TOKEN=$TOKEN $BIN admin status
  data and logs $DIR
EOM
}

down() {
  local pidfile pid
  for pidfile in "$DIR"/n*.pid; do
    [[ -f "$pidfile" ]] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
  done
  for pidfile in "$DIR"/n*.pid; do
    [[ -f "$pidfile" ]] || continue
    pid=$(cat "$pidfile")
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
  echo "cluster down (data kept in $DIR)"
}

status() {
  PREDASTORE_ADMIN_URL="http://$GATEWAY_IP:9000" PREDASTORE_ADMIN_TOKEN="$TOKEN" \
    "$BIN" admin "$@" status
}

case "${1:-}" in
  up) up "${2:-6}" ;;
  down) down ;;
  status) shift; status "$@" ;;
  *) echo "usage: $0 up [N]|down|status [--json]" >&2; exit 2 ;;
esac
