"""JobsApi's resource calls: the exact request of each, and the result re-read after a 204."""

from __future__ import annotations

import json

import pytest

from qiskit_rest_provider.api import jobs as jobs_module
from qiskit_rest_provider.api.jobs import JobsApi
from qiskit_rest_provider.exceptions import InvalidResponseError, JobNotFoundError
from qiskit_rest_provider.http import RetryPolicy, Transport
from qiskit_rest_provider.http.auth import StaticBearer

URL = "https://api.test/v1"


@pytest.fixture
def sleeps(monkeypatch):
    waited: list[float] = []
    monkeypatch.setattr("time.sleep", waited.append)
    monkeypatch.setattr("random.uniform", lambda low, high: high)
    return waited


def _jobs(**policy) -> JobsApi:
    return JobsApi(Transport(URL, StaticBearer("t"), retry=RetryPolicy(**policy)))


def test_cancel_delete_tags_logs_metrics_send_exact_requests(mocked):
    cancel = mocked.post(URL + "/jobs/a%2Fb/cancel", status=204)
    delete = mocked.delete(URL + "/jobs/j1", status=204)
    tags = mocked.put(URL + "/jobs/j1/tags", status=204)
    logs = mocked.get(URL + "/jobs/j1/logs", body="line 1\nline 2")
    metrics = mocked.get(URL + "/jobs/j1/metrics", json={"usage": {"seconds": 3}})
    api = _jobs()
    assert api.cancel("a/b") is None
    assert api.delete("j1") is None
    assert api.update_tags("j1", ("x", "y")) is None
    assert api.logs("j1") == "line 1\nline 2"
    assert api.metrics("j1") == {"usage": {"seconds": 3}}
    assert [c.call_count for c in (cancel, delete, tags, logs, metrics)] == [1] * 5
    assert json.loads(tags.calls[0].request.body) == {"tags": ["x", "y"]}


def test_metrics_must_be_an_object(mocked):
    mocked.get(URL + "/jobs/j1/metrics", json=[1, 2])
    with pytest.raises(InvalidResponseError) as caught:
        _jobs().metrics("j1")
    assert str(caught.value) == (
        f"GET {URL}/jobs/j1/metrics answered with JSON list, not an object as the API defines."
    )


@pytest.mark.parametrize(
    ("call", "method", "suffix"),
    [
        (lambda api: api.cancel("j9"), "POST", "/cancel"),
        (lambda api: api.delete("j9"), "DELETE", ""),
        (lambda api: api.update_tags("j9", []), "PUT", "/tags"),
        (lambda api: api.logs("j9"), "GET", "/logs"),
        (lambda api: api.metrics("j9"), "GET", "/metrics"),
        (lambda api: api.get("j9"), "GET", ""),
    ],
)
def test_a_404_names_the_job(mocked, call, method, suffix):
    mocked.add(method, URL + "/jobs/j9" + suffix, status=404, json={"errors": [{"message": "no"}]})
    with pytest.raises(JobNotFoundError) as caught:
        call(_jobs())
    assert str(caught.value).startswith("Job 'j9' (in this instance) was not found: ")


def test_get_asks_without_params_by_default(mocked):
    route = mocked.get(URL + "/jobs/j1", json={"id": "j1", "status": "Queued"})
    assert _jobs().get("j1") == {"id": "j1", "status": "Queued"}
    assert _jobs().get("j1", exclude_params=False)["id"] == "j1"
    assert [c.request.params for c in route.calls] == [
        {"exclude_params": "true"},
        {"exclude_params": "false"},
    ]


def test_list_turns_booleans_into_words(mocked):
    route = mocked.get(URL + "/jobs", json={"jobs": [], "count": 0})
    assert _jobs().list(pending=True, exclude_params=False, limit=5, backend="b") == {
        "jobs": [],
        "count": 0,
    }
    assert route.calls[0].request.params == {
        "pending": "true",
        "exclude_params": "false",
        "limit": "5",
        "backend": "b",
    }


def test_results_bytes_and_a_204(mocked, sleeps):
    mocked.get(URL + "/jobs/j1/results", body=b'{"results": []}')
    mocked.get(URL + "/jobs/j2/results", status=204)
    api = _jobs(backoff=0.5, max_attempts=3)
    assert api.results("j1") == b'{"results": []}'
    assert api.results("j2") is None  # not lagging: one read
    assert len(mocked.calls) == 2 and sleeps == []


def test_a_lagging_result_is_read_again_with_backoff(mocked, sleeps):
    route = mocked.get(URL + "/jobs/j1/results", status=204)
    mocked.get(URL + "/jobs/j1/results", status=204)
    mocked.get(URL + "/jobs/j1/results", body=b"{}")
    assert _jobs(backoff=0.5, max_attempts=3).results("j1", lagging=True) == b"{}"
    assert sleeps == [0.5, 1.0]
    assert route.call_count >= 1


def test_a_lagging_result_gives_up_after_the_attempts(mocked, sleeps):
    route = mocked.get(URL + "/jobs/j1/results", status=204)
    assert _jobs(backoff=0.5, max_attempts=3).results("j1", lagging=True) is None
    assert route.call_count == 3 and sleeps == [0.5, 1.0]


def test_a_lagging_result_stops_at_the_time_budget(mocked, sleeps):
    route = mocked.get(URL + "/jobs/j1/results", status=204)
    # 0.5 + 1.0 = 1.5 fits exactly; the next wait (2.0) would pass 1.5.
    assert _jobs(backoff=0.5, max_attempts=9, max_total=1.5).results("j1", lagging=True) is None
    assert sleeps == [0.5, 1.0] and route.call_count == 3


def test_a_lagging_result_stops_before_the_deadline(mocked, sleeps, monkeypatch):
    route = mocked.get(URL + "/jobs/j1/results", status=204)
    monkeypatch.setattr(jobs_module.time, "monotonic", lambda: 100.0)
    api = _jobs(backoff=0.5, max_attempts=9)
    assert api.results("j1", lagging=True, deadline=100.5) is None  # 100 + 0.5 reaches it
    assert sleeps == [] and route.call_count == 1
    assert api.results("j1", lagging=True, deadline=100.6) is None
    assert sleeps == [0.5]


def test_results_pass_the_size_limit(mocked, monkeypatch):
    mocked.get(URL + "/jobs/j1/results", body=b"{}")
    api = _jobs()
    seen = []
    real = api._transport.request

    def spy(method, path, **kwargs):
        seen.append((method, path, kwargs["timeout"], kwargs["max_bytes"]))
        return real(method, path, **kwargs)

    monkeypatch.setattr(api._transport, "request", spy)
    api.results("j1")
    api.results("j1", max_bytes=10)
    default = api._transport.max_result_bytes
    assert seen == [
        ("GET", "jobs/j1/results", (5.0, 300.0), default),
        ("GET", "jobs/j1/results", (5.0, 300.0), 10),
    ]


def test_lagging_waits_add_up_against_the_budget(mocked, sleeps):
    mocked.get(URL + "/jobs/j1/results", status=204)
    api = _jobs(backoff=1.0, max_backoff=1.0, max_attempts=6, max_total=2.5)
    assert api.results("j1", lagging=True) is None
    assert sleeps == [1.0, 1.0]  # a third second would make 3 > 2.5


def test_results_pass_the_deadline_to_the_transport(mocked, monkeypatch):
    mocked.get(URL + "/jobs/j1/results", body=b"{}")
    api = _jobs()
    seen = []
    real = api._transport.request

    def spy(method, path, **kwargs):
        seen.append(kwargs["deadline"])
        return real(method, path, **kwargs)

    monkeypatch.setattr(api._transport, "request", spy)
    monkeypatch.setattr(jobs_module.time, "monotonic", lambda: 0.0)
    api.results("j1", deadline=1e9)
    api.results("j1")
    assert seen == [1e9, None]


def test_a_status_read_is_capped_but_a_full_job_read_is_not(mocked, monkeypatch):
    mocked.get(URL + "/jobs/j1", json={"id": "j1"})
    api = _jobs()
    seen = []
    real = api._transport.request

    def spy(method, path, **kwargs):
        seen.append((method, path, kwargs["max_bytes"], kwargs["deadline"]))
        return real(method, path, **kwargs)

    monkeypatch.setattr(api._transport, "request", spy)
    api.get("j1", deadline=1e12)
    api.get("j1", exclude_params=False)
    assert seen == [("GET", "jobs/j1", 4 * 2**20, 1e12), ("GET", "jobs/j1", None, None)]
