"""API keys and bearer tokens never show in logs, reprs, error messages or pickled errors.

Everything the client and the emulator log at DEBUG (every logger, not only ours), every repr
of the objects a user holds, and every error along the way (401 at the token exchange, 401 with
a revoked bearer, 403 on a foreign instance, failed and timed-out jobs, connection errors) is
collected and searched for each secret.
"""

from __future__ import annotations

import json
import logging
import pickle
import traceback
import uuid

import pytest
from qiskit import QuantumCircuit

from qiskit_rest_provider import RuntimeService, SamplerV2
from qiskit_rest_provider.exceptions import (
    ApiConnectionError,
    AuthenticationError,
    JobFailureError,
    JobTimeoutError,
    PermissionDeniedError,
    QiskitRestError,
)
from qiskit_rest_provider.http import RetryPolicy, StaticBearer, Transport

SIM = "ibmq_qasm_simulator"
API_KEY = "iam-key-SECRET-" + uuid.uuid4().hex
UNKNOWN_KEY = "iam-key-UNKNOWN-" + uuid.uuid4().hex
CLASSIC_KEY = "classic-token-SECRET-" + uuid.uuid4().hex
CRN_A = "crn:v1:bluemix:public:quantum-computing:us-east:a/secrets:allowed::"
CRN_B = "crn:v1:bluemix:public:quantum-computing:us-east:a/secrets:forbidden::"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logs():
    handler = _Collect()
    root = logging.getLogger()
    ours = logging.getLogger("qiskit_rest_provider")
    saved = root.level, ours.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    ours.setLevel(logging.DEBUG)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        ours.setLevel(saved[1])


@pytest.fixture
def server(tmp_path, logs):
    from qiskit_rest_provider.emulator import start_emulator

    accounts = tmp_path / "accounts.json"
    accounts.write_text(
        json.dumps(
            {
                "accounts": [
                    {"api_key": API_KEY, "instances": [CRN_A]},
                    {"api_key": CLASSIC_KEY, "instances": ["*"]},
                ]
            }
        )
    )
    with start_emulator(accounts_file=str(accounts), log_requests=True, seed=3) as emu:
        yield emu


def _bell() -> QuantumCircuit:
    qc = QuantumCircuit(2)
    qc.h(0)
    qc.cx(0, 1)
    qc.measure_all()
    return qc


def _texts_of(exc: BaseException) -> list[str]:
    again = pickle.loads(pickle.dumps(exc))
    return [
        str(exc),
        repr(exc),
        "".join(traceback.format_exception(exc)),
        str(again),
        repr(vars(again)),
        repr(pickle.dumps(exc)),
    ]


def _expect(error: type[BaseException], call) -> list[str]:
    with pytest.raises(error) as excinfo:
        call()
    assert isinstance(excinfo.value, QiskitRestError)
    return _texts_of(excinfo.value)


def test_no_secret_in_logs_reprs_errors_or_pickles(server, logs):
    fast = RetryPolicy(max_attempts=2, backoff=0.01)
    seen: list[str] = []

    service = RuntimeService(token=API_KEY, url=server.url, instance=CRN_A, retry=fast)
    backend = service.backend(SIM)
    job = SamplerV2(mode=backend).run([_bell()], shots=10)
    assert job.result(timeout=30)[0].data.meas.num_shots == 10
    bearer = service.transport.auth.headers()["Authorization"].removeprefix("Bearer ")
    seen += [repr(o) for o in (service, service.transport, service.transport.auth, backend, job)]
    seen += [repr(backend.status()), repr(server), repr(service.jobs(limit=5))]

    # A job that fails and a wait that times out.
    server.faults.add("job", "fail", times=1, reason_code=1517, message="injected failure")
    failed = SamplerV2(mode=backend).run([_bell()], shots=10)
    seen += _expect(JobFailureError, lambda: failed.result(timeout=30))
    server.faults.add("job", "stuck", times=1)
    stuck = SamplerV2(mode=backend).run([_bell()], shots=10)
    seen += _expect(JobTimeoutError, lambda: stuck.result(timeout=0.2))
    server.faults.release()

    # 403: a key used on an instance it may not use.
    other = RuntimeService(token=API_KEY, url=server.url, instance=CRN_B, retry=fast)
    seen += _expect(PermissionDeniedError, lambda: other.backend(SIM))
    seen.append(repr(other))

    # 401 at the token exchange: an unknown key.
    unknown = RuntimeService(token=UNKNOWN_KEY, url=server.url, instance=CRN_A, retry=fast)
    seen += _expect(AuthenticationError, lambda: unknown.backend(SIM))
    seen += [repr(unknown), repr(unknown.transport.auth)]

    # 401 on an API call: the bearer was revoked by logout; the service renews it by itself.
    service.logout()
    revoked = Transport(service.transport.base_url, StaticBearer(bearer), instance=CRN_A)
    seen += _expect(AuthenticationError, lambda: revoked.request("GET", "backends"))
    seen.append(repr(revoked.auth))
    assert service.backend(SIM).status().operational
    renewed = service.transport.auth.headers()["Authorization"].removeprefix("Bearer ")
    assert renewed != bearer

    # Classic dialect: apiToken -> x-access-token.
    classic = RuntimeService(channel="ibm_quantum", token=CLASSIC_KEY, url=server.url, retry=fast)
    classic_backend = classic.backend(SIM)
    access = classic.transport.auth.headers()["x-access-token"]
    seen += [repr(classic), repr(classic.transport.auth), repr(classic_backend)]
    bad_classic = RuntimeService(channel="ibm_quantum", token=UNKNOWN_KEY, url=server.url)
    seen += _expect(AuthenticationError, lambda: bad_classic.backend(SIM))

    # Nobody listening: connection errors name the URL only.
    dead = Transport("http://127.0.0.1:9/api/v1", StaticBearer(bearer), retry=fast)
    seen += _expect(ApiConnectionError, lambda: dead.request("GET", "backends"))

    assert any("GET /api/v1/backends" in line for line in logs)  # the emulator's request log
    assert any("backends" in line and "->" in line for line in logs)  # the client's debug log
    haystack = "\n".join([*logs, *seen])
    for name, secret in [
        ("API key", API_KEY),
        ("unknown API key", UNKNOWN_KEY),
        ("bearer token", bearer),
        ("renewed bearer token", renewed),
        ("Classic API token", CLASSIC_KEY),
        ("Classic access token", access),
    ]:
        assert secret not in haystack, f"the {name} leaked"
        # Long enough fragments of a token would leak it too (e.g. its signature part).
        assert secret[-16:] not in haystack, f"a fragment of the {name} leaked"
