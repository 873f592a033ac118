"""Find verbatim quotes in archived source texts, forgiving only typography."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field

_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
})


_SENTENCE = re.compile(r"\S.*?(?:[.!?…](?=\s+[A-Z“\"(])|[.!?…][”\")]?(?=\s|$)|$)")


def normalize(text: str) -> tuple[str, list[int]]:
    """Fold quotes, dashes and runs of white space; return the text and each char's original index."""
    chars: list[str] = []
    where: list[int] = []
    folded = text.translate(_FOLD)
    for index, char in enumerate(folded):
        if char.isspace():
            if not chars or chars[-1] == " ":
                continue
            char = " "
        chars.append(char)
        where.append(index)
    if chars and chars[-1] == " ":
        chars.pop()
        where.pop()
    return "".join(chars), where


def fold(text: str) -> str:
    """`normalize` without the index map: for quotes, which are searched for rather than searched in."""
    return " ".join(text.translate(_FOLD).split())


@functools.cache
def anchor(quote: str) -> str:
    """A stable HTML id for a quoted passage, the same wherever the quote is cited."""
    return "q-" + hashlib.sha1(fold(quote).encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Archive:
    """The full text of an archived source, normalised once for searching."""

    text: str
    _norm: str = field(init=False, repr=False)
    _where: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        norm, where = normalize(self.text)
        object.__setattr__(self, "_norm", norm)
        object.__setattr__(self, "_where", where)

    def locate(self, passage: str) -> tuple[int, int] | None:
        """The (start, end) of `passage` in the original text, or None."""
        needle = fold(passage)
        start = self._norm.find(needle) if needle else -1
        if start < 0:
            return None
        return self._where[start], self._where[start + len(needle) - 1] + 1

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
