"""Hostile and careless input: every case ends in the exact message an editor sees, or in harmless success.

The corpus is `tests/hostile/<rule>.yml`, one file per rule: the rule in words, then cases, each a change to the
small valid project in tests/fixtures/minimal and the whole output `make check` prints for it. The checks run
in-process on the real core; `test_data_errors.py` runs the command line itself.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import MINIMAL, ROOT, check_report

CORPUS = ROOT / "tests" / "hostile"


@dataclass(frozen=True)
class Case:
    """One attack: what it writes, replaces or links in a copy of the minimal project, and what check prints."""

    rule: str
    name: str
    steps: dict[str, Any]
    expect: str


def corpus() -> list[Case]:
    cases = []
    for path in sorted(CORPUS.glob("*.yml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        cases += [Case(path.stem, c.pop("name"), c, c.pop("expect").rstrip("\n")) for c in spec["cases"]]
    return cases


CASES = corpus()


def apply(project: Path, steps: dict[str, Any]) -> None:
    """Carry out a case's steps: `write` files (text, or bytes in `encoding`), `replace` text, `symlink` paths."""
    encoding = steps.get("encoding", "utf-8")
    for rel, content in steps.get("write", {}).items():
        target = project / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode(encoding))
    for rel, (old, new) in steps.get("replace", {}).items():
        target = project / rel
        text = target.read_text(encoding="utf-8")
        assert old in text, f"{rel} has no {old!r}"
        target.write_text(text.replace(old, new, 1), encoding="utf-8")
    for rel, to in steps.get("symlink", {}).items():
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(to.replace("{project}", str(project)), project / rel)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}: {c.name}" for c in CASES])
def test_each_hostile_input_ends_in_its_exact_message_or_harmless_success(tmp_path: Path, case: Case) -> None:
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project)
    apply(project, case.steps)
    assert check_report(project) == case.expect


GUIDE = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
GUIDE_EXAMPLES = re.findall(r"<!-- hostile: (.+?): (.+?) -->\n```text\n(.*?)\n```", GUIDE, re.S)


def test_the_guide_shows_one_real_message_for_every_rule_of_the_corpus() -> None:
    assert sorted(rule for rule, _, _ in GUIDE_EXAMPLES) == sorted({case.rule for case in CASES})
    for rule, name, shown in GUIDE_EXAMPLES:
        case = next(c for c in CASES if (c.rule, c.name) == (rule, name))
        assert shown == case.expect, f"docs/contributing.md, {rule}: {name}"
        spec = yaml.safe_load((CORPUS / f"{rule}.yml").read_text(encoding="utf-8"))
        assert f"**{' '.join(spec['rule'].split())}**" in GUIDE
