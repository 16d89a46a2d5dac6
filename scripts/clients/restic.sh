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
