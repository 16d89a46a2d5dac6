#!/usr/bin/env bash
# Bucket-policy session of scripts/client-smoke.sh (see lib.sh for its
# environment): what a user does to publish a bucket's objects. The AWS CLI
# puts a public-read policy (`aws s3api put-bucket-policy`); then anonymous
# curl requests, as a browser sends them: a GET of an object returns its
# bytes, while listing the bucket and writing into it are refused
# (403 AccessDenied); once the policy is deleted the GET is refused again.
set -euo pipefail
# shellcheck source=scripts/clients/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

aws() {
  "$SMOKE_AWS" --endpoint-url "$SMOKE_EP" "$@"
}
BUCKET="$SMOKE_BUCKET"

# anonymous METHOD PATH [curl args...]: an unsigned request; prints the
# status, leaves the body in anon.out.
anonymous() {
  local method=$1 path=$2
  shift 2
  curl -sS -g -X "$method" -o anon.out -w '%{http_code}' "$@" "$SMOKE_EP$path"
}

# refused METHOD PATH [curl args...]: the anonymous request is answered
# 403 AccessDenied.
refused() {
  local code
  code="$(anonymous "$@")" || fail "curl $1 $2 failed"
  if [[ "$code" != 403 ]] || ! grep -q '<Code>AccessDenied</Code>' anon.out; then
    fail "anonymous $1 $2: $code, want 403 AccessDenied: $(head -c 500 anon.out)"
  fi
  echo "anonymous $1 $2: 403 AccessDenied"
}

step "aws s3 mb s3://$BUCKET, aws s3 cp small.txt; anonymous GET refused"
aws s3 mb "s3://$BUCKET"
aws s3 cp --no-progress "$SMOKE_DATA/small.txt" "s3://$BUCKET/site/small.txt"
refused GET "/$BUCKET/site/small.txt"

step "aws s3api put-bucket-policy: public read of s3://$BUCKET/*"
cat >policy.json <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "PublicRead",
      "Effect": "Allow",
      "Principal": "*",
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::$BUCKET/*"
    }
  ]
}
EOF
aws s3api put-bucket-policy --bucket "$BUCKET" --policy file://policy.json
public="$(aws s3api get-bucket-policy-status --bucket "$BUCKET" --query PolicyStatus.IsPublic --output text)"
[[ "$public" == True ]] || fail "get-bucket-policy-status: IsPublic $public, want True"
echo "get-bucket-policy-status: IsPublic $public"

step "anonymous curl GET of the object: its bytes; listing and PUT refused"
fetch_url "$SMOKE_EP/$BUCKET/site/small.txt" "$SMOKE_DATA/small.txt"
refused GET "/$BUCKET?list-type=2"
refused GET "/$BUCKET"
refused PUT "/$BUCKET/site/defaced.txt" --data-binary 'defaced'
refused DELETE "/$BUCKET/site/small.txt"

step "aws s3api delete-bucket-policy: anonymous GET refused again"
aws s3api delete-bucket-policy --bucket "$BUCKET"
refused GET "/$BUCKET/site/small.txt"
aws s3 rm "s3://$BUCKET/site/small.txt"
aws s3 rb "s3://$BUCKET"
bucket_gone
