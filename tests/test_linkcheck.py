"""The external link checker, run only against a local HTTP server started here: never the internet."""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qs, quote, urlsplit

import pytest

import linkcheck
import safenet
from tests.localserver import serving

FAST = ["--delay", "0", "--backoff", "0.01", "--timeout", "2"]
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LOCAL = ("127.0.0.1",)  # the test server's host: exempt from the public-address and port rules, in tests only


@dataclass
class Hit:
    """One request the server received: when it arrived and was answered (logged just before), method, path."""

    start: float
    end: float
    method: str
    path: str
    user_agent: str
    host: str = ""


@dataclass
class Server:
    """A local HTTP server with a few canned answers and a log of every request."""

    port: int = 0
    log: list[Hit] = field(default_factory=list)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def hits(self, path: str | None = None) -> list[Hit]:
        return [hit for hit in self.log if path is None or hit.path == path]


ROUTES: dict[str, tuple[int, dict[str, str]]] = {
    "/ok": (200, {}),
    "/other": (200, {}),
    "/third": (200, {}),
    "/moved": (301, {"Location": "/moved-again"}),
    "/moved-again": (302, {"Location": "{base}/final"}),
    "/final": (200, {}),
    "/missing": (404, {}),
    "/error": (500, {}),
    "/unavailable": (503, {}),
    "/busy": (429, {}),
    "/loop": (302, {"Location": "/loop"}),
    "/slow-hop": (302, {"Location": "/slow-hop"}),
}


def redirect(to: str) -> str:
    """A path on the test server that redirects to `to`."""
    return "/redirect?to=" + quote(to, safe="")


def trickle(out: BinaryIO, head: bytes = b"HTTP/1.0 200 OK\r\n", seconds: float = 2.0, every: float = 0.05) -> None:
    """Send `head`, then one byte every `every` seconds for `seconds`: a header name, or a body."""
    out.write(head)
    for _ in range(int(seconds / every)):
        out.write(b"X")
        time.sleep(every)
    out.write(b": y\r\n\r\n")


def huge_headers(out: BinaryIO) -> None:
    """A 200 whose header section is 99 lines of 60,000 bytes (each within http.client's own limits)."""
    out.write(b"HTTP/1.0 200 OK\r\n")
    for number in range(99):
        out.write(b"X-Filler-%d: %s\r\n" % (number, b"x" * 60_000))
    out.write(b"\r\n")


def endless_body(out: BinaryIO) -> None:
    """A 200 without a length whose body goes on until the client hangs up (128 MiB at most)."""
    out.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n")
    for _ in range(2048):
        out.write(b"x" * 65536)


STREAMS: dict[str, Callable[[BinaryIO], None]] = {
    "/trickle": trickle,
    "/trickle-body": lambda out: trickle(out, b"HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\n"),
    "/huge-headers": huge_headers,
    "/endless": endless_body,  # for GET; HEAD answers 405
    "/big": lambda out: out.write(b"HTTP/1.0 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100_000),
}


def canned(path: str, method: str) -> tuple[int, dict[str, str]]:
    """The status and headers the test server answers `method path` with."""
    route, query = urlsplit(path).path, {name: values[0] for name, values in parse_qs(urlsplit(path).query).items()}
    if route == "/redirect":
        return 302, {"Location": query["to"]}
    if route == "/limited":  # ?code=…&retry_after=…&until=epoch seconds (or first_for=seconds after its first request)
        until = FIRST_SEEN.setdefault(path, time.time()) + float(query["first_for"]) if "first_for" in query \
            else float(query["until"])
        return (int(query["code"]), {"Retry-After": query["retry_after"]}) if time.time() < until else (200, {})
    if route in ("/no-head", "/endless"):
        return 405 if method == "HEAD" else 200, {}
    return ROUTES.get(path, (200, {}))


FIRST_SEEN: dict[str, float] = {}  # when the test server was first asked for a path


def limited(code: int, retry_after: str, until: float = float("inf"), first_for: float | None = None) -> str:
    """A path answering `code` with this Retry-After until the epoch time `until` (or for `first_for` seconds after
    its first request, however late that comes), then 200."""
    if first_for is not None:
        return f"/limited?code={code}&retry_after={quote(retry_after)}&first_for={first_for}&n={time.time_ns()}"
    return f"/limited?code={code}&retry_after={quote(retry_after)}&until={until}"


def handler_for(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def answer(self) -> None:
            start = time.monotonic()
            if self.path in STREAMS and not (self.path == "/endless" and self.command == "HEAD"):
                server.log.append(Hit(start, start, self.command, self.path, self.headers["User-Agent"]))
                with contextlib.suppress(OSError):  # the client gave up
                    STREAMS[self.path](self.wfile)
                return
            if self.path in ("/slow", "/slow-hop"):
                time.sleep(1.0 if self.path == "/slow" else 0.1)
            code, headers = canned(self.path, self.command)
            server.log.append(Hit(start, time.monotonic(), self.command, self.path, self.headers["User-Agent"],
                                  self.headers["Host"]))
            try:
                self.send_response(code)
                for name, value in headers.items():
                    self.send_header(name, value.replace("{base}", server.url("")))
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:
                pass  # the client gave up (timeout test)

        do_HEAD = do_GET = answer

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    state = Server()
    with serving(handler_for(state)) as state.port:
        yield state


def fake_project(tmp_path: Path, server: Server, *paths: str, source: str = "/ok") -> tuple[Path, Path]:
    """A built-site folder with two pages linking to `paths`, and a data/sources folder citing `source`."""
    site, sources = tmp_path / "site", tmp_path / "data" / "sources"
    (site / "about").mkdir(parents=True)
    sources.mkdir(parents=True)
    links = "".join(f'<a href="{server.url(p)}">x</a>' for p in paths)
    (site / "index.html").write_text(f'<html><body>{links}<a href="about/">About</a></body></html>')
    (site / "about" / "index.html").write_text(f'<p><a href="{server.url(paths[0])}#top">same link</a></p>' if paths else "")
    (sources / "a-source.yml").write_text(f"id: a-source\ndate: 2023-08-07\nurl: {server.url(source)}\n")
    return site, tmp_path / "data"


def check(server: Server, path: str, url_host: str = "127.0.0.1", **options: object) -> linkcheck.Result:
    """The result for one URL on the local server, checked with fast options."""
    settings = {"delay": 0.0, "backoff": 0.01, "timeout": 2.0, "allow_private_for_tests": LOCAL, **options}
    url = server.url(path, url_host)
    [result] = linkcheck.run({url: ["site/index.html"]}, linkcheck.Options(**settings), {}, timedelta(days=7))
    return result


def run_main(tmp_path: Path, site: Path, data: Path, *extra: str, clock=lambda: NOW, allow: tuple[str, ...] = LOCAL) -> int:
    args = ["--site", str(site), "--data", str(data), "--cache", str(tmp_path / "cache.json"), *FAST, *extra]
    return linkcheck.main(args, clock=clock, allow_private_for_tests=allow)


def test_links_are_collected_from_pages_and_source_files_with_where_they_are_used(tmp_path: Path) -> None:
    site, sources = tmp_path / "site", tmp_path / "data" / "sources"
    (site / "a").mkdir(parents=True)
    sources.mkdir(parents=True)
    (site / "index.html").write_text(
        '<link href="https://cdn.example.org/x.css"><script src="https://cdn.example.org/x.js"></script>'
        '<img src="https://img.example.org/p.png"><a href="https://example.org/page#part">x</a>'
        '<a href="a/">rel</a><a href="/abs">abs</a><a href="mailto:x@example.org">m</a><a href="https://me.example.net/x">own</a>'
    )
    (site / "a" / "index.html").write_text('<a href="https://example.org/page">again</a>')
    (sources / "s.yml").write_text("id: s\ndate: 2023-08-07\nurl: >-\n  https://example.org/page\n")
    (sources / "no-url.yml").write_text("id: no-url\narchive: seeds/x.txt\n")

    links = linkcheck.collect(site, tmp_path / "data", site_url="https://me.example.net/")

    assert links == {
        "https://cdn.example.org/x.css": ["site/index.html"],
        "https://cdn.example.org/x.js": ["site/index.html"],
        "https://example.org/page": ["data/sources/s.yml", "site/a/index.html", "site/index.html"],
        "https://img.example.org/p.png": ["site/index.html"],
    }


def test_a_200_answer_is_reported_ok_with_a_user_agent_naming_the_project(server: Server) -> None:
    result = check(server, "/ok")

    assert (result.status, result.code, result.hops) == ("ok", 200, 0)
    assert [hit.method for hit in server.log] == ["HEAD"]
    assert "npo-mash-microsite" in server.log[0].user_agent


def test_a_redirect_chain_is_followed_and_reported_with_its_final_url_and_hops(server: Server) -> None:
    result = check(server, "/moved")

    assert (result.status, result.code, result.hops) == ("redirected", 200, 2)
    assert result.final_url == server.url("/final")
    assert [hit.path for hit in server.log] == ["/moved", "/moved-again", "/final"]


def test_a_404_is_reported_as_broken_with_the_page_that_links_to_it(server: Server, tmp_path: Path, capsys) -> None:
    site, data = fake_project(tmp_path, server, "/missing")

    status = run_main(tmp_path, site, data)

    row = next(line for line in capsys.readouterr().out.splitlines() if "/missing" in line)
    assert status == 1
    assert row.startswith("| broken (404) |")
    assert "site/about/index.html, site/index.html" in row
    assert len(server.hits("/missing")) == 1  # two pages, one URL: checked once


def test_a_500_is_retried_with_backoff_then_reported_broken(server: Server) -> None:
    result = check(server, "/error", retries=2, backoff=0.05)

    starts = [hit.start for hit in server.hits("/error")]
    assert (result.status, result.code) == ("broken", 500)
    assert len(starts) == 3  # the first try and two retries
    assert starts[1] - starts[0] >= 0.05 and starts[2] - starts[1] >= 0.1  # the wait doubles
    assert "after 2 retries" in result.note


def test_an_answer_slower_than_the_timeout_is_broken_as_a_timeout(server: Server) -> None:
    started = time.monotonic()
    result = check(server, "/slow", timeout=0.3, retries=0)

    assert result.status == "broken"
    assert result.code is None
    assert "timeout" in result.note
    assert time.monotonic() - started < 0.9


def test_a_head_request_that_is_not_allowed_falls_back_to_get(server: Server) -> None:
    result = check(server, "/no-head")

    assert (result.status, result.code) == ("ok", 200)
    assert [hit.method for hit in server.log] == ["HEAD", "GET"]
    assert "checked with GET" in result.note


def test_a_429_still_refused_after_retries_is_rate_limited_not_broken(server: Server) -> None:
    result = check(server, "/busy", retries=1)

    assert (result.status, result.code) == ("rate-limited", 429)
    assert len(server.hits("/busy")) == 2


def test_hosts_of_the_default_allowlist_and_their_subdomains_are_allowlisted() -> None:
    for url in ("https://www.linkedin.com/in/someone", "https://twitter.com/x", "https://x.com/y"):
        assert linkcheck.allowlisted(url, linkcheck.DEFAULT_ALLOWLIST)
    assert not linkcheck.allowlisted("https://notx.com/", linkcheck.DEFAULT_ALLOWLIST)


def test_an_allowlisted_host_is_skipped_and_never_requested(server: Server, tmp_path: Path, capsys) -> None:
    site, data = fake_project(tmp_path, server, "/ok", "/missing")
    (tmp_path / "allow.txt").write_text("# hosts that refuse bots\n127.0.0.1  # the test server\n")

    status = run_main(tmp_path, site, data, "--allow-file", str(tmp_path / "allow.txt"))

    out = capsys.readouterr().out
    assert status == 0
    assert server.log == []
    assert out.count("| skipped (allowlisted) |") == 2
    assert "2 checked, 0 ok, 0 redirected, 0 broken, 2 skipped, 0 from cache" in out


def test_a_fresh_cache_makes_a_second_run_issue_no_requests(server: Server, tmp_path: Path, capsys) -> None:
    site, data = fake_project(tmp_path, server, "/ok", "/moved")
    assert run_main(tmp_path, site, data) == 0
    first = len(server.log)

    assert run_main(tmp_path, site, data, "--max-age", "7d", clock=lambda: NOW + timedelta(days=6)) == 0

    assert first == 4  # /ok, and /moved → /moved-again → /final
    assert len(server.log) == first
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == "2 checked, 1 ok, 1 redirected, 0 broken, 0 skipped, 2 from cache"


def test_an_expired_cache_entry_is_checked_again(server: Server, tmp_path: Path) -> None:
    site, data = fake_project(tmp_path, server, "/ok")
    run_main(tmp_path, site, data)

    run_main(tmp_path, site, data, "--max-age", "12h", clock=lambda: NOW + timedelta(hours=13))

    assert len(server.hits("/ok")) == 2


def test_broken_links_are_not_cached_and_are_checked_on_every_run(server: Server, tmp_path: Path) -> None:
    site, data = fake_project(tmp_path, server, "/missing")
    run_main(tmp_path, site, data)
    run_main(tmp_path, site, data)

    assert len(server.hits("/missing")) == 2


def test_requests_to_one_host_are_spaced_by_the_delay_and_never_overlap(server: Server) -> None:
    links = {server.url(path): ["site/index.html"] for path in ("/ok", "/other", "/third", "/moved")}

    linkcheck.run(links, linkcheck.Options(delay=0.2, workers=4, allow_private_for_tests=LOCAL), {}, timedelta(days=7))

    hits = sorted(server.log, key=lambda hit: hit.start)
    assert len(hits) == 6
    for before, after in zip(hits, hits[1:], strict=False):
        assert after.start - before.start >= 0.19
        assert after.start >= before.end


def test_the_host_gate_lets_one_thread_at_a_time_through_and_spaces_them() -> None:
    gate, spans = linkcheck.HostGate(delay=0.1), []

    def use() -> None:
        with gate.slot("example.org"):
            start = time.monotonic()
            time.sleep(0.02)
            spans.append((start, time.monotonic()))

    threads = [threading.Thread(target=use) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    spans.sort()
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert start - end >= 0.099


def test_the_report_lists_failures_first_and_the_exit_status_is_1(server: Server, tmp_path: Path, capsys) -> None:
    site, data = fake_project(tmp_path, server, "/ok", "/moved", "/missing", source="/error")
    report = tmp_path / "report.md"

    status = run_main(tmp_path, site, data, "--retries", "0", "--report", str(report))

    rows = [line for line in report.read_text().splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert status == 1
    statuses = [row.split(" | ")[0] for row in rows]
    assert statuses == ["| broken (500)", "| broken (404)", "| redirected (200, 2 hops)", "| ok (200)"]
    assert f"| {server.url('/final')} |" in rows[2]
    assert "data/sources/a-source.yml" in rows[0]
    assert report.read_text().splitlines()[-1] == "4 checked, 1 ok, 1 redirected, 2 broken, 0 skipped, 0 from cache"
    assert capsys.readouterr().out == report.read_text()


def test_the_exit_status_is_0_when_no_link_is_broken(server: Server, tmp_path: Path) -> None:
    site, data = fake_project(tmp_path, server, "/ok", "/moved", "/no-head")

    assert run_main(tmp_path, site, data) == 0


@pytest.mark.parametrize(("text", "expected"), [("7d", timedelta(days=7)), ("12h", timedelta(hours=12)),
                                                 ("30m", timedelta(minutes=30)), ("2", timedelta(days=2))])
def test_max_age_is_read_as_a_duration(text: str, expected: timedelta) -> None:
    assert linkcheck.duration(text) == expected



def resolving(table: dict[str, list[str]], calls: list[str] | None = None) -> linkcheck.safenet.Resolver:
    """A resolver that answers from `table` (and records the names it was asked) instead of DNS."""
    def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        return table[host]
    return resolve


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_links_are_refused_without_the_test_allowance_and_never_requested(server: Server, host: str) -> None:
    result = check(server, "/ok", url_host=host, allow_private_for_tests=(), ports=(80, 443, server.port))

    assert result.status == "refused"
    assert "loopback" in result.note
    assert server.log == []


def test_a_refused_link_is_in_the_report_with_its_reason_and_fails_the_run(server: Server, tmp_path: Path, capsys) -> None:
    site, data = fake_project(tmp_path, server, "/ok")

    status = run_main(tmp_path, site, data, allow=())

    out = capsys.readouterr().out
    assert status == 1
    assert f"| refused | {server.url('/ok')} |" in out
    assert "refused: port" in out  # the first rule the test server's URL breaks
    assert out.splitlines()[-1].endswith(", 1 refused")
    assert server.log == []


@pytest.mark.parametrize("target", ["file:///etc/passwd", "file:///no/such/file"])
def test_redirect_to_file_url_is_refused(server: Server, target: str) -> None:
    result = check(server, redirect(target))

    assert (result.status, result.hops, result.final_url) == ("refused", 1, target)
    assert result.note == "refused: scheme 'file' is not http or https"  # the same whether the file exists or not


@pytest.mark.parametrize(("target", "reason"), [
    ("http://localhost:{port}/ok", "localhost is a loopback host name"),
    ("http://[::1]:{port}/ok", "::1 is a loopback address"),
    ("http://[::ffff:127.0.0.1]:{port}/ok", "(IPv4 127.0.0.1) is a loopback address"),
    ("http://127.0.0.2:{port}/ok", "127.0.0.2 is a loopback address"),
    ("http://0.0.0.0:{port}/ok", "0.0.0.0 is an unspecified address"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a cloud metadata address"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254 is a cloud metadata address"),
    ("http://metadata.google.internal/computeMetadata/v1/", "metadata.google.internal is a cloud metadata host name"),
    ("http://10.0.0.1/", "10.0.0.1 is a private address"),
    ("http://100.64.0.1/", "100.64.0.1 is a shared (CGNAT) address"),
    ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
    ("http://user:secret@127.0.0.1:{port}/ok", "credentials (user:password@) in the URL"),
    ("gopher://example.org/", "scheme 'gopher' is not http or https"),
])
def test_redirect_to_a_non_public_address_or_a_forbidden_url_is_refused(server: Server, target: str, reason: str) -> None:
    result = check(server, redirect(target.format(port=server.port)), ports=(80, 443, server.port), retries=0, timeout=0.5)

    assert (result.status, result.hops) == ("refused", 1)
    assert reason in result.note
    assert [hit.path for hit in server.log] == [redirect(target.format(port=server.port))]


def test_a_source_url_with_credentials_is_refused_even_for_an_allowed_host(server: Server) -> None:
    result = check(server, "/ok", url_host="user:secret@127.0.0.1")

    assert (result.status, result.note) == ("refused", "refused: credentials (user:password@) in the URL")
    assert server.log == []


@pytest.mark.parametrize("addresses", [["10.0.0.7"], ["93.184.216.34", "127.0.0.1"], ["169.254.169.254"]])
def test_a_public_looking_name_that_resolves_to_a_private_address_is_refused(addresses: list[str]) -> None:
    options = linkcheck.Options(delay=0, resolver=resolving({"www.example.com": addresses}))

    [result] = linkcheck.run({"http://www.example.com/page": ["x"]}, options, {}, timedelta(days=7))

    assert result.status == "refused"
    assert f"www.example.com resolves to {addresses[-1]}, a" in result.note


def test_a_redirect_to_a_name_that_resolves_to_loopback_is_refused(server: Server) -> None:
    calls: list[str] = []
    resolver = resolving({"rebind.example.com": ["127.0.0.1"]}, calls)

    result = check(server, redirect("http://rebind.example.com/ok"), resolver=resolver)

    assert (result.status, result.hops) == ("refused", 1)
    assert "rebind.example.com resolves to 127.0.0.1, a loopback address" in result.note
    assert calls == ["rebind.example.com"]
    assert len(server.log) == 1


def test_the_connection_goes_to_the_checked_address_with_the_name_in_the_host_header(server: Server) -> None:
    calls: list[str] = []  # site.test is in no DNS: a second lookup by the system would fail

    result = check(server, "/ok", allow_private_for_tests=("site.test",), resolver=resolving({"site.test": ["127.0.0.1"]}, calls),
                   url_host="site.test")

    assert (result.status, result.code) == ("ok", 200)
    assert calls == ["site.test"]
    assert [hit.host for hit in server.log] == [f"site.test:{server.port}"]


def test_a_redirect_to_the_allowed_names_address_under_another_name_is_refused(server: Server) -> None:
    options = {"allow_private_for_tests": ("site.test",), "resolver": resolving({"site.test": ["127.0.0.1"]}),
               "ports": (80, 443, server.port)}

    result = check(server, redirect(server.url("/ok")), url_host="site.test", **options)

    assert (result.status, result.hops) == ("refused", 1)
    assert "127.0.0.1 is a loopback address" in result.note
    assert len(server.log) == 1


@pytest.mark.parametrize("limit", [0, 3])
def test_redirects_beyond_the_limit_are_broken(server: Server, limit: int) -> None:
    result = check(server, "/loop", max_redirects=limit)

    assert (result.status, result.hops) == ("broken", limit)
    assert result.note == f"more than {limit} redirects"
    assert len(server.hits("/loop")) == limit + 1


@pytest.mark.parametrize("flag", ["--allow-private-for-tests", "--allow-private", "--resolver"])
def test_the_test_allowance_and_the_resolver_cannot_be_set_from_the_command_line(flag: str) -> None:
    with pytest.raises(SystemExit):
        linkcheck.parse_args([flag, "127.0.0.1"])
    assert not [name for name in vars(linkcheck.parse_args([])) if "private" in name or "resolve" in name]


def timed(server: Server, path: str, **options: object) -> tuple[linkcheck.Result, float]:
    """The result of `check`, and how many seconds it took."""
    started = time.monotonic()
    result = check(server, path, **options)
    return result, time.monotonic() - started


def test_a_server_trickling_its_headers_is_cut_off_at_the_deadline(server: Server) -> None:
    result, seconds = timed(server, "/trickle", deadline=0.3, timeout=2.0, retries=0)

    assert (result.status, result.code) == ("broken", None)
    assert result.note == "deadline of 0.3 s exceeded"
    assert seconds < 0.7  # the server would go on for 2 s, each byte well within the 2 s read timeout


def test_a_trickling_server_is_not_retried_past_the_deadline(server: Server) -> None:
    result, seconds = timed(server, "/trickle", deadline=0.4, timeout=0.3, retries=5, backoff=0.01)

    assert result.status == "broken"
    assert "deadline of 0.4 s exceeded" in result.note
    assert seconds < 0.8
    assert len(server.hits("/trickle")) == 1


def test_the_deadline_covers_the_whole_redirect_chain(server: Server) -> None:
    result, seconds = timed(server, "/slow-hop", deadline=0.35, timeout=2.0, max_redirects=50)

    assert (result.status, result.note) == ("broken", "deadline of 0.35 s exceeded")
    assert 1 <= result.hops <= 3  # each hop takes 0.1 s
    assert seconds < 0.75


def test_retries_stop_when_the_backoff_would_pass_the_deadline(server: Server) -> None:
    result, seconds = timed(server, "/error", deadline=0.5, retries=5, backoff=0.2)

    assert (result.status, result.code) == ("broken", 500)
    assert len(server.hits("/error")) == 2  # at 0 s and 0.2 s; the next would be at 0.6 s
    assert "no retry in 0.4 s: past the 0.5 s deadline" in result.note
    assert seconds < 0.5


def test_the_deadline_is_a_command_line_option() -> None:
    assert linkcheck.parse_args(["--deadline", "5"]).deadline == 5.0
    assert linkcheck.parse_args([]).deadline == 90.0


def test_a_429_with_retry_after_in_seconds_is_retried_after_that_wait(server: Server) -> None:
    path = limited(429, "1", first_for=0.9)

    result = check(server, path, retries=2, deadline=5)

    starts = [hit.start for hit in server.hits(path)]
    assert (result.status, result.code) == ("ok", 200)
    assert len(starts) == 2 and starts[1] - starts[0] >= 0.95


def test_a_503_with_a_retry_after_http_date_is_waited_for_then_retried(server: Server) -> None:
    ready = math.ceil(time.time() + 0.1)  # an HTTP date has whole seconds: 0.1 s to 1.1 s from now
    path = limited(503, formatdate(ready, usegmt=True), until=ready)

    result = check(server, path, retries=2, deadline=5)

    assert (result.status, result.code) == ("ok", 200)
    assert len(server.hits(path)) == 2  # the backoff alone (0.01 s, 0.02 s) would have tried three times too early
    assert server.hits(path)[1].start - server.hits(path)[0].start >= 0.05


@pytest.mark.parametrize("code", [429, 503])
def test_a_server_still_limiting_after_its_retry_after_is_rate_limited_not_broken(server: Server, code: int) -> None:
    result = check(server, limited(code, "0"), retries=1)

    assert (result.status, result.code) == ("rate-limited", code)
    assert "Retry-After: 0" in result.note and "after 1 retries" in result.note
    assert len(server.log) == 2


def test_a_503_without_retry_after_is_a_server_error_and_broken(server: Server) -> None:
    result = check(server, "/unavailable", retries=1)

    assert (result.status, result.code) == ("broken", 503)
    assert len(server.log) == 2


@pytest.mark.parametrize("retry_after", ["120", "Wed, 21 Oct 2099 07:28:00 GMT"])
def test_a_retry_after_beyond_the_deadline_is_not_waited_for(server: Server, retry_after: str) -> None:
    result, seconds = timed(server, limited(429, retry_after), retries=2, deadline=0.5)

    assert (result.status, result.code) == ("rate-limited", 429)
    assert "no retry in 60 s: past the 0.5 s deadline" in result.note  # what it asks, capped at a minute
    assert len(server.log) == 1
    assert seconds < 0.3


def test_a_retry_after_longer_than_the_cap_is_waited_for_only_the_cap(server: Server) -> None:
    path = limited(429, "30", first_for=0.1)  # from its first request: a slow start cannot skip the 429

    result, seconds = timed(server, path, retries=1, deadline=5, max_retry_after=0.2)

    starts = [hit.start for hit in server.hits(path)]
    assert (result.status, result.code) == ("ok", 200)
    assert 0.2 <= starts[1] - starts[0] < 0.5


@pytest.mark.parametrize(("value", "seconds"), [
    ("5", 5.0), (" 7 ", 7.0), ("0", 0.0), ("Wed, 01 May 2024 12:00:30 GMT", 30.0), ("Wed, 01 May 2024 11:00:00 GMT", 0.0),
    ("Wednesday, 01-May-24 12:01:00 GMT", 60.0), ("-3", None), ("1.5", None), ("soon", None), ("", None), (None, None),
])
def test_retry_after_is_read_as_seconds_or_as_an_http_date(value: str | None, seconds: float | None) -> None:
    assert linkcheck.retry_after(value, NOW) == seconds


@pytest.mark.parametrize(("max_bytes", "cap"), [(64 * 1024, "65536"), (None, "262144")])
def test_a_response_with_a_huge_header_section_is_cut_off_at_the_byte_cap(server: Server, max_bytes: int | None,
                                                                           cap: str) -> None:
    result = check(server, "/huge-headers", retries=0, **({"max_bytes": max_bytes} if max_bytes else {}))

    assert (result.status, result.code) == ("broken", None)
    assert result.note == f"response larger than {cap} bytes"  # http.client alone would read all 6 MB


def test_a_get_fallback_reads_no_body_even_an_endless_one(server: Server) -> None:
    result, seconds = timed(server, "/endless", deadline=2)

    assert (result.status, result.code) == ("ok", 200)
    assert [hit.method for hit in server.log] == ["HEAD", "GET"]
    assert seconds < 0.5


def local(path: str, server: Server, **options: object) -> contextlib.AbstractContextManager:
    """safenet.open_url on the test server, allowed for this test, with a 2 s deadline unless told."""
    settings = {"policy": safenet.Policy(trusted_hosts=frozenset(LOCAL)), "deadline": safenet.Deadline(2), **options}
    return safenet.open_url(server.url(path), **settings)


def test_read_body_returns_a_body_within_its_limit_and_refuses_a_longer_one(server: Server) -> None:
    with local("/big", server) as response:
        assert len(safenet.read_body(response, 100_000)) == 100_000
    with local("/big", server) as response, pytest.raises(safenet.TooLarge, match="body larger than 1000 bytes"):
        safenet.read_body(response, 1000)


def test_an_endless_body_stops_at_the_byte_cap_of_the_connection(server: Server) -> None:
    with local("/endless", server, max_bytes=100_000) as response, pytest.raises(safenet.TooLarge):
        response.read()


def test_a_trickled_body_stops_at_the_deadline(server: Server) -> None:
    started = time.monotonic()
    with local("/trickle-body", server, deadline=safenet.Deadline(0.3), timeout=2.0) as response, \
            pytest.raises(safenet.DeadlineExceeded):
        safenet.read_body(response, 1000)
    assert time.monotonic() - started < 0.6


EVIL = "https://e.org/a|b[c](javascript:x)<img src=x onerror=y>`code`*em*_em_~~s~~$m$&amp;\\|"


def cells(row: str) -> list[str]:
    """The cells of a Markdown table row, unescaped; fails if anything Markdown would read is left unescaped."""
    found, cell, chars = [], "", iter(row[1:-1])
    for char in chars:
        if char == "\\":
            cell += next(chars)
        elif char == "|":
            found, cell = [*found, cell.strip()], ""
        else:
            assert char not in "[]<>`*_~$&", row
            cell += char
    return [*found, cell.strip()]


def test_every_report_cell_is_escaped_so_network_text_stays_text() -> None:
    result = linkcheck.Result(EVIL, "redirected", 200, EVIL + "/final", 1, "bad\nline | [x](y)\u2028<b>", used_in=["a_b.yml"])

    [row] = linkcheck.report([result]).splitlines()[2:]

    assert cells(row) == [
        "redirected (200, 1 hop)", EVIL, EVIL + "/final", "a_b.yml", "bad line | [x](y) <b>"]


def test_a_redirect_location_and_a_retry_after_with_markdown_in_them_are_escaped_in_the_report(
        server: Server, tmp_path: Path) -> None:
    site, data = fake_project(tmp_path, server, redirect("/final?q=|x[y](z)<i>*"), source=limited(429, "<b>[soon](x)|</b>"))
    report = tmp_path / "report.md"

    run_main(tmp_path, site, data, "--retries", "0", "--report", str(report))

    rows = [cells(line) for line in report.read_text().splitlines()[2:] if line.startswith("| ")]
    assert [len(row) for row in rows] == [5, 5]
    assert rows[0][4] == "Retry-After: <b>[soon](x)|</b>"
    assert rows[1][2] == server.url("/final?q=|x[y](z)<i>*")


@pytest.mark.parametrize(("url", "reason"), [
    ("file:///etc/passwd", "scheme 'file' is not http or https"),
    ("ftp://example.org/x", "scheme 'ftp' is not http or https"),
    ("https://user:secret@example.org/", "credentials"),
    ("https://user@example.org/", "credentials"),
    ("http://example.org:8080/", "port 8080 is not allowed"),
    ("https://example.org:22/", "port 22 is not allowed"),
    ("http://127.0.0.1/", "127.0.0.1 is a loopback address"),
    ("http://127.9.9.9/", "loopback"),
    ("http://[::1]/", "::1 is a loopback address"),
    ("http://localhost/", "localhost is a loopback host name"),
    ("http://api.localhost/", "api.localhost is a loopback host name"),
    ("http://db.internal/", "db.internal is a private-network host name"),
    ("http://10.1.2.3/", "private"),
    ("http://192.168.0.1/", "private"),
    ("http://[fc00::1]/", "private"),
    ("http://169.254.1.1/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://100.64.0.1/", "shared (CGNAT)"),
    ("http://224.0.0.1/", "multicast"),
    ("http://[ff02::1]/", "multicast"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    ("http://[::ffff:127.0.0.1]/", "(IPv4 127.0.0.1) is a loopback address"),
    ("http://[::ffff:10.0.0.1]/", "(IPv4 10.0.0.1) is a private address"),
    ("http://[2002:c0a8:1::]/", "(IPv4 192.168.0.1) is a private address"),
    ("http://169.254.169.254/latest/meta-data/", "cloud metadata address"),
    ("http://[fd00:ec2::254]/", "cloud metadata address"),
    ("http://[::ffff:169.254.169.254]/", "cloud metadata address"),
    ("http://metadata.google.internal/computeMetadata/v1/", "cloud metadata host name"),
])
def test_urls_that_may_not_be_fetched_are_refused_with_the_reason(url: str, reason: str) -> None:
    assert reason in (safenet.check_url(url) or "")


@pytest.mark.parametrize("url", ["https://example.org/a?b=c", "http://93.184.216.34/", "https://example.org:443/",
                                 "http://[2606:4700:4700::1111]/", "http://[::ffff:8.8.8.8]/", "https://ουτοπία.δπθ.gr/"])
def test_public_http_urls_on_standard_ports_pass_the_url_check(url: str) -> None:
    assert safenet.check_url(url) is None


def test_another_port_passes_only_when_the_policy_allows_it() -> None:
    assert safenet.check_url("https://example.org:8443/", safenet.Policy(ports=frozenset({80, 443, 8443}))) is None
    assert safenet.check_url("https://example.org:8444/", safenet.Policy(ports=frozenset({80, 443, 8443})))


@pytest.mark.parametrize(("addresses", "reason"), [
    (["10.0.0.7"], "public.example resolves to 10.0.0.7, a private address"),
    (["93.184.216.34", "127.0.0.1"], "public.example resolves to 127.0.0.1, a loopback address"),
    (["2606:4700:4700::1111", "fd00:ec2::254"], "resolves to fd00:ec2::254, a cloud metadata address"),
    (["not-an-address"], "not an IP address"),
    ([], "public.example resolves to no address"),
])
def test_a_name_is_refused_if_any_address_it_resolves_to_is_not_public(addresses: list[str], reason: str) -> None:
    policy = safenet.Policy(resolver=lambda host, port: addresses)

    with pytest.raises(safenet.Refused) as refused:
        safenet.resolve_public("public.example", 443, policy)

    assert reason in refused.value.reason


def test_a_name_whose_addresses_are_all_public_resolves_to_them() -> None:
    policy = safenet.Policy(resolver=lambda host, port: ["93.184.216.34", "2606:2800:220:1::1"])

    assert safenet.resolve_public("public.example", 443, policy) == ["93.184.216.34", "2606:2800:220:1::1"]
