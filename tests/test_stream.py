"""Pages rendered in a second process arrive by key, and a failure there is an error here, never a lost page."""

from __future__ import annotations

import os

import pytest

from microsite.stream import Stream


def test_each_result_arrives_under_its_key_from_another_process() -> None:
    stream = Stream([(f"page-{n}.md", lambda n=n: f"{n}:{os.getpid()}") for n in range(200)])
    results = [stream.get(f"page-{n}.md") for n in reversed(range(200))]  # asked for in any order
    stream.close()
    assert [r.split(":")[0] for r in results] == [str(n) for n in reversed(range(200))]
    assert {r.split(":")[1] for r in results} != {str(os.getpid())}


def test_a_large_result_passes_whole() -> None:
    stream = Stream([("big.md", lambda: "x" * 3_000_000 + "é")])
    assert stream.get("big.md") == "x" * 3_000_000 + "é"
    stream.close()


def test_a_failing_job_is_raised_where_its_page_is_needed_and_on_close() -> None:
    def broken() -> str:
        raise ValueError("template exploded")

    stream = Stream([("a.md", lambda: "fine"), ("b.md", broken), ("c.md", lambda: "never")])
    assert stream.get("a.md") == "fine"
    with pytest.raises(RuntimeError, match="template exploded"):
        stream.get("b.md")
    with pytest.raises(RuntimeError, match="template exploded"):
        stream.close()
