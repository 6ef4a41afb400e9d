"""Request bodies of many random small jobs, for comparing two trees byte for byte.

Random circuits (standard and device gates, parameters and expressions, registers, barriers,
resets, delays, metadata, a global phase), observables (labels with projector letters, dicts,
``SparsePauliOp``, ``SparseObservable``, lists), parameter values (arrays, lists, dicts,
shapes), options, precisions and shots go through ``EstimatorV2.run`` / ``SamplerV2.run`` with
the transport's send replaced by one that keeps the body. Each circuit is then changed (a gate
added, an instruction replaced, metadata, a register, a parameter bound) and run again, three
times, so a shortcut that served anything stale would show. Each circuit prints one line: the
bodies of its jobs (the idempotency tag blanked) or their errors.

    python benchmarks/compare_bodies.py --against /path/to/other/tree [--seeds 4] [--circuits 600]

With ``--against`` both trees print their bodies (child processes, same seeds) and the first
difference is shown; without it, this tree's bodies are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
G1 = ["h", "x", "y", "z", "s", "sdg", "t", "sx", "sxdg", "id"]
G1P = ["rx", "ry", "rz", "p"]
G2 = ["cx", "cz", "ecr", "swap", "iswap"]
G2P = ["rzz", "rxx", "crx", "cp"]
ESTIMATOR_OPTIONS = [
    {"resilience_level": 1},
    {"default_precision": 0.02},
    {"environment": {"job_tags": ["a", "b"]}},
    {"max_execution_time": 100, "experimental": {"image": "x:y"}},
    {"seed_estimator": 3, "twirling": {"enable_gates": True}},
]
SAMPLER_OPTIONS = [
    {"default_shots": 100},
    {"environment": {"log_level": "INFO", "private": True}},
    {"dynamical_decoupling": {"enable": True}},
    {"execution": {"meas_type": "classified"}},
    {"simulator": {"seed_simulator": 5}},
]


class _Captured(Exception):
    pass


def _circuit(rng: np.random.Generator) -> Any:
    from qiskit import ClassicalRegister, QuantumCircuit, QuantumRegister
    from qiskit.circuit import Parameter, ParameterVector

    n = int(rng.integers(1, 5))
    kind = rng.integers(0, 6)
    if kind == 0:
        qc = QuantumCircuit(
            QuantumRegister(n, "qq"), ClassicalRegister(n, "c"), ClassicalRegister(1, "flag")
        )
    elif kind == 1:
        qc = QuantumCircuit(n, n)
    else:
        qc = QuantumCircuit(n)
    count = int(rng.integers(0, 4))
    if rng.random() < 0.5:
        params = list(ParameterVector("θ", count))
    else:
        params = [Parameter(f"a{i}") for i in range(count)]
    for _ in range(int(rng.integers(0, 8))):
        r = rng.random()
        q = [int(x) for x in rng.permutation(n)]
        if r < 0.3:
            getattr(qc, rng.choice(G1))(q[0])
        elif r < 0.55:
            if params and rng.random() < 0.6:
                p = params[int(rng.integers(len(params)))]
                angle = p if rng.random() < 0.5 else 2 * p + 0.25
            else:
                angle = float(rng.normal()) if rng.random() < 0.7 else float(rng.integers(0, 3))
            getattr(qc, rng.choice(G1P))(angle, q[0])
        elif r < 0.75 and n > 1:
            getattr(qc, rng.choice(G2))(q[0], q[1])
        elif r < 0.85 and n > 1:
            angle = params[0] if params and rng.random() < 0.5 else float(rng.uniform(0, 1.5))
            getattr(qc, rng.choice(G2P))(angle, q[0], q[1])
        elif r < 0.9:
            qc.barrier()
        elif r < 0.95:
            qc.reset(q[0])
        else:
            qc.delay(int(rng.integers(1, 100)), q[0], unit="dt")
    for p in params:
        if p not in set(qc.parameters):
            qc.rz(p, 0)
    if rng.random() < 0.3:
        qc.metadata = {"k": int(rng.integers(10)), "s": "x\ny"}
    if rng.random() < 0.2:
        qc.global_phase = 0.5
    return qc


def _values(rng: np.random.Generator, qc: Any) -> Any:
    k = qc.num_parameters
    if k == 0:
        return None if rng.random() < 0.7 else []
    shape = [(), (2,), (3, 1), (1,)][int(rng.integers(4))]
    values = rng.normal(size=(*shape, k))
    if rng.random() < 0.2:
        values = np.round(values, 1)
    if rng.random() < 0.2:
        return {tuple(qc.parameters): values}
    return values.tolist() if rng.random() < 0.2 else values


def _observables(rng: np.random.Generator, n: int) -> Any:
    from qiskit.quantum_info import SparseObservable, SparsePauliOp

    letters = list("IXYZ" if rng.random() < 0.8 else "IXYZ01+-rl")

    def label() -> str:
        return "".join(rng.choice(letters) for _ in range(n))

    r = rng.random()
    if r < 0.3:
        return label()
    if r < 0.5:
        return {label(): float(rng.normal()), label(): 1.0}
    if r < 0.65:
        pauli = "".join(rng.choice(list("IXYZ")) for _ in range(n))
        return SparsePauliOp.from_list([(pauli, complex(rng.normal(), 0))])
    if r < 0.75:
        return SparseObservable.from_label(label())
    if r < 0.9:
        return [label(), label()]
    return [[label()], [label()]]


def _mutate(rng: np.random.Generator, qc: Any, tag: str) -> None:
    from qiskit import ClassicalRegister

    r = rng.random()
    if r < 0.3 and qc.num_qubits:
        qc.h(0)
    elif r < 0.5 and qc.data:
        qc.data[0] = qc.data[-1]
    elif r < 0.6:
        qc.metadata = {"m": tag}
    elif r < 0.7:
        qc.add_register(ClassicalRegister(1, f"extra{tag}"))
    elif r < 0.8 and qc.num_parameters:
        qc.assign_parameters({qc.parameters[0]: 0.5}, inplace=True)


def bodies(seed: int, circuits: int) -> None:
    """Print one JSON line per random circuit: the bodies (or errors) of its three jobs."""
    from qiskit_rest_provider import EstimatorV2, RuntimeService, SamplerV2
    from qiskit_rest_provider.emulator import start_emulator

    warnings.simplefilter("ignore")
    rng = np.random.default_rng(seed)
    with start_emulator(seed=1) as server:
        service = RuntimeService(token="bench", url=server.url, instance="crn:bench")
        backend = service.backend("ibmq_qasm_simulator")

        def capture(*args: Any, **kwargs: Any) -> None:
            raise _Captured(args[3])

        service.transport._send = capture  # type: ignore[method-assign]
        # Reused primitives, as users keep them, and fresh ones with options.
        shared_estimator, shared_sampler = EstimatorV2(mode=backend), SamplerV2(mode=backend)
        for index in range(circuits):
            qc = _circuit(rng)
            out = []
            for attempt in range(3):
                try:
                    if rng.random() < 0.5:
                        estimator = shared_estimator
                        if rng.random() >= 0.5:
                            options = {}
                            if rng.random() >= 0.6:
                                options = ESTIMATOR_OPTIONS[int(rng.integers(5))]
                            estimator = EstimatorV2(mode=backend, options=options)
                        pubs = []
                        for _ in range(int(rng.integers(1, 3))):
                            values = _values(rng, qc)
                            pub: tuple[Any, ...] = (qc, _observables(rng, qc.num_qubits))
                            if values is not None:
                                pub = (*pub, values)
                            if rng.random() < 0.2 and len(pub) < 4:
                                pub = (*pub, None, 0.01)[:4] if len(pub) == 2 else (*pub, 0.01)
                            pubs.append(pub)
                        estimator.run(pubs, precision=[None, 0, 0.05][int(rng.integers(3))])
                    else:
                        measured = qc.copy()
                        if not measured.cregs:
                            measured.measure_all()
                        else:
                            for j in range(min(measured.num_qubits, measured.num_clbits)):
                                measured.measure(j, j)
                        sampler = shared_sampler
                        if rng.random() >= 0.5:
                            options = {}
                            if rng.random() >= 0.6:
                                options = SAMPLER_OPTIONS[int(rng.integers(5))]
                            sampler = SamplerV2(mode=backend, options=options)
                        values = _values(rng, measured)
                        sampler.run(
                            [measured if values is None else (measured, values)],
                            shots=[None, 1, 1000][int(rng.integers(3))],
                        )
                    out.append("NOT SENT")
                except _Captured as captured:
                    body = json.loads(captured.args[0])
                    body["tags"] = [
                        "qrp-submit-X" if tag.startswith("qrp-submit-") else tag
                        for tag in body.get("tags", [])
                    ]
                    out.append(json.dumps(body, sort_keys=True))
                except Exception as exc:  # noqa: BLE001 - an error is a result to compare
                    out.append(f"ERROR {type(exc).__name__}: {exc}")
                _mutate(rng, qc, f"{index}_{attempt}")
            print(json.dumps(out))


def _tree_output(tree: str, seed: int, circuits: int) -> list[str]:
    command = [sys.executable, str(Path(__file__)), "--seed", str(seed)]
    command += ["--circuits", str(circuits)]
    env = {**os.environ, "PYTHONPATH": tree}
    done = subprocess.run(command, env=env, cwd=tree, check=True, capture_output=True, text=True)
    return done.stdout.splitlines()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", help="another tree of the package")
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--seed", type=int, help="print this seed's bodies only")
    parser.add_argument("--circuits", type=int, default=600)
    args = parser.parse_args()
    if args.seed is not None or not args.against:
        for seed in [args.seed] if args.seed is not None else range(args.seeds):
            bodies(seed, args.circuits)
        return
    jobs = errors = 0
    for seed in range(args.seeds):
        ours = _tree_output(str(HERE.parent), seed, args.circuits)
        theirs = _tree_output(str(Path(args.against).resolve()), seed, args.circuits)
        for line, (mine, other) in enumerate(zip(ours, theirs, strict=True)):
            if mine != other:
                print(f"seed {seed}, circuit {line}: the bodies differ\n  this tree: {mine}")
                print(f"  against:   {other}")
                sys.exit(1)
            results = json.loads(mine)
            jobs += len(results)
            errors += sum(result.startswith("ERROR") for result in results)
    print(f"{jobs} jobs ({errors} refused) of {args.seeds} seeds: every body and error equal")


if __name__ == "__main__":
    main()
