"""What `make verify-sources` found: one machine-written record per source in data/verification/, read as untrusted.

A record says, for each quote citing the source, whether the quote was found on the live page or in an Internet
Archive snapshot, when, at which address and in a text with which SHA-256, or why the page could not be read; and
which snapshot to link as the source's archived copy. `hooks/verify.py` writes the records (`record_text`), the
build reads them here, through the same safe YAML loader and field types as every data file, and shows each
citation in one of the `QUOTE_STATES`. Records are never entities: `load.RECORD_FOLDERS` keeps the loader out.

A record must be checkable by anyone: a quote found or not found names where it looked and the SHA-256 of the text
searched, and every snapshot it links, the archived copy included, is an Internet Archive snapshot on
https://web.archive.org (the archived copy one of the source's own address, captured when the record says). A
hand-written record that links another host is a data error; CI also refuses pull requests that change records
without coming from the weekly job (hooks/recordcheck.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from .errors import DataError, Location, shown
from .load import RECORD_FOLDERS, compose, data_files
from .model import Citation, Entity
from .quotes import fold
from .schema import MONTHS, Choice, Context, Field, ListOf, Record, Text, Url

WAYBACK = "https://web.archive.org"  # the one host whose snapshots a record links
SNAPSHOT_PATH = re.compile(r"/web/([0-9]{14})/(https?://.+)")  # after WAYBACK: the capture time, the page's address
WRITTEN_BY_THE_CHECK = ("let `make verify-sources` write the record; records are never written by hand, and a pull "
                        "request that changes them fails unless the weekly job opened it")

FOLDER = RECORD_FOLDERS[0]  # data/verification/<source-id>.yml
HEADER = ("# Written by `make verify-sources` (hooks/verify.py): what the quote check found. Do not edit by hand;\n"
          "# review changes like any other. The site shows each quote's result; see the README.\n")
RESULTS = {"found": "the quote is in the page's text", "not-found": "the page was read, and the quote is not in it",
           "unreachable": "the page could not be read (an error, a refusal, robots.txt, an unsupported content type)"}
WHERE = {"live": "the page at the source's address", "snapshot": "the Internet Archive snapshot (archived copy)"}

# The four states a citation is shown in; the certainty page explains them in this order.
QUOTE_STATES: dict[str, tuple[str, str]] = {
    "verified": ("verified against the archived text",
                 "The quote is in the source's text archived in this repository; every build checks it again."),
    "found": ("found on the page",
              "A weekly check found the quote on the source's web page, or in the Internet Archive's copy of it, on "
              "the date shown."),
    "not-found": ("not found on the page",
                  "The quote was not on the page when it was last checked: the page may have changed since it was "
                  "quoted. The archived copy, where there is one, shows the page as it was."),
    "unchecked": ("not yet checked",
                  "The quote has not been checked against its page yet, or the page could not be read when it was."),
}


def snapshot_url(captured: str, url: str) -> str:
    """The address of the Internet Archive's capture of `url` at `captured` (YYYYMMDDhhmmss), as readers see it."""
    return f"{WAYBACK}/web/{captured}/{url}"


def snapshot_problem(url: str) -> str | None:
    """Why `url` is not the address of an Internet Archive snapshot, or None if it is one."""
    if not url.startswith(f"{WAYBACK}/"):
        return f"only snapshots on {WAYBACK} are linked"
    if not SNAPSHOT_PATH.fullmatch(url, len(WAYBACK)):
        return f"the address is not {WAYBACK}/web/<14-digit time>/<the page's address>"
    return None


class SnapshotUrl(Url):
    """The address of an Internet Archive snapshot: https://web.archive.org/web/<14-digit time>/<the page's address>."""

    def convert(self, node: yaml.Node, ctx: Context) -> str:
        value = super().convert(node, ctx)
        if problem := snapshot_problem(value):
            raise DataError(ctx.at(node), f"{shown(value)} is not an Internet Archive snapshot: {problem}",
                            WRITTEN_BY_THE_CHECK)
        return value


class Timestamp(Text):
    """A moment in UTC as 2024-05-06T05:17:03Z."""

    description = "time as YYYY-MM-DDTHH:MM:SSZ (UTC)"
    FORMAT = "%Y-%m-%dT%H:%M:%SZ"

    def __init__(self) -> None:
        super().__init__(re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"),
                         "let `make verify-sources` write it, e.g. 2024-05-06T05:17:03Z")

    def convert(self, node: yaml.Node, ctx: Context) -> str:
        value = super().convert(node, ctx)
        try:
            datetime.strptime(value, self.FORMAT)
        except ValueError:
            raise DataError(ctx.at(node), f"{shown(value)} is not a real time", self.hint) from None
        return value


def day_of(timestamp: str) -> str:
    """The day of a `Timestamp` in words: '6 May 2024'."""
    moment = datetime.strptime(timestamp, Timestamp.FORMAT)
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


@dataclass
class QuoteCheck:
    """What the check found for one quote."""

    quote: str
    result: str
    url: str
    checked: str
    where: str | None
    sha256: str | None
    note: str | None
    location: Location
    places: dict[str, Location] = field(default_factory=dict)  # where each key's value starts

    @property
    def date(self) -> str:
        """The day of the check in words: '6 May 2024'."""
        return day_of(self.checked)


@dataclass
class Snapshot:
    """An Internet Archive snapshot of a source's page."""

    url: str
    captured: str
    location: Location
    places: dict[str, Location] = field(default_factory=dict)

    @property
    def date(self) -> str:
        return day_of(self.captured)


@dataclass
class SourceCheck:
    """The record of one source: its checked address, archived copy and quotes."""

    source: str
    url: str
    archived_copy: Snapshot | None
    quotes: list[QuoteCheck]
    location: Location
    by_quote: dict[str, QuoteCheck] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_quote = {fold(q.quote): q for q in self.quotes}

    def of(self, quote: str) -> QuoteCheck | None:
        return self.by_quote.get(fold(quote))


SHA256 = Text(re.compile(r"[0-9a-f]{64}"), "64 lowercase hex digits, as `make verify-sources` writes them")
QUOTE_CHECK = Record("quote check", (
    Field("quote", Text(), "the quote, as cited", required=True),
    Field("result", Choice(RESULTS), "what the check found", required=True),
    Field("url", Url(), "the address read: the page after redirects, or the snapshot", required=True),
    Field("checked", Timestamp(), "when", required=True),
    Field("where", Choice(WHERE), "live page or archived snapshot; required for a quote found or not found"),
    Field("sha256", SHA256, "SHA-256 (UTF-8) of the text the quote was found in, or of the whole text searched; "
                            "required for a quote found or not found"),
    Field("note", Text(), "why the page could not be read, or where on it the quote was"),
), QuoteCheck)
SNAPSHOT = Record("snapshot", (
    Field("url", SnapshotUrl(), "the snapshot's address on https://web.archive.org", required=True),
    Field("captured", Timestamp(), "when the Internet Archive captured the page", required=True),
), Snapshot)
SOURCE_CHECK = Record("verification record", (
    Field("source", Text(), "id of the source", required=True),
    Field("url", Url(), "the source's address when it was checked", required=True),
    Field("archived_copy", SNAPSHOT, "the Internet Archive snapshot to link"),
    Field("quotes", ListOf(QUOTE_CHECK), "one check per quote citing the source", default=list),
), SourceCheck)


def load_checks(root: Path, sources: dict[str, Entity], data_dir: str = "data") -> tuple[dict[str, SourceCheck], list[DataError]]:
    """Every record in data/verification/ that still speaks for its source (a source of that id, at the same
    address): source id → record. A record is untrusted input: it is read like a data file and any mistake is an
    error with its place. A stale record (its source deleted or moved) is ignored until the next run replaces it."""
    folder = root / data_dir / FOLDER
    checks: dict[str, SourceCheck] = {}
    errors: list[DataError] = []
    if not folder.exists() and not folder.is_symlink():
        return checks, errors
    if folder.is_symlink() or not folder.is_dir():
        return checks, [DataError(Location(f"{data_dir}/{FOLDER}"), "the verification folder is a link or not a folder",
                                  f"make {data_dir}/{FOLDER}/ a plain folder, or remove it")]
    for path in data_files(folder):
        rel = path.relative_to(root).as_posix()
        check, problems = _load_record(path, rel) if path.parent == folder else (None, [_stray(rel)])
        errors += problems
        source = sources.get(check.source) if check else None
        if check and source and source.kind.name == "source" and check.url == source.attrs.get("url"):
            checks[check.source] = check  # else it is stale: its source is gone or has moved; the next run replaces it
    return checks, errors


def _load_record(path: Path, rel: str) -> tuple[SourceCheck | None, list[DataError]]:
    """One record, or the mistakes in it."""
    if path.is_symlink() or not path.is_file() or path.suffix != ".yml":
        return None, [_stray(rel)]
    ctx = Context(rel)
    try:
        check = SOURCE_CHECK.convert(compose(path, rel), ctx)
    except DataError as error:
        ctx.report(error)
        return None, ctx.errors
    if ctx.errors:
        return None, ctx.errors
    if check.source != path.stem:
        return None, [DataError(check.location, f"the record of {shown(check.source)} is in the file of "
                                f"{shown(path.stem)}", "run `make verify-sources` again, or rename the file")]
    problems = _uncheckable(check)
    return (None, problems) if problems else (check, [])


def _uncheckable(record: SourceCheck) -> list[DataError]:
    """What keeps anyone from checking a record: a quote found or not found without where it was looked for and the
    hash of the text; a snapshot elsewhere than on the Internet Archive; an archived copy of another page or time."""
    errors = []
    copy = record.archived_copy
    if copy is not None:
        time, page = SNAPSHOT_PATH.fullmatch(copy.url, len(WAYBACK)).groups()  # type: ignore[union-attr]
        if page != record.url:
            errors.append(DataError(copy.places["url"], f"the archived copy is a snapshot of {shown(page)}, not of the "
                                    f"source's address {shown(record.url)}", WRITTEN_BY_THE_CHECK))
        elif (moment := _moment(time)) != copy.captured:
            errors.append(DataError(copy.places["captured"], f"the archived copy's address says it was captured at "
                                    f"{moment or time}, not at {copy.captured}", WRITTEN_BY_THE_CHECK))
    for quote in record.quotes:
        missing = [key for key in ("where", "sha256") if getattr(quote, key) is None]
        if quote.result != "unreachable" and missing:
            errors.append(DataError(quote.location, f"a quote check whose result is {shown(quote.result)} needs "
                                    f"{' and '.join(map(repr, missing))}: without them nobody can check it",
                                    WRITTEN_BY_THE_CHECK))
        elif quote.where == "snapshot" and (problem := snapshot_problem(quote.url)):
            errors.append(DataError(quote.places["url"], f"{shown(quote.url)} is not an Internet Archive snapshot: "
                                    f"{problem}", WRITTEN_BY_THE_CHECK))
    return errors


def _moment(time: str) -> str | None:
    """A snapshot's 14-digit time as a `Timestamp`, or None if it is no real time."""
    try:
        return datetime.strptime(time, "%Y%m%d%H%M%S").strftime(Timestamp.FORMAT)
    except ValueError:
        return None


def _stray(rel: str) -> DataError:
    return DataError(Location(rel), f"{FOLDER}/ holds only the .yml records `make verify-sources` writes, as plain files",
                     "remove this file, link or folder")


def record_text(record: dict[str, Any]) -> str:
    """A record as the YAML file `load_checks` reads: keys sorted, quotes in the order given, never wrapped."""
    return HEADER + yaml.safe_dump(record, sort_keys=True, allow_unicode=True, width=1_000_000, default_flow_style=False)


@dataclass(frozen=True)
class QuoteState:
    """How one citation is shown: a state of `QUOTE_STATES`, and for a checked quote the check and the archived copy."""

    name: str
    check: QuoteCheck | None = None
    archived_copy: Snapshot | None = None

    @property
    def label(self) -> str:
        return QUOTE_STATES[self.name][0]


def quote_state(checks: dict[str, SourceCheck], archived: bool, citation: Citation) -> QuoteState:
    """The state of a citation: verified if its source is archived here, else what the latest check found."""
    if archived:
        return QuoteState("verified")
    record = checks.get(citation.source.id)
    found = record.of(citation.quote) if record else None
    if found is None or found.result == "unreachable":
        return QuoteState("unchecked", found, record.archived_copy if record else None)
    return QuoteState(found.result, found, record.archived_copy if record else None)
