"""The lean ``http.client`` path to servers on this machine: when it is taken, and parity.

Every case runs a real server on 127.0.0.1 (port 0). Parity cases send the same request with
the lean path and through requests' adapter and compare what the server received and what
the caller got back.
"""

from __future__ import annotations

import gzip
import socket
import threading
from contextlib import contextmanager

import pytest
import requests
import responses

from qiskit_rest_provider.exceptions import ApiConnectionError, ApiTimeoutError
from qiskit_rest_provider.http import RetryPolicy, Transport, loopback
from qiskit_rest_provider.http.auth import StaticBearer
from qiskit_rest_provider.http.unreachable import EMULATOR_HINT

from .fake_server import fake_server

ONCE = RetryPolicy(max_attempts=1)


def _free_port() -> int:
    """A port nothing listens on now (port 0 picks it); the URL tests only read it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


PORT = _free_port()


@contextmanager
def lean(on: bool):
    """The lean path on (as shipped) or off (every request through requests' adapter)."""
    original = loopback.eligible
    if not on:
        loopback.eligible = lambda url, proxies: None  # type: ignore[assignment]
    try:
        yield
    finally:
        loopback.eligible = original  # type: ignore[assignment]


class Counted:
    """Wraps ``loopback.send`` to count the requests that took the lean path."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        original = loopback.send

        def send(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(loopback, "send", send)


# ------------------------------------------------------------------ which requests


@pytest.mark.parametrize(
    ("url", "where"),
    [
        (f"http://127.0.0.1:{PORT}/api/v1/jobs", ("127.0.0.1", PORT)),
        (f"http://localhost:{PORT}/x?y=1", ("localhost", PORT)),
        (f"http://[::1]:{PORT}/", ("::1", PORT)),
        ("http://127.0.0.2/", ("127.0.0.2", 80)),
        (f"HTTP://127.0.0.1:{PORT}/", ("127.0.0.1", PORT)),  # schemes are case-insensitive
        (f"https://127.0.0.1:{PORT}/", None),  # TLS: requests' way
        ("http://quantum.cloud.ibm.com/api", None),  # another machine
        ("http://10.0.0.1:80/", None),
        (f"http://user:pw@127.0.0.1:{PORT}/", None),  # credentials in the URL: requests' way
        ("http://127.0.0.1:99999/", None),  # a port requests refuses
    ],
)
def test_only_plain_http_to_this_machine_is_eligible(url, where):
    assert loopback.eligible(url, {}) == where


def test_a_proxy_that_applies_sends_the_request_through_requests():
    url = f"http://127.0.0.1:{PORT}/api"
    assert loopback.eligible(url, {"http": "http://proxy.example:3128"}) is None
    assert loopback.eligible(url, {"all": "http://proxy.example:3128"}) is None
    assert loopback.eligible(url, {"https": "http://proxy.example:3128"}) == ("127.0.0.1", PORT)


def test_a_mocked_adapter_sees_every_request():
    url = f"http://127.0.0.1:{PORT}/api/v1/jobs"
    with responses.RequestsMock() as mocked:
        assert loopback.eligible(url, {}) is None
        mocked.get(url, json={"jobs": []})
        transport = Transport(f"http://127.0.0.1:{PORT}", StaticBearer("t"), retry=ONCE)
        assert transport.request("GET", "/api/v1/jobs").json() == {"jobs": []}
    assert loopback.eligible(url, {}) == ("127.0.0.1", PORT)


@pytest.mark.parametrize(
    ("url", "netloc", "path"),
    [
        ("http://h:1/a/b?x=/y#frag", "h:1", "/a/b?x=/y"),
        ("http://h:1?x=1", "h:1", "/?x=1"),
        ("http://h:1", "h:1", "/"),
        (f"http://[::1]:{PORT}/p", f"[::1]:{PORT}", "/p"),
    ],
)
def test_netloc_and_path(url, netloc, path):
    assert loopback._split(url) == (netloc, path)


# ------------------------------------------------------------------ parity with requests


def _echo(handler, request):
    handler.send(
        201,
        b'{"ok": true}',
        headers={"X-Twice": "a", "Set-Cookie": "session=abc; Path=/", "Content-Type": "text/x"},
    )


def _exchange(server_url: str, on: bool):
    with lean(on):
        transport = Transport(server_url, StaticBearer("token-1"), instance="crn:x", retry=ONCE)
        response = transport.request(
            "POST", "/api/v1/jobs", params={"a": "b c"}, json_body={"k": [1, 2]}
        )
        return transport, response


def test_the_server_receives_the_same_request_either_way(monkeypatch):
    counted = Counted(monkeypatch)
    with fake_server(_echo) as server:
        _exchange(server.url, on=True)
        _exchange(server.url, on=False)
    assert counted.calls == 1
    lean_seen, plain_seen = server.seen
    assert lean_seen["method"] == plain_seen["method"] == "POST"
    assert lean_seen["path"] == plain_seen["path"] == "/api/v1/jobs?a=b+c"
    assert lean_seen["body"] == plain_seen["body"] == b'{"k":[1,2]}'
    assert lean_seen["headers"] == plain_seen["headers"]
    assert lean_seen["headers"]["Host"] == server.url.removeprefix("http://")


def test_the_caller_gets_the_same_response_either_way(monkeypatch):
    with fake_server(_echo) as server:
        transport_lean, lean_response = _exchange(server.url, on=True)
        transport_plain, plain_response = _exchange(server.url, on=False)
    for response in (lean_response, plain_response):
        assert response.status_code == 201 and response.reason == "Created"
        assert response.content == b'{"ok": true}' and response.json() == {"ok": True}
        assert response.encoding == "ISO-8859-1"  # text/x without a charset, as requests says
        assert response.url.endswith("/api/v1/jobs?a=b+c")
        assert response.request.method == "POST"
    assert dict(lean_response.headers) == dict(plain_response.headers) | {
        "Date": lean_response.headers["Date"]
    }
    # A cookie the server sets is kept, as by requests (the session's jar).
    assert transport_lean.session.cookies.get("session") == "abc"
    assert transport_plain.session.cookies.get("session") == "abc"


def test_repeated_header_fields_are_joined_as_urllib3_joins_them():
    def twice(handler, request):
        handler.send_response(200)
        handler.send_header("X-Twice", "a")
        handler.send_header("X-Twice", "b")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    with fake_server(twice) as server:
        for on in (True, False):
            with lean(on):
                transport = Transport(server.url, StaticBearer("t"), retry=ONCE)
                assert transport.request("GET", "/x").headers["x-twice"] == "a, b"


def test_chunked_and_gzip_bodies_read_as_through_requests():
    payload = b'{"results": [' + b"1, " * 5000 + b"1]}"

    def chunked_gzip(handler, request):
        body = gzip.compress(payload)
        handler.send_response(200)
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for start in range(0, len(body), 1000):
            piece = body[start : start + 1000]
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        handler.wfile.write(b"0\r\n\r\n")

    with fake_server(chunked_gzip) as server:
        for on in (True, False):
            with lean(on):
                transport = Transport(server.url, StaticBearer("t"), retry=ONCE)
                assert transport.request("GET", "/r").content == payload


# ------------------------------------------------------------------ connections and failures


@contextmanager
def raw_server(answer):
    """A socket server: ``answer(conn, data)`` per received request; counts connections."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(conn)
            threading.Thread(target=_client, args=(conn,), daemon=True).start()

    def _client(conn: socket.socket) -> None:
        with conn:
            while True:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                if not answer(conn, data):
                    return

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", accepted
    finally:
        listener.close()


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"


def test_a_kept_connection_serves_the_next_request(monkeypatch):
    counted = Counted(monkeypatch)
    with raw_server(lambda conn, data: conn.sendall(OK) or True) as (url, accepted):
        transport = Transport(url, StaticBearer("t"), retry=ONCE)
        for _ in range(3):
            assert transport.request("GET", "/x").json() == {}
    assert counted.calls == 3 and len(accepted) == 1


def test_a_connection_the_server_closed_while_idle_is_not_reused():
    def once(conn, data):
        conn.sendall(OK)  # keep-alive by default, then closed: the next request needs another
        return False

    with raw_server(once) as (url, accepted):
        transport = Transport(url, StaticBearer("t"), retry=ONCE)
        assert transport.request("GET", "/x").json() == {}
        for _ in range(50):  # until the close reached this side
            sock = loopback.pool_of(transport.session.get_adapter(url))._idle
            if not any(sock.values()) or len(accepted) > 1:
                break
            threading.Event().wait(0.01)
        assert transport.request("GET", "/x").json() == {}
    assert len(accepted) == 2


def test_a_204_leaves_the_connection_ready_for_the_next_request(monkeypatch):
    counted = Counted(monkeypatch)
    answers = iter([b"HTTP/1.1 204 No Content\r\n\r\n", OK, b"HTTP/1.1 204 No Content\r\n\r\n", OK])
    with raw_server(lambda conn, data: conn.sendall(next(answers)) or True) as (url, accepted):
        transport = Transport(url, StaticBearer("t"), retry=ONCE)
        got = [transport.request("GET", "/x") for _ in range(4)]
    assert [(r.status_code, r.content) for r in got] == [(204, b""), (200, b"{}")] * 2
    assert counted.calls == 4 and len(accepted) == 1


def test_connection_close_is_honoured():
    def closing(conn, data):
        conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}")
        return False

    with raw_server(closing) as (url, accepted):
        transport = Transport(url, StaticBearer("t"), retry=ONCE)
        for _ in range(2):
            assert transport.request("GET", "/x").json() == {}
    assert len(accepted) == 2


def test_a_refused_connection_names_the_emulator():
    listener = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()  # nothing listens there now
    transport = Transport(url, StaticBearer("t"), retry=ONCE)
    with pytest.raises(ApiConnectionError) as info:
        transport.request("GET", "/x")
    assert EMULATOR_HINT in str(info.value)


def _outcome(answer: bytes, on: bool) -> object:
    with raw_server(lambda conn, data: conn.sendall(answer) and False) as (url, _):
        with lean(on):
            transport = Transport(url, StaticBearer("t"), retry=ONCE)
            try:
                response = transport.request("GET", "/x")
            except ApiConnectionError as exc:
                return type(exc)
            return response.status_code, response.content


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{}", ApiConnectionError),  # short
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n", ApiConnectionError),
        (b"NONSENSE\r\n\r\n", ApiConnectionError),
        (b"HTTP/1.1 200 OK\r\nContent-Le", (200, b"")),  # requests lets a cut head pass
    ],
    ids=["sized", "chunked-without-last-chunk", "status-line", "head"],
)
def test_an_answer_cut_short_ends_alike_either_way(answer, expected):
    assert _outcome(answer, on=True) == _outcome(answer, on=False) == expected


@pytest.mark.parametrize("on", [True, False], ids=["lean", "requests"])
def test_a_silent_server_is_a_timeout_either_way(on):
    with raw_server(lambda conn, data: True) as (url, _):  # reads, never answers
        with lean(on):
            transport = Transport(url, StaticBearer("t"), retry=ONCE, timeout=(1.0, 0.2))
            with pytest.raises(ApiTimeoutError):
                transport.request("GET", "/x")


def test_closing_the_transport_closes_idle_connections():
    with raw_server(lambda conn, data: conn.sendall(OK) or True) as (url, _):
        transport = Transport(url, StaticBearer("t"), retry=ONCE)
        transport.request("GET", "/x")
        pool = loopback.pool_of(transport.session.get_adapter(url))
        (conn,) = [c for conns in pool._idle.values() for c in conns]
        transport.session.close()
        assert conn.sock is None and pool._idle == {}


def test_a_requests_error_type_for_each_failure():
    # What the transport's retry decisions and messages rely on: requests' own classes.
    pool = loopback.LoopbackPool()
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    prepared = requests.Request("GET", f"http://127.0.0.1:{port}/").prepare()
    with pytest.raises(requests.ConnectionError) as info:
        loopback.send(pool, prepared, (1.0, 1.0), ("127.0.0.1", port))
    assert not isinstance(info.value, requests.Timeout)
    assert "Connection refused" in repr(info.value)


class _Stub:
    def __init__(self) -> None:
        self.sock = None
        self.closed = False

    def close(self) -> None:
        self.closed = True


def test_the_pool_keeps_at_most_ten_idle_connections_per_host():
    pool = loopback.LoopbackPool()
    stubs = [_Stub() for _ in range(loopback.IDLE_PER_HOST + 2)]
    for stub in stubs:
        pool.give("127.0.0.1", 1, stub)
    assert [s.closed for s in stubs] == [False] * loopback.IDLE_PER_HOST + [True, True]
    pool.give("127.0.0.1", 2, _Stub())  # another host has room of its own
    assert len(pool._idle[("127.0.0.1", 2)]) == 1
    assert pool.take("127.0.0.1", 1) is None  # no socket: not reusable, closed
    assert all(s.closed for s in stubs) and pool._idle[("127.0.0.1", 1)] == []


def test_the_origin_cache_is_bounded():
    loopback._ORIGINS.clear()
    for port in range(1, 100):
        loopback.eligible(f"http://127.0.0.1:{port}/", {})
        assert len(loopback._ORIGINS) <= 64
    assert loopback.eligible("http://127.0.0.1:99/", {}) == ("127.0.0.1", 99)


def test_an_idle_socket_is_readable_once_the_peer_closed_or_wrote():
    for event in ("close", "write"):
        ours, peer = socket.socketpair()
        with ours, peer:
            assert not loopback._readable(ours)
            if event == "close":
                peer.close()
            else:
                peer.sendall(b"x")
            assert loopback._readable(ours)


def test_the_read_timeout_bounds_the_wait_for_an_answer():
    # Outside any deadline scope: only the socket's read timeout can end the wait.
    outcome: list[BaseException] = []
    with raw_server(lambda conn, data: True) as (url, _):  # reads, never answers
        port = int(url.rsplit(":", 1)[1])
        prepared = requests.Request("GET", url + "/x").prepare()

        def call() -> None:
            try:
                loopback.send(loopback.LoopbackPool(), prepared, (1.0, 0.1), ("127.0.0.1", port))
            except BaseException as exc:  # noqa: BLE001 - the outcome is what is checked
                outcome.append(exc)

        thread = threading.Thread(target=call, daemon=True)
        thread.start()
        thread.join(10)
    assert not thread.is_alive() and len(outcome) == 1
    assert isinstance(outcome[0], requests.ReadTimeout)


def test_a_connect_timeout_is_requests_connect_timeout(monkeypatch):
    def slow(self):
        raise TimeoutError("timed out")

    monkeypatch.setattr(loopback._Connection, "connect", slow)
    prepared = requests.Request("GET", f"http://127.0.0.1:{PORT}/").prepare()
    with pytest.raises(requests.ConnectTimeout):
        loopback.send(loopback.LoopbackPool(), prepared, (0.1, 0.1), ("127.0.0.1", PORT))
