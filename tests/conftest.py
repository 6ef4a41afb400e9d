"""Fixtures shared by every test directory: a real emulator on 127.0.0.1, port 0."""

import os

import pytest

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
