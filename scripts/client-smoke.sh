#!/usr/bin/env bash
# Client smoke test: real S3 clients against a freshly started predastore,
# each with its default settings (only endpoint, credentials, region and
# path-style where the client needs them for a store that is not AWS).
#
# Usage: scripts/client-smoke.sh [path-to-predastore-binary]
#   (default: target/release/predastore, built by `cargo build --release`)
#
# Installs what the clients need (a virtualenv in target/smoke-venv with
# pinned awscli and boto3; rclone, s3cmd and restic from Debian's packages
# when missing; the AWS SDK for JavaScript v3 with `npm ci` from
# scripts/clients/js/package-lock.json into target/smoke-js), starts the
# store on free ports with a temporary data directory, waits for
# /health/ready, and runs one session per client, each in its own bucket:
#   awscli  scripts/clients/awscli.sh        boto3  scripts/clients/boto3_session.py
#   rclone  scripts/clients/rclone.sh        s3cmd  scripts/clients/s3cmd.sh
#   restic  scripts/clients/restic.sh        js     scripts/clients/js/session.mjs
#   https   scripts/clients/https.sh (the AWS CLI against a second store
#           of the same binary serving HTTPS; not with SMOKE_ENDPOINT)
#   policy  scripts/clients/policy.sh (`aws s3api put-bucket-policy` with a
#           public-read policy, then anonymous curl: an object's bytes; the
#           listing, a PUT and a DELETE refused)
# A session makes its bucket, uploads a small and a multipart file, lists,
# downloads and compares bytes, syncs a tree twice (the second moves
# nothing), fetches a presigned URL with curl, deletes (restic: backs up
# twice, restores, checks, prunes). A failing session does not stop the
# others. Then the store is stopped with SIGTERM and must exit 0. Prints a
# line per client (`NAME: ok` or `NAME: FAIL <step>`) and `N passed, M
# failed`; exits non-zero on any failure.
#
# Environment:
#   SMOKE_ENDPOINT  use this already running S3 endpoint instead of starting
#                   the store (the binary argument is then ignored)
#   SMOKE_ACCESS_KEY, SMOKE_SECRET_KEY
#                   credentials (defaults below; given to the store it starts)
#   SMOKE_CLIENTS   run only these sessions (e.g. "rclone js"; default all)
#   SMOKE_CLIENT_TIMEOUT
#                   seconds a session may take (default 240)
#   SMOKE_VENV      virtualenv directory (default target/smoke-venv)
#   SMOKE_JS_DIR    where npm installs the JavaScript SDK (default target/smoke-js)
#   SMOKE_SKIP_AUTH_CHECK=1
#                   skip the wrong-signature checks (for mock endpoints,
#                   such as moto, that do not verify signatures)
#   SMOKE_KEEP_LOG  keep the store's log at this path after the run
#   SMOKE_JS_DEBUG=1
#                   the JavaScript session logs every request and response
#   PREDASTORE_LOG  passed on to the store (e.g. predastore=debug)
set -euo pipefail

AWSCLI_VERSION=1.46.3
BOTO3_VERSION=1.44.5
BOTOCORE_VERSION=1.44.5
S3TRANSFER_VERSION=0.19.3
ALL_CLIENTS="awscli boto3 rclone s3cmd restic js https policy"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLIENTS_DIR="$ROOT/scripts/clients"
BIN="${1:-$ROOT/target/release/predastore}"
# Resolve a relative binary path against the caller's directory.
case "$BIN" in
  /*) ;;
  *) BIN="$PWD/$BIN" ;;
esac
VENV="${SMOKE_VENV:-$ROOT/target/smoke-venv}"
JS_DIR="${SMOKE_JS_DIR:-$ROOT/target/smoke-js}"
KEEP_LOG="${SMOKE_KEEP_LOG:-}"
case "$KEEP_LOG" in
  "" | /*) ;;
  *) KEEP_LOG="$PWD/$KEEP_LOG" ;;
esac
ACCESS_KEY="${SMOKE_ACCESS_KEY:-smoke-access-key}"
SECRET_KEY="${SMOKE_SECRET_KEY:-smoke-secret-key-0123456789}"
REGION=us-east-1
CLIENTS="${SMOKE_CLIENTS:-$ALL_CLIENTS}"
# The HTTPS session starts a store of its own: not against an endpoint.
if [[ -n "${SMOKE_ENDPOINT:-}" ]]; then
  CLIENTS="$(tr ' ' '\n' <<<"$CLIENTS" | grep -vx https | tr '\n' ' ')"
fi
CLIENT_TIMEOUT="${SMOKE_CLIENT_TIMEOUT:-240}"
RUN_ID="$(date +%s)-$$"
for c in $CLIENTS; do
  [[ " $ALL_CLIENTS " == *" $c "* ]] || {
    echo "unknown client '$c' in SMOKE_CLIENTS (known: $ALL_CLIENTS)" >&2
    exit 2
  }
done

STEP=0
step() {
  STEP=$((STEP + 1))
  printf '\n[%02d] %s\n' "$STEP" "$*"
}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

WORK="$(mktemp -d "${TMPDIR:-/tmp}/predastore-smoke.XXXXXX")"
STORE_PID=""
SUMMARY=()

STOP_STATUS=""
stop_store() {
  # Sends SIGTERM, waits up to $1 seconds (then SIGKILL); the store's exit
  # status lands in STOP_STATUS.
  local limit=$1 waited=0 status=0
  kill -TERM "$STORE_PID" 2>/dev/null || true
  while kill -0 "$STORE_PID" 2>/dev/null; do
    if ((waited >= limit * 10)); then
      echo "store did not stop within ${limit}s of SIGTERM; sending SIGKILL" >&2
      kill -KILL "$STORE_PID" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  wait "$STORE_PID" 2>/dev/null || status=$?
  STORE_PID=""
  STOP_STATUS=$status
}

bucket_of() {
  echo "smoke-$1-$RUN_ID"
}

cleanup() {
  local rc=$?
  trap - EXIT
  if [[ -n "$STORE_PID" ]]; then
    stop_store 10
  elif ((rc != 0)) && [[ -n "${SMOKE_ENDPOINT:-}" && -n "${AWS:-}" ]]; then
    # A shared endpoint: remove what a failed run left (best effort).
    for c in $CLIENTS; do
      "$AWS" --endpoint-url "$ENDPOINT" s3 rb --force "s3://$(bucket_of "$c")" >/dev/null 2>&1 || true
    done
  fi
  if [[ -f "$WORK/store.log" ]]; then
    if ((rc != 0)); then
      echo "--- last lines of the store's log ---" >&2
      tail -n 40 "$WORK/store.log" >&2 || true
    fi
    if [[ -n "$KEEP_LOG" ]]; then
      cp "$WORK/store.log" "$KEEP_LOG" || true
    fi
  fi
  rm -rf "$WORK"
  echo
  if ((${#SUMMARY[@]})); then
    # Last, so that CI reads the count.
    printf '%s\n' "${SUMMARY[@]}"
  elif ((rc != 0)); then
    echo "client smoke: FAILED (exit $rc)" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- client tools ---------------------------------------------------------

wants() {
  [[ " $CLIENTS " == *" $1 "* ]]
}

step "virtualenv $VENV (awscli $AWSCLI_VERSION, boto3 $BOTO3_VERSION)"
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
  "awscli==$AWSCLI_VERSION" "boto3==$BOTO3_VERSION" \
  "botocore==$BOTOCORE_VERSION" "s3transfer==$S3TRANSFER_VERSION"
PY="$VENV/bin/python"
AWS="$VENV/bin/aws"
"$AWS" --version

# apt_install COMMAND:PACKAGE...: installs the packages whose command is missing.
apt_install() {
  local missing=() pair sudo=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  ((${#missing[@]})) || return 0
  ((EUID == 0)) || sudo=(sudo)
  echo "apt-get install ${missing[*]}"
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$WORK/apt.log" 2>&1; then
    # A machine whose package lists are missing or stale.
    "${sudo[@]}" apt-get update -q >>"$WORK/apt.log" 2>&1 || true
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>"$WORK/apt.log" 2>&1 || {
      tail -n 20 "$WORK/apt.log" >&2
      fail "apt-get install ${missing[*]} failed"
    }
  fi
}

step "Debian packages"
needed=(curl:curl jq:jq)
wants rclone && needed+=(rclone:rclone)
wants s3cmd && needed+=(s3cmd:s3cmd)
wants restic && needed+=(restic:restic)
wants js && needed+=(node:nodejs npm:npm)
apt_install "${needed[@]}"
for pair in "${needed[@]}"; do
  cmd="${pair%%:*}" pkg="${pair#*:}"
  ver="$(dpkg-query -W -f '${db:Status-Abbrev}${Version}' "$pkg" 2>/dev/null || true)"
  if [[ "$ver" == ii* ]]; then
    echo "$pkg ${ver:3}"
  else
    echo "$cmd $("$cmd" --version 2>&1 | sed -n 1p) (not Debian's package $pkg)"
  fi
done

if wants js; then
  step "npm ci in $JS_DIR (versions from scripts/clients/js/package-lock.json)"
  mkdir -p "$JS_DIR"
  # Reinstall only when the lock file changed since the last complete install.
  if ! cmp -s "$CLIENTS_DIR/js/package-lock.json" "$JS_DIR/installed.lock" ||
    [[ ! -d "$JS_DIR/node_modules" ]]; then
    rm -f "$JS_DIR/installed.lock"
    cp "$CLIENTS_DIR/js/package.json" "$CLIENTS_DIR/js/package-lock.json" "$JS_DIR/"
    (cd "$JS_DIR" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$CLIENTS_DIR/js/package-lock.json" "$JS_DIR/installed.lock"
  fi
  cp "$CLIENTS_DIR/js/session.mjs" "$JS_DIR/"
  echo "node $(node --version); $(cd "$JS_DIR" && npm ls --depth=0 2>/dev/null | grep -o '@aws-sdk/[^ ]*' | tr '\n' ' ')"
fi

# --- the store -----------------------------------------------------------

# shellcheck source=lib/local-store.sh
source "$ROOT/scripts/lib/local-store.sh"

# The master key of the stores this script starts (SSE-S3, and SSE-KMS
# under the id smoke-1), fresh each run.
SMOKE_KMS_KEYS="smoke-1:$("$PY" -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')"
export SMOKE_KMS_KEYS
if [[ -n "${SMOKE_ENDPOINT:-}" ]]; then
  ENDPOINT="${SMOKE_ENDPOINT%/}"
  step "using running endpoint $ENDPOINT (SMOKE_ENDPOINT)"
else
  [[ -x "$BIN" ]] || fail "no predastore binary at $BIN (cargo build --release?)"
  HTTP_PORT="$(free_port tcp)"
  QUIC_PORT="$(free_port udp)"
  ENDPOINT="http://127.0.0.1:$HTTP_PORT"
  step "start $BIN on $ENDPOINT (QUIC 127.0.0.1:$QUIC_PORT)"
  mkdir -p "$WORK/data"
  PREDASTORE_KMS_KEYS="$SMOKE_KMS_KEYS" \
    PREDASTORE_ROLE=all \
    PREDASTORE_DATA_DIR="$WORK/data" \
    PREDASTORE_LISTEN="127.0.0.1:$HTTP_PORT" \
    PREDASTORE_QUIC_LISTEN="127.0.0.1:$QUIC_PORT" \
    PREDASTORE_ACCESS_KEY="$ACCESS_KEY" \
    PREDASTORE_SECRET_KEY="$SECRET_KEY" \
    NO_COLOR=1 \
    "$BIN" >"$WORK/store.log" 2>&1 &
  STORE_PID=$!
  ready=0
  for _ in $(seq 1 120); do
    kill -0 "$STORE_PID" 2>/dev/null || fail "the store exited during start-up"
    if http_ok "$ENDPOINT/health/ready"; then
      ready=1
      break
    fi
    sleep 0.5
  done
  ((ready)) || fail "the store was not ready within 60 s"
  echo "ready (pid $STORE_PID)"
fi

# --- client sessions -------------------------------------------------------

# The AWS CLI and boto3 read these; the other sessions configure their
# clients themselves (restic reads the same credentials).
cat >"$WORK/aws-config" <<EOF
[default]
region = $REGION
s3 =
    addressing_style = path
EOF
: >"$WORK/aws-credentials"
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE
export AWS_ACCESS_KEY_ID="$ACCESS_KEY"
export AWS_SECRET_ACCESS_KEY="$SECRET_KEY"
export AWS_DEFAULT_REGION="$REGION"
export AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE="$WORK/aws-config"
export AWS_SHARED_CREDENTIALS_FILE="$WORK/aws-credentials"

# What every session gets (scripts/clients/lib.sh describes it).
export SMOKE_EP="$ENDPOINT" SMOKE_ACCESS_KEY="$ACCESS_KEY" SMOKE_SECRET_KEY="$SECRET_KEY"
export SMOKE_REGION="$REGION" SMOKE_AWS="$AWS" SMOKE_CLIENTS_DIR="$CLIENTS_DIR" SMOKE_BIN="$BIN"
export SMOKE_DATA="$WORK/inputs" SMOKE_SKIP_AUTH_CHECK="${SMOKE_SKIP_AUTH_CHECK:-}"
export SMOKE_PY="$PY"
mkdir -p "$SMOKE_DATA"
printf 'predastore client smoke test\nline two\n' >"$SMOKE_DATA/small.txt"
head -c $((24 * 1024 * 1024)) /dev/urandom >"$SMOKE_DATA/big.bin"

declare -A RESULT=()
# run_client NAME COMMAND...: runs a session in $WORK/NAME with its own
# bucket and time limit, and records its result.
run_client() {
  local name=$1 rc=0 at
  shift
  wants "$name" || return 0
  step "$name session (bucket $(bucket_of "$name"))"
  mkdir -p "$WORK/$name"
  : >"$WORK/$name.step"
  local started=$SECONDS
  (
    cd "$WORK/$name"
    SMOKE_CLIENT="$name" SMOKE_BUCKET="$(bucket_of "$name")" SMOKE_STEP_FILE="$WORK/$name.step" \
      exec timeout -k 10 "$CLIENT_TIMEOUT" "$@"
  ) || rc=$?
  at="$(cat "$WORK/$name.step")"
  if ((rc == 0)); then
    RESULT[$name]=ok
  elif ((rc == 124)); then
    RESULT[$name]="FAIL ${at:-start} (timed out after ${CLIENT_TIMEOUT}s)"
  else
    RESULT[$name]="FAIL ${at:-start}"
  fi
  echo "--- $name: ${RESULT[$name]} ($((SECONDS - started)) s)"
}

run_client awscli "$CLIENTS_DIR/awscli.sh"
run_client boto3 "$PY" "$CLIENTS_DIR/boto3_session.py"
run_client rclone "$CLIENTS_DIR/rclone.sh"
run_client s3cmd "$CLIENTS_DIR/s3cmd.sh"
run_client restic "$CLIENTS_DIR/restic.sh"
run_client js node "$JS_DIR/session.mjs"
run_client https "$CLIENTS_DIR/https.sh"
run_client policy "$CLIENTS_DIR/policy.sh"

# --- shutdown ----------------------------------------------------------------

SHUTDOWN=""
if [[ -n "$STORE_PID" ]]; then
  step "SIGTERM stops the store cleanly"
  stop_store 30
  if [[ "$STOP_STATUS" == 0 ]]; then
    SHUTDOWN=ok
    echo "exited 0"
  else
    SHUTDOWN="FAIL the store exited with status $STOP_STATUS after SIGTERM"
  fi
fi

# --- summary -----------------------------------------------------------------

# cleanup prints it, after the store's log when something failed.
passed=0
failed=0
for c in $CLIENTS ${SHUTDOWN:+shutdown}; do
  if [[ "$c" == shutdown ]]; then r="$SHUTDOWN"; else r="${RESULT[$c]}"; fi
  SUMMARY+=("$c: $r")
  if [[ "$r" == ok ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
SUMMARY+=("$passed passed, $failed failed")
((failed == 0)) || exit 1
