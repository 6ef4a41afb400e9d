"""Fixtures shared by every test directory: a real emulator on 127.0.0.1, port 0.

Also the network guard: for the whole session, a socket connect to (or a name lookup of)
anything but a loopback address raises :class:`NetworkAccessError`, and the test during which
it happened fails even if the code under test swallowed the error.
"""

import ipaddress
import os
import socket
import threading

import pytest


class NetworkAccessError(RuntimeError):
    """A test tried to reach a non-loopback address."""


_VIOLATIONS: list[str] = []
_VIOLATIONS_LOCK = threading.Lock()
_REAL = {
    "connect": socket.socket.connect,
    "connect_ex": socket.socket.connect_ex,
    "getaddrinfo": socket.getaddrinfo,
}


def _is_local(host: object, *, lookup: bool) -> bool:
    if host is None or not isinstance(host, (str, bytes)):
        return host is None
    name = host.decode() if isinstance(host, bytes) else host
    name = name.split("%", 1)[0]  # IPv6 scope id
    if name.lower() in ("localhost", "localhost.", ""):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # a name other than localhost: resolving it is network access
    # A lookup of the unspecified address is how servers bind; connecting to it is not allowed.
    return address.is_loopback or (lookup and address.is_unspecified)


def _refuse(what: str) -> None:
    with _VIOLATIONS_LOCK:
        _VIOLATIONS.append(what)
    raise NetworkAccessError(f"tests may not reach the network: {what}")


def _guarded_connect(self: socket.socket, address: object) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(
        address[0],
        lookup=False,  # type: ignore[index]
    ):
        _refuse(f"connect to {address!r}")
    return _REAL["connect"](self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(
        address[0],
        lookup=False,  # type: ignore[index]
    ):
        _refuse(f"connect to {address!r}")
    return _REAL["connect_ex"](self, address)


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> list:
    if not _is_local(host, lookup=True):
        _refuse(f"name lookup of {host!r}")
    return _REAL["getaddrinfo"](host, *args, **kwargs)


def pytest_sessionstart(session: pytest.Session) -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    socket.socket.connect = _REAL["connect"]  # type: ignore[method-assign]
    socket.socket.connect_ex = _REAL["connect_ex"]  # type: ignore[method-assign]
    socket.getaddrinfo = _REAL["getaddrinfo"]  # type: ignore[assignment]


def take_network_violations() -> list[str]:
    """The attempts recorded so far, forgetting them (for the guard's own tests)."""
    with _VIOLATIONS_LOCK:
        taken = list(_VIOLATIONS)
        _VIOLATIONS.clear()
    return taken


@pytest.fixture(autouse=True)
def _no_network():
    take_network_violations()  # an attempt between tests (a server thread) is nobody's fault
    yield
    attempts = take_network_violations()
    if attempts:
        pytest.fail("tests may not reach the network; attempted: " + "; ".join(attempts))


CONTRACT_CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/tests:contract::"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    # Never read or write the user's saved accounts, and ignore their environment.
    monkeypatch.setenv("HOME", str(tmp_path))
    for key in list(os.environ):
        if key.startswith("QISKIT_IBM_") or key == "IAM_URL":
            monkeypatch.delenv(key, raising=False)


@pytest.fixture(scope="session")
def emulator():
    """One in-process emulator for the whole session (jobs are isolated per instance)."""
    from qiskit_rest_provider.emulator import start_emulator

    with start_emulator(host="127.0.0.1", port=0, seed=1234) as server:
        yield server


@pytest.fixture(scope="session")
def rest_service(emulator):
    from qiskit_rest_provider import RuntimeService

    return RuntimeService(token="contract-api-key", url=emulator.url, instance=CONTRACT_CRN)


@pytest.fixture(scope="session")
def rest_backend(rest_service):
    return rest_service.backend("ibmq_qasm_simulator")
