"""The history survives odd but valid repositories, and what git says of their commits stays in its field (issue 23,
items 7 and 11), and old versions that today's data model would refuse (issue 24, goal 5). Every repository is made by
the real git in `tmp_path`."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from microsite import gitlog
from microsite.gitlog import remedy
from microsite.history import read_history, unavailable
from microsite.semdiff import say
from tests.conftest import MINIMAL, build, minimal_project

LAZARUS = "data/actors/lazarus-group.yml"
SUMMARY = "A North Korean hacking group."
AUGUST_7 = "@1691409600 +0000"  # 7 August 2023, 12:00 UTC


def git(top: Path, *args: str, stdin: bytes | None = None, **env: str) -> str:
    """The real git in `top`, as an editor with a clean configuration would run it, on 7 August 2023 unless `env`
    sets another date."""
    base = {"PATH": os.environ["PATH"], "HOME": str(top), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": "Ann Editor", "GIT_AUTHOR_EMAIL": "ann@example.org", "GIT_COMMITTER_NAME": "Ann Editor",
            "GIT_COMMITTER_EMAIL": "ann@example.org", "GIT_AUTHOR_DATE": AUGUST_7, "GIT_COMMITTER_DATE": AUGUST_7}
    done = subprocess.run(["git", *args], cwd=top, env=base | env, input=stdin, capture_output=True, check=True,
                          timeout=60)
    return done.stdout.decode()


def commit(top: Path, subject: str, summary: str, path: str = LAZARUS, **env: str) -> str:
    """Commit the minimal Lazarus Group file at `path` (under `top`) with another summary; the commit's sha."""
    target = top / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text((MINIMAL / LAZARUS).read_text(encoding="utf-8").replace(SUMMARY, summary), encoding="utf-8")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", subject, **env)
    return git(top, "rev-parse", "HEAD").strip()


def data_repo(top: Path, path: str = LAZARUS) -> str:
    """A new repository at `top` whose data file at `path` was added, then changed: two changes; its HEAD."""
    top.mkdir(parents=True, exist_ok=True)
    git(top, "init", "-q", "-b", "main")
    commit(top, "Add the Lazarus Group", SUMMARY, path)
    return commit(top, "Shorter summary", "A hacking group.", path)


def subjects(root: Path) -> list[str]:
    history = read_history(root)
    assert history.available, history.reason
    return [entry.commit.subject for entry in history.entries]


# --------------------------------------------------------------------------- item 7: paths


ODD_NAMES = {
    "space": "with space",
    "quotes": "quote ' and \"",
    "newline": "new\nline",
    "colon": "colon:and;semicolon",  # ':' separates the entries of git's path lists
    "shell": "$(touch pwned) `touch pwned` ; touch pwned",
    "latin-1": os.fsdecode(b"caf\xe9"),  # not UTF-8
}


@pytest.mark.parametrize("name", ODD_NAMES.values(), ids=ODD_NAMES.keys())
def test_a_project_whose_path_has_odd_but_valid_characters_has_its_history(tmp_path: Path, name: str) -> None:
    root = tmp_path / name / name  # in the project's folder and in the one above it
    head = data_repo(root)
    assert unavailable(root) is None
    assert read_history(root).head == head
    assert subjects(root) == ["Shorter summary", "Add the Lazarus Group"]
    assert not list(tmp_path.rglob("pwned")), "a path reached a shell"


@pytest.mark.parametrize("outer", ["monorepo", "mono:repo"])
def test_git_never_looks_above_the_project_whatever_its_path(tmp_path: Path, outer: str) -> None:
    top = tmp_path / outer
    data_repo(top, f"site/{LAZARUS}")  # the project is site/, in a larger repository
    assert unavailable(top / "site") == read_history(top / "site").reason == gitlog.NO_REPOSITORY
    assert "fetch-depth" not in remedy(gitlog.NO_REPOSITORY)


def test_a_detached_head_has_its_history_and_only_a_shallow_clone_gets_the_fetch_depth_hint(tmp_path: Path) -> None:
    source = tmp_path / "source"
    data_repo(source)
    full, shallow = tmp_path / "full clone", tmp_path / "shallow clone"
    git(tmp_path, "clone", "-q", str(source), str(full))
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{source}", str(shallow))
    git(full, "checkout", "-q", "--detach", "HEAD~1")
    git(shallow, "checkout", "-q", "--detach", "HEAD")
    assert unavailable(full) is None and subjects(full) == ["Add the Lazarus Group"]
    assert unavailable(shallow) == read_history(shallow).reason == gitlog.SHALLOW
    assert "fetch-depth: 0" in remedy(gitlog.SHALLOW)
    empty = tmp_path / "no commits"
    empty.mkdir()
    git(empty, "init", "-q")
    assert unavailable(empty) == gitlog.NO_COMMITS
    for reason in (gitlog.NO_REPOSITORY, gitlog.NO_COMMITS, gitlog.PARTIAL, "git log did not finish"):
        assert "fetch-depth" not in remedy(reason)


def test_a_partial_clone_says_so_and_a_full_clone_is_not_taken_for_one(tmp_path: Path) -> None:
    source = tmp_path / "source"
    data_repo(source)
    git(source, "config", "uploadpack.allowFilter", "true")
    partial = tmp_path / "partial clone"
    git(tmp_path, "clone", "-q", "--filter=blob:none", f"file://{source}", str(partial))
    assert unavailable(partial) == read_history(partial).reason == gitlog.PARTIAL
    assert unavailable(source) is None


# --------------------------------------------------------------------------- item 7: git itself


def test_a_git_that_hangs_is_stopped_at_its_deadline_with_a_clear_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "project"
    data_repo(root)
    (root / ".git" / "HEAD").unlink()
    os.mkfifo(root / ".git" / "HEAD")  # git waits for a writer that never comes
    monkeypatch.setattr(gitlog, "GIT_TIMEOUT", 1)
    start = time.monotonic()
    assert unavailable(root) == "git rev-parse did not finish within 1 seconds"
    assert time.monotonic() - start < 20


def test_without_git_the_reason_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "project"
    data_repo(root)
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    assert unavailable(root) == read_history(root).reason == "git is not installed (no git on PATH)"


# --------------------------------------------------------------------------- item 11: what git says of a commit


def test_control_characters_in_an_author_or_subject_never_move_text_into_another_field(tmp_path: Path) -> None:
    root = tmp_path / "project"
    data_repo(root)
    forged = f"\x1eC{'0' * 40}\x1f1\x1fMallory\x1fForged reason"  # the separators of git's --format, as text
    sha = commit(root, f"Withdraw\x1fthe claim\x1b[31m\x07{forged}", "A group.",
                 GIT_AUTHOR_NAME=f"Eve\x1fEditor{forged}", GIT_COMMITTER_NAME="Eve\x1fEditor")
    entries = read_history(root).entries
    assert len(entries) == 3
    newest = entries[0].commit
    assert (newest.sha, newest.time) == (sha, 1691409600)
    assert newest.author == f"Eve Editor C{'0' * 40} 1 Mallory Forged reason"
    assert newest.subject == f"Withdraw the claim[31m C{'0' * 40} 1 Mallory Forged reason"


def test_a_data_file_whose_name_has_control_characters_is_never_part_of_the_history(tmp_path: Path) -> None:
    root = tmp_path / "project"
    data_repo(root)
    for name in ("evil\x1b[31m", "two\nlines", "unit\x1fseparated"):
        commit(root, f"Add {name!r}", "A group.", f"data/actors/{name}.yml")
    entries = read_history(root).entries
    assert [entry.path for entry in entries] == [LAZARUS, LAZARUS]



# --------------------------------------------------------------------------- item 7: dates


def test_a_commit_dated_far_ahead_within_four_digit_years_is_shown_as_it_is_dated(tmp_path: Path) -> None:
    root = tmp_path / "project"
    data_repo(root)
    far = "@99999999999 +0000"
    commit(root, "From the far future", "A group.", GIT_COMMITTER_DATE=far, GIT_AUTHOR_DATE=far)
    newest = read_history(root).entries[0].commit
    assert (newest.subject, newest.stamp, newest.human) == ("From the far future", "5138-11-16T09:46:39Z", "16 November 5138")


@pytest.mark.parametrize("date", ["@253402300800 +0000", "@9999999999999999 +0000"])  # 1 January 10000, and later
def test_a_commit_dated_after_the_year_9999_is_a_reason_naming_the_commit(tmp_path: Path, date: str) -> None:
    root = tmp_path / "project"
    data_repo(root)
    sha = commit(root, "From beyond", "A group.", GIT_COMMITTER_DATE=date, GIT_AUTHOR_DATE=date)
    reason = read_history(root).reason
    assert f"commit {sha[:12]}" in reason and "after the year 9999" in reason, reason


@pytest.mark.parametrize("date", ["yesterday", "18446744073709551617"])  # no date; one past git's own range
def test_a_commit_whose_date_git_cannot_read_is_named_and_never_merged_into_another(tmp_path: Path, date: str) -> None:
    """Such a commit can only be made by hand (`git fsck` refuses it); its changes must not pass for another's."""
    root = tmp_path / "project"
    head = data_repo(root)
    (root / LAZARUS).write_text((root / LAZARUS).read_text(encoding="utf-8").replace("A hacking", "A"), encoding="utf-8")
    git(root, "add", "-A")
    text = (f"tree {git(root, 'write-tree').strip()}\nparent {head}\nauthor Eve <eve@example.org> {date} +0000\n"
            f"committer Eve <eve@example.org> {date} +0000\n\nUndated change\n")
    made = git(root, "hash-object", "-t", "commit", "-w", "--literally", "--stdin", stdin=text.encode()).strip()
    git(root, "update-ref", "HEAD", made)
    commit(root, "A later change", "A later group.")  # the undated commit is not the first that git lists
    reason = read_history(root).reason
    assert f"commit {made[:12]}" in reason, reason


def test_a_build_with_a_commit_dated_after_the_year_9999_says_why_it_has_no_history(tmp_path: Path) -> None:
    root = minimal_project(tmp_path / "project")
    git(root, "init", "-q")
    git(root, "add", "-A")
    date = "@253402300800 +0000"
    git(root, "commit", "-q", "-m", "From beyond", GIT_COMMITTER_DATE=date, GIT_AUTHOR_DATE=date)
    result = build(root)
    assert result.returncode == 0, result.output
    assert "Traceback" not in result.output and "after the year 9999" in result.output


# --------------------------------------------------------------------------- issue 24, goal 5: model changes


def test_versions_that_today_s_model_would_refuse_still_say_what_changed(tmp_path: Path) -> None:
    """An old version with a word the model no longer takes and a key it no longer has is read all the same; the
    next version says what changed, and no version is a gap."""
    top = tmp_path / "project"
    top.mkdir()
    git(top, "init", "-q", "-b", "main")
    today = (MINIMAL / LAZARUS).read_text(encoding="utf-8")
    versions = [today.replace("type: hacking-group\n", "type: gang\nmotto: Hack the planet\n"),
                today.replace("    status: alleged\n    citations", "    status: reported\n    citations", 1)]
    for number, text in enumerate(versions):
        (top / LAZARUS).parent.mkdir(parents=True, exist_ok=True)
        (top / LAZARUS).write_text(text, encoding="utf-8")
        git(top, "add", "-A")
        git(top, "commit", "-q", "-m", f"Version {number}")
    history = read_history(top)
    assert [entry.gap for entry in history.entries] == [None, None]
    assert [[say(line, lambda _: None) for line in entry.lines] for entry in history.entries] == [
        ["status of 'The Lazarus Group may have used OpenCarrot.' changed from alleged to reported",
         "type changed from gang to hacking-group"],
        ["new page"]]
