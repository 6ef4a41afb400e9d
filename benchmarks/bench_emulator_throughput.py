"""Emulator throughput: 200 small sampler jobs submitted concurrently over real HTTP.

Prints jobs/s (submit of the first → last job Completed), median and p95 submit→Completed
latency, and the median keep-alive GET latency. No assertions.

    python benchmarks/bench_emulator_throughput.py [--jobs 200] [--workers 2] [--threads 16]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from qiskit_rest_provider.emulator import start_emulator

BELL = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[2] c;\nqubit[2] q;\n'
    "h q[0];\ncx q[0], q[1];\nc = measure q;\n"
)
CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/bench:throughput::"


def _session(url: str) -> requests.Session:
    token = requests.post(
        url + "/identity/token",
        data={"grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": "bench"},
        timeout=10,
    ).json()["access_token"]
    s = requests.Session()
    s.headers.update({"Authorization": f"Bearer {token}", "Service-CRN": CRN})
    return s


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--jobs", type=int, default=200)
    p.add_argument("--workers", type=int, default=2, help="emulator worker threads")
    p.add_argument("--threads", type=int, default=16, help="client threads")
    p.add_argument("--shots", type=int, default=100)
    args = p.parse_args()
    body = {
        "program_id": "sampler",
        "backend": "ibmq_qasm_simulator",
        "params": {"pubs": [[BELL, None, args.shots]], "version": 2},
    }
    local = threading.local()

    with start_emulator(workers=args.workers, seed=1) as emu:
        api = emu.url + "/api/v1"

        def http() -> requests.Session:
            if not hasattr(local, "s"):
                local.s = _session(emu.url)
            return local.s

        warm = http().post(api + "/jobs", json=body, timeout=60).json()["id"]
        while http().get(f"{api}/jobs/{warm}", timeout=60).json()["status"] != "Completed":
            time.sleep(0.01)
        gets = []
        for _ in range(200):
            t = time.perf_counter()
            http().get(f"{api}/jobs/{warm}", params={"exclude_params": "true"}, timeout=60)
            gets.append(time.perf_counter() - t)

        def one(_: int) -> tuple[float, float]:
            start = time.perf_counter()
            job_id = http().post(api + "/jobs", json=body, timeout=60).json()["id"]
            while True:
                status = (
                    http()
                    .get(f"{api}/jobs/{job_id}", params={"exclude_params": "true"}, timeout=60)
                    .json()["status"]
                )
                if status in ("Completed", "Failed", "Cancelled"):
                    break
                time.sleep(0.005)
            assert status == "Completed", status
            http().get(f"{api}/jobs/{job_id}/results", timeout=60)
            return start, time.perf_counter()

        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.threads) as pool:
            spans = list(pool.map(one, range(args.jobs)))
        total = time.perf_counter() - t0
    latencies = sorted(end - start for start, end in spans)
    print(
        f"emulator throughput: {args.jobs} sampler jobs ({args.shots} shots), "
        f"{args.workers} workers, {args.threads} client threads"
    )
    print(f"  total {total:.2f} s -> {args.jobs / total:.1f} jobs/s")
    median = statistics.median(latencies) * 1000
    print(
        f"  submit->Completed->results latency: median {median:.1f} ms, "
        f"p95 {latencies[int(0.95 * len(latencies)) - 1] * 1000:.1f} ms"
    )
    print(f"  keep-alive GET /jobs/{{id}}: median {statistics.median(gets) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
