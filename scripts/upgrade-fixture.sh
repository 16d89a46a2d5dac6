#!/usr/bin/env bash
# Writes the data directory of a single store (the `all` role, at its
# defaults) filled by a given release, for the upgrade test
# (tests/it/cluster/grow.rs): objects of mixed sizes (inline ones, a
# multipart one, a second bucket), then a clean stop, archived with its
# sparse segment files, and a manifest of every object's size and MD5.
#
# Usage: scripts/upgrade-fixture.sh BINARY OUT_DIR
#   BINARY   the release's predastore binary
#   OUT_DIR  gets all-role.tar.gz and all-role.manifest
set -euo pipefail
BIN=$1 OUT=$2
WORK=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
env -i PATH="$PATH" PREDASTORE_DATA_DIR="$WORK/data" \
  PREDASTORE_LISTEN=127.0.0.1:19400 PREDASTORE_QUIC_LISTEN=127.0.0.1:19500 \
  PREDASTORE_CONSOLE_LISTEN=127.0.0.1:19401 \
  "$BIN" >"$WORK/log" 2>&1 &
PID=$!
for _ in $(seq 1 200); do
  curl -fs http://127.0.0.1:19400/health/ready >/dev/null 2>&1 && break
  sleep 0.1
done
python3 - "$OUT/all-role.manifest" <<'PY'
import hashlib, sys, boto3
from boto3.s3.transfer import TransferConfig
s3 = boto3.client("s3", endpoint_url="http://127.0.0.1:19400",
    aws_access_key_id="predastore", aws_secret_access_key="predastore-secret",
    region_name="us-east-1")
def body(key, size):
    # Distinct 4 KiB blocks that compress well (the fixture is committed).
    out, j = bytearray(), 0
    while len(out) < size:
        block = (f"{key}:{j}:" * 400).encode()[:4096]
        out += block
        j += 1
    return bytes(out[:size])
objects = [("old", f"small/{i}", 100 + i * 300) for i in range(10)]
objects += [("old", f"mid/{i}", 20_000 + i * 17_003) for i in range(16)]
objects += [("old", "big/2mib", 2 << 20), ("second", "doc/a", 70_000), ("second", "doc/b", 1_000)]
for b in ("old", "second"):
    s3.create_bucket(Bucket=b)
lines = []
for b, k, n in objects:
    data = body(k, n)
    s3.put_object(Bucket=b, Key=k, Body=data)
    lines.append(f"{b} {k} {n} {hashlib.md5(data).hexdigest()}")
data = body("multi/11mib", 11 << 20)
import io
cfg = TransferConfig(multipart_threshold=5 << 20, multipart_chunksize=5 << 20)
s3.upload_fileobj(io.BytesIO(data), "old", "multi/11mib", Config=cfg)
head = s3.head_object(Bucket="old", Key="multi/11mib")
assert head["ETag"].strip('"').endswith("-3"), head["ETag"]
lines.append(f"old multi/11mib {len(data)} {hashlib.md5(data).hexdigest()}")
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
kill -TERM "$PID"
wait "$PID" || true
tar -C "$WORK" -czSf "$OUT/all-role.tar.gz" data
echo "wrote $OUT/all-role.tar.gz ($(du -h "$OUT/all-role.tar.gz" | cut -f1)) and $OUT/all-role.manifest"
