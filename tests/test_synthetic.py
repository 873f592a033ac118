"""The synthetic data of `make bench`: it passes the checks, builds strictly into a page per entity, and is deterministic."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from bench.synthetic import generate
from microsite.model import KINDS
from tests import rawdata
from tests.conftest import ROOT, Build, build
from tests.html import Html

SIZE, SEED = 80, 7


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """About 80 synthetic entities, built once by the real `mkdocs build --strict`."""
    project = tmp_path_factory.mktemp("synthetic") / "project"
    generate(SIZE, SEED, project)
    result = build(project)
    assert result.returncode == 0, result.output
    return result


def data_files(project: Path) -> dict[str, bytes]:
    return {p.relative_to(project).as_posix(): p.read_bytes()
            for folder in ("data", "seeds") for p in sorted((project / folder).rglob("*")) if p.is_file()}


def test_the_generated_data_passes_the_checks(synthetic: Build) -> None:
    result = subprocess.run([sys.executable, "hooks/check.py", str(synthetic.project)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"data OK: {SIZE} entities" in result.stdout


def test_the_data_has_every_kind_disputed_facts_hubs_and_both_kinds_of_quotes(synthetic: Build) -> None:
    entities = list(rawdata.entities(synthetic.project))
    assert len(entities) == SIZE
    assert set(Counter(folder for folder, _ in entities)) == {kind.plural for kind in KINDS.values()}
    facts = [f for _, data in entities for f in data.get("facts") or []]
    assert any(f["status"] == "disputed" and len(f["positions"]) >= 2 for f in facts)
    fan_in = Counter(r["target"] for _, data in entities for r in data.get("relations") or [])
    assert max(fan_in.values()) >= 5, "no hub entity"
    sources = {data["id"]: data for folder, data in entities if folder == "sources"}
    cited = Counter("archive" in sources[c["source"]] for _, data in entities for c in rawdata.citations(data))
    assert cited[True] > 0 and cited[False] > 0
    assert all(s["url"].startswith("https://example.org/") for s in sources.values() if "url" in s)


def test_every_generated_entity_has_a_page_with_its_name(synthetic: Build) -> None:
    for folder, data in rawdata.entities(synthetic.project):
        page = synthetic.page(f"{folder}/{data['id']}.md")
        assert data["name"] in page.article_text, f"{folder}/{data['id']}: name missing from its page"


def test_quotes_from_archived_texts_are_verified_and_highlighted(synthetic: Build) -> None:
    archived = [data for folder, data in rawdata.entities(synthetic.project) if folder == "sources" and "archive" in data]
    assert archived
    for source in archived:
        html = (synthetic.site / "sources" / source["id"] / "index.html").read_text(encoding="utf-8")
        assert "<mark" in html, f"{source['id']}: no cited passage highlighted"
    coverage = Html.parse(synthetic.site / "coverage" / "index.html")
    assert all(source["name"] in coverage.article_text for source in archived)


def test_the_same_seed_gives_byte_identical_data_and_another_seed_does_not(synthetic: Build, tmp_path: Path) -> None:
    generate(SIZE, SEED, tmp_path / "again")
    assert data_files(tmp_path / "again") == data_files(synthetic.project)
    generate(SIZE, SEED + 1, tmp_path / "other")
    assert data_files(tmp_path / "other") != data_files(synthetic.project)


def test_a_synthetic_history_has_the_commits_asked_for_ends_in_the_data_and_reads_as_changes(tmp_path: Path) -> None:
    from microsite.history import read_history

    generate(60, SEED, tmp_path / "history", commits=40)
    git = ["git", "-C", str(tmp_path / "history"), "-c", "core.quotepath=off"]
    assert int(subprocess.run([*git, "rev-list", "--count", "HEAD"], capture_output=True, text=True).stdout) >= 41
    assert subprocess.run([*git, "status", "--porcelain", "--", "data", "seeds"], capture_output=True, text=True).stdout == ""
    history = read_history(tmp_path / "history")
    assert history.available and len(history.lineages) == 60
    said = " ".join(str(part) for entry in history.entries for line in entry.lines for part in line)
    assert "new fact" in said and "new page" in said
    assert any(entry.gap for entry in history.entries), "no broken version among 40 commits"
    generate(60, SEED, tmp_path / "again", commits=40)
    head = [*git[:2], str(tmp_path / "again"), "rev-parse", "HEAD"]
    assert subprocess.run(head, capture_output=True, text=True).stdout == subprocess.run(
        [*git[:3], "rev-parse", "HEAD"], capture_output=True, text=True).stdout


def test_the_downloads_grow_in_step_with_the_data_not_with_its_square(tmp_path: Path) -> None:
    """Every entity's STIX bundle holds what it refers to, not every source that backs it with all that cites that
    source: twice the entities make about twice the downloads (at the square, four times)."""
    import datetime as dt

    from microsite import check, exports

    def size(entities: int) -> int:
        generate(entities, SEED, tmp_path / str(entities))
        graph = check(tmp_path / str(entities))
        moment = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        return sum(len(text) for path, text in exports.files(graph, "test", moment) if path.endswith(".stix.json"))

    small, large = size(150), size(300)
    assert large / small < 2.6, f"{small:,} → {large:,} bytes"
