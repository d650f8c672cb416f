# Sourced by the CI scripts: start `gridgov serve` on a free loopback port of a private
# database (GRIDGOV_VAR_DIR), wait until it answers, stop it (and its cluster) on exit,
# keeping the script's exit status. Sets PORT.
BIN=${BIN:-.venv/bin}
mkdir -p var

start_server() {
  local log=$1
  PORT=$("$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$BIN/gridgov" serve --port "$PORT" > "$log" 2>&1 &
  SERVER=$!
  trap stop_server EXIT
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.5
  done
  echo "the server did not answer; see $log" >&2
  exit 1
}

stop_server() {
  local rc=$?
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  "$BIN/gridgov" db stop >/dev/null 2>&1 || true
  exit "$rc"
}
