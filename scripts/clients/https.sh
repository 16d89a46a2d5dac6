#!/usr/bin/env bash
# HTTPS session of scripts/client-smoke.sh (see lib.sh for its environment):
# a second store of the same binary (SMOKE_BIN) serving HTTPS with a
# certificate from `predastore tls init --https-host`; the AWS CLI copies a
# 100 MiB file up with --no-verify-ssl and down trusting the CA
# (--ca-bundle), byte-identical; curl fetches a presigned URL trusting the
# CA; the web console serves HTTPS with the same certificate and lists the
# bucket (its own calls to the S3 listener go over TLS); the store stops
# cleanly.
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
