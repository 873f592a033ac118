"""`serve --dirty` bookkeeping: only a successful build is trusted, and pages that are gone leave no trace."""

from __future__ import annotations

from microsite.dirty import DirtyBuilds, prune_search_index


def built(builds: DirtyBuilds, pages: dict[str, str]) -> dict[str, bool]:
    return {path: builds.unchanged(path, markdown) for path, markdown in pages.items()}


def test_a_page_is_skipped_only_when_the_last_successful_build_had_the_same_markdown() -> None:
    builds = DirtyBuilds()
    assert built(builds, {"a.md": "A", "b.md": "B"}) == {"a.md": False, "b.md": False}
    builds.succeeded()
    assert built(builds, {"a.md": "A", "b.md": "B2"}) == {"a.md": True, "b.md": False}


def test_a_failed_build_is_never_the_reference_for_the_next_one() -> None:
    builds = DirtyBuilds()
    built(builds, {"index.md": "old summary"})
    builds.succeeded()
    built(builds, {"index.md": "new summary"})  # rendered, then the build fails after on_files
    builds.failed()
    assert built(builds, {"index.md": "new summary"}) == {"index.md": False}


def test_pages_of_the_last_build_that_are_no_longer_generated_are_gone() -> None:
    builds = DirtyBuilds()
    built(builds, {"a.md": "A", "b.md": "B"})
    builds.succeeded()
    built(builds, {"a.md": "A"})
    assert builds.gone() == ["b.md"]


def entry(location: str) -> dict[str, str]:
    return {"location": location, "title": location, "text": ""}


def test_search_keeps_previous_entries_only_of_pages_not_rendered_again() -> None:
    previous = [entry("a/"), entry("a/#facts"), entry("b/"), entry("c/")]
    kept = prune_search_index(previous, rendered={"a/", "c/"}, published={"a/", "b/", "c/"})
    assert [e["location"] for e in kept] == ["b/"]


def test_search_drops_the_previous_entries_of_deleted_pages() -> None:
    previous = [entry("a/"), entry("gone/"), entry("gone/#facts"), entry("b/")]
    kept = prune_search_index(previous, rendered=set(), published={"a/", "b/"})
    assert [e["location"] for e in kept] == ["a/", "b/"]
