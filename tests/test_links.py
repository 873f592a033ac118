"""CI fails on any broken link, anchor or vanished URL, naming page and target."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from tests.conftest import DELETED, ROOT, SOURCE_DATE_EPOCH, Build, build, copy_project, minimal_project

SITECHECK = [sys.executable, str(ROOT / "hooks" / "sitecheck.py")]


def sitecheck(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SITECHECK, *map(str, args)], capture_output=True, text=True)


def plant(project: Path, markdown: str) -> None:
    (project / "docs" / "planted.md").write_text(f"# Planted\n\n{markdown}\n", encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "  - Planted: planted.md\n", encoding="utf-8")


def test_the_real_site_has_no_broken_link_or_anchor(real_site: Build) -> None:
    result = sitecheck("links", real_site.site)
    assert result.returncode == 0, result.stdout


def test_the_build_says_only_what_an_editor_needs(real_site: Build) -> None:
    """Where it builds, how long it took, and that this copy has no history."""
    said = ("microsite: no git history (no git repository here)", "Cleaning site directory",
            "Building documentation to directory", "Documentation built")
    lines = [line.split(" -  ", 1)[-1] for line in real_site.output.splitlines() if line.strip()]
    assert lines and all(line.startswith(said) for line in lines), real_site.output


def test_no_published_url_of_the_real_site_has_vanished(real_site: Build) -> None:
    result = sitecheck("urls", real_site.site)
    assert result.returncode == 0, result.stderr


def test_a_planted_broken_page_link_or_anchor_fails_the_build_naming_page_and_target(tmp_path: Path) -> None:
    project = minimal_project(tmp_path / "project")
    plant(project, "[gone](actors/nobody-here.md) and [gone too](certainty.md#no-such-anchor)")
    result = build(project)
    assert result.returncode == 1
    assert "Doc file 'planted.md' contains a link 'actors/nobody-here.md'" in result.output
    assert "'planted.md' contains a link 'certainty.md#no-such-anchor'" in result.output


def test_a_planted_broken_raw_html_link_passes_mkdocs_but_fails_the_link_check(tmp_path: Path) -> None:
    project = minimal_project(tmp_path / "project")
    plant(project, '<p><a href="../weapons/nothing-here/">raw</a> <a href="../certainty/#nope">anchor</a></p>')
    result = build(project)
    assert result.returncode == 0, result.output
    check = sitecheck("links", result.site)
    assert check.returncode == 1
    assert "planted/index.html" in check.stdout
    assert "weapons/nothing-here" in check.stdout
    assert "#nope" in check.stdout


def test_a_vanished_url_fails_naming_the_url_and_the_fix(edited_site: Build) -> None:
    """An entity deleted without a successor: its page and its downloads, all published, are reported; a renamed
    one, whose old id is in `former_ids`, is not."""
    check = sitecheck("urls", edited_site.site)  # against the recorded tests/published-urls.txt
    assert check.returncode == 1
    folder, entity_id = DELETED
    fix = f"give the entity that replaces it 'former_ids: [{entity_id}]', or restore the page"
    assert check.stderr.splitlines() == [f"published URL /{url} has disappeared: {fix}" for url in (
        f"{folder}/{entity_id}/", f"downloads/{folder}/{entity_id}.json", f"downloads/{folder}/{entity_id}.stix.json")]


def test_two_builds_of_the_same_commit_are_byte_identical(real_site: Build, tmp_path: Path) -> None:
    """The session's real site was built with a fixed SOURCE_DATE_EPOCH; one more build with it must match it."""
    again = build(copy_project(tmp_path / "again"), SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)
    assert again.returncode == 0, again.output
    digests = [{p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(site.rglob("*")) if p.is_file()} for site in (real_site.site, again.site)]
    assert digests[0] == digests[1]
    assert len(digests[0]) > 50


def test_two_sites_that_differ_only_in_their_generator_tag_are_the_same(tmp_path: Path) -> None:
    page = '<html><head><meta name="generator" content="{}"></head><body>same</body></html>'
    for name, generator in (("mkdocs", "mkdocs-1.6.1, mkdocs-material-9.8.2"), ("properdocs", "mkdocs-ProperDocs 1.6.7")):
        (tmp_path / name / "a").mkdir(parents=True)
        (tmp_path / name / "a" / "index.html").write_text(page.format(generator), encoding="utf-8")
        (tmp_path / name / "data.json").write_text("{}", encoding="utf-8")
    assert sitecheck("same", tmp_path / "mkdocs", tmp_path / "properdocs").returncode == 0
    (tmp_path / "properdocs" / "data.json").write_text("{ }", encoding="utf-8")
    (tmp_path / "properdocs" / "extra.txt").write_text("", encoding="utf-8")
    result = sitecheck("same", tmp_path / "mkdocs", tmp_path / "properdocs")
    assert result.returncode == 1
    assert result.stdout.split() == ["differs:", "data.json", "differs:", "extra.txt"]
