"""Every editor mistake gets one clear message: file, line, what is wrong, how to fix it.

Each case breaks a small valid project (tests/fixtures/minimal) in one way and runs the real
check command on it; a few run the real MkDocs build as well.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import MINIMAL, ROOT, build, check_report, minimal_project


@dataclass(frozen=True)
class Case:
    """One broken input: what to write where, and the message expected at which line."""

    name: str
    path: str
    content: str | bytes
    line: int
    message: str


def load_cases(path: Path = ROOT / "tests" / "mistakes.yml") -> list[Case]:
    """The corpus of editor mistakes: a `replace` in a file of the minimal project, or a file's whole `content`."""
    cases = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8")):
        if "replace" in item:
            old, new = item["replace"]
            original = (MINIMAL / item["path"]).read_text(encoding="utf-8")
            assert old in original, f"{item['name']}: {old!r} is not in {item['path']}"
            content: str | bytes = original.replace(old, new, 1)
        else:
            content = item["content"] + "# padding\n" * item.get("padding_lines", 0)
        if "encoding" in item:
            content = content.encode(item["encoding"])
        cases.append(Case(item["name"], item["path"], content, item["line"], item["message"]))
    return cases


CASES = load_cases()


def make_project(tmp_path: Path) -> Path:
    return minimal_project(tmp_path / "project")


def write(project: Path, case: Case) -> None:
    target = project / case.path
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(case.content, bytes):
        target.write_bytes(case.content)
    else:
        target.write_text(case.content, encoding="utf-8")


def check(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "hooks" / "check.py"), str(project)], capture_output=True, text=True)


def test_the_minimal_fixture_is_valid(tmp_path: Path) -> None:
    result = check(make_project(tmp_path))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_mistake_is_reported_with_file_line_message_and_fix(tmp_path: Path, case: Case) -> None:
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project)
    write(project, case)
    report = check_report(project)
    match = re.search(rf"^{re.escape(case.path)}:(\d+):\d+: (.*)$", report, re.MULTILINE)
    assert match, report
    assert (int(match.group(1)), case.message in match.group(2)) == (case.line, True), report
    assert "\n    fix: " in report


def test_the_check_command_prints_every_problem_and_exits_1_without_a_traceback(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    write(project, next(c for c in CASES if c.name == "misspelt field"))
    result = check(project)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == check_report(project) + "\n"
    assert "Traceback" not in result.stderr


BUILD_CASES = [c for c in CASES if c.name in ("duplicate key", "quote not in archive", "python tag", "unknown id")]


@pytest.mark.parametrize("case", BUILD_CASES, ids=[c.name for c in BUILD_CASES])
def test_the_build_stops_with_the_same_message_and_writes_no_site(tmp_path: Path, case: Case) -> None:
    project = make_project(tmp_path)
    write(project, case)
    result = build(project)
    assert result.returncode == 1
    assert "Traceback" not in result.output
    assert re.search(rf"{re.escape(case.path)}:{case.line}:\d+: ", result.output), result.output
    assert case.message in result.output
    assert not (project / "site" / "index.html").exists()


def test_all_problems_of_a_run_are_reported_together_sorted_by_file(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    write(project, next(c for c in CASES if c.name == "misspelt field"))  # in actors/
    write(project, Case("", "data/software/opencarrot.yml", "id: opencarrot\nname: O\ncategory: gun\nsummary: S\n", 3, ""))
    result = check(project)
    places = re.findall(r"^(data/\S+?):(\d+):", result.stderr, re.MULTILINE)
    assert places == [("data/actors/lazarus-group.yml", "4"), ("data/software/opencarrot.yml", "3")]
    assert result.stderr.rstrip().endswith("2 problems found; nothing was built.")


def test_an_unknown_id_suggests_the_closest_existing_id(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    write(project, next(c for c in CASES if c.name == "unknown id"))
    assert "did you mean 'opencarrot'?" in check(project).stderr
