# shellcheck shell=bash
# Shared by the client sessions of scripts/client-smoke.sh. Each session
# (scripts/clients/NAME.sh) runs as its own process, in its own directory
# under the smoke's work directory, and sources this file first. The smoke
# exports what a session needs:
#   SMOKE_EP          the S3 endpoint (http://127.0.0.1:PORT)
#   SMOKE_ACCESS_KEY, SMOKE_SECRET_KEY, SMOKE_REGION
#   SMOKE_BUCKET      this session's own bucket (it creates it)
#   SMOKE_CLIENT      the session's name (rclone, s3cmd, ...)
#   SMOKE_STEP_FILE   the session writes the step it is at there; the smoke
#                     reports it when the session fails
#   SMOKE_DATA        a directory of shared inputs: big.bin (24 MiB, above
#                     the multipart threshold of every client but the AWS
#                     CLI's, which uploads its own 80 MiB file), small.txt
#   SMOKE_AWS         the AWS CLI (helpers use it to look behind a client:
#                     an object's ETag, a bucket's removal)
#   SMOKE_CLIENTS_DIR this directory
#   SMOKE_BIN         the store binary (the HTTPS session starts its own store)
#   SMOKE_SKIP_AUTH_CHECK=1  skip the wrong-signature checks

STEP=0
step() {
  STEP=$((STEP + 1))
  printf '\n[%s %02d] %s\n' "$SMOKE_CLIENT" "$STEP" "$*"
  printf '%s\n' "$*" >"$SMOKE_STEP_FILE"
}
fail() {
  echo "FAIL ($SMOKE_CLIENT): $*" >&2
  exit 1
}

# same_bytes WANT GOT: the two files have the same bytes.
same_bytes() {
  local want got
  want="$(sha256sum <"$1" | cut -d' ' -f1)"
  got="$(sha256sum <"$2" | cut -d' ' -f1)"
  [[ "$want" == "$got" ]] || fail "$2: sha256 $got, want $want (that of $1)"
  echo "$2: $(stat -c %s "$2") bytes, sha256 ${got:0:16}… matches"
}

# same_tree WANT GOT: two directory trees hold the same files and bytes.
same_tree() {
  diff -r "$1" "$2" || fail "$2 differs from $1"
  (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum) >"$2.sums"
  (cd "$2" && sha256sum -c --quiet "../$(basename "$2").sums") || fail "$2: checksums differ"
  echo "$2: $(find "$2" -type f | wc -l) files, same bytes as $1"
}

# same_mtimes WANT GOT: the files of two trees have the same modification
# times (to the second): a client that keeps them in an object's user
# metadata got that metadata back.
same_mtimes() {
  local a b
  a="$(cd "$1" && find . -type f -printf '%p %Ts\n' | sort)"
  b="$(cd "$2" && find . -type f -printf '%p %Ts\n' | sort)"
  [[ "$a" == "$b" ]] || {
    diff <(echo "$a") <(echo "$b") >&2 || true
    fail "$2: modification times differ from those of $1"
  }
  echo "$2: modification times kept"
}

# make_tree DIR: a small directory tree with awkward names and an empty
# file, every mtime in the past. S3's LastModified has whole-second
# precision, so a file written in the second of its upload would look newer
# than its object and a second sync would upload it again.
make_tree() {
  local d=$1
  mkdir -p "$d/a/b/c" "$d/dir with spaces" "$d/empty-sibling/x"
  printf 'top\n' >"$d/top.txt"
  printf 'deep\n' >"$d/a/b/c/deep.txt"
  head -c 300000 /dev/urandom >"$d/a/random.bin"
  printf 'spaces\n' >"$d/dir with spaces/file with spaces.txt"
  printf 'plus\n' >"$d/a/plus+and=equals.txt"
  printf 'unicode\n' >"$d/a/b/ünïcödé.txt"
  : >"$d/empty-sibling/x/zero-bytes"
  find "$d" -exec touch -d '2024-01-02 03:04:05' {} +
}

# tree_files DIR: how many files DIR holds.
tree_files() {
  find "$1" -type f | wc -l
}

# s3_etag KEY: the ETag of KEY in this session's bucket, as the AWS CLI sees it.
s3_etag() {
  "$SMOKE_AWS" --endpoint-url "$SMOKE_EP" s3api head-object --bucket "$SMOKE_BUCKET" \
    --key "$1" --query ETag --output text
}

# expect_multipart KEY PARTS: KEY was stored by a multipart upload of PARTS
# parts (its ETag ends in -PARTS).
expect_multipart() {
  local etag
  etag="$(s3_etag "$1")" || fail "head-object $1 failed"
  [[ "$etag" == *"-$2\"" ]] || fail "$1: ETag $etag is not that of a $2-part multipart upload"
  echo "$1: ETag $etag ($2-part multipart upload)"
}

# s3_count PREFIX: how many keys under PREFIX this session's bucket holds.
s3_count() {
  # shellcheck disable=SC2016
  "$SMOKE_AWS" --endpoint-url "$SMOKE_EP" s3api list-objects-v2 --bucket "$SMOKE_BUCKET" \
    --prefix "$1" --query 'length(Contents || `[]`)' --output text
}

# fetch_url URL WANT: GET URL with curl; the body must be WANT's bytes.
fetch_url() {
  "$SMOKE_CLIENTS_DIR/fetch-url.sh" "$1" "$2" || fail "presigned GET failed"
}

# bucket_gone: this session's bucket no longer exists. Listing it must fail
# with NoSuchBucket (any other failure, such as a 403 or a refused
# connection, says nothing about the bucket), and the list of buckets, which
# must itself succeed, must not name it.
bucket_gone() {
  local err names
  if err="$("$SMOKE_AWS" --endpoint-url "$SMOKE_EP" s3api list-objects-v2 \
    --bucket "$SMOKE_BUCKET" 2>&1 >/dev/null)"; then
    fail "bucket $SMOKE_BUCKET still exists (list-objects-v2 succeeded)"
  fi
  [[ "$err" == *"(NoSuchBucket)"* ]] ||
    fail "list-objects-v2 of $SMOKE_BUCKET did not answer NoSuchBucket: $err"
  names="$("$SMOKE_AWS" --endpoint-url "$SMOKE_EP" s3api list-buckets \
    --query 'Buckets[].Name' --output text)" || fail "list-buckets failed"
  if tr '\t' '\n' <<<"$names" | grep -qxF "$SMOKE_BUCKET"; then
    fail "list-buckets still names $SMOKE_BUCKET"
  fi
  echo "bucket $SMOKE_BUCKET is gone (NoSuchBucket; not in list-buckets)"
}
