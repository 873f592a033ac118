"""`make serve` (`mkdocs serve --dirty --no-strict`): a bad edit prints the error and the server keeps running; the
fix brings the site back; an edit rewrites only the pages it changes. Stopped as Ctrl-C stops it, the server removes
its temporary site folder: tests leave no mkdocs_* behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import minimal_project
from tests.localserver import free_port

PEOPLE = [f"person-{n:02}" for n in range(1, 13)]  # an edit to one of them changes its page and a few lists only


def serve_project(target: Path) -> Path:
    """The minimal project with a dozen people besides: enough pages that a dirty rebuild's few rewrites stand out
    among them, and it builds in a second or two where the real data takes several."""
    minimal_project(target)
    for person in PEOPLE:
        (target / "data" / "actors" / f"{person}.yml").write_text(
            f"id: {person}\nname: {person.replace('-', ' ').title()}\ntype: person\nsummary: Someone in a test.\n",
            encoding="utf-8")
    return target


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


@contextmanager
def mkdocs_serve(project: Path, options: list[str], port: int, log: Path, tmp: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`mkdocs serve` on 127.0.0.1:`port`, its output in `log`, its temporary site folder (mkdocs_*) made in `tmp`.

    Stopped with SIGINT, as Ctrl-C stops it: MkDocs then deletes that folder itself (SIGTERM would kill it before
    it does). One that does not stop within 20 s is killed, and its folder removed here.
    """
    tmp.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "mkdocs", "serve", *options, "-a", f"127.0.0.1:{port}"]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(tmp)}
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=project, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        yield server
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
            for left in tmp.glob("mkdocs_*"):
                shutil.rmtree(left, ignore_errors=True)


@dataclass
class Served:
    """A running `mkdocs serve` of a project copy: where it serves, logs and builds."""

    project: Path
    base: str
    log: Path
    tmp: Path
    server: subprocess.Popen[bytes]

    def fetch(self, path: str) -> str:
        return fetch(self.base + path)

    def site(self) -> Path:
        """The temporary folder serve builds into."""
        return next(self.tmp.glob("mkdocs_*"))


@contextmanager
def serving(project: Path, options: list[str]) -> Iterator[Served]:
    """Serve `project` until the block ends, then check serve stopped cleanly and removed its site folder."""
    port = free_port()
    log, tmp = project / "serve.log", project.parent / "serve-tmp"
    with mkdocs_serve(project, options, port, log, tmp) as server:
        served = Served(project, f"http://127.0.0.1:{port}/", log, tmp, server)
        assert wait_for(lambda: "Person 01" in served.fetch("actors/person-01/")), log.read_text()
        assert len(list(tmp.glob("mkdocs_*"))) == 1, "mkdocs serve did not build into a folder of its own TMPDIR"
        yield served
    assert not list(tmp.glob("mkdocs_*")), "mkdocs serve left its temporary site folder behind"
    assert server.returncode == 0, f"mkdocs serve did not stop cleanly on Ctrl-C:\n{log.read_text()}"


@pytest.fixture(scope="module")
def make_serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """What `make serve` runs (`--dirty --no-strict`) on the minimal project and a dozen people, shared by this
    module's tests; each edits an entity of its own."""
    with serving(serve_project(tmp_path_factory.mktemp("make-serve") / "project"), ["--dirty", "--no-strict"]) as served:
        yield served


def test_a_bad_edit_prints_the_error_and_fixing_it_brings_the_site_back(make_serve: Served) -> None:
    served = make_serve
    data = served.project / "data" / "actors" / "person-01.yml"
    original = data.read_text(encoding="utf-8")
    assert "Content-Security-Policy" not in served.fetch("actors/person-01/"), \
        "a CSP would refuse serve's inline live-reload script"
    log_before = len(served.log.read_text())
    data.write_text(original.replace("name: Person 01", "name: [Person"), encoding="utf-8")
    try:
        assert wait_for(lambda: "An error happened during the rebuild" in served.log.read_text()[log_before:]), \
            served.log.read_text()
        output = served.log.read_text()[log_before:]
        assert "data/actors/person-01.yml:" in output and "YAML syntax error" in output
        assert "Traceback" not in output
        assert served.server.poll() is None, "the server stopped"
    finally:
        data.write_text(original.replace("name: Person 01", "name: Person 01 (edited)"), encoding="utf-8")
    assert wait_for(lambda: "Person 01 (edited)" in served.fetch("actors/person-01/")), served.log.read_text()


def test_a_dirty_rebuild_takes_a_deleted_entity_out_of_the_site_and_the_search_index(make_serve: Served) -> None:
    page = "actors/person-02/"
    assert "Person 02" in make_serve.fetch(page)
    assert page in make_serve.fetch("search/search_index.json")
    (make_serve.project / "data" / "actors" / "person-02.yml").unlink()
    assert wait_for(lambda: page not in make_serve.fetch("search/search_index.json")), make_serve.log.read_text()
    assert "Person 02" not in make_serve.fetch(page), "the deleted entity's page is still served"
    assert "actors/person-03/" in make_serve.fetch("search/search_index.json")


def test_a_dirty_rebuild_after_one_edit_writes_only_the_pages_whose_markdown_changed(make_serve: Served) -> None:
    page = "actors/person-04/"
    data = make_serve.project / "data" / "actors" / "person-04.yml"
    assert "Person 04" in make_serve.fetch(page)
    site = make_serve.site()
    before = {p: p.stat().st_mtime_ns for p in site.rglob("index.html")}
    data.write_text(data.read_text(encoding="utf-8").replace("name: Person 04", "name: Person Four"), encoding="utf-8")
    assert wait_for(lambda: "Person Four" in make_serve.fetch(page)), make_serve.log.read_text()
    rewritten = sorted(p.relative_to(site).as_posix() for p, mtime in before.items() if p.stat().st_mtime_ns != mtime)
    assert "actors/person-04/index.html" in rewritten
    assert len(rewritten) < len(before) / 4, f"{len(rewritten)} of {len(before)} pages were written again"


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}", "127.0.0.1:1"])
def test_serve_refuses_a_request_not_addressed_to_it(make_serve: Served, host: str) -> None:
    """A DNS name rebound to 127.0.0.1 lets another site's page reach the server: its `Host` gives it away."""
    port = make_serve.base.rsplit(":", 1)[1].strip("/")
    request = urllib.request.Request(make_serve.base, headers={"Host": host.format(port=port)})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 421
    for name in ("127.0.0.1", "localhost"):
        addressed = urllib.request.Request(make_serve.base, headers={"Host": f"{name}:{port}"})
        with urllib.request.urlopen(addressed, timeout=5) as answer:
            assert answer.status == 200
