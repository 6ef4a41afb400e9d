"""RuntimeJob: status mapping, terminal strings, failures, caching, cancel, timeouts."""

import threading

import pytest

from qiskit_rest_provider.api import JobsApi
from qiskit_rest_provider.codec.circuits import CregSpec
from qiskit_rest_provider.codec.pubs import PubSpec
from qiskit_rest_provider.codec.status import JobState, state_from_job
from qiskit_rest_provider.exceptions import (
    JobCancelledError,
    JobFailureError,
    JobMaxTimeoutError,
    JobTimeoutError,
)
from qiskit_rest_provider.http import Transport
from qiskit_rest_provider.http.auth import StaticBearer
from qiskit_rest_provider.service.job import RuntimeJob
from tests.fixtures import golden_results as golden
from tests.unit.conftest import API, FAST

SPEC = [PubSpec(shape=(), cregs=(CregSpec("c", "c", 2),))]


def _job(job_id="j"):
    api = JobsApi(Transport(API, StaticBearer("t")))
    return RuntimeJob(job_id, jobs_api=api, program="sampler", specs=SPEC, poll=FAST)


@pytest.mark.parametrize(
    ("job", "state"),
    [
        ({"state": {"status": "Queued"}}, JobState.QUEUED),
        ({"state": {"status": "QUEUED"}}, JobState.QUEUED),
        ({"state": {"status": "Running"}}, JobState.RUNNING),
        ({"state": {"status": "Completed"}}, JobState.DONE),
        ({"status": "COMPLETED"}, JobState.DONE),
        ({"state": {"status": "Failed"}}, JobState.ERROR),
        ({"state": {"status": "ERROR_RUNNING_JOB"}}, JobState.ERROR),
        ({"state": {"status": "Cancelled"}}, JobState.CANCELLED),
        ({"state": {"status": "Cancelled", "reason_code": 1305}}, JobState.ERROR),
        (
            {
                "state": {"status": "Cancelled", "reasonCode": None, "reason": "Ran too long"},
                "status": "Cancelled - Ran too long",
            },
            JobState.ERROR,
        ),
        ({"state": {"status": "Sleeping"}}, JobState.UNKNOWN),
    ],
)
def test_status_mapping(job, state):
    assert state_from_job(job) is state
    assert JobState.DONE == "DONE"


def test_done_job_downloads_once_and_status_is_cached(mocked):
    status = mocked.get(API + "/jobs/j", json={"state": {"status": "Completed"}})
    results = mocked.get(API + "/jobs/j/results", body=golden.SAMPLER_PLAIN)
    job = _job()
    assert job.status() is JobState.DONE
    assert job.done() and job.in_final_state() and not job.running() and not job.cancelled()
    first = job.result()
    assert job.result() is first
    assert status.call_count == 1 and results.call_count == 1


def test_polls_through_states(mocked):
    for status in ("Queued", "Running", "Completed"):
        mocked.get(API + "/jobs/j", json={"state": {"status": status}})
    mocked.get(API + "/jobs/j/results", body=golden.SAMPLER_PLAIN)
    seen = []
    job = _job()
    job.wait_for_final_state(callback=lambda job_id, state: seen.append(state))
    assert seen == [JobState.QUEUED, JobState.RUNNING, JobState.DONE]


def test_ran_too_long_is_a_failure(mocked):
    mocked.get(
        API + "/jobs/j",
        json={
            "state": {"status": "Cancelled", "reason": "Ran too long", "reason_code": 1305},
            "status": "Cancelled - Ran too long",
        },
    )
    with pytest.raises(JobMaxTimeoutError) as info:
        _job().result()
    assert info.value.reason_code == 1305
    assert "max_execution_time" in str(info.value)


def test_failed_job_raises_with_reason(mocked):
    mocked.get(
        API + "/jobs/j",
        json={"state": {"status": "Failed", "reason": "bad qasm", "reason_code": 1517}},
    )
    with pytest.raises(JobFailureError, match="bad qasm") as info:
        _job().result()
    assert info.value.reason_code == 1517


def test_failed_job_without_reason_reads_error_text(mocked):
    mocked.get(API + "/jobs/j", json={"state": {"status": "Failed"}})
    mocked.get(API + "/jobs/j/results", body="Traceback...\nQASM3ImporterError: oops")
    with pytest.raises(JobFailureError, match="oops"):
        _job().result()


def test_cancelled_job(mocked):
    mocked.get(API + "/jobs/j", json={"state": {"status": "Cancelled"}})
    with pytest.raises(JobCancelledError):
        _job().result()


def test_cancel_of_final_job_raises_like_the_official_client(mocked):
    from qiskit_rest_provider import RuntimeInvalidStateError

    mocked.get(API + "/jobs/j", json={"state": {"status": "Completed"}})
    job = _job()
    with pytest.raises(RuntimeInvalidStateError, match="already DONE"):
        job.cancel()
    assert all("/cancel" not in call.request.url for call in mocked.calls)


def test_cancel_refused_by_the_service_is_an_invalid_state(mocked):
    from qiskit_rest_provider import RuntimeInvalidStateError

    mocked.get(API + "/jobs/j", json={"state": {"status": "Running"}})
    mocked.post(API + "/jobs/j/cancel", status=409, json={"errors": [{"message": "final"}]})
    with pytest.raises(RuntimeInvalidStateError):
        _job().cancel()


def test_cancel_of_running_job(mocked):
    mocked.get(API + "/jobs/j", json={"state": {"status": "Running"}})
    cancel = mocked.post(API + "/jobs/j/cancel", status=204)
    assert _job().cancel() is True
    assert cancel.call_count == 1


def test_timeout_leaves_job_alive(mocked):
    mocked.get(API + "/jobs/j", json={"state": {"status": "Running"}})
    job = _job()
    with pytest.raises(JobTimeoutError):
        job.result(timeout=0.05)
    assert job.status() is JobState.RUNNING


def test_unknown_status_is_bounded(mocked):
    mocked.get(API + "/jobs/j", json={"state": {"status": "Hibernating"}})
    with pytest.raises(JobFailureError, match="Hibernating"):
        _job().result()


def test_many_threads_share_one_download(mocked):
    mocked.get(API + "/jobs/j", json={"state": {"status": "Completed"}})
    results = mocked.get(API + "/jobs/j/results", body=golden.SAMPLER_PLAIN)
    job = _job()
    out = []
    threads = [threading.Thread(target=lambda: out.append(job.result())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(out) == 8 and all(item is out[0] for item in out)
    assert results.call_count == 1


def test_specs_rebuilt_from_server_params(mocked):
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister

    from qiskit_rest_provider.codec.circuits import export_circuit
    from qiskit_rest_provider.codec.tagged import encode_ndarray

    qc = QuantumCircuit(QuantumRegister(2), ClassicalRegister(2, "c"), metadata={"m": 1})
    qasm = export_circuit(qc).qasm
    import numpy as np

    pub = [qasm, encode_ndarray(np.zeros((0,))), 3]
    mocked.get(API + "/jobs/j", json={"state": {"status": "Completed"}, "params": {"pubs": [pub]}})
    mocked.get(API + "/jobs/j/results", body=golden.SAMPLER_PLAIN)
    api = JobsApi(Transport(API, StaticBearer("t")))
    job = RuntimeJob("j", jobs_api=api, program="sampler", poll=FAST)
    result = job.result()
    assert result[0].metadata["circuit_metadata"] == {"m": 1}
    assert list(result[0].data.keys()) == ["c"]


def test_result_lagging_behind_completed_is_read_again(mocked):
    mocked.get(API + "/jobs/j", json={"state": {"status": "Completed"}})
    mocked.get(API + "/jobs/j/results", status=204)
    mocked.get(API + "/jobs/j/results", body=golden.SAMPLER_PLAIN)
    assert _job().result()[0].data.c.num_shots == 3


def test_private_job_result_read_twice_elsewhere_fails_clearly(mocked):
    mocked.get(API + "/jobs/j", json={"state": {"status": "Completed"}, "private": True})
    results = mocked.get(API + "/jobs/j/results", status=204)
    with pytest.raises(JobFailureError, match="private"):
        _job().result()
    assert results.call_count == 1


@pytest.mark.parametrize(("private", "reads"), [(False, 3), (True, 1)])
def test_a_result_that_never_comes_is_read_as_often_as_the_one_retry_policy_says(
    mocked, private, reads
):
    from qiskit_rest_provider.http import RetryPolicy

    mocked.get(API + "/jobs/j", json={"state": {"status": "Completed"}, "private": private})
    results = mocked.get(API + "/jobs/j/results", status=204)
    policy = RetryPolicy(max_attempts=3, backoff=0.0)
    api = JobsApi(Transport(API, StaticBearer("t"), retry=policy))
    job = RuntimeJob("j", jobs_api=api, program="sampler", specs=SPEC, poll=FAST)
    with pytest.raises(JobFailureError, match="no result"):
        job.result()
    assert results.call_count == reads
