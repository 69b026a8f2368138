#!/usr/bin/env bash
# NetworkX's own tests for the functions stepgraph serves, with the backend selected: every call
# of a served function in them runs stepgraph (converted graphs, NetworkX's assertions), the
# rest runs NetworkX's own code (NETWORKX_FALLBACK_TO_NX).
#
#   scripts/test_nx_suite.sh [pytest args...]      PY=python3.11 scripts/test_nx_suite.sh -x
#
# Uses $PY (else python3), whose stepgraph must be installed (pip) or on PYTHONPATH with its
# dist-info (scripts/devbuild.sh writes one). Expected failures, each with its reason, are
# marked by the backend itself (stepgraph.nx.interface.EXPECTED_FAILURES, through NetworkX's
# on_start_tests hook), so pytest reports them as xfailed. Budget: under 3 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-${PYTHON:-python3}}

nxdir=$("$PY" -c 'import os, networkx; print(os.path.dirname(networkx.__file__))')
"$PY" - <<'PYEOF'
import networkx as nx
assert "stepgraph" in nx.utils.backends.backends, "the stepgraph backend is not registered (entry points)"
from stepgraph.nx.interface import EXPECTED_FAILURES
print(f"[nx-suite] networkx {nx.__version__}; expected failures: {len(EXPECTED_FAILURES)}")
for test, reason in sorted(EXPECTED_FAILURES.items()):
    print(f"[nx-suite]   {test}: {reason}")
PYEOF

modules=(
  algorithms/link_analysis/tests/test_pagerank.py
  algorithms/link_analysis/tests/test_hits.py
  algorithms/centrality/tests/test_eigenvector_centrality.py
  algorithms/centrality/tests/test_katz_centrality.py
  algorithms/tests/test_core.py
  algorithms/centrality/tests/test_degree_centrality.py
  algorithms/components/tests/test_connected.py
  algorithms/components/tests/test_weakly_connected.py
  algorithms/components/tests/test_strongly_connected.py
  algorithms/shortest_paths/tests/test_unweighted.py
  algorithms/shortest_paths/tests/test_weighted.py
  algorithms/shortest_paths/tests/test_generic.py
  algorithms/traversal/tests/test_bfs.py
  algorithms/tests/test_dag.py
)
files=()
for m in "${modules[@]}"; do files+=("$nxdir/$m"); done

# PYTHONPATH entries made absolute (PYTHONPATH=build/dev/site), since the run changes directory.
if [ -n "${PYTHONPATH:-}" ]; then
  abs=()
  IFS=: read -ra entries <<<"$PYTHONPATH"
  for e in "${entries[@]}"; do abs+=("$(realpath -m "$e")"); done
  PYTHONPATH=$(IFS=:; echo "${abs[*]}")
  export PYTHONPATH
fi

# NetworkX's conftest (its test options, the backend switch) sits at the package root: run
# from there, with no ini file of ours.
cd "$nxdir"
NETWORKX_TEST_BACKEND=stepgraph NETWORKX_FALLBACK_TO_NX=True \
  "$PY" -m pytest -q -p no:cacheprovider -c /dev/null --rootdir "$nxdir" -rfEx "${files[@]}" "$@"
