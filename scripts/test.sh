#!/usr/bin/env bash
# Install everything the test suite needs and run it; extra arguments go to pytest.
#   1. system packages (Debian): Chromium and fonts for the browser tests;
#   2. .venv with the package and its test extras (see scripts/venv.sh);
#   3. pytest.
# Each step is a function below: add a service (a database, ...) as one more step.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh

system_packages() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  [ -d /usr/share/fonts/truetype/liberation ] || missing+=(fonts-liberation)
  [ -d /usr/share/fonts/opentype/noto ] || missing+=(fonts-noto-cjk)
  [ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
  ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}" >&2
    apt_install "${missing[@]}"
  fi
}

postgres_server() {
  # A throw-away PostgreSQL server for the scenario-store tests, stopped when the tests end;
  # the SQLite store of the tests lives in a temporary folder, never in the user's own store.
  export VAULTCOVER_DB="sqlite:///$(mktemp -d)/scenarios.db"
  VAULTCOVER_TEST_PG_URL="$(bash scripts/postgres.sh start)"
  export VAULTCOVER_TEST_PG_URL
  trap 'bash scripts/postgres.sh stop "$VAULTCOVER_TEST_PG_URL"' EXIT
}

system_packages
ensure_venv "test"
postgres_server
"$VENV_DIR/bin/python" -m pytest "$@"
