"""Nothing in data/ is silently dropped: every value shows on the built site."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator

from microsite.model import INDICATOR_TYPES, KINDS
from microsite.render import LANGUAGES
from microsite.schema import Record, RefTo
from tests import rawdata
from tests.conftest import Build
from tests.html import Html

MONTHS = list(calendar.month_name[1:])  # the test's own oracle, independent of the core's formatting
def reference_keys() -> set[str]:
    """Keys whose values are ids (shown as links), from the declarations: every field of an id type, at any depth."""
    keys, records = set(), [kind.record for kind in KINDS.values()]
    while records:
        for spec in records.pop().fields.values():
            keys |= {spec.name} if isinstance(spec.inner, RefTo) else set()
            records += [spec.inner] if isinstance(spec.inner, Record) else []
    return keys


REFERENCE_KEYS = reference_keys()


def leaves(node: object, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], object]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, (*path, str(key)))
    elif isinstance(node, list):
        for item in node:
            yield from leaves(item, path)
    else:
        yield path, node


DECLARED_WORDS = ("type", "topic", "tier", "category", "tactic")  # `Choice` fields: shown with spaces for hyphens
BASIS_WORDS = {"stated": "named by the source", "inferred": "mapped by this site"}  # an ATT&CK mapping's basis
LANGUAGE_KEYS = ("lang", "language", "translated_from")


def human(value: object) -> str:
    text = str(value)
    if isinstance(value, dt.date):
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = text.split("-")
        return f"{MONTHS[int(month) - 1]} {year}"
    return text


def plain(text: str) -> str:
    """Prose as a reader sees it: entity links become their label or name, emphasis marks go."""
    ids = rawdata.by_id()
    text = re.sub(r"\[\[([a-z0-9-]+)\|([^\]]+)\]\]", r"\2", text)
    text = re.sub(r"\[\[([a-z0-9-]+)\]\]", lambda m: ids[m.group(1)][1]["name"], text)
    return " ".join(re.sub(r"\*([^*]+)\*", r"\1", text).split())


def test_every_value_in_the_data_appears_on_the_entitys_page(real_site: Build) -> None:
    ids = rawdata.by_id()
    missing = []
    for folder, data in rawdata.entities():
        page_file = real_site.site / folder / data["id"] / "index.html"
        page = Html.parse(page_file)
        for path, value in leaves(data):
            key = path[-1]
            if key in REFERENCE_KEYS or path == ("id",):  # a technique's 'id' deeper down is ATT&CK's, shown as text
                target_folder, _ = ids[value]
                ok = page.links_to(real_site.site, real_site.site / target_folder / str(value) / "index.html")
            elif key == "former_ids":
                old = str(value) if "/" in str(value) else f"{folder}/{value}"  # 'weapons/x' moved from another kind
                ok = (real_site.site / old / "index.html").exists()
            elif key == "key":
                ok = not value or Html.parse(real_site.site / "index.html").links_to(real_site.site, page_file)
            elif isinstance(value, bool):
                ok = ("yes" if value else "no") in page.article_text
            elif path == ("relations", "type"):
                ok = True  # checked as sentences by test_every_relation_shows_on_both_ends_with_its_sentence
            elif path == ("indicators", "type"):  # a list of indicators is headed by its type's title: 'MD5 file hashes'
                ok = INDICATOR_TYPES[value].title in page.article_text
            elif path == ("techniques", "basis"):
                ok = BASIS_WORDS[value] in page.article_text
            elif key in DECLARED_WORDS:  # a declared word reads as words: 'hacking-group' → 'hacking group'
                ok = str(value).replace("-", " ") in page.article_text
            elif key in LANGUAGE_KEYS:  # a language code reads as the language's name: 'en' → 'English'
                ok = LANGUAGES.get(str(value), str(value)) in page.article_text
            else:
                ok = plain(human(value)) in page.article_text
            if not ok:
                missing.append(f"{folder}/{data['id']}.yml: {'.'.join(path)} = {value!r}")
    assert not missing, "\n".join(missing)
