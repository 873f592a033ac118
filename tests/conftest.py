"""Shared fixtures: real project copies built by the real `mkdocs build --strict`."""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.html import Html

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"  # one entity of each kind and a source: data for tests of mechanisms
MKDOCS = [sys.executable, "-m", "mkdocs"]
SOURCE_DATE_EPOCH = "1691366400"  # fixed, as .github/workflows/site.yml fixes it (the commit time): reproducible output
SITE_PARTS = ("docs", "hooks", "overrides", "mkdocs.yml")  # everything a build needs besides its data
PROJECT_PARTS = ("data", "seeds", *SITE_PARTS)


@dataclass
class Build:
    """The outcome of one `mkdocs build --strict` of a project folder."""

    project: Path
    returncode: int
    output: str

    @property
    def site(self) -> Path:
        return self.project / "site"

    def page(self, path: str) -> Html:
        """The built page for a Markdown path such as 'actors/kim-jong-un.md'."""
        stem = path.removesuffix(".md")
        html_path = self.site / ("index.html" if stem == "index" else f"{stem.removesuffix('/index')}/index.html")
        return Html.parse(html_path)


def copy_project(target: Path, parts: tuple[str, ...] = PROJECT_PARTS) -> Path:
    """A fresh copy of the project's real inputs (or some of them), to build or to break; `target` may hold others
    already."""
    target.mkdir(parents=True, exist_ok=True)
    for part in parts:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, target / part)
    return target


def minimal_project(target: Path) -> Path:
    """The minimal data with the site's code and configuration, ready to build (about 20 pages, under a second):
    for tests of how the site behaves rather than of what the real data says."""
    shutil.copytree(MINIMAL, target)
    copy_project(target, SITE_PARTS)
    config = target / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("overview: npo-mash-intrusion", "overview: intrusion", 1),
                      encoding="utf-8")
    return target


def build(project: Path, *options: str, **env_vars: str) -> Build:
    """Run the real MkDocs CLI: `mkdocs build --strict`, or with `options` instead of `--strict`; never with -q or -v
    (both defeat strict mode)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **env_vars}
    result = subprocess.run([*MKDOCS, "build", *(options or ("--strict",))], cwd=project, env=env, capture_output=True,
                            text=True, timeout=600)  # a build that hangs fails the test instead of the suite
    return Build(project, result.returncode, result.stdout + result.stderr)


def check_report(project: Path) -> str:
    """What `make check` prints for a project, computed in-process by the real core: every problem, or the OK line."""
    from microsite import check
    from microsite.errors import DataErrors

    try:
        graph = check(project)
    except DataErrors as errors:
        return str(errors)
    return f"data OK: {len(graph.entities)} entities"


def shared_build(factory: pytest.TempPathFactory, name: str, prepare: Callable[[Path], dict[str, str]]) -> Build:
    """A copy of the project, changed by `prepare` (which returns the build's environment), built once per test
    session even when pytest-xdist runs several workers: the first worker to ask builds it under a lock, the others
    wait for it and read the same folder. Tests read a shared build and never change it (copy it to change it)."""
    root = factory.getbasetemp()
    root = root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root  # the folder all workers' temp folders share
    folder, record = root / f"shared-{name}", root / f"shared-{name}" / "build.json"
    with (root / f"shared-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not record.exists():  # built in a folder of its own, moved in place when whole: a crash leaves no half
            work = root / f"shared-{name}.{os.getpid()}"
            shutil.rmtree(work, ignore_errors=True)
            project = copy_project(work / "project")
            result = build(project, **prepare(project))
            (work / record.name).write_text(json.dumps({"returncode": result.returncode, "output": result.output}),
                                            encoding="utf-8")
            work.rename(folder)
    return Build(folder / "project", **json.loads(record.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The real data, built once for the session, with a fixed SOURCE_DATE_EPOCH as the workflow builds it."""
    result = shared_build(tmp_path_factory, "real", lambda project: {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH})
    assert result.returncode == 0, result.output
    return result


REPO_URL = "https://github.com/example/microsite"
RENAMED = ("actors", "kim-jong-un", "kim-jong-un-renamed")  # folder, old id, new id
DELETED = ("actors", "christopher-bing")  # nothing refers to it
BY_HAND = ("actors", "james-pearson")  # nothing links to its anchors


def edit_as_an_editor(project: Path) -> dict[str, str]:
    """An editor's everyday changes: rename an entity keeping its old id in `former_ids`, delete one, write one
    page by hand; and the build has a repository URL (edit links)."""
    folder, old, new = RENAMED
    for path in (project / "data").rglob("*.yml"):
        path.write_text(re.sub(rf"\b{old}\b(?!-)", new, path.read_text(encoding="utf-8")), encoding="utf-8")
    renamed = project / "data" / folder / f"{old}.yml"
    text = renamed.read_text(encoding="utf-8").replace(f"id: {new}\n", f"id: {new}\nformer_ids: [{old}]\n", 1)
    renamed.unlink()
    (renamed.parent / f"{new}.yml").write_text(text, encoding="utf-8")
    (project / "data" / DELETED[0] / f"{DELETED[1]}.yml").unlink()
    (project / "docs" / BY_HAND[0]).mkdir(parents=True, exist_ok=True)
    (project / "docs" / BY_HAND[0] / f"{BY_HAND[1]}.md").write_text("# By hand\n\nWritten by an editor.\n", encoding="utf-8")
    return {"REPO_URL": REPO_URL}


@pytest.fixture(scope="session")
def edited_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The real data after `edit_as_an_editor`, built once for the session."""
    result = shared_build(tmp_path_factory, "edited", edit_as_an_editor)
    assert result.returncode == 0, result.output
    return result


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the real project to change and build in a test."""
    return copy_project(tmp_path / "project")
