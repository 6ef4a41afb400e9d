"""Shared pieces of the reliability suite: fast policies, self-checking circuits, counting."""

from __future__ import annotations

import uuid

from qiskit import QuantumCircuit

from qiskit_rest_provider import RuntimeService
from qiskit_rest_provider.api.jobs import IDEMPOTENCY_TAG_PREFIX
from qiskit_rest_provider.http import RetryPolicy
from qiskit_rest_provider.service.job import PollPolicy

SIM = "ibmq_qasm_simulator"
WIDTH = 10  # job i prepares |i> on 10 qubits, so every result names the job it belongs to
#: Small waits keep 1,000 submissions fast; the attempt budget keeps a 20 % fault rate from
#: ever exhausting the retries (0.2**10 per submission).
FAST_RETRY = RetryPolicy(max_attempts=10, backoff=0.005, max_backoff=0.05, max_total=30.0)
FAST_POLL = PollPolicy(initial=0.02, factor=1.5, max_interval=0.2, unknown_status_limit=30.0)


def new_crn(label: str) -> str:
    """A fresh instance, so the server's job count is exactly this test's jobs."""
    return f"crn:v1:bluemix:public:quantum-computing:us-east:a/rel:{label}-{uuid.uuid4().hex}::"


def make_service(url: str, crn: str, **kwargs) -> RuntimeService:
    """A client with the fast retry and poll policies."""
    kwargs.setdefault("retry", FAST_RETRY)
    kwargs.setdefault("poll", FAST_POLL)
    return RuntimeService(token="reliability-key", url=url, instance=crn, **kwargs)


def basis_state(i: int) -> QuantumCircuit:
    """Prepares and measures ``|i>``: the only possible outcome is ``i`` in binary."""
    qc = QuantumCircuit(WIDTH, name=f"state-{i}")
    for qubit in range(WIDTH):
        if i >> qubit & 1:
            qc.x(qubit)
    qc.measure_all()
    return qc


def expected_counts(i: int, shots: int) -> dict[str, int]:
    """What sampling ``basis_state(i)`` must give."""
    return {format(i, f"0{WIDTH}b"): shots}


def server_jobs(service: RuntimeService) -> list[dict]:
    """Every job of the service's instance, read page by page from ``GET /jobs``."""
    jobs: list[dict] = []
    while True:
        page = service.jobs_api.list(limit=200, offset=len(jobs), exclude_params=True)
        jobs += page["jobs"]
        if not page["jobs"] or len(jobs) >= page["count"]:
            return jobs


def submit_tag(job: dict) -> str:
    """The client's idempotency tag of a server job."""
    (tag,) = [t for t in job.get("tags") or [] if t.startswith(IDEMPOTENCY_TAG_PREFIX)]
    return tag
