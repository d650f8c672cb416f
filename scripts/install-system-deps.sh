#!/usr/bin/env bash
# Install what the machine lacks to run gridgov: PostgreSQL with PostGIS (Debian/Ubuntu).
# As root it uses apt-get; otherwise it names the packages to install and fails.
set -euo pipefail

have_postgis() {
  local bindir
  for bindir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    local ver; ver=$(basename "$(dirname "$bindir")")
    if [ -x "$bindir/initdb" ] && [ -f "/usr/share/postgresql/$ver/extension/postgis.control" ]; then
      return 0
    fi
  done
  return 1
}

missing_tools() {
  local t
  for t in curl node npm; do command -v "$t" >/dev/null || echo "$t"; done
}

# curl, node and npm serve the GraphQL-over-HTTP audit in `make test`.
if [ -n "$(missing_tools)" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing curl, nodejs and npm with apt-get…" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl nodejs npm >/dev/null
  else
    echo "the test suite also needs: $(missing_tools | tr '\n' ' ')(apt-get install curl nodejs npm)" >&2
  fi
fi

# Debian's Chromium: the browser test of GraphiQL (tests/test_graphiql_offline.py) drives it.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing chromium with apt-get…" >&2
    { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } ||
      echo "could not install chromium: the GraphiQL browser test will fail" >&2
  else
    echo "the GraphiQL browser test also needs Chromium (apt-get install chromium)" >&2
  fi
fi

# A CJK font: the pages are in Chinese, and the browser tests' screenshots show them.
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing fonts-noto-cjk with apt-get…" >&2
    { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; } ||
      echo "could not install fonts-noto-cjk: Chinese shows as boxes in screenshots" >&2
  else
    echo "screenshots of the pages need a Chinese font (apt-get install fonts-noto-cjk)" >&2
  fi
fi

if have_postgis; then exit 0; fi
if [ -n "${GRIDGOV_DATABASE_URL:-}" ] && [ -n "${TEST_DATABASE_URL:-}" ]; then exit 0; fi

if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  echo "gridgov needs PostgreSQL (>= 15) with PostGIS 3. Install, as root:" >&2
  echo "  apt-get install postgresql postgresql-15-postgis-3" >&2
  echo "or set GRIDGOV_DATABASE_URL / TEST_DATABASE_URL to an existing PostGIS." >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "installing PostgreSQL + PostGIS with apt-get…" >&2
apt-get update -qq
if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  apt-get install -y -qq postgresql >/dev/null
fi
ver=$(ls /usr/lib/postgresql | sort -rV | head -n 1)
apt-get install -y -qq "postgresql-${ver}-postgis-3" >/dev/null
have_postgis
