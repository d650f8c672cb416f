#!/usr/bin/env bash
# GraphQL-over-HTTP compliance: start a server on a private database, run graphql-http's
# audit with node, fail on any error or warning.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "http-audit: node and npm are needed (apt-get install nodejs npm)" >&2
  exit 1
fi
(cd .ci/graphql-http && npm ci --no-audit --no-fund --silent)
export GRIDGOV_VAR_DIR=var/audit GRIDGOV_DATABASE_URL= GRIDGOV_RATE_LIMIT_PER_MINUTE=0
source scripts/serve-lib.sh
start_server var/audit-server.log
node .ci/graphql-http/audit.mjs "http://127.0.0.1:$PORT/graphql"
