# shellcheck shell=bash
# Shared by the scripts that start a local store (client-smoke.sh,
# s3-tests.sh): a free loopback port and an HTTP probe. Source it after
# setting PY, the Python interpreter to run them with.

# A free port on 127.0.0.1: `free_port tcp` or `free_port udp`.
free_port() {
  "$PY" - "$1" <<'PYEOF'
import socket, sys
kind = socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, kind)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
PYEOF
}

# Whether URL answers 200 within two seconds.
http_ok() {
  "$PY" - "$1" <<'PYEOF'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=2) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception:
    sys.exit(1)
PYEOF
}
