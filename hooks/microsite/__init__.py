"""A framework-free core: load → validate → link → render research pages from YAML.

Nothing in this package imports MkDocs; `hooks/site.py` adapts MkDocs events to it.
"""

from __future__ import annotations

from pathlib import Path

from .graph import Graph, link
from .load import load_all, load_archives
from .memory import paused_cyclic_gc
from .pages import check_paths
from .verification import load_checks


def check(root: Path, *, verification: bool = True) -> Graph:
    """Load, validate and link all data under `root`, and check that every page has a URL of its own; raise
    `DataErrors` listing every problem. Without `verification`, the records of data/verification/ are not read (the
    quote check, which rewrites them, must not be stopped by one it wrote badly)."""
    with paused_cyclic_gc():
        entities = load_all(root)  # load: every file the build reads, read here and nowhere else
        archives, archive_errors = load_archives(root, entities)
        checks, check_errors = load_checks(root, {e.id: e for e in entities}) if verification else ({}, [])
        graph = link(entities, archives, checks, archive_errors + check_errors)
    check_paths(graph)
    return graph
