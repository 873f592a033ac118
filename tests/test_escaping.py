"""YAML text is data: markup in it shows as text, and only the declared prose markup renders."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.conftest import build
from tests.html import Html

PAYLOADS = {
    "name": "Zircon <script>window.__pwned=1</script>",
    "summary": "A missile <img src=x onerror=\"window.__pwned=1\"> [click](javascript:window.__pwned=1) "
               "*hypersonic* [[kim-jong-un|the leader]] <b>bold</b> | pipe {#evil} &amp; `code`",
    "statement": "# not a heading\n  - not a list [x]: javascript:alert(1) <iframe src=//evil.example></iframe>",
}


def inject(project: Path) -> None:
    """Put the payloads into Zircon's name, summary and a new fact."""
    path = project / "data" / "weapons" / "zircon.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["name"], data["summary"] = PAYLOADS["name"], PAYLOADS["summary"]
    data["facts"].append({"statement": PAYLOADS["statement"], "status": "reported", "citations": [
        {"source": "seed-article-2023-08-10", "quote": "Zirkon hypersonic missile"}]})
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_markup_in_data_is_shown_as_text_and_never_becomes_html(project: Path) -> None:
    inject(project)
    result = build(project)
    assert result.returncode == 0, result.output
    for page_file in [result.site / "weapons" / "zircon" / "index.html", result.site / "weapons" / "index.html"]:
        page = Html.parse(page_file)
        assert not any("__pwned" in script for script in page.scripts)
        for tag, attrs in page.tags:
            assert tag not in ("iframe", "b") or "evil" not in str(attrs), (tag, attrs)
            assert not any(key.startswith("on") for key in attrs), (tag, attrs)
            assert not attrs.get("href", "").startswith("javascript:"), (tag, attrs)
            assert attrs.get("id") != "evil"
        assert "Zircon <script>window.__pwned=1</script>" in page.article_text
    page = Html.parse(result.site / "weapons" / "zircon" / "index.html")
    assert '<img src=x onerror="window.__pwned=1">' in page.article_text
    assert "[click](javascript:window.__pwned=1)" in page.article_text
    assert "<b>bold</b> | pipe {#evil} &amp; `code`" in page.article_text
    assert "# not a heading" in page.article_text


def test_only_emphasis_and_entity_links_render_in_prose(project: Path) -> None:
    inject(project)
    result = build(project)
    html = (result.site / "weapons" / "zircon" / "index.html").read_text(encoding="utf-8")
    assert "<em>hypersonic</em>" in html
    assert '<a href="../../actors/kim-jong-un/">the leader</a>' in html
