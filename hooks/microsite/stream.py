"""Render pages in a second process while the first goes on: results are handed out by key as they arrive.

The child is a fork of the build process, so it shares the linked graph without copying or pickling it; it runs
the jobs in order and writes each result down a pipe. A thread of the parent reads the pipe as it fills, so the
child never waits for the parent; `get` waits only for a result that has not arrived yet. Where `os.fork` does not
exist (Windows), the jobs run in the caller's process instead, on demand.
"""

from __future__ import annotations

import os
import struct
import threading
import traceback
from collections.abc import Callable

Job = tuple[str, Callable[[], str]]
_HEADER = struct.Struct("!II")  # lengths of the key and of the value, in bytes
_ERROR = "\0error"  # a key no page path can be: the child's traceback follows


class Stream:
    """The results of `jobs`, computed in a forked child process in their order."""

    def __init__(self, jobs: list[Job]) -> None:
        self._jobs = dict(jobs)
        self._results: dict[str, str] = {}
        self._error: str | None = None
        self._done = False
        self._arrived = threading.Condition()
        self._pid = 0
        if hasattr(os, "fork"):
            read, write = os.pipe()
            self._pid = os.fork()
            if self._pid == 0:  # the child: render, send, and leave without running the parent's exit handlers
                os.close(read)
                _child(jobs, write)
            os.close(write)
            self._reader = threading.Thread(target=self._read, args=(read,), daemon=True)
            self._reader.start()

    def get(self, key: str) -> str:
        """The result for `key`, waiting for it if the child has not sent it yet."""
        if not self._pid:
            return self._results.setdefault(key, self._jobs[key]())
        with self._arrived:
            self._arrived.wait_for(lambda: key in self._results or self._error is not None or self._done)
            if key in self._results:
                return self._results.pop(key)
        raise RuntimeError(self._error or f"the rendering process sent no page {key!r}")

    def close(self) -> None:
        """Wait for the child to exit; raise if it failed."""
        if self._pid:
            self._reader.join()
            _, status = os.waitpid(self._pid, 0)
            self._pid = 0
            if self._error or os.waitstatus_to_exitcode(status) != 0:
                raise RuntimeError(self._error or "the rendering process failed")

    def _read(self, fd: int) -> None:
        with os.fdopen(fd, "rb") as pipe:
            while header := pipe.read(_HEADER.size):
                key_size, value_size = _HEADER.unpack(header)
                key, value = pipe.read(key_size).decode(), pipe.read(value_size).decode()
                with self._arrived:
                    if key == _ERROR:
                        self._error = value
                    else:
                        self._results[key] = value
                    self._arrived.notify_all()
        with self._arrived:
            self._done = True
            self._arrived.notify_all()


def _child(jobs: list[Job], fd: int) -> None:
    code = 0
    try:
        with os.fdopen(fd, "wb") as pipe:
            for key, job in jobs:
                try:
                    value = job()
                except Exception:  # sent to the parent, which raises it where the page is needed
                    key, value, code = _ERROR, traceback.format_exc(), 1
                encoded_key, encoded = key.encode(), value.encode()
                pipe.write(_HEADER.pack(len(encoded_key), len(encoded)) + encoded_key + encoded)
                if code:
                    break
    except BaseException:
        code = 1
    os._exit(code)
