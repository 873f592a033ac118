"""`make verify-sources` against a local server that behaves like the web, then the real build of what it wrote.

The server on 127.0.0.1 serves a news article with boilerplate, a page that changed since it was quoted, a 404, a 403
for bots, a redirect chain, a page that never answers, a huge page, a PDF, a German page in Windows-1252 and a page that
robots.txt forbids; it also plays the Internet Archive (availability API, snapshots, Save Page Now). One host name
resolves to a private address through the resolver that safenet's Policy takes. Every case checks the record
written to data/verification/ and the text the built site shows.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

import pagetext
import verify
from tests.conftest import Build, build, minimal_project
from tests.localserver import serving

NOW = datetime(2024, 5, 6, 5, 17, 3, tzinfo=UTC)
SNAPSHOT_TIME = "20230807120000"
FAST = ["--delay", "0", "--backoff", "0.01", "--timeout", "1", "--deadline", "1.5", "--retries", "1",
        "--max-bytes", "200000", "--workers", "4"]

NEWS = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hackers breached missile maker</title></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/tech">Technology</a></nav>
<div class="promo">Subscribe now for just $1 a week!</div>
<article><h1>North Korean hackers breached a Russian missile maker</h1><p class="byline">By A. Reporter</p>
<p>SEOUL, Aug 7 &#8211; An elite group of North Korean hackers secretly breached the computer networks of a leading
Russian missile developer for at least five months last year, according to technical evidence.</p>
<p>&#8220;It is a rare glimpse into sensitive cyber oper&shy;ations,&#8221; said Tom Hegel, a security researcher.</p>
<p>The company did not respond to several requests for comment sent by e-mail and telephone on Monday.</p>
</article><aside><h2>Related</h2><ul><li><a href="/a">More on missiles</a></li></ul></aside>
<footer>&copy; 2023 Agency. All rights reserved. Cookie settings.</footer></body></html>"""


def article(*paragraphs: str, charset: str = "utf-8") -> str:
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return (f'<!doctype html><html><head><meta charset="{charset}"><title>Report</title></head><body>'
            f"<nav><a href='/'>Home</a></nav><article><h1>A report on the intrusion</h1>{body}</article>"
            "<footer>All rights reserved.</footer></body></html>")


OLD = article("The intruders stayed inside the network for five months, the researchers wrote in their report.",
              "They used a backdoor that had been seen before in other campaigns against aerospace companies.")
NEW = article("This article has been updated. An earlier version gave the wrong date for the intrusion.",
              "They used a backdoor that had been seen before in other campaigns against aerospace companies.")
GERMAN = article("„Die Angreifer hatten monatelang Zugriff auf die Server“, sagte Müller am Montag in Köln.",
                 "Die Firma äußerte sich zunächst nicht zu den Vorwürfen.", charset="windows-1252")
ROBOTS = "User-agent: *\nDisallow: /private/\n"


@dataclass
class Case:
    """A source of the test project: its address on the test server (or elsewhere) and the quotes citing it."""

    path: str
    quotes: tuple[str, ...]
    language: str = "en"
    host: str = ""  # another host than the test server's


CASES = {
    "news": Case("/news/hackers-breached", ('"It is a rare glimpse into sensitive cyber operations," said Tom Hegel',)),
    "changed": Case("/report?id=7&ref=*x*_y_", ("The intruders stayed inside the network for five months",
                                                "They used a backdoor that had been seen before",
                                                "The intruders left after two weeks")),
    "gone": Case("/gone", ("The intruders stayed inside the network for five months",)),
    "bots": Case("/no-bots", ("A quote on a page that refuses robots",)),
    "robots": Case("/private/memo", ("A quote on a page robots.txt forbids",)),
    "redirected": Case("/old-address", ("An elite group of North Korean hackers secretly breached",)),
    "hanging": Case("/hang", ("A quote on a page that never answers",)),
    "huge": Case("/huge", ("A quote on a page far too large",)),
    "pdf": Case("/report.pdf", ("A quote in a PDF report",)),
    "german": Case("/de/artikel", ('"Die Angreifer hatten monatelang Zugriff auf die Server", sagte Müller',), "de"),
    "private": Case("/secret", ("A quote on an intranet page",), host="intranet.example"),
    "to-private": Case("/to-intranet", ("A quote behind a redirect to an intranet",)),
}
SNAPSHOTS = {"changed", "gone", "news"}  # the fake archive has a snapshot of these sources' pages


@dataclass
class Server:
    port: int = 0
    hits: list[tuple[str, str]] = field(default_factory=list)  # (path, User-Agent)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def source_url(self, case: Case) -> str:
        return f"http://{case.host}{case.path}" if case.host else self.url(case.path)


def page_for(server: Server, path: str, agent: str) -> tuple[int, str, bytes]:
    """(status, content type, body) for a GET on the fake web and the fake archive."""
    route = urlsplit(path).path
    if route == "/robots.txt":
        return 200, "text/plain", ROBOTS.encode()
    if route == "/wayback/available":
        asked = parse_qs(urlsplit(path).query)["url"][0]
        name = next((n for n, c in CASES.items() if server.source_url(c) == asked and n in SNAPSHOTS), None)
        closest = {"available": True, "status": "200", "timestamp": SNAPSHOT_TIME,
                   "url": f"http://web.archive.org/web/{SNAPSHOT_TIME}/{asked}"} if name else None
        return 200, "application/json", json.dumps({"archived_snapshots": {"closest": closest} if closest else {}}).encode()
    if route.startswith(f"/web/{SNAPSHOT_TIME}id_/"):
        return 200, "text/html; charset=utf-8", (NEWS if "news" in path else OLD).encode()
    if route.startswith("/save/"):
        return 200, "text/html", b"<p>Saving page now</p>"
    if route == "/no-bots" and "verify" in agent:
        return 403, "text/html", b"<h1>Forbidden</h1><p>No robots.</p>"
    pages = {"/news/hackers-breached": ("text/html; charset=utf-8", NEWS.encode()),
             "/report": ("text/html; charset=utf-8", NEW.encode()),
             "/de/artikel": ("text/html; charset=windows-1252", GERMAN.encode("cp1252")),
             "/report.pdf": ("application/pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"),
             "/huge": ("text/html; charset=utf-8", article("filler " * 60_000).encode()),
             "/private/memo": ("text/html", article("A quote on a page robots.txt forbids").encode())}
    if route in pages:
        return 200, *pages[route]
    return 404, "text/html", b"<h1>Not found</h1>"


REDIRECTS = {"/old-address": "/moved", "/moved": "{base}/news/hackers-breached", "/to-intranet": "http://intranet.example/"}


def respond(handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes = b"") -> None:
    """Send one whole answer; a client that hangs up first (at its byte cap) is no error."""
    with suppress(OSError):
        handler.send_response(status)
        for name, value in {**headers, "Content-Length": str(len(body))}.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)


def handler_for(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            server.hits.append((self.path, self.headers["User-Agent"] or ""))
            if self.path == "/hang":
                time.sleep(3)
                return
            if self.path in REDIRECTS:
                respond(self, 301 if self.path == "/old-address" else 302,
                        {"Location": REDIRECTS[self.path].replace("{base}", server.url(""))})
                return
            status, content_type, body = page_for(server, self.path, self.headers["User-Agent"] or "")
            respond(self, status, {"Content-Type": content_type}, body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    state = Server()
    with serving(handler_for(state)) as state.port:
        SERVER_PORT[0] = state.port  # the fake Internet Archive of every run
        yield state


def resolver(host: str, port: int) -> list[str]:
    """The test network's DNS: intranet.example is a private address, broken-dns.example breaks the resolver;
    nothing else resolves."""
    if host == "intranet.example":
        return ["10.0.0.7"]
    if host == "broken-dns.example":
        raise RuntimeError("the resolver broke")
    raise OSError(f"no such host in the test network: {host}")


def make_project(target: Path, sources: dict[str, tuple[str, Case]]) -> Path:
    """The minimal project with the given sources (id → address, case), each quote cited by one fact of npo-mash,
    ready to build."""
    minimal_project(target)
    facts = []
    for name, (url, case) in sources.items():
        source = {"id": name, "name": f"The {name} page", "summary": f"A test page: {name}.", "publisher": "Test Press",
                  "date": "2023-08-07", "url": url, "language": case.language, "tier": "news-report"}
        (target / "data" / "sources" / f"{name}.yml").write_text(yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")
        facts += [{"statement": f"The {name} page says so.", "status": "reported",
                   "citations": [{"source": name, "quote": quote}]} for quote in case.quotes]
    org = target / "data" / "organizations" / "npo-mash.yml"
    org.write_text(org.read_text(encoding="utf-8") + yaml.safe_dump({"facts": facts}, allow_unicode=True), encoding="utf-8")
    return target


def run_verify(project: Path, *extra: str, clock: datetime = NOW) -> tuple[int, str]:
    report = project / "report.md"
    code = verify.main(["--root", str(project), "--report", str(report), *FAST, *extra], clock=lambda: clock,
                       allow_private_for_tests=("127.0.0.1",), resolver=resolver,
                       archive_for_tests=(f"http://127.0.0.1:{SERVER_PORT[0]}/wayback/available",
                                          f"http://127.0.0.1:{SERVER_PORT[0]}"))
    return code, report.read_text(encoding="utf-8")


SERVER_PORT: list[int] = [0]


@dataclass
class Verified:
    project: Path
    site: Build
    report: str
    seconds: float
    server: Server

    def record(self, name: str) -> dict:
        return yaml.safe_load((self.project / "data" / "verification" / f"{name}.yml").read_text(encoding="utf-8"))

    def entry(self, name: str, number: int = 0) -> dict:
        quote = CASES[name].quotes[number]
        return next(e for e in self.record(name)["quotes"] if e["quote"] == " ".join(quote.split()))

    def reference(self, name: str, number: int = 0) -> str:
        """The text of the reference list item that cites this case's quote on the citing page."""
        page = self.site.page("organizations/npo-mash.md")
        raw = page.path.read_text(encoding="utf-8")
        items = raw[raw.index('id="references"'):].split("<li>")
        [item] = [i for i in items if f"sources/{name}/" in i and CASES[name].quotes[number][:40] in _plain(i)]
        return item


@pytest.fixture(scope="module")
def verified(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Verified:
    project = make_project(tmp_path_factory.mktemp("verify") / "project",
                           {name: (server.source_url(case), case) for name, case in CASES.items()})
    start = time.monotonic()
    code, report = run_verify(project)
    seconds = time.monotonic() - start
    assert code == 0
    site = build(project)
    assert site.returncode == 0, site.output
    return Verified(project, site, report, seconds, server)


def _plain(fragment: str) -> str:
    """The text of an HTML fragment, white space folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def test_a_news_article_with_boilerplate_and_typographic_quotes_is_found_on_the_live_page(verified: Verified) -> None:
    entry = verified.entry("news")
    article_text, _ = pagetext.texts(NEWS.encode(), "text/html", "utf-8")
    assert "Subscribe now" not in article_text and "Cookie settings" not in article_text
    assert entry == {"quote": CASES["news"].quotes[0], "result": "found", "where": "live", "checked": "2024-05-06T05:17:03Z",
                     "url": verified.server.url("/news/hackers-breached"),
                     "sha256": hashlib.sha256(article_text.encode()).hexdigest()}
    assert "quote found on the page on 6 May 2024" in _plain(verified.reference("news"))


def test_the_source_page_links_its_archived_copy_and_lists_its_quotes_with_their_state(verified: Verified) -> None:
    snapshot = f"https://web.archive.org/web/{SNAPSHOT_TIME}/{verified.server.url('/news/hackers-breached')}"
    assert verified.record("news")["archived_copy"] == {"url": snapshot, "captured": "2023-08-07T12:00:00Z"}
    raw = verified.site.page("sources/news.md").path.read_text(encoding="utf-8")
    assert f'<a href="{snapshot}">Internet Archive, 7 August 2023</a>' in raw
    passages = _plain(raw[raw.index('id="passages"'):])
    assert f"{CASES['news'].quotes[0]}” · quote found on the page on 6 May 2024" in passages


def test_a_page_that_changed_is_checked_in_its_snapshot_and_a_lost_quote_links_the_archived_copy(verified: Verified) -> None:
    server = verified.server
    source_url = server.source_url(CASES["changed"])
    snapshot = f"https://web.archive.org/web/{SNAPSHOT_TIME}/{source_url}"
    moved, kept, never = (verified.entry("changed", n) for n in range(3))
    assert (moved["result"], moved["where"], moved["url"]) == ("found", "snapshot", snapshot)
    assert (kept["result"], kept["where"], kept["url"]) == ("found", "live", source_url)
    assert (never["result"], never["where"], never["url"]) == ("not-found", "live", source_url)
    assert "quote found in the archived copy on 6 May 2024 (snapshot)" in _plain(verified.reference("changed", 0))
    lost = verified.reference("changed", 2)
    assert "not found on the page on 6 May 2024; the page changed: see the archived copy" in _plain(lost)
    assert f'<a href="{snapshot.replace("&", "&amp;")}">archived copy</a>' in lost  # '*x*_y_' is no emphasis


def test_a_page_gone_404_is_checked_in_its_closest_snapshot(verified: Verified) -> None:
    entry = verified.entry("gone")
    assert (entry["result"], entry["where"]) == ("found", "snapshot")
    asked = [parse_qs(urlsplit(path).query) for path, _ in verified.server.hits if path.startswith("/wayback/available?")]
    assert {"url": [verified.server.url("/gone")], "timestamp": ["20230807"]} in asked
    assert "found in the archived copy on 6 May 2024" in _plain(verified.reference("gone"))


@pytest.mark.parametrize(("name", "note"), [
    ("bots", "HTTP 403"),
    ("robots", "not requested: robots.txt of http://127.0.0.1:{port} disallows it"),
    ("hanging", "deadline of 1.5 s exceeded"),
    ("huge", "the page is larger than 200000 bytes"),
    ("pdf", "unsupported content type application/pdf"),
    ("private", "not requested: intranet.example resolves to 10.0.0.7, a private address"),
    ("to-private", "refused: intranet.example resolves to 10.0.0.7, a private address"),
])
def test_a_page_that_cannot_be_read_is_recorded_unreachable_and_shown_as_not_yet_checked(
        verified: Verified, name: str, note: str) -> None:
    entry = verified.entry(name)
    assert (entry["result"], entry["note"]) == ("unreachable", note.format(port=verified.server.port))
    assert "sha256" not in entry and "where" not in entry
    item = _plain(verified.reference(name))
    assert "· quote not yet checked" in item and "not found" not in item


def test_robots_txt_is_obeyed_and_every_request_says_who_it_is(verified: Verified) -> None:
    paths = [path for path, _ in verified.server.hits]
    assert "/private/memo" not in paths and paths.count("/robots.txt") == 1
    assert {agent for _, agent in verified.server.hits} == {verify.USER_AGENT}


def test_a_redirect_chain_is_followed_and_the_final_address_recorded(verified: Verified) -> None:
    entry = verified.entry("redirected")
    assert (entry["result"], entry["url"]) == ("found", verified.server.url("/news/hackers-breached"))


def test_a_german_page_in_windows_1252_with_german_quotation_marks_is_read_and_matched(verified: Verified) -> None:
    assert verified.entry("german")["result"] == "found"
    assert "quote found on the page on 6 May 2024" in _plain(verified.reference("german"))


def test_the_whole_run_keeps_to_its_deadlines(verified: Verified) -> None:
    assert verified.seconds < 8


def test_the_report_lists_what_was_not_found_or_not_read(verified: Verified) -> None:
    assert verified.report.startswith("14 quotes of 12 sources checked: 6 found (2 of them in an archived copy), "
                                      "1 not found, 7 on pages that could not be read.")
    assert "| not-found | changed | “The intruders left after two weeks” |" in verified.report


def copy_of(verified: Verified, target: Path) -> Path:
    """A copy of the verified project (without its site), to check again."""
    shutil.copytree(verified.project, target / "again", ignore=shutil.ignore_patterns("site"))
    return target / "again"


def records(project: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((project / "data" / "verification").glob("*"))}


def test_a_week_later_the_same_findings_leave_every_record_byte_for_byte_and_a_deleted_source_loses_its_own(
        verified: Verified, tmp_path: Path) -> None:
    before = records(verified.project)
    assert sorted(before) == sorted(f"{name}.yml" for name in CASES)
    project = copy_of(verified, tmp_path)
    (project / "data" / "sources" / "pdf.yml").unlink()
    org = project / "data" / "organizations" / "npo-mash.yml"
    data = yaml.safe_load(org.read_text(encoding="utf-8"))
    data["facts"] = [f for f in data["facts"] if f["citations"][0]["source"] != "pdf"]
    org.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, _ = run_verify(project, clock=datetime(2024, 5, 13, 5, 17, 3, tzinfo=UTC))
    assert code == 0
    assert records(project) == {name: text for name, text in before.items() if name != "pdf.yml"}


def test_a_quote_that_stops_matching_heads_the_report_and_fails_nothing(verified: Verified, tmp_path: Path) -> None:
    project = copy_of(verified, tmp_path)
    record = project / "data" / "verification" / "changed.yml"
    record.write_text(record.read_text(encoding="utf-8").replace("result: not-found", "result: found"), encoding="utf-8")
    code, report = run_verify(project, "--only", "changed")
    assert code == 0
    lines = report.splitlines()
    address = verify.pull_request_text(verified.server.source_url(CASES["changed"]))
    assert lines[lines.index("| --- | --- | --- | --- | --- |") + 1] == (
        f"| **stopped matching** | changed | “The intruders left after two weeks” | {address} |  |")
    assert "result: not-found" in record.read_text(encoding="utf-8")


def test_save_asks_the_internet_archive_only_for_pages_it_has_no_snapshot_of(verified: Verified, tmp_path: Path) -> None:
    project = copy_of(verified, tmp_path)
    verified.server.hits.clear()
    code, report = run_verify(project, "--save", "--only", "bots", "--only", "news")
    saved = [path for path, _ in verified.server.hits if path.startswith("/save/")]
    assert code == 0 and saved == [f"/save/{verified.server.url('/no-bots')}"]
    assert report.endswith("No snapshot yet:\n\n- bots: asked the Internet Archive to save it\n")


def test_a_report_too_long_for_a_pull_request_keeps_the_stopped_quotes_and_says_what_it_left_out() -> None:
    entries = [{"quote": f"quote number {n} " + "x" * 300, "url": "https://example.com/", "result": "not-found"}
               for n in range(400)]
    outcome = verify.Outcome({"source": "s", "quotes": entries},
                             findings=[verify.Finding("s", e, stopped=n == 399) for n, e in enumerate(entries)])
    text = verify.report([outcome])
    lines = text.splitlines()
    assert len(text) < verify.MAX_REPORT
    assert lines[lines.index("| --- | --- | --- | --- | --- |") + 1].startswith("| **stopped matching** | s | “quote number 399")
    assert text.rstrip().endswith("more: the job's log has the whole report.")


# --------------------------------------------------------------------------- a hostile web
# One page or server that misbehaves is one record that says so; the run never stops, never writes an address the
# build would refuse, and never spends long on a page. Hidden text is never found.

QUOTE = "The intruders stayed inside the network for five months"
PAGE = article(f"{QUOTE}, the researchers wrote in their report.")
VISIBLE = "<p>This page has a visible paragraph that says something else entirely about the intrusion.</p>"
HIDDEN = {  # source → where its page hides the quote
    "hidden-style": f'<p style="color: red; DISPLAY : none !important">{QUOTE}.</p>',
    "hidden-attribute": f"<div hidden><p>{QUOTE}.</p></div>",
    "aria-hidden": f'<span aria-hidden="TRUE">{QUOTE}.</span>',
    "invisible": f'<p style="visibility:hidden">{QUOTE}.</p>',
}
REDIRECTS_OUT = {  # source → where its page redirects: nowhere the data would accept → the note's end
    "to-ftp": ("ftp://example.com/report", "only http:// and https:// addresses are allowed"),
    "to-javascript": ("javascript:alert(document.cookie)", "only http:// and https:// addresses are allowed"),
    "to-credentials": ("http://user:secret@127.0.0.1:{port}/page", "a user name or password in the address is not allowed"),
    "to-space": ("/a page", "the character ' ' cannot stand in a URL (percent-encode it)"),
    "to-bad-escape": ("/page%zz", "a % must start an escape such as %20"),
    "to-raw-utf8": ("/bericht-ä", "the character 'Ã' cannot stand in a URL (percent-encode it)"),
    "to-loopback-v6": ("http://[::1]/page", "it has no valid host name"),
}
ROBOTS_UNREADABLE = {  # source → its origin's robots.txt (content type, body) → why it cannot be read
    "robots-image": ("image/png", b"User-agent: *\nAllow: /\n", "served as image/png, not as text"),
    "robots-huge": ("text/plain", b"User-agent: *\nAllow: /\n" + b"# padding\n" * 120_000,
                    "the page is larger than 1000000 bytes"),
    "robots-broken": ("text/plain", b"User-agent: *\nDisallow: //[\n", "a rule cannot be parsed: Invalid IPv6 URL"),
}
HOSTILE_PAGES = {
    **{f"/charset/{label}": ("text/html; charset=" + label, PAGE.encode()) for label in ("idna", "undefined", "punycode")},
    "/attributes": ("text/html", ("<!doctype html><html><body><article><p " + " ".join(f'a{n}="x"' for n in range(80_000))
                                  + f">{QUOTE}, the researchers wrote.</p></article></body></html>").encode()),
    "/links": ("text/html", ("<!doctype html><html><body><article><p>" + "<a href='/x'>more</a> " * 20_000
                             + f"{QUOTE}.</p></article></body></html>").encode()),
    **{f"/hidden/{name}": ("text/html", f"<!doctype html><html><body><article>{VISIBLE}{hiding}</article></body></html>".encode())
       for name, hiding in HIDDEN.items()},
    "/page": ("text/html; charset=utf-8", PAGE.encode()),
    "/robots.txt": ("text/plain", b"User-agent: *\nAllow: /\n"),
}
HOSTILE_REDIRECTS = {**{f"/redirect/{name}": to for name, (to, _) in REDIRECTS_OUT.items()},
                     "/redirect/to-broken-v6": "http://[::1", "/redirect/mention": "/@octocat/GH-7/issues#12"}


def hostile_handler(robots: tuple[str, bytes] | None = None) -> type[BaseHTTPRequestHandler]:
    """The hostile web's pages; with `robots`, an origin whose robots.txt is that (content type, body)."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            port = self.server.server_address[1]
            if self.path in HOSTILE_REDIRECTS:
                location = HOSTILE_REDIRECTS[self.path].replace("{port}", str(port))
                respond(self, 302, {"Location": location.encode("utf-8").decode("latin-1")})  # raw UTF-8, as some send
                return
            found = robots if robots and self.path == "/robots.txt" else HOSTILE_PAGES.get(self.path)
            content_type, body = found or ("text/html", b"<h1>Not found</h1>")
            respond(self, 200 if found else 404, {"Content-Type": content_type}, body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@dataclass
class Hostile:
    project: Path
    code: int
    report: str
    seconds: float
    site: Build
    urls: dict[str, str]  # source → its address

    def entry(self, name: str) -> dict:
        [entry] = yaml.safe_load((self.project / "data" / "verification" / f"{name}.yml").read_text(encoding="utf-8"))["quotes"]
        return entry


@pytest.fixture(scope="module")
def hostile(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    """One run of the quote check over the hostile web, then the real build of the records it wrote."""
    with ExitStack() as stack:
        web = stack.enter_context(serving(hostile_handler()))
        origins = {name: stack.enter_context(serving(hostile_handler(robots[:2]))) for name, robots in ROBOTS_UNREADABLE.items()}
        urls = {**{f"charset-{label}": f"http://127.0.0.1:{web}/charset/{label}" for label in ("idna", "undefined", "punycode")},
                **{name: f"http://127.0.0.1:{web}/redirect/{name}" for name in [*REDIRECTS_OUT, "to-broken-v6", "mention"]},
                **{name: f"http://127.0.0.1:{web}/{name}" for name in ("attributes", "links")},
                **{name: f"http://127.0.0.1:{web}/hidden/{name}" for name in HIDDEN},
                **{name: f"http://127.0.0.1:{port}/page" for name, port in origins.items()},
                "broken-dns": "http://broken-dns.example/page"}
        project = make_project(tmp_path_factory.mktemp("hostile") / "project",
                               {name: (url, Case("", (QUOTE,))) for name, url in urls.items()})
        start = time.monotonic()
        code, report = run_verify(project, "--max-bytes", "1000000", "--deadline", "5")
        seconds = time.monotonic() - start
        yield Hostile(project, code, report, seconds, build(project), urls)  # the web stays up for the tests' own runs


def test_a_hostile_web_ends_in_a_record_per_source_and_records_the_next_build_accepts(hostile: Hostile) -> None:
    assert hostile.code == 0
    assert sorted(p.stem for p in (hostile.project / "data" / "verification").glob("*.yml")) == sorted(hostile.urls)
    assert hostile.site.returncode == 0, hostile.site.output
    assert run_verify(hostile.project, "--only", "to-ftp", "--only", "charset-idna")[0] == 0  # and the next run


@pytest.mark.parametrize("label", ["idna", "undefined", "punycode"])
def test_a_page_in_a_charset_that_is_no_web_encoding_is_read_as_utf_8(hostile: Hostile, label: str) -> None:
    assert hostile.entry(f"charset-{label}")["result"] == "found"


@pytest.mark.parametrize("name", [*REDIRECTS_OUT, "to-broken-v6"])
def test_a_redirect_to_an_address_the_data_would_refuse_is_never_recorded(hostile: Hostile, name: str) -> None:
    entry = hostile.entry(name)
    assert (entry["result"], entry["url"]) == ("unreachable", hostile.urls[name])
    if name == "to-broken-v6":
        assert entry["note"] == "refused: a redirect to 'http://[::1', which cannot be parsed"
    else:
        problem = REDIRECTS_OUT[name][1]
        assert entry["note"].startswith("redirected to '")
        assert entry["note"].endswith(f", which is not a plain web address: {problem}")


def test_a_page_built_to_be_slow_to_parse_is_read_within_the_budget_or_not_at_all(hostile: Hostile) -> None:
    assert hostile.entry("attributes")["result"] == "found"  # 80,000 attributes on one <p>: they are dropped unread
    assert hostile.entry("links") == {"quote": QUOTE, "result": "unreachable", "url": hostile.urls["links"],
                                      "checked": "2024-05-06T05:17:03Z",
                                      "note": f"not read: the page has more than {pagetext.MAX_ELEMENTS} elements"}
    assert hostile.seconds < 20  # the 80,000 attributes alone took 50 s before the budget


@pytest.mark.parametrize("shape", ["attributes", "links"])
def test_the_text_of_a_page_at_the_budget_takes_seconds_not_minutes(shape: str) -> None:
    """The worst shapes measured for lxml (attributes of one tag) and trafilatura (links in one paragraph), just
    inside the budget."""
    inner = {"attributes": "<p " + " ".join(f"a{n}" for n in range(pagetext.MAX_CHARS // 8)) + ">x</p>",
             "links": "<p>" + "<a href='/x'>link</a> " * (pagetext.MAX_ELEMENTS - 10) + f"{QUOTE}</p>"}[shape]
    start = time.process_time()
    article_text, full = pagetext.texts(f"<html><body><article>{inner}</article></body></html>".encode(), "text/html", None)
    assert full and time.process_time() - start < 6


@pytest.mark.parametrize(("inner", "why"), [
    ("<b>x</b>" * (pagetext.MAX_ELEMENTS + 1), f"more than {pagetext.MAX_ELEMENTS} elements"),
    ("</b>" * (pagetext.MAX_TAGS + 1), f"more than {pagetext.MAX_TAGS} tags"),
    ("word " * (pagetext.MAX_CHARS // 5 + 1), f"more than {pagetext.MAX_CHARS} characters"),  # one text, no tag after it
])
def test_a_page_over_the_budget_is_not_read(inner: str, why: str) -> None:
    with pytest.raises(pagetext.Unreadable, match=why):
        pagetext.texts(f"<html><body><p>{inner}".encode(), "text/html", "utf-8")


@pytest.mark.parametrize("name", HIDDEN)
def test_text_hidden_on_the_page_is_not_found(hostile: Hostile, name: str) -> None:
    assert hostile.entry(name)["result"] == "not-found"


@pytest.mark.parametrize("name", ROBOTS_UNREADABLE)
def test_a_robots_txt_that_cannot_be_read_as_text_forbids_the_whole_origin(hostile: Hostile, name: str) -> None:
    origin = hostile.urls[name].removesuffix("/page")
    assert hostile.entry(name)["note"] == (f"not requested: robots.txt of {origin} could not be read "
                                           f"({ROBOTS_UNREADABLE[name][2]}), so no page there is read")


def test_a_source_whose_check_breaks_is_one_record_that_says_so(hostile: Hostile) -> None:
    entry = hostile.entry("broken-dns")
    assert (entry["result"], entry["note"]) == ("unreachable", "the check failed: RuntimeError: the resolver broke")


def test_what_a_page_says_in_the_pull_request_mentions_nobody_and_links_nothing(hostile: Hostile) -> None:
    row = next(line for line in hostile.report.splitlines() if line.startswith("| unreachable | mention |"))
    assert "octocat" in row and "GH" in row and "12" in row
    shown_text = html.unescape(hostile.report)  # as GitHub renders it, where it looks for mentions and references
    for reference in (r"(?<![\w`])@[A-Za-z0-9-]", r"#[0-9]", r"\bGH-[0-9]", r"https?://", r"\bwww\."):
        assert not re.search(reference, shown_text, re.I), reference
    assert verify.pull_request_text("ping @octocat about #12, GH-7 and a/b#3 at https://github.com/a/b www.example.com") == (
        "ping @&#8203;octocat about #&#8203;12, GH&#8203;-7 and a/b#&#8203;3 at https:&#8203;//github.com/a/b "
        "www&#8203;.example.com")


def test_a_record_the_build_refuses_is_rewritten_by_the_next_run(hostile: Hostile, tmp_path: Path) -> None:
    project = tmp_path / "again"
    shutil.copytree(hostile.project, project, ignore=shutil.ignore_patterns("site"))
    record = project / "data" / "verification" / "to-ftp.yml"
    record.write_text(record.read_text(encoding="utf-8").replace(f"url: {hostile.urls['to-ftp']}\n", "url: ftp://example.com/report\n"),
                      encoding="utf-8")
    assert "url: ftp://example.com/report" in record.read_text(encoding="utf-8")
    assert build(project).returncode == 1
    code, _ = run_verify(project, "--only", "to-ftp")
    assert code == 0 and "ftp://example.com/report\n" not in record.read_text(encoding="utf-8")
    assert build(project).returncode == 0
