"""Session and Batch against the emulator: ids on jobs, close vs cancel, details, from_id."""

from __future__ import annotations

import pytest
from qiskit import QuantumCircuit

from qiskit_rest_provider import Batch, EstimatorV2, RuntimeService, SamplerV2, Session
from qiskit_rest_provider.codec.status import JobState
from qiskit_rest_provider.exceptions import (
    InvalidInputError,
    SessionClosedError,
    SessionNotFoundError,
)

from .conftest import new_crn


def _circuit():
    circuit = QuantumCircuit(1)
    circuit.x(0)
    circuit.measure_all()
    return circuit


@pytest.mark.parametrize("cls", [Session, Batch])
def test_jobs_in_a_block_carry_the_session_and_run(svc, cls):
    backend = svc.backend("ibmq_qasm_simulator")
    with cls(backend, max_time="10m") as session:
        explicit = SamplerV2(mode=session).run([_circuit()], shots=20)
        implicit = SamplerV2().run([_circuit()], shots=20)
        estimator = EstimatorV2().run([(QuantumCircuit(1), "Z")])
        details = session.details()
    assert details["mode"] == ("dedicated" if cls is Session else "batch")
    assert details["max_time"] == 600
    assert details["backend_name"] == "ibmq_qasm_simulator"
    for job in (explicit, implicit, estimator):
        assert job.session_id == session.session_id
        job.result(timeout=60)
    assert explicit.result()[0].data.meas.get_counts() == {"1": 20}
    listed = {job.job_id() for job in svc.jobs(session_id=session.session_id)}
    assert listed == {explicit.job_id(), implicit.job_id(), estimator.job_id()}
    # Closed on exit: no new jobs from this client, and the server agrees.
    assert session.details()["accepting_jobs"] is False
    assert session.status() in ("Closed", "In progress, not accepting new jobs")
    with pytest.raises(SessionClosedError):
        SamplerV2(mode=session).run([_circuit()], shots=5)


def test_server_refuses_jobs_in_a_closed_session_even_from_another_client(noiseless, svc):
    batch = Batch(svc.backend("ibmq_qasm_simulator"))
    batch.close()
    # A second client that does not know the batch was closed: the server refuses the job.
    other = RuntimeService(token="other-client", url=noiseless.url, instance=svc.instance)
    stale = Batch(other.backend("ibmq_qasm_simulator"), create_new=False)
    stale._session_id = batch.session_id  # what a stale handle looks like
    with pytest.raises(Exception, match="closed"):
        SamplerV2(mode=stale).run([_circuit()], shots=5)


def test_from_id(svc):
    backend = svc.backend("ibmq_qasm_simulator")
    session = Session(backend)
    job = SamplerV2(mode=session).run([_circuit()], shots=5)
    job.result(timeout=60)
    again = Session.from_id(svc.job(job.job_id()).session_id, svc)
    assert again.session_id == session.session_id and again.active
    SamplerV2(mode=again).run([_circuit()], shots=5).result(timeout=60)
    with pytest.raises(InvalidInputError, match="Session.from_id"):
        Batch.from_id(session.session_id, svc)
    session.close()
    assert not Session.from_id(session.session_id, svc).active
    with pytest.raises(SessionNotFoundError):
        Session.from_id("no-such-session", svc)


@pytest.fixture(scope="module")
def slow():
    """Jobs stay queued for a while, so close and cancel can be told apart."""
    from qiskit_rest_provider.emulator import start_emulator

    with start_emulator(host="127.0.0.1", port=0, seed=3, workers=1, queue_delay=1.5) as server:
        yield server


def test_cancel_drops_queued_jobs_but_close_lets_them_run(slow):
    service = RuntimeService(token="slow-key", url=slow.url, instance=new_crn())
    backend = service.backend("ibmq_qasm_simulator")
    cancelled = Batch(backend)
    doomed = SamplerV2(mode=cancelled).run([_circuit()], shots=5)
    cancelled.cancel()
    assert doomed.wait_for_final_state(timeout=30) is JobState.CANCELLED
    closed = Batch(backend)
    survivor = SamplerV2(mode=closed).run([_circuit()], shots=5)
    closed.close()
    assert survivor.wait_for_final_state(timeout=30) is JobState.DONE
