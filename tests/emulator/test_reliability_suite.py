"""Our client against the emulator's failure injection (issue 6): no duplicates, no hangs.

1,000 sampler submissions while ``POST /api/v1/jobs`` randomly fails before and after creating
the job, drops connections and answers 429: exactly 1,000 jobs must exist afterwards and every
result must be right. Prints the figures (``pytest -s``).
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from qiskit import QuantumCircuit

from .helpers import Api, new_crn

SUBMISSIONS = 1000


def _client(url: str, crn: str):
    from qiskit_rest_provider import RuntimeService, SamplerV2
    from qiskit_rest_provider.http import RetryPolicy
    from qiskit_rest_provider.job import PollPolicy

    service = RuntimeService(
        token="reliability-key",
        url=url,
        instance=crn,
        retry=RetryPolicy(max_attempts=12, backoff=0.002, max_backoff=0.02, max_total=30),
        poll=PollPolicy(warmup=(0.005, 0.01, 0.02), initial=0.03, factor=1.5, max_interval=0.2),
    )
    return SamplerV2(mode=service.backend("ibmq_qasm_simulator"))


def test_1000_submissions_under_random_post_faults(make_server):
    server = make_server(workers=2, seed=11)
    crn = new_crn()
    sampler = _client(server.url, crn)
    route = "POST /api/v1/jobs"
    faults = [
        server.faults.add(route, "error", status=503, probability=0.04),
        server.faults.add(route, "error_after", status=500, probability=0.04),
        server.faults.add(route, "drop", probability=0.03),
        server.faults.add(route, "drop_after", probability=0.03),
        server.faults.add(route, "rate_limit", retry_after=0, probability=0.03),
    ]
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    bell.measure_all()

    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        jobs = list(pool.map(lambda _: sampler.run([bell], shots=8), range(SUBMISSIONS)))
    submitted = time.perf_counter() - started
    server.faults.clear()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda job: job.result(timeout=60), jobs))
    total = time.perf_counter() - started
    for result in results:
        counts = result[0].data.meas.get_counts()
        assert sum(counts.values()) == 8 and set(counts) <= {"00", "11"}
    assert len({job.job_id() for job in jobs}) == SUBMISSIONS
    on_server = Api(server.url, crn=crn).get("/jobs", params={"limit": 1}).json()["count"]
    hits = {f.kind: f.hits for f in faults}
    print(
        f"\n{SUBMISSIONS} submissions, faults injected {hits} ({sum(hits.values())} in all): "
        f"{on_server} jobs on the server, all results correct; submit {submitted:.1f} s, "
        f"total {total:.1f} s"
    )
    assert on_server == SUBMISSIONS
    assert sum(hits.values()) > 100


def test_restart_in_the_middle_of_50_jobs_loses_none(make_server, tmp_path):
    data_dir = str(tmp_path / "db")
    first = make_server(data_dir=data_dir, workers=1, run_delay=0.05)
    crn = new_crn()
    sampler = _client(first.url, crn)
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    bell.measure_all()
    jobs = [sampler.run([bell], shots=8) for _ in range(50)]
    while jobs[0].status() not in ("DONE",):
        time.sleep(0.01)
    pending = Api(first.url, crn=crn).get("/jobs", params={"pending": "true"}).json()["count"]
    assert pending >= 40
    first.stop()  # some jobs done, one running, the rest queued
    second = make_server(data_dir=data_dir, port=first.port, workers=2)
    results = [job.result(timeout=60) for job in jobs]  # the client rides out the restart
    assert all(sum(r[0].data.meas.get_counts().values()) == 8 for r in results)
    assert Api(second.url, crn=crn).get("/jobs", params={"limit": 1}).json()["count"] == 50
