""".github/workflows/site.yml, parsed: every job has a deadline, the tests run on the oldest and the newest Python,
and the published site is built by `make build` with its address from the Pages configuration."""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT

WORKFLOW = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8"))
TEST = WORKFLOW["jobs"]["test"]
PINNED = re.compile(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}")


def step(job: dict, predicate: str) -> tuple[int, dict]:
    """The one step of `job` that uses an action or runs a command containing `predicate`, with its index."""
    [found] = [(n, s) for n, s in enumerate(job["steps"]) if predicate in s.get("uses", s.get("run", ""))]
    return found


def test_every_job_has_a_timeout() -> None:
    timeouts = {name: job.get("timeout-minutes") for name, job in WORKFLOW["jobs"].items()}
    assert all(isinstance(minutes, int) and 0 < minutes <= 90 for minutes in timeouts.values()), timeouts
    assert timeouts["verify-sources"] <= 60  # the weekly quote check reads untrusted pages


def test_the_tests_run_on_the_oldest_supported_and_the_newest_python_and_publish_from_one() -> None:
    versions = TEST["strategy"]["matrix"]["python"]
    assert versions[0] == "3.11" and len(versions) == 2
    assert tuple(map(int, versions[1].split("."))) > (3, 11)
    assert TEST["strategy"]["fail-fast"] is False
    _, setup = step(TEST, "actions/setup-python@")
    assert setup["with"]["python-version"] == "${{ matrix.python }}"
    publish = TEST["env"]["PUBLISH"]
    assert publish == "${{ github.ref == 'refs/heads/main' && github.event_name == 'push' && matrix.python == '3.11' }}"
    _, upload = step(TEST, "actions/upload-pages-artifact@")
    assert upload["if"] == "env.PUBLISH == 'true'" and upload["with"]["path"] == "site"


def test_the_published_site_is_built_by_make_build_with_the_address_pages_gives_it() -> None:
    configure_at, configure = step(TEST, "actions/configure-pages@")
    build_at, build = step(TEST, "make linkcheck")
    upload_at, _ = step(TEST, "actions/upload-pages-artifact@")
    assert configure_at < build_at < upload_at
    assert PINNED.fullmatch(configure["uses"]) and configure["id"] == "pages"
    assert configure["if"] == "env.PUBLISH == 'true'"
    assert build["env"]["SITE_URL"] == ("${{ steps.pages.outputs.base_url && format('{0}/', steps.pages.outputs.base_url) "
                                        "|| '' }}")  # '/' alone, where nothing is published, would be no address
    assert build["env"]["REQUIRE_HISTORY"] == "1"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"(?m)^linkcheck: build\b", makefile)  # `make linkcheck` runs `make build` first
    assert TEST["permissions"] == {"contents": "read", "pages": "read"}


def test_every_action_of_every_job_is_pinned_by_commit() -> None:
    uses = [s["uses"] for job in WORKFLOW["jobs"].values() for s in job.get("steps", []) if "uses" in s]
    assert uses and all(PINNED.fullmatch(action) for action in uses), uses
