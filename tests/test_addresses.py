"""The published site names its own address: sitemap, canonical links, the feed and the STIX bundles are absolute."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from tests.conftest import Build, build, minimal_project

SITE_URL = "https://editors.example.org/npo-mash/"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """A minimal project built as CI builds the site it publishes: with SITE_URL."""
    result = build(minimal_project(tmp_path_factory.mktemp("published") / "project"), SITE_URL=SITE_URL)
    assert result.returncode == 0, result.output
    return result


def pages(site: Path) -> list[Path]:
    return list(site.rglob("index.html"))


def test_the_sitemap_lists_every_page_at_its_published_address(published: Build) -> None:
    urls = [loc.text for loc in ET.parse(published.site / "sitemap.xml").getroot().iter()
            if loc.tag.endswith("loc")]
    expected = {SITE_URL + ("" if (path := p.parent.relative_to(published.site).as_posix()) == "." else f"{path}/")
                for p in pages(published.site)}
    assert sorted(urls) == sorted(expected) and len(urls) > 10


def test_every_page_has_a_canonical_link_to_its_own_address(published: Build) -> None:
    for page in pages(published.site):
        canonical = re.findall(r'<link rel="canonical" href="([^"]+)"', page.read_text(encoding="utf-8"))
        path = page.parent.relative_to(published.site).as_posix()
        assert canonical == [SITE_URL + ("" if path == "." else f"{path}/")], page


def test_the_feed_links_are_absolute(published: Build) -> None:
    feed = feedparser.parse((published.site / "feed.xml").read_bytes())
    assert feed.feed.id == SITE_URL + "feed.xml"
    assert {link.href for link in feed.feed.links} == {SITE_URL + "feed.xml", SITE_URL + "changes/"}


def test_the_stix_bundles_link_each_object_to_its_page(published: Build) -> None:
    bundle = json.loads((published.site / "downloads" / "incident.stix.json").read_text(encoding="utf-8"))
    own = [ref["url"] for obj in bundle["objects"] for ref in obj.get("external_references", [])
           if ref.get("source_name") == published.project.name or ref.get("url", "").startswith(SITE_URL)]
    assert own and all(url.startswith(SITE_URL) for url in own)


def test_a_local_build_uses_the_address_make_serve_serves(real_site: Build) -> None:
    """The session's real site is built as a local build is: without SITE_URL."""
    assert '<link rel="canonical" href="http://127.0.0.1:8000/">' in (real_site.site / "index.html").read_text(encoding="utf-8")
