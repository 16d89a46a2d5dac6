#!/usr/bin/env bash
# Runs minio-py's functional suite (the one MinIO's mint runs) against a
# freshly started predastore (`all` role), in full mode, to the end, and
# fails if any test fails or is not applicable but those listed in
# scripts/minio-py/run.py (MinIO's snowball uploads).
#
# Usage: scripts/minio-py-tests.sh [path-to-predastore-binary]
#   (binary default: target/release/predastore)
#
#   MINIO_PY_DIR  a checkout of https://github.com/minio/minio-py to run
#                 instead. By default the suite is minio-py's source
#                 release from PyPI (minio==$MINIO_PY_VERSION, whose sdist
#                 holds tests/functional/tests.py), downloaded and unpacked
#                 into target/minio-py-src once. Nothing of it is copied
#                 into this repository: tests.py is imported unchanged by
#                 scripts/minio-py/run.py (which only keeps the suite going
#                 past a failure), the library pip-installed into
#                 target/minio-py-venv.
#
# The suite runs with ENABLE_HTTPS=0 (so without its SSE-C variants) and
# MINT_MODE=full, from a temporary directory (it writes its 1 MB and 11 MB
# data files there). The store's log goes to target/minio-py-store.log.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${1:-$ROOT/target/release/predastore}"
MINIO_PY_VERSION=7.2.20
VENV="$ROOT/target/minio-py-venv"
ACCESS=minioPyAccessKey01
SECRET=minio-py/secret/0123456789abcdef

WORK="$(mktemp -d)"
STORE_PID=""
cleanup() {
  if [ -n "$STORE_PID" ]; then kill "$STORE_PID" 2>/dev/null || true; wait "$STORE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if [ -z "${MINIO_PY_DIR:-}" ]; then
  SRC="$ROOT/target/minio-py-src"
  MINIO_PY_DIR="$SRC/minio-$MINIO_PY_VERSION"
  if [ ! -f "$MINIO_PY_DIR/tests/functional/tests.py" ]; then
    rm -rf "$SRC"
    mkdir -p "$SRC"
    "$VENV/bin/pip" download --quiet --no-deps --no-binary :all: --dest "$SRC" "minio==$MINIO_PY_VERSION"
    tar -xzf "$SRC/minio-$MINIO_PY_VERSION.tar.gz" -C "$SRC"
  fi
fi
if ! "$VENV/bin/python" -c "import minio, sys; sys.exit(minio.__version__ != '$MINIO_PY_VERSION')" 2>/dev/null \
  || [ -n "${MINIO_PY_REINSTALL:-}" ]; then
  cp -r "$MINIO_PY_DIR" "$WORK/minio-py"
  "$VENV/bin/pip" install --quiet "$WORK/minio-py"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP_PORT="$(free_port)"
QUIC_PORT="$(free_port)"
mkdir -p "$WORK/data" "$WORK/run"
env PREDASTORE_ROLE=all PREDASTORE_DATA_DIR="$WORK/data" \
  PREDASTORE_LISTEN="127.0.0.1:$HTTP_PORT" PREDASTORE_QUIC_LISTEN="127.0.0.1:$QUIC_PORT" \
  PREDASTORE_ACCESS_KEY="$ACCESS" PREDASTORE_SECRET_KEY="$SECRET" \
  PREDASTORE_LOG="${PREDASTORE_LOG:-warn}" \
  "$BIN" >"$ROOT/target/minio-py-store.log" 2>&1 &
STORE_PID=$!
for _ in $(seq 1 150); do
  if curl -fsS "http://127.0.0.1:$HTTP_PORT/health/ready" >/dev/null 2>&1; then break; fi
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$HTTP_PORT/health/ready" >/dev/null

cd "$WORK/run"
SERVER_ENDPOINT="127.0.0.1:$HTTP_PORT" ACCESS_KEY="$ACCESS" SECRET_KEY="$SECRET" \
  ENABLE_HTTPS=0 MINT_MODE=full \
  "$VENV/bin/python" "$ROOT/scripts/minio-py/run.py" "$MINIO_PY_DIR"
