"""The downloads: the linked graph as STIX 2.1, JSON (with its JSON Schema), CSV and plain indicator lists.

Pure functions of the graph, like the pages, so a download can never disagree with a page. `files` yields
every download as (site path, text); `hooks/site.py` hands them to MkDocs. Timestamps come from the build's
SOURCE_DATE_EPOCH or else from the data (`as_of`), never from the clock, so a commit yields the same files.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import posixpath
import re
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .graph import Graph
from .memory import paused_cyclic_gc
from .model import CERTAINTY, INDICATOR_TYPES, KINDS, RELATION_TYPES, Entity, Kind, refang
from .schema import Field, Record, Role
from .stix import NAMESPACE, Bundler, day, last_moment
from .text import plain_prose

DOWNLOADS = "downloads"
VERSION = "1.2.0"  # of the JSON format: the major number changes when a key is removed or changes meaning
GRAPH, SCHEMA, BUNDLE = f"{DOWNLOADS}/graph.json", f"{DOWNLOADS}/graph.schema.json", f"{DOWNLOADS}/incident.stix.json"
FACTS_CSV = f"{DOWNLOADS}/csv/facts.csv"
MISP_EVENT = f"{DOWNLOADS}/incident.misp.json"
ARCHIVE = f"{DOWNLOADS}/everything.zip"
CHECKSUMS = "SHA256SUMS"  # inside the archive: `sha256sum -c SHA256SUMS` after unzipping
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet reads a cell starting so as a formula
# A part of a cell after a ';' that would start a formula, after spaces and quotes: spreadsheets in locales whose
# list separator is ';' split a cell there (OWASP, CSV Injection: mind the field separators and quotes too).
FORMULA_PART = re.compile(r"(;[ \"]*)(?=[=+\-@\t\r])")
FACT_COLUMNS = ("entity", "kind", "field", "claim", "status", "source", "source_name", "source_url", "quote", "locator",
                "translation", "verified")


# The tools the test suite (tests/test_stix_clients.py) feeds the downloads to, offline, with the versions the lock
# pins (requirements.txt): the Downloads page names them. A test checks them against the installed versions.
STIX_CLIENTS: dict[str, tuple[str, str]] = {
    "stix2-validator": ("3.3.2", "the OASIS STIX 2.1 validator, in strict mode"),
    "stix2": ("3.0.2", "the OASIS Python library, with no custom content allowed"),
    "misp-stix": ("2026.10.12", "MISP's own STIX 2.1 importer: the incident is one event, every indicator once"),
    "pymisp": ("2.5.34.4", "MISP's Python library: it loads the MISP event download"),
    "pycti": ("7.261026.0", "OpenCTI's bundle splitter, the first step of an OpenCTI import: no item it cannot place"),
    "medallion": ("3.0.0", "a TAXII 2.1 server (in memory), read back with taxii2-client"),
    "taxii2-client": ("2.3.0", "the OASIS TAXII 2.1 client"),
    "stix2-slider": ("4.0.1", "the STIX 2.1 to 1.2 converter, which stops on TLP 2.0 markings, locations without an "
                     "administrative area and reports"),
}


@dataclass(frozen=True)
class Download:
    """One published file: where it is, what it is called, and what it holds."""

    path: str
    title: str
    description: str


def published_types(graph: Graph) -> set[str]:
    """The indicator types of which the data holds at least one value."""
    return {indicators.type for entity in graph.entities.values() for indicators in entity.items(Role.INDICATORS)}


def catalogue(graph: Graph) -> list[Download]:
    """Every site-wide download the Downloads page offers, in its order (no list of indicators the data lacks)."""
    return [
        Download(BUNDLE, "STIX 2.1 bundle of the whole incident", "Every entry of the site ("
                 + ", ".join(kind.plural for kind in KINDS.values()) + "), with its facts and relations, indicators with "
                 "their observables, ATT&CK techniques, and every source as an external reference."),
        Download(MISP_EVENT, "MISP event of the incident's indicators", "Every indicator once, as a MISP attribute "
                 "with the window its source saw it in use and who it is tied to; not for blocking (to_ids is false)."),
        Download(GRAPH, "JSON of the whole graph", "Every entity with its facts, citations, relations both ways and "
                 "statuses, with the format's version."),
        Download(SCHEMA, "JSON Schema of the graph", "The JSON Schema (draft 2020-12) that the JSON downloads validate against."),
        Download(FACTS_CSV, "CSV of all facts with their citations", "One row per claim and citation: facts, relations, "
                 "names, indicators and assessments, with status, source and verbatim quote."),
        *(Download(kind_csv(kind), f"CSV of {kind.plural}", f"One row per entry, each {kind.help[:1].lower()}{kind.help[1:]}")
          for kind in KINDS.values()),
        *(Download(indicator_list(name), f"{declared.title}, one per line", "Real (not defanged) values of historical "
                   "indicators, for hunting in past logs, with a header naming their sources.")
          for name, declared in INDICATOR_TYPES.items() if name in published_types(graph)),
        Download(ARCHIVE, "Everything, in one zip archive", f"Every download of the site, each entity's own included, "
                 f"with their SHA-256 checksums in {CHECKSUMS}."),
    ]


def kind_csv(kind: Kind) -> str:
    return f"{DOWNLOADS}/csv/{kind.plural}.csv"


def indicator_list(type_name: str) -> str:
    return f"{DOWNLOADS}/indicators/{type_name}.txt"


def entity_downloads(entity: Entity, entity_id: str | None = None) -> list[Download]:
    """An entity's own STIX bundle and JSON (at a former id's paths when `entity_id` is one)."""
    stem = f"{DOWNLOADS}/{entity.kind.plural}/{entity_id or entity.id}"
    if entity_id and "/" in entity_id:  # a former id of another kind: 'weapons/opencarrot'
        stem = f"{DOWNLOADS}/{entity_id}"
    return [Download(f"{stem}.stix.json", "STIX 2.1", f"{entity.name} as a STIX 2.1 bundle"),
            Download(f"{stem}.json", "JSON", f"{entity.name} as JSON")]


def as_of(graph: Graph, source_date_epoch: str | None) -> dt.datetime:
    """The moment the downloads describe: SOURCE_DATE_EPOCH if the build sets it, else the last day the data dates."""
    if source_date_epoch:
        return dt.datetime.fromtimestamp(int(source_date_epoch), dt.UTC)
    days = [date.bounds()[1] for entity in graph.entities.values() if (date := entity.attrs.get("date"))]
    return dt.datetime(*max(days), tzinfo=dt.UTC) if days else dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def paths(graph: Graph) -> Iterator[str]:
    """The site path of every download that `files` makes, without making any."""
    yield from (BUNDLE, MISP_EVENT, GRAPH, SCHEMA, FACTS_CSV, *map(kind_csv, KINDS.values()),
                *map(indicator_list, INDICATOR_TYPES))
    for entity in graph.entities.values():
        for entity_id in (None, *entity.former_ids):
            yield from (download.path for download in entity_downloads(entity, entity_id))
    yield ARCHIVE


def files(graph: Graph, producer: str, moment: dt.datetime,
          site_url: str | None = None) -> Iterator[tuple[str, str | bytes]]:
    """Every download as (site path, text), one at a time: the caller writes each before the next is made; the
    last is the zip archive of them all (bytes), compressed as they go.

    The downloads hold one large structure of the whole graph and make no garbage cycles, so the cyclic garbage
    collector is paused (`paused_cyclic_gc`) from the first item until the generator is finished or closed, the
    caller's work between items included: read it to the end, or close it."""
    with paused_cyclic_gc():
        archive = Archive(moment)
        for path, text in _files(graph, producer, moment, site_url):
            archive.add(path, text)
            yield path, text
        yield ARCHIVE, archive.close()


class Archive:
    """A zip archive that two builds of one commit make byte for byte alike: entries in the order given, each dated
    `moment` (not the clock), with fixed permissions and compression; a SHA-256 checksum file at the end."""

    def __init__(self, moment: dt.datetime) -> None:
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.date = max(moment.astimezone(dt.UTC).timetuple()[:6], (1980, 1, 1, 0, 0, 0))  # zip's earliest date
        self.sums: list[str] = []

    def add(self, path: str, text: str) -> None:
        data = text.encode()
        self.sums.append(f"{hashlib.sha256(data).hexdigest()}  {path}\n")
        self._write(path, data)

    def close(self) -> bytes:
        self._write(f"{DOWNLOADS}/{CHECKSUMS}", "".join(self.sums).encode())
        self.zip.close()
        return self.buffer.getvalue()

    def _write(self, path: str, data: bytes) -> None:
        info = zipfile.ZipInfo(path, date_time=self.date)
        info.compress_type, info.create_system, info.external_attr = zipfile.ZIP_DEFLATED, 3, 0o644 << 16
        self.zip.writestr(info, data, compresslevel=1)


def _files(graph: Graph, producer: str, moment: dt.datetime, site_url: str | None) -> Iterator[tuple[str, str]]:
    bundler = Bundler(graph, producer, moment, site_url)
    document = graph_json(graph, producer, moment)
    written: dict[str, str] = {}  # the text of each STIX object, written once for all the bundles holding it
    yield BUNDLE, _json(bundler.bundle(), written)
    yield MISP_EVENT, json.dumps(misp_event(graph, producer, moment), ensure_ascii=False, indent=1) + "\n"
    yield GRAPH, _json(document)
    yield SCHEMA, json.dumps(graph_schema(), ensure_ascii=False, indent=2) + "\n"
    yield FACTS_CSV, facts_csv(graph)
    for kind in KINDS.values():
        yield kind_csv(kind), kind_table(graph, kind)
    for name in INDICATOR_TYPES:
        yield indicator_list(name), indicators_text(graph, name, producer, moment)
    entries = {entry["id"]: entry for entry in document["entities"]}
    head = {key: document[key] for key in ("version", "title", "as_of")}
    for entity, bundle in bundler.entity_bundles():
        own_stix, own_json = (d.path for d in entity_downloads(entity))
        yield own_stix, _json(bundle, written)
        yield own_json, _json({"$schema": _schema_from(own_json), **head, "entities": [entries[entity.id]]})
        if entity.former_ids:  # a small note at each former address, not a copy: output grows with the data
            alone = _json(bundler.entity_alone(entity), written)
            for former in entity.former_ids:
                stix_path, json_path = (d.path for d in entity_downloads(entity, former))
                yield stix_path, alone
                yield json_path, _json({"$schema": _schema_from(json_path), **head, "entities": [],
                                        "moved_to": posixpath.relpath(own_json, posixpath.dirname(json_path))})


def _schema_from(path: str) -> str:
    """The schema's address relative to a download at `path`."""
    return posixpath.relpath(SCHEMA, posixpath.dirname(path))


def _json(data: dict[str, Any], written: dict[str, str] | None = None) -> str:
    """JSON with one line per object of its long lists (a bundle's objects, the graph's entities): compact and fast
    to write, still easy to diff and to read line by line. `written` keeps the text of STIX objects that many bundles
    share, by their STIX id (one id, one object). The pieces are joined once: at 10,000 entities a download is tens
    of megabytes."""
    pieces = []
    for key, value in data.items():
        pieces += (",\n" if pieces else "{", _compact(key), ":")
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            pieces.append("[\n")
            for item in value:
                if written is None:
                    text = _compact(item)
                elif (text := written.get(item["id"])) is None:
                    text = written[item["id"]] = _compact(item)
                pieces += (text, ",\n")
            pieces[-1] = "\n]"
        else:
            pieces.append(_compact(value))
    pieces.append("}\n" if pieces else "{}\n")
    return "".join(pieces)


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # one for all: `json.dumps` makes one a call
_compact = _COMPACT.encode


# --------------------------------------------------------------------------- MISP


MISP_TYPES = {"domain": ("domain", "Network activity"), "ip": ("ip-dst", "Network activity"),
              "md5": ("md5", "Payload delivery"), "sha1": ("sha1", "Payload delivery"),
              "sha256": ("sha256", "Payload delivery")}  # MISP's attribute type and category of each indicator type


def misp_event(graph: Graph, producer: str, moment: dt.datetime) -> dict[str, Any]:
    """The indicators as one MISP event in MISP's own JSON format, made from the graph (no MISP library at build
    time): one attribute per indicator, with who it is tied to and the source in its comment, the window its source
    saw it in use as first_seen/last_seen, and to_ids false, since they are historical, for hunting."""
    stamp = str(int(moment.timestamp()))
    attributes: dict[tuple[str, str], dict[str, Any]] = {}
    for kind in KINDS:
        for entity in graph.by_kind[kind]:
            for indicators in entity.items(Role.INDICATORS):
                source = graph.get(indicators.citation.source.id)
                said = f"{entity.name}" + (f": {indicators.context}" if indicators.context else "") + f" ({source.name})"
                window = indicators.active
                seen = (_misp_time(day(window.start)), _misp_time(last_moment(window.end or window.start))) if window \
                    else (None, None)
                for value in map(refang, indicators.values):
                    misp_type, category = MISP_TYPES[indicators.type]
                    attribute = attributes.setdefault((indicators.type, value), {
                        "uuid": str(uuid.uuid5(NAMESPACE, f"misp/attribute/{indicators.type}/{value}")),
                        "type": misp_type, "category": category, "value": value, "to_ids": False,
                        "distribution": "5", "timestamp": stamp, "comment": "",
                        **({"first_seen": seen[0], "last_seen": seen[1]} if window else {})})
                    attribute["comment"] = "; ".join(filter(None, (attribute["comment"], said)))
                    if "first_seen" in attribute and window:  # seen by several sources: the widest window
                        attribute["first_seen"] = min(attribute["first_seen"], seen[0])
                        attribute["last_seen"] = max(attribute["last_seen"], seen[1])
                    elif not window:
                        attribute.pop("first_seen", None)
                        attribute.pop("last_seen", None)
    return {"Event": {
        "uuid": str(uuid.uuid5(NAMESPACE, "misp/event")), "info": f"{producer}: indicators of compromise",
        "date": moment.strftime("%Y-%m-%d"), "timestamp": stamp, "published": False, "analysis": "2",
        "threat_level_id": "4", "distribution": "3", "Orgc": {"name": producer,
                                                              "uuid": str(uuid.uuid5(NAMESPACE, "misp/producer"))},
        "Tag": [{"name": "tlp:clear"}], "Attribute": list(attributes.values()),
    }}


def _misp_time(stix_time: str) -> str:
    """A STIX timestamp as MISP writes first_seen and last_seen: microseconds and an offset."""
    return stix_time.removesuffix("Z") + "000+00:00"


# --------------------------------------------------------------------------- JSON


def graph_json(graph: Graph, producer: str, moment: dt.datetime) -> dict[str, Any]:
    """The whole graph as JSON data, in the form `graph_schema` describes."""
    return {
        "$schema": SCHEMA.rsplit("/", 1)[1], "version": VERSION, "title": producer,
        "as_of": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "statuses": {name: {"meaning": s.meaning, "confidence": s.confidence} for name, s in CERTAINTY.items()},
        "relation_types": {name: {"forward": r.forward, "inverse": r.inverse, "stix": r.stix}
                           for name, r in RELATION_TYPES.items()},
        "entities": [entity_json(graph, entity) for kind in KINDS for entity in graph.by_kind[kind]],
    }


def entity_json(graph: Graph, entity: Entity) -> dict[str, Any]:
    def verified(record: Record, value: Any) -> dict[str, Any]:
        return {"verified": graph.is_verified(value)} if record.role is Role.CITATION else {}

    data: dict[str, Any] = {"kind": entity.kind.name, "page": entity.path.removesuffix(".md") + "/"}
    data.update({spec.name: None if value is None else spec.type.exported(value, verified) for spec, value in entity.values()})
    data["incoming"] = [{"type": b.relation.type, "from": b.subject.id, "status": b.relation.status, "note": b.relation.note}
                        for b in graph.incoming[entity.id]]
    return data


def graph_schema() -> dict[str, Any]:
    """The JSON Schema of the graph JSON, derived from the kind declarations like the data files' own schemas."""
    extra = {"citation": {"verified": {"type": "boolean", "description": "the quote was found in the archived text"}}}
    entities = []
    for kind in KINDS.values():
        own = kind.record.exported_schema(extra)
        own["properties"] = {"kind": {"const": kind.name}, "page": {"type": "string"}, **own["properties"],
                             "incoming": _INCOMING}
        own["required"] = list(own["properties"])
        own["description"] = f"{kind.title}: {kind.help}"
        entities.append(own)
    status = {"enum": list(CERTAINTY)}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "title": "The research graph, as downloaded",
        "type": "object", "additionalProperties": False,
        "required": ["$schema", "version", "title", "as_of", "entities"],  # one entity's file leaves out the tables
        "properties": {
            "$schema": {"type": "string"}, "version": {"type": "string", "pattern": r"^[0-9]+\.[0-9]+\.[0-9]+$"},
            "title": {"type": "string"}, "as_of": {"type": "string", "format": "date-time"},
            "statuses": {"type": "object", "propertyNames": status, "additionalProperties": {
                "type": "object", "required": ["meaning", "confidence"], "additionalProperties": False,
                "properties": {"meaning": {"type": "string"}, "confidence": {"type": "integer", "minimum": 0, "maximum": 100}}}},
            "relation_types": {"type": "object", "propertyNames": {"enum": list(RELATION_TYPES)}, "additionalProperties": {
                "type": "object", "required": ["forward", "inverse", "stix"], "additionalProperties": False,
                "properties": {"forward": {"type": "string"}, "inverse": {"type": "string"}, "stix": {"type": "string"}}}},
            "entities": {"type": "array", "items": {"oneOf": entities}},
            "moved_to": {"type": "string", "description": "at an entity's former address: where its file is now"},
        },
    }


_INCOMING = {"type": "array", "description": "the relations other entities have to this one", "items": {
    "type": "object", "required": ["type", "from", "status", "note"], "additionalProperties": False, "properties": {
        "type": {"enum": list(RELATION_TYPES)}, "from": {"type": "string"}, "status": {"enum": list(CERTAINTY)},
        "note": {"type": ["string", "null"]}}}}


# --------------------------------------------------------------------------- CSV


def cell(value: str) -> str:
    """A CSV cell a spreadsheet shows as text, also one that splits cells at ';': the cell, and each part after a ';',
    that would start a formula gets an apostrophe before it."""
    value = FORMULA_PART.sub(r"\1'", value)
    return f"'{value}" if value.startswith(FORMULA_START) else value


def _csv(header: tuple[str, ...], rows: Iterator[list[str]]) -> str:
    """RFC 4180: comma-separated, CRLF line ends, fields quoted where needed."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()


def _cell(spec: Field, value: Any) -> str:
    """A field's value as spreadsheet text, as its type writes it ('' when the data leaves it out)."""
    return "" if value is None else spec.type.cell(value)


def _line(text: str) -> str:
    """Text as one line of a spreadsheet cell."""
    return " ".join(text.split())


def kind_table(graph: Graph, kind: Kind) -> str:
    """One row per entity of the kind: its plain fields, and how many facts and relations it has."""
    fields = [spec for spec in kind.fields if spec.is_plain]
    header = ("id", "name", "summary", "aliases", *(spec.name for spec in fields), "facts", "relations", "page")
    rows = ([entity.id, entity.name, plain_prose(entity.summary, graph.name_of),
             "; ".join(_line(alias.name) for alias in entity.aliases),
             *(_cell(spec, entity.attrs[spec.name]) for spec in fields),
             str(len(entity.facts)), str(len(entity.relations)), entity.path.removesuffix(".md") + "/"]
            for entity in graph.by_kind[kind.name])
    return _csv(header, rows)


def facts_csv(graph: Graph) -> str:
    """One row per claim and citation, for every field of every entity that cites a source."""
    def rows() -> Iterator[list[str]]:
        for kind in KINDS:
            for entity in graph.by_kind[kind]:
                for spec, value in entity.values():
                    for item in spec.type.each(value):
                        if not hasattr(item, "claims"):
                            continue
                        status = getattr(item, "status", None) or entity.attrs.get("status") or ""
                        for claim, citation in item.claims(entity, graph.name_of):
                            source = graph.get(citation.source.id)
                            yield [entity.id, kind, spec.name, plain_prose(claim, graph.name_of), status, source.id,
                                   source.name, source.attrs.get("url") or "", _line(citation.quote),
                                   citation.locator or "", citation.translation or "",
                                   "yes" if graph.is_verified(citation) else "no"]
    return _csv(FACT_COLUMNS, rows())


# --------------------------------------------------------------------------- indicator lists


def indicators_text(graph: Graph, type_name: str, producer: str, moment: dt.datetime) -> str:
    """One real value per line, under a comment saying what they are and where they come from."""
    declared = INDICATOR_TYPES[type_name]
    values: dict[str, None] = {}
    sources: dict[str, Entity] = {}
    holders: dict[str, Entity] = {}
    for entity in graph.entities.values():
        for indicators in entity.items(Role.INDICATORS):
            if indicators.type == type_name:
                values.update(dict.fromkeys(map(refang, indicators.values)))
                sources[indicators.citation.source.id] = graph.get(indicators.citation.source.id)
                holders[entity.id] = entity
    cited = [f"{s.name} <{s.attrs['url']}>" if s.attrs.get("url") else s.name for s in sources.values()] or ["none yet"]
    header = [
        f"{declared.title}: indicators of compromise of the incident, real values (not defanged), one per line.",
        f"From {producer}, as of {moment:%Y-%m-%d}; each was published by a source the site cites.",
        "Recorded on: " + (", ".join(f"{e.name} ({e.id})" for e in holders.values()) or "no entity yet") + ".",
        "Sources: " + "; ".join(cited) + ".",
        "Historical indicators: each was seen in use in the window its source gives (see the site's Indicators page),",
        "for hunting in past logs, not for blocking; none is known to be in use today. Do not visit them.",
    ]
    return "".join(f"# {_comment(line)}\n" for line in header) + "".join(f"{value}\n" for value in sorted(values))


def _comment(text: str) -> str:
    """One comment line: no line break or control character can end the comment early."""
    return re.sub(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+", " ", text)
