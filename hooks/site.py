"""MkDocs adapter: the only module that knows MkDocs. It hands MkDocs events to the `microsite` core.

- `on_startup`: note whether MkDocs runs `--dirty`; then pages whose Markdown did not change since the
  previous build of this `serve` session are skipped, so a rebuild after one edit renders only what changed.
- `on_config`: without a `repo_url` there are no edit links (and no warning about them).
- `on_pre_build` (every build and every `serve` rebuild): load, validate and link `data/`.
- `on_files`: add the rendered pages as generated files; entity pages stay out of the sidebar and
  link to their YAML file for editing.
- `on_post_build`: write redirect stubs at the former URLs of renamed or merged entities.

A data mistake becomes one `PluginError` listing every problem: no traceback, and no site is written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

sys.path.insert(0, str(Path(__file__).parent))
from microsite import check  # noqa: E402
from microsite.errors import DataErrors  # noqa: E402
from microsite.render import Renderer  # noqa: E402

NAV_PAGES = {"index.md", "certainty.md", "coverage.md", "data-model.md", "indicators.md"}
_current: list[Renderer] = []  # this build's renderer; MkDocs hooks are plain module functions
_previous: dict[str, str] = {}  # page path → Markdown of the previous build, for `serve --dirty`
_dirty: list[bool] = [False]


class _UnchangedFile(File):
    """A generated page whose Markdown is the same as in the previous build: `--dirty` may skip it."""

    def is_modified(self) -> bool:
        return False


def on_startup(command: str, dirty: bool) -> None:
    _dirty[0] = dirty


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if not config.repo_url:
        config.edit_uri = None
    return config


def on_pre_build(config: MkDocsConfig) -> None:
    _current.clear()
    try:
        graph = check(Path(config.config_file_path).parent)
    except DataErrors as errors:
        raise PluginError(f"the data has errors:\n{errors}") from None
    try:
        _current.append(Renderer(graph, overview=config.extra.get("microsite", {}).get("overview")))
    except ValueError as error:
        raise PluginError(f"mkdocs.yml, extra.microsite.overview: {error}") from None


@event_priority(50)  # before plugins that snapshot `files` in their own on_files
def on_files(files: Files, config: MkDocsConfig) -> Files:
    for page in _current[0].pages():
        if files.get_file_from_path(page.path) is not None:
            continue  # a hand-written page in docs/ wins
        in_nav = page.path in NAV_PAGES or page.path.endswith("/index.md")
        kind = File
        if _dirty[0]:  # only `serve --dirty` compares pages with the previous build
            kind = _UnchangedFile if _previous.get(page.path) == page.markdown else File
            _previous[page.path] = page.markdown
        file = kind.generated(config, page.path, content=page.markdown,
                              inclusion=InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV)
        if page.source:
            file.edit_uri = f"../{page.source}"  # relative to edit_uri, which points at docs/
        files.append(file)
    return files


def on_post_build(config: MkDocsConfig) -> None:
    renderer = _current[0]
    for old_path, entity in renderer.redirects():
        old = File.generated(config, old_path, content="")
        new = File.generated(config, entity.path, content="")
        stub = Path(config.site_dir) / old.dest_uri
        stub.parent.mkdir(parents=True, exist_ok=True)
        stub.write_text(renderer.redirect_html(new.url_relative_to(old), entity.name), encoding="utf-8")


# Every built page carries its Content-Security-Policy (GitHub Pages sends no headers); hooks/microsite/csp.py.
# Not under `mkdocs serve`, which points site_url at itself: its live-reload script is inline and new per request.
from microsite.csp import with_csp  # noqa: E402


def _with_csp(html: str, config: MkDocsConfig) -> str:
    serving = (config.site_url or "").startswith(f"http://{config.dev_addr.host}:{config.dev_addr.port}/")
    return html if serving else with_csp(html)


def on_post_page(output: str, page: object, config: MkDocsConfig) -> str:
    return _with_csp(output, config)


def on_post_template(output_content: str, template_name: str, config: MkDocsConfig) -> str:
    """404.html is a theme template, not a page."""
    return _with_csp(output_content, config) if template_name.endswith(".html") else output_content
