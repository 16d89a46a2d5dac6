#!/usr/bin/env bash
# rclone session of scripts/client-smoke.sh (see lib.sh for its environment).
# The remote is what `rclone config` makes for an S3 store that is not AWS
# ("Other" provider): endpoint, credentials, region; everything else default.
set -euo pipefail
# shellcheck source=scripts/clients/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cat >rclone.conf <<CONF
[smoke]
type = s3
provider = Other
access_key_id = $SMOKE_ACCESS_KEY
secret_access_key = $SMOKE_SECRET_KEY
endpoint = $SMOKE_EP
region = $SMOKE_REGION
CONF
rclone() {
  # rclone 1.60 refuses to start with AWS_CA_BUNDLE set (and this is http).
  env -u AWS_CA_BUNDLE rclone --config "$PWD/rclone.conf" "$@"
}
R="smoke:$SMOKE_BUCKET"

step "rclone version"
rclone version

step "rclone mkdir $R"
rclone mkdir "$R"
rclone lsd smoke: | tee lsd.out
grep -q " $SMOKE_BUCKET\$" lsd.out || fail "rclone lsd does not list $SMOKE_BUCKET"

step "rclone copyto: small file up"
rclone copyto "$SMOKE_DATA/small.txt" "$R/small.txt"

step "rclone rcat: 24 MiB stream up (multipart, 5 MiB chunks)"
rclone rcat "$R/big.bin" <"$SMOKE_DATA/big.bin"
expect_multipart big.bin 5

step "rclone copyto: 210 MiB file up (above upload_cutoff 200 MiB: multipart, 5 MiB chunks)"
head -c $((210 * 1024 * 1024)) /dev/urandom >big210.bin
rclone copyto big210.bin "$R/big210.bin"
expect_multipart big210.bin 42

step "rclone lsl"
rclone lsl "$R" | tee lsl.out
for f in "$SMOKE_DATA/small.txt" "$SMOKE_DATA/big.bin" big210.bin; do
  grep -q "^ *$(stat -c %s "$f") .* ${f##*/}\$" lsl.out || fail "lsl lacks ${f##*/} with its size"
done

step "rclone copyto: the three files down"
rclone copyto "$R/small.txt" small.down
same_bytes "$SMOKE_DATA/small.txt" small.down
rclone copyto "$R/big.bin" big.down
same_bytes "$SMOKE_DATA/big.bin" big.down
rclone copyto "$R/big210.bin" big210.down
same_bytes big210.bin big210.down
rm -f big.down big210.bin big210.down

step "rclone sync: a directory tree up, again (nothing to do), check, and back down"
make_tree tree
rclone sync -v tree "$R/tree" 2>sync1.log || { cat sync1.log; fail "first sync failed"; }
count="$(s3_count tree/)"
[[ "$count" == "$(tree_files tree)" ]] || { cat sync1.log; fail "tree/ has $count objects, want $(tree_files tree)"; }
rclone sync -v tree "$R/tree" 2>sync2.log || { cat sync2.log; fail "second sync failed"; }
if grep -E ': (Copied|Updated|Deleted)' sync2.log; then
  fail "the second sync moved something"
fi
echo "second sync: nothing to do"
rclone check tree "$R/tree"
rclone sync "$R/tree" tree-down
same_tree tree tree-down
same_mtimes tree tree-down

step "rclone link (default expiry) + curl"
url="$(rclone link "$R/small.txt")"
fetch_url "$url" "$SMOKE_DATA/small.txt"

step "rclone deletefile, rclone purge"
rclone deletefile "$R/small.txt"
if rclone lsf "$R" | grep -qx small.txt; then
  fail "small.txt still listed after deletefile"
fi
rclone purge "$R"
bucket_gone
