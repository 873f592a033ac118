"""Check all data without building the site: `python hooks/check.py`.

Prints every problem as `path:line:column: message` with a fix, and exits 1 if there is any.
`python hooks/check.py --write-schemas` regenerates the editor schemas in schemas/.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from microsite import check
from microsite.errors import DataErrors
from microsite.model import KINDS, json_schema

ROOT = Path(__file__).resolve().parent.parent


def schema_files() -> dict[str, str]:
    """File name → content of every editor schema, as the declarations define them."""
    return {f"{kind.name}.json": json.dumps(json_schema(kind), indent=2) + "\n" for kind in KINDS.values()}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--write-schemas"]:
        (ROOT / "schemas").mkdir(exist_ok=True)
        for name, content in schema_files().items():
            (ROOT / "schemas" / name).write_text(content, encoding="utf-8")
        return 0
    root = Path(argv[0]) if argv else ROOT
    try:
        graph = check(root)
    except DataErrors as errors:
        print(errors, file=sys.stderr)
        return 1
    print(f"data OK: {len(graph.entities)} entities, {sum(len(c) for c in graph.citations.values())} citations")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
