"""The data model, declared once: statuses, relation types and entity kinds.

Validation, pages, index tables, the editor's JSON Schema and the data-model
page are all derived from the declarations in this module.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import idna
import yaml

from .errors import DataError, Location, shown
from .schema import (
    LABEL,
    Check,
    Choice,
    Context,
    Date,
    Field,
    Flag,
    FormerId,
    Invalid,
    Language,
    ListOf,
    PartialDate,
    Period,
    Record,
    Ref,
    RefTo,
    Role,
    Slug,
    Text,
    Url,
    When,
    Writer,
    json_defs,
)

# --------------------------------------------------------------------------- certainty


@dataclass(frozen=True)
class Status:
    """A degree of certainty: what it means, and the STIX `confidence` it is exported with (0-100)."""

    meaning: str
    confidence: int  # the None/Low/Med/High scale of STIX 2.1, Appendix A: Low = 15, Med = 50, High = 85


CERTAINTY: dict[str, Status] = {
    "confirmed": Status("Established by the source's own evidence or by at least two independent sources.", 85),
    "reported": Status("Stated as fact by a source, not independently confirmed here.", 50),
    "assessed": Status("An analytic judgement by a named expert or organisation, in its own confidence wording.", 50),
    "alleged": Status("Stated with a hedge by the source ('may have', 'is said to', 'reportedly').", 15),
    "disputed": Status("Sources disagree; each side is shown with its own source.", 15),
}
STATUSES: dict[str, str] = {name: status.meaning for name, status in CERTAINTY.items()}


class Certainty(Choice):
    """A status: a badge on pages, a `confidence` in STIX."""

    def __init__(self) -> None:
        super().__init__(STATUSES)

    def shown(self, value: str, page: Writer) -> str:
        return page.status(value)

    def stix_item(self, value: str, prop: str, refs: Any) -> int:
        return CERTAINTY[value].confidence


# --------------------------------------------------------------------------- relations


@dataclass(frozen=True)
class RelationType:
    """A typed, directed edge: 'subject <forward> object' reads as 'object <inverse> subject'."""

    forward: str
    inverse: str
    subjects: tuple[str, ...]
    objects: tuple[str, ...]
    # Old names, oldest first: still accepted in data files, so that a rename does not break them all at once, and
    # the oldest keys the STIX ids of the relationships, so that a rename does not change the ids of published objects.
    formerly: tuple[str, ...] = ()
    stix: str = "related-to"  # the STIX 2.1 relationship type it is exported as, where STIX's vocabulary has one
    stix_reversed: bool = False  # True when STIX says it the other way round ('malware authored-by group')


PARTIES = ("actor", "organization")
RELATION_TYPES: dict[str, RelationType] = {
    "targeted": RelationType("targeted", "was targeted by", PARTIES, ("organization",), stix="targets"),
    "compromised": RelationType("broke into the networks of", "had its networks broken into by", PARTIES,
                                ("organization",), stix="targets"),  # STIX 'compromises' is for infrastructure only
    "used": RelationType("used", "was used by", PARTIES, ("weapon", "software"), stix="uses"),
    "developed": RelationType("developed", "was developed by", PARTIES, ("weapon", "software"),
                              stix="authored-by", stix_reversed=True),
    "designed": RelationType("took part in designing", "was designed with the participation of", PARTIES, ("weapon",)),
    "oversaw-test-of": RelationType("oversaw a test of", "was tested under the oversight of", ("actor",), ("weapon",)),
    "presented": RelationType("presented", "was presented by", ("actor",), ("weapon",)),
    "leads": RelationType("leads", "is led by", ("actor",), ("organization",)),
    "works-for": RelationType("works for", "employs", ("actor",), ("organization",)),
    "part-of": RelationType("is part of", "includes", PARTIES, ("organization",)),
    "linked-to": RelationType("is linked to", "is linked to", PARTIES, PARTIES),
    "discovered": RelationType("discovered", "was discovered by", PARTIES, ("event", "weapon", "software", "actor")),
    "reported-on": RelationType("reported on", "was reported on by", PARTIES, ("event",)),
    "verified": RelationType("verified", "was verified by", PARTIES, ("event", "source")),
    "published": RelationType("published", "was published by", PARTIES, ("source",)),
    "based-on": RelationType("is based on", "is the basis of", ("weapon",), ("weapon",), stix="derived-from"),
    "deployed-on": RelationType("is deployed on", "carries", ("weapon",), ("weapon",)),
}

# --------------------------------------------------------------------------- records


NameOf = Callable[[str], str]  # an entity's name by id, for claims that name another entity


@dataclass
class Citation:
    """A source cited by id, with a verbatim quote from it."""

    source: Ref
    quote: str
    locator: str | None
    translation: str | None
    location: Location
    places: dict[str, Location] = field(default_factory=dict)

    def claims(self, subject: Entity, name_of: NameOf) -> Iterator[tuple[str, Citation]]:
        """A citation held by the entity itself (an event's sources) supports its summary."""
        yield subject.summary, self


@dataclass
class Correction:
    """A correction note for readers: what was wrong, what is right now, and the day it was corrected."""

    date: PartialDate
    note: str
    location: Location


@dataclass
class Withdrawal:
    """A statement the site no longer makes, with the day and the editor's reason, in words for readers."""

    statement: str
    date: PartialDate
    reason: str
    location: Location


@dataclass
class Position:
    """One side of a disagreement between sources."""

    claim: str
    citations: list[Citation]
    location: Location

    def claims(self, subject: Entity, name_of: NameOf) -> Iterator[tuple[str, Citation]]:
        for citation in self.citations:
            yield self.claim, citation


@dataclass
class Fact:
    """One statement about an entity, with its certainty and its citations."""

    statement: str
    status: str
    citations: list[Citation]
    positions: list[Position]
    corrections: list[Correction]
    location: Location

    def claims(self, subject: Entity, name_of: NameOf) -> Iterator[tuple[str, Citation]]:
        for citation in self.citations:
            yield self.statement, citation
        for position in self.positions:
            yield from position.claims(subject, name_of)


@dataclass
class Relation:
    """A typed, directed edge from the entity of the file to `target`."""

    type: str
    target: Ref
    status: str
    note: str | None
    citations: list[Citation]
    corrections: list[Correction]
    location: Location

    def claims(self, subject: Entity, name_of: NameOf) -> Iterator[tuple[str, Citation]]:
        sentence = f"{subject.name} {RELATION_TYPES[self.type].forward} {name_of(self.target.id)}"
        for citation in self.citations:
            yield sentence, citation


@dataclass
class Alias:
    """Another name, with its language and, where a source says so, who uses it."""

    name: str
    lang: str | None
    named_by: str | None
    used_by: str | None
    citations: list[Citation]
    location: Location

    def claims(self, subject: Entity, name_of: NameOf) -> Iterator[tuple[str, Citation]]:
        for citation in self.citations:
            yield f"Also known as {self.name}", citation


@dataclass
class Uncited:
    """A passage of an archived source that no fact cites, and why."""

    passage: str
    reason: str
    location: Location

    def claims(self, subject: Entity, name_of: NameOf) -> Iterator[tuple[str, Citation]]:
        return iter(())


def _check_fact(values: dict[str, Any], where: Location) -> None:
    positions = values["positions"]
    if values["status"] == "disputed" and len(positions) < 2:
        raise DataError(where, "a disputed fact needs at least two 'positions', one for each side",
                        "add 'positions:' with a claim and citations per side, or choose another status")
    if positions and values["status"] != "disputed":
        raise DataError(where, "a fact with 'positions' must have status 'disputed'", "set 'status: disputed'")
    sides = [{c.source.id for c in position.citations} for position in positions]
    if positions and len(set().union(*sides)) < 2:
        raise DataError(where, "a dispute needs sources that disagree, but every side cites the same source",
                        "cite on each side the source that says it; one source's two statements are not a dispute")
    if not values["citations"] and not positions:
        raise DataError(where, "a fact needs at least one citation", "add 'citations:' with a source id and a verbatim quote")


_SOME = {"type": "array", "minItems": 1}  # a list with items: not empty, not null
CITATION = Record("citation", (
    Field("source", RefTo("source"), "id of the source, a file in data/sources/", required=True),
    Field("quote", Text(), "the words of the source, verbatim (garbles included)", required=True),
    Field("locator", Text(), "where in the source: page, section or paragraph"),
    Field("translation", Text(), "an English translation of the quote, when the source is not in English"),
), Citation, help="A source id and a verbatim quote from it.", role=Role.CITATION, identity=(("source", "quote"), ("source",)))
CITATIONS = ListOf(CITATION)
STATUS = Certainty()
CORRECTIONS = ListOf(Record("correction", (
    Field("date", Date(), "the day of the correction", required=True),
    Field("note", Text(prose=True), "for readers: what was wrong and what is right now, e.g. 'An earlier version said "
          "X; the source says Y.'", required=True),
), Correction, help="A correction note, written for readers."))
POSITION = Record("position", (
    Field("claim", Text(prose=True), "what this side says, in clean English", required=True),
    Field("citations", ListOf(CITATION, 1), "the sources of this side", required=True),
), Position, identity=(("claim",), ("citations",)), wording="claim")
FACT = Record("fact", (
    Field("statement", Text(prose=True), "the fact in clean English; keep the source's hedges", required=True),
    Field("status", STATUS, "how certain the sources are", required=True),
    Field("citations", CITATIONS, "sources and verbatim quotes", default=list),
    Field("positions", ListOf(POSITION), "for a disputed fact: each side with its sources", default=list),
    Field("corrections", CORRECTIONS, "what was corrected in this fact, and when, for readers", default=list),
), Fact, _check_fact, rules=(
    {"if": {"properties": {"status": {"const": "disputed"}}, "required": ["status"]},
     "then": {"required": ["positions"], "properties": {"positions": {"type": "array", "minItems": 2}}}},
    {"if": {"properties": {"positions": _SOME}, "required": ["positions"]},
     "then": {"properties": {"status": {"const": "disputed"}}}},
    {"anyOf": [{"properties": {key: _SOME}, "required": [key]} for key in ("citations", "positions")]},
), identity=(("statement",), ("citations",)), wording="statement")
RELATION = Record("relation", (
    Field("type", Choice({k: f"{v.forward} / {v.inverse}" for k, v in RELATION_TYPES.items()},
                         {old: k for k, v in RELATION_TYPES.items() for old in v.formerly}),
          "the kind of relation, read 'this entity <type> target'", required=True),
    Field("target", RefTo(), "id of the other entity", required=True),
    Field("status", STATUS, "how certain the sources are", required=True),
    Field("note", Text(prose=True), "a short qualification shown with the relation"),
    Field("citations", ListOf(CITATION, 1), "sources and verbatim quotes", required=True),
    Field("corrections", CORRECTIONS, "what was corrected in this relation, and when, for readers", default=list),
), Relation, role=Role.RELATION, identity=(("type", "target"), ("target",), ("citations",)))
ALIAS = Record("alias", (
    Field("name", Text(), "the other name, in its own script", required=True),
    Field("lang", Text(), "language code of the name, e.g. ru, ko, de"),
    Field("named_by", Text(), "who coined the name (the vendor or agency that named a group), where a source says so"),
    Field("used_by", Text(), "who uses this name without having coined it, where a source says so"),
    Field("citations", CITATIONS, "sources for the name", default=list),
), Alias, identity=(("name",),))

@dataclass(frozen=True)
class IndicatorType:
    """A sort of indicator: how data files write it, and the STIX observable that holds its real value."""

    pattern: str  # what a value in data/ looks like (network indicators defanged): for the check and the editor alike
    meaning: str
    title: str  # what a list of them is called, e.g. in the plain-text downloads
    observable: str  # the STIX 2.1 Cyber-observable Object type
    hash: str | None = None  # for files: the STIX hash algorithm; otherwise the observable's `value` holds it
    hint: str | Callable[[str], str] = "copy the hash as published, in lowercase ASCII hex digits"  # or one by value
    problem: Callable[[str], str | None] | None = None  # what the pattern cannot say about a value, if anything


DEFANGED_DOT = r"\[\.\]"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"  # 0-255, no leading zero: '010' is octal to some tools
_TOP_LABEL = r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})"  # a top-level domain: letters, or an IDNA A-label
MAX_HOST = 253


def _domain_problem(value: str) -> str | None:
    """Why a defanged host name that matches the pattern is still not one: its length, or a broken IDNA label."""
    host = refang(value)
    if len(host) > MAX_HOST:
        return f"it is longer than {MAX_HOST} characters"
    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except idna.IDNAError:
                return f"{shown(label)} is not a valid internationalised (IDNA) label"
    return None


def _domain_hint(value: str) -> str:
    """The fix for a host name: its lowercase, defanged ASCII (IDNA) form, where it has one."""
    try:
        ascii_form = idna.encode(refang(value).lower(), uts46=True).decode().replace(".", "[.]")
    except (idna.IDNAError, UnicodeError):
        ascii_form = None
    if ascii_form and ascii_form != value and "[.]" in ascii_form:
        return f"write it as {ascii_form}" + ("" if value.isascii() else ", its ASCII (IDNA) form")
    return ("write a host name: labels of lowercase letters, digits and inner hyphens (1 to 63), joined by dots, "
            "the last of letters, and at least one dot defanged as [.] so nobody clicks it")


INDICATOR_TYPES: dict[str, IndicatorType] = {
    "domain": IndicatorType(rf"^(?=.*{DEFANGED_DOT})(?:{LABEL}(?:\.|{DEFANGED_DOT}))+{_TOP_LABEL}$",
                            "a domain name, defanged with [.] (e.g. centos-packages[.]com)", "Domain names", "domain-name",
                            hint=_domain_hint, problem=_domain_problem),
    "ip": IndicatorType(rf"^{_OCTET}\.{_OCTET}\.{_OCTET}{DEFANGED_DOT}{_OCTET}$",
                        "an IPv4 address, defanged with [.] (e.g. 192.169.7[.]197)", "IPv4 addresses", "ipv4-addr",
                        hint="write four numbers from 0 to 255 in ASCII digits, no leading zeros, the last dot defanged as [.]"),
    "md5": IndicatorType(r"^[0-9a-f]{32}$", "an MD5 hash: 32 lowercase hex digits", "MD5 file hashes", "file", "MD5"),
    "sha1": IndicatorType(r"^[0-9a-f]{40}$", "a SHA-1 hash: 40 lowercase hex digits", "SHA-1 file hashes", "file", "SHA-1"),
    "sha256": IndicatorType(r"^[0-9a-f]{64}$", "a SHA-256 hash: 64 lowercase hex digits", "SHA-256 file hashes", "file",
                            "SHA-256"),
}


@dataclass
class IndicatorList:
    """Indicators of compromise of one type, as a source published them."""

    type: str
    values: list[str]
    context: str | None
    active: Period | None
    citation: Citation
    location: Location

    def claims(self, subject: Entity, name_of: NameOf) -> Iterator[tuple[str, Citation]]:
        yield f"Indicators ({self.type}): {', '.join(self.values)}", self.citation


def refang(value: str) -> str:
    """The real value of a defanged indicator: '192.169.7[.]197' → '192.169.7.197'."""
    return value.replace("[.]", ".")


def indicator_error(type_name: str, value: str, where: Location) -> DataError | None:
    """Why `value` is not an indicator of the type as data files write it, or None."""
    declared = INDICATOR_TYPES[type_name]
    if not re.fullmatch(declared.pattern, value):
        problem = ""
    elif declared.problem is None or (problem := declared.problem(value)) is None:
        return None
    hint = declared.hint(value) if callable(declared.hint) else declared.hint
    return DataError(where, f"{shown(value)} is not {declared.meaning}" + (f": {problem}" if problem else ""), hint)


class IndicatorRecord(Record):
    """A list of indicators of one type: each value is checked against its type's rule, at its own line."""

    def convert(self, node: yaml.Node, ctx: Context) -> IndicatorList:
        indicators = super().convert(node, ctx)
        items = next(value.value for key, value in node.value if key.value == "values")
        errors = [error for item, value in zip(items, indicators.values, strict=True)
                  if (error := indicator_error(indicators.type, value, ctx.at(item)))]
        if errors:
            ctx.errors.extend(errors)
            raise Invalid()
        return indicators

    def json_schema(self) -> dict[str, Any]:
        by_type = [{"if": {"properties": {"type": {"const": name}}, "required": ["type"]},
                    "then": {"properties": {"values": {"items": {"type": "string", "pattern": declared.pattern}}}}}
                   for name, declared in INDICATOR_TYPES.items()]
        schema = super().json_schema()
        return {**schema, "allOf": [*schema.get("allOf", ()), *by_type]}


INDICATORS = ListOf(IndicatorRecord("indicator list", (
    Field("type", Choice({k: v.meaning for k, v in INDICATOR_TYPES.items()}), "what sort of indicator", required=True),
    Field("values", ListOf(Text(), 1), "the indicators, one per item, defanged as published", required=True),
    Field("context", Text(), "what they were, in the source's terms, e.g. 'command-and-control addresses'"),
    Field("active", When(), "when the source saw them in use: 2022-01, or start, qualifier and end (2022-05); "
          "leave it out where the source gives no time"),
    Field("citation", CITATION, "the source that published them, with its words", required=True),
), IndicatorList, role=Role.INDICATORS, identity=(("type",),)))

# --------------------------------------------------------------------------- ATT&CK techniques

ATTACK_VERSION = "18"  # the MITRE ATT&CK (Enterprise) version whose ids, names and tactics the mappings use
ATTACK_TACTICS: dict[str, str] = {tactic: tactic.replace("-", " ") for tactic in (
    "reconnaissance", "resource-development", "initial-access", "execution", "persistence", "privilege-escalation",
    "defense-evasion", "credential-access", "discovery", "lateral-movement", "collection", "command-and-control",
    "exfiltration", "impact")}  # ATT&CK Enterprise's tactics, by their kill-chain phase names
# Where a mapping comes from, and the certainty (a status) its STIX `uses` relationship is exported with.
TECHNIQUE_BASES: dict[str, tuple[str, str]] = {
    "stated": ("the source names the technique, or its ATT&CK id", "reported"),
    "inferred": ("this site maps the behaviour the source describes to the technique; the source does not name it",
                 "alleged"),
}


@dataclass
class Technique:
    """An ATT&CK technique a group or a piece of software used, mapped only where a source supports it."""

    id: str
    name: str
    tactic: str
    basis: str
    citation: Citation
    location: Location

    def claims(self, subject: Entity, name_of: NameOf) -> Iterator[tuple[str, Citation]]:
        how = "stated by the source" if self.basis == "stated" else "inferred by this site"
        yield f"{subject.name} used ATT&CK technique {self.id} ({self.name}, {self.tactic}), {how}", self.citation


TECHNIQUES = ListOf(Record("technique", (
    Field("id", Text(re.compile(r"T[0-9]{4}(?:\.[0-9]{3})?"), "write an ATT&CK technique id: T1566, or T1566.001 for "
                     "a sub-technique"), f"the ATT&CK technique id (version {ATTACK_VERSION}), e.g. T1566.001",
          required=True),
    Field("name", Text(), "the technique's name in ATT&CK, e.g. 'Phishing: Spearphishing Attachment'", required=True),
    Field("tactic", Choice(ATTACK_TACTICS), "the ATT&CK tactic it serves here, e.g. initial-access", required=True),
    Field("basis", Choice({name: meaning for name, (meaning, _) in TECHNIQUE_BASES.items()}),
          "stated (the source names it) or inferred (this site maps what the source describes)", required=True),
    Field("citation", CITATION, "the sentence of the source that supports the mapping", required=True),
), Technique, help="An ATT&CK technique, with the source sentence that supports the mapping.", role=Role.TECHNIQUE))
ATTACK_ID = Text(re.compile(r"[GS][0-9]{4}"), "write the ATT&CK id of a group (G0067) or of software (S0240)")

UNCITED = Record("uncited passage", (
    Field("passage", Text(), "the passage, verbatim from the archived text", required=True),
    Field("reason", Text(), "why no fact cites it, e.g. 'photo credit' or 'section heading'", required=True),
), Uncited, identity=(("passage",),))

# --------------------------------------------------------------------------- kinds


@dataclass(frozen=True)
class StixType:
    """A STIX 2.1 object type with the properties every object of it gets (an identity's class, say).

    Every kind maps to a type STIX 2.1 defines, with no custom type or property, so that MISP, OpenCTI and TAXII
    servers take the bundles as they are.
    """

    type: str
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Stix:
    """How a kind's entities are exported to STIX: one type, or one per value of a choice field (`by`)."""

    default: StixType
    by: str | None = None
    types: dict[str, StixType] = field(default_factory=dict)

    def of(self, attrs: dict[str, Any]) -> StixType:
        return self.types.get(attrs[self.by], self.default) if self.by else self.default


@dataclass(frozen=True)
class Colour:
    """A kind's fill in the relationship diagrams, as #rrggbb: in the light scheme and, if it differs, the dark one."""

    light: str
    dark: str | None = None  # None: the light fill in both schemes (the diagrams' text is dark in both)

    def __post_init__(self) -> None:
        for value in (self.light, self.dark or self.light):
            if not re.fullmatch(r"#[0-9a-f]{6}", value):
                raise ValueError(f"a kind's colour is written #rrggbb in lowercase hex digits, not {value!r}")


@dataclass(frozen=True)
class Kind:
    """An entity kind: its folder and URL segment, its own fields and index columns."""

    name: str
    plural: str
    title: str
    help: str
    fields: tuple[Field, ...]
    columns: tuple[str, ...]
    stix: Stix
    index_template: str = "index.md.j2"  # the kind's index page, which is its entry in the sidebar
    page_template: str = "entity.md.j2"  # the generic page renders every declared field; a kind may have its own
    counted: str = "facts"  # what index tables count for each entity: its "facts", or the "citations" of a source
    check: Check | None = None
    rules: tuple[dict[str, Any], ...] = ()  # what `check` says, in JSON Schema, as far as it can (`Record`)
    # The summary box at the top of each page of the kind, as (label, what): "aliases", a field's name, or a relation
    # as "out:<type>" (this entity's relations of that type) or "in:<type>" (others' relations of that type to it),
    # several joined by "+". Relations are linked and cited; a row without values is left out.
    infobox: tuple[tuple[str, str], ...] = ()
    colour: Colour | None = None  # its nodes' fill in the relationship diagrams; None: the diagrams' neutral grey

    @functools.cached_property
    def record(self) -> Record:
        return Record(self.name, COMMON_FIELDS + self.fields, check=self.check, help=self.help,
                      rules=(*self.rules, self._former_id_rule()))

    def _former_id_rule(self) -> dict[str, Any]:
        """What the link step says of a 'folder/old-id' (`graph._check_former_ids`): the folder is another kind's."""
        others = "|".join(kind.plural for kind in KINDS.values() if kind is not self)
        return {"properties": {"former_ids": {"anyOf": [{"type": "null"}, {
            "items": {"pattern": f"^(?:(?:{others})/)?[^/]+$"}}]}}}

    def field(self, name: str) -> Field:
        """The declaration of one of the kind's own fields."""
        return next(f for f in self.fields if f.name == name)

    @property
    def index_path(self) -> str:
        return f"{self.plural}/index.md"

    @property
    def backlinks(self) -> tuple[Field, ...]:
        """The reference fields that list this kind's entities on the pages they refer to."""
        return tuple(f for f in self.fields if f.backlink)


COMMON_FIELDS: tuple[Field, ...] = (
    Field("id", Slug(), "stable id: the file name and URL, never changed", required=True),
    Field("name", Text(), "the name shown as the page title", required=True),
    Field("aliases", ListOf(ALIAS), "other names and spellings", default=list),
    Field("summary", Text(prose=True), "one or two sentences in clean English", required=True),
    Field("facts", ListOf(FACT), "statements with their sources", default=list),
    Field("relations", ListOf(RELATION), "typed links from this entity to others", default=list),
    Field("corrections", CORRECTIONS, "corrections of the entity as a whole (its name, summary or kind), for readers",
          default=list),
    Field("withdrawn", ListOf(Record("withdrawal", (
        Field("statement", Text(prose=True), "the statement as it was shown", required=True),
        Field("date", Date(), "the day it was withdrawn", required=True),
        Field("reason", Text(prose=True), "for readers: why the site no longer says it", required=True),
    ), Withdrawal)), "statements the site no longer makes, with the reason", default=list),
    Field("former_ids", ListOf(FormerId(), unique=True), "ids this entity had before a rename or merge, as 'old-id', or as "
          "'weapons/old-id' when it was of another kind; their URLs redirect here", default=list),
)


def _check_actor(values: dict[str, Any], where: Location) -> None:
    if (values["techniques"] or values["attack_id"]) and values["type"] != "hacking-group":
        raise DataError(where, "ATT&CK ids and techniques belong to a hacking group or a piece of software",
                        "put them on the hacking group or the software the source ties them to")
    if values["indicators"] and values["type"] != "hacking-group":
        raise DataError(where, "indicators belong to a hacking group or a piece of software, not to a person or another group",
                        "put them on the hacking group or the malware the source ties them to")


# STIX 2.1's malware-type-ov vocabulary
MALWARE_TYPES: dict[str, str] = {t: t.replace("-", " ") for t in (
    "adware", "backdoor", "bot", "bootkit", "ddos", "downloader", "dropper", "exploit-kit", "keylogger", "ransomware",
    "remote-access-trojan", "resource-exploitation", "rogue-security-software", "rootkit", "screen-capture", "spyware",
    "trojan", "unknown", "virus", "webshell", "wiper", "worm")}

# ISO 3166-1 alpha-2 codes of the countries the data names (`country` fields), for STIX `location` objects; a country
# missing here stays a line of the object's description ("Soviet Union": SU, reserved by ISO for the former USSR).
COUNTRY_CODES: dict[str, str] = {
    "China": "CN", "Germany": "DE", "India": "IN", "North Korea": "KP", "Russia": "RU", "Soviet Union": "SU",
    "South Korea": "KR", "United States": "US", "Ukraine": "UA", "Israel": "IL", "Palestine": "PS",
}
# The certainty of a tie between indicators and the group or software they are listed under: a source's attribution
# ("infrastructure we now attribute to the ScarCruft threat actor"), an analytic judgement. Shown on the incident map,
# and the confidence of STIX `indicates` relationships.
INDICATES_STATUS = "assessed"

# STIX 2.1's industry-sector-ov vocabulary
INDUSTRY_SECTORS: dict[str, str] = {sector: sector.replace("-", " ") for sector in (
    "agriculture", "aerospace", "automotive", "chemical", "commercial", "communications", "construction", "defense",
    "education", "energy", "entertainment", "financial-services", "government", "emergency-services", "government-local",
    "government-national", "government-public-services", "government-regional", "healthcare", "hospitality-leisure",
    "infrastructure", "dams", "nuclear", "water", "insurance", "manufacturing", "mining", "non-profit", "pharmaceuticals",
    "retail", "technology", "telecommunications", "transportation", "utilities")}


def _check_source(values: dict[str, Any], where: Location) -> None:
    if not values.get("url") and not values.get("archive"):
        raise DataError(where, "a source needs a 'url' or an 'archive' file", "add 'url:' or 'archive: seeds/<file>'")
    if values.get("tier") == "republication" and not values.get("copy_of"):
        raise DataError(where, "a republication or translation names the source it copies",
                        "add 'copy_of: <source id>'")
    if values.get("copy_of") and values.get("tier") not in ("republication", "seed"):
        raise DataError(where, "a source that copies another is a republication (or the seed)",
                        "set 'tier: republication'")


# What a source is, most direct first: shown beside every citation of it, as (label, meaning).
SOURCE_TIERS: dict[str, tuple[str, str]] = {
    "primary-report": ("primary report", "the researchers' own technical report of what they found"),
    "news-report": ("news report", "an original news report, by the outlet that did the reporting"),
    "official-document": ("official document", "a statement or document of a government, a court, the UN or a company "
                          "about itself"),
    "republication": ("republication", "a syndicated copy, republication or translation of another source, which it "
                      "names"),
    "secondary": ("secondary summary", "a summary of other reporting, by someone who did not do the research"),
    "seed": ("seed article", "the machine-translated article this site started from, cited only for its own words"),
}
SECONDARY_TIERS = ("secondary", "seed")  # a fact that rests only on these says so


@dataclass
class Step:
    """One step of an intrusion's path as the sources describe it, or a step they say is not known (or are silent on)."""

    label: str
    by: Ref | None
    known: bool
    citations: list[Citation]
    location: Location

    def claims(self, subject: Entity, name_of: NameOf) -> Iterator[tuple[str, Citation]]:
        for citation in self.citations:
            yield f"The path of {subject.name}{'' if self.known else ', not known'}: {self.label}", citation


def _check_step(values: dict[str, Any], where: Location) -> None:
    if values["known"] and not values["citations"]:
        raise DataError(where, "a known step of the path needs at least one citation",
                        "add 'citations:' with the source's words, or set 'known: false' if no source describes it")


STEPS = ListOf(Record("step", (
    Field("label", Text(), "the step in a few words, keeping the source's hedges, e.g. 'OpenCarrot backdoor on "
          "internal systems'", required=True),
    Field("by", RefTo("actor"), "the hacking group whose path the step is on; left out for a step of the whole "
          "intrusion"),
    Field("known", Flag(), "false for a step the sources say is not known, or do not describe at all", default=True),
    Field("citations", CITATIONS, "the source's verbatim words; a step not known cites the source that says so, "
          "or nothing where no source describes it", default=list),
), Step, _check_step, help="A step of the intrusion's path, in the order the sources give.",
    rules=({"if": {"properties": {"known": {"const": False}}, "required": ["known"]}, "else": {
        "required": ["citations"], "properties": {"citations": _SOME}}},)))


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("actor", "actors", "Actors", "A person or a group (such as a hacking team).", (
        Field("type", Choice({
            "person": "a named or unnamed individual",
            "hacking-group": "a hacking team or cluster of intrusion activity, named by those who track it",
            "group": "any other group of people, e.g. unnamed experts",
        }), "person, hacking-group or group", required=True),
        Field("role", Text(), "what the actor is, in a few words, e.g. 'missile expert'"),
        Field("country", Text(), "country the actor belongs to or works from", stix="location"),
        Field("indicators", INDICATORS, "indicators of compromise a source ties to the hacking group", default=list),
        Field("attack_id", ATTACK_ID, "for a hacking group: its MITRE ATT&CK group id, e.g. G0067",
              stix="mitre-attack"),
        Field("techniques", TECHNIQUES, "for a hacking group: ATT&CK techniques a source says, or shows, it used",
              default=list, stix="uses"),
    ), ("type", "role"), Stix(StixType("identity", {"identity_class": "individual"}), "type", {
        "hacking-group": StixType("intrusion-set"), "group": StixType("identity", {"identity_class": "group"})}),
        check=_check_actor, rules=(
            {"if": {"properties": {"type": {"not": {"const": "hacking-group"}}}},
             "then": {"properties": {"indicators": {"anyOf": [{"type": "null"}, {"maxItems": 0}]},
                                     "techniques": {"anyOf": [{"type": "null"}, {"maxItems": 0}]},
                                     "attack_id": {"type": "null"}}}},),
        infobox=(("Type", "type"), ("Also known as", "aliases"), ("Role", "role"), ("Country", "country"),
                 ("Linked to", "out:linked-to"), ("Part of", "out:part-of"), ("Works for", "out:works-for"),
                 ("Leads", "out:leads"), ("Broke into", "out:compromised"), ("Targeted", "out:targeted"),
                 ("Tools and malware", "out:used"), ("Developed", "out:developed"), ("Discovered", "out:discovered")),
        colour=Colour("#e3f2fd")),
    Kind("organization", "organizations", "Organizations", "A company, state body, agency or other organisation.", (
        Field("type", Choice({
            "company": "a business", "state": "a country as an actor", "state-body": "a government body or mission",
            "intelligence-agency": "a state intelligence service", "news-organization": "a news agency or outlet",
            "security-company": "a cybersecurity firm or its research unit", "international-body": "e.g. a UN body",
        }), "what sort of organisation", required=True),
        Field("country", Text(), "where it is based", stix="location"),
        Field("location", Text(), "city or town"),
        Field("sectors", ListOf(Choice(INDUSTRY_SECTORS)), "industry sectors, in STIX's words (e.g. aerospace, defense)",
              default=list, stix="sectors"),
    ), ("type", "country"), Stix(StixType("identity", {"identity_class": "organization"})),
        infobox=(("Type", "type"), ("Also known as", "aliases"), ("Country", "country"), ("Location", "location"),
                 ("Sectors", "sectors"), ("Part of", "out:part-of"), ("Includes", "in:part-of"), ("Led by", "in:leads"),
                 ("Networks broken into by", "in:compromised"), ("Targeted by", "in:targeted"),
                 ("Developed", "out:developed"), ("Took part in designing", "out:designed")),
        colour=Colour("#f3e5f5")),
    Kind("weapon", "weapons", "Weapons", "A missile, a weapons programme or a ship that carries weapons.", (
        Field("category", Choice({
            "missile": "a missile type", "programme": "a weapons programme", "warship": "a ship that carries weapons",
        }), "what sort of weapon", required=True, stix="description"),
        Field("country", Text(), "country that builds or operates it", stix="location"),
    ), ("category", "country"),
        # STIX has no object for a weapon. A missile type, a programme or a class of warship is not cyber
        # infrastructure or a tool: it is what the victim builds, so it is an `identity` of class 'class' (STIX: "a
        # class of entities"), which 'targets', 'located-at' and every other relationship may point at; its category
        # is a line of its description.
        Stix(StixType("identity", {"identity_class": "class"})),
        infobox=(("Category", "category"), ("Also known as", "aliases"), ("Country", "country"),
                 ("Based on", "out:based-on"), ("Basis of", "in:based-on"), ("Developed by", "in:developed"),
                 ("Designed with", "in:designed"), ("Deployed on", "out:deployed-on"), ("Carries", "in:deployed-on")),
        colour=Colour("#ffebee")),
    Kind("software", "software", "Malware and tools", "Malicious software or a tool used in an intrusion.", (
        Field("category", Choice({"malware": "malicious software, such as a backdoor",
                                  "tool": "legitimate or dual-use software used by attackers"}),
              "malware or tool", required=True),
        Field("platforms", ListOf(Text()), "operating systems it runs on, e.g. Windows", default=list),
        Field("malware_types", ListOf(Choice(MALWARE_TYPES)), "for malware: what it does, in STIX's words (e.g. "
              "backdoor, remote-access-trojan); left out, the STIX export says 'unknown'", default=list,
              stix="malware_types"),
        Field("indicators", INDICATORS, "indicators of compromise a source ties to this software", default=list),
        Field("attack_id", ATTACK_ID, "its MITRE ATT&CK software id, e.g. S0240", stix="mitre-attack"),
        Field("techniques", TECHNIQUES, "ATT&CK techniques a source says, or shows, the software uses", default=list,
              stix="uses"),
    ), ("category", "platforms"),
        # A named piece of malware is a family (is_family), whatever its samples; its malware_types default to STIX's
        # 'unknown' where the data names none, since STIX consumers (MISP, OpenCTI) expect the property.
        Stix(StixType("malware", {"is_family": True, "malware_types": ["unknown"]}), "category",
             {"tool": StixType("tool")}),
        infobox=(("Category", "category"), ("Also known as", "aliases"), ("Runs on", "platforms"),
                 ("Used by", "in:used"), ("Developed by", "in:developed"), ("Discovered by", "in:discovered")),
        colour=Colour("#fff3e0")),
    Kind("assessment", "assessments", "Assessments", "An expert's judgement on a question, with who judged and when.", (
        Field("assessor", RefTo("actor", "organization"), "who judged", required=True, stix="authors"),
        Field("affiliation", RefTo("organization"), "the assessor's organisation at the time"),
        Field("role", Text(), "the assessor's role at the time, as the source gives it"),
        Field("topic", Choice({
            "attribution": "who was behind the intrusion",
            "value-of-stolen-plans": "what stolen or viewed information is worth",
            "significance": "what the incident or its disclosure means",
            "authenticity": "whether the leaked data is genuine",
        }), "the question judged; assessments on one topic are shown side by side", required=True),
        Field("about", ListOf(RefTo(), 1), "ids of the entities judged", required=True, backlink="Assessments",
              stix="object_refs"),
        Field("date", Date(), "when the judgement was published", required=True),
        Field("status", STATUS, "how certain the judgement is", required=True, stix="confidence"),
        Field("citation", CITATION, "the source and the verbatim words of the judgement", required=True),
    ), ("topic", "assessor", "date", "status"), Stix(StixType("note")),
        index_template="assessments.md.j2", page_template="assessment.md.j2", colour=Colour("#fffde7")),
    Kind("event", "events", "Timeline", "Something that happened, with a date of explicit precision.", (
        Field("date", When(), "when it happened: 2023-08-07, or start (2021), qualifier (late) and end (2022-05)",
              required=True, stix="description"),
        Field("key", Flag(), "shown among the key dates on the home page", default=False, on_page=False),
        Field("involves", ListOf(RefTo(), 1), "ids of the entities involved", required=True, backlink="Events",
              stix="object_refs"),
        Field("citations", ListOf(CITATION, 1), "sources and verbatim quotes for the event", required=True),
        Field("steps", STEPS, "for an intrusion: its path as the sources describe it, step by step, each step cited, "
              "and the steps they say are not known", default=list),
    ), ("date", "involves"),
        # STIX 2.1 has no event object. An event here is a dated statement about the entities it involves, with its
        # sources: that is a `note` (abstract: the event, content: what happened and when, object_refs: the entities),
        # which MISP, OpenCTI and every STIX store show beside those entities. Not a `report` (a source's own
        # publication, which the sources already are) nor a `grouping` (a set of objects with no statement of its own).
        Stix(StixType("note")), index_template="timeline.md.j2",
        infobox=(("When", "date"), ("Involves", "involves"), ("Discovered by", "in:discovered"),
                 ("Reported on by", "in:reported-on"), ("Verified by", "in:verified")),
        colour=Colour("#e8f5e9")),
    Kind("source", "sources", "Sources", "A document that facts cite: an article, a report, an archived text.", (
        Field("title", Text(), "the exact title, if known (leave it out rather than guess)"),
        Field("publisher", Text(), "the outlet or organisation that published it", required=True),
        Field("authors", ListOf(Text()), "authors as credited", default=list),
        Field("date", Date(), "publication date, if known (leave it out rather than guess)", stix="published"),
        Field("url", Url(), "where it can be read"),
        Field("archive", Text(), "path of the archived text in seeds/, e.g. seeds/2023-08-10-article.txt"),
        Field("language", Language(), "language code of the text, e.g. en, de", required=True),
        Field("translated_from", Language(), "language code of the original, for a translation"),
        Field("machine_translation", Flag(), "true if the text is a machine translation", default=False),
        Field("tier", Choice({name: meaning for name, (_, meaning) in SOURCE_TIERS.items()}), "what the source is: "
              + ", ".join(SOURCE_TIERS), required=True),
        Field("copy_of", RefTo("source"), "the source this is a republication or translation of"),
        Field("notes", Text(prose=True), "what the reader should know about this source"),
        Field("uncited", ListOf(UNCITED), "for an archived text: passages deliberately not cited, with the reason",
              default=list),
        Field("indicators", INDICATORS, "indicators of compromise the source published without tying them to a group "
              "or a piece of software", default=list),
    ), ("publisher", "date"), Stix(StixType("report", {"report_types": ["threat-report"]})),
        index_template="sources.md.j2", page_template="source.md.j2",
        counted="citations", colour=Colour("#eceff1"),
        check=_check_source, rules=(
            {"anyOf": [{"properties": {key: {"type": "string"}}, "required": [key]} for key in ("url", "archive")]},)),
)}


@dataclass
class Entity:
    """One loaded data file: the common fields, plus the kind's own in `attrs`."""

    kind: Kind
    id: str
    name: str
    aliases: list[Alias]
    summary: str
    facts: list[Fact]
    relations: list[Relation]
    corrections: list[Correction]
    withdrawn: list[Withdrawal]
    former_ids: list[str]
    attrs: dict[str, Any]
    location: Location
    refs: list[tuple[Ref, tuple[str, ...]]] = field(default_factory=list)
    places: dict[str, Location] = field(default_factory=dict)  # where each top-level key's value starts

    def at(self, key: str) -> Location:
        """Where the value of a top-level key is, for messages (the file's start if the key is absent)."""
        return self.places.get(key, self.location)

    @property
    def path(self) -> str:
        """The page's Markdown path, which is also its URL."""
        return f"{self.kind.plural}/{self.id}.md"

    @property
    def former_paths(self) -> list[str]:
        """Markdown paths this entity was published under before; they redirect to `path`."""
        return [f"{old}.md" if "/" in old else f"{self.kind.plural}/{old}.md" for old in self.former_ids]

    @functools.cached_property
    def sort_key(self) -> tuple[tuple[int, int, int, int], str]:
        """Chronological for dated kinds ('late 2021' after October 2021), then by name: plain values only."""
        date: PartialDate | Period | None = self.attrs.get("date")
        return (date.sort_key() if date is not None else (9999, 0, 0, 0), self.name.lower())

    def values(self) -> Iterator[tuple[Field, Any]]:
        """Every declared field of the entity with its value, common fields first."""
        for spec in COMMON_FIELDS:
            yield spec, getattr(self, spec.name)
        for spec in self.kind.fields:
            yield spec, self.attrs[spec.name]

    def items(self, role: Role) -> Iterator[Any]:
        """The items of every field of the entity whose records play `role` (its indicator lists, say)."""
        for spec, value in self.values():
            if spec.inner.role is role:
                yield from spec.type.each(value)

    def claims(self, name_of: NameOf) -> Iterator[tuple[str, Citation]]:
        """Every citation of the entity with the claim it supports, from every field that holds citations."""
        for spec, value in self.values():
            for item in spec.type.each(value):
                if hasattr(item, "claims"):
                    yield from item.claims(self, name_of)


def json_schema(kind: Kind) -> dict[str, Any]:
    """The editor's JSON Schema for one kind's data files, derived from the declaration."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"{kind.title}: data/{kind.plural}/<id>.yml",
        **kind.record.json_schema(),
        "$defs": json_defs(),
    }
