"""The site's pages and the URLs they own: the site-wide pages, one index per kind, one page per entity, and the
redirect stubs at former ids. No two may share a URL."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import DataError, DataErrors, shown
from .graph import Graph
from .model import KINDS


@dataclass(frozen=True)
class SitePage:
    """A site-wide page; `title` places it in the sidebar (after the kinds' indexes, the home page before them)."""

    path: str
    template: str
    title: str | None = None


SITE_PAGES = (
    SitePage("index.md", "home.md.j2", "Home"),
    SitePage("indicators.md", "indicators.md.j2", "Indicators"),
    SitePage("disagreements.md", "disagreements.md.j2", "Where sources disagree"),
    SitePage("certainty.md", "certainty.md.j2", "Certainty"),
    SitePage("downloads.md", "downloads.md.j2", "Downloads"),
    SitePage("changes.md", "changes.md.j2", "Changes"),
    SitePage("about.md", "about.md.j2", "About this site"),
    SitePage("coverage.md", "coverage.md.j2"),  # placed by mkdocs.yml, for editors
    SitePage("data-model.md", "data-model.md.j2"),  # placed by mkdocs.yml, for editors
)


def site_nav() -> list[dict[str, str]]:
    """The generated part of the sidebar: home, one index per kind, then the other site-wide pages."""
    home, *rest = [{page.title: page.path} for page in SITE_PAGES if page.title]
    return [home, *({kind.title: kind.index_path} for kind in KINDS.values()), *rest]


def url_of(path: str) -> str:
    """The URL a Markdown path is published at (as MkDocs' directory URLs make it): 'a/index.md' and 'a.md' → 'a/'."""
    stem = path.removesuffix(".md").removesuffix("index").rstrip("/")
    return f"{stem}/" if stem else ""


def check_paths(graph: Graph) -> None:
    """Raise `DataErrors` unless every page and redirect stub has a URL of its own: none may replace another."""
    owners: dict[str, str] = {url_of(page.path): f"the site page {page.path}" for page in SITE_PAGES}
    owners.update({url_of(kind.index_path): f"the index of {kind.plural}" for kind in KINDS.values()})
    errors = []
    claims = [(e.path, e, "page") for e in graph.entities.values()] + [
        (old, e, "redirect") for e in graph.entities.values() for old in e.former_paths]
    for path, entity, what in claims:
        url = url_of(path)
        if url in owners:
            where = entity.at("former_ids") if what == "redirect" else entity.location
            errors.append(DataError(where, f"the {what} of {shown(entity.id)} would be published at "
                                    f"/{url}, which is already {owners[url]}", "choose another id or former id"))
        owners.setdefault(url, f"the {what} of {entity.location.path}")
    if errors:
        raise DataErrors(errors)
