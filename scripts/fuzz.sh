#!/usr/bin/env bash
# Fuzz the GraphQL API with schemathesis against a running server with a logged-in
# account: no 5xx, no error without a code, no INTERNAL_SERVER_ERROR. Bounded; the seed is
# printed (FUZZ_SEED=N replays a run, FUZZ_EXAMPLES=N sets examples per operation).
set -euo pipefail
cd "$(dirname "$0")/.."
SEED=${FUZZ_SEED:-$(( (RANDOM << 15) | RANDOM ))}
EXAMPLES=${FUZZ_EXAMPLES:-25}
export GRIDGOV_VAR_DIR=var/fuzz GRIDGOV_DATABASE_URL= GRIDGOV_RATE_LIMIT_PER_MINUTE=0
export GRIDGOV_DEMO_PASSWORD=fuzz-password-1
source scripts/serve-lib.sh
"$BIN/gridgov" demo load --persons 300 --if-empty > var/fuzz-demo.log 2>&1
start_server var/fuzz-server.log
TOKEN=$("$BIN/python" - "$PORT" <<'PY'
import json, sys, urllib.request
body = json.dumps({"query": 'mutation { login(username: "command", '
                            'password: "fuzz-password-1") { token } }'}).encode()
request = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/graphql", body,
                                 {"content-type": "application/json"})
print(json.load(urllib.request.urlopen(request))["data"]["login"]["token"])
PY
)
echo "fuzz: seed $SEED, $EXAMPLES examples per operation (replay: FUZZ_SEED=$SEED make fuzz)"
# the mutations that end the fuzzing account's own session are left out: after them every
# other operation would only be tried signed out
SCHEMATHESIS_HOOKS=gridgov_fuzz_hooks PYTHONPATH=.ci/fuzz "$BIN/schemathesis" run \
  "http://127.0.0.1:$PORT/graphql" -H "Authorization: Bearer $TOKEN" \
  --exclude-name-regex '^Mutation\.(logout|logoutEverywhere|endMySession)$' \
  -n "$EXAMPLES" --seed "$SEED" -c no_unhandled_errors --no-color
