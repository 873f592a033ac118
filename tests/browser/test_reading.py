"""What a reader does in a real browser: follow links, search, follow a citation, look at a diagram."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests import rawdata
from tests.browser.conftest import ENTITY_PAGES, Reader, search

# Entities on either end of a relation: their pages draw a diagram of their relations.
RELATED = {id for _, data in rawdata.entities() for relation in data.get("relations") or []
           for id in (data["id"], relation["target"])}
ARCHIVED = sorted(i for i, (folder, data) in rawdata.by_id().items() if folder == "sources" and data.get("archive"))


def heading(page: Page) -> Locator:
    return page.locator("article h1")


def expect_page(page: Page, url: str, name: str) -> None:
    """The browser is at `url` and the page's h1 reads `name` (followed only by its permalink sign)."""
    expect(page).to_have_url(url)
    expect(heading(page)).to_have_count(1)
    expect(heading(page)).to_have_text(re.compile(rf"^\s*{re.escape(name)}\s*¶?\s*$"))


def relations_list(page: Page) -> Locator:
    return page.locator("article h2#relations + ul")


def a_walk() -> tuple[dict, dict, dict]:
    """From the data: an actor that compromised or targeted an organization that is related to a weapon."""
    ids = rawdata.by_id()
    actors = [data for folder, data in rawdata.entities() if folder == "actors"]
    for actor in actors:
        for relation in actor.get("relations") or []:
            org_folder, org = ids[relation["target"]]
            if relation["type"] not in ("compromised", "targeted") or org_folder != "organizations":
                continue
            for onward in org.get("relations") or []:
                weapon_folder, weapon = ids[onward["target"]]
                if weapon_folder == "weapons":
                    return actor, org, weapon
    raise AssertionError("no actor → organization it compromised or targeted → weapon chain in data/")


def test_a_reader_clicks_from_home_to_an_actor_to_the_organization_it_broke_into_to_a_weapon(desktop: Reader) -> None:
    actor, org, weapon = a_walk()
    page = desktop.open("")
    expect(page).to_have_url(desktop.url(""))

    # The Explore table of the home page is one way in (the sidebar is another).
    actors_link = page.locator("article").get_by_role("link", name="Actors", exact=True)
    expect(actors_link).to_have_count(1)
    actors_link.click()
    expect_page(page, desktop.url("actors/"), "Actors")

    page.locator("article").get_by_role("link", name=actor["name"], exact=True).click()
    expect_page(page, desktop.url(f"actors/{actor['id']}/"), actor["name"])

    relations_list(page).get_by_role("link", name=org["name"], exact=True).click()
    expect_page(page, desktop.url(f"organizations/{org['id']}/"), org["name"])

    relations_list(page).get_by_role("link", name=weapon["name"], exact=True).click()
    expect_page(page, desktop.url(f"weapons/{weapon['id']}/"), weapon["name"])
    assert not desktop.console_errors and not desktop.page_errors, desktop.console_errors + desktop.page_errors


def test_searching_an_alias_finds_the_entity_that_carries_it(desktop: Reader) -> None:
    page = desktop.open("", settle=True)
    results = search(page, "APT37")
    scarcruft = results.filter(has=page.locator("h1", has_text=re.compile(r"^\s*ScarCruft\s*$")))
    expect(scarcruft).to_have_count(1)
    # Material adds ?h=<query> so the target page highlights the search term.
    expect(scarcruft).to_have_attribute("href", re.compile(rf"^{re.escape(desktop.url('actors/scarcruft/'))}(\?h=apt37)?$"))

    scarcruft.click()
    expect(heading(page)).to_have_text(re.compile(r"^\s*ScarCruft\s*¶?\s*$"))
    expect(page.locator("article mark", has_text="APT37").first).to_be_visible()
    assert not desktop.csp_violations() and not desktop.page_errors, desktop.csp_violations() + desktop.page_errors


def an_entity_citing(source_id: str) -> tuple[str, dict]:
    for folder, data in rawdata.entities():
        if folder != "sources" and any(c["source"] == source_id for c in rawdata.citations(data)):
            return folder, data
    raise AssertionError(f"nothing cites {source_id}")


@pytest.mark.parametrize("source_id", ARCHIVED)
def test_a_citation_marker_leads_to_its_reference_and_its_passage_link_to_the_highlighted_quote(
    desktop: Reader, source_id: str
) -> None:
    folder, entity = an_entity_citing(source_id)
    page = desktop.open(f"{folder}/{entity['id']}/")

    reference = page.locator("article h2#references + ol > li").filter(
        has=page.locator(f'a[href*="sources/{source_id}/#q-"]')).first
    ref_id = reference.locator("span[id^='ref-']").get_attribute("id")
    page.locator(f"article sup.cite a[href='#{ref_id}']").first.click()
    expect(page).to_have_url(desktop.url(f"{folder}/{entity['id']}/#{ref_id}"))
    expect(reference).to_be_in_viewport()

    passage = reference.get_by_role("link", name="passage", exact=True)
    fragment = passage.get_attribute("href").partition("#")[2]
    passage.click()
    expect(page).to_have_url(desktop.url(f"sources/{source_id}/#{fragment}"))
    target = page.locator(":target")
    expect(target).to_have_count(1)
    expect(target).to_have_attribute("id", fragment)
    mark = page.locator(f"mark#{fragment}, mark:has(> span#{fragment})")
    expect(mark, f"#{fragment} is not a highlighted <mark> nor inside one").to_have_count(1)
    expect(mark).to_be_in_viewport()


@pytest.mark.parametrize("kind", [kind for kind, path in ENTITY_PAGES.items() if path.split("/")[1] in RELATED])
def test_the_relationship_diagram_renders_with_a_size_and_a_text_equivalent(desktop: Reader, kind: str) -> None:
    page = desktop.open(ENTITY_PAGES[kind])
    name = heading(page).evaluate("h => h.firstChild.textContent").strip()
    svg = page.locator("article figure.relations-diagram svg")
    expect(svg).to_have_count(1)
    expect(svg).to_be_visible()
    box = svg.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100, f"diagram box {box}"
    nodes = svg.locator("g.node")
    assert nodes.count() >= 2
    for i in range(nodes.count()):
        node = nodes.nth(i).bounding_box()
        assert node and node["width"] > 0 and node["height"] > 0, f"node {i} has box {node}"

    title = (svg.locator(":scope > title").text_content() or "").strip()
    desc = (svg.locator(":scope > desc").text_content() or "").strip()
    assert name in title, f"svg title {title!r} does not name {name!r}"
    assert name in desc, f"svg desc {desc!r} does not name {name!r}"
    # What a screen reader announces for the image: its title and its description, by aria-labelledby.
    expect(svg).to_have_role("img")
    expect(svg).to_have_accessible_name(" ".join(f"{title} {desc}".split()))


@pytest.mark.parametrize("source_id", ARCHIVED)
def test_every_passage_anchor_of_an_archived_source_outlines_its_quote_when_followed(desktop: Reader, source_id: str) -> None:
    page = desktop.open(f"sources/{source_id}/")
    anchors = page.locator("article p.archive [id^='q-']").evaluate_all("nodes => nodes.map(n => n.id)")
    assert anchors, f"sources/{source_id}/ has no passage anchors"
    wrong = []
    for anchor in anchors:
        page.evaluate("id => { location.hash = id; }", anchor)
        state = page.evaluate(
            """id => {
                const target = document.querySelector(':target');
                const mark = target && target.closest('mark');
                const box = mark && mark.getBoundingClientRect();
                return {
                    target: target && target.id,
                    outline: mark && getComputedStyle(mark).outlineStyle,
                    visible: !!box && box.bottom > 0 && box.top < innerHeight,
                };
            }""",
            anchor,
        )
        if state != {"target": anchor, "outline": "solid", "visible": True}:
            wrong.append(f"#{anchor}: {state}")
    assert not wrong, f"{len(wrong)} of {len(anchors)} passages not shown when followed:\n" + "\n".join(wrong)
