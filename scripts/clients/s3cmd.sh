#!/usr/bin/env bash
# s3cmd session of scripts/client-smoke.sh (see lib.sh for its environment).
# The configuration is what `s3cmd --configure` asks a user of a store that
# is not AWS: credentials, region, host (path-style: host_bucket without
# %(bucket)s), no HTTPS; everything else default.
set -euo pipefail
# shellcheck source=scripts/clients/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

hostport="${SMOKE_EP#http://}"
cat >s3cfg <<CONF
[default]
access_key = $SMOKE_ACCESS_KEY
secret_key = $SMOKE_SECRET_KEY
bucket_location = $SMOKE_REGION
host_base = $hostport
host_bucket = $hostport
use_https = False
CONF
s3cmd() {
  command s3cmd -c "$PWD/s3cfg" "$@"
}
S3="s3://$SMOKE_BUCKET"

step "s3cmd --version"
s3cmd --version

step "s3cmd mb $S3"
s3cmd mb "$S3"
s3cmd ls | tee ls.out
grep -q " $S3\$" ls.out || fail "s3cmd ls does not list $S3"

step "s3cmd put: small file"
s3cmd put "$SMOKE_DATA/small.txt" "$S3/small.txt"

step "s3cmd put: 24 MiB file (multipart, 15 MiB chunks)"
s3cmd put "$SMOKE_DATA/big.bin" "$S3/big.bin"
expect_multipart big.bin 2

step "s3cmd ls $S3"
s3cmd ls "$S3" | tee ls.out
grep -q " $(stat -c %s "$SMOKE_DATA/small.txt") *$S3/small.txt\$" ls.out || fail "ls lacks small.txt with its size"
grep -q " $(stat -c %s "$SMOKE_DATA/big.bin") *$S3/big.bin\$" ls.out || fail "ls lacks big.bin with its size"

step "s3cmd get: both files down"
s3cmd get "$S3/small.txt" small.down
same_bytes "$SMOKE_DATA/small.txt" small.down
s3cmd get "$S3/big.bin" big.down
same_bytes "$SMOKE_DATA/big.bin" big.down
rm -f big.down

step "s3cmd sync: a directory tree up, again (nothing to do), and back down"
make_tree tree
s3cmd sync tree/ "$S3/tree/" | tee sync1.out
count="$(s3_count tree/)"
[[ "$count" == "$(tree_files tree)" ]] || fail "tree/ has $count objects, want $(tree_files tree)"
s3cmd sync tree/ "$S3/tree/" | tee sync2.out
if grep -E "^(upload|remote copy|delete):" sync2.out; then
  fail "the second sync moved something"
fi
echo "second sync: nothing to do"
mkdir tree-down
s3cmd sync "$S3/tree/" tree-down/
same_tree tree tree-down
same_mtimes tree tree-down

step "s3cmd signurl (+1 hour) + curl"
url="$(s3cmd signurl "$S3/small.txt" +3600)"
fetch_url "$url" "$SMOKE_DATA/small.txt"

step "s3cmd del, del --recursive --force, rb"
s3cmd del "$S3/small.txt"
# A listing that fails, or lists nothing, would also lack small.txt: it must
# succeed and still name what is left.
s3cmd ls "$S3" >ls-after-del.out || fail "s3cmd ls after del failed"
grep -q " $S3/big.bin\$" ls-after-del.out || fail "s3cmd ls after del lacks big.bin: $(cat ls-after-del.out)"
if grep -q " $S3/small.txt\$" ls-after-del.out; then
  fail "small.txt still listed after del"
fi
s3cmd del --recursive --force "$S3/"
count="$(s3_count "")"
[[ "$count" == 0 ]] || fail "bucket still has $count objects"
s3cmd rb "$S3"
bucket_gone
