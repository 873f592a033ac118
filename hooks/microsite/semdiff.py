"""What changed between two versions of an entity, in words: a diff of the parsed YAML, not of its lines.

A version is its plain YAML (mappings, lists, text), read with today's data model only to name things: a key the
model knows (or knew, by a field's `formerly`) is read as that field, an old word for a choice (a relation type's
`formerly`) as today's word, a date as a date; a key the model no longer has, or a value of a shape it no longer
takes, is left out or said in general words, never an error. Versions are compared as plain values (no line
numbers), so reformatting, reordering keys or changing quotes says nothing. Items of a list are paired across
versions before they are compared (a fact by its statement, its citations or a close wording; a relation by its type
and target), so a reworded fact reads as reworded, not as one fact withdrawn and another added. Sentences name
entities by id (`Named`); the page that shows them puts in the names of the day.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .model import COMMON_FIELDS, RELATION_TYPES, STATUS, Kind
from .schema import Field, FieldType, Record, Role
from .text import PROSE_TOKEN

LONGEST = 140  # characters of a statement quoted in a sentence
SIMILAR = 0.6  # two wordings at least this alike are one fact reworded
TRACKED = ("facts", "relations")  # the lists whose items carry their own history on the page
NOTES = ("corrections", "withdrawn")  # the editors' notes: readers see them as they are, not as changes
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Named:
    """An entity named by id in a sentence; shown by its current name."""

    id: str


Words = tuple["str | Named", ...]


def say(words: Words, name_of: Callable[[str], str | None]) -> str:
    """A sentence as text: each named entity by its name now, or by its id when it no longer exists."""
    return "".join(part if isinstance(part, str) else name_of(part.id) or part.id for part in words)


def prose_words(text: str, limit: int = LONGEST, start: int = 0) -> Words:
    """A prose field as words: `[[id|label]]` is its label, `[[id]]` the entity, `*x*` plain x; cut at `limit`
    characters from `start` (from a later start: after a word's end, with '…' before)."""
    parts: list[str | Named] = []
    last = 0
    for match in PROSE_TOKEN.finditer(text):
        entity_id, link_label, emphasis = match.groups()
        parts += [text[last:match.start()], Named(entity_id) if entity_id and link_label is None
                  else link_label if entity_id else emphasis]
        last = match.end()
    parts.append(text[last:])
    return _cut(tuple(_SPACES.sub(" ", part) if isinstance(part, str) else part for part in parts), limit, start)


def _size(part: str | Named) -> int:
    return len(part) if isinstance(part, str) else len(part.id)


def _cut(parts: Words, limit: int, start: int = 0) -> Words:
    """Words cut to `limit` characters from `start` (an entity counts as long as its id)."""
    if start:
        position, kept = 0, []
        for part in parts:
            size = _size(part)
            if kept or position + size > start:
                if not kept and isinstance(part, str) and position < start:
                    tail = part[start - position:]  # from a word's start: the rest of a word cut in two is left out
                    part = tail if part[start - position - 1] == " " else tail.partition(" ")[2]
                kept.append(part)
            position += size
        parts = ("…", *kept)
    words: list[str | Named] = []
    length = 0
    for part in parts:
        size = _size(part)
        if length + size > limit:
            words.append(part[: limit - length].rstrip() + "…" if isinstance(part, str) else "…")
            break
        if part:
            words.append(part)
            length += size
    return tuple(words)


def reworded(before: str, after: str, limit: int = LONGEST) -> tuple[Words, Words]:
    """Two wordings of one text, each cut to `limit` characters around where they first differ, so that what
    changed shows in both, with a little of what comes before it."""
    old, new = prose_words(before, len(before)), prose_words(after, len(after))
    same = 0
    for a, b in zip(_flat(old), _flat(new), strict=False):
        if a != b:
            break
        same += 1
    longest = max(sum(map(_size, old)), sum(map(_size, new)))
    start = 0 if longest <= limit or same < limit - limit // 4 else same - limit // 3
    return _cut(old, limit, start), _cut(new, limit, start)


def _flat(words: Words) -> Iterator[str | Named]:
    """Words character by character (an entity as many times as its id is long), to find where two differ."""
    for part in words:
        yield from part if isinstance(part, str) else [part] * len(part.id)


# --------------------------------------------------------------------------- reading a version


def read_record(record: Record, data: dict[Any, Any], renamed: dict[str, str] | None = None) -> dict[str, Any]:
    """The plain YAML of a record as today's model names it (`Record.read_old`): the same form as a record type's
    `exported` gives of a parsed record."""
    return record.read_old(data, renamed or {}) or {}


def key(value: Any) -> str:
    """A plain value as one comparable string (for pairing equal items and finding them again)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Version:
    """An entity as one version of its file reads: its kind and its plain values by field name."""

    kind: Kind
    values: dict[str, Any]

    @property
    def name(self) -> str:
        """Its name, or '' for a version that has none."""
        name = self.values.get("name")
        return name if isinstance(name, str) else ""


@dataclass(frozen=True)
class Step:
    """One item of a tracked list across two versions: its index in each (None: absent) and what changed."""

    old: int | None
    new: int | None
    lines: tuple[Words, ...] = ()
    own: tuple[Words, ...] = ()  # the same, said of the item itself, without naming it (for its mark on the page)


@dataclass
class Diff:
    """Everything that changed, in words, and how the facts and relations pair up."""

    lines: list[Words] = field(default_factory=list)
    steps: dict[str, list[Step]] = field(default_factory=dict)


def label(record: Record, item: dict[str, Any], subject: str) -> Words:
    """How a sentence refers to an item: a fact by its statement, a relation as a sentence, a citation by source."""
    if record.role is Role.RELATION:
        relation = RELATION_TYPES.get(item["type"]) if isinstance(item["type"], str) else None
        return (subject, f" {relation.forward} " if relation else " is related to ", *_named(item["target"]))
    if record.role is Role.CITATION:
        return _named(item["source"], "a source")
    wording = record.wording
    if wording:
        return prose_words(item[wording]) if isinstance(item[wording], str) else (record.description,)
    text = next((v for v in item.values() if isinstance(v, str)), record.description)
    return prose_words(text, 80)


def _named(value: Any, otherwise: str = "another page") -> Words:
    """An entity by its id, if `value` is one (an old version may hold another shape)."""
    return (Named(value),) if isinstance(value, str) else (otherwise,)


def quoted(words: Words) -> Words:
    return ("'", *words, "'")


def pair(record: Record, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[tuple[int | None, int | None]]:
    """Pair the items of two versions of a list: equal items first, then by each identity key, then by close
    wording; what is left over was removed (new None) or added (old None). In the new version's order."""
    left, right = list(range(len(old))), list(range(len(new)))
    pairs: list[tuple[int | None, int | None]] = []
    keys: list[Callable[[dict[str, Any]], str | None]] = [key]
    keys += [lambda item, names=names: _identity(item, names) for names in record.identity]
    for identity in keys:
        waiting: defaultdict[str, list[int]] = defaultdict(list)
        for j in right:
            if (found := identity(new[j])) is not None:
                waiting[found].append(j)
        for i in list(left):
            candidates = waiting.get(identity(old[i]) or "")
            if candidates:
                j = candidates.pop(0)
                left.remove(i)
                right.remove(j)
                pairs.append((i, j))
    wording = record.wording
    if wording:
        pairs += _close(old, new, left, right, wording)
    pairs += [(i, None) for i in left] + [(None, j) for j in right]
    return sorted(pairs, key=lambda p: (p[1] if p[1] is not None else len(new), p[0] if p[0] is not None else -1))


def _identity(item: dict[str, Any], names: tuple[str, ...]) -> str | None:
    values = [item.get(name) for name in names]
    return key(values) if all(v not in (None, [], "") for v in values) else None


def _close(old: list[dict[str, Any]], new: list[dict[str, Any]], left: list[int], right: list[int],
           wording: str) -> list[tuple[int | None, int | None]]:
    """Pairs of the closest wordings that are at least SIMILAR; removes them from `left` and `right`."""
    scored = []
    words = {j: str(new[j][wording]).lower().split() for j in right}
    for i in left:
        matcher = difflib.SequenceMatcher(None, b=str(old[i][wording]).lower().split())  # word by word: fast, and fair
        for j in right:
            matcher.set_seq1(words[j])
            if matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR:
                ratio = matcher.ratio()
                if ratio >= SIMILAR:
                    scored.append((-ratio, i, j))
    pairs: list[tuple[int | None, int | None]] = []
    for _, i, j in sorted(scored):
        if i in left and j in right:
            left.remove(i)
            right.remove(j)
            pairs.append((i, j))
    return pairs


def diff(old: Version | None, new: Version | None) -> Diff:
    """What changed from one version of an entity to the next (either may be None: the page is new, or gone)."""
    result = Diff()
    if new is None:
        result.lines.append(("page removed",))
        return result
    if old is None:
        result.lines.append(("new page",))
        result.steps = {name: [Step(None, j) for j in range(len(new.values.get(name) or []))] for name in TRACKED}
        return result
    if old.kind is not new.kind:
        result.lines.append((f"moved from {old.kind.title} to {new.kind.title}",))
    specs = [*COMMON_FIELDS, *(new.kind.fields if old.kind is new.kind else ())]
    subject = new.name or old.name
    for spec in specs:
        before, after = old.values.get(spec.name), new.values.get(spec.name)
        if spec.name in NOTES:
            continue
        if spec.name in TRACKED:
            steps = result.steps[spec.name] = _tracked(spec, before or [], after or [], subject)
            result.lines += [line for step in steps for line in step.lines]
        elif before != after:
            result.lines += _field(spec, before, after, None, subject)
    return result


def _tracked(spec: Field, before: list[dict[str, Any]], after: list[dict[str, Any]], subject: str) -> list[Step]:
    """Steps of each fact or relation: added, withdrawn, or corrected (with what changed about it)."""
    record = spec.inner
    assert isinstance(record, Record)
    steps = []
    for i, j in pair(record, before, after):
        if i is None:
            steps.append(Step(None, j, ((f"new {record.description}: ", *quoted(label(record, after[j], subject))),)))
        elif j is None:
            steps.append(Step(i, None, ((f"{record.description} withdrawn: ", *quoted(label(record, before[i], subject))),)))
        else:
            lines = tuple(_record(record, before[i], after[j], subject))
            own = tuple(_record(record, before[i], after[j], subject, named=False)) if lines else ()
            steps.append(Step(i, j, lines, own))
    return steps


def _record(record: Record, old: dict[str, Any], new: dict[str, Any], subject: str, named: bool = True,
            ) -> Iterator[Words]:
    """What changed inside one item that is in both versions (naming the item in each sentence, if `named`)."""
    about = label(record, new, subject) if named else None
    for spec in record.fields.values():
        before, after = old.get(spec.name), new.get(spec.name)
        if before == after or spec.name in NOTES:
            continue
        if spec.name == record.wording and isinstance(before, str) and isinstance(after, str):
            was, now = reworded(before, after)
            yield (f"{record.description} reworded: ", *quoted(now), " (was ", *quoted(was), ")")
        else:
            yield from _field(spec, before, after, about, subject)


def _field(spec: Field, before: Any, after: Any, about: Words | None, subject: str) -> list[Words]:
    """Sentences for one changed field; `about` names the item it belongs to (None: the entity itself)."""
    name = (*quoted(about), ": ", spec.name.replace("_", " ")) if about else (spec.name.replace("_", " "),)
    kind = spec.inner
    if spec.cites:
        return _citations(spec, before, after, about)
    if not kind.plain:
        return _records(kind, name, before or [], after or [], about, subject)
    shown = [*(before or []), *(after or [])] if spec.type.many else [before, after]
    if not all(kind.sayable(v) for v in shown):  # a value of a shape the model no longer takes: said in general words
        return [(*name, " changed")]
    if spec.type.many:
        added = [v for v in after or [] if v not in (before or [])]
        gone = [v for v in before or [] if v not in (after or [])]
        return ([(*name, ": added ", *_values(kind, added))] if added else []) + (
            [(*name, ": removed ", *_values(kind, gone))] if gone else [])
    if spec.type is STATUS:
        return [("status", *((" of ", *quoted(about)) if about else ()), f" changed from {before} to {after}")]
    if kind.prose:
        return [(*name, " reworded")]
    if before is None:
        return [(*name, " added: ", *_values(kind, [after]))]
    if after is None:
        return [(*name, " removed (was ", *_values(kind, [before]), ")")]
    return [(*name, " changed from ", *_values(kind, [before]), " to ", *_values(kind, [after]))]


class _Say:
    """Words of a change note, for a field type's `said`."""

    def word(self, text: str) -> Words:
        return (text,)

    def quote(self, text: str) -> Words:
        return quoted(prose_words(text, 80))

    def name(self, entity_id: str) -> Words:
        return (Named(entity_id),)


def _values(kind: FieldType, values: list[Any]) -> Words:
    """Values in a sentence, as their type says them: entities by name, text quoted, dates as readers write them."""
    words: list[str | Named] = []
    for number, value in enumerate(values):
        words += [", "] if number else []
        words += kind.said(value, _Say())
    return tuple(words)


def _citations(spec: Field, before: Any, after: Any, about: Words | None) -> list[Words]:
    """New sources cited, sources no longer cited, and changed quotes, for a list of citations or a single one."""
    record = spec.inner
    assert isinstance(record, Record)
    old = before if isinstance(before, list) else [before] if before else []
    new = after if isinstance(after, list) else [after] if after else []
    what = (" for ", *quoted(about)) if about else ()
    lines: list[Words] = []
    for i, j in pair(record, old, new):
        if i is None:
            lines.append(("new source cited", *what, ": ", *_named(new[j]["source"], "a source")))
        elif j is None:
            lines.append(("source no longer cited", *what, ": ", *_named(old[i]["source"], "a source")))
        elif old[i] != new[j]:
            lines.append(("citation of ", *_named(new[j]["source"], "a source"), " changed", *what))
    return lines


def _records(record: Record, name: Words, before: list[Any], after: list[Any], about: Words | None,
             subject: str) -> list[Words]:
    """Items of a list of records (aliases, positions, indicators) added, removed or changed."""
    where = (" in ", *quoted(about)) if about else ()
    lines: list[Words] = []
    for i, j in pair(record, before, after):
        if i is None:
            lines.append((f"{record.description} added", *where, ": ", *quoted(label(record, after[j], subject))))
        elif j is None:
            lines.append((f"{record.description} removed", *where, ": ", *quoted(label(record, before[i], subject))))
        elif before[i] != after[j]:
            inner = list(_record(record, before[i], after[j], subject))
            lines += inner or [(*name, " changed", *where)]
    return lines
