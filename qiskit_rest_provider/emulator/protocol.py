"""uvicorn's HTTP protocols with a deadline for request heads (slow-loris defence).

uvicorn closes idle keep-alive connections, but not one that connects and sends nothing, nor
one that sends half a request head and then trickles or stalls: each holds a socket and a
protocol object for ever. Here a connection must deliver a complete request head within
``header_timeout`` seconds of connecting, and of the first byte of every later request.

Two parsers carry the deadline: ``httptools`` (C, on uvloop: the default when both are
installed; a request costs a fraction of h11's pure-Python parsing) and ``h11`` (on asyncio:
the fallback). Either way accepted connections have ``TCP_NODELAY`` (uvloop sets it on every
TCP connection; asyncio on sockets listening with ``IPPROTO_TCP``, see ``server._bind``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


class _HeadClock:
    """The deadline's timer, shared by both protocols (they set ``loop`` and ``transport``)."""

    header_timeout: float = 10.0
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    _head_timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._head_timer = self.loop.call_later(self.header_timeout, self._expired)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _expired(self) -> None:
        # Still armed: no complete request head since the clock started (it is disarmed then).
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()


class HeadTimeoutProtocol(_HeadClock, H11Protocol):
    """``H11Protocol`` that closes connections whose request head does not arrive in time."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Starts the clock for the first request head."""
        super().connection_made(transport)
        self._head_timer = None
        self._arm()

    def data_received(self, data: bytes) -> None:
        """Feeds h11; a head still incomplete afterwards must complete before the deadline."""
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            if self._head_timer is None:
                self._arm()
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stops the clock."""
        self._disarm()
        super().connection_lost(exc)


def _httptools_protocol() -> Any:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class FastHeadTimeoutProtocol(_HeadClock, HttpToolsProtocol):
        """``HttpToolsProtocol`` that closes connections whose request head is late."""

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            """Starts the clock for the first request head."""
            super().connection_made(transport)
            self._head_timer = None
            self._arm()

        def on_message_begin(self) -> None:
            """The first byte of a request: its head must complete before the deadline."""
            super().on_message_begin()
            if self._head_timer is None:
                self._arm()

        def on_headers_complete(self) -> None:
            """The head is complete: stop the clock."""
            self._disarm()
            super().on_headers_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            """Stops the clock."""
            self._disarm()
            super().connection_lost(exc)

    return FastHeadTimeoutProtocol


def fast_stack() -> bool:
    """Whether ``httptools`` and ``uvloop`` (the ``emulator`` extra) are importable."""
    try:
        import httptools  # noqa: F401
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def protocol_class(header_timeout: float, fast: bool | None = None) -> Any:
    """A head-deadline protocol class with this deadline (uvicorn takes a class).

    Args:
        header_timeout: Seconds a request head may take.
        fast: ``httptools`` (True) or ``h11`` (False); ``None``: :func:`fast_stack`.
    """
    if fast is None:
        fast = fast_stack()
    base = _httptools_protocol() if fast else HeadTimeoutProtocol
    return type(base.__name__, (base,), {"header_timeout": header_timeout})
