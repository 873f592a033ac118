"""Readers first (issue 27): the home page as a front page, the About and Disagreements pages, the menu for readers."""

from __future__ import annotations

import re
from pathlib import Path

from tests import rawdata
from tests.conftest import REPO_URL, Build

OVERVIEW = rawdata.by_id()["npo-mash-intrusion"][1]


def article(site: Build, path: str) -> str:
    html = (site.site / path).read_text(encoding="utf-8")
    return html[html.index("<article"):html.index("</article>")]


def test_the_home_page_links_every_entity_its_lead_involves(real_site: Build) -> None:
    home = article(real_site, "index.html")
    line = home[home.index('class="whos-who"'):]
    line = line[:line.index("</p>")]
    for entity_id in OVERVIEW["involves"]:
        folder, data = rawdata.by_id()[entity_id]
        assert f'href="{folder}/{entity_id}/"' in line, f"{data['name']} is not linked on the home page"
    assert "(hacking group)" in line and "hacking-group" not in line


def test_the_home_page_has_an_at_a_glance_box_each_value_linked_and_cited(real_site: Build) -> None:
    home = article(real_site, "index.html")
    box = home[home.index("At a glance"):]
    box = box[:box.index("</div>")]
    rows = {m.group(1): m.group(2) for m in re.finditer(r"<li><strong>([^<]+):</strong>(.*?)</li>", box, re.S)}
    assert list(rows) == ["Who", "When", "Target", "Malware", "Discovered", "Disclosed", "Not known"]
    for label, row in rows.items():
        assert 'class="cite"' in row, f"the row {label} cites nothing"
    for label in ("Who", "Target", "Malware", "Discovered", "Disclosed"):
        assert '<a href="' in rows[label].split('class="cite"')[0], f"the row {label} links nothing"
    assert 'href="actors/scarcruft/"' in rows["Who"] and 'href="actors/lazarus-group/"' in rows["Who"]
    assert 'href="software/opencarrot/"' in rows["Malware"]
    assert "7 August 2023" in rows["Disclosed"] and "late 2021" in rows["When"]


def test_the_overview_pages_are_linked_near_the_top_of_home_and_the_sidebar_shows(real_site: Build) -> None:
    html = (real_site.site / "index.html").read_text(encoding="utf-8")
    home = article(real_site, "index.html")
    links = home[home.index('class="front-links"'):]
    links = links[:links.index("</p>")]
    assert home.index('class="front-links"') < home.index("two hacking groups")  # before the lead
    for target in ("disagreements/", "indicators/", "downloads/", "changes/", "about/"):
        assert f'href="{target}"' in links
    sidebar = re.search(r'<div class="md-sidebar md-sidebar--primary"[^>]*>', html)
    assert sidebar and "hidden" not in sidebar.group(0)


def test_the_menu_puts_the_editors_pages_in_one_section_after_the_readers_pages(real_site: Build) -> None:
    html = (real_site.site / "index.html").read_text(encoding="utf-8")
    nav = html[html.index('class="md-nav md-nav--primary"'):]
    editors = nav.index("Adding facts")
    for page in ("data-model/", "coverage/"):
        assert nav.index(f'href="{page}"') > editors
    for page in ("about/", "disagreements/", "certainty/"):
        assert nav.index(f'href="{page}"') < editors
    assert "Seed coverage" not in html and "How the seed article is covered" in nav


def test_the_about_page_says_who_how_licence_citation_and_where_to_report(real_site: Build) -> None:
    about = article(real_site, "about/index.html")
    for heading in ("Who maintains it", "Method", "Licence", "How to cite this site", "Report an error"):
        assert heading in about
    assert "CC BY 4.0" in about and "MIT licence" in about
    assert 'href="../certainty/"' in about and 'href="../disagreements/"' in about
    assert "NPO Mash: North Korean hackers in a Russian missile maker" in about
    assert (Path(__file__).parent.parent / "LICENSE").read_text(encoding="utf-8").count("CC BY 4.0") == 1


def test_the_about_page_sends_error_reports_to_the_repositorys_issues(edited_site: Build) -> None:
    about = article(edited_site, "about/index.html")  # built with REPO_URL
    assert f'href="{REPO_URL}/issues"' in about


def test_the_disagreements_page_says_plainly_that_nothing_is_disputed(real_site: Build) -> None:
    page = article(real_site, "disagreements/index.html")
    assert "No fact is disputed at present." in page


def test_labels_are_words_not_field_names_or_codes(real_site: Build) -> None:
    seed = article(real_site, "sources/seed-article-2023-08-10/index.html")
    assert "<strong>Address:</strong>" in seed and "<strong>Url:</strong>" not in seed
    assert "<strong>Language:</strong> English" in seed and "<strong>Translated from:</strong> German" in seed
    scarcruft = article(real_site, "actors/scarcruft/index.html")
    assert "hacking group" in scarcruft and "hacking-group" not in scarcruft
    hegel = article(real_site, "assessments/hegel-rare-glimpse/index.html")
    assert ")- <strong>Topic" not in hegel and "<li><strong>Topic:</strong>" in hegel


def test_the_colour_scheme_follows_the_system_with_a_toggle(real_site: Build) -> None:
    html = (real_site.site / "index.html").read_text(encoding="utf-8")
    assert 'data-md-color-media="(prefers-color-scheme: dark)"' in html and 'data-md-color-scheme="slate"' in html
    assert "Switch to the dark scheme" in html
    css = (real_site.site / "assets" / "site.css").read_text(encoding="utf-8")
    assert '[data-md-color-scheme="slate"] .md-typeset a.status--assessed' in css


def test_every_entity_page_opens_with_the_summary_box_its_kind_declares(real_site: Build) -> None:
    from microsite.model import KINDS
    for kind in KINDS.values():
        if not kind.infobox:
            continue
        for folder, data in rawdata.entities():
            if folder != kind.plural:
                continue
            page = article(real_site, f"{folder}/{data['id']}/index.html")
            assert "In brief" in page, f"{folder}/{data['id']} has no summary box"
            assert page.index("In brief") < page.index('id="facts"') if 'id="facts"' in page else True
    scarcruft = article(real_site, "actors/scarcruft/index.html")
    box = scarcruft[scarcruft.index("In brief"):]
    box = box[:box.index("</div>")]
    rows = {m.group(1): m.group(2) for m in re.finditer(r"<li><strong>([^<]+):</strong>(.*?)</li>", box, re.S)}
    assert rows["Type"].strip() == "hacking group"
    assert "APT37" in rows["Also known as"] and 'class="cite"' in rows["Also known as"]
    assert 'href="../../organizations/npo-mashinostroyeniya/"' in rows["Broke into"]
    assert 'class="cite"' in rows["Broke into"] and "status--assessed" in rows["Broke into"]
    assert 'href="../../software/rokrat/"' in rows["Tools and malware"]
    assert "Also known as:</strong> APT37" not in scarcruft.split("In brief")[1].split("</div>", 1)[1]  # not twice
    opencarrot = article(real_site, "software/opencarrot/index.html")
    assert "Used by:" in opencarrot and 'href="../../actors/lazarus-group/"' in opencarrot


def test_the_timeline_says_how_exactly_each_date_is_known_in_words(real_site: Build) -> None:
    timeline = article(real_site, "events/index.html")
    assert "Precision" not in timeline and "<th>Known to the</th>" in timeline
    assert "<td>year (approximate)</td>" in timeline and ", approximate" not in timeline


def test_statements_have_anchors_from_what_they_say_and_markers_preview_their_quote(real_site: Build) -> None:
    import hashlib
    data = rawdata.by_id()["scarcruft"][1]
    page = article(real_site, "actors/scarcruft/index.html")
    statement = " ".join(data["facts"][0]["statement"].split())
    anchor = "f-" + hashlib.sha256(statement.encode("utf-8")).hexdigest()[:8]
    assert f'<span class="anchor" id="{anchor}"></span>' in page and f'href="#{anchor}"' in page
    relation = data["relations"][0]
    rid = "r-" + hashlib.sha256("\x1f".join(["scarcruft", relation["type"], relation["target"]]).encode()).hexdigest()[:8]
    target = article(real_site, f"{rawdata.by_id()[relation['target']][0]}/{relation['target']}/index.html")
    assert f'id="{rid}"' in page and f'id="{rid}"' in target  # one anchor for one relation, on both its pages
    markers = re.findall(r'<sup class="cite"><a href="#ref-\d+" title="([^"]+)">', page)
    assert markers and all("“" in title for title in markers)
    config = (Path(__file__).parent.parent / "mkdocs.yml").read_text(encoding="utf-8")
    assert "assets/cite.js" in config and "assets/tables.js" in config


def test_an_assessment_page_gives_its_judgement_an_anchor_and_a_cite_link(real_site: Build) -> None:
    page = article(real_site, "assessments/hegel-rare-glimpse/index.html")
    anchor = re.search(r'<span class="anchor" id="(a-[0-9a-f]{8})"></span>“', page)
    assert anchor and f'<a class="cite-this" href="#{anchor.group(1)}"' in page


def test_the_home_page_pictures_the_key_dates_as_an_accessible_svg(real_site: Build) -> None:
    home = article(real_site, "index.html")
    figure = home[home.index('<figure class="picture timeline-picture"'):home.index("</figure>",
                                                                                  home.index("timeline-picture"))]
    assert 'role="group"' in figure and 'aria-labelledby="timeline-title timeline-desc"' in figure  # links stay links
    key = [data for folder, data in rawdata.entities() if folder == "events" and data.get("key")]
    desc = figure[figure.index("<desc"):figure.index("</desc>")]
    for data in key:
        assert data["name"] in desc.replace("&#39;", "'")
    assert figure.count('<a href="events/') == len(key)  # each key date links to its page (tests/test_pictures.py)
