"""Field types that turn YAML nodes into checked values, and describe themselves.

Each type converts a composed YAML node (which still knows its line) into a
Python value or raises `DataError` at that node. The same type also yields its
JSON Schema, so the editor schema can never drift from what the build accepts.
"""

from __future__ import annotations

import calendar
import difflib
import enum
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

import yaml

from .errors import DataError, Location, shown
from .text import ENTITY_LINK, UNSAFE_CHARS

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")  # ASCII digits only: \d also takes '٢' and '２'
MAX_ID = 64
# Ids become file and folder names: refuse the page name of every folder and the names Windows reserves.
RESERVED_IDS = frozenset({"index", "con", "prn", "aux", "nul",
                          *(f"{device}{n}" for device in ("com", "lpt") for n in range(10))})
# RFC 3986 characters; a URL is also checked part by part in `Url`.
URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"  # of a host name (RFC 1123), in lowercase
HOST = re.compile(rf"(?:{LABEL}\.)*{LABEL}\.?")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # spelt out, not calendar.month_name: pages must not depend on the locale
NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"


@dataclass
class Context:
    """What one file's conversion collects besides its values."""

    path: str
    errors: list[DataError] = field(default_factory=list)
    refs: list[tuple[Ref, tuple[str, ...]]] = field(default_factory=list)

    def report(self, error: DataError) -> None:
        """Keep an error, unless it only says that a nested record already reported its own."""
        if not isinstance(error, Invalid):
            self.errors.append(error)

    def at(self, node: yaml.Node) -> Location:
        return Location(self.path, node.start_mark.line + 1, node.start_mark.column + 1)


@dataclass(frozen=True)
class Ref:
    """A reference to an entity by id, resolved when all data is loaded."""

    id: str
    location: Location


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, month or day."""

    year: int
    month: int = 0
    day: int = 0

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def sort_key(self) -> tuple[int, int, int, int]:
        """A plain tuple that orders dates chronologically, a year before its months and a month before its days."""
        return (self.year, self.month, self.day, 0)

    def bounds(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        """The first and the last day this date may mean, as (year, month, day)."""
        first = (self.year, self.month or 1, self.day or 1)
        month = self.month or 12
        return first, (self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def iso(self) -> str:
        parts = [f"{self.year:04d}", f"{self.month:02d}" if self.month else "", f"{self.day:02d}" if self.day else ""]
        return "-".join(p for p in parts if p)

    def human(self) -> str:
        if self.day:
            return f"{self.day} {MONTHS[self.month - 1]} {self.year}"
        if self.month:
            return f"{MONTHS[self.month - 1]} {self.year}"
        return str(self.year)


QUALIFIERS = {"early": "early in the period", "mid": "the middle of the period", "late": "late in the period",
              "about": "approximately"}
_QUALIFIER_OFFSET = {"early": 2, "mid": 6, "late": 10, "about": 6}  # a month of a year; doubled, a day of a month


@dataclass(frozen=True)
class Period:
    """When something happened: a date of some precision, perhaps approximate ('late 2021'), perhaps with an end."""

    start: PartialDate
    qualifier: str | None = None
    end: PartialDate | None = None

    @property
    def precision(self) -> str:
        return self.start.precision + (", approximate" if self.qualifier else "")

    def bounds(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        """The first and the last day the period may cover, as (year, month, day)."""
        return self.start.bounds()[0], (self.end or self.start).bounds()[1]

    def human(self) -> str:
        """'7 August 2023', 'late 2021 – May 2022', 'mid-May 2022'."""
        text = self.start.human()
        if self.qualifier == "mid" and self.start.month and not self.start.day:
            text = f"mid-{text}"
        elif self.qualifier:
            text = f"{self.qualifier} {text}"
        return f"{text} – {self.end.human()}" if self.end else text

    def sort_key(self) -> tuple[int, int, int, int]:
        """Chronological, with 'late 2021' after October 2021 and 'early May' before 10 May."""
        year, month, day, _ = self.start.sort_key()
        offset = _QUALIFIER_OFFSET.get(self.qualifier or "", 0)
        if offset and not month:
            return (year, offset, 0, 1)
        if offset and not day:
            return (year, month, offset * 2, 1)
        return (year, month, day, 0)


def closest(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The choice most like `word`, if any is alike enough."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def iso_text(value: Any) -> Any:
    """A date of a plain YAML value as ISO text to the year, month or day ('2023-08-07', YAML's 2021 too); what is
    no date stays as it is."""
    match = DATE.fullmatch(str(value).strip()) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    return "-".join(part for part in match.groups() if part) if match else value


def date_text(value: Any) -> str:
    """An ISO date as readers read it: '7 August 2023', 'May 2022', '2021' (what is no date, as it is)."""
    match = DATE.fullmatch(value) if isinstance(value, str) else None
    if not match:
        return str(value)
    year, month, day = (int(part) if part else 0 for part in match.groups())
    return PartialDate(year, month, day).human() if year and month <= 12 else value


def period_text(value: Any) -> str:
    """A period as readers read it: '7 August 2023', 'late 2021 – May 2022', 'mid-May 2022'."""
    if not isinstance(value, dict):
        return date_text(value)
    start, qualifier, end = value.get("start"), value.get("qualifier"), value.get("end")
    text = date_text(start)
    if qualifier == "mid" and isinstance(start, str) and len(start) == 7:
        text = f"mid-{text}"  # as Period.human says it; the parts here are plain YAML, perhaps of an old shape
    elif isinstance(qualifier, str):
        text = f"{qualifier} {text}"
    return f"{text} – {date_text(end)}" if end else text


def suggest(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """A 'did you mean' phrase for the closest choice, or ''."""
    match = closest(word, choices)
    return f"did you mean '{match}'?" if match else ""


def _kind_of(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping (key: value lines)"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == NULL_TAG:
        return "nothing (an empty value)"
    return f"the value {shown(node.value)}"


TEXT_REF = "#/$defs/text"  # every text field's schema, defined once at the root of an editor schema


def json_defs() -> dict[str, Any]:
    """The definitions that field schemas refer to (`TEXT_REF`), for the root of an editor schema."""
    return {"text": {"type": ["string", "number"], "pattern": _text_pattern()}}


@functools.cache
def _text_pattern() -> str:
    """Text as the check reads it: no control or bidirectional character (`UNSAFE_CHARS`), and at least one letter,
    digit, punctuation mark or symbol, spelt out as the Basic Multilingual Plane's other characters (white space,
    format characters, marks, unassigned code points); every character beyond it counts as visible."""
    hidden, start = [], None
    for code in range(0x10001):
        invisible = code < 0x10000 and unicodedata.category(chr(code))[0] not in "LNPS"
        if invisible and start is None:
            start = code
        elif not invisible and start is not None:
            hidden.append(f"\\u{start:04x}" + (f"-\\u{code - 1:04x}" if code - 1 > start else ""))
            start = None
    unsafe = "".join(char if " " < char < "\x7f" else f"\\u{ord(char):04x}" for char in UNSAFE_CHARS.pattern)
    safe = f"[^{unsafe[1:-1]}]"
    return f"^{safe}*[^{''.join(hidden)}]{safe}*$"


NameOf = Callable[[str], str]  # an entity's name by its id
Extra = Callable[["Record", Any], dict[str, Any]]  # more keys for a record's exported value (a citation's 'verified')


class Writer(Protocol):
    """What a field type needs to show its value on a page: escaping and links, in the page's own markup."""

    def escape(self, text: str) -> str: ...
    def link(self, ref: Ref) -> str: ...
    def prose(self, text: str) -> str: ...
    def url(self, url: str) -> str: ...
    def status(self, name: str) -> str: ...


class StixRefs(Protocol):
    """What a field type needs to give its value as a STIX property: the STIX id and the name of an entity."""

    def stix_ref(self, entity_id: str) -> str: ...
    def name_of(self, entity_id: str) -> str: ...


class Sayer(Protocol):
    """What a field type needs to say a plain value in a change note: words as they are, a quote, an entity's name."""

    def word(self, text: str) -> tuple[Any, ...]: ...
    def quote(self, text: str) -> tuple[Any, ...]: ...
    def name(self, entity_id: str) -> tuple[Any, ...]: ...


class Role(enum.Enum):
    """What a record is to the rest of the site, whatever its name in messages."""

    CITATION = "a source cited with a verbatim quote"
    RELATION = "a typed relation to another entity, said as a sentence"
    TECHNIQUE = "an ATT&CK technique, exported as a 'uses' relationship"
    INDICATORS = "indicators of compromise, exported as STIX indicators"


class FieldType:
    """Base of all field types: how a value is read from YAML, and each form it takes on the way out.

    The forms: `exported` (JSON, as downloaded) and its `exported_schema`, `cell` (a line of spreadsheet text),
    `words` (plain words for readers, in STIX descriptions and change notes), `shown` (on a page) and `stix_value`
    (a STIX property, for the properties `stix_allows`).
    """

    description = "value"
    plain = True  # shown as it is (text, a date, an id), not a record of its own keys
    many = False  # a list of values
    prose = False  # text with light markup
    role: Role | None = None

    @property
    def inner(self) -> FieldType:
        """The type of the value, or of each item of a list."""
        return self

    def each(self, value: Any) -> list[Any]:
        """The value's items: those of a list, or the value alone (none if the data leaves it out)."""
        return [] if value is None else [value]

    def refs(self, value: Any) -> list[Ref]:
        """The entities the value names by id (a record's own references not included)."""
        return []

    def convert(self, node: yaml.Node, ctx: Context) -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def exported(self, value: Any, extra: Extra | None = None) -> Any:
        return value

    def exported_schema(self, extra: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
        return {"type": "string"}

    def cell(self, value: Any) -> str:
        return " ".join(str(value).split())

    def words(self, value: Any, name_of: NameOf) -> str:
        return str(value)

    def shown(self, value: Any, page: Writer) -> str:
        return page.escape(self.words(value, lambda entity_id: entity_id))

    def stix_allows(self, prop: str) -> bool:
        """Whether a value of this type can stand in the STIX property `prop` (or 'description', a line of it)."""
        return True

    # An old version of a data file, in the history, is plain YAML that today's model may no longer accept: it is
    # read into the form `exported` gives (`read_old`), whatever its shape, and said in change notes (`said`).

    def read_old(self, value: Any, renamed: dict[str, str]) -> Any:
        """A plain YAML value of an old version as a value of this type would be exported, as far as it can be
        (`renamed`: entity ids as they are now, by former id); None when empty. A value of another shape stays as
        it is, for the change note to say in general words."""
        if value is None or value == "" or value == [] or value == {}:
            return None
        return self._read_old(value, renamed) if isinstance(value, str) else value

    def _read_old(self, value: str, renamed: dict[str, str]) -> Any:
        return " ".join(value.split())

    def sayable(self, value: Any) -> bool:
        """True for a plain value a change note can show: text, true or false (or nothing)."""
        return value is None or isinstance(value, (str, bool))

    def said(self, value: Any, say: Sayer) -> tuple[Any, ...]:
        """A plain value (as `read_old` gives it) in a change note."""
        return say.word(str(value).lower() if isinstance(value, bool) else str(value))

    def stix_value(self, value: Any, prop: str, refs: StixRefs) -> Any:
        return self.stix_item(value, prop, refs)

    def stix_item(self, value: Any, prop: str, refs: StixRefs) -> Any:
        """One value in STIX, alone or as an item of a list."""
        return self.exported(value)


class Text(FieldType):
    """A non-empty piece of text; `prose` marks fields that allow light markup."""

    description = "text"

    def __init__(self, pattern: re.Pattern[str] | None = None, hint: str = "", prose: bool = False) -> None:
        self.pattern = pattern
        self.hint = hint
        self.prose = prose

    def convert(self, node: yaml.Node, ctx: Context) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag in (NULL_TAG, BOOL_TAG):
            raise DataError(ctx.at(node), f"expected {self.description}, found {_kind_of(node)}",
                            "write the text after the colon; quote it if it contains ': ' or starts with a symbol")
        value = " ".join(node.value.split()) if not self.prose else node.value.strip()
        if not any(unicodedata.category(char)[0] in "LNPS" for char in value):  # letters, digits, punctuation, symbols
            found = "empty text" if not value else "only invisible characters"
            raise DataError(ctx.at(node), f"expected {self.description}, found {found}", "write the text or remove the key")
        if self.pattern and not self.pattern.fullmatch(value):
            raise DataError(ctx.at(node), f"{shown(value)} is not a valid {self.description}", self.hint)
        if self.prose:
            for match in ENTITY_LINK.finditer(value):
                if not SLUG.match(match.group(1)):
                    raise DataError(ctx.at(node), f"'[[{match.group(1)}]]' does not link to an id",
                                    "write [[entity-id]] or [[entity-id|label]] with a lowercase id")
                ctx.refs.append((Ref(match.group(1), ctx.at(node)), ()))
        return value

    def json_schema(self) -> dict[str, Any]:
        if self.pattern:
            return {"type": "string", "pattern": self.pattern.pattern}
        return {"$ref": TEXT_REF}

    def shown(self, value: str, page: Writer) -> str:
        return page.prose(value) if self.prose else page.escape(self.words(value, lambda entity_id: entity_id))

    def _read_old(self, value: str, renamed: dict[str, str]) -> str:
        if not self.prose:
            return super()._read_old(value, renamed)
        text = value.strip()  # prose: links to renamed entities follow them
        if not renamed or "[[" not in text:
            return text
        return ENTITY_LINK.sub(lambda m: m.group(0).replace(m.group(1), renamed.get(m.group(1), m.group(1)), 1), text)

    def said(self, value: Any, say: Sayer) -> tuple[Any, ...]:
        return super().said(value, say) if isinstance(value, bool) else say.quote(str(value))


# Language names for readers, by the codes data files use.
LANGUAGES = {"en": "English", "de": "German", "ru": "Russian", "ko": "Korean", "ja": "Japanese", "id": "Indonesian",
             "fr": "French", "zh": "Chinese", "uk": "Ukrainian"}


class Language(Text):
    """A language code (en, ru, ko), shown to readers as the language's name."""

    def words(self, value: str, name_of: NameOf) -> str:
        return LANGUAGES.get(value, value)


class Slug(Text):
    """A stable id: lowercase letters, digits and single hyphens; short, and never a name a file system reserves."""

    description = "id (a lowercase slug)"

    def __init__(self) -> None:
        super().__init__(SLUG, "use lowercase letters, digits and single hyphens, e.g. 'lazarus-group'")

    def convert(self, node: yaml.Node, ctx: Context) -> str:
        return self.checked(super().convert(node, ctx), ctx.at(node))

    def checked(self, value: str, where: Location) -> str:
        """`value` if it follows the id rule (the one rule of every id, former ids and their folders included)."""
        if not SLUG.fullmatch(value):
            raise DataError(where, f"{shown(value)} is not a valid {self.description}", self.hint)
        if len(value) > MAX_ID:
            raise DataError(where, f"the id {shown(value)} is longer than {MAX_ID} characters",
                            "shorten it: ids become file names and URLs")
        if value in RESERVED_IDS:
            raise DataError(where, f"the id {shown(value)} is reserved",
                            "choose another id: 'index' names each folder's own page, and Windows reserves "
                            "con, prn, aux, nul, com0-9 and lpt0-9")
        return value

    def json_schema(self) -> dict[str, Any]:
        return {**super().json_schema(), "maxLength": MAX_ID, "not": {"enum": sorted(RESERVED_IDS)}}

    def exported_schema(self, extra: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
        return {"type": "string", "pattern": SLUG.pattern}


class FormerId(FieldType):
    """A former id: 'old-id', or 'folder/old-id' for an entity that was of another kind (its old URL's folder).

    Both parts follow the id rule (`Slug.checked`): a former id names a URL inside the site, never a path."""

    description = "id, or folder/id"
    hint = ("write 'old-id', or 'folder/old-id' with the old URL's folder, e.g. 'weapons/opencarrot': "
            "lowercase letters, digits and single hyphens, no other '/'")

    def convert(self, node: yaml.Node, ctx: Context) -> str:
        value = Text().convert(node, ctx)
        parts = value.split("/")
        if len(parts) > 2 or not all(SLUG.fullmatch(part) for part in parts):
            raise DataError(ctx.at(node), f"{shown(value)} is not a valid former id", self.hint)
        for part in parts:
            Slug().checked(part, ctx.at(node))
        return value

    def json_schema(self) -> dict[str, Any]:
        slug = SLUG.pattern.removeprefix("^").removesuffix("$")
        short = f"[^/]{{1,{MAX_ID}}}"
        return {"type": "string", "allOf": [{"pattern": f"^(?:{slug}/)?{slug}$"}, {"pattern": f"^(?:{short}/)?{short}$"}],
                "not": {"pattern": f"(?:^|/)(?:{'|'.join(sorted(RESERVED_IDS))})$"}}


class Url(Text):
    """An http(s) address of RFC 3986 characters, with a host and no user name or password."""

    description = "web address (http:// or https://)"

    def __init__(self) -> None:
        super().__init__(hint="write the full address, starting with https://")

    def convert(self, node: yaml.Node, ctx: Context) -> str:
        value = super().convert(node, ctx)
        problem = url_problem(value)
        if problem:
            raise DataError(ctx.at(node), f"{shown(value)} is not a valid {self.description}: {problem}", self.hint)
        return value

    def json_schema(self) -> dict[str, Any]:
        host = LABEL.replace("a-z", "A-Za-z")  # `urlsplit` lowercases the host name before it is checked
        port = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})?"
        rest = r"(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9\-._~:/?#@!$&'()*+,;=])*"  # URL_CHARS without '[', ']' and a bare '%'
        return {"type": "string", "pattern": rf"^https?://(?:{host}\.)*{host}\.?(?::{port})?(?:[/?#]{rest})?$",
                "format": "uri"}

    def exported_schema(self, extra: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
        return {"type": "string", "format": "uri"}

    def shown(self, value: str, page: Writer) -> str:
        return page.url(value)


def url_problem(url: str) -> str | None:
    """Why `url` is not a plain http(s) address, or None if it is one."""
    bad = next((char for char in url if not URL_CHARS.fullmatch(char)), None)
    if bad is not None:
        return f"the character {bad!r} cannot stand in a URL (percent-encode it)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return "it cannot be parsed"
    if parts.scheme not in ("http", "https") or not url.startswith(f"{parts.scheme}://"):
        return "only http:// and https:// addresses are allowed"
    if "@" in parts.netloc:
        return "a user name or password in the address is not allowed"
    if not parts.hostname or not HOST.fullmatch(parts.hostname):
        return "it has no valid host name"
    if "[" in url or "]" in url:
        return "square brackets are not allowed"
    if re.search(r"%(?![0-9A-Fa-f]{2})", url):
        return "a % must start an escape such as %20"
    return None


class Choice(FieldType):
    """One of a declared set of words, each with its meaning."""

    def __init__(self, choices: dict[str, str], aliases: dict[str, str] | None = None) -> None:
        """`aliases` maps old words to current ones, accepted while data files still use them."""
        self.choices = choices
        self.aliases = aliases or {}
        self.description = "one of: " + ", ".join(choices)

    def convert(self, node: yaml.Node, ctx: Context) -> str:
        value = Text().convert(node, ctx)
        value = self.aliases.get(value, value)
        if value not in self.choices:
            hint = suggest(value, tuple(self.choices)) or f"use {self.description}"
            raise DataError(ctx.at(node), f"{shown(value)} is not allowed here; expected {self.description}", hint)
        return value

    def json_schema(self) -> dict[str, Any]:
        return {"enum": [*self.choices, *self.aliases]}

    def exported_schema(self, extra: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
        return {"enum": list(self.choices)}

    def words(self, value: str, name_of: NameOf) -> str:
        """A declared word as readers read it: 'hacking-group' is 'hacking group'."""
        return value.replace("-", " ")

    def _read_old(self, value: str, renamed: dict[str, str]) -> str:
        text = super()._read_old(value, renamed)
        return self.aliases.get(text, text)  # an old word as today's


class Flag(FieldType):
    """true or false."""

    description = "true or false"

    def convert(self, node: yaml.Node, ctx: Context) -> bool:
        if not isinstance(node, yaml.ScalarNode) or node.tag != BOOL_TAG:
            raise DataError(ctx.at(node), f"expected true or false, found {_kind_of(node)}",
                            "write true or false (YAML 1.2, like your editor, reads yes, no, on and off as text)")
        return node.value.lower() == "true"

    def json_schema(self) -> dict[str, Any]:
        return {"type": "boolean"}

    def exported_schema(self, extra: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
        return {"type": "boolean"}

    def cell(self, value: bool) -> str:
        return "yes" if value else "no"

    def words(self, value: bool, name_of: NameOf) -> str:
        return "yes" if value else "no"


class Date(FieldType):
    """A date to the day (2023-08-07), month (2022-05) or year (2021)."""

    description = "date as YYYY, YYYY-MM or YYYY-MM-DD"

    def convert(self, node: yaml.Node, ctx: Context) -> PartialDate:
        match = DATE.fullmatch(node.value.strip()) if isinstance(node, yaml.ScalarNode) else None
        if not match:
            raise DataError(ctx.at(node), f"expected a {self.description}, found {_kind_of(node)}",
                            "write e.g. 2023-08-07 (day), 2022-05 (month) or 2021 (year)")
        year, month, day = (int(g) if g else 0 for g in match.groups())
        if match.group(2) and not 1 <= month <= 12:
            raise DataError(ctx.at(node), f"{shown(node.value)} has no month {month}", "months run from 01 to 12")
        if year < 1:
            raise DataError(ctx.at(node), f"{shown(node.value)} has no year 0", "years start at 0001")
        if day:
            last = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last:
                raise DataError(ctx.at(node), f"{shown(node.value)} is not a real day: "
                                f"{MONTHS[month - 1]} {year} has {last} days", "check the day of the month")
        return PartialDate(year, month, day)

    def json_schema(self) -> dict[str, Any]:
        """Months 01-12 and the days each month has; that 29 February needs a leap year only the check knows."""
        days = {"(?:0[13578]|1[02])": "3[01]", "(?:0[469]|11)": "30", "02": "2[0-9]"}
        month_day = "|".join(f"{month}(?:-(?:0[1-9]|1[0-9]|2[0-8]|{last}))?" for month, last in days.items())
        return {"type": ["string", "integer"], "pattern": f"^(?!0000)[0-9]{{4}}(?:-(?:{month_day}))?$",
                "minimum": 1, "maximum": 9999}

    def exported(self, value: PartialDate, extra: Extra | None = None) -> str:
        return value.iso()

    def exported_schema(self, extra: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
        return {"type": "string", "pattern": DATE.pattern}

    def cell(self, value: PartialDate) -> str:
        return value.iso()

    def words(self, value: PartialDate, name_of: NameOf) -> str:
        return value.human()

    def read_old(self, value: Any, renamed: dict[str, str]) -> Any:
        return None if value is None or value == "" else iso_text(value)  # YAML may have read 2021 as a number

    def said(self, value: Any, say: Sayer) -> tuple[Any, ...]:
        return say.word(date_text(value))

    def stix_item(self, value: PartialDate, prop: str, refs: StixRefs) -> str:
        """The first moment the date may mean, as a STIX timestamp (UTC, milliseconds, 'Z')."""
        year, month, day = value.bounds()[0]
        return f"{year:04d}-{month:02d}-{day:02d}T00:00:00.000Z"


class When(FieldType):
    """A `Period`: a date as `Date` reads it, or a mapping with `start`, an optional `qualifier` and `end`."""

    description = "date, or start / qualifier / end"

    def __init__(self) -> None:
        self.record = Record("period", (
            Field("start", Date(), "when it began, or the date if it has no end", required=True),
            Field("qualifier", Choice(QUALIFIERS), "for approximate dates, e.g. 'late' with start 2021 for 'end of 2021'"),
            Field("end", Date(), "when it ended"),
        ), check=_check_period)

    def convert(self, node: yaml.Node, ctx: Context) -> Period:
        if not isinstance(node, yaml.MappingNode):
            return Period(Date().convert(node, ctx))
        return Period(**self.record.convert(node, ctx))

    def json_schema(self) -> dict[str, Any]:
        return {"oneOf": [Date().json_schema(), self.record.json_schema()]}

    def exported(self, value: Period, extra: Extra | None = None) -> dict[str, Any]:
        return self.record.exported({"start": value.start, "qualifier": value.qualifier, "end": value.end}, extra)

    def exported_schema(self, extra: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
        return self.record.exported_schema(extra)

    def cell(self, value: Period) -> str:
        start = f"{value.qualifier} {value.start.iso()}" if value.qualifier else value.start.iso()
        return f"{start} – {value.end.iso()}" if value.end else start

    def words(self, value: Period, name_of: NameOf) -> str:
        return value.human()

    def stix_allows(self, prop: str) -> bool:
        return prop == "description"  # a period has no STIX property: 'first_seen' would lose its end and precision

    def read_old(self, value: Any, renamed: dict[str, str]) -> Any:
        if isinstance(value, dict):
            return self.record.read_old(value, renamed)
        return None if value is None or value == "" else {"start": iso_text(value), "qualifier": None, "end": None}

    def sayable(self, value: Any) -> bool:
        return isinstance(value.get("start"), str) if isinstance(value, dict) else super().sayable(value)

    def said(self, value: Any, say: Sayer) -> tuple[Any, ...]:
        return say.word(period_text(value))


def _check_period(values: dict[str, Any], where: Location) -> None:
    end = values["end"]
    if end is not None and end.bounds()[1] < values["start"].bounds()[0]:  # '2022' may end in May 2022
        raise DataError(where, "the period's 'end' is before its 'start'", "swap the two dates")


class RefTo(FieldType):
    """The id of an entity of the given kinds (any kind when none are given)."""

    def __init__(self, *kinds: str) -> None:
        self.kinds = kinds
        self.description = f"id of {' or '.join(kinds) if kinds else 'an entity'}"

    def convert(self, node: yaml.Node, ctx: Context) -> Ref:
        value = Slug().convert(node, ctx)
        ref = Ref(value, ctx.at(node))
        ctx.refs.append((ref, self.kinds))
        return ref

    def json_schema(self) -> dict[str, Any]:
        return {**Slug().json_schema(), "description": self.description}

    def exported(self, value: Ref, extra: Extra | None = None) -> str:
        return value.id

    def refs(self, value: Ref) -> list[Ref]:
        return [value]

    def exported_schema(self, extra: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
        return {"type": "string", "pattern": SLUG.pattern}

    def cell(self, value: Ref) -> str:
        return value.id

    def words(self, value: Ref, name_of: NameOf) -> str:
        return name_of(value.id)

    def shown(self, value: Ref, page: Writer) -> str:
        return page.link(value)

    def _read_old(self, value: str, renamed: dict[str, str]) -> str:
        text = super()._read_old(value, renamed)
        return renamed.get(text, text)

    def said(self, value: Any, say: Sayer) -> tuple[Any, ...]:
        return say.name(value)

    def stix_item(self, value: Ref, prop: str, refs: StixRefs) -> str:
        """In a STIX reference (`*_ref`, `*_refs`), the entity's STIX id; in any other property, its name."""
        return refs.stix_ref(value.id) if prop.endswith(("_ref", "_refs")) else refs.name_of(value.id)

    def stix_value(self, value: Ref, prop: str, refs: StixRefs) -> Any:
        """Properties in plural (`*_refs`, `authors`) take a list even of one."""
        item = self.stix_item(value, prop, refs)
        return item if prop.endswith("_ref") else [item]


class ListOf(FieldType):
    """A list of items of one type; `unique` for lists of plain (hashable) values that may not repeat."""

    def __init__(self, item: FieldType, min_items: int = 0, unique: bool = False) -> None:
        self.item = item
        self.min_items = min_items
        self.unique = unique
        self.description = f"list of {item.description}"

    many = True

    @property
    def inner(self) -> FieldType:
        return self.item

    def read_old(self, value: Any, renamed: dict[str, str]) -> Any:
        items = [self.item.read_old(item, renamed) for item in (value if isinstance(value, list) else [value])]
        return [item for item in items if item is not None] or None

    def each(self, value: list[Any] | None) -> list[Any]:
        return value or []

    def refs(self, value: list[Any]) -> list[Ref]:
        return [ref for item in value for ref in self.item.refs(item)]

    def convert(self, node: yaml.Node, ctx: Context) -> list[Any]:
        if not isinstance(node, yaml.SequenceNode):
            raise DataError(ctx.at(node), f"expected a {self.description}, found {_kind_of(node)}",
                            "start each item on its own line with '- '")
        if len(node.value) < self.min_items:
            raise DataError(ctx.at(node), f"needs at least {self.min_items} item(s), found {len(node.value)}",
                            f"add a {self.item.description}")
        items, seen = [], set()
        for child in node.value:
            try:
                item = self.item.convert(child, ctx)
            except DataError as error:
                ctx.report(error)
                continue
            if self.unique:
                if item in seen:
                    ctx.report(DataError(ctx.at(child), f"{shown(item)} is listed twice", "remove one of the two"))
                    continue
                seen.add(item)
            items.append(item)
        return items

    def json_schema(self) -> dict[str, Any]:
        schema = {"type": "array", "items": self.item.json_schema(), "minItems": self.min_items}
        return {**schema, "uniqueItems": True} if self.unique else schema

    def exported(self, value: list[Any], extra: Extra | None = None) -> list[Any]:
        return [self.item.exported(item, extra) for item in value]

    def exported_schema(self, extra: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
        return {"type": "array", "items": self.item.exported_schema(extra)}

    def cell(self, value: list[Any]) -> str:
        return "; ".join(self.item.cell(item) for item in value)

    def words(self, value: list[Any], name_of: NameOf) -> str:
        return ", ".join(self.item.words(item, name_of) for item in value)

    def shown(self, value: list[Any], page: Writer) -> str:
        return ", ".join(self.item.shown(item, page) for item in value)

    def stix_allows(self, prop: str) -> bool:
        return self.item.stix_allows(prop)

    def stix_value(self, value: list[Any], prop: str, refs: StixRefs) -> list[Any]:
        return [self.item.stix_item(item, prop, refs) for item in value]


@dataclass(frozen=True)
class Field:
    """One key of a record: its type, whether it must be there, and help for editors."""

    name: str
    type: FieldType
    help: str
    required: bool = False
    default: Any = None
    backlink: str | None = None  # for references: the heading of the section listing referrers on the target's page
    on_page: bool = True  # False for fields that steer the site (a key date flag) rather than inform the reader
    stix: str | None = None  # the STIX 2.1 property that carries the value in the downloads, if STIX has one
    formerly: tuple[str, ...] = ()  # the names the key had before a rename: old versions in the history still read

    def __post_init__(self) -> None:
        if self.stix and not self.type.stix_allows(self.stix):
            raise TypeError(f"field {self.name!r}: a {self.type.description} has no STIX form for {self.stix!r}")

    @property
    def inner(self) -> FieldType:
        """The type of the value, or of each item of a list."""
        return self.type.inner

    @property
    def is_plain(self) -> bool:
        """True for a value shown as it is (text, date, id…), false for records and lists of records."""
        return self.inner.plain

    @property
    def cites(self) -> bool:
        """True for a field of citations (a claim's sources), which pages show as citation markers."""
        return self.inner.role is Role.CITATION


Check = Callable[[dict[str, Any], Location], None]


class Record(FieldType):
    """A mapping with declared keys, built into `cls` (a dataclass) or a dict."""

    plain = False

    def __init__(self, name: str, fields: tuple[Field, ...], cls: type | None = None,
                 check: Check | None = None, help: str = "", rules: tuple[dict[str, Any], ...] = (),
                 role: Role | None = None, identity: tuple[tuple[str, ...], ...] = (), wording: str | None = None,
                 ) -> None:
        """`rules` say in JSON Schema what `check` says, as far as JSON Schema can (for the editors); `role` says
        what the record is to the rest of the site (a citation, say), whatever its name in messages. Across two
        versions of a file, an item is recognised by the keys of `identity` (tried in turn), then by a close
        `wording` (the field whose text words it: a fact's statement)."""
        self.description = name
        self.role = role
        self.identity = identity
        self.wording = wording
        self.former = {old: spec for spec in fields for old in spec.formerly}  # a renamed key's old names still read
        self.fields = {f.name: f for f in fields}
        self.cls = cls
        self.check = check
        self.help = help
        self.rules = rules

    def convert(self, node: yaml.Node, ctx: Context) -> Any:
        if not isinstance(node, yaml.MappingNode):
            raise DataError(ctx.at(node), f"expected a {self.description} (key: value lines), found {_kind_of(node)}",
                            f"write keys such as {', '.join(list(self.fields)[:3])}")
        here = ctx.at(node)
        values: dict[str, Any] = {}
        value_nodes: dict[str, yaml.Node] = {}
        seen: set[str] = set()
        failed = False
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
            if key in seen:
                ctx.errors.append(DataError(ctx.at(key_node), f"duplicate key {shown(key)} in this {self.description}",
                                            "keep one of the two; YAML would silently drop the first"))
                failed = True
                continue
            seen.add(key)
            spec = self.fields.get(key) or self.former.get(key)
            if spec is not None and spec.name != key:  # a key under its former name is read under today's
                if spec.name in seen:
                    ctx.errors.append(DataError(ctx.at(key_node), f"{shown(key)} is the former name of "
                                                f"{shown(spec.name)}, which this {self.description} also has",
                                                f"keep one of the two, under the name {shown(spec.name)}"))
                    failed = True
                    continue
                seen.add(spec.name)
                key = spec.name
            if spec is None:
                match = closest(key, tuple(self.fields))
                hint = suggest(key, tuple(self.fields)) or f"allowed keys: {', '.join(self.fields)}"
                if match:
                    seen.add(match)  # a misspelt key is one mistake, not also a missing one
                ctx.errors.append(DataError(ctx.at(key_node), f"unknown key {shown(key)} in {self.description}", hint))
                failed = True
                continue
            value_nodes[key] = value_node
            if value_node.tag == NULL_TAG and not spec.required:
                continue
            try:
                values[key] = spec.type.convert(value_node, ctx)
            except DataError as error:
                ctx.report(error)
                failed = True
        for spec in self.fields.values():
            if spec.name in values:
                continue
            if not spec.required:  # absent, or present but empty: an empty optional value is an absent one
                values[spec.name] = spec.default() if callable(spec.default) else spec.default
            elif spec.name not in seen:
                ctx.errors.append(DataError(here, f"missing required key '{spec.name}' in {self.description}",
                                            f"add '{spec.name}:' ({spec.help})"))
                failed = True
        if failed:
            raise Invalid()
        if self.check:
            self.check(values, here)
        if self.cls is None:
            return values
        extra = {}
        if "places" in getattr(self.cls, "__dataclass_fields__", {}):  # records that point errors at single keys
            extra["places"] = {key: ctx.at(value) for key, value in value_nodes.items()}
        return self.cls(**values, location=here, **extra)

    def json_schema(self) -> dict[str, Any]:
        """An optional key may be empty (null), as the check reads it: an empty optional value is an absent one."""
        schema = {
            "type": "object",
            "description": self.help or self.description,
            "additionalProperties": False,
            "required": [f.name for f in self.fields.values() if f.required],
            "properties": {f.name: {**(f.type.json_schema() if f.required else
                                       {"anyOf": [f.type.json_schema(), {"type": "null"}]}), "description": f.help}
                           for f in self.fields.values()},
        }
        for old, spec in self.former.items():  # still read, and flagged as old by editors that show `deprecated`
            schema["properties"][old] = {**schema["properties"][spec.name], "deprecated": True,
                                         "description": f"the former name of '{spec.name}': rename the key"}
        return {**schema, "allOf": list(self.rules)} if self.rules else schema

    def exported(self, value: Any, extra: Extra | None = None) -> dict[str, Any]:
        get = value.get if self.cls is None else functools.partial(getattr, value)
        data = {name: None if get(name) is None else spec.type.exported(get(name), extra)
                for name, spec in self.fields.items()}
        return {**data, **(extra(self, value) if extra else {})}

    def exported_schema(self, extra: dict[str, dict[str, dict[str, Any]]]) -> dict[str, Any]:
        """The JSON Schema of `exported` values; `extra` adds properties to records, by record name."""
        properties = {name: _nullable(spec.required or spec.default is not None,
                                      {**spec.type.exported_schema(extra), "description": spec.help})
                      for name, spec in self.fields.items()}
        properties.update(extra.get(self.description, {}))
        return {"type": "object", "description": self.help or self.description, "additionalProperties": False,
                "required": list(properties), "properties": properties}

    def stix_allows(self, prop: str) -> bool:
        return self.role is Role.TECHNIQUE and prop == "uses"  # other records are objects of their own, or lines

    def read_old(self, value: Any, renamed: dict[str, str]) -> dict[str, Any] | None:
        """Every field by its name (a key under a name the field had before, in its `formerly`, too), absent ones
        at their default; a key the model does not know is left out; not a mapping: nothing."""
        if not isinstance(value, dict):
            return None
        values: dict[str, Any] = {}
        for spec in self.fields.values():
            for name in (spec.name, *spec.formerly):
                if name in value and (read := spec.type.read_old(value[name], renamed)) is not None:
                    values[spec.name] = read
                    break
            else:
                values[spec.name] = spec.default() if callable(spec.default) else spec.default
        return values


def _nullable(present: bool, schema: dict[str, Any]) -> dict[str, Any]:
    if present:
        return schema
    description = schema.pop("description")
    return {"anyOf": [schema, {"type": "null"}], "description": description}


class Invalid(DataError):
    """Raised by a record whose own errors are already in the context."""

    def __init__(self) -> None:
        super().__init__(Location("?"), "invalid record")
