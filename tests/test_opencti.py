"""OpenCTI takes every STIX download whole: its own bundle splitter, the step each OpenCTI import of a bundle goes
through, finds no item it cannot place in the incident bundle or in any entity's bundle, and ends.

The splitter is pycti's own code, run as it is. pycti is installed without its dependencies
(requirements-nodeps.txt): its package `__init__` starts the API client and needs them, so the test imports the
splitter's module under a bare `pycti` package, which runs no code of the client and leaves the splitter whole."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import json
import sys
import types
from typing import Any

import pytest

from microsite import check, exports
from tests.conftest import ROOT

MOMENT = dt.datetime(2023, 8, 19, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def splitter_class() -> Any:
    spec = importlib.util.find_spec("pycti")
    assert spec is not None and spec.submodule_search_locations, "pycti is not installed: make .venv/.installed"
    package = types.ModuleType("pycti")
    package.__path__ = list(spec.submodule_search_locations)
    saved = {name: module for name, module in sys.modules.items() if name == "pycti" or name.startswith("pycti.")}
    sys.modules["pycti"] = package
    try:
        yield importlib.import_module("pycti.utils.opencti_stix2_splitter").OpenCTIStix2Splitter
    finally:
        for name in [name for name in sys.modules if name == "pycti" or name.startswith("pycti.")]:
            del sys.modules[name]
        sys.modules.update(saved)


@pytest.fixture(scope="module")
def stix_files() -> dict[str, str]:
    return {path: text for path, text in exports.files(check(ROOT), "test", MOMENT) if path.endswith(".stix.json")}


def test_opencti_splits_every_bundle_with_no_incompatible_item(splitter_class: Any, stix_files: dict[str, str]) -> None:
    assert exports.BUNDLE in stix_files and len(stix_files) > 150
    for path, text in stix_files.items():
        expected, incompatible, bundles = splitter_class().split_bundle_with_expectations(text, use_json=True)
        assert incompatible == [], f"{path}: {[item['id'] for item in incompatible][:5]}"
        assert expected == len(json.loads(text)["objects"]) == len(bundles), path


def test_the_splitter_would_flag_an_object_it_cannot_place(splitter_class: Any) -> None:
    """The counter-test: a relationship without a target is an incompatible item to the splitter."""
    broken = {"type": "bundle", "id": "bundle--6f1d6a2e-0c55-4c39-9d55-5b0e7c1b4a11", "objects": [
        {"type": "relationship", "spec_version": "2.1", "id": "relationship--6f1d6a2e-0c55-4c39-9d55-5b0e7c1b4a12",
         "relationship_type": "uses", "source_ref": None, "target_ref": None,
         "created": "2023-08-19T00:00:00.000Z", "modified": "2023-08-19T00:00:00.000Z"}]}
    _, incompatible, _ = splitter_class().split_bundle_with_expectations(json.dumps(broken), use_json=True)
    assert [item["id"] for item in incompatible] == [broken["objects"][0]["id"]]
