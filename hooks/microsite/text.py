"""Turn data text into safe Markdown: everything is escaped, only declared markup survives.

Prose fields allow two kinds of markup, nothing else: `*emphasis*` and links to
entities by id, `[[lazarus-group]]` or `[[lazarus-group|the Lazarus Group]]`.
Raw HTML, Markdown links and `javascript:` URLs are shown as the text they are.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable

from markupsafe import Markup

# Python-Markdown's escapable characters, plus '|' (tables); '<', '>' and '&' are HTML-escaped first.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")
_SPACE = re.compile(r"\s+")
PROSE_TOKEN = re.compile(r"\[\[([a-z0-9]+(?:-[a-z0-9]+)*)(?:\|([^\]\n]+))?\]\]|\*([^*\s](?:[^*\n]*[^*\s])?)\*")
ENTITY_LINK = re.compile(r"\[\[([^\]|\n]*)(?:\|[^\]\n]*)?\]\]")


def md_escape(value: object) -> Markup:
    """Escape a value so that Markdown and HTML show it literally, on one line (runs of white space fold)."""
    if isinstance(value, Markup):
        return value
    return _escape_text(str(value))


@functools.lru_cache(maxsize=65536)
def _escape_text(text: str) -> Markup:
    return Markup(_MD_SPECIAL.sub(r"\\\1", html.escape(_SPACE.sub(" ", text), quote=False)))


def finalize(value: object) -> object:
    """Escape every value a template prints, except numbers and what is already markup."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return md_escape(value)


def html_escape(value: object) -> Markup:
    """Escape a value for raw HTML blocks (where Markdown is not processed)."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(_SPACE.sub(" ", str(value)), quote=True))


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_escape(value: object) -> Markup:
    """Escape a value for XML text or attributes; characters XML 1.0 cannot hold at all are dropped."""
    return Markup(html.escape(_NOT_XML.sub("", str(value)), quote=True))


def prose(text: str, link: Callable[[str, str | None], Markup]) -> Markup:
    """Escape `text`, then render only `*emphasis*` and `[[id]]` / `[[id|label]]` entity links."""
    out: list[str] = []
    last = 0
    for match in PROSE_TOKEN.finditer(text):
        out.append(_plain(text[last:match.start()]))
        entity_id, label, emphasis = match.groups()
        out.append(f"*{md_escape(emphasis)}*" if emphasis is not None else link(entity_id, label))
        last = match.end()
    out.append(_plain(text[last:]))
    return Markup("".join(out).strip())


def plain_prose(text: str, name_of: Callable[[str], str]) -> str:
    """Prose as plain text, for the downloads: an entity link becomes its label or the entity's name; emphasis marks go."""
    def token(match: re.Match[str]) -> str:
        entity_id, label, emphasis = match.groups()
        return emphasis if emphasis is not None else label or name_of(entity_id)

    return PROSE_TOKEN.sub(token, text)


def _plain(raw: str) -> str:
    """Escape a stretch of plain text, keeping one space at either edge if it had any."""
    if not raw.strip():
        return " " if raw else ""
    return f"{' ' if raw[0].isspace() else ''}{md_escape(raw.strip())}{' ' if raw[-1].isspace() else ''}"


# Letters of other scripts that look like Latin ones (after case folding), for spotting look-alike names.
_LOOKALIKES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "т": "t",
    "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ɡ": "g",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "ı": "i",
})


def skeleton(name: str) -> str:
    """What a name looks like: compatibility-folded, case-folded, look-alike letters made Latin, invisibles dropped."""
    folded = unicodedata.normalize("NFKC", name).casefold().translate(_LOOKALIKES)
    if folded.isascii():  # no format characters or marks
        return folded
    return "".join(char for char in folded if unicodedata.category(char) not in ("Cf", "Mn"))
