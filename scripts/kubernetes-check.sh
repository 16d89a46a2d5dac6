#!/usr/bin/env bash
# Checks deploy/kubernetes: renders it (kubectl kustomize), validates it
# offline against Kubernetes' schemas (kubernetes-validate), and runs the
# rendered pods as processes on loopback addresses, as
# scripts/kubernetes_check.py says.
#
# Usage: scripts/kubernetes-check.sh [path-to-predastore-binary]
#   (default: target/release/predastore)
#
# Installs what it needs: a virtualenv in target/kubernetes-venv (PyYAML,
# boto3, kubernetes-validate, pinned) and Debian's libnss-wrapper (the init
# container's admin CLI resolves names through it). kubectl must be on PATH (it renders the
# kustomize manifests, as users do).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$(realpath "${1:-$ROOT/target/release/predastore}")"
VENV="${KUBERNETES_VENV:-$ROOT/target/kubernetes-venv}"

command -v kubectl >/dev/null 2>&1 || {
  echo "kubernetes-check: kubectl is required (it renders the manifests)" >&2
  exit 1
}
"$ROOT/scripts/install-packages.sh" kubernetes-check \
  /usr/lib/x86_64-linux-gnu/libnss_wrapper.so=libnss-wrapper
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
  "PyYAML==6.0.3" "boto3==1.44.5" "kubernetes-validate==1.37.0"
PATH="$VENV/bin:$PATH" exec "$VENV/bin/python" "$ROOT/scripts/kubernetes_check.py" "$BIN"
