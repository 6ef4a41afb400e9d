"""RuntimeService: URLs, backends and filters, job listing/paging, usage, Classic hooks."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from qiskit_rest_provider.exceptions import (
    BackendNotFoundError,
    InvalidInputError,
    JobNotFoundError,
)
from qiskit_rest_provider.service.backend import BackendStatus
from qiskit_rest_provider.service.runtime import RuntimeService, resolve_urls
from tests.unit.conftest import API, CRN, FAST, SIM_CONFIG, URL


def _job_calls(mocked):
    return [c for c in mocked.calls if urlsplit(c.request.url).path.endswith("/jobs")]


def _query(call):
    return parse_qs(urlsplit(call.request.url).query, keep_blank_values=True)


def _device(name, qubits=5, online=True, queue=0, simulator=False):
    return {
        "name": name,
        "status": {"name": "online" if online else "paused"},
        "is_simulator": simulator,
        "qubits": qubits,
        "queue_length": queue,
    }


def _config(name, qubits=5, simulator=False, **extra):
    return {
        "backend_name": name,
        "backend_version": "1",
        "n_qubits": qubits,
        "basis_gates": ["rz", "sx", "x", "ecr"],
        "coupling_map": [[i, i + 1] for i in range(qubits - 1)],
        "simulator": simulator,
        **extra,
    }


# ------------------------------------------------------------------ URLs


@pytest.mark.parametrize(
    ("channel", "url", "instance", "kwargs", "expected"),
    [
        (
            "ibm_quantum_platform",
            None,
            CRN,
            {},
            ("https://quantum.cloud.ibm.com/api/v1", "https://iam.cloud.ibm.com/identity/token"),
        ),
        (
            "ibm_cloud",
            None,
            "crn:v1:bluemix:public:quantum-computing:eu-de:a/x:y::",
            {},
            (
                "https://eu-de.quantum.cloud.ibm.com/api/v1",
                "https://iam.cloud.ibm.com/identity/token",
            ),
        ),
        (
            "ibm_quantum_platform",
            None,
            None,
            {"region": "eu-de"},
            (
                "https://eu-de.quantum.cloud.ibm.com/api/v1",
                "https://iam.cloud.ibm.com/identity/token",
            ),
        ),
        (
            "ibm_quantum_platform",
            None,
            CRN,
            {"private_endpoint": True},
            (
                "https://private.us-east.quantum.cloud.ibm.com/api/v1",
                "https://private.iam.cloud.ibm.com/identity/token",
            ),
        ),
        (
            "ibm_quantum_platform",
            "https://test.cloud.ibm.com",
            "crn:v1:staging:public:quantum-computing:us-east:a/x:y::",
            {},
            (
                "https://quantum.test.cloud.ibm.com/api/v1",
                "https://iam.test.cloud.ibm.com/identity/token",
            ),
        ),
        (
            "ibm_quantum_platform",
            "https://quantum.cloud.ibm.com/api/v1",
            CRN,
            {},
            ("https://quantum.cloud.ibm.com/api/v1", "https://iam.cloud.ibm.com/identity/token"),
        ),
        (
            "ibm_quantum_platform",
            "http://127.0.0.1:8123",
            CRN,
            {},
            ("http://127.0.0.1:8123/api/v1", "http://127.0.0.1:8123/identity/token"),
        ),
        (
            "ibm_quantum",
            None,
            "h/g/p",
            {},
            ("https://api.quantum.ibm.com/runtime", "https://auth.quantum.ibm.com/api"),
        ),
        (
            "ibm_quantum",
            "http://127.0.0.1:8123",
            "h/g/p",
            {},
            ("http://127.0.0.1:8123/runtime", "http://127.0.0.1:8123/api"),
        ),
    ],
)
def test_resolve_urls(channel, url, instance, kwargs, expected):
    assert resolve_urls(channel, url, instance, **kwargs) == expected


def test_iam_url_env(monkeypatch):
    monkeypatch.setenv("IAM_URL", "http://iam.local")
    assert resolve_urls("ibm_cloud", None, CRN)[1] == "http://iam.local/identity/token"
    assert resolve_urls("ibm_cloud", URL, CRN)[1] == "http://iam.local/identity/token"


# ------------------------------------------------------------------ backends


@pytest.fixture
def fleet(mocked):
    mocked.get(
        API + "/backends",
        json={
            "devices": [
                _device("ibm_big", qubits=127, queue=7),
                _device("ibm_small", qubits=5, queue=2),
                _device("ibm_paused", qubits=127, online=False, queue=0),
                _device("ibmq_qasm_simulator", qubits=32, simulator=True, queue=0),
                {**_device("mock_x"), "class": "mock"},
            ]
        },
    )
    for name, qubits in (("ibm_big", 127), ("ibm_small", 5), ("ibm_paused", 127)):
        mocked.get(f"{API}/backends/{name}/configuration", json=_config(name, qubits))
    mocked.get(API + "/backends/ibmq_qasm_simulator/configuration", json=SIM_CONFIG)
    return mocked


def _config_calls(mocked):
    return [c.request.url for c in mocked.calls if c.request.url.endswith("/configuration")]


def test_backends_lists_all_but_mocks(fleet, service):
    names = [b.name for b in service.backends()]
    assert names == ["ibm_big", "ibm_small", "ibm_paused", "ibmq_qasm_simulator"]


def test_backends_filters_use_the_list_before_fetching_configurations(fleet, service):
    assert [b.name for b in service.backends(min_num_qubits=100)] == ["ibm_big", "ibm_paused"]
    assert not any("ibm_small" in url for url in _config_calls(fleet))
    assert [b.name for b in service.backends(operational=True, simulator=False)] == [
        "ibm_big",
        "ibm_small",
    ]
    assert [b.name for b in service.backends(simulator=True)] == ["ibmq_qasm_simulator"]
    assert [b.name for b in service.backends(name="ibm_small")] == ["ibm_small"]
    assert [b.name for b in service.backends(filters=lambda b: b.name.endswith("small"))] == [
        "ibm_small"
    ]
    assert [b.name for b in service.backends(n_qubits=127, operational=False)] == ["ibm_paused"]


def test_backend_objects_are_cached(fleet, service):
    assert service.backend("ibm_small") is service.backend("ibm_small")
    assert service.backends(name="ibm_small")[0] is service.backend("ibm_small")
    assert len(_config_calls(fleet)) == 1


def test_fractional_gates_are_a_separate_backend_object(fleet, service):
    plain = service.backend("ibm_small")
    fractional = service.backend("ibm_small", use_fractional_gates=True)
    assert plain is not fractional and fractional is service.backend(
        "ibm_small", use_fractional_gates=True
    )
    assert len(_config_calls(fleet)) == 1
    assert service.active_instance() == CRN


def test_least_busy(fleet, service):
    assert service.least_busy().name == "ibmq_qasm_simulator"
    assert service.least_busy(simulator=False).name == "ibm_small"
    assert service.least_busy(min_num_qubits=100).name == "ibm_big"  # ibm_paused is not online
    with pytest.raises(BackendNotFoundError, match="No operational backend"):
        service.least_busy(min_num_qubits=1000)


def test_backend_status_object(mocked, service):
    mocked.get(API + "/backends/ibm_small/configuration", json=_config("ibm_small"))
    mocked.get(
        API + "/backends/ibm_small/status",
        json={
            "state": True,
            "status": "active",
            "message": "",
            "length_queue": 4,
            "backend_version": "1.2",
        },
    )
    status = service.backend("ibm_small").status()
    assert status == BackendStatus("ibm_small", "1.2", True, 4, "active")
    assert status["length_queue"] == 4
    assert status.to_dict()["pending_jobs"] == 4


def test_unknown_backend(mocked, service):
    mocked.get(API + "/backends/nope/configuration", status=404, json={"errors": [{"code": 1007}]})
    mocked.get(API + "/backends", json={"devices": [{"name": "ibm_kyiv"}, {"name": "ibm_fez"}]})
    with pytest.raises(BackendNotFoundError) as info:
        service.backend("nope")
    assert info.value.message == (
        "Backend 'nope' was not found in this instance. Its backends: ibm_fez, ibm_kyiv."
    )
    assert info.value.status_code == 404 and info.value.code == 1007


# ------------------------------------------------------------------ jobs


def _job(i, **extra):
    return {
        "id": f"job-{i}",
        "backend": "ibm_small",
        "program": {"id": "sampler"},
        "state": {"status": "Completed"},
        "status": "Completed",
        "created": "2026-01-01T00:00:00Z",
        "tags": ["t"],
        **extra,
    }


def test_jobs_default_query_and_objects(mocked, service):
    mocked.get(API + "/jobs", json={"jobs": [_job(1), _job(2, session_id="s1")], "count": 2})
    jobs = service.jobs()
    assert [j.job_id() for j in jobs] == ["job-1", "job-2"]
    assert jobs[1].session_id == "s1"
    assert jobs[0].program_id == "sampler"
    assert jobs[0].tags == ["t"]
    assert jobs[0].status().value == "DONE"  # from the listing: no extra request
    (call,) = [c for c in mocked.calls if "/jobs" in c.request.url]
    assert _query(call) == {"exclude_params": ["true"], "limit": ["10"]}


def test_jobs_every_filter(mocked, service):
    mocked.get(API + "/jobs", json={"jobs": [], "count": 0})
    after = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    service.jobs(
        limit=5,
        skip=3,
        backend_name="ibm_small",
        pending=False,
        program_id="estimator",
        job_tags=["a", "b"],
        session_id="s1",
        created_after=after,
        created_before="2026-02-01T00:00:00Z",
        descending=False,
    )
    assert _query(mocked.calls[-1]) == {
        "exclude_params": ["true"],
        "limit": ["5"],
        "offset": ["3"],
        "backend": ["ibm_small"],
        "pending": ["false"],
        "program": ["estimator"],
        "tags": ["a", "b"],
        "session_id": ["s1"],
        "created_after": ["2026-01-02T03:04:05+00:00"],
        "created_before": ["2026-02-01T00:00:00Z"],
        "sort": ["ASC"],
    }
    service.jobs(program="sampler", tags=["x"], pending=True)
    query = _query(mocked.calls[-1])
    assert query["program"] == ["sampler"] and query["tags"] == ["x"]
    assert query["pending"] == ["true"]


def test_naive_datetimes_are_local_time(mocked, service):
    mocked.get(API + "/jobs", json={"jobs": [], "count": 0})
    naive = datetime(2026, 6, 1, 12, 0, 0)
    service.jobs(created_after=naive)
    sent = _query(mocked.calls[-1])["created_after"][0]
    assert datetime.fromisoformat(sent) == naive.astimezone(timezone.utc)


def _paged(mocked, total):
    jobs = [_job(i) for i in range(total)]

    def handler(request):
        query = parse_qs(urlsplit(request.url).query)
        limit = min(int(query.get("limit", ["200"])[0]), 200)
        offset = int(query.get("offset", ["0"])[0])
        page = jobs[offset : offset + limit]
        return 200, {}, json.dumps({"jobs": page, "count": total, "offset": offset, "limit": limit})

    mocked.add_callback(responses.GET, API + "/jobs", callback=handler)


def test_jobs_pages_until_the_limit(mocked, service):
    _paged(mocked, 500)
    jobs = service.jobs(limit=450)
    assert [j.job_id() for j in jobs] == [f"job-{i}" for i in range(450)]
    pages = [(q.get("limit"), q.get("offset")) for q in map(_query, _job_calls(mocked))]
    assert pages == [(["200"], None), (["200"], ["200"]), (["50"], ["400"])]


def test_jobs_limit_none_pages_by_20_until_count(mocked, service):
    _paged(mocked, 45)
    jobs = service.jobs(limit=None, skip=5)
    assert len(jobs) == 40
    assert jobs[0].job_id() == "job-5"
    offsets = [_query(c).get("offset") for c in _job_calls(mocked)]
    assert offsets == [["5"], ["25"]]


def test_jobs_stops_on_an_empty_page_even_if_count_lies(mocked, service):
    mocked.get(API + "/jobs", json={"jobs": [_job(1)], "count": 99})
    mocked.get(API + "/jobs", json={"jobs": [], "count": 99})
    assert len(service.jobs(limit=None)) == 1


def test_jobs_rejects_negative_paging(service):
    with pytest.raises(InvalidInputError):
        service.jobs(limit=-1)


def test_job_by_id_and_delete(mocked, service):
    mocked.get(API + "/jobs/job-1", json=_job(1, session_id="s9"))
    job = service.job("job-1")
    assert job.session_id == "s9" and job.backend_name() == "ibm_small"
    assert _query(mocked.calls[-1]) == {"exclude_params": ["false"]}
    mocked.delete(API + "/jobs/job-1", status=204)
    service.delete_job("job-1")
    assert mocked.calls[-1].request.method == "DELETE"
    mocked.delete(API + "/jobs/gone", status=404, json={"errors": [{"code": 1291, "message": "x"}]})
    with pytest.raises(JobNotFoundError):
        service.delete_job("gone")


def test_usage_adds_remaining_seconds(mocked, service):
    mocked.get(
        API + "/instances/usage",
        json={
            "instance_id": CRN,
            "plan_id": "p",
            "usage_consumed_seconds": 100,
            "usage_limit_seconds": 600,
        },
    )
    usage = service.usage()
    assert usage["usage_remaining_seconds"] == 500
    assert mocked.calls[-1].request.headers["Service-CRN"] == CRN
    mocked.replace(
        responses.GET,
        API + "/instances/usage",
        json={"instance_id": CRN, "plan_id": "p", "usage_consumed_seconds": 9},
    )
    assert "usage_remaining_seconds" not in service.usage()


def test_logout_without_a_logout_endpoint_still_forgets_the_token(mocked, service):
    mocked.get(API + "/jobs", json={"jobs": [], "count": 0})
    mocked.post(API + "/logout", status=404, json={"errors": [{"code": 1290, "message": "no"}]})
    service.jobs()
    service.logout()
    service.jobs()
    assert len([c for c in mocked.calls if c.request.url.endswith("/identity/token")]) == 2


def test_logout_current_dialect_forgets_the_token(mocked, service, token):
    mocked.get(API + "/jobs", json={"jobs": [], "count": 0})
    mocked.post(API + "/logout", status=204)
    service.jobs()
    service.logout()
    service.jobs()
    token_calls = [c for c in mocked.calls if c.request.url.endswith("/identity/token")]
    assert len(token_calls) == 2


# ------------------------------------------------------------------ Classic


@pytest.fixture
def classic(mocked):
    mocked.post(URL + "/api/users/loginWithToken", json={"id": "access-1", "ttl": 3600})
    return RuntimeService(channel="ibm_quantum", token="tok", url=URL, instance="h/g/p", poll=FAST)


def test_classic_hooks_and_paths(mocked, classic):
    assert classic.job_fields() == {"hub": "h", "group": "g", "project": "p"}
    assert classic.session_fields() == {"instance": "h/g/p"}
    mocked.get(URL + "/runtime/jobs", json={"jobs": [_job(1)], "count": 1})
    classic.jobs()
    call = mocked.calls[-1]
    assert _query(call)["provider"] == ["h/g/p"]
    assert call.request.headers["x-access-token"] == "access-1"
    mocked.get(URL + "/runtime/usage", json={"usage_consumed_seconds": 1})
    assert classic.usage() == {"usage_consumed_seconds": 1}


def test_classic_logout(mocked, classic):
    mocked.get(URL + "/runtime/jobs", json={"jobs": [], "count": 0})
    mocked.post(URL + "/api/users/logout", status=204)
    classic.jobs()
    classic.logout()
    assert mocked.calls[-1].request.headers["x-access-token"] == "access-1"


def test_current_dialect_has_no_extra_fields(service):
    assert service.job_fields() == {}
    assert service.session_fields() == {}


def test_bad_classic_instance():
    service = RuntimeService(channel="ibm_quantum", token="t", url=URL, instance="just-one")
    with pytest.raises(InvalidInputError, match="hub/group/project"):
        service.job_fields()


def test_unknown_channel():
    with pytest.raises(Exception, match="channel"):
        RuntimeService(channel="ibm_nowhere", token="t")
