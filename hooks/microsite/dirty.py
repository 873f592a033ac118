"""What `mkdocs serve --dirty` carries from one build to the next: pages' Markdown, and what to take back.

A dirty rebuild skips pages whose Markdown did not change. The record of the previous build is committed only
when a build succeeds, so a failed rebuild and its fix never leave a page with stale content; pages that are
gone (an entity deleted or renamed) are taken out of the site folder and out of the search index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DirtyBuilds:
    """The Markdown of each generated page in the last successful build, and this build's until it succeeds."""

    previous: dict[str, str] = field(default_factory=dict)
    current: dict[str, str] = field(default_factory=dict)

    def unchanged(self, path: str, markdown: str) -> bool:
        """Note a page of this build; True if the last successful build had the same Markdown for it."""
        self.current[path] = markdown
        return self.previous.get(path) == markdown

    def gone(self) -> list[str]:
        """Pages of the last successful build that this build no longer has."""
        return sorted(set(self.previous) - set(self.current))

    def succeeded(self) -> None:
        self.previous, self.current = self.current, {}

    def failed(self) -> None:
        """Forget the last build too: after a failure, every page is rendered again."""
        self.previous, self.current = {}, {}


def prune_search_index(previous: list[dict[str, Any]], rendered: set[str], published: set[str]) -> list[dict[str, Any]]:
    """The search entries of the previous build that a dirty rebuild may keep.

    Material's search plugin adds the entries of the pages rendered now to those of the previous build; keep
    only the entries of pages that are still published and were not rendered again. Pages are compared by
    location without the fragment.
    """
    return [e for e in previous if (page := e["location"].partition("#")[0]) not in rendered and page in published]
