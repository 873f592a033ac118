"""What readers are told changed, and when: a scripted git history of a small project, published on its first day,
built once by the real `mkdocs build --strict`, read back from the entity pages, the Changes page and the Atom feed
(parsed by feedparser, a real feed reader). Readers see the editors' correction notes and, after publication, the
data's changes in words; never a commit message or an author's name."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest

from microsite import check
from microsite.history import HistoryCache, read_history
from microsite.render import Publication, Renderer
from tests.conftest import MINIMAL, ROOT, SOURCE_DATE_EPOCH, Build, build, copy_project, minimal_project

EPOCH = "1692403200"
FORGE = "https://example.org/owner/repo"
HOSTILE = ('<script>alert("x")</script> **bold** [link](javascript:alert(1)) &amp; \x1b[31mred\x07 '
           + "A" * 50_000 + "\n\nA body that never shows.")
HOSTILE_AUTHOR = 'Eve & "Mallory" *x*'
ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass
class Repo:
    """A git repository scripted commit by commit, each dated to a day of August 2023."""

    path: Path

    def git(self, *args: str, day: int = 7, author: str = "Ann Editor") -> str:
        env = {"PATH": os.environ["PATH"], "HOME": str(self.path.parent), "GIT_CONFIG_NOSYSTEM": "1",
               "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "editor@example.org",
               "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": "editor@example.org",
               "GIT_AUTHOR_DATE": f"2023-08-{day:02d}T12:00:00+00:00", "GIT_COMMITTER_DATE": f"2023-08-{day:02d}T12:00:00+00:00"}
        done = subprocess.run(["git", *args], cwd=self.path, env=env, capture_output=True, text=True, check=True)
        return done.stdout

    def commit(self, day: int, subject: str, files: dict[str, str | None], author: str = "Ann Editor") -> str:
        for rel, text in files.items():
            target = self.path / rel
            if text is None:
                target.unlink()
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", subject, day=day, author=author)
        return self.git("rev-parse", "HEAD").strip()

    def read(self, rel: str) -> str:
        return (self.path / rel).read_text(encoding="utf-8")


LAZARUS = "data/actors/lazarus-group.yml"
FACT_V1 = "The Lazarus Group may have used OpenCarrot."
FACT_V2 = "The Lazarus Group used the OpenCarrot backdoor."
TARGETING = "The Lazarus Group targeted NPO Mash <img src=x onerror=alert(1)>."  # markup in data: shown as text
SECOND = """id: second-report
name: Second report
summary: A later report on the intrusion.
publisher: Other Press
url: https://example.org/second-report
language: en
tier: news-report
"""
TARGETING_FACT = f"""  - statement: "{TARGETING}"
    status: reported
    citations:
      - source: second-report
        quote: The group targeted the missile maker.
"""
OPENCARROT_FACT = """facts:
  - statement: OpenCarrot is a backdoor for Windows and Linux.
    status: reported
    citations:
      - source: second-report
        quote: OpenCarrot runs on Windows and Linux.
"""
SECOND_CITATION = """      - source: second-report
        quote: The group used OpenCarrot.
"""
NPOM = """id: npo-mashinostroyeniya
name: NPO Mashinostroyeniya
former_ids: [npo-mash]
type: company
country: Russia
location: Reutov
summary: A Russian maker of cruise missiles and military spacecraft.
"""
CORRECTION = "An earlier version said the group may have used OpenCarrot; the second report says it did."
WITHDRAWAL = "The second report does not say that the group targeted NPO Mash."
NOTES = f"""    corrections:
      - date: 2023-08-20
        note: {CORRECTION}
withdrawn:
  - statement: "{TARGETING}"
    date: 2023-08-20
    reason: {WITHDRAWAL}
"""
REFORMATTED = """# The Lazarus Group, reformatted: the same data in another YAML style.
name: "Lazarus Group"
id: 'lazarus-group'
summary: >-
  A North Korean
  hacking group.
type: hacking-group
relations:
  - {type: used, target: opencarrot, status: alleged,
     citations: [{source: sample-article, quote: "The Lazarus Group may have used a backdoor called OpenCarrot."}]}
  - type: targeted
    target: npo-mashinostroyeniya
    status: reported
    citations:
      - {source: sample-article, quote: "“It is a rare glimpse,” a researcher said."}
facts:
  - status: reported
    statement: The Lazarus Group used the OpenCarrot backdoor.
    citations:
      - {source: sample-article, quote: "The Lazarus Group may have used a backdoor called OpenCarrot."}
      - {source: second-report-2023, quote: "The group used OpenCarrot."}
"""


def history_repo(path: Path) -> tuple[Repo, dict[str, str]]:
    """The scripted history: every kind of change the Changes page must put in words, one commit each."""
    minimal_project(path)
    config = path / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "    # published: 2026-12-08\n", "    published: 2023-08-07\n"), encoding="utf-8")
    repo = Repo(path)
    repo.git("init", "-q", "-b", "main")
    shas = {"first": repo.commit(7, "Add the minimal incident data", {
        "notes/private.yml": "id: secret\nname: Never read\n", "data/README.md": "not a data file\n"})}
    shas["entity"] = repo.commit(8, "Add the second report as a source", {
        "data/sources/second-report.yml": SECOND, "data/README.md": None})
    lazarus = repo.read(LAZARUS)
    shas["fact"] = repo.commit(9, "Lazarus targeted NPO Mash, says the second report", {
        LAZARUS: lazarus.replace("relations:\n", TARGETING_FACT + "relations:\n", 1),
        "data/software/opencarrot.yml": repo.read("data/software/opencarrot.yml") + OPENCARROT_FACT})
    shas["status"] = repo.commit(10, "OpenCarrot use is reported, not only alleged", {
        LAZARUS: repo.read(LAZARUS).replace("status: alleged", "status: reported", 1)})
    text = repo.read(LAZARUS)
    cited = text.index("relations:") - len(TARGETING_FACT)
    shas["citation"] = repo.commit(11, "Cite the second report for OpenCarrot", {
        LAZARUS: text[:cited] + SECOND_CITATION + text[cited:]})
    shas["reword"] = repo.commit(12, "Clearer wording of the OpenCarrot fact", {
        LAZARUS: repo.read(LAZARUS).replace(FACT_V1, FACT_V2)})
    shas["withdraw"] = repo.commit(13, "Withdraw the targeting claim: the report does not say so", {
        LAZARUS: repo.read(LAZARUS).replace(TARGETING_FACT, "")})
    renamed = {path: repo.read(path).replace("npo-mash]", "npo-mashinostroyeniya]")
               .replace("target: npo-mash\n", "target: npo-mashinostroyeniya\n")
               .replace("source: second-report\n", "source: second-report-2023\n")
               for path in (LAZARUS, "data/events/intrusion.yml", "data/software/opencarrot.yml")}
    shas["rename"] = repo.commit(14, "Rename NPO Mash and the second report", {
        **renamed, "data/organizations/npo-mash.yml": None, "data/organizations/npo-mashinostroyeniya.yml": NPOM,
        "data/sources/second-report.yml": None, "data/sources/second-report-2023.yml": SECOND.replace(
            "id: second-report\n", "id: second-report-2023\nformer_ids: [second-report]\n")})
    shas["format"] = repo.commit(15, "Reformat the Lazarus Group file", {LAZARUS: REFORMATTED})
    glimpse = repo.read("data/assessments/rare-glimpse.yml")
    shas["broken"] = repo.commit(16, "Start correcting the assessment", {
        "data/assessments/rare-glimpse.yml": glimpse.replace("status: assessed", "status: [assessed")})
    shas["assessment"] = repo.commit(17, "The assessment's status as the source words it", {
        "data/assessments/rare-glimpse.yml": glimpse.replace("status: assessed", "status: reported")})
    repo.git("checkout", "-q", "-b", "fixes")
    carrot = "data/software/opencarrot.yml"
    repo.commit(15, "Branch work: reword the OpenCarrot summary", {
        carrot: repo.read(carrot).replace("summary: A backdoor.", "summary: A backdoor for Windows and Linux.")})
    repo.commit(16, "Branch work: OpenCarrot's platforms", {
        carrot: repo.read(carrot).replace("category: malware\n", "category: malware\nplatforms: [Windows, Linux]\n")})
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-ff", "-m", "Merge the OpenCarrot corrections", "fixes", day=18)
    shas["merge"] = repo.git("rev-parse", "HEAD").strip()
    shas["hostile"] = repo.commit(19, HOSTILE, {"data/events/intrusion.yml": repo.read("data/events/intrusion.yml").replace(
        "Hackers entered the network.", "Hackers entered the company's network.")}, author=HOSTILE_AUTHOR)
    shas["notes"] = repo.commit(20, "Correction notes", {LAZARUS: repo.read(LAZARUS) + NOTES})
    return repo, shas


@pytest.fixture(scope="module")
def scripted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, dict[str, str]]:
    """The scripted repository, built once with REPO_URL (history links) and SOURCE_DATE_EPOCH."""
    repo, shas = history_repo(tmp_path_factory.mktemp("history") / "project")
    result = build(repo.path, REPO_URL=FORGE, SOURCE_DATE_EPOCH=EPOCH, REQUIRE_HISTORY="1")
    assert result.returncode == 0, result.output
    return result, shas


@pytest.fixture(scope="module")
def site(scripted: tuple[Build, dict[str, str]]) -> Build:
    return scripted[0]


def changes(site: Build) -> str:
    return site.page("changes.md").article_text


def day_section(site: Build, day: int) -> str:
    """The Changes page's text for one day of August 2023 (up to the next day's heading)."""
    text = changes(site)
    found = re.search(rf"(?<!\d){day} August 2023¶(.*?)(?:\d+ August 2023¶|$)", text)
    assert found, f"no changes on {day} August 2023"
    return found.group(1)


def feed(site: Build) -> feedparser.FeedParserDict:
    return feedparser.parse((site.site / "feed.xml").read_bytes())


# --------------------------------------------------------------------------- the Changes page, change by change


def test_a_new_entity_is_a_new_page_on_the_changes_page(site: Build) -> None:
    assert "Second report new page." in day_section(site, 8)


def test_an_added_fact_is_named_with_its_statement(site: Build) -> None:
    section = day_section(site, 9)
    assert f"Lazarus Group new fact: '{TARGETING}'." in section
    assert "OpenCarrot new fact: 'OpenCarrot is a backdoor for Windows and Linux.'" in section


def test_a_changed_status_says_from_what_to_what(site: Build) -> None:
    assert f"status of '{FACT_V1}' changed from alleged to reported" in day_section(site, 10)


def test_a_new_citation_names_the_fact_and_the_source(site: Build) -> None:
    assert f"new source cited for '{FACT_V1}': Second report" in day_section(site, 11)  # named as it is called now


def test_a_reworded_statement_is_one_fact_reworded_not_one_withdrawn_and_one_added(site: Build) -> None:
    section = day_section(site, 12)
    assert f"fact reworded: '{FACT_V2}' (was '{FACT_V1}')" in section
    assert "withdrawn" not in section and "new fact" not in section


def test_a_rename_continues_the_history_under_the_new_id(site: Build) -> None:
    section = day_section(site, 14)
    assert "id changed from 'npo-mash' to 'npo-mashinostroyeniya'" in section  # git saw a delete and an add: former_ids
    assert "id changed from 'second-report' to 'second-report-2023'" in section  # git saw a rename
    assert "page removed" not in section and "new page" not in section
    assert "Published 7 August 2023" in site.page("organizations/npo-mashinostroyeniya.md").article_text
    assert "Published 8 August 2023" in site.page("sources/second-report-2023.md").article_text


def test_a_formatting_only_commit_leaves_no_trace(site: Build) -> None:
    assert "15 August 2023" not in changes(site)
    assert all("15 Aug 2023" not in entry.updated for entry in feed(site).entries)


def test_a_version_that_does_not_parse_is_no_change_and_the_next_is_compared_with_the_last_good_one(site: Build) -> None:
    assert "16 August 2023" not in changes(site) and "could not be read" not in changes(site)
    assert "status changed from assessed to reported" in day_section(site, 17)
    assert "updated 17 August 2023" in site.page("assessments/rare-glimpse.md").article_text


def test_a_merged_branch_is_one_change_dated_by_its_merge(site: Build) -> None:
    assert "OpenCarrot summary reworded; platforms: added 'Windows', 'Linux'." in day_section(site, 18)
    assert "15 August" not in changes(site) and "16 August 2023 OpenCarrot" not in changes(site)


def test_files_outside_the_data_folders_are_never_part_of_the_history(site: Build) -> None:
    text = changes(site)
    assert "Never read" not in text and "secret" not in text and "README" not in text


def test_the_changes_page_is_in_the_sidebar_newest_first(site: Build) -> None:
    html = site.page("changes.md")
    days = re.findall(r"(\d+) August 2023", html.article_text.split("Atom feed", 1)[1])
    assert days == sorted(days, key=int, reverse=True) and days[0] == "20"
    home = (site.site / "index.html").read_text(encoding="utf-8")
    assert 'href="changes/"' in home


def test_nothing_before_publication_is_listed(tmp_path: Path, site: Build) -> None:
    """The first day's commit is the published site: it is no change; nor is anything when no day is set."""
    assert not re.search(r"(?<!\d)7 August 2023", changes(site).split("Atom feed", 1)[1])
    graph, history = check(site.project), read_history(site.project)
    assert not [n for n in Renderer(graph, history=history).notices if n.what == "changed"]


# --------------------------------------------------------------------------- the editors' notes


def test_a_correction_note_stands_beside_its_fact_and_in_the_pages_corrections(site: Build) -> None:
    page = site.page("actors/lazarus-group.md")
    # [1] is the relation cited first, in the summary box; 'cite' links to the statement
    assert f"{FACT_V2} reported[2][3] cite Corrected 20 August 2023: {CORRECTION}" in page.article_text
    assert "corrections" in page.ids
    assert f"20 August 2023. Corrected, on “{FACT_V2}”: {CORRECTION}" in page.article_text
    assert "corrected 20 August 2023" in page.article_text.split("Facts", 1)[0]  # the record line under the title


def test_a_withdrawn_statement_is_listed_with_the_editors_reason(site: Build) -> None:
    page = site.page("actors/lazarus-group.md")
    assert f"20 August 2023. Withdrawn: “{TARGETING}”. {WITHDRAWAL}" in page.article_text
    assert f"Withdrawn: “{TARGETING}”. {WITHDRAWAL}" in day_section(site, 20)
    assert "withdrawal" not in day_section(site, 20)  # the notes are not also told as changes of the data


def test_an_entity_page_says_when_it_was_published_updated_and_corrected_with_a_link_to_its_history(site: Build) -> None:
    page = site.page("actors/lazarus-group.md")
    assert "Published 7 August 2023 · updated 13 August 2023 · corrected 20 August 2023 · view the data's history" \
        in page.article_text
    assert f"{FORGE}/commits/main/{LAZARUS}" in page.links


def test_a_fact_added_after_publication_says_when(site: Build) -> None:
    assert "OpenCarrot is a backdoor for Windows and Linux. reported[2] cite added 9 August 2023" in \
        site.page("software/opencarrot.md").article_text


def test_no_page_and_no_feed_shows_a_commit_message_or_an_author(site: Build) -> None:
    """Every subject and author name of the repository's history, against every file of the built site."""
    log = subprocess.run(["git", "log", "--format=%s%x00%an%x00%cn"], cwd=site.project, capture_output=True, text=True,
                         check=True).stdout
    said = {part.strip() for line in log.splitlines() for part in line.split("\0") if len(part.strip()) > 8}
    said |= {HOSTILE[:40], "Ann Editor", "Mallory"}
    assert len(said) > 15
    for built in [*site.site.rglob("*.html"), site.site / "feed.xml", site.site / "search" / "search_index.json"]:
        text = built.read_text(encoding="utf-8")
        found = [words for words in said if words in text]
        assert not found, (built, found)


# --------------------------------------------------------------------------- the feed


def test_every_page_announces_the_atom_feed_in_its_head(site: Build) -> None:
    for path in ("index.md", "actors/lazarus-group.md", "changes.md"):
        page = site.page(path)
        feeds = [attrs for tag, attrs in page.tags if tag == "link" and attrs.get("type") == "application/atom+xml"]
        assert [f["rel"] for f in feeds] == ["alternate"], path
        assert page.links_to(site.site, site.site / "feed.xml"), path


def test_the_feed_is_valid_atom_written_by_the_site_with_one_line_titles_and_absolute_links(site: Build) -> None:
    parsed = feed(site)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title and parsed.feed.id and parsed.feed.updated == "2023-08-20T00:00:00Z"
    assert len(parsed.entries) == len({e.id for e in parsed.entries}) >= 10
    for entry in parsed.entries:
        assert entry.id.startswith("urn:uuid:") and entry.updated_parsed and entry.summary
        assert entry.author == parsed.feed.author  # the site, never a committer
        assert "\n" not in entry.title and len(entry.title) <= 110
        assert entry.link.startswith("http://127.0.0.1:8000/changes/#n-")  # site_url: a local build's default
    root = ET.parse(site.site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    for element in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{element}") is not None, element


def test_each_feed_entry_links_to_its_notice_on_the_changes_page(site: Build) -> None:
    page = site.page("changes.md")
    for entry in feed(site).entries:
        assert entry.link.removeprefix("http://127.0.0.1:8000/changes/#") in page.ids


def test_the_feed_says_the_same_notices_newest_first(site: Build) -> None:
    entries = feed(site).entries
    assert [e.title for e in entries[:2]] == ["Lazarus Group: a correction", "Lazarus Group: a statement withdrawn"]
    assert entries[0].summary == f"“{FACT_V2}”\n{CORRECTION}"
    assert any(e.summary == "summary reworded." and e.title == "The intrusion: changed" for e in entries)
    assert [e.updated for e in entries] == sorted((e.updated for e in entries), reverse=True)


def test_feed_entry_ids_stay_the_same_when_history_grows(scripted: tuple[Build, dict[str, str]]) -> None:
    site, shas = scripted
    graph = check(site.project)
    publication = Publication(published="2023-08-07")
    before = Renderer(graph, history=read_history(site.project, shas["assessment"]), publication=publication).notices
    now = {n.uid for n in Renderer(graph, history=read_history(site.project), publication=publication).notices}
    assert before and {n.uid for n in before} <= now


# --------------------------------------------------------------------------- hostile history


def test_a_hostile_commit_message_and_author_never_reach_a_page_or_the_feed(site: Build) -> None:
    for built in (site.site / "changes" / "index.html", site.site / "feed.xml"):
        raw = built.read_text(encoding="utf-8")
        assert "<script>alert" not in raw and "javascript:alert" not in raw and "\x1b" not in raw
        assert "Mallory" not in raw and "A body that never shows" not in raw and "AAAAAAAAAA" not in raw
    assert "Hackers entered the company's network" not in changes(site)  # the change itself, in words:
    assert "summary reworded" in day_section(site, 19)


# --------------------------------------------------------------------------- without history, and speed


def test_a_build_without_history_lists_only_the_notes_and_writes_a_valid_feed(real_site: Build) -> None:
    assert "view the data's history" not in real_site.page("actors/kim-jong-un.md").article_text
    parsed = feedparser.parse((real_site.site / "feed.xml").read_bytes())
    assert not parsed.bozo and parsed.version == "atom10"
    assert all(entry.title.endswith((": a correction", ": a statement withdrawn")) for entry in parsed.entries)
    if not parsed.entries:
        assert parsed.feed.updated_parsed == time.gmtime(int(SOURCE_DATE_EPOCH))  # no clock: SOURCE_DATE_EPOCH, …
    unset = feedparser.parse(Renderer(check(MINIMAL), overview="intrusion").feed())
    assert not unset.bozo and unset.feed.updated == "1970-01-01T00:00:00Z"  # … else the epoch


def test_a_shallow_clone_has_no_history_and_says_why(site: Build, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{site.project}", str(clone)], check=True,
                   capture_output=True, env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull})
    history = read_history(clone)
    assert not history.available and history.reason == "this is a shallow clone"
    assert read_history(clone / "data").reason == "no git repository here"  # git never looks above the project


def test_the_same_commit_builds_byte_identical_history_pages_and_feed(site: Build, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(site.project), str(clone)], check=True, capture_output=True,
                   env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull})
    again = build(clone, REPO_URL=FORGE, SOURCE_DATE_EPOCH=EPOCH)
    assert again.returncode == 0, again.output
    for built in ("feed.xml", "changes/index.html", "actors/lazarus-group/index.html", "sitemap.xml.gz"):
        assert _digest(site.site / built) == _digest(again.site / built), built


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def git_counter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `git` on PATH that logs each run and hands it to the real git."""
    log, wrapper = tmp_path / "git-runs.log", tmp_path / "bin" / "git"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {shutil.which("git")} "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    return log


def test_the_history_is_read_with_a_fixed_number_of_git_processes_and_kept_until_head_moves(
        site: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = git_counter(tmp_path, monkeypatch)
    cache = HistoryCache()
    first = cache.get(site.project)
    runs = [re.sub(r"(-c \S+ )+", "", line).split()[0] for line in log.read_text().splitlines()]
    assert runs == ["rev-parse", "config", "log", "cat-file", "cat-file"]  # whatever the number of commits and files
    assert cache.get(site.project) is first
    assert len(log.read_text().splitlines()) == 6, "a rebuild with the same HEAD should only ask git for HEAD"


def test_the_published_site_is_built_from_the_full_history_or_not_at_all(tmp_path: Path) -> None:
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["test"]["steps"]
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    publish = next(step for step in steps if step.get("run") == "make linkcheck")
    assert publish["env"]["REQUIRE_HISTORY"] == "1"
    project = copy_project(tmp_path / "tarball")  # no .git: as a tarball unpacks
    result = build(project, REQUIRE_HISTORY="1")
    assert result.returncode == 1
    assert "REQUIRE_HISTORY=1, but the git history of data/ cannot be read: no git repository here" in result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- pages that show the history


def test_the_history_changes_the_entity_pages_the_changes_page_and_the_feed_not_the_indexes_or_home(site: Build) -> None:
    graph = check(site.project)
    publication = Publication(published="2023-08-07")
    without = Renderer(graph, overview="intrusion", publication=publication).plans()  # as mkdocs.yml opens the home
    with_history = Renderer(graph, overview="intrusion", history=read_history(site.project),
                            publication=publication).plans()
    assert [plan.path for plan in without] == [plan.path for plan in with_history]
    changed = {plan.path for plan, other in zip(without, with_history, strict=True) if plan.make() != other.make()}
    assert {"index.md", "actors/index.md", "changes.md", "feed.xml", "actors/lazarus-group.md"} & changed == {
        "changes.md", "feed.xml", "actors/lazarus-group.md"}


def test_the_real_site_built_from_its_own_history_shows_no_commit_message_or_author(tmp_path: Path) -> None:
    """The project's own repository, cloned whole and built as CI publishes it (history required), with every change
    since its first commit shown to readers: no subject line and no author of `git log` appears in any page or feed."""
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--is-shallow-repository"], capture_output=True,
                      text=True).stdout.strip() != "false":
        pytest.skip("the project is not a full git clone here (a downloaded archive or a shallow clone)")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-local", str(ROOT), str(clone)], check=True, capture_output=True)
    first = subprocess.run(["git", "log", "--reverse", "--format=%cs"], cwd=clone, capture_output=True, text=True,
                           check=True).stdout.split()[0]
    config = clone / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("    # published: 2026-12-08\n",
                                                                 f"    published: {first}\n"), encoding="utf-8")
    result = build(clone, REQUIRE_HISTORY="1", SOURCE_DATE_EPOCH=EPOCH)
    assert result.returncode == 0, result.output
    log = subprocess.run(["git", "log", "--format=%s%x00%an%x00%cn"], cwd=clone, capture_output=True, text=True,
                         check=True).stdout
    said = {part.strip() for line in log.splitlines() for part in line.split("\0") if len(part.strip()) > 24}
    names = {part.strip() for line in log.splitlines() for part in line.split("\0")[1:]
             if len(part.strip()) >= 10}  # an author named like a common word ('research') is left out
    assert len(said) > 50 and names
    assert "new page" in (result.site / "changes" / "index.html").read_text(encoding="utf-8")  # changes are listed
    for built in [*result.site.rglob("*.html"), result.site / "feed.xml"]:
        text = built.read_text(encoding="utf-8")
        assert not [words for words in said if words in text], built
        assert not [name for name in names if re.search(rf"\b{re.escape(name)}\b", text)], built
