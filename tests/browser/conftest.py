"""Browser fixtures: the built site served on 127.0.0.1 and read in Chromium through Playwright.

One browser for the whole session, one desktop and one phone page reused by the tests. The browser is
$CHROMIUM_PATH if set, else Debian's /usr/bin/chromium (`apt-get install chromium`), else one that
`playwright install chromium` already put on this machine (as on GitHub's runners); the tests never download
one. Without a browser every browser test is skipped with a reason that says how to install one, or fails
when REQUIRE_BROWSER=1 (CI), so a missing browser cannot pass as a green run.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
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

from microsite.render import site_nav
from tests.conftest import ROOT, Build

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
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# One entity page of each kind (and both kinds of source page), by URL path below the site root.
ENTITY_PAGES: dict[str, str] = {
    "actor": "actors/scarcruft/",
    "organization": "organizations/npo-mashinostroyeniya/",
    "weapon": "weapons/zircon/",
    "software": "software/opencarrot/",
    "assessment": "assessments/sentinellabs-high-confidence-north-korea/",
    "event": "events/npo-mash-intrusion/",
    "source-archived": "sources/seed-article-2023-08-10/",
    "source": "sources/sentinellabs-2023-08-07/",
}


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


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 at a free port; yields its base URL (ending in '/'), then stops."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@dataclass(frozen=True)
class Visit:
    """What one load of a page, left until the network went quiet, logged."""

    console_errors: tuple[str, ...]
    page_errors: tuple[str, ...]
    requests: tuple[str, ...]


@dataclass
class Reader:
    """A browser tab on a served site that records what a reader would not see: errors, requests, dialogs."""

    page: Page
    base_url: str
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
    def new(cls, context: BrowserContext, base_url: str) -> Reader:
        return cls(context.new_page(), base_url)

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
        """Load a page of the site afresh, forgetting what earlier pages recorded; `settle` waits for the
        network to go quiet (the search worker fetches its index after load)."""
        self.console_errors.clear()
        self.page_errors.clear()
        self.requests.clear()
        self.dialogs.clear()
        response = self.page.goto(self.url(path), wait_until="load")
        assert response is not None and response.ok, f"{self.url(path)}: HTTP {response.status if response else 'none'}"
        if settle:
            self.page.wait_for_load_state("networkidle")
        return self.page

    def visit(self, path: str) -> Visit:
        """Load a page until the network is quiet, once per session: tests that only read the logs share it."""
        if path not in self._visits:
            self.open(path, settle=True)
            self._visits[path] = Visit(tuple(self.console_errors), tuple(self.page_errors), tuple(self.requests))
        return self._visits[path]


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
    """A fresh browser context at desktop (1280x900) or phone (390x844, touch, mobile viewport) size."""
    if size == "phone":
        return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    return browser.new_context(viewport=DESKTOP)


@pytest.fixture(scope="session")
def desktop(browser: Browser, site_url: str) -> Iterator[Reader]:
    context = new_context(browser, "desktop")
    yield Reader.new(context, site_url)
    context.close()


@pytest.fixture(scope="session")
def phone(browser: Browser, site_url: str) -> Iterator[Reader]:
    context = new_context(browser, "phone")
    yield Reader.new(context, site_url)
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """tests/screenshots/ (ignored by git), for a person to review."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
