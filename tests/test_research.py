"""Research views: seed coverage, disagreements, certainty and verification marks, on the built HTML."""

from __future__ import annotations

import html
import re

import pytest

from microsite.render import LANGUAGES
from tests import rawdata
from tests.conftest import Build, build, minimal_project
from tests.html import Html, resolve
from tests.test_nothing_lost import plain
from tests.test_readers import article

SEED = next(d for f, d in rawdata.entities() if f == "sources" and str(d.get("archive", "")).startswith("seeds/"))


def rows(page: str) -> list[list[str]]:
    """The cells of every table row of a built page, as HTML."""
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)]


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def seed_sentences() -> list[str]:
    """The seed's sentences, split here independently of the site's own splitter."""
    raw = (rawdata.ROOT / SEED["archive"]).read_text(encoding="utf-8")
    sentences = []
    for line in raw.splitlines():
        sentences += [s for s in re.split(r"(?<=[.!?”])\s+", line.strip()) if s]
    return sentences


def test_every_seed_sentence_is_cited_by_a_fact_or_listed_with_a_reason(real_site: Build) -> None:
    page = (real_site.site / "coverage" / "index.html").read_text(encoding="utf-8")
    table = {text(cells[0]): cells[1] for cells in rows(page) if len(cells) == 2}
    for sentence in seed_sentences():
        row = next((cell for key, cell in table.items() if sentence[:40] in key), None)
        assert row is not None, f"sentence missing from the coverage page: {sentence!r}"
        assert "<a href=" in row or "not cited:" in row, f"neither cited nor explained: {sentence!r}"


DISPUTE = """  - statement: Who deployed OpenCarrot is told differently.
    status: disputed
    positions:
      - claim: The Lazarus Group did.
        citations:
          - source: sample-article
            quote: The Lazarus Group may have used a backdoor called OpenCarrot.
      - claim: ScarCruft did, says a second report.
        citations:
          - source: second-report
            quote: ScarCruft deployed OpenCarrot.
"""
SECOND = """id: second-report
name: Second report
summary: A later report.
publisher: Other Press
url: https://example.org/second-report
language: en
tier: news-report
"""


@pytest.fixture(scope="module")
def disputed(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The minimal project with one disputed fact, each side on a source of its own, built once for the module."""
    project = minimal_project(tmp_path_factory.mktemp("disputed") / "project")
    data = project / "data" / "actors" / "lazarus-group.yml"
    data.write_text(data.read_text(encoding="utf-8").replace("facts:\n", "facts:\n" + DISPUTE, 1), encoding="utf-8")
    (project / "data" / "sources" / "second-report.yml").write_text(SECOND, encoding="utf-8")
    result = build(project)
    assert result.returncode == 0, result.output
    return result


def test_a_disputed_fact_is_shown_as_a_disagreement_with_each_side_and_its_sources(disputed: Build) -> None:
    """Two sources that answer one question differently: each side with its claim and its quote."""
    text = disputed.page("actors/lazarus-group.md").article_text
    assert "Who deployed OpenCarrot is told differently." in text and "Sources disagree:" in text
    for claim in ("The Lazarus Group did.", "ScarCruft did, says a second report.", "ScarCruft deployed OpenCarrot.",
                  "The Lazarus Group may have used a backdoor called OpenCarrot."):
        assert claim in text


def test_the_disagreements_page_lists_a_dispute_side_by_side_with_sources_and_quotes(disputed: Build) -> None:
    page = article(disputed, "disagreements/index.html")
    assert "No fact is disputed" not in page and "Who deployed OpenCarrot is told differently." in page
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*</tr>", page, re.S)
    assert len(rows) == 2
    (side1, source1, quote1), (side2, source2, quote2) = rows
    assert "The Lazarus Group did." in side1 and 'href="../sources/sample-article/"' in source1
    assert "may have used a backdoor called OpenCarrot" in quote1
    assert "ScarCruft did" in side2 and 'href="../sources/second-report/"' in source2 and "ScarCruft deployed" in quote2
    assert 'href="../actors/lazarus-group/"' in page


def test_every_reference_shows_one_check_state_and_verified_only_for_archived_sources(real_site: Build) -> None:
    archived = {i for i, (f, d) in rawdata.by_id().items() if f == "sources" and d.get("archive")}
    states = re.compile(r'class="quote-state quote-state--([a-z-]+)"')
    for folder, data in rawdata.entities():
        page_file = real_site.site / folder / data["id"] / "index.html"
        for item in re.findall(r'<li><span id="ref-\d+"></span>(.*?)</li>', page_file.read_text(encoding="utf-8"), re.S):
            target, _ = resolve(real_site.site, page_file, re.search(r'href="([^"]*)"', item).group(1))
            [state] = states.findall(item)
            assert (state == "verified") == (target.parent.name in archived), f"{data['id']}: {text(item)}"


def test_the_certainty_page_explains_every_status_the_data_uses(real_site: Build) -> None:
    page = Html.parse(real_site.site / "certainty" / "index.html")
    used = {fact["status"] for _, data in rawdata.entities() for fact in data.get("facts") or []}
    assert used and used <= page.ids


def test_each_alias_is_a_row_of_the_names_table_with_who_coined_it_and_who_uses_it(real_site: Build) -> None:
    for folder, data in rawdata.entities():
        if not data.get("aliases"):
            continue
        raw = (real_site.site / folder / data["id"] / "index.html").read_text(encoding="utf-8")
        names = raw[raw.index('id="names"'):]
        rows = [html.unescape(re.sub(r"<[^>]+>", "|", row)) for row in re.findall(r"<tr>(.*?)</tr>", names, re.S)]
        for alias in data["aliases"]:
            row = next((r for r in rows if f"|{alias['name']}|" in r.replace("\n", "")), None)
            assert row is not None, f"{data['id']}: no row for {alias['name']}"
            for key in ("named_by", "used_by"):
                assert str(alias.get(key) or "") in row, f"{data['id']}: {alias['name']} lacks its {key}"
            if alias.get("lang"):  # the language by its name: 'en' reads 'English'
                assert f"|{LANGUAGES.get(alias['lang'], alias['lang'])}|" in row, f"{data['id']}: {alias['name']}"


def test_indicators_sit_only_on_groups_software_and_reports_and_each_shows_on_its_owners_page(real_site: Build) -> None:
    owners = {(folder, data["id"]): data for folder, data in rawdata.entities() if data.get("indicators")}
    assert owners, "no indicators in the data"
    for (folder, entity_id), data in owners.items():
        assert folder in ("software", "sources") or (folder == "actors" and data["type"] == "hacking-group"), entity_id
        page = Html.parse(real_site.site / folder / entity_id / "index.html")
        for block in data["indicators"]:
            assert all(value in page.article_text for value in block["values"]), entity_id


def test_every_reference_says_what_its_source_is_before_its_quote(real_site: Build) -> None:
    from microsite.model import SOURCE_TIERS

    labels = {label for label, _ in SOURCE_TIERS.values()}
    for folder, data in rawdata.entities():
        page = (real_site.site / folder / data["id"] / "index.html").read_text(encoding="utf-8")
        references = page.split('id="references"', 1)[1] if 'id="references"' in page else ""
        items = re.findall(r"<li>(.*?)</li>", references, re.S)
        for item in items:
            tier = re.search(r'class="tier tier--[a-z-]+"[^>]*>([^<]+)</a>', item)
            assert tier and tier.group(1) in labels and item.index(tier.group(0)) < item.index("“"), (data["id"], item)


def test_a_fact_that_rests_only_on_secondary_sources_says_so_and_no_other_does(real_site: Build) -> None:
    from microsite import check
    from microsite.model import SECONDARY_TIERS
    from microsite.render import effective_tier
    from tests.conftest import ROOT

    graph = check(ROOT)
    said = 0
    for entity in graph.entities.values():
        text = Html.parse(real_site.site / entity.path.removesuffix(".md") / "index.html").article_text
        for fact in entity.facts:
            sources = [c.source.id for c in fact.citations] + [c.source.id for p in fact.positions for c in p.citations]
            secondary = all(effective_tier(graph, graph.get(s)) in SECONDARY_TIERS for s in sources)
            shown = plain(fact.statement)
            at = text.index(shown[:60], text.index("Facts¶"))
            assert ("secondary sources only" in text[at:at + len(shown) + 120]) is secondary, (entity.id, shown)
            said += secondary
    assert said > 0
