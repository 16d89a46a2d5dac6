#!/usr/bin/env bash
# Makes the two Secrets the manifests in base/ name, with fresh values:
#   predastore-cluster-tls   the cluster CA and a node certificate (every
#                            node and gateway presents it; the cluster
#                            transport takes only certificates of this CA)
#   predastore-credentials   the first access key and its secret, the
#                            admin API's bearer token, and a master key for
#                            SSE-S3/SSE-KMS (kms-keys: `id:<base64>` lines)
#
# Usage: deploy/kubernetes/secrets.sh [DIR]   (default: ./predastore-secrets)
#
# Writes the files into DIR (mode 0700; keep it, or at least the CA key,
# somewhere safe: new node certificates are issued from it) and
# DIR/secrets.yaml, then prints the credentials and the command that
# applies it. Needs `predastore` (PREDASTORE=path, or `docker run` of the
# image when it is not on PATH) and kubectl.
set -euo pipefail

dir="${1:-predastore-secrets}"
if [[ -e "$dir/secrets.yaml" ]]; then
  echo "secrets.sh: $dir/secrets.yaml exists; not overwriting it" >&2
  exit 1
fi
mkdir -p "$dir/tls"
chmod 700 "$dir"
dir="$(cd "$dir" && pwd)"

if command -v "${PREDASTORE:-predastore}" >/dev/null 2>&1; then
  "${PREDASTORE:-predastore}" tls init "$dir/tls" --nodes 1
else
  docker run --rm --user "$(id -u)" -v "$dir/tls:/tls" predastore:latest tls init /tls --nodes 1
fi

random() { head -c "$1" /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "$2"; }
access_key="PS$(random 32 18 | tr 'a-z' 'A-Z')"
secret_key="$(random 48 40)"
admin_token="$(random 48 40)"
kms_keys="default:$(head -c 32 /dev/urandom | base64)"

{
  kubectl create secret generic predastore-cluster-tls --dry-run=client -o yaml \
    --from-file=ca.pem="$dir/tls/ca.pem" \
    --from-file=node.pem="$dir/tls/node0.pem" \
    --from-file=node-key.pem="$dir/tls/node0-key.pem"
  echo ---
  kubectl create secret generic predastore-credentials --dry-run=client -o yaml \
    --from-literal=access-key="$access_key" \
    --from-literal=secret-key="$secret_key" \
    --from-literal=admin-token="$admin_token" \
    --from-literal=kms-keys="$kms_keys"
} >"$dir/secrets.yaml"
chmod 600 "$dir/secrets.yaml"

cat <<DONE
Secrets written to $dir/secrets.yaml. Apply them, then the store:
  kubectl apply -f $dir/secrets.yaml
  kubectl apply -k deploy/kubernetes/base
S3 access key: $access_key
S3 secret key: $secret_key
admin token:   $admin_token   (PREDASTORE_ADMIN_TOKEN for \`predastore admin\`)
DONE
