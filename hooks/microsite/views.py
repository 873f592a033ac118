"""Views that pages need beyond the data itself: passages, coverage, highlighted text, diagrams.

Each view is a function of the linked graph, so templates get finished structures and stay simple.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Any

from .graph import Cited, Graph
from .model import RELATION_TYPES, Citation, Entity
from .quotes import anchor

DIAGRAM_EDGES = 12  # more relations than this are listed in words only


@dataclass(frozen=True)
class Segment:
    """A stretch of an archived text; `anchors` are the passages that start here."""

    text: str
    marked: bool
    anchors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Coverage:
    """One sentence of an archived text, the claims citing it, or why none does."""

    sentence: str
    claims: list[Cited]
    reason: str | None


def claims_of(graph: Graph, source: Entity) -> list[tuple[str, list[Any]]]:
    """The passages of a source with the claims citing each: in text order if archived, else as first cited."""
    passages: dict[str, list[Any]] = {}
    for cited in graph.citations[source.id]:
        passages.setdefault(cited.citation.quote, []).append(cited)
    archive = graph.archives.get(source.id)
    if archive is None:
        return list(passages.items())
    spans = graph.spans[source.id]
    return sorted(passages.items(), key=lambda item: spans[anchor(item[0])])

def coverage(graph: Graph, source: Entity) -> list[Coverage]:
    """Each sentence of an archived source with the claims that cite it, or the reason none does."""
    archive = graph.archives[source.id]
    sentences = archive.sentences()
    ends = [end for _, end in sentences]
    claims: list[list[Cited]] = [[] for _ in sentences]
    reasons: list[list[str]] = [[] for _ in sentences]
    found = graph.spans[source.id]
    spans = [(found[anchor(c.citation.quote)], claims, c) for c in graph.citations[source.id]]
    spans += [(archive.locate(u.passage), reasons, u.reason) for u in source.attrs.get("uncited") or []]
    for span, rows, item in spans:
        if span is None:
            continue
        index = bisect.bisect_right(ends, span[0])  # the first sentence that ends after the span starts
        while index < len(sentences) and sentences[index][0] < span[1]:
            rows[index].append(item)
            index += 1
    return [Coverage(archive.text[start:end], _unique(claims[i]), reasons[i][0] if reasons[i] else None)
            for i, (start, end) in enumerate(sentences)]


def segments(graph: Graph, source: Entity) -> list[list[Segment]]:
    """The archived text of a source as paragraphs of plain and cited stretches."""
    archive = graph.archives[source.id]
    text = archive.text
    starts: dict[int, list[str]] = {}
    spans = graph.spans[source.id]
    for name, (start, _) in spans.items():
        starts.setdefault(start, []).append(name)
    covered = [False] * len(text)
    for start, end in spans.values():
        covered[start:end] = [True] * (end - start)
    paragraphs: list[list[Segment]] = []
    offset = 0
    for block in text.split("\n\n"):
        cuts = sorted({0, len(block)} | {s - offset for s in starts if offset <= s < offset + len(block)}
                      | {i for i in range(1, len(block)) if covered[offset + i] != covered[offset + i - 1]})
        line = [Segment(block[a:b], covered[offset + a], tuple(sorted(starts.get(offset + a, ()))))
                for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
        if block.strip():
            paragraphs.append(line)
        offset += len(block) + 2
    return paragraphs

def diagram(graph: Graph, entity: Entity) -> dict[str, Any]:
    """Positions for a small radial diagram of an entity's relations."""
    edges: list[tuple[Entity, str, bool]] = []
    for relation in entity.relations:
        edges.append((graph.get(relation.target.id), RELATION_TYPES[relation.type].forward, True))
    for backlink in graph.incoming[entity.id]:
        edges.append((backlink.subject, RELATION_TYPES[backlink.relation.type].forward, False))
    neighbours: dict[str, dict[str, Any]] = {}
    for other, label, outgoing in edges[:DIAGRAM_EDGES]:
        node = neighbours.setdefault(other.id, {"entity": other, "labels": [], "outgoing": outgoing})
        node["labels"].append(label)
    width, height, radius = 680, 420, 150
    cx, cy = width / 2, height / 2
    nodes = []
    for index, node in enumerate(neighbours.values()):
        angle = 2 * math.pi * index / max(len(neighbours), 1) - math.pi / 2
        nodes.append({**node, "x": round(cx + radius * 1.6 * math.cos(angle), 1),
                      "y": round(cy + radius * math.sin(angle), 1)})
    return {"width": width, "height": height, "cx": cx, "cy": cy, "nodes": nodes, "more": max(len(edges) - DIAGRAM_EDGES, 0)}


def _unique(claims: list[Cited]) -> list[Cited]:
    seen: dict[tuple[str, str], Cited] = {}
    for cited in claims:
        seen.setdefault((cited.entity.id, cited.claim), cited)
    return list(seen.values())


@dataclass(frozen=True)
class GlanceItem:
    """One value of an at-a-glance row: an entity to link (or None), words beside it, its status and citations."""

    entity: Entity | None
    text: str
    status: str | None
    citations: list[Citation]
    prose: bool = False  # `text` is prose of the data (emphasis, entity links), not a plain value


@dataclass(frozen=True)
class GlanceRow:
    label: str
    items: list[GlanceItem]


ENTRY = ("compromised", "targeted")  # the relations that say who got into whom
UNKNOWN = "what is not known"  # the overview fact that begins with these words says what nobody knows


def glance(graph: Graph, event: Entity) -> list[GlanceRow]:
    """The home page's summary box, derived from the overview event, the entities it involves and their relations:
    who, when, the target, the malware, its discovery and disclosure, and what is not known."""
    involved = [graph.get(ref.id) for ref in event.attrs["involves"]]
    groups = [e for e in involved if e.kind.name == "actor" and e.attrs.get("type") == "hacking-group"]
    targets: dict[str, GlanceItem] = {}
    who = []
    for group in groups:
        entries = [r for r in group.relations if r.type in ENTRY and r.target.id in {e.id for e in involved}]
        who.append(GlanceItem(group, "", entries[0].status if entries else None,
                              [c for r in entries for c in r.citations]))
        for relation in entries:
            target = graph.get(relation.target.id)
            known = targets.get(target.id)
            where = f"{relation.note}, by [[{group.id}]]" if relation.note else ""  # ids are slugs: safe in prose
            targets[target.id] = GlanceItem(target, "; ".join(filter(None, [known and known.text, where])),
                                            relation.status, [*(known.citations if known else []), *relation.citations],
                                            prose=True)
    malware = []
    for software in (e for e in involved if e.kind.name == "software"):
        uses = [r for g in groups for r in g.relations if r.target.id == software.id]
        malware.append(GlanceItem(software, software.attrs["category"], uses[0].status if uses else None,
                                  [c for r in uses for c in r.citations]))
    date = event.attrs["date"]
    years = {str(d.year) for d in (getattr(date, "start", date), getattr(date, "end", None)) if d is not None}
    dated = [c for c in event.attrs["citations"] if c.quote and all(y in c.quote for y in years)]
    rows = [GlanceRow("Who", who), GlanceRow("When", [GlanceItem(None, date.human(), None, dated[:1])]),
            GlanceRow("Target", list(targets.values())), GlanceRow("Malware", malware)]
    required = {g.id for g in groups} | set(targets)  # key events of the same intrusion involve all of these
    key = sorted((e for e in graph.by_kind["event"] if e.attrs.get("key") and e is not event
                  and required <= {r.id for r in e.attrs["involves"]}), key=lambda e: e.sort_key)
    end = getattr(date, "end", None) or getattr(date, "start", date)
    during = [e for e in key if e.sort_key[0][:2] <= end.sort_key()[:2]]
    after = [e for e in key if e.sort_key[0][:2] > end.sort_key()[:2]]
    for label, kind, events in (("Discovered", "discovered", during[-1:]), ("Disclosed", "reported-on", after[:1])):
        items = [GlanceItem(e, e.attrs["date"].human(), None, e.attrs["citations"][:1]) for e in events]
        items += [GlanceItem(b.subject, "", b.relation.status, b.relation.citations)
                  for b in graph.incoming[event.id] if b.relation.type == kind]
        rows.append(GlanceRow(label, items))
    unknown = [f for f in event.facts if f.statement.lower().startswith(UNKNOWN)]
    rows += [GlanceRow("Not known", [GlanceItem(None, f.statement.split(":", 1)[-1].strip(), f.status, f.citations,
                                                prose=True) for f in unknown])]
    return [row for row in rows if row.items]


def infobox(graph: Graph, entity: Entity) -> list[GlanceRow]:
    """The summary box of an entity's page, as its kind declares it (`Kind.infobox`): each value an entity to link
    where it is one, with its status and citations where it is a relation or a name."""
    rows = []
    for label, what in entity.kind.infobox:
        items: list[GlanceItem] = []
        for part in what.split("+"):
            if part == "aliases":
                items += [GlanceItem(None, a.name, None, a.citations) for a in entity.aliases]
            elif part.startswith("out:"):
                items += [GlanceItem(graph.get(r.target.id), r.note or "", r.status, r.citations, prose=True)
                          for r in entity.relations if r.type == part[4:]]
            elif part.startswith("in:"):
                items += [GlanceItem(b.subject, b.relation.note or "", b.relation.status, b.relation.citations,
                                     prose=True)
                          for b in graph.incoming[entity.id] if b.relation.type == part[3:]]
            else:
                value = entity.attrs.get(part)
                values = value if isinstance(value, list) else [value] if value not in (None, "") else []
                for v in values:
                    target = graph.entities.get(v.id) if hasattr(v, "id") else None
                    text = v.human() if hasattr(v, "human") else str(v).replace("-", " ") if target is None else ""
                    items.append(GlanceItem(target, text, None, []))
        if items:
            rows.append(GlanceRow(label, items))
    return rows


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def timeline(graph: Graph) -> dict[str, Any]:
    """A vertical picture of the key dates: each key event in order, a dot on the line, its date and below it its
    name (wrapped)."""
    events = sorted((e for e in graph.by_kind["event"] if e.attrs.get("key")), key=lambda e: e.sort_key)
    rows, y = [], 20
    for event in events:
        date = event.attrs["date"]
        lines = _wrap(event.name, 40)
        rows.append({"entity": event, "y": y, "date": date.human(), "lines": lines})
        y += 30 + 17 * len(lines)
    return {"rows": rows, "width": 380, "height": y}


def disputes(graph: Graph) -> list[tuple[Entity, Any]]:
    """Every fact on which sources disagree (it has sides), with its entity: by kind, then by name."""
    return [(entity, fact) for entities in graph.by_kind.values() for entity in sorted(entities, key=lambda e: e.name.lower())
            for fact in entity.facts if fact.positions]


VIEWS = {"claims_of": claims_of, "coverage": coverage, "segments": segments, "diagram": diagram, "glance": glance,
         "disputes": disputes, "infobox": infobox, "timeline": timeline}
