"""Every type of page (home, each index, one page per kind, timeline, sources, certainty, coverage) in Chromium."""

from __future__ import annotations

import struct
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import PAGE_TYPES, Reader

PAGES = list(PAGE_TYPES)

# Elements reaching past the viewport's right edge that the page scrolls sideways for (not those inside a scroll
# box or fixed to the viewport), outermost first: what to fix when a page is too wide.
WIDE_ELEMENTS = """() => {
    const width = document.documentElement.clientWidth;
    const clipped = e => {
        if (getComputedStyle(e).position === "fixed") return true;
        for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
            const style = getComputedStyle(p);
            if (style.overflowX !== "visible" || style.position === "fixed") return true;
        }
        return false;
    };
    const wide = [...document.body.querySelectorAll("*")].filter(
        e => e.getBoundingClientRect().right > width + 1 && !clipped(e));
    return wide.filter(e => !wide.includes(e.parentElement)).slice(0, 8).map(e => {
        const id = e.id ? "#" + e.id : "";
        const cls = typeof e.className === "string" && e.className ? "." + e.className.trim().split(/\\s+/).join(".") : "";
        const text = (e.textContent || "").trim().slice(0, 60);
        return `<${e.tagName.toLowerCase()}${id}${cls}> right=${Math.round(e.getBoundingClientRect().right)} "${text}"`;
    });
}"""


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("name", PAGES)
def test_no_page_type_logs_a_console_error_or_throws(desktop: Reader, name: str) -> None:
    visit = desktop.visit(PAGE_TYPES[name])
    problems = visit.console_errors + visit.page_errors
    assert not problems, f"{name} ({PAGE_TYPES[name] or '/'}):\n" + "\n".join(problems)


@pytest.mark.parametrize("name", PAGES)
def test_no_page_type_scrolls_sideways_on_a_phone(phone: Reader, name: str) -> None:
    page = phone.open(PAGE_TYPES[name])
    scroll_width, client_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert client_width == 390, f"the phone viewport is {client_width}px wide"
    if scroll_width > client_width:
        wide = "\n".join(page.evaluate(WIDE_ELEMENTS))
        pytest.fail(f"{name} ({PAGE_TYPES[name] or '/'}) is {scroll_width}px wide on a {client_width}px phone; too wide:\n{wide}")


def axe_report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        targets = [" ".join(node["target"]) for node in v["nodes"]]
        more = f"\n    ... and {len(targets) - 10} more" if len(targets) > 10 else ""
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(targets[:10]) + more)
    return "\n".join(lines)


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_accessibility_violation_on_any_page_type(desktop: Reader, axe: Axe, name: str) -> None:
    page = desktop.open(PAGE_TYPES[name])
    violations = axe.run(page).response["violations"]
    assert not violations, f"{name} ({PAGE_TYPES[name] or '/'}): axe violations:\n{axe_report(violations)}"


@pytest.mark.parametrize("name", PAGES)
def test_no_page_type_requests_anything_outside_the_site(desktop: Reader, name: str) -> None:
    visit = desktop.visit(PAGE_TYPES[name])
    origin = origin_of(desktop.base_url)
    # data: and blob: URLs are not network requests (Material's inline icons, the search worker's blob).
    network = [url for url in visit.requests if not url.startswith(("data:", "blob:"))]
    assert desktop.url(PAGE_TYPES[name]) in network, "the request log missed the page itself"
    assert desktop.url("search/search_index.json") in network, "the request log missed the search worker's index"
    outside = sorted({url for url in network if origin_of(url) != origin})
    assert not outside, f"{name} ({PAGE_TYPES[name] or '/'}) requested outside {origin}:\n" + "\n".join(outside)


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("name", PAGES)
def test_a_screenshot_of_every_page_type_is_written_for_review(
    request: pytest.FixtureRequest, screenshots: Path, size: str, name: str
) -> None:
    reader: Reader = request.getfixturevalue(size)
    page = reader.open(PAGE_TYPES[name])
    page.evaluate("() => document.fonts.ready")
    shot = screenshots / f"{size}-{name}.png"
    page.screenshot(path=shot, full_page=True, animations="disabled")
    width, height = struct.unpack(">II", shot.read_bytes()[16:24])  # the PNG's IHDR: what was captured
    viewport = page.viewport_size or {}
    assert (width, height >= viewport.get("height", 0)) == (viewport.get("width"), True), f"{shot}: {width}x{height}"
    title = page.locator("article h1").first
    expect(title).to_be_visible()  # the page shows its content, not a blank or error screen
    assert title.bounding_box()["x"] >= 0 and title.bounding_box()["x"] + 40 < width, f"{shot}: the title is off-screen"
