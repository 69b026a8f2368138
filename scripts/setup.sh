#!/usr/bin/env bash
# Install what stepgraph needs on a fresh Debian 12 machine, then build and install the package.
# Idempotent: skips what is already there; incremental rebuilds reuse build/.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/apt_install.sh setup build-essential libeigen3-dev libtbb-dev libfmt-dev catch2 clang-format

PY=${PYTHON:-python3}
if ! $PY -c "import scikit_build_core, pybind11, numpy, scipy, networkx, pytest, hypothesis, cmake, ninja, mypy, ruff" >/dev/null 2>&1; then
  echo "[setup] installing Python packages"
  $PY -m pip install -q -r requirements-dev.txt
fi

echo "[setup] building stepgraph"
$PY -m pip install -q --no-build-isolation --no-deps ${SG_PIP_FLAGS:-} . 2>&1 | grep -v "^\s*$" || true
$PY -c "import stepgraph" || { echo "[setup] build failed"; $PY -m pip install --no-build-isolation --no-deps -v . ; exit 1; }
