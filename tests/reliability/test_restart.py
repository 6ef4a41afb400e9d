"""A server restart in the middle of 50 queued and running jobs loses none and runs none twice.

The clients keep waiting through the restart: their polls meet refused connections, which the
transport retries, and then the new server process (same SQLite ``data_dir``, same port)
answers for the same jobs with the same bearer token.
"""

from __future__ import annotations

import concurrent.futures as cf
import time
from collections import Counter

from qiskit_rest_provider import SamplerV2
from qiskit_rest_provider.http import RetryPolicy

from .conftest import (
    SIM,
    basis_state,
    expected_counts,
    make_service,
    new_crn,
    server_jobs,
    submit_tag,
)

JOBS = 50
SHOTS = 8
#: Enough attempts and total time to ride out a few seconds of downtime.
PATIENT = RetryPolicy(max_attempts=60, backoff=0.02, max_backoff=0.25, max_total=30.0)


def test_restart_with_queued_and_running_jobs_loses_none(tmp_path):
    from qiskit_rest_provider.emulator import start_emulator

    data_dir = str(tmp_path / "db")
    first = start_emulator(data_dir=data_dir, workers=2, run_delay=2.0, seed=5)
    port = first.port
    second = None
    try:
        service = make_service(first.url, new_crn("restart"), retry=PATIENT)
        sampler = SamplerV2(mode=service.backend(SIM))
        jobs = [sampler.run([basis_state(i)], shots=SHOTS) for i in range(JOBS)]
        while Counter(j["status"] for j in server_jobs(service))["Running"] < 2:
            time.sleep(0.01)
        with cf.ThreadPoolExecutor(8) as pool:
            waits = [pool.submit(job.result, timeout=60) for job in jobs]
            time.sleep(0.2)  # the waiters are polling now
            snapshot = server_jobs(service)
            before = Counter(j["status"] for j in snapshot)
            running = [j["id"] for j in snapshot if j["status"] == "Running"]
            first.stop()
            stopped = time.perf_counter()
            time.sleep(1.0)  # a real restart takes a while; the waiters meet refused connections
            second = start_emulator(port=port, data_dir=data_dir, workers=4, seed=5)
            downtime = time.perf_counter() - stopped
            results = [w.result(timeout=90) for w in waits]
        after = server_jobs(service)
        print("\nreliability: server restart with 50 jobs in flight")
        print(f"  at the restart: {dict(before)}")
        print(f"  downtime: {downtime:.2f} s")
        statuses = dict(Counter(j["status"] for j in after))
        print(f"  after: {len(after)} jobs on the server, {statuses}")

        assert before["Queued"] > 0 and before["Running"] > 0
        assert len(after) == JOBS
        assert len({submit_tag(j) for j in after}) == JOBS
        assert {j["id"] for j in after} == {job.job_id() for job in jobs}
        for i, result in enumerate(results):
            assert result[0].data.meas.get_counts() == expected_counts(i, SHOTS)
        for job_id in running:  # interrupted mid-run, then run again once, from the start
            assert "Requeued after a server restart" in service.jobs_api.logs(job_id)
    finally:
        first.stop()
        if second is not None:
            second.stop()
