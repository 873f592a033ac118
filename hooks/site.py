"""MkDocs adapter: the only module that knows MkDocs. It hands MkDocs events to the `microsite` core.

- `on_startup`: note whether MkDocs runs `--dirty`; then pages whose Markdown did not change since the
  previous successful build of this `serve` session are skipped, so a rebuild after one edit renders only what changed.
- `on_config`: without a `repo_url` there are no edit links (and no warning about them).
- `on_pre_build` (every build and every `serve` rebuild): load, validate and link `data/`; check that no two
  pages or redirects share a URL; read the git history of `data/` (`microsite.history`), kept between `serve`
  rebuilds until HEAD moves. Without a history the pages say so; with `REQUIRE_HISTORY=1` the build fails instead.
- `on_files`: add the rendered pages and the Atom feed as generated files; entity pages stay out of the sidebar and
  link to their YAML file for editing. Add the downloads (`microsite.exports`) as generated files too, so that
  strict mode and the link check see them.
- `on_post_build`: write redirect stubs at the former URLs of renamed or merged entities (never over a page);
  in a dirty rebuild, take deleted pages out of the site and the search index.
- `on_build_error`: a failed build leaves no record for the next dirty rebuild to trust.
- `on_env`: the theme writes each page's Content-Security-Policy (`microsite.csp.ThemePolicy`).
- `on_post_page`, `on_post_template`: a page holding script the theme did not write fails the build
  (`microsite.csp.check_page`).

`mkdocs build` does our work beside MkDocs' own, on the second core (`microsite.stream`): the history is read by a
process forked as the data starts loading; a rendering process, forked once the data is linked, renders the pages in
the order MkDocs reads them (those that show the history last, so that they are reached once it has been read),
writes the feed and the downloads into the site folder, and then writes the pages MkDocs hands it back
(`on_post_page`). The output is the same byte for byte.
`serve` does all of it in its own process, as it always has.

A data mistake becomes one `PluginError` listing every problem: no traceback, and no site is written."""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

# MkDocs puts this file's folder, hooks/, on the import path while it loads the hook: the one import root.
from microsite import check, exports
from microsite.build import WRITTEN, Settings, rendering_jobs, set_aside
from microsite.csp import ForeignScript, ThemePolicy, check_page
from microsite.dirty import DirtyBuilds, prune_search_index
from microsite.errors import DataErrors
from microsite.history import History, HistoryCache, read_history, unavailable
from microsite.render import Publication, Renderer, site_nav
from microsite.stream import Failure, Pending, Stream

log = logging.getLogger("mkdocs.hooks.microsite")


@dataclass
class _State:
    """What the hooks share within one build, and across the rebuilds of one `serve --dirty` session."""

    dirty: bool = False
    building: bool = False  # `mkdocs build`: another process reads the history, renders and writes (below)
    stream: Stream | None = None
    history: History | Pending | None = None
    written: bool = False  # the rendering process has written the downloads and the feed
    handed: set[str] = field(default_factory=set)  # pages the rendering process writes: MkDocs skips them
    deleting: Pending | None = None  # the previous build's output, being deleted beside this build
    options: MicrositeConfig | None = None
    renderer: Renderer | None = None
    files: Files | None = None
    rendered: set[str] = field(default_factory=set)
    builds: DirtyBuilds = field(default_factory=DirtyBuilds)
    histories: HistoryCache = field(default_factory=HistoryCache)


_state = _State()


class _StreamedFile(File):
    """A generated page whose Markdown a second process renders while MkDocs works on the pages before it."""

    @property
    def content_string(self) -> str:
        return _result(self.src_uri)

    @property
    def content_bytes(self) -> bytes:
        return self.content_string.encode()


class _WrittenElsewhereFile(File):
    """A download or the feed, which the rendering process writes into the site folder itself: MkDocs knows it (links
    to it are checked) but does not copy it, and so never holds its text."""

    def copy_file(self, dirty: bool = False) -> None:
        if not _state.written:
            _result(WRITTEN)  # waits until the rendering process has written them all
            _state.written = True


def _result(key: str) -> str:
    """What the rendering process sent under `key`, once it has; its failure as a build error."""
    with _reported(f"rendering {key.strip(chr(0))}"):
        return _state.stream.get(key)


@contextlib.contextmanager
def _reported(what: str) -> Iterator[None]:
    """A failure of the other processes as a build error: an expected one in its own words, else with the trace."""
    try:
        yield
    except Failure as failure:
        raise PluginError(str(failure)) from None
    except RuntimeError as error:
        raise PluginError(f"{what} failed:\n{error}") from None


class _UnchangedFile(File):
    """A generated page whose Markdown is the same as in the previous build: `--dirty` may skip it."""

    def is_modified(self) -> bool:
        return False


def on_startup(command: str, dirty: bool) -> None:
    _state.dirty = dirty
    _state.building = command == "build" and not dirty  # serve keeps one process (its server threads, dirty records)
    logging.getLogger("mkdocs.commands.build").addFilter(_not_handed)


def _not_handed(record: logging.LogRecord) -> bool:
    """Drop MkDocs' note that it skipped writing a page that the rendering process writes instead."""
    message = record.getMessage()
    return not (message.startswith("Page skipped: '") and message[len("Page skipped: '"):].split("'", 1)[0] in _state.handed)


class MicrositeConfig(Config):
    """`extra.microsite` in mkdocs.yml; unknown keys are errors."""

    overview = c.Optional(c.Type(str))  # the id of the event whose summary and facts open the home page
    history_uri = c.Optional(c.Type(str))  # a file's history on the forge, relative to repo_url: 'commits/main/'


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    _state.building = _state.building and not _serving(config)  # `serve --clean` starts as a build
    if not config.repo_url:
        config.edit_uri = None
    _state.options = _microsite_options(config)
    config.nav = [*site_nav(), *(config.nav or [])]  # home, the kinds' indexes and site pages; then mkdocs.yml's
    return config


def _microsite_options(config: MkDocsConfig) -> MicrositeConfig:
    options = MicrositeConfig()
    options.load_dict(dict(config.extra.get("microsite") or {}))
    errors, warnings = options.validate()
    problems = [f"{key}: {error}" for key, error in [*errors, *warnings]]
    if problems:
        raise PluginError("mkdocs.yml, extra.microsite: " + "; ".join(map(str, problems)))
    return options


def on_pre_build(config: MkDocsConfig) -> None:
    _state.renderer, _state.files, _state.written = None, None, False
    _state.rendered.clear()
    _state.handed.clear()
    root = Path(config.config_file_path).parent
    try:
        _state.history = _history(root)  # in `mkdocs build`, read by another process while the data loads here
        graph = check(root)
        history = _state.history if isinstance(_state.history, History) else None
        renderer = Renderer(graph, overview=_state.options.overview, history=history, publication=_publication(config))
    except DataErrors as errors:
        raise PluginError(f"the data has errors:\n{errors}") from None
    except ValueError as error:
        raise PluginError(f"mkdocs.yml, extra.microsite.overview: {error}") from None
    except Failure as failure:
        raise PluginError(str(failure)) from None
    _state.renderer = renderer
    if _state.building and (aside := set_aside(Path(config.site_dir))):  # the data is sound: away with the old site
        _state.deleting = Pending(functools.partial(shutil.rmtree, aside, True))


def _history(root: Path) -> History | Pending:
    """The git history of data/: in `mkdocs build`, a `Pending` read by another process (the rendering process
    collects it); in `serve`, read here and kept until HEAD moves. None available: a `History` that says why."""
    reason = unavailable(root) if _state.building else None
    if _state.building and reason is None:
        return Pending(functools.partial(read_history, root))
    history = History(reason=reason) if reason else _state.histories.get(root)
    if not history.available:
        _no_history(history.reason)
    return history


def _no_history(reason: str) -> None:
    if os.environ.get("REQUIRE_HISTORY") == "1":
        raise Failure(f"REQUIRE_HISTORY=1, but the git history of data/ cannot be read: {reason}; "
                      "check out the full history (fetch-depth: 0)")
    log.info("microsite: no git history (%s); pages say that no history is available", reason)


def _publication(config: MkDocsConfig) -> Publication:
    """Where the site is published: its address, the repository's history links, the date of a feed without history."""
    forge = None
    if config.repo_url and _state.options.history_uri:
        forge = f"{config.repo_url.rstrip('/')}/{_state.options.history_uri.lstrip('/')}"
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return Publication(config.site_name, config.site_url or "", forge, int(epoch) if epoch.isdigit() else 0)


@event_priority(50)  # before plugins that snapshot `files` in their own on_files
def on_files(files: Files, config: MkDocsConfig) -> Files:
    assert _state.renderer is not None
    plans = []
    for plan in _state.renderer.plans():
        written = files.get_file_from_path(plan.path)
        if written is not None:  # a hand-written page in docs/ wins, and takes the generated page's place in the nav
            if not plan.in_nav:
                written.inclusion = InclusionLevel.NOT_IN_NAV
        else:
            plans.append(plan)
    elsewhere: dict[str, str] = {}  # site path → file: what the rendering process writes itself
    for plan in plans:
        if _state.building:  # MkDocs reads pages through `content_string`; the rendering process writes the feed
            kind, markdown = (_StreamedFile if plan.path.endswith(".md") else _WrittenElsewhereFile), ""
        else:
            markdown = plan.make()
            kind = _UnchangedFile if _state.dirty and _state.builds.unchanged(plan.path, markdown) else File
        file = kind.generated(config, plan.path, content=markdown,
                              inclusion=InclusionLevel.UNDEFINED if plan.in_nav else InclusionLevel.NOT_IN_NAV)
        if plan.source:
            file.edit_uri = f"../{plan.source}"  # relative to edit_uri, which points at docs/
        if kind is _WrittenElsewhereFile:
            elsewhere[plan.path] = file.abs_dest_path
        files.append(file)
    elsewhere.update(_add_downloads(files, config))
    if _state.building:
        pages = {plan.path for plan in plans if plan.path.endswith(".md")}
        make = functools.partial(rendering_jobs, _state.renderer, _state.history, pages, elsewhere,
                                 _export_settings(config), _no_history)
        # The graph lives as long as this one build: exempt it from cyclic garbage collection, which would otherwise
        # walk all of it again and again in both processes (and copy the child's shared pages in doing so).
        gc.freeze()
        _state.stream = Stream(make)
        if isinstance(_state.history, Pending):
            _state.history.release()  # the rendering process reads it
    _state.files = files
    return files


def _export_settings(config: MkDocsConfig) -> Settings:
    """What the downloads say of themselves: producer, the moment they describe, the site's address."""
    moment = exports.as_of(_state.renderer.graph, os.environ.get("SOURCE_DATE_EPOCH"))
    return config.site_name, moment, None if _serving(config) else config.site_url


def _add_downloads(files: Files, config: MkDocsConfig) -> dict[str, str]:
    """Add every download to `files`; in `mkdocs build`, as files the rendering process writes (returned)."""
    graph = _state.renderer.graph
    if _state.building:
        added = [_WrittenElsewhereFile.generated(config, path, content="") for path in exports.paths(graph)
                 if files.get_file_from_path(path) is None]
        for file in added:
            files.append(file)
        return {file.src_uri: file.abs_dest_path for file in added}
    for path, content in exports.files(graph, *_export_settings(config)):
        if files.get_file_from_path(path) is None:
            if _state.dirty:  # noted, so that a dirty rebuild takes away the downloads of a deleted entity
                _state.builds.unchanged(path, "")
            files.append(File.generated(config, path, content=content))
    return {}


def on_page_context(context: dict, page: Page, config: MkDocsConfig, nav: object) -> dict:
    _state.rendered.add(page.url)
    return context


@event_priority(100)  # before the search plugin merges this build's index with the previous one
def on_post_build(config: MkDocsConfig) -> None:
    assert _state.renderer is not None and _state.files is not None
    _close_stream()
    site = Path(config.site_dir)
    if _state.dirty:
        _forget_gone_pages(config, site)
    taken = {file.dest_uri for file in _state.files}
    for old_path, entity in _state.renderer.redirects():
        old = File.generated(config, old_path, content="")
        if old.dest_uri in taken:
            raise PluginError(f"the redirect from {old_path} to {entity.path} would replace a page; "
                              f"remove the hand-written page or the former id in {entity.location.path}")
        new = File.generated(config, entity.path, content="")
        stub = site / old.dest_uri
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text(_state.renderer.redirect_html(new.url_relative_to(old), entity.name), encoding="utf-8")
    _state.builds.succeeded()


def on_build_error(error: Exception) -> None:
    _state.builds.failed()
    with contextlib.suppress(PluginError):  # the build failed already; its own error is the one to show
        _close_stream(aborting=True)


def _close_stream(aborting: bool = False) -> None:
    """Wait for the processes of `mkdocs build`: the rendering one (every page written; stopped where it is when
    `aborting`), the history reader, and the deletion of the previous build's output."""
    stream, _state.stream = _state.stream, None
    history, _state.history = _state.history, None
    deleting, _state.deleting = _state.deleting, None
    try:
        if stream is not None:
            gc.unfreeze()
            with _reported("rendering the pages"):
                stream.abort() if aborting else stream.close()
    finally:
        if isinstance(history, Pending):
            history.close()
        if isinstance(deleting, Pending):
            deleting.result()  # done long ago, unless the build was quick (where there is no fork: done here)
            deleting.close()


def _forget_gone_pages(config: MkDocsConfig, site: Path) -> None:
    """A dirty rebuild keeps the site folder and the search index: take out what deleted or renamed entities left."""
    for path in _state.builds.gone():
        (site / File.generated(config, path, content="").dest_uri).unlink(missing_ok=True)
    # Material keeps the last index for dirty rebuilds and merges it with this build's entries, assuming one page
    # changed (its merge drops every old entry when the home page is among those rendered). Merge here instead.
    search = config.plugins.get("material/search")
    index, previous = getattr(search, "search_index", None), getattr(search, "search_index_prev", None)
    if index is not None and previous is not None:
        published = {file.url for file in _state.files.documentation_pages()}
        index.entries = prune_search_index(previous.entries, _state.rendered, published) + index.entries
        search.search_index_prev = None


# Every built page carries its Content-Security-Policy (GitHub Pages sends no headers); hooks/microsite/csp.py.
# Not under `mkdocs serve`, which points site_url at itself: its live-reload script is inline and new per request.
def _serving(config: MkDocsConfig) -> bool:
    return (config.site_url or "").startswith(f"http://{config.dev_addr.host}:{config.dev_addr.port}/")


def on_env(env: Environment, config: MkDocsConfig, files: Files) -> Environment:
    if not _serving(config):
        env.globals["content_security_policy"] = ThemePolicy(env, config)  # overrides/main.html writes it
    return env


def _checked(html: str, where: str, url: str, config: MkDocsConfig) -> str:
    """The page, once it is found to hold no script that the theme did not write."""
    if not _serving(config):
        try:
            check_page(html, where, url=url, site_url=config.site_url)
        except ForeignScript as error:
            raise PluginError(str(error)) from None
    return html


@event_priority(-100)  # last: the page as every plugin left it
def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """In `mkdocs build` the rendering process, idle by now, writes the page: MkDocs skips an empty page (its note
    of that is dropped, `_not_handed`)."""
    _checked(output, page.file.src_uri, page.url, config)
    if _state.stream is None or not output.strip():
        return output
    with _reported(f"writing {page.file.src_uri}"):
        _state.stream.write(page.file.abs_dest_path, output)
    _state.handed.add(page.file.src_uri)
    return ""


def on_post_template(output_content: str, template_name: str, config: MkDocsConfig) -> str:
    """404.html is a theme template, not a page."""
    return _checked(output_content, template_name, template_name, config) if template_name.endswith(".html") \
        else output_content
