"""The MISP event download, the archive of every download with its checksums, and the sizes the Downloads page states:
made in-process from the real data (`exports.files`), twice where sameness is the point."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from importlib.metadata import version

import pytest

from microsite import check, exports
from microsite.model import refang
from microsite.render import Renderer
from tests.conftest import ROOT

MOMENT = dt.datetime(2023, 8, 19, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def made() -> dict[str, str | bytes]:
    return dict(exports.files(check(ROOT), "test", MOMENT))


def test_the_archive_holds_every_other_download_with_its_checksum(made: dict[str, str | bytes]) -> None:
    archive = zipfile.ZipFile(io.BytesIO(made[exports.ARCHIVE]))
    names = archive.namelist()
    assert names[-1] == f"{exports.DOWNLOADS}/{exports.CHECKSUMS}"
    assert sorted(names[:-1]) == sorted(path for path in made if path != exports.ARCHIVE)
    sums = dict(reversed(line.split("  ", 1)) for line in archive.read(names[-1]).decode().splitlines())
    for path, text in made.items():
        if path != exports.ARCHIVE:
            assert archive.read(path) == text.encode()
            assert sums[path] == hashlib.sha256(text.encode()).hexdigest()
    assert {info.date_time for info in archive.infolist()} == {(2023, 8, 19, 0, 0, 0)}


def test_two_makings_of_one_commit_give_the_same_archive_byte_for_byte(made: dict[str, str | bytes]) -> None:
    again = dict(exports.files(check(ROOT), "test", MOMENT))
    assert again[exports.ARCHIVE] == made[exports.ARCHIVE]
    assert len(made[exports.ARCHIVE]) < sum(len(t) for p, t in made.items() if p != exports.ARCHIVE) / 3


def test_the_misp_event_holds_every_indicator_once_with_its_window(made: dict[str, str | bytes]) -> None:
    pymisp = pytest.importorskip("pymisp")
    event = pymisp.MISPEvent()
    event.load(made[exports.MISP_EVENT])
    values = [attribute.value for attribute in event.attributes]
    graph = check(ROOT)
    expected = {refang(v) for e in graph.entities.values() for i in e.attrs.get("indicators") or () for v in i.values}
    assert sorted(values) == sorted(expected) and len(values) == len(set(values))
    assert not any(attribute.to_ids for attribute in event.attributes)
    assert [tag.name for tag in event.tags] == ["tlp:clear"]
    c2 = next(a for a in event.attributes if a.value == "192.169.7.197")
    assert c2.type == "ip-dst" and c2.first_seen.year == 2022 and "ScarCruft" in c2.comment
    raw = json.loads(made[exports.MISP_EVENT])["Event"]
    assert raw["uuid"] == event.uuid and raw["published"] is False


def test_the_downloads_page_states_each_size_and_names_the_client_versions(made: dict[str, str | bytes]) -> None:
    renderer = Renderer(check(ROOT))
    renderer.context["download_sizes"] = {p: len(t if isinstance(t, bytes) else t.encode()) for p, t in made.items()}
    page = renderer.render("downloads.md.j2", "downloads.md").replace("\\", "")  # Markdown escapes, taken out
    for download in exports.catalogue(renderer.graph):
        row = next(line for line in page.splitlines() if f"]({download.path})" in line)
        assert row.split(" | ")[1].endswith(("bytes", "KB", "MB")), row
    for name, (pinned, _) in exports.STIX_CLIENTS.items():
        assert f"| {name} | {pinned} |" in page
        assert version(name) == pinned, f"{name}: the Downloads page names {pinned}, the venv has {version(name)}"


def test_two_processes_with_different_hash_seeds_make_the_same_archive() -> None:
    """Set and dict orders that depend on string hashing would differ between builds: none reaches a download."""
    import os
    import subprocess
    import sys

    script = ("import datetime as dt, hashlib, pathlib, sys\nsys.path[:0] = ['hooks', '.']\n"
              "from microsite import check, exports\n"
              "files = dict(exports.files(check(pathlib.Path('.')), 'test', dt.datetime(2023, 8, 19, tzinfo=dt.UTC)))\n"
              "print(hashlib.sha256(files[exports.ARCHIVE]).hexdigest())\n")
    digests = {subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
                              timeout=300, env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(digests) == 1, digests
