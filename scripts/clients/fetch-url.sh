#!/usr/bin/env bash
# fetch-url.sh URL WANT: GET a (presigned) URL with curl, as a browser or a
# script given the link would, and check that the body is WANT's bytes. On
# a failure prints the URL, the response's status, headers and body.
set -euo pipefail
url=$1
want=$2
out="$(mktemp)"
trap 'rm -f "$out" "$out.h"' EXIT
echo "GET $url"
code="$(curl -sS -g -o "$out" -D "$out.h" -w '%{http_code}' "$url")" || {
  echo "curl failed" >&2
  exit 1
}
if [[ "$code" != 200 ]]; then
  {
    echo "presigned GET answered $code:"
    tr -d '\r' <"$out.h"
    head -c 2000 "$out"
    echo
  } >&2
  exit 1
fi
if ! cmp -s "$want" "$out"; then
  echo "presigned GET returned $(stat -c %s "$out") bytes that differ from the $(stat -c %s "$want") of $want" >&2
  exit 1
fi
echo "200, $(stat -c %s "$out") bytes, same as $want"
