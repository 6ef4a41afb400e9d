"""The corners of error parsing and job creation that test_errors_and_retry.py leaves open."""

from __future__ import annotations

import json
import logging
import time

import pytest
import requests

from qiskit_rest_provider.api.jobs import IDEMPOTENCY_TAG_PREFIX, JobsApi
from qiskit_rest_provider.exceptions import (
    ApiError,
    InvalidResponseError,
    RateLimitError,
    ServerError,
)
from qiskit_rest_provider.http import RetryPolicy, Transport
from qiskit_rest_provider.http.auth import StaticBearer
from qiskit_rest_provider.http.errors import (
    parse_error_body,
    parse_retry_after,
    raise_for_response,
    response_json,
)

URL = "https://api.test/v1"


def _response(status: int, body: bytes, url: str = URL + "/jobs", reason=None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.url = url
    response.reason = reason
    return response


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"errors": [], "message": "top"}, "top"),
        ({"detail": []}, "[]"),
        ({"detail": {"a": 1}}, "{'a': 1}"),
        ({"detail": "plain"}, "plain"),
    ],
)
def test_odd_body_shapes(body, message):
    assert parse_error_body(_response(400, json.dumps(body).encode()))["message"] == message


def test_an_empty_body_without_a_reason():
    info = parse_error_body(_response(500, b""))
    assert info == {"message": "no details", "code": None, "solution": None, "trace": None}


def test_a_response_without_request_or_url():
    with pytest.raises(ApiError) as caught:
        raise_for_response(_response(418, b"teapot", url=""))
    assert str(caught.value) == "None None failed with HTTP 418: teapot"
    assert caught.value.method is None and caught.value.url is None


def test_only_the_first_question_mark_starts_the_query():
    with pytest.raises(ApiError) as caught:
        raise_for_response(_response(404, b"gone", url=URL + "/jobs?a=1?b=2"))
    assert caught.value.url == URL + "/jobs"
    assert "?" not in str(caught.value)


def test_a_date_without_a_zone_is_utc_whatever_the_local_zone(monkeypatch):
    monkeypatch.setenv("TZ", "EST+05")
    time.tzset()
    try:
        now = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC
        assert parse_retry_after("Tue, 14 Nov 2023 22:13:50 -0000", now=now) == 30.0
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_post_without_an_answer_is_not_repeated_by_default():
    assert not RetryPolicy().should_retry("POST")
    assert RetryPolicy().should_retry("POST", sent=False)


# --------------------------------------------------------------------------- job creation


def _jobs(**policy) -> JobsApi:
    return JobsApi(Transport(URL, StaticBearer("t"), retry=RetryPolicy(**policy)))


def test_create_sends_one_post_with_the_long_timeout(monkeypatch):
    jobs = _jobs()
    calls = []

    class Answer:
        status_code = 200
        headers: dict = {}
        content = b'{"id": "j1"}'

        def json(self):
            return {"id": "j1"}

    def request(method, path, **kwargs):
        calls.append((method, path, kwargs))
        return Answer()

    monkeypatch.setattr(jobs._transport, "request", request)
    monkeypatch.setattr("qiskit_rest_provider.api.jobs.json_object", lambda r: r.json())
    assert jobs.create({"a": 1}) == {"id": "j1"}
    assert calls == [
        ("POST", "jobs", {"json_body": {"a": 1}, "timeout": (5.0, 300.0), "retry": None})
    ]


def test_an_answer_without_a_job_id_names_its_first_ten_fields(mocked):
    answer = {f"f{i:02d}": i for i in range(12)}
    mocked.post(URL + "/jobs", json=answer)
    with pytest.raises(InvalidResponseError) as caught:
        _jobs().create({})
    fields = [f"f{i:02d}" for i in range(10)]
    assert str(caught.value) == (
        f"POST /jobs answered without a job id (the answer's fields: {fields}); the job may or "
        "may not exist."
    )


def test_an_adopted_job_is_logged_and_looked_up_exactly(mocked, caplog, sleeps):
    mocked.post(URL + "/jobs", status=502)
    lookup = mocked.get(URL + "/jobs", json={"jobs": [{"id": "made"}], "count": 1})
    body: dict = {}
    with caplog.at_level(logging.INFO, logger="qiskit_rest_provider.api.jobs"):
        assert _jobs().create_once(body) == {"id": "made"}
    (key,) = body["tags"]
    assert key.startswith(IDEMPOTENCY_TAG_PREFIX)
    assert lookup.calls[0].request.params == {
        "tags": key,
        "limit": "1",
        "exclude_params": "true",
    }
    assert [r.getMessage() for r in caplog.records] == [
        "adopted job made created before the answer was lost"
    ]
    assert sleeps == []


def test_the_waits_add_up_against_the_budget(mocked, sleeps):
    for _ in range(3):
        mocked.post(URL + "/jobs", status=429, headers={"Retry-After": "2"})
    mocked.post(URL + "/jobs", json={"id": "late"})
    # 2 + 2 = 4 fits a budget of 5; a third wait would make 6.
    with pytest.raises(RateLimitError):
        _jobs(max_attempts=10, max_total=5.0).create_once({})
    assert sleeps == [2.0, 2.0]


def test_a_wait_that_exactly_fills_the_budget_is_taken(mocked, sleeps):
    mocked.post(URL + "/jobs", status=429, headers={"Retry-After": "2"})
    mocked.post(URL + "/jobs", status=429, headers={"Retry-After": "2"})
    mocked.post(URL + "/jobs", json={"id": "ok"})
    assert _jobs(max_attempts=10, max_total=4.0).create_once({})["id"] == "ok"
    assert sleeps == [2.0, 2.0]


def test_a_lost_answer_with_no_job_found_waits_by_the_backoff(mocked, sleeps, monkeypatch):
    monkeypatch.setattr("random.uniform", lambda low, high: high)
    mocked.post(URL + "/jobs", status=503)
    mocked.post(URL + "/jobs", status=503)
    mocked.post(URL + "/jobs", json={"id": "third"})
    mocked.get(URL + "/jobs", json={"jobs": [], "count": 0})
    assert _jobs(backoff=0.5, max_attempts=3).create_once({})["id"] == "third"
    assert sleeps == [0.5, 1.0]


def test_server_errors_exhaust_the_attempts(mocked, sleeps):
    mocked.post(URL + "/jobs", status=500)
    mocked.get(URL + "/jobs", json={"jobs": [], "count": 0})
    with pytest.raises(ServerError):
        _jobs(backoff=0.0, max_attempts=2).create_once({})
    assert len(sleeps) == 1


# --------------------------------------------------------------------------- response_json


def test_a_body_that_is_not_json_names_its_kind_and_size():
    response = _response(200, b"<html>", url=URL + "/jobs?token=x?y")
    with pytest.raises(InvalidResponseError) as caught:
        response_json(response)
    assert str(caught.value) == (
        f"None {URL}/jobs answered HTTP 200 with a body that is not JSON (no content type, 6 "
        "bytes)."
    )
    response.headers["Content-Type"] = "text/html; " + "x" * 100
    with pytest.raises(InvalidResponseError) as caught:
        response_json(response)
    assert f"(text/html; {'x' * 69}, 6 bytes)." in str(caught.value)


def test_json_of_the_wrong_kind():
    response = _response(200, b"[1]", url="")
    assert response_json(response, list) == [1]
    assert response_json(response, None) == [1]
    with pytest.raises(InvalidResponseError) as caught:
        response_json(_response(200, b'{"a": 1}', url=""), list)
    assert str(caught.value) == "None None answered with JSON dict, not a list as the API defines."
    with pytest.raises(InvalidResponseError) as caught:
        response_json(response)
    assert (
        str(caught.value) == "None None answered with JSON list, not an object as the API defines."
    )
