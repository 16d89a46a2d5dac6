#!/usr/bin/env bash
# Runs the versioning, object lock and conditional-write tests (or the
# lifecycle or access sets, below) of the public conformance suite
# ceph/s3-tests against a freshly started predastore, and reports how many
# pass. A report, not a gate: failing tests exit 0.
#
# Usage: S3TESTS_DIR=/path/to/s3-tests scripts/s3-tests.sh [path-to-predastore-binary] [pytest args...]
#   (binary default: target/release/predastore, built by `cargo build --release`;
#   extra arguments go to pytest after the script's own, e.g. -x or --tb=long)
#
#   S3TESTS_DIR   (required) a checkout of https://github.com/ceph/s3-tests
#                 (the directory holding requirements.txt and s3tests/).
#                 Nothing of it is copied into this repository; pytest runs
#                 from there (no cache or bytecode is written into it).
#
# What it does:
#   1. a virtualenv in target/s3-tests-venv with the suite's requirements.txt,
#      boto3/botocore pinned as in scripts/client-smoke.sh, and pytest-timeout
#      (reinstalled only when those change);
#   2. starts the store on 127.0.0.1 at free ports with a temporary data
#      directory and an admin token, waits for /health/ready, and makes one
#      user and key per section of the suite's configuration with
#      `predastore admin key create` (main, alt, tenant, iam, iam root, iam
#      alt root: scripts/s3-tests/s3tests.conf.in);
#   3. runs pytest on s3tests/functional/test_s3.py with the selection below;
#   4. prints pytest's summary, the failure reasons grouped by count, and last
#        s3-tests: N passed, M failed, K errors of T run
#      and writes each failing test with the first line of its reason to
#      target/s3-tests-failures.txt (pytest's JUnit XML: target/s3-tests-junit.xml,
#      the store's log: target/s3-tests-store.log).
#
# Selection. ceph/s3-tests declares `versioning` and `object_lock` marks in
# pytest.ini but puts them on no test of test_s3.py, so those two are chosen
# by name; conditional writes by their mark `conditional_write` plus the
# PUT If-Match/If-None-Match tests (test_put_object_ifmatch_*/ifnonmatch_*),
# which carry no mark. pytest's -k also matches mark names:
#   -m "not fails_on_aws"
#   -k "(versioning or versioned or object_lock or delete_marker
#        or conditional_write or put_object_ifmatch or put_object_ifnonmatch)
#       and not bucket_logging and not lifecycle"
# (bucket logging and lifecycle tests that use versioned buckets test those
# features, not versioning). At ceph/s3-tests 8f0ae7b (May 2026) that is 80
# tests: 30 versioning (test_versioning_*, test_versioned_*, copies of
# versioned objects, listing), 39 test_object_lock_*, 3 test_delete_marker_*,
# 8 conditional writes. fails_on_rgw / fails_on_dbstore are not excluded.
#
# Lifecycle. S3TESTS_SET=lifecycle selects instead the tests marked
# `lifecycle` and not `fails_on_aws` (23 at 8f0ae7b: configuration, expiry
# headers, one expiration run). Those that wait for expirations count days as
# `lc_debug_interval` seconds (RGW's test setting), and need the store's day
# as short: S3TESTS_LC_DAY_SECS=10 starts the store with
# PREDASTORE_LIFECYCLE_DAY_SECS=10 and writes lc_debug_interval = 10. The
# expiry-header tests check real days (a date about a day ahead), so they pass
# only with the default day: run the set once with and once without it.
#
# Access. S3TESTS_SET=access selects bucket policies, Object Ownership,
# Block Public Access and browser form uploads (PostObject):
#   -m "not fails_on_aws and not encryption"
#   -k "bucket_policy or object_ownership or post_object or block_public
#       or policy_status"
# (-k matches the `bucket_policy` and `object_ownership` marks and the test
# names). At 8f0ae7b that is 82 tests: 26 marked bucket_policy (policies,
# conditions on tags, ACL headers, copy sources, tenants), 7 marked
# object_ownership, 36 test_post_object_*, 6 *_bucket_policy_status, 5
# test_block_public_*, test_bucket_policy_allow_notprincipal and
# test_get_public_block_deny_bucket_policy. Those marked `encryption` (7:
# SSE-C, SSE-KMS and SSE-S3 conditions and form fields) are left out: the
# store has no server-side encryption and refuses its headers, so they
# would count that, not access. test_create_bucket_no_ownership_controls is
# `fails_on_aws` (AWS defaults to BucketOwnerEnforced) and left out too,
# though the store's default (no ownership controls) is what it checks.
#
# Encryption. S3TESTS_SET=encryption selects the server-side encryption
# tests: -m "(encryption or sse_s3 or bucket_encryption) and not
# fails_on_aws" (SSE-C, SSE-S3, SSE-KMS, bucket default encryption, copies
# between modes, SSE in form uploads and policy conditions: 111 at 8f0ae7b,
# 45 of them the parametrized copies). Every set's store holds master keys
# under the ids the suite names (testkey-1, testkey-2) and takes SSE-C over
# plain HTTP (PREDASTORE_SSE_C_ALLOW_HTTP, a test-only setting).
#
# Identity. S3TESTS_SET=iam runs s3tests/functional/test_iam.py and
# test_sts.py instead of test_s3.py: -m "not fails_on_aws and not
# webidentity_test and not iam_tenant" (accounts, IAM users, groups,
# user/group/role policies, managed policies, cross-account access,
# AssumeRole, GetSessionToken, GetCallerIdentity). The `[iam root]` and
# `[iam alt root]` sections are account roots the admin CLI makes (every
# user it makes is one). Left out: `webidentity_test` (an OpenID provider,
# Keycloak, is not part of the run) and `iam_tenant` (RGW's tenant-less
# user policies, where [iam] edits another user's policies by its RGW uid:
# this store's users are accounts, each administering its own).
#
# Environment:
#   S3TESTS_SET           `versioning` (default: the selection above),
#                         `lifecycle`, `access`, `encryption` or `iam`
#   S3TESTS_LC_DAY_SECS   length of the store's lifecycle day in seconds
#                         (default: a real day; the suite's lc_debug_interval
#                         is then 10, unused by the tests that pass)
#   S3TESTS_K             replaces the -k expression (e.g. one test's name)
#   S3TESTS_M             replaces the -m expression
#   S3TESTS_VENV          virtualenv directory (default target/s3-tests-venv)
#   S3TESTS_TIMEOUT       seconds the whole pytest run may take (default 1800)
#   S3TESTS_TEST_TIMEOUT  seconds one test may take (default 300; the suite
#                         itself waits up to 60 s for object locks to expire)
#   PREDASTORE_LOG        passed on to the store (e.g. predastore=debug)
#
# Exit status: 0 when the suite ran (whatever its results); 1 when setting
# up failed (no S3TESTS_DIR, pip, the store would not start, a key could not
# be made, pytest could not collect) or the store died during the run; 3 when
# the run was cut off by S3TESTS_TIMEOUT (the counts printed are partial).
set -euo pipefail

BOTO3_VERSION=1.44.5
BOTOCORE_VERSION=1.44.5
S3TRANSFER_VERSION=0.19.3
PYTEST_TIMEOUT_VERSION=2.4.0

TEST_FILES=(s3tests/functional/test_s3.py)
DEFAULT_M="not fails_on_aws"
DEFAULT_K="(versioning or versioned or object_lock or delete_marker or conditional_write or put_object_ifmatch or put_object_ifnonmatch) and not bucket_logging and not lifecycle"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HERE="$ROOT/scripts/s3-tests"
BIN="${1:-$ROOT/target/release/predastore}"
if (($# > 0)); then shift; fi
case "$BIN" in
  /*) ;;
  *) BIN="$PWD/$BIN" ;;
esac
VENV="${S3TESTS_VENV:-$ROOT/target/s3-tests-venv}"
case "$VENV" in
  /*) ;;
  *) VENV="$PWD/$VENV" ;;
esac
RUN_TIMEOUT="${S3TESTS_TIMEOUT:-1800}"
TEST_TIMEOUT="${S3TESTS_TEST_TIMEOUT:-300}"
case "${S3TESTS_SET:-versioning}" in
  versioning) ;;
  lifecycle)
    DEFAULT_M="lifecycle and not fails_on_aws"
    DEFAULT_K=""
    ;;
  access)
    DEFAULT_M="not fails_on_aws and not encryption"
    DEFAULT_K="bucket_policy or object_ownership or post_object or block_public or policy_status"
    ;;
  encryption)
    DEFAULT_M="(encryption or sse_s3 or bucket_encryption) and not fails_on_aws"
    DEFAULT_K=""
    ;;
  iam)
    DEFAULT_M="not fails_on_aws and not webidentity_test and not iam_tenant"
    DEFAULT_K=""
    TEST_FILES=(s3tests/functional/test_iam.py s3tests/functional/test_sts.py)
    ;;
  *) echo "s3-tests: S3TESTS_SET must be versioning, lifecycle, access, encryption or iam" >&2 && exit 1 ;;
esac
SELECT_M="${S3TESTS_M:-$DEFAULT_M}"
SELECT_K="${S3TESTS_K:-$DEFAULT_K}"
LC_DAY_SECS="${S3TESTS_LC_DAY_SECS:-}"
export S3T_LC_DEBUG_INTERVAL="${LC_DAY_SECS:-10}"
STORE_LC_ENV=()
if [[ -n "$LC_DAY_SECS" ]]; then
  STORE_LC_ENV=(PREDASTORE_LIFECYCLE_DAY_SECS="$LC_DAY_SECS")
fi
OUT="$ROOT/target"
FAILURES="$OUT/s3-tests-failures.txt"
JUNIT="$OUT/s3-tests-junit.xml"
STORE_LOG="$OUT/s3-tests-store.log"

fail() {
  echo "s3-tests: setup failed: $*" >&2
  exit 1
}

if [[ -z "${S3TESTS_DIR:-}" ]]; then
  fail "S3TESTS_DIR is not set: point it at a checkout of ceph/s3-tests
  (the directory with requirements.txt and s3tests/functional/test_s3.py)"
fi
dir="$(cd "$S3TESTS_DIR" 2>/dev/null && pwd)" ||
  fail "S3TESTS_DIR=$S3TESTS_DIR is not a directory"
S3TESTS_DIR="$dir"
for f in requirements.txt pytest.ini s3tests/functional/test_s3.py; do
  [[ -f "$S3TESTS_DIR/$f" ]] ||
    fail "S3TESTS_DIR=$S3TESTS_DIR has no $f: not a checkout of ceph/s3-tests"
done
[[ -x "$BIN" ]] || fail "no predastore binary at $BIN (cargo build --release?)"
command -v python3 >/dev/null || fail "python3 is missing"
mkdir -p "$OUT"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/predastore-s3-tests.XXXXXX")"
STORE_PID=""

# shellcheck disable=SC2317 # called from the EXIT trap
stop_store() {
  local waited=0
  kill -TERM "$STORE_PID" 2>/dev/null || true
  while kill -0 "$STORE_PID" 2>/dev/null; do
    if ((waited >= 100)); then
      echo "store did not stop within 10 s of SIGTERM; sending SIGKILL" >&2
      kill -KILL "$STORE_PID" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  wait "$STORE_PID" 2>/dev/null || true
  STORE_PID=""
}

# shellcheck disable=SC2317 # the EXIT trap
cleanup() {
  local rc=$?
  trap - EXIT
  [[ -n "$STORE_PID" ]] && stop_store
  if [[ -f "$WORK/store.log" ]]; then
    cp "$WORK/store.log" "$STORE_LOG" || true
    if ((rc == 1)); then
      echo "--- last lines of the store's log ($STORE_LOG) ---" >&2
      tail -n 30 "$WORK/store.log" >&2 || true
    fi
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the suite's Python dependencies -----------------------------------------

PINS=("boto3==$BOTO3_VERSION" "botocore==$BOTOCORE_VERSION"
  "s3transfer==$S3TRANSFER_VERSION" "pytest-timeout==$PYTEST_TIMEOUT_VERSION")
echo "== virtualenv $VENV"
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV" || fail "python3 -m venv $VENV"
fi
PY="$VENV/bin/python"
stamp="$({ cat "$S3TESTS_DIR/requirements.txt"; printf '%s\n' "${PINS[@]}"; } | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$VENV/s3-tests.stamp" 2>/dev/null || true)" != "$stamp" ]]; then
  rm -f "$VENV/s3-tests.stamp"
  pip=("$PY" -m pip install --quiet --disable-pip-version-check)
  if ! "${pip[@]}" -r "$S3TESTS_DIR/requirements.txt" "${PINS[@]}"; then
    # Something listed is not installable here: take what is, one by one.
    echo "pip could not install all of requirements.txt; installing what it can" >&2
    "${pip[@]}" "${PINS[@]}" pytest || fail "pip install ${PINS[*]} pytest"
    while read -r req; do
      req="${req%%#*}"
      req="$(echo "$req" | xargs)"
      [[ -z "$req" ]] && continue
      "${pip[@]}" "$req" || echo "  skipped $req (not installable)" >&2
    done <"$S3TESTS_DIR/requirements.txt"
  fi
  echo "$stamp" >"$VENV/s3-tests.stamp"
fi
"$PY" -c 'import boto3, botocore, pytest, pytest_timeout, munch' ||
  fail "the virtualenv lacks boto3, pytest, pytest-timeout or munch"
"$PY" -c 'import boto3, pytest; print("boto3", boto3.__version__, "pytest", pytest.__version__)'
if git -C "$S3TESTS_DIR" rev-parse --short HEAD >/dev/null 2>&1; then
  echo "ceph/s3-tests at $(git -C "$S3TESTS_DIR" rev-parse --short HEAD)"
fi

# --- the store --------------------------------------------------------------

# shellcheck source=lib/local-store.sh
source "$ROOT/scripts/lib/local-store.sh"

HTTP_PORT="$(free_port tcp)"
QUIC_PORT="$(free_port udp)"
ENDPOINT="http://127.0.0.1:$HTTP_PORT"
ADMIN_TOKEN="$("$PY" -c 'import secrets; print(secrets.token_hex(16))')"
# The KMS key ids the suite names (its defaults for kms_keyid and
# kms_keyid2), each a fresh random master key; SSE-C is taken over plain
# HTTP (the suite's is_secure = False), a setting for tests only.
KMS_KEYS="$("$PY" -c 'import base64, secrets; print(",".join(f"testkey-{i}:" + base64.b64encode(secrets.token_bytes(32)).decode() for i in (1, 2)))')"
echo "== start $BIN on $ENDPOINT (QUIC 127.0.0.1:$QUIC_PORT)"
mkdir -p "$WORK/data"
# The configured key only administers; the suite's users are made below.
PREDASTORE_ROLE=all \
  PREDASTORE_DATA_DIR="$WORK/data" \
  PREDASTORE_LISTEN="127.0.0.1:$HTTP_PORT" \
  PREDASTORE_QUIC_LISTEN="127.0.0.1:$QUIC_PORT" \
  PREDASTORE_CONSOLE_LISTEN=off \
  PREDASTORE_ADMIN_TOKEN="$ADMIN_TOKEN" \
  PREDASTORE_KMS_KEYS="$KMS_KEYS" \
  PREDASTORE_SSE_C_ALLOW_HTTP=true \
  PREDASTORE_ACCESS_KEY="s3tests-admin" \
  PREDASTORE_SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_hex(20))')" \
  NO_COLOR=1 \
  env "${STORE_LC_ENV[@]}" "$BIN" >"$WORK/store.log" 2>&1 &
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

# make_user PREFIX DISPLAY_NAME EMAIL: a new user with a key; exports
# PREFIX_NAME, PREFIX_EMAIL, PREFIX_ACCESS_KEY, PREFIX_SECRET_KEY, PREFIX_USER_ID.
make_user() {
  local prefix=$1 name=$2 email=$3 json line secret="${1}_SECRET_KEY"
  json="$(PREDASTORE_ADMIN_URL="$ENDPOINT" PREDASTORE_ADMIN_TOKEN="$ADMIN_TOKEN" \
    "$BIN" admin key create --name "$name" --email "$email" --json)" ||
    fail "predastore admin key create --name $name"
  export "${prefix}_NAME=$name" "${prefix}_EMAIL=$email"
  while IFS= read -r line; do
    export "${line?}"
  done < <("$PY" "$HERE/helper.py" key "$prefix" <<<"$json")
  [[ -n "${!secret:-}" ]] || fail "predastore admin key create --name $name: no key in its answer"
}
echo "== users"
make_user S3T_MAIN "s3tests-main" "main@s3tests.example.com"
make_user S3T_ALT "s3tests-alt" "alt@s3tests.example.com"
make_user S3T_TENANT "s3tests-tenant" "tenant@s3tests.example.com"
make_user S3T_IAM "s3tests-iam" "iam@s3tests.example.com"
make_user S3T_IAMROOT "s3tests-iam-root" "iam-root@s3tests.example.com"
make_user S3T_IAMALTROOT "s3tests-iam-alt-root" "iam-alt-root@s3tests.example.com"
echo "main $S3T_MAIN_ACCESS_KEY, alt $S3T_ALT_ACCESS_KEY, tenant $S3T_TENANT_ACCESS_KEY (+3 for the iam sections)"
export S3T_HOST=127.0.0.1 S3T_PORT="$HTTP_PORT"
"$PY" "$HERE/helper.py" render "$HERE/s3tests.conf.in" "$WORK/s3tests.conf" ||
  fail "rendering $HERE/s3tests.conf.in"

# --- the suite ----------------------------------------------------------------

echo "== pytest ${TEST_FILES[*]} -m \"$SELECT_M\" -k \"$SELECT_K\""
rm -f "$JUNIT" "$FAILURES"
# Only the suite's own settings reach boto3.
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL
: >"$WORK/aws-empty"
rc=0
(
  cd "$S3TESTS_DIR"
  S3TEST_CONF="$WORK/s3tests.conf" \
    AWS_DEFAULT_REGION=us-east-1 \
    AWS_CONFIG_FILE="$WORK/aws-empty" \
    AWS_SHARED_CREDENTIALS_FILE="$WORK/aws-empty" \
    AWS_EC2_METADATA_DISABLED=true \
    PYTHONDONTWRITEBYTECODE=1 \
    COLUMNS="${COLUMNS:-160}" \
    exec timeout -s INT -k 60 "$RUN_TIMEOUT" \
    "$PY" -m pytest -p no:cacheprovider "${TEST_FILES[@]}" \
    -m "$SELECT_M" -k "$SELECT_K" \
    --timeout "$TEST_TIMEOUT" --junitxml "$JUNIT" --tb=short -rfE "$@"
) || rc=$?

status=0
case "$rc" in
  0 | 1) ;;
  124 | 137)
    echo "s3-tests: the run was cut off after ${RUN_TIMEOUT}s (S3TESTS_TIMEOUT); counts are partial" >&2
    status=3
    ;;
  *) fail "pytest exited with status $rc (5: no test selected)" ;;
esac
[[ -s "$JUNIT" ]] || fail "pytest wrote no $JUNIT"
if ! kill -0 "$STORE_PID" 2>/dev/null; then
  echo "s3-tests: the store died during the run (its log: $STORE_LOG)" >&2
  tail -n 30 "$WORK/store.log" >&2 || true
  STORE_PID=""
  status=1
fi
"$PY" "$HERE/helper.py" report "$JUNIT" "$FAILURES" || fail "reading $JUNIT"
exit "$status"
