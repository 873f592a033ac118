"""MkDocs adapter: the only module that knows MkDocs. It hands MkDocs events to the `microsite` core, in MkDocs' own
process: every generated file is an ordinary `File` with its content, which MkDocs and any plugin may read any
number of times, in any order.

- `on_startup`: note the command (`serve` or a build) and whether it runs `--dirty`; then pages whose Markdown did not
  change since the previous successful build of this `serve` session are skipped, so a rebuild after one edit renders
  only what changed.
- `on_config`: without a `repo_url` there are no edit links (and no warning about them); the sidebar starts with the
  generated pages.
- `on_pre_build` (every build and every `serve` rebuild): take the site folder for this build (a second build into
  the same folder fails at once); load, validate and link `data/`; check that no two pages or redirects share a URL;
  read the git history of `data/` (kept between `serve` rebuilds until HEAD moves). Without a history the pages say
  so; with `REQUIRE_HISTORY=1` the build fails instead.
- `on_files`: add the rendered pages, the Atom feed and the downloads as generated files; entity pages stay out of
  the sidebar and link to their YAML file for editing. Every output path must lie inside the site folder.
- `on_post_build`: write redirect stubs at the former URLs of renamed or merged entities (never over a page);
  in a dirty rebuild, take deleted pages out of the site and the search index.
- `on_build_error`: a failed build leaves no record for the next dirty rebuild to trust.
- `on_env`: the theme writes each page's Content-Security-Policy (`microsite.csp.ThemePolicy`).
- `on_post_page`, `on_post_template`: a page holding script the theme did not write fails the build
  (`microsite.csp.check_page`).
- `on_serve`: the development server answers only requests addressed to it (`Host`), not a rebinding DNS name.

A data mistake becomes one `PluginError` listing every problem: no traceback, and MkDocs has not cleaned the site
folder yet (that happens after `on_pre_build`). `make build` builds into a fresh folder and swaps it in only when
it is whole."""

from __future__ import annotations

import datetime
import fcntl
import gc
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
from microsite.csp import ForeignScript, ThemePolicy, check_page
from microsite.dirty import DirtyBuilds, prune_search_index
from microsite.errors import DataErrors
from microsite.gitlog import remedy
from microsite.history import History, HistoryCache
from microsite.output import inside
from microsite.pages import site_nav
from microsite.render import Publication, Renderer
from microsite.styles import STYLESHEET, kind_styles

log = logging.getLogger("mkdocs.hooks.microsite")


@dataclass
class _State:
    """What the hooks share within one build, and across the rebuilds of one `serve --dirty` session."""

    dirty: bool = False
    serving: bool = False  # `mkdocs serve`: its live-reload script is inline and new per request (no CSP)
    options: MicrositeConfig | None = None
    renderer: Renderer | None = None
    files: Files | None = None
    lock: int | None = None  # the site folder's descriptor, locked for this build
    rendered: set[str] = field(default_factory=set)
    builds: DirtyBuilds = field(default_factory=DirtyBuilds)
    histories: HistoryCache = field(default_factory=HistoryCache)


_state = _State()


class _UnchangedFile(File):
    """A generated page whose Markdown is the same as in the previous build: `--dirty` may skip it."""

    def is_modified(self) -> bool:
        return False


def on_startup(command: str, dirty: bool) -> None:
    _state.dirty = dirty
    _state.serving = command == "serve"


class MicrositeConfig(Config):
    """`extra.microsite` in mkdocs.yml; unknown keys are errors."""

    overview = c.Optional(c.Type(str))  # the id of the event whose summary and facts open the home page
    history_uri = c.Optional(c.Type(str))  # a file's history on the forge, relative to repo_url: 'commits/main/'
    published = c.Optional(c.Type(datetime.date))  # the day the site was first published: later changes are shown


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if not config.repo_url:
        config.edit_uri = None
    _state.options = _microsite_options(config)
    config.nav = [*site_nav(), *(config.nav or [])]  # home, the kinds' indexes and site pages; then mkdocs.yml's
    if STYLESHEET not in config.extra_css:
        config.extra_css.append(STYLESHEET)  # after site.css: the kinds' diagram colours, written in on_files
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
    _state.renderer, _state.files = None, None
    _state.rendered.clear()
    _state.lock = _lock_site(Path(config.site_dir))
    root = Path(config.config_file_path).parent
    try:
        graph = check(root)
        history = _history(root)
        _state.renderer = Renderer(graph, overview=_state.options.overview, history=history,
                                   publication=_publication(config))
    except DataErrors as errors:
        raise PluginError(f"the data has errors:\n{errors}") from None
    except ValueError as error:
        raise PluginError(f"mkdocs.yml, extra.microsite.overview: {error}") from None


def _lock_site(site: Path) -> int:
    """Lock the site folder for this build (made if missing), or fail at once if another build holds it: two builds
    writing into one folder would leave a mix of both. The lock goes with the process, however it ends."""
    _unlock_site()
    site.mkdir(parents=True, exist_ok=True)
    handle = os.open(site, os.O_RDONLY)  # held until the build ends (`_unlock_site`)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(handle)
        raise PluginError(f"another build is writing into {site}: wait for it to end, or build elsewhere "
                          "(mkdocs build --site-dir FOLDER)") from None
    return handle


def _unlock_site() -> None:
    lock, _state.lock = _state.lock, None
    if lock is not None:
        os.close(lock)  # closing the last descriptor releases the lock


def _history(root: Path) -> History:
    """The git history of data/, kept between `serve` rebuilds until HEAD moves; none available: a `History` that
    says why (or, with REQUIRE_HISTORY=1, a build error)."""
    history = _state.histories.get(root)
    if not history.available:
        if os.environ.get("REQUIRE_HISTORY") == "1":
            hint = remedy(history.reason)
            raise PluginError(f"REQUIRE_HISTORY=1, but the git history of data/ cannot be read: {history.reason}"
                              + (f"; {hint}" if hint else ""))
        log.info("microsite: no git history (%s); pages say that no history is available", history.reason)
    return history


def _publication(config: MkDocsConfig) -> Publication:
    """Where the site is published: its address, the repository's history links, the date of a feed without history."""
    forge = None
    if config.repo_url and _state.options.history_uri:
        forge = f"{config.repo_url.rstrip('/')}/{_state.options.history_uri.lstrip('/')}"
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    published = _state.options.published.isoformat() if _state.options.published else None
    return Publication(config.site_name, config.site_url or "", forge, int(epoch) if epoch.isdigit() else 0, published,
                       config.repo_url.rstrip("/") if config.repo_url else None)


@event_priority(50)  # before plugins that snapshot `files` in their own on_files
def on_files(files: Files, config: MkDocsConfig) -> Files:
    assert _state.renderer is not None
    # The downloads first: the Downloads page states the size of each.
    downloads = list(exports.files(_state.renderer.graph, *_export_settings(config)))
    _state.renderer = _state.renderer.with_download_sizes(
        {path: len(content if isinstance(content, bytes) else content.encode()) for path, content in downloads})
    for plan in _state.renderer.plans():
        written = files.get_file_from_path(plan.path)
        if written is not None:  # a hand-written page in docs/ wins, and takes the generated page's place in the nav
            if not plan.in_nav:
                written.inclusion = InclusionLevel.NOT_IN_NAV
            continue
        markdown = plan.make()
        kind = _UnchangedFile if _state.dirty and _state.builds.unchanged(plan.path, markdown) else File
        file = kind.generated(config, plan.path, content=markdown,
                              inclusion=InclusionLevel.UNDEFINED if plan.in_nav else InclusionLevel.NOT_IN_NAV)
        if plan.source:
            file.edit_uri = f"../{plan.source}"  # relative to edit_uri, which points at docs/
        files.append(_inside_site(file, config))
    for path, content in downloads:
        if files.get_file_from_path(path) is None:
            if _state.dirty:  # noted, so that a dirty rebuild takes away the downloads of a deleted entity
                _state.builds.unchanged(path, "")
            files.append(_inside_site(File.generated(config, path, content=content), config))
    files.append(_inside_site(File.generated(config, STYLESHEET, content=kind_styles()), config))
    _state.files = files
    # The graph lives as long as this build: exempt it from cyclic garbage collection, which would otherwise walk
    # all of it again and again while MkDocs renders (taken back when the build ends).
    gc.freeze()
    return files


def _inside_site(file: File, config: MkDocsConfig) -> File:
    """`file`, once its output path is known to lie inside the site folder (ids cannot name another folder; this
    is the check before anything is written)."""
    if not inside(config.site_dir, file.abs_dest_path):
        raise PluginError(f"{file.src_uri} would be written outside the site folder ({file.abs_dest_path}); "
                          "an id or former id in data/ names a path it may not")
    return file


def _export_settings(config: MkDocsConfig) -> tuple[str, Any, str | None]:
    """What the downloads say of themselves: producer, the moment they describe, the site's address."""
    moment = exports.as_of(_state.renderer.graph, os.environ.get("SOURCE_DATE_EPOCH"))
    return config.site_name, moment, None if _state.serving else config.site_url


def on_page_context(context: dict, page: Page, config: MkDocsConfig, nav: object) -> dict:
    _state.rendered.add(page.url)
    return context


@event_priority(100)  # before the search plugin merges this build's index with the previous one
def on_post_build(config: MkDocsConfig) -> None:
    assert _state.renderer is not None and _state.files is not None
    try:
        site = Path(config.site_dir)
        if _state.dirty:
            _forget_gone_pages(config, site)
        taken = {file.dest_uri for file in _state.files}
        for old_path, entity in _state.renderer.redirects():
            old = _inside_site(File.generated(config, old_path, content=""), config)
            if old.dest_uri in taken:
                raise PluginError(f"the redirect from {old_path} to {entity.path} would replace a page; "
                                  f"remove the hand-written page or the former id in {entity.location.path}")
            new = File.generated(config, entity.path, content="")
            stub = Path(old.abs_dest_path)
            stub.parent.mkdir(parents=True, exist_ok=True)
            stub.write_text(_state.renderer.redirect_html(new.url_relative_to(old), entity.name), encoding="utf-8")
        _state.builds.succeeded()
    finally:
        _end_build()


def on_build_error(error: Exception) -> None:
    _state.builds.failed()
    _end_build()


def _end_build() -> None:
    gc.unfreeze()
    _unlock_site()


def _forget_gone_pages(config: MkDocsConfig, site: Path) -> None:
    """A dirty rebuild keeps the site folder and the search index: take out what deleted or renamed entities left."""
    for path in _state.builds.gone():
        Path(_inside_site(File.generated(config, path, content=""), config).abs_dest_path).unlink(missing_ok=True)
    # Material keeps the last index for dirty rebuilds and merges it with this build's entries, assuming one page
    # changed (its merge drops every old entry when the home page is among those rendered). Merge here instead.
    search = config.plugins.get("material/search")
    index, previous = getattr(search, "search_index", None), getattr(search, "search_index_prev", None)
    if index is not None and previous is not None:
        published = {file.url for file in _state.files.documentation_pages()}
        index.entries = prune_search_index(previous.entries, _state.rendered, published) + index.entries
        search.search_index_prev = None


# Every built page carries its Content-Security-Policy (GitHub Pages sends no headers); hooks/microsite/csp.py.
# Not under `mkdocs serve`: its live-reload script is inline and new per request.
def on_env(env: Environment, config: MkDocsConfig, files: Files) -> Environment:
    if not _state.serving:
        env.globals["content_security_policy"] = ThemePolicy(env, config)  # overrides/main.html writes it
    return env


def _checked(html: str, where: str, url: str, config: MkDocsConfig) -> str:
    """The page, once it is found to hold no script that the theme did not write."""
    if not _state.serving:
        try:
            check_page(html, where, url=url, site_url=config.site_url)
        except ForeignScript as error:
            raise PluginError(str(error)) from None
    return html


@event_priority(-100)  # last: the page as every plugin left it
def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    return _checked(output, page.file.src_uri, page.url, config)


def on_post_template(output_content: str, template_name: str, config: MkDocsConfig) -> str:
    """404.html is a theme template, not a page."""
    if not template_name.endswith(".html"):
        return output_content
    return _checked(output_content, template_name, template_name, config)


def on_serve(server: Any, config: MkDocsConfig, builder: Callable[..., None]) -> Any:
    """The development server answers only requests whose `Host` names the address it serves (a page of another
    site cannot reach it through a DNS name rebound to 127.0.0.1)."""
    host, port = config.dev_addr.host, config.dev_addr.port
    names = {f"[{host}]" if ":" in host else host}
    if host in ("127.0.0.1", "localhost", "::1"):
        names |= {"127.0.0.1", "localhost", "[::1]"}
    server.set_app(host_checked(server.get_app(), {f"{name}:{port}".lower() for name in names}))
    return server


def host_checked(app: Callable[..., Iterable[bytes]], allowed: set[str]) -> Callable[..., Iterable[bytes]]:
    """A WSGI app that refuses (421) every request whose `Host` header is not one of `allowed` (name:port)."""

    def checked(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("HTTP_HOST", "").lower() not in allowed:
            start_response("421 Misdirected Request", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"This server answers only requests addressed to it.\n"]
        return app(environ, start_response)

    return checked
