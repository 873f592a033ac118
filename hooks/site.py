"""MkDocs adapter: the only module that knows MkDocs. It hands events to the `microsite` core.

- `on_pre_build` (every build and rebuild): load, validate and link `data/`.
- `on_files`: add the rendered pages as generated files, kept out of the sidebar, each with an
  edit link to its YAML file when `repo_url` is set.
A data mistake becomes one `PluginError` listing every problem: no traceback, no site.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files, InclusionLevel

sys.path.insert(0, str(Path(__file__).parent))
import microsite  # noqa: E402
from microsite.errors import DataErrors  # noqa: E402
from microsite.render import Renderer  # noqa: E402

_pages: list[microsite.render.Page] = []
NAV_PAGES = {"index.md", "certainty.md"}


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if not config.repo_url:
        config.edit_uri = None  # no repository known: no edit links (and no warning about them)
    return config


def on_pre_build(config: MkDocsConfig) -> None:
    root = Path(config.config_file_path).parent
    try:
        graph = microsite.check(root)
    except DataErrors as errors:
        _pages.clear()
        raise PluginError(f"the data has errors:\n{errors}") from None
    _pages[:] = Renderer(graph).pages()


@event_priority(50)  # before plugins that snapshot `files` in their own on_files (see README)
def on_files(files: Files, config: MkDocsConfig) -> Files:
    for page in _pages:
        if files.get_file_from_path(page.path) is not None:
            continue  # a hand-written page in docs/ wins
        in_nav = page.path in NAV_PAGES or page.path.endswith("/index.md")
        file = File.generated(config, page.path, content=page.markdown,
                              inclusion=InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV)
        if page.source:
            file.edit_uri = f"../{page.source}"  # relative to edit_uri, which points at docs/
        files.append(file)
    return files
