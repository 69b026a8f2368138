"""Graph file readers (filled in by the I/O work)."""
from __future__ import annotations


def read_graph(path, **kwargs):  # replaced by the native reader
    raise NotImplementedError
