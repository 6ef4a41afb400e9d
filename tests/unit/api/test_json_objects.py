"""Every api method that promises a JSON object gets one, or a DecodeError saying what came."""

import pytest

from qiskit_rest_provider.api import JobsApi, SessionsApi
from qiskit_rest_provider.exceptions import DecodeError
from qiskit_rest_provider.http import StaticBearer, Transport
from tests.unit.conftest import API


@pytest.fixture
def jobs():
    return JobsApi(Transport(API, StaticBearer("t")))


def test_an_object_comes_back_as_is(mocked, jobs):
    mocked.get(API + "/jobs/j", json={"id": "j", "state": {"status": "Queued"}})
    assert jobs.get("j") == {"id": "j", "state": {"status": "Queued"}}


@pytest.mark.parametrize(
    ("body", "said"), [("[1, 2]", "JSON list, not an object"), ("<html>", "not JSON")]
)
def test_anything_else_is_a_decode_error_naming_the_request(mocked, jobs, body, said):
    mocked.get(API + "/jobs/j", body=body)
    with pytest.raises(DecodeError, match=said) as info:
        jobs.get("j")
    assert "GET " + API + "/jobs/j" in str(info.value)


def test_sessions_and_listings_too(mocked):
    transport = Transport(API, StaticBearer("t"))
    mocked.get(API + "/sessions/s", json="closed")
    mocked.get(API + "/jobs", body="null", content_type="application/json")
    with pytest.raises(DecodeError, match="JSON str"):
        SessionsApi(transport).details("s")
    with pytest.raises(DecodeError, match="JSON NoneType"):
        JobsApi(transport).list(limit=1)
