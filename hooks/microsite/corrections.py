"""What readers are told changed: the corrections log of the pages, the Changes page and the feed.

Two sorts of notice, newest first:
- an editor's notes in the data, in words for readers: a `corrections` note on an entity, a fact or a relation, and a
  `withdrawn` statement with its reason;
- once the site is published (`published`, a day), each change the data's history shows after that day, in words
  (a fact added, a status changed), dated by its commit, without the commit's message or author.

Nothing from before publication but the editors' notes, and no commit message or author name, ever reaches a reader.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

from .graph import Graph
from .history import History
from .model import RELATION_TYPES, Entity, Fact, Relation
from .schema import MONTHS, PartialDate
from .semdiff import Words

RECENT = 100  # notices on the Changes page; older ones stay on their pages
FEED_NOTICES = 50


@dataclass(frozen=True)
class Notice:
    """One entry of the log: on one page (`entity`, None when it is gone), on one day."""

    day: str  # YYYY-MM-DD
    name: str  # the page's name now, or when it was last seen
    what: str  # 'corrected', 'withdrawn' or 'changed' (read from the history)
    entity: Entity | None = None
    about: str = ""  # the statement or relation concerned, as prose ('' for the page as a whole)
    note: str = ""  # the editor's words, as prose ('' for a change read from the history)
    lines: tuple[Words, ...] = field(default_factory=tuple)  # a change read from the history, in words

    @property
    def human(self) -> str:
        return human_day(self.day)

    @property
    def key(self) -> str:
        page = self.entity.id if self.entity is not None else self.name
        return "\0".join((page, self.what, self.day, self.about, self.note, repr(self.lines)))

    @property
    def anchor(self) -> str:
        """A stable HTML id derived from what the notice says, not from its place."""
        return "n-" + hashlib.sha1(self.key.encode()).hexdigest()[:12]

    @property
    def uid(self) -> str:
        """A stable Atom id."""
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'microsite-notice:' + self.key)}"


def human_day(day: str) -> str:
    """'2026-12-08' as '8 December 2026'."""
    year, month, number = (int(part) for part in day.split("-"))
    return f"{number} {MONTHS[month - 1]} {year}"


def _day(date: PartialDate) -> str:
    year, month, day = date.bounds()[0]
    return f"{year:04d}-{month:02d}-{day:02d}"


def sentence(subject: Entity, relation: Relation) -> str:
    """A relation as prose: 'Lazarus Group used [[opencarrot]]'."""
    return f"{subject.name} {RELATION_TYPES[relation.type].forward} [[{relation.target.id}]]"


def of_entity(entity: Entity) -> list[Notice]:
    """The editors' notes of one page, newest first: on the page, its facts and relations, and its withdrawals."""
    found = [Notice(_day(c.date), entity.name, "corrected", entity, note=c.note) for c in entity.corrections]
    items: list[tuple[str, Fact | Relation]] = [(fact.statement, fact) for fact in entity.facts]
    items += [(sentence(entity, relation), relation) for relation in entity.relations]
    found += [Notice(_day(c.date), entity.name, "corrected", entity, about, c.note)
              for about, item in items for c in item.corrections]
    found += [Notice(_day(w.date), entity.name, "withdrawn", entity, w.statement, w.reason) for w in entity.withdrawn]
    return sorted(found, key=lambda notice: notice.day, reverse=True)


def since_publication(history: History, graph: Graph, published: str | None) -> Iterator[Notice]:
    """The changes the history shows after the day of publication (YYYY-MM-DD), in words; none before it."""
    if not published or not history.available:
        return
    at = {entity.location.path: entity for entity in graph.entities.values()}
    for entry in history.entries:
        if entry.commit.day > published and not entry.gap and entry.lines:
            now = at.get(entry.lineage.path) if entry.lineage.path else None
            yield Notice(entry.commit.day, now.name if now else entry.name, "changed", now, lines=tuple(entry.lines))


def notices(graph: Graph, history: History, published: str | None) -> list[Notice]:
    """Every notice of the site, newest first (then by page name)."""
    found = [notice for entity in graph.entities.values() for notice in of_entity(entity)]
    found += since_publication(history, graph, published)
    by_name = sorted(found, key=lambda notice: notice.name.lower())
    return sorted(by_name, key=lambda notice: notice.day, reverse=True)  # stable: by name within a day


def by_day(found: list[Notice]) -> list[tuple[str, list[list[Notice]]]]:
    """Notices by day (as given, newest first), each day's by page."""
    days: dict[str, dict[str, list[Notice]]] = {}
    for notice in found:
        days.setdefault(notice.human, {}).setdefault(notice.name, []).append(notice)
    return [(human, list(pages.values())) for human, pages in days.items()]
