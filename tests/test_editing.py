"""What editors rely on: modelines, schemas in sync with the declarations, a guide whose messages are real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from check import schema_files
from microsite.model import KINDS
from tests import rawdata
from tests.conftest import BY_HAND, REPO_URL, ROOT, Build, check_report
from tests.html import Html
from tests.test_data_errors import CASES, make_project, write

GUIDE = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"<!-- example: (.+?) -->\n```text\n(.*?)```", GUIDE, re.S)
SINGULAR = {kind.plural: kind.name for kind in KINDS.values()}


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
    assert check_report(project) + "\n" == shown


def test_with_a_repository_url_each_entity_page_links_to_its_yaml_file_for_editing(edited_site: Build) -> None:
    for folder, data in rawdata.entities(edited_site.project):
        page = Html.parse(edited_site.site / folder / data["id"] / "index.html")
        written = f"docs/{folder}/{data['id']}.md" if (folder, data["id"]) == BY_HAND else f"data/{folder}/{data['id']}.yml"
        assert f"{REPO_URL}/edit/main/{written}" in page.links, f"{folder}/{data['id']}: no edit link to {written}"


def test_without_a_repository_url_the_build_has_no_edit_links(real_site) -> None:
    page = Html.parse(real_site.site / "actors" / "kim-jong-un" / "index.html")
    assert not any("/edit/" in link for link in page.links)


def test_the_browser_tests_visit_the_index_of_every_kind_and_every_kind_has_a_diagram_colour() -> None:
    from tests.browser.conftest import PAGE_TYPES

    assert {kind.plural for kind in KINDS.values()} <= {path.split("/")[0] for path in PAGE_TYPES.values()}
    assert all(kind.colour for kind in KINDS.values())  # written into the generated kinds.css (test_generated_docs)


def test_the_guide_names_every_kind_folder_and_no_other() -> None:
    listed = re.search(r"where the kind is one of (.*?)\.", GUIDE, re.S).group(1)
    assert re.findall(r"`([a-z]+)`", listed) == [kind.plural for kind in KINDS.values()]
