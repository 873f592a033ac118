"""Content-Security-Policy for static pages, and the build's check that no page holds script the theme did not write.

GitHub Pages sends no headers, so each page carries its policy in a `<meta http-equiv>` tag, first in `<head>`,
written by the theme (overrides/main.html, from `ThemePolicy`): files from the site itself, and inline scripts only by
the sha256 of those in the theme's templates. A page's own content is never hashed, so nothing it holds is allowed by
being there. `check_page` then fails the build on any script the theme did not write: an inline script the policy
does not allow, a script from outside the site, an event-handler attribute, a `javascript:` URL. Text from data/ is
escaped and cannot carry any of them; the check is the backstop for hand-written pages, overrides and plugins.

The page is read as the HTML standard's tokenizer reads it (comments, raw-text elements, the script-data escape
states, CR/CRLF → LF, NUL → U+FFFD), so each hash is of the script text the browser hashes. Inside `<svg>` and
`<math>` every element's content is read as markup (there the browser reads `<style>` or `<title>` as markup too).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterable, Iterator, Sequence
from html.entities import html5
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from jinja2 import Environment, FileSystemLoader

from .errors import shown

# A <meta> policy cannot set frame-ancestors (nor report-uri or sandbox): browsers ignore them there. Only an
# HTTP header could forbid framing, and GitHub Pages sets none.
POLICY = (
    "default-src 'self'",
    "script-src 'self'{hashes}",
    # No 'unsafe-inline': Material needs none (Chromium refuses nothing on any page type, in search, tooltips or
    # navigation; tests/browser/test_csp.py), and tables align by align= (mkdocs.yml: use_align_attribute), not style=.
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
)
THEME_SCRIPTS = "partials/javascripts/"  # where Material keeps the inline scripts of its templates

_WS = "\t\n\f\r "
_MARKUP = re.compile(r"<(?:(!--)|([!?]|/(?![a-zA-Z]))|/?([a-zA-Z][^\t\n\f\r />]*))")
_ATTRIBUTE = rf"""[^{_WS}/>][^{_WS}/=>]*(?:[{_WS}]*=[{_WS}]*(?:"[^"]*"|'[^']*'|[^{_WS}>]*))?"""
_ATTRIBUTES = re.compile(rf"(?:[{_WS}/]+|{_ATTRIBUTE})*")
_NAMED = re.compile(rf"""([^{_WS}/>][^{_WS}/=>]*)(?:[{_WS}]*=[{_WS}]*("[^"]*"|'[^']*'|[^{_WS}>]*))?""")
_RAW_TEXT = {"style", "xmp", "iframe", "noembed", "noframes", "noscript", "title", "textarea"}
_FOREIGN = {"svg", "math"}
_SCRIPT_DATA = re.compile(r"<!--|-->|<(/?)script(?=[\t\n\f\r />])", re.I)
_JS_TYPES = {
    "", "module", "importmap", "speculationrules", "application/ecmascript", "application/javascript",
    "application/x-ecmascript", "application/x-javascript", "text/ecmascript", "text/javascript", "text/jscript",
    "text/livescript", "text/x-ecmascript", "text/x-javascript", *(f"text/javascript1.{n}" for n in range(6)),
}
_HASHES = r"((?: 'sha256-[A-Za-z0-9+/]+=*')*)"
_POLICY = re.compile(re.escape("; ".join(POLICY)).replace(re.escape("{hashes}"), _HASHES))
_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"<>]*)">')
# The attributes whose javascript: URL a browser may run: links, frames, forms, SVG links and SVG animations of them.
_URL_ATTRIBUTES = {"href", "xlink:href", "src", "action", "formaction", "data", "values", "to", "from", "by"}
_URL_DROPS = re.compile("[\t\n\r]")  # what URL parsing removes anywhere in a URL
_C0_AND_SPACE = "".join(map(chr, range(33)))  # what it strips from either end


class ForeignScript(Exception):
    """A built page holds script that the theme did not write: the page and each finding, for the build to stop."""

    def __init__(self, where: str, findings: Sequence[str]) -> None:
        super().__init__(where, findings)
        self.where, self.findings = where, list(findings)

    def __str__(self) -> str:
        found = "".join(f"\n  - {finding}" for finding in self.findings)
        return (f"{self.where}: script that the site's theme did not write, which no page may hold:{found}\n"
                "Text from data/ is always escaped and cannot carry script, so this came from a hand-written page "
                "in docs/, a template in overrides/, a Markdown extension or a plugin: take it out there. The "
                "site's own scripts are .js files in docs/, listed in mkdocs.yml under extra_javascript.")


class ThemePolicy:
    """The policy of the pages a theme renders, for a page's `base_url`: the theme's own inline scripts, read from
    its templates in `THEME_SCRIPTS` (overrides first, as the theme finds them), allowed by their sha256. Each script
    is rendered as a template with the site's `config` and the page's `base_url`, as in the page (Material's base
    script names the `base_url`, so its hash differs with a page's depth); one naming anything else would render
    otherwise than in the page, and `check_page` would refuse the pages holding it."""

    def __init__(self, env: Environment, config: Any) -> None:
        loader = env.loader
        if not isinstance(loader, FileSystemLoader):
            raise TypeError(f"the theme's templates are not files: {loader!r}")
        names = sorted({THEME_SCRIPTS + path.name for root in loader.searchpath
                        for path in Path(root, THEME_SCRIPTS).glob("*.html")})
        self.scripts = [script for name in names for script in inline_scripts(loader.get_source(env, name)[0])]
        self._templates = [env.from_string(script) for script in self.scripts]
        self._config = config
        self._policies: dict[str, str] = {}

    def __call__(self, base_url: str) -> str:
        if base_url not in self._policies:
            self._policies[base_url] = policy(t.render(config=self._config, base_url=base_url) for t in self._templates)
        return self._policies[base_url]


def sha256_source(script: str) -> str:
    """The CSP source expression that allows exactly this inline script."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def policy(scripts: Iterable[str] = ()) -> str:
    """The site's policy, allowing these inline scripts (by their text) and no other."""
    hashes = "".join(f" {source}" for source in dict.fromkeys(map(sha256_source, scripts)))
    return "; ".join(POLICY).format(hashes=hashes)


def check_page(page: str, where: str, *, url: str, site_url: str | None) -> None:
    """Raise `ForeignScript` if the page holds script that its theme did not write: an inline script that its policy
    (the `<meta>` first in its `<head>`) does not allow, a script not from the site (`site_url`; the page is at `url`
    within it), an event-handler attribute, a `javascript:` URL; or if its `<head>` does not begin with the policy.
    A page whose every script is plainly the theme's is passed without reading each tag."""
    root = site_url if site_url and site_url.endswith("/") else f"{site_url or 'http://site.invalid'}/"
    here = urljoin(root, url)
    if not _plainly_the_themes(page, here, root) and (findings := list(_findings(page, here, root))):
        raise ForeignScript(where, findings)


def inline_scripts(page: str) -> list[str]:
    """The text of each inline script the browser would run, as it hashes it."""
    scripts = []
    for name, written, _, at in _start_tags(page):
        if name == "script" and _runs(attributes := _attributes(written)) and "src" not in attributes:
            scripts.append(_script_text(page, at))
    return scripts


# --------------------------------------------------------------------------- reading the page


def _start_tags(page: str) -> Iterator[tuple[str, str, int, int]]:
    """Each start tag as the HTML tokenizer reads it: its name (lower case), its attributes as written, where it
    starts and where its content starts. A script's text (`_script_text`) and raw text are skipped."""
    at, foreign = 0, 0
    while found := _MARKUP.search(page, at):
        comment, bogus, name = found.groups()
        if comment:  # its own dashes may end it: <!-->
            at = _find(page, r"--!?>", found.start() + 2)
            continue
        if bogus:  # <!doctype>, <?…>, </…> not naming a tag
            at = _after(page, ">", found.end())
            continue
        close = page.find(">", found.end())
        attributes = page[found.end():close]
        if close < 0 or '"' in attributes or "'" in attributes:  # quoted values may hold '>': read them properly
            attributes = _ATTRIBUTES.match(page, found.end()).group(0)
        at = _after(page, ">", found.end() + len(attributes))
        name = name.lower()
        if page[found.start() + 1] == "/":
            foreign -= name in _FOREIGN and foreign > 0
            continue
        yield name, attributes, found.start(), at
        if name in _FOREIGN and not attributes.rstrip(_WS).endswith("/"):
            foreign += 1
        if name == "script":
            at = _script_end(page, at)
        elif name in _RAW_TEXT and not foreign:  # text up to its own end tag
            at = _find(page, rf"</{name}(?=[\t\n\f\r />])", at, end=False)
        elif name == "plaintext" and not foreign:
            return


def _script_end(page: str, start: int) -> int:
    """Where the script whose text starts at `start` ends (at its `</script`), following the script-data states:
    `</script>` inside `<!-- <script>` does not end it."""
    state, at = "data", start  # data → (<!--) escaped → (<script) double-escaped → (</script) escaped; --> → data
    while found := _SCRIPT_DATA.search(page, at):
        token, at = found.group(0), found.end()
        if token == "<!--":
            state, at = ("escaped" if state == "data" else state), found.start() + 2  # its dashes may close: <!-->
        elif token == "-->":
            state = "data"
        elif found.group(1):  # </script
            if state != "double":
                return found.start()
            state = "escaped"
        elif state == "escaped":  # <script
            state = "double"
    return len(page)


def _script_text(page: str, start: int) -> str:
    """The text of the script whose content starts at `start`, as the browser hashes it."""
    return page[start:_script_end(page, start)].replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")


def _find(page: str, pattern: str, at: int, *, end: bool = True) -> int:
    """Where `pattern` next matches from `at` (its end, or its start), or the end of the page."""
    found = re.compile(pattern, re.I).search(page, at)
    return (found.end() if end else found.start()) if found else len(page)


def _after(page: str, text: str, at: int) -> int:
    """Just after the next `text` from `at`, or the end of the page (`_find` for a plain string, faster)."""
    found = page.find(text, at)
    return found + len(text) if found >= 0 else len(page)


def _attributes(written: str) -> dict[str, str | None]:
    """A tag's attributes by lower-case name, their values unescaped (None: no value); the first of a name wins."""
    named: dict[str, str | None] = {}
    for found in _NAMED.finditer(written):
        value = found.group(2)
        if value is not None:
            value = html.unescape(value[1:-1] if value[:1] in "\"'" else value)
        named.setdefault(found.group(1).lower(), value)
    return named


def _runs(attributes: dict[str, str | None]) -> bool:
    """Whether a script with these attributes runs: a JavaScript, module, import map or speculation rules type.
    Data blocks such as type="application/json" never run."""
    kind = attributes.get("type")
    if kind is None:
        kind = f"text/{attributes['language']}" if attributes.get("language") else ""
    return kind.strip(_WS).lower() in _JS_TYPES


# --------------------------------------------------------------------------- the check


def _allowed(content: str) -> set[str] | None:
    """The inline scripts (hash sources) a policy allows, if it is the site's policy."""
    found = _POLICY.fullmatch(html.unescape(content))
    return set(found.group(1).split()) if found else None


def _in_site(source: str, here: str, root: str) -> bool:
    """Whether a script's address, on the page at `here`, is within the site at `root`. Read as browsers read it:
    tabs and line breaks dropped, `\\` as `/`, `%2e` as a dot."""
    source = re.sub("%2e", ".", _URL_DROPS.sub("", source).strip(_C0_AND_SPACE).replace("\\", "/"), flags=re.I)
    return urljoin(here, source).startswith(root)


def _is_javascript_url(value: str) -> bool:
    """Whether an attribute value is a `javascript:` URL, or (SVG animation values) a list holding one."""
    return any(_URL_DROPS.sub("", part).lstrip(_C0_AND_SPACE).lower().startswith("javascript:")
               for part in value.split(";"))


# What plainly passes: Material's <head> opening with the policy, and each <script> tag one of the theme's.
_HEAD = re.compile(r'\s*<!doctype html>\s*<html(?:\s+[a-z-]+="[^"<>]*")*\s*>\s*<head>\s*' + _META.pattern, re.I)
_SCRIPT_TAG = re.compile(r"<script(?=[\t\n\f\r />])", re.I)
_SCRIPT_CLOSE = re.compile(r"</script[\t\n\f\r />]", re.I)
_SOURCED = re.compile(r'<script src="([^"<>]*)"></script>')
_CONFIG = '<script id="__config" type="application/json">'  # Material's settings: read by its bundle, never run


def _references(chars: str) -> str:
    """A pattern for a character reference to one of `chars`: named, or numeric with or without its semicolon."""
    codes = sorted({ord(char) for char in chars})
    names = sorted(re.escape(name) for name, value in html5.items() if value in chars)
    return (f"&(?:#0*(?:{'|'.join(map(str, codes))})(?![0-9])|#x0*(?:{'|'.join(f'{c:x}' for c in codes)})(?![0-9a-f])"
            f"|{'|'.join(names)})")


# Sound hints, each a quick search: no event-handler attribute can be written without the first (a name starting
# "on" after a space, a '/' or a quote, then '='), no javascript: URL without one of the others (written out in any
# case with tabs or line breaks between its letters, which URL parsing drops; or with a character reference).
_HINTS = (
    re.compile(r"""[\t\n\f\r /"']on[^\t\n\f\r /=>]*[\t\n\f\r ]*=""", re.I),
    re.compile("[\t\n\r]*".join("javascript:"), re.I),
    re.compile(_references("javascript:JAVASCRIPT\t\n\r"), re.I),
)


def _plainly_the_themes(page: str, here: str, root: str) -> bool:
    """True if the page plainly holds no script but the theme's: its `<head>` opens with the site's policy, every
    `<script` in it is a tag of the theme's (an inline script the policy allows, a script from the site, Material's
    settings once), and no text could be an event handler or a `javascript:` URL. Otherwise each tag is read."""
    head = _HEAD.match(page)
    allowed = _allowed(head.group(1)) if head else None
    if allowed is None or any(hint.search(page) for hint in _HINTS):
        return False
    settings = 0
    for found in _SCRIPT_TAG.finditer(page):
        at = found.start()
        if page.startswith("<script>", at):
            close = _SCRIPT_CLOSE.search(page, at)
            text = page[at + len("<script>"):close.start()] if close else "<!--"
            if "<!--" in text or "\r" in text or "\0" in text or sha256_source(text) not in allowed:
                return False
        elif sourced := _SOURCED.match(page, at):
            if not _in_site(html.unescape(sourced.group(1)), here, root):
                return False
        elif page.startswith(_CONFIG, at):
            settings += 1
            if settings > 1:
                return False
        else:
            return False
    return True


def _findings(page: str, here: str, root: str) -> Iterator[str]:
    """Each thing in the page that is script the theme did not write, or a missing policy, read tag by tag."""
    allowed: set[str] = set()
    settings = 0
    head: int | None = None  # where <head>'s content begins, until its first element is read
    read_head = False
    for name, written, start, at in _start_tags(page):
        if head is not None:  # the first element in <head>: the policy
            meta = _META.match(page, start) if not page[head:start].strip(_WS) else None
            theirs = _allowed(meta.group(1)) if meta else None
            if theirs is None:
                yield "no Content-Security-Policy of the site's first in <head> (overrides/main.html writes it)"
            allowed, head = theirs or set(), None
        elif name == "head" and not read_head:
            head, read_head = at, True
        attributes = _attributes(written)
        for attribute, value in attributes.items():
            if value is not None and attribute.startswith("on"):
                yield f"an event-handler attribute on <{name}>: {attribute}={shown(value)}"
            elif value is not None and attribute in _URL_ATTRIBUTES and _is_javascript_url(value):
                yield f"a javascript: URL on <{name}>: {attribute}={shown(value)}"
        if name == "script":
            yield from _script_findings(page, attributes, at, allowed, here, root, first_settings=not settings)
            settings += attributes.get("id") == "__config" and not _runs(attributes)
    if not read_head and page.strip(_WS):
        yield "no <head>, so no Content-Security-Policy (overrides/main.html writes it)"


def _script_findings(page: str, attributes: dict[str, str | None], at: int, allowed: set[str], here: str, root: str,
                     *, first_settings: bool) -> Iterator[str]:
    """What is wrong with the script whose content starts at `at`: a data block other than Material's settings
    (once), a script from outside the site, an inline script the policy does not allow."""
    if not _runs(attributes):
        if attributes.get("id") != "__config" or not first_settings:
            shown_type = shown(attributes.get("type"))
            yield f"a <script> data block (type={shown_type}) other than Material's settings (id=\"__config\", once)"
        return
    sources = [attributes[key] for key in ("src", "href", "xlink:href") if attributes.get(key) is not None]
    yield from (f"a <script> from outside the site: {shown(source)}" for source in sources
                if not _in_site(source, here, root))
    if "src" not in attributes and sha256_source(text := _script_text(page, at)) not in allowed:
        yield f"an inline <script>: {shown(text.strip(_WS))}"
