"""Check all data without building the site: `python hooks/check.py`.

Prints every problem as `path:line:column: message` with a fix, and exits 1 if there is any.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from microsite import check  # noqa: E402
from microsite.errors import DataErrors  # noqa: E402


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent
    try:
        graph = check(root)
    except DataErrors as errors:
        print(errors, file=sys.stderr)
        return 1
    print(f"data OK: {len(graph.entities)} entities, {sum(len(c) for c in graph.citations.values())} citations")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
