"""RuntimeJob as qiskit-ibm-runtime's RuntimeJobV2: attributes, types, tags (exact requests)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from qiskit import QuantumCircuit
from responses.matchers import query_param_matcher

from qiskit_rest_provider import IBMInputValueError, RuntimeJob, SamplerV2
from qiskit_rest_provider.service.job_attributes import (
    IDEMPOTENCY_TAG_PREFIX,
    check_tags,
    parse_datetime,
    user_tags,
)
from tests.unit.conftest import API, CRN

SIM_CONF = {
    "backend_name": "sim",
    "backend_version": "1",
    "n_qubits": 4,
    "basis_gates": ["x", "h", "cx", "measure"],
    "simulator": True,
    "gates": [],
}
MARK = IDEMPOTENCY_TAG_PREFIX + "0" * 32
JOB = {
    "id": "j1",
    "backend": "sim",
    "program": {"id": "sampler"},
    "created": "2026-03-04T05:06:07.891Z",
    "tags": ["mine", MARK],
    "state": {"status": "Completed"},
    "private": True,
    "estimated_running_time_seconds": 2.5,
}


def _bell():
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def test_retrieved_job_attributes_have_their_types(service, mocked):
    mocked.get(f"{API}/jobs/j1", json=JOB)
    mocked.get(f"{API}/backends/sim/configuration", json=SIM_CONF)
    job = service.job("j1")
    assert isinstance(job, RuntimeJob)
    assert job.tags == ["mine"]  # the submit marker never shows
    created = job.creation_date
    assert isinstance(created, datetime) and created.tzinfo is not None
    assert created == datetime(2026, 3, 4, 5, 6, 7, 891000, tzinfo=timezone.utc)
    assert job.primitive_id == job.program_id == "sampler"
    assert job.private is True and job.instance == CRN
    assert job.usage_estimation == {"quantum_seconds": 2.5}
    assert job.backend().name == "sim" and job.backend_name() == "sim"
    assert job.errored() is False and job.done() is True
    assert job.properties() is None  # a simulator, as theirs


def test_a_fresh_submit_knows_its_date_inputs_and_tags(service, mocked):
    mocked.get(f"{API}/backends/sim/configuration", json=SIM_CONF)
    post = mocked.post(f"{API}/jobs", json={"id": "j2", "backend": "sim"})
    backend = service.backend("sim")
    sampler = SamplerV2(mode=backend, options={"environment": {"job_tags": ["a", "b"]}})
    job = sampler.run([_bell()], shots=5)
    sent = json.loads(post.calls[0].request.body)
    assert [t for t in sent["tags"] if t.startswith(IDEMPOTENCY_TAG_PREFIX)]  # still sent
    assert set(job.tags) == {"a", "b"}
    assert job.backend() is backend
    assert job.inputs["pubs"] == sent["params"]["pubs"]
    mocked.get(f"{API}/jobs/j2", json={**JOB, "id": "j2", "created": "2026-03-04T05:06:07Z"})
    assert job.creation_date == datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc)


def test_tags_are_checked_at_submit_not_on_set(service, mocked):
    mocked.get(f"{API}/backends/sim/configuration", json=SIM_CONF)
    post = mocked.post(f"{API}/jobs", json={"id": "j3", "backend": "sim"})
    sampler = SamplerV2(mode=service.backend("sim"))
    sampler.options.environment.job_tags = [f"t{i}" for i in range(9)]  # accepted, as theirs
    with pytest.raises(IBMInputValueError, match="at most 8"):
        sampler.run([_bell()])
    sampler.options.environment.job_tags = ["x" * 87]
    with pytest.raises(IBMInputValueError, match="1 to 86"):
        sampler.run([_bell()])
    assert post.call_count == 0


def test_update_tags_takes_their_keyword(service, mocked):
    mocked.get(f"{API}/jobs/j1", json=JOB)
    put = mocked.put(f"{API}/jobs/j1/tags", status=204)
    job = service.job("j1")
    assert job.update_tags(new_tags=["x", "y", "x"]) == ["x", "y"]
    assert json.loads(put.calls[0].request.body) == {"tags": ["x", "y"]}
    assert job.update_tags(tags=["z"]) == ["z"] and job.tags == ["z"]
    with pytest.raises(IBMInputValueError, match="list of strings"):
        job.update_tags(new_tags=[1])
    with pytest.raises(TypeError):
        job.update_tags(["a"], colour="red")


def test_inputs_of_a_retrieved_job_are_fetched_with_params(service, mocked):
    listed = {**JOB, "params": None}
    mocked.get(f"{API}/jobs", json={"jobs": [listed], "count": 1})
    full = mocked.get(
        f"{API}/jobs/j1",
        match=[query_param_matcher({"exclude_params": "false"})],
        json={**JOB, "params": {"pubs": [["OPENQASM 3.0;", {}, 5]], "version": 2}},
    )
    (job,) = service.jobs(limit=1)
    assert job.tags == ["mine"]
    assert job.inputs["version"] == 2 and full.call_count == 1


def test_usage_is_zero_until_final_as_theirs(service, mocked):
    mocked.get(f"{API}/jobs/j1", json=JOB)
    mocked.get(
        f"{API}/jobs/j1/metrics",
        json={"usage": {"qpu_charge_time_seconds": 3, "status": "pending"}},
    )
    job = service.job("j1")
    assert job.usage() == 0 and job.usage(partial=True) == 3


def test_tag_helpers():
    assert user_tags(["a", MARK, "b"]) == ["a", "b"]
    assert check_tags(None) == [] and check_tags(("a",)) == ["a"]
    with pytest.raises(IBMInputValueError, match="reserved"):
        check_tags([MARK])
    with pytest.raises(IBMInputValueError):
        check_tags(["a"] * 8 + ["b"])
    assert check_tags(["a"] * 8) == ["a"] * 8
    assert check_tags(["y" * 86]) == ["y" * 86]
    with pytest.raises(IBMInputValueError):
        check_tags([""])
    with pytest.raises(IBMInputValueError):
        check_tags("abc")


def test_parse_datetime():
    assert parse_datetime(None) is None and parse_datetime("") is None
    assert parse_datetime("garbage") is None
    naive = parse_datetime("2026-01-01T00:00:00")
    assert naive == datetime(2026, 1, 1, tzinfo=timezone.utc) and naive.tzinfo is not None
    assert parse_datetime("2026-01-01T01:00:00+01:00") == datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_properties_are_those_in_force_when_the_job_ran(service, mocked):
    from responses.matchers import query_param_matcher as qpm

    conf = {**SIM_CONF, "backend_name": "dev", "simulator": False}
    mocked.get(f"{API}/jobs/j1", json={**JOB, "backend": "dev"})
    mocked.get(f"{API}/backends/dev/configuration", json=conf)
    mocked.get(f"{API}/jobs/j1/metrics", json={"timestamps": {"running": "2026-03-04T05:07:00Z"}})
    props = mocked.get(
        f"{API}/backends/dev/properties",
        json={"backend_name": "dev", "qubits": [], "gates": []},
        match=[qpm({"updated_before": "2026-03-04T05:07:00+00:00"})],
    )
    assert service.job("j1").properties().to_dict()["backend_name"] == "dev"
    assert props.call_count == 1
