"""Work in other processes: pages rendered there arrive by key, pages handed there are written after `finish`, a
value computed ahead arrives whole, and a failure there is an error here, never a lost or half-written page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from microsite.stream import Failure, Pending, Stream


@pytest.fixture(params=["forked", "in-process"])
def fork(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Both ways the work runs: in forked children, and in the caller's process where `os.fork` does not exist."""
    if request.param == "in-process":
        monkeypatch.delattr(os, "fork")
    return request.param == "forked"


def pages(count: int):
    return lambda: [(f"page-{n}.md", lambda n=n: f"{n}:{os.getpid()}") for n in range(count)]


def test_each_result_arrives_under_its_key_from_another_process() -> None:
    stream = Stream(pages(200))
    results = [stream.get(f"page-{n}.md") for n in reversed(range(200))]  # asked for in any order
    stream.close()
    assert [r.split(":")[0] for r in results] == [str(n) for n in reversed(range(200))]
    assert {r.split(":")[1] for r in results} != {str(os.getpid())}


def test_without_fork_the_same_results_come_from_this_process(fork: bool) -> None:
    stream = Stream(pages(3))
    results = [stream.get(f"page-{n}.md") for n in (2, 0, 1)]
    stream.close()
    assert [r.split(":")[0] for r in results] == ["2", "0", "1"]
    assert ({r.split(":")[1] for r in results} == {str(os.getpid())}) is not fork


def test_a_large_result_passes_whole() -> None:
    stream = Stream(lambda: [("big.md", lambda: "x" * 3_000_000 + "é")])
    assert stream.get("big.md") == "x" * 3_000_000 + "é"
    stream.close()


def test_handed_pages_are_written_after_finish_by_the_time_the_stream_closes(tmp_path: Path, fork: bool) -> None:
    stream = Stream(pages(2), finish=lambda page: page.replace("<head>", "<head><meta policy>"))
    assert stream.get("page-0.md").startswith("0:")
    for n in range(50):
        stream.write(str(tmp_path / "site" / f"p{n}" / "index.html"), f"<html><head>{n} é \ud800" + "x" * 100_000)
    stream.close()
    written = (tmp_path / "site" / "p49" / "index.html").read_bytes()
    assert written.startswith("<html><head><meta policy>49 é &#55296;".encode()) and len(written) > 100_000
    assert len(list((tmp_path / "site").iterdir())) == 50


def test_a_failing_job_is_raised_where_its_page_is_needed_and_on_close() -> None:
    def broken() -> str:
        raise ValueError("template exploded")

    stream = Stream(lambda: [("a.md", lambda: "fine"), ("b.md", broken), ("c.md", lambda: "never")])
    assert stream.get("a.md") == "fine"
    with pytest.raises(RuntimeError, match="template exploded"):
        stream.get("b.md")
    with pytest.raises(RuntimeError, match="template exploded"):
        stream.close()


def test_a_failure_reaches_the_caller_as_its_message_alone(tmp_path: Path) -> None:
    def refused():
        raise Failure("REQUIRE_HISTORY=1, but no history")

    stream = Stream(refused)
    with pytest.raises(Failure) as raised:
        stream.get("a.md")
    assert str(raised.value) == "REQUIRE_HISTORY=1, but no history"
    with pytest.raises(Failure):
        stream.write(str(tmp_path / "never.html"), "<html>" * 100_000)  # the child is gone: no page is written
    with pytest.raises(Failure):
        stream.close()
    assert not (tmp_path / "never.html").exists()


def test_a_pending_value_computed_in_another_process_is_read_by_a_process_forked_later(fork: bool) -> None:
    pending = Pending(lambda: {"pid": os.getpid(), "big": "y" * 2_000_000})
    described = lambda value: f"{value['pid']}:{len(value['big'])}"  # noqa: E731
    stream = Stream(lambda: [("value", lambda: described(pending.result()))])
    pending.release()
    pid, size = stream.get("value").split(":")
    stream.close()
    pending.close()
    assert size == "2000000"
    assert (pid != str(os.getpid())) is fork


def test_a_pending_value_whose_job_fails_raises_its_traceback_where_it_is_read() -> None:
    pending = Pending(lambda: 1 / 0)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        pending.result()
    pending.close()
