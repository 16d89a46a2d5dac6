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
# A listing that fails, or lists nothing, would also lack small.txt: it must
# succeed and still name what is left.
rclone lsf "$R" >lsf.out || fail "rclone lsf after deletefile failed"
grep -qx big.bin lsf.out || fail "rclone lsf after deletefile lacks big.bin: $(cat lsf.out)"
if grep -qx small.txt lsf.out; then
  fail "small.txt still listed after deletefile"
fi
rclone purge "$R"
bucket_gone

# --- versions ------------------------------------------------------------------
# rclone shows a bucket's old versions with --s3-versions (rclone 1.59 and
# later), named after the object and the version's LastModified:
# name-vYYYY-MM-DD-HHMMSS-mmm.ext.

VB="$SMOKE_BUCKET-ver"
RV="smoke:$VB"
have="$(rclone version | sed -n '1s/^rclone v\([0-9][0-9.]*\).*/\1/p')"
if ! printf '1.59\n%s\n' "$have" | sort -V -C; then
  step "SKIPPED versions: rclone ${have:-?} is older than 1.59 and lacks --s3-versions (the steps above passed)"
  echo "SKIPPED: rclone ${have:-?} lacks --s3-versions; the versions steps did not run" >&2
  # Not a pass: the session ends with a failure that names the skip.
  exit 1
fi

step "rclone backend versioning $RV Enabled"
rclone mkdir "$RV"
state="$(rclone backend versioning "$RV" Enabled)"
[[ "$state" == Enabled ]] || fail "rclone backend versioning: $state, want Enabled"
state="$("$SMOKE_AWS" --endpoint-url "$SMOKE_EP" s3api get-bucket-versioning --bucket "$VB" --query Status --output text)"
[[ "$state" == Enabled ]] || fail "get-bucket-versioning: $state, want Enabled"
echo "versioning: $state"

step "rclone copyto a file, then overwrite it with another"
printf 'the old version of notes.txt\n' >old.txt
head -c 50000 /dev/urandom >new.txt
rclone copyto old.txt "$RV/notes.txt"
rclone copyto new.txt "$RV/notes.txt"
rclone ls "$RV" | tee ls.out
[[ "$(cat ls.out)" =~ ^\ *50000\ notes.txt$ ]] || fail "rclone ls: want only notes.txt of 50000 bytes"
rclone cat "$RV/notes.txt" >current.down
cmp new.txt current.down || fail "rclone cat notes.txt is not the second upload"

step "rclone ls --s3-versions shows the old version"
rclone ls --s3-versions "$RV" | tee lsv.out
old_size="$(stat -c %s old.txt)"
old_name="$(sed -n "s/^ *$old_size \(notes-v[0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}-[0-9]\{6\}-[0-9]\{3\}\.txt\)\$/\1/p" lsv.out)"
[[ -n "$old_name" && "$(wc -l <lsv.out)" == 2 ]] ||
  fail "rclone ls --s3-versions: want notes.txt and one notes-vYYYY-MM-DD-HHMMSS-mmm.txt of $old_size bytes"
grep -q '^ *50000 notes.txt$' lsv.out || fail "rclone ls --s3-versions lacks the current notes.txt"
echo "old version: $old_name"

step "rclone cat and copy --s3-versions $old_name: the old bytes"
rclone cat --s3-versions "$RV/$old_name" >old-cat.down
cmp old.txt old-cat.down || fail "rclone cat --s3-versions $old_name is not the first upload"
rclone copy --s3-versions "$RV/$old_name" old-copy
cmp old.txt "old-copy/$old_name" || fail "rclone copy --s3-versions $old_name is not the first upload"
echo "$old_name: $old_size bytes, same as the first upload"

step "rclone deletefile, backend cleanup-hidden, rmdir: no version left, bucket gone"
rclone deletefile "$RV/notes.txt"
rclone lsf "$RV" >lsf.out
[[ ! -s lsf.out ]] || fail "notes.txt still listed after deletefile: $(cat lsf.out)"
rclone backend cleanup-hidden "$RV"
# shellcheck disable=SC2016
left="$("$SMOKE_AWS" --endpoint-url "$SMOKE_EP" s3api list-object-versions --bucket "$VB" \
  --query '[length(Versions || `[]`), length(DeleteMarkers || `[]`)]' --output text | tr '\t' ' ')"
[[ "$left" == "0 0" ]] || fail "after cleanup-hidden: $left versions/markers, want 0 0"
rclone rmdir "$RV"
SMOKE_BUCKET="$VB" bucket_gone
