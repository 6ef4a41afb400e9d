"""Saved accounts and environment variables end to end, and the Classic dialect."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit

from qiskit_rest_provider import RuntimeService, SamplerV2
from qiskit_rest_provider.exceptions import AccountError
from qiskit_rest_provider.http import LoggedOutError

from .conftest import new_crn


def _bell():
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure_all()
    return circuit


def test_saved_account_is_used_end_to_end(noiseless):
    crn = new_crn()
    RuntimeService.save_account(token="saved-key", url=noiseless.url, instance=crn, name="emu")
    service = RuntimeService(name="emu")
    job = SamplerV2(mode=service.backend("ibmq_qasm_simulator")).run([_bell()], shots=50)
    counts = job.result(timeout=60)[0].data.meas.get_counts()
    assert set(counts) <= {"00", "11"}
    assert [j.job_id() for j in service.jobs()] == [job.job_id()]


def test_environment_account(noiseless, monkeypatch):
    crn = new_crn()
    monkeypatch.setenv("QISKIT_IBM_TOKEN", "env-key")
    monkeypatch.setenv("QISKIT_IBM_URL", noiseless.url)
    monkeypatch.setenv("QISKIT_IBM_INSTANCE", crn)
    service = RuntimeService()
    assert service.instance == crn
    assert service.usage()["instance_id"] == crn


def test_logout_current_dialect(svc):
    svc.jobs()
    svc.logout()
    assert svc.jobs() == []  # a fresh token is fetched transparently


@pytest.fixture
def classic(noiseless):
    return RuntimeService(
        channel="ibm_quantum",
        token="classic-token",
        url=noiseless.url,
        instance="hub/group/project",
    )


def test_classic_dialect_end_to_end(classic):
    names = {b.name for b in classic.backends()}
    assert "ibm_brisbane" in names
    backend = classic.backend("ibmq_qasm_simulator")
    job = SamplerV2(mode=backend).run([_bell()], shots=40)
    assert sum(job.result(timeout=60)[0].data.meas.get_counts().values()) == 40
    assert job.job_id() in [j.job_id() for j in classic.jobs(limit=None)]
    assert classic.job(job.job_id()).result()[0].data.meas.num_shots == 40


def test_classic_logout_invalidates_the_token(classic):
    classic.jobs()
    token = classic.transport.auth.headers()["x-access-token"]
    classic.logout()
    import requests

    response = requests.get(
        classic.transport.base_url + "/jobs", headers={"x-access-token": token}, timeout=10
    )
    assert response.status_code == 401
    # The service object is done: no silent login with the saved API token.
    with pytest.raises(LoggedOutError, match="logged out; create a new RuntimeService"):
        classic.jobs()


def test_no_credentials_is_refused_before_any_request(noiseless):
    with pytest.raises(AccountError, match="token"):
        RuntimeService(token="", url=noiseless.url, instance=new_crn())


def test_classic_batch(classic):
    from qiskit_rest_provider import Batch

    with Batch(classic.backend("ibmq_qasm_simulator")) as batch:
        job = SamplerV2().run([_bell()], shots=10)
    assert job.session_id == batch.session_id
    assert sum(job.result(timeout=60)[0].data.meas.get_counts().values()) == 10
    assert batch.details()["mode"] == "batch"
    assert job.usage() >= 0
