"""The job worker's own time for a small job: request bytes in, answer bytes out.

What a worker process does per job (``worker_child.serve``): ``json.loads`` of the request,
``_run`` (the engine's checks, the simulation, the result's encoding) and ``encode``. The
client waits for all of it on every job. The jobs are the warm Bell rows' jobs as our client
sends them: the estimator's ``(bell, "ZZ")`` at precision 0 and the sampler's measured Bell
circuit at 1,000 shots, on ``ibmq_qasm_simulator``. Two timings each: back to back (warm
caches) and with 3 ms of sleep before each job (as between jobs that a client sends one at a
time, when the CPU's caches have gone cold).

    python benchmarks/bench_worker_job.py [runs]
    python benchmarks/bench_worker_job.py [runs] --against /path/to/other/tree

With ``--against``, this tree and the other one (e.g. a ``git worktree`` of an older commit)
run in child processes, alternating in rounds, and the medians are printed side by side.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from _util import alternate_trees, print_alternated

ROUNDS = 6
IDLE = 0.003
_VALUES = (
    '{"__type__":"ndarray","__value__":"eAGb7BfqGxDJyFDGUK2eklqcXKRupaBuk2ahrqOgnpZfVFKUmBefX5SSCh'
    'J3S8wpTgWKF2ckFqQC+RoGOpo6CrUKFAAuAFOzG1s="}'
)
REQUESTS = {
    "estimator": (
        '{"program":"estimator","backend":"ibmq_qasm_simulator","seed":131,"noiseless":false,'
        '"params":{"pubs":[["OPENQASM 3.0;\\n// qiskit_rest_provider: {\\"cregs\\":[]}\\n'
        'include \\"stdgates.inc\\";\\nqubit[2] q;\\nh q[0];\\ncx q[0], q[1];\\n",{"ZZ":1.0},'
        + _VALUES
        + ',0.0]],"options":{},"version":2,"support_qiskit":true}}'
    ),
    "sampler": (
        '{"program":"sampler","backend":"ibmq_qasm_simulator","seed":142,"noiseless":false,'
        '"params":{"pubs":[["OPENQASM 3.0;\\n// qiskit_rest_provider: {\\"cregs\\":[\\"meas\\"]}'
        '\\ninclude \\"stdgates.inc\\";\\nbit[2] meas;\\nqubit[2] q;\\nh q[0];\\n'
        "cx q[0], q[1];\\nbarrier q[0], q[1];\\nmeas[0] = measure q[0];\\n"
        'meas[1] = measure q[1];\\n",'
        + _VALUES
        + ',1000]],"options":{},"version":2,"support_qiskit":true}}'
    ),
}


def measure(runs: int) -> dict[str, list[float]]:
    """Seconds per job, per case (``<program> warm`` and ``<program> idle 3 ms``)."""
    from qiskit_rest_provider.emulator import engine, worker_child
    from qiskit_rest_provider.emulator.devices import default_backends

    backends = default_backends(noiseless=False)
    raws = {name: text.encode() for name, text in REQUESTS.items()}

    def job(raw: bytes) -> bytes:
        return worker_child.encode(worker_child._run(engine, backends, json.loads(raw)))

    for raw in raws.values():
        for _ in range(200):
            if not job(raw).startswith(b"B"):
                raise RuntimeError(job(raw)[:300])
    times: dict[str, list[float]] = {}
    for name, raw in raws.items():
        warm, idle = times.setdefault(f"{name} warm", []), times.setdefault(f"{name} idle", [])
        for _ in range(runs):
            start = time.perf_counter()
            job(raw)
            warm.append(time.perf_counter() - start)
        for _ in range(runs):
            time.sleep(IDLE)
            start = time.perf_counter()
            job(raw)
            idle.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="?", type=int, default=1200)
    parser.add_argument("--against", help="another tree of the package, measured alternately")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.runs)))
        return
    if not args.against:
        times = measure(args.runs)
        print(
            f"# worker time per small job (n={args.runs}, medians; idle = {IDLE * 1e3:g} ms before)"
        )
        for name, samples in times.items():
            print(f"  {name:<16} {statistics.median(samples) * 1e3:.3f} ms")
        return
    samples, ratios, per_round = alternate_trees(__file__, args.runs, args.against, ROUNDS)
    title = (
        f"# worker time per small job ({ROUNDS} alternating rounds, n={per_round * ROUNDS} per "
        f"tree, medians; idle = {IDLE * 1e3:g} ms before each job)"
    )
    print_alternated(title, args.against, samples, ratios, 16)


if __name__ == "__main__":
    main()
