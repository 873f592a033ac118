"""Find verbatim quotes in texts (archived seeds, fetched pages), forgiving only typography.

The one normalisation of the project: quotes are matched the same way against an archived text at build time and
against a live or archived web page by `make verify-sources`. It folds typographic quotes, dashes and spaces, drops
invisible marks that only steer line breaking (soft hyphen, zero-width space, word joiner, byte-order mark) and
composes accents (Unicode NFC), so 'e' + combining acute matches 'é'.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u2039": "'", "\u203a": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    "\u00ad": None, "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None,
})


_SENTENCE = re.compile(r"\S.*?(?:[.!?…](?=\s+[A-Z“\"(])|[.!?…][”\")]?(?=\s|$)|$)")


def _clusters(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each character with the combining marks (and Hangul vowel and final jamo) that follow it:
    the stretches NFC may compose into fewer characters."""
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or not _attaches(text[index]):
            yield start, index
            start = index


def fold_piece(text: str) -> str:
    """Composed (NFC), with quotes, dashes and spaces folded and invisible marks dropped; white space is kept."""
    return unicodedata.normalize("NFC", text).translate(_FOLD)


def normalize(text: str) -> tuple[str, list[int], list[int]]:
    """The folded text with runs of white space as one space, and for each of its characters where it starts and
    ends in `text` (a composed character stands for its whole cluster). Words of plain ASCII map one to one and are
    copied whole; only the others are read cluster by cluster."""
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    spaced = True  # at the start, or just after a space: white space adds nothing
    for token in _TOKENS.finditer(text):
        start, end = token.span()
        piece = token.group()
        if piece[0].isspace():
            if not spaced:
                parts.append(" ")
                starts.append(start)
                ends.append(start + 1)
                spaced = True
        elif piece.isascii():
            parts.append(piece)
            starts.extend(range(start, end))
            ends.extend(range(start + 1, end + 1))
            spaced = False
        elif start and _attaches(piece[0]):  # a mark that belongs to the white space before it
            return _normalize_by_cluster(text)
        else:
            folded, piece_starts, piece_ends = _normalize_by_cluster(piece)
            if folded:
                parts.append(folded)
                starts.extend(start + at for at in piece_starts)
                ends.extend(start + at for at in piece_ends)
                spaced = False
    if parts and parts[-1] == " ":
        parts.pop()
        starts.pop()
        ends.pop()
    return "".join(parts), starts, ends


_TOKENS = re.compile(r"\s+|\S+")


def _attaches(char: str) -> bool:
    return bool(unicodedata.combining(char)) or "\u1160" <= char <= "\u11ff"


def _normalize_by_cluster(text: str) -> tuple[str, list[int], list[int]]:
    """`normalize`, character cluster by character cluster (the reference; `normalize` uses it for words that are
    not plain ASCII)."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for start, end in _clusters(text):
        for char in fold_piece(text[start:end]):
            if char.isspace():
                if not chars or chars[-1] == " ":
                    continue
                char = " "
            chars.append(char)
            starts.append(start)
            ends.append(end)
    if chars and chars[-1] == " ":
        chars.pop()
        starts.pop()
        ends.pop()
    return "".join(chars), starts, ends


def fold(text: str) -> str:
    """`normalize` without the index map: for quotes, which are searched for rather than searched in."""
    return " ".join(fold_piece(text).split())


@functools.cache
def anchor(quote: str) -> str:
    """A stable HTML id for a quoted passage, the same wherever the quote is cited."""
    return "q-" + hashlib.sha1(fold(quote).encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Archive:
    """The full text of an archived source, normalised once for searching."""

    text: str
    _norm: str = field(init=False, repr=False)
    _starts: list[int] = field(init=False, repr=False)
    _ends: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        norm, starts, ends = normalize(self.text)
        object.__setattr__(self, "_norm", norm)
        object.__setattr__(self, "_starts", starts)
        object.__setattr__(self, "_ends", ends)

    def locate(self, passage: str) -> tuple[int, int] | None:
        """The (start, end) of `passage` in the original text, or None."""
        needle = fold(passage)
        start = self._norm.find(needle) if needle else -1
        if start < 0:
            return None
        return self._starts[start], self._ends[start + len(needle) - 1]

    def sentences(self) -> list[tuple[int, int]]:
        """(start, end) of each sentence, heading and caption of the text, in order."""
        found = []
        offset = 0
        for block in self.text.split("\n"):
            for match in _SENTENCE.finditer(block):
                if match.group().strip():
                    found.append((offset + match.start(), offset + match.end()))
            offset += len(block) + 1
        return found
