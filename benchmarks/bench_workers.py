"""Throughput against ``--workers`` (worker processes), and how fast a job is stopped.

Runs the emulator as users do (its own process, started from the command line) with 1 and
then N workers, and prints jobs/s side by side for many small jobs (Bell, 100 shots), many
medium ones (10 qubits, 4 layers of h, t, cx, 1,000 shots) and a few big ones (exact 16-qubit
estimator, 20 layers), with the CPU each costs the server process, the workers and the load
generator, plus how long after a cancel the job is Cancelled and how far past its limit a
too-long job is stopped (server timestamps). No assertions.

The jobs come from ``_load.py``: 16 keep-alive connections on one event loop in this process,
request bytes built once, each connection submitting a job and reading its result (held by the
emulator until the job ends), then the next: two requests per job, ~0.1 ms of this process's
CPU (``requests`` in 16 threads cost more than the server's work per small job, on the same
two cores). A second worker can only add what the cores have left: on two cores, jobs whose
server-side and client-side CPU exceeds the worker's (small ones) cannot grow much.

    python benchmarks/bench_workers.py [--workers 2] [--small 300] [--big 6] [--rounds 2]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time

import requests
from _load import Load, run_jobs

CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/bench:workers::"
SIM = "ibmq_qasm_simulator"
BELL = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[2] c;\nqubit[2] q;\n'
    "h q[0];\ncx q[0], q[1];\nc = measure q;\n"
)


def layered(width: int, layers: int, measured: bool = False) -> str:
    lines = ["OPENQASM 3.0;", 'include "stdgates.inc";', f"qubit[{width}] q;"]
    lines += [f"bit[{width}] c;"] if measured else []
    for _ in range(layers):
        lines += [f"h q[{i}];" for i in range(width)]
        lines += [f"t q[{i}];" for i in range(width)]
        lines += [f"cx q[{i}], q[{i + 1}];" for i in range(width - 1)]
    lines += ["c = measure q;"] if measured else []
    return "\n".join(lines) + "\n"


SMALL = {"program_id": "sampler", "backend": SIM, "params": {"pubs": [[BELL, None, 100]]}}
MEDIUM = {
    "program_id": "sampler",
    "backend": SIM,
    "params": {"pubs": [[layered(10, 4, measured=True), None, 1000]]},
}
BIG = {
    "program_id": "estimator",
    "backend": SIM,
    "params": {"pubs": [[layered(16, 20), "Z" * 16]], "version": 2},
}
#: Bound to 5,000 parameter values: runs for minutes unless stopped.
SWEEP = "\n".join(
    ["OPENQASM 3.0;", 'include "stdgates.inc";', "input float[64] a;", "qubit[16] q;"]
    + ([f"rx(a) q[{i}];" for i in range(16)] + [f"cx q[{i}], q[{i + 1}];" for i in range(15)]) * 10
)
HEAVY = {
    "program_id": "estimator",
    "backend": SIM,
    "params": {"pubs": [[SWEEP, "Z" * 16, [[0.001 * k] for k in range(5000)]]], "version": 2},
}


@contextlib.contextmanager
def emulator(workers: int):
    proc = subprocess.Popen(
        [sys.executable, "-m", "qiskit_rest_provider.emulator", "--workers", str(workers)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield proc.stdout.readline().strip(), proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) of one process, all its threads (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as handle:
                    if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    return out


def cpu_split(pid: int) -> tuple[float, float]:
    """(CPU seconds of the server process, of its descendants: fork server and workers)."""
    todo, others = _children(pid), 0.0
    while todo:
        child = todo.pop()
        others += _cpu(child)
        todo += _children(child)
    return _cpu(pid), others


class Client:
    def __init__(self, url: str) -> None:
        token = requests.post(
            url + "/identity/token",
            data={"grant_type": "urn:ibm:params:oauth:grant-type:apikey", "apikey": "bench"},
            timeout=30,
        ).json()["access_token"]
        self.api = url + "/api/v1"
        self.headers = {"Authorization": f"Bearer {token}", "Service-CRN": CRN}
        self.load = Load(url, token, CRN)

    def submit(self, body: dict, **extra) -> str:
        r = requests.post(self.api + "/jobs", json={**body, **extra}, headers=self.headers)
        r.raise_for_status()
        return r.json()["id"]

    def job(self, job_id: str) -> dict:
        return requests.get(f"{self.api}/jobs/{job_id}", headers=self.headers, timeout=60).json()

    def wait(self, job_id: str) -> dict:
        while (job := self.job(job_id))["status"] in ("Queued", "Running"):
            time.sleep(0.01)
        return job

    def run(self, body: dict) -> None:
        assert self.wait(self.submit(body))["status"] == "Completed"


def throughput(client: Client, body: dict, jobs: int, pid: int | None = None) -> tuple[float, ...]:
    """(jobs/s,) or, given the server's pid, (jobs/s, CPU ms per job of the server process,
    of its workers, of this process: the load generator)."""
    run_jobs(client.load, body, 16)  # warm: every connection and both workers
    before = cpu_split(pid) if pid else (0.0, 0.0)
    mine = os.times()
    rate = run_jobs(client.load, body, jobs)[0]
    if not pid:
        return (rate,)
    after, used = cpu_split(pid), os.times()
    load = used.user - mine.user + used.system - mine.system
    return (rate, *(1000 * (b - a) / jobs for a, b in zip(before, after)), 1000 * load / jobs)


def stop_latencies(client: Client) -> tuple[float, float]:
    """(seconds from cancel until the job is Cancelled, seconds past a 1 s limit)."""
    job = client.submit(HEAVY)
    while client.job(job)["status"] != "Running":
        time.sleep(0.01)
    time.sleep(0.5)
    start = time.perf_counter()
    requests.post(f"{client.api}/jobs/{job}/cancel", headers=client.headers, timeout=30)
    while client.job(job)["status"] != "Cancelled":
        time.sleep(0.005)
    cancel = time.perf_counter() - start
    client.run(SMALL)  # the worker is back
    job = client.submit(HEAVY, cost=1)
    final = client.wait(job)
    assert final["status"] == "Cancelled - Ran too long", final["status"]
    metrics = requests.get(
        f"{client.api}/jobs/{job}/metrics", headers=client.headers, timeout=30
    ).json()
    return cancel, metrics["usage"]["seconds"] - 1.0


def _row(name: str, one: tuple[float, ...], many: tuple[float, ...], workers: int) -> None:
    print(
        f"  {name}: {one[0]:.1f} vs {many[0]:.1f} jobs/s ({many[0] / one[0]:.2f}x); CPU ms per "
        f"job (1 / {workers} workers): server process {one[1]:.2f} / {many[1]:.2f}, workers "
        f"{one[2]:.2f} / {many[2]:.2f}, load generator {one[3]:.2f} / {many[3]:.2f}"
    )


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--small", type=int, default=600)
    p.add_argument("--medium", type=int, default=300)
    p.add_argument("--big", type=int, default=6)
    p.add_argument("--rounds", type=int, default=2, help="alternating 1/N-worker rounds")
    p.add_argument("--small-only", action="store_true", help="skip the other rows")
    args = p.parse_args()
    runs: dict[int, list[tuple[float, ...]]] = {1: [], args.workers: []}
    for _ in range(args.rounds):
        for workers in (1, args.workers):
            with emulator(workers) as (url, pid):
                client = Client(url)
                small = throughput(client, SMALL, args.small, pid)
                rest = (0.0,) * 7
                if not args.small_only:
                    medium = throughput(client, MEDIUM, args.medium, pid)
                    rest = (*medium, throughput(client, BIG, args.big)[0], *stop_latencies(client))
                runs[workers].append((*small, *rest))
    one, many = (
        tuple(statistics.median(column) for column in zip(*runs[w])) for w in (1, args.workers)
    )
    print(f"# per round (1 vs {args.workers} workers): jobs/s small; medium; big")
    for a, b in zip(runs[1], runs[args.workers]):
        print(
            f"  {a[0]:.1f} vs {b[0]:.1f} ({b[0] / a[0]:.2f}x); {a[4]:.1f} vs {b[4]:.1f}; "
            f"{a[8]:.2f} vs {b[8]:.2f}"
        )
    print(f"# emulator throughput by worker processes (1 vs {args.workers}), medians")
    _row(f"small jobs (Bell, 100 shots) x{args.small}", one[:4], many[:4], args.workers)
    if args.small_only:
        return
    name = f"medium jobs (10 qubits, 4 layers, 1,000 shots) x{args.medium}"
    _row(name, one[4:8], many[4:8], args.workers)
    print(
        f"  big jobs (exact 16-qubit estimator, 20 layers) x{args.big}: {one[8]:.2f} vs "
        f"{many[8]:.2f} jobs/s ({many[8] / one[8]:.2f}x)"
    )
    print(f"  cancel -> Cancelled: {one[9] * 1000:.0f} / {many[9] * 1000:.0f} ms")
    print(f"  stopped past a 1 s limit by: {one[10] * 1000:.0f} / {many[10] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
