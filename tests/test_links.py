"""CI fails on any broken link, anchor or vanished URL, naming page and target."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, Build, build, copy_project

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


def test_no_published_url_of_the_real_site_has_vanished(real_site: Build) -> None:
    result = sitecheck("urls", real_site.site)
    assert result.returncode == 0, result.stderr


def test_a_planted_broken_page_link_fails_the_build_naming_page_and_target(project: Path) -> None:
    plant(project, "[gone](actors/nobody-here.md)")
    result = build(project)
    assert result.returncode == 1
    assert "Doc file 'planted.md' contains a link 'actors/nobody-here.md'" in result.output


def test_a_planted_broken_anchor_fails_the_build_naming_page_and_anchor(project: Path) -> None:
    plant(project, "[gone](certainty.md#no-such-anchor)")
    result = build(project)
    assert result.returncode == 1
    assert "'planted.md' contains a link 'certainty.md#no-such-anchor'" in result.output


def test_a_planted_broken_raw_html_link_passes_mkdocs_but_fails_the_link_check(project: Path) -> None:
    plant(project, '<p><a href="../weapons/nothing-here/">raw</a> <a href="../certainty/#nope">anchor</a></p>')
    result = build(project)
    assert result.returncode == 0, result.output
    check = sitecheck("links", result.site)
    assert check.returncode == 1
    assert "planted/index.html" in check.stdout
    assert "weapons/nothing-here" in check.stdout
    assert "#nope" in check.stdout


def test_a_vanished_url_fails_naming_the_url_and_the_fix(project: Path) -> None:
    (project / "data" / "actors" / "zz-departed.yml").write_text(
        "id: zz-departed\nname: Departed\ntype: person\nsummary: Here today.\n", encoding="utf-8")
    before = build(project)
    published = project / "published.txt"
    published.write_text("\n".join(["actors/zz-departed/", "actors/"]), encoding="utf-8")
    assert before.returncode == 0 and "actors/zz-departed/" in _urls(before.site)
    (project / "data" / "actors" / "zz-departed.yml").unlink()
    after = build(project)
    gone = _vanished(after.site, published)
    assert gone == ["actors/zz-departed/"]


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


def test_two_builds_of_the_same_commit_are_byte_identical(tmp_path: Path) -> None:
    digests = []
    for name in ("first", "second"):
        project = copy_project(tmp_path / name)
        env = {**os.environ, "SOURCE_DATE_EPOCH": "1691366400", "NO_MKDOCS_2_WARNING": "1"}
        done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        digests.append({p.relative_to(project / "site").as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                        for p in sorted((project / "site").rglob("*")) if p.is_file()})
    assert digests[0] == digests[1]
    assert len(digests[0]) > 50


def _urls(site: Path) -> list[str]:
    from sitecheck import site_urls

    return site_urls(site)


def _vanished(site: Path, published: Path) -> list[str]:
    from sitecheck import vanished_urls

    return vanished_urls(site, published)


def test_the_workflow_builds_tests_and_link_checks_every_push_and_publishes_main() -> None:
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key 'on' as true
    assert {"push", "pull_request", "schedule"} <= set(triggers)
    steps = [step.get("run", "") for step in workflow["jobs"]["test"]["steps"]]
    assert "make test" in steps and "make linkcheck" in steps
    assert workflow["jobs"]["deploy"]["needs"] == "test"
    assert any("make external-links" in step.get("run", "") for step in workflow["jobs"]["external-links"]["steps"])


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
