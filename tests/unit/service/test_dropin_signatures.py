"""Method names and parameters as in qiskit-ibm-runtime 0.51, so positional calls keep working."""

from __future__ import annotations

import inspect

import pytest
from qiskit_ibm_runtime import QiskitRuntimeService as TheirService
from qiskit_ibm_runtime import Session as TheirSession
from qiskit_ibm_runtime.ibm_backend import IBMBackend
from qiskit_ibm_runtime.runtime_job_v2 import RuntimeJobV2

from qiskit_rest_provider import QiskitRuntimeService, RestBackend, RuntimeJob, Session
from tests.unit.conftest import API, CRN, URL

# Theirs that we leave out on purpose (docs/migrating-from-qiskit-ibm-runtime.md).
NOT_OURS = {"get_translation_stage_plugin", "id_warning_issued"}


def _params(func):
    return [
        name
        for name, p in inspect.signature(func).parameters.items()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]


@pytest.mark.parametrize(
    "method", ["backend", "backends", "least_busy", "job", "jobs", "delete_job", "instances"]
)
def test_service_methods_take_their_positional_parameters(method):
    theirs = _params(getattr(TheirService, method))
    ours = _params(getattr(QiskitRuntimeService, method))
    assert ours[: len(theirs)] == theirs


def test_constructor_accepts_every_keyword_of_theirs():
    theirs = set(inspect.signature(TheirService.__init__).parameters)
    ours = set(inspect.signature(QiskitRuntimeService.__init__).parameters)
    assert theirs <= ours


@pytest.mark.parametrize(
    ("theirs", "ours"),
    [(RuntimeJobV2, RuntimeJob), (IBMBackend, RestBackend), (TheirSession, Session)],
)
def test_public_names_of_jobs_backends_sessions(theirs, ours):
    missing = {n for n in dir(theirs) if not n.startswith("_") and not hasattr(ours, n)}
    assert missing <= NOT_OURS | {"service"}  # RestBackend.service is set per object


def test_job_constants_and_image(service, mocked):
    mocked.get(
        f"{API}/jobs/j", json={"id": "j", "state": {"status": "Completed"}, "runtime": "img:1"}
    )
    job = service.job("j")
    assert job.image == "img:1" and job.ERROR == RuntimeJobV2.ERROR
    assert job.JOB_FINAL_STATES == RuntimeJobV2.JOB_FINAL_STATES
    assert job.status() in job.JOB_FINAL_STATES


def test_url_resolver_is_honoured(mocked, token):
    mocked.post(URL + "/identity/token", json={"access_token": token, "expires_in": 3600})
    seen = []

    def resolver(url, instance, private_endpoint, channel):
        seen.append((url, instance, private_endpoint, channel))
        return url + "/custom/v9"

    service = QiskitRuntimeService(token="k", url=URL, instance=CRN, url_resolver=resolver)
    assert service.transport.base_url == URL + "/custom/v9"
    assert seen == [(URL, CRN, None, "ibm_quantum_platform")]
    assert service.is_local is False


def test_mocks_are_listed_only_when_asked(service, mocked):
    mocked.get(
        f"{API}/backends",
        json={"devices": [{"name": "real"}, {"name": "fake", "class": "mock"}]},
    )
    for name in ("real", "fake"):
        mocked.get(
            f"{API}/backends/{name}/configuration",
            json={"backend_name": name, "n_qubits": 2, "basis_gates": ["x"], "simulator": True},
        )
    assert [b.name for b in service.backends()] == ["real"]
    listed = service.backends(include_mocks=True)
    assert [b.name for b in listed] == ["real", "fake"]
    assert [b.is_mock for b in listed] == [False, True]
