"""Pictures drawn from the data (issue 27, goal 4): the map of the incident, the key dates with their uncertainty, and
the intrusion's path; and a citation of every statement that needs no script (goal 5). Real YAML, real build, the
built HTML read as XML; the date arithmetic in-process."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from microsite.model import RELATION_TYPES
from microsite.schema import PartialDate, Period
from microsite.views import page_url, spans
from tests import rawdata
from tests.conftest import Build, check_report, minimal_project

SVG = "{http://www.w3.org/2000/svg}"
OVERVIEW = rawdata.by_id()["npo-mash-intrusion"][1]


def article(site: Build, path: str) -> str:
    page = (site.site / path).read_text(encoding="utf-8")
    return page[page.index("<article"):page.index("</article>")]


def picture(page: str, name: str) -> ET.Element:
    """The SVG of the figure of class `name`, parsed as XML (inline SVG must be well-formed to be drawn at all)."""
    start = page.index(f'<figure class="picture {name}"')
    svg = page[page.index("<svg", start):page.index("</svg>", start) + len("</svg>")]
    return ET.fromstring(svg)


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def links(svg: ET.Element) -> list[ET.Element]:
    return list(svg.iter(f"{SVG}a"))


def words(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split())


def resolves(site: Build, page: str, href: str) -> bool:
    """True if a relative link on the built page `page` (a folder's index.html) leads to a built page."""
    path, _, _ = href.partition("#")
    target = (site.site / page).parent / path / "index.html" if path else site.site / page
    return target.resolve().is_file()


# --------------------------------------------------------------------------- the map of the incident


def test_every_node_of_the_incident_map_links_to_its_page(real_site: Build) -> None:
    svg = picture(article(real_site, "index.html"), "incident-map")
    hrefs = [a.get("href") for a in links(svg)]
    assert hrefs and all(resolves(real_site, "index.html", href) for href in hrefs), hrefs
    for a in links(svg):
        assert "".join(texts(a)).strip(), f"the link to {a.get('href')} has no words"
    for entity_id in OVERVIEW["involves"]:
        folder = rawdata.by_id()[entity_id][0]
        assert f"{folder}/{entity_id}/" in hrefs, f"{entity_id} is not on the map"
    assert "events/npo-mash-intrusion/" in hrefs  # the frame is the intrusion itself


def test_the_incident_map_draws_each_relation_of_its_groups_with_the_relations_words(real_site: Build) -> None:
    page = article(real_site, "index.html")
    svg = picture(page, "incident-map")
    in_words = words(page[page.index('id="map-words"'):page.index("</details>", page.index('id="map-words"'))])
    involved = set(OVERVIEW["involves"])
    expected = 0
    for group_id in involved:
        folder, data = rawdata.by_id()[group_id]
        if folder != "actors" or data.get("type") != "hacking-group":
            continue
        for relation in data.get("relations") or []:
            if relation["target"] in involved and relation["type"] in ("compromised", "used", "linked-to", "part-of"):
                sentence = (f"{data['name']} {RELATION_TYPES[relation['type']].forward} "
                            f"{rawdata.by_id()[relation['target']][1]['name']} ({relation['status']})")
                assert sentence in in_words
                expected += 1
    labels = set(texts(svg)) & {r.forward for r in RELATION_TYPES.values()}
    assert {"broke into the networks of", "used", "is linked to", "discovered", "reported on"} <= labels
    assert expected >= 5 and len(list(svg.iter(f"{SVG}line"))) >= expected


def test_the_incident_map_groups_the_infrastructure_of_the_time_without_listing_every_value(real_site: Build) -> None:
    svg = picture(article(real_site, "index.html"), "incident-map")
    infrastructure = [a for a in links(svg) if "node--infrastructure" in a.get("class", "")]
    assert len(infrastructure) == 1 and infrastructure[0].get("href") == "actors/scarcruft/#indicators"
    scarcruft = rawdata.by_id()["scarcruft"][1]
    during = [ioc for ioc in scarcruft["indicators"] if str(ioc.get("active", {}).get("start", "")) < "2022-06"
              and ioc.get("active")]
    ips = sum(len(ioc["values"]) for ioc in during if ioc["type"] == "ip")
    domains = sum(len(ioc["values"]) for ioc in during if ioc["type"] == "domain")
    assert (ips, domains) == (2, 2)  # the intrusion's, not the later campaign's 160.202.79[.]226 or dallynk[.]com
    assert f"{ips} IP addresses, {domains} domains" in " ".join(texts(infrastructure[0])).replace("\u00a0", " ")
    drawn = " ".join(texts(svg))
    assert not any(value in drawn for ioc in scarcruft["indicators"] for value in ioc["values"])


def test_the_incident_map_has_a_name_and_a_text_equivalent(real_site: Build) -> None:
    page = article(real_site, "index.html")
    figure = page[page.index('<figure class="picture incident-map"'):page.index("</figure>",
                                                                              page.index("incident-map"))]
    assert 'aria-labelledby="map-title"' in figure and '<title id="map-title">' in figure
    assert 'role="img"' not in figure  # an image's links would be hidden from screen readers
    assert '<details class="picture-words" id="map-words">' in page and 'href="#map-words"' in figure


# --------------------------------------------------------------------------- the key dates


def months(year: int, month: int, day: int = 1) -> float:
    return year * 12 + month - 1 + (day - 1) / 31


def test_a_fuzzy_bar_covers_where_an_approximate_date_may_start_and_end() -> None:
    (s0, s1), sure, (e0, e1) = spans(Period(PartialDate(2021), "late", PartialDate(2022, 5)))
    assert (s0, s1) == pytest.approx((months(2021, 9), months(2022, 1)))  # 'late 2021': September to December
    assert sure == pytest.approx((months(2022, 1), months(2022, 5)))  # surely from January to the start of May
    assert (e0, e1) == pytest.approx((months(2022, 5), months(2022, 6)))  # ends some time in May
    (s0, s1), sure, _ = spans(Period(PartialDate(2022, 5), "mid"))
    assert sure is None and (s0, s1) == pytest.approx((months(2022, 5, 11), months(2022, 5, 21)))  # 11 to 20 May
    (s0, s1), sure, (e0, e1) = spans(PartialDate(2023, 8, 7))
    assert sure is None and s1 - s0 == pytest.approx(e1 - e0) and s1 - s0 < 0.04  # a day


def test_an_approximate_date_is_drawn_as_a_span(real_site: Build) -> None:
    svg = picture(article(real_site, "index.html"), "timeline-picture")
    moments = {a.get("href"): a for a in links(svg)}
    intrusion = moments["events/npo-mash-intrusion/"]
    assert "moment--approximate" in intrusion.get("class")
    shapes = [r.get("class") for r in intrusion.iter(f"{SVG}rect")]
    assert shapes.count("span span--fuzzy") == 2 and shapes.count("span span--sure") == 1
    assert "late 2021 – May 2022" in texts(intrusion)  # the words beside the bar
    fuzzy = [r for r in intrusion.iter(f"{SVG}rect") if "fuzzy" in r.get("class")]
    sure = next(r for r in intrusion.iter(f"{SVG}rect") if "sure" in r.get("class"))
    assert float(fuzzy[0].get("y")) < float(sure.get("y")) < float(fuzzy[1].get("y"))  # may start, runs, may end
    disclosure = moments["events/public-disclosure-2023-08-07/"]
    assert "moment--approximate" not in disclosure.get("class")
    assert list(disclosure.iter(f"{SVG}circle")) and not list(disclosure.iter(f"{SVG}rect"))


def test_every_key_date_is_on_the_time_line_in_order_and_named_for_screen_readers(real_site: Build) -> None:
    svg = picture(article(real_site, "index.html"), "timeline-picture")
    key = [data for folder, data in rawdata.entities() if folder == "events" and data.get("key")]
    hrefs = [a.get("href") for a in links(svg)]
    assert sorted(hrefs) == sorted(f"events/{data['id']}/" for data in key)
    desc = svg.find(f"{SVG}desc").text
    assert all(data["name"] in desc for data in key) and "(approximate)" in desc
    marks = [float(next(a.iter(f"{SVG}text")).get("y")) for a in links(svg)]
    assert marks == sorted(marks)


# --------------------------------------------------------------------------- the intrusion's path


def steps() -> list[dict]:
    return OVERVIEW["steps"]


def test_every_step_of_the_intrusion_path_is_drawn_and_listed_with_its_sources_words(real_site: Build) -> None:
    page = article(real_site, "events/npo-mash-intrusion/index.html")
    svg = picture(page, "intrusion-path")
    nodes = [a for a in links(svg) if "node" in a.get("class", "")]
    assert [a.get("href") for a in nodes] == [f"#step-{i}" for i in range(1, len(steps()) + 1)]
    for index, step in enumerate(steps(), 1):
        assert f'id="step-{index}"' in page
        item = page[page.index(f'id="step-{index}"'):]
        item = words(item[:item.index("</li>")])
        assert step["label"] in item
        for citation in step.get("citations") or []:
            assert f"“{' '.join(citation['quote'].split())}”" in item, f"step {index} lacks its source's words"
    lanes = {a.get("href") for a in links(svg) if a.get("class") == "lane-head"}
    assert lanes == {"../../actors/scarcruft/", "../../actors/lazarus-group/"}


def test_an_undescribed_step_of_the_intrusion_path_says_so(real_site: Build) -> None:
    page = article(real_site, "events/npo-mash-intrusion/index.html")
    svg = picture(page, "intrusion-path")
    nodes = {a.get("href"): a for a in links(svg) if "node" in a.get("class", "")}
    silent = [i for i, s in enumerate(steps(), 1) if s.get("known") is False and not s.get("citations")]
    unknown = [i for i, s in enumerate(steps(), 1) if s.get("known") is False and s.get("citations")]
    assert silent and unknown
    for index in silent:
        assert "node--unknown" in nodes[f"#step-{index}"].get("class")
        assert "not described by the sources" in " ".join(texts(nodes[f"#step-{index}"]))
        item = page[page.index(f'id="step-{index}"'):]
        assert "not described by the sources" in item[:item.index("</li>")]
    for index in unknown:
        assert "node--unknown" in nodes[f"#step-{index}"].get("class") and "not known" in texts(nodes[f"#step-{index}"])
    known = [i for i, s in enumerate(steps(), 1) if s.get("known", True)]
    assert all("node--unknown" not in nodes[f"#step-{i}"].get("class") for i in known)


def test_a_known_step_without_a_source_is_refused_with_its_file_and_line(tmp_path: Path) -> None:
    project = minimal_project(tmp_path / "project")
    event = project / "data" / "events" / "intrusion.yml"
    event.write_text(event.read_text(encoding="utf-8") + "steps:\n  - label: The backdoor ran\n", encoding="utf-8")
    report = check_report(project)
    assert "data/events/intrusion.yml" in report and "a known step of the path needs at least one citation" in report
    event.write_text(event.read_text(encoding="utf-8") + "    known: false\n", encoding="utf-8")
    assert check_report(project).startswith("data OK")


def test_the_home_page_links_to_the_map_and_to_the_intrusion_path(real_site: Build) -> None:
    home = article(real_site, "index.html")
    assert 'href="#map"' in home and 'href="events/npo-mash-intrusion/#path"' in home
    assert 'id="path"' in article(real_site, "events/npo-mash-intrusion/index.html")


def test_a_page_url_is_the_published_address_relative_to_the_page() -> None:
    assert page_url("index.md", "actors/scarcruft.md") == "actors/scarcruft/"
    assert page_url("events/npo-mash-intrusion.md", "actors/scarcruft.md", "indicators") == \
        "../../actors/scarcruft/#indicators"
    assert page_url("index.md", "index.md", "map") == "#map" and page_url("index.md", "index.md") == "./"


# --------------------------------------------------------------------------- citing without scripts


def test_a_statement_carries_its_citation_in_words_for_readers_without_scripts(real_site: Build) -> None:
    page = article(real_site, "actors/scarcruft/index.html")
    item = re.search(r'<span class="anchor" id="(f-[0-9a-f]{8})"></span>(.*?)<span class="cite-text">(.*?)</span>',
                     page, re.S)
    assert item
    anchor, citation = item.group(1), words(item.group(3))
    assert citation.startswith("Cite as: “") and f"actors/scarcruft/#{anchor}" in citation
    assert ", ScarCruft, " in citation and "Sources: " in citation
    css = (real_site.site / "assets" / "site.css").read_text(encoding="utf-8")
    assert ".md-typeset .cite-text { display: none; }" in css and "span.anchor:target) > .cite-text" in css


HOSTILE = '<img src=x onerror="window.__pwned=1"> [x](javascript:alert(1)) *em* & {#evil}'


def test_markup_in_a_step_or_a_technique_name_is_drawn_as_text(tmp_path: Path) -> None:
    from tests.conftest import build
    from tests.html import Html

    project = minimal_project(tmp_path / "project")
    event = project / "data" / "events" / "intrusion.yml"
    event.write_text(event.read_text(encoding="utf-8") + f"steps:\n  - label: '{HOSTILE}'\n    known: false\n",
                     encoding="utf-8")
    group = project / "data" / "actors" / "lazarus-group.yml"
    group.write_text(group.read_text(encoding="utf-8") + (
        f"techniques:\n  - id: T1105\n    name: '{HOSTILE}'\n    tactic: command-and-control\n    basis: inferred\n"
        "    citation:\n      source: sample-article\n"
        "      quote: The Lazarus Group may have used a backdoor called OpenCarrot.\n"), encoding="utf-8")
    result = build(project)
    assert result.returncode == 0, result.output
    for path in ("events/intrusion/index.html", "actors/lazarus-group/index.html", "data-model/index.html"):
        page = Html.parse(result.site / path)
        assert not any(tag == "img" or any(key.startswith("on") for key in attrs) or attrs.get("id") == "evil"
                       or attrs.get("href", "").startswith("javascript:") for tag, attrs in page.tags), path
        assert '<img src=x onerror="window.__pwned=1">' in page.article_text, path
