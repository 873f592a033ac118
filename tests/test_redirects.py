"""Pages that move or are written by hand: old URLs redirect, a hand-written page wins, nothing is replaced."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import BY_HAND, RENAMED, Build, build, minimal_project
from tests.test_links import sitecheck


def test_a_renamed_entity_keeps_its_old_url_as_a_redirect(edited_site: Build) -> None:
    folder, old, new = RENAMED
    stub = (edited_site.site / folder / old / "index.html").read_text(encoding="utf-8")
    assert f'url=../{new}/"' in stub
    assert '<head><meta http-equiv="Content-Security-Policy"' in stub
    assert sitecheck("links", edited_site.site).returncode == 0


def test_a_hand_written_page_wins_over_the_generated_one(edited_site: Build) -> None:
    folder, entity_id = BY_HAND
    assert "Written by an editor." in edited_site.page(f"{folder}/{entity_id}.md").article_text


def test_a_redirect_that_would_replace_a_hand_written_page_fails_the_build(tmp_path: Path) -> None:
    project = minimal_project(tmp_path / "project")
    (project / "docs" / "actors").mkdir(parents=True, exist_ok=True)
    (project / "docs" / "actors" / "lazarus.md").write_text("# A page by hand\n", encoding="utf-8")
    path = project / "data" / "actors" / "lazarus-group.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("id: lazarus-group\n", "id: lazarus-group\nformer_ids: [lazarus]\n"),
                    encoding="utf-8")
    result = build(project)
    assert result.returncode == 1
    assert "the redirect from actors/lazarus.md to actors/lazarus-group.md would replace a page" in result.output
    assert "Traceback" not in result.output
    assert "A page by hand" in (project / "site" / "actors" / "lazarus" / "index.html").read_text(encoding="utf-8")
