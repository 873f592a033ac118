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

from tests.conftest import ROOT, SITE_PARTS, build, copy_project

MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
LAZARUS = (MINIMAL / "data/actors/lazarus-group.yml").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Case:
    """One broken input: what to write where, and the message expected at which line."""

    name: str
    path: str
    content: str | bytes
    line: int
    message: str


def edit(old: str, new: str) -> str:
    assert old in LAZARUS, old
    return LAZARUS.replace(old, new, 1)


CASES = [
    Case("yaml syntax error", "data/actors/lazarus-group.yml", edit("hacking group.", "hacking: group."), 4,
         "YAML syntax error: mapping values are not allowed"),
    Case("tab indentation", "data/actors/lazarus-group.yml", edit("  - statement:", "\t- statement:"), 6,
         "a tab is used for indentation"),
    Case("duplicate key", "data/actors/lazarus-group.yml", edit("type: group", "type: group\ntype: person"), 4,
         "duplicate key 'type'"),
    Case("wrong type", "data/actors/lazarus-group.yml", edit("name: Lazarus Group", "name: [Lazarus, Group]"), 2,
         "expected text, found a list"),
    Case("misspelt field", "data/actors/lazarus-group.yml", edit("summary:", "sumary:"), 4,
         "unknown key 'sumary' in actor"),
    Case("missing required field", "data/actors/lazarus-group.yml", edit("summary: A North Korean hacking group.\n", ""), 1,
         "missing required key 'summary'"),
    Case("id not a slug", "data/actors/lazarus-group.yml", edit("id: lazarus-group", "id: Lazarus Group"), 1,
         "'Lazarus Group' is not a valid id"),
    Case("id is a path", "data/actors/lazarus-group.yml", edit("id: lazarus-group", "id: ../../x"), 1,
         "'../../x' is not a valid id"),
    Case("id differs from file name", "data/actors/lazarus-group.yml", edit("id: lazarus-group", "id: lazarus"), 1,
         "id 'lazarus' does not match the file name"),
    Case("duplicate id", "data/organizations/lazarus-group.yml",
         "id: lazarus-group\nname: Copy\ntype: company\nsummary: A copy.\n", 1, "id 'lazarus-group' is already used"),
    Case("unknown id", "data/actors/lazarus-group.yml", edit("target: opencarrot", "target: opencarot"), 13,
         "unknown id 'opencarot'"),
    Case("id of the wrong kind", "data/actors/lazarus-group.yml", edit("source: sample-article\n        quote: The Lazarus "
         "Group may have used a backdoor called OpenCarrot.\nrelations", "source: npo-mash\n        quote: The Lazarus Group "
         "may have used a backdoor called OpenCarrot.\nrelations"), 9, "'npo-mash' is a organization, but a source"),
    Case("relation between wrong kinds", "data/actors/lazarus-group.yml", edit("target: npo-mash", "target: opencarrot"), 19,
         "a 'targeted' relation goes from actor or organization to organization"),
    Case("impossible date", "data/events/intrusion.yml", "id: intrusion\nname: I\nsummary: S\ndate: 2023-02-30\n"
         "involves: [npo-mash]\ncitations:\n  - source: sample-article\n    quote: rare glimpse\n", 4, "is not a real day"),
    Case("malformed date", "data/events/intrusion.yml", "id: intrusion\nname: I\nsummary: S\ndate: 10.08.2023\n"
         "involves: [npo-mash]\ncitations:\n  - source: sample-article\n    quote: rare glimpse\n", 4, "expected a date"),
    Case("month out of range", "data/events/intrusion.yml", "id: intrusion\nname: I\nsummary: S\ndate: 2022-13\n"
         "involves: [npo-mash]\ncitations:\n  - source: sample-article\n    quote: rare glimpse\n", 4, "has no month 13"),
    Case("unknown precision qualifier", "data/events/intrusion.yml", "id: intrusion\nname: I\nsummary: S\ndate:\n  start: 2021\n"
         "  qualifier: lates\ninvolves: [npo-mash]\ncitations:\n  - source: sample-article\n    quote: rare glimpse\n", 6,
         "'lates' is not allowed here"),
    Case("end before start", "data/events/intrusion.yml", "id: intrusion\nname: I\nsummary: S\ndate:\n  start: 2022\n"
         "  end: 2021\ninvolves: [npo-mash]\ncitations:\n  - source: sample-article\n    quote: rare glimpse\n", 5,
         "the period's 'end' is before"),
    Case("quote not in archive", "data/actors/lazarus-group.yml", edit("quote: The Lazarus Group may have used a backdoor "
         "called OpenCarrot.\nrelations", "quote: The Lazarus Group surely used a backdoor called OpenCarrot.\nrelations"), 10,
         "the quote is not in the archived text of 'sample-article'"),
    Case("empty file", "data/software/opencarrot.yml", "# just a comment\n", 1, "the file is empty"),
    Case("not UTF-8", "data/software/opencarrot.yml", "id: opencarrot\nname: Caf\xe9\n".encode("latin-1"), 2,
         "the file is not UTF-8 text"),
    Case("python tag", "data/software/opencarrot.yml", "id: opencarrot\nname: !!python/object/apply:os.system [ls]\n", 2,
         "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
    Case("alias bomb", "data/software/opencarrot.yml", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a]\n"
         "c: [*b, *b, *b, *b, *b, *b]\n", 1, "YAML anchors and aliases"),
    Case("absurdly large file", "data/software/opencarrot.yml", "id: opencarrot\n" + "# padding\n" * 60_000, 1,
         "file is larger than"),
    Case("unknown status", "data/actors/lazarus-group.yml", edit("status: alleged", "status: certain"), 7,
         "'certain' is not allowed here"),
    Case("unknown relation type", "data/actors/lazarus-group.yml", edit("type: used", "type: hacked"), 12,
         "'hacked' is not allowed here"),
    Case("disputed fact without sides", "data/actors/lazarus-group.yml", edit("status: alleged", "status: disputed"), 6,
         "a disputed fact needs at least two 'positions'"),
    Case("fact without citation", "data/software/opencarrot.yml", "id: opencarrot\nname: O\ncategory: malware\nsummary: S\n"
         "facts:\n  - statement: It exists.\n    status: reported\n", 6, "a fact needs at least one citation"),
    Case("unknown data folder", "data/people/kim.yml", "id: kim\n", 1, "'people' is not a data folder"),
    Case("wrong file suffix", "data/software/other.yaml", "id: other\n", 1, "data files must end in .yml"),
    Case("source without url or archive", "data/sources/sample-article.yml", "id: sample-article\nname: S\nsummary: S\n"
         "title: T\npublisher: P\ndate: 2023\nlanguage: en\n", 1, "a source needs a 'url' or an 'archive' file"),
    Case("unknown entity link in prose", "data/software/opencarrot.yml", "id: opencarrot\nname: O\ncategory: malware\n"
         "summary: Used by [[lazarus-grup]].\n", 4, "unknown id 'lazarus-grup'"),
    Case("two documents in one file", "data/software/opencarrot.yml", "id: opencarrot\n---\nid: other\n", 3,
         "a data file holds exactly one entity"),
    Case("missing archive file", "data/sources/sample-article.yml", "id: sample-article\nname: S\nsummary: S\ntitle: T\n"
         "publisher: P\ndate: 2023\nlanguage: en\narchive: seeds/missing.txt\n", 8, "archive file 'seeds/missing.txt' does not"),
    Case("not a web address", "data/sources/extra.yml", "id: extra\nname: S\nsummary: S\ntitle: T\npublisher: P\ndate: 2023\n"
         "language: en\nurl: javascript:alert(1)\n", 8, "is not a valid web address"),
    Case("flag that is not true or false", "data/events/intrusion.yml", "id: intrusion\nname: I\nsummary: S\ndate: 2021\n"
         "key: maybe\ninvolves: [npo-mash]\ncitations:\n  - source: sample-article\n    quote: rare glimpse\n", 5,
         "expected true or false"),
]


def make_project(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(MINIMAL, project)
    return copy_project(project, SITE_PARTS)


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


def test_the_corpus_covers_at_least_25_mistakes() -> None:
    assert len({case.name for case in CASES}) >= 25


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_mistake_is_reported_with_file_line_message_and_fix(tmp_path: Path, case: Case) -> None:
    project = make_project(tmp_path)
    write(project, case)
    result = check(project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    match = re.search(rf"^{re.escape(case.path)}:(\d+):\d+: (.*)$", result.stderr, re.MULTILINE)
    assert match, result.stderr
    assert (int(match.group(1)), case.message in match.group(2)) == (case.line, True), result.stderr
    assert "\n    fix: " in result.stderr


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
    write(project, CASES[4])  # misspelt field in actors/
    write(project, Case("", "data/software/opencarrot.yml", "id: opencarrot\nname: O\ncategory: gun\nsummary: S\n", 3, ""))
    result = check(project)
    places = re.findall(r"^(data/\S+?):(\d+):", result.stderr, re.MULTILINE)
    assert places == [("data/actors/lazarus-group.yml", "4"), ("data/software/opencarrot.yml", "3")]
    assert result.stderr.rstrip().endswith("2 problems found; nothing was built.")


def test_an_unknown_id_suggests_the_closest_existing_id(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    write(project, CASES[10])
    assert "did you mean 'opencarrot'?" in check(project).stderr
