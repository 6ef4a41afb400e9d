"""1,000 submissions under injected POST faults: no duplicate, no lost job, no hang.

Faults on ``POST /jobs`` (research §6): 5xx before the job is created, 5xx after (the answer is
lost but the job exists), connections dropped before and after creation, and 429 with
``Retry-After``; polls see 503s and dropped connections too. The client must end with exactly
one job per submission on the server, read every result correctly, and never wait unbounded.
Run with ``-s`` to see the figures (docs/reliability.md).
"""

from __future__ import annotations

import concurrent.futures as cf
import time

import pytest

from qiskit_rest_provider import SamplerV2

from .conftest import (
    SIM,
    basis_state,
    expected_counts,
    make_service,
    new_crn,
    server_jobs,
    submit_tag,
)

SUBMISSIONS = 1000
SHOTS = 4
THREADS = 16
WAIT = 60.0  # seconds any single result() may take at most

POST_FAULTS = [  # (kind, options); each is tried in this order with its probability
    ("error", {"status": 502, "probability": 0.06}),
    ("error_after", {"status": 500, "probability": 0.06}),
    ("drop", {"probability": 0.04}),
    ("drop_after", {"probability": 0.04}),
    ("rate_limit", {"retry_after": 1, "probability": 0.02}),
]
POLL_FAULTS = [
    ("error", {"status": 503, "probability": 0.03}),
    ("drop", {"probability": 0.01}),
]


@pytest.fixture(scope="module")
def server():
    from qiskit_rest_provider.emulator import start_emulator

    with start_emulator(workers=4, seed=11) as emu:
        yield emu


def test_one_thousand_submissions_under_post_faults(server):
    service = make_service(server.url, new_crn("thousand"))
    sampler = SamplerV2(mode=service.backend(SIM))
    circuits = [basis_state(i) for i in range(SUBMISSIONS)]
    faults = [server.faults.add("POST /api/v1/jobs", k, **o) for k, o in POST_FAULTS]
    faults += [server.faults.add("GET /api/v1/jobs/*", k, **o) for k, o in POLL_FAULTS]
    started = time.perf_counter()
    try:
        with cf.ThreadPoolExecutor(THREADS) as pool:
            jobs = list(pool.map(lambda qc: sampler.run([qc], shots=SHOTS), circuits))
            submitted = time.perf_counter()
            waits = list(pool.map(lambda job: _timed_result(job), jobs))
    finally:
        for fault in faults:
            server.faults.remove(fault)
    finished = time.perf_counter()

    on_server = server_jobs(service)
    tags = [submit_tag(job) for job in on_server]
    wrong = [
        i
        for i, (result, _) in enumerate(waits)
        if result[0].data.meas.get_counts() != expected_counts(i, SHOTS)
    ]
    hits = {f"{f.route.split()[0]} {f.kind}": f.hits for f in faults}
    figures = {
        "submissions": SUBMISSIONS,
        "faults injected": hits,
        "jobs on the server": len(on_server),
        "distinct job ids (client)": len({job.job_id() for job in jobs}),
        "distinct submit tags (server)": len(set(tags)),
        "results correct": SUBMISSIONS - len(wrong),
        f"hangs (result() over {WAIT:.0f} s)": 0,
        "longest result() wait (s)": round(max(w for _, w in waits), 2),
        "submit phase (s)": round(submitted - started, 1),
        "total (s)": round(finished - started, 1),
    }
    print("\nreliability: 1,000 submissions under POST faults")
    for key, value in figures.items():
        print(f"  {key}: {value}")

    assert sum(f.hits for f in faults[: len(POST_FAULTS)]) > 100  # the faults really fired
    assert all(f.hits for f in faults)
    assert len(on_server) == SUBMISSIONS  # exactly one job per submission
    assert len(set(tags)) == SUBMISSIONS
    assert {job["id"] for job in on_server} == {job.job_id() for job in jobs}
    assert not wrong


def _timed_result(job):
    started = time.perf_counter()
    result = job.result(timeout=WAIT)  # a JobTimeoutError here would be a hang
    return result, time.perf_counter() - started


def test_retry_after_is_honoured(server):
    service = make_service(server.url, new_crn("retry-after"))
    sampler = SamplerV2(mode=service.backend(SIM))
    fault = server.faults.add("POST /api/v1/jobs", "rate_limit", retry_after=1, times=1)
    started = time.perf_counter()
    job = sampler.run([basis_state(5)], shots=SHOTS)
    elapsed = time.perf_counter() - started
    server.faults.remove(fault)
    assert fault.hits == 1
    assert elapsed >= 1.0  # waited as the server asked, then submitted once
    assert job.result(timeout=WAIT)[0].data.meas.get_counts() == expected_counts(5, SHOTS)
    assert len(server_jobs(service)) == 1
