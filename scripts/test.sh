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
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}" >&2
    apt_install "${missing[@]}"
  fi
}

system_packages
ensure_venv "test"
exec "$VENV_DIR/bin/python" -m pytest "$@"
