"""`make build`: a strict build into a fresh folder beside the site folder, swapped in only once it is whole.

A build that fails, times out or is stopped (Ctrl-C, SIGTERM) leaves the previous site as it was and removes its
own fresh folder. Two runs at once in one project: the second fails at once, naming the first.

    python hooks/publish.py [SITE_DIR] [-- MKDOCS_BUILD_OPTIONS...]
"""

from __future__ import annotations

import fcntl
import glob
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

DEADLINE = int(os.environ.get("BUILD_DEADLINE", "1800"))  # seconds a build may take before it is stopped


def swap(fresh: Path, site: Path) -> None:
    """Put `fresh` where `site` is: the old site is moved aside, the fresh one renamed into place, the old deleted."""
    old = site.with_name(f".{site.name}.old-{os.getpid()}")
    had_site = site.exists() or site.is_symlink()
    if had_site:
        os.rename(site, old)
    try:
        os.rename(fresh, site)
    except OSError:
        if had_site:
            os.rename(old, site)
        raise
    _remove(old)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


def build(command: list[str]) -> int | None:
    """Run the build `command`: its exit code, or None if Ctrl-C or SIGTERM stopped it. The signal handler only
    notes the signal and passes it on, so this function always gets to clean up, wherever the signal comes."""
    stopped: list[int] = []
    child: list[subprocess.Popen[bytes]] = []

    def stop(signum: int, frame: object) -> None:
        stopped.append(signum)
        for process in child:
            process.terminate()

    previous = {number: signal.signal(number, stop) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        child.append(subprocess.Popen(command))
        if stopped:  # it came while the child was starting
            child[0].terminate()
        try:
            code = child[0].wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            child[0].kill()
            child[0].wait()
            raise
        return None if stopped else code
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def main(argv: list[str]) -> int:
    args, options = (argv[: argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    site = Path(args[0] if args else "site").absolute()
    project = os.open(site.parent, os.O_RDONLY)  # one `make build` at a time in this folder
    try:
        fcntl.flock(project, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(project)
        print(f"error: another `make build` is running in {site.parent}; wait for it to end", file=sys.stderr)
        return 1
    for stage in ("new", "old"):  # what a run that was killed left
        for leftover in site.parent.glob(f".{glob.escape(site.name)}.{stage}-*"):
            _remove(leftover)
    fresh = site.with_name(f".{site.name}.new-{os.getpid()}")
    try:
        fresh.mkdir(mode=0o777)  # the umask applies, as to a folder MkDocs makes
        code = build([sys.executable, "-m", "mkdocs", "build", *(options or ["--strict"]), "--site-dir", str(fresh)])
        if code is None:
            print(f"build stopped; {site} is left as it was", file=sys.stderr)
            return 130
        if code:
            print(f"error: the build failed; {site} is left as it was", file=sys.stderr)
            return 1
        swap(fresh, site)
    except subprocess.TimeoutExpired:
        print(f"error: the build took over {DEADLINE} s (BUILD_DEADLINE) and was stopped; {site} is left as it was",
              file=sys.stderr)
        return 1
    finally:
        _remove(fresh)
        os.close(project)
    print(f"built into {site}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
