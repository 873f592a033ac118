"""Check every quote against its source's web page: `python hooks/verify.py [--root .] [--save] [--report FILE]`.

A separate, network-bound command (`make verify-sources`), never part of the build. For each source in
data/sources with a `url`, it reads the page politely (robots.txt first, an honest User-Agent, one request at a time
per host with a pause between two, timeouts, retries with backoff, a byte cap, HTML and plain text only; a robots.txt
that cannot be read as text forbids its whole site), takes the visible article text within a CPU and size budget
(hooks/pagetext.py) and looks for every quote citing the source with the project's one normalisation
(`microsite.quotes`). It asks the Internet Archive for the snapshot closest to the source's date: that is the
source's archived copy, and where the live page is gone or no longer holds a quote, the quote is looked for there.
`--save` asks the Internet Archive to capture pages it has no snapshot of.

Every request, robots.txt and the archive's own included, goes through hooks/safenet.py (http(s) only, public
addresses only, every redirect hop checked again, one deadline, a byte cap) by way of linkcheck's polite `Checker`.
What it finds is written to data/verification/<source-id>.yml (`microsite.verification`), keys sorted and quotes in
order, a quote's date kept while what was found stays the same, so the records change only when the web did. A
record holds only addresses the data loader accepts (`url_problem`) and snapshots on https://web.archive.org; a page
that cannot be read, or a source whose check breaks off, is a record that says why, never the end of the run. The
records it rewrites are not read before it runs, so a bad one cannot stop it. A report (the weekly pull request's
body, where nothing a page said can mention anyone or link an issue) lists the quotes that stopped matching. It
always exits 0 on a finished run: a quote that is no longer on its page is for an editor to judge, not a failure.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import http.client
import json
import logging
import re
import sys
import threading
import urllib.robotparser
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import yaml

import linkcheck
import pagetext
import safenet
from microsite import check
from microsite.errors import DataErrors, shown
from microsite.load import UNSAFE_CHARS
from microsite.model import Entity
from microsite.quotes import Archive, fold
from microsite.schema import url_problem
from microsite.verification import FOLDER, WAYBACK, Timestamp, record_text, snapshot_problem, snapshot_url

AGENT = "npo-mash-microsite-verify"  # the product token robots.txt rules are matched against
USER_AGENT = f"{AGENT}/1.0 (checks a research microsite's quotes against the pages they cite; Python)"
ARCHIVE_API = "https://archive.org/wayback/available"
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain")  # pages whose text is searched
READ_TYPES = (*TEXT_TYPES, "application/json")  # bodies read at all (JSON: the archive's answers)
SNAPSHOT_TIME = re.compile(r"[0-9]{14}")
DEFAULTS = linkcheck.Options(timeout=20.0, backoff=2.0, delay=2.0, max_bytes=8 << 20)  # patient with slow news sites
MAX_REPORT = 60_000  # characters: GitHub refuses a pull request body over 65,536
GITHUB_REFERENCE = re.compile(r"(?<=[@#])|(?<=:)(?=//)|(?<=\bGH)(?=-)|(?<=\bwww)(?=\.)", re.I)  # see pull_request_text
Clock = Callable[[], datetime]

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # its warnings are about the page, not about us


@dataclass
class Settings:
    """How to check: the network options of the link checker, where the Internet Archive is, whether to ask it to save."""

    options: linkcheck.Options
    archive_api: str = ARCHIVE_API  # another value only in tests (a local fake)
    wayback: str = WAYBACK  # where snapshots are read; records always name them on WAYBACK
    save: bool = False


@dataclass
class Fetched(linkcheck.Answer):
    """An answer with its body, read only for a 2xx response of a readable content type."""

    body: bytes | None = None
    content_type: str = ""
    charset: str | None = None


class Fetcher(linkcheck.Checker):
    """GET only, reading the body up to the byte cap; a body over the cap is an answer, not a failure to retry."""

    accept = "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"

    def answer(self, response: http.client.HTTPResponse) -> Fetched:
        fetched = Fetched(**asdict(super().answer(response)), content_type=response.headers.get_content_type(),
                          charset=response.headers.get_content_charset())
        if 200 <= response.status < 300 and fetched.content_type in READ_TYPES:
            try:
                fetched.body = safenet.read_body(response, self.options.max_bytes)
            except safenet.TooLarge:
                fetched.note = f"the page is larger than {self.options.max_bytes} bytes"
        return fetched

    def attempt(self, url: str, deadline: safenet.Deadline) -> linkcheck.Answer:
        return self.request(url, "GET", deadline)


class Robots:
    """robots.txt of each origin, read once per run (RFC 9309: a 4xx allows everything; an error allows nothing)."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self._rules: dict[str, urllib.robotparser.RobotFileParser | str] = {}
        self._locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
        self._guard = threading.Lock()

    def refusal(self, url: str) -> str | None:
        """Why robots.txt keeps us from `url`, or None."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._guard:
            lock = self._locks[origin]
        with lock:
            if origin not in self._rules:
                self._rules[origin] = self._load(origin)
        rules = self._rules[origin]
        if isinstance(rules, str):
            return rules
        return None if rules.can_fetch(AGENT, url) else f"robots.txt of {origin} disallows it"

    def _load(self, origin: str) -> urllib.robotparser.RobotFileParser | str:
        """The rules, or why there are none to obey: then nothing there is read (RFC 9309, 2.3.1.4)."""
        _, _, answer = self.fetcher.follow(f"{origin}/robots.txt")
        rules = urllib.robotparser.RobotFileParser()
        code = answer.code or 0
        if 400 <= code < 500:
            rules.allow_all = True
        else:
            why = _no_text(answer) if 200 <= code < 300 else _why(answer)
            try:
                if why is None:
                    rules.parse(answer.body.decode("utf-8", errors="replace").splitlines())  # type: ignore[attr-defined]
            except ValueError as error:  # a rule urllib cannot take, such as 'Disallow: //['
                why = f"a rule cannot be parsed: {error}"
            if why:
                return f"robots.txt of {origin} could not be read ({why}), so no page there is read"
        rules.modified()
        return rules


@dataclass
class Page:
    """The text of one page as read, or why there is none."""

    url: str  # after redirects
    fetched: str
    article: str | None = None  # the article text (trafilatura); the text searched first
    full: str | None = None  # every visible text of the page, for quotes in captions or boxes
    note: str | None = None

    @functools.cached_property
    def texts(self) -> tuple[Archive, Archive]:
        """The article and the whole text, normalised once for all the quotes looked for."""
        return Archive(self.article or ""), Archive(self.full or "")

    def search(self, quote: str, where: str, url: str | None = None) -> dict[str, str]:
        """The record entry for `quote` on this page."""
        entry = {"quote": quote, "url": url or self.url, "checked": self.fetched}
        if self.article is None:
            return {**entry, "result": "unreachable", "note": self.note or "no text"}
        article, full = self.texts
        if article.locate(quote):  # the hash is of the text the quote was found in, else of the whole text searched
            return {**entry, "where": where, "sha256": _sha256(self.article), "result": "found"}
        entry |= {"where": where, "sha256": _sha256(self.full or "")}
        if full.locate(quote):
            return {**entry, "result": "found", "note": "on the page, outside the article text"}
        return {**entry, "result": "not-found"}


@dataclass
class Snapshot:
    """The Internet Archive capture closest to a date."""

    captured: str  # YYYYMMDDhhmmss
    page: str  # the snapshot as readers see it, on WAYBACK
    raw: str  # the page as captured, without the Wayback Machine's frame (id_), where `Settings.wayback` serves it

    def record(self) -> dict[str, str]:
        moment = datetime.strptime(self.captured, "%Y%m%d%H%M%S")
        return {"url": self.page, "captured": moment.strftime(Timestamp.FORMAT)}


@dataclass
class Outcome:
    """One source's new record and what the report should say about it."""

    record: dict
    saved: str | None = None  # a note when the Internet Archive was asked to save the page
    findings: list[Finding] = field(default_factory=list)


class Verifier:
    """Reads pages and snapshots and checks quotes, every request polite and through safenet."""

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings, self.clock = settings, clock
        self.fetcher = Fetcher(settings.options)
        self.robots = Robots(self.fetcher)

    def now(self) -> str:
        return self.clock().astimezone(UTC).strftime(Timestamp.FORMAT)

    def refusal(self, url: str) -> str | None:
        """Why `url` is not requested at all: safenet's rules (its host resolved and checked), or robots.txt."""
        if reason := safenet.check_url(url, self.fetcher.policy):
            return reason
        parts = urlsplit(url)
        try:
            safenet.resolve_public((parts.hostname or "").lower(), parts.port or safenet.SCHEMES[parts.scheme.lower()],
                                   self.fetcher.policy)
        except safenet.Refused as refusal:
            return refusal.reason
        except (OSError, ValueError) as error:  # getaddrinfo raises UnicodeError for a label it cannot encode
            return f"DNS error: {error}"
        return self.robots.refusal(url)

    def get(self, url: str) -> tuple[str, linkcheck.Answer | None, str | None]:
        """(final URL, answer, None), or (url, None, why it was not requested)."""
        if reason := self.refusal(url):
            return url, None, f"not requested: {reason}"
        final, _, answer = self.fetcher.follow(url)
        return final, answer, None

    def read(self, url: str) -> Page:
        """The page's text, or why it has none. The address where the redirects ended is kept only if the data
        would accept it (the loader's `url_problem`); else the page is not read and the address asked for is kept."""
        final, answer, refusal = self.get(url)
        page = Page(final, self.now())
        if problem := url_problem(final):
            page.url, page.note = url, f"redirected to {shown(final, 100)}, which is not a plain web address: {problem}"
        elif answer is None or not (200 <= (answer.code or 0) < 300):
            page.note = refusal or _why(answer)
        elif answer.content_type not in TEXT_TYPES:
            page.note = f"unsupported content type {answer.content_type}"
        elif answer.body is None:
            page.note = answer.note or "no body"
        else:
            try:
                page.article, page.full = pagetext.texts(answer.body, answer.content_type, answer.charset)
            except pagetext.Unreadable as budget:
                page.note = f"not read: {budget}"
        page.note = _clean(page.note) if page.note else None
        return page

    def snapshot_address(self, read: str) -> str | None:
        """The address readers use for a snapshot read at `read` (on WAYBACK, without the id_ flag), or None if the
        reading ended outside the archive's snapshots."""
        match = re.fullmatch(re.escape(self.settings.wayback.rstrip("/")) + r"/web/([0-9]{14})(?:id_)?/(.+)", read)
        address = snapshot_url(*match.groups()) if match else ""
        return address if match and not url_problem(address) and not snapshot_problem(address) else None

    def closest(self, url: str, date: str | None) -> Snapshot | None:
        """The Internet Archive's snapshot of `url` closest to `date` (YYYYMMDD), if it has a good one."""
        query = urlencode({"url": url, **({"timestamp": date} if date else {})})
        _, answer, _ = self.get(f"{self.settings.archive_api}?{query}")
        try:
            closest = json.loads(answer.body)["archived_snapshots"]["closest"]  # type: ignore[union-attr]
            captured = str(closest["timestamp"])
            good = closest.get("available") is True and str(closest.get("status")) == "200"
        except (AttributeError, TypeError, ValueError, KeyError):
            return None
        if not good or not SNAPSHOT_TIME.fullmatch(captured) or not _real_time(captured):
            return None
        return Snapshot(captured, snapshot_url(captured, url), f"{self.settings.wayback.rstrip('/')}/web/{captured}id_/{url}")

    def save(self, url: str) -> str:
        """Ask the Internet Archive to capture `url` (Save Page Now); what it answered."""
        _, answer, refusal = self.get(f"{self.settings.wayback.rstrip('/')}/save/{url}")
        if answer is not None and 200 <= (answer.code or 0) < 300:
            return "asked the Internet Archive to save it"
        return f"could not ask the Internet Archive to save it ({refusal or _why(answer)})"

    def verify(self, source: Entity, quotes: list[str]) -> Outcome:
        """The record of one source: every quote looked for on the live page, then in the closest snapshot."""
        url: str = source.attrs["url"]
        live = self.read(url)
        date = source.attrs.get("date")
        snapshot = self.closest(url, date.iso().replace("-", "") if date else None)
        results = {quote: live.search(quote, "live") for quote in quotes}
        missing = [quote for quote, entry in results.items() if entry["result"] != "found"]
        if missing and snapshot is not None:
            archived = self.read(snapshot.raw)
            public = self.snapshot_address(archived.url)
            if public is None:  # what was read is no snapshot: nothing found in it counts
                public = snapshot.page
                archived = Page(public, archived.fetched, note=f"the snapshot led out of the Internet Archive, to "
                                                              f"{shown(archived.url, 100)}")
            for quote in missing:
                entry = archived.search(quote, "snapshot", public)
                if entry["result"] == "found" or results[quote]["result"] == "unreachable":
                    results[quote] = entry
        record = {"source": source.id, "url": url, "quotes": [results[q] for q in quotes]}
        if snapshot is not None:
            record["archived_copy"] = snapshot.record()
        saved = self.save(url) if self.settings.save and snapshot is None else None
        return Outcome(record, saved)

    def failed(self, source: Entity, quotes: list[str], error: Exception) -> Outcome:
        """The record of a source whose check broke off: every quote could not be checked, and the error says why."""
        note = _clean(f"the check failed: {type(error).__name__}: {error}")
        print(f"{source.id}: {note}", file=sys.stderr)
        page = Page(source.attrs["url"], self.now(), note=note)
        return Outcome({"source": source.id, "url": page.url, "quotes": [page.search(q, "live") for q in quotes]})


def _why(answer: linkcheck.Answer | None) -> str:
    if answer is None:
        return "not requested"
    if answer.refused:
        return f"refused: {answer.refused}"
    if answer.error:
        return answer.error
    return f"HTTP {answer.code}" + (f" ({answer.note})" if answer.note else "")


def _no_text(answer: linkcheck.Answer) -> str | None:
    """Why a 2xx answer has no text to read (not served as text, or over the byte cap), or None."""
    if not isinstance(answer, Fetched) or not answer.content_type.startswith("text/"):
        return f"served as {getattr(answer, 'content_type', '') or 'nothing'}, not as text"
    return None if answer.body is not None else answer.note or "no body"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _clean(note: str, limit: int = 200) -> str:
    """A note from the network, safe for a data file: no control or bidirectional characters, one line, short."""
    flat = " ".join(UNSAFE_CHARS.sub(" ", note).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _real_time(captured: str) -> bool:
    try:
        datetime.strptime(captured, "%Y%m%d%H%M%S")
    except ValueError:
        return False
    return True


def quotes_by_source(root: Path, only: tuple[str, ...] = ()) -> dict[str, tuple[Entity, list[str]]]:
    """Every source with a url (or those in `only`), with its distinct quotes in a stable order."""
    graph = check(root, verification=False)  # the records are what this run rewrites: a bad one must not stop it
    found = {}
    for source in graph.by_kind["source"]:
        if source.attrs.get("url") and (not only or source.id in only):
            distinct = {fold(c.citation.quote): c.citation.quote for c in graph.citations[source.id]}
            found[source.id] = (source, [distinct[key] for key in sorted(distinct)])
    return dict(sorted(found.items()))


def previous_record(path: Path) -> dict:
    """The record written last time, or nothing if there is none or it cannot be read."""
    try:
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return {}
    return record if isinstance(record, dict) else {}


def keep_dates(record: dict, previous: dict) -> dict:
    """A quote's entry keeps its old date while everything else in it is the same: records change when the web does."""
    if previous.get("url") != record["url"]:
        return record
    old = {fold(str(e.get("quote"))): e for e in previous.get("quotes") or [] if isinstance(e, dict)}
    for number, entry in enumerate(record["quotes"]):
        before = old.get(fold(entry["quote"]))
        if before and {**before, "checked": entry["checked"]} == entry:
            record["quotes"][number] = before
    return record


@dataclass(frozen=True)
class Finding:
    """A quote the report lists: not found, or on a page that could not be read."""

    source: str
    entry: dict
    stopped: bool  # it was found the time before

    def markdown(self) -> str:
        what = "**stopped matching**" if self.stopped else self.entry["result"]
        cells = [self.source, f"“{_short(self.entry['quote'])}”", self.entry["url"], self.entry.get("note") or ""]
        return f"| {what} | " + " | ".join(map(pull_request_text, cells)) + " |"


def pull_request_text(text: str) -> str:
    """`text` for the pull request's body: escaped as Markdown table-cell text, then broken with a zero-width space
    wherever GitHub would make a mention (@name), a reference (#1, GH-1, owner/repo#1) or a link (http://, www.), so
    nothing a page or a server said pings anyone, links an issue or leaves a cross-reference in one."""
    return GITHUB_REFERENCE.sub("&#8203;", linkcheck.markdown_text(text))


def compare(source_id: str, record: dict, previous: dict) -> list[Finding]:
    """The quotes of a record that are not found or could not be checked, marked if they were found last time."""
    before = {fold(str(e.get("quote"))): e for e in previous.get("quotes") or [] if isinstance(e, dict)}
    return [Finding(source_id, entry, (before.get(fold(entry["quote"])) or {}).get("result") == "found")
            for entry in record["quotes"] if entry["result"] != "found"]


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def run(root: Path, settings: Settings, clock: Clock = lambda: datetime.now(UTC), only: tuple[str, ...] = ()) -> str:
    """Check every source, write the records, remove those of sources gone, and return the report."""
    folder = root / "data" / FOLDER
    sources = quotes_by_source(root, only)
    verifier = Verifier(settings, clock)

    def one(item: tuple[str, tuple[Entity, list[str]]]) -> Outcome:
        source_id, (source, quotes) = item
        previous = previous_record(folder / f"{source_id}.yml")
        try:
            outcome = verifier.verify(source, quotes)
        except Exception as error:  # one source that breaks the check is its own record, not the end of the run
            outcome = verifier.failed(source, quotes, error)
        outcome.record = keep_dates(outcome.record, previous)
        outcome.findings = compare(source_id, outcome.record, previous)
        return outcome

    with ThreadPoolExecutor(max_workers=max(1, settings.options.workers)) as pool:
        outcomes = list(pool.map(one, sources.items()))
    folder.mkdir(parents=True, exist_ok=True)
    for outcome in outcomes:
        path = folder / f"{outcome.record['source']}.yml"
        text = record_text(outcome.record)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    if not only:
        for stale in sorted(set(folder.glob("*.yml")) - {folder / f"{s}.yml" for s in sources}):
            stale.unlink()
    return report(outcomes)


def report(outcomes: list[Outcome]) -> str:
    """Markdown for the pull request: the counts, then every quote not found or not checked, stopped ones first."""
    entries = [e for o in outcomes for e in o.record["quotes"]]
    count = {result: sum(e["result"] == result for e in entries) for result in ("found", "not-found", "unreachable")}
    snapshot = sum(e["result"] == "found" and e.get("where") == "snapshot" for e in entries)
    lines = [f"{len(entries)} quotes of {len(outcomes)} sources checked: {count['found']} found "
             f"({snapshot} of them in an archived copy), {count['not-found']} not found, "
             f"{count['unreachable']} on pages that could not be read.", ""]
    findings = sorted((f for o in outcomes for f in o.findings), key=lambda f: (not f.stopped, f.source))
    if findings:
        lines += ["A quote that stopped matching fails nothing: an editor decides whether the page changed, the quote "
                  "needs the archived copy, or the citation must go.", "",
                  "| Result | Source | Quote | Address read | Note |", "| --- | --- | --- | --- | --- |"]
        rows = [f.markdown() for f in findings]
        while rows and sum(len(line) + 1 for line in lines + rows) > MAX_REPORT:  # a pull request's body has a limit
            rows.pop()
        lines += rows
        if len(rows) < len(findings):
            lines += ["", f"…and {len(findings) - len(rows)} more: the job's log has the whole report."]
    saved = [f"- {pull_request_text(o.record['source'])}: {pull_request_text(o.saved)}" for o in outcomes if o.saved]
    if saved:
        lines += ["", "No snapshot yet:", "", *saved]
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", type=Path, default=Path("."), help="the project folder (default: .)")
    p.add_argument("--only", action="append", default=[], metavar="SOURCE_ID", help="check only this source (repeatable)")
    p.add_argument("--save", action="store_true", help="ask the Internet Archive to save pages it has no snapshot of")
    p.add_argument("--report", type=Path, help="also write the Markdown report to this file")
    linkcheck.network_arguments(p, DEFAULTS, "page", "sources checked in parallel, one request at a time per host")
    p.add_argument("--max-bytes", type=int, default=DEFAULTS.max_bytes, help="largest response read, in bytes (8 MiB)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None, clock: Clock = lambda: datetime.now(UTC), *,
         allow_private_for_tests: tuple[str, ...] = (), resolver: safenet.Resolver = safenet.system_resolver,
         archive_for_tests: tuple[str, str] | None = None) -> int:
    """The command. The keyword arguments are for tests only (a local server, a fake resolver, a fake archive) and
    are no command-line options."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    options = linkcheck.Options(args.timeout, args.retries, args.backoff, args.delay, args.workers, allowlist=(),
                                user_agent=USER_AGENT, deadline=args.deadline, max_bytes=args.max_bytes,
                                resolver=resolver, allow_private_for_tests=allow_private_for_tests)
    api, wayback = archive_for_tests or (ARCHIVE_API, WAYBACK)
    try:
        text = run(args.root, Settings(options, api, wayback, args.save), clock, tuple(args.only))
    except DataErrors as errors:
        print(errors, file=sys.stderr)
        return 2
    if args.report:
        args.report.write_text(text, encoding="utf-8")
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
