#!/usr/bin/env bash
# GraphQL-over-HTTP compliance: start a server on a private database, run graphql-http's
# audit with node, fail on any error or warning.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
mkdir -p var
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "http-audit: node and npm are needed (apt-get install nodejs npm)" >&2
  exit 1
fi
(cd .ci/graphql-http && npm ci --no-audit --no-fund --silent)
export GRIDGOV_VAR_DIR=var/audit GRIDGOV_DATABASE_URL= GRIDGOV_RATE_LIMIT_PER_MINUTE=0
PORT=$("$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN/gridgov" serve --port "$PORT" > var/audit-server.log 2>&1 &
SERVER=$!
stop() {
  rc=$?
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  "$BIN/gridgov" db stop >/dev/null 2>&1 || true
  exit "$rc"
}
trap stop EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 $SERVER 2>/dev/null || { cat var/audit-server.log >&2; exit 1; }
  sleep 0.5
done
node .ci/graphql-http/audit.mjs "http://127.0.0.1:$PORT/graphql"
