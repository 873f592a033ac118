"""The build runs in MkDocs' own process, keeps its contract with plugins, never writes outside the site folder, and
`make build` (hooks/publish.py) swaps a whole new site in or leaves the old one as it was."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from microsite.output import inside
from tests.conftest import ROOT, SOURCE_DATE_EPOCH, build, minimal_project

PUBLISH = [sys.executable, str(ROOT / "hooks" / "publish.py")]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}

# A plugin's hook that reads every file's content twice, the last first, as word-count, RSS and i18n plugins read
# pages; then reads each page's Markdown again while MkDocs renders it.
GREEDY_HOOK = '''
def on_files(files, config):
    for file in reversed(list(files)):
        if file.generated_by:
            assert file.content_bytes == file.content_bytes
            if not file.src_uri.endswith(".zip"):  # text: read as text too
                assert file.content_string == file.content_string
    return files

def on_page_markdown(markdown, page, config, files):
    page.file.content_string  # noqa: B018 -- read once more while MkDocs renders it
    return markdown
'''


def digests(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def publish(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PUBLISH, *args], cwd=project, env=ENV, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A minimal project with a site made by `make build`, once for the module: copied, never changed."""
    project = minimal_project(tmp_path_factory.mktemp("built") / "project")
    result = publish(project, "site")
    assert result.returncode == 0, result.stderr
    return project


@pytest.fixture
def built(built_once: Path, tmp_path: Path) -> Path:
    """A copy of `built_once` of a test's own, to build again, break or stop."""
    return Path(shutil.copytree(built_once, tmp_path / "project", symlinks=True))


def test_the_build_runs_in_mkdocs_process_with_no_fork_left_in_the_build_path() -> None:
    for module in (ROOT / "hooks" / "site.py", *(ROOT / "hooks" / "microsite").glob("*.py")):
        text = module.read_text(encoding="utf-8")
        assert "os.fork" not in text and "multiprocessing" not in text, module


def test_a_plugin_may_read_every_generated_file_any_number_of_times_in_any_order(built: Path) -> None:
    expected = digests(built / "site")  # as `make build` made it, with the same SOURCE_DATE_EPOCH
    (built / "greedy.py").write_text(GREEDY_HOOK, encoding="utf-8")
    config = built / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("hooks:\n", "hooks:\n  - greedy.py\n", 1),
                      encoding="utf-8")
    greedy = build(built, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)  # `build` waits 600 s at most: a hang fails
    assert greedy.returncode == 0, greedy.output
    assert digests(greedy.site) == expected


def test_make_build_swaps_in_a_whole_site_and_leaves_no_folder_of_its_own(built: Path) -> None:
    assert (built / "site" / "index.html").is_file()
    assert oct((built / "site").stat().st_mode & 0o777) != oct(0o700)  # as readable as a folder MkDocs makes
    assert sorted(p.name for p in built.iterdir() if p.name.startswith(".site")) == []


def test_make_build_leaves_the_previous_site_as_it_was_when_the_build_fails(built: Path) -> None:
    """A broken link fails strict mode after MkDocs has cleaned its output folder: the site to publish is untouched."""
    before = digests(built / "site")
    (built / "docs" / "broken.md").write_text("# Broken\n\n[nowhere](nowhere.md)\n", encoding="utf-8")
    result = publish(built, "site")
    assert result.returncode == 1
    assert "site is left as it was" in result.stderr.replace("/site is", "site is")
    assert digests(built / "site") == before
    assert not [p for p in built.iterdir() if p.name.startswith(".site")]


def fresh_folder(project: Path, written: bool) -> bool:
    """True once `make build`'s fresh folder exists (and, if `written`, holds a file of the build)."""
    return any(p.name.startswith(".site.new-") and (not written or any(p.iterdir())) for p in project.iterdir())


@pytest.mark.parametrize(("stop", "written"), [(signal.SIGTERM, False), (signal.SIGTERM, True), (signal.SIGINT, True)])
def test_make_build_stopped_midway_leaves_the_previous_site_as_it_was(built: Path, stop: int, written: bool) -> None:
    """Stopped as the build starts, or once it has written into its fresh folder; by SIGTERM or Ctrl-C."""
    before = digests(built / "site")
    process = subprocess.Popen([*PUBLISH, "site"], cwd=built, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 60
    while not fresh_folder(built, written) and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(stop)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "left as it was" in err
    assert digests(built / "site") == before
    assert not [p for p in built.iterdir() if p.name.startswith(".site")]


def test_a_second_make_build_in_the_same_project_fails_at_once(built: Path) -> None:
    project = os.open(built, os.O_RDONLY)
    try:
        fcntl.flock(project, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running `make build` holds it
        result = publish(built, "site")
    finally:
        os.close(project)
    assert result.returncode == 1
    assert "another `make build` is running" in result.stderr


def test_a_build_into_a_site_folder_that_another_build_is_writing_fails_clearly_and_touches_nothing(built: Path) -> None:
    site = built / "site"
    before = digests(site)
    folder = os.open(site, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running `mkdocs build` holds it
        result = build(built)
    finally:
        os.close(folder)
    assert result.returncode == 1
    assert f"another build is writing into {site}" in result.output
    assert "Traceback" not in result.output
    assert digests(site) == before


def test_a_direct_build_cleans_the_site_folder_as_mkdocs_alone_does(tmp_path: Path) -> None:
    project = minimal_project(tmp_path / "project")
    site = project / "site"
    (site / "gone" / "deep").mkdir(parents=True)
    (site / "gone" / "deep" / "index.html").write_text("stale", encoding="utf-8")
    (site / ".nojekyll").write_text("", encoding="utf-8")
    result = build(project)
    assert result.returncode == 0, result.output
    assert not (site / "gone").exists() and (site / ".nojekyll").exists() and (site / "index.html").is_file()


@pytest.mark.parametrize(("path", "expected"), [
    ("actors/kim/index.html", True),
    ("downloads/actors/kim.json", True),
    ("/pwned-root-x/index.html", False),
    ("../outside/index.html", False),
    ("actors/../../outside.html", False),
    ("", False),
    (".", False),
])
def test_only_paths_inside_the_site_folder_may_be_written(tmp_path: Path, path: str, expected: bool) -> None:
    assert inside(str(tmp_path / "site"), path) is expected


def test_a_link_inside_the_site_folder_to_elsewhere_is_outside(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "site" / "linked").symlink_to(tmp_path / "elsewhere")
    assert not inside(str(tmp_path / "site"), "linked/index.html")
