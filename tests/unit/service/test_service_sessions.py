"""Session / Batch over pinned HTTP: bodies, close vs cancel, context, refusal, jobs."""

from __future__ import annotations

import json

import pytest
from qiskit import QuantumCircuit

from qiskit_rest_provider import Batch, SamplerV2, Session
from qiskit_rest_provider.exceptions import (
    InvalidInputError,
    SessionClosedError,
    SessionModeNotAllowedError,
)
from qiskit_rest_provider.service.execution import current_session
from qiskit_rest_provider.service.runtime import RuntimeService
from tests.unit.conftest import API, FAST, SIM_CONFIG, URL


@pytest.fixture
def backend(mocked, service):
    mocked.get(API + "/backends/ibmq_qasm_simulator/configuration", json=SIM_CONFIG)
    return service.backend("ibmq_qasm_simulator")


def _bodies(mocked, method, suffix):
    return [
        json.loads(c.request.body) if c.request.body else None
        for c in mocked.calls
        if c.request.method == method and c.request.url.split("?")[0].endswith(suffix)
    ]


def _circuit():
    circuit = QuantumCircuit(1)
    circuit.x(0)
    circuit.measure_all()
    return circuit


def test_session_body_and_close_on_exit(mocked, backend):
    mocked.post(API + "/sessions", json={"id": "s1", "mode": "dedicated"})
    mocked.patch(API + "/sessions/s1", status=204)
    with Session(backend, max_time="2h 30m") as session:
        assert current_session() is session
        assert session.session_id == "s1"
        assert session.backend() == "ibmq_qasm_simulator"
    assert current_session() is None
    assert _bodies(mocked, "POST", "/sessions") == [
        {"mode": "dedicated", "backend": "ibmq_qasm_simulator", "max_ttl": 9000}
    ]
    assert _bodies(mocked, "PATCH", "/sessions/s1") == [{"accepting_jobs": False}]
    assert not session.active


def test_batch_body_and_cancel(mocked, backend):
    mocked.post(API + "/sessions", json={"id": "b1", "mode": "batch"})
    mocked.delete(API + "/sessions/b1/close", status=204)
    batch = Batch(backend)
    batch.cancel()
    assert _bodies(mocked, "POST", "/sessions") == [
        {"mode": "batch", "backend": "ibmq_qasm_simulator"}
    ]
    assert len(_bodies(mocked, "DELETE", "/sessions/b1/close")) == 1
    assert not _bodies(mocked, "PATCH", "/sessions/b1")


def test_jobs_in_a_session_carry_its_id_and_closed_sessions_refuse(mocked, backend):
    mocked.post(API + "/sessions", json={"id": "s1"})
    mocked.patch(API + "/sessions/s1", status=204)
    mocked.post(API + "/jobs", json={"id": "j1", "backend": "ibmq_qasm_simulator"})
    mocked.post(API + "/jobs", json={"id": "j2", "backend": "ibmq_qasm_simulator"})
    with Session(backend) as session:
        job = SamplerV2(mode=session).run([_circuit()], shots=10)
        implicit = SamplerV2().run([_circuit()], shots=10)  # mode from the with block
    assert job.session_id == "s1" and implicit.session_id == "s1"
    assert [b["session_id"] for b in _bodies(mocked, "POST", "/jobs")] == ["s1", "s1"]
    with pytest.raises(SessionClosedError, match="closed"):
        SamplerV2(mode=session).run([_circuit()], shots=10)
    with pytest.raises(InvalidInputError, match="No mode"):
        SamplerV2().run([_circuit()], shots=10)


def test_nested_blocks_restore_the_outer_session(mocked, backend):
    mocked.post(API + "/sessions", json={"id": "outer"})
    mocked.post(API + "/sessions", json={"id": "inner"})
    mocked.patch(API + "/sessions/outer", status=204)
    mocked.patch(API + "/sessions/inner", status=204)
    with Session(backend) as outer:
        with Batch(backend) as inner:
            assert current_session() is inner
        assert current_session() is outer


def test_dedicated_refusal_is_clear(mocked, backend):
    mocked.post(
        API + "/sessions",
        status=403,
        json={
            "errors": [{"code": 1200, "message": "You are not authorized to perform this action."}]
        },
    )
    with pytest.raises(SessionModeNotAllowedError, match="use Batch") as info:
        Session(backend)
    assert info.value.status_code == 403


def test_classic_warning_message_is_a_refusal(mocked, backend):
    mocked.post(
        API + "/sessions",
        json={
            "id": "s1",
            "messages": [
                {
                    "level": "warn",
                    "data": "Dedicated session execution mode is not supported in the open plan",
                }
            ],
        },
    )
    with pytest.raises(SessionModeNotAllowedError, match="open plan"):
        Session(backend)


def test_batch_errors_are_not_rewritten(mocked, backend):
    mocked.post(API + "/sessions", status=403, json={"errors": [{"code": 1200, "message": "no"}]})
    with pytest.raises(Exception) as info:
        Batch(backend)
    assert not isinstance(info.value, SessionModeNotAllowedError)


def test_details_status_usage(mocked, backend):
    mocked.post(API + "/sessions", json={"id": "s1"})
    raw = {
        "id": "s1",
        "backend_name": "ibmq_qasm_simulator",
        "mode": "dedicated",
        "state": "active",
        "accepting_jobs": True,
        "max_ttl": 28800,
        "interactive_ttl": 60,
        "active_ttl": 300,
        "elapsed_time": 12.5,
        "started_at": "2026-01-01T00:00:00Z",
    }
    mocked.get(API + "/sessions/s1", json=raw)
    session = Session(backend)
    details = session.details()
    assert details["max_time"] == 28800 and details["usage_time"] == 12.5
    assert details["interactive_timeout"] == 60 and details["active_timeout"] == 300
    assert details["state"] == "active" and details["started_at"] == raw["started_at"]
    assert session.status() == "In progress, accepting new jobs"
    assert session.usage() == 12.5


@pytest.mark.parametrize(
    ("state", "accepting", "text"),
    [
        ("open", True, "Pending"),
        ("inactive", True, "Pending"),
        ("active", False, "In progress, not accepting new jobs"),
        ("pending_closed", False, "In progress, not accepting new jobs"),
        ("closed", False, "Closed"),
    ],
)
def test_status_strings(mocked, backend, state, accepting, text):
    mocked.post(API + "/sessions", json={"id": "s1"})
    mocked.get(API + "/sessions/s1", json={"id": "s1", "state": state, "accepting_jobs": accepting})
    assert Session(backend).status() == text


def test_from_id(mocked, service):
    mocked.get(API + "/backends/ibmq_qasm_simulator/configuration", json=SIM_CONFIG)
    mocked.get(
        API + "/sessions/b9",
        json={
            "id": "b9",
            "backend_name": "ibmq_qasm_simulator",
            "mode": "batch",
            "state": "closed",
            "accepting_jobs": False,
        },
    )
    batch = Batch.from_id("b9", service)
    assert batch.session_id == "b9" and not batch.active
    assert not _bodies(mocked, "POST", "/sessions")
    with pytest.raises(InvalidInputError, match="Batch.from_id"):
        Session.from_id("b9", service)
    with pytest.raises(SessionClosedError):
        SamplerV2(mode=batch).run([_circuit()], shots=1)


def test_invalid_arguments(mocked, backend):
    with pytest.raises(InvalidInputError, match="backend"):
        Session("ibm_brisbane")
    with pytest.raises(InvalidInputError, match="max_time"):
        Session(backend, max_time="soon")
    with pytest.raises(InvalidInputError, match="max_time"):
        Batch(backend, max_time=0)


def test_classic_session_carries_the_instance_and_jobs_carry_hgp(mocked):
    mocked.post(URL + "/api/users/loginWithToken", json={"id": "access", "ttl": 3600})
    mocked.get(URL + "/runtime/backends/ibmq_qasm_simulator/configuration", json=SIM_CONFIG)
    mocked.post(URL + "/runtime/sessions", json={"id": "c1"})
    mocked.patch(URL + "/runtime/sessions/c1", status=204)
    mocked.post(URL + "/runtime/jobs", json={"id": "j1", "backend": "ibmq_qasm_simulator"})
    service = RuntimeService(channel="ibm_quantum", token="t", url=URL, instance="h/g/p", poll=FAST)
    with Batch(service.backend("ibmq_qasm_simulator")) as batch:
        SamplerV2(mode=batch).run([_circuit()], shots=3)
    assert _bodies(mocked, "POST", "/runtime/sessions")[0]["instance"] == "h/g/p"
    job_body = _bodies(mocked, "POST", "/runtime/jobs")[0]
    assert (job_body["hub"], job_body["group"], job_body["project"]) == ("h", "g", "p")
    assert job_body["session_id"] == "c1"
