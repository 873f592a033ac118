"""Work in other processes while the build process goes on: a forked child renders pages and hands them out by key
as they arrive, then writes the finished pages it is handed; a value can be computed ahead in another child.

The children are forks of the build process, so they share the linked graph without copying or pickling it. A
`Stream` child runs its jobs in order and writes each result down a pipe; a thread of the parent reads that pipe as
it fills, so the child never waits for the parent, and `get` waits only for a result that has not arrived yet. After
its jobs, the child writes the pages the parent hands it (`write`), each passed through `finish` first, until the
parent closes the stream. Where `os.fork` does not exist (Windows), everything runs in the caller's process instead,
on demand.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

Job = tuple[str, Callable[[], str]]
_HEADER = struct.Struct("!II")  # lengths of the key and of the value, in bytes
_ERROR = "\0error"  # keys no page path can be: the child's traceback, or a failure's message, follows
_FAILURE = "\0failure"


class Failure(Exception):
    """An expected failure of a job (a setting the build cannot satisfy): its message is for the reader, as it is."""


class Stream:
    """The results of the jobs that `jobs()` gives (called in the child), computed in a forked child in their order;
    then the pages handed to `write`, written there after `finish`."""

    def __init__(self, jobs: Callable[[], Iterable[Job]], finish: Callable[[str], str] = lambda page: page) -> None:
        self._make_jobs, self._finish = jobs, finish
        self._jobs: dict[str, Callable[[], str]] | None = None
        self._results: dict[str, str] = {}
        self._error: tuple[str, str] | None = None  # (_ERROR or _FAILURE, text)
        self._done = False
        self._arrived = threading.Condition()
        self._pid = 0
        if hasattr(os, "fork"):
            results_read, results_write = os.pipe()
            pages_read, pages_write = os.pipe()
            self._pid = os.fork()
            if self._pid == 0:  # the child: render, send, write; leave without running the parent's exit handlers
                os.close(results_read)
                os.close(pages_write)
                _child(jobs, finish, results_write, pages_read)
            os.close(results_write)
            os.close(pages_read)
            self._pages = os.fdopen(pages_write, "wb")
            self._reader = threading.Thread(target=self._read, args=(results_read,), daemon=True)
            self._reader.start()

    def get(self, key: str) -> str:
        """The result for `key`, waiting for it if the child has not sent it yet."""
        if not self._pid:
            if self._jobs is None:
                self._jobs = dict(self._make_jobs())
            return self._results.setdefault(key, self._jobs[key]())
        with self._arrived:
            self._arrived.wait_for(lambda: key in self._results or self._error is not None or self._done)
            if key in self._results:
                return self._results.pop(key)
        raise self._failure() or RuntimeError(f"the rendering process sent no page {key!r}")

    def write(self, path: str, page: str) -> None:
        """Have the child write `finish(page)` to the file `path` (the caller writes nothing)."""
        if not self._pid:
            _write_page(path, self._finish(page))
            return
        encoded_path, encoded = path.encode(), page.encode("utf-8", errors="surrogatepass")
        try:
            self._pages.write(_HEADER.pack(len(encoded_path), len(encoded)) + encoded_path + encoded)
        except BrokenPipeError:
            raise self._closed_failure() from None

    def close(self) -> None:
        """Let the child finish writing, wait for it to exit; raise if it failed."""
        if self._pid:
            with contextlib.suppress(BrokenPipeError):  # the child failed; its error is raised below
                self._pages.close()
            self._reader.join()
            _, status = os.waitpid(self._pid, 0)
            self._pid = 0
            if self._error or os.waitstatus_to_exitcode(status) != 0:
                raise self._failure() or RuntimeError("the rendering process failed")

    def _failure(self) -> Exception | None:
        if self._error is None:
            return None
        kind, text = self._error
        return Failure(text) if kind == _FAILURE else RuntimeError(text)

    def _closed_failure(self) -> Exception:
        self._reader.join()
        return self._failure() or RuntimeError("the rendering process stopped before writing every page")

    def abort(self) -> None:
        """Stop the child where it is (the build failed: its remaining pages are not needed) and wait for it."""
        if self._pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGTERM)
            with contextlib.suppress(BrokenPipeError):
                self._pages.close()
            self._reader.join()
            os.waitpid(self._pid, 0)
            self._pid = 0

    def _read(self, fd: int) -> None:
        try:
            with os.fdopen(fd, "rb") as pipe:
                while header := pipe.read(_HEADER.size):
                    key_size, value_size = _HEADER.unpack(_exactly(header, _HEADER.size))
                    key = _exactly(pipe.read(key_size), key_size).decode()
                    value = _exactly(pipe.read(value_size), value_size).decode()
                    with self._arrived:
                        if key in (_ERROR, _FAILURE):
                            self._error = (key, value)
                        else:
                            self._results[key] = value
                        self._arrived.notify_all()
        except (ValueError, struct.error):  # a message cut short: the child died while sending it
            with self._arrived:
                self._error = self._error or (_ERROR, "the rendering process stopped in the middle of a page")
        finally:
            with self._arrived:
                self._done = True
                self._arrived.notify_all()


def _exactly(data: bytes, size: int) -> bytes:
    if len(data) != size:
        raise ValueError(f"{len(data)} bytes where {size} were announced")
    return data


def _write_page(path: str, page: str) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(page.encode("utf-8", errors="xmlcharrefreplace"))  # as MkDocs writes pages


def _child(jobs: Callable[[], Iterable[Job]], finish: Callable[[str], str], results_fd: int, pages_fd: int) -> None:
    code = 0
    try:
        with os.fdopen(results_fd, "wb") as results, os.fdopen(pages_fd, "rb") as pages:
            def send(key: str, value: str) -> None:
                encoded_key, encoded = key.encode(), value.encode()
                results.write(_HEADER.pack(len(encoded_key), len(encoded)) + encoded_key + encoded)
                results.flush()

            try:
                for key, job in jobs():
                    send(key, job())
                while header := pages.read(_HEADER.size):
                    path_size, page_size = _HEADER.unpack(header)
                    path, page = pages.read(path_size).decode(), pages.read(page_size).decode("utf-8", "surrogatepass")
                    _write_page(path, finish(page))
            except Failure as failure:  # sent to the parent, which raises it where the next result is needed
                send(_FAILURE, str(failure))
                code = 1
            except Exception:
                send(_ERROR, traceback.format_exc())
                code = 1
    except BaseException:
        code = 1
    os._exit(code)


class Pending:
    """A value computed in a forked child from now on. `result()` returns it once, in this process or in one forked
    from it later (whichever reads it first); `close()`, in this process, waits for the child."""

    def __init__(self, job: Callable[[], Any]) -> None:
        self._job = job
        self._pid, self._fd = 0, -1
        if hasattr(os, "fork"):
            read, write = os.pipe()
            self._pid = os.fork()
            if self._pid == 0:
                os.close(read)
                _compute(job, write)
            os.close(write)
            self._fd = read

    def result(self) -> Any:
        if not self._pid:
            return self._job()
        with os.fdopen(self._fd, "rb") as pipe:
            self._fd = -1
            ok, value = pickle.load(pipe)
        if not ok:
            raise RuntimeError(value)
        return value

    def release(self) -> None:
        """Forget the value here (a child forked earlier reads it)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def close(self) -> None:
        self.release()
        if self._pid:
            os.waitpid(self._pid, 0)
            self._pid = 0


def _compute(job: Callable[[], Any], fd: int) -> None:
    try:
        try:
            data = pickle.dumps((True, job()), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            data = pickle.dumps((False, traceback.format_exc()))
        with os.fdopen(fd, "wb") as pipe:
            pipe.write(data)
    except BaseException:
        pass
    os._exit(0)
