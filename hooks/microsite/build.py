"""What `mkdocs build` has its rendering process do beside MkDocs (`microsite.stream`, forked by `hooks/site.py`):
collect the history read ahead, render the pages MkDocs will ask for, in its order, then write the feed and the
downloads into the site folder itself, so that the build process never holds them."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Callable
from pathlib import Path

from . import exports
from .history import History
from .render import Renderer
from .stream import Job, Pending

WRITTEN = "\0written"  # the key under which the rendering process reports the feed and the downloads written
Settings = tuple[str, dt.datetime, str | None]  # what the downloads say of themselves: producer, moment, site URL


def rendering_jobs(renderer: Renderer, history: History | Pending | None, pages: set[str], elsewhere: dict[str, str],
                   settings: Settings, missing: Callable[[str], None]) -> list[Job]:
    """The rendering process's work, in order (called there): `pages` (Markdown paths) rendered with the history
    once it has arrived (`missing` is told why there is none, and may raise `stream.Failure`), then the files of
    `elsewhere` (site path → file) written."""
    if isinstance(history, Pending):
        read = history.result()
        if not read.available:
            missing(read.reason)
        renderer = renderer.with_history(read)
    jobs: list[Job] = [(plan.path, plan.make) for plan in renderer.plans() if plan.path in pages]
    return [*jobs, (WRITTEN, functools.partial(write_elsewhere, renderer, elsewhere, settings))]


def write_elsewhere(renderer: Renderer, elsewhere: dict[str, str], settings: Settings) -> str:
    """Write each non-page output (the feed) and each download named in `elsewhere` to its file, one at a time."""
    made = ((plan.path, plan.make()) for plan in renderer.plans() if plan.path in elsewhere)
    for path, text in itertools.chain(made, exports.files(renderer.graph, *settings)):
        if path in elsewhere:
            target = Path(elsewhere[path])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return ""
