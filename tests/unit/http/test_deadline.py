"""The deadline reaper cuts the sockets of an expired exchange, and only those; the writes."""

from __future__ import annotations

import json
import socket
import threading
import time
from types import SimpleNamespace

import pytest
import responses

from qiskit_rest_provider.exceptions import ApiTimeoutError
from qiskit_rest_provider.http import Transport
from qiskit_rest_provider.http.auth import StaticBearer
from qiskit_rest_provider.http.deadline import _REAPER, COALESCE_BYTES, _register, deadline_scope

from .fake_server import fake_server


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


def _writes(monkeypatch):
    """What this thread (the client; the server answers from its own) writes to sockets."""
    writes: list[bytes] = []
    real = socket.socket.sendall
    client = threading.current_thread()

    def sendall(sock, data, *args):
        if threading.current_thread() is client:
            writes.append(bytes(data))
        return real(sock, data, *args)

    monkeypatch.setattr(socket.socket, "sendall", sendall)
    return writes


@pytest.mark.parametrize("size", [1, COALESCE_BYTES])
def test_a_small_body_leaves_with_the_head_in_one_write(monkeypatch, size):
    with fake_server(lambda handler, request: handler.json(200, {"ok": True})) as server:
        transport = Transport(server.url, StaticBearer("t"))
        transport.request("GET", "warm")  # connected: only the request's own writes count
        writes = _writes(monkeypatch)
        body = "x" * (size - 2)  # json_body of a string: its quotes make `size` bytes
        transport.request("POST", "jobs", json_body=body)
        transport.request("POST", "cancel")  # no body: the head alone
    assert len(writes) == 2
    head, _, sent = writes[0].partition(b"\r\n\r\n")
    assert head.startswith(b"POST /jobs ") and sent == json.dumps(body).encode()
    assert writes[1].startswith(b"POST /cancel ") and writes[1].endswith(b"\r\n\r\n")
    assert server.seen[1]["body"] == sent and server.seen[2]["body"] == b""


def test_a_large_body_is_written_after_the_head(monkeypatch):
    with fake_server(lambda handler, request: handler.json(200, {"ok": True})) as server:
        transport = Transport(server.url, StaticBearer("t"))
        transport.request("GET", "warm")
        writes = _writes(monkeypatch)
        body = "y" * (COALESCE_BYTES - 1)  # with its quotes, one byte over the limit
        transport.request("POST", "jobs", json_body=body)
    assert len(writes) == 2
    assert writes[0].endswith(b"\r\n\r\n") and writes[1] == json.dumps(body).encode()
    assert server.seen[1]["body"] == writes[1]


@responses.activate
def test_a_request_whose_deadline_has_come_is_not_sent(monkeypatch):
    responses.get("https://api.test/x", json={})
    monkeypatch.setattr("time.monotonic", lambda: 100.0)
    transport = Transport("https://api.test", StaticBearer("t"))
    with pytest.raises(ApiTimeoutError, match="its deadline passed before sending"):
        transport.request("GET", "x", deadline=100.0)  # exactly now: too late
    assert len(responses.calls) == 0
    transport.request("GET", "x", deadline=100.0 + 1e-9)
    assert len(responses.calls) == 1
