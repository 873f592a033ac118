"""The passages of README.md and the editing guide that list what the model declares, generated from it.

Each such passage sits between two markers, `<!-- name -->` and `<!-- /name -->`, and is rewritten from the
declarations in `microsite.model`, as Datasette generates parts of its documentation from its code (cog). `make docs`
rewrites them; `python hooks/docgen.py --check` names the stale ones and changes nothing (a test runs the check).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

from microsite.model import KINDS, Kind

ROOT = Path(__file__).resolve().parents[1]
FILES = ("README.md", "docs/contributing.md")  # the files with generated passages, from the project root
COMMAND = "make docs"  # what rewrites them
_REGION = re.compile(r"<!-- (?P<name>[a-z][a-z-]*) -->(?P<body>.*?)<!-- /(?P=name) -->", re.S)


def kind_folders() -> str:
    """The kinds' folders in data/, in declaration order, for a sentence: `actors`, `organizations`, …"""
    return ", ".join(f"`{kind.plural}`" for kind in KINDS.values())


def _stix_types(kind: Kind) -> str:
    """The STIX object a kind's entities become, and the other objects some values of a choice field give."""
    default = kind.stix.default.type
    others = [f"`{stix.type}` where `{kind.stix.by}` is `{value}`" for value, stix in kind.stix.types.items()
              if stix.type != default]
    return "; ".join([f"`{default}`", *others])


def kinds_table() -> str:
    """One row per kind: its folder, what one of its files holds, and what STIX 2.1 object it is exported as."""
    rows = ["| Folder | One file holds | In STIX 2.1 |", "| --- | --- | --- |"]
    rows += [f"| `data/{kind.plural}/` | {kind.help.replace('|', '&#124;')} | {_stix_types(kind)} |"
             for kind in KINDS.values()]
    return "\n" + "\n".join(rows) + "\n"


GENERATORS: dict[str, Callable[[], str]] = {"kinds": kind_folders, "kinds-table": kinds_table}


class UnknownRegion(ValueError):
    """A marked passage whose name has no generator (a typo in a marker, or a generator removed)."""


def regenerate(text: str) -> str:
    """`text` with every marked passage rewritten from the declarations."""
    def rewrite(match: re.Match[str]) -> str:
        name = match["name"]
        if name not in GENERATORS:
            raise UnknownRegion(f"no generator for the passage marked <!-- {name} -->; known: {', '.join(GENERATORS)}")
        return f"<!-- {name} -->{GENERATORS[name]()}<!-- /{name} -->"
    return _REGION.sub(rewrite, text)


def stale(root: Path | None = None) -> list[str]:
    """The files (from `root`, else the project's) whose generated passages no longer match the declarations."""
    root = root or ROOT
    return [name for name in FILES if regenerate(text := (root / name).read_text(encoding="utf-8")) != text]


def write(root: Path | None = None) -> list[str]:
    """Rewrite every stale file; the files rewritten."""
    root = root or ROOT
    rewritten = stale(root)
    for name in rewritten:
        path = root / name
        path.write_text(regenerate(path.read_text(encoding="utf-8")), encoding="utf-8")
    return rewritten


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python hooks/docgen.py", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only name the stale files; exit 1 if there are any")
    args = parser.parse_args(argv)
    if args.check:
        found = stale()
        for name in found:
            print(f"{name}: generated passages are stale; run `{COMMAND}`")
        return 1 if found else 0
    for name in write():
        print(f"rewrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
