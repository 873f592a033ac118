"""Render the linked graph into Markdown pages through Jinja templates."""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from . import views
from .graph import Graph
from .model import (
    ALIAS,
    CITATION,
    COMMON_FIELDS,
    FACT,
    KINDS,
    POSITION,
    RELATION,
    RELATION_TYPES,
    STATUSES,
    UNCITED,
    Citation,
    Entity,
    Kind,
)
from .quotes import anchor
from .schema import SLUG, Field, PartialDate, Ref, Url
from .text import finalize, html_escape, md_escape, prose

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Page:
    """A generated Markdown page; `source` is the data file it comes from, if any."""

    path: str
    markdown: str
    source: str | None = None


@dataclass
class References:
    """Per-page citation numbering: one number per distinct source, quote and locator."""

    entries: list[Citation] = field(default_factory=list)
    _numbers: dict[tuple[str, str, str | None], int] = field(default_factory=dict)

    def number(self, citation: Citation) -> int:
        key = (citation.source.id, citation.quote, citation.locator)
        if key not in self._numbers:
            self.entries.append(citation)
            self._numbers[key] = len(self.entries)
        return self._numbers[key]


class Renderer:
    """Renders every page of the site from one graph."""

    def __init__(self, graph: Graph, overview: str | None = None) -> None:
        """`overview` is the id of the event whose summary and facts open the home page."""
        if overview is not None and (overview not in graph.entities or graph.get(overview).kind.name != "event"):
            raise ValueError(f"the home page overview '{overview}' is not the id of an event")
        self.graph = graph
        self.overview = graph.entities.get(overview or "")
        self.context = {"graph": graph, **{name: functools.partial(view, graph) for name, view in views.VIEWS.items()}}

    def pages(self) -> Iterator[Page]:
        """Every page: the site-wide pages, one index per kind and one page per entity."""
        yield Page("index.md", self.render("home.md.j2", "index.md", overview=self.overview))
        yield Page("certainty.md", self.render("certainty.md.j2", "certainty.md"))
        yield Page("coverage.md", self.render("coverage.md.j2", "coverage.md"))
        yield Page("data-model.md", self.render("data-model.md.j2", "data-model.md"))
        yield Page("indicators.md", self.render("indicators.md.j2", "indicators.md"))
        for kind in KINDS.values():
            index_path = f"{kind.plural}/index.md"
            entities = sorted(self.graph.by_kind[kind.name], key=_by_name)
            yield Page(index_path, self.render(kind.index_template, index_path, kind=kind, entities=entities))
            for entity in self.graph.by_kind[kind.name]:
                markdown = self.render(self._template(kind), entity.path, entity=entity, kind=kind)
                yield Page(entity.path, markdown, entity.location.path)

    def redirects(self) -> Iterator[tuple[str, Entity]]:
        """(old page, entity) for every renamed or merged entity, so that no published URL dies."""
        for entity in self.graph.entities.values():
            for old in entity.former_paths:
                yield old, entity

    def redirect_html(self, target_url: str, title: str) -> str:
        """A stub page that sends readers and crawlers to `target_url`, with the CSP of every page."""
        from .csp import with_csp

        return with_csp(_environments()[1].get_template("redirect.html.j2").render(url=target_url, title=title))

    def render(self, template: str, page: str, **context: Any) -> str:
        template = _environments()[0].get_template(template)
        return template.render(page=page, refs=References(), **self.context, **context)

    def _template(self, kind: Kind) -> str:
        own = f"{kind.name}.md.j2"
        return own if (TEMPLATES / own).exists() else "entity.md.j2"

# --------------------------------------------------------------------------- template helpers


@functools.cache
def _environments() -> tuple[Environment, Environment]:
    """The Markdown and the HTML template environments, compiled once per process (and per serve session)."""
    markdown = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, finalize=finalize, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        comment_start_string="{##", comment_end_string="##}",  # frees {#id} for Markdown attribute lists
    )
    markdown.filters.update(html=html_escape, id=_html_id, ioc=_indicator, when=when)
    markdown.globals.update(
        kinds=KINDS, statuses=STATUSES, relation_types=RELATION_TYPES, common_fields=COMMON_FIELDS,
        records=(FACT, CITATION, POSITION, RELATION, ALIAS, UNCITED), anchor=lambda quote: Markup(anchor(quote)),
        link=_link, href=_href, prose=_prose, value=_value, cite=_cite,
    )
    html = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)
    return markdown, html


def _indicator(value: str) -> Markup:
    """An indicator for a code block: validated against its type's pattern, so it cannot close the block."""
    if not re.fullmatch(r"[A-Za-z0-9.\[\]:-]+", value):
        raise ValueError(f"not an indicator: {value!r}")
    return Markup(value)


def _html_id(value: str) -> Markup:
    """A declared word (a status, a topic) used as an HTML id; only slugs qualify."""
    if not SLUG.match(value):
        raise ValueError(f"not usable as an HTML id: {value!r}")
    return Markup(value)


def _by_name(entity: Entity) -> str:
    return entity.name.lower()


def _href(page: str, target: str, fragment: str = "") -> Markup:
    """The relative Markdown path from one page to another (MkDocs validates these).

    Paths and fragments are built from slugs and hashes only, so they are safe as they are.
    """
    path = _relative(posixpath.dirname(page), target)
    return Markup(f"{path}#{fragment}" if fragment else path)


@functools.cache
def _relative(folder: str, target: str) -> str:
    return posixpath.relpath(target, folder or ".")


@pass_context
def _link(context: Context, target: Entity | Ref | str, label: str | None = None, fragment: str = "") -> Markup:
    graph: Graph = context["graph"]
    entity = target if isinstance(target, Entity) else graph.get(target.id if isinstance(target, Ref) else target)
    return Markup(f"[{md_escape(label or entity.name)}]({_href(context['page'], entity.path, fragment)})")


@pass_context
def _prose(context: Context, text: str) -> Markup:
    return prose(text, lambda entity_id, label: _link(context, entity_id, label))


@pass_context
def _value(context: Context, value: Any, spec: Field | None = None) -> Markup:
    """Format a kind-specific attribute for a table cell or a fact sheet."""
    if spec is not None and isinstance(spec.type, Url):
        return Markup(f'<a href="{html_escape(value)}">{html_escape(value)}</a>')
    if isinstance(value, Ref):
        return _link(context, value)
    if isinstance(value, PartialDate):
        return md_escape(value.human())
    if isinstance(value, bool):
        return Markup("yes" if value else "no")
    if isinstance(value, list):
        return Markup(", ").join(_value(context, item) for item in value)
    return md_escape(value)


@pass_context
def _cite(context: Context, citations: list[Citation]) -> Markup:
    """Numbered citation markers that link to the page's reference list."""
    refs: References = context["refs"]
    numbers = sorted({refs.number(c) for c in citations})
    return Markup("").join(Markup(f'<sup class="cite">[\\[{n}\\]](#ref-{n})</sup>') for n in numbers)


def when(entity: Entity) -> str:
    """An event's date in words, with its qualifier and end: 'late 2021 – May 2022'."""
    date: PartialDate = entity.attrs["date"]
    qualifier = entity.attrs.get("qualifier")
    text = date.human()
    if qualifier == "mid" and date.month and not date.day:
        text = f"mid-{text}"
    elif qualifier:
        text = f"{qualifier} {text}"
    end = entity.attrs.get("end_date")
    return f"{text} – {end.human()}" if end else text
