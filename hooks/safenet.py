"""Network guards for fetching URLs that come from data or from other servers (SSRF-safe, framework-free).

    policy = Policy()
    reason = check_url(url, policy)                 # None, or why the URL is refused (scheme, userinfo, port, host)
    with open_url(url, "GET", policy=policy, deadline=Deadline(20)) as response:
        body = read_body(response, 1_000_000)

Only http and https, no credentials in the URL, ports 80 and 443 unless allowed. The host is resolved once and
every address it resolves to must be public (not loopback, private, link-local, CGNAT, multicast, reserved,
unspecified or a cloud metadata address, IPv4 embedded in IPv6 included); the connection is then made to that
checked address, so a second DNS answer cannot rebind it, while the Host header and TLS SNI keep the name.
Every read gets a socket timeout recomputed from one overall deadline, and reads stop at a byte cap.
Redirects are never followed here: pass each Location, made absolute, to `check_url` and `open_url` again.
"""

from __future__ import annotations

import functools
import http.client
import io
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]  # (host, port) → IP addresses as text

SCHEMES = {"http": 80, "https": 443}
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200", "168.63.129.16", "192.0.0.192"))
LOOPBACK, METADATA = "a loopback host name", "a cloud metadata host name"
REFUSED_NAMES = {"localhost": LOOPBACK, "metadata.google.internal": METADATA, "metadata.goog": METADATA,
                 "metadata": METADATA, "instance-data": METADATA}
REFUSED_SUFFIXES = {".localhost": LOOPBACK, ".internal": "a private-network host name", ".local": "an mDNS host name",
                    ".home.arpa": "a home-network host name"}
NAT64 = ipaddress.ip_network("64:ff9b::/96")
CGNAT = ipaddress.ip_network("100.64.0.0/10")
ADDRESS_KINDS = ("unspecified", "loopback", "link_local", "multicast", "private", "reserved")


class NetError(Exception):
    """Base of the errors raised here."""


class Refused(NetError):
    """The URL or the address it leads to is not allowed; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TooLarge(NetError):
    """The response went past the byte cap."""


class DeadlineExceeded(NetError, TimeoutError):
    """The overall deadline passed."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address getaddrinfo gives for (host, port), in order, without duplicates."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class Policy:
    """What may be fetched. `trusted_hosts` skips the address and port rules for those exact hosts: tests only."""

    ports: frozenset[int] = frozenset({80, 443})
    resolver: Resolver = system_resolver
    trusted_hosts: frozenset[str] = frozenset()

    def trusts(self, host: str) -> bool:
        return host in self.trusted_hosts


class Deadline:
    """One point in time that every connect, send and read must finish by."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds, self._clock = seconds, clock
        self._at = clock() + seconds

    def remaining(self) -> float:
        return self._at - self._clock()

    def timeout(self, cap: float | None = None) -> float:
        """The time left (at most `cap`), or DeadlineExceeded if there is none."""
        left = self.remaining()
        if left <= 0:
            raise DeadlineExceeded(f"deadline of {self.seconds:g} s exceeded")
        return left if cap is None else min(cap, left)

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a socket timeout caused by the deadline into DeadlineExceeded."""
        try:
            yield
        except TimeoutError as error:
            if isinstance(error, DeadlineExceeded) or self.remaining() > 0:
                raise
            raise DeadlineExceeded(f"deadline of {self.seconds:g} s exceeded") from None


def _host(url: str) -> tuple[str, int]:
    """The URL's host in ASCII (IDNA) form, lower case, and its port; ValueError if it has none."""
    parts = urlsplit(url)
    name = (parts.hostname or "").rstrip(".")
    if not name:
        raise ValueError("no host")
    host = name if name.isascii() else name.encode("idna").decode("ascii")
    return host.lower(), parts.port or SCHEMES.get(parts.scheme.lower(), 0)


def _embedded(address: IPAddress) -> list[IPAddress]:
    """The addresses to judge: an IPv4-mapped one as IPv4; IPv4 inside 6to4, Teredo or NAT64 as well."""
    if not isinstance(address, ipaddress.IPv6Address):
        return [address]
    if address.ipv4_mapped:
        return [address.ipv4_mapped]
    nat64 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in NAT64 else None
    return [*filter(None, [address.sixtofour, *(address.teredo or ()), nat64]), address]


def _kind(address: IPAddress) -> str | None:
    """What makes this address unfit to contact ('a loopback address'), or None."""
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address in CGNAT:
        return "a shared (CGNAT) address"
    kind = next((k for k in ADDRESS_KINDS if getattr(address, f"is_{k}")), None)
    if kind:
        return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind.replace('_', '-')} address"
    return None if address.is_global else "not a public address"


def _judge(text: str) -> tuple[str, str] | None:
    """(the address as shown, what is wrong with it), or None if it is a public unicast address."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return repr(text), "not an IP address"
    for candidate in _embedded(address):
        if kind := _kind(candidate):
            return (text if candidate == address else f"{text} (IPv4 {candidate})"), kind
    return None


def address_refusal(text: str) -> str | None:
    """Why this IP address must not be contacted, or None if it is a public unicast address."""
    judged = _judge(text)
    return f"{judged[0]} is {judged[1]}" if judged else None


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def host_refusal(host: str) -> str | None:
    """Why this host name or IP literal is refused before any DNS lookup, or None."""
    if _literal(host):
        return address_refusal(host)
    kind = REFUSED_NAMES.get(host) or next((k for end, k in REFUSED_SUFFIXES.items() if host.endswith(end)), None)
    return f"{host} is {kind}" if kind else None


def check_url(url: str, policy: Policy | None = None) -> str | None:
    """Why `url` may not be fetched (scheme, credentials, port, host), or None. Does no DNS lookup."""
    policy = policy or Policy()
    try:
        parts = urlsplit(url)
        if parts.scheme.lower() not in SCHEMES:
            return f"scheme {parts.scheme or '(none)'!r} is not http or https"
        host, port = _host(url)
    except (ValueError, UnicodeError) as error:
        return f"not a valid URL ({error})"
    if "@" in parts.netloc:
        return "credentials (user:password@) in the URL"
    if policy.trusts(host):
        return None
    if port not in policy.ports:
        return f"port {port} is not allowed"
    return host_refusal(host)


def resolve_public(host: str, port: int, policy: Policy | None = None) -> list[str]:
    """The addresses of `host` (resolved once), all checked; Refused if any is not public, or there are none."""
    policy = policy or Policy()
    trusted = policy.trusts(host)
    if not trusted and (reason := host_refusal(host)):
        raise Refused(reason)
    addresses = [host] if _literal(host) else policy.resolver(host, port)
    if not addresses:
        raise Refused(f"{host} resolves to no address")
    for address in addresses:
        judged = _judge(address)
        if judged and not (trusted and _literal(address)):
            raise Refused(f"{host} resolves to {judged[0]}, {judged[1]}" if address != host else " is ".join(judged))
    return addresses


class _DeadlineReader(io.RawIOBase):
    """Reads a socket with a timeout recomputed from the deadline before every read, up to `max_bytes`."""

    def __init__(self, sock: socket.socket, deadline: Deadline, timeout: float | None, max_bytes: int) -> None:
        super().__init__()
        self._sock, self._io = sock, sock.makefile("rb", buffering=0)  # keeps the socket open while we read
        self._deadline, self._timeout, self._cap, self._left = deadline, timeout, max_bytes, max_bytes

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int | None:  # type: ignore[override]
        if self._left <= 0:
            raise TooLarge(f"response larger than {self._cap} bytes")
        with self._deadline.guard():
            self._sock.settimeout(self._deadline.timeout(self._timeout))
            count = self._io.readinto(memoryview(buffer)[: self._left])
        self._left -= count or 0
        return count

    def close(self) -> None:
        self._io.close()
        super().close()


class _CappedResponse(http.client.HTTPResponse):
    def __init__(self, sock: socket.socket, *args: object, deadline: Deadline, timeout: float | None, max_bytes: int,
                 **kwargs: object) -> None:
        super().__init__(sock, *args, **kwargs)  # type: ignore[arg-type]
        plain, self.fp = self.fp, io.BufferedReader(_DeadlineReader(sock, deadline, timeout, max_bytes))
        plain.close()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


class PinnedConnection(http.client.HTTPConnection):
    """HTTP or HTTPS to already-checked addresses; the Host header and TLS SNI keep the host name."""

    def __init__(self, host: str, port: int, addresses: list[str], *, tls: bool, deadline: Deadline,
                 timeout: float | None = None, max_bytes: int = 1 << 20) -> None:
        super().__init__(host, port)
        self.addresses, self.tls, self.deadline, self.read_timeout = addresses, tls, deadline, timeout
        self.default_port = 443 if tls else 80
        self.response_class = functools.partial(_CappedResponse, deadline=deadline, timeout=timeout,  # type: ignore
                                                max_bytes=max_bytes)

    def connect(self) -> None:
        error: OSError = OSError(f"no address to connect to for {self.host}")
        for address in self.addresses:
            try:
                self.sock = self._connect_to(address)
                return
            except DeadlineExceeded:
                raise
            except OSError as failure:
                error = failure
        raise error

    def _connect_to(self, address: str) -> socket.socket:
        with self.deadline.guard():
            sock = socket.create_connection((address, self.port), timeout=self.deadline.timeout(self.read_timeout))
            try:
                sock.settimeout(self.deadline.timeout())  # the whole handshake and each send fit in what is left
                return _tls_context().wrap_socket(sock, server_hostname=self.host) if self.tls else sock
            except BaseException:
                sock.close()
                raise


@contextmanager
def open_url(url: str, method: str = "GET", headers: Mapping[str, str] | None = None, *, policy: Policy | None = None,
             deadline: Deadline, timeout: float | None = None, max_bytes: int = 1 << 20) -> Iterator[http.client.HTTPResponse]:
    """One request, no redirects followed: the response, whose reads keep to the deadline and the byte cap.

    Raises Refused, DeadlineExceeded, TooLarge, OSError (socket.gaierror for DNS), http.client.HTTPException or
    ValueError (e.g. a URL http.client cannot send)."""
    policy = policy or Policy()
    if reason := check_url(url, policy):
        raise Refused(reason)
    host, port = _host(url)
    parts = urlsplit(url)
    addresses = resolve_public(host, port, policy)
    connection = PinnedConnection(host, port, addresses, tls=parts.scheme.lower() == "https", deadline=deadline,
                                  timeout=timeout, max_bytes=max_bytes)
    try:
        with deadline.guard():
            connection.request(method, urlunsplit(("", "", parts.path or "/", parts.query, "")), headers=dict(headers or {}))
            response = connection.getresponse()
        with response:
            yield response
    finally:
        connection.close()


def read_body(response: http.client.HTTPResponse, limit: int) -> bytes:
    """The response body; TooLarge if it is longer than `limit` bytes (never reads more than limit + 1)."""
    body = response.read(limit + 1)
    if len(body) > limit:
        raise TooLarge(f"body larger than {limit} bytes")
    return body
