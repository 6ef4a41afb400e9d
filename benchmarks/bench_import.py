"""Whole-process import cost: our primitives vs the floor they sit on.

Target (issue 3): ``import qiskit_rest_provider`` + the primitives costs at most 1.05x
``import qiskit.primitives, requests, numpy``. Runs alternate A B A B ... and are paired.

    python benchmarks/bench_import.py [runs]
"""

import statistics
import subprocess
import sys

from _util import child_env, paired_ratio, run_process

CASES = {
    "floor: import qiskit.primitives, requests, numpy": "import qiskit.primitives, requests, numpy",
    "ours: from qiskit_rest_provider import EstimatorV2, SamplerV2, RuntimeService": (
        "from qiskit_rest_provider import EstimatorV2, SamplerV2, RuntimeService"
    ),
}


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 11
    names = list(CASES)
    for code in CASES.values():
        run_process(code)  # warm the file cache
    times = {name: [] for name in names}
    rss = {name: [] for name in names}
    for i in range(runs):
        for name in names if i % 2 == 0 else names[::-1]:
            elapsed, peak = run_process(CASES[name])
            times[name].append(elapsed)
            rss[name].append(peak)
    floor = names[0]
    print(f"# import cost, whole process (n={runs} paired runs, medians)")
    for name in names:
        line = (
            f"  {name:<78} {statistics.median(times[name]) * 1e3:7.1f} ms "
            f"{statistics.median(rss[name]) / 1024:6.1f} MiB"
        )
        if name != floor:
            line += f"   ratio {paired_ratio(times[name], times[floor]):.3f} (target <= 1.05)"
            line += f", memory {statistics.median(rss[name]) / statistics.median(rss[floor]):.3f}"
        print(line)


_IN_PROCESS = (
    "import time; t0 = time.perf_counter(); import qiskit.primitives, requests, numpy; "
    "t1 = time.perf_counter(); from qiskit_rest_provider import EstimatorV2, SamplerV2, "
    "RuntimeService; t2 = time.perf_counter(); print(t1 - t0, t2 - t1)"
)


def in_process(runs: int) -> None:
    """The floor's import and ours on top of it, timed inside fresh processes.

    Whole-process wall time swings by 10-15 % here (interpreter start-up and shutdown); timing
    the imports themselves, in a fresh process each run, isolates what this package adds.
    """
    floors, extras = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", _IN_PROCESS], capture_output=True, text=True, env=child_env()
        )
        floor, extra = map(float, out.stdout.split())
        floors.append(floor)
        extras.append(extra)
    floor, extra = statistics.median(floors), statistics.median(extras)
    print(f"# import cost inside fresh processes (n={runs}, medians)")
    print(f"  floor imports                                 {floor * 1e3:7.1f} ms")
    print(f"  ours on top of the floor                      {extra * 1e3:7.1f} ms")
    ratios = [(f + e) / f for f, e in zip(floors, extras)]
    print(f"  ratio (floor + ours) / floor                  {statistics.median(ratios):.3f}")


if __name__ == "__main__":
    main()
    in_process(int(sys.argv[1]) if len(sys.argv) > 1 else 11)
