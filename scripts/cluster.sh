#!/usr/bin/env bash
# The topology of deploy/compose.yml as local processes, for demos and
# tests: nodes 1-3 `storage,meta`, nodes 4-6 `storage`, a gateway, on
# 127.0.0.71-77 (HTTP :9000, QUIC :9100), erasure coding 4+2.
#
# Usage: scripts/cluster.sh up|down|status
#   up      builds target/release/predastore if missing, writes TLS material,
#           starts the seven processes and waits until each is ready
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

start() { # start <id> <role>
  local id=$1 role=$2 ip
  ip=$(ip_of "$id")
  mkdir -p "$DIR/n$id"
  env PREDASTORE_ROLE="$role" PREDASTORE_NODE_ID="$id" \
    PREDASTORE_LISTEN="$ip:9000" PREDASTORE_QUIC_LISTEN="$ip:9100" \
    PREDASTORE_DATA_DIR="$DIR/n$id" PREDASTORE_META_PEERS="$(list 3)" \
    PREDASTORE_STORAGE_NODES="$(list 6)" PREDASTORE_EC=4+2 \
    PREDASTORE_TLS_CA="$DIR/certs/ca.pem" \
    PREDASTORE_TLS_CERT="$DIR/certs/node$((id - 1)).pem" \
    PREDASTORE_TLS_KEY="$DIR/certs/node$((id - 1))-key.pem" \
    PREDASTORE_ACCESS_KEY=predastore PREDASTORE_SECRET_KEY=predastore-secret \
    PREDASTORE_ADMIN_TOKEN="$TOKEN" \
    "$BIN" >>"$DIR/n$id.log" 2>&1 &
  echo $! >"$DIR/n$id.pid"
}

ready() { curl -sf "http://$(ip_of "$1"):9000/health/ready" >/dev/null 2>&1; }

up() {
  [[ -x "$BIN" ]] || (cd "$ROOT" && cargo build --release --bin predastore)
  mkdir -p "$DIR"
  [[ -f "$DIR/certs/ca.pem" ]] || "$BIN" tls init "$DIR/certs" --nodes 7 >/dev/null
  local id
  for id in 1 2 3; do start "$id" storage,meta; done
  for id in 4 5 6; do start "$id" storage; done
  start 7 gateway
  for id in 1 2 3 4 5 6 7; do
    for _ in $(seq 1 300); do
      ready "$id" && break
      sleep 0.1
    done
    ready "$id" || { echo "node $id did not start: see $DIR/n$id.log" >&2; exit 1; }
  done
  cat <<EOM
cluster up: 6 storage nodes (1-3 also metadata), 4+2 erasure coding
  S3 endpoint   http://$GATEWAY_IP:9000  (region us-east-1, path style)
  access key    predastore
  secret key    predastore-secret
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
  up) up ;;
  down) down ;;
  status) shift; status "$@" ;;
  *) echo "usage: $0 up|down|status [--json]" >&2; exit 2 ;;
esac
