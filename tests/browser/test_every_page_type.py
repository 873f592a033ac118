"""Every type of page (home, each index, one page per kind of KINDS, timeline, sources, certainty, coverage) in Chromium.

Each page type is loaded once per size (`Reader.visit`); every test below reads one thing off that load."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import PAGE_TYPES, Reader

PAGES = list(PAGE_TYPES)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def axe_report(violations: list[dict] | tuple[dict, ...]) -> str:
    lines = []
    for v in violations:
        targets = [" ".join(node["target"]) for node in v["nodes"]]
        more = f"\n    ... and {len(targets) - 10} more" if len(targets) > 10 else ""
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(targets[:10]) + more)
    return "\n".join(lines)


@pytest.mark.parametrize("name", PAGES)
def test_no_page_type_logs_a_console_error_or_throws(desktop: Reader, name: str) -> None:
    visit = desktop.visit(name)
    problems = visit.console_errors + visit.page_errors
    assert not problems, f"{name} ({visit.path or '/'}):\n" + "\n".join(problems)


@pytest.mark.parametrize("name", PAGES)
def test_no_page_type_scrolls_sideways_on_a_phone(phone: Reader, name: str) -> None:
    visit = phone.visit(name)
    scroll_width, client_width = visit.widths
    assert client_width == 390, f"the phone viewport is {client_width}px wide"
    assert scroll_width <= client_width, (
        f"{name} ({visit.path or '/'}) is {scroll_width}px wide on a {client_width}px phone; too wide:\n"
        + "\n".join(visit.wide_elements))


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_accessibility_violation_on_any_page_type(desktop: Reader, name: str) -> None:
    visit = desktop.visit(name)
    assert not visit.axe_violations, f"{name} ({visit.path or '/'}): axe violations:\n{axe_report(visit.axe_violations)}"


@pytest.mark.parametrize("name", PAGES)
def test_no_page_type_requests_anything_outside_the_site(desktop: Reader, name: str) -> None:
    visit = desktop.visit(name)
    origin = origin_of(desktop.base_url)
    # data: and blob: URLs are not network requests (Material's inline icons, the search worker's blob).
    network = [url for url in visit.requests if not url.startswith(("data:", "blob:"))]
    assert desktop.url(visit.path) in network, "the request log missed the page itself"
    assert desktop.url("search/search_index.json") in network, "the request log missed the search worker's index"
    outside = sorted({url for url in network if origin_of(url) != origin})
    assert not outside, f"{name} ({visit.path or '/'}) requested outside {origin}:\n" + "\n".join(outside)


@pytest.mark.parametrize("name", [*PAGE_TYPES, "404"])
def test_every_page_type_runs_its_own_scripts_and_styles_under_its_policy(desktop: Reader, name: str) -> None:
    visit = desktop.visit(name)
    assert visit.policies == 1, f"{name}: {visit.policies} policies first in <head>"
    assert visit.scripts_ran == (True, True), f"{name}: Material's inline scripts, bundle ran: {visit.scripts_ran}"
    assert not visit.csp_violations, f"{name}: the policy refused the site's own content:\n" + "\n".join(visit.csp_violations)


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("name", PAGES)
def test_every_page_type_shows_its_title_on_a_desktop_and_a_phone(request: pytest.FixtureRequest, size: str, name: str) -> None:
    visit = request.getfixturevalue(size).visit(name)
    assert visit.title_box is not None, f"{name} ({visit.path or '/'}) on a {size}: no visible title (a blank or error screen)"
    left, width = visit.title_box["x"], visit.widths[1]
    assert left >= 0 and left + 40 < width, f"{name} ({visit.path or '/'}) on a {size}: the title is off-screen"
