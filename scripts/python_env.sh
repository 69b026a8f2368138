# Sourced by setup.sh, demo.sh and test.sh: sets PY, the Python stepgraph is built and run with.
#   - an active virtualenv ($VIRTUAL_ENV) or conda env ($CONDA_PREFIX): its python;
#   - else the project's .venv (setup.sh creates it from $PYTHON, default python3).
# Never the system Python itself: Debian's is externally managed (PEP 668).
# pip's and matplotlib's caches go under the venv, so nothing is written in $HOME but the
# row-kernel cache (~/.cache/stepgraph).
if [ -n "${VIRTUAL_ENV:-}" ]; then
  SG_ENV=$VIRTUAL_ENV
elif [ -n "${CONDA_PREFIX:-}" ]; then
  SG_ENV=$CONDA_PREFIX
else
  SG_ENV=$PWD/.venv
fi
PY=$SG_ENV/bin/python
export PIP_CACHE_DIR=${PIP_CACHE_DIR:-$SG_ENV/.cache/pip}
export MPLCONFIGDIR=${MPLCONFIGDIR:-$SG_ENV/.cache/matplotlib}
export PIP_DISABLE_PIP_VERSION_CHECK=1
