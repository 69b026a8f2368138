#!/usr/bin/env bash
# The wheel: `pip wheel .` (portable: no -march=native in _core; row kernels still compile for the
# host at run time), installed into a fresh venv under /tmp and smoke-tested there, away from the
# clone: import, PageRank on a small graph against the native twin, the command line.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/python_env.sh

echo "[wheel] pip wheel . -> dist/"
mkdir -p dist
rm -f dist/stepgraph-*.whl
"$PY" -m pip wheel -q --no-deps --no-build-isolation -w dist -C cmake.define.SG_NATIVE_ARCH=OFF . >/dev/null
wheel=$(ls dist/stepgraph-*.whl)
tag=$(basename "$wheel" .whl | cut -d- -f3-)
if grep -q -- "-march=native" "build/$tag/build.ninja"; then
  echo "[wheel] -march=native reached the wheel's build (build/$tag/build.ninja)" >&2
  exit 1
fi

tmp=$(mktemp -d /tmp/stepgraph-wheel.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
"$PY" -m venv "$tmp/venv"  # the same interpreter as .venv: it has venv (setup.sh made sure)
"$tmp/venv/bin/python" -m pip install -q "$PWD/$wheel"
printf '0 1\n1 2\n2 0\n2 3\n3 3\n' >"$tmp/small.el"
(
  cd "$tmp"  # not the clone: the installed package must stand alone
  export SG_CACHE_DIR=$tmp/kernels  # an empty cache: the wheel compiles its row kernels
  venv/bin/python - <<'PY'
import numpy as np
import stepgraph as sg

g = sg.read_graph("small.el")
res = sg.algorithms.pagerank(g)
ref = sg.native.pagerank(g)
assert np.max(np.abs(res.values - ref.values)) <= 1e-12, (res.values, ref.values)
assert abs(res.values.sum() - 1.0) < 1e-9
print(f"[wheel] import + pagerank ok: {sg.__file__}")
PY
  venv/bin/stepgraph --help >/dev/null
  venv/bin/stepgraph run pagerank small.el --out ranks.npy >/dev/null
  venv/bin/python -c "import numpy as np, stepgraph as sg; r = np.load('ranks.npy'); \
assert np.array_equal(r, sg.algorithms.pagerank(sg.read_graph('small.el')).values)"
)
echo "[wheel] ok: $wheel (build/$tag has no -march=native; installed and smoke-tested in a fresh venv)"
