"""The emulator's HTTP stack: httptools on uvloop by default, h11 on asyncio as the fallback.

Both must keep the request-head deadline (slow-loris defence) and TCP_NODELAY on every
accepted connection.
"""

from __future__ import annotations

import socket
import time

import pytest

from qiskit_rest_provider.emulator import protocol

GET = b"GET /api/v1/versions HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


@pytest.fixture(params=[True, False], ids=["httptools-uvloop", "h11-asyncio"])
def stack_server(request, make_server, monkeypatch):
    """A server factory on one of the two stacks."""
    monkeypatch.setattr(protocol, "fast_stack", lambda: request.param)
    return lambda **kw: make_server(**kw)


def _read_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(4096)
    return head


def _connections(server) -> list:
    return list(server._server.server_state.connections)


def test_the_fast_stack_is_the_default(make_server):
    assert protocol.fast_stack()  # the emulator extra installs httptools and uvloop
    server = make_server()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(GET)
        assert _read_response(sock).startswith(b"HTTP/1.1 200")
        (conn,) = _connections(server)
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        assert isinstance(conn, HttpToolsProtocol)
        assert type(conn.loop).__module__.startswith("uvloop")


def test_without_httptools_and_uvloop_h11_on_asyncio_serves(stack_server, monkeypatch):
    server = stack_server()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(GET)
        assert _read_response(sock).startswith(b"HTTP/1.1 200")
        (conn,) = _connections(server)
    fast = protocol.fast_stack()
    assert isinstance(conn, protocol.HeadTimeoutProtocol) is not fast
    assert type(conn.loop).__module__.startswith("uvloop") is fast


def test_accepted_connections_have_tcp_nodelay(stack_server):
    server = stack_server()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(GET)
        _read_response(sock)
        (conn,) = _connections(server)
        accepted = conn.transport.get_extra_info("socket")
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_a_silent_or_half_sent_head_is_cut(stack_server):
    server = stack_server(header_timeout=0.3)
    for first in (b"", GET[:20]):
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
            sock.sendall(first)
            assert sock.recv(1024) == b""  # closed by the server (a hang raises a timeout)


def test_a_later_half_sent_head_is_cut(stack_server):
    server = stack_server(header_timeout=0.3)
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        sock.sendall(GET)
        assert _read_response(sock).startswith(b"HTTP/1.1 200")
        time.sleep(0.5)  # idle past the deadline: a kept-alive connection stays open
        sock.sendall(GET[:30])
        assert sock.recv(1024) == b""


def test_an_idle_kept_alive_connection_then_a_whole_request_is_served(stack_server):
    server = stack_server(header_timeout=0.3)
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        for _ in range(2):
            sock.sendall(GET)
            assert _read_response(sock).startswith(b"HTTP/1.1 200")
            time.sleep(0.5)


def test_a_head_completed_in_pieces_within_the_deadline_is_served(stack_server):
    server = stack_server(header_timeout=0.6)
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        for piece in (GET[:10], GET[10:25], GET[25:]):
            sock.sendall(piece)
            time.sleep(0.1)
        assert _read_response(sock).startswith(b"HTTP/1.1 200")
        time.sleep(0.8)  # past every deadline armed so far: none may still cut the connection
        sock.sendall(GET)
        assert _read_response(sock).startswith(b"HTTP/1.1 200")


def test_a_slow_body_after_a_complete_head_is_not_cut(stack_server):
    server = stack_server(header_timeout=0.3)
    body = b'{"apiToken": "x"}'
    head = (
        b"POST /api/users/loginWithToken HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        sock.sendall(head)
        time.sleep(0.5)
        sock.sendall(body)
        assert _read_response(sock).startswith(b"HTTP/1.1 200")


def test_the_deadline_is_the_configured_one():
    for fast in (True, False):
        cls = protocol.protocol_class(2.5, fast)
        assert cls.header_timeout == 2.5
        assert issubclass(cls, protocol.HeadTimeoutProtocol) is not fast


def test_each_later_request_gets_its_own_deadline(stack_server):
    server = stack_server(header_timeout=1.0)
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
        sock.sendall(GET)
        assert _read_response(sock).startswith(b"HTTP/1.1 200")
        time.sleep(0.6)
        sock.sendall(GET[:30])  # its clock starts here, not at the connection's start
        time.sleep(0.7)
        sock.sendall(GET[30:])
        assert _read_response(sock).startswith(b"HTTP/1.1 200")


def test_the_callers_asyncio_is_left_alone(make_server):
    import asyncio

    policy = type(asyncio.get_event_loop_policy())
    make_server()

    async def loop_module() -> str:
        return type(asyncio.get_running_loop()).__module__

    assert type(asyncio.get_event_loop_policy()) is policy
    assert not asyncio.run(loop_module()).startswith("uvloop")
