"""The stylesheet generated from the kind declarations: each kind's fill in the relationship diagrams.

The build adds it as a file of the site, after the hand-written `assets/site.css`, so the policy's `style-src 'self'`
allows it and a new kind's colour is its declaration (`Kind.colour`), nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import KINDS, Kind

STYLESHEET = "assets/kinds.css"
DARK = '[data-md-color-scheme="slate"] '


def kind_styles(kinds: Iterable[Kind] = KINDS.values()) -> str:
    """One rule per kind with a colour, and one for the dark scheme where its dark fill differs."""
    lines = ["/* Each kind's fill in the relationship diagrams, generated from the kind declarations. */"]
    for kind in kinds:
        if kind.colour is None:
            continue
        lines.append(f".relations-diagram .node--{kind.name} rect {{ fill: {kind.colour.light}; }}")
        if kind.colour.dark is not None and kind.colour.dark != kind.colour.light:
            lines.append(f"{DARK}.relations-diagram .node--{kind.name} rect {{ fill: {kind.colour.dark}; }}")
    return "\n".join(lines) + "\n"
