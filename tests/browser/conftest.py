"""Browser fixtures: the built site served on 127.0.0.1 and read in Chromium through Playwright.

One browser for the whole session, one desktop and one phone page reused by the tests. The browser is
$CHROMIUM_PATH if set, else Debian's /usr/bin/chromium (`apt-get install chromium`), else one that
`playwright install chromium` already put on this machine (as on GitHub's runners); the tests never download
one. Without a browser every browser test is skipped with a reason that says how to install one, or fails
when REQUIRE_BROWSER=1 (CI), so a missing browser cannot pass as a green run.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Locator,
    Page,
    Playwright,
    Request,
    expect,
    sync_playwright,
)

from microsite.model import KINDS
from microsite.pages import site_nav
from tests import rawdata
from tests.conftest import ROOT, Build
from tests.localserver import serving

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = "install Chromium (`apt-get install chromium`) or set CHROMIUM_PATH to one"

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def entity_pages(root: Path = ROOT) -> dict[str, str]:
    """One entity page of each kind of KINDS, by kind name: the entity with the most data (the longest page, where a
    layout breaks first); where some entities of a kind carry an archived copy and others not, the richest of each
    (the one with a copy as `<kind>-archived`: the reader of the copy is a page type of its own)."""
    pages: dict[str, str] = {}
    for kind in KINDS.values():
        for path in sorted((root / "data" / kind.plural).glob("*.yml"), key=lambda p: (-p.stat().st_size, p.name)):
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=rawdata.SAFE_LOADER)
            pages.setdefault(f"{kind.name}-archived" if data.get("archive") else kind.name, f"{kind.plural}/{data['id']}/")
    return pages


ENTITY_PAGES = entity_pages()


def search(page: Page, text: str) -> Locator:
    """Type `text` into Material's search box as a reader would; the result links, once the first is visible."""
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(text)
    results = page.locator("li.md-search-result__item > a.md-search-result__link")
    expect(results.first).to_be_visible()
    return results


def nav_pages(config: Path = ROOT / "mkdocs.yml") -> dict[str, str]:
    """Every page in the sidebar (home, each kind's index, the timeline, ...), named by its nav title."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)  # !ENV and friends: not needed here
    pages: dict[str, str] = {}

    def walk(items: list) -> None:
        for item in items:
            for title, target in item.items():
                if isinstance(target, list):
                    walk(target)
                else:
                    stem = re.sub(r"(^|/)index$", "", target.removesuffix(".md"))
                    pages[re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")] = f"{stem}/" if stem else ""

    walk([*site_nav(), *yaml.load(config.read_text(encoding="utf-8"), Loader=Loader)["nav"]])  # the hook's, then ours
    return pages


# Every type of page the site has, by a name for test ids and its URL path below the site root.
PAGE_TYPES: dict[str, str] = {**nav_pages(), **ENTITY_PAGES}
SEARCH_INDEX = "/search/search_index.json"  # what Material's search worker fetches on every page
NOT_FOUND = "404.html"  # the page the host serves for a missing URL; read by path, it is a page type too

# Installed in every tab before any script of a page runs (Playwright's init scripts are not subject to the
# page's CSP), so a test can ask what the page's Content-Security-Policy refused.
RECORD_VIOLATIONS = """window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(
    `${e.effectiveDirective} refused ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`), true);"""

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

# What one look at a settled page reads off it, in one round trip.
PAGE_STATE = """() => ({
    policies: document.querySelectorAll('head > meta[http-equiv="Content-Security-Policy"]:first-child').length,
    inlineScriptsRan: typeof window.__md_get === "function",
    bundleRan: document.documentElement.classList.contains("js"),
    violations: window.__csp || [],
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
})"""


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 at a free port; yields its base URL (ending in '/'), then stops."""
    with serving(site) as port:
        yield f"http://127.0.0.1:{port}/"


@dataclass(frozen=True)
class Visit:
    """What one load of a page, left until the network went quiet, logged and showed. Every check of a page type
    reads one of these, so each page is loaded once per size however many tests look at it."""

    path: str
    console_errors: tuple[str, ...]
    page_errors: tuple[str, ...]
    requests: tuple[str, ...]
    csp_violations: tuple[str, ...]  # what the page's policy refused: its events and Chromium's reports of them
    policies: int  # CSP <meta> elements first in <head>
    scripts_ran: tuple[bool, bool]  # Material's inline scripts, Material's bundle
    widths: tuple[int, int]  # the document's scroll width, the viewport's width
    wide_elements: tuple[str, ...]  # when the page scrolls sideways: the elements that reach past the edge
    axe_violations: tuple[dict, ...]  # desktop only
    title_box: dict[str, float] | None  # the article's h1, if visible


@dataclass
class Reader:
    """A browser tab on a served site that records what a reader would not see: errors, requests, dialogs."""

    page: Page
    base_url: str
    size: str = "desktop"
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    _visits: dict[str, Visit] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.page.set_default_timeout(15_000)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.page_errors.append(f"{self.page.url}: {error}"))
        self.page.on("dialog", self._on_dialog)
        # Context-wide, so requests of the search web worker are recorded too.
        self.page.context.on("request", self._on_request)

    @classmethod
    def new(cls, context: BrowserContext, base_url: str, size: str = "desktop") -> Reader:
        return cls(context.new_page(), base_url, size)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{self.page.url}: {message.text} ({message.location.get('url', '')})")

    def _on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def url(self, path: str) -> str:
        return self.base_url + path

    def open(self, path: str, *, settle: bool = False) -> Page:
        """Load a page of the site afresh, forgetting what earlier pages recorded; `settle` also waits until
        Material's search worker has fetched its index (it does so after the load event)."""
        self.console_errors.clear()
        self.page_errors.clear()
        self.requests.clear()
        self.dialogs.clear()
        with contextlib.ExitStack() as waits:
            if settle:
                index = waits.enter_context(self.page.context.expect_event(
                    "requestfinished", lambda request: request.url.endswith(SEARCH_INDEX)))
            response = self.page.goto(self.url(path), wait_until="load")
        assert response is not None and response.ok, f"{self.url(path)}: HTTP {response.status if response else 'none'}"
        if settle:
            assert index.value.response() is not None
        return self.page

    def csp_violations(self) -> list[str]:
        """What the policy refused on the open page: its violation events and Chromium's console reports of them."""
        refused = [line for line in self.console_errors if "Content Security Policy" in line]
        return self.page.evaluate("window.__csp") + refused

    def visit(self, name: str) -> Visit:
        """Load the page type `name` (PAGE_TYPES, or "404") until the network is quiet, read everything the
        page-type tests check; once per session and size, shared by every test that reads it."""
        if name not in self._visits:
            self._visits[name] = self._look(name, PAGE_TYPES.get(name, NOT_FOUND))
        return self._visits[name]

    def _look(self, name: str, path: str) -> Visit:
        page = self.open(path, settle=self.size == "desktop")  # a phone only looks: no need to wait for search
        state = page.evaluate(PAGE_STATE)
        widths = (state["scrollWidth"], state["clientWidth"])
        wide = page.evaluate(WIDE_ELEMENTS) if widths[0] > widths[1] else []
        axe = _axe().run(page).response["violations"] if self.size == "desktop" else []
        violations = self.csp_violations()
        title = page.locator("article h1").first
        return Visit(
            path=path, console_errors=tuple(self.console_errors), page_errors=tuple(self.page_errors),
            requests=tuple(self.requests), csp_violations=tuple(violations), policies=state["policies"],
            scripts_ran=(state["inlineScriptsRan"], state["bundleRan"]), widths=widths, wide_elements=tuple(wide),
            axe_violations=tuple(axe),
            title_box=title.bounding_box() if title.count() and title.is_visible() else None)


@functools.cache
def _axe() -> Axe:
    return Axe()


def _runnable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def find_chromium(driver: Playwright) -> Path | str:
    """The Chromium to drive, or why there is none. $CHROMIUM_PATH, when set, is the only candidate."""
    if chosen := os.environ.get("CHROMIUM_PATH"):
        return Path(chosen) if _runnable(Path(chosen)) else f"CHROMIUM_PATH={chosen} is not an executable file"
    installed = Path(driver.chromium.executable_path)  # where `playwright install chromium` puts it; never fetched here
    return next((path for path in (DEBIAN_CHROMIUM, installed) if _runnable(path)),
                f"no Chromium at {DEBIAN_CHROMIUM} nor from `playwright install chromium`")


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session", autouse=True)
def chromium(playwright_driver: Playwright) -> Path:
    """The browser's executable; without one, every browser test is skipped, or fails under REQUIRE_BROWSER=1."""
    found = find_chromium(playwright_driver)
    if isinstance(found, Path):
        return found
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {found}: {INSTALL_HINT}", pytrace=False)
    pytest.skip(f"browser tests skipped: {found}; {INSTALL_HINT}")


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright, chromium: Path) -> Iterator[Browser]:
    browser = playwright_driver.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def site_url(real_site: Build) -> Iterator[str]:
    """The real site, built once, served for the whole session."""
    with serve(real_site.site) as url:
        yield url


def new_context(browser: Browser, size: str) -> BrowserContext:
    """A fresh browser context at desktop (1280x900) or phone (390x844, touch, mobile viewport) size, whose
    pages record what their Content-Security-Policy refuses."""
    if size == "phone":
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    else:
        context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(RECORD_VIOLATIONS)
    return context


@contextmanager
def reading(browser: Browser, url: str, size: str = "desktop") -> Iterator[Reader]:
    """A tab of its own context on the site at `url`, closed after the block."""
    context = new_context(browser, size)
    try:
        yield Reader.new(context, url, size)
    finally:
        context.close()


@pytest.fixture(scope="session")
def desktop(browser: Browser, site_url: str) -> Iterator[Reader]:
    with reading(browser, site_url) as reader:
        yield reader


@pytest.fixture(scope="session")
def phone(browser: Browser, site_url: str) -> Iterator[Reader]:
    with reading(browser, site_url, "phone") as reader:
        yield reader
