"""The client's pre-POST time of a small job: ``run()`` called until the body goes to requests.

Warm Bell PUBs on ``ibmq_qasm_simulator`` of an embedded emulator: the estimator's
``(bell, "ZZ")`` at precision 0 and the sampler's ``bell.measure_all()`` at 1,000 shots (the
PUBs of the Bell rows of ``bench_roundtrip.py``); and the sampler's Bell transpiled for
``ibm_torino`` (133 qubits, so its ISA check runs). The transport's ``_send`` is replaced by one
that keeps the serialised body and stops, so each timing covers coercion, validation, the QASM
writer, the observables and values, the options, the job body and its JSON, and nothing of the
network or the server.

    python benchmarks/bench_encode_small.py [runs]
    python benchmarks/bench_encode_small.py [runs] --against /path/to/other/tree

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


class _Captured(Exception):
    pass


def measure(runs: int) -> dict[str, list[float]]:
    """Seconds per ``run()`` until the body would be sent, estimator and sampler alternating."""
    from qiskit import QuantumCircuit
    from qiskit.transpiler import generate_preset_pass_manager

    from qiskit_rest_provider import EstimatorV2, RuntimeService, SamplerV2
    from qiskit_rest_provider.emulator import start_emulator

    bell = QuantumCircuit(2)
    bell.h(0)
    bell.cx(0, 1)
    measured = bell.measure_all(inplace=False)
    with start_emulator(seed=1) as server:
        service = RuntimeService(token="bench", url=server.url, instance="crn:bench")
        backend = service.backend("ibmq_qasm_simulator")
        estimator, sampler = EstimatorV2(mode=backend), SamplerV2(mode=backend)
        estimator.run([(bell, "ZZ")], precision=0).result()  # warm: a real job of each
        sampler.run([measured], shots=1000).result()
        torino = service.backend("ibm_torino")
        isa = generate_preset_pass_manager(
            backend=torino, optimization_level=1, seed_transpiler=1
        ).run(measured)
        device_sampler = SamplerV2(mode=torino)

        def capture(*args: object, **kwargs: object) -> None:
            raise _Captured

        service.transport._send = capture  # type: ignore[method-assign]
        cases = {
            "estimator": lambda: estimator.run([(bell, "ZZ")], precision=0),
            "sampler": lambda: sampler.run([measured], shots=1000),
            "sampler, ISA Bell on ibm_torino": lambda: device_sampler.run([isa], shots=1000),
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        for index in range(runs + 200):  # the first 200 warm up
            for name, case in cases.items():
                start = time.perf_counter()
                try:
                    case()
                except _Captured:
                    pass
                if index >= 200:
                    times[name].append(time.perf_counter() - start)
        return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", nargs="?", type=int, default=2000)
    parser.add_argument("--against", help="another tree of the package, measured alternately")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.runs)))
        return
    if not args.against:
        times = measure(args.runs)
        print(f"# pre-POST time of a warm Bell job (n={args.runs}, medians)")
        for name, samples in times.items():
            print(f"  {name:<33} {statistics.median(samples) * 1e3:.3f} ms")
        return
    samples, ratios, per_round = alternate_trees(__file__, args.runs, args.against, ROUNDS)
    title = (
        f"# pre-POST time of a warm Bell job ({ROUNDS} alternating rounds, "
        f"n={per_round * ROUNDS} per tree, medians; ratio: median of the rounds' ratios)"
    )
    print_alternated(title, args.against, samples, ratios, 33)


if __name__ == "__main__":
    main()
