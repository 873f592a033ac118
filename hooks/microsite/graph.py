"""Link loaded entities: resolve ids, check relations, verify quotes, compute backlinks."""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from .errors import DataError, DataErrors, shown
from .model import KINDS, RELATION_TYPES, Citation, Entity, Relation
from .quotes import Archive, anchor
from .schema import Choice, Ref, suggest
from .text import skeleton
from .verification import QuoteState, SourceCheck, quote_state

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


def _lists() -> defaultdict[str, list]:
    return defaultdict(list)


@dataclass(frozen=True)
class Graph:
    """All entities with every cross-reference computed once, before any page is rendered."""

    entities: dict[str, Entity]
    archives: dict[str, Archive] = field(default_factory=dict)
    by_kind: dict[str, list[Entity]] = field(default_factory=_lists)  # each in chronological, then name order
    incoming: dict[str, list[Backlink]] = field(default_factory=_lists)  # target id → relations to it
    referrers: dict[str, dict[tuple[str, str], list[Entity]]] = field(default_factory=lambda: defaultdict(dict))
    grouped: dict[tuple[str, str, str], list[Entity]] = field(default_factory=_lists)  # (kind, field, choice) → entities
    citations: dict[str, list[Cited]] = field(default_factory=_lists)  # source id → claims citing it
    spans: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)  # source id → quote anchor → span
    checks: dict[str, SourceCheck] = field(default_factory=dict)  # source id → what `make verify-sources` found

    def get(self, entity_id: str) -> Entity:
        return self.entities[entity_id]

    def name_of(self, entity_id: str) -> str:
        return self.entities[entity_id].name

    def is_verified(self, citation: Citation) -> bool:
        """True when the quote was found in the source's archived text."""
        return citation.source.id in self.archives

    def quote_state(self, citation: Citation) -> QuoteState:
        """How the citation's quote was checked: against the archived text, on its web page, or not yet."""
        return quote_state(self.checks, self.is_verified(citation), citation)


def link(entities: list[Entity], archives: dict[str, Archive], checks: dict[str, SourceCheck],
         read_errors: Sequence[DataError] = ()) -> Graph:
    """The linked graph of loaded entities, with the archived texts and quote-check records `load` read, or
    `DataErrors` with every broken reference and quote (and the `read_errors` of loading, so all come at once)."""
    index, errors = _index(entities)
    errors += [*_check_former_ids(entities, index), *_check_lookalike_names(index), *read_errors]
    errors += [error for entity in entities for error in _resolve_refs(entity, index)]
    if errors:
        raise DataErrors(errors)
    ordered = sorted(index.values(), key=lambda e: e.sort_key)
    errors += [error for entity in ordered for error in _check_links(entity, index, archives)]
    citations = cited_by_source(ordered, index)
    spans, quote_errors = locate_quotes(citations, archives, index)
    if errors or quote_errors:
        raise DataErrors(errors + quote_errors)
    return Graph(index, archives, _by_kind(ordered), _incoming(ordered), _referrers(ordered), _grouped(ordered),
                 citations, spans, checks)


def cited_by_source(ordered: list[Entity], index: dict[str, Entity]) -> defaultdict[str, list[Cited]]:
    """Source id → every claim citing it, in the order of the entities."""
    cited: defaultdict[str, list[Cited]] = _lists()
    for entity in ordered:
        for claim, citation in entity.claims(lambda entity_id: index[entity_id].name):
            cited[citation.source.id].append(Cited(entity, claim, citation))
    return cited


def locate_quotes(cited: dict[str, list[Cited]], archives: dict[str, Archive], index: dict[str, Entity],
                  ) -> tuple[dict[str, dict[str, tuple[int, int]]], list[DataError]]:
    """Where each quote from an archived source stands in its text (source id → anchor → span), and the quotes
    that are too short or not there."""
    spans: dict[str, dict[str, tuple[int, int]]] = {}
    errors: list[DataError] = []
    for source_id, archive in archives.items():
        found = spans[source_id] = {}
        for item in cited.get(source_id, ()):
            quote = item.citation.quote
            if len(quote.split()) < MIN_QUOTE_WORDS:
                errors.append(_short_quote_error(item.citation))
            elif (span := archive.locate(quote)) is None:
                errors.append(_quote_error(item.citation, archive, index[source_id].attrs["archive"]))
            else:
                found[anchor(quote)] = span
    return spans, errors


def _index(entities: list[Entity]) -> tuple[dict[str, Entity], list[DataError]]:
    index: dict[str, Entity] = {}
    errors = []
    for entity in entities:
        first = index.setdefault(entity.id, entity)
        if first is not entity:
            errors.append(DataError(entity.location, f"id {shown(entity.id)} is already used by {first.location.path}",
                                    "ids are unique across all kinds; choose another id"))
    return index, errors


def _by_kind(ordered: list[Entity]) -> defaultdict[str, list[Entity]]:
    by_kind: defaultdict[str, list[Entity]] = _lists()
    for entity in ordered:
        by_kind[entity.kind.name].append(entity)
    return by_kind


def _incoming(ordered: list[Entity]) -> defaultdict[str, list[Backlink]]:
    incoming: defaultdict[str, list[Backlink]] = _lists()
    for entity in ordered:
        for relation in entity.relations:
            incoming[relation.target.id].append(Backlink(entity, relation))
    for backlinks in incoming.values():
        backlinks.sort(key=lambda b: (b.subject.name.lower(), b.relation.type))
    return incoming


def _referrers(ordered: list[Entity]) -> defaultdict[str, dict[tuple[str, str], list[Entity]]]:
    """Target id → (kind, field) → the entities whose field refers to the target, for declared backlink fields."""
    found: defaultdict[str, dict[tuple[str, str], list[Entity]]] = defaultdict(dict)
    for entity in ordered:
        for spec in entity.kind.backlinks:
            value = entity.attrs[spec.name]
            for ref in spec.type.refs(value) if value is not None else ():
                found[ref.id].setdefault((entity.kind.name, spec.name), []).append(entity)
    return found


def _grouped(ordered: list[Entity]) -> defaultdict[tuple[str, str, str], list[Entity]]:
    """(kind, field, choice) → the entities with that choice, for every choice field (an assessment's topic)."""
    groups: defaultdict[tuple[str, str, str], list[Entity]] = _lists()
    for entity in ordered:
        for spec in entity.kind.fields:
            if isinstance(spec.type, Choice) and entity.attrs[spec.name] is not None:
                groups[(entity.kind.name, spec.name, entity.attrs[spec.name])].append(entity)
    return groups


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
    """Each former id names a URL no current entity has (its own entity's included), is claimed by one entity only,
    and a 'folder/old-id' names another kind's folder. (`ListOf(unique=True)` refuses one listed twice.)"""
    claimed: dict[str, Entity] = {}
    folders = [kind.plural for kind in KINDS.values()]
    for entity in entities:
        where = entity.at("former_ids")
        for old in entity.former_ids:
            folder, _, bare = old.rpartition("/")
            if folder == entity.kind.plural:
                yield DataError(where, f"former id {shown(old)} is in this entity's own folder",
                                f"write it without the folder: '{bare}'")
            elif folder and folder not in folders:
                yield DataError(where, f"former id {shown(old)}: {shown(folder)} is not the folder of a kind",
                                f"write the folder of the kind it was: {', '.join(folders)}")
            elif old == entity.id:
                yield DataError(where, f"former id {shown(old)} is this entity's own id",
                                "remove it: the current id is never a former one")
            elif not folder and (owner := index.get(old) or claimed.get(old)):
                yield DataError(where, f"former id {shown(old)} is still in use by {owner.location.path}",
                                "a former id must not be a current id or another entity's former id")
            elif not folder:  # an old URL in another folder: `pages.check_paths` keeps it from replacing a page
                claimed[old] = entity


def _check_lookalike_names(index: dict[str, Entity]) -> Iterator[DataError]:
    """Two entities whose names read the same deceive readers: the same name twice, or names that differ only by
    look-alike letters (Cyrillic 'а' for Latin 'a', Armenian 'օ' for 'o', small capital 'ɢ' for 'G')."""
    seen: dict[str, Entity] = {}
    for entity in index.values():
        other = seen.setdefault(skeleton(entity.name), entity)
        if other is entity:
            continue
        if other.name == entity.name:
            yield DataError(entity.at("name"), f"the name {shown(entity.name)} is already the name of "
                            f"{other.location.path}", "give each entity a name of its own: add what tells them apart")
            continue
        odd, plain = sorted((entity, other), key=lambda e: e.name.isascii())  # blame the name with foreign letters
        yield DataError(odd.at("name"), f"the name {shown(odd.name)} looks the same as {shown(plain.name)} "
                        f"of {plain.location.path}, but is spelt with other letters",
                        "write the name in one script; put spellings in other scripts under 'aliases'")


# --------------------------------------------------------------------------- link


def _self_refs(entity: Entity) -> Iterator[DataError]:
    """A relation or a field such as `copy_of` that names its own entity says nothing and loops the graph."""
    refs = [r.target for r in entity.relations]
    for value in entity.attrs.values():
        refs += [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, Ref)]
    for ref in refs:
        if ref.id == entity.id:
            yield DataError(ref.location, f"{shown(ref.id)} is this entity itself", "refer to another entity")


def _check_links(entity: Entity, index: dict[str, Entity], archives: dict[str, Archive]) -> Iterator[DataError]:
    """Relations join the kinds their type allows; uncited passages are in the entity's own archived text."""
    yield from _self_refs(entity)
    for relation in entity.relations:
        rule = RELATION_TYPES[relation.type]
        target = index[relation.target.id]
        if target is not entity and (entity.kind.name not in rule.subjects or target.kind.name not in rule.objects):
            yield DataError(relation.target.location,
                            f"a '{relation.type}' relation goes from {' or '.join(rule.subjects)} "
                            f"to {' or '.join(rule.objects)}, "
                            f"not from {entity.kind.name} to {target.kind.name} ('{target.id}')",
                            "choose another relation type, or put the relation in the other entity's file")
    archive = archives.get(entity.id)
    for uncited in entity.attrs.get("uncited") or []:
        if archive is None:
            yield DataError(uncited.location, "'uncited' passages need an 'archive' text", "remove 'uncited' or add 'archive'")
        elif archive.locate(uncited.passage) is None:
            yield DataError(uncited.location, f"the uncited passage is not in the archived text of '{entity.id}'",
                            "copy the passage exactly from the archived text")


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
