"""Views that pages need beyond the data itself: passages, coverage, highlighted text, diagrams.

Each view is a function of the linked graph, so templates get finished structures and stay simple.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Any

from .graph import Cited, Graph
from .model import RELATION_TYPES, Entity
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


VIEWS = {"claims_of": claims_of, "coverage": coverage, "segments": segments, "diagram": diagram}
