"""Exact HTTP requests the client makes, pinned with ``responses``."""

import json
from urllib.parse import parse_qs

import pytest
import responses
from qiskit import QuantumCircuit

from qiskit_rest_provider import EstimatorV2, SamplerV2
from qiskit_rest_provider.exceptions import (
    AuthenticationError,
    BackendNotFoundError,
    BadRequestError,
    JobNotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ServiceMaintenanceError,
)
from qiskit_rest_provider.http import RetryPolicy, Transport
from qiskit_rest_provider.http.auth import StaticBearer
from tests.fixtures import golden_results as golden
from tests.unit.conftest import API, CRN, SIM_CONFIG, URL, make_jwt


def _bell():
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure([0, 1], [0, 1])
    return qc


def test_token_exchange_and_headers(mocked, service, token):
    mocked.get(API + "/backends/ibmq_qasm_simulator/configuration", json=SIM_CONFIG)
    service.backend("ibmq_qasm_simulator")
    token_call, config_call = mocked.calls
    form = parse_qs(token_call.request.body)
    assert form == {
        "grant_type": ["urn:ibm:params:oauth:grant-type:apikey"],
        "apikey": ["my-api-key"],
        "response_type": ["cloud_iam"],
    }
    headers = config_call.request.headers
    assert headers["Authorization"] == "Bearer " + token
    assert headers["Service-CRN"] == CRN
    assert headers["IBM-API-Version"] == "2026-04-15"
    assert headers["User-Agent"].startswith("qiskit-rest-provider/")


def test_sampler_job_body_and_result(mocked, service):
    mocked.get(API + "/backends/ibmq_qasm_simulator/configuration", json=SIM_CONFIG)
    mocked.post(API + "/jobs", json={"id": "job-1", "backend": "ibmq_qasm_simulator"})
    mocked.get(API + "/jobs/job-1", json={"id": "job-1", "state": {"status": "Completed"}})
    results = mocked.get(API + "/jobs/job-1/results", body=golden.SAMPLER_PLAIN)
    qc = QuantumCircuit(2, 2)
    qc.h(0)
    qc.measure([0, 1], [0, 1])
    sampler = SamplerV2(mode=service.backend("ibmq_qasm_simulator"))
    job = sampler.run([qc], shots=3)
    body = json.loads(mocked.calls[2].request.body)
    assert mocked.calls[2].request.headers["Content-Type"] == "application/json"
    assert body["program_id"] == "sampler"
    assert body["backend"] == "ibmq_qasm_simulator"
    assert body["log_level"] == "WARNING"
    params = body["params"]
    assert params["version"] == 2 and params["support_qiskit"] is True
    assert params["options"] == {}
    (pub,) = params["pubs"]
    assert pub[0].startswith("OPENQASM 3.0;\n// qiskit_rest_provider: ")
    assert pub[1]["__type__"] == "ndarray" and pub[2] == 3
    assert job.job_id() == "job-1"
    first = job.result()
    assert job.result() is first
    assert results.call_count == 1
    assert first[0].data.c.get_bitstrings() == ["11", "00", "01"]


def test_estimator_payload_observables_and_precision(mocked, service):
    mocked.get(API + "/backends/ibmq_qasm_simulator/configuration", json=SIM_CONFIG)
    mocked.post(API + "/jobs", json={"id": "job-2", "backend": "ibmq_qasm_simulator"})
    estimator = EstimatorV2(mode=service.backend("ibmq_qasm_simulator"))
    estimator.run([(_bell(), ["ZZ", {"XX": 0.5, "IZ": -1}], None, 0.01)])
    pub = json.loads(mocked.calls[-1].request.body)["params"]["pubs"][0]
    assert pub[1] == [{"ZZ": 1.0}, {"XX": 0.5, "IZ": -1.0}]
    assert pub[3] == 0.01


def test_refresh_once_on_401(mocked, service):
    fresh = make_jwt(ttl=7200)
    mocked.post(URL + "/identity/token", json={"access_token": fresh})
    mocked.get(
        API + "/backends/x/status",
        status=401,
        json={"errors": [{"code": 1201, "message": "Invalid credentials."}], "trace": "t"},
    )
    mocked.get(API + "/backends/x/status", json={"state": True})
    assert service.backends_api.status("x") == {"state": True}
    calls = [c.request.url for c in mocked.calls]
    assert calls.count(URL + "/identity/token") == 2
    assert mocked.calls[-1].request.headers["Authorization"] == "Bearer " + fresh


def test_persistent_401_raises_authentication_error(mocked, service):
    mocked.get(API + "/backends/x/status", status=401, json={"errors": [{"code": 1201}]})
    with pytest.raises(AuthenticationError) as info:
        service.backends_api.status("x")
    assert info.value.status_code == 401 and info.value.code == 1201
    assert "my-api-key" not in str(info.value)


@pytest.mark.parametrize(
    ("status", "body", "cls", "code"),
    [
        (
            400,
            {"errors": [{"code": 1002, "message": "bad", "solution": "fix"}], "trace": "tr"},
            BadRequestError,
            1002,
        ),
        (403, {"errors": [{"code": 1200, "message": "no"}]}, PermissionDeniedError, 1200),
        (404, {"error": {"message": "gone", "code": "3250"}}, JobNotFoundError, "3250"),
        (429, {"detail": "slow down"}, RateLimitError, None),
        (500, "boom", ServerError, None),
        (503, "", ServiceMaintenanceError, None),
    ],
)
def test_error_bodies_map_to_typed_errors(mocked, status, body, cls, code):
    transport = Transport(API, StaticBearer("tok"), retry=RetryPolicy(max_attempts=1))
    from qiskit_rest_provider.api import JobsApi

    kwargs = {"json": body} if isinstance(body, dict) else {"body": body}
    mocked.get(API + "/jobs/j", status=status, **kwargs)
    with pytest.raises(cls) as info:
        JobsApi(transport).get("j")
    assert info.value.status_code == status
    assert info.value.code == code
    assert "tok" not in str(info.value)


def test_get_is_retried_on_503_and_honours_retry_after(mocked):
    transport = Transport(API, StaticBearer("t"), retry=RetryPolicy(backoff=0.0))
    mocked.get(API + "/backends", status=503)
    mocked.get(API + "/backends", status=429, headers={"Retry-After": "0"})
    mocked.get(API + "/backends", json={"devices": []})
    assert transport.get_json("backends") == {"devices": []}
    assert len(mocked.calls) == 3


def test_post_is_not_blindly_retried_on_500(mocked):
    transport = Transport(API, StaticBearer("t"), retry=RetryPolicy(backoff=0.0))
    mocked.post(API + "/jobs", status=500)
    with pytest.raises(ServerError):
        transport.request("POST", "jobs", json_body={})
    assert len(mocked.calls) == 1


def test_unknown_backend(mocked, service):
    mocked.get(API + "/backends/nope/configuration", status=404, json={"errors": [{"code": 1007}]})
    mocked.get(API + "/backends", json={"devices": [{"name": "ibm_kyiv"}, {"name": "ibm_fez"}]})
    with pytest.raises(BackendNotFoundError, match="nope"):
        service.backend("nope")


def test_classic_dialect_paths(mocked):
    from qiskit_rest_provider.service.runtime import RuntimeService

    mocked.post(URL + "/api/users/loginWithToken", json={"id": "access-1", "ttl": 1209600})
    mocked.get(URL + "/runtime/backends", json={"devices": ["ibm_brisbane"]})
    service = RuntimeService(channel="ibm_quantum", token="tok", url=URL, instance="h/g/p")
    assert service.backends_api.list() == [{"name": "ibm_brisbane"}]
    login, backends = mocked.calls
    assert json.loads(login.request.body) == {"apiToken": "tok"}
    assert backends.request.headers["x-access-token"] == "access-1"
    assert "IBM-API-Version" not in backends.request.headers


def test_no_network_at_construction():
    with responses.RequestsMock() as rsps:
        from qiskit_rest_provider.service.runtime import RuntimeService

        RuntimeService(token="k", url=URL, instance=CRN)
        assert len(rsps.calls) == 0


def test_classic_job_body_carries_hub_group_project(mocked):
    from qiskit_rest_provider.service.runtime import RuntimeService

    mocked.post(URL + "/api/users/loginWithToken", json={"id": "access-1", "ttl": 1209600})
    mocked.get(URL + "/runtime/backends/ibmq_qasm_simulator/configuration", json=SIM_CONFIG)
    mocked.post(URL + "/runtime/jobs", json={"id": "c-1", "backend": "ibmq_qasm_simulator"})
    service = RuntimeService(channel="ibm_quantum", token="tok", url=URL, instance="h/g/p")
    SamplerV2(mode=service.backend("ibmq_qasm_simulator")).run([_bell()], shots=1)
    body = json.loads(mocked.calls[-1].request.body)
    assert (body["hub"], body["group"], body["project"]) == ("h", "g", "p")
    assert mocked.calls[-1].request.headers["x-access-token"] == "access-1"


@pytest.mark.parametrize("container", [tuple, list])
def test_width_mismatch_on_a_transpiled_circuit_names_the_fix(container):
    from qiskit import transpile
    from qiskit.providers.fake_provider import GenericBackendV2

    isa = transpile(_bell(), GenericBackendV2(5, seed=1), seed_transpiler=1)
    with pytest.raises(ValueError, match="apply_layout"):
        EstimatorV2().run([container([isa, "ZZ"])])
