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
# Control characters other than tab, line feed and carriage return, and the invisible bidirectional controls that
# can make text display in another order than it is stored ("Trojan Source").
UNSAFE_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


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


# Letters and digits of other scripts that look like a Latin letter or an ASCII digit once NFKC-normalised and
# case-folded, for spotting look-alike names: every entry of Unicode's confusables.txt (UTS #39, version 13.0) whose
# prototype is one; the small capitals (ɢ, ʀ), which UTS #39 keeps apart but read as capitals; and ё and ї, which
# NFKC keeps composed. ASCII itself is left alone: 'l' and '1' are different names' letters, not a disguise.
_LOOKALIKES = str.maketrans({char: latin for latin, chars in {
    "2": "ƨϩᒿꙅꛯꝛ",
    "3": "ȝɜʒзӡⳍꝫ𑣊𖼻",
    "4": "Ꮞ𑣏",
    "5": "𑣛",
    "6": "бᏮⳓ𑣕",
    "7": "𐓺𑣆",
    "8": "ȣ৪੪𐌚𞣋",
    "9": "৭੧୨൭ⳋꝯ𑣌𑣖",
    "a": "ɑαаᎪᗅᴀꓮ𐊠𖽀",
    "b": "ƅʙβвьᏏᏴᑲᖯᗷꓐꞵ𐊂𐊡𐌁",
    "c": "сᏟᴄⲥꓚ𐊢𐌂𐐽𐔜𑣩𑣲",
    "d": "ԁᎠᏧᑯᗞᗪᴅꓒꓓ",
    "e": "ёεеҽᎬᴇⴹꓰꬲ𐊆𑣎",
    "f": "ϝքᖴẝꓝꜰꞙꬵ𐊇𐊥𐔥𑣂",
    "g": "ƍɡɢԍցᏀᏳᶃꓖ",
    "h": "ʜηнһհᎻᏂᕼⲏꓧ𐋏",
    "i": "їıɩɪιіӏᎥꙇ𑣃",
    "j": "ʝϳјᎫᒍᴊꓙ",
    "k": "κкᏦᛕᴋⲕꓗ𐔘",
    "l": "ǀʟוןا١۱ߊᏞᒪᛁⲓⳑⵏꓡꓲ𐊊𐌉𐌠𐑃𐔦𑣒𖼖𖼨𞣇",
    "m": "μϻмᎷᗰᛖᴍⲙꓟ𐊰𐌑",
    "n": "ɴոռⲛꓠ𐔓",
    "o": "οσоօסه٥ھہە۵߀०০੦૦ଠ୦௦౦೦ഠ൦๐໐ဝ၀ჿዐᴏᴑⲟⵔ〇ꓳꬽ𐊒𐊫𐐬𐓪𐔖𑓐𑣈𑣗𑣠",
    "p": "ρрᏢᑭᴘᴩⲣꓑ𐊕",
    "q": "ԛգզⵕꞯ",
    "r": "ʀгᎡᎱᏒᖇᴦⲅꓣꭇꭈ𐓜𖼵",
    "s": "ƽѕտᏕᏚꓢꜱ𐊖𐑈𑣁𖼺",
    "t": "τтᎢᴛⲧꓔ𐊗𐊱𐌕𖼊",
    "u": "ʋυսሀᑌᴜꓴꞟꭎꭒ𐓶𑣘𖽂",
    "v": "νѵט٧۷Ꮩᐯᴠⴸꓦꛟ𐔝𑜆𑣀𖼈",
    "w": "ɯѡԝաᎳᏔᴡꓪ𑜊𑜎𑜏𑣦𑣯",
    "x": "χхᕁᕽᚷⲭⵝꓫꭓ𐊐𐊴𐌗𐌢𐔧𑣬",
    "y": "ɣʏγуүყᎩᎽᶌỿⲩꓬꭚ𐊲𑣜𖽃",
    "z": "ζᏃᴢꓜ𐋵𑣄𑣉𑣥",
}.items() for char in chars})


def skeleton(name: str) -> str:
    """What a name looks like: compatibility-folded, case-folded, look-alike letters made Latin, invisibles dropped."""
    folded = unicodedata.normalize("NFKC", name).casefold().translate(_LOOKALIKES)
    if folded.isascii():  # no format characters or marks
        return folded
    return "".join(char for char in folded if unicodedata.category(char) not in ("Cf", "Mn"))
