"""Warm round trip of a Bell sampler job (1,000 shots): ours + emulator vs StatevectorSampler.

Target (issue 3): at most 2x ``StatevectorSampler`` run directly. Both run round-robin in one
process; the ratio is the median of per-repeat ratios. Also reports the estimator.

    python benchmarks/bench_roundtrip.py [repeats]
"""

import contextlib
import statistics
import subprocess
import sys

from _util import fmt, interleaved, paired_ratio
from qiskit import QuantumCircuit
from qiskit.primitives import StatevectorEstimator, StatevectorSampler

from qiskit_rest_provider import EstimatorV2, RuntimeService, SamplerV2
from qiskit_rest_provider.emulator import start_emulator


@contextlib.contextmanager
def emulator_process():
    """The emulator as users run it: its own process, started from the command line."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "qiskit_rest_provider.emulator", "--port", "0", "--seed", "1"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip().split()[-1]
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def measure(url: str, repeats: int, label: str) -> None:
    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    measured = bell.measure_all(inplace=False)
    service = RuntimeService(token="bench", url=url, instance="crn:bench")
    backend = service.backend("ibmq_qasm_simulator")
    ours_s, ours_e = SamplerV2(mode=backend), EstimatorV2(mode=backend)
    ref_s, ref_e = StatevectorSampler(seed=1), StatevectorEstimator()
    cases = {
        "StatevectorSampler": lambda: ref_s.run([measured], shots=1000).result(),
        "ours SamplerV2 + emulator": lambda: ours_s.run([measured], shots=1000).result(),
        "StatevectorEstimator": lambda: ref_e.run([(bell, "ZZ")], precision=0).result(),
        "ours EstimatorV2 + emulator": lambda: ours_e.run([(bell, "ZZ")], precision=0).result(),
    }
    times = interleaved(cases, repeats, collect=False)
    print(f"# warm Bell round trip, emulator {label} (n={repeats} interleaved repeats, medians)")
    for name, samples in times.items():
        print(f"  {name:<30} {fmt(statistics.median(samples))}")
    sampler = paired_ratio(times["ours SamplerV2 + emulator"], times["StatevectorSampler"])
    estimator = paired_ratio(times["ours EstimatorV2 + emulator"], times["StatevectorEstimator"])
    print(f"  sampler ratio   {sampler:.2f}x (target <= 2x)")
    print(f"  estimator ratio {estimator:.2f}x")


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 51
    with emulator_process() as url:
        measure(url, repeats, "in its own process")
    with start_emulator(seed=1) as server:
        measure(server.url, repeats, "embedded in this process (shares the GIL)")


if __name__ == "__main__":
    main()
