"""A framework-free core: load → validate → link → render research pages from YAML.

Nothing in this package imports MkDocs; `hooks/site.py` adapts MkDocs events to it.
"""

from __future__ import annotations

from pathlib import Path

from .graph import Graph, link
from .load import load_all


def check(root: Path) -> Graph:
    """Load, validate and link all data under `root`; raise `DataErrors` listing every problem."""
    return link(load_all(root), root)
