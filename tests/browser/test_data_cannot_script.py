"""Text in the data is text: markup and script typed into a data file show literally and never run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, expect

from tests import rawdata
from tests.browser.conftest import Reader, reading, serve
from tests.conftest import build, minimal_project

VICTIM = ("actors", "lazarus-group")  # in the minimal data: every kind of page shows or links it
NAME = """Lazarus "'><script>window.__pwned=1</script>"""
SUMMARY = """<script>window.__pwned=1;alert("summary")</script> Leader with <img src=x onerror="window.__pwned=1;alert(1)">"""
STATEMENT = """Click [x](javascript:window.__pwned=1) or <a href="javascript:alert(2)">this</a>, in <b>bold</b>."""
TEXTS = (NAME, SUMMARY, STATEMENT)


def pages_showing(folder: str, entity: dict, root: Path) -> list[str]:
    """The entity's page, its kind's index, and every page that links to it or that it links to."""
    ids = rawdata.by_id(root)
    pages = {f"{folder}/{entity['id']}/", f"{folder}/"}
    for relation in entity.get("relations") or []:
        target_folder, _ = ids[relation["target"]]
        pages.add(f"{target_folder}/{relation['target']}/")
    for citation in rawdata.citations(entity):
        pages.add(f"sources/{citation['source']}/")
    for other_folder, other in rawdata.entities(root):
        if other["id"] != entity["id"] and refers_to(other, entity["id"]):  # relations, about, involves, assessor…
            pages.add(f"{other_folder}/{other['id']}/")
    return sorted(pages)


def refers_to(node: object, entity_id: str) -> bool:
    """True if any value in a data structure is the id, or a prose link to it."""
    if isinstance(node, dict):
        return any(refers_to(value, entity_id) for key, value in node.items() if key != "id")
    if isinstance(node, list):
        return any(refers_to(item, entity_id) for item in node)
    return node == entity_id or f"[[{entity_id}]" in str(node) or f"[[{entity_id}|" in str(node)


@pytest.fixture(scope="module")
def injected(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[tuple[Reader, list[str]]]:
    """The minimal data with markup and script in one entity's texts, built once and served. (The built
    HTML with markup in it, parsed without a browser: test_escaping.py.)"""
    project = minimal_project(tmp_path_factory.mktemp("injected") / "project")
    folder, entity_id = VICTIM
    path = project / "data" / folder / f"{entity_id}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["name"], data["summary"] = NAME, SUMMARY
    data["facts"][0]["statement"] = STATEMENT
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    result = build(project)
    assert result.returncode == 0, result.output
    pages = pages_showing(folder, data, project)
    with serve(result.site) as url, reading(browser, url) as reader:
        yield reader, pages


def test_markup_and_script_in_the_data_show_as_text_and_never_run(injected: tuple[Reader, list[str]]) -> None:
    reader, pages = injected
    folder, entity_id = VICTIM
    assert {"events/", "assessments/"} & {p.split("/")[0] + "/" for p in pages}, pages  # pages of other kinds too
    assert len(pages) >= 4, pages
    for path in pages:
        page = reader.open(path, settle=True)
        where = path or "/"
        assert page.evaluate("typeof window.__pwned") == "undefined", f"{where}: data ran as script"
        assert not reader.dialogs, f"{where}: data opened dialogs {reader.dialogs}"
        assert not reader.page_errors, f"{where}: {reader.page_errors}"
        assert not [u for u in reader.requests if u.endswith("/x")], f"{where}: an <img src=x> from the data was loaded"
        article = page.locator("article")
        expect(article.locator("script")).to_have_count(0)
        expect(article.locator("img")).to_have_count(0)
        expect(article.locator("b")).to_have_count(0)
        expect(page.locator("a[href^='javascript:' i]")).to_have_count(0)
        expect(page.locator("[onerror], [onload], [onmouseover]")).to_have_count(0)
        assert NAME in " ".join(article.inner_text().split()), f"{where}: the name is not shown as text"

    page = reader.open(f"{folder}/{entity_id}/")
    text = " ".join(page.locator("article").inner_text().split())
    for literal in TEXTS:
        assert literal in text, f"{literal!r} is not shown literally on its page"
    expect(page.locator("article h1")).to_contain_text(NAME)


def test_markup_in_the_data_stays_text_in_search_results(injected: tuple[Reader, list[str]]) -> None:
    reader, _ = injected
    page = reader.open("", settle=True)
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("Lazarus")
    expect(page.locator("li.md-search-result__item").first).to_be_visible()
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined", "a search result ran data as script"
    assert not reader.dialogs, f"a search result opened dialogs {reader.dialogs}"
    results = page.locator(".md-search-result")
    expect(results.locator("script, img, b, a[href^='javascript:' i], [onerror]")).to_have_count(0)
    expect(results).to_contain_text("<script>")
