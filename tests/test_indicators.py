"""Indicators carry the window in which their source saw them in use, and a source may hold those it ties to no
group: the STIX indicators say so (`valid_from`, `valid_until`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from microsite import check
from microsite.stix import Bundler
from tests.conftest import check_report, minimal_project

MOMENT = dt.datetime(2023, 8, 19, tzinfo=dt.UTC)
LIST = """indicators:
  - type: ip
    values:
      - 192.0.2[.]7
    context: command-and-control address
{active}    citation:
      source: sample-article
      quote: The Lazarus Group may have used a backdoor called OpenCarrot.
"""


def indicator(tmp_path: Path, active: str) -> dict:
    project = minimal_project(tmp_path / "project")
    source = project / "data" / "sources" / "sample-article.yml"
    source.write_text(source.read_text(encoding="utf-8") + LIST.format(active=active), encoding="utf-8")
    bundle = Bundler(check(project), "test", MOMENT).bundle()
    return next(o for o in bundle["objects"] if o["type"] == "indicator")


@pytest.mark.parametrize(("active", "valid_from", "valid_until"), [
    ("    active: {start: 2022-01, end: 2022-05}\n", "2022-01-01T00:00:00.000Z", "2022-06-01T00:00:00.000Z"),
    ("    active: 2022-02-14\n", "2022-02-14T00:00:00.000Z", "2022-02-15T00:00:00.000Z"),
    ("", "2023-08-10T00:00:00.000Z", None),  # no window given: from the source's date, with no end
])
def test_an_indicator_is_valid_in_the_window_its_source_gives(tmp_path: Path, active: str, valid_from: str,
                                                              valid_until: str | None) -> None:
    found = indicator(tmp_path, active)
    assert found["valid_from"] == valid_from
    assert found.get("valid_until") == valid_until


def test_a_republication_names_what_it_copies(tmp_path: Path) -> None:
    project = minimal_project(tmp_path / "project")
    source = project / "data" / "sources" / "sample-article.yml"
    source.write_text(source.read_text(encoding="utf-8").replace("tier: news-report", "tier: republication"),
                      encoding="utf-8")
    assert "a republication or translation names the source it copies" in check_report(project)
