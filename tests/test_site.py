"""The real data, built by the real MkDocs into real HTML, read back and checked."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests import rawdata
from tests.conftest import Build, build
from tests.html import Html, resolve


def page_of(site: Build, folder: str, entity_id: str) -> Html:
    return site.page(f"{folder}/{entity_id}.md")


def test_every_entity_has_a_page_titled_with_its_name(real_site: Build) -> None:
    for folder, data in rawdata.entities():
        page = page_of(real_site, folder, data["id"])
        assert data["name"] in page.article_text, f"{folder}/{data['id']}: name missing from its page"


def test_every_entity_is_listed_on_its_kind_index(real_site: Build) -> None:
    for folder, data in rawdata.entities():
        index = real_site.page(f"{folder}/index.md")
        target = real_site.site / folder / data["id"] / "index.html"
        assert index.links_to(real_site.site, target), f"{folder}/index does not list {data['id']}"


def test_every_relation_shows_on_both_ends_with_its_sentence(real_site: Build) -> None:
    ids = rawdata.by_id()
    relations = 0
    for folder, data in rawdata.entities():
        for relation in data.get("relations") or []:
            target_folder, target = ids[relation["target"]]
            subject_file = real_site.site / folder / data["id"] / "index.html"
            target_file = real_site.site / target_folder / target["id"] / "index.html"
            subject_page, target_page = Html.parse(subject_file), Html.parse(target_file)
            assert subject_page.links_to(real_site.site, target_file), f"{data['id']} → {target['id']} missing"
            assert target_page.links_to(real_site.site, subject_file), f"{target['id']} ← {data['id']} missing"
            for page in (subject_page, target_page):
                assert f"{data['name']} " in page.article_text and target["name"] in page.article_text
            relations += 1
    assert relations > 0


def test_every_citation_links_to_an_existing_source_anchor(real_site: Build) -> None:
    checked = 0
    for html_file in real_site.site.rglob("index.html"):
        page = Html.parse(html_file)
        for href in page.links:
            target, fragment = resolve(real_site.site, html_file, href)
            if target is None or "/sources/" not in str(target) or not fragment.startswith("q-"):
                continue
            assert fragment in Html.parse(target).ids, f"{html_file}: {href} has no anchor"
            checked += 1
    assert checked > 0


def test_every_source_page_lists_each_claim_that_cites_it(real_site: Build) -> None:
    for folder, data in rawdata.entities():
        for citation in rawdata.citations(data):
            source_page = page_of(real_site, "sources", citation["source"])
            entity_file = real_site.site / folder / data["id"] / "index.html"
            assert source_page.links_to(real_site.site, entity_file), f"{citation['source']} does not list {data['id']}"


def test_every_archived_quote_is_highlighted_in_the_source_reader(real_site: Build) -> None:
    archived = {i for i, (f, d) in rawdata.by_id().items() if f == "sources" and d.get("archive")}
    for _folder, data in rawdata.entities():
        for citation in rawdata.citations(data):
            if citation["source"] in archived:
                text = Html.parse(real_site.site / "sources" / citation["source"] / "index.html").article_text
                assert " ".join(citation["quote"].split()) in text


def test_every_entity_page_stays_out_of_the_sidebar(real_site: Build) -> None:
    home = (real_site.site / "index.html").read_text(encoding="utf-8")
    nav = home[home.index('class="md-nav md-nav--primary"'):]
    assert "kim-jong-un" not in nav
    assert "actors/" in nav


def test_the_seed_article_is_archived_with_its_header_line() -> None:
    sources = [d for f, d in rawdata.entities() if f == "sources" and d.get("archive")]
    seed = next(d for d in sources if d["archive"].startswith("seeds/"))
    text = (rawdata.ROOT / seed["archive"]).read_text(encoding="utf-8")
    assert text.lstrip().startswith("date 2023-08-10")
    assert seed["machine_translation"] is True and seed["translated_from"] == "de"


def test_a_quote_altered_by_one_word_fails_the_build_with_file_and_line(project: Path) -> None:
    path, line, original = _first_seed_quote(project)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    words = original.split()
    changed = " ".join([*words[:-1], "banana"])
    lines[line - 1] = lines[line - 1].replace(original, changed)
    path.write_text("".join(lines), encoding="utf-8")
    result = build(project)
    assert result.returncode != 0
    relative = path.relative_to(project).as_posix()
    assert re.search(rf"{re.escape(relative)}:{line}:\d+: the quote is not in the archived text", result.output)
    assert "Traceback" not in result.output
    assert not (project / "site" / "index.html").exists()


def _first_seed_quote(project: Path) -> tuple[Path, int, str]:
    """A data file, line and text of a quote that cites the archived seed."""
    for path in sorted((project / "data").glob("*/*.yml")):
        node = yaml.compose(path.read_text(encoding="utf-8"))
        for found in _quote_nodes(node):
            if found.start_mark.line == found.end_mark.line and found.style is None:
                return path, found.start_mark.line + 1, found.value
    raise AssertionError("no quote from an archived source found")


def _quote_nodes(node: yaml.Node):
    if isinstance(node, yaml.MappingNode):
        keys = {k.value: v for k, v in node.value}
        source = keys.get("source")
        if source is not None and "quote" in keys and source.value.startswith("seed-"):
            yield keys["quote"]
        for _key, value in node.value:
            yield from _quote_nodes(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _quote_nodes(item)
