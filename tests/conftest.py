"""Shared fixtures: real project copies built by the real `mkdocs build --strict`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.html import Html

ROOT = Path(__file__).resolve().parent.parent
SITE_PARTS = ("docs", "hooks", "overrides", "mkdocs.yml")  # everything a build needs besides its data
PROJECT_PARTS = ("data", "seeds", *SITE_PARTS)
MKDOCS = [sys.executable, "-m", "mkdocs"]
SOURCE_DATE_EPOCH = "1691366400"  # fixed, as .github/workflows/site.yml fixes it (the commit time): reproducible output


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
    """A fresh copy of the project's real inputs (or some of them), to build or to break."""
    target.mkdir(parents=True, exist_ok=True)
    for part in parts:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / part)
    return target


def build(project: Path, **env_vars: str) -> Build:
    """Run the real MkDocs CLI, strict, never with -q or -v (both defeat strict mode)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **env_vars}
    result = subprocess.run([*MKDOCS, "build", "--strict"], cwd=project, env=env, capture_output=True, text=True)
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


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The real data, built once for the session, with a fixed SOURCE_DATE_EPOCH as the workflow builds it."""
    result = build(copy_project(tmp_path_factory.mktemp("real")), SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)
    assert result.returncode == 0, result.output
    return result


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the real project to change and build in a test."""
    return copy_project(tmp_path / "project")
