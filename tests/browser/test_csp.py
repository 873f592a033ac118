"""The Content-Security-Policy in Chromium: a script injected into a built page is refused; a reader's search, tooltip
and navigation are refused nothing; and Chromium agrees with the hashes the policy computes. (Every page type running
its own scripts under its policy: test_every_page_type.py.)"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from microsite.csp import inline_scripts, policy
from tests.browser.conftest import Reader, reading, serve
from tests.conftest import Build

INJECTED = "<script>window.__pwned = 1</script>"


@pytest.fixture
def served(tmp_path: Path, browser: Browser) -> Iterator[tuple[Path, Reader]]:
    """A folder served on 127.0.0.1 and a tab recording CSP violations on it."""
    with serve(tmp_path) as url, reading(browser, url) as tab:
        yield tmp_path, tab


def test_tables_stay_aligned_without_inline_styles(desktop: Reader) -> None:
    cell = desktop.open("").locator("article td[align=right]").first
    expect(cell).to_have_css("text-align", re.compile(r"^(-webkit-)?right$"))  # align="right" computes to -webkit-right


def test_a_script_injected_into_a_built_page_is_refused(real_site: Build, served: tuple[Path, Reader]) -> None:
    folder, tab = served
    site = shutil.copytree(real_site.site, folder / "site")
    built = site / "actors" / "scarcruft" / "index.html"
    html = built.read_text(encoding="utf-8")
    built.write_text(html.replace("</head>", f"{INJECTED}</head>", 1).replace("</body>", f"{INJECTED}</body>", 1),
                     encoding="utf-8")
    page = tab.open("site/actors/scarcruft/", settle=True)
    assert page.evaluate("typeof window.__pwned") == "undefined", "the injected script ran"
    refused = page.evaluate("window.__csp")
    assert len([v for v in refused if v.startswith("script-src-elem refused inline")]) == 2, refused
    assert page.evaluate("typeof window.__md_get") == "function", "the page's own inline scripts no longer run"


def test_a_reader_searches_reads_a_tooltip_and_follows_a_link_and_the_policy_refuses_nothing(desktop: Reader) -> None:
    page = desktop.open("actors/scarcruft/", settle=True)
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("Kimsuky")
    result = page.locator("li.md-search-result__item a").first
    expect(result).to_be_visible()
    page.keyboard.press("Escape")
    page.locator("article a.headerlink").first.hover()  # content.tooltips: Material's own tooltip for its title
    expect(page.locator(".md-tooltip2--active")).to_have_text("Permanent link")
    refused = desktop.csp_violations()
    page.locator("article a[href^='../../'][href$='/']").first.click()  # another entity's page
    page.wait_for_load_state("load")
    assert page.url != desktop.url("actors/scarcruft/")
    assert page.evaluate("typeof window.__md_get") == "function", "the next page's own inline scripts did not run"
    assert not refused and not desktop.csp_violations(), refused + desktop.csp_violations()


# Inline scripts whose text the HTML parser changes or ends in unusual places; each records that it ran.
TRICKY = {
    "crlf": 'window.__ran.push("crlf");\r\n',
    "cr": 'window.__ran.push("cr");\r',
    "nul": 'window.__ran.push("nul \0");',
    "utf-8": 'window.__ran.push("utf-8 평양 — Пхеньян");',
    "escaped": 'window.__ran.push("escaped"); "<!--<script>"; "</script>"; "-->";',
}


def test_chromium_accepts_the_hash_of_each_inline_script_as_the_policy_computes_it(served: tuple[Path, Reader]) -> None:
    folder, tab = served
    scripts = "".join(f"<script>{text}</SCRIPT >\n" for text in TRICKY.values())
    html = ('<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>t</title>'
            "<script>window.__ran = []</script></head>\n<body><!-- <script>no()</script> -->"
            f'{scripts}<script type="module">window.__ran.push("module")</script>'
            '<script type="application/json">{"data": "never runs"}</script></body></html>')
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(inline_scripts(html))}">'
    (folder / "tricky.html").write_bytes(html.replace("<head>", f"<head>{meta}", 1).encode("utf-8"))
    page = tab.open("tricky.html")  # inline scripts run before the load event
    assert sorted(page.evaluate("window.__ran")) == sorted(
        [*(text.split('"')[1].replace("\0", "\ufffd") for text in TRICKY.values()), "module"])
    assert not tab.csp_violations(), tab.csp_violations()
