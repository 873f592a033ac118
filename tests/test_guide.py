"""The editing guide's examples work as printed: every YAML example passes the real check as a data file (a whole
entity as its own file, a fragment inside a small entity of its own), and the "add a kind" declaration builds."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from microsite import check
from microsite.errors import DataErrors
from tests.conftest import ROOT, copy_project

GUIDE = ROOT / "docs" / "contributing.md"
FENCE = re.compile(r"^( *)```(yaml|python)\n(.*?)^\1```", re.M | re.S)
HOLDER = "id: guide-example\nname: Guide example\ntype: hacking-group\nsummary: An actor that holds an example.\n"


def examples(language: str) -> list[str]:
    found = [textwrap.dedent(body) for _, lang, body in FENCE.findall(GUIDE.read_text(encoding="utf-8"))
             if lang == language]
    assert found, f"no {language} example in the guide"
    return found


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the real data, into which each example is written in turn."""
    return copy_project(tmp_path_factory.mktemp("guide") / "project", ("data", "seeds"))


@pytest.mark.parametrize("example", examples("yaml"), ids=lambda text: text.split("\n", 2)[1 if text[0] == "#" else 0])
def test_every_yaml_example_of_the_guide_passes_the_check(project: Path, example: str) -> None:
    data = yaml.safe_load(example)
    if "id" in data:  # a whole entity: its own file, in the folder its schema modeline names
        kind = re.search(r"schemas/(\w+)\.json", example).group(1)
        folder = next(p for p in (project / "data").iterdir() if p.name.rstrip("s") == kind or p.name == f"{kind}s")
        target = folder / f"{data['id']}.yml"
        text = example
    else:  # a fragment: inside an entity of its own
        target, text = project / "data" / "actors" / "guide-example.yml", HOLDER + example
    saved = target.read_bytes() if target.exists() else None
    target.write_text(text, encoding="utf-8")
    try:
        check(project)
    except DataErrors as errors:
        pytest.fail(f"the guide's example fails the check:\n{errors}")
    finally:
        if saved is None:
            target.unlink()
        else:
            target.write_bytes(saved)


def test_the_guides_add_a_kind_declaration_builds_a_kind_with_its_record_and_stix_mapping() -> None:
    import microsite.model as model

    (declaration,) = examples("python")
    kind = eval(declaration.strip().rstrip(","), vars(model))  # noqa: S307 -- our own guide's example, as printed
    assert isinstance(kind, model.Kind) and kind.record.fields
    assert kind.stix.default.type and not kind.stix.default.type.startswith("x-")


def test_the_project_copy_is_restored_after_each_example(project: Path) -> None:
    assert not (project / "data" / "actors" / "guide-example.yml").exists()
    assert sorted(p.name for p in (project / "data").iterdir()) == sorted(p.name for p in (ROOT / "data").iterdir())
    shutil.rmtree(project / "site", ignore_errors=True)
