"""The Content-Security-Policy: written by the theme, first in <head>, allowing only the theme's own inline scripts;
and the build's check that fails on any script in a page that the theme did not write."""

from __future__ import annotations

import hashlib
import re
from base64 import b64encode
from pathlib import Path

import material
import pytest
import yaml
from jinja2 import Environment, FileSystemLoader
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from microsite.csp import THEME_SCRIPTS, ForeignScript, ThemePolicy, check_page, inline_scripts, policy, sha256_source
from tests.conftest import ROOT, Build, build, minimal_project

META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')
MATERIAL = Path(material.__file__).parent / "templates"
THEME = "__md_theme = 1"  # a stand-in for the theme's inline scripts in crafted pages
BUNDLE = '<script src="assets/javascripts/bundle.js"></script>'
SETTINGS = '<script id="__config" type="application/json">{"base": "."}</script>'


def meta(content: str) -> str:
    """A policy <meta> with this content."""
    return f'<meta http-equiv="Content-Security-Policy" content="{content}">'


def page(head: str = "", body: str = "", head_start: str | None = None) -> str:
    """A page as the theme writes it, with `body` before the theme's scripts at the end of <body>."""
    head_start = meta(policy([THEME])) if head_start is None else head_start
    return (f'<!doctype html>\n<html lang="en" class="no-js">\n  <head>\n    {head_start}\n<meta charset="utf-8">{head}</head>\n'
            f"<body><article>{body}</article><script>{THEME}</script>{SETTINGS}{BUNDLE}</body>\n</html>")


def findings(html: str, url: str = "actors/x/", site_url: str | None = "https://example.org/site/") -> list[str]:
    """What `check_page` refuses in a page, or [] if it passes."""
    try:
        check_page(html, "actors/x.md", url=url, site_url=site_url)
    except ForeignScript as error:
        assert error.where == "actors/x.md"
        return error.findings
    return []


def directives(html: str) -> dict[str, list[str]]:
    """The policy of a page's CSP <meta>, by directive."""
    [content] = META.findall(html)
    return {name: values for name, *values in (part.split() for part in content.split("; "))}


def digest(text: str) -> str:
    return f"'sha256-{b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


def test_the_hash_is_the_one_browsers_expect() -> None:
    assert sha256_source("var inline = 1;") == "'sha256-B2yPHKaXnvFWtRChIbabYmUBFZdVfKKXHbWtWidDVF8='"  # MDN's example


def test_the_policy_allows_only_the_site_and_the_scripts_it_is_given() -> None:
    assert {name: values for name, *values in (part.split() for part in policy(["one()", "two()", "one()"]).split("; "))} == {
        "default-src": ["'self'"],
        "script-src": ["'self'", digest("one()"), digest("two()")],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }


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
def test_a_script_is_read_as_the_html_parser_hands_it_to_the_browser(markup: str, hashed: str) -> None:
    assert inline_scripts(markup) == [hashed]
    assert findings(page(body=markup)) == [f"an inline <script>: {hashed.strip()!r}"]


@pytest.mark.parametrize("markup", [
    '<script src="assets/extra.js"></script>',  # a file of the site (extra_javascript)
    '<script src="/site/assets/extra.js"></script>',  # the same, as Material writes it in 404.html
    '<script src="https://example.org/site/assets/extra.js"></script>',
    "<!-- <script>commented()</script> -->",
    "<textarea><script>text()</script></textarea><title><script>t()</script></title>",
    '<div title="a><script>attribute()</script>"></div>',
    "<style>p::before { content: '<script>css()</script>' }</style>",
    f"<script>{THEME}</script>",  # the theme's own, wherever it is
    # Text that only looks like script, as the data's escaping writes it: the careful reading finds nothing.
    "<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; and [x](javascript:alert(1)) in text</p>",
    '<a href="https://example.com/" title="JavaScript: The Definitive Guide; onload= handlers">a source</a>',
    '<a class="headerlink" href="#on" data-on="x" data-onclick="y">¶</a>',
])
def test_what_never_runs_as_script_or_is_the_themes_passes(markup: str) -> None:
    assert findings(page(body=markup)) == []


@pytest.mark.parametrize(("markup", "found"), [
    ("<script>window.__pwned = 1</script>", "an inline <script>: 'window.__pwned = 1'"),
    ('<img src="x.png" onerror="window.__pwned = 1">', "an event-handler attribute on <img>: onerror='window.__pwned = 1'"),
    ('<p/ONMOUSEOVER=go()>', "an event-handler attribute on <p>: onmouseover='go()'"),
    ('<a href="javascript:go()">x</a>', "a javascript: URL on <a>: href='javascript:go()'"),
    ('<a href=" J&#x41;va\tscript&colon;go()">x</a>', "a javascript: URL on <a>: href=' JAva\\tscript:go()'"),
    ('<form action="javascript:go()"><button>x</button></form>', "a javascript: URL on <form>: action='javascript:go()'"),
    ('<iframe src="javascript:go()"></iframe>', "a javascript: URL on <iframe>: src='javascript:go()'"),
    ('<svg><a xlink:href="javascript:go()"><text>x</text></a></svg>', "a javascript: URL on <a>: xlink:href='javascript:go()'"),
    ('<svg><animate attributeName="href" values="#a;javascript:go()"/></svg>',
     "a javascript: URL on <animate>: values='#a;javascript:go()'"),
    ("<svg><script>go()</script></svg>", "an inline <script>: 'go()'"),
    ("<svg><style><img src=x onerror=go()></style></svg>", "an event-handler attribute on <img>: onerror='go()'"),
    ('<script src="https://evil.example/x.js"></script>', "a <script> from outside the site: 'https://evil.example/x.js'"),
    ('<script src="//evil.example/x.js"></script>', "a <script> from outside the site: '//evil.example/x.js'"),
    ('<script src="\\\\evil.example/x.js"></script>', "a <script> from outside the site: '\\\\\\\\evil.example/x.js'"),
    ('<script src="../../../other/x.js"></script>', "a <script> from outside the site: '../../../other/x.js'"),
    ('<script src="data:text/javascript,go()"></script>', "a <script> from outside the site: 'data:text/javascript,go()'"),
    ('<script type="module">go()</script>', "an inline <script>: 'go()'"),
    (SETTINGS, "a <script> data block (type='application/json') other than Material's settings (id=\"__config\", once)"),
])
def test_script_the_theme_did_not_write_is_refused(markup: str, found: str) -> None:
    assert findings(page(body=markup)) == [found]


def test_a_script_that_only_begins_like_an_allowed_one_is_refused() -> None:
    # Both pieces up to a "</script" are allowed; but "<!--<script>" leaves the parser in the script's escaped
    # states, so the first "</script>" does not end the script, and the browser runs (and hashes) all of it.
    html = page(head_start=meta(policy([THEME, "<!--<script>", ""])), body="<script><!--<script></script> b(); </script>")
    assert findings(html) == ["an inline <script>: '<!--<script></script> b();'"]


def test_every_finding_of_a_page_is_listed_and_the_message_says_that_data_cannot_carry_script() -> None:
    html = page(body='<script>one()</script><img src=x onerror="two()"><a href="javascript:three()">x</a>')
    with pytest.raises(ForeignScript) as raised:
        check_page(html, "notes.md", url="notes/", site_url=None)
    message = str(raised.value)
    assert message.startswith("notes.md: script that the site's theme did not write")
    for finding in ("an inline <script>: 'one()'", "onerror='two()'", "href='javascript:three()'"):
        assert f"\n  - {finding}" in message or finding in message
    assert "Text from data/ is always escaped and cannot carry script" in message


@pytest.mark.parametrize("head_start", [
    "",  # no policy
    meta(policy([THEME]).replace("style-src", "script-src-elem *; style-src")),  # a policy, not the site's
    meta(policy([THEME]).replace("script-src", "script-src &#39;unsafe-inline&#39;")),
    f'<meta charset="utf-8">{meta(policy([THEME]))}',  # not first
])
def test_a_page_without_the_sites_policy_first_in_head_is_refused(head_start: str) -> None:
    assert findings(page(head_start=head_start)) == [
        "no Content-Security-Policy of the site's first in <head> (overrides/main.html writes it)",
        f"an inline <script>: {THEME!r}"]


def test_only_the_themes_scripts_are_allowed_however_many_a_page_holds() -> None:
    html = page(head=f"<script>{THEME}</script>", body=f"<script>{THEME}</script><script>other()</script>")
    assert findings(html) == ["an inline <script>: 'other()'"]


@pytest.fixture(scope="module")
def site_config() -> MkDocsConfig:
    """mkdocs.yml, loaded as MkDocs loads it: the theme (overrides, then Material), the plugins, the hook."""
    return load_config(str(ROOT / "mkdocs.yml"))


def theme_env() -> Environment:
    """The theme's templates as MkDocs finds them: the site's overrides, then Material's."""
    return Environment(loader=FileSystemLoader([str(ROOT / "overrides"), str(MATERIAL)]))


def test_the_theme_policy_allows_each_inline_script_of_the_themes_script_templates_and_no_other() -> None:
    theme = ThemePolicy(theme_env(), {"extra": {}})
    named = [path for path in (MATERIAL / THEME_SCRIPTS).glob("*.html")]
    expected = [script for path in named for script in inline_scripts(path.read_text(encoding="utf-8"))]
    assert len(theme.scripts) == len(expected) >= 6, theme.scripts
    for base_url in (".", "../..", "/site/"):
        allowed = theme(base_url).split("; ")[1].split()[2:]  # after "script-src 'self'"
        rendered = [script.replace("{{ config.extra.scope | d(base_url) }}", base_url).replace("{{ base_url }}", base_url)
                    for script in expected]
        assert sorted(allowed) == sorted(map(sha256_source, rendered)), base_url
    assert theme("..") != theme("../.."), "Material's base script names the page's base_url"


# Material's templates with inline scripts outside THEME_SCRIPTS: none of them is in any page of this site.
NOT_USED = {
    "partials/integrations/analytics.html": "no analytics (mkdocs.yml: extra.analytics)",
    "partials/integrations/analytics/google.html": "no analytics (mkdocs.yml: extra.analytics)",
    "redirect.html": "no mkdocs-redirects plugin: renamed pages' stubs are the hook's (hooks/microsite/templates)",
}


def test_every_inline_script_of_material_is_in_the_templates_the_policy_reads_or_in_one_the_site_does_not_use(
        site_config: MkDocsConfig) -> None:
    holding = {str(path.relative_to(MATERIAL)) for path in MATERIAL.rglob("*.html")
               if ".icons" not in path.parts and inline_scripts(path.read_text(encoding="utf-8"))}
    elsewhere = {name for name in holding if not name.startswith(THEME_SCRIPTS)}
    assert elsewhere == set(NOT_USED), (
        f"Material's inline scripts outside {THEME_SCRIPTS} changed: {sorted(elsewhere ^ set(NOT_USED))}; a page holding "
        "one fails the build. Read that template's scripts in microsite.csp.ThemePolicy, or note why no page holds it")
    assert "analytics" not in site_config.extra and "redirects" not in site_config.plugins


def test_every_built_page_404_included_begins_its_head_with_the_theme_policy_for_its_base_url(
        real_site: Build, site_config: MkDocsConfig) -> None:
    theme = ThemePolicy(site_config.theme.get_env(), site_config)
    pages = sorted(real_site.site.rglob("*.html"))
    assert len(pages) > 100 and real_site.site / "404.html" in pages
    for path in pages:
        html = path.read_text(encoding="utf-8")
        where = path.relative_to(real_site.site)
        head = re.search(r"<head>\s*", html)
        assert head and html.startswith('<meta http-equiv="Content-Security-Policy"', head.end()), where
        assert html.encode().index(b'<meta charset="utf-8">') < 1024, f"{where}: the charset must stay in the first 1024 bytes"
        scripts = inline_scripts(html)
        if 'http-equiv="refresh"' in html:  # the stubs at renamed entities' former URLs: no script, none allowed
            assert not scripts and directives(html)["script-src"] == ["'self'"], where
            continue
        assert len(scripts) == 3, f"{where}: Material's inline scripts changed; is this test reading the right pages?"
        base_url = "/" if where.name == "404.html" else "/".join([".."] * (len(where.parts) - 1)) or "."
        assert META.findall(html)[0] == theme(base_url), where
        assert set(map(digest, scripts)) <= set(directives(html)["script-src"]), where
        for text in (html, html.replace("</article>", "<p>onload= javascript:</p></article>")):  # read tag by tag
            check_page(text, str(where), url=str(where.parent) + "/", site_url=site_config.site_url)


# Markup and script typed into a data file, where an entity's texts land on many pages.
VICTIM = ("actors", "lazarus-group")  # in the minimal data
SMUGGLED = {
    "name": """Lazarus "'><script>window.__pwned=1</script>""",
    "summary": """<script>window.__pwned=1</script> <img src=x onerror="window.__pwned=1"> <svg onload=alert(1)>""",
    "statement": """Click [x](javascript:window.__pwned=1) or <a href="jav&#x61;script:alert(2)">this</a>.""",
}


def test_script_in_the_data_is_escaped_into_text_and_the_build_passes(tmp_path: Path) -> None:
    project = minimal_project(tmp_path / "project")
    folder, entity_id = VICTIM
    path = project / "data" / folder / f"{entity_id}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["name"], data["summary"] = SMUGGLED["name"], SMUGGLED["summary"]
    data["facts"][0]["statement"] = SMUGGLED["statement"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    result = build(project)
    assert result.returncode == 0, result.output
    html = (result.site / folder / entity_id / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert '&lt;img src=x onerror="window.__pwned=1"&gt;' in html and "[x](javascript:window.__pwned=1)" in html
    assert len(inline_scripts(html)) == 3, "the data added an inline script"


def test_script_in_a_hand_written_page_fails_the_build_with_what_was_found(tmp_path: Path) -> None:
    project = minimal_project(tmp_path / "project")
    (project / "docs" / "notes.md").write_text(
        "# Notes\n\n<script>window.__pwned = 1</script>\n\n<img src=\"x.png\" onerror=\"window.__pwned = 1\">\n\n"
        "[click](javascript:window.__pwned=1)\n\n<svg><script>alert(1)</script></svg>\n", encoding="utf-8")
    result = build(project)
    assert result.returncode != 0
    assert "notes.md: script that the site's theme did not write, which no page may hold:" in result.output
    for finding in ("an inline <script>: 'window.__pwned = 1'",
                    "an event-handler attribute on <img>: onerror='window.__pwned = 1'",
                    "a javascript: URL on <a>: href='javascript:window.__pwned=1'",
                    "an inline <script>: 'alert(1)'"):
        assert f"  - {finding}\n" in result.output, result.output
    assert "Text from data/ is always escaped and cannot carry script" in result.output
    assert "Traceback" not in result.output
