"""Find verbatim quotes in archived source texts, forgiving only typography."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ",
})


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


def anchor(quote: str) -> str:
    """A stable HTML id for a quoted passage, the same wherever the quote is cited."""
    return "q-" + hashlib.sha1(normalize(quote)[0].encode()).hexdigest()[:10]


@dataclass
class Archive:
    """The full text of an archived source, and the passages found in it."""

    text: str
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._norm, self._where = normalize(self.text)

    def find(self, quote: str) -> tuple[int, int] | None:
        """The (start, end) of `quote` in the original text, remembered under its anchor."""
        needle = normalize(quote)[0]
        start = self._norm.find(needle) if needle else -1
        if start < 0:
            return None
        span = (self._where[start], self._where[start + len(needle) - 1] + 1)
        self.spans[anchor(quote)] = span
        return span
