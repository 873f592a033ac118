"""A small HTML reader for tests: ids, links and text of a built page (stdlib only)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path


@dataclass
class Html:
    """What the tests read from one built page."""

    path: Path
    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)
    text: str = ""
    article_text: str = ""
    scripts: list[str] = field(default_factory=list)
    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    _targets: set[Path | None] | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, path: Path) -> Html:
        """Read a built page (cached: a built site does not change during a test session)."""
        return _parse(path)

    @classmethod
    def _read(cls, path: Path) -> Html:
        reader = _Reader()
        reader.feed(path.read_text(encoding="utf-8"))
        return cls(path, reader.ids, reader.links, " ".join("".join(reader.chunks).split()),
                   " ".join("".join(reader.article).split()), reader.scripts, reader.tags)

    def links_to(self, site: Path, target: Path) -> bool:
        """True if any link on this page resolves to the file `target`."""
        if self._targets is None:
            self._targets = {resolve(site, self.path, href)[0] for href in self.links}
        return target.resolve() in self._targets


@functools.lru_cache(maxsize=4096)
def _parse(path: Path) -> Html:
    return Html._read(path)


def resolve(site: Path, page: Path, href: str) -> tuple[Path | None, str]:
    """The file and fragment a relative link of `page` points to (None for external links)."""
    if "://" in href or href.startswith(("mailto:", "javascript:", "data:")):
        return None, ""
    path, _, fragment = href.partition("#")
    if not path:
        return page, fragment
    target = (page.parent / path).resolve()
    if target.is_dir() or path.endswith("/"):
        target = target / "index.html"
    return target, fragment


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.chunks: list[str] = []
        self.article: list[str] = []
        self.scripts: list[str] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self._in_article = 0
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        for key in ("href", "src"):
            if key in values and tag in ("a", "img", "script", "link", "iframe", "source"):
                self.links.append(values[key])
        if tag == "article":
            self._in_article += 1
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._in_article -= 1
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._skip:
            if self.lasttag == "script":
                self.scripts.append(data)
            return
        self.chunks.append(data)
        if self._in_article:
            self.article.append(data)
