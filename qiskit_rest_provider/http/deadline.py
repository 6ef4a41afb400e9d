"""An overall deadline for one HTTP exchange, not only a timeout between two bytes.

``requests``' read timeout bounds each wait for the next bytes, so a server dripping one byte
every half second keeps a request alive for as long as it likes. Here every connection a request
uses is registered with the deadline of the exchange in progress (a context variable set by
:func:`deadline_scope`); one daemon thread shuts those sockets down when the deadline passes,
which wakes a blocked ``recv`` at once. The caller then sees :attr:`Scope.expired` and raises a
timeout. Connecting is still bounded by the connect timeout.
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["DeadlineAdapter", "Scope", "deadline_scope"]


class Scope:
    """The deadline of one exchange and the connections it used."""

    __slots__ = ("deadline", "connections", "expired", "active", "queued")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.connections: list[Any] = []
        self.expired = False
        self.active = True
        self.queued = False  # in the reaper's heap and not yet released


_CURRENT: contextvars.ContextVar[Scope | None] = contextvars.ContextVar(
    "qiskit_rest_provider_deadline", default=None
)


class _Reaper:
    """One thread for all deadlines: sleeps until the earliest, cuts its connections."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Scope]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._queued = 0  # scopes in the heap still in use; the rest are dropped lazily

    def register(self, scope: Scope, connection: Any) -> None:
        with self._cond:
            if not scope.active:
                return
            if not scope.queued:
                scope.queued = True
                self._queued += 1
                if len(self._heap) > 256 and len(self._heap) > 4 * self._queued:
                    # Released scopes wait in the heap until their deadline; drop them in bulk.
                    self._heap = [entry for entry in self._heap if entry[2].queued]
                    heapq.heapify(self._heap)
                heapq.heappush(self._heap, (scope.deadline, next(self._order), scope))
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(
                        target=self._run, name="qiskit-rest-deadline", daemon=True
                    )
                    self._thread.start()
                elif self._heap[0][2] is scope:
                    self._cond.notify()  # only an earlier deadline changes the reaper's sleep
            if connection not in scope.connections:
                scope.connections.append(connection)

    def release(self, scope: Scope) -> None:
        with self._cond:
            scope.active = False
            scope.connections.clear()
            if scope.queued:
                scope.queued = False
                self._queued -= 1

    def _run(self) -> None:
        with self._cond:
            while True:
                if not self._heap:
                    self._cond.wait()
                    continue
                when = self._heap[0][0]
                now = time.monotonic()
                if when > now:
                    self._cond.wait(when - now)
                    continue
                _, _, scope = heapq.heappop(self._heap)
                if scope.queued:
                    scope.queued = False
                    self._queued -= 1
                if scope.active:
                    scope.expired = True
                    for connection in scope.connections:
                        _cut(connection)
                    scope.connections.clear()


def _cut(connection: Any) -> None:
    sock = getattr(connection, "sock", None)
    if sock is None:
        return
    try:
        # The plain socket's shutdown even for TLS: SSLSocket.shutdown would also drop the
        # SSL object under the reading thread's feet.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


_REAPER = _Reaper()


@contextmanager
def deadline_scope(deadline: float) -> Iterator[Scope]:
    """Bound every connection used inside the block by ``deadline`` (``time.monotonic()``)."""
    scope = Scope(deadline)
    token = _CURRENT.set(scope)
    try:
        yield scope
    finally:
        _CURRENT.reset(token)
        _REAPER.release(scope)
        if time.monotonic() >= deadline:
            scope.expired = True


def _register(connection: Any) -> None:
    scope = _CURRENT.get()
    if scope is not None:
        _REAPER.register(scope, connection)


#: A body up to this size leaves in the same write as the request head.
COALESCE_BYTES = 64 * 1024


class _Bounded:
    """Mixin: a connection joins the current scope when it connects or sends a request.

    A small body is sent with the head in one write (``http.client`` writes the head, then
    the body): one segment instead of two, and against a server in the same process one
    hand-over of the GIL instead of two.
    """

    _held: list[bytes] | None = None

    def connect(self) -> None:
        _register(self)
        super().connect()  # type: ignore[misc]

    def request(self, method: str, url: str, body: Any = None, *args: Any, **kwargs: Any) -> None:
        _register(self)
        if not isinstance(body, bytes) or not 0 < len(body) <= COALESCE_BYTES:
            super().request(method, url, body, *args, **kwargs)  # type: ignore[misc]
            return
        self._held = []
        try:
            super().request(method, url, body, *args, **kwargs)  # type: ignore[misc]
            held = b"".join(self._held)
        finally:
            self._held = None
        super().send(held)  # type: ignore[misc]

    def send(self, data: Any) -> None:
        if self._held is not None and isinstance(data, bytes):
            self._held.append(data)
            return
        super().send(data)  # type: ignore[misc]


class _Connection(_Bounded, HTTPConnection):
    pass


class _TLSConnection(_Bounded, HTTPSConnection):
    pass


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Connection


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _TLSConnection


_POOLS = {"http": _Pool, "https": _TLSPool}


class DeadlineAdapter(HTTPAdapter):
    """``HTTPAdapter`` whose connections honour :func:`deadline_scope` (SOCKS proxies excepted)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Create the pool manager with deadline-aware connection pools."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def close(self) -> None:
        """Closes the pools, the idle connections of :mod:`.loopback`'s lean path too."""
        super().close()
        pool = getattr(self, "_loopback", None)  # set by loopback.pool_of at first use
        if pool is not None:
            pool.close()

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """The proxy manager for ``proxy``, with deadline-aware pools where it allows."""
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _POOLS
        return manager
