"""uvicorn's h11 protocol with a deadline for request heads (slow-loris defence).

uvicorn closes idle keep-alive connections, but not one that connects and sends nothing, nor
one that sends half a request head and then trickles or stalls: each holds a socket and a
protocol object for ever. Here a connection must deliver a complete request head within
``header_timeout`` seconds of connecting, and of the first byte of every later request.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol


class HeadTimeoutProtocol(H11Protocol):
    """``H11Protocol`` that closes connections whose request head does not arrive in time."""

    header_timeout: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Starts the clock for the first request head."""
        super().connection_made(transport)
        self._head_timer: asyncio.TimerHandle | None = None
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

    def _arm(self) -> None:
        self._head_timer = self.loop.call_later(self.header_timeout, self._expired)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _expired(self) -> None:
        self._head_timer = None
        # IDLE: h11 has not seen a complete request head since the clock started.
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def protocol_class(header_timeout: float) -> Any:
    """A :class:`HeadTimeoutProtocol` subclass with this deadline (uvicorn takes a class)."""
    return type("HeadTimeoutProtocol", (HeadTimeoutProtocol,), {"header_timeout": header_timeout})
