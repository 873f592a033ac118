"""Views that pages need beyond the data itself: passages, coverage, highlighted text, diagrams.

Each view is a function of the linked graph, so templates get finished structures and stay simple.
"""

from __future__ import annotations

import bisect
import calendar
import math
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from .graph import Cited, Graph
from .model import INDICATES_STATUS, RELATION_TYPES, Citation, Entity
from .quotes import anchor
from .schema import PartialDate, Period, Role

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
    """Lines of at most `width` characters (a longer word on a line of its own); a no-break space holds."""
    lines: list[str] = []
    for word in (w for w in re.split(r"[ \t\r\n]+", text) if w):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


# --------------------------------------------------------------------------- pictures
# Every picture is an inline SVG drawn in user units that a phone shows at about 0.9 CSS pixels each: text of 14
# units or more stays at 12 px or more at a width of 390 px. Widths of text are estimated, not measured.

FONT = 14  # the size of every label in the pictures, in user units
CHAR = 0.56 * FONT  # the average width of a character, for wrapping
LINE = FONT + 4  # the height of a line of text
MAP_WIDTH = 380  # the width of every picture, in user units


def page_url(page: str, target: str, fragment: str = "") -> str:
    """The relative URL from one generated page to another, for raw HTML (where MkDocs rewrites no .md link): MkDocs'
    directory URLs, 'actors/x.md' is published at 'actors/x/' (as `render.url_of` says)."""
    def folder(path: str) -> str:
        stem = path.removesuffix(".md").removesuffix("index").rstrip("/")
        return f"{stem}/" if stem else ""
    here, there = folder(page), folder(target)
    url = "" if here == there else posixpath.relpath(there or ".", here or ".") + "/"
    return f"{url}#{fragment}" if fragment else url or "./"


def _lines(text: str, width: float) -> list[str]:
    """`text` wrapped to lines of at most `width` user units."""
    return _wrap(text, max(int(width / CHAR), 8))


def _months(day: tuple[int, int, int]) -> float:
    """A day as months since year 0, for a time axis."""
    year, month, date = day
    return year * 12 + month - 1 + (date - 1) / calendar.monthrange(year, month)[1]


# What a qualifier leaves of a year (months) or of a month (days), first and last.
QUALIFIED_MONTHS = {"early": (1, 4), "mid": (5, 8), "late": (9, 12)}
QUALIFIED_DAYS = {"early": (1, 10), "mid": (11, 20), "late": (21, 31)}


def _reach(date: PartialDate, qualifier: str | None = None) -> tuple[float, float]:
    """The first and the end of the last day a date may mean, in months, narrowed by its qualifier."""
    (y, m, d), (y2, m2, d2) = date.bounds()
    if qualifier in QUALIFIED_MONTHS and not date.month:
        first, last = QUALIFIED_MONTHS[qualifier]
        m, m2, d2 = first, last, calendar.monthrange(y, last)[1]
    elif qualifier in QUALIFIED_DAYS and date.month and not date.day:
        first, last = QUALIFIED_DAYS[qualifier]
        d, d2 = first, min(last, d2)
    end = _months((y2, m2, d2)) + 1 / calendar.monthrange(y2, m2)[1]
    return _months((y, m, d)), end


def spans(when: PartialDate | Period) -> tuple[tuple[float, float], tuple[float, float] | None, tuple[float, float]]:
    """What a date covers on a time axis, in months: where its start may lie, the stretch it surely covers (None if
    none), and where its end may lie. A day has no width; 'late 2021' may start in September and end in December."""
    if isinstance(when, PartialDate):
        when = Period(when)
    start = _reach(when.start, when.qualifier)
    end = _reach(when.end) if when.end else start
    sure = (start[1], end[0]) if start[1] < end[0] else None
    return start, sure, end


def is_approximate(when: PartialDate | Period) -> bool:
    """True for a date that is not a single day: a month, a year, a qualified date or a period."""
    return bool(getattr(when, "qualifier", None) or getattr(when, "end", None)
                or (getattr(when, "start", when)).precision != "day")


MONTH = 24  # user units a month on the time line
BREAK = 36  # user units a stretch of time without key dates is shortened to (the line shows a break)
QUIET = 4  # months without a key date that make such a break


def timeline(graph: Graph, page: str = "index.md") -> dict[str, Any]:
    """A vertical picture of the key dates on a time axis: a dot for an event known to the day, a bar for a longer or
    approximate one (solid where it surely runs, faded where its start or end may lie), and beside it, in order, its
    date in words and its name, each a link to its page. Long quiet stretches are cut short, the line broken."""
    events = sorted((e for e in graph.by_kind["event"] if e.attrs.get("key")), key=lambda e: e.sort_key)
    if not events:
        return {"rows": []}
    reach = {e.id: spans(e.attrs["date"]) for e in events}
    stretches: list[list[float]] = []  # the stretches of time the axis shows, in order
    for (s0, _), _, (_, e1) in sorted(reach.values()):
        if stretches and s0 - 1 <= stretches[-1][1] + QUIET:
            stretches[-1][1] = max(stretches[-1][1], e1 + 1)
        else:
            stretches.append([math.floor(s0) - 1, e1 + 1])
    top, axis_x, label_x = 24, 56, 132
    starts, at = [], float(top)
    for first, last in stretches:
        starts.append(at)
        at += (last - first) * MONTH + BREAK
    bottom = at - BREAK

    def y(month: float) -> float:
        index = max(i for i, (first, _) in enumerate(stretches) if first <= month or i == 0)
        return round(starts[index] + (month - stretches[index][0]) * MONTH, 1)

    lanes: list[float] = []  # where each lane of bars is free again
    rows, label_y = [], 0.0
    for event in events:
        (s0, s1), sure, (e0, e1) = reach[event.id]
        lane = next((i for i, free in enumerate(lanes) if free <= s0), len(lanes))
        lanes[lane:lane + 1] = [e1 + 0.5]
        point = not is_approximate(event.attrs["date"])
        middle = min(y(sum(sure) / 2) if sure else y((s0 + e1) / 2), y(s0) + LINE)  # near where it begins
        lines = _lines(event.name, MAP_WIDTH - label_x - 4)
        label_y = max(middle + 5, label_y + LINE * 1.6)
        rows.append({"entity": event, "url": page_url(page, event.path), "date": event.attrs["date"].human(),
                     "lines": lines, "approximate": not point, "x": axis_x + 10 + 14 * lane, "point": point,
                     "mark_y": middle, "sure": (y(sure[0]), y(sure[1])) if sure else None, "y": round(label_y, 1),
                     "fuzzy": [] if point else [(y(a), y(b)) for a, b in dict.fromkeys(((s0, s1), (e0, e1)))]})
        label_y += LINE * len(lines)
    years = []
    for index, (first, last) in enumerate(stretches):
        marks = [{"y": y(12 * year), "year": year} for year in range(int(first // 12) + 1, int(last // 12) + 1)]
        if not marks or marks[0]["y"] - starts[index] > 2 * LINE:
            marks.insert(0, {"y": starts[index], "year": int(first // 12)})
        years += marks
    breaks = [round(start - BREAK / 2, 1) for start in starts[1:]]
    return {"rows": rows, "width": MAP_WIDTH, "height": round(max(bottom, label_y) + 16), "axis_x": axis_x,
            "label_x": label_x, "top": top, "bottom": bottom, "years": years, "breaks": breaks,
            "pieces": [(start, start + (last - first) * MONTH) for start, (first, last) in zip(starts, stretches,
                                                                                                 strict=True)]}


@dataclass
class Box:
    """A node of a picture: a box with wrapped text (a link), placed by its centre."""

    key: str
    title: str  # what the box says first (a name, a step)
    url: str
    kind: str  # a class for its look: the entity kind, 'infrastructure', 'step'
    x: float = 0.0
    y: float = 0.0
    width: float = 150.0
    note: str = ""  # a second line in smaller words (what sort of thing it is, 'not known')
    lines: list[str] = field(default_factory=list)
    note_lines: list[str] = field(default_factory=list)
    known: bool = True

    def fit(self, width: float) -> Box:
        self.width = width
        self.lines = _lines(self.title, width - 16)
        self.note_lines = _lines(self.note, width - 24) if self.note else []
        return self

    @property
    def height(self) -> float:
        return LINE * (len(self.lines) + len(self.note_lines)) + 12

    @property
    def top(self) -> float:
        return self.y - self.height / 2

    @property
    def bottom(self) -> float:
        return self.y + self.height / 2


@dataclass
class Arrow:
    """An edge of a picture from one box to another, with the words of the relation and how certain it is; the line
    runs straight down or up, at `x1` from the source and `x2` to the target (their centres unless set)."""

    source: Box
    target: Box
    label: str
    status: str | None = None
    sentence: str = ""  # the relation in words, for the text equivalent
    dashed: bool = False
    x1: float | None = None
    x2: float | None = None
    label_at: tuple[float, float, str] | None = None  # x, y and text-anchor of its words

    @property
    def ends(self) -> tuple[float, float, float, float]:
        """Where the line leaves the source's box and meets the target's, on their top or bottom edges."""
        down = self.target.y > self.source.y
        y1 = self.source.bottom if down else self.source.top
        y2 = self.target.top - 3 if down else self.target.bottom + 3
        x1 = self.source.x if self.x1 is None else self.x1
        x2 = self.target.x if self.x2 is None else self.x2
        return round(x1, 1), round(y1, 1), round(x2, 1), round(y2, 1)


INFRASTRUCTURE = ("ip", "domain")  # indicator types a map shows as the groups' infrastructure
INDICATOR_WORDS = {"ip": ("IP address", "IP addresses"), "domain": ("domain", "domains")}
INNER = 30  # how far inside its centre an arrow leaves a group for a box in the middle
OUTER = 40  # how far outside its centre an arrow reaches what a group used


def _overlaps(a: PartialDate | Period, b: PartialDate | Period) -> bool:
    (a0, _), _, (_, a1) = spans(a)
    (b0, _), _, (_, b1) = spans(b)
    return a0 < b1 and b0 < a1


def _row(boxes: list[Box], y: float, left: float = 0, width: float = MAP_WIDTH, least: float = 120) -> float:
    """Place boxes side by side in equal columns from `left`, their tops at `y`; the height of the row."""
    if not boxes:
        return 0.0
    gap = 10
    each = (width - gap * (len(boxes) + 1)) / len(boxes)
    for index, box in enumerate(boxes):
        box.fit(min(each, max(CHAR * len(box.title) + 24, CHAR * len(box.note) + 32, least)))
        box.x = round(left + gap + each / 2 + index * (each + gap), 1)
    height = max(box.height for box in boxes)
    for box in boxes:
        box.y = round(y + height / 2, 1)
    return height


def _kind_words(entity: Entity) -> str:
    word = entity.attrs.get("type") or entity.attrs.get("category") or entity.kind.name
    return {"state": "country", "state-body": "state body"}.get(word, word.replace("-", " "))


def _unique_boxes(boxes: list[Box]) -> list[Box]:
    return list({b.key: b for b in boxes}.values())


def incident_map(graph: Graph, event: Entity, page: str) -> dict[str, Any]:
    """A map of an intrusion, drawn from the relations of the hacking groups its event involves: the states they are
    linked to, the groups, the victims they broke into or targeted, the malware they used and the infrastructure
    their indicators of the time name (grouped by type), and who discovered or reported the intrusion, inside or
    below a frame that is the event. Every line runs straight; each box links to its page."""
    involved = {ref.id: graph.get(ref.id) for ref in event.attrs["involves"]}
    groups = [e for e in involved.values() if e.kind.name == "actor" and e.attrs.get("type") == "hacking-group"]
    boxes: dict[str, Box] = {}
    arrows: list[Arrow] = []

    def box(entity: Entity) -> Box:
        return boxes.setdefault(entity.id, Box(entity.id, entity.name, page_url(page, entity.path), entity.kind.name,
                                               note=_kind_words(entity)))

    above, victims, means = [], [], []
    for group in groups:
        for relation in group.relations:
            target = involved.get(relation.target.id)
            if target is None or relation.type not in ("linked-to", "part-of", "compromised", "targeted", "used"):
                continue
            where = {"used": means, "compromised": victims, "targeted": victims}.get(relation.type, above)
            where.append(box(target))
            words = RELATION_TYPES[relation.type].forward
            arrows.append(Arrow(box(group), box(target), words, relation.status, f"{group.name} {words} {target.name}"))
        tied = [ioc for ioc in group.items(Role.INDICATORS) if ioc.type in INFRASTRUCTURE
                and ioc.active is not None and _overlaps(ioc.active, event.attrs["date"])]
        if tied:
            counts = {kind: sum(len(ioc.values) for ioc in tied if ioc.type == kind) for kind in INFRASTRUCTURE}
            what = ", ".join(f"{n}\u00a0{INDICATOR_WORDS[k][n != 1]}" for k, n in counts.items() if n)
            infra = boxes.setdefault(f"{group.id}-infrastructure", Box(
                f"{group.id}-infrastructure", "Command-and-control servers", page_url(page, group.path, "indicators"),
                "infrastructure", note=what))
            means.append(infra)
            arrows.append(Arrow(box(group), infra, "used", INDICATES_STATUS, f"{group.name} used command-and-control "
                                f"servers during the intrusion ({what}), as a source attributes them"))
    frame = Box(event.id, f"{event.name}, {event.attrs['date'].human()}", page_url(page, event.path), "event")
    below = []
    for backlink in graph.incoming[event.id]:
        if backlink.relation.type in ("discovered", "reported-on") and backlink.subject.id in involved:
            below.append(box(backlink.subject))
            words = RELATION_TYPES[backlink.relation.type].forward
            arrows.append(Arrow(box(backlink.subject), frame, words, backlink.relation.status,
                                f"{backlink.subject.name} {words} the intrusion"))
    group_boxes = [box(g) for g in groups]
    middle = MAP_WIDTH / 2
    _row(group_boxes, 0, 10, MAP_WIDTH - 20)  # where the groups stand decides how wide the boxes in the middle are
    least = 2 * (max([abs(b.x - middle) for b in group_boxes] or [0]) - INNER) + 30  # under every group's arrows
    y, gap = 8.0, 52
    y += _row(_unique_boxes(above), y, least=least) + gap
    frame.fit(MAP_WIDTH - 20)
    frame_top = y
    y += _row(group_boxes, y + 12, 10, MAP_WIDTH - 20) + 12 + gap
    y += _row(_unique_boxes(victims), y, least=least) + gap
    y += _row(_unique_boxes(means), y, 10, MAP_WIDTH - 20) + 10
    frame.y = y  # its name, under everything it frames: no line crosses it
    y += LINE * len(frame.lines) + 8
    frame_bottom = y
    y += gap
    y += _row(_unique_boxes(below), y) + 8
    for arrow in arrows:
        inward = 1 if arrow.source.x < middle - 1 else -1 if arrow.source.x > middle + 1 else 0
        if arrow.target is frame:
            arrow.target = Box(frame.key, frame.title, frame.url, "event", x=arrow.source.x, y=frame_bottom - 9,
                               width=0)
        elif arrow.target.kind in ("software", "infrastructure"):  # outside the boxes in the middle
            outward = 1 if arrow.target.x > middle else -1
            arrow.x1 = arrow.x2 = arrow.target.x + outward * OUTER if inward else arrow.target.x
        else:
            arrow.x1 = arrow.x2 = arrow.source.x + inward * INNER
    _place_labels(arrows, middle)
    return {"width": MAP_WIDTH, "height": round(y), "boxes": list(boxes.values()), "arrows": arrows,
            "frame": {"box": frame, "top": frame_top, "bottom": frame_bottom}, "event": event}


def _place_labels(arrows: list[Arrow], middle: float) -> None:
    """Where each arrow's words go: once, between the arrows, for arrows into one box that say the same; beside a
    lone arrow, on the side away from the middle for an arrow on the outside."""
    together: dict[tuple[int, str], list[Arrow]] = {}
    for arrow in arrows:
        together.setdefault((id(arrow.target), arrow.label), []).append(arrow)
    for same in together.values():
        x1, y1, x2, y2 = same[0].ends
        y = round((y1 + y2) / 2 + FONT / 3, 1)
        if len(same) > 1:
            xs = [a.ends[0] for a in same]
            same[0].label_at = (round((min(xs) + max(xs)) / 2, 1), y, "middle")
        elif x1 < middle - 60:
            same[0].label_at = (x1 - 6, y, "end")
        else:
            same[0].label_at = (x1 + 6, y, "start")


def intrusion_path(graph: Graph, event: Entity, page: str) -> dict[str, Any]:
    """The path of an intrusion as its event's `steps` give it: each hacking group's steps in a lane of their own,
    side by side, then the steps of the whole intrusion across the width; a step not known drawn dashed and saying
    so. Each box links to the step's words and sources below the picture."""
    steps = event.attrs.get("steps") or []
    if not steps:
        return {"boxes": []}
    lanes = list(dict.fromkeys(s.by.id for s in steps if s.by))
    lane_width = (MAP_WIDTH - 10 * (len(lanes) + 1)) / max(len(lanes), 1)
    heads = [Box(f"lane-{lane}", graph.name_of(lane), page_url(page, graph.get(lane).path), "lane") for lane in lanes]
    boxes: list[Box] = []
    arrows: list[Arrow] = []
    for index, step in enumerate(steps, 1):
        note = "" if step.known else "not known" if step.citations else "not described by the sources"
        boxes.append(Box(f"step-{index}", step.label, f"#step-{index}", "step", note=note, known=step.known))
    y = 8.0
    for index, head in enumerate(heads):
        head.fit(lane_width)
        head.x, head.y = round(10 + lane_width / 2 + index * (lane_width + 10), 1), y + LINE / 2
    y += LINE + 14 if heads else 0
    ends: list[Box] = []  # the boxes the next step follows from
    last: dict[str, Box] = {}
    column_y: dict[str, float] = {}
    start_y = y
    for step, item in zip(steps, boxes, strict=True):
        if step.by:
            lane = lanes.index(step.by.id)
            item.fit(lane_width)
            item.x = heads[lane].x
            top = column_y.get(step.by.id, start_y)
            item.y = top + item.height / 2
            column_y[step.by.id] = top + item.height + 40
            previous = last.get(step.by.id) or next((e for e in ends if e.kind == "step"), None)
            last[step.by.id] = item
        else:
            top = max([start_y, *column_y.values()])
            item.fit(MAP_WIDTH - 20)
            item.x, item.y = MAP_WIDTH / 2, top + item.height / 2
            start_y = top + item.height + 40
            column_y = {}
            if item.known:  # what is not known of the whole is no step after another: it stands apart
                for source in list(last.values()) or ends:
                    arrows.append(Arrow(source, item, "", dashed=not source.known))
            last, ends = {}, [item]
            continue
        if previous is not None:
            arrows.append(Arrow(previous, item, "", dashed=not (previous.known and item.known)))
    height = max([start_y, *column_y.values()]) - 40 + 8
    return {"width": MAP_WIDTH, "height": round(height), "boxes": boxes, "heads": heads, "arrows": arrows,
            "steps": list(zip(steps, boxes, strict=True))}


def disputes(graph: Graph) -> list[tuple[Entity, Any]]:
    """Every fact on which sources disagree (it has sides), with its entity: by kind, then by name."""
    return [(entity, fact) for entities in graph.by_kind.values() for entity in sorted(entities, key=lambda e: e.name.lower())
            for fact in entity.facts if fact.positions]


VIEWS = {"claims_of": claims_of, "coverage": coverage, "segments": segments, "diagram": diagram, "glance": glance,
         "disputes": disputes, "infobox": infobox, "timeline": timeline,
         "incident_map": incident_map, "intrusion_path": intrusion_path}
