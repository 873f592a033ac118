"""What `mkdocs build` has other processes do beside MkDocs (`microsite.stream`, forked by `hooks/site.py`): the
rendering process collects the history read ahead, renders the pages MkDocs will ask for, in its order, then writes
the feed and the downloads into the site folder itself, so that the build process never holds them; the previous
build's output is set aside at once and deleted on the side, instead of by MkDocs before it builds."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import glob
import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from . import exports
from .history import History
from .render import Renderer
from .stream import Job, Pending

WRITTEN = "\0written"  # the key under which the rendering process reports the feed and the downloads written
Settings = tuple[str, dt.datetime, str | None]  # what the downloads say of themselves: producer, moment, site URL


def rendering_jobs(renderer: Renderer, history: History | Pending | None, pages: set[str], elsewhere: dict[str, str],
                   settings: Settings, missing: Callable[[str], None]) -> Iterator[Job]:
    """The rendering process's work, in order (called there): `pages` (Markdown paths) in the order of
    `Renderer.plans()`, those that show the history once it has arrived (`missing` is told why there is none, and
    may raise `stream.Failure`), then the files of `elsewhere` (site path → file) written."""
    yield from ((plan.path, plan.make) for plan in renderer.plans() if plan.path in pages and not plan.history)
    complete = renderer
    if isinstance(history, Pending):
        read = history.result()
        if not read.available:
            missing(read.reason)
        complete = renderer.with_history(read)
    yield from ((plan.path, plan.make) for plan in complete.plans() if plan.path in pages and plan.history)
    yield WRITTEN, functools.partial(write_elsewhere, complete, elsewhere, settings)


def write_elsewhere(renderer: Renderer, elsewhere: dict[str, str], settings: Settings) -> str:
    """Write each non-page output (the feed) and each download named in `elsewhere` to its file, one at a time."""
    made = ((plan.path, plan.make()) for plan in renderer.plans() if plan.path in elsewhere)
    for path, text in itertools.chain(made, exports.files(renderer.graph, *settings)):
        if path in elsewhere:
            target = Path(elsewhere[path])
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    return ""


def set_aside(site: Path) -> Path | None:
    """Move what MkDocs would delete before building (every entry of `site` but hidden ones, and links to folders,
    which its deletion cannot remove) into a hidden folder beside `site`, so that no output ever holds it; with it,
    what a stopped build left there. Return that folder, for deleting beside the build (None: nothing to delete).
    An entry that cannot be moved stays, and MkDocs deletes it as usual."""
    if site.is_symlink() or not site.is_dir():
        return None
    prefix = f".{site.name}.old-build-"
    names = [name for name in os.listdir(site)
             if not name.startswith(".") and not ((site / name).is_symlink() and (site / name).is_dir())]
    leftovers = [path for path in site.parent.glob(f"{glob.escape(prefix)}*") if not path.is_symlink() and path.is_dir()]
    if not names and not leftovers:
        return None
    aside = site.parent / f"{prefix}{os.getpid()}"
    aside.mkdir(exist_ok=True)
    for source in [*(site / name for name in names), *(path for path in leftovers if path != aside)]:
        with contextlib.suppress(OSError):  # left where it is: MkDocs deletes it (a leftover: the next build)
            os.rename(source, aside / source.name)
    return aside
