"""Only the weekly quote check changes data/verification/: `python hooks/recordcheck.py [--event FILE] [--repo DIR]`.

Run by CI on every pull request. It reads the event GitHub describes in $GITHUB_EVENT_PATH (the pull request's base
and head commits, its head branch and the repository that branch is in), asks git which files the pull request
changes (`git diff --name-only -z --no-renames BASE...HEAD`, so a rename out of the folder counts too) and fails if
one is under data/verification/, unless the head branch is `automated/verify-sources` of this same repository: a
fork's branch of that name is not the weekly job's. The weekly job's own pull request may change nothing else.

Exit 0: the rule holds; 1: it does not (each file named with what to do); 2: the event or git could not be read.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from microsite.errors import DataError, Location, shown
from microsite.verification import FOLDER

BOT_BRANCH = "automated/verify-sources"  # the branch .github/workflows/site.yml's verify-sources job pushes
RECORDS = f"data/{FOLDER}/"
GIT_TIMEOUT = 120


class Unreadable(Exception):
    """The event or the repository could not be read; the message says what."""


def pull_request(event: dict) -> tuple[str, str, str, bool]:
    """(base commit, head commit, head branch, whether the head branch is in the base's repository) of an event."""
    try:
        pr = event["pull_request"]
        base, head = pr["base"], pr["head"]
        same = (head.get("repo") or {}).get("full_name") == base["repo"]["full_name"]
        return str(base["sha"]), str(head["sha"]), str(head["ref"]), same
    except (KeyError, TypeError, AttributeError) as error:
        raise Unreadable(f"the event is not a pull request's (no {error})") from None


def changed_files(repo: Path, base: str, head: str) -> list[str]:
    """The paths a pull request changes: what `head` changes since it left `base`."""
    try:
        done = subprocess.run(["git", "-c", "core.quotepath=off", "diff", "--name-only", "-z", "--no-renames",
                               f"{base}...{head}", "--"], cwd=repo, capture_output=True, timeout=GIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise Unreadable(f"git could not be run ({type(error).__name__})") from None
    if done.returncode:
        complaint = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise Unreadable(f"git diff failed: {shown(complaint[0] if complaint else done.returncode, 200)}")
    return [name for name in done.stdout.decode("utf-8", "surrogateescape").split("\0") if name]


def problems(files: list[str], branch: str, same_repository: bool) -> list[DataError]:
    """Each changed file that breaks the rule, as an error on that file."""
    from_bot = branch == BOT_BRANCH and same_repository
    if from_bot:
        return [DataError(Location(_printable(name)), f"the weekly quote check's pull request changes a file outside "
                          f"{RECORDS}", f"open another pull request for it; {BOT_BRANCH} holds only the records")
                for name in files if not name.startswith(RECORDS)]
    return [DataError(Location(_printable(name)), f"only the weekly quote check changes {RECORDS} (its pull requests come "
                      f"from the branch {BOT_BRANCH} of this repository)", f"drop this change (git checkout origin/main "
                      f"-- {_printable(name)}); to check quotes again, run the workflow's verify-sources job")
            for name in files if name.startswith(RECORDS)]


def _printable(path: str) -> str:
    """A path from the pull request as it may be printed: a name with line breaks or control characters, or one that
    starts like a command to the CI runner ('::'), is quoted, so it can forge neither a line of this output nor a
    command."""
    return path if path.isprintable() and not path.startswith("::") else shown(path, 200)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--event", type=Path, default=os.environ.get("GITHUB_EVENT_PATH"),
                   help="the event's JSON file (default: $GITHUB_EVENT_PATH)")
    p.add_argument("--repo", type=Path, default=Path("."), help="the clone, with the base and head commits (default: .)")
    args = p.parse_args(argv)
    try:
        if args.event is None:
            raise Unreadable("no event: set GITHUB_EVENT_PATH or pass --event")
        try:
            event = json.loads(args.event.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise Unreadable(f"the event {shown(args.event)} cannot be read ({type(error).__name__})") from None
        base, head, branch, same = pull_request(event)
        found = problems(changed_files(args.repo, base, head), branch, same)
    except Unreadable as error:
        print(f"recordcheck: {error}", file=sys.stderr)
        return 2
    for problem in found:
        print(problem)
    print(f"{len(found)} problem{'s' * (len(found) != 1)} found." if found else f"{RECORDS} is changed only by the weekly "
          "quote check: OK")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
