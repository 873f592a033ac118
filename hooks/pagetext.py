"""The visible text of a page from an untrusted server, within a budget: `texts(body, content_type, charset)`.

A page is decoded, rewritten, pruned and only then handed to trafilatura, because lxml and trafilatura spend time
superlinear in ways nothing can interrupt from inside the process (libxml2 compares every attribute of a tag with
every other; trafilatura's XPath and loops grow with the square of the links in a paragraph):

1. Decoded by the charset the server declares, else the page's `<meta charset>`, else as UTF-8, and only in an
   encoding of the web (WHATWG): a label such as `idna`, `punycode` or `undefined` names a codec that raises or is
   slow, and is ignored like an unknown one.
2. Rewritten in one linear pass: comments, scripts, styles, SVG and the other elements never read as text are left
   out, each tag keeps only the few attributes the extraction and step 3 read (so no tag has more), and a `<` that
   starts no tag becomes `&lt;`. A page with more than `MAX_ELEMENTS` elements, `MAX_TAGS` tags or `MAX_CHARS`
   characters left is `Unreadable`: what lxml and trafilatura then get is small enough to finish in seconds.
3. Pruned: an element with the `hidden` attribute, `aria-hidden="true"` or an inline `display: none` or
   `visibility: hidden` style goes with everything in it, so text a reader cannot see never counts as found.
"""

from __future__ import annotations

import codecs
import re
from itertools import islice

import lxml.html
import trafilatura
from lxml.etree import ParserError

MAX_ELEMENTS = 5_000  # trafilatura takes about 2 s on 5,000 links in one paragraph, its slowest shape we measured
MAX_TAGS = 15_000  # start and end tags, comments and declarations
MAX_CHARS = 2 << 20  # of markup and text left after the rewrite
TOO_LONG = f"the page has more than {MAX_CHARS} characters of text and markup"
MAX_ATTRIBUTES_READ = 64  # of one tag; the rest are dropped unread
KEPT_ATTRIBUTES = frozenset({"id", "class", "href", "lang", "role", "colspan", "rowspan",  # what trafilatura reads
                             "hidden", "aria-hidden", "style"})  # what step 3 reads
NEVER_TEXT = frozenset({"script", "style", "noscript", "template", "svg", "math", "iframe", "noembed", "noframes",
                        "xmp"})  # left out with everything up to their end tag
RAW_TEXT = frozenset({"title", "textarea"})  # their text runs to their end tag, '<' and all
WEB_ENCODINGS = frozenset({
    "utf-8", "utf-16", "utf-16-le", "utf-16-be", "cp866", "iso8859-2", "iso8859-3", "iso8859-4", "iso8859-5",
    "iso8859-6", "iso8859-7", "iso8859-8", "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-15", "iso8859-16",
    "koi8-r", "koi8-u", "mac-roman", "cp874", "tis-620", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255",
    "cp1256", "cp1257", "cp1258", "gbk", "gb2312", "gb18030", "big5", "big5hkscs", "euc_jp", "iso2022_jp", "shift_jis",
    "euc_kr"})
LATIN1 = frozenset({"ascii", "iso8859-1"})  # browsers read these labels as windows-1252
BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
META_CHARSET = re.compile(rb"<meta[^>]{0,512}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.I)

_SPACE = "\t\n\f\r "
_VALUE = rf"(?:\"[^\"]*+(?:\"|\Z)|'[^']*+(?:'|\Z)|[^{_SPACE}>\"'][^{_SPACE}>]*+)"  # an unclosed quote runs to the end
_ATTRIBUTE = rf"[^{_SPACE}/>][^{_SPACE}/>=]*+(?:[{_SPACE}]*+=[{_SPACE}]*+{_VALUE}?+)?+"
# Possessive throughout: no backtracking, so a tag costs its length once, and a tag left open runs to the end.
MARKUP = re.compile(r"<(?:!--|[!?]|/?[A-Za-z])")
TAG = re.compile(rf"<(/?)([A-Za-z][^{_SPACE}/>]*+)((?:[{_SPACE}/]++|{_ATTRIBUTE})*+)>")
ATTRIBUTE = re.compile(rf"([^{_SPACE}/>][^{_SPACE}/>=]*+)(?:[{_SPACE}]*+=[{_SPACE}]*+({_VALUE})?+)?+")
COMMENT = re.compile(r"<!--(?:-?>|.*?--!?>)", re.S)
TAG_NAME = re.compile(r"[a-z][a-z0-9-]*")
END_TAGS = {name: re.compile(rf"</{name}(?=[{_SPACE}/>])", re.I) for name in NEVER_TEXT | RAW_TEXT}
HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse))\s*(?:!\s*important\s*)?(?:;|$)",
                          re.I)


class Unreadable(Exception):
    """The page is beyond the budget; the message says which limit, for the record's note."""


def texts(body: bytes, content_type: str, charset: str | None) -> tuple[str, str]:
    """(article text, whole visible text) of a page; an article trafilatura cannot find falls back to the whole
    text. `Unreadable` if the page is over the budget."""
    text = decode(body, charset)
    if content_type == "text/plain":
        return text, text
    visible = lxml.html.tostring(visible_tree(sanitize(text)), encoding="unicode") if text.strip() else ""
    if not visible:
        return "", ""
    full = trafilatura.html2txt(visible) or ""
    article = trafilatura.extract(visible, favor_recall=True, include_comments=False, include_tables=True,
                                  deduplicate=False) or ""
    return article or full, full


def decode(body: bytes, declared: str | None) -> str:
    """The body as text: by its byte order mark, the charset declared in the HTTP header, the page's own
    `<meta charset>`, else UTF-8; only an encoding of the web is used, and bytes it cannot decode become U+FFFD."""
    for bom, name in BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace")
    meta = META_CHARSET.search(body[:1024])
    for label in (declared, meta[1].decode("ascii") if meta else None):
        if name := web_encoding(label):
            return body.decode(name, errors="replace")
    return body.decode("utf-8", errors="replace")


def web_encoding(label: str | None) -> str | None:
    """Python's codec for a charset label if it names an encoding of the web, else None."""
    try:
        name = codecs.lookup(label.strip()).name if label else None
    except LookupError:
        return None
    return "cp1252" if name in LATIN1 else name if name in WEB_ENCODINGS else None


def sanitize(html: str) -> str:
    """The page rewritten so that every '<' left starts a tag written here: each with at most the `KEPT_ATTRIBUTES`,
    without comments, declarations or the `NEVER_TEXT` elements. `Unreadable` past the budget."""
    html = html.replace("\x00", "\ufffd")
    out: list[str] = []
    size = elements = tags = position = 0
    while match := MARKUP.search(html, position):
        tags += 1
        if tags > MAX_TAGS:
            raise Unreadable(f"the page has more than {MAX_TAGS} tags")
        out.append(text := html[position:match.start()].replace("<", "&lt;"))
        size += len(text)
        end, written = _markup(html, match.start())
        if end is None:  # a comment or tag left open runs to the end of the page: nothing after it is text
            position = len(html)
            break
        if written and not written.startswith("</"):
            elements += 1
            if elements > MAX_ELEMENTS:
                raise Unreadable(f"the page has more than {MAX_ELEMENTS} elements")
        out.append(written)
        size += len(written)
        if size > MAX_CHARS:
            raise Unreadable(TOO_LONG)
        position = end
    out.append(text := html[position:].replace("<", "&lt;"))
    if size + len(text) > MAX_CHARS:
        raise Unreadable(TOO_LONG)
    return "".join(out)


def _markup(html: str, start: int) -> tuple[int | None, str]:
    """(where the markup at `start` ends, what to write for it); None if it runs to the end of the page."""
    if html.startswith("<!--", start):
        comment = COMMENT.match(html, start)
        return (comment.end() if comment else None), ""
    if html[start + 1] in "!?":  # a declaration, or a bogus comment
        end = html.find(">", start)
        return (end + 1 if end >= 0 else None), ""
    tag = TAG.match(html, start)
    if tag is None:
        return None, ""
    closing, name = tag[1], tag[2].lower()
    if not TAG_NAME.fullmatch(name) or (closing and name in NEVER_TEXT):
        return tag.end(), ""
    if closing:
        return tag.end(), f"</{name}>"
    if name in NEVER_TEXT or name in RAW_TEXT:
        close = END_TAGS[name].search(html, tag.end())
        inner = html[tag.end():close.start() if close else len(html)]
        if name in NEVER_TEXT:
            return (close.start() if close else None), ""
        return (close.start() if close else len(html)), _start_tag(name, tag[3]) + inner.replace("<", "&lt;")
    return tag.end(), _start_tag(name, tag[3])


def _start_tag(name: str, attributes: str) -> str:
    kept: dict[str, str] = {}
    for attribute in islice(ATTRIBUTE.finditer(attributes), MAX_ATTRIBUTES_READ):
        key, value = attribute[1].lower(), attribute[2] or ""
        if key in KEPT_ATTRIBUTES and key not in kept:  # the first of two wins, as in a browser
            kept[key] = value[1:].rstrip(value[0]) if value[:1] in ("'", '"') else value
    return f"<{name}" + "".join(f' {k}="{v.replace(chr(34), "&quot;").replace("<", "&lt;")}"'
                                for k, v in kept.items()) + ">"


def visible_tree(html: str) -> lxml.html.HtmlElement:
    """The rewritten page as a tree without the elements a reader cannot see."""
    try:
        tree = lxml.html.document_fromstring(html)
    except ParserError:  # nothing but white space and markup that holds no element
        return lxml.html.document_fromstring("<html></html>")
    for element in tree.xpath("//*[@hidden or @aria-hidden or @style]"):
        if _hidden(element):
            if element.getparent() is None:
                return lxml.html.document_fromstring("<html></html>")
            element.drop_tree()  # its tail, the text after it, stays
    return tree


def _hidden(element: lxml.html.HtmlElement) -> bool:
    return (element.get("hidden") is not None or (element.get("aria-hidden") or "").strip().lower() == "true"
            or bool(HIDDEN_STYLE.search(element.get("style") or "")))
