"""Measurements in child processes: a timed command with its peak memory, a `mkdocs serve` rebuild, an empty site."""

from __future__ import annotations

import hashlib
import json
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from time import monotonic, perf_counter, sleep

MKDOCS = [sys.executable, "-m", "mkdocs"]
BUILT = re.compile(r"Documentation built in ([\d.]+) seconds")
SITE_PARTS = ("docs", "hooks", "overrides", "mkdocs.yml")  # everything a build needs besides its data
PROJECT_PARTS = ("data", "seeds", *SITE_PARTS)


ROOT = Path(__file__).resolve().parents[2]


def env() -> dict[str, str]:
    """The children's environment: no REPO_URL (no edit links), no MkDocs 2 banner, unbuffered logs."""
    base = {k: v for k, v in os.environ.items() if k != "REPO_URL"}
    return {**base, "NO_MKDOCS_2_WARNING": "1", "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT / "hooks")}


@dataclass(frozen=True)
class Run:
    """One finished child process: wall and CPU seconds, its own peak memory, its output."""

    wall: float
    cpu: float
    peak_mb: float
    returncode: int
    output: str

    @property
    def reported(self) -> float | None:
        """The build time MkDocs logs itself (without interpreter start-up and config loading)."""
        found = BUILT.findall(self.output)
        return float(found[-1]) if found else None


def run(command: list[str], cwd: Path, timeout: float | None = None) -> Run:
    """Run a command; `os.wait4` gives the rusage of exactly this child (ru_maxrss is its peak RSS)."""
    with tempfile.TemporaryFile() as out:
        start = perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env=env(), stdout=out, stderr=subprocess.STDOUT)
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)  # not proc.wait(): that would reap the child first
        if timer:
            timer.cancel()
        wall = perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, text)


def build(project: Path, timeout: float | None = None) -> Run:
    """`mkdocs build --strict` in `project`; raises with the output if it fails."""
    result = run([*MKDOCS, "build", "--strict"], project, timeout)
    if result.returncode != 0:
        raise RuntimeError(f"mkdocs build --strict failed in {project}:\n{result.output[-4000:]}")
    return result


def same_site(a: Path, b: Path) -> tuple[int, int]:
    """(identical files, all files) of two built sites; the search index counts as identical when only its order differs."""
    files = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    others = {p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file()}
    same = 0
    for name in files:
        if name in others and _digest(a / name) == _digest(b / name):
            same += 1
    return same, len(set(files) | others)


def _digest(path: Path) -> str:
    if path.name == "search_index.json":
        index = json.loads(path.read_text(encoding="utf-8"))
        index["docs"] = sorted(index["docs"], key=lambda d: json.dumps(d, sort_keys=True))
        return hashlib.sha1(json.dumps(index, sort_keys=True).encode()).hexdigest()
    return hashlib.sha1(path.read_bytes()).hexdigest()


def copy_project(repo: Path, target: Path, parts: tuple[str, ...] = PROJECT_PARTS) -> Path:
    """A copy of a project's inputs (or some of them) into `target`, which may hold others already (the tests use
    it too)."""
    target.mkdir(parents=True, exist_ok=True)
    for part in parts:
        source = repo / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, target / part)
    return target


def empty_material(repo: Path, target: Path) -> Path:
    """A one-page Material project with our `theme:` settings (and its custom_dir) and nothing else."""
    config = (repo / "mkdocs.yml").read_text(encoding="utf-8")
    theme = re.search(r"(?m)^theme:\n(?:[ \t]+.*\n|[ \t]*\n)*", config)
    shutil.rmtree(target, ignore_errors=True)
    (target / "docs").mkdir(parents=True)
    if (repo / "overrides").is_dir():  # the theme's custom_dir
        shutil.copytree(repo / "overrides", target / "overrides")
    (target / "docs" / "index.md").write_text("# Empty\n\nAn empty Material site.\n", encoding="utf-8")
    (target / "mkdocs.yml").write_text(f"site_name: Empty\n{theme.group() if theme else 'theme: material'}", encoding="utf-8")
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Rebuild:
    """A `mkdocs serve` rebuild after one edit: seconds from the write to the end of the build, and as MkDocs logs it."""

    wall: float
    reported: float | None  # None when MkDocs' duplicate filter swallowed its 'Documentation built in …' line


def edit_summary(path: Path, number: int) -> None:
    """Change the text of an entity's `summary:` (its page changes), or else append a comment line."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if line.startswith("summary:")), None)
    if first is None:
        lines.append(f"# edited by the benchmark ({number})\n")
    else:
        last = first
        while last + 1 < len(lines) and lines[last + 1].startswith(" "):
            last += 1
        text, value = lines[last].rstrip("\n"), lines[first].split(":", 1)[1].strip()
        quote = value[:1] if value[:1] in "'\"" and text.endswith(value[:1]) else ""
        lines[last] = f"{text[:len(text) - len(quote)]} (edit {number}){quote}\n"
    path.write_text("".join(lines), encoding="utf-8")


def serve_rebuilds(project: Path, edit: Path, count: int = 3, timeout: float = 120,
                   options: tuple[str, ...] = ()) -> list[Rebuild]:
    """Start `mkdocs serve [options]` on a free local port, then edit `edit` `count` times, timing each rebuild.

    An edit whose rebuild does not end within `timeout` seconds, or fails, is left out; if none is left, this
    raises with the server's output.
    """
    lines: queue.Queue[tuple[float, str]] = queue.Queue()
    output: list[str] = []
    command = [*MKDOCS, "serve", *options, "-a", f"127.0.0.1:{free_port()}"]
    proc = subprocess.Popen(command, cwd=project, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line)
            lines.put((monotonic(), line))

    def rebuilt(start: float, wait: float) -> Rebuild | None:
        """The end of the next build: its 'Documentation built in …' line, or else 'Reloading browsers' (MkDocs
        drops a 'Documentation built' line whose text it logged before, e.g. the same duration)."""
        deadline, logged = monotonic() + wait, None
        while (left := deadline - monotonic()) > 0:
            try:
                at, line = lines.get(timeout=left)
            except queue.Empty:
                break
            if match := BUILT.search(line):
                logged = (at, float(match.group(1)))
            elif "Reloading browsers" in line:
                return Rebuild(logged[0] - start, logged[1]) if logged else Rebuild(at - start, None)
            elif "error happened during the rebuild" in line:
                return None
        return None

    def serving(wait: float) -> bool:
        deadline = monotonic() + wait
        while (left := deadline - monotonic()) > 0:
            try:
                if "Serving on" in lines.get(timeout=left)[1]:
                    return True
            except queue.Empty:
                break
        return False

    threading.Thread(target=read, daemon=True).start()
    results = []
    try:
        if not serving(max(timeout, 300)):
            raise RuntimeError("mkdocs serve did not finish its first build:\n" + "".join(output[-40:]))
        for number in range(count):
            sleep(1.5)  # let the file watcher settle, then forget any late lines
            while not lines.empty():
                lines.get_nowait()
            start = monotonic()
            edit_summary(edit, number + 1)
            if (found := rebuilt(start, timeout)) is not None:
                results.append(found)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if not results:
        raise RuntimeError("no rebuild was logged after an edit:\n" + "".join(output[-40:]))
    return results
