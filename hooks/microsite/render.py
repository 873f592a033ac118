"""Render the linked graph into Markdown pages through Jinja templates."""

from __future__ import annotations

import datetime
import functools
import hashlib
import posixpath
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from . import corrections, views
from .csp import policy
from .exports import STIX_CLIENTS, catalogue, entity_downloads
from .graph import Graph
from .history import History, ItemHistory
from .model import (
    ALIAS,
    ATTACK_VERSION,
    CERTAINTY,
    CITATION,
    COMMON_FIELDS,
    FACT,
    INDICATOR_TYPES,
    KINDS,
    POSITION,
    RELATION,
    RELATION_TYPES,
    SECONDARY_TIERS,
    SOURCE_TIERS,
    STATUSES,
    UNCITED,
    Citation,
    Entity,
)
from .pages import SITE_PAGES
from .quotes import anchor
from .schema import LANGUAGES, SLUG, Field, Ref
from .semdiff import Words, prose_words, say
from .text import finalize, html_escape, md_escape, prose, xml_escape
from .verification import QUOTE_STATES

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Page:
    """A generated Markdown page; `source` is the data file it comes from, if any; `in_nav` puts it in the sidebar."""

    path: str
    markdown: str
    source: str | None = None
    in_nav: bool = False


@dataclass(frozen=True)
class Plan:
    """A page to render: its path and place as `Page` has them, and how to make its Markdown."""

    path: str
    make: Callable[[], str]
    source: str | None = None
    in_nav: bool = False


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


@dataclass(frozen=True)
class Publication:
    """Where the site is published, for the feed and the links to a file's history (from mkdocs.yml and the
    environment): `url` is the site's address ending in '/' ('' for relative links), `forge` the repository's
    web address of a file's history up to its path ('https://github.com/o/r/commits/main/'), `epoch` the feed's
    date when there is no history (SOURCE_DATE_EPOCH: never the clock), `published` the day the site was first
    published: the data's changes after it are shown to readers, none before."""

    name: str = "Changes"
    url: str = ""
    forge: str | None = None
    epoch: int = 0
    published: str | None = None  # the day the site was first published (YYYY-MM-DD): later changes are shown
    repo: str | None = None  # the repository's web address (REPO_URL), where readers report errors


FEED = "feed.xml"


class Renderer:
    """Renders every page of the site, and the feed of changes, from one graph and the history of its data."""

    def __init__(self, graph: Graph, overview: str | None = None, history: History | None = None,
                 publication: Publication = Publication(), download_sizes: dict[str, int] | None = None) -> None:
        """`overview` is the id of the event whose summary and facts open the home page; `download_sizes` (site
        path → bytes) lets the Downloads page say how large each download is."""
        if overview is not None and (overview not in graph.entities or graph.get(overview).kind.name != "event"):
            raise ValueError(f"the home page overview '{overview}' is not the id of an event")
        self.graph = graph
        self.overview = graph.entities.get(overview or "")
        self.history = history or History()
        self.publication = publication
        self.notices = corrections.notices(graph, self.history, publication.published)
        at = {entity.location.path: entity for entity in graph.entities.values()}
        self.context = {"graph": graph, **{name: functools.partial(view, graph) for name, view in views.VIEWS.items()},
                        "history": self.history, "publication": publication, "entity_at": at.get,
                        "say": functools.partial(_say, graph), "notices": self.notices,
                        "page_notices": corrections.of_entity,
                        "plain": functools.partial(_plain, graph),
                        "download_sizes": download_sizes or {}}

    def with_download_sizes(self, sizes: dict[str, int]) -> Renderer:
        """The same renderer, once the downloads are made and their sizes known."""
        return Renderer(self.graph, self.overview.id if self.overview else None, self.history, self.publication, sizes)

    def pages(self) -> Iterator[Page]:
        """Every page: the site-wide pages, one index per kind, one page per entity, and the feed of changes."""
        for plan in self.plans():
            yield Page(plan.path, plan.make(), plan.source, plan.in_nav)

    def plans(self) -> list[Plan]:
        """Every page as `pages` gives it, with its Markdown not rendered yet: `make()` renders it."""
        plans = [Plan(FEED, self.feed)]
        for site_page in SITE_PAGES:
            plans.append(Plan(site_page.path, functools.partial(self.render, site_page.template, site_page.path,
                                                                overview=self.overview), in_nav=True))
        for kind in KINDS.values():
            entities = sorted(self.graph.by_kind[kind.name], key=_by_name)
            plans.append(Plan(kind.index_path, functools.partial(self.render, kind.index_template, kind.index_path,
                                                                 kind=kind, entities=entities), in_nav=True))
            plans += [Plan(entity.path, functools.partial(self.render, kind.page_template, entity.path, entity=entity,
                                                          kind=kind), entity.location.path)
                      for entity in self.graph.by_kind[kind.name]]
        return plans

    def redirects(self) -> Iterator[tuple[str, Entity]]:
        """(old page, entity) for every renamed or merged entity, so that no published URL dies."""
        for entity in self.graph.entities.values():
            for old in entity.former_paths:
                yield old, entity

    def redirect_html(self, target_url: str, title: str) -> str:
        """A stub page that sends readers and crawlers to `target_url`, under the site's policy: no inline script."""
        return _environments()[1].get_template("redirect.html.j2").render(url=target_url, title=title,
                                                                             policy=Markup(policy()))

    def render(self, template: str, page: str, **context: Any) -> str:
        template = _environments()[0].get_template(template)
        return template.render(page=page, refs=References(), **self.context, **context)

    def feed(self) -> str:
        """The Atom feed of the newest notices (`corrections.FEED_NOTICES`), dated by their days."""
        entries = self.notices[:corrections.FEED_NOTICES]
        updated = f"{entries[0].day}T00:00:00Z" if entries else _stamp(self.publication.epoch)
        return _environments()[1].get_template("feed.xml.j2").render(
            entries=entries, updated=updated, **self.context)


# --------------------------------------------------------------------------- template helpers


@functools.cache
def _environments() -> tuple[Environment, Environment]:
    """The Markdown and the HTML template environments, compiled once per process (and per serve session)."""
    markdown = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, finalize=finalize, undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        comment_start_string="{##", comment_end_string="##}",  # frees {#id} for Markdown attribute lists
    )
    markdown.filters.update(html=html_escape, id=_html_id, ioc=_indicator, day=corrections.human_day,
                            language=lambda code: LANGUAGES.get(code, code))
    markdown.globals.update(
        indicator_titles={k: v.title for k, v in INDICATOR_TYPES.items()},
        kinds=KINDS, statuses=STATUSES, certainty=CERTAINTY, relation_types=RELATION_TYPES, common_fields=COMMON_FIELDS,
        catalogue=catalogue, downloads=entity_downloads, size=_size, clients=STIX_CLIENTS, attack_version=ATTACK_VERSION,
        records=(FACT, CITATION, POSITION, RELATION, ALIAS, UNCITED), anchor=lambda quote: Markup(anchor(quote)),
        link=_link, href=_href, prose=_prose, value=_value, cite=_cite, status_badge=_status, count=_count,
        quote_states=QUOTE_STATES, quote_state=_quote_state, archived_copy=_archived_copy,
        tiers=SOURCE_TIERS, tier=_tier, secondary_only=_secondary_only, kind_word=kind_word,
        label=label, statement_id=statement_id,
    )
    markdown.globals.update(item_history=_item_history, prose_words=prose_words, by_day=corrections.by_day,
                            recent=corrections.RECENT)
    html = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)
    html.filters.update(xml=xml_escape)
    html.globals.update(feed_id=_feed_id)
    return markdown, html


def _size(count: int | None) -> str:
    """A file size as readers take it in: '812 bytes', '34 KB', '1.2 MB' (decimal units)."""
    if count is None:
        return ""
    if count < 1000:
        return f"{count} bytes"
    if count < 1_000_000:
        return f"{count / 1000:.0f} KB"
    return f"{count / 1_000_000:.1f} MB"


# Field names as readers read them, where the name itself is not plain English ('url' → 'Address').
LABELS = {"url": "Address", "translated_from": "Translated from", "machine_translation": "Machine translation",
          "copy_of": "A copy of", "platforms": "Runs on", "counted": "Facts", "citations": "Citations",
          "involves": "Involves", "type": "Type", "role": "Role"}


def label(name: str) -> str:
    """A field's name as a label for readers: 'translated_from' → 'Translated from', 'url' → 'Address'."""
    return LABELS.get(name) or name.replace("_", " ").capitalize()


def kind_word(entity: Entity) -> str:
    """What an entity is, in plain words: its type or category ('hacking group', 'state'), else its kind."""
    word = entity.attrs.get("type") or entity.attrs.get("category") or entity.kind.name
    return {"state": "country", "state-body": "state body"}.get(word, word.replace("-", " "))


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


@dataclass(frozen=True)
class _Writer:
    """Markdown for field values on the page being rendered: what a field type's `shown` builds with."""

    context: Context

    def escape(self, text: str) -> str:
        return md_escape(text)

    def link(self, ref: Ref) -> str:
        return _link(self.context, ref)

    def prose(self, text: str) -> str:  # notes and the like: emphasis and entity links
        return _prose(self.context, text)

    def url(self, url: str) -> str:  # validated as RFC 3986; its text is Markdown-escaped
        return Markup(f'<a href="{html_escape(url)}">{md_escape(url)}</a>')

    def status(self, name: str) -> str:
        return _status(self.context, name)


@pass_context
def _value(context: Context, value: Any, spec: Field) -> Markup:
    """A field's value for a table cell or a fact sheet, as its type shows it; every part escaped by `_Writer`."""
    return Markup(spec.type.shown(value, _Writer(context)))


@pass_context
def _count(context: Context, entity: Entity) -> int:
    """What an index table counts for an entity, as its kind declares: its facts, or the citations of a source."""
    graph: Graph = context["graph"]
    return len(graph.citations[entity.id]) if entity.kind.counted == "citations" else len(entity.facts)


@pass_context
def _status(context: Context, name: str) -> Markup:
    """A status as a badge that links to its meaning on the certainty page."""
    return Markup(f"[{name}]({_href(context['page'], 'certainty.md', name)})"
                  f'{{ .status .status--{name} title="{html_escape(STATUSES[name])}" }}')


@pass_context
def _cite(context: Context, citations: list[Citation]) -> Markup:
    """Numbered citation markers that link to the page's reference list."""
    refs: References = context["refs"]
    graph: Graph = context["graph"]
    numbers = {refs.number(c): c for c in citations}
    return Markup("").join(Markup(f'<sup class="cite"><a href="#ref-{n}" title="{html_escape(_preview(graph, c))}">'
                                  f'\\[{n}\\]</a></sup>') for n, c in sorted(numbers.items()))


PREVIEW = 240  # characters of a quote shown when a citation marker is hovered or focused


def _preview(graph: Graph, citation: Citation) -> str:
    """What hovering or focusing a citation marker shows: the source, where in it, and (the start of) its words."""
    source = graph.get(citation.source.id)
    quote = " ".join(citation.quote.split())
    quote = quote if len(quote) <= PREVIEW else quote[:PREVIEW].rsplit(" ", 1)[0] + " …"
    return f"{source.name}{', ' + citation.locator if citation.locator else ''}: “{quote}”"


def statement_id(prefix: str, *parts: str) -> Markup:
    """A passage's anchor, derived from what it says (not from its position): 'f-' and 8 hex digits of a hash."""
    digest = hashlib.sha256("\x1f".join(" ".join(p.split()) for p in parts).encode("utf-8")).hexdigest()
    return Markup(f"{prefix}-{digest[:8]}")


def _external(url: str, text: str) -> Markup:
    """A link to a validated http(s) address (a data or record `Url`), as raw HTML so no Markdown in it can act."""
    return Markup(f'<a href="{html_escape(url)}">{md_escape(text)}</a>')


@pass_context
def _quote_state(context: Context, citation: Citation) -> Markup:
    """How a citation's quote was checked, compactly: a badge linking to its meaning on the certainty page, the day of
    the check, and the archived copy where it helps (where the quote was found, or what the page said before)."""
    graph: Graph = context["graph"]
    state = graph.quote_state(citation)
    check, label = state.check, state.label
    if state.name == "found" and check and check.where == "snapshot":
        label = "found in the archived copy"
    meaning = html_escape(QUOTE_STATES[state.name][1])
    badge = Markup(f"[quote {md_escape(label)}]({_href(context['page'], 'certainty.md', 'quote-' + state.name)})"
                   f'{{ .quote-state .quote-state--{state.name} title="{meaning}" }}')
    if state.name in ("verified", "unchecked") or check is None:
        return badge
    text = badge + Markup(f" on {md_escape(check.date)}")
    if state.name == "found" and check.where == "snapshot":
        return text + Markup(" (") + _external(check.url, "snapshot") + Markup(")")
    if state.name == "not-found" and state.archived_copy:
        return text + Markup("; the page changed: see the ") + _external(state.archived_copy.url, "archived copy")
    return text


def effective_tier(graph: Graph, source: Entity) -> str:
    """What a source's words are worth: a republication's are those of the source it copies."""
    seen = set()
    while source.attrs.get("tier") == "republication" and source.attrs.get("copy_of") and source.id not in seen:
        seen.add(source.id)
        source = graph.get(source.attrs["copy_of"].id)
    return source.attrs.get("tier") or "secondary"


@pass_context
def _tier(context: Context, source: Entity) -> Markup:
    """What a source is, as a badge that links to its meaning on the certainty page."""
    name = source.attrs["tier"]
    label, meaning = SOURCE_TIERS[name]
    return Markup(f"[{md_escape(label)}]({_href(context['page'], 'certainty.md', 'tier-' + name)})"
                  f'{{ .tier .tier--{name} title="{html_escape(meaning)}" }}')


@pass_context
def _secondary_only(context: Context, citations: list[Citation]) -> bool:
    """True if every source of `citations` is a secondary summary or the seed (a republication counts as what it
    copies): the statement then says so."""
    graph: Graph = context["graph"]
    return bool(citations) and all(effective_tier(graph, graph.get(c.source.id)) in SECONDARY_TIERS for c in citations)


@pass_context
def _archived_copy(context: Context, source: Entity) -> Markup:
    """The source's Internet Archive snapshot as a link with its date, or nothing."""
    record = context["graph"].checks.get(source.id)
    if record is None or record.archived_copy is None:
        return Markup("")
    copy = record.archived_copy
    return _external(copy.url, f"Internet Archive, {copy.date}")


# --------------------------------------------------------------------------- history helpers


def _plain(graph: Graph, text: str) -> str:
    """Prose as plain text (a feed's): entity links as the entities' names now, emphasis as plain words."""
    return _say(graph, prose_words(text, limit=len(text)))


def _say(graph: Graph, words: Words) -> str:
    """A sentence of the history, naming each entity as it is called now (escaped where it is written)."""
    return say(words, lambda entity_id: graph.entities[entity_id].name if entity_id in graph.entities else None)


@pass_context
def _item_history(context: Context, owner: Entity | None, field_name: str, item: Any) -> ItemHistory | None:
    """The history of a fact or relation of `owner` (the entity whose file holds it), if it has one."""
    history: History = context["history"]
    lineage = history.of(owner) if owner is not None else None
    return lineage.of(field_name, item) if lineage is not None else None


def _stamp(epoch: int) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _feed_id(publication: Publication) -> str:
    """The feed's own Atom id: its address when the site has one, else a name-based UUID."""
    if publication.url:
        return publication.url + FEED
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'microsite-feed:{publication.name}')}"
