"""What is generated from the kind declarations: the lists of kinds in README.md and the editing guide (`make docs`)
and the stylesheet of the kinds' diagram colours (written by every build). A new kind is its declaration: these
follow without an edit, and a stale list fails with the command that fixes it."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest

import docgen
import microsite.model as model
from microsite.model import KINDS, Colour
from microsite.styles import STYLESHEET, kind_styles
from tests.conftest import ROOT, Build, build, minimal_project

GUIDE = ROOT / "docs" / "contributing.md"
README = ROOT / "README.md"
STYLESHEETS = re.compile(r'<link rel="stylesheet" href="(?:\.\./|/)*(assets/[^"]+)">')


def guide_kind() -> model.Kind:
    """The kind the guide's "add a kind" example declares, as printed."""
    declaration = re.search(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S).group(1)
    return eval(declaration.strip().rstrip(","), vars(model))  # noqa: S307 -- our own guide's example


@pytest.fixture
def with_guide_kind(monkeypatch: pytest.MonkeyPatch) -> model.Kind:
    """The declarations with the guide's example kind added, as an editor following the guide would have them."""
    kind = guide_kind()
    monkeypatch.setattr(model, "KINDS", {**KINDS, kind.name: kind})
    monkeypatch.setattr(docgen, "KINDS", model.KINDS)
    return kind


def test_the_lists_of_kinds_in_the_readme_and_the_guide_are_those_declared() -> None:
    stale = docgen.stale()
    assert not stale, f"{', '.join(stale)}: the lists of kinds differ from hooks/microsite/model.py; run `make docs`"


def test_the_readme_lists_every_kind_folder_in_declaration_order_with_its_stix_object() -> None:
    table = re.search(r"<!-- kinds-table -->(.*?)<!-- /kinds-table -->", README.read_text(encoding="utf-8"), re.S)
    assert re.findall(r"^\| `data/([a-z-]+)/` \|", table.group(1), re.M) == [k.plural for k in KINDS.values()]
    assert "| `data/actors/` | A person or a group (such as a hacking team). | `identity`; `intrusion-set` where " \
           "`type` is `hacking-group` |" in table.group(1)


def test_a_stale_list_is_named_with_the_command_that_fixes_it_and_rewriting_fixes_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in docgen.FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    guide = tmp_path / "docs" / "contributing.md"
    guide.write_text(guide.read_text(encoding="utf-8").replace(", `weapons`", "", 1), encoding="utf-8")
    monkeypatch.setattr(docgen, "ROOT", tmp_path)

    assert docgen.main(["--check"]) == 1
    assert capsys.readouterr().out == "docs/contributing.md: generated passages are stale; run `make docs`\n"
    assert docgen.main([]) == 0 and docgen.stale(tmp_path) == []
    assert guide.read_bytes() == GUIDE.read_bytes()


def test_a_new_kind_joins_both_lists_without_editing_them(with_guide_kind: model.Kind) -> None:
    guide, readme = (docgen.regenerate(path.read_text(encoding="utf-8")) for path in (GUIDE, README))
    assert re.search(r"where the kind is one of\s+<!-- kinds -->[^.]*, `sources`, `campaigns`<!-- /kinds -->", guide)
    assert "| `data/campaigns/` | A set of intrusions that sources group together. | `campaign` |" in readme


def test_a_marker_without_a_generator_is_an_error_not_text_left_as_it_was() -> None:
    with pytest.raises(docgen.UnknownRegion, match="kinds-tabel"):
        docgen.regenerate("before <!-- kinds-tabel -->old<!-- /kinds-tabel --> after")


def test_text_of_a_declaration_cannot_break_out_of_its_table_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    piped = dataclasses.replace(KINDS["event"], help="A | B")
    monkeypatch.setattr(docgen, "KINDS", {"event": piped})
    assert "| `data/events/` | A &#124; B | `note` |" in docgen.kinds_table()


def test_each_kind_with_a_colour_has_its_diagram_fill_and_a_dark_rule_only_where_it_differs() -> None:
    actor, event = KINDS["actor"], KINDS["event"]
    dark = dataclasses.replace(event, colour=Colour("#e8f5e9", "#1b5e20"))
    css = kind_styles([actor, dark])
    assert f".relations-diagram .node--actor rect {{ fill: {actor.colour.light}; }}" in css
    assert '[data-md-color-scheme="slate"] .relations-diagram .node--event rect { fill: #1b5e20; }' in css
    assert "slate" not in kind_styles([actor, dataclasses.replace(event, colour=Colour("#e8f5e9", "#e8f5e9"))])
    assert "node--event" not in kind_styles([dataclasses.replace(event, colour=None)])
    assert all(f".node--{name} rect" in kind_styles() for name, kind in KINDS.items() if kind.colour)


def test_a_new_kind_has_its_diagram_colour_without_editing_any_stylesheet(with_guide_kind: model.Kind) -> None:
    assert f".relations-diagram .node--campaign rect {{ fill: {with_guide_kind.colour.light}; }}" in kind_styles(
        model.KINDS.values())


@pytest.mark.parametrize("value", ["red", "#E3F2FD", "#fff", "#e3f2fd; } body { display: none", "url(x)"])
def test_a_colour_that_is_not_six_lowercase_hex_digits_fails_when_declared(value: str) -> None:
    with pytest.raises(ValueError, match="#rrggbb"):
        Colour(value)
    with pytest.raises(ValueError, match="#rrggbb"):
        Colour("#e3f2fd", value)


@pytest.fixture(scope="module")
def minimal_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    result = build(minimal_project(tmp_path_factory.mktemp("styles") / "project"))
    assert result.returncode == 0, result.output
    return result


def test_every_page_loads_the_kinds_stylesheet_after_site_css_as_a_file_of_the_site(minimal_site: Build) -> None:
    assert (minimal_site.site / STYLESHEET).read_text(encoding="utf-8") == kind_styles()
    pages = sorted(minimal_site.site.rglob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        if "http-equiv=\"refresh\"" in html:  # a redirect stub of a former id has no stylesheets
            continue
        sheets = STYLESHEETS.findall(html)
        assert sheets[-2:] == ["assets/site.css", STYLESHEET], f"{page}: {sheets}"
        assert "style-src 'self';" in html and "<style" not in html and " style=" not in html, page
