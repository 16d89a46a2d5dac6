#!/usr/bin/env bash
# HTTPS session of scripts/client-smoke.sh (see lib.sh for its environment):
# a second store of the same binary (SMOKE_BIN) serving HTTPS with a
# certificate from `predastore tls init --https-host`; the AWS CLI copies a
# 100 MiB file up with --no-verify-ssl and down trusting the CA
# (--ca-bundle), byte-identical; curl fetches a presigned URL trusting the
# CA; SSE-C over TLS with the AWS CLI (--sse-c, multipart) and boto3, and
# --sse AES256 / aws:kms; the web console serves HTTPS with the same
# certificate and lists the bucket (its own calls to the S3 listener go over
# TLS); the store stops cleanly.
set -euo pipefail
# shellcheck source=scripts/clients/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ -x "${SMOKE_BIN:-}" ]] || fail "no store binary (SMOKE_BIN)"
port() {
  python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1]=="udp" else socket.SOCK_STREAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' "$1"
}

step "predastore tls init --https-host 127.0.0.1"
"$SMOKE_BIN" tls init certs --nodes 0 --https-host 127.0.0.1 --https-host localhost

HTTP_PORT="$(port tcp)"
CONSOLE_PORT="$(port tcp)"
EP="https://127.0.0.1:$HTTP_PORT"
step "start an HTTPS store on $EP"
mkdir -p data
PREDASTORE_DATA_DIR="$PWD/data" \
  PREDASTORE_LISTEN="127.0.0.1:$HTTP_PORT" \
  PREDASTORE_QUIC_LISTEN="127.0.0.1:$(port udp)" \
  PREDASTORE_ACCESS_KEY="$SMOKE_ACCESS_KEY" \
  PREDASTORE_SECRET_KEY="$SMOKE_SECRET_KEY" \
  PREDASTORE_HTTPS_CERT="$PWD/certs/https.pem" \
  PREDASTORE_HTTPS_KEY="$PWD/certs/https-key.pem" \
  PREDASTORE_CONSOLE_LISTEN="127.0.0.1:$CONSOLE_PORT" \
  PREDASTORE_KMS_KEYS="$SMOKE_KMS_KEYS" \
  NO_COLOR=1 \
  "$SMOKE_BIN" >store.log 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  kill -0 "$PID" 2>/dev/null || fail "the HTTPS store exited during start-up: $(tail -3 store.log)"
  curl -sf --cacert certs/ca.pem "$EP/health/ready" >/dev/null && break
  sleep 0.5
done
curl -sf --cacert certs/ca.pem "$EP/health/ready" >/dev/null || fail "the HTTPS store is not ready"
if curl -sf "http://127.0.0.1:$HTTP_PORT/health/ready" >/dev/null 2>&1; then
  fail "the HTTPS store also answers plain HTTP"
fi

aws_tls() {
  "$SMOKE_AWS" --endpoint-url "$EP" "$@"
}
S3="s3://$SMOKE_BUCKET"
step "aws --no-verify-ssl: make $S3, copy 100 MiB up"
head -c $((100 * 1024 * 1024)) /dev/urandom >hundred.bin
# (urllib3 warns about the unverified certificate on stderr: kept in a file)
aws_tls --no-verify-ssl s3 mb "$S3" 2>>insecure.log || fail "mb: $(grep -v -i warn insecure.log | tail -3)"
aws_tls --no-verify-ssl s3 cp --only-show-errors hundred.bin "$S3/hundred.bin" 2>>insecure.log ||
  fail "cp up: $(grep -v -i warn insecure.log | tail -3)"

step "aws --ca-bundle: copy it down"
aws_tls --ca-bundle certs/ca.pem s3 cp --only-show-errors "$S3/hundred.bin" back.bin
same_bytes hundred.bin back.bin

step "a presigned GET over HTTPS (curl trusting the CA)"
printf 'over tls\n' >small.txt
aws_tls --ca-bundle certs/ca.pem s3 cp --only-show-errors small.txt "$S3/small.txt"
url="$(aws_tls --ca-bundle certs/ca.pem s3 presign "$S3/small.txt" --expires-in 300)"
curl -sf --cacert certs/ca.pem -o got.txt "$url" || fail "presigned GET over HTTPS failed"
same_bytes small.txt got.txt

step "aws --sse-c (a customer key, over HTTPS): 30 MiB multipart up and down; without the key refused"
head -c 32 /dev/urandom >customer.key
head -c $((30 * 1024 * 1024)) /dev/urandom >sealed.bin
aws_tls --ca-bundle certs/ca.pem s3 cp --only-show-errors --sse-c AES256 --sse-c-key fileb://customer.key \
  sealed.bin "$S3/sealed.bin"
aws_tls --ca-bundle certs/ca.pem s3 cp --only-show-errors --sse-c AES256 --sse-c-key fileb://customer.key \
  "$S3/sealed.bin" sealed.back
same_bytes sealed.bin sealed.back
if aws_tls --ca-bundle certs/ca.pem s3 cp --only-show-errors "$S3/sealed.bin" nokey.bin 2>nokey.err; then
  fail "an SSE-C object was read without its key"
fi
grep -q "400" nokey.err || fail "reading without the key did not answer 400: $(tail -2 nokey.err)"

step "aws --sse AES256 and --sse aws:kms: copied up and down, head-object reports the mode"
aws_tls --ca-bundle certs/ca.pem s3 cp --only-show-errors --sse AES256 hundred.bin "$S3/s3.bin"
aws_tls --ca-bundle certs/ca.pem s3 cp --only-show-errors --sse aws:kms --sse-kms-key-id smoke-1 \
  small.txt "$S3/kms.txt"
aws_tls --ca-bundle certs/ca.pem s3 cp --only-show-errors "$S3/s3.bin" s3.back
same_bytes hundred.bin s3.back
mode="$(aws_tls --ca-bundle certs/ca.pem s3api head-object --bucket "$SMOKE_BUCKET" --key kms.txt \
  --query '[ServerSideEncryption,SSEKMSKeyId]' --output text)"
[[ "$mode" == $'aws:kms\tsmoke-1' ]] || fail "head-object of kms.txt reports '$mode'"

step "boto3 SSE-C over HTTPS: put_object, head_object and get_object with the key, a wrong key refused"
SMOKE_EP_TLS="$EP" "$SMOKE_PY" - <<'PYEOF' || fail "boto3 SSE-C session failed"
import os, sys
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
s3 = boto3.client("s3", endpoint_url=os.environ["SMOKE_EP_TLS"], verify="certs/ca.pem",
                  region_name=os.environ["SMOKE_REGION"], config=Config(s3={"addressing_style": "path"}))
bucket, key, other = os.environ["SMOKE_BUCKET"], os.urandom(32), os.urandom(32)
data = os.urandom(5 * 1024 * 1024 + 7)
s3.put_object(Bucket=bucket, Key="boto3-c.bin", Body=data, SSECustomerAlgorithm="AES256", SSECustomerKey=key)
head = s3.head_object(Bucket=bucket, Key="boto3-c.bin", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
assert head["SSECustomerAlgorithm"] == "AES256", head
got = s3.get_object(Bucket=bucket, Key="boto3-c.bin", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
assert got["Body"].read() == data, "SSE-C object read back different"
try:
    s3.get_object(Bucket=bucket, Key="boto3-c.bin", SSECustomerAlgorithm="AES256", SSECustomerKey=other)
    sys.exit("a wrong customer key was accepted")
except ClientError as e:
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 400, e.response
PYEOF

step "the web console over HTTPS: sign in, the bucket is listed"
CONSOLE="https://127.0.0.1:$CONSOLE_PORT"
jar="$PWD/cookies.txt"
console() { curl -sf --cacert certs/ca.pem -c "$jar" -b "$jar" "$@"; }
token="$(console "$CONSOLE/login" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p')"
[[ -n "$token" ]] || fail "no sign-in form at $CONSOLE/login"
grep -qE 'TRUE\s+[0-9]+\s+predastore_sign_in' "$jar" || fail "the console's cookie is not Secure under HTTPS"
console -o /dev/null --data-urlencode "access_key_id=$SMOKE_ACCESS_KEY" \
  --data-urlencode "secret=$SMOKE_SECRET_KEY" --data-urlencode "csrf=$token" "$CONSOLE/login" ||
  fail "sign-in refused"
console "$CONSOLE/buckets" >buckets.html || fail "the buckets page failed"
grep -q "data-bucket=\"$SMOKE_BUCKET\"" buckets.html || fail "the console does not list $SMOKE_BUCKET"

step "SIGTERM stops the HTTPS store"
kill -TERM "$PID"
wait "$PID" || fail "the HTTPS store exited with status $?"
trap - EXIT
echo "exited 0"
