"""What one job costs in requests, exactly: the submit, the polls (their schedule) and the result.

Against a server on this machine (the emulator) a just-submitted job reads its result at the
warm-up polls, so a small job costs two requests (``POST /jobs``, ``GET .../results``);
everywhere else the first poll asks for the status, as qiskit-ibm-runtime does. Any answer that
already says Completed (the submit's, too) goes straight to the result.
"""

from __future__ import annotations

import json
import logging
import threading

import pytest
import responses
from qiskit import QuantumCircuit

from qiskit_rest_provider import RuntimeService, SamplerV2
from qiskit_rest_provider.codec.status import JobState
from qiskit_rest_provider.exceptions import JobFailureError, JobTimeoutError
from qiskit_rest_provider.service.polling import PollPolicy
from tests.fixtures import golden_results as golden
from tests.unit.conftest import API, CRN, SIM_CONFIG, URL

LOCAL = "http://127.0.0.1:9"
LOCAL_API = LOCAL + "/api/v1"
JOB = "/jobs/job-1"
POLICY = PollPolicy()  # the loopback default: 1 ms, then 1, 2, 4 ... 256 ms, then 0.5 s x1.5


@pytest.fixture
def sleeps(monkeypatch):
    """A clock that moves only when the client sleeps; records every sleep."""
    now = [0.0]
    waited: list[float] = []

    def sleep(seconds):
        waited.append(seconds)
        now[0] += seconds

    monkeypatch.setattr("time.sleep", sleep)
    monkeypatch.setattr("time.monotonic", lambda: now[0])
    return waited


def _bell():
    qc = QuantumCircuit(2, 2, metadata={"run": 7})
    qc.h(0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    return qc


def _service(mocked, url, token):
    mocked.post(url + "/identity/token", json={"access_token": token, "expires_in": 3600})
    mocked.get(url + "/api/v1/backends/ibmq_qasm_simulator/configuration", json=SIM_CONFIG)
    return RuntimeService(token="my-api-key", url=url, instance=CRN)


def _sampler(mocked, url, token, **submit_answer):
    service = _service(mocked, url, token)
    sampler = SamplerV2(mode=service.backend("ibmq_qasm_simulator"))
    answer = {"id": "job-1", "backend": "ibmq_qasm_simulator", **submit_answer}
    mocked.post(url + "/api/v1/jobs", json=answer)
    return sampler


def _job_calls(mocked, api):
    """``METHOD path`` of every call after the token exchange and the backend's configuration."""
    out = []
    for call in mocked.calls[2:]:
        path = call.request.url[len(api) :]
        out.append(f"{call.request.method} {path}")
    return out


def _assert_bell(result):
    assert result[0].data.c.get_bitstrings() == ["11", "00", "01"]
    assert result[0].metadata["circuit_metadata"] == {"run": 7}  # the job's own PUB specs


def test_a_done_job_on_this_machine_costs_two_requests(mocked, sleeps, token, caplog):
    sampler = _sampler(mocked, LOCAL, token)
    mocked.get(LOCAL_API + JOB + "/results", body=golden.SAMPLER_PLAIN)
    job = sampler.run([_bell()], shots=3)
    with caplog.at_level(logging.INFO, logger="qiskit_rest_provider.service.job"):
        _assert_bell(job.result())
    assert [r.getMessage() for r in caplog.records] == ["job job-1: DONE"]
    assert job.status() is JobState.DONE and job.done()
    assert job.result() is job.result()
    assert _job_calls(mocked, LOCAL_API) == ["POST /jobs", f"GET {JOB}/results"]
    assert sleeps == []  # the first probe goes at once (the emulator holds it for the job)


def test_results_are_read_at_the_warmup_polls_until_they_come(mocked, sleeps, token):
    sampler = _sampler(mocked, LOCAL, token)
    for _ in range(3):
        mocked.get(LOCAL_API + JOB + "/results", status=204)
    mocked.get(LOCAL_API + JOB + "/results", body=golden.SAMPLER_PLAIN)
    job = sampler.run([_bell()], shots=3)
    _assert_bell(job.result())
    assert _job_calls(mocked, LOCAL_API) == ["POST /jobs"] + [f"GET {JOB}/results"] * 4
    # At once after the submit, then the warm-up: 1, 2, 4 ms.
    assert sleeps == pytest.approx([0.001, 0.002, 0.004])
    assert job.status() is JobState.DONE


def test_after_the_warmup_the_status_is_polled_on_the_rest_of_the_schedule(mocked, sleeps, token):
    sampler = _sampler(mocked, LOCAL, token)
    probes = len(POLICY.warmup) + 1
    for _ in range(probes):
        mocked.get(LOCAL_API + JOB + "/results", status=204)
    for status in ("Running", "Running", "Completed"):
        mocked.get(LOCAL_API + JOB, json={"id": "job-1", "state": {"status": status}})
    mocked.get(LOCAL_API + JOB + "/results", body=golden.SAMPLER_PLAIN)
    job = sampler.run([_bell()], shots=3)
    _assert_bell(job.result())
    assert _job_calls(mocked, LOCAL_API) == (
        ["POST /jobs"]
        + [f"GET {JOB}/results"] * probes
        + [f"GET {JOB}?exclude_params=true"] * 3
        + [f"GET {JOB}/results"]
    )
    # Probes at once, then after each warm-up delay; the status polls go on with the
    # schedule (0.5 s, then x1.5), not from its start again.
    assert sleeps == pytest.approx([*POLICY.warmup, 0.5, 0.75, 1.125])


def test_a_failed_job_is_classified_by_its_status(mocked, sleeps, token, caplog):
    sampler = _sampler(mocked, LOCAL, token)
    mocked.get(LOCAL_API + JOB + "/results", body="Traceback: the circuit is too wide")
    mocked.get(
        LOCAL_API + JOB,
        json={"id": "job-1", "state": {"status": "Failed", "reason": "too wide"}},
    )
    job = sampler.run([_bell()], shots=3)
    with caplog.at_level(logging.DEBUG, logger="qiskit_rest_provider.service.job_result"):
        with pytest.raises(JobFailureError, match="too wide"):
            job.result()
    assert "job job-1: the answer was not a result; asking for its status" in caplog.messages
    assert job.status() is JobState.ERROR
    assert _job_calls(mocked, LOCAL_API) == [
        "POST /jobs",
        f"GET {JOB}/results",
        f"GET {JOB}?exclude_params=true",
    ]


def test_a_private_job_never_reads_its_result_before_it_is_done(mocked, sleeps, token):
    sampler = _sampler(mocked, LOCAL, token)
    sampler.options.environment.private = True
    mocked.get(LOCAL_API + JOB, json={"id": "job-1", "state": {"status": "Completed"}})
    mocked.get(LOCAL_API + JOB + "/results", body=golden.SAMPLER_PLAIN)
    job = sampler.run([_bell()], shots=3)
    assert job.private is True  # known from the submit, before any poll
    _assert_bell(job.result())
    assert _job_calls(mocked, LOCAL_API) == [
        "POST /jobs",
        f"GET {JOB}?exclude_params=true",
        f"GET {JOB}/results",
    ]


def test_a_progress_bar_polls_the_states(mocked, sleeps, token, capsys):
    sampler = _sampler(mocked, LOCAL, token)
    mocked.get(LOCAL_API + JOB, json={"id": "job-1", "state": {"status": "Completed"}})
    mocked.get(LOCAL_API + JOB + "/results", body=golden.SAMPLER_PLAIN)
    _assert_bell(sampler.run([_bell()], shots=3).result(progress=True))
    assert "DONE" in capsys.readouterr().err  # the bar
    assert _job_calls(mocked, LOCAL_API) == [
        "POST /jobs",
        f"GET {JOB}?exclude_params=true",
        f"GET {JOB}/results",
    ]


def test_a_remote_job_polls_its_status_first(mocked, sleeps, token):
    sampler = _sampler(mocked, URL, token)
    mocked.get(API + JOB, json={"id": "job-1", "state": {"status": "Running"}})
    mocked.get(API + JOB, json={"id": "job-1", "state": {"status": "Completed"}})
    mocked.get(API + JOB + "/results", body=golden.SAMPLER_PLAIN)
    job = sampler.run([_bell()], shots=3)
    _assert_bell(job.result())
    assert _job_calls(mocked, API) == [
        "POST /jobs",
        f"GET {JOB}?exclude_params=true",
        f"GET {JOB}?exclude_params=true",
        f"GET {JOB}/results",
    ]
    assert sleeps == pytest.approx([0.5, 0.5])


@pytest.mark.parametrize("url", [LOCAL, URL])
def test_a_submit_answer_that_says_completed_goes_straight_to_the_result(
    mocked, sleeps, token, url
):
    sampler = _sampler(mocked, url, token, state={"status": "Completed"})
    mocked.get(url + "/api/v1" + JOB + "/results", body=golden.SAMPLER_PLAIN)
    job = sampler.run([_bell()], shots=3)
    assert job.status() is JobState.DONE
    _assert_bell(job.result())
    assert _job_calls(mocked, url + "/api/v1") == ["POST /jobs", f"GET {JOB}/results"]
    assert sleeps == []


def test_a_submit_answer_without_a_status_leaves_the_job_initializing(mocked, token):
    sampler = _sampler(mocked, URL, token, private=False)
    job = sampler.run([_bell()], shots=3)
    assert "status='INITIALIZING'" in repr(job)
    assert _job_calls(mocked, API) == ["POST /jobs"]


def test_the_callers_timeout_bounds_the_probes(mocked, token):
    sampler = _sampler(mocked, LOCAL, token)
    mocked.get(LOCAL_API + JOB + "/results", status=204)
    mocked.get(LOCAL_API + JOB, json={"id": "job-1", "state": {"status": "Running"}})
    job = sampler.run([_bell()], shots=3)
    with pytest.raises(JobTimeoutError):
        job.result(timeout=0.05)
    calls = _job_calls(mocked, LOCAL_API)
    assert 2 <= calls.count(f"GET {JOB}/results") < len(POLICY.warmup) + 1
    # Waiting again polls the status: the result was read at the first polls only.
    mocked.calls.reset()
    with pytest.raises(JobTimeoutError):
        job.result(timeout=0.01)
    assert set(_job_calls_all(mocked, LOCAL_API)) == {f"GET {JOB}?exclude_params=true"}


def _job_calls_all(mocked, api):
    return [f"{c.request.method} {c.request.url[len(api) :]}" for c in mocked.calls]


@responses.activate
def test_a_job_handle_rebuilt_by_id_never_probes(token):
    responses.post(LOCAL + "/identity/token", json={"access_token": token, "expires_in": 3600})
    running = {"id": "job-1", "state": {"status": "Running"}, "params": {"pubs": []}}
    responses.get(LOCAL_API + JOB, json=running)
    responses.get(LOCAL_API + JOB, json={"id": "job-1", "state": {"status": "Completed"}})
    responses.get(LOCAL_API + JOB + "/results", body=golden.SAMPLER_PLAIN)
    service = RuntimeService(token="my-api-key", url=LOCAL, instance=CRN)
    job = service.job("job-1")
    job.result()
    assert [c.request.url[len(LOCAL_API) :].split("?")[0] for c in responses.calls[1:]] == [
        JOB,
        JOB,
        JOB + "/results",
    ]


def _status_forever(mocked, api, limit=30):
    """``Running`` at every status poll; more polls than ``limit`` fail the test."""
    polls = []

    def running(request):
        polls.append(request)
        assert len(polls) <= limit, "the wait did not end"
        return 200, {}, json.dumps({"id": "job-1", "state": {"status": "Running"}})

    mocked.add_callback(responses.GET, api + JOB, callback=running)
    return polls


@pytest.mark.parametrize(
    ("timeout", "waits", "probes"),
    [
        # Probes at 0, 1, 3, 7 ms after the submit answer.
        (0.005, [0.001, 0.002, 0.002], 3),  # the deadline falls between two probes
        (0.003, [0.001, 0.002], 2),  # ... on the next probe: it is not sent
    ],
)
def test_the_callers_deadline_ends_the_probes(mocked, sleeps, token, timeout, waits, probes):
    sampler = _sampler(mocked, LOCAL, token)
    mocked.get(LOCAL_API + JOB + "/results", status=204)
    polls = _status_forever(mocked, LOCAL_API)
    job = sampler.run([_bell()], shots=3)
    with pytest.raises(JobTimeoutError):
        job.result(timeout=timeout)
    assert sleeps == pytest.approx(waits)
    assert _job_calls(mocked, LOCAL_API) == ["POST /jobs"] + [f"GET {JOB}/results"] * probes
    assert polls == []  # the deadline had passed: no status poll was sent


def test_the_status_polls_get_what_the_probes_left_of_the_timeout(mocked, sleeps, token):
    sampler = _sampler(mocked, LOCAL, token)
    mocked.get(LOCAL_API + JOB + "/results", status=204)
    polls = _status_forever(mocked, LOCAL_API)
    job = sampler.run([_bell()], shots=3)
    with pytest.raises(JobTimeoutError):
        job.result(timeout=0.6)
    probing = sum(POLICY.warmup)  # 0.511 s
    assert sleeps == pytest.approx([*POLICY.warmup, 0.6 - probing])
    assert polls == []


def test_one_thread_probes_while_another_polls_the_status(mocked, token):
    sampler = _sampler(mocked, LOCAL, token)
    probing, polled = threading.Event(), threading.Event()
    answers = []

    def results(request):
        if not probing.is_set():  # the first probe waits until the other thread polled
            probing.set()
            answers.append(polled.wait(5))
        return 200, {}, golden.SAMPLER_PLAIN

    def status(request):
        polled.set()
        return 200, {}, json.dumps({"id": "job-1", "state": {"status": "Completed"}})

    mocked.add_callback(responses.GET, LOCAL_API + JOB + "/results", callback=results)
    mocked.add_callback(responses.GET, LOCAL_API + JOB, callback=status)
    job = sampler.run([_bell()], shots=3)
    first = threading.Thread(target=job.result)
    first.start()
    assert probing.wait(5)  # the first thread is in its probe
    second = job.result()
    first.join(5)
    _assert_bell(second)
    assert answers == [True] and job.result() is second
    assert _job_calls(mocked, LOCAL_API).count(f"GET {JOB}?exclude_params=true") == 1


def test_a_timeout_message_names_the_callers_timeout(mocked, token):
    sampler = _sampler(mocked, URL, token)  # remote: no probe, the status from the start
    mocked.get(API + JOB, json={"id": "job-1", "state": {"status": "Running"}})
    job = sampler.run([_bell()], shots=3)
    with pytest.raises(JobTimeoutError, match=r"within the 0\.05 s timeout"):
        job.result(timeout=0.05)


def test_a_private_result_read_elsewhere_names_the_job(mocked, sleeps, token):
    sampler = _sampler(mocked, LOCAL, token)
    sampler.options.environment.private = True
    mocked.get(LOCAL_API + JOB, json={"id": "job-1", "state": {"status": "Completed"}})
    mocked.get(LOCAL_API + JOB + "/results", status=204)
    job = sampler.run([_bell()], shots=3)
    with pytest.raises(JobFailureError) as failure:
        job.result()
    assert failure.value.job_id == "job-1"
    assert str(failure.value) == (
        "Job job-1 completed but the service returned no result (it may have been a private "
        "job whose result was already read)."
    )
