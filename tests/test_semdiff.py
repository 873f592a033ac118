"""The semantic diff in-process: versions of a data file are read as plain YAML, named by today's data model, and
compared as data."""

from __future__ import annotations

import dataclasses

import pytest

from microsite.gitlog import clean
from microsite.history import NOT_DATA, Gap, parse
from microsite.model import FACT, RELATION, RELATION_TYPES
from microsite.semdiff import Named, Version, diff, prose_words, reworded, say
from microsite.text import xml_escape

PATH = "data/actors/lazarus-group.yml"
BASE = """id: lazarus-group
name: Lazarus Group
type: group
summary: A North Korean hacking group.
facts:
  - statement: The group may have used [[opencarrot|a backdoor]].
    status: alleged
    citations:
      - source: sample-article
        quote: The Lazarus Group may have used a backdoor called OpenCarrot.
relations:
  - type: targeted
    target: npo-mash
    status: reported
    citations:
      - source: sample-article
        quote: It is a rare glimpse
"""


def version(text: str, renamed: dict[str, str] | None = None) -> Version:
    parsed = parse(text.encode(), PATH, renamed)
    assert isinstance(parsed, Version), parsed
    return parsed


def said(old: str, new: str) -> list[str]:
    return [say(line, lambda entity_id: None) for line in diff(version(old), version(new)).lines]


def test_a_reformatted_version_says_nothing() -> None:
    flow = ("# a comment\nname: 'Lazarus Group'\nid: lazarus-group\ntype: group\nsummary: >-\n  A North Korean\n"
            "  hacking group.\nrelations: [{type: targeted, target: npo-mash, status: reported, citations: "
            "[{source: sample-article, quote: It is a rare glimpse}]}]\nfacts:\n  - status: alleged\n"
            "    statement: \"The group may have used [[opencarrot|a backdoor]].\"\n    citations:\n"
            "      - {source: sample-article, quote: The Lazarus Group may have used a backdoor called OpenCarrot.}\n")
    assert said(BASE, flow) == []


def test_a_status_change_is_said_from_what_to_what() -> None:
    assert said(BASE, BASE.replace("status: alleged", "status: reported")) == [
        "status of 'The group may have used a backdoor.' changed from alleged to reported"]


def test_a_second_citation_is_a_new_source_for_the_fact() -> None:
    cited = BASE.replace("called OpenCarrot.\n", "called OpenCarrot.\n      - source: reuters\n        quote: They used it.\n")
    assert said(BASE, cited) == ["new source cited for 'The group may have used a backdoor.': reuters"]


def test_a_fact_reworded_and_corrected_at_once_stays_one_fact() -> None:
    new = BASE.replace("may have used [[opencarrot|a backdoor]]", "used [[opencarrot|the OpenCarrot backdoor]]")
    new = new.replace("status: alleged", "status: reported")
    assert said(BASE, new) == [
        "fact reworded: 'The group used the OpenCarrot backdoor.' (was 'The group may have used a backdoor.')",
        "status of 'The group used the OpenCarrot backdoor.' changed from alleged to reported"]


def test_a_removed_fact_is_withdrawn_and_a_new_relation_is_named_as_a_sentence() -> None:
    new = BASE.replace(BASE[BASE.index("facts:"):BASE.index("relations:")], "")
    new += ("  - type: used\n    target: opencarrot\n    status: alleged\n    citations:\n"
            "      - source: sample-article\n        quote: It is a rare glimpse\n")
    assert said(BASE, new) == ["fact withdrawn: 'The group may have used a backdoor.'",
                               "new relation: 'Lazarus Group used opencarrot'"]


def test_a_reference_to_an_entity_renamed_later_is_no_change() -> None:
    renamed = BASE.replace("target: npo-mash", "target: npo-mashinostroyeniya")
    assert diff(version(BASE, {"npo-mash": "npo-mashinostroyeniya"}), version(renamed)).lines == []
    assert said(BASE, renamed) == ["'Lazarus Group targeted npo-mashinostroyeniya': target changed from npo-mash "
                                   "to npo-mashinostroyeniya"]


def test_only_a_version_that_is_no_yaml_data_is_a_gap_said_in_words_for_readers() -> None:
    for raw in (b"id: [", b"\x00\xff", b"- a list\n- not an entity\n", b"a: 1\n---\nb: 2\n"):
        assert parse(raw, PATH) == Gap(NOT_DATA)
    assert parse(None, PATH) == Gap("this version of the file is too large to be data")


def test_a_version_today_s_model_would_refuse_is_read_all_the_same() -> None:
    assert isinstance(parse(BASE.replace("type: group", "type: gang").encode(), PATH), Version)
    assert isinstance(parse(BASE.replace("summary: A North Korean hacking group.\n", "").encode(), PATH), Version)


def test_a_version_with_a_field_the_model_no_longer_has_still_yields_change_lines() -> None:
    old = BASE.replace("type: group\n", "type: group\nmotto: Hack the planet\nfounded: {year: 2009}\n")
    assert said(old, BASE.replace("status: alleged", "status: reported")) == [
        "status of 'The group may have used a backdoor.' changed from alleged to reported"]
    assert said(old, BASE) == []


def test_a_version_without_a_field_the_model_now_requires_says_it_was_added() -> None:
    assert said(BASE.replace("type: group\n", ""), BASE) == ["type added: group"]


def test_a_value_of_a_shape_the_model_no_longer_takes_is_said_in_general_words() -> None:
    old = BASE.replace("name: Lazarus Group", "name: {en: Lazarus Group, ko: 라자루스}")
    assert said(old, BASE) == ["name changed"]
    facts_as_text = BASE[:BASE.index("facts:")] + "facts:\n  - The group may have used a backdoor.\n" + BASE[
        BASE.index("relations:"):]
    assert said(facts_as_text, BASE) == ["new fact: 'The group may have used a backdoor.'"]


def test_a_renamed_relation_type_is_not_shown_as_removed_and_added(monkeypatch: pytest.MonkeyPatch) -> None:
    aliases = RELATION.fields["type"].type.aliases
    assert aliases == {old: new for new, declared in RELATION_TYPES.items() for old in declared.formerly}
    monkeypatch.setitem(aliases, "attacked", "targeted")  # as `formerly=("attacked",)` on 'targeted' declares it
    assert said(BASE.replace("type: targeted", "type: attacked"), BASE) == []


def test_a_relation_type_the_model_no_longer_knows_is_one_relation_whose_type_changed() -> None:
    assert said(BASE.replace("type: targeted", "type: attacked"), BASE) == [
        "'Lazarus Group targeted npo-mash': type changed from attacked to targeted"]
    assert said(BASE, BASE.replace("type: targeted", "type: attacked")) == [
        "'Lazarus Group is related to npo-mash': type changed from targeted to attacked"]


def test_a_renamed_field_is_read_under_its_former_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(FACT.fields, "status", dataclasses.replace(FACT.fields["status"], formerly=("certainty",)))
    assert said(BASE.replace("status: alleged", "certainty: alleged"), BASE) == []
    assert said(BASE.replace("status: alleged", "certainty: alleged"), BASE.replace("status: alleged", "status: reported")) == [
        "status of 'The group may have used a backdoor.' changed from alleged to reported"]


def test_a_reworded_line_shows_where_the_wording_differs() -> None:
    start = ("According to the report, which its authors published in August 2023 after many months of work by a "
             "research team of four, ")
    before, after = start + "the group used a backdoor.", start + "the group used the OpenCarrot backdoor."
    line = said(BASE.replace("The group may have used [[opencarrot|a backdoor]].", before),
                BASE.replace("The group may have used [[opencarrot|a backdoor]].", after))[0]
    assert line == ("fact reworded: '…by a research team of four, the group used the OpenCarrot backdoor.' "
                    "(was '…by a research team of four, the group used a backdoor.')")
    assert reworded("Short. Same start, then another end.", "Short. Same start, then one more end.") == (
        ("Short. Same start, then another end.",), ("Short. Same start, then one more end.",))


def test_prose_reads_as_plain_words_with_entities_by_name_and_long_text_cut() -> None:
    words = prose_words("*Reportedly* [[lazarus-group]] used [[opencarrot|a backdoor]].")
    assert words == ("Reportedly", " ", Named("lazarus-group"), " used ", "a backdoor", ".")
    assert say(words, {"lazarus-group": "Lazarus Group"}.get) == "Reportedly Lazarus Group used a backdoor."
    assert say(prose_words("word " * 100, 20), lambda _: None) == "word word word word…"


def test_text_from_git_loses_control_characters_and_is_cut_short() -> None:
    assert clean("  a\x1b[31mb\x07 \u202ec\r\n\td  ", 100) == "a[31mb c d"
    assert clean("x" * 500, 300) == "x" * 299 + "…"


def test_xml_text_is_escaped_and_drops_what_xml_cannot_hold() -> None:
    assert xml_escape('<a href="x">&\x00\x1b\ufffe\U0001F600</a>') == "&lt;a href=&quot;x&quot;&gt;&amp;\U0001F600&lt;/a&gt;"


def test_dates_are_said_as_readers_write_them_and_a_date_of_an_old_shape_in_general_words() -> None:
    path = "data/events/opencarrot-compiled.yml"
    event = ("id: opencarrot-compiled\nname: OpenCarrot compiled\nsummary: It was compiled.\ndate: 2021-12-01\n"
             "involves: [opencarrot]\ncitations:\n  - source: sample-article\n    quote: compiled\n")

    def said_of(new_date: str) -> list[str]:
        old, new = parse(event.encode(), path), parse(event.replace("2021-12-01", new_date).encode(), path)
        assert isinstance(old, Version) and isinstance(new, Version)
        return [say(line, lambda _: None) for line in diff(old, new).lines]

    assert said_of("{start: 2021, qualifier: late, end: 2022-05}") == [
        "date changed from 1 December 2021 to late 2021 – May 2022"]
    assert said_of("{start: 2022-05, qualifier: mid}") == ["date changed from 1 December 2021 to mid-May 2022"]
    assert said_of("{start: '2021-12-01'}") == []
    assert said_of("[2021, 2022]") == ["date changed"]
