"""The Content-Security-Policy <meta> of every page: first in <head>, and allowing exactly the page's inline scripts."""

from __future__ import annotations

import hashlib
import re
from base64 import b64encode

import pytest

from microsite.csp import inline_scripts, sha256_source, with_csp
from tests.conftest import Build

META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


def page(head: str = "", body: str = "") -> str:
    return f'<!doctype html>\n<html>\n<head lang="en">\n<meta charset="utf-8">{head}</head>\n<body>{body}</body>\n</html>'


def directives(html: str) -> dict[str, list[str]]:
    """The policy of a page's CSP <meta>, by directive."""
    [content] = META.findall(html)
    return {name: values for name, *values in (part.split() for part in content.split("; "))}


def hashes(html: str) -> list[str]:
    return directives(with_csp(html))["script-src"][1:]


def digest(text: str) -> str:
    return f"'sha256-{b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


def test_the_hash_is_the_one_browsers_expect() -> None:
    assert sha256_source("var inline = 1;") == "'sha256-B2yPHKaXnvFWtRChIbabYmUBFZdVfKKXHbWtWidDVF8='"  # MDN's example


def test_the_meta_is_the_first_child_of_head_and_the_policy_allows_only_the_site_and_the_pages_scripts() -> None:
    html = with_csp(page("<script>one()</script>", "<script>two()</script><script>one()</script>"))
    assert html.index('<head lang="en">') + len('<head lang="en">') == html.index("<meta http-equiv")
    assert directives(html) == {
        "default-src": ["'self'"],
        "script-src": ["'self'", digest("one()"), digest("two()")],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }


def test_a_page_without_a_head_is_left_alone() -> None:
    assert with_csp("<p>no head</p><header>x</header>") == "<p>no head</p><header>x</header>"


@pytest.mark.parametrize(("markup", "hashed"), [
    ("<script>a\r\nb\rc\0</script>", "a\nb\nc\ufffd"),  # the parser's newline normalization; NUL becomes U+FFFD
    ("<script>s = 'Пхеньян — 평양'</script>", "s = 'Пхеньян — 평양'"),  # UTF-8
    ("<SCRIPT type=' Module '>m()</SCRIPT\n>", "m()"),
    ("<script language=javascript>l()</script >", "l()"),
    ("<script>a = '<!--<script>'; </script> still a; --></script>", "a = '<!--<script>'; </script> still a; -->"),
    ("<script>a = '<!-- x </script>';</script>", "a = '<!-- x "),
    ("<script>a = '<!-->'; </script>", "a = '<!-->'; "),
    ("<script>a = '</scripts>'</script/>", "a = '</scripts>'"),
    ("<!--><script>after_an_empty_comment()</script>", "after_an_empty_comment()"),
    ("<!-- a --!><script>after_a_comment()</script>", "after_a_comment()"),
    ('<p title="x>y">text</p><script>after_a_quoted_gt()</script>', "after_a_quoted_gt()"),
])
def test_the_hashed_text_is_what_the_html_parser_hands_the_script(markup: str, hashed: str) -> None:
    assert inline_scripts(page(body=markup))[0] == [hashed]
    assert hashes(page(body=markup)) == [digest(hashed)]


@pytest.mark.parametrize("markup", [
    '<script src="assets/app.js"></script>',
    '<script src="">ignored()</script>',
    '<script id="__config" type="application/json">{"a": 1}</script>',
    "<!-- <script>commented()</script> -->",
    '<textarea><script>text()</script></textarea><title><script>t()</script></title>',
    '<div title="a><script>attribute()</script>"></div>',
    "<style>p::before { content: '<script>css()</script>' }</style>",
])
def test_what_never_runs_as_an_inline_script_is_not_allowed(markup: str) -> None:
    assert hashes(page(body=markup)) == []


def test_the_same_script_twice_is_allowed_once() -> None:
    assert hashes(page("<script>x()</script>", "<script>x()</script>")) == [digest("x()")]


def test_every_built_page_404_included_carries_the_policy_of_its_own_inline_scripts(real_site: Build) -> None:
    pages = sorted(real_site.site.rglob("*.html"))
    assert len(pages) > 100 and real_site.site / "404.html" in pages
    for path in pages:
        html = path.read_text(encoding="utf-8")
        where = path.relative_to(real_site.site)
        head = re.search(r"<head>\s*", html)
        assert head and html.startswith('<meta http-equiv="Content-Security-Policy"', head.end()), where
        scripts = re.findall(r"<script>(.*?)</script>", html, re.S)  # Material's inline scripts have no attributes
        redirect = 'http-equiv="refresh"' in html  # the stubs at renamed entities' former URLs have no script
        assert scripts or redirect, f"{where}: Material's inline scripts are gone; is this test reading the right pages?"
        assert sorted(directives(html)["script-src"][1:]) == sorted(set(map(digest, scripts))), where
        assert html.encode().index(b'<meta charset="utf-8">') < 1024, f"{where}: the charset must stay in the first 1024 bytes"


def test_jumping_between_the_tags_that_matter_finds_what_reading_every_tag_finds_on_every_built_page(
        real_site: Build) -> None:
    for path in sorted(real_site.site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert inline_scripts(text) == inline_scripts(text, every_tag=True), path
