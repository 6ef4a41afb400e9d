import base64
import json
import time

import pytest
import responses

from qiskit_rest_provider.service.job import PollPolicy
from qiskit_rest_provider.service.runtime import RuntimeService

URL = "https://emulator.test"
API = URL + "/api/v1"
CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/abc:def::"
FAST = PollPolicy(warmup=(), initial=0.0, factor=1.0, max_interval=0.0, unknown_status_limit=0.05)


def make_jwt(ttl=3600, now=None):
    now = int(now or time.time())

    def b64(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    return f"{b64({'alg': 'none'})}.{b64({'iat': now, 'exp': now + ttl})}.sig"


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


@pytest.fixture
def sleeps(monkeypatch):
    """Record every sleep instead of waiting."""
    waited: list[float] = []
    monkeypatch.setattr("time.sleep", waited.append)
    return waited


@pytest.fixture
def token():
    return make_jwt()


@pytest.fixture
def service(mocked, token):
    mocked.post(URL + "/identity/token", json={"access_token": token, "expires_in": 3600})
    return RuntimeService(token="my-api-key", url=URL, instance=CRN, poll=FAST)


SIM_CONFIG = {
    "backend_name": "ibmq_qasm_simulator",
    "backend_version": "1.0",
    "n_qubits": 5,
    "basis_gates": ["h", "cx", "rz", "x", "measure"],
    "coupling_map": None,
    "simulator": True,
}
