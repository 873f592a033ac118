"""hooks/recordcheck.py on real git repositories and GitHub's pull request events: only the weekly quote check's
pull request changes data/verification/, and it changes nothing else."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

RECORD = "data/verification/sample-article.yml"
GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main",
       "-c", "commit.gpgsign=false"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


def pull_request(tmp_path: Path, changes: dict[str, str | None], renames: dict[str, str] | None = None) -> tuple[Path, str, str]:
    """A repository whose main holds a source and its record, and a branch with `changes` (path → new text, or None
    to delete) and `renames`, with main moved on since: (repository, base commit, head commit)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    for path, text in {"data/sources/sample-article.yml": "id: sample-article\n", RECORD: "source: sample-article\n"}.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "topic")
    for path, text in changes.items():
        if text is None:
            (repo / path).unlink()
        else:
            (repo / path).parent.mkdir(parents=True, exist_ok=True)
            (repo / path).write_text(text, encoding="utf-8")
    for old, new in (renames or {}).items():
        git(repo, "mv", old, new)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", "change")
    head = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "main")
    (repo / "README.md").write_text("main moved on\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "later on main")
    return repo, git(repo, "rev-parse", "HEAD"), head


def event(tmp_path: Path, base: str, head: str, branch: str, head_repository: str | None = "owner/site") -> Path:
    """The fields of GitHub's pull_request event that the check reads, as $GITHUB_EVENT_PATH holds them."""
    path = tmp_path / "event.json"
    head_repo = {"full_name": head_repository} if head_repository else None
    path.write_text(json.dumps({"action": "opened", "pull_request": {
        "base": {"sha": base, "ref": "main", "repo": {"full_name": "owner/site"}},
        "head": {"sha": head, "ref": branch, "repo": head_repo}}}), encoding="utf-8")
    return path


def recordcheck(repo: Path, event_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "hooks" / "recordcheck.py"), "--event", str(event_file), "--repo",
                           str(repo)], capture_output=True, text=True, cwd=ROOT)


def test_a_contributors_pull_request_that_changes_a_record_fails_and_says_what_to_do(tmp_path: Path) -> None:
    repo, base, head = pull_request(tmp_path, {RECORD: "source: sample-article\nurl: https://example.com/made-up\n",
                                               "data/sources/sample-article.yml": "id: sample-article\nname: x\n"})
    result = recordcheck(repo, event(tmp_path, base, head, "fix-typo"))
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout == (
        f"{RECORD}:1:1: only the weekly quote check changes data/verification/ (its pull requests come from the branch "
        "automated/verify-sources of this repository)\n"
        f"    fix: drop this change (git checkout origin/main -- {RECORD}); to check quotes again, run the workflow's "
        "verify-sources job\n1 problem found.\n")


@pytest.mark.parametrize(("changes", "renames"), [
    ({RECORD: None}, None),  # deleted
    ({"data/verification/other.yml": "source: other\n"}, None),  # added
    ({}, {RECORD: "data/sources/moved.yml"}),  # renamed out of the folder
])
def test_deleting_adding_or_moving_a_record_is_a_change_too(tmp_path: Path, changes: dict, renames: dict | None) -> None:
    repo, base, head = pull_request(tmp_path, changes, renames)
    assert recordcheck(repo, event(tmp_path, base, head, "cleanup")).returncode == 1


def test_the_weekly_jobs_pull_request_may_change_the_records_and_only_them(tmp_path: Path) -> None:
    repo, base, head = pull_request(tmp_path, {RECORD: "source: sample-article\nquotes: []\n"})
    result = recordcheck(repo, event(tmp_path, base, head, "automated/verify-sources"))
    assert (result.returncode, result.stdout) == (0, "data/verification/ is changed only by the weekly quote check: OK\n")
    other = tmp_path / "other"
    other.mkdir()
    repo, base, head = pull_request(other, {RECORD: "source: sample-article\n# x\n", "hooks/verify.py": "print()\n"})
    result = recordcheck(repo, event(other, base, head, "automated/verify-sources"))
    assert result.returncode == 1 and result.stdout.startswith(
        "hooks/verify.py:1:1: the weekly quote check's pull request changes a file outside data/verification/")


@pytest.mark.parametrize("head_repository", ["someone/site", None])  # a fork, or a fork since deleted
def test_a_forks_branch_named_like_the_weekly_jobs_is_not_the_weekly_job(tmp_path: Path, head_repository: str | None) -> None:
    repo, base, head = pull_request(tmp_path, {RECORD: "source: sample-article\nurl: https://example.com/made-up\n"})
    assert recordcheck(repo, event(tmp_path, base, head, "automated/verify-sources", head_repository)).returncode == 1


def test_a_pull_request_that_leaves_the_records_alone_passes(tmp_path: Path) -> None:
    repo, base, head = pull_request(tmp_path, {"data/sources/sample-article.yml": "id: sample-article\nname: y\n"})
    assert recordcheck(repo, event(tmp_path, base, head, "fix-typo")).returncode == 0


@pytest.mark.parametrize(("name", "branch"), [("data/verification/x\n::error::all good\n.yml", "fix-typo"),
                                             ("::error::all good", "automated/verify-sources")])
def test_a_file_name_cannot_forge_a_line_of_the_output_or_a_command_to_the_runner(tmp_path: Path, name: str,
                                                                                   branch: str) -> None:
    repo, base, head = pull_request(tmp_path, {name: "source: x\n"})
    result = recordcheck(repo, event(tmp_path, base, head, branch))
    assert result.returncode == 1
    assert not any(line.startswith("::") for line in result.stdout.splitlines())
    assert result.stdout.startswith(repr(name) + ":1:1: ")


@pytest.mark.parametrize("content", ["{not json", json.dumps({"push": {}}), json.dumps({"pull_request": {
    "base": {"sha": "0" * 40, "repo": {"full_name": "owner/site"}}, "head": {"sha": "1" * 40, "ref": "x", "repo": None}}})])
def test_an_event_or_commits_that_cannot_be_read_end_in_one_line_and_exit_2(tmp_path: Path, content: str) -> None:
    repo, _, _ = pull_request(tmp_path, {})
    event_file = tmp_path / "event.json"
    event_file.write_text(content, encoding="utf-8")
    result = recordcheck(repo, event_file)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("recordcheck: ") and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
