"""Each field type owns the forms its values take: JSON, spreadsheet text, readers' words, page markup and STIX."""

from __future__ import annotations

from typing import Any

import pytest

from microsite.errors import Location
from microsite.model import CITATION, KINDS, STATUS, TECHNIQUES, Certainty
from microsite.schema import (
    Choice,
    Date,
    Field,
    Flag,
    Language,
    ListOf,
    PartialDate,
    Period,
    Record,
    Ref,
    RefTo,
    Role,
    Text,
    Url,
    When,
)

HERE = Location("data/actors/x.yml", 1, 1)
NAMES = {"scarcruft": "ScarCruft", "lazarus-group": "Lazarus Group"}


class Page:
    """A page writer that marks what it was asked to do, so a test sees which form a type chose."""

    def escape(self, text: str) -> str:
        return f"esc({text})"

    def link(self, ref: Ref) -> str:
        return f"link({ref.id})"

    def prose(self, text: str) -> str:
        return f"prose({text})"

    def url(self, url: str) -> str:
        return f"url({url})"

    def status(self, name: str) -> str:
        return f"status({name})"


class Refs:
    def stix_ref(self, entity_id: str) -> str:
        return f"identity--{entity_id}"

    def name_of(self, entity_id: str) -> str:
        return NAMES[entity_id]


LATE_2021 = Period(PartialDate(2021), "late", PartialDate(2022, 5))
REFS = [Ref("scarcruft", HERE), Ref("lazarus-group", HERE)]

# type, value, exported (JSON), cell (spreadsheet), words (readers), shown (page)
FORMS: list[tuple[str, Any, Any, Any, str, str, str]] = [
    ("text", Text(), "a  b", "a  b", "a b", "a  b", "esc(a  b)"),
    ("prose", Text(prose=True), "*a*", "*a*", "*a*", "*a*", "prose(*a*)"),
    ("language", Language(), "ru", "ru", "ru", "Russian", "esc(Russian)"),
    ("url", Url(), "https://x.example/", "https://x.example/", "https://x.example/", "https://x.example/",
     "url(https://x.example/)"),
    ("choice", Choice({"hacking-group": ""}), "hacking-group", "hacking-group", "hacking-group", "hacking group",
     "esc(hacking group)"),
    ("status", STATUS, "alleged", "alleged", "alleged", "alleged", "status(alleged)"),
    ("flag", Flag(), True, True, "yes", "yes", "esc(yes)"),
    ("date", Date(), PartialDate(2022, 5), "2022-05", "2022-05", "May 2022", "esc(May 2022)"),
    ("period", When(), LATE_2021, {"start": "2021", "qualifier": "late", "end": "2022-05"}, "late 2021 – 2022-05",
     "late 2021 – May 2022", "esc(late 2021 – May 2022)"),
    ("reference", RefTo("actor"), REFS[0], "scarcruft", "scarcruft", "ScarCruft", "link(scarcruft)"),
    ("list of references", ListOf(RefTo()), REFS, ["scarcruft", "lazarus-group"], "scarcruft; lazarus-group",
     "ScarCruft, Lazarus Group", "link(scarcruft), link(lazarus-group)"),
    ("list of choices", ListOf(Choice({"remote-access-trojan": ""})), ["remote-access-trojan"],
     ["remote-access-trojan"], "remote-access-trojan", "remote access trojan", "esc(remote access trojan)"),
]


@pytest.mark.parametrize(("field_type", "value", "json", "cell", "words", "shown"), [f[1:] for f in FORMS],
                         ids=[f[0] for f in FORMS])
def test_a_field_type_gives_each_form_of_its_value(field_type, value, json, cell, words, shown) -> None:
    assert field_type.exported(value) == json
    assert field_type.cell(value) == cell
    assert field_type.words(value, NAMES.get) == words
    assert field_type.shown(value, Page()) == shown


def test_a_reference_in_stix_is_an_id_in_a_reference_property_and_a_name_elsewhere() -> None:
    one, many = RefTo(), ListOf(RefTo())
    assert one.stix_value(REFS[0], "created_by_ref", Refs()) == "identity--scarcruft"
    assert one.stix_value(REFS[0], "authors", Refs()) == ["ScarCruft"]
    assert many.stix_value(REFS, "object_refs", Refs()) == ["identity--scarcruft", "identity--lazarus-group"]


def test_a_date_in_stix_is_the_first_moment_it_may_mean() -> None:
    assert Date().stix_value(PartialDate(2022, 5), "published", Refs()) == "2022-05-01T00:00:00.000Z"


def test_a_status_in_stix_is_its_confidence() -> None:
    assert isinstance(STATUS, Certainty)
    assert STATUS.stix_value("confirmed", "confidence", Refs()) == 85


def test_a_stix_mapping_on_a_type_that_has_no_stix_form_fails_when_declared() -> None:
    with pytest.raises(TypeError, match="no STIX form for 'first_seen'"):
        Field("period", When(), "when", stix="first_seen")
    with pytest.raises(TypeError, match="no STIX form for 'external_references'"):
        Field("citations", ListOf(CITATION), "sources", stix="external_references")


def test_a_period_may_be_a_line_of_a_stix_description() -> None:
    assert Field("period", When(), "when", stix="description").stix == "description"


def test_every_declared_stix_mapping_has_a_form() -> None:
    """The declarations themselves: importing the model checks them, and each names a form its type has."""
    for kind in KINDS.values():
        for spec in kind.fields:
            if spec.stix:
                assert spec.type.stix_allows(spec.stix), (kind.name, spec.name)


def test_records_are_known_by_their_role_not_their_name() -> None:
    assert Field("sources", ListOf(Record("any name", (), role=Role.CITATION)), "").cites
    assert not Field("sources", ListOf(Record("citation", ())), "").cites
    assert [spec.name for spec in KINDS["event"].fields if spec.cites] == ["citations"]
    assert TECHNIQUES.item.role is Role.TECHNIQUE


class Say:
    def word(self, text: str) -> tuple[str, ...]:
        return (text,)

    def quote(self, text: str) -> tuple[str, ...]:
        return ("'", text, "'")

    def name(self, entity_id: str) -> tuple[str, ...]:
        return (f"<{entity_id}>",)


RENAMED = {"lazarus": "lazarus-group"}
# type, a value of an old version as plain YAML, how the type reads it, how a change note says that
OLD: list[tuple[str, Any, Any, Any, tuple[str, ...]]] = [
    ("text", Text(), "a \n b", "a b", ("'", "a b", "'")),
    ("prose follows a renamed link", Text(prose=True), " see [[lazarus]] ", "see [[lazarus-group]]",
     ("'", "see [[lazarus-group]]", "'")),
    ("an old word of a choice", Choice({"used": ""}, {"deployed": "used"}), "deployed", "used", ("used",)),
    ("a year YAML read as a number", Date(), 2021, "2021", ("2021",)),
    ("a date", Date(), "2022-05-07", "2022-05-07", ("7 May 2022",)),
    ("a period written as a date", When(), "2021", {"start": "2021", "qualifier": None, "end": None}, ("2021",)),
    ("a renamed reference", RefTo(), "lazarus", "lazarus-group", ("<lazarus-group>",)),
    ("true", Flag(), True, True, ("true",)),
]


@pytest.mark.parametrize(("field_type", "old", "read", "said"), [o[1:] for o in OLD], ids=[o[0] for o in OLD])
def test_a_field_type_reads_and_says_a_value_of_an_old_version(field_type, old, read, said) -> None:
    assert field_type.read_old(old, RENAMED) == read
    assert field_type.sayable(read)
    assert field_type.said(read, Say()) == said


def test_an_old_value_of_another_shape_is_kept_for_a_general_change_note() -> None:
    assert Text().read_old(["a", "list"], {}) == ["a", "list"] and not Text().sayable(["a", "list"])
    assert ListOf(Text()).read_old("one", {}) == ["one"]
    assert Record("x", (Field("a", Text(), ""),)).read_old("not a mapping", {}) is None
    assert Text().read_old("", {}) is None and ListOf(Text()).read_old([], {}) is None


def test_an_old_record_is_read_under_its_fields_former_names_and_forgets_unknown_keys() -> None:
    record = Record("x", (Field("title", Text(), "", formerly=("headline",)), Field("tags", ListOf(Text()), "",
                                                                                    default=list)))
    assert record.read_old({"headline": "Hi", "gone": 1}, {}) == {"title": "Hi", "tags": []}


def convert(record: Record, text: str) -> tuple[Any, list[str]]:
    import yaml as pyyaml

    from microsite.errors import DataError
    from microsite.schema import Context

    ctx = Context("data/x.yml")
    try:
        return record.convert(pyyaml.compose(text), ctx), [e.message for e in ctx.errors]
    except DataError:
        return None, [e.message for e in ctx.errors]


def test_a_renamed_key_is_read_under_its_new_name_from_data_that_still_uses_the_old_one() -> None:
    record = Record("x", (Field("title", Text(), "", required=True, formerly=("headline",)),))
    assert convert(record, "headline: Hi\n") == ({"title": "Hi"}, [])
    assert convert(record, "title: Hi\n") == ({"title": "Hi"}, [])
    _, errors = convert(record, "title: Hi\nheadline: Ho\n")
    assert errors == ["'headline' is the former name of 'title', which this x also has"]
    schema = record.json_schema()["properties"]
    assert schema["headline"]["deprecated"] is True and "title" in schema
