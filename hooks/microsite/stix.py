"""The linked graph as STIX 2.1 objects: the whole incident in one bundle, and one bundle per entity.

Plain JSON-ready dicts, no STIX library: the tests check the output with the OASIS validator and the `stix2`
library. What each kind, field, relation type and status becomes is declared in `model.py` (`Kind.stix`,
`Field.stix`, `RelationType.stix`, `Status.confidence`); this module applies the declarations. Ids are UUIDv5
from our ids, and every timestamp comes from the data or from the build's `as_of`, so a commit always yields
the same bundles.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .graph import Graph
from .model import (
    ATTACK_VERSION,
    CERTAINTY,
    COUNTRY_CODES,
    INDICATES_STATUS,
    INDICATOR_TYPES,
    KINDS,
    RELATION_TYPES,
    TECHNIQUE_BASES,
    Citation,
    Entity,
    Fact,
    IndicatorList,
    Relation,
    Technique,
    refang,
)
from .schema import PartialDate, Role
from .text import plain_prose

NAMESPACE = uuid.UUID("6f1d6a2e-0c55-4c39-9d55-5b0e7c1b4a11")  # of this site's UUIDv5 ids; never change it
SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")  # STIX 2.1, 2.9: ids of Cyber-observable Objects
# TLP:CLEAR, the standard TLP 2.0 marking definition that OASIS publishes (cti-stix-common-objects), byte for byte: its
# id is what MISP, OpenCTI and TAXII servers recognise. Every object of every bundle carries it: the data is public.
TLP_CLEAR: dict[str, Any] = {
    "type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "created": "2022-10-01T00:00:00.000Z", "name": "TLP:CLEAR",
    "extensions": {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
        "extension_type": "property-extension", "tlp_2_0": "clear"}},
}
MARKINGS = [TLP_CLEAR["id"]]
# STIX 2.1's suggested relationships for the relationship types our relation types map to: (source, target) types.
SUGGESTED: dict[str, set[tuple[str, str]]] = {
    "targets": {(s, t) for s in ("attack-pattern", "campaign", "intrusion-set", "threat-actor")
                for t in ("identity", "location", "vulnerability")}
    | {(s, t) for s in ("malware", "tool") for t in ("identity", "infrastructure", "location")},
    "uses": {(s, t) for s in ("campaign", "intrusion-set", "threat-actor", "malware")
             for t in ("attack-pattern", "infrastructure", "malware", "tool")},
    "authored-by": {("malware", "intrusion-set"), ("malware", "threat-actor")},
    "indicates": {("indicator", t) for t in ("attack-pattern", "campaign", "infrastructure", "intrusion-set", "malware",
                                             "threat-actor", "tool")},
    "located-at": {(s, "location") for s in ("identity", "threat-actor", "campaign", "infrastructure")},
    "originates-from": {(s, "location") for s in ("intrusion-set", "malware")},
}
ANY_TYPES = frozenset({"related-to", "derived-from", "duplicate-of"})  # STIX's relationships between any two objects
CONTAINERS = frozenset({"report", "grouping"})  # objects that hold others, as MISP reads them: one event each
ALIASED = frozenset({"intrusion-set", "malware", "tool", "threat-actor", "campaign", "infrastructure"})


def timestamp(moment: dt.datetime) -> str:
    """A STIX timestamp: UTC, millisecond precision, 'Z'."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def day(date: PartialDate) -> str:
    """The first moment a date may mean, as a STIX timestamp."""
    return timestamp(dt.datetime(*date.bounds()[0], tzinfo=dt.UTC))


def last_moment(date: PartialDate) -> str:
    """The first moment after the last day a date may mean, as a STIX timestamp (an exclusive end)."""
    return timestamp(dt.datetime(*date.bounds()[1], tzinfo=dt.UTC) + dt.timedelta(days=1))


def stix_id(stix_type: str, key: str) -> str:
    return f"{stix_type}--{uuid.uuid5(NAMESPACE, key)}"


def observable_id(stix_type: str, contributing: dict[str, Any]) -> str:
    """A Cyber-observable Object's id as STIX 2.1 defines it: UUIDv5 of its canonical id-contributing properties."""
    canonical = json.dumps(contributing, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{stix_type}--{uuid.uuid5(SCO_NAMESPACE, canonical)}"


def relationship_type(verb: str, source: str, target: str) -> str:
    """`verb` where STIX suggests it between the two object types, else the generic 'related-to'."""
    return verb if verb in ANY_TYPES or (source, target) in SUGGESTED.get(verb, ()) else "related-to"


def pattern(type_name: str, value: str) -> str:
    """The STIX pattern that matches an indicator's real value."""
    declared = INDICATOR_TYPES[type_name]
    path = f"hashes.'{declared.hash}'" if declared.hash else "value"
    literal = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"[{declared.observable}:{path} = '{literal}']"


def observable(type_name: str, value: str) -> dict[str, Any]:
    """The Cyber-observable Object an indicator describes."""
    declared = INDICATOR_TYPES[type_name]
    contributing = {"hashes": {declared.hash: value}} if declared.hash else {"value": value}
    return {"type": declared.observable, "spec_version": "2.1",
            "id": observable_id(declared.observable, contributing), **contributing, "object_marking_refs": MARKINGS}


@dataclass
class Stixed:
    """The STIX objects of the whole graph, and for each object the entities whose own bundle it belongs to."""

    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, obj: dict[str, Any], *entity_ids: str) -> dict[str, Any]:
        kept = self.objects.setdefault(obj["id"], obj)
        self.members[obj["id"]].update(entity_ids)
        return kept


class Bundler:
    """Turns one linked graph into STIX objects, as of one moment (the build's SOURCE_DATE_EPOCH, or the data's)."""

    def __init__(self, graph: Graph, producer: str, as_of: dt.datetime, site_url: str | None = None) -> None:
        self.graph, self.producer, self.site_url = graph, producer, site_url
        self.now = timestamp(as_of)
        self.producer_id = stix_id("identity", "producer")
        self.ids = {e.id: stix_id(e.kind.stix.of(e.attrs).type, f"entity/{e.id}") for e in graph.entities.values()}
        self.stixed = Stixed()
        self.cited_by: dict[str, dict[str, None]] = defaultdict(dict)  # source id → ids of the objects citing it
        self.keys: dict[str, int] = {}
        self._build()

    # ------------------------------------------------------------------ bundles

    def bundle(self) -> dict[str, Any]:
        return self._bundle("bundle", list(self.stixed.objects.values()))

    def entity_bundles(self) -> Iterator[tuple[Entity, dict[str, Any]]]:
        """Every entity's own bundle: the entity, what is said of it, its relations and indicators, and every object
        these refer to, and those refer to, so that each bundle holds every id it names."""
        own: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for oid, obj in self.stixed.objects.items():
            for member in self.stixed.members[oid]:
                own[member].append(obj)
        for entity in self.graph.entities.values():
            yield entity, self._contained(f"bundle/{entity.id}", entity, self._with_neighbours(own[entity.id]))

    def entity_alone(self, entity: Entity) -> dict[str, Any]:
        """A bundle of the entity's own object only (with the producer), for its former addresses."""
        return self._contained(f"bundle/{entity.id}/alone", entity,
                               self._with_neighbours([self.stixed.objects[self.ids[entity.id]]]))

    def _contained(self, key: str, entity: Entity, objects: list[dict[str, Any]]) -> dict[str, Any]:
        """An entity's bundle, with a `grouping` of their own holding its objects where a note would be in no
        container: MISP's converter takes a note that no container refers to for an object it does not know (and a
        container held by another for one too). The sources stay external references of each
        object: their reports, which refer to everything that cites them, would bring most of the graph into every
        bundle (output growing with the square of the data)."""
        containers = [obj for obj in objects if obj["type"] in CONTAINERS]
        contained = {ref for obj in containers for ref in obj["object_refs"]}
        held = [obj["id"] for obj in objects if obj["type"] not in CONTAINERS and obj["id"] not in contained
                and obj["id"] not in (TLP_CLEAR["id"], self.producer_id)]
        if not any(ref.startswith("note--") for ref in held):  # held already, or needing no container
            return self._bundle(key, objects)
        container = {**self._common("grouping", stix_id("grouping", key)), "name": f"{entity.name}, as this site "
                     "compiled it", "context": "unspecified", "object_refs": held,
                     "description": "What this site says of one entry, with the objects it refers to."}
        return self._bundle(key, [*objects, container])

    def _bundle(self, key: str, objects: list[dict[str, Any]]) -> dict[str, Any]:
        head = [TLP_CLEAR, self.stixed.objects[self.producer_id]]
        rest = [obj for obj in objects if obj["id"] not in (TLP_CLEAR["id"], self.producer_id)]
        return {"type": "bundle", "id": stix_id("bundle", key), "objects": head + rest}

    def _with_neighbours(self, objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """`objects` and every object they refer to, directly or through others: a bundle that names an id holds its
        object, as MISP, OpenCTI and TAXII servers expect."""
        seen = {obj["id"] for obj in objects}
        found = list(objects)
        for obj in found:  # grows as it goes: a breadth-first closure
            for ref in _refs(obj):
                if ref not in seen and ref in self.stixed.objects:
                    seen.add(ref)
                    found.append(self.stixed.objects[ref])
        return found

    # ------------------------------------------------------------------ objects

    def _common(self, stix_type: str, object_id: str) -> dict[str, Any]:
        return {"type": stix_type, "spec_version": "2.1", "id": object_id, "created_by_ref": self.producer_id,
                "created": self.now, "modified": self.now, "object_marking_refs": MARKINGS}

    def _build(self) -> None:
        self.stixed.add(TLP_CLEAR)
        # The producer made its own object too: its created_by_ref names itself, which OpenCTI's bundle splitter
        # (pycti 7, tests/test_opencti.py) passes over as a self-reference.
        self.stixed.add({**self._common("identity", self.producer_id), "name": self.producer, "identity_class": "organization",
                         "description": "The research site that compiled these objects from cited public sources."})
        ordered = [e for kind in KINDS for e in self.graph.by_kind[kind]]
        for entity in ordered:
            self._entity(entity)
            for fact in entity.facts:
                self._fact(entity, fact)
        for entity in ordered:
            for relation in entity.relations:
                self._relation(entity, relation)
        for entity in ordered:
            for technique in entity.items(Role.TECHNIQUE):
                self._technique(entity, technique)
        for entity in ordered:
            for indicators in entity.items(Role.INDICATORS):
                self._indicators(entity, indicators)
        reports = {self.ids[e.id]: e for e in ordered if self.stixed.objects[self.ids[e.id]]["type"] == "report"}
        for report_id, source in reports.items():  # a source refers to what cites it (STIX needs one reference at least)
            # but not to what refers to a report itself (a fact about this or another source, a relation to one): no
            # reference cycle, which OpenCTI's bundle splitter would never leave, and no chain from report to report,
            # which would bring every source into the bundle of each entity tied to one
            report = self.stixed.objects[report_id]
            report["object_refs"] = [ref for ref in self.cited_by[source.id]
                                     if not any(r in reports for r in _refs(self.stixed.objects[ref]))] or [self.producer_id]
        held = {ref for report_id in reports for ref in self.stixed.objects[report_id]["object_refs"]}
        notes = [oid for oid, obj in self.stixed.objects.items() if obj["type"] == "note" and oid not in held]
        for report_id, source in reports.items():
            self._said_of(source, [note for note in notes if report_id in _refs(self.stixed.objects[note])])

    def _said_of(self, source: Entity, notes: list[str]) -> None:
        """A grouping of the facts, assessments and events about a source, which no report can refer to without a
        cycle or a chain of reports: MISP's converter reports a note that no container refers to as an unknown
        object."""
        if not notes:
            return
        obj = self._common("grouping", stix_id("grouping", f"self-cited/{source.id}"))
        obj.update(name=f"{source.name}: what is said of it", context="unspecified", object_refs=notes,
                   description="Facts, assessments and events about this source.")
        self.stixed.add(obj, source.id)

    def _entity(self, entity: Entity) -> None:
        declared = entity.kind.stix.of(entity.attrs)
        obj = self._common(declared.type, self.ids[entity.id])
        name, text = ("abstract", "content") if declared.type == "note" else ("name", "description")
        obj[name] = entity.name
        description = self.plain(entity.summary)
        aliases = [alias.name for alias in entity.aliases]
        if aliases and declared.type in ALIASED:
            obj["aliases"] = aliases
        elif aliases:
            description += "\n\nAlso known as: " + "; ".join(aliases) + "."
        obj.update(declared.properties)
        attack: list[dict[str, Any]] = []
        for spec in entity.kind.fields:
            value = entity.attrs[spec.name]
            if not spec.stix or spec.stix == "uses" or value in (None, []):  # techniques: relationships, made later
                continue
            if spec.stix == "mitre-attack":  # the ATT&CK id, as ATT&CK's own objects carry it
                attack.append(_attack_reference(value, "groups" if value.startswith("G") else "software"))
            elif spec.stix == "description":  # a line of the text: STIX has no property for it
                description += f"\n\n{spec.name.replace('_', ' ').capitalize()}: {spec.type.words(value, self.name_of)}."
            elif spec.stix == "location":
                description += self._location(obj, value, entity.id)
            else:
                obj[spec.stix] = spec.type.stix_value(value, spec.stix, self)
        obj[text] = description
        if declared.type == "report":
            obj.setdefault("published", self.now)
            obj["object_refs"] = []  # filled in once every object citing the source is known
        own = self._own_reference(entity)
        url = entity.attrs.get("url")
        if declared.type == "report" and url:
            own.append({"source_name": entity.attrs["publisher"], "url": url})
        citations = [c for spec, value in entity.values() if spec.cites for c in spec.type.each(value)]
        citations += [c for alias in entity.aliases for c in alias.citations]
        obj["external_references"] = own + attack + self._cite(obj["id"], citations)
        self.stixed.add(obj, entity.id, *self._also_in(entity))

    def _location(self, obj: dict[str, Any], country: str, entity_id: str) -> str:
        """A country as a STIX `location` with a relationship to it, or, for a country without a code, a line of
        text to add to the object's description."""
        code = COUNTRY_CODES.get(country)
        if code is None:
            return f"\n\nCountry: {country}."
        location = self.stixed.add({**self._common("location", stix_id("location", f"country/{code}")),
                                    "name": country, "country": code}, entity_id)
        verb = "originates-from" if (obj["type"], "location") in SUGGESTED["originates-from"] else "located-at"
        verb = relationship_type(verb, obj["type"], "location")
        self.stixed.add({**self._common("relationship", stix_id("relationship", f"{obj['id']}/{verb}/country/{code}")),
                         "relationship_type": verb, "source_ref": obj["id"], "target_ref": location["id"],
                         "description": f"{obj.get('name') or obj.get('abstract')}: {country}"}, entity_id)
        return ""

    def _also_in(self, entity: Entity) -> list[str]:
        """Other entities whose bundles hold this entity's object: those an assessment judges, and its assessor."""
        return [ref.id for spec, value in entity.values() if spec.stix and spec.stix.endswith(("_refs", "authors"))
                for ref in spec.type.refs(value)]

    def _key(self, key: str) -> str:
        """`key`, numbered from its second use on: ids stay the same when other facts or relations are added."""
        count = self.keys[key] = self.keys.get(key, 0) + 1
        return key if count == 1 else f"{key}/{count}"

    def _fact(self, entity: Entity, fact: Fact) -> None:
        obj = self._common("note", stix_id("note", self._key(f"fact/{entity.id}/{_digest(fact.statement)}")))
        content = self.plain(fact.statement)
        if fact.positions:
            content += "\n\nSources disagree:\n" + "\n".join(f"- {self.plain(p.claim)}" for p in fact.positions)
        citations = fact.citations + [c for position in fact.positions for c in position.citations]
        obj.update(abstract=f"{entity.name}: a fact ({fact.status})", content=content, object_refs=[self.ids[entity.id]],
                   confidence=CERTAINTY[fact.status].confidence, external_references=self._cite(obj["id"], citations))
        self.stixed.add(obj, entity.id)

    def _relation(self, entity: Entity, relation: Relation) -> None:
        declared = RELATION_TYPES[relation.type]
        target = self.graph.get(relation.target.id)
        source_ref, target_ref = self.ids[entity.id], self.ids[target.id]
        if declared.stix_reversed:
            source_ref, target_ref = target_ref, source_ref
        verb = relationship_type(declared.stix, source_ref.split("--")[0], target_ref.split("--")[0])
        if verb != declared.stix:
            source_ref, target_ref = self.ids[entity.id], self.ids[target.id]
        sentence = f"{entity.name} {declared.forward} {target.name}"
        if relation.note:
            sentence += f" ({self.plain(relation.note)})"
        first_name = (declared.formerly or (relation.type,))[0]  # a renamed type keeps the ids it was published with
        key = self._key(f"relation/{entity.id}/{first_name}/{target.id}")
        obj = self._common("relationship", stix_id("relationship", key))
        obj.update(relationship_type=verb, description=sentence, source_ref=source_ref, target_ref=target_ref,
                   confidence=CERTAINTY[relation.status].confidence)
        obj["external_references"] = self._cite(obj["id"], relation.citations)
        self.stixed.add(obj, entity.id, target.id)

    def _technique(self, entity: Entity, technique: Technique) -> None:
        """An ATT&CK technique as ATT&CK's own `attack-pattern` (its id as a `mitre-attack` external reference, its
        tactic as a kill-chain phase), and the entity's `uses` of it with the mapping's basis and citation."""
        pattern_id = stix_id("attack-pattern", f"attack/{technique.id}")
        path = technique.id.replace(".", "/")
        pattern = self.stixed.add({
            **self._common("attack-pattern", pattern_id), "name": technique.name,
            "description": f"MITRE ATT&CK technique {technique.id}, as of ATT&CK version {ATTACK_VERSION}.",
            "kill_chain_phases": [], "external_references": [_attack_reference(technique.id, "techniques", path)],
        }, entity.id)
        phase = {"kill_chain_name": "mitre-attack", "phase_name": technique.tactic}
        if phase not in pattern["kill_chain_phases"]:
            pattern["kill_chain_phases"].append(phase)
        how = ("stated by the source" if technique.basis == "stated"
               else "inferred by this site from what the source describes")
        obj = self._common("relationship", stix_id("relationship", f"technique/{entity.id}/{technique.id}"))
        source = self.ids[entity.id]
        obj.update(relationship_type=relationship_type("uses", source.split("--")[0], "attack-pattern"),
                   source_ref=source, target_ref=pattern_id,
                   description=f"{entity.name} used {technique.name} ({technique.id}, {technique.tactic}): {how}.",
                   confidence=CERTAINTY[TECHNIQUE_BASES[technique.basis][1]].confidence)
        obj["external_references"] = self._cite(obj["id"], [technique.citation])
        self.stixed.add(obj, entity.id)

    def _indicators(self, entity: Entity, indicators: IndicatorList) -> None:
        declared = INDICATOR_TYPES[indicators.type]
        source = self.graph.get(indicators.citation.source.id)
        published = day(source.attrs["date"]) if source.attrs.get("date") else self.now
        window = indicators.active  # when the source saw them in use: the indicator is valid then, not from its report on
        valid_from = day(window.start) if window else published
        valid_until = last_moment(window.end or window.start) if window else None
        for value in map(refang, indicators.values):
            sco = self.stixed.add(observable(indicators.type, value), entity.id)
            obj = self.stixed.add({
                **self._common("indicator", stix_id("indicator", f"indicator/{indicators.type}/{value}")),
                "name": value, "description": f"{declared.title}: an indicator of compromise, as a source published it.",
                "indicator_types": ["malicious-activity"], "pattern": pattern(indicators.type, value),
                "pattern_type": "stix", "pattern_version": "2.1", "valid_from": valid_from, "external_references": [],
                **({"valid_until": valid_until} if valid_until else {}),
            }, entity.id)
            obj["valid_from"] = min(obj["valid_from"], valid_from)
            if "valid_until" in obj:  # seen by several sources: the widest window, open-ended if one has no end
                if valid_until:
                    obj["valid_until"] = max(obj["valid_until"], valid_until)
                else:
                    del obj["valid_until"]
            obj["external_references"] += [ref for ref in self._cite(obj["id"], [indicators.citation])
                                           if ref not in obj["external_references"]]
            if entity.kind.stix.of(entity.attrs).type == "report":  # a report that ties them to no group holds them
                self.cited_by[entity.id].update({obj["id"]: None, sco["id"]: None})
            # Keyed by what they point to: an entity's id, or the observable's STIX id, which no entity id can be
            # (ids have no '--'), so no two relationships of an indicator share an id.
            targets = [("related-to", sco["id"], sco["id"])]
            if entity.kind.stix.of(entity.attrs).type != "report":
                targets.append(("indicates", self.ids[entity.id], entity.id))
            for verb, target, key in targets:
                verb = relationship_type(verb, "indicator", target.split("--")[0])
                certainty = {"confidence": CERTAINTY[INDICATES_STATUS].confidence} if verb == "indicates" else {}
                self.stixed.add({**self._common("relationship", stix_id("relationship", f"{obj['id']}/{key}")),
                                 "relationship_type": verb, "source_ref": obj["id"], "target_ref": target,
                                 **certainty}, entity.id)

    # ------------------------------------------------------------------ values

    def plain(self, text: str) -> str:
        return plain_prose(text, self.graph.name_of)

    def stix_ref(self, entity_id: str) -> str:
        return self.ids[entity_id]

    def name_of(self, entity_id: str) -> str:
        return self.graph.name_of(entity_id)

    def _own_reference(self, entity: Entity) -> list[dict[str, Any]]:
        reference = {"source_name": self.producer, "external_id": entity.id}
        if self.site_url:
            reference["url"] = self.site_url.rstrip("/") + "/" + entity.path.removesuffix(".md") + "/"
        return [reference]

    def _cite(self, object_id: str, citations: Iterable[Citation]) -> list[dict[str, Any]]:
        """One external reference per distinct source and quote; notes which objects cite each source."""
        references: dict[tuple[str, str], dict[str, Any]] = {}
        for citation in citations:
            source = self.graph.get(citation.source.id)
            self.cited_by[source.id][object_id] = None
            reference = {"source_name": source.name, "description": citation.quote, "external_id": source.id}
            if source.attrs.get("url"):
                reference["url"] = source.attrs["url"]
            references.setdefault((source.id, citation.quote), reference)
        return list(references.values())


def _attack_reference(attack_id: str, section: str, path: str | None = None) -> dict[str, Any]:
    """A `mitre-attack` external reference, as ATT&CK's own STIX data writes it."""
    return {"source_name": "mitre-attack", "external_id": attack_id,
            "url": f"https://attack.mitre.org/{section}/{path or attack_id}/"}


def _refs(obj: dict[str, Any]) -> Iterator[str]:
    for key, value in obj.items():
        if key.endswith("_ref") and key != "created_by_ref":
            yield value
        elif key.endswith("_refs") and key != "object_marking_refs":
            yield from value


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]



