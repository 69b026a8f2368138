#!/usr/bin/env bash
# The main job on an embedded default: install what is missing, build, then run the demo
# (in .venv or the active environment: scripts/python_env.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/python_env.sh
exec "$PY" -m stepgraph demo "$@"
