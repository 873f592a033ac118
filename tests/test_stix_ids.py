"""No STIX object of a bundle is lost to an id clash: every relationship the data declares, and the two that each
indicator of an entity makes, are in the incident bundle, whatever the entities are called."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from microsite import check
from microsite.graph import Graph
from microsite.model import COUNTRY_CODES
from microsite.stix import Bundler
from tests.conftest import ROOT, minimal_project

MOMENT = dt.datetime(2023, 8, 19, tzinfo=dt.UTC)
HOLDER = """id: {id}
name: A group named {id}
type: hacking-group
summary: A group whose id is a word the bundle uses for itself.
indicators:
  - type: ip
    values:
      - 192.0.2[.]1
      - 198.51.100[.]2
    citation:
      source: sample-article
      quote: The Lazarus Group may have used a backdoor called OpenCarrot.
relations:
  - type: used
    target: opencarrot
    status: alleged
    citations:
      - source: sample-article
        quote: The Lazarus Group may have used a backdoor called OpenCarrot.
"""


def expected_relationships(graph: Graph) -> int:
    """What the data declares: each relation once, per entity and indicator value a `related-to` (its observable)
    and, but for a report that holds indicators it ties to no group, an `indicates`, and per country with a code a
    relationship to its `location`, and per ATT&CK technique a group or software used, a `uses`."""
    relations = sum(len(entity.relations) for entity in graph.entities.values())
    per_value = {entity.id: 1 if entity.kind.name == "source" else 2 for entity in graph.entities.values()}  # a report
    indicators = sum(per_value[entity.id] * len({(i.type, v) for i in entity.attrs.get("indicators") or ()  # holds its
                                                 for v in i.values}) for entity in graph.entities.values())  # own
    countries = sum(entity.attrs.get("country") in COUNTRY_CODES for entity in graph.entities.values())
    techniques = sum(len(entity.attrs.get("techniques") or ()) for entity in graph.entities.values())  # `uses` each
    return relations + indicators + countries + techniques


def relationships(graph: Graph) -> list[dict]:
    bundle = Bundler(graph, "test", MOMENT).bundle()
    return [o for o in bundle["objects"] if o["type"] == "relationship"]


def test_every_relationship_of_the_real_data_is_in_the_bundle() -> None:
    graph = check(ROOT)
    assert len(relationships(graph)) == expected_relationships(graph) > 30


@pytest.mark.parametrize("entity_id", ["observable", "indicates", "related-to", "entity", "producer", "objects"])
def test_an_entity_named_like_a_word_of_the_bundle_loses_no_relationship(tmp_path: Path, entity_id: str) -> None:
    project = minimal_project(tmp_path / "project")
    (project / "data" / "actors" / f"{entity_id}.yml").write_text(HOLDER.format(id=entity_id), encoding="utf-8")
    graph = check(project)
    found = relationships(graph)
    assert len(found) == expected_relationships(graph)
    assert len({o["id"] for o in found}) == len(found)
    assert sum(o["relationship_type"] == "indicates" for o in found) == 2


def former_ids_output(tmp_path: Path, count: int) -> int:
    """Bytes of every download of a minimal project whose software has `count` former ids."""
    from microsite import exports

    project = minimal_project(tmp_path / f"project-{count}")
    data = project / "data" / "software" / "opencarrot.yml"
    data.write_text(data.read_text(encoding="utf-8") + "former_ids:\n" +
                    "".join(f"  - old-name-{n}\n" for n in range(count)), encoding="utf-8")
    return sum(len(text if isinstance(text, bytes) else text.encode())
               for _, text in exports.files(check(project), "test", MOMENT))


def test_downloads_at_former_ids_grow_with_the_number_of_ids_not_with_its_square(tmp_path: Path) -> None:
    """At a former id, the downloads are a small note of where the entity is now, not a copy listing every id."""
    small, large = former_ids_output(tmp_path, 400), former_ids_output(tmp_path, 800)
    base = former_ids_output(tmp_path, 0)
    assert (large - base) / (small - base) < 2.2


def test_the_downloads_at_a_former_id_say_where_the_entity_is_now() -> None:
    import json

    from microsite import exports

    files = dict(exports.files(check(ROOT), "test", MOMENT))
    moved = json.loads(files["downloads/weapons/opencarrot.json"])
    assert moved["moved_to"] == "../software/opencarrot.json" and moved["entities"] == []
    alone = json.loads(files["downloads/weapons/opencarrot.stix.json"])
    now = json.loads(files["downloads/software/opencarrot.stix.json"])
    malware = [o for o in now["objects"] if o["type"] == "malware"]
    assert [o for o in alone["objects"] if o["type"] == "malware"] == malware[:1]
    assert {o["type"] for o in alone["objects"]} <= {"identity", "marking-definition", "malware"}
