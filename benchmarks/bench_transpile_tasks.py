"""Transpile tasks in worker processes: latency of small tasks, and how fast a long one is stopped.

Starts an emulator in-process, then prints: the first task's latency (the pool forks and warms
up at the first task), the median and p95 submit → SUCCESS latency of small tasks (a GHZ-5 on
``ibm_brisbane``), and for a task that would run for minutes, how long after its
``--transpile-timeout`` it ended FAILURE (server timestamps) while small tasks kept completing.

Usage::

    python benchmarks/bench_transpile_tasks.py [--tasks 30] [--limit 2]
"""

from __future__ import annotations

import argparse
import statistics
import time

import requests

HEADERS = {"Authorization": "Bearer bench-key"}
GHZ5 = (
    'OPENQASM 3.0;\ninclude "stdgates.inc";\nbit[5] c;\nqubit[5] q;\nh q[0];\n'
    + "".join(f"cx q[{i}], q[{i + 1}];\n" for i in range(4))
    + "c = measure q;\n"
)


def chain(depth: int) -> str:
    """A gate-definition chain under the work bound that takes minutes to transpile."""
    lines = [
        'OPENQASM 3.0;\ninclude "stdgates.inc";\nqubit[2] q;',
        "gate g0 a, b { cx a, b; h a; }",
    ]
    lines += [f"gate g{i + 1} a, b {{ g{i} a, b; g{i} b, a; }}" for i in range(depth)]
    return "\n".join([*lines, f"g{depth} q[0], q[1];"])


def submit(url: str, text: str, backend: str = "ibm_brisbane") -> str:
    r = requests.post(
        url + "/transpile",
        params={"backend": backend},
        json={"qasm_circuits": text},
        headers=HEADERS,
        timeout=30,
    )
    r.raise_for_status()
    task_id: str = r.json()["task_id"]
    return task_id


def wait(url: str, task_id: str) -> dict:
    while True:
        answer: dict = requests.get(
            f"{url}/transpile/{task_id}", headers=HEADERS, timeout=30
        ).json()
        if answer["state"] != "PENDING":
            return answer
        time.sleep(0.005)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", type=int, default=30, help="small tasks to time")
    parser.add_argument("--limit", type=float, default=2.0, help="--transpile-timeout, seconds")
    args = parser.parse_args()
    from qiskit_rest_provider.emulator import start_emulator

    with start_emulator(workers=1, transpile_timeout=args.limit) as emu:
        started = time.perf_counter()
        wait(emu.url, submit(emu.url, GHZ5))
        print(f"first task (pool forks and warms up): {time.perf_counter() - started:.2f} s")
        while emu.state.transpiler.warm() < 2:
            time.sleep(0.05)
        times = []
        for _ in range(args.tasks):
            started = time.perf_counter()
            assert wait(emu.url, submit(emu.url, GHZ5))["state"] == "SUCCESS"
            times.append(time.perf_counter() - started)
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        print(
            f"{args.tasks} small tasks (GHZ-5, ibm_brisbane): median "
            f"{statistics.median(times) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"
        )
        hostile = submit(emu.url, chain(16), backend="ibmq_qasm_simulator")
        done = 0
        while emu.state.store.get_task(hostile)["state"] == "PENDING":
            done += wait(emu.url, submit(emu.url, GHZ5))["state"] == "SUCCESS"
        row = emu.state.store.get_task(hostile)
        late = row["finished_ts"] - row["created_ts"] - args.limit
        print(
            f"hostile task ({row['state']}) stopped {late * 1000:.0f} ms after its "
            f"{args.limit:g} s limit; {done} small tasks completed meanwhile"
        )


if __name__ == "__main__":
    main()
