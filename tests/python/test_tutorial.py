"""docs/TUTORIAL.md runs: its python blocks, in order, in one namespace (so it cannot rot)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List

import pytest

TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "TUTORIAL.md"


def blocks() -> List[str]:
    return re.findall(r"^```python\n(.*?)^```", TUTORIAL.read_text(), flags=re.S | re.M)


def test_tutorial_has_code() -> None:
    assert len(blocks()) >= 5


def test_tutorial_runs(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("networkx")
    namespace: Dict[str, Any] = {"__name__": "tutorial"}
    for i, code in enumerate(blocks(), 1):
        exec(compile(code, f"{TUTORIAL}:block{i}", "exec"), namespace)
    out = capsys.readouterr().out
    assert "until converged" in out and "ConvergenceError:" in out and "ProgramError:" in out
