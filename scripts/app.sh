#!/usr/bin/env bash
# Install Vaultcover into .venv (created if missing) and start the Streamlit app.
# Extra arguments go to `streamlit run`, e.g. `bash scripts/app.sh --server.port 8600`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh

ensure_venv ""
exec "$VENV_DIR/bin/python" -m streamlit run app.py "$@"
