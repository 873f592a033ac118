"""A relation type renamed with `formerly` keeps the STIX ids its relationships were published with."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from microsite import check, model
from microsite.stix import Bundler
from tests.conftest import ROOT

MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
MOMENT = dt.datetime(2023, 8, 19, tzinfo=dt.UTC)


def relationship_ids(graph) -> dict[str, str]:
    """Each relationship's id by its description (the sentence, which names subject, type and target)."""
    bundle = Bundler(graph, "Producer", MOMENT).bundle()
    return {o["description"]: o["id"] for o in bundle["objects"] if o["type"] == "relationship" and "description" in o}


def rename_targeted(graph, monkeypatch: pytest.MonkeyPatch, declared: model.RelationType) -> None:
    """'targeted' becomes 'went-after', declared as given, in the model and in every loaded relation."""
    monkeypatch.setitem(model.RELATION_TYPES, "went-after", declared)
    for entity in graph.entities.values():
        for relation in entity.relations:
            if relation.type == "targeted":
                relation.type = "went-after"


def test_a_relation_type_renamed_with_formerly_keeps_its_stix_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = check(MINIMAL)
    before = relationship_ids(graph)
    rename_targeted(graph, monkeypatch, dataclasses.replace(model.RELATION_TYPES["targeted"], formerly=("targeted",)))
    after = relationship_ids(graph)
    assert any("targeted" in sentence for sentence in before)
    assert after == before


def test_a_relation_type_renamed_without_formerly_gets_new_stix_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    """The counter-test: without `formerly` the ids change, so the test above proves what `formerly` does."""
    graph = check(MINIMAL)
    before = relationship_ids(graph)
    rename_targeted(graph, monkeypatch, model.RELATION_TYPES["targeted"])
    assert relationship_ids(graph) != before
