"""A lost POST /jobs answer never creates a second job."""

import json

import pytest
import requests
from qiskit import QuantumCircuit

from qiskit_rest_provider import SamplerV2
from qiskit_rest_provider.api.jobs import IDEMPOTENCY_TAG_PREFIX
from qiskit_rest_provider.exceptions import RateLimitError, ServerError
from qiskit_rest_provider.http import RetryPolicy
from tests.unit.conftest import API, SIM_CONFIG


@pytest.fixture
def backend(mocked, service):
    service.transport.retry = RetryPolicy(backoff=0.0, max_attempts=4)
    mocked.get(API + "/backends/ibmq_qasm_simulator/configuration", json=SIM_CONFIG)
    return service.backend("ibmq_qasm_simulator")


def _circuit():
    qc = QuantumCircuit(1, 1)
    qc.measure(0, 0)
    return qc


def _posted_tag(mocked):
    posts = [
        c for c in mocked.calls if c.request.method == "POST" and c.request.url.endswith("/jobs")
    ]
    tags = {t for c in posts for t in json.loads(c.request.body)["tags"]}
    (key,) = [t for t in tags if t.startswith(IDEMPOTENCY_TAG_PREFIX)]
    return posts, key


def test_5xx_after_creation_adopts_the_created_job(mocked, backend):
    mocked.post(API + "/jobs", status=502)
    lookup = mocked.get(
        API + "/jobs", json={"jobs": [{"id": "made-it", "backend": "x"}], "count": 1}
    )
    job = SamplerV2(mode=backend).run([_circuit()], shots=5)
    posts, key = _posted_tag(mocked)
    assert job.job_id() == "made-it"
    assert len(posts) == 1
    assert lookup.calls[0].request.params["tags"] == key


def test_dropped_connection_before_creation_posts_again_with_the_same_tag(mocked, backend):
    mocked.post(API + "/jobs", body=requests.ConnectionError("reset by peer"))
    mocked.post(API + "/jobs", json={"id": "second", "backend": "x"})
    mocked.get(API + "/jobs", json={"jobs": [], "count": 0})
    sampler = SamplerV2(mode=backend, options={"environment": {"job_tags": ["mine"]}})
    job = sampler.run([_circuit()], shots=5)
    posts, key = _posted_tag(mocked)
    assert job.job_id() == "second"
    assert len(posts) == 2
    assert [json.loads(p.request.body)["tags"] for p in posts] == [["mine", key]] * 2


def test_429_waits_and_retries(mocked, backend):
    mocked.post(API + "/jobs", status=429, headers={"Retry-After": "0"})
    mocked.post(API + "/jobs", json={"id": "ok", "backend": "x"})
    assert SamplerV2(mode=backend).run([_circuit()], shots=5).job_id() == "ok"


def test_gives_up_after_bounded_attempts(mocked, backend):
    mocked.post(API + "/jobs", status=500)
    mocked.get(API + "/jobs", json={"jobs": [], "count": 0})
    with pytest.raises(ServerError):
        SamplerV2(mode=backend).run([_circuit()], shots=5)
    posts, _ = _posted_tag(mocked)
    assert len(posts) == 4


def test_no_room_for_the_marker_tag_means_no_blind_retry(mocked, backend):
    mocked.post(API + "/jobs", status=502)
    user_tags = [f"t{i}" for i in range(8)]
    sampler = SamplerV2(mode=backend, options={"environment": {"job_tags": user_tags}})
    with pytest.raises(ServerError):
        sampler.run([_circuit()], shots=5)
    posts = [c for c in mocked.calls if c.request.method == "POST" and "/jobs" in c.request.url]
    assert len(posts) == 1
    assert json.loads(posts[0].request.body)["tags"] == user_tags


def test_429_without_end_posts_max_attempts_times_in_all(mocked, backend):
    # One policy counts every POST: the transport does not retry them again inside each of
    # create_once's attempts (that made 4 x 4 = 16 POSTs).
    mocked.post(API + "/jobs", status=429, headers={"Retry-After": "0"})
    with pytest.raises(RateLimitError):
        SamplerV2(mode=backend).run([_circuit()], shots=5)
    posts, _ = _posted_tag(mocked)
    assert len(posts) == 4
    assert not [c for c in mocked.calls if c.request.method == "GET" and "tags" in c.request.url]


def test_the_marker_tag_is_sent_but_hidden_from_the_job_handle(mocked, backend):
    mocked.post(API + "/jobs", json={"id": "ok", "backend": "x"})
    sampler = SamplerV2(mode=backend, options={"environment": {"job_tags": ["mine"]}})
    job = sampler.run([_circuit()], shots=5)
    _, key = _posted_tag(mocked)
    assert key and job.tags == ["mine"]  # issue 11: the user reads back exactly their tags
    assert job._tags == ["mine", key]  # noqa: SLF001 - the handle still knows it
