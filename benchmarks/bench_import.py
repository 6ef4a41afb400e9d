"""Whole-process import cost: our primitives vs the floor they sit on.

Target (issue 3): ``import qiskit_rest_provider`` + the primitives costs at most 1.05x
``import qiskit.primitives, requests, numpy``. Runs alternate A B A B ... and are paired.

    python benchmarks/bench_import.py [runs]
"""

import statistics
import sys

from _util import paired_ratio, run_process

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


if __name__ == "__main__":
    main()
