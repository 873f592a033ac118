"""The one error type of the core: a data mistake with its place in a file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    """A place in a project file; `line` and `column` count from 1."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


def shown(value: object, limit: int = 60) -> str:
    """A value quoted for a message: `repr()`-escaped (no control characters reach a terminal) and truncated."""
    text = str(value)
    return repr(text[:limit] + "…" if len(text) > limit else text)


class DataError(Exception):
    """One mistake in the data, raised where it is found."""

    def __init__(self, location: Location, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.location = location
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}"
        return f"{text}\n    fix: {self.hint}" if self.hint else text


class DataErrors(Exception):
    """Every mistake of one run, sorted by place, reported together."""

    def __init__(self, errors: list[DataError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.location, e.message))
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.errors)
        lines = [str(e) for e in self.errors]
        lines.append(f"{count} problem{'s' if count != 1 else ''} found; nothing was built.")
        return "\n".join(lines)
