"""Exact behaviour of http/retry.py and http/errors.py (each assertion kills a mutant class).

Retry: every status of the retryable set and its neighbours, the defaults, the doubling
back-off and its cap, ``Retry-After`` against ``max_total``, which methods are safe, a POST
repeated on 429 only, and job creation's total-time budget and 429 branch. Errors: non-JSON
bodies (an HTML 502), every body shape, the status -> class table, query strings removed, the
503 hint, and ``Retry-After`` in every form.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from email.utils import format_datetime

import pytest

from qiskit_rest_provider.api.jobs import JobsApi
from qiskit_rest_provider.exceptions import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ServiceMaintenanceError,
)
from qiskit_rest_provider.http import RetryPolicy, Transport
from qiskit_rest_provider.http import retry as retry_module
from qiskit_rest_provider.http.auth import StaticBearer
from qiskit_rest_provider.http.errors import (
    MAX_RETRY_AFTER,
    parse_retry_after,
    raise_for_response,
)
from qiskit_rest_provider.http.retry import NO_RETRY, RETRY_STATUSES

URL = "https://api.test/v1"


def _transport(**policy) -> Transport:
    return Transport(URL, StaticBearer("t"), retry=RetryPolicy(**policy))


# ------------------------------------------------------------------ the policy


def test_the_retryable_statuses_are_exactly_ibms_forcelist_plus_429():
    assert RETRY_STATUSES == {429, 500, 502, 503, 504, 520, 521, 522, 524}


@pytest.mark.parametrize("status", sorted(RETRY_STATUSES))
def test_every_retryable_status_repeats_a_get_but_only_429_a_post(status):
    policy = RetryPolicy()
    assert policy.should_retry("GET", status=status) is True
    assert policy.should_retry("POST", status=status) is (status == 429)
    assert policy.should_retry("POST", status=status, idempotent=True) is True


@pytest.mark.parametrize("status", [400, 401, 404, 409, 413, 428, 430, 501, 505, 519, 523, 525])
def test_neighbouring_statuses_are_not_retried(status):
    assert RetryPolicy().should_retry("GET", status=status) is False
    assert RetryPolicy().should_retry("PUT", status=status, idempotent=True) is False


@pytest.mark.parametrize(
    ("method", "safe"),
    [("GET", True), ("get", True), ("HEAD", True), ("OPTIONS", True), ("PUT", True),
     ("DELETE", True), ("POST", False), ("PATCH", False)],
)  # fmt: skip
def test_which_methods_are_repeated_after_a_lost_answer(method, safe):
    policy = RetryPolicy()
    assert policy.should_retry(method, status=None, sent=True) is safe
    assert policy.should_retry(method, status=None, sent=False) is True  # never reached it
    assert policy.should_retry(method, status=None, sent=True, idempotent=True) is True
    assert policy.should_retry(method, status=502) is safe


def test_defaults():
    policy = RetryPolicy()
    assert (policy.max_attempts, policy.backoff, policy.max_backoff, policy.max_total) == (
        5,
        0.5,
        8.0,
        60.0,
    )
    assert NO_RETRY.max_attempts == 1


def test_delay_doubles_from_backoff_up_to_max_backoff(monkeypatch):
    bounds: list[tuple[float, float]] = []

    def uniform(low: float, high: float) -> float:
        bounds.append((low, high))
        return high

    monkeypatch.setattr(retry_module.random, "uniform", uniform)
    policy = RetryPolicy()
    assert [policy.delay(n) for n in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert {low for low, _ in bounds} == {0}  # full jitter: anywhere from 0
    custom = RetryPolicy(backoff=0.1, max_backoff=0.3)
    assert [custom.delay(n) for n in range(3)] == [0.1, 0.2, 0.3]


def test_a_retry_after_hint_replaces_the_backoff_but_not_beyond_max_total(monkeypatch):
    monkeypatch.setattr(retry_module.random, "uniform", lambda a, b: pytest.fail("jitter used"))
    policy = RetryPolicy(max_total=10.0)
    assert policy.delay(3, 2.5) == 2.5
    assert policy.delay(0, 0.0) == 0.0
    assert policy.delay(0, 10.0) == 10.0
    assert policy.delay(0, 11.0) == 10.0


# ------------------------------------------------------------------ the transport


def test_a_get_is_retried_up_to_max_attempts(mocked, sleeps):
    route = mocked.get(URL + "/x", status=502, json={"errors": [{"message": "bad gw"}]})
    with pytest.raises(ServerError):
        _transport(max_attempts=3, backoff=0.01).request("GET", "x")
    assert route.call_count == 3
    assert len(sleeps) == 2 and all(0 <= s <= 0.02 for s in sleeps)


def test_a_post_is_repeated_on_429_and_honours_retry_after(mocked, sleeps):
    busy = mocked.post(URL + "/jobs", status=429, headers={"Retry-After": "3"}, json={})
    mocked.post(URL + "/jobs", json={"id": "j"})
    assert _transport().request("POST", "jobs", json_body={}).json() == {"id": "j"}
    assert busy.call_count == 1
    assert sleeps == [3.0]


def test_a_post_is_not_repeated_on_503(mocked, sleeps):
    route = mocked.post(URL + "/jobs", status=503, json={})
    with pytest.raises(ServiceMaintenanceError):
        _transport().request("POST", "jobs", json_body={})
    assert route.call_count == 1 and sleeps == []


def test_waiting_stops_at_max_total(mocked, sleeps):
    route = mocked.get(URL + "/x", status=429, headers={"Retry-After": "4"}, json={})
    with pytest.raises(RateLimitError) as info:
        _transport(max_attempts=10, max_total=10.0).request("GET", "x")
    assert sleeps == [4.0, 4.0]  # a third wait would reach 12 s > 10 s
    assert route.call_count == 3
    assert info.value.retry_after == 4.0


# ------------------------------------------------------------------ job creation


def test_job_creation_retries_a_429_without_looking_for_the_job(mocked, sleeps):
    mocked.post(URL + "/jobs", status=429, json={})
    mocked.post(URL + "/jobs", json={"id": "j1", "backend": "b"})
    lookup = mocked.get(URL + "/jobs", json={"jobs": [], "count": 0})
    created = JobsApi(_transport(backoff=0.01)).create_once({"program_id": "sampler"})
    assert created["id"] == "j1"
    assert lookup.call_count == 0  # a 429 created nothing, so nothing to adopt
    assert len([c for c in mocked.calls if c.request.method == "POST"]) == 2
    assert len(sleeps) == 1


def test_job_creation_gives_up_at_its_total_time_budget(mocked, sleeps):
    posts = mocked.post(URL + "/jobs", status=429, headers={"Retry-After": "0.6"}, json={})
    with pytest.raises(RateLimitError):
        JobsApi(_transport(max_attempts=10, max_total=1.0)).create_once({"program_id": "x"})
    assert sleeps == [0.6]  # 0.6 + 0.6 > 1.0
    assert posts.call_count == 2


def test_job_creation_gives_up_after_max_attempts(mocked, sleeps):
    posts = mocked.post(URL + "/jobs", status=429, json={})
    with pytest.raises(RateLimitError):
        JobsApi(_transport(max_attempts=3, backoff=0.0)).create_once({"program_id": "x"})
    assert posts.call_count == 3 and len(sleeps) == 2


# ------------------------------------------------------------------ error bodies


def _error(mocked, status, **kwargs) -> ApiError:
    mocked.get(URL + "/x", status=status, **kwargs)
    with pytest.raises(ApiError) as info:
        Transport(URL, StaticBearer("t"), retry=NO_RETRY).request(
            "GET", "x", params={"token": "s3cr3t", "a": "1"}
        )
    return info.value


def test_an_html_502_keeps_its_text(mocked):
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    error = _error(mocked, 502, body=page, content_type="text/html")
    assert type(error) is ServerError
    assert str(error) == f"GET {URL}/x failed with HTTP 502: {page}"
    assert (error.status_code, error.code, error.method) == (502, None, "GET")
    assert error.url == URL + "/x"


def test_a_long_text_body_is_cut_to_500_characters(mocked):
    error = _error(mocked, 500, body="  " + "e" * 900 + "  ", content_type="text/plain")
    assert str(error) == f"GET {URL}/x failed with HTTP 500: " + "e" * 500


def test_an_empty_body_falls_back_to_the_reason(mocked):
    assert str(_error(mocked, 504, body="")).endswith("failed with HTTP 504: Gateway Timeout")


def test_the_current_error_shape(mocked):
    body = {"errors": [{"code": 1234, "message": "no", "solution": "do"}], "trace": "tr-1"}
    error = _error(mocked, 400, json=body)
    assert type(error) is BadRequestError
    assert str(error) == (
        f"GET {URL}/x failed with HTTP 400: no (code 1234) Solution: do [trace tr-1]"
    )
    assert (error.code, error.solution, error.trace) == (1234, "do", "tr-1")


def test_the_legacy_error_shape(mocked):
    error = _error(mocked, 404, json={"error": {"message": "gone", "code": "X1"}})
    assert type(error) is NotFoundError
    assert str(error) == f"GET {URL}/x failed with HTTP 404: gone (code X1)"


def test_fastapis_list_form_detail_and_422_as_a_bad_request(mocked):
    detail = [{"loc": ["body", "a"], "msg": "field required"}, {"msg": "not an int"}]
    error = _error(mocked, 422, json={"detail": detail})
    assert type(error) is BadRequestError
    assert str(error) == f"GET {URL}/x failed with HTTP 422: field required; not an int"


def test_string_detail_and_plain_message(mocked):
    assert str(_error(mocked, 409, json={"detail": "busy"})).endswith("HTTP 409: busy")
    mocked.reset()
    assert str(_error(mocked, 403, json={"message": "nope"})).endswith("HTTP 403: nope")


def test_the_trace_header_when_the_body_has_none(mocked):
    error = _error(mocked, 500, json={}, headers={"uber-trace-id": "abc"})
    assert error.trace == "abc" and str(error).endswith("[trace abc]")


def test_the_query_string_never_reaches_the_message(mocked):
    error = _error(mocked, 400, json={"errors": [{"message": "bad"}]})
    assert "s3cr3t" not in str(error) and "?" not in str(error)
    assert error.url == URL + "/x"


def test_the_503_hint(mocked):
    error = _error(mocked, 503, json={"errors": [{"message": "down"}]})
    assert type(error) is ServiceMaintenanceError
    assert str(error) == (
        f"GET {URL}/x failed with HTTP 503: down "
        "The service may be in maintenance; try again later."
    )
    mocked.reset()
    assert "maintenance" not in str(_error(mocked, 502, json={}))


@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, BadRequestError), (401, AuthenticationError), (403, PermissionDeniedError),
     (404, NotFoundError), (409, ConflictError), (413, BadRequestError), (422, BadRequestError),
     (429, RateLimitError), (503, ServiceMaintenanceError), (418, ApiError), (500, ServerError),
     (501, ServerError), (599, ServerError), (499, ApiError)],
)  # fmt: skip
def test_status_to_class(mocked, status, cls):
    mocked.get(URL + "/x", status=status, json={})
    response = __import__("requests").get(URL + "/x", timeout=1)
    with pytest.raises(ApiError) as info:
        raise_for_response(response)
    assert type(info.value) is cls


def test_2xx_and_3xx_are_not_errors(mocked):
    import requests

    for status in (200, 204, 302):
        mocked.get(URL + f"/s{status}", status=status)
        raise_for_response(requests.get(URL + f"/s{status}", timeout=1, allow_redirects=False))


def test_an_error_body_nested_too_deeply_is_still_an_api_error(mocked):
    error = _error(mocked, 500, body="[" * 100000, content_type="application/json")
    assert type(error) is ServerError


# ------------------------------------------------------------------ Retry-After


NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("5", 5.0),
        (" 7 ", 7.0),
        ("2.5", 2.5),
        ("0", 0.0),
        ("-3", 0.0),
        ("nan", None),
        ("NaN", None),
        ("inf", MAX_RETRY_AFTER),
        ("-inf", 0.0),
        ("1e9", MAX_RETRY_AFTER),
        ("300", 300.0),
        ("301", 300.0),
        ("garbage", None),
        ("", None),
        ("   ", None),
        (None, None),
        (format_datetime(datetime.fromtimestamp(NOW + 10, timezone.utc), usegmt=True), 10.0),
        (format_datetime(datetime.fromtimestamp(NOW - 99, timezone.utc), usegmt=True), 0.0),
        (format_datetime(datetime.fromtimestamp(NOW + 9999, timezone.utc), usegmt=True), 300.0),
        ("Tue, 14 Nov 2023 22:13:30 -0000", 10.0),  # no zone claimed: read as UTC
        ("Tue, 99 Nov 2023 22:13:20 GMT", None),
    ],
)
def test_retry_after_in_every_form(value, seconds):
    assert MAX_RETRY_AFTER == 300.0
    assert parse_retry_after(value, now=NOW) == seconds


def test_retry_after_dates_use_the_clock_by_default():
    soon = format_datetime(datetime.now(timezone.utc).replace(microsecond=0), usegmt=True)
    assert 0.0 <= parse_retry_after(soon) <= 1.0


def test_a_429s_hint_is_on_the_error(mocked):
    error = _error(mocked, 429, json={}, headers={"Retry-After": "NaN"})
    assert isinstance(error, RateLimitError) and error.retry_after is None
    mocked.reset()
    error = _error(mocked, 429, json={}, headers={"Retry-After": "12"})
    assert error.retry_after == 12.0


def test_json_bodies_are_sent_compact_and_without_nan(mocked):
    route = mocked.post(URL + "/x", json={})
    Transport(URL, StaticBearer("t")).request("POST", "x", json_body={"a": [1, 2]})
    assert route.calls[0].request.body == b'{"a":[1,2]}'
    with pytest.raises(ValueError):
        Transport(URL, StaticBearer("t")).request("POST", "x", json_body={"a": float("nan")})
    assert json.loads(route.calls[0].request.body) == {"a": [1, 2]}


def test_retry_after_dates_do_not_depend_on_the_local_zone(monkeypatch):
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert parse_retry_after("Tue, 14 Nov 2023 22:13:30 -0000", now=NOW) == 10.0
        assert parse_retry_after("Tue, 14 Nov 2023 22:13:40 GMT", now=NOW) == 20.0
    finally:
        monkeypatch.undo()
        time.tzset()
