"""The pictures and the script-free citation in Chromium: readable on a phone, links that work, nothing for axe, in the
light and the dark scheme, with no request leaving the site."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import _axe, reading

PICTURES = {"": ("incident-map", "timeline-picture"), "events/npo-mash-intrusion/": ("intrusion-path",)}
LEAST_PX = 12  # the smallest label a phone may show (issue 27)

# Each picture's labels as drawn: the smallest font size in CSS pixels, its width, and whether it leaves the screen.
MEASURE = """() => [...document.querySelectorAll('figure.picture svg')].map(svg => {
  const scale = svg.getScreenCTM().a;
  const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
  const box = svg.getBoundingClientRect();
  return {name: svg.parentElement.classList[1], smallest: Math.min(...sizes), right: box.right, width: innerWidth};
})"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_pictures_are_readable_on_a_phone_and_axe_finds_nothing(browser: Browser, site_url: str,
                                                                      scheme: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  color_scheme=scheme)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    try:
        page = context.new_page()
        for path, names in PICTURES.items():
            page.goto(site_url + path)
            drawn = page.evaluate(MEASURE)
            assert [d["name"] for d in drawn] == list(names)
            for d in drawn:
                assert d["smallest"] >= LEAST_PX, f"{d['name']}: labels of {d['smallest']:.1f} px on a phone"
                assert d["right"] <= d["width"], f"{d['name']} leaves the screen"
            violations = _axe().run(page).response["violations"]
            assert not violations, [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    finally:
        context.close()
    assert requests and all(url.startswith(site_url) for url in requests), requests


def test_a_box_of_the_map_leads_to_its_page(browser: Browser, site_url: str) -> None:
    with reading(browser, site_url) as reader:
        page = reader.open("")
        page.locator("figure.incident-map a.node--software").click()
        expect(page).to_have_url(reader.url("software/opencarrot/"))
        page = reader.open("events/npo-mash-intrusion/")
        page.locator("figure.intrusion-path a.node--unknown").first.click()
        expect(page.locator("article li:has(> span.anchor:target)")).to_contain_text("not known")


def test_cite_shows_the_citation_without_scripts(browser: Browser, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + "actors/scarcruft/")
        item = page.locator("article h2#facts + ul > li").first
        citation = item.locator(".cite-text")
        expect(citation).to_be_hidden()
        item.locator("a.cite-this").click()
        expect(citation).to_be_visible()
        expect(citation).to_contain_text("Cite as: “")
        expect(citation).to_contain_text(f"actors/scarcruft/#{item.locator('span.anchor').get_attribute('id')}")
    finally:
        context.close()


DIAGRAM = """() => { const svg = document.querySelector('figure.relations-diagram svg');
  const scale = svg.getScreenCTM().a;
  const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
  const figure = svg.parentElement;
  return {smallest: Math.min(...sizes), scrolls: figure.scrollWidth > figure.clientWidth,
          hint: getComputedStyle(figure.querySelector('.scroll-hint')).display !== 'none',
          focusable: figure.tabIndex === 0, right: figure.getBoundingClientRect().right, width: innerWidth}; }"""


def test_an_entity_pages_relations_diagram_keeps_its_12_px_labels_on_a_phone_and_scrolls_with_a_cue(
        browser: Browser, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(site_url + "actors/scarcruft/")
        drawn = page.evaluate(DIAGRAM)
        assert drawn["smallest"] >= LEAST_PX, drawn
        assert drawn["scrolls"] and drawn["hint"] and drawn["focusable"], drawn
        assert drawn["right"] <= drawn["width"], drawn  # the frame stays on screen; the picture scrolls inside it
        violations = _axe().run(page).response["violations"]
        assert not violations, [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    finally:
        context.close()
