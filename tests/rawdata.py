"""The project's YAML read plainly with PyYAML, independent of the code under test."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # PyYAML's safe loader, in C where libyaml is built in


def entities(root: Path = ROOT) -> Iterator[tuple[str, dict]]:
    """(folder, data) for every data file."""
    for path in sorted((root / "data").glob("*/*.yml")):
        yield path.parent.name, yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)


@functools.lru_cache(maxsize=8)
def by_id(root: Path = ROOT) -> dict[str, tuple[str, dict]]:
    return {data["id"]: (folder, data) for folder, data in entities(root)}


def citations(node: object) -> Iterator[dict]:
    """Every citation mapping anywhere inside a data structure."""
    if isinstance(node, dict):
        if "source" in node and "quote" in node:
            yield node
        for value in node.values():
            yield from citations(value)
    elif isinstance(node, list):
        for item in node:
            yield from citations(item)
