"""Job listing, filters, paging, deletion, usage and retrieval against the emulator."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from qiskit import QuantumCircuit

from qiskit_rest_provider import EstimatorV2, RuntimeService, SamplerV2
from qiskit_rest_provider.exceptions import JobNotFoundError


def _bell():
    circuit = QuantumCircuit(2)
    circuit.h(0)
    circuit.cx(0, 1)
    circuit.measure_all()
    return circuit


@pytest.fixture
def history(svc):
    backend = svc.backend("ibmq_qasm_simulator")
    sampler = SamplerV2(mode=backend, options={"environment": {"job_tags": ["run-a"]}})
    jobs = [sampler.run([_bell()], shots=10) for _ in range(4)]
    estimator = EstimatorV2(mode=backend, options={"environment": {"job_tags": ["run-b"]}})
    unmeasured = QuantumCircuit(1)
    jobs.append(estimator.run([(unmeasured, "Z")]))
    for job in jobs:
        job.result(timeout=60)
    return jobs  # oldest first


def _ids(jobs):
    return [job.job_id() for job in jobs]


def test_listing_newest_first_with_paging(svc, history):
    newest_first = list(reversed(_ids(history)))
    assert _ids(svc.jobs()) == newest_first
    assert _ids(svc.jobs(limit=2)) == newest_first[:2]
    assert _ids(svc.jobs(limit=2, skip=2)) == newest_first[2:4]
    assert _ids(svc.jobs(limit=None, skip=1)) == newest_first[1:]
    assert _ids(svc.jobs(descending=False)) == _ids(history)


def test_filters(svc, history):
    sampler_ids = _ids(history[:4])
    assert sorted(_ids(svc.jobs(program_id="sampler"))) == sorted(sampler_ids)
    assert _ids(svc.jobs(job_tags=["run-b"])) == [history[4].job_id()]
    assert sorted(_ids(svc.jobs(tags=["run-a"]))) == sorted(sampler_ids)
    assert svc.jobs(job_tags=["run-a", "run-b"]) == []
    assert svc.jobs(pending=True) == []
    assert len(svc.jobs(pending=False)) == 5
    assert len(svc.jobs(backend_name="ibmq_qasm_simulator")) == 5
    assert svc.jobs(backend_name="ibm_brisbane") == []
    future = datetime.now(timezone.utc) + timedelta(hours=1)
    assert svc.jobs(created_after=future) == []
    assert len(svc.jobs(created_before=future)) == 5


def test_listed_jobs_decode_without_local_state(svc, history):
    listed = {job.job_id(): job for job in svc.jobs(program_id="sampler")}
    original = history[0]
    again = listed[original.job_id()]
    assert again.result()[0].data.meas.get_counts() == original.result()[0].data.meas.get_counts()


def test_retrieval_from_a_new_service_object(noiseless, crn, history):
    other = RuntimeService(token="another-client", url=noiseless.url, instance=crn)
    job = other.job(history[4].job_id())
    assert job.program_id == "estimator"
    assert job.tags == ["run-b"] or "run-b" in job.tags
    assert float(job.result()[0].data.evs) == pytest.approx(float(history[4].result()[0].data.evs))


def test_update_tags_and_find_by_them(svc, history):
    job = svc.job(history[1].job_id())
    job.update_tags(["renamed"])
    assert _ids(svc.jobs(job_tags=["renamed"])) == [job.job_id()]


def test_delete_job(svc, history):
    victim = history[2].job_id()
    svc.delete_job(victim)
    assert victim not in _ids(svc.jobs(limit=None))
    with pytest.raises(JobNotFoundError):
        svc.job(victim)
    with pytest.raises(JobNotFoundError):
        svc.delete_job(victim)


def test_usage(svc, history):
    usage = svc.usage()
    assert usage["instance_id"] == svc.instance
    assert usage["usage_consumed_seconds"] >= 0


def test_instances_are_isolated(noiseless, history):
    from .conftest import new_crn

    stranger = RuntimeService(token="stranger", url=noiseless.url, instance=new_crn())
    assert stranger.jobs() == []
    with pytest.raises(JobNotFoundError):
        stranger.job(history[0].job_id())


def test_logs_and_metrics(svc, history):
    job = svc.job(history[0].job_id())
    assert isinstance(job.logs(), str)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not job.metrics().get("timestamps"):
        time.sleep(0.05)
    assert "timestamps" in job.metrics()
