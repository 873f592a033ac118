"""The Content-Security-Policy in Chromium: the site's own scripts and styles run, search works, and a script
injected into a built page is refused."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from microsite.csp import with_csp
from tests.browser.conftest import PAGE_TYPES, Reader, new_context, search, serve
from tests.conftest import Build

# Installed before any script of the page runs (Playwright's init scripts are not subject to the page's CSP).
RECORD_VIOLATIONS = """window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(
    `${e.effectiveDirective} refused ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`), true);"""
INJECTED = "<script>window.__pwned = 1</script>"


def reader(browser: Browser, url: str) -> Reader:
    context = new_context(browser, "desktop")
    context.add_init_script(RECORD_VIOLATIONS)
    return Reader.new(context, url)


def violations(reader: Reader) -> list[str]:
    """What the policy refused on the open page: its violation events and Chromium's console reports of them."""
    refused = [line for line in reader.console_errors if "Content Security Policy" in line]
    return reader.page.evaluate("window.__csp") + refused


@pytest.fixture(scope="module")
def watched(browser: Browser, site_url: str) -> Iterator[Reader]:
    """A desktop tab on the real site that records every CSP violation."""
    tab = reader(browser, site_url)
    yield tab
    tab.page.context.close()


@pytest.fixture
def served(tmp_path: Path, browser: Browser) -> Iterator[tuple[Path, Reader]]:
    """A folder served on 127.0.0.1 and a tab recording CSP violations on it."""
    with serve(tmp_path) as url:
        tab = reader(browser, url)
        yield tmp_path, tab
        tab.page.context.close()


@pytest.mark.parametrize("name", [*PAGE_TYPES, "404"])
def test_every_page_type_runs_its_own_scripts_and_styles_under_its_policy(watched: Reader, name: str) -> None:
    page = watched.open(PAGE_TYPES.get(name, "404.html"), settle=True)
    expect(page.locator('head > meta[http-equiv="Content-Security-Policy"]:first-child')).to_have_count(1)
    assert page.evaluate("typeof window.__md_get") == "function", "Material's inline scripts did not run"
    assert page.evaluate("document.documentElement.classList.contains('js')"), "Material's bundle did not run"
    assert not violations(watched), f"{name}: the policy refused the site's own content:\n" + "\n".join(violations(watched))


def test_tables_stay_aligned_without_inline_styles(watched: Reader) -> None:
    cell = watched.open("").locator("article td[align=right]").first
    expect(cell).to_have_css("text-align", re.compile(r"^(-webkit-)?right$"))  # align="right" computes to -webkit-right


def test_search_shows_results_and_leads_to_the_page_under_the_policy(watched: Reader) -> None:
    page = watched.open("", settle=True)
    results = search(page, "APT37")
    assert not violations(watched), violations(watched)
    results.filter(has=page.locator("h1", has_text=re.compile(r"^\s*ScarCruft\s*$"))).first.click()
    expect(page).to_have_url(re.compile(r"/actors/scarcruft/"))
    expect(page.locator("article h1")).to_contain_text("ScarCruft")
    assert not violations(watched) and not watched.page_errors, violations(watched) + watched.page_errors


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
    (folder / "tricky.html").write_bytes(with_csp(html).encode("utf-8"))
    page = tab.open("tricky.html", settle=True)
    assert sorted(page.evaluate("window.__ran")) == sorted(
        [*(text.split('"')[1].replace("\0", "\ufffd") for text in TRICKY.values()), "module"])
    assert not violations(tab), violations(tab)
