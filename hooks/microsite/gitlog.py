"""Reading the git history of data/, bounded whatever its size, in a fixed environment.

`head` is one `git rev-parse` (every `serve` rebuild asks it); a full read adds one `git config` (a partial clone
has no old versions to read), one `git log` of the first-parent history of `data/` with its raw file changes, and
`git cat-file` twice (sizes, then contents). Git runs without system or user configuration, pager or lazy fetching,
on the project's own `.git` alone (named to git in its environment, never split or put in a shell command: git never
looks above the project root, whatever its path), each time with a deadline (`GIT_TIMEOUT`); only versions of
`data/<kind>/*.yml` are ever read. Any failure is a `NoHistory` with a reason a page can show.

What git says of a commit is read field by field, with NUL between the fields: git never prints a NUL in a name or a
subject, so no character of theirs can move text into another field; control characters are then dropped from
every text field (`clean`), and a data file whose path holds one is no data file.
"""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .load import KIND_BY_FOLDER, MAX_BYTES, UNSAFE_CHARS
from .schema import MONTHS

GIT_TIMEOUT = 300  # seconds: the deadline of every git command
LATEST = 253_402_300_799  # 9999-12-31T23:59:59Z: the last second with a four-digit year, as pages and RFC 3339 write it
NO_REPOSITORY = "no git repository here"  # the reasons that have a remedy
NO_COMMITS = "the repository has no commits yet"
SHALLOW = "this is a shallow clone"
PARTIAL = "this is a partial clone, whose old versions would have to be downloaded"
REMEDIES = {
    SHALLOW: "check out the full history (fetch-depth: 0)",
    PARTIAL: "clone without --filter, with the full history",
    NO_REPOSITORY: "build from the top folder of a git clone of the project",
}
DATA_PATH = re.compile(r"data/([a-z0-9-]+)/[^/]+\.yml")
REGULAR = (b"100644", b"100755")
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")  # what no page or XML may hold
_SHA = re.compile(rb"[0-9a-f]{40}|[0-9a-f]{64}")
_HEADER = b"\x1ecommit"  # a token of its own: a commit's fields follow, one token each
_FORMAT = "%x1ecommit%x00%H%x00%ct%x00%<(120,trunc)%an%x00%<(400,trunc)%s"  # git cuts (and pads) huge names and subjects


class NoHistory(Exception):
    """Why there is no history to read: no repository, a shallow or partial clone, git missing or failing."""


def remedy(reason: str) -> str:
    """What to do to have the history, for a reason given by `history.unavailable` or `History.reason`; '' when
    nothing would help (git failing, a commit dated out of range). The fetch-depth hint is for a shallow clone alone."""
    return REMEDIES.get(reason, "")


def clean(text: str, limit: int) -> str:
    """Text from git as it may be shown: control characters and invisible bidirectional controls dropped, white
    space folded, cut at `limit` characters. Escaping for the page or the feed comes after, where it is written."""
    text = _CONTROL.sub("", UNSAFE_CHARS.sub("", _SPACES.sub(" ", text))).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Commit:
    """A commit of the first-parent history that changed data/. Its date is shown as the commit records it from
    1 January 1970 (git records no earlier date) to the end of the year 9999; a commit dated later, or with a date
    git cannot read, is not clamped to a date it does not have: `read_log` refuses the history, naming the commit."""

    sha: str
    time: int  # committer time, seconds since the epoch
    author: str
    subject: str

    @property
    def stamp(self) -> str:
        """RFC 3339 time in UTC, as the feed writes it."""
        return datetime.datetime.fromtimestamp(self.time, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def day(self) -> str:
        return self.stamp[:10]

    @property
    def human(self) -> str:
        """'7 August 2023' (UTC)."""
        year, month, day = (int(part) for part in self.day.split("-"))
        return f"{day} {MONTHS[month - 1]} {year}"


@dataclass(frozen=True)
class Touch:
    """One data file changed by one commit: its path and blob before and after (None: absent)."""

    commit: Commit
    old: tuple[str, str] | None
    new: tuple[str, str] | None


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run git on `root/.git` (and no other repository) in a fixed environment, stopped after `GIT_TIMEOUT` seconds;
    its output, or `NoHistory` with git's first line of complaint."""
    root = root.absolute()
    with tempfile.TemporaryDirectory(prefix="microsite-git-home-") as home:
        env = {
            "PATH": os.environ.get("PATH", os.defpath), "HOME": home, "XDG_CONFIG_HOME": home, "LC_ALL": "C",
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0",
            "GIT_PAGER": "cat", "PAGER": "cat", "GIT_OPTIONAL_LOCKS": "0", "GIT_NO_REPLACE_OBJECTS": "1",
            "GIT_NO_LAZY_FETCH": "1", "GIT_LITERAL_PATHSPECS": "1",
            "GIT_DIR": str(root / ".git"), "GIT_WORK_TREE": str(root),  # one path each, never split: no discovery
        }
        command = ["git", "-c", "core.quotepath=off", "-c", "core.fsmonitor=false", "-c", "log.showSignature=false",
                   "-c", "color.ui=false", "-c", "i18n.logOutputEncoding=UTF-8", *args]
        try:
            done = subprocess.run(command, cwd=root, env=env, input=stdin, capture_output=True, timeout=GIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise NoHistory(f"git {args[0]} did not finish within {GIT_TIMEOUT} seconds") from None
        except OSError as error:
            missing = isinstance(error, FileNotFoundError) and error.filename == "git"
            raise NoHistory("git is not installed (no git on PATH)" if missing else
                            f"git could not be run ({clean(error.strerror or type(error).__name__, 100)})") from None
    if done.returncode != 0:
        complaint = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise NoHistory(clean(complaint[0] if complaint else f"git exited with {done.returncode}", 200))
    return done.stdout


def head(root: Path) -> str:
    """The commit the history is read from (HEAD, detached or not); `NoHistory` unless `root` holds the `.git` of a
    clone with all its history (not shallow) and at least one commit. One git process: every `serve` rebuild asks."""
    try:
        answer = _git(root, "rev-parse", "--is-shallow-repository", "HEAD").split(b"\n")
    except NoHistory as error:  # git's complaint may quote the path, which may hold any words: only its start counts
        said = str(error)
        raise NoHistory(NO_REPOSITORY if said.startswith("fatal: not a git repository") else
                        NO_COMMITS if said.startswith("fatal: ambiguous argument 'HEAD'") else said) from None
    if len(answer) != 3 or answer[0] not in (b"true", b"false") or not _SHA.fullmatch(answer[1]) or answer[2]:
        raise NoHistory("git rev-parse gave an unexpected answer")
    if answer[0] == b"true":
        raise NoHistory(SHALLOW)
    return answer[1].decode()


def refuse_partial_clone(root: Path) -> None:
    """`NoHistory` for a partial (blobless) clone, whose old versions would have to be downloaded: one with a promisor
    remote (`remote.<name>.promisor`, as `git clone --filter` sets it) or, as older git set it, `extensions.partialClone`."""
    for entry in _git(root, "config", "-z", "--list").split(b"\0"):
        key, has_value, value = entry.partition(b"\n")  # -z: a key without `=` (a true boolean) has no newline
        key = key.lower()
        if ((key == b"extensions.partialclone" and value.strip()) or
                (key.startswith(b"remote.") and key.endswith(b".promisor") and (not has_value or _true(value)))):
            raise NoHistory(PARTIAL)


def _true(value: bytes) -> bool:
    """A git boolean as git reads it: true, yes, on, or a number other than 0, in any case."""
    text = value.strip().lower()
    return text in (b"true", b"yes", b"on") or text.strip(b"-0").isdigit()


def read_log(root: Path, sha: str) -> list[tuple[Commit, list[Touch]]]:
    """Every first-parent commit from `sha` that changed data/, oldest first, with the data files it changed."""
    out = _git(root, "log", "-z", "--first-parent", "--diff-merges=first-parent", "--root", "--raw", "--no-abbrev",
               "-M", "--no-color", f"--format={_FORMAT}", "--end-of-options", sha, "--", "data/")
    commits: list[tuple[Commit, list[Touch]]] = []
    tokens = out.split(b"\0")
    index = 0
    while index < len(tokens):
        token = tokens[index]
        index += 1
        if token == _HEADER:
            commits.append((_commit(tokens[index:index + 4]), []))
            index += 4
        elif token.lstrip(b"\n").startswith(b":") and commits:
            meta = token.lstrip(b"\n")[1:].split(b" ")
            paths = 2 if meta[-1][:1] in (b"R", b"C") else 1
            names, index = tokens[index:index + paths], index + paths
            if len(meta) != 5 or len(names) != paths:
                raise NoHistory("git log gave an unexpected answer")
            touch = _touch(commits[-1][0], meta, names[0], names[-1])
            if touch is not None:
                commits[-1][1].append(touch)
        elif token.strip(b"\n"):
            raise NoHistory("git log gave an unexpected answer")
    return commits[::-1]


def _commit(fields: list[bytes]) -> Commit:
    """A commit from its fields as `_FORMAT` prints them; `NoHistory` naming it if no page can show its date."""
    if len(fields) != 4 or not _SHA.fullmatch(fields[0]):
        raise NoHistory("git log gave an unexpected answer")
    sha, time, author, subject = fields[0].decode(), fields[1], *(f.decode("utf-8", "replace") for f in fields[2:])
    if not time.isdigit():  # ASCII digits; git prints nothing for a date it cannot read
        raise NoHistory(f"commit {sha[:12]} has a date that git cannot read")
    if len(time.lstrip(b"0")) > len(str(LATEST)) or int(time) > LATEST:
        raise NoHistory(f"commit {sha[:12]} is dated after the year 9999, which no page can show")
    return Commit(sha, int(time), clean(author, 100), clean(subject, 300))


def _touch(commit: Commit, meta: list[bytes], old_name: bytes, new_name: bytes) -> Touch | None:
    """A raw change of git as a `Touch`, keeping only sides that are regular files at data paths."""
    old_mode, new_mode, old_blob, new_blob, status = meta

    def side(mode: bytes, blob: bytes, name: bytes) -> tuple[str, str] | None:
        try:
            path = name.decode("utf-8")
        except UnicodeDecodeError:
            return None
        folder = None if _CONTROL.search(path) or UNSAFE_CHARS.search(path) else DATA_PATH.fullmatch(path)
        if mode not in REGULAR or set(blob) == {ord("0")} or not folder or folder.group(1) not in KIND_BY_FOLDER:
            return None
        return path, blob.decode("ascii")

    old = None if status[:1] == b"A" else side(old_mode, old_blob, old_name)
    new = None if status[:1] == b"D" else side(new_mode, new_blob, new_name)
    return Touch(commit, old, new) if old or new else None


def read_blobs(root: Path, shas: set[str]) -> dict[str, bytes | None]:
    """The contents of the given blobs (None for one too large to be a data file or missing), with two processes."""
    if not shas:
        return {}
    ordered = sorted(shas)
    sizes: dict[str, int] = {}
    for line in _git(root, "cat-file", "--batch-check", stdin="".join(f"{s}\n" for s in ordered).encode()).splitlines():
        parts = line.decode("ascii", "replace").split()
        if len(parts) == 3 and parts[1] == "blob" and parts[2].isdigit():
            sizes[parts[0]] = int(parts[2])
    wanted = [s for s in ordered if sizes.get(s, MAX_BYTES + 1) <= MAX_BYTES]
    found: dict[str, bytes | None] = dict.fromkeys(ordered)
    out = _git(root, "cat-file", "--batch", stdin="".join(f"{s}\n" for s in wanted).encode()) if wanted else b""
    offset = 0
    for sha in wanted:
        end = out.find(b"\n", offset)
        size = sizes[sha]
        if end < 0 or out[offset:end] != f"{sha} blob {size}".encode() or len(out) < end + 2 + size:
            raise NoHistory("git cat-file gave an unexpected answer")
        found[sha] = out[end + 1:end + 1 + size]
        offset = end + 2 + size
    return found
