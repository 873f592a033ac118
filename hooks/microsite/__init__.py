"""A framework-free core: load → validate → link → render research pages from YAML.

Nothing in this package imports MkDocs; `hooks/site.py` adapts MkDocs events to it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .graph import Graph, link
from .load import load_all


def check(root: Path, *, verification: bool = True) -> Graph:
    """Load, validate and link all data under `root`, and check that every page has a URL of its own; raise
    `DataErrors` listing every problem. Without `verification`, the records of data/verification/ are not read (the
    quote check, which rewrites them, must not be stopped by one it wrote badly)."""
    from .render import check_paths  # here: render needs the history module, which needs this package

    with paused_cyclic_gc():
        graph = link(load_all(root), root, verification=verification)
    check_paths(graph)
    return graph


@contextmanager
def paused_cyclic_gc() -> Iterator[None]:
    """For work that allocates many objects and no garbage cycles (loading, reading the history, making the
    downloads): collecting during it walks every object again and again, which made its time superlinear."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
