"""The core's pure functions, in-process: dates and periods, citation numbering, prose, quotes, coverage."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from microsite import check
from microsite.model import Citation
from microsite.pages import url_of
from microsite.quotes import Archive, _normalize_by_cluster, anchor, fold, normalize
from microsite.render import References
from microsite.schema import PartialDate, Period, Ref
from microsite.text import prose, skeleton
from microsite.views import coverage, segments
from tests.conftest import ROOT

MINIMAL = ROOT / "tests" / "fixtures" / "minimal"


@pytest.mark.parametrize(("date", "text", "precision"), [
    (PartialDate(2023, 8, 7), "7 August 2023", "day"),
    (PartialDate(2022, 5), "May 2022", "month"),
    (PartialDate(2021), "2021", "year"),
])
def test_a_date_reads_in_words_at_its_own_precision(date: PartialDate, text: str, precision: str) -> None:
    assert (date.human(), date.precision) == (text, precision)


def test_a_date_covers_every_day_its_precision_allows() -> None:
    assert PartialDate(2024, 2).bounds() == ((2024, 2, 1), (2024, 2, 29))
    assert PartialDate(2021).bounds() == ((2021, 1, 1), (2021, 12, 31))


@pytest.mark.parametrize(("period", "text"), [
    (Period(PartialDate(2021), "late", PartialDate(2022, 5)), "late 2021 – May 2022"),
    (Period(PartialDate(2022, 5), "mid"), "mid-May 2022"),
    (Period(PartialDate(2023, 7), "about"), "about July 2023"),
    (Period(PartialDate(2023, 8, 7)), "7 August 2023"),
])
def test_a_period_reads_with_its_qualifier_and_end(period: Period, text: str) -> None:
    assert period.human() == text


def test_periods_order_approximate_dates_where_they_belong() -> None:
    dates = [Period(PartialDate(2021), "late"), Period(PartialDate(2021, 10)), Period(PartialDate(2021, 3)),
             Period(PartialDate(2022, 5), "early"), Period(PartialDate(2022, 5, 10)), Period(PartialDate(2021), "early")]
    ordered = sorted(dates, key=Period.sort_key)
    assert [p.human() for p in ordered] == ["early 2021", "March 2021", "October 2021", "late 2021", "early May 2022",
                                            "10 May 2022"]


def cite(source: str, quote: str, locator: str | None = None) -> Citation:
    return Citation(Ref(source, None), quote, locator, None, None)  # type: ignore[arg-type]


def test_each_distinct_source_quote_and_locator_gets_one_number_in_order_of_first_use() -> None:
    refs = References()
    numbers = [refs.number(c) for c in (cite("a", "x"), cite("b", "x"), cite("a", "x"), cite("a", "x", "p. 2"))]
    assert numbers == [1, 2, 1, 3]
    assert [c.source.id for c in refs.entries] == ["a", "b", "a"]


def test_prose_renders_only_emphasis_and_entity_links_and_escapes_the_rest() -> None:
    def link(entity_id: str, label: str | None) -> Markup:
        return Markup(f"<{entity_id}|{label}>")

    out = prose("A *real* [[npo-mash|maker]] <b>x</b> [y](javascript:z) [[opencarrot]]", link)
    assert out == "A *real* <npo-mash|maker> &lt;b&gt;x&lt;/b&gt; \\[y\\]\\(javascript:z\\) <opencarrot|None>"


def test_quotes_match_across_typography_and_white_space_and_keep_their_place_in_the_text() -> None:
    archive = Archive("He said: “It is a  rare\nglimpse” — today.")
    start, end = archive.locate('It is a rare glimpse" -')
    assert archive.text[start:end] == "It is a  rare\nglimpse” —"
    assert archive.locate("It is a common glimpse") is None
    assert anchor("“It is”") == anchor('"It  is"') and fold(" a\u00a0b ") == "a b"


def test_quotes_match_across_soft_hyphens_invisible_marks_and_decomposed_accents() -> None:
    archive = Archive("Die Ope\u00adration lief mona\u200btelang, sagte Mu\u0308ller: \u203aja\u2039.")
    start, end = archive.locate("Operation lief monatelang, sagte Müller: 'ja'")
    assert archive.text[start:end] == "Ope\u00adration lief mona\u200btelang, sagte Mu\u0308ller: \u203aja\u2039"
    start, end = archive.locate("sagte Müller")
    assert archive.text[start:end] == "sagte Mu\u0308ller"  # the composed ü stands for u and its combining mark
    assert fold("Ope\u00adration\ufeff") == "Operation" and anchor("Müller") == anchor("Mu\u0308ller")


# Letters, white space of several kinds, typographic marks that fold, invisible marks that vanish, combining marks
# and Hangul jamo that compose with what precedes them (white space included), and a precomposed letter.
TEXT = st.text(alphabet=st.sampled_from(
    list("ab .\n\t\x1c") + ["\u00a0", "\u2009", "\u201c", "\u2014", "\u00ad", "\u200b", "\ufeff",
                             "\u0301", "\u0308", "e", "\u00e9", "\u1100", "\u1161", "\u11a8", "\U0001d165"]),
    max_size=40)


@given(TEXT)
def test_normalizing_word_by_word_gives_what_normalizing_cluster_by_cluster_gives(text: str) -> None:
    assert normalize(text) == _normalize_by_cluster(text)


@pytest.mark.parametrize(("disguised", "plain"), [
    ("NPO Mаsh", "NPO Mash"),  # Cyrillic а
    ("NPՕ Mash", "NPO Mash"),  # Armenian capital Օ
    ("Lazarus Ꮐroup", "Lazarus Group"),  # Cherokee Ꮐ
    ("Lazarus ɢroup", "Lazarus Group"),  # small capital ɢ
    ("ʟazarus Group", "Lazarus Group"),  # small capital ʟ
    ("Lazarus Grօup", "Lazarus Group"),  # Armenian օ
    ("Lazarus Grοup", "Lazarus Group"),  # Greek ο
    ("Lazarus Gr𝗈up", "Lazarus Group"),  # mathematical sans-serif o, by NFKC
    ("Ｌａｚａｒｕｓ Ｇｒｏｕｐ", "Lazarus Group"),  # full width, by NFKC
])
def test_names_that_only_look_alike_have_the_same_skeleton(disguised: str, plain: str) -> None:
    assert skeleton(disguised) == skeleton(plain)


def test_names_with_other_letters_or_accents_keep_their_own_skeleton() -> None:
    assert skeleton("Lazarus") != skeleton("Lazarvs")
    assert skeleton("Café") != skeleton("Cafe")
    assert skeleton("Kim Jong Un") != skeleton("Kim Jong Il")


@pytest.mark.parametrize(("path", "url"), [("index.md", ""), ("actors/index.md", "actors/"),
                                           ("actors/kim.md", "actors/kim/"), ("certainty.md", "certainty/")])
def test_every_markdown_path_has_the_url_mkdocs_publishes_it_at(path: str, url: str) -> None:
    assert url_of(path) == url


def test_coverage_gives_each_sentence_of_an_archive_its_citing_claims_or_reason() -> None:
    graph = check(Path(MINIMAL))
    rows = coverage(graph, graph.get("sample-article"))
    assert [row.sentence for row in rows] == ["date 2023-08-10 Sample header",
                                              "The Lazarus Group may have used a backdoor called OpenCarrot.",
                                              "“It is a rare glimpse,” a researcher said."]
    assert [sorted({c.entity.id for c in row.claims}) for row in rows] == [
        [], ["intrusion", "lazarus-group"], ["lazarus-group", "rare-glimpse"]]


def test_segments_mark_exactly_the_cited_stretches_of_each_paragraph() -> None:
    graph = check(Path(MINIMAL))
    paragraphs = segments(graph, graph.get("sample-article"))
    marked = ["".join(s.text for s in p if s.marked) for p in paragraphs]
    assert marked == ["", "The Lazarus Group may have used a backdoor called OpenCarrot."
                          "“It is a rare glimpse,” a researcher said."]
    assert [s.text for s in paragraphs[1] if not s.marked] == [" ", "\n"]  # the space between two quotes is not quoted
