"""Service-layer tests against a real emulator on 127.0.0.1 (port 0, noiseless devices).

Skipped cleanly when the emulator extra (FastAPI, uvicorn, Aer) is not installed.
"""

from __future__ import annotations

import uuid

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")


@pytest.fixture(scope="session")
def noiseless():
    """One noiseless emulator for the service tests (devices without noise: exact layouts)."""
    from qiskit_rest_provider.emulator import start_emulator

    with start_emulator(host="127.0.0.1", port=0, seed=99, noiseless=True) as server:
        yield server


def new_crn() -> str:
    """A fresh instance: the emulator isolates jobs and sessions per instance."""
    return f"crn:v1:bluemix:public:quantum-computing:us-east:a/svc:{uuid.uuid4().hex[:12]}::"


@pytest.fixture
def crn():
    return new_crn()


@pytest.fixture
def svc(noiseless, crn):
    from qiskit_rest_provider import RuntimeService

    return RuntimeService(token="service-tests-key", url=noiseless.url, instance=crn)
