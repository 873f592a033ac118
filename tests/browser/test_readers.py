"""Readers first (issue 27) in Chromium: the front page by mouse and keyboard, citing a statement, citation previews,
the highlighted passage, the dark scheme, on a desktop and a phone."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.browser.conftest import Reader, _axe, reading
from tests.browser.test_every_page_type import axe_report, origin_of

FRONT_LINKS = ("Where sources disagree", "Indicators", "Downloads", "What changed", "About this site")


def test_the_front_pages_links_are_reached_by_keyboard_before_the_lead(desktop: Reader) -> None:
    page = desktop.open("")
    lead = page.locator("article p", has_text="two hacking groups").first
    links = page.locator("article p.front-links a")
    expect(links).to_have_text(list(FRONT_LINKS))
    page.keyboard.press("Tab")
    for _ in range(80):  # skip link, header, search, the sidebar: then the first link of the article
        if page.evaluate("() => document.activeElement.closest('p.front-links') !== null"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == FRONT_LINKS[0]
    assert links.first.bounding_box()["y"] < lead.bounding_box()["y"]
    page.keyboard.press("Enter")
    expect(page).to_have_url(desktop.url("disagreements/"))


def test_the_sidebar_shows_on_the_desktop_home_page_and_the_glance_box_fits_a_phone(desktop: Reader,
                                                                                     phone: Reader) -> None:
    page = desktop.open("")
    expect(page.locator(".md-sidebar--primary .md-nav__link", has_text="About this site")).to_be_visible()
    page = phone.open("")
    box = page.locator("article .admonition", has_text="At a glance")
    box.scroll_into_view_if_needed()
    expect(box).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_citation_marker_previews_its_source_and_quote(desktop: Reader) -> None:
    page = desktop.open("actors/scarcruft/")
    marker = page.locator("article h2#facts + ul > li sup.cite a").first
    title = marker.get_attribute("title")
    assert title and "“" in title and "”" in title
    box = marker.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    marker.hover()
    expect(page.locator(".md-tooltip--active, .md-tooltip2--active").first).to_contain_text(title[:30])


def test_cite_copies_a_citation_and_the_followed_statement_is_highlighted(browser: Browser, site_url: str) -> None:
    with reading(browser, site_url) as reader:
        reader.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin_of(site_url))
        page = reader.open("actors/scarcruft/")
        item = page.locator("article h2#facts + ul > li").first
        anchor = item.locator("span.anchor").get_attribute("id")
        assert re.fullmatch(r"f-[0-9a-f]{8}", anchor)
        item.locator("a.cite-this").click()
        expect(page).to_have_url(reader.url(f"actors/scarcruft/#{anchor}"))
        expect(page.locator("#cite-status")).to_contain_text("Citation copied")
        copied = page.evaluate("() => navigator.clipboard.readText()")
        assert "ScarCruft" in copied and f"#{anchor}" in copied and "Sources: " in copied and "(accessed 20" in copied
        highlighted = page.locator("article li:has(> span.anchor:target)")
        expect(highlighted).to_have_count(1)
        assert highlighted.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
        assert all(url.startswith(origin_of(site_url)) for url in reader.requests), reader.requests


def test_the_dark_scheme_follows_the_system_and_the_toggle_switches_it(browser: Browser, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(site_url + "actors/scarcruft/")
        expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
        page.locator("label.md-header__button[title='Switch to the light scheme']:visible").click()
        expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "default")
    finally:
        context.close()


# The axe rules that read colours: all that a colour scheme changes. Every other rule is run on every page type in
# the light scheme (test_axe_finds_no_accessibility_violation_on_any_page_type); running all of them again in the
# dark one took twice as long to check the same markup.
COLOUR_RULES = {"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}, "resultTypes": ["violations"]}


def test_axe_finds_no_colour_violation_on_the_readers_pages_in_the_dark_scheme(browser: Browser, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, color_scheme="dark")
    try:
        page = context.new_page()
        for path in ("", "actors/scarcruft/", "about/", "assessments/hegel-rare-glimpse/"):
            page.goto(site_url + path)
            expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate")
            violations = _axe().run(page, options=COLOUR_RULES).response["violations"]
            assert not violations, f"{path or '/'} (dark): {axe_report(violations)}"
    finally:
        context.close()


def test_a_table_wider_than_a_phone_says_so_and_fades_at_its_hidden_edge(phone: Reader) -> None:
    page = phone.open("actors/scarcruft/")
    wrap = page.locator("article h2#names ~ .md-typeset__scrollwrap").first
    expect(wrap).to_have_class(re.compile(r"\bis-wide\b"))
    hint = page.locator("article h2#names ~ p.table-hint").first
    expect(hint).to_contain_text("swipe it sideways")
    assert wrap.evaluate("e => getComputedStyle(e).maskImage || getComputedStyle(e).webkitMaskImage") != "none"
    wrap.evaluate("e => { e.scrollLeft = e.scrollWidth; e.dispatchEvent(new Event('scroll')); }")
    expect(wrap).to_have_class(re.compile(r"\bat-end\b"))
