#!/usr/bin/env bash
# Client smoke test: real S3 clients (the AWS CLI and boto3) against a
# freshly started predastore.
#
# Usage: scripts/client-smoke.sh [path-to-predastore-binary]
#   (default: target/release/predastore, built by `cargo build --release`)
#
# Creates (or reuses) a virtualenv in target/smoke-venv with pinned awscli
# and boto3, starts the store on free ports with a temporary data directory,
# waits for /health/ready, runs an AWS CLI session and a boto3 session, then
# stops the store with SIGTERM and expects a clean exit. Any mismatch exits
# non-zero.
#
# Environment:
#   SMOKE_ENDPOINT  use this already running S3 endpoint instead of starting
#                   the store (the binary argument is then ignored)
#   SMOKE_ACCESS_KEY, SMOKE_SECRET_KEY
#                   credentials (defaults below; given to the store it starts)
#   SMOKE_VENV      virtualenv directory (default target/smoke-venv)
#   SMOKE_SKIP_AUTH_CHECK=1
#                   skip the wrong-signature checks (for mock endpoints,
#                   such as moto, that do not verify signatures)
#   SMOKE_KEEP_LOG  keep the store's log at this path after the run
set -euo pipefail

AWSCLI_VERSION=1.46.3
BOTO3_VERSION=1.44.5
BOTOCORE_VERSION=1.44.5
S3TRANSFER_VERSION=0.19.3

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-$ROOT/target/release/predastore}"
# Resolve a relative binary path against the caller's directory.
case "$BIN" in
  /*) ;;
  *) BIN="$PWD/$BIN" ;;
esac
VENV="${SMOKE_VENV:-$ROOT/target/smoke-venv}"
KEEP_LOG="${SMOKE_KEEP_LOG:-}"
case "$KEEP_LOG" in
  "" | /*) ;;
  *) KEEP_LOG="$PWD/$KEEP_LOG" ;;
esac
ACCESS_KEY="${SMOKE_ACCESS_KEY:-smoke-access-key}"
SECRET_KEY="${SMOKE_SECRET_KEY:-smoke-secret-key-0123456789}"

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

cleanup() {
  local rc=$?
  trap - EXIT
  if [[ -n "$STORE_PID" ]]; then
    stop_store 10
  elif ((rc != 0)) && [[ -n "${BUCKET:-}" && -n "${SMOKE_ENDPOINT:-}" ]]; then
    # A shared endpoint: remove what a failed run left (best effort).
    for b in "$BUCKET" "$PY_BUCKET"; do
      "$AWS" --endpoint-url "$ENDPOINT" s3 rb --force "s3://$b" >/dev/null 2>&1 || true
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
  if ((rc == 0)); then
    echo
    echo "client smoke: all steps passed"
  else
    echo "client smoke: FAILED (exit $rc)" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- client tools ---------------------------------------------------------

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

# --- the store -----------------------------------------------------------

free_port() {
  "$PY" - "$1" <<'EOF'
import socket, sys
kind = socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, kind)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
EOF
}

http_ok() {
  "$PY" - "$1" <<'EOF'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception:
    sys.exit(1)
EOF
}

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

# --- AWS CLI session -----------------------------------------------------

cat >"$WORK/aws-config" <<'EOF'
[default]
region = us-east-1
s3 =
    addressing_style = path
EOF
: >"$WORK/aws-credentials"
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE
export AWS_ACCESS_KEY_ID="$ACCESS_KEY"
export AWS_SECRET_ACCESS_KEY="$SECRET_KEY"
export AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE="$WORK/aws-config"
export AWS_SHARED_CREDENTIALS_FILE="$WORK/aws-credentials"

aws() {
  "$AWS" --endpoint-url "$ENDPOINT" "$@"
}
# JMESPath for the number of keys a (CLI-paginated) listing returned.
# shellcheck disable=SC2016
COUNT='length(Contents || `[]`)'

PY_BUCKET="smoke-py-$(date +%s)-$$"
BUCKET="smoke-cli-$(date +%s)-$$"
S3="s3://$BUCKET"
cd "$WORK"

step "aws s3 mb $S3"
aws s3 mb "$S3"
buckets="$(aws s3 ls)"
grep -q " $BUCKET\$" <<<"$buckets" || fail "aws s3 ls does not list $BUCKET"
aws s3api head-bucket --bucket "$BUCKET"

if [[ "${SMOKE_SKIP_AUTH_CHECK:-}" != 1 ]]; then
  step "a wrong secret key is refused (SignatureDoesNotMatch)"
  if AWS_SECRET_ACCESS_KEY=wrong-secret-key aws s3api list-objects-v2 --bucket "$BUCKET" 2>auth.err; then
    fail "a request signed with a wrong secret key succeeded"
  fi
  grep -q SignatureDoesNotMatch auth.err || fail "wrong secret key: $(cat auth.err)"
  echo "refused: SignatureDoesNotMatch"
fi

step "aws s3 cp: small file up and down"
printf 'predastore client smoke test\nline two\n' >small.txt
aws s3 cp --no-progress small.txt "$S3/small.txt"
aws s3 cp --no-progress "$S3/small.txt" small.down
cmp small.txt small.down || fail "small file differs after a round trip"

step "aws s3 cp: 80 MiB random file up and down (multipart, 8 MiB parts)"
head -c $((80 * 1024 * 1024)) /dev/urandom >big.bin
aws s3 cp --no-progress big.bin "$S3/big.bin"
read -r size etag < <(aws s3api head-object --bucket "$BUCKET" --key big.bin \
  --query '[ContentLength, ETag]' --output text)
[[ "$size" == $((80 * 1024 * 1024)) ]] || fail "big.bin: ContentLength $size"
[[ "$etag" == *'-10"' ]] || fail "big.bin: ETag $etag is not that of a 10-part multipart upload"
echo "head-object: ContentLength $size, ETag $etag"
aws s3 cp --no-progress "$S3/big.bin" big.down
want="$(sha256sum <big.bin | cut -d' ' -f1)"
got="$(sha256sum <big.down | cut -d' ' -f1)"
[[ "$want" == "$got" ]] || fail "big.bin sha256 $got, want $want"
echo "sha256 $got matches"

step "aws s3 ls"
listing="$(aws s3 ls "$S3/")"
echo "$listing"
grep -q ' small.txt$' <<<"$listing" || fail "ls lacks small.txt"
grep -q " $((80 * 1024 * 1024)) big.bin\$" <<<"$listing" || fail "ls lacks big.bin with its size"

step "aws s3 sync: a directory tree up and back down"
mkdir -p "tree/a/b/c" "tree/dir with spaces" "tree/empty-sibling/x"
printf 'top\n' >"tree/top.txt"
printf 'deep\n' >"tree/a/b/c/deep.txt"
head -c 300000 /dev/urandom >"tree/a/random.bin"
printf 'spaces\n' >"tree/dir with spaces/file with spaces.txt"
printf 'plus\n' >"tree/a/plus+and=equals.txt"
printf 'unicode\n' >"tree/a/b/ünïcödé.txt"
: >"tree/empty-sibling/x/zero-bytes"
nfiles="$(find tree -type f | wc -l)"
# Old mtimes: S3 LastModified has whole-second precision, so a file written
# in the same second as its upload would look newer than its object and a
# second sync would upload it again.
find tree -exec touch -d '2024-01-02 03:04:05' {} +
aws s3 sync --no-progress tree "$S3/tree"
count="$(aws s3api list-objects-v2 --bucket "$BUCKET" --prefix tree/ --query "$COUNT" --output text)"
[[ "$count" == "$nfiles" ]] || fail "tree/ has $count objects, want $nfiles"
again="$(aws s3 sync --no-progress tree "$S3/tree")"
[[ -z "$again" ]] || fail "a second sync up transferred again: $again"
aws s3 sync --no-progress "$S3/tree" tree-down
diff -r tree tree-down || fail "synced-down tree differs"
(cd tree && find . -type f -print0 | sort -z | xargs -0 sha256sum) >tree.sums
(cd tree-down && sha256sum -c --quiet ../tree.sums) || fail "tree-down checksums differ"
echo "$nfiles files round-tripped, diff -r clean"

step "aws s3 rb on a non-empty bucket fails"
if aws s3 rb "$S3" 2>rb.err; then
  fail "rb of a non-empty bucket succeeded"
fi
grep -q BucketNotEmpty rb.err || fail "rb error is not BucketNotEmpty: $(cat rb.err)"
echo "refused: BucketNotEmpty"

step "aws s3 rm: a single object and --recursive"
aws s3 rm "$S3/small.txt"
if aws s3api head-object --bucket "$BUCKET" --key small.txt >/dev/null 2>&1; then
  fail "small.txt still exists after rm"
fi
aws s3 rm --recursive "$S3/tree"
count="$(aws s3api list-objects-v2 --bucket "$BUCKET" --prefix tree/ --query "$COUNT" --output text)"
[[ "$count" == 0 ]] || fail "tree/ still has $count objects after rm --recursive"
aws s3 rm "$S3/big.bin"
count="$(aws s3api list-objects-v2 --bucket "$BUCKET" --query "$COUNT" --output text)"
[[ "$count" == 0 ]] || fail "bucket still has $count objects"

step "aws s3 rb $S3"
aws s3 rb "$S3"
if aws s3api head-bucket --bucket "$BUCKET" 2>/dev/null; then
  fail "bucket still exists after rb"
fi

# --- boto3 session ---------------------------------------------------------

step "boto3 session"
SMOKE_EP="$ENDPOINT" SMOKE_SKIP_AUTH_CHECK="${SMOKE_SKIP_AUTH_CHECK:-}" SMOKE_BUCKET="$PY_BUCKET" SMOKE_WORK="$WORK" \
  "$PY" - <<'EOF'
import base64
import hashlib
import os
import sys
import urllib.error
import urllib.request
import zlib

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

MiB = 1024 * 1024
ep = os.environ["SMOKE_EP"]
bucket = os.environ["SMOKE_BUCKET"]
work = os.environ["SMOKE_WORK"]


def step(msg):
    print(f"  - {msg}", flush=True)


def check(cond, msg):
    if not cond:
        print(f"FAIL: {msg}", file=sys.stderr, flush=True)
        sys.exit(1)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MiB), b""):
            h.update(block)
    return h.hexdigest()


s3 = boto3.client(
    "s3",
    endpoint_url=ep,
    region_name="us-east-1",
    config=Config(s3={"addressing_style": "path"}, retries={"mode": "standard"}),
)

step(f"create_bucket {bucket}")
s3.create_bucket(Bucket=bucket)

step("put_object/get_object with ChecksumAlgorithm=CRC32")
body = os.urandom(MiB + 123)
crc = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
put = s3.put_object(Bucket=bucket, Key="crc/object.bin", Body=body, ChecksumAlgorithm="CRC32")
check(put.get("ChecksumCRC32") == crc, f"PutObject ChecksumCRC32 {put.get('ChecksumCRC32')!r}, want {crc!r}")
got = s3.get_object(Bucket=bucket, Key="crc/object.bin", ChecksumMode="ENABLED")
data = got["Body"].read()
check(data == body, f"get_object returned {len(data)} bytes that differ from the {len(body)} put")
check(got.get("ChecksumCRC32") == crc, f"GetObject ChecksumCRC32 {got.get('ChecksumCRC32')!r}, want {crc!r}")

step("upload_file 20 MiB (multipart_threshold 5 MiB) and download_file")
src = os.path.join(work, "py-20m.bin")
dst = os.path.join(work, "py-20m.down")
with open(src, "wb") as f:
    f.write(os.urandom(20 * MiB))
tc = TransferConfig(multipart_threshold=5 * MiB)
s3.upload_file(src, bucket, "py/20m.bin", Config=tc)
head = s3.head_object(Bucket=bucket, Key="py/20m.bin")
check(head["ContentLength"] == 20 * MiB, f"ContentLength {head['ContentLength']}")
parts = -(-20 * MiB // tc.multipart_chunksize)
check(head["ETag"].endswith(f'-{parts}"'), f"ETag {head['ETag']} is not that of a {parts}-part upload")
s3.download_file(bucket, "py/20m.bin", dst, Config=tc)
check(sha256_file(src) == sha256_file(dst), "downloaded 20 MiB file differs")

step("list_objects_v2 paginator (25 keys, pages of 10) and a delimiter listing")
keys = [f"many/key-{i:03d}" for i in range(25)]
for k in keys:
    s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
pages = list(
    s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix="many/", PaginationConfig={"PageSize": 10}
    )
)
listed = [o["Key"] for p in pages for o in p.get("Contents", [])]
check(listed == keys, f"paginated listing {listed}")
check([p["KeyCount"] for p in pages] == [10, 10, 5], f"page sizes {[p['KeyCount'] for p in pages]}")
top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
prefixes = sorted(p["Prefix"] for p in top.get("CommonPrefixes", []))
check(prefixes == ["crc/", "many/", "py/"], f"common prefixes {prefixes}")
check(not top.get("Contents"), f"unexpected top-level keys {top.get('Contents')}")

step("delete_objects (25 keys in one request)")
resp = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys]})
check(not resp.get("Errors"), f"delete_objects errors {resp.get('Errors')}")
check(sorted(d["Key"] for d in resp.get("Deleted", [])) == keys, "delete_objects did not report every key")
left = s3.list_objects_v2(Bucket=bucket, Prefix="many/")
check(left["KeyCount"] == 0, f"{left['KeyCount']} keys left after delete_objects")

step("generate_presigned_url + urllib")
url = s3.generate_presigned_url(
    "get_object", Params={"Bucket": bucket, "Key": "crc/object.bin"}, ExpiresIn=300
)
with urllib.request.urlopen(url, timeout=30) as r:
    check(r.status == 200, f"presigned GET status {r.status}")
    check(r.read() == body, "presigned GET body differs")
if os.environ.get("SMOKE_SKIP_AUTH_CHECK") != "1":
    step("a presigned URL with a wrong signature -> 403")
    sig_at = url.index("Signature=") + len("Signature=")
    flipped = "0" if url[sig_at] != "0" else "1"
    bad = url[:sig_at] + flipped + url[sig_at + 1 :]
    try:
        urllib.request.urlopen(bad, timeout=30)
        check(False, "a presigned URL with a wrong signature was accepted")
    except urllib.error.HTTPError as e:
        check(e.code == 403, f"wrong signature answered {e.code}, want 403")

step("head_object of a missing key -> 404")
try:
    s3.head_object(Bucket=bucket, Key="no/such/key")
    check(False, "head_object of a missing key succeeded")
except ClientError as e:
    status = e.response["ResponseMetadata"]["HTTPStatusCode"]
    code = e.response["Error"]["Code"]
    check(status == 404 and code in ("404", "NoSuchKey", "NotFound"), f"got {status} {code}")

step("clean up the bucket")
for k in ("crc/object.bin", "py/20m.bin"):
    s3.delete_object(Bucket=bucket, Key=k)
s3.delete_bucket(Bucket=bucket)
print("  boto3 session passed", flush=True)
EOF

# --- shutdown ----------------------------------------------------------------

if [[ -n "$STORE_PID" ]]; then
  step "SIGTERM stops the store cleanly"
  stop_store 30
  [[ "$STOP_STATUS" == 0 ]] || fail "the store exited with status $STOP_STATUS after SIGTERM"
  echo "exited 0"
fi
