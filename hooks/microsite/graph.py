"""Link loaded entities: resolve ids, check relations, verify quotes, compute backlinks."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DataError, DataErrors, Location, shown
from .load import UNSAFE_CHARS, unsafe_char
from .model import KINDS, RELATION_TYPES, Citation, Entity, Relation
from .quotes import Archive
from .schema import Ref, suggest
from .text import skeleton

ARCHIVE_DIR = "seeds"
MAX_ARCHIVE_BYTES = 2 * 1024 * 1024
MIN_QUOTE_WORDS = 3


@dataclass(frozen=True)
class Backlink:
    """A relation seen from its target."""

    subject: Entity
    relation: Relation


@dataclass(frozen=True)
class Cited:
    """A claim on an entity's page and one citation that supports it."""

    entity: Entity
    claim: str
    citation: Citation


@dataclass
class Graph:
    """All entities with every cross-reference computed once, before any page is rendered."""

    entities: dict[str, Entity]
    archives: dict[str, Archive]
    by_kind: dict[str, list[Entity]] = field(default_factory=lambda: defaultdict(list))
    incoming: dict[str, list[Backlink]] = field(default_factory=lambda: defaultdict(list))
    assessments: dict[str, list[Entity]] = field(default_factory=lambda: defaultdict(list))
    events: dict[str, list[Entity]] = field(default_factory=lambda: defaultdict(list))
    topics: dict[str, list[Entity]] = field(default_factory=lambda: defaultdict(list))
    citations: dict[str, list[Cited]] = field(default_factory=lambda: defaultdict(list))

    def get(self, entity_id: str) -> Entity:
        return self.entities[entity_id]

    def is_verified(self, citation: Citation) -> bool:
        """True when the quote was found in the source's archived text."""
        return citation.source.id in self.archives


def link(entities: list[Entity], root: Path) -> Graph:
    """Build the graph, or raise `DataErrors` with every broken reference and quote."""
    errors: list[DataError] = []
    index: dict[str, Entity] = {}
    for entity in entities:
        if entity.id in index:
            first = index[entity.id]
            errors.append(DataError(entity.location, f"id '{entity.id}' is already used by {first.location.path}",
                                    "ids are unique across all kinds; choose another id"))
        else:
            index[entity.id] = entity
    errors.extend(_check_former_ids(entities, index))
    errors.extend(_check_lookalike_names(index))
    graph = Graph(index, _load_archives(index, root, errors))
    for entity in entities:
        errors.extend(_resolve_refs(entity, index))
    if not errors:
        for entity in sorted(index.values(), key=lambda e: e.sort_key):
            errors.extend(_link_entity(graph, entity))
    if errors:
        raise DataErrors(errors)
    for backlinks in graph.incoming.values():
        backlinks.sort(key=lambda b: (b.subject.name.lower(), b.relation.type))
    return graph


def claims(entity: Entity, graph: Graph) -> Iterator[tuple[str, Citation]]:
    """Every citation of an entity with the claim it supports."""
    for fact in entity.facts:
        for citation in fact.citations:
            yield fact.statement, citation
        for position in fact.positions:
            for citation in position.citations:
                yield position.claim, citation
    for relation in entity.relations:
        sentence = f"{entity.name} {RELATION_TYPES[relation.type].forward} {graph.get(relation.target.id).name}"
        for citation in relation.citations:
            yield sentence, citation
    for alias in entity.aliases:
        for citation in alias.citations:
            yield f"Also known as {alias.name}", citation
    for citation in entity.attrs.get("citations") or [entity.attrs.get("citation")]:
        if citation is not None:
            yield entity.summary, citation
    for indicators in entity.attrs.get("indicators") or []:
        yield f"Indicators ({indicators.type}): {', '.join(indicators.values)}", indicators.citation


# --------------------------------------------------------------------------- resolve


def _resolve_refs(entity: Entity, index: dict[str, Entity]) -> Iterator[DataError]:
    for ref, kinds in entity.refs:
        target = index.get(ref.id)
        if target is None:
            hint = suggest(ref.id, tuple(index)) or "check the id, or add a file for it in data/"
            yield DataError(ref.location, f"unknown id {shown(ref.id)}", hint)
        elif kinds and target.kind.name not in kinds:
            expected = " or ".join(kinds)
            yield DataError(ref.location, f"'{ref.id}' is a {target.kind.name}, but a {expected} is expected here",
                            "use the id of an entity of the right kind")


def _check_former_ids(entities: list[Entity], index: dict[str, Entity]) -> Iterator[DataError]:
    claimed: dict[str, Entity] = {}
    for entity in entities:
        for number, old in enumerate(entity.former_ids):
            if old in entity.former_ids[:number]:
                yield DataError(entity.at("former_ids"), f"former id {shown(old)} is listed twice", "remove one of the two")
                continue
            if old in index or old in claimed:
                owner = index.get(old) or claimed[old]
                yield DataError(entity.at("former_ids"), f"former id {shown(old)} is still in use by {owner.location.path}",
                                "a former id must not be a current id or another entity's former id")
            claimed[old] = entity


def _check_lookalike_names(index: dict[str, Entity]) -> Iterator[DataError]:
    """Two entities whose names differ only by look-alike letters (Cyrillic 'а' for Latin 'a') deceive readers."""
    seen: dict[str, Entity] = {}
    for entity in index.values():
        other = seen.setdefault(skeleton(entity.name), entity)
        if other is not entity and other.name != entity.name:
            odd, plain = sorted((entity, other), key=lambda e: e.name.isascii())  # blame the name with foreign letters
            yield DataError(odd.at("name"), f"the name {shown(odd.name)} looks the same as {shown(plain.name)} "
                            f"of {plain.location.path}, but is spelt with other letters",
                            "write the name in one script; put spellings in other scripts under 'aliases'")


def _load_archives(index: dict[str, Entity], root: Path, errors: list[DataError]) -> dict[str, Archive]:
    archives = {}
    for entity in index.values():
        path = entity.attrs.get("archive")
        if path:
            try:
                archives[entity.id] = Archive(read_archive(root, path, entity.at("archive")))
            except DataError as error:
                errors.append(error)
    return archives


def read_archive(root: Path, path: str, where: Location) -> str:
    """The text of an archived source: a plain UTF-8 file inside seeds/ once every link is resolved.

    Nothing else is ever opened, so no data file can publish another file of the build machine.
    """
    seeds = root / ARCHIVE_DIR
    file = (root / path).resolve()
    hint = f"give the path of a text file in {ARCHIVE_DIR}/ from the project root, e.g. {ARCHIVE_DIR}/<file>.txt"
    if seeds.is_symlink() or not path.startswith(f"{ARCHIVE_DIR}/") or not file.is_relative_to(seeds.resolve()):
        raise DataError(where, f"archive file {shown(path)} is not inside {ARCHIVE_DIR}/", hint)
    if not file.is_file():
        raise DataError(where, f"archive file {shown(path)} does not exist", hint)
    if file.stat().st_size > MAX_ARCHIVE_BYTES:
        raise DataError(where, f"archive file {shown(path)} is larger than {MAX_ARCHIVE_BYTES // 1024} KiB",
                        "archive the article's text only")
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DataError(where, f"archive file {shown(path)} is not UTF-8 text (line {line})",
                        "save it with UTF-8 encoding") from None
    unsafe = UNSAFE_CHARS.search(text)
    if unsafe:
        message, fix = unsafe_char(unsafe.group())
        line = text.count("\n", 0, unsafe.start()) + 1
        raise DataError(where, f"archive file {shown(path)}, line {line}: {message}", fix)
    return text


# --------------------------------------------------------------------------- link


def _self_refs(entity: Entity) -> Iterator[DataError]:
    """A relation or a field such as `copy_of` that names its own entity says nothing and loops the graph."""
    refs = [r.target for r in entity.relations]
    for value in entity.attrs.values():
        refs += [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, Ref)]
    for ref in refs:
        if ref.id == entity.id:
            yield DataError(ref.location, f"{shown(ref.id)} is this entity itself", "refer to another entity")


def _link_entity(graph: Graph, entity: Entity) -> Iterator[DataError]:
    graph.by_kind[entity.kind.name].append(entity)
    yield from _self_refs(entity)
    for relation in entity.relations:
        rule = RELATION_TYPES[relation.type]
        target = graph.get(relation.target.id)
        if target is entity:
            continue  # reported by _self_refs
        if entity.kind.name not in rule.subjects or target.kind.name not in rule.objects:
            yield DataError(relation.target.location,
                            f"a '{relation.type}' relation goes from {' or '.join(rule.subjects)} "
                            f"to {' or '.join(rule.objects)}, "
                            f"not from {entity.kind.name} to {target.kind.name} ('{target.id}')",
                            "choose another relation type, or put the relation in the other entity's file")
        graph.incoming[target.id].append(Backlink(entity, relation))
    if entity.kind is KINDS["assessment"]:
        graph.topics[entity.attrs["topic"]].append(entity)
        for ref in entity.attrs["about"]:
            graph.assessments[ref.id].append(entity)
    if entity.kind is KINDS["event"]:
        for ref in entity.attrs["involves"]:
            graph.events[ref.id].append(entity)
    archive = graph.archives.get(entity.id)
    for uncited in entity.attrs.get("uncited") or []:
        if archive is None:
            yield DataError(uncited.location, "'uncited' passages need an 'archive' text", "remove 'uncited' or add 'archive'")
        elif archive.locate(uncited.passage) is None:
            yield DataError(uncited.location, f"the uncited passage is not in the archived text of '{entity.id}'",
                            "copy the passage exactly from the archived text")
    for claim, citation in claims(entity, graph):
        graph.citations[citation.source.id].append(Cited(entity, claim, citation))
        archive = graph.archives.get(citation.source.id)
        if archive is None:
            continue
        if len(citation.quote.split()) < MIN_QUOTE_WORDS:
            yield _short_quote_error(citation)
        elif archive.find(citation.quote) is None:
            yield _quote_error(citation, archive, graph.get(citation.source.id).attrs["archive"])


def _quote_error(citation: Citation, archive: Archive, path: str) -> DataError:
    sentences = [archive.text[start:end] for start, end in archive.sentences()]
    close = difflib.get_close_matches(citation.quote, sentences, n=1, cutoff=0.4)
    hint = f"copy the passage exactly from {path}"
    if close:
        hint += f"; the closest passage starts: {shown(close[0].strip(), 80)}"
    where = citation.places.get("quote", citation.location)
    return DataError(where, f"the quote is not in the archived text of '{citation.source.id}'", hint)


def _short_quote_error(citation: Citation) -> DataError:
    return DataError(citation.places.get("quote", citation.location),
                     f"a quote checked against an archived text needs at least {MIN_QUOTE_WORDS} words",
                     "quote the whole phrase that supports the claim: a word or two is found almost anywhere")
