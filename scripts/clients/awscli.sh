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
if aws s3api head-object --bucket "$BUCKET" --key small.txt >/dev/null 2>&1; then
  fail "small.txt still exists after rm"
fi
aws s3 rm --recursive "$S3/tree"
count="$(s3_count tree/)"
[[ "$count" == 0 ]] || fail "tree/ still has $count objects after rm --recursive"
aws s3 rm "$S3/big.bin"
count="$(s3_count "")"
[[ "$count" == 0 ]] || fail "bucket still has $count objects"

step "aws s3 rb $S3"
aws s3 rb "$S3"
bucket_gone
