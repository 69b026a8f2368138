#!/usr/bin/env python3
"""Print the include graph between the library's top-level folders; fail on an edge against
the layer order (docs/ARCHITECTURE.md) or a file outside a known layer.

    python3 scripts/check_layers.py          # exit 1 on a back edge
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Each layer and the layers its files may include (itself always). native/ (the hand-written
# twins) sits beside compiler/ and exec/: it uses the kernels, never the optimizer.
LAYERS: dict[str, tuple[str, ...]] = {
    "core": (),
    "graph": ("core",),
    "ir": ("core",),
    "kernels": ("core", "graph", "ir"),
    "compiler": ("core", "graph", "ir", "kernels"),
    "exec": ("core", "graph", "ir", "kernels", "compiler"),
    "native": ("core", "graph", "ir", "kernels"),
}
# Outside the library: they may include any layer, and no layer may include them.
CLIENTS = ("python/bindings", "tests/cpp", "benchmarks/cpp", "fuzz")

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def folder_of(include: str) -> str | None:
    top = include.split("/", 1)[0]
    if top in LAYERS:
        return top
    for client in CLIENTS:
        if include.startswith(client + "/"):
            return client
    return None


def main() -> int:
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    problems: list[str] = []
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*")):
            if path.suffix not in (".hpp", ".cpp", ".h"):
                continue
            rel = path.relative_to(ROOT).as_posix()
            for inc in INCLUDE.findall(path.read_text(encoding="utf-8")):
                target = folder_of(inc)
                if target is None:
                    if not (path.parent / inc).exists():
                        problems.append(f"{rel}: includes {inc!r}, which is in no layer")
                    continue
                if target == layer:
                    continue
                edges[(layer, target)].append(rel)
                if target not in LAYERS[layer]:
                    problems.append(f"{rel}: {layer}/ includes {inc} ({target}/ is not below {layer}/)")
    print("include graph between folders (layer -> what it includes, with file counts):")
    for layer in LAYERS:
        outs = [f"{t} ({len(set(edges[(layer, t)]))})" for t in LAYERS if (layer, t) in edges]
        print(f"  {layer:9s} -> {', '.join(outs) if outs else '-'}")
    if problems:
        print(f"\n{len(problems)} include(s) against the layer order:", file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print("no back edges")
    return 0


if __name__ == "__main__":
    sys.exit(main())
