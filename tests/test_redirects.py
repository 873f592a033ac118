"""Pages that move or are written by hand: old URLs redirect, a hand-written page wins, nothing is replaced."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import build
from tests.test_links import sitecheck


def test_a_renamed_entity_keeps_its_old_url_as_a_redirect(project: Path) -> None:
    for path in (project / "data").rglob("*.yml"):
        text = re.sub(r"\bkim-jong-un\b(?!-)", "kim-jong-un-renamed", path.read_text(encoding="utf-8"))
        path.write_text(text, encoding="utf-8")
    old = project / "data" / "actors" / "kim-jong-un.yml"
    text = old.read_text(encoding="utf-8")
    text = text.replace("id: kim-jong-un-renamed", "id: kim-jong-un-renamed\nformer_ids: [kim-jong-un]")
    old.unlink()
    (old.parent / "kim-jong-un-renamed.yml").write_text(text, encoding="utf-8")
    result = build(project)
    assert result.returncode == 0, result.output
    stub = (result.site / "actors" / "kim-jong-un" / "index.html").read_text(encoding="utf-8")
    assert 'url=../kim-jong-un-renamed/"' in stub
    assert '<head><meta http-equiv="Content-Security-Policy"' in stub
    assert sitecheck("links", result.site).returncode == 0


def test_a_hand_written_page_wins_over_the_generated_one(project: Path) -> None:
    (project / "docs" / "actors").mkdir(parents=True, exist_ok=True)
    (project / "docs" / "actors" / "kim-jong-un.md").write_text("# Kim, by hand\n\nWritten by an editor.\n", encoding="utf-8")
    result = build(project)
    assert result.returncode == 0, result.output
    assert "Written by an editor." in result.page("actors/kim-jong-un.md").article_text


def test_a_redirect_that_would_replace_a_hand_written_page_fails_the_build(project: Path) -> None:
    (project / "docs" / "actors").mkdir(parents=True, exist_ok=True)
    (project / "docs" / "actors" / "kim.md").write_text("# A page by hand\n", encoding="utf-8")
    path = project / "data" / "actors" / "kim-jong-un.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("type: person", "type: person\nformer_ids: [kim]"),
                    encoding="utf-8")
    result = build(project)
    assert result.returncode == 1
    assert "the redirect from actors/kim.md to actors/kim-jong-un.md would replace a page" in result.output
    assert "Traceback" not in result.output
    assert "A page by hand" in (project / "site" / "actors" / "kim" / "index.html").read_text(encoding="utf-8")
