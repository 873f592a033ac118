"""The downloads of the real build: valid STIX 2.1, JSON valid against its published schema, CSV and indicator lists,
each holding everything in data/ (read independently, tests/rawdata.py) and nothing that can act in a tool."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import json
import re
import shutil
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import stix2
import yaml

from microsite import check, exports
from microsite.model import CERTAINTY, KINDS, RELATION_TYPES, refang
from microsite.stix import Bundler
from tests import rawdata
from tests.conftest import MINIMAL, ROOT, Build
from tests.html import Html

PRODUCER = yaml.safe_load(re.search(r"(?m)^site_name:.*$", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"))[0])["site_name"]
FOLDERS = {kind.plural: kind for kind in KINDS.values()}


def words(text: str) -> str:
    return " ".join(str(text).split())


def downloads(site: Build, pattern: str) -> Iterator[Path]:
    return iter(sorted((site.site / "downloads").glob(pattern)))


@pytest.fixture(scope="module")
def bundle(real_site: Build) -> dict[str, Any]:
    return json.loads((real_site.site / "downloads" / "incident.stix.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def store(bundle: dict[str, Any]) -> stix2.MemoryStore:
    return stix2.MemoryStore(stix2.parse(bundle, allow_custom=True), allow_custom=True)


@pytest.fixture(scope="module")
def graph_json(real_site: Build) -> dict[str, Any]:
    return json.loads((real_site.site / "downloads" / "graph.json").read_text(encoding="utf-8"))


def object_of(bundle: dict[str, Any], entity_id: str) -> dict[str, Any]:
    """The STIX object of an entity, found by the external reference naming the site and the entity's id."""
    found = [o for o in bundle["objects"] if {"source_name": PRODUCER, "external_id": entity_id}
             in [{k: r.get(k) for k in ("source_name", "external_id")} for r in o.get("external_references", [])]]
    assert len(found) == 1, entity_id
    return found[0]


def cited_sources(obj: Any) -> set[str]:
    """The sources an object cites: its external references that quote a passage."""
    return {r["external_id"] for r in obj.get("external_references", []) if "description" in r}


# --------------------------------------------------------------------------- STIX


def test_every_entity_stix_bundle_holds_only_objects_of_the_incident_bundle(real_site: Build) -> None:
    """So the validator's run on the incident bundle (test_stix_clients, in strict mode) covers every bundle's
    objects; each entity bundle is a wrapper around some of them, and at most one grouping of its own that holds its
    objects for MISP, which the validator checks here."""
    from stix2validator import ValidationOptions, validate_string

    paths = list(downloads(real_site, "**/*.stix.json"))
    assert len(paths) > len(rawdata.by_id())
    incident = real_site.site / "downloads" / "incident.stix.json"
    validated = {json.dumps(o, sort_keys=True) for o in json.loads(incident.read_text(encoding="utf-8"))["objects"]}
    containers = []
    for path in paths:
        bundle = json.loads(path.read_text(encoding="utf-8"))
        assert bundle["type"] == "bundle" and set(bundle) == {"type", "id", "objects"}, path
        outside = [o for o in bundle["objects"] if json.dumps(o, sort_keys=True) not in validated]
        assert [o["type"] for o in outside] in ([], ["grouping"]), f"{path}: {[o['id'] for o in outside]}"
        if outside:
            assert set(outside[0]["object_refs"]) <= {o["id"] for o in bundle["objects"]}, path
            containers.append({**bundle, "objects": [o for o in bundle["objects"] if o["type"] != "grouping"
                                                     or o is outside[0]]})
    assert containers  # the bundles of entities whose notes no report holds
    result = validate_string(json.dumps(containers[0]), ValidationOptions(version="2.1", strict=True))
    assert not [str(e) for e in result.errors if "{103}" not in str(e) and "{302}" not in str(e)]


def test_the_store_names_the_group_attributed_the_email_server_compromise(store: stix2.MemoryStore) -> None:
    ids = rawdata.by_id()
    expected = {data["name"] for _, data in ids.values() for r in data.get("relations", [])
                if r["type"] in ("compromised", "targeted") and "email server" in r.get("note", "")}
    victim = store.query([stix2.Filter("type", "=", "identity"), stix2.Filter("name", "=", "NPO Mashinostroyeniya")])[0]
    found = {store.get(r.source_ref).name for r in store.relationships(victim, "targets", target_only=True)
             if r.source_ref.startswith("intrusion-set--") and "email server" in r.description}
    assert found == expected == {"ScarCruft"}


def test_the_store_tells_which_indicators_indicate_what(store: stix2.MemoryStore) -> None:
    """A group's or a malware's indicators indicate it; those a report ties to no group are in the report's objects."""
    expected = {(refang(value), data["name"]) for folder, data in rawdata.by_id().values() if folder != "sources"
                for ioc in data.get("indicators", []) for value in ioc["values"]}
    for folder, data in rawdata.by_id().values():
        if folder == "sources" and data.get("indicators"):
            report = store.query([stix2.Filter("type", "=", "report"), stix2.Filter("name", "=", data["name"])])[0]
            held = {store.get(ref).name for ref in report.object_refs if ref.startswith("indicator--")}
            assert held >= {refang(v) for ioc in data["indicators"] for v in ioc["values"]}, data["id"]
    found = set()
    for relation in store.query([stix2.Filter("type", "=", "relationship"), stix2.Filter("relationship_type", "=", "indicates")]):
        indicator = store.get(relation.source_ref)
        observed = [store.get(r.target_ref) for r in store.relationships(indicator, "related-to", source_only=True)]
        assert len(observed) == 1, indicator.id
        assert indicator.name in (observed[0].get("value"), *observed[0].get("hashes", {}).values()), indicator.id
        assert f"'{indicator.name}'" in indicator.pattern
        found.add((indicator.name, store.get(relation.target_ref).name))
    assert found == expected and expected


def test_the_store_lists_the_sources_backing_each_object(bundle: dict[str, Any], store: stix2.MemoryStore) -> None:
    for folder, data in rawdata.entities():
        own = {key: value for key, value in data.items() if key not in ("relations", "indicators")}
        expected = {c["source"] for c in rawdata.citations(own)}
        obj = object_of(bundle, data["id"])
        facts = store.query([stix2.Filter("type", "=", "note"), stix2.Filter("object_refs", "=", obj["id"])])
        found = cited_sources(obj) | {s for note in facts if "authors" not in note
                                      and note.object_refs == [obj["id"]] for s in cited_sources(note)}
        assert found == expected, f"{folder}/{data['id']}"


def test_every_entity_relation_indicator_and_citation_in_the_data_is_in_the_bundle(bundle: dict[str, Any]) -> None:
    references = {(r.get("external_id"), words(r.get("description", ""))) for o in bundle["objects"]
                  for r in o.get("external_references", [])}
    relationships = defaultdict(list)
    for o in bundle["objects"]:
        if o["type"] == "relationship":
            relationships[frozenset((o["source_ref"], o["target_ref"]))].append(o)
    patterns = {o["pattern"] for o in bundle["objects"] if o["type"] == "indicator"}
    for _, data in rawdata.entities():
        obj = object_of(bundle, data["id"])
        assert obj.get("name", obj.get("abstract")) == data["name"]
        for relation in data.get("relations", []):
            target = object_of(bundle, relation["target"])
            stix = RELATION_TYPES[relation["type"]]
            name = target.get("name", target.get("abstract"))  # an event is a note, whose abstract is its name
            assert [o for o in relationships[frozenset((obj["id"], target["id"]))]
                    if o["relationship_type"] in (stix.stix, "related-to")
                    and o["confidence"] == CERTAINTY[relation["status"]].confidence
                    and o["description"].startswith(f"{data['name']} {stix.forward} {name}")], relation
        for ioc in data.get("indicators", []):
            assert all(any(f"'{refang(value)}'" in p for p in patterns) for value in ioc["values"]), ioc
        for citation in rawdata.citations(data):
            assert (citation["source"], words(citation["quote"])) in references, (data["id"], citation)


def test_observables_have_the_ids_stix_defines_for_their_value(bundle: dict[str, Any]) -> None:
    classes = {"domain-name": stix2.DomainName, "ipv4-addr": stix2.IPv4Address, "file": stix2.File}
    observables = [o for o in bundle["objects"] if o["type"] in classes]
    assert observables
    for o in observables:
        properties = {k: v for k, v in o.items() if k not in ("id", "type", "spec_version")}
        assert classes[o["type"]](**properties).id == o["id"]


# --------------------------------------------------------------------------- JSON


def test_the_graph_and_every_entity_json_validate_against_the_published_schema(real_site: Build) -> None:
    import jsonschema  # a second's import (its URI grammar): only where it is used

    schema = json.loads((real_site.site / "downloads" / "graph.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    paths = [p for p in downloads(real_site, "**/*.json") if not p.name.endswith((".stix.json", ".schema.json",
                                                                                  ".misp.json"))]
    assert len(paths) > len(rawdata.by_id())
    for path in paths:
        document = json.loads(path.read_text(encoding="utf-8"))
        assert re.fullmatch(r"\d+\.\d+\.\d+", document["version"])
        errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(document)]
        assert not errors, f"{path}: {errors[:3]}"


def test_a_json_that_breaks_the_schema_is_refused(real_site: Build, graph_json: dict[str, Any]) -> None:
    import jsonschema  # a second's import (its URI grammar): only where it is used

    schema = json.loads((real_site.site / "downloads" / "graph.schema.json").read_text(encoding="utf-8"))
    broken = json.loads(json.dumps(graph_json))
    broken["entities"][0]["facts"] = [{"statement": "x", "status": "rumoured", "citations": [], "positions": []}]
    assert not jsonschema.Draft202012Validator(schema).is_valid(broken)


def test_every_entity_relation_indicator_and_citation_in_the_data_is_in_the_json(graph_json: dict[str, Any]) -> None:
    entries = {entry["id"]: entry for entry in graph_json["entities"]}
    assert set(entries) == set(rawdata.by_id())
    for folder, data in rawdata.entities():
        entry = entries[data["id"]]
        assert (entry["kind"], entry["name"]) == (FOLDERS[folder].name, data["name"])
        for relation in data.get("relations", []):
            kind, target, status = relation["type"], relation["target"], relation["status"]
            assert any((r["type"], r["target"], r["status"]) == (kind, target, status) for r in entry["relations"])
            assert any((i["type"], i["from"], i["status"]) == (kind, data["id"], status) for i in entries[target]["incoming"])
        assert [(i["type"], i["values"]) for i in entry.get("indicators", [])] == [
            (i["type"], i["values"]) for i in data.get("indicators", [])]
        found = {(c["source"], words(c["quote"])) for c in rawdata.citations(entry)}
        assert {(c["source"], words(c["quote"])) for c in rawdata.citations(data)} <= found, data["id"]
        assert all(isinstance(c["verified"], bool) for c in rawdata.citations(entry))


# --------------------------------------------------------------------------- CSV and indicator lists


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    text = raw.decode("utf-8")  # UTF-8, no byte-order mark
    assert not text.startswith("\ufeff") and text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    again = io.StringIO(newline="")
    csv.writer(again, lineterminator="\r\n").writerows(rows)
    assert again.getvalue() == text, f"{path} does not round-trip through the csv module"
    return rows


def test_every_csv_round_trips_and_has_a_row_per_entity_or_per_citation(real_site: Build) -> None:
    for folder in FOLDERS:
        rows = read_csv(real_site.site / "downloads" / "csv" / f"{folder}.csv")
        assert rows[0][:3] == ["id", "name", "summary"]
        assert sorted(row[0] for row in rows[1:]) == sorted(d["id"] for f, d in rawdata.entities() if f == folder)
        assert all(len(row) == len(rows[0]) for row in rows)
    rows = read_csv(real_site.site / "downloads" / "csv" / "facts.csv")
    header, body = rows[0], rows[1:]
    expected = sorted((data["id"], c["source"], words(c["quote"])) for _, data in rawdata.entities()
                      for c in rawdata.citations(data))
    found = sorted((row[header.index("entity")], row[header.index("source")], row[header.index("quote")]) for row in body)
    assert found == expected


def test_no_csv_cell_starts_a_formula(real_site: Build) -> None:
    for path in downloads(real_site, "csv/*.csv"):
        for row in read_csv(path):
            assert not [cell for cell in row if starts_a_formula(cell)], path


def starts_a_formula(cell: str) -> bool:
    """True if a spreadsheet would read the cell, or a part of it after a ';' (a ';'-separated locale), as a formula."""
    first, *parts = cell.split(";")
    return any(part.startswith(("=", "+", "-", "@", "\t", "\r")) for part in [first, *(p.lstrip(' "') for p in parts)])


def test_indicator_lists_hold_the_real_values_under_a_header_comment(real_site: Build) -> None:
    for path in downloads(real_site, "indicators/*.txt"):
        lines = path.read_text(encoding="utf-8").splitlines()
        header = [line for line in lines if line.startswith("#")]
        values = lines[len(header):]
        assert header and lines[: len(header)] == header and "real values" in header[0]
        expected = {refang(v) for _, d in rawdata.entities() for i in d.get("indicators", []) if i["type"] == path.stem
                    for v in i["values"]}
        assert values == sorted(expected) and "[.]" not in "".join(values)
        if expected:
            assert "SentinelLabs" in " ".join(header)


# --------------------------------------------------------------------------- pages and links


def test_the_downloads_page_and_every_entity_page_link_their_downloads(real_site: Build) -> None:
    page = real_site.page("downloads.md")
    for path in ("incident.stix.json", "graph.json", "graph.schema.json", "csv/facts.csv", "indicators/domain.txt"):
        assert page.links_to(real_site.site, real_site.site / "downloads" / path), path
    for folder, data in rawdata.entities():
        entity_page = Html.parse(real_site.site / folder / data["id"] / "index.html")
        for suffix in (".stix.json", ".json"):
            target = real_site.site / "downloads" / folder / f"{data['id']}{suffix}"
            assert target.is_file() and entity_page.links_to(real_site.site, target), (folder, data["id"], suffix)
        assert entity_page.links_to(real_site.site, real_site.site / "downloads" / "index.html")


def test_the_certainty_page_states_the_confidence_scale(real_site: Build) -> None:
    text = real_site.page("certainty.md").article_text
    for name, status in CERTAINTY.items():
        assert f"{name} {status.confidence}" in text


def test_every_download_is_a_published_url() -> None:
    published = (ROOT / "tests" / "published-urls.txt").read_text(encoding="utf-8").split()
    for path in ("downloads/incident.stix.json", "downloads/graph.json", "downloads/csv/facts.csv",
                 "downloads/actors/scarcruft.stix.json", "downloads/weapons/opencarrot.json"):
        assert path in published, path


# --------------------------------------------------------------------------- in-process, on the small fixture


def test_the_downloads_listed_without_being_made_are_exactly_those_made() -> None:
    graph = check(ROOT)
    assert any(entity.former_ids for entity in graph.entities.values()), "no former id: the listing is half tested"
    made = [path for path, _ in exports.files(graph, "producer", dt.datetime(2023, 8, 7, tzinfo=dt.UTC))]
    assert len(set(made)) == len(made)
    assert sorted(exports.paths(graph)) == sorted(made)


def _garbage_cycles_of_downloads(root: Path) -> int:
    """Objects in garbage cycles after making every download of the data at `root` with the collector off."""
    graph = check(root)
    gc.collect()
    gc.disable()  # as while the downloads are made: only what refcounting cannot free is left for collect()
    try:
        for _ in exports.files(graph, "producer", dt.datetime(2023, 8, 7, tzinfo=dt.UTC)):
            pass
        return gc.collect()
    finally:
        gc.enable()


def test_making_the_downloads_leaves_as_many_garbage_cycles_for_6_entities_as_for_156() -> None:
    """`exports.files` pauses the cyclic collector while it works: sound only while the cycles it leaves are a few
    made once, not some for each entity."""
    assert _garbage_cycles_of_downloads(MINIMAL) == _garbage_cycles_of_downloads(ROOT)


def test_the_collector_is_back_on_once_the_downloads_are_made_or_their_reading_stops() -> None:
    graph = check(MINIMAL)
    moment = dt.datetime(2023, 8, 7, tzinfo=dt.UTC)
    try:
        assert gc.isenabled()
        assert list(exports.files(graph, "producer", moment)) and gc.isenabled()
        downloads = exports.files(graph, "producer", moment)
        next(downloads)
        assert not gc.isenabled()
        downloads.close()  # a reader that stops early
        assert gc.isenabled()
    finally:
        gc.enable()


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    return shutil.copytree(MINIMAL, tmp_path / "minimal")


def test_text_that_looks_like_a_formula_or_markup_stays_inert_in_every_download(minimal: Path) -> None:
    project = minimal
    path = project / "data" / "actors" / "lazarus-group.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    payloads = {"name": '=HYPERLINK("https://evil.example","x")', "role": "@SUM(A1:A9)", "country": "+1-2",
                "summary": "-cmd|' /C calc'!A0 </script><b>x</b>"}
    data.update(payloads)
    data["aliases"] = [{"name": "=1+1"}]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    graph = check(project)
    files = dict(exports.files(graph, "Test <site>", exports.as_of(graph, "0")))
    actors = list(csv.reader(io.StringIO(files["downloads/csv/actors.csv"], newline="")))
    row = dict(zip(actors[0], next(r for r in actors[1:] if r[0] == "lazarus-group"), strict=True))
    assert row["name"] == "'" + payloads["name"] and row["role"] == "'@SUM(A1:A9)" and row["country"] == "'+1-2"
    assert row["summary"].startswith("'-cmd") and row["aliases"].startswith("'=1+1")
    for rows in (list(csv.reader(io.StringIO(text, newline=""))) for name, text in files.items() if name.endswith(".csv")):
        assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    entry = next(e for e in json.loads(files["downloads/graph.json"])["entities"] if e["id"] == "lazarus-group")
    assert entry["name"] == payloads["name"] and entry["summary"] == payloads["summary"]  # JSON carries data as it is
    assert all(line.startswith("#") or not line for text in (files[p] for p in files if p.endswith(".txt"))
               for line in text.splitlines() if not re.fullmatch(r"[0-9a-z.:-]+", line))


def test_indicators_recorded_on_malware_indicate_the_malware(minimal: Path) -> None:
    path = minimal / "data" / "software" / "opencarrot.yml"
    path.write_text(path.read_text(encoding="utf-8") + "indicators:\n  - type: sha256\n    values: [" + "ab" * 32 + "]\n"
                    "    citation: {source: sample-article, quote: may have used a backdoor}\n", encoding="utf-8")
    graph = check(minimal)
    bundle = Bundler(graph, "Test", dt.datetime(2023, 8, 7, tzinfo=dt.UTC)).bundle()
    store = stix2.MemoryStore(stix2.parse(bundle, allow_custom=True), allow_custom=True)
    malware = store.query([stix2.Filter("type", "=", "malware")])[0]
    indicators = [store.get(r.source_ref) for r in store.relationships(malware, "indicates", target_only=True)]
    assert [(i.name, i.pattern) for i in indicators] == [("ab" * 32, f"[file:hashes.'SHA-256' = '{'ab' * 32}']")]
    assert malware.name == "OpenCarrot" and malware.is_family


def test_timestamps_come_from_source_date_epoch_or_else_from_the_data(minimal: Path) -> None:
    graph = check(minimal)
    assert exports.as_of(graph, "1691366400") == dt.datetime(2023, 8, 7, tzinfo=dt.UTC)
    assert exports.as_of(graph, None) == dt.datetime(2023, 8, 10, tzinfo=dt.UTC)  # the last day the data dates
    first, second = (dict(exports.files(graph, "Test", exports.as_of(graph, None))) for _ in range(2))
    assert first == second and "2023-08-10T00:00:00.000Z" in first["downloads/incident.stix.json"]


def test_prose_becomes_plain_text_for_the_downloads() -> None:
    from microsite.text import plain_prose

    names = {"kim-jong-un": "Kim Jong Un"}.__getitem__
    assert plain_prose("*Hypersonic* [[kim-jong-un]] met [[kim-jong-un|the leader]] <b>", names) == \
        "Hypersonic Kim Jong Un met the leader <b>"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_cell_that_would_start_a_formula_starts_with_an_apostrophe(text: str) -> None:
    assert exports.cell(text) == "'" + text
    assert exports.cell("a " + text) == "a " + text


@pytest.mark.parametrize(("text", "shown"), [
    ("a;=cmd|' /C calc'!A0", "a;'=cmd|' /C calc'!A0"),
    ("Windows; -Linux", "Windows; '-Linux"),
    ('x; "@SUM(A1)";+1', 'x; "\'@SUM(A1)";\'+1'),
    ("=1;=2", "'=1;'=2"),
    ("a; b - c; d@e", "a; b - c; d@e"),
])
def test_a_part_after_a_semicolon_that_would_start_a_formula_gets_an_apostrophe(text: str, shown: str) -> None:
    assert (exports.cell(text), starts_a_formula(exports.cell(text))) == (shown, False)
    assert starts_a_formula(text) == (text != shown)
