"""A lean path for plain-HTTP requests to this machine (the emulator): ``http.client`` alone.

``requests`` and urllib3 around ``http.client`` cost ~0.25 ms of CPU per request here, and
``http.client`` itself ~0.07 ms. Against the emulator a small job is two requests, so that
difference was a third of its round trip. :func:`send` is used by the exchange only when all
of these hold (:func:`eligible`):

* the URL is ``http://`` to a loopback host (``localhost``, ``127.0.0.0/8``, ``::1``),
* no proxy applies to it,
* the session's adapter is this package's plain :class:`~.deadline.DeadlineAdapter`, and
* ``HTTPAdapter.send`` is requests' own: a test double (``responses`` patches it) sees every
  request as before.

Everything else the exchange does is unchanged: the answer is a ``requests.Response`` whose
``raw`` reads from the ``http.client`` response (chunked or sized, never decompressed here),
so the deadline, the bounded reading, redirects and errors are the same code. Errors are
those requests raises (``ConnectTimeout``, ``ConnectionError``, ``ReadTimeout``), so the
retry decisions do not change either.
"""

from __future__ import annotations

import http.client
import select
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers, select_proxy
from urllib3.exceptions import ProtocolError

from .deadline import _Bounded
from .unreachable import is_loopback

__all__ = ["LoopbackPool", "eligible", "pool_of", "send"]

#: Idle keep-alive connections kept per host (more threads than this open and close theirs).
IDLE_PER_HOST = 10


class _Connection(_Bounded, http.client.HTTPConnection):
    """Joins the exchange's deadline; a small body leaves in the same write as the head."""


#: ``netloc`` → ``(host, port)`` if it is this machine, else ``None`` (bounded).
_ORIGINS: dict[str, tuple[str, int] | None] = {}


def _split(url: str) -> tuple[str, str]:
    """``(netloc, path with query)`` of an ``http://`` URL (no fragment; ``/`` if none)."""
    rest = url[7:].split("#", 1)[0]
    end = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    return rest[:end], rest[end:] if rest[end : end + 1] == "/" else "/" + rest[end:]


def eligible(url: str, proxies: Mapping[str, str] | None) -> tuple[str, int] | None:
    """``(host, port)`` if ``url`` may take the lean path (see the module docstring)."""
    if url[:7].lower() != "http://" or (
        getattr(HTTPAdapter.send, "__module__", None) != "requests.adapters"
    ):
        return None
    netloc, _ = _split(url)
    if netloc in _ORIGINS:
        where = _ORIGINS[netloc]
    else:
        where = None
        if "@" not in netloc and is_loopback(url):  # (credentials in a URL: requests' way)
            try:
                parts = urlsplit(url)
                where = (parts.hostname or "localhost", parts.port or 80)
            except ValueError:  # a bad port: requests says so
                where = None
        if len(_ORIGINS) >= 64:
            _ORIGINS.clear()
        _ORIGINS[netloc] = where
    if where is None or (proxies and select_proxy(url, dict(proxies)) is not None):
        return None
    return where


def _readable(sock: Any) -> bool:
    """Whether ``sock`` has data or an end to read now (``poll``: no FD_SETSIZE limit)."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([sock], [], [], 0)[0])  # (Windows)


class LoopbackPool:
    """Idle keep-alive connections by ``(host, port)``; each is used by one thread at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[tuple[str, int], list[http.client.HTTPConnection]] = {}

    def take(self, host: str, port: int) -> http.client.HTTPConnection | None:
        """An idle connection the server has not closed, or ``None``."""
        with self._lock:
            idle = self._idle.get((host, port))
            while idle:
                conn = idle.pop()
                sock = conn.sock
                # Readable while idle means the server closed it (or sent garbage): drop it.
                if sock is not None and not _readable(sock):
                    return conn
                conn.close()
        return None

    def give(self, host: str, port: int, conn: http.client.HTTPConnection) -> None:
        """Keeps a connection whose answer was read to the end, for the next request."""
        with self._lock:
            idle = self._idle.setdefault((host, port), [])
            if len(idle) < IDLE_PER_HOST:
                idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        """Closes every idle connection."""
        with self._lock:
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                conn.close()


def pool_of(adapter: Any) -> LoopbackPool:
    """The adapter's idle lean-path connections (created at first use; closed with it)."""
    pool: LoopbackPool | None = getattr(adapter, "_loopback", None)  # (none when unpickled)
    if pool is None:
        pool = adapter._loopback = LoopbackPool()
    return pool


class _Raw:
    """``response.raw`` over an ``http.client`` response: hands the connection back at its end."""

    def __init__(
        self,
        answer: http.client.HTTPResponse,
        conn: http.client.HTTPConnection,
        release: Any,
    ) -> None:
        self._original_response = answer  # what requests' cookie extraction reads
        self._conn: http.client.HTTPConnection | None = conn
        self._release = release

    def read(self, amt: int | None = None, decode_content: bool = False) -> bytes:
        """Up to ``amt`` bytes of the body as sent (a compressed body stays compressed)."""
        try:
            data = self._original_response.read(amt)
        except http.client.HTTPException as exc:  # e.g. IncompleteRead: as urllib3 says it
            self.close()
            raise ProtocolError(f"the answer ended early: {type(exc).__name__}") from None
        except OSError:
            self.close()
            raise
        if not data and amt != 0 and self._original_response.length:
            # A sized answer that ended early: http.client's partial reads do not say so.
            self.close()
            raise ProtocolError("the answer ended before its Content-Length")
        if not data and self._conn is not None:
            conn, self._conn = self._conn, None
            if self._original_response.will_close:
                conn.close()
            else:
                self._release(conn)
        return data

    def close(self) -> None:
        """Drops the connection unless the body was read to its end."""
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def release_conn(self) -> None:
        """What requests calls on ``Response.close()``: the same as :meth:`close` here."""
        self.close()


def send(
    pool: LoopbackPool,
    request: requests.PreparedRequest,
    timeout: tuple[float, float],
    where: tuple[str, int],
) -> requests.Response:
    """Sends ``request`` over a kept or new connection; returns before reading the body.

    Args:
        pool: Where idle connections wait.
        request: A prepared request to a URL :func:`eligible` accepted.
        timeout: ``(connect, read)`` seconds.
        where: ``(host, port)``, as :func:`eligible` returned them.

    Raises:
        requests.ConnectTimeout, requests.ConnectionError, requests.ReadTimeout: As requests
            raises them for the same failures.
    """
    url = request.url or ""
    host, port = where
    path = _split(url)[1]
    conn = pool.take(host, port)
    if conn is None:
        conn = _Connection(host, port, timeout=timeout[0])
        try:
            conn.connect()
        except TimeoutError as exc:
            conn.close()
            raise requests.ConnectTimeout(
                f"connecting to {host}:{port} timed out", request=request
            ) from exc
        except OSError as exc:
            conn.close()
            raise requests.ConnectionError(
                f"could not connect to {host}:{port}: {exc}", request=request
            ) from exc
    assert conn.sock is not None
    conn.sock.settimeout(timeout[1])
    try:
        body: Any = request.body  # bytes or str, as requests prepared it
        conn.request(request.method or "GET", path, body, dict(request.headers))
        answer = conn.getresponse()
    except TimeoutError as exc:
        conn.close()
        raise requests.ReadTimeout(
            f"{host}:{port} did not answer in time", request=request
        ) from exc
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        raise requests.ConnectionError(
            f"{host}:{port} ended the exchange: {type(exc).__name__}", request=request
        ) from exc
    response = requests.Response()
    response.status_code = answer.status
    response.reason = answer.reason
    headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
    for name, value in answer.getheaders():  # repeated fields joined, as urllib3 does
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    response.headers = headers
    response.encoding = get_encoding_from_headers(headers)
    response.raw = _Raw(answer, conn, lambda c: pool.give(host, port, c))
    response.url = url
    response.request = request
    return response
