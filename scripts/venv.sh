#!/usr/bin/env bash
# Sourced by the other scripts: make sure .venv exists with the package installed.
#
#   source scripts/venv.sh; ensure_venv "test"    # extras, comma-separated ("" for none)
#
# Debian 12 and recent Ubuntu mark the system Python "externally managed" (PEP 668): pip
# refuses to install into it. Everything therefore goes into the project's own .venv, created
# with the system python3 (PYTHON=... to choose another). On Debian, `python3 -m venv` needs
# the python3-venv package (it ships ensurepip); it is installed with apt-get when missing.
# The install is redone only when pyproject.toml changes (the package is editable, so code
# changes need no reinstall).

VENV_DIR="${VENV_DIR:-.venv}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  # apt_install PACKAGE...: install Debian packages, quietly, updating the lists once.
  if [ -z "${_APT_UPDATED:-}" ]; then
    as_root apt-get update -qq
    _APT_UPDATED=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_venv() {
  local extras="${1:-}"
  local python="${PYTHON:-python3}"
  if ! command -v "$python" >/dev/null 2>&1; then
    echo "error: $python not found; install Python 3.11 or newer" >&2
    return 1
  fi
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "error: $python is $("$python" --version 2>&1); Vaultcover needs Python >= 3.11" >&2
    return 1
  fi
  if [ ! -x "$VENV_DIR/bin/python" ]; then
    if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
      echo "Installing Debian's python3-venv (needed to create $VENV_DIR)..." >&2
      apt_install python3-venv
    fi
    "$python" -m venv "$VENV_DIR"
  fi
  local spec="."
  if [ -n "$extras" ]; then spec=".[$extras]"; fi
  local stamp="$VENV_DIR/.vaultcover-installed"
  local want
  want="$spec $(cksum < pyproject.toml)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing Vaultcover ($spec) into $VENV_DIR..." >&2
    "$VENV_DIR/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec"
    echo "$want" > "$stamp"
  fi
}
