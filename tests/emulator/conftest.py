"""Fixtures of the emulator tests: real servers on 127.0.0.1, port 0."""

from __future__ import annotations

import pytest

from .helpers import Api


@pytest.fixture
def api(emulator) -> Api:
    """A client on the session emulator, in a fresh instance of its own."""
    return Api(emulator.url)


@pytest.fixture
def make_server():
    """Starts extra emulators with custom settings; stops them after the test."""
    from qiskit_rest_provider.emulator import start_emulator

    servers = []

    def start(**kwargs):
        kwargs.setdefault("host", "127.0.0.1")
        kwargs.setdefault("port", 0)
        server = start_emulator(**kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
