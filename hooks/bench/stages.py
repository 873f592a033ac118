"""Time each stage of the core in-process: `python -m bench.stages PROJECT [--floor DIR] [--profile N]`.

Prints one JSON object: seconds per stage (the best of `--repeat` passes) and the process's peak memory.
`load` and `link` are the `load_all` and `link` calls inside `microsite.check`, as the build makes them; `load`
parses and schema-validates, and a second pass splits it into `parse` (read, YAML compose, refusal of tags and
anchors: `load.compose`) and `validate` (the schema: `Record.convert`). `history` is `read_history` (git log, blobs,
each version parsed and compared; near zero without a git repository), `render` the pages with that history.
`exports` makes every download (`microsite.exports.files`), as the hook does.
As in the build, each page and download is handed on as it is made and then dropped (counted, and with `--floor DIR`
written into a plain MkDocs project, see `floor_project`); `render` and `exports` time the making only.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import inspect
import json
import os
import pstats
import re
import resource
import shutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import Any, TypeVar

import yaml

import microsite
from microsite import exports
from microsite.graph import Graph
from microsite.history import read_history
from microsite.load import KIND_BY_FOLDER, compose
from microsite.render import Page, Renderer, site_nav
from microsite.schema import Context

ROOT = Path(__file__).resolve().parents[2]
Item = TypeVar("Item")


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = perf_counter()
    result = call()
    return perf_counter() - start, result


def split_load(root: Path) -> dict[str, float]:
    """Seconds to parse all data files, and to schema-validate the parsed nodes, file by file as `load_all` does."""
    parse = validate = 0.0
    for path in sorted((root / "data").glob("*/*.yml")):
        rel, kind = path.relative_to(root).as_posix(), KIND_BY_FOLDER[path.parent.name]
        start = perf_counter()
        node = compose(path, rel)
        parsed = perf_counter()
        kind.record.convert(node, Context(rel))
        validate += perf_counter() - parsed
        parse += parsed - start
    return {"parse": parse, "validate": validate}


def renderer_options(root: Path) -> dict[str, Any]:
    """What hooks/site.py hands the renderer from mkdocs.yml (`extra.microsite.overview`), if it takes it."""
    config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    found = re.search(r"(?m)^extra:\n(?:[ \t].*\n)*?[ \t]+overview:[ \t]*([^\s#]+)", config)
    takes = "overview" in inspect.signature(Renderer).parameters
    return {"overview": found.group(1)} if found and takes else {}


def checked(root: Path) -> tuple[dict[str, Any], Graph]:
    """`microsite.check` as the build runs it (with whatever it does around them, e.g. pausing the cyclic GC),
    timing its `load_all` and `link` calls from inside."""
    times: dict[str, Any] = {}
    originals = microsite.load_all, microsite.link

    def timing(name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            times[f"{name}_gc"] = gc.isenabled()
            times[name], result = timed(lambda: call(*args, **kwargs))
            return result
        return timed_call

    microsite.load_all, microsite.link = timing("load", originals[0]), timing("link", originals[1])
    try:
        graph = microsite.check(root)
    finally:
        microsite.load_all, microsite.link = originals
    return times, graph


def downloads(root: Path, graph: Graph) -> Iterable[tuple[str, str]]:
    """Every download, as the hook makes them: named after mkdocs.yml's `site_name`, as of SOURCE_DATE_EPOCH."""
    found = re.search(r"(?m)^site_name:.*$", (root / "mkdocs.yml").read_text(encoding="utf-8"))
    producer = yaml.safe_load(found.group(0))["site_name"] if found else ""
    return exports.files(graph, producer, exports.as_of(graph, os.environ.get("SOURCE_DATE_EPOCH")))


_END = object()


def making_time(items: Iterable[Item], take: Callable[[Item], None]) -> float:
    """Seconds spent making the items, each handed to `take` and dropped once made, as the build hands each page to
    MkDocs and writes each download: the time of `take` is not counted."""
    spent, made = 0.0, iter(items)
    while True:
        start = perf_counter()
        item = next(made, _END)
        spent += perf_counter() - start
        if item is _END:
            return spent
        take(item)


@dataclass
class Tally:
    """What a pass made, counted item by item; with `floor`, each page and download is also written there."""

    floor: Path | None = None
    pages: int = 0
    markdown_bytes: int = 0
    download_bytes: int = 0

    def page(self, page: Page) -> None:
        self.pages += 1
        self.markdown_bytes += self._write(page.path, page.markdown)

    def download(self, file: tuple[str, str]) -> None:
        self.download_bytes += self._write(*file)

    def _write(self, path: str, text: str) -> int:
        data = text.encode("utf-8")
        target = self.floor / "docs" / path if self.floor else None
        if target and not target.exists():  # a hand-written page wins, as in hooks/site.py
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)  # as written: no newline translation
        return len(data)


def one_pass(root: Path, tally: Tally) -> tuple[dict[str, float], Graph]:
    options = renderer_options(root)
    history_time, history = timed(lambda: read_history(root))  # as the build reads it: before the data is loaded
    times, graph = checked(root)
    times["history"] = history_time
    gc.freeze()  # as the build does once the data is linked (hooks/site.py, on_files)
    start, renderer = timed(lambda: Renderer(graph, history=history, **options))
    times["render"] = start + making_time(renderer.pages(), tally.page)
    times["exports"] = making_time(downloads(root, graph), tally.download)
    gc.unfreeze()
    paused = not times.pop("load_gc", True)
    times.pop("link_gc", None)
    if paused:  # split the load under the same conditions
        gc.disable()
    try:
        times.update(split_load(root))
    finally:
        gc.enable()
    return times, graph


def measure(root: Path, repeat: int = 1, floor: Path | None = None) -> dict[str, Any]:
    """The best time of each stage over `repeat` passes, the counts, and the peak memory of this process; the first
    pass writes the floor project, if asked."""
    best: dict[str, float] = {}
    for number in range(repeat):
        tally = Tally(floor if number == 0 else None)
        times, graph = one_pass(root, tally)
        best = {k: min(v, best.get(k, v)) for k, v in times.items()}
    counts = {"entities": len(graph.entities), "pages": tally.pages, "citations": sum(map(len, graph.citations.values())),
              "markdown_mb": tally.markdown_bytes / 2**20, "downloads_mb": tally.download_bytes / 2**20}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {**best, **counts, "peak_mb": peak}


def floor_config(config: str, folders: list[str]) -> str:
    """Our mkdocs.yml for MkDocs alone: no `hooks:`, no `edit_uri` (the hook drops it without a repo_url),
    the sidebar entries the hook adds, and `not_in_nav` for entity pages, which the hook marks so."""
    config = re.sub(r"(?m)^hooks:\n(?:[ \t]+.*\n|[ \t]*\n)*", "", config)
    config = re.sub(r"(?m)^edit_uri:.*\n", "", config)
    generated = "".join(f"  - {title}: {path}\n" for item in site_nav() for title, path in item.items())
    config = re.sub(r"(?m)^nav:\n", lambda _: f"nav:\n{generated}", config)  # the entries the hook adds
    patterns = "".join(f"  /{folder}/*.md\n  !/{folder}/index.md\n" for folder in folders)
    return f"{config.rstrip()}\nnot_in_nav: |\n{patterns}"


def floor_project(project: Path, floor: Path) -> None:
    """A second project that MkDocs builds without our hook: the same hand-written pages and configuration; the
    pass writes the rendered pages and the downloads into it (`Tally`)."""
    shutil.rmtree(floor, ignore_errors=True)
    shutil.copytree(project / "docs", floor / "docs")
    if (project / "overrides").is_dir():  # the theme's custom_dir
        shutil.copytree(project / "overrides", floor / "overrides")
    for folder in ("data", "seeds", "hooks"):  # mkdocs.yml's `watch:` paths must exist
        (floor / folder).mkdir()
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    (floor / "mkdocs.yml").write_text(floor_config(config, sorted(KIND_BY_FOLDER)), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stages", description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--repeat", type=int, default=1, help="passes; each stage reports its best")
    parser.add_argument("--floor", type=Path, help="also write the rendered pages as a plain MkDocs project here")
    parser.add_argument("--profile", type=int, metavar="N", help="profile one pass; print the top N functions by cumulative time")
    args = parser.parse_args(argv)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(one_pass, args.project, Tally())
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(args.profile)
        return 0
    if args.floor:
        floor_project(args.project, args.floor)
    print(json.dumps(measure(args.project, args.repeat, args.floor)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
