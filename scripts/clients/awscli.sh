#!/usr/bin/env bash
# AWS CLI session of scripts/client-smoke.sh (see lib.sh for its environment;
# the smoke exports the AWS_* settings: credentials, region, path style).
set -euo pipefail
# shellcheck source=scripts/clients/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

aws() {
  "$SMOKE_AWS" --endpoint-url "$SMOKE_EP" "$@"
}
BUCKET="$SMOKE_BUCKET"
S3="s3://$BUCKET"
MiB=$((1024 * 1024))

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
aws s3 cp --no-progress "$SMOKE_DATA/small.txt" "$S3/small.txt"
aws s3 cp --no-progress "$S3/small.txt" small.down
same_bytes "$SMOKE_DATA/small.txt" small.down

step "aws s3 cp: 80 MiB random file up and down (multipart, 8 MiB parts)"
head -c $((80 * MiB)) /dev/urandom >big.bin
aws s3 cp --no-progress big.bin "$S3/big.bin"
read -r size etag < <(aws s3api head-object --bucket "$BUCKET" --key big.bin \
  --query '[ContentLength, ETag]' --output text)
[[ "$size" == $((80 * MiB)) ]] || fail "big.bin: ContentLength $size"
[[ "$etag" == *'-10"' ]] || fail "big.bin: ETag $etag is not that of a 10-part multipart upload"
echo "head-object: ContentLength $size, ETag $etag"
aws s3 cp --no-progress "$S3/big.bin" big.down
same_bytes big.bin big.down
rm -f big.down

step "aws s3 ls"
listing="$(aws s3 ls "$S3/")"
echo "$listing"
grep -q ' small.txt$' <<<"$listing" || fail "ls lacks small.txt"
grep -q " $((80 * MiB)) big.bin\$" <<<"$listing" || fail "ls lacks big.bin with its size"

step "aws s3 sync: a directory tree up, again (nothing to do), and back down"
make_tree tree
nfiles="$(tree_files tree)"
aws s3 sync --no-progress tree "$S3/tree"
count="$(s3_count tree/)"
[[ "$count" == "$nfiles" ]] || fail "tree/ has $count objects, want $nfiles"
again="$(aws s3 sync --no-progress tree "$S3/tree")"
[[ -z "$again" ]] || fail "a second sync up transferred again: $again"
echo "second sync: nothing to do"
aws s3 sync --no-progress "$S3/tree" tree-down
same_tree tree tree-down

step "aws s3 presign (default expiry) + curl"
url="$(aws s3 presign "$S3/small.txt")"
fetch_url "$url" "$SMOKE_DATA/small.txt"

step "aws s3api: tags on put, read back, kept or replaced by copy"
aws s3api put-object --bucket "$BUCKET" --key tagged.txt --body "$SMOKE_DATA/small.txt" \
  --tagging 'project=blue&owner=smoke' >/dev/null
tags="$(aws s3api get-object-tagging --bucket "$BUCKET" --key tagged.txt \
  --query 'TagSet[].[Key,Value]' --output text | sort | tr '\t\n' '=,')"
[[ "$tags" == "owner=smoke,project=blue," ]] || fail "get-object-tagging: $tags"
aws s3api copy-object --bucket "$BUCKET" --key tagged-copy.txt \
  --copy-source "$BUCKET/tagged.txt" >/dev/null
copied="$(aws s3api get-object-tagging --bucket "$BUCKET" --key tagged-copy.txt \
  --query 'length(TagSet)' --output text)"
[[ "$copied" == 2 ]] || fail "a copy kept $copied tags, want 2"
aws s3api copy-object --bucket "$BUCKET" --key tagged-copy.txt \
  --copy-source "$BUCKET/tagged.txt" --tagging-directive REPLACE --tagging 'stage=copy' >/dev/null
replaced="$(aws s3api get-object-tagging --bucket "$BUCKET" --key tagged-copy.txt \
  --query 'TagSet[].[Key,Value]' --output text | tr '\t' '=')"
[[ "$replaced" == "stage=copy" ]] || fail "copy with REPLACE: $replaced"
echo "tags: $tags copy: $copied replaced: $replaced"
aws s3 rm "$S3/tagged.txt"
aws s3 rm "$S3/tagged-copy.txt"

step "aws s3 rb on a non-empty bucket fails"
if aws s3 rb "$S3" 2>rb.err; then
  fail "rb of a non-empty bucket succeeded"
fi
grep -q BucketNotEmpty rb.err || fail "rb error is not BucketNotEmpty: $(cat rb.err)"
echo "refused: BucketNotEmpty"

step "aws s3 rm: a single object and --recursive"
aws s3 rm "$S3/small.txt"
if aws s3api get-object --bucket "$BUCKET" --key small.txt gone.down >/dev/null 2>get.err; then
  fail "small.txt still exists after rm"
fi
grep -q '(NoSuchKey)' get.err || fail "get-object after rm: $(cat get.err)"
aws s3 rm --recursive "$S3/tree"
count="$(s3_count tree/)"
[[ "$count" == 0 ]] || fail "tree/ still has $count objects after rm --recursive"
aws s3 rm "$S3/big.bin"
count="$(s3_count "")"
[[ "$count" == 0 ]] || fail "bucket still has $count objects"

step "aws s3 rb $S3"
aws s3 rb "$S3"
bucket_gone

# --- versioning ------------------------------------------------------------

# versions_left BUCKET: "VERSIONS MARKERS", how many of each BUCKET holds.
versions_left() {
  # shellcheck disable=SC2016
  aws s3api list-object-versions --bucket "$1" \
    --query '[length(Versions || `[]`), length(DeleteMarkers || `[]`)]' --output text | tr '\t' ' '
}

VB="$BUCKET-ver"
step "aws s3api put-bucket-versioning Status=Enabled on $VB"
aws s3api create-bucket --bucket "$VB" >/dev/null
aws s3api put-bucket-versioning --bucket "$VB" --versioning-configuration Status=Enabled
status="$(aws s3api get-bucket-versioning --bucket "$VB" --query Status --output text)"
[[ "$status" == Enabled ]] || fail "get-bucket-versioning: Status $status, want Enabled"
echo "versioning: $status"

step "put the same key twice: two versions, the newest IsLatest"
printf 'first version of the key\n' >v1.txt
head -c 70000 /dev/urandom >v2.bin
v1="$(aws s3api put-object --bucket "$VB" --key doc.txt --body v1.txt --query VersionId --output text)"
v2="$(aws s3api put-object --bucket "$VB" --key doc.txt --body v2.bin --query VersionId --output text)"
[[ -n "$v1" && "$v1" != None && -n "$v2" && "$v2" != None && "$v1" != "$v2" ]] ||
  fail "put-object version ids: '$v1' then '$v2'"
aws s3api list-object-versions --bucket "$VB" \
  --query 'Versions[].[Key, VersionId, IsLatest, Size]' --output text >versions.out
cat versions.out
want="$(printf 'doc.txt\t%s\tTrue\t%s\ndoc.txt\t%s\tFalse\t%s' "$v2" 70000 "$v1" "$(stat -c %s v1.txt)")"
[[ "$(cat versions.out)" == "$want" ]] || fail "list-object-versions: want (newest first)"$'\n'"$want"
[[ "$(versions_left "$VB")" == "2 0" ]] || fail "list-object-versions: $(versions_left "$VB") versions/markers, want 2 0"

step "get-object (latest) and get-object --version-id (first): byte-identical"
aws s3api get-object --bucket "$VB" --key doc.txt latest.down >/dev/null
cmp v2.bin latest.down || fail "get-object without a version id is not the second put"
got="$(aws s3api get-object --bucket "$VB" --key doc.txt --version-id "$v1" v1.down --query VersionId --output text)"
[[ "$got" == "$v1" ]] || fail "get-object --version-id $v1 answered VersionId $got"
cmp v1.txt v1.down || fail "get-object --version-id $v1 is not the first put"
echo "latest is $v2, $v1 is the first content"

step "copy-object from doc.txt?versionId=<first>"
aws s3api copy-object --bucket "$VB" --key copy.txt --copy-source "$VB/doc.txt?versionId=$v1" >/dev/null
aws s3api get-object --bucket "$VB" --key copy.txt copy.down >/dev/null
cmp v1.txt copy.down || fail "a copy of version $v1 is not the first content"
echo "copy.txt holds the first version's bytes"

step "delete-object without a version id: a delete marker; get-object then fails (404)"
read -r marker is_marker < <(aws s3api delete-object --bucket "$VB" --key doc.txt \
  --query '[VersionId, DeleteMarker]' --output text)
[[ "$is_marker" == True ]] || fail "delete-object: DeleteMarker $is_marker, want true"
echo "delete marker $marker"
if aws s3api get-object --bucket "$VB" --key doc.txt gone.down 2>get.err >/dev/null; then
  fail "get-object of a key under a delete marker succeeded"
fi
grep -q '(NoSuchKey)' get.err || fail "get-object under a delete marker: $(cat get.err)"
echo "get-object: $(tr -d '\n' <get.err)"
aws s3api get-object --bucket "$VB" --key doc.txt --version-id "$v2" v2.down >/dev/null
cmp v2.bin v2.down || fail "get-object --version-id $v2 under the marker is not the second put"
[[ "$(aws s3api list-object-versions --bucket "$VB" --prefix doc.txt \
  --query 'DeleteMarkers[?IsLatest].VersionId' --output text)" == "$marker" ]] ||
  fail "list-object-versions does not show the marker $marker as latest"
[[ "$(versions_left "$VB")" == "3 1" ]] || fail "after the marker: $(versions_left "$VB") versions/markers, want 3 1"

step "delete-object --version-id of each version and of the marker: nothing left"
for v in "$v1" "$v2" "$marker"; do
  deleted="$(aws s3api delete-object --bucket "$VB" --key doc.txt --version-id "$v" --query VersionId --output text)"
  [[ "$deleted" == "$v" ]] || fail "delete-object --version-id $v answered VersionId $deleted"
done
cv="$(aws s3api list-object-versions --bucket "$VB" --prefix copy.txt --query 'Versions[0].VersionId' --output text)"
aws s3api delete-object --bucket "$VB" --key copy.txt --version-id "$cv" >/dev/null
[[ "$(versions_left "$VB")" == "0 0" ]] || fail "after deleting every version: $(versions_left "$VB") versions/markers, want 0 0"
echo "list-object-versions: empty"
aws s3api delete-bucket --bucket "$VB"
SMOKE_BUCKET="$VB" bucket_gone

# --- object lock -------------------------------------------------------------

LB="$BUCKET-lock"
step "create-bucket --object-lock-enabled-for-bucket $LB, default retention GOVERNANCE 1 day"
aws s3api create-bucket --bucket "$LB" --object-lock-enabled-for-bucket >/dev/null
status="$(aws s3api get-bucket-versioning --bucket "$LB" --query Status --output text)"
[[ "$status" == Enabled ]] || fail "a bucket with object lock: versioning $status, want Enabled"
aws s3api put-object-lock-configuration --bucket "$LB" --object-lock-configuration \
  '{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"GOVERNANCE","Days":1}}}'
conf="$(aws s3api get-object-lock-configuration --bucket "$LB" --query \
  'ObjectLockConfiguration.[ObjectLockEnabled, Rule.DefaultRetention.Mode, Rule.DefaultRetention.Days]' \
  --output text | tr '\t' ' ')"
[[ "$conf" == "Enabled GOVERNANCE 1" ]] || fail "get-object-lock-configuration: $conf"
echo "object lock configuration: $conf"

step "put-object: head-object shows ObjectLockMode GOVERNANCE, retained for a day"
lv="$(aws s3api put-object --bucket "$LB" --key locked.txt --body v1.txt --query VersionId --output text)"
read -r mode until < <(aws s3api head-object --bucket "$LB" --key locked.txt \
  --query '[ObjectLockMode, ObjectLockRetainUntilDate]' --output text)
[[ "$mode" == GOVERNANCE ]] || fail "head-object: ObjectLockMode $mode, want GOVERNANCE"
left=$(($(date -d "$until" +%s) - $(date +%s)))
((left > 86400 - 600 && left <= 86400 + 60)) || fail "head-object: retained until $until, $left s from now, want a day"
echo "version $lv: $mode until $until"

step "delete-object --version-id of a locked version: AccessDenied; without an id: a delete marker"
if aws s3api delete-object --bucket "$LB" --key locked.txt --version-id "$lv" 2>lock.err >/dev/null; then
  fail "deleting a version under GOVERNANCE retention succeeded"
fi
grep -q AccessDenied lock.err || fail "delete of a locked version: $(cat lock.err)"
echo "refused: AccessDenied"
lm="$(aws s3api delete-object --bucket "$LB" --key locked.txt --query VersionId --output text)"
[[ "$(versions_left "$LB")" == "1 1" ]] || fail "after a delete without id: $(versions_left "$LB") versions/markers, want 1 1"
echo "delete marker $lm"

step "delete-object --version-id --bypass-governance-retention: deleted"
aws s3api delete-object --bucket "$LB" --key locked.txt --version-id "$lv" --bypass-governance-retention >/dev/null
aws s3api delete-object --bucket "$LB" --key locked.txt --version-id "$lm" >/dev/null
[[ "$(versions_left "$LB")" == "0 0" ]] || fail "after the bypass: $(versions_left "$LB") versions/markers, want 0 0"
aws s3api delete-bucket --bucket "$LB"
SMOKE_BUCKET="$LB" bucket_gone
