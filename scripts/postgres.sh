#!/usr/bin/env bash
# Start a throw-away PostgreSQL server for the scenario-store tests and print its SQLAlchemy URL.
#
#   export VAULTCOVER_TEST_PG_URL="$(scripts/postgres.sh start)"   # installs postgresql if needed
#   scripts/postgres.sh stop "$VAULTCOVER_TEST_PG_URL"             # stops it, removes its folder
#
# The cluster lives in a fresh temporary folder, listens on 127.0.0.1 on a free port and trusts
# local connections (test use only). Root cannot run postgres, so the server runs as the
# `postgres` system user (created by Debian's package) via runuser/su.
set -euo pipefail

action="${1:-start}"

find_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$dir" ] && command -v pg_ctl >/dev/null 2>&1; then dir="$(dirname "$(command -v pg_ctl)")"; fi
  echo "$dir"
}

as_pg() {  # run a command as the unprivileged postgres user (or as ourselves if not root)
  if [ "$(id -u)" -eq 0 ]; then
    if command -v runuser >/dev/null 2>&1; then runuser -u postgres -- "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
  else
    "$@"
  fi
}

if [ "$action" = "stop" ]; then
  url="${2:?usage: postgres.sh stop URL}"
  marker="/tmp/vaultcover-pg-$(echo "$url" | sed -E 's/.*:([0-9]+)\/.*/\1/').dir"
  dir="$(cat "$marker" 2>/dev/null || true)"
  rm -f "$marker"
  if [ -n "$dir" ] && [ -d "$dir" ]; then
    as_pg "$(find_bin)/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$dir"
  fi
  exit 0
fi

BIN="$(find_bin)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  BIN="$(find_bin)"
fi

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
dir="$(mktemp -d /tmp/vaultcover-pg.XXXXXX)"
chmod 755 "$dir"
if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
as_pg "$BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null
as_pg "$BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres vaultcover_test
echo "$dir" >"/tmp/vaultcover-pg-$port.dir"
echo "postgresql+psycopg://postgres@127.0.0.1:$port/vaultcover_test"
