"""A printout for readers: the article alone, compact, with the address of every outside link written out."""

from __future__ import annotations

import re

from tests.browser.conftest import Reader


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def test_an_entity_page_prints_on_half_the_pages_with_no_menu_and_its_sources_addresses(desktop: Reader) -> None:
    page = desktop.open("actors/scarcruft/")
    printed = pages(page.pdf(format="A4"))
    page.emulate_media(media="screen")  # the same page printed as the screen shows it: without the print style
    try:
        unstyled = pages(page.pdf(format="A4"))
    finally:
        page.emulate_media(media=None)
    assert 0 < printed <= unstyled / 2, (printed, unstyled)
    page.emulate_media(media="print")
    try:
        assert page.locator(".md-sidebar--primary").is_hidden() and page.locator(".md-header").is_hidden()
        assert page.locator("article details").count() == 0 or page.locator("article details").first.is_hidden()
        addresses = page.locator("article .print-url")  # each reference's web address, shown only in print
        assert addresses.count() > 10 and addresses.first.is_visible()
        assert all(text.strip().startswith("http") for text in addresses.all_inner_texts())
    finally:
        page.emulate_media(media="screen")
