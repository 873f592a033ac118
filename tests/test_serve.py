"""`mkdocs serve`: a bad edit prints the error and the server keeps running; the fix brings the site back."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.read().decode("utf-8")
    except OSError:
        return ""


@pytest.mark.parametrize("options", [[], ["--dirty", "--no-strict"]], ids=["plain", "dirty-as-make-serve"])
def test_a_bad_edit_prints_the_error_and_fixing_it_brings_the_site_back(project: Path, options: list[str]) -> None:
    port = free_port()
    log = project / "serve.log"
    with log.open("w") as out:
        command = [sys.executable, "-m", "mkdocs", "serve", *options, "-a", f"127.0.0.1:{port}"]
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        server = subprocess.Popen(command, cwd=project, stdout=out, stderr=subprocess.STDOUT, env=env)
    page = f"http://127.0.0.1:{port}/actors/kim-jong-un/"
    data = project / "data" / "actors" / "kim-jong-un.yml"
    original = data.read_text(encoding="utf-8")
    try:
        assert wait_for(lambda: "Kim Jong Un" in fetch(page)), log.read_text()
        data.write_text(original.replace("name: Kim Jong Un", "name: [Kim"), encoding="utf-8")
        assert wait_for(lambda: "An error happened during the rebuild" in log.read_text()), log.read_text()
        output = log.read_text()
        assert "data/actors/kim-jong-un.yml:" in output and "YAML syntax error" in output
        assert "Traceback" not in output
        assert server.poll() is None, "the server stopped"
        data.write_text(original.replace("name: Kim Jong Un", "name: Kim Jong Un (edited)"), encoding="utf-8")
        assert wait_for(lambda: "Kim Jong Un (edited)" in fetch(page)), log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=10)
