#!/usr/bin/env bash
# restic session of scripts/client-smoke.sh (see lib.sh for its environment).
# The repository is s3:ENDPOINT/BUCKET with the credentials in AWS_*, as
# restic's documentation sets up a Minio server; everything else default.
set -euo pipefail
# shellcheck source=scripts/clients/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export RESTIC_REPOSITORY="s3:$SMOKE_EP/$SMOKE_BUCKET"
export RESTIC_PASSWORD=smoke-restic-password
export AWS_ACCESS_KEY_ID="$SMOKE_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$SMOKE_SECRET_KEY"
export XDG_CACHE_HOME="$PWD/cache"

# summary FIELD LOG: a field of the summary line of `restic backup --json`.
summary() {
  jq -r "select(.message_type == \"summary\") | .$1" "$2"
}

step "restic version"
restic version

step "restic init (creates bucket $SMOKE_BUCKET)"
restic init

step "restic backup: a tree, a small file and a 24 MiB file"
mkdir data
make_tree data/tree
cp -p "$SMOKE_DATA/small.txt" "$SMOKE_DATA/big.bin" data/
restic backup --json data >backup1.json || { tail -n 5 backup1.json; fail "first backup failed"; }
echo "files_new $(summary files_new backup1.json), data_added $(summary data_added backup1.json) bytes"
[[ "$(summary files_new backup1.json)" == "$(tree_files data)" ]] || fail "first backup: files_new is not $(tree_files data)"

step "restic backup again: no new data"
restic backup --json data >backup2.json || { tail -n 5 backup2.json; fail "second backup failed"; }
jq -c 'select(.message_type == "summary")' backup2.json
[[ "$(summary files_new backup2.json)" == 0 && "$(summary files_changed backup2.json)" == 0 ]] ||
  fail "the second backup found new or changed files"
[[ "$(summary data_added backup2.json)" == 0 ]] || fail "the second backup added $(summary data_added backup2.json) bytes"

step "restic snapshots, restic ls latest"
restic snapshots
[[ "$(restic snapshots --json | jq length)" == 2 ]] || fail "not 2 snapshots"
restic ls latest >ls.out
# Paths are shown below the snapshot's common root (this directory).
grep -qx /data/big.bin ls.out || fail "restic ls latest lacks /data/big.bin"

step "restic restore latest, compare"
restic restore latest --target restored
same_tree data restored/data
same_mtimes data restored/data

step "restic check"
restic check

step "restic forget --prune (both snapshots), check"
# shellcheck disable=SC2046
restic forget --prune $(restic snapshots --json | jq -r '.[].id')
[[ "$(restic snapshots --json | jq length)" == 0 ]] || fail "snapshots left after forget"
restic check

step "remove the repository's bucket (aws s3 rb --force)"
"$SMOKE_AWS" --endpoint-url "$SMOKE_EP" s3 rb --force "s3://$SMOKE_BUCKET" >/dev/null
bucket_gone

# --- a repository on a bucket with object lock ---------------------------------
# Every object restic writes gets the bucket's default retention (GOVERNANCE,
# a day). restic deletes lock files (and, when pruning, packs and indexes)
# without a version id: on a versioned bucket that adds a delete marker,
# which the locked version does not prevent.

LB="$SMOKE_BUCKET-lock"
aws() {
  "$SMOKE_AWS" --endpoint-url "$SMOKE_EP" "$@"
}
# versions_left: "VERSIONS MARKERS", how many of each the locked bucket holds.
versions_left() {
  # shellcheck disable=SC2016
  aws s3api list-object-versions --bucket "$LB" \
    --query '[length(Versions || `[]`), length(DeleteMarkers || `[]`)]' --output text | tr '\t' ' '
}

step "aws: bucket $LB with object lock, default retention GOVERNANCE 1 day"
aws s3api create-bucket --bucket "$LB" --object-lock-enabled-for-bucket >/dev/null
aws s3api put-object-lock-configuration --bucket "$LB" --object-lock-configuration \
  '{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"GOVERNANCE","Days":1}}}'
aws s3api get-object-lock-configuration --bucket "$LB" --output text

export RESTIC_REPOSITORY="s3:$SMOKE_EP/$LB"
step "restic init, backup on the locked bucket"
restic init
mkdir locked
cp -a data/tree locked/tree
cp -p "$SMOKE_DATA/small.txt" locked/
restic backup --verbose locked

step "restic's objects are locked; its lock files are gone (delete markers)"
pack="$(aws s3api list-objects-v2 --bucket "$LB" --prefix data/ --query 'Contents[0].Key' --output text)"
mode="$(aws s3api head-object --bucket "$LB" --key "$pack" --query ObjectLockMode --output text)"
[[ "$mode" == GOVERNANCE ]] || fail "$pack: ObjectLockMode $mode, want GOVERNANCE (the default retention)"
echo "$pack: $mode"
locks="$(restic list locks --no-lock)"
[[ -z "$locks" ]] || fail "restic list locks: $locks"
markers="$(aws s3api list-object-versions --bucket "$LB" --prefix locks/ \
  --query 'length(DeleteMarkers[?IsLatest])' --output text)"
((markers > 0)) || fail "no delete marker under locks/: restic removed no lock file?"
echo "no lock left; $markers delete markers under locks/"

step "restic check, restore, compare (locked bucket)"
restic check
restic restore latest --target locked-restored
same_tree locked locked-restored/locked

step "restic backup a change, forget --keep-last 1 --prune, check, restore (locked bucket)"
printf 'a change\n' >locked/changed.txt
restic backup --verbose locked
restic forget --keep-last 1 --prune
[[ "$(restic snapshots --json | jq length)" == 1 ]] || fail "not 1 snapshot after forget"
restic check
restic restore latest --target locked-restored2
same_tree locked locked-restored2/locked

step "remove the locked bucket (delete-objects --bypass-governance-retention)"
aws s3api list-object-versions --bucket "$LB" --output json |
  jq -c '{Objects: [(.Versions // [])[], (.DeleteMarkers // [])[] | {Key, VersionId}], Quiet: true}' >versions.json
echo "$(versions_left) versions/markers, $(jq '.Objects | length' versions.json) to delete"
aws s3api delete-objects --bucket "$LB" --delete file://versions.json \
  --bypass-governance-retention >delete.out
[[ "$(versions_left)" == "0 0" ]] || { cat delete.out; fail "$(versions_left) versions/markers left"; }
aws s3api delete-bucket --bucket "$LB"
SMOKE_BUCKET="$LB" bucket_gone
