#!/usr/bin/env bash
# Make Citus available to the PostgreSQL that gridgov's private clusters use.
#
# - Citus already installed for that PostgreSQL (citus.so and citus.control): nothing to do.
# - Else CITUS_SOURCE names a source tarball (e.g. citus-13.2.2.tar.gz): it is built and
#   installed, with every `*.patch` beside the tarball applied (CITUS_PATCHES overrides the
#   list). The build is cached under var/citus-build/<sha256 of the tarball>.
# - Else: say what is missing and exit 2.
#
# Building needs the server's headers and Citus's libraries; as root they are installed
# with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_CONFIG=${PG_CONFIG:-}
if [ -z "$PG_CONFIG" ]; then
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/postgres" ]; then
      PG_BIN=$dir
      break
    fi
  done
  if [ -z "${PG_BIN:-}" ]; then
    echo "PostgreSQL's server is not installed (make install installs it)" >&2
    exit 2
  fi
  PG_MAJOR=$(basename "$(dirname "$PG_BIN")")
  PG_CONFIG=/usr/lib/postgresql/$PG_MAJOR/bin/pg_config
else
  PG_MAJOR=$("$PG_CONFIG" --version | sed -E 's/[^0-9]*([0-9]+).*/\1/')
fi

installed() {
  [ -f "/usr/lib/postgresql/$PG_MAJOR/lib/citus.so" ] &&
    [ -f "/usr/share/postgresql/$PG_MAJOR/extension/citus.control" ]
}

if installed; then
  echo "citus: installed for PostgreSQL $PG_MAJOR"
  exit 0
fi

if [ -z "${CITUS_SOURCE:-}" ]; then
  cat >&2 <<EOF
citus: not installed for PostgreSQL $PG_MAJOR, and CITUS_SOURCE is not set.
Citus is not in Debian's archive. Either install it (e.g. from Citus's own packages), or
set CITUS_SOURCE to a Citus source tarball (13.2 or later) to have it built here:
  CITUS_SOURCE=/path/to/citus-13.2.2.tar.gz make test-citus
EOF
  exit 2
fi
if [ ! -f "$CITUS_SOURCE" ]; then
  echo "citus: CITUS_SOURCE=$CITUS_SOURCE is not a file" >&2
  exit 2
fi

BUILD_DEPS="postgresql-server-dev-$PG_MAJOR liblz4-dev libzstd-dev libkrb5-dev libssl-dev make gcc patch"
if [ "$(id -u)" = 0 ]; then
  missing=""
  for pkg in $BUILD_DEPS; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
  done
  if [ -n "$missing" ]; then
    echo "citus: installing the build's packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  fi
elif [ ! -x "$PG_CONFIG" ]; then
  echo "citus: building needs (as root): apt-get install $BUILD_DEPS" >&2
  exit 2
fi

sum=$(sha256sum "$CITUS_SOURCE" | cut -c1-16)
build=var/citus-build/$sum
if [ ! -f "$build/.built" ]; then
  rm -rf "$build"
  mkdir -p "$build"
  tar -xzf "$CITUS_SOURCE" -C "$build"
  # with or without a top folder: the one holding ./configure
  src=$(dirname "$(find "$build" -maxdepth 2 -name configure -type f | head -1)")
  patches=${CITUS_PATCHES:-$(ls "$(dirname "$CITUS_SOURCE")"/*.patch 2>/dev/null || true)}
  for p in $patches; do
    echo "citus: applying $(basename "$p")"
    patch -d "$src" -p1 --forward --quiet < "$p"
  done
  echo "citus: building from $(basename "$CITUS_SOURCE") (a few minutes; log in $build/build.log)"
  if ! (cd "$src" && ./configure --without-libcurl PG_CONFIG="$PG_CONFIG" &&
    make -j"$(nproc)") > "$build/build.log" 2>&1; then
    tail -30 "$build/build.log" >&2
    echo "citus: the build failed (whole log: $build/build.log)" >&2
    exit 1
  fi
  touch "$build/.built"
fi
src=$(dirname "$(find "$build" -maxdepth 2 -name configure -type f | head -1)")
(cd "$src" && make install) >> "$build/build.log" 2>&1 ||
  { tail -30 "$build/build.log" >&2; echo "citus: make install failed" >&2; exit 1; }
installed || { echo "citus: the build did not install citus.so" >&2; exit 1; }
echo "citus: built and installed for PostgreSQL $PG_MAJOR"
