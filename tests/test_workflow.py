""".github/workflows/site.yml and the Makefile, parsed: every job has a deadline and pinned actions, the tests run on
the oldest and the newest Python, the published site is built by `make build` with its address from the Pages
configuration, pull requests are checked, and the weekly jobs do what they say with least privilege."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import yaml

from tests.conftest import ROOT

WORKFLOW = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8"))
JOBS = WORKFLOW["jobs"]
TEST = JOBS["test"]
PINNED = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}")


@dataclass(frozen=True)
class Rule:
    """A rule of the Makefile: its prerequisites and its recipe's commands (continued lines joined)."""

    prerequisites: tuple[str, ...]
    commands: tuple[str, ...]


def makefile_rules(text: str) -> dict[str, Rule]:
    """The explicit rules of a Makefile by target: `target: prerequisites ## comment` and the tab-indented recipe
    under it; variable assignments and comments are no rules."""
    rules: dict[str, Rule] = {}
    target = None
    for line in re.sub(r"[ \t]*\\\n[ \t]*", " ", text).splitlines():
        if line.startswith("\t") and target:
            command = line.strip()
            rules[target] = Rule(rules[target].prerequisites, (*rules[target].commands, command))
        elif match := re.fullmatch(r"([^\s:#=][^:=]*):(?![=:])\s*([^#]*?)\s*(?:##.*|#.*)?", line):
            target = match[1].strip()
            rules[target] = Rule(tuple(match[2].split()), ())
        elif line.strip() and not line.startswith("#"):
            target = None
    return rules


MAKE = makefile_rules((ROOT / "Makefile").read_text(encoding="utf-8"))


def step(job: dict, predicate: str) -> tuple[int, dict]:
    """The one step of `job` that uses an action or runs a command containing `predicate`, with its index."""
    [found] = [(n, s) for n, s in enumerate(job["steps"]) if predicate in s.get("uses", s.get("run", ""))]
    return found


def commands(job: dict) -> list[str]:
    """Every shell command the steps of `job` run, one a line, continued lines joined."""
    return [line.strip() for s in job["steps"] for line in re.sub(r"[ \t]*\\\n[ \t]*", " ", s.get("run", "")).splitlines()
            if line.strip()]


def test_the_makefile_is_read_as_rules_with_prerequisites_and_commands() -> None:
    rules = makefile_rules("X := 1\n.PHONY: a b\na: b c ## doc\n\tone \\\n\t  more\n\ttwo  # note\n\nb:\n\tthree\n")
    assert rules == {".PHONY": Rule(("a", "b"), ()), "a": Rule(("b", "c"), ("one more", "two  # note")),
                     "b": Rule((), ("three",))}
    assert {"serve", "test", "build", "linkcheck", "properdocs"} <= set(MAKE)


def test_every_job_has_a_timeout() -> None:
    timeouts = {name: job.get("timeout-minutes") for name, job in JOBS.items()}
    assert all(isinstance(minutes, int) and 0 < minutes <= 90 for minutes in timeouts.values()), timeouts
    assert timeouts["verify-sources"] <= 60  # the weekly quote check reads untrusted pages


def test_every_action_of_every_job_is_pinned_by_commit() -> None:
    uses = [s["uses"] for job in JOBS.values() for s in job.get("steps", []) if "uses" in s]
    assert uses and all(PINNED.fullmatch(action) for action in uses), uses


def test_the_workflow_builds_tests_and_link_checks_every_push_and_publishes_main() -> None:
    assert {"push", "pull_request", "schedule"} <= set(WORKFLOW[True])  # YAML 1.1 reads the key 'on' as true
    assert {"make test", "make linkcheck"} <= set(commands(TEST))
    assert JOBS["deploy"]["needs"] == "test"
    assert "make external-links" in commands(JOBS["external-links"])


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
    assert MAKE["linkcheck"].prerequisites[0] == "build"  # `make linkcheck` runs `make build` first
    assert MAKE["build"].commands == ("$(PY) hooks/publish.py site",)
    assert TEST["permissions"] == {"contents": "read", "pages": "read"}


def test_every_pull_request_runs_the_record_check_before_the_tests() -> None:
    checkout = next(s for s in TEST["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0  # both the base and the head commits are there
    check_at, check = step(TEST, "hooks/recordcheck.py")
    assert check["if"] == "github.event_name == 'pull_request'"
    assert check["run"] == ".venv/bin/python hooks/recordcheck.py"
    assert check_at < next(n for n, s in enumerate(TEST["steps"]) if s.get("run") == "make test")
    assert "pull_request" in WORKFLOW[True]


def test_the_workflow_compares_a_properdocs_build_with_the_mkdocs_build() -> None:
    assert "make properdocs" in commands(JOBS["properdocs"])
    recipe = [part.strip() for command in MAKE["properdocs"].commands for part in command.split("&&")]
    assert any(part.startswith("$(VENV)/bin/properdocs build --strict ") for part in recipe), recipe
    assert any(part.startswith("$(VENV)/bin/mkdocs build --strict ") for part in recipe), recipe
    assert any(part.startswith("$(PY) hooks/sitecheck.py same ") for part in recipe), recipe
    assert any("--require-hashes -r requirements-properdocs.txt" in part for part in recipe), recipe
    assert re.search(r"(?m)^properdocs==[0-9.]+ \\\n\s+--hash=sha256:[0-9a-f]{64}$",
                     (ROOT / "requirements-properdocs.txt").read_text(encoding="utf-8"))


def test_the_weekly_job_checks_the_quotes_and_opens_a_pull_request_with_least_privilege() -> None:
    job = JOBS["verify-sources"]
    assert "schedule" in job["if"] and "push" not in job["if"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    run = commands(job)
    assert "make verify-sources" in run
    assert any(line.startswith("gh pr create ") and line.endswith("--body-file verification-report.md") for line in run)
    assert "secrets." not in json.dumps(job) and job["steps"][0]["with"]["persist-credentials"] is False
