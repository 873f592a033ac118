"""Content-Security-Policy for static pages. GitHub Pages sends no headers, so each page carries its policy in a
`<meta http-equiv>` tag, first in `<head>`, allowing exactly the inline scripts that page holds, by their sha256.

The page is read as the HTML standard's tokenizer reads it (comments, raw-text elements, the script-data escape
states, CR/CRLF → LF, NUL → U+FFFD), so each hash is of the script text the browser hashes. Inline SVG and MathML
are read as HTML: the site's diagrams hold no script.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re

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

_WS = "\t\n\f\r "
_MARKUP = re.compile(r"<(?:(!--)|([!?]|/(?![a-zA-Z]))|/?([a-zA-Z][^\t\n\f\r />]*))")
_ATTRIBUTE = rf"""[^{_WS}/>][^{_WS}/=>]*(?:[{_WS}]*=[{_WS}]*(?:"[^"]*"|'[^']*'|[^{_WS}>]*))?"""
_ATTRIBUTES = re.compile(rf"(?:[{_WS}/]+|{_ATTRIBUTE})*")
_NAMED = re.compile(rf"""([^{_WS}/>][^{_WS}/=>]*)(?:[{_WS}]*=[{_WS}]*("[^"]*"|'[^']*'|[^{_WS}>]*))?""")
_RAW_TEXT = {"style", "xmp", "iframe", "noembed", "noframes", "noscript", "title", "textarea"}
# Where no attribute value holds a '<', every '<' outside comments and raw text starts a tag, and only these tags
# change what follows: the scan may jump from one to the next (same groups as _MARKUP; the second never matches).
_LANDMARKS = re.compile(rf"<(?:(!--)|(?!)()|/?({'|'.join(sorted(_RAW_TEXT))}|script|plaintext|head)(?=[\t\n\f\r />]))",
                        re.I)
_LT_IN_ATTRIBUTE = re.compile(r"""=[\t\n\f\r ]*(?:"[^"]*<|'[^']*<|[^\t\n\f\r "'>=<`]*<)""")
_SCRIPT_DATA = re.compile(r"<!--|-->|<(/?)script(?=[\t\n\f\r />])", re.I)
_JS_TYPES = {
    "", "module", "importmap", "speculationrules", "application/ecmascript", "application/javascript",
    "application/x-ecmascript", "application/x-javascript", "text/ecmascript", "text/javascript", "text/jscript",
    "text/livescript", "text/x-ecmascript", "text/x-javascript", *(f"text/javascript1.{n}" for n in range(6)),
}


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


def _find(page: str, pattern: str, at: int, *, end: bool = True) -> int:
    """Where `pattern` next matches from `at` (its end, or its start), or the end of the page."""
    found = re.compile(pattern, re.I).search(page, at)
    return (found.end() if end else found.start()) if found else len(page)


def _after(page: str, text: str, at: int) -> int:
    """Just after the next `text` from `at`, or the end of the page (`_find` for a plain string, faster)."""
    found = page.find(text, at)
    return found + len(text) if found >= 0 else len(page)


def _is_executable(attributes: str) -> bool:
    """An inline script the browser runs (and checks against script-src): no src, and a JavaScript, module,
    import map or speculation rules type. Data blocks such as type="application/json" never run."""
    named: dict[str, str] = {}
    for name, value in _NAMED.findall(attributes):
        named.setdefault(name.lower(), html.unescape(value[1:-1] if value[:1] in "\"'" else value))
    if "src" in named:
        return False
    kind = named.get("type", f"text/{named['language']}" if named.get("language") else "")
    return kind.strip(_WS).lower() in _JS_TYPES


def inline_scripts(page: str, *, every_tag: bool = False) -> tuple[list[str], int | None]:
    """The text of each inline script the browser would run, as it hashes it, and where `<head>`'s content begins.
    `every_tag` reads every tag even where jumping between the tags that matter gives the same result."""
    scripts: list[str] = []
    head: int | None = None
    at = 0
    markup = _MARKUP if every_tag or _LT_IN_ATTRIBUTE.search(page) else _LANDMARKS  # a '<' in a value: every tag
    while found := markup.search(page, at):
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
            continue
        if name == "head" and head is None:
            head = at
        elif name == "script":
            end = _script_end(page, at)
            if _is_executable(attributes):
                scripts.append(page[at:end].replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd"))
            at = end
        elif name in _RAW_TEXT:  # text up to its own end tag
            at = _find(page, rf"</{name}(?=[\t\n\f\r />])", at, end=False)
        elif name == "plaintext":
            break
    return scripts, head


def sha256_source(script: str) -> str:
    """The CSP source expression that allows exactly this inline script."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def policy(scripts: list[str]) -> str:
    hashes = "".join(f" {source}" for source in dict.fromkeys(map(sha256_source, scripts)))
    return "; ".join(POLICY).format(hashes=hashes)


def with_csp(page: str) -> str:
    """The page with a CSP <meta> as the first child of <head>, allowing the page's own inline scripts only.
    A page without <head> is returned unchanged."""
    scripts, head = inline_scripts(page)
    if head is None:
        return page
    meta = f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy(scripts), quote=False)}">'
    return page[:head] + meta + page[head:]
