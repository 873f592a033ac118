"""Check the site's external links: `python hooks/linkcheck.py [--site site] [--data data] [--report FILE]`.

A separate, slow, network-bound command, never part of the build. It collects every external http(s) URL
from the built HTML and from the `url:` of data/sources/*.yml, checks each with HEAD (GET when HEAD is not
allowed), follows and records redirects, retries transient failures with backoff (or as long as Retry-After
asks, up to a minute) within one deadline per URL, and is polite: one request in flight per host and a minimum
delay between two requests to the same host. Hosts that refuse bots are skipped. Every URL and every redirect
hop goes through hooks/safenet.py: http(s) only, no credentials, ports 80 and 443, public addresses only;
anything else is reported `refused` and never requested. Good results are cached in a JSON file and reused
while younger than --max-age; broken links are re-checked on every run. Exits 1 if any link is broken or refused.
"""

from __future__ import annotations

import argparse
import email.utils
import http.client
import itertools
import json
import re
import socket
import sys
import threading
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import yaml

import safenet

USER_AGENT = "npo-mash-microsite-linkcheck/1.0 (research microsite external link checker; Python)"
DEFAULT_ALLOWLIST = ("linkedin.com", "twitter.com", "x.com")
LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src"}
REDIRECT_CODES = {301, 302, 303, 307, 308}
MAX_HOPS = 10
MARKDOWN_SPECIAL = re.compile(r"[\\`*_\[\]<>|&~$]")
ORDER = {"broken": 0, "refused": 1, "rate-limited": 2, "redirected": 3, "skipped": 4, "ok": 5}
Clock = Callable[[], datetime]


@dataclass
class Options:
    """How to check: network limits and politeness."""

    timeout: float = 10.0
    retries: int = 2
    backoff: float = 1.0
    delay: float = 1.0
    workers: int = 4
    allowlist: tuple[str, ...] = DEFAULT_ALLOWLIST
    user_agent: str = USER_AGENT
    deadline: float = 90.0  # per URL: every hop, retry and wait
    max_redirects: int = MAX_HOPS
    max_bytes: int = 256 * 1024  # read from one response, headers included
    max_retry_after: float = 60.0  # the longest Retry-After honoured, in seconds
    ports: tuple[int, ...] = (80, 443)
    resolver: safenet.Resolver = safenet.system_resolver
    allow_private_for_tests: tuple[str, ...] = ()  # hosts exempt from the address and port rules; never from CLI or data

    def policy(self) -> safenet.Policy:
        return safenet.Policy(frozenset(self.ports), self.resolver, frozenset(self.allow_private_for_tests))


@dataclass
class Answer:
    """One HTTP exchange: a status code, or an error such as 'timeout'."""

    code: int | None = None
    location: str | None = None
    error: str | None = None
    retry_after: str | None = None  # the header, in seconds or as a date
    note: str = ""
    refused: str | None = None  # why safenet would not request it (then nothing was sent)


@dataclass
class Result:
    """The verdict on one URL."""

    url: str
    status: str  # ok | redirected | broken | refused | rate-limited | skipped
    code: int | None = None
    final_url: str = ""
    hops: int = 0
    note: str = ""
    checked_at: str = ""
    cached: bool = False
    used_in: list[str] = field(default_factory=list)


class _LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = LINK_ATTRIBUTES.get(tag)
        self.urls += [value for name, value in attrs if name == wanted and value]


def external(url: str, site_host: str | None = None) -> str | None:
    """The URL without its fragment if it is an external http(s) URL, else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # e.g. a malformed IPv6 host
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or parts.hostname == site_host:
        return None
    return urlunsplit(parts._replace(fragment=""))


def collect(site: Path, data: Path, site_url: str | None = None) -> dict[str, list[str]]:
    """Every external URL → the pages and data files that use it."""
    site_host = urlsplit(site_url).hostname if site_url else None
    found: dict[str, set[str]] = defaultdict(set)
    for page in sorted(site.rglob("*.html")) if site.is_dir() else []:
        parser = _LinkParser()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        for url in filter(None, (external(u, site_host) for u in parser.urls)):
            found[url].add(f"{site.name}/{page.relative_to(site).as_posix()}")
    for source in sorted((data / "sources").glob("*.yml")):
        record = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        url = external(str(record.get("url") or ""), site_host) if isinstance(record, dict) else None
        if url:
            found[url].add(f"{data.name}/sources/{source.name}")
    return {url: sorted(used) for url, used in sorted(found.items())}


def allowlisted(url: str, allowlist: tuple[str, ...]) -> bool:
    """True if the URL's host is an allowlisted host or one of its subdomains."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == entry or host.endswith("." + entry) for entry in allowlist)


class HostGate:
    """At most one request in flight per host, and at least `delay` seconds between two requests to it."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
        self._last: dict[str, float] = {}

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks[host]
        with lock:
            wait = self._last.get(host, float("-inf")) + self.delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                yield
            finally:
                self._last[host] = time.monotonic()


class Checker:
    """Checks URLs over HTTP with retries, redirect tracking and per-host politeness, all through safenet."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.policy = options.policy()
        self.gate = HostGate(options.delay)

    accept = "*/*"  # the Accept header

    def request(self, url: str, method: str, deadline: safenet.Deadline) -> Answer:
        """One request through the host gate; refusals, network errors and bad answers become an Answer too."""
        headers = {"User-Agent": self.options.user_agent, "Accept": self.accept, "Connection": "close"}
        with self.gate.slot((urlsplit(url).hostname or "").lower()):
            try:
                deadline.timeout()  # raises if waiting for the host's turn used up the deadline
                with safenet.open_url(url, method, headers, policy=self.policy, deadline=deadline,
                                      timeout=self.options.timeout, max_bytes=self.options.max_bytes) as response:
                    return self.answer(response)
            except safenet.Refused as refusal:
                return Answer(refused=refusal.reason)
            except (OSError, ValueError, http.client.HTTPException, safenet.NetError) as error:
                return Answer(error=_describe(error))

    def answer(self, response: http.client.HTTPResponse) -> Answer:
        """What a response says: its status and the headers that steer redirects and retries."""
        return Answer(response.status, response.getheader("Location"), retry_after=response.getheader("Retry-After"))

    def attempt(self, url: str, deadline: safenet.Deadline) -> Answer:
        """HEAD, or GET if HEAD is refused."""
        answer = self.request(url, "HEAD", deadline)
        if answer.code in (405, 501):
            answer = replace(self.request(url, "GET", deadline), note=f"HEAD answered {answer.code}; checked with GET")
        return answer

    def fetch(self, url: str, deadline: safenet.Deadline) -> Answer:
        """One attempt, retried with exponential backoff while the failure may be transient and time is left."""
        for attempt in itertools.count():
            answer = self.attempt(url, deadline)
            if not _transient(answer) or attempt == self.options.retries or deadline.remaining() <= 0:
                return _retried(answer, attempt)
            wait = self.wait(answer, attempt)
            if wait >= deadline.remaining():
                return _retried(_noted(answer, f"no retry in {wait:g} s: past the {deadline.seconds:g} s deadline"), attempt)
            time.sleep(wait)

    def wait(self, answer: Answer, attempt: int) -> float:
        """Seconds before the next attempt: the backoff, or what Retry-After asks (up to max_retry_after) if longer."""
        backoff = self.options.backoff * 2**attempt
        asked = retry_after(answer.retry_after, datetime.now(UTC))
        return backoff if asked is None else max(backoff, min(asked, self.options.max_retry_after))

    def follow(self, url: str) -> tuple[str, int, Answer]:
        """Follow the redirect chain from `url`, every hop checked by safenet: where it ends, after how many hops,
        and the last answer (an error after too many redirects)."""
        deadline, current, hops = safenet.Deadline(self.options.deadline), url, 0
        while True:
            if reason := safenet.check_url(current, self.policy):
                return current, hops, Answer(refused=reason)
            answer = self.fetch(current, deadline)
            if answer.code not in REDIRECT_CODES or not answer.location:
                return current, hops, answer
            if hops == self.options.max_redirects:
                return current, hops, Answer(answer.code, error=f"more than {hops} redirects")
            try:
                current, hops = urljoin(current, answer.location.strip()), hops + 1
            except ValueError:  # e.g. 'http://[::1': the chain ends at the last address that parsed
                return current, hops, Answer(answer.code, refused=f"a redirect to {answer.location[:100]!r}, which "
                                                                  "cannot be parsed")

    def check(self, url: str) -> Result:
        """Follow the redirect chain from `url` and classify where it ends."""
        return _verdict(url, *self.follow(url))


def retry_after(value: str | None, now: datetime) -> float | None:
    """The seconds a Retry-After header asks for (delay-seconds or an HTTP date), or None if absent or unreadable."""
    text = (value or "").strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp() - now.timestamp())


def _noted(answer: Answer, note: str) -> Answer:
    return replace(answer, note="; ".join(filter(None, [answer.note, note])))


def _retried(answer: Answer, retries: int) -> Answer:
    return _noted(answer, f"after {retries} retries") if retries and _transient(answer) else answer


def _transient(answer: Answer) -> bool:
    return not answer.refused and (answer.error is not None or answer.code == 429 or (answer.code or 0) >= 500)


def _describe(reason: object) -> str:
    if isinstance(reason, safenet.DeadlineExceeded | safenet.TooLarge):
        return str(reason)
    if isinstance(reason, TimeoutError):
        return "timeout"
    if isinstance(reason, ValueError):
        return f"invalid URL: {reason}"
    if isinstance(reason, socket.gaierror):
        return f"DNS error: {reason.strerror or reason}"
    if isinstance(reason, http.client.HTTPException):
        return f"bad HTTP answer: {type(reason).__name__} {reason}"
    return f"connection error: {reason}"


def _status(answer: Answer, hops: int) -> str:
    code = answer.code
    if answer.refused:
        return "refused"
    if answer.error or code is None:
        return "broken"
    if 200 <= code < 300:
        return "redirected" if hops else "ok"
    return "rate-limited" if _rate_limited(answer) else "broken"


def _rate_limited(answer: Answer) -> bool:
    """429, or 503 with a Retry-After: the server asks us to come back later."""
    return answer.code == 429 or (answer.code == 503 and answer.retry_after is not None)


def _verdict(url: str, final: str, hops: int, answer: Answer) -> Result:
    refused = f"refused: {answer.refused}" if answer.refused else ""
    asked = f"Retry-After: {answer.retry_after}" if answer.retry_after and _rate_limited(answer) else ""
    note = "; ".join(filter(None, [refused, answer.error, asked, answer.note]))
    return Result(url, _status(answer, hops), answer.code, final, hops, note)


def load_cache(path: Path) -> dict[str, dict]:
    """The cache file's entries, or nothing if it is missing or unreadable."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return entries if isinstance(entries, dict) else {}


def save_cache(path: Path, cache: dict[str, dict], results: list[Result]) -> None:
    """Store the ok and redirected results; broken ones are checked again next time."""
    for r in results:
        if r.status in ("ok", "redirected") and not r.cached:
            cache[r.url] = {k: v for k, v in asdict(r).items() if k not in ("url", "cached", "used_in")}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(cache.items())), indent=2) + "\n", encoding="utf-8")


def from_cache(url: str, entry: dict | None, now: datetime, max_age: timedelta) -> Result | None:
    """The cached result for `url` if there is one younger than `max_age`."""
    try:
        fresh = entry["status"] in ("ok", "redirected") and now - datetime.fromisoformat(entry["checked_at"]) < max_age
        return Result(url=url, **{**entry, "cached": True}) if fresh else None
    except (KeyError, TypeError, ValueError):  # no entry, or a damaged one: check again
        return None


def run(links: dict[str, list[str]], options: Options, cache: dict[str, dict], max_age: timedelta,
        clock: Clock = lambda: datetime.now(UTC)) -> list[Result]:
    """A result for every link: allowlisted ones skipped, fresh ones from the cache, the rest checked."""
    checker, results, by_host = Checker(options), [], defaultdict(list)
    for url in links:
        if allowlisted(url, options.allowlist):
            results.append(Result(url, "skipped", note="allowlisted: this host refuses bots, never requested"))
        elif cached := from_cache(url, cache.get(url), clock(), max_age):
            results.append(cached)
        else:
            by_host[urlsplit(url).hostname].append(url)

    def check_host(urls: list[str]) -> list[Result]:
        return [replace(checker.check(url), checked_at=clock().isoformat()) for url in urls]

    with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
        for checked in pool.map(check_host, by_host.values()):
            results += checked
    for result in results:
        result.used_in = links[result.url]
    return sorted(results, key=lambda r: (ORDER[r.status], r.url))


def markdown_text(text: str) -> str:
    """`text` as literal Markdown table-cell text: line breaks and control characters become spaces, and every
    character that could start a link, image, HTML tag, entity, emphasis, code, math or a new cell is escaped."""
    flat = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    return MARKDOWN_SPECIAL.sub(r"\\\g<0>", flat)


def report(results: list[Result]) -> str:
    """A Markdown table, failures first; every cell escaped, as URLs, Location headers and notes come from outside."""
    lines = ["| Status | URL | Final URL | Used in | Note |", "| --- | --- | --- | --- | --- |"]
    for r in results:
        hops = f"{r.hops} hop{'s' * (r.hops != 1)}" if r.hops else ""
        details = ["allowlisted"] if r.status == "skipped" else [str(r.code or ""), hops]
        status = f"{r.status} ({', '.join(filter(None, details))})" if any(details) else r.status
        note = "; ".join(filter(None, [r.note, f"from cache ({r.checked_at})" if r.cached else ""]))
        cells = (status, r.url, r.final_url if r.hops else "", ", ".join(r.used_in), note)
        lines.append("| " + " | ".join(markdown_text(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def summary(results: list[Result]) -> str:
    """One line: how many links, and how they fared."""
    count = {s: sum(r.status == s for r in results) for s in ORDER}
    line = (f"{len(results)} checked, {count['ok']} ok, {count['redirected']} redirected, {count['broken']} broken, "
            f"{count['skipped']} skipped, {sum(r.cached for r in results)} from cache")
    return line + "".join(f", {count[s]} {s}" for s in ("refused", "rate-limited") if count[s])


def duration(text: str) -> timedelta:
    """'7d', '12h', '30m', '90s' or '2w' as a timedelta; a bare number is days."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (use e.g. 7d, 12h, 30m)")
    unit = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks", "": "days"}[match[2]]
    return timedelta(**{unit: float(match[1])})


def network_arguments(p: argparse.ArgumentParser, defaults: Options, each: str, workers: str) -> None:
    """The politeness and time limits of a command that fetches (this one, hooks/verify.py); defaults from `defaults`."""
    tuning = {"timeout": "seconds for a connection or a read", "deadline": f"seconds per {each}, every hop and retry included",
              "retries": "retries for timeouts, connection errors, 429, 5xx",
              "backoff": "first retry delay in seconds, doubled each time",
              "delay": "minimum seconds between requests to one host", "workers": workers}
    for name, meaning in tuning.items():  # one source of defaults: an Options
        default = getattr(defaults, name)
        p.add_argument(f"--{name}", type=type(default), default=default, help=f"{meaning} (default: {default})")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--site", type=Path, default=Path("site"), help="built site folder (default: site)")
    p.add_argument("--data", type=Path, default=Path("data"), help="data folder (default: data)")
    p.add_argument("--cache", type=Path, default=Path(".cache/external-links.json"), help="JSON cache file")
    p.add_argument("--max-age", type=duration, default=timedelta(days=7), help="reuse cached results this young (7d)")
    p.add_argument("--report", type=Path, help="also write the Markdown report to this file")
    p.add_argument("--site-url", help="the site's own URL: links to its host are not external")
    network_arguments(p, Options(), "URL", "hosts checked in parallel")
    p.add_argument("--allow", action="append", default=[], metavar="HOST", help="another host never to request")
    p.add_argument("--allow-file", type=Path, help="file of hosts never to request, one per line, # comments")
    return p.parse_args(argv)


def allowlist(args: argparse.Namespace) -> tuple[str, ...]:
    """The default allowlist, plus --allow hosts and those of --allow-file."""
    lines = args.allow_file.read_text(encoding="utf-8").splitlines() if args.allow_file else []
    extra = [line.split("#")[0].strip().lower() for line in lines] + [h.lower() for h in args.allow]
    return tuple(dict.fromkeys([*DEFAULT_ALLOWLIST, *filter(None, extra)]))


def main(argv: list[str] | None = None, clock: Clock = lambda: datetime.now(UTC),
         allow_private_for_tests: tuple[str, ...] = ()) -> int:
    """The command; `allow_private_for_tests` lets tests reach their local server and is no command-line option."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    options = Options(args.timeout, args.retries, args.backoff, args.delay, args.workers, allowlist(args),
                      deadline=args.deadline, allow_private_for_tests=allow_private_for_tests)
    cache = load_cache(args.cache)
    results = run(collect(args.site, args.data, args.site_url), options, cache, args.max_age, clock)
    save_cache(args.cache, cache, results)
    text = report(results) + "\n" + summary(results) + "\n"
    if args.report:
        args.report.write_text(text, encoding="utf-8")
    print(text, end="")
    return 1 if any(r.status in ("broken", "refused") for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
