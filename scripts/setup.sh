#!/usr/bin/env bash
# Install what stepgraph needs on a fresh Debian 12 machine, then build and install the package
# into the project's virtual environment .venv (or the active venv / conda env): see
# scripts/python_env.sh. $PYTHON (default python3) is the interpreter .venv is made from;
# it may be Debian's own /usr/bin/python3, which pip must not write into (PEP 668).
# Idempotent: skips what is already there; incremental rebuilds reuse build/.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/apt_install.sh setup build-essential libeigen3-dev libtbb-dev libfmt-dev catch2 clang-format
source scripts/python_env.sh

if [ "$SG_ENV" = "$PWD/.venv" ] && ! "$PY" -c "import sys" >/dev/null 2>&1; then
  BASE=${PYTHON:-python3}
  command -v "$BASE" >/dev/null || { echo "[setup] no $BASE on PATH (set PYTHON=/path/to/python3)" >&2; exit 1; }
  # A Debian python needs its venv module (ensurepip) and headers from Debian packages.
  if [ "$("$BASE" -c 'import sys; print(sys.base_prefix)')" = /usr ]; then
    ver=$("$BASE" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    bash scripts/apt_install.sh setup "python$ver-venv" "python$ver-dev"
  fi
  echo "[setup] creating .venv from $BASE ($("$BASE" --version 2>&1))"
  rm -rf .venv
  "$BASE" -m venv .venv
fi

if ! "$PY" -c "import scikit_build_core, pybind11, numpy, scipy, networkx, pytest, hypothesis, cmake, ninja, mypy, ruff, tqdm" >/dev/null 2>&1; then
  echo "[setup] installing Python packages into $SG_ENV"
  "$PY" -m pip install -q -r requirements-dev.txt
fi

echo "[setup] building stepgraph into $SG_ENV"
"$PY" -m pip install -q --no-build-isolation --no-deps ${SG_PIP_FLAGS:-} . 2>&1 | grep -v "^\s*$" || true
"$PY" -c "import stepgraph" || { echo "[setup] build failed"; "$PY" -m pip install --no-build-isolation --no-deps -v . ; exit 1; }
