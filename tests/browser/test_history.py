"""The history as a reader meets it: the scripted history of tests/test_history.py, built and served, in Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from tests.browser.conftest import Reader, reading, serve
from tests.browser.test_every_page_type import axe_report
from tests.conftest import build
from tests.test_history import CORRECTION, history_repo


@pytest.fixture(scope="module")
def history_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    repo, _ = history_repo(tmp_path_factory.mktemp("history-browser") / "project")
    result = build(repo.path)
    assert result.returncode == 0, result.output
    with serve(result.site) as url:
        yield url


@pytest.fixture(scope="module")
def reader(browser: Browser, history_url: str) -> Iterator[Reader]:
    with reading(browser, history_url) as tab:
        yield tab


def test_a_correction_note_is_seen_under_its_fact_without_a_click(reader: Reader) -> None:
    page = reader.open("actors/lazarus-group/")
    note = page.locator("article li .correction").first
    expect(note).to_be_visible()
    expect(note).to_contain_text(f"Corrected 20 August 2023: {CORRECTION}")
    fact, shown = note.locator("xpath=ancestor::li[1]").bounding_box(), note.bounding_box()
    assert shown["y"] > fact["y"] + 5, "the note stands on a line of its own under the statement"
    assert not reader.console_errors and not reader.page_errors


@pytest.mark.parametrize("path", ["actors/lazarus-group/", "software/opencarrot/", "changes/"])
def test_axe_finds_no_violation_in_a_page_with_corrections(reader: Reader, path: str) -> None:
    page = reader.open(path)
    axe = Axe()
    violations = axe.run(page).response["violations"]
    assert not violations, axe_report(violations)


def test_the_changes_page_does_not_scroll_sideways_on_a_phone_even_with_a_huge_commit_message(
        browser: Browser, history_url: str) -> None:
    with reading(browser, history_url, "phone") as phone:
        page = phone.open("changes/")
        widths = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1], widths


def test_the_feed_is_announced_and_served(reader: Reader) -> None:
    page = reader.open("")
    href = page.locator('head link[rel="alternate"][type="application/atom+xml"]').get_attribute("href")
    response = page.request.get(reader.url(href or ""))
    assert response.ok and response.body().startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<feed')
