"""YAML text is data: markup in it shows as text, and only the declared prose markup renders.

One build of the minimal data with every payload in place serves all the tests of this module (escaping is a
mechanism: the real data adds pages, not cases).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import Build, build, minimal_project
from tests.html import Html

PAYLOADS = {
    "name": "OpenCarrot <script>window.__pwned=1</script>",
    "summary": "A missile <img src=x onerror=\"window.__pwned=1\"> [click](javascript:window.__pwned=1) "
               "*hypersonic* [[npo-mash|the leader]] <b>bold</b> | pipe {#evil} &amp; `code`",
    "statement": "# not a heading\n  - not a list [x]: javascript:alert(1) <iframe src=//evil.example></iframe>",
    "alias": "[alias](javascript:window.__pwned=1) <i>italic</i> *em*",
}
# A valid web address that holds every character Markdown reads as syntax and RFC 3986 still allows.
MARKDOWN_URL = "https://example.com/*emph*_under_/(paren)!bang~tilde/'q'&amp=1;x=2+3#{frag}"


def edit(project: Path, rel: str, change) -> None:
    path = project / rel
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def inject(project: Path) -> None:
    """Payloads in OpenCarrot's name, summary and a new fact; a source whose URL is full of Markdown syntax; an
    entity whose name is a citation anchor's; optional keys left empty."""
    def software(data: dict) -> None:
        data["name"], data["summary"] = PAYLOADS["name"], PAYLOADS["summary"]
        data["aliases"] = [{"name": PAYLOADS["alias"], "named_by": PAYLOADS["alias"]}]
        data["facts"] = [{"statement": PAYLOADS["statement"], "status": "reported", "citations": [
            {"source": "sample-article", "quote": "a backdoor called OpenCarrot"}],
            "corrections": [{"date": "2026-12-09", "note": PAYLOADS["summary"]}]}]
        # correction notes for readers, dated after every other so that the feed's newest entries hold them
        data["corrections"] = [{"date": "2026-12-09", "note": PAYLOADS["summary"]}]
        data["withdrawn"] = [{"statement": PAYLOADS["statement"], "date": "2026-12-09", "reason": PAYLOADS["summary"]}]

    def group(data: dict) -> None:
        data["name"] = "Ref 1"
        data["role"] = None
        data["aliases"] = None
        data["facts"][0]["citations"][0]["locator"] = None

    edit(project, "data/software/opencarrot.yml", software)
    edit(project, "data/actors/lazarus-group.yml", group)
    (project / "data" / "sources" / "press-copy.yml").write_text(yaml.safe_dump({
        "id": "press-copy", "name": "A press copy", "summary": "A copy of the sample article on the web.",
        "publisher": "Test Press", "date": "2023-08-11", "url": MARKDOWN_URL.replace("{", "%7B").replace("}", "%7D"),
        "language": "en", "tier": "republication", "copy_of": "sample-article",
        "notes": "Read through [[npo-mash|a copy]]; *not* <b>the original</b>."}, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    project = minimal_project(tmp_path_factory.mktemp("escaping") / "project")
    inject(project)
    result = build(project)
    assert result.returncode == 0, result.output
    return result


def test_markup_in_data_is_shown_as_text_and_never_becomes_html(site: Build) -> None:
    for page_file in [site.site / "software" / "opencarrot" / "index.html", site.site / "software" / "index.html",
                      site.site / "changes" / "index.html"]:  # the correction notes are on the Changes page too
        page = Html.parse(page_file)
        assert not any("__pwned" in script for script in page.scripts)
        for tag, attrs in page.tags:
            assert tag not in ("iframe", "b") or "evil" not in str(attrs), (tag, attrs)
            assert not any(key.startswith("on") for key in attrs), (tag, attrs)
            assert not attrs.get("href", "").startswith("javascript:"), (tag, attrs)
            assert attrs.get("id") != "evil"
        assert PAYLOADS["name"] in page.article_text
    feed = (site.site / "feed.xml").read_text(encoding="utf-8")
    assert "<script" not in feed and "<img" not in feed and "&lt;img src=x onerror=" in feed
    page = Html.parse(site.site / "software" / "opencarrot" / "index.html")
    assert '<img src=x onerror="window.__pwned=1">' in page.article_text
    assert "[click](javascript:window.__pwned=1)" in page.article_text
    assert "<b>bold</b> | pipe {#evil} &amp; `code`" in page.article_text
    assert "# not a heading" in page.article_text
    assert page.article_text.count(PAYLOADS["alias"]) == 3  # in "also known as", and as name and coiner in the table
    raw = (site.site / "software" / "opencarrot" / "index.html").read_text(encoding="utf-8")
    assert "<i>italic</i>" not in raw and "<em>em</em>" not in raw


def test_only_emphasis_and_entity_links_render_in_prose(site: Build) -> None:
    text = (site.site / "software" / "opencarrot" / "index.html").read_text(encoding="utf-8")
    assert "<em>hypersonic</em>" in text
    assert '<a href="../../organizations/npo-mash/">the leader</a>' in text


def test_a_url_is_one_link_to_exactly_itself_with_its_markdown_syntax_shown_as_text(site: Build) -> None:
    url = MARKDOWN_URL.replace("{", "%7B").replace("}", "%7D")
    page = Html.parse(site.site / "sources" / "press-copy" / "index.html")
    links = [attrs for tag, attrs in page.tags if tag == "a" and "example.com" in attrs.get("href", "")]
    assert [a["href"] for a in links] == [url]  # attribute values as the browser reads them
    assert url in page.article_text
    assert not [tag for tag, attrs in page.tags if tag in ("em", "strong") and "emph" in str(attrs)]
    raw = (site.site / "sources" / "press-copy" / "index.html").read_text(encoding="utf-8")
    assert "<em>emph</em>" not in raw and "<em>under</em>" not in raw


def test_an_entity_named_like_a_citation_anchor_keeps_every_id_on_its_page_unique(site: Build) -> None:
    raw = (site.site / "actors" / "lazarus-group" / "index.html").read_text(encoding="utf-8")
    assert raw.count('id="ref-1"') == 1
    assert '<h1 id="page-title">Ref 1' in raw


def test_optional_keys_left_empty_build_as_if_left_out(site: Build) -> None:
    page = Html.parse(site.site / "actors" / "lazarus-group" / "index.html")
    assert "Role:" not in page.article_text and "None" not in page.article_text


def test_prose_fields_of_a_kind_render_their_entity_links_and_emphasis(site: Build) -> None:
    text = (site.site / "sources" / "press-copy" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../../organizations/npo-mash/">a copy</a>' in text and "<em>not</em>" in text
    assert "&lt;b&gt;the original&lt;/b&gt;" in text
