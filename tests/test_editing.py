"""What editors rely on: modelines, schemas in sync with the declarations, a guide whose messages are real."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from tests import rawdata
from tests.conftest import ROOT
from tests.test_data_errors import CASES, check, make_project, write

sys.path.insert(0, str(ROOT / "hooks"))
from check import schema_files  # noqa: E402

GUIDE = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"<!-- example: (.+?) -->\n```text\n(.*?)```", GUIDE, re.S)
SINGULAR = {"actors": "actor", "organizations": "organization", "weapons": "weapon", "assessments": "assessment",
            "events": "event", "sources": "source"}


def test_every_data_file_starts_with_the_modeline_of_its_kind() -> None:
    for path in sorted((ROOT / "data").glob("*/*.yml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# yaml-language-server: $schema=../../schemas/{SINGULAR[path.parent.name]}.json", path


def test_the_committed_editor_schemas_are_the_ones_the_declarations_generate() -> None:
    committed = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "schemas").glob("*.json")}
    assert committed == schema_files(), "run: .venv/bin/python hooks/check.py --write-schemas"


def test_every_kind_folder_has_a_schema_and_data() -> None:
    assert {f"{kind}.json" for kind in SINGULAR.values()} == set(schema_files())
    assert {folder for folder, _ in rawdata.entities()} == set(SINGULAR)


def test_the_guide_shows_at_least_five_real_messages() -> None:
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize(("name", "shown"), EXAMPLES, ids=[name for name, _ in EXAMPLES])
def test_each_message_in_the_guide_is_what_a_real_run_prints(tmp_path: Path, name: str, shown: str) -> None:
    case = next(c for c in CASES if c.name == name)
    project = make_project(tmp_path)
    write(project, case)
    assert check(project).stderr == shown
