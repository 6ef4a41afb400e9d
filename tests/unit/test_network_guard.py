"""The session-wide network guard of tests/conftest.py: loopback only."""

import socket

import pytest
import requests

from tests.conftest import NetworkAccessError, take_network_violations


@pytest.mark.parametrize(
    ("family", "address"),
    [(socket.AF_INET, ("192.0.2.1", 443)), (socket.AF_INET6, ("2001:db8::1", 443, 0, 0))],
)
def test_a_connect_to_a_public_address_is_refused_before_any_packet(family, address):
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        with pytest.raises(NetworkAccessError, match="connect to"):
            sock.connect(address)
        with pytest.raises(NetworkAccessError):
            sock.connect_ex(address)
    assert len(take_network_violations()) == 2


def test_a_name_lookup_is_refused_and_recorded_even_when_the_caller_swallows_it():
    try:
        requests.get("https://quantum.cloud.ibm.com/api/v1/backends", timeout=1)
    except Exception:  # what a retrying client would do
        pass
    assert take_network_violations() == ["name lookup of 'quantum.cloud.ibm.com'"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_loopback_connection_is_allowed(host):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        with socket.create_connection((host, listener.getsockname()[1]), timeout=5):
            pass
    assert take_network_violations() == []


@pytest.mark.parametrize("host", ["::1", "127.8.9.10", "0.0.0.0", None])
def test_lookups_of_loopback_and_bind_addresses_are_allowed(host):
    assert socket.getaddrinfo(host, 80, type=socket.SOCK_STREAM)
    assert take_network_violations() == []
