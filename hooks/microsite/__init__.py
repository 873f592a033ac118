"""A framework-free core: load → validate → link → render research pages from YAML.

Nothing in this package imports MkDocs; `hooks/site.py` adapts MkDocs events to it.
"""

from __future__ import annotations

from pathlib import Path

from .graph import Graph, link
from .load import load_all
from .memory import paused_cyclic_gc
from .render import check_paths


def check(root: Path, *, verification: bool = True) -> Graph:
    """Load, validate and link all data under `root`, and check that every page has a URL of its own; raise
    `DataErrors` listing every problem. Without `verification`, the records of data/verification/ are not read (the
    quote check, which rewrites them, must not be stopped by one it wrote badly)."""
    with paused_cyclic_gc():
        graph = link(load_all(root), root, verification=verification)
    check_paths(graph)
    return graph
