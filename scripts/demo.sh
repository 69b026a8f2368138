#!/usr/bin/env bash
# The main job on an embedded default: install what is missing, build, then run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${PYTHON:-python3}" -m stepgraph demo "$@"
