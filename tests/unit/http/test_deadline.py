"""The deadline reaper: it cuts the sockets of an expired exchange, and only those."""

from __future__ import annotations

import socket
import time
from types import SimpleNamespace

from qiskit_rest_provider.http.deadline import _REAPER, _register, deadline_scope


def test_an_expired_scope_cuts_its_blocked_socket_at_once():
    mine, server = socket.socketpair()
    other, other_server = socket.socketpair()
    try:
        mine.settimeout(10)
        started = time.monotonic()
        with deadline_scope(time.monotonic() + 0.2) as scope:
            _register(SimpleNamespace(sock=mine))
            assert mine.recv(1) == b""  # woken by the cut, long before the 10 s timeout
        assert scope.expired
        assert time.monotonic() - started < 5
        with deadline_scope(time.monotonic() + 60) as live:
            _register(SimpleNamespace(sock=other))
            other_server.sendall(b"x")
            assert other.recv(1) == b"x"  # a scope within its deadline is left alone
        assert not live.expired
    finally:
        for sock in (mine, server, other, other_server):
            sock.close()


def test_a_released_scope_is_never_cut_and_the_heap_stays_small():
    mine, server = socket.socketpair()
    try:
        with deadline_scope(time.monotonic() + 0.05) as scope:
            _register(SimpleNamespace(sock=mine))
        time.sleep(0.2)
        server.sendall(b"y")
        assert mine.recv(1) == b"y" and not scope.expired
        for _ in range(3000):
            with deadline_scope(time.monotonic() + 600):
                _register(SimpleNamespace(sock=None))
        assert len(_REAPER._heap) <= 1100  # released scopes are dropped in bulk
        assert _REAPER._queued == 0
    finally:
        mine.close()
        server.close()
