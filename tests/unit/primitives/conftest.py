"""Backends for validation tests without a server: the emulator's device JSON, read offline.

Each is a real ``RestBackend`` built from the configuration and properties JSON the emulator
serves for that backend (so its ``Target`` comes from the same converter as over HTTP); the
properties are injected as a refresh would store them, and no request is ever made.
"""

from __future__ import annotations

import pytest

from qiskit_rest_provider.service.backend import RestBackend


def offline_backend(name: str, properties: dict | None = None) -> RestBackend:
    """The emulator's ``name`` as a client backend, with ``properties`` if given."""
    from qiskit_rest_provider.emulator.devices import default_backends

    device = default_backends()[name]
    backend = RestBackend(None, device.configuration())  # type: ignore[arg-type]
    if not backend.simulator:
        backend._properties = properties or device.properties()  # noqa: SLF001
    return backend


@pytest.fixture(scope="module")
def offline_simulator() -> RestBackend:
    return offline_backend("ibmq_qasm_simulator")


@pytest.fixture(scope="module")
def offline_brisbane() -> RestBackend:
    return offline_backend("ibm_brisbane")


@pytest.fixture(scope="module")
def offline_torino() -> RestBackend:
    return offline_backend("ibm_torino")
