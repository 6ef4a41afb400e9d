"""Cost of validation before the queue, on 100-qubit ISA circuits of the emulated devices.

Compares, side by side on the same circuits and targets:

* ``runtime-style loop``: the algorithm of qiskit-ibm-runtime's ``is_isa_circuit`` (a Python
  loop over ``circuit.data`` asking ``target.instruction_supported(name, qargs)``), written
  out here because qiskit-ibm-runtime is not installed; the brief's reference figure for it
  is 6 ms per 100-qubit circuit;
* ``validate_sampler_pubs``: everything our ``SamplerV2.run`` checks (width, measurements,
  ISA via Qiskit's Rust ``GatesInBasis``, shots, finite values), a new validator per call as
  in ``run()``;
* ``python walker``: our fallback walker alone (what runs when the Rust check is unusable or
  reports a problem and the message needs the instruction);
* ``payload size``: the exact encoded size of the PUB (``check_payload_size``).

Run: ``python benchmarks/bench_reliability.py [--repeat N]``. The fault-injection figures come
from ``pytest tests/reliability -s`` (docs/reliability.md).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys

import numpy as np
from _util import interleaved
from qiskit import QuantumCircuit
from qiskit.primitives.containers.sampler_pub import SamplerPub
from qiskit.transpiler import generate_preset_pass_manager

from qiskit_rest_provider import RuntimeService
from qiskit_rest_provider.codec.circuits import export_circuit
from qiskit_rest_provider.codec.pubs import encode_sampler_pub
from qiskit_rest_provider.emulator import start_emulator
from qiskit_rest_provider.primitives._isa import IsaChecker, facts_for
from qiskit_rest_provider.primitives.validation import check_payload_size, validate_sampler_pubs

logger = logging.getLogger("bench_reliability")
CRN = "crn:v1:bluemix:public:quantum-computing:us-east:a/bench:validation::"


def logical_circuit(num_qubits: int = 100, layers: int = 5) -> QuantumCircuit:
    rng = np.random.default_rng(7)
    qc = QuantumCircuit(num_qubits)
    for layer in range(layers):
        for q in range(num_qubits):
            qc.rx(float(rng.uniform(-np.pi, np.pi)), q)
        for q in range(layer % 2, num_qubits - 1, 2):
            qc.cx(q, q + 1)
    qc.measure_all()
    return qc


def runtime_style(circuit: QuantumCircuit, target) -> str:
    qubit_map = {qubit: index for index, qubit in enumerate(circuit.qubits)}
    for instruction in circuit.data:
        name = instruction.operation.name
        qargs = tuple(qubit_map[bit] for bit in instruction.qubits)
        if not target.instruction_supported(name, qargs) and name not in {"barrier", "store"}:
            return f"{name} on {qargs}"
    return ""


def python_walker(circuit: QuantumCircuit, backend) -> None:
    checker = IsaChecker(facts_for(backend))
    checker._walk(circuit, {q: i for i, q in enumerate(circuit.qubits)}, 0, "")  # noqa: SLF001


def bench_backend(backend, repeat: int) -> None:
    pm = generate_preset_pass_manager(backend=backend, optimization_level=1, seed_transpiler=1)
    isa = pm.run(logical_circuit())
    pub = SamplerPub.coerce(isa, 1000)
    wire, _ = encode_sampler_pub(pub, export_circuit(isa))
    target = backend.target
    assert runtime_style(isa, target) == ""
    validate_sampler_pubs([pub], backend)
    cases = {
        "runtime-style loop": lambda: runtime_style(isa, target),
        "validate_sampler_pubs": lambda: validate_sampler_pubs([pub], backend),
        "python walker": lambda: python_walker(isa, backend),
        "payload size": lambda: check_payload_size([wire]),
    }
    times = interleaved(cases, repeat)
    logger.info(
        "%s: 100 logical qubits -> %d-qubit ISA circuit, %d instructions, %d kB of QASM",
        backend.name,
        isa.num_qubits,
        len(isa.data),
        len(wire[0]) // 1000,
    )
    base = statistics.median(times["runtime-style loop"])
    for case, samples in times.items():
        median = statistics.median(samples)
        logger.info(
            "  %-22s median %7.3f ms  (%.2fx the runtime-style loop)",
            case,
            1e3 * median,
            median / base,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    logger.setLevel(logging.INFO)
    with start_emulator(seed=1) as emu:
        service = RuntimeService(token="bench", url=emu.url, instance=CRN)
        for name in ("ibm_brisbane", "ibm_torino"):
            bench_backend(service.backend(name), args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
