"""The tests' one local HTTP server, threaded, on 127.0.0.1 only (never the internet): a folder of static files (a
built site), a request handler of a test's own (a web of pages for the network tools), or a WSGI application (a TAXII
server)."""

from __future__ import annotations

import functools
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

Served = type[BaseHTTPRequestHandler] | Path | Callable  # a handler class, a folder, or a WSGI application


class _Folder(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _Application(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def _server(served: Served) -> ThreadingHTTPServer | _ThreadingWSGIServer:
    address = ("127.0.0.1", 0)
    if isinstance(served, Path):
        return ThreadingHTTPServer(address, functools.partial(_Folder, directory=str(served)))
    if isinstance(served, type):
        return ThreadingHTTPServer(address, served)
    server = _ThreadingWSGIServer(address, _Application)
    server.set_app(served)
    return server


@contextmanager
def serving(served: Served) -> Iterator[int]:
    """Serve `served` (a folder, a handler class or a WSGI application) on a free port of 127.0.0.1 while the block
    runs; yields the port."""
    httpd = _server(served)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.005}, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def free_port() -> int:
    """A port of 127.0.0.1 that no one listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
