#!/usr/bin/env bash
# Developer build into build/NAME (no pip): C++ tests + _core, and a private package tree
# build/NAME/site/stepgraph (symlinks to python/stepgraph + the fresh _core) for PYTHONPATH.
#   scripts/devbuild.sh NAME [extra cmake args...]
#   PYTHONPATH=build/NAME/site python3 -m pytest tests/python/...
#   build/NAME/stepgraph_tests        (Catch2)
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: devbuild.sh NAME [cmake args]}
shift
dir=build/$name
PY=${PYTHON:-python3}
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} -DSG_BUILD_TESTS=ON -DSG_BUILD_PYTHON=ON \
  -DPython_EXECUTABLE="$(command -v "$PY")" -Dpybind11_DIR="$($PY -m pybind11 --cmakedir)" "$@" >/dev/null
cmake --build "$dir" -j "${JOBS:-2}"
site=$dir/site/stepgraph
rm -rf "$dir/site"
mkdir -p "$site"
for entry in python/stepgraph/*; do
  ln -s "$PWD/$entry" "$site/$(basename "$entry")"
done
cp "$dir"/_core*.so "$site/"
ln -s "$PWD/python/_stepgraph_nx" "$dir/site/_stepgraph_nx"  # the NetworkX backend's light info package
# Installed metadata, so that entry points (NetworkX's backend: networkx.backends) are found
# on this PYTHONPATH too: the [project.entry-points.*] tables of pyproject.toml.
info=$dir/site/stepgraph-0.dev0.dist-info
mkdir -p "$info"
printf 'Metadata-Version: 2.1\nName: stepgraph\nVersion: 0.dev0\n' >"$info/METADATA"
"$PY" - pyproject.toml >"$info/entry_points.txt" <<'PYEOF'
import re, sys
section = None
for line in open(sys.argv[1]):
    line = line.strip()
    head = re.fullmatch(r'\[project\.entry-points\."?([^"\]]+)"?\]', line)
    if head:
        section = head.group(1)
        print(f"[{section}]")
    elif line.startswith("["):
        section = None
    elif section and "=" in line and not line.startswith("#"):
        name, value = (part.strip().strip('"') for part in line.split("=", 1))
        print(f"{name} = {value}")
PYEOF
