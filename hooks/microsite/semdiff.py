"""What changed between two versions of an entity, in words: a diff of the parsed data model, not of YAML lines.

Versions are compared as plain values (no line numbers), so reformatting, reordering keys or changing quotes
says nothing. Items of a list are paired across versions before they are compared (a fact by its statement,
its citations or a close wording; a relation by its type and target), so a reworded fact reads as reworded,
not as one fact withdrawn and another added. Sentences name entities by id (`Named`); the page that shows them
puts in the names of the day.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .model import COMMON_FIELDS, RELATION_TYPES, STATUS, Kind
from .schema import Field, ListOf, PartialDate, Period, Record, Ref, RefTo, Text
from .text import ENTITY_LINK, PROSE_TOKEN

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


def prose_words(text: str, limit: int = LONGEST) -> Words:
    """A prose field as words: `[[id|label]]` is its label, `[[id]]` the entity, `*x*` plain x; cut at `limit`."""
    parts: list[str | Named] = []
    last = 0
    for match in PROSE_TOKEN.finditer(text):
        entity_id, link_label, emphasis = match.groups()
        parts += [text[last:match.start()], Named(entity_id) if entity_id and link_label is None
                  else link_label if entity_id else emphasis]
        last = match.end()
    parts.append(text[last:])
    words: list[str | Named] = []
    length = 0
    for part in parts:
        part = _SPACES.sub(" ", part) if isinstance(part, str) else part
        size = len(part) if isinstance(part, str) else len(part.id)
        if length + size > limit:
            words.append(part[: limit - length].rstrip() + "…" if isinstance(part, str) else "…")
            break
        if part:
            words.append(part)
            length += size
    return tuple(words)


def plain(value: Any, renamed: dict[str, str] | None = None) -> Any:
    """A parsed value without its places in the file: records as dicts, references as ids (an id in `renamed`
    as the id it has now, in prose links too), dates as text."""
    renamed = renamed or {}
    if isinstance(value, Ref):
        return renamed.get(value.id, value.id)
    if isinstance(value, str) and renamed and "[[" in value:
        return ENTITY_LINK.sub(lambda m: m.group(0).replace(m.group(1), renamed.get(m.group(1), m.group(1)), 1), value)
    if isinstance(value, (PartialDate, Period)):
        return value.human()
    if isinstance(value, list):
        return [plain(item, renamed) for item in value]
    if isinstance(value, dict):
        return {key: plain(item, renamed) for key, item in value.items()}
    if dataclasses.is_dataclass(value):
        return {f.name: plain(getattr(value, f.name), renamed) for f in dataclasses.fields(value)
                if f.name not in ("location", "places")}
    return value


def key(value: Any) -> str:
    """A plain value as one comparable string (for pairing equal items and finding them again)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


@dataclass(frozen=True)
class Version:
    """An entity as one version of its file reads: its kind and its plain values by field name."""

    kind: Kind
    values: dict[str, Any]

    @property
    def id(self) -> str:
        return self.values["id"]

    @property
    def name(self) -> str:
        return self.values["name"]


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


# How items of each record are recognised in another version: the keys tried in turn, then a close wording.
IDENTITY: dict[str, tuple[tuple[str, ...], ...]] = {
    "fact": (("statement",), ("citations",)),
    "position": (("claim",), ("citations",)),
    "relation": (("type", "target"), ("target",), ("citations",)),
    "alias": (("name",),),
    "citation": (("source", "quote"), ("source",)),
    "indicator list": (("type",),),
    "uncited passage": (("passage",),),
}
WORDING = {"fact": "statement", "position": "claim"}


def label(record: Record, item: dict[str, Any], subject: str) -> Words:
    """How a sentence refers to an item: a fact by its statement, a relation as a sentence, a citation by source."""
    if record.description == "relation":
        return (subject, f" {RELATION_TYPES[item['type']].forward} ", Named(item["target"]))
    if record.description == "citation":
        return (Named(item["source"]),)
    wording = WORDING.get(record.description)
    if wording:
        return prose_words(item[wording])
    text = next((v for v in item.values() if isinstance(v, str)), record.description)
    return prose_words(text, 80)


def quoted(words: Words) -> Words:
    return ("'", *words, "'")


def pair(record: Record, old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[tuple[int | None, int | None]]:
    """Pair the items of two versions of a list: equal items first, then by each identity key, then by close
    wording; what is left over was removed (new None) or added (old None). In the new version's order."""
    left, right = list(range(len(old))), list(range(len(new)))
    pairs: list[tuple[int | None, int | None]] = []
    keys: list[Callable[[dict[str, Any]], str | None]] = [key]
    keys += [lambda item, names=names: _identity(item, names) for names in IDENTITY.get(record.description, ())]
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
    wording = WORDING.get(record.description)
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
    words = {j: new[j][wording].lower().split() for j in right}
    for i in left:
        matcher = difflib.SequenceMatcher(None, b=old[i][wording].lower().split())  # word by word: fast, and fair
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
        result.steps = {name: [Step(None, j) for j in range(len(new.values[name]))] for name in TRACKED}
        return result
    if old.kind is not new.kind:
        result.lines.append((f"moved from {old.kind.title} to {new.kind.title}",))
    specs = [*COMMON_FIELDS, *(new.kind.fields if old.kind is new.kind else ())]
    for spec in specs:
        before, after = old.values.get(spec.name), new.values.get(spec.name)
        if spec.name in NOTES:
            continue
        if spec.name in TRACKED:
            steps = result.steps[spec.name] = _tracked(spec, before, after, new.name)
            result.lines += [line for step in steps for line in step.lines]
        elif before != after:
            result.lines += _field(spec, before, after, None, new.name)
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
        if spec.name == WORDING.get(record.description):
            yield (f"{record.description} reworded: ", *quoted(prose_words(after)), " (was ",
                   *quoted(prose_words(before)), ")")
        else:
            yield from _field(spec, before, after, about, subject)


def _field(spec: Field, before: Any, after: Any, about: Words | None, subject: str) -> list[Words]:
    """Sentences for one changed field; `about` names the item it belongs to (None: the entity itself)."""
    name = (*quoted(about), ": ", spec.name.replace("_", " ")) if about else (spec.name.replace("_", " "),)
    kind = spec.inner
    if spec.cites:
        return _citations(spec, before, after, about)
    if isinstance(kind, Record):
        return _records(kind, name, before or [], after or [], about, subject)
    if isinstance(spec.type, ListOf):
        added = [v for v in after or [] if v not in (before or [])]
        gone = [v for v in before or [] if v not in (after or [])]
        return ([(*name, ": added ", *_values(kind, added))] if added else []) + (
            [(*name, ": removed ", *_values(kind, gone))] if gone else [])
    if spec.type is STATUS:
        return [("status", *((" of ", *quoted(about)) if about else ()), f" changed from {before} to {after}")]
    if isinstance(kind, Text) and kind.prose:
        return [(*name, " reworded")]
    if before is None:
        return [(*name, " added: ", *_values(kind, [after]))]
    if after is None:
        return [(*name, " removed (was ", *_values(kind, [before]), ")")]
    return [(*name, " changed from ", *_values(kind, [before]), " to ", *_values(kind, [after]))]


def _values(kind: Any, values: list[Any]) -> Words:
    """Values in a sentence: entities by name, text quoted, other values (dates, choices) as they are."""
    words: list[str | Named] = []
    for number, value in enumerate(values):
        words += [", "] if number else []
        if isinstance(kind, RefTo):
            words.append(Named(value))
        elif isinstance(kind, Text) and not isinstance(value, bool):
            words += quoted(prose_words(str(value), 80))
        else:
            words.append(str(value).lower() if isinstance(value, bool) else str(value))
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
            lines.append(("new source cited", *what, ": ", Named(new[j]["source"])))
        elif j is None:
            lines.append(("source no longer cited", *what, ": ", Named(old[i]["source"])))
        elif old[i] != new[j]:
            lines.append(("citation of ", Named(new[j]["source"]), " changed", *what))
    return lines


def _records(record: Record, name: str, before: list[Any], after: list[Any], about: Words | None,
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
            lines += inner or [(f"{name} changed", *where)]
    return lines
